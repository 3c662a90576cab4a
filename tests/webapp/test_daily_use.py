"""Daily use of the runs table, models and project metadata (issue 18, item 4), in Chromium
over a real `despina ui`: the table downloaded as CSV equals fetch_runs_table, failed runs are
marked, a run that is logging shows up and updates without a reload, a model version has its
own page, and the project's files preview and download. Seeded into team/daily (and
team/dailylive for the live table) by real logging scripts."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import textwrap
import urllib.parse
from pathlib import Path

import pytest
from processes import python, stop_process

from conftest import _env

DAILY = "team/daily"
LIVE = "team/dailylive"
SCRIPT = "<script>window.__xss=1</script>"
FORMULA = "=cmd|' /C calc'!A0"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")  # a CSV cell starting so is defused
SEED = textwrap.dedent(
    f"""
    import despina
    from despina.types import File

    def run(name, **kw):
        return despina.init_run(project={DAILY!r}, name=name, capture_stdout=False,
                                capture_stderr=False, capture_hardware_metrics=False,
                                source_files=[], git_ref=False, **kw)

    rows = [("plain", 0.1, ["a"]), ({SCRIPT!r}, -0.25, ["b", {SCRIPT!r}]),
            ({FORMULA!r}, 1e-9, ["+x", "c"]), ('say "hi", there\\nnext line', 3.0, [])]
    for name, lr, tags in rows:
        with run(name, tags=tags) as r:
            r["params/lr"] = lr
            r["params/note"] = "@SUM(A1)" if lr > 1 else name
            for step in range(3):
                r["train/loss"].append(lr * (step + 1), step=step)
    try:
        with run("broken", tags=["failed"]) as r:
            r["params/lr"] = 0.5
            raise RuntimeError("the run fails")
    except RuntimeError:
        pass

    p = despina.init_project(project={DAILY!r})
    p["files/notes"].upload(File.from_content("project notes {SCRIPT}\\n", extension="txt"))
    p["files/table"].upload(File.from_content("a,b\\n1,2\\n", extension="csv"))
    p["about"] = "metadata"
    p.stop()

    with despina.init_model(key="DAILY", project={DAILY!r}, name="daily model") as m:
        m["params/depth"] = 3
        model_id = m["sys/id"].fetch()
    with despina.init_model_version(model=model_id, project={DAILY!r}) as v:
        v["sys/name"] = "first version " + {SCRIPT!r}
        v["metrics/acc"] = 0.75
        print(model_id, v["sys/id"].fetch())
    """
)
COLUMNS = ["sys/id", "sys/name", "params/lr", "params/note", "sys/tags", "sys/failed"]
FETCH = textwrap.dedent(
    f"""
    import json, despina
    t = despina.init_project(project={DAILY!r}, mode="read-only").fetch_runs_table(
        columns={COLUMNS!r}, sort_by="params/lr", ascending=True)
    rows = [{{c: (sorted(v) if isinstance(v, (set, frozenset, list)) else v)
              for c, v in e.to_dict().items()}} for e in t.to_rows()]
    print(json.dumps(rows, default=str))
    """
)


@pytest.fixture(scope="module")
def daily(seeded) -> dict:
    out = python(["-c", SEED], env=_env(DESPINA_DATA_DIRECTORY=str(seeded)))
    model_id, version_id = out.stdout.split()
    return {"model": model_id, "version": version_id, "store": seeded}


def _runs(ws_name: str, columns: list[str], extra: str = "") -> str:
    ws, name = ws_name.split("/")
    q = "&".join("c=" + urllib.parse.quote(c, safe="/") for c in columns)
    return f"#/p/{ws}/{name}/runs?{q}{extra}"


def test_the_runs_table_downloads_as_csv_equal_to_fetch_runs_table(ui_page, daily):
    ui_page.goto(_runs(DAILY, COLUMNS, "&sort=params/lr&asc=1"))
    ui_page.page.locator("[data-testid=grid-row][data-loaded='1']").first.wait_for()
    with ui_page.page.expect_download() as info:
        ui_page.by_testid("csv-download").click()
    download = info.value
    assert download.suggested_filename == "team-daily-runs.csv"
    text = Path(download.path()).read_bytes().decode("utf-8-sig")
    assert "\r\n" in text
    got = list(csv.reader(io.StringIO(text, newline="")))
    expected = json.loads(
        python(["-c", FETCH], env=_env(DESPINA_DATA_DIRECTORY=str(daily["store"]))).stdout
    )
    assert got[0] == COLUMNS
    assert len(got) - 1 == len(expected) == 5

    def cell(value) -> str:
        if value is None:
            return ""
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, float):
            return repr(value)
        if isinstance(value, list):
            value = ",".join(value)
        return "'" + value if value[:1] in FORMULA_START else value

    for line, row in zip(got[1:], expected, strict=True):
        for c, text_value in zip(COLUMNS, line, strict=True):
            want = row[c]
            if c == "params/lr":
                assert float(text_value) == want
            elif c == "sys/tags":
                joined = text_value[1:] if text_value.startswith("'") else text_value
                assert (text_value != joined) == (joined[:1] in FORMULA_START)
                assert (sorted(joined.split(",")) if joined else []) == sorted(want or [])
            else:
                assert text_value == cell(want), (c, text_value, want)
    names = [r[1] for r in got[1:]]
    assert "'" + FORMULA in names and SCRIPT in names and 'say "hi", there\nnext line' in names
    ui_page.assert_no_script_ran()


def test_failed_runs_are_marked_in_the_table(ui_page, daily):
    ui_page.goto(_runs(DAILY, ["sys/id", "sys/name", "sys/state"]))
    ui_page.page.locator("[data-testid=grid-row][data-loaded='1']").first.wait_for()
    states = ui_page.page.locator("[data-testid=run-state]")
    states.first.wait_for()
    seen = {}
    for i in range(states.count()):
        s = states.nth(i)
        seen[s.get_attribute("data-state")] = (
            s.inner_text(),
            s.evaluate("e => getComputedStyle(e).color"),
        )
    assert seen["failed"][0] == "failed" and seen["idle"][0] == "idle"
    assert seen["failed"][1] != seen["idle"][1]
    row = ui_page.page.locator("[data-testid=grid-row]", has_text="broken")
    assert row.locator("[data-testid=run-state]").inner_text() == "failed"
    assert ui_page.page.locator("[data-testid=run-state][data-state=failed]").count() == 1
    ui_page.screenshot()


LOGGER = textwrap.dedent(
    f"""
    import os, sys, time, despina
    stop = sys.argv[1]
    with despina.init_run(project={LIVE!r}, name="live logger", capture_stdout=False,
                          capture_stderr=False, capture_hardware_metrics=False,
                          source_files=[], git_ref=False, flush_period=0.2) as run:
        print(run["sys/id"].fetch(), flush=True)
        i = 0
        while not os.path.exists(stop) and i < 3000:
            run["train/loss"].append(1.0 / (i + 1), step=i)
            i += 1
            time.sleep(0.05)
    """
)
FIRST = textwrap.dedent(
    f"""
    import despina
    with despina.init_run(project={LIVE!r}, name="finished", capture_stdout=False,
                          capture_stderr=False, capture_hardware_metrics=False,
                          source_files=[], git_ref=False) as run:
        run["train/loss"].append(0.5, step=0)
    """
)


def test_the_runs_table_follows_a_run_while_it_logs(ui_page, seeded, tmp_path):
    python(["-c", FIRST], env=_env(DESPINA_DATA_DIRECTORY=str(seeded)))
    ui_page.goto(_runs(LIVE, ["sys/id", "sys/name", "sys/state", "train/loss"]))
    ui_page.page.locator("[data-testid=grid-row][data-loaded='1']").first.wait_for()
    assert ui_page.by_testid("runs-total").inner_text().startswith("1 run")
    ui_page.page.evaluate("() => { window.__same_page = 1; }")
    stop = tmp_path / "stop"
    proc = subprocess.Popen(
        [sys.executable, "-c", LOGGER, str(stop)],
        env=_env(DESPINA_DATA_DIRECTORY=str(seeded)),
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        sys_id = proc.stdout.readline().strip()
        assert sys_id
        # the new run comes in without a reload, running, then its loss changes on screen
        row = ui_page.page.locator("[data-testid=grid-row]", has_text="live logger")
        row.wait_for()
        ui_page.page.wait_for_function(
            "() => document.querySelector('[data-testid=runs-total]').textContent.startsWith('2 runs')"
        )
        row.locator("[data-testid=run-state][data-state=running]").wait_for()
        loss = row.locator('.grid-cell[data-path="train/loss"]')
        first = loss.inner_text()
        row.locator('.grid-cell[data-path="train/loss"] [data-testid=changed-cell]').wait_for()
        ui_page.page.wait_for_function(
            "([el, before]) => el.textContent !== before",
            arg=[loss.element_handle(), first],
        )
        assert ui_page.page.evaluate("() => window.__same_page") == 1
        ui_page.screenshot("live")
        # switched off, the table stops asking
        ui_page.by_testid("live-toggle").uncheck()
        asked = []
        ui_page.page.on(
            "request", lambda r: asked.append(r.url) if "/tables/run" in r.url else None
        )
        ui_page.page.wait_for_timeout(4500)
        assert asked == []
    finally:
        stop.write_text("stop")
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            stop_process(proc)


def test_a_model_version_has_its_own_page(ui_page, daily):
    ws, name = DAILY.split("/")
    ui_page.goto(f"#/p/{ws}/{name}/models")
    ui_page.by_testid("model-link").first.click()
    ui_page.by_testid("model-page").wait_for()
    ui_page.by_testid("model-name").wait_for()
    assert ui_page.by_testid("model-name").inner_text() == "daily model"
    link = ui_page.page.locator("[data-testid=version-link]", has_text=daily["version"])
    link.click()
    ui_page.by_testid("model-version-page").wait_for()
    assert ui_page.by_testid("version-id").inner_text() == daily["version"]
    ui_page.by_testid("version-name").wait_for()
    assert ui_page.by_testid("version-name").inner_text().strip() == "first version " + SCRIPT
    assert "metrics/acc" in ui_page.by_testid("version-fields").inner_text()
    ui_page.by_testid("version-model-link").click()
    ui_page.by_testid("model-page").wait_for()
    ui_page.assert_no_script_ran()


def test_project_metadata_files_preview_and_download(ui_page, daily):
    ws, name = DAILY.split("/")
    ui_page.goto(f"#/p/{ws}/{name}/metadata")
    files = ui_page.by_testid("project-files")
    files.wait_for()
    assert files.locator("[data-testid=file-field]").count() == 2
    files.locator(
        '[data-testid=file-field][data-path="files/notes"] [data-testid=file-field-open]'
    ).click()
    ui_page.by_testid("text-preview").wait_for()
    assert ui_page.by_testid("text-preview").inner_text().strip() == f"project notes {SCRIPT}"
    with ui_page.page.expect_download() as info:
        ui_page.by_testid("file-field-detail").locator("[data-testid=file-download]").click()
    assert Path(info.value.path()).read_text() == f"project notes {SCRIPT}\n"
    files.locator(
        '[data-testid=file-field][data-path="files/table"] [data-testid=file-field-open]'
    ).click()
    ui_page.page.locator("[data-testid=file-field-detail][data-path='files/table']").wait_for()
    assert "1" in ui_page.by_testid("file-field-detail").inner_text()
    ui_page.assert_no_script_ran()
    ui_page.screenshot()
