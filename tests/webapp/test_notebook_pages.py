"""The notebook pages in Chromium, over checkpoints a child process uploaded through
despina.notebooks to a real `despina server`: the notebooks list, a rendered checkpoint with
its image output, the diff naming the changed cells, a download that returns the exact bytes,
and a hostile notebook whose Markdown, HTML and SVG never run script in the app."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from processes import python

from conftest import _cli

# A project of their own: the seeded run would otherwise change what the runs-table tests count.
PROJECT = "team/notebooks"
WS, NAME = PROJECT.split("/")
SEED = Path(__file__).with_name("seed_notebooks.py")


@pytest.fixture(scope="module")
def notebooks(server, seeded) -> dict:
    """What seed_notebooks.py uploaded: notebook and checkpoint ids, and each file's path."""
    d = ["--data-dir", str(seeded)]
    _cli(["project", *d, "create", PROJECT])
    _cli(["project", *d, "add-member", PROJECT, "contrib", "contributor"])
    env = {
        "DESPINA_URL": server.url,
        "DESPINA_API_TOKEN": server.tokens["contrib"],
        "DESPINA_PROJECT": PROJECT,
    }
    out = python([str(SEED)], env=env).stdout
    return json.loads(out.strip().splitlines()[-1])


def _app_errors(page) -> list[str]:
    """Page errors but the one of the fixture's own init script (it sets the token in
    localStorage), which Playwright also runs in the sandboxed frame, where storage is refused."""
    harness = "The document is sandboxed and lacks the 'allow-same-origin' flag"
    return [e for e in page.errors if not ("localStorage" in e and harness in e)]


def _console(page) -> list[str]:
    seen: list[str] = []
    page.page.on("console", lambda m: seen.append(m.text))
    return seen


def test_the_notebooks_page_lists_them(page, notebooks):
    page.goto(f"#/p/{WS}/{NAME}/notebooks")
    rows = page.by_testid("notebook-row")
    rows.first.wait_for()
    by_id = {
        int(r.get_attribute("data-id")): (
            r.get_by_test_id("notebook-link").inner_text(),
            r.get_by_test_id("notebook-path").inner_text(),
            r.get_by_test_id("notebook-count").inner_text(),
        )
        for r in rows.all()
    }
    assert by_id[notebooks["analysis"]] == ("Training analysis", "notebooks/analysis.ipynb", "2")
    assert by_id[notebooks["hostile"]][2] == "1"
    assert page.by_testid("nav-notebooks").get_attribute("class") == "active"
    page.by_testid("notebook-link").filter(has_text="Training analysis").click()
    page.by_testid("notebook-name").wait_for()
    assert page.by_testid("notebook-name").inner_text() == "Training analysis"
    names = [a.inner_text() for a in page.by_testid("checkpoint-link").all()]
    assert names == ["v2", "v1"]  # newest first
    rows = [r.inner_text() for r in page.by_testid("checkpoint-row").all()]
    assert "version 2 of the analysis" in rows[0] and "contrib" in rows[0]
    assert "python3" in rows[0]  # the kernel, from the notebook's kernelspec
    page.screenshot()
    assert _app_errors(page) == []


def test_a_checkpoint_renders_code_markdown_and_its_image(page, notebooks):
    nid, cid = notebooks["analysis"], notebooks["analysis_v2"]
    page.goto(f"#/p/{WS}/{NAME}/notebooks/{nid}/checkpoints/{cid}")
    page.by_testid("notebook-view").wait_for()
    assert page.page.locator(".markdown h1").first.inner_text() == "Training analysis"
    assert page.page.locator(".markdown strong").first.inner_text() == "loss"
    sources = [s.inner_text() for s in page.by_testid("nb-source").all()]
    assert "loss = train(lr=0.01, epochs=5)\nprint(loss)" in sources
    assert "[2]:" in [c.inner_text() for c in page.by_testid("nb-count").all()]
    assert "0.25" in [s.inner_text().strip() for s in page.by_testid("nb-stream").all()]
    image = page.page.locator('[data-testid="nb-image"][data-mime="image/png"]')
    image.wait_for()
    size = page.page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0 && [img.naturalWidth, img.naturalHeight]",
        arg=image.element_handle(),
    ).json_value()
    assert size == [40, 30]
    assert image.get_attribute("src").startswith("data:image/png;base64,")
    page.screenshot()
    assert _app_errors(page) == []


def test_the_download_link_returns_the_exact_bytes(page, notebooks):
    nid, cid = notebooks["analysis"], notebooks["analysis_v1"]
    page.goto(f"#/p/{WS}/{NAME}/notebooks/{nid}/checkpoints/{cid}")
    link = page.by_testid("checkpoint-download")
    link.wait_for()
    assert link.get_attribute("download") == "analysis.ipynb"
    with page.page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename == "analysis.ipynb"
    assert Path(download.path()).read_bytes() == Path(notebooks["files"][str(cid)]).read_bytes()


def test_the_diff_names_the_changed_added_and_removed_cells(page, notebooks):
    nid = notebooks["analysis"]
    page.goto(f"#/p/{WS}/{NAME}/notebooks/{nid}")
    page.by_testid("compare").click()  # A: the one before the newest, B: the newest
    page.page.wait_for_function("() => location.hash.includes('/diff?')")
    assert f"a={notebooks['analysis_v1']}" in page.page.url
    assert f"b={notebooks['analysis_v2']}" in page.page.url
    page.by_testid("diff-summary").wait_for()

    def shown() -> dict[str, list[str]]:
        cells: dict[str, list[str]] = {}
        for c in page.by_testid("nbd-cell").all():
            status = c.get_attribute("data-status")
            cells.setdefault(status, []).append(c.get_by_test_id("nbd-lines").inner_text())
        return cells

    cells = shown()
    assert len(cells["changed"]) == 1 and "epochs=5" in cells["changed"][0]
    changed = page.page.locator('[data-testid="nbd-cell"][data-status="changed"]')
    assert changed.locator('[data-op="del"]').inner_text().endswith("loss = train(lr=0.1)")
    assert (
        changed.locator('[data-op="add"]').inner_text().endswith("loss = train(lr=0.01, epochs=5)")
    )
    assert [t for t in cells["removed"] if "removed later" in t]
    assert [t for t in cells["added"] if "added in v2" in t]
    color = changed.evaluate("e => getComputedStyle(e).borderLeftColor")
    assert color != page.page.locator('[data-status="same"]').first.evaluate(
        "e => getComputedStyle(e).borderLeftColor"
    )
    # the unchanged runs are folded until opened
    folds = page.by_testid("nbd-fold")
    assert folds.count() >= 1 and "unchanged cells" in folds.first.inner_text()
    before = len(cells.get("same", []))
    folds.first.click()
    assert len(shown().get("same", [])) > before
    page.screenshot()
    assert _app_errors(page) == []


def test_a_hostile_notebook_runs_no_script(page, notebooks):
    console = _console(page)
    nid, cid = notebooks["hostile"], notebooks["hostile_checkpoint"]
    page.goto(f"#/p/{WS}/{NAME}/notebooks")
    page.by_testid("notebook-row").first.wait_for()
    for hash_ in (
        f"#/p/{WS}/{NAME}/notebooks/{nid}",
        f"#/p/{WS}/{NAME}/notebooks/{nid}/checkpoints/{cid}",
    ):
        page.goto(hash_)
        page.page.wait_for_load_state("networkidle")
    page.by_testid("notebook-view").wait_for()
    # the markup is shown as text
    markdown = page.page.locator(".nb-markdown").inner_text()
    assert "<script>" in markdown and "onerror" in markdown
    assert "<script>" in page.by_testid("nb-stream").inner_text()
    assert page.page.locator(".nb-markdown a").count() == 0  # the javascript: link is text
    # HTML only in an empty-sandbox frame, SVG only as a data: image
    frame = page.by_testid("nb-html-output")
    assert frame.get_attribute("sandbox") == ""
    assert "<b>html output</b>" in frame.get_attribute("srcdoc")
    inner = page.page.frame_locator('[data-testid="nb-html-output"]')
    inner.locator("b").wait_for()
    assert inner.locator("b").inner_text() == "html output"
    svg = page.page.locator('[data-testid="nb-image"][data-mime="image/svg+xml"]')
    assert svg.get_attribute("src").startswith("data:image/svg+xml;base64,")
    page.page.wait_for_function("img => img.complete", arg=svg.element_handle())
    assert "ValueError: bad value" in page.by_testid("nb-error").inner_text()
    assert "\u001b" not in page.by_testid("nb-error").inner_text()
    # no live script or handler in the app's document
    live = page.page.evaluate(
        """() => [...document.querySelectorAll('#root *')].filter(e =>
            e.tagName === 'SCRIPT' || e.getAttributeNames().some(a => a.startsWith('on'))
        ).map(e => e.outerHTML)"""
    )
    assert live == []
    page.page.wait_for_timeout(500)  # give any planted handler time to fire
    page.assert_no_script_ran()
    # the app's own title for the page (lib/title.ts), not one a planted script set
    assert page.page.title() == f"checkpoint {cid} · notebook {nid} · {WS}/{NAME} · despina"
    assert not [m for m in console if "PWNED" in m]
    page.screenshot()
    assert _app_errors(page) == []


def test_despina_ui_shows_the_same_notebooks_without_login(ui_page, notebooks):
    nid, cid = notebooks["analysis"], notebooks["analysis_v1"]
    ui_page.goto(f"#/p/{WS}/{NAME}/notebooks")
    ui_page.by_testid("notebook-link").filter(has_text="Training analysis").wait_for()
    ui_page.goto(f"#/p/{WS}/{NAME}/notebooks/{nid}/checkpoints/{cid}")
    ui_page.by_testid("notebook-view").wait_for()
    sources = [s.inner_text() for s in ui_page.by_testid("nb-source").all()]
    assert "old_cell = 'removed later'" in sources
    assert ui_page.errors == []


def test_a_run_started_in_a_notebook_links_to_its_checkpoint(page, notebooks):
    page.goto(f"#/p/{WS}/{NAME}/runs/{notebooks['run']}?tab=source")
    link = page.by_testid("run-notebook-checkpoint")
    link.wait_for()
    assert "analysis-v2.ipynb" in link.inner_text()
    link.get_by_role("link").click()
    page.by_testid("notebook-view").wait_for()
    sources = [s.inner_text() for s in page.by_testid("nb-source").all()]
    assert "loss = train(lr=0.01, epochs=5)\nprint(loss)" in sources  # version 2's cells
    assert _app_errors(page) == []
