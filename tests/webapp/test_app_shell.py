"""The web app's shell in Chromium against a real `despina server` (its own project,
team/shell, seeded by a real logging script): dark mode from the browser's preference and from
the header's switch (kept across a reload), the keyboard shortcuts (`/`, j/k/Enter, `?`,
Escape, none while typing), the tab title of each page, and the favicon."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from processes import python

from conftest import _cli

PROJECT = "team/shell"
WS, NAME = PROJECT.split("/")
SEED = Path(__file__).with_name("seed_shell.py")
HOSTILE = '<img src=x onerror="window.__xss=1">'
LIGHT_BG = "rgb(255, 255, 255)"
DARK_BG = "rgb(21, 24, 30)"  # --bg of the dark theme in frontend/src/styles.css


@pytest.fixture(scope="module")
def run_ids(server, seeded) -> list[str]:
    d = ["--data-dir", str(seeded)]
    _cli(["project", *d, "create", PROJECT])
    _cli(["project", *d, "add-member", PROJECT, "contrib", "contributor"])
    env = {
        "DESPINA_URL": server.url,
        "DESPINA_API_TOKEN": server.tokens["contrib"],
        "DESPINA_PROJECT": PROJECT,
    }
    return json.loads(python([str(SEED)], env=env).stdout.strip().splitlines()[-1])


def _background(page) -> str:
    return page.page.evaluate("() => getComputedStyle(document.body).backgroundColor")


def _runs_page(page, query: str = "") -> None:
    page.goto(f"#/p/{WS}/{NAME}/runs{query}")
    page.page.locator('[data-testid=grid-row][data-loaded="1"]').nth(2).wait_for()


def _active_testid(page) -> str | None:
    return page.page.evaluate(
        "() => document.activeElement && document.activeElement.dataset.testid"
    )


def test_dark_mode_follows_the_browser(page, run_ids):
    page.page.emulate_media(color_scheme="light")
    _runs_page(page)
    assert _background(page) == LIGHT_BG
    page.page.emulate_media(color_scheme="dark")
    page.page.wait_for_function(
        f"() => getComputedStyle(document.body).backgroundColor === {DARK_BG!r}"
    )
    # the table's rows and header are dark too, not white islands
    row_bg = page.page.evaluate(
        "() => getComputedStyle(document.querySelector('[data-testid=grid-row]')).backgroundColor"
    )
    assert row_bg != LIGHT_BG
    page.screenshot("dark")


def test_theme_switch_persists_across_reload(page, run_ids):
    page.page.emulate_media(color_scheme="light")
    _runs_page(page)
    switch = page.by_testid("theme-switch")
    assert switch.input_value() == "system"
    switch.select_option("dark")
    assert _background(page) == DARK_BG
    page.page.reload()
    page.by_testid("theme-switch").wait_for()
    assert page.by_testid("theme-switch").input_value() == "dark"
    assert _background(page) == DARK_BG
    assert page.page.evaluate("() => localStorage.getItem('despina.theme')") == "dark"
    # light wins over a dark browser; system follows it again
    page.page.emulate_media(color_scheme="dark")
    page.by_testid("theme-switch").select_option("light")
    assert _background(page) == LIGHT_BG
    page.by_testid("theme-switch").select_option("system")
    assert _background(page) == DARK_BG
    assert page.page.evaluate("() => localStorage.getItem('despina.theme')") is None


def test_slash_focuses_the_query_and_j_k_move_in_the_table(page, run_ids):
    _runs_page(page)
    cursor = "[data-testid=grid-row][aria-current=true]"
    assert page.page.locator(cursor).count() == 0
    page.page.evaluate("() => document.activeElement && document.activeElement.blur()")
    page.page.keyboard.press("j")
    page.page.keyboard.press("j")
    assert page.page.locator(cursor).get_attribute("data-row") == "1"
    page.page.keyboard.press("k")
    assert page.page.locator(cursor).get_attribute("data-row") == "0"
    first_id = page.page.locator(cursor).locator("[data-testid=run-link]").text_content()
    assert first_id in run_ids

    page.page.keyboard.press("/")
    assert _active_testid(page) == "nql-input"
    assert page.by_testid("nql-input").input_value() == ""  # the "/" is not typed
    # typing j/k in the box types them and leaves the table's cursor alone
    page.page.keyboard.type("jk")
    assert page.by_testid("nql-input").input_value() == "jk"
    assert page.page.locator(cursor).get_attribute("data-row") == "0"
    page.by_testid("nql-input").fill("")

    page.page.evaluate("() => document.activeElement && document.activeElement.blur()")
    page.page.keyboard.press("Enter")
    page.by_testid("run-page").wait_for()
    assert page.page.url.endswith(f"/runs/{first_id}")


def test_question_mark_lists_the_shortcuts_and_escape_closes(page, run_ids):
    _runs_page(page)
    page.page.keyboard.press("?")
    dialog = page.by_testid("shortcuts-dialog")
    dialog.wait_for()
    text = dialog.text_content()
    for key in ("/", "j", "k", "Enter", "?", "Esc"):
        assert key in text
    assert page.by_testid("shortcut").count() == 6
    # j while the list is open does not move the table
    page.page.keyboard.press("j")
    assert page.page.locator("[data-testid=grid-row][aria-current=true]").count() == 0
    page.page.keyboard.press("Escape")
    dialog.wait_for(state="detached")
    # `?` typed in the query box is text, not the list
    page.by_testid("nql-input").click()
    page.page.keyboard.type("?")
    assert page.by_testid("shortcuts-dialog").count() == 0
    assert page.by_testid("nql-input").input_value() == "?"


def _title_is(page, title: str) -> None:
    page.page.wait_for_function("(t) => document.title === t", arg=title)


def test_tab_titles_name_the_page(page, anonymous_page, run_ids):
    _runs_page(page)
    _title_is(page, "runs · team/shell · despina")
    page.goto(f"#/p/{WS}/{NAME}/runs/{run_ids[0]}")
    _title_is(page, f"{run_ids[0]} shell-a · team/shell · despina")
    page.goto(f"#/p/{WS}/{NAME}/runs/{run_ids[2]}")
    _title_is(page, f"{run_ids[2]} {HOSTILE} · team/shell · despina")
    page.goto(f"#/p/{WS}/{NAME}/compare?runs={run_ids[0]},{run_ids[1]}")
    _title_is(page, "compare · team/shell · despina")
    page.goto(f"#/p/{WS}/{NAME}/models")
    _title_is(page, "models · team/shell · despina")
    page.goto(f"#/p/{WS}/{NAME}/notebooks")
    _title_is(page, "notebooks · team/shell · despina")
    page.goto(f"#/p/{WS}/{NAME}/metadata")
    _title_is(page, "project · team/shell · despina")
    page.goto("#/")
    _title_is(page, "projects · despina")
    page.assert_no_script_ran()
    anonymous_page.goto("#/login")
    _title_is(anonymous_page, "sign in · despina")


def test_favicon_is_served_as_an_image(page, server, run_ids):
    answer = server.get("/favicon.svg")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("image/svg+xml")
    assert answer.text.lstrip().startswith("<svg")
    _runs_page(page)
    href = page.page.evaluate("() => document.querySelector('link[rel=icon]').href")
    assert href == server.url + "/favicon.svg"
    seen = page.page.request.get(href)
    assert seen.status == 200 and seen.headers["content-type"].startswith("image/")
