"""Dashboards and reports in Chromium against a real `despina server` seeded by a real
logging script (seed_dashboards.py, project team/dashboards): a dashboard with each widget
type built through the page, saved, reloaded and drawn again; a widget resized by its handle;
a report frozen from it and exported as an HTML file opened from disk with no script running;
hostile names and Markdown staying text everywhere."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from processes import python

from conftest import _cli, _env

PROJECT = "team/dashboards"
WS, NAME = PROJECT.split("/")
LIST = f"#/p/{WS}/{NAME}/dashboards"
EVIL = "<script>window.__xss=1</script><img src=x onerror=window.__xss=2>"
HOSTILE_RUN = "<img src=x onerror=window.__xss=1>"
MARKDOWN = f"# Notes {EVIL}\n\n**bold** [bad](javascript:window.__xss=3)\n\n<b onmouseover=alert(1)>raw</b>"


@pytest.fixture(scope="module")
def runs(seeded, server) -> list[str]:
    """The sys/ids of the three seeded runs; the contributor is a member of the project."""
    out = python(
        [str(Path(__file__).with_name("seed_dashboards.py"))],
        env=_env(DESPINA_DATA_DIRECTORY=str(seeded)),
    )
    _cli(["project", "--data-dir", str(seeded), "add-member", PROJECT, "contrib", "contributor"])
    return out.stdout.split()


def _add(page, kind: str, title: str, **fields) -> None:
    page.by_testid("add-widget").click()
    form = page.by_testid("widget-form")
    form.wait_for()
    page.by_testid("widget-type").select_option(kind)
    page.by_testid("widget-title").fill(title)
    for testid, value in fields.items():
        el = page.by_testid(testid.replace("_", "-"))
        if el.evaluate("e => e.tagName") == "SELECT":
            el.select_option(value)
        else:
            el.fill(value)
    page.by_testid("widget-submit").click()
    form.wait_for(state="detached")


def _widget(page, kind: str):
    return page.page.locator(f"[data-testid=widget][data-type={kind}]")


def _check_drawn(page) -> None:
    """Every widget type shows what the three seeded runs hold."""
    w = page.page.locator("[data-testid=widget]")
    assert w.count() == 8
    for kind in ("line", "scatter", "parallel", "images", "table", "value", "markdown"):
        _widget(page, kind).first.locator(
            "[data-testid=widget-drawn], .markdown, svg, table"
        ).first.wait_for()
    lines = _widget(page, "line")
    plain = lines.filter(has_text="loss per run")
    assert plain.locator("[data-testid=line-trace]").count() == 3
    grouped = lines.filter(has_text="loss by optimizer")
    assert grouped.locator("[data-testid=line-trace]").count() == 2  # adam, sgd
    assert grouped.locator("[data-testid=line-band]").count() == 2
    assert _widget(page, "scatter").locator("[data-testid=scatter-point]").count() == 3
    assert _widget(page, "parallel").locator("[data-testid=parallel-line]").count() == 3
    images = _widget(page, "images").locator("[data-testid=widget-image] img")
    assert images.count() == 3
    assert images.first.get_attribute("src").startswith("data:image/png;base64,")
    table = _widget(page, "table").locator("[data-testid=widget-table]")
    assert table.locator("tbody tr").count() == 3
    assert HOSTILE_RUN in table.inner_text()  # the hostile run name is text
    assert table.locator("tbody tr").first.locator("td").nth(1).inner_text() == "0.7"  # sorted desc
    assert _widget(page, "value").get_by_test_id("widget-value").inner_text() == "0.6"  # mean acc
    md = _widget(page, "markdown").get_by_test_id("widget-markdown")
    assert md.locator("h1").inner_text() == f"Notes {EVIL}"
    assert md.locator("a, b, script").count() == 0
    assert "<b onmouseover=alert(1)>raw</b>" in md.inner_text()


def test_dashboard_every_widget_reload_resize_report_export(page, runs, tmp_path, browser):
    assert len(runs) == 3
    page.goto(LIST)
    page.by_testid("dashboards-page").wait_for()
    page.by_testid("new-dashboard-name").fill(f"sweep {EVIL}")
    page.by_testid("create-dashboard").click()
    page.by_testid("dashboard-page").wait_for()
    assert page.by_testid("dashboard-title").inner_text() == f"sweep {EVIL}"
    page.by_testid("dashboard-edit").click()

    _add(page, "line", "loss per run", widget_paths="train/loss")
    _add(
        page,
        "line",
        "loss by optimizer",
        widget_paths="train/loss",
        widget_group="params/optimizer",
    )
    _add(
        page,
        "scatter",
        f"lr vs acc {EVIL}",
        widget_x_field="params/lr",
        widget_y_field="metrics/acc",
    )
    _add(page, "parallel", "params", widget_paths="params/lr\nparams/depth\nmetrics/acc")
    _add(page, "images", "samples", widget_field="images/samples")
    _add(
        page,
        "table",
        "best runs",
        widget_paths="sys/name\nmetrics/acc",
        widget_sort="metrics/acc",
        widget_limit="10",
    )
    _add(page, "value", "mean acc", widget_field="metrics/acc", widget_aggregate="mean")
    _add(page, "markdown", EVIL, widget_text=MARKDOWN)
    # a form error is shown, not sent
    page.by_testid("add-widget").click()
    page.by_testid("widget-type").select_option("parallel")
    page.by_testid("widget-paths").fill("params/lr")
    page.by_testid("widget-submit").click()
    assert "2 to 30" in page.by_testid("widget-form-error").inner_text()
    page.by_testid("widget-cancel").click()

    page.by_testid("dashboard-save").click()
    page.by_testid("dashboard-edit").wait_for()
    assert page.by_testid("dashboard-page").get_attribute("data-version") == "2"
    url = page.page.url
    assert "/dashboards/" in url

    # reload: the same eight widgets, drawn again from the server's data
    page.page.reload()
    page.by_testid("dashboard-page").wait_for()
    _check_drawn(page)
    page.screenshot("dashboard")

    # resize the value widget by its handle: two columns wider, one row taller
    value = _widget(page, "value")
    before = [int(v) for v in value.get_attribute("data-pos").split(",")]
    page.by_testid("dashboard-edit").click()
    grid = page.by_testid("dashboard-grid").bounding_box()
    col = (grid["width"] - 11 * 8) / 12 + 8
    value.get_by_test_id("widget-resize").scroll_into_view_if_needed()
    handle = value.get_by_test_id("widget-resize").bounding_box()
    x, y = handle["x"] + handle["width"] / 2, handle["y"] + handle["height"] / 2
    page.page.mouse.move(x, y)
    page.page.mouse.down()
    page.page.mouse.move(x + col, y + 30, steps=4)
    page.page.mouse.move(x + 2 * col, y + 68, steps=4)
    page.page.mouse.up()
    after = [int(v) for v in value.get_attribute("data-pos").split(",")]
    assert after[2:] == [before[2] + 2, before[3] + 1], (before, after)
    page.by_testid("dashboard-save").click()
    page.by_testid("dashboard-edit").wait_for()
    page.page.reload()
    page.by_testid("dashboard-page").wait_for()
    assert [int(v) for v in _widget(page, "value").get_attribute("data-pos").split(",")] == after
    _check_drawn(page)

    # freeze as a report: drawn from the frozen data
    page.by_testid("freeze-report").click()
    page.by_testid("report-page").wait_for()
    assert "/reports/" in page.page.url
    assert page.page.locator("[data-testid=widget]").count() == 8
    assert _widget(page, "scatter").locator("[data-testid=scatter-point]").count() == 3
    assert _widget(page, "images").locator("[data-testid=widget-image] img").count() == 3
    page.screenshot("report")
    # reloaded, the report asks the server for the report only: no query of runs or series
    asked: list[str] = []
    page.page.on("request", lambda r: asked.append(r.url) if "/api/v1/" in r.url else None)
    page.page.reload()
    page.by_testid("report-page").wait_for()
    _widget(page, "images").locator("[data-testid=widget-image] img").first.wait_for()
    page.page.wait_for_load_state("networkidle")
    live = [
        u for u in asked if any(k in u for k in ("/tables/", "/buckets", "/containers/", "/blobs/"))
    ]
    assert live == [] and any("/reports/" in u for u in asked), asked
    assert page.by_testid("nav-dashboards").get_attribute("class") == "active"

    with page.page.expect_download() as info:
        page.by_testid("export-html").click()
    target = tmp_path / info.value.suggested_filename
    assert target.name.endswith(".html")
    info.value.save_as(target)
    html = target.read_text()
    assert "<script" not in html.lower()

    # the exported file, opened from disk in its own page
    context = browser.new_context()
    dialogs: list[str] = []
    errors: list[str] = []
    exported = context.new_page()
    exported.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    exported.on("pageerror", lambda e: errors.append(str(e)))
    exported.goto(target.as_uri())
    assert exported.locator("body > h1").inner_text().startswith(f"sweep {EVIL} · ")
    assert exported.locator("section.widget").count() == 8
    assert exported.locator("section[data-type=scatter] svg circle").count() == 3
    assert exported.locator("section[data-type=line] svg polyline").count() >= 5
    assert exported.locator("section[data-type=images] img").count() == 3
    assert exported.locator("section[data-type=table] tbody tr").count() == 3
    assert HOSTILE_RUN in exported.locator("section[data-type=table]").inner_text()
    assert exported.locator("section[data-type=value] .value").inner_text() == "0.6"
    md = exported.locator("section[data-type=markdown]")
    assert md.locator("h1").inner_text() == f"Notes {EVIL}"
    assert md.locator("a, b").count() == 0
    assert exported.evaluate("() => document.scripts.length") == 0
    assert exported.evaluate("() => window.__xss") is None
    assert not dialogs and not errors, (dialogs, errors)
    exported.screenshot(path=str(tmp_path / "exported.png"), full_page=True)
    context.close()

    page.assert_no_script_ran()
    assert not page.errors, page.errors


def test_a_stale_save_says_reload(page, runs, server):
    page.goto(LIST)
    page.by_testid("new-dashboard-name").fill("stale")
    page.by_testid("create-dashboard").click()
    page.by_testid("dashboard-page").wait_for()
    dash_id = page.page.url.rsplit("/", 1)[1]
    page.by_testid("dashboard-edit").click()
    _add(page, "markdown", "mine", widget_text="mine")
    # someone else saves meanwhile
    path = f"/api/v1/projects/{PROJECT}/dashboards/{dash_id}"
    token = server.tokens["admin"]
    body = {"name": "stale", "layout": {"columns": 12, "widgets": []}, "version": 1}

    r = httpx.put(server.url + path, json=body, headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200, r.text
    page.by_testid("dashboard-save").click()
    assert "Reload" in page.by_testid("dashboard-conflict").inner_text()
    page.by_testid("dashboard-reload").click()
    page.page.wait_for_function(
        "() => document.querySelector('[data-testid=dashboard-page]')?.dataset.version === '2'"
    )
    assert page.page.locator("[data-testid=widget]").count() == 0
    assert not page.errors, page.errors
