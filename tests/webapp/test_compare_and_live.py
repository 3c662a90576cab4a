"""The compare page, the log viewer and a run's live view in Chromium: the chosen series is
overlaid for every run, the table shows what differs, parallel coordinates draw a line a run,
a log search finds its lines, and a run that is still logging updates on screen."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import urllib.parse

from conftest import PROJECT, _env

WS, NAME = PROJECT.split("/")
SCRIPT = "<script>window.__xss=1</script>"


def _loaded(page, chart):
    page.page.wait_for_function(
        "(el) => el.dataset.loading === 'false' && Number(el.dataset.points) > 0",
        arg=chart.element_handle(),
    )


def test_compare_overlays_a_series_and_lists_what_differs(page, ids):
    asked = []
    page.page.on(
        "request",
        lambda r: asked.append(json.loads(r.post_data)) if r.url.endswith("/buckets") else None,
    )
    runs = [ids["baseline"], ids["wide"], ids[SCRIPT]]
    page.goto(f"#/p/{WS}/{NAME}/compare?runs={','.join(runs)}")
    page.by_testid("compare-page").wait_for()
    chart = page.page.locator("[data-testid=series-chart]")
    chart.wait_for()
    _loaded(page, chart)
    assert chart.get_attribute("data-path") == "train/loss"  # the first shared "loss"
    legend = page.by_testid("chart-legend").inner_text()
    assert "baseline" in legend and "wide" in legend and SCRIPT in legend
    assert len(asked[-1]["uuids"]) == 3

    # the fields that differ, the planted name as text; a shared value only with "show all"
    table = page.by_testid("compare-table")
    page.page.locator('[data-testid=compare-row][data-path="params/lr"]').wait_for()
    lr = page.page.locator('[data-testid=compare-row][data-path="params/lr"]').inner_text()
    assert "0.1" in lr and "0.01" in lr and "0.3" in lr
    assert page.page.locator('[data-testid=compare-row][data-path="params/note"]').count() == 0
    assert SCRIPT in table.inner_text()
    page.by_testid("compare-show-all").check()
    page.page.locator('[data-testid=compare-row][data-path="params/note"]').wait_for()
    assert "showall=1" in page.page.url

    # another series: searched for, chosen, asked for
    page.by_testid("series-search").fill("acc")
    options = page.by_testid("series-option")
    page.page.wait_for_function(
        "() => document.querySelectorAll('[data-testid=series-option]').length === 1"
    )
    assert options.count() == 1
    options.first.click()
    page.page.wait_for_function("() => window.location.hash.includes('path=train%2Facc')")
    chart = page.page.locator('[data-testid=series-chart][data-path="train/acc"]')
    chart.wait_for()
    _loaded(page, chart)
    assert asked[-1]["path"] == "train/acc"

    # parallel coordinates: one line a run
    page.page.wait_for_function(
        "() => document.querySelectorAll('[data-testid=parallel-run]').length === 3"
    )
    page.screenshot()
    page.assert_no_script_ran()
    assert page.errors == []


def test_log_viewer_search(page, ids):
    """The server finds the lines (the search route, a page of matches at a time): the app
    no longer reads every line of the series to search it."""
    searched, read = [], []
    page.page.on(
        "request",
        lambda r: (
            searched if "/search/" in r.url else read if "/objects/" in r.url else []
        ).append(urllib.parse.urlsplit(r.url)),
    )
    page.goto(f"#/p/{WS}/{NAME}/runs/{ids['baseline']}?field=train/log")
    viewer = page.by_testid("log-viewer")
    viewer.wait_for()
    page.page.wait_for_function(
        "() => document.querySelector('[data-testid=log-line] .log-text')?.textContent"
        ".startsWith('step 0:')"
    )
    assert page.by_testid("log-count").inner_text() == "201 lines"
    reads_before = len(read)
    page.by_testid("log-search").fill("STEP 19")
    page.page.wait_for_function(
        "() => document.querySelector('[data-testid=log-count]').textContent.includes('match')"
    )
    # step 19 and step 190 to 199, case-insensitive, each hit highlighted
    assert page.by_testid("log-count").inner_text() == "11 of 201 lines match"
    assert page.by_testid("log-line").count() == 11
    assert page.page.locator("[data-testid=log-line] mark.log-hit").count() == 11
    first = page.by_testid("log-line").first.inner_text()
    assert first.startswith("20") and "step 19" in first  # line 20 holds step 19
    assert searched, "the search route was not asked"
    query = urllib.parse.parse_qs(searched[-1].query)
    assert searched[-1].path.endswith("/search/train/log")
    assert query["text"] == ["STEP 19"] and query["offset"] == ["0"] and query["limit"] == ["1000"]
    assert len(read) == reads_before, "the search read the series' lines"
    page.by_testid("log-search").fill("script")
    page.page.wait_for_function(
        "() => document.querySelector('[data-testid=log-count]').textContent.startsWith('1 of')"
    )
    assert SCRIPT in page.by_testid("log-line").first.inner_text()
    page.screenshot()
    page.assert_no_script_ran()
    page.by_testid("log-search").fill("")
    page.page.wait_for_function(
        "() => document.querySelector('[data-testid=log-count]').textContent === '201 lines'"
    )


LIVE_LOGGER = textwrap.dedent(
    """
    import time, despina
    with despina.init_run(project="live/watch", name="live one", capture_stdout=False,
                          capture_stderr=False, capture_hardware_metrics=False,
                          source_files=[], git_ref=False, flush_period=0.2) as run:
        print(run["sys/id"].fetch(), flush=True)
        for i in range(400):
            run["train/live"].append(float(i % 7), step=i)
            time.sleep(0.05)
    """
)


def test_a_running_run_updates_on_screen(ui_page, seeded):
    proc = subprocess.Popen(
        [sys.executable, "-c", LIVE_LOGGER],
        env=_env(DESPINA_DATA_DIRECTORY=str(seeded)),
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        sys_id = proc.stdout.readline().strip()
        assert sys_id, "the logging process printed no run id"
        ui_page.goto(f"#/p/live/watch/runs/{sys_id}?field=train/live")
        ui_page.by_testid("run-live-on").wait_for()
        chart = ui_page.page.locator("[data-testid=series-chart]")
        chart.wait_for()
        _loaded(ui_page, chart)
        first = int(chart.get_attribute("data-points"))
        ui_page.page.wait_for_function(
            "([el, n]) => Number(el.dataset.points) > n",
            arg=[chart.element_handle(), first],
            timeout=15_000,
        )
        ui_page.screenshot()
    finally:
        proc.terminate()
        proc.wait(30)
