"""Compare of a 55-run sweep in Chromium (issue 18): every run its own colour, min-max bands
off by default (a toggle turns them on), the runs list folds, the runs' images of one field
side by side at one chosen step, and the chart's tick labels distinct for a series around
1e-4 and a relative-time axis of milliseconds. Seeded by a real logging script into its own
project, team/comparesweep."""

from __future__ import annotations

import pytest
from processes import python

from conftest import _env

PROJECT = "team/comparesweep"
RUNS = 55
SCRIPT = f"""
import despina
from despina.types import File
from PIL import Image

for i in range({RUNS}):
    with despina.init_run(project={PROJECT!r}, name=f"trial {{i}}", capture_stdout=False,
                          capture_stderr=False, capture_hardware_metrics=False,
                          source_files=[], git_ref=False) as run:
        run["params/lr"] = 0.001 * (i + 1)
        run["params/seed"] = 7
        for step in range(20):
            run["train/loss"].append(1e-4 * (1 + 0.001 * i + 0.0005 * step), step=step)
        for step in range(2):
            color = (4 * i, 120 * step, 255 - 4 * i)
            run["images/samples"].append(File.as_image(Image.new("RGB", (8, 8), color)), step=step)
        print(run["sys/id"].fetch())
"""


@pytest.fixture(scope="module")
def sweep(seeded) -> list[str]:
    """The sys/ids of 55 runs in team/comparesweep, in the order they were logged."""
    out = python(["-c", SCRIPT], env=_env(DESPINA_DATA_DIRECTORY=str(seeded)), timeout=600)
    ids = out.stdout.split()
    assert len(ids) == RUNS
    return ids


def _ticks(ui_page, axis: str) -> list[str]:
    text = ui_page.page.locator("[data-testid=series-chart] .uplot").first.get_attribute(
        f"data-{axis}-ticks"
    )
    assert text, f"no {axis} ticks drawn"
    return text.split("\n")


def test_compare_of_a_sweep_is_readable(ui_page, sweep):
    ws, name = PROJECT.split("/")
    ui_page.goto(f"#/p/{ws}/{name}/compare?runs={','.join(sweep)}")
    chart = ui_page.page.locator("[data-testid=series-chart]").first
    ui_page.page.wait_for_function(
        "() => { const c = document.querySelector('[data-testid=series-chart]');"
        " return c && Number(c.dataset.points) > 0 && c.dataset.loading === 'false'; }"
    )
    # every run its own colour in the legend
    swatches = ui_page.page.locator("[data-testid=chart-legend] .swatch")
    assert swatches.count() == RUNS
    colours = swatches.evaluate_all("els => els.map(e => getComputedStyle(e).backgroundColor)")
    assert len(set(colours)) == RUNS, colours
    # y ticks of a series around 1e-4: distinct, none a bare zero
    ys = _ticks(ui_page, "y")
    assert len(ys) >= 2 and len(set(ys)) == len(ys), ys
    assert "0" not in ys, ys

    # bands are off past three runs; the toggle turns them on
    bands = ui_page.by_testid("compare-bands")
    assert not bands.is_checked()
    assert chart.get_attribute("data-band") == "false"
    bands.check()
    ui_page.page.wait_for_function(
        "() => document.querySelector('[data-testid=series-chart]').dataset.band === 'true'"
    )
    assert "bands=1" in ui_page.page.url

    # the runs list starts folded and opens on a click
    toggle = ui_page.by_testid("compare-runs-toggle")
    assert f"{RUNS} runs" in toggle.inner_text()
    assert ui_page.by_testid("compare-runs").count() == 0
    toggle.click()
    assert ui_page.by_testid("compare-runs").locator("a").count() == RUNS
    toggle.click()
    assert ui_page.by_testid("compare-runs").count() == 0

    # the relative-time axis of runs that lasted milliseconds keeps its ticks apart
    ui_page.by_testid("chart-x").select_option("relative")
    ui_page.page.wait_for_function(
        "() => { const u = document.querySelector('[data-testid=series-chart] .uplot');"
        " return u && (u.dataset.xTicks || '').endsWith('s') && !(u.dataset.xTicks || '').includes(':'); }"
    )
    xs = _ticks(ui_page, "x")
    assert len(xs) >= 2 and len(set(xs)) == len(xs), xs
    ui_page.screenshot("chart")


def test_compare_shows_a_sweep_images_side_by_side_at_one_step(ui_page, sweep):
    ws, name = PROJECT.split("/")
    ui_page.goto(f"#/p/{ws}/{name}/compare?runs={','.join(sweep)}")
    box = ui_page.by_testid("image-compare")
    box.wait_for()
    assert box.get_attribute("data-path") == "images/samples"
    cells = ui_page.by_testid("image-compare-cell")
    assert cells.count() == RUNS
    # the last step by default, one image per run, each labelled with its run
    ui_page.page.wait_for_function(
        "() => { const b = document.querySelector('[data-testid=image-compare]');"
        " return b.dataset.step === '1' && [...b.querySelectorAll('img')]"
        ".filter(i => i.complete && i.naturalWidth === 8).length === 55; }",
        timeout=60_000,
    )
    for i in (0, 27, RUNS - 1):
        assert f"{sweep[i]} trial {i}" in cells.nth(i).inner_text()
        assert cells.nth(i).locator("img").get_attribute("alt") == f"{sweep[i]} trial {i} step 1"
    last = [cells.nth(i).locator("img").get_attribute("src") for i in range(RUNS)]
    assert len(set(last)) == RUNS  # each run's own image
    # step 0 through the step list: every run's image of step 0
    ui_page.by_testid("image-compare-step").select_option("0")
    ui_page.page.wait_for_function(
        "() => { const b = document.querySelector('[data-testid=image-compare]');"
        " const imgs = [...b.querySelectorAll('img')];"
        " return b.dataset.step === '0' && imgs.length === 55 &&"
        " imgs.every(i => i.alt.endsWith('step 0') && i.complete && i.naturalWidth === 8); }",
        timeout=60_000,
    )
    first = [cells.nth(i).locator("img").get_attribute("src") for i in range(RUNS)]
    assert not set(first) & set(last)
    # and back with the slider
    slider = ui_page.by_testid("image-compare-slider")
    slider.fill("1")
    ui_page.page.wait_for_function(
        "() => document.querySelector('[data-testid=image-compare]').dataset.step === '1'"
    )
    assert ui_page.errors == []
    ui_page.screenshot()
