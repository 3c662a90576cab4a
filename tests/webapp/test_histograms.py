"""A histogram series (Run.log_histograms: a string series of JSON histograms) on the run page:
the last step's bars, a slider and the arrow keys over the steps, and the raw lines."""

from __future__ import annotations

import pytest
from seed import HISTOGRAM_COUNTS, HISTOGRAM_EDGES

from conftest import PROJECT

WS, NAME = PROJECT.split("/")
PATH = "layers/0/activations"


@pytest.fixture(scope="module")
def baseline(ids) -> str:
    return ids["baseline"]


def _bars(page) -> list[tuple[float, float, float]]:
    bars = page.by_testid("histogram-bar")
    return [
        tuple(float(bars.nth(k).get_attribute(a)) for a in ("data-lo", "data-hi", "data-value"))
        for k in range(bars.count())
    ]


def _expected(step: int) -> list[tuple[float, float, float]]:
    e = HISTOGRAM_EDGES
    return [(e[k], e[k + 1], float(c)) for k, c in enumerate(HISTOGRAM_COUNTS[step])]


def _wait_step(page, text: str) -> None:
    page.page.wait_for_function(
        "(t) => document.querySelector('[data-testid=histogram-step]')?.textContent === t",
        arg=text,
    )


def test_histogram_series_shows_bars_a_slider_and_raw_lines(page, baseline):
    page.goto(f"#/p/{WS}/{NAME}/runs/{baseline}?field={PATH}")
    page.by_testid("histogram-view").wait_for()
    page.by_testid("histogram-chart").wait_for()
    _wait_step(page, "step 2 (3 of 3)")
    assert _bars(page) == _expected(2)
    chart = page.by_testid("histogram-chart")
    assert chart.get_attribute("data-type") == "COUNTS"
    assert "COUNTS" in page.by_testid("histogram-type").text_content()
    assert "count" in chart.text_content() and "value (bin edges)" in chart.text_content()
    assert page.by_testid("histogram-bad").count() == 0
    page.screenshot()

    # the slider moves to the first step
    page.by_testid("histogram-slider").fill("0")
    _wait_step(page, "step 0 (1 of 3)")
    assert _bars(page) == _expected(0)

    # the right arrow moves one step on
    page.by_testid("histogram-slider").focus()
    page.page.keyboard.press("ArrowRight")
    _wait_step(page, "step 1 (2 of 3)")
    assert _bars(page) == _expected(1)
    page.page.keyboard.press("ArrowLeft")
    _wait_step(page, "step 0 (1 of 3)")
    page.screenshot()

    # the raw lines: the log viewer with the JSON text
    page.by_testid("histogram-mode-raw").click()
    page.by_testid("log-viewer").wait_for()
    assert page.by_testid("log-count").inner_text() == "3 lines"
    page.by_testid("log-line").nth(2).wait_for()
    lines = page.by_testid("log-line").all_inner_texts()
    assert '"type":"COUNTS"' in lines[0] and '"values":[1,2,3,4]' in lines[0]
    assert page.by_testid("histogram-chart").count() == 0
    page.by_testid("histogram-mode-chart").click()
    page.by_testid("histogram-chart").wait_for()
    page.screenshot()
    page.assert_no_script_ran()


def test_a_plain_log_stays_a_log(page, baseline):
    page.goto(f"#/p/{WS}/{NAME}/runs/{baseline}?field=train/log")
    page.by_testid("log-viewer").wait_for()
    assert page.by_testid("histogram-view").count() == 0
