"""The built app is served with its security headers, loads in Chromium without errors, keeps
a bad token out, and deep links load."""

from __future__ import annotations

import re

from conftest import PROJECT

WS, NAME = PROJECT.split("/")


def test_static_files_carry_the_csp_headers(server):
    index = server.get("/")
    assert index.status_code == 200 and '<div id="root">' in index.text
    csp = index.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert index.headers["x-content-type-options"] == "nosniff"
    assert "<script>" not in index.text.replace(" ", "")  # no inline script for CSP to allow
    scripts = re.findall(r'src="\./(assets/[^"]+\.js)"', index.text)
    assert scripts, index.text
    for src in scripts:
        asset = server.get("/" + src)
        assert asset.status_code == 200
        assert asset.headers["content-type"].startswith(
            ("text/javascript", "application/javascript")
        )
        assert "immutable" in asset.headers["cache-control"]
        assert "frame-ancestors 'none'" in asset.headers["content-security-policy"]


def test_the_app_loads_without_errors(page):
    page.goto()
    page.page.wait_for_selector("#root > *")
    page.page.wait_for_load_state("networkidle")
    assert page.errors == []
    assert page.page.title() != ""
    page.screenshot()


def test_health_says_whether_auth_is_on(server, ui_server):
    assert server.get("/api/v1/health").json()["auth"] is True
    assert ui_server.get("/api/v1/health").json()["auth"] is False


def test_a_bad_token_is_refused_and_the_app_asks_to_log_in(browser, server, request):
    from conftest import _page

    gen = _page(browser, request, server.url, "dsp_not-a-real-token")
    p = next(gen)
    try:
        assert server.get("/api/v1/projects", "dsp_not-a-real-token").status_code == 401
        p.goto(f"#/p/{WS}/{NAME}/runs")
        p.page.wait_for_function("() => window.location.hash.startsWith('#/login')")
        p.screenshot()
        assert p.errors == []
    finally:
        gen.close()


def test_a_deep_link_to_the_runs_page_loads(page, server):
    page.goto(f"#/p/{WS}/{NAME}/runs")
    page.by_testid("runs-page").wait_for()
    page.by_testid("grid-row").first.wait_for()
    assert page.page.evaluate("() => window.location.hash") == f"#/p/{WS}/{NAME}/runs"
    page.screenshot()
    page.assert_no_script_ran()


def test_a_deep_link_to_a_run_loads(page, server):
    rows = server.post(
        f"/api/v1/projects/{PROJECT}/tables/run",
        server.tokens["viewer"],
        json={"columns": ["sys/name"], "filter": '`sys/name`:string = "baseline"'},
    ).json()
    sys_id = rows["rows"][0][rows["columns"].index("sys/id")]
    page.goto(f"#/p/{WS}/{NAME}/runs/{sys_id}")
    page.by_testid("run-page").wait_for()
    page.by_testid("run-id").wait_for()
    assert sys_id in page.by_testid("run-id").inner_text()
    page.screenshot()
    page.assert_no_script_ran()


def test_despina_ui_needs_no_login(ui_page):
    ui_page.goto(f"#/p/{WS}/{NAME}/runs")
    ui_page.by_testid("runs-page").wait_for()
    ui_page.by_testid("grid-row").first.wait_for()
    assert "#/login" not in ui_page.page.url
    ui_page.screenshot()
