"""Logging in (with a token, with a password; a bad token is refused), the projects page, and
changing a model version's stage."""

from __future__ import annotations

from conftest import PROJECT, VIEWER_PASSWORD

WS, NAME = PROJECT.split("/")


def _login_page(p):
    p.goto()
    p.by_testid("login-page").wait_for()


def test_login_with_a_token_then_the_projects_page_lists_the_project(anonymous_page, server):
    p = anonymous_page
    _login_page(p)
    p.screenshot("login")
    p.by_testid("login-token").fill(server.tokens["viewer"])
    p.by_testid("login-token-submit").click()
    p.by_testid("projects-page").wait_for()
    link = p.page.locator(f'[data-testid=project-link][data-project="{PROJECT}"]')
    link.wait_for()
    p.screenshot()
    link.click()
    p.by_testid("runs-page").wait_for()
    assert p.errors == []


def test_a_bad_token_is_refused_on_the_login_page(anonymous_page):
    p = anonymous_page
    _login_page(p)
    p.by_testid("login-token").fill("dsp_wrong-token")
    p.by_testid("login-token-submit").click()
    p.by_testid("login-error").wait_for()
    p.screenshot()
    assert p.page.evaluate("() => localStorage.getItem('despina.token')") is None


def test_login_with_a_password(anonymous_page):
    p = anonymous_page
    _login_page(p)
    p.by_testid("login-user").fill("viewer")
    p.by_testid("login-password").fill("not the password")
    p.by_testid("login-submit").click()
    p.by_testid("login-error").wait_for()
    p.by_testid("login-password").fill(VIEWER_PASSWORD)
    p.by_testid("login-submit").click()
    p.by_testid("projects-page").wait_for()
    token = p.page.evaluate("() => localStorage.getItem('despina.token')")
    assert token and token.startswith("dsp_")
    p.screenshot()


def test_change_a_model_stage(page, server):
    page.goto(f"#/p/{WS}/{NAME}/models")
    page.by_testid("models-page").wait_for()
    page.by_testid("model-link").first.click()
    page.by_testid("model-page").wait_for()
    select = page.page.locator('[data-testid=stage-select][data-version$="-FOREST-2"]')
    select.wait_for()
    with page.page.expect_response(lambda r: "/operations" in r.url):
        select.select_option("production")

    def stage() -> str:
        table = server.post(
            f"/api/v1/projects/{PROJECT}/tables/model_version",
            server.tokens["viewer"],
            json={"columns": ["sys/stage"]},
        ).json()
        i, s = table["columns"].index("sys/id"), table["columns"].index("sys/stage")
        return {r[i].rsplit("-", 1)[1]: r[s] for r in table["rows"]}["2"]

    assert stage() == "production"
    page.screenshot()
    with page.page.expect_response(lambda r: "/operations" in r.url):
        select.select_option("none")
    assert stage() == "none"
    assert page.by_testid("stage-error").count() == 0
    page.assert_no_script_ran()


def test_a_viewer_cannot_change_a_stage(browser, server, request):
    from conftest import _page

    gen = _page(browser, request, server.url, server.tokens["viewer"])
    p = next(gen)
    try:
        p.goto(f"#/p/{WS}/{NAME}/models")
        p.by_testid("model-link").first.click()
        select = p.page.locator('[data-testid=stage-select][data-version$="-FOREST-2"]')
        select.select_option("archived")
        p.by_testid("stage-error").wait_for()
        assert "contributor" in p.by_testid("stage-error").inner_text()
        p.screenshot()
    finally:
        gen.close()
