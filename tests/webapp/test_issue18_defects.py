"""The defects of issue 18 ("5. Defects seen"), each in Chromium: the column chooser's names
are visible, truncated headers say their whole path, an artifact's tracked-only files fire no
blob request, and parallel coordinates keep their labels apart and default to varied params."""

from __future__ import annotations

import pytest
from processes import python

from conftest import PROJECT, _env

WS, NAME = PROJECT.split("/")
RUNS = f"#/p/{WS}/{NAME}/runs"

# the name of each axis: the first text of its group (a run's group has none)
AXIS_LABELS = "[data-testid=parallel-coordinates] > g > text:first-of-type"
SWEEP = "team/sweep"
METRICS = [f"eval/a_rather_long_metric_name_{k}" for k in range(7)]
SWEEP_SCRIPT = f"""
import despina
for i in range(4):
    with despina.init_run(project={SWEEP!r}, name=f"trial {{i}}", capture_stdout=False,
                          capture_stderr=False, capture_hardware_metrics=False,
                          source_files=[], git_ref=False) as run:
        run["params/learning_rate"] = 10.0 ** -(i + 1)
        run["params/weight_decay"] = 0.1 * (4 - i)
        run["params/seed"] = 7
        for k, path in enumerate({METRICS!r}):
            run[path] = 0.5 + 0.01 * i * (k + 1)
        for step in range(5):
            run["train/loss"].append(1.0 / (step + 1 + i), step=step)
        print(run["sys/id"].fetch())
"""


@pytest.fixture(scope="module")
def sweep(seeded) -> list[str]:
    """Four runs of a small sweep in project team/sweep: their sys/ids."""
    out = python(["-c", SWEEP_SCRIPT], env=_env(DESPINA_DATA_DIRECTORY=str(seeded)))
    return out.stdout.split()


def _overlaps(boxes: list[dict]) -> list[tuple[int, int]]:
    hits = []
    for i, a in enumerate(boxes):
        for j in range(i + 1, len(boxes)):
            b = boxes[j]
            if (
                a["x"] < b["x"] + b["width"]
                and b["x"] < a["x"] + a["width"]
                and a["y"] < b["y"] + b["height"]
                and b["y"] < a["y"] + a["height"]
            ):
                hits.append((i, j))
    return hits


def test_column_chooser_shows_the_names_in_order(page):
    page.goto(f"{RUNS}?c=sys/id&c=sys/name&c=params/lr")
    page.by_testid("grid-row").first.wait_for()
    page.by_testid("columns-button").click()
    order = page.by_testid("column-order")
    order.wait_for()
    names = order.locator(".chooser-current .chooser-path")
    assert names.count() == 3
    for i in range(3):
        box = names.nth(i).bounding_box()
        assert box is not None and box["width"] > 40, (names.nth(i).inner_text(), box)
    assert names.nth(2).inner_text() == "params/lr"
    page.screenshot()


def test_truncated_headers_show_their_whole_path(page):
    page.goto(
        f"{RUNS}?c=sys/id&c=params/batch&c=params/optimizer&w=60:params/batch&w=60:params/optimizer"
    )
    page.by_testid("grid-row").first.wait_for()
    labels = {}
    for path in ("params/batch", "params/optimizer"):
        header = page.page.locator(f'[data-testid=column-header][data-path="{path}"]')
        label = header.locator(".grid-label")
        assert label.get_attribute("title") == path
        text = label.inner_text()
        # the visible text is what fits, and it keeps the end of the path
        fits = label.evaluate("el => el.scrollWidth <= el.clientWidth + 1")
        assert fits, text
        labels[path] = text
    assert labels["params/batch"] != labels["params/optimizer"], labels
    assert labels["params/batch"].endswith("batch") or labels["params/batch"].endswith("…")
    # a double click on the edge fits the column to its whole path
    header = page.page.locator('[data-testid=column-header][data-path="params/optimizer"]')
    header.get_by_test_id("resize-handle").dblclick()
    page.page.wait_for_function(
        "() => { const el = document.querySelector('[data-testid=column-header]"
        '[data-path="params/optimizer"] .grid-label\');'
        " return el && el.innerText === 'params/optimizer' && el.scrollWidth <= el.clientWidth + 1; }"
    )
    page.screenshot()


def test_tracked_only_artifact_files_fire_no_blob_request(page, ids):
    blob_posts: list[str] = []
    failed: list[str] = []
    page.page.on("request", lambda r: blob_posts.append(r.url) if "/blobs/" in r.url else None)
    page.page.on("response", lambda r: failed.append(r.url) if r.status >= 400 else None)
    page.goto(f"#/p/{WS}/{NAME}/runs/{ids['baseline']}?field=dataset")
    page.by_testid("file-set").wait_for()
    entries = page.by_testid("file-entry")
    entries.first.wait_for()
    page.page.wait_for_load_state("networkidle")
    assert entries.count() == 2
    text = page.by_testid("file-set").inner_text()
    assert "no blob" not in text
    assert "tracked" in text.lower()
    for i in range(2):
        row = entries.nth(i).inner_text()
        assert "dataset" in row and "B" in row, row  # its location and its size
    assert page.by_testid("file-set").locator(".error").count() == 0
    assert blob_posts == [] and failed == [], (blob_posts, failed)
    # nothing runs past the panel
    wide = page.by_testid("file-set").evaluate("el => el.scrollWidth <= el.clientWidth + 1")
    assert wide
    page.screenshot()


def test_parallel_coordinates_default_to_varied_params(ui_page, sweep):
    ui_page.goto(f"#/p/team/sweep/compare?runs={','.join(sweep)}")
    ui_page.page.wait_for_function(
        "() => document.querySelectorAll('[data-testid=parallel-run]').length === 4"
    )
    labels = ui_page.page.locator(AXIS_LABELS)
    paths = [labels.nth(i).locator("title").text_content() for i in range(labels.count())]
    assert "params/learning_rate" in paths and "params/weight_decay" in paths, paths
    assert "params/seed" not in paths, paths  # the same in every run
    ui_page.screenshot()


def test_parallel_coordinates_labels_do_not_overlap(ui_page, sweep):
    axes = ["params/learning_rate", "params/weight_decay", *METRICS, "train/loss"]
    ui_page.goto(f"#/p/team/sweep/compare?runs={','.join(sweep)}&axes={','.join(axes)}")
    ui_page.page.wait_for_function(
        "() => document.querySelectorAll('[data-testid=parallel-run]').length === 4"
    )
    labels = ui_page.page.locator(AXIS_LABELS)
    assert labels.count() == len(axes)
    boxes = [labels.nth(i).bounding_box() for i in range(labels.count())]
    assert _overlaps(boxes) == [], boxes
    for i, path in enumerate(axes):  # the whole path is in the label's tooltip
        assert labels.nth(i).locator("title").text_content() == path
    ui_page.screenshot()
