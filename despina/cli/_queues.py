"""What status, sync and clear share: finding queue folders and describing them."""

from __future__ import annotations

import argparse
from pathlib import Path

# Order in which sync sends containers: a model before its versions, projects first.
_KIND_ORDER = {"project": 0, "model": 1, "model_version": 2, "run": 3}


def add_path_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--path",
        metavar="DIR",
        help="data directory holding the store and its queue/ folder "
        "(default: DESPINA_DATA_DIRECTORY, else ./.despina)",
    )


def data_directory(args: argparse.Namespace) -> Path:
    if args.path:
        return Path(args.path).expanduser().absolute()
    from despina import settings

    return settings.data_directory()


def queue_root(data_dir: Path) -> Path:
    """``<data_dir>/queue``; a path that already is a queue folder is taken as it is."""
    root = data_dir / "queue"
    if not root.exists() and any((data_dir / mode).is_dir() for mode in ("async", "offline")):
        return data_dir
    return root


def sorted_for_sync(infos: list) -> list:
    return sorted(
        infos, key=lambda q: (_KIND_ORDER.get(q.meta.get("kind"), 9), q.meta.get("created") or 0)
    )


def short_id(info) -> str:
    """A short name for a queue: the start of its container uuid."""
    uuid = info.meta.get("container_uuid") or info.folder.name
    return uuid[:8]


def select(infos: list, ids: list[str]) -> tuple[list, list[str]]:
    """Queues matching any of ``ids`` (a sys_id, a container uuid or folder name, or a prefix
    of one), and the ids that matched nothing or more than one queue."""
    chosen: dict[Path, object] = {}
    bad: list[str] = []
    for ident in ids:
        exact = [
            q
            for q in infos
            if ident in (q.meta.get("sys_id"), q.meta.get("container_uuid"), q.folder.name)
        ]
        matches = exact or [
            q
            for q in infos
            if q.folder.name.startswith(ident)
            or (q.meta.get("container_uuid") or "").startswith(ident)
        ]
        if not matches:
            bad.append(f"{ident} (no such queue)")
        elif not exact and len(matches) > 1:
            bad.append(f"{ident} (matches {len(matches)} queues; give more characters)")
        for q in matches:
            chosen[q.folder] = q
    return [q for q in infos if q.folder in chosen], bad


def describe(info) -> str:
    """``offline run CLS-12 (ws/proj)`` or ``offline run (not yet created) (ws/proj)``."""
    m = info.meta
    return (
        f"{info.mode} {kind_name(m.get('kind'))} {m.get('sys_id') or '(not yet created)'} "
        f"({m.get('project', '?')})"
    )


def kind_name(kind: str | None) -> str:
    return (kind or "?").replace("_", " ")


def format_size(n: int) -> str:
    size = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GB"


def table(rows: list[list[str]], indent: str = "  ") -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for r in rows:
        cells = [c.ljust(w) for c, w in zip(r, widths, strict=True)]
        lines.append(indent + "  ".join(cells).rstrip())
    return "\n".join(lines)


def queue_rows(infos: list) -> list[list[str]]:
    rows = [["QUEUE", "MODE", "PROJECT", "KIND", "ID", "PENDING", "SIZE", "NOTE"]]
    for q in infos:
        m = q.meta
        note = ""
        if q.error:
            note = f"unreadable: {q.error}"
        elif q.damage:
            note = f"damaged: {q.damage}"
        elif q.locked:
            note = f"in use ({q.lock_owner})" if q.lock_owner else "in use by a running process"
        rows.append(
            [
                short_id(q),
                q.mode,
                m.get("project", "?"),
                kind_name(m.get("kind")),
                m.get("sys_id") or "(not yet created)",
                f"{q.pending_operations:,}",
                format_size(q.size_bytes),
                note,
            ]
        )
    return rows


def is_remote(info) -> bool:
    store = str(info.meta.get("store") or "")
    return store.startswith(("http://", "https://"))
