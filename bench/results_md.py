"""bench/RESULTS.md is shared by several benchmark scripts: each owns one section, fenced by
``<!-- name:start -->`` and ``<!-- name:end -->``, and rewrites only that."""

from __future__ import annotations

from pathlib import Path

RESULTS_MD = Path(__file__).resolve().parent / "RESULTS.md"


def replace_section(name: str, text: str, *, first: bool = False) -> None:
    """Put ``text`` in section ``name``, replacing its earlier content; a new section goes at
    the end (or right after the title when ``first``)."""
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    block = f"{start}\n{text.strip()}\n{end}\n"
    current = RESULTS_MD.read_text() if RESULTS_MD.exists() else "# Benchmark results\n"
    if start in current and end in current:
        head, rest = current.split(start, 1)
        tail = rest.split(end, 1)[1].lstrip("\n")
        current = head + block + ("\n" + tail if tail else "")
    elif first:
        title, _, body = current.partition("\n")
        current = f"{title}\n\n{block}\n{body.lstrip()}"
    else:
        current = current.rstrip("\n") + "\n\n" + block
    RESULTS_MD.write_text(current.rstrip("\n") + "\n")
