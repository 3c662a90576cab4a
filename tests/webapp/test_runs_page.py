"""The runs table in Chromium: filter with NQL, sort, add a column from the field list, open a
run, select two and compare them; planted names stay text."""

from __future__ import annotations

from conftest import PROJECT

WS, NAME = PROJECT.split("/")
RUNS = f"#/p/{WS}/{NAME}/runs"


def _names(page) -> list[str]:
    """The sys/name cells of the rows, top to bottom (rows are placed by their data-row)."""
    cells = page.page.locator('[data-testid=grid-row] .grid-cell[data-path="sys/name"]')
    rows = page.page.locator("[data-testid=grid-row]")
    order = [int(rows.nth(i).get_attribute("data-row")) for i in range(rows.count())]
    texts = [cells.nth(i).inner_text().strip() for i in range(cells.count())]
    return [t for _, t in sorted(zip(order, texts, strict=True))]


def _open_runs(page):
    page.goto(RUNS)
    page.by_testid("grid-row").first.wait_for()
    page.page.wait_for_function(
        "() => document.querySelectorAll('[data-testid=grid-row]').length === 3"
    )


def test_filter_with_nql(page):
    _open_runs(page)
    box = page.by_testid("nql-input")
    box.fill("`params/lr`:float < 0.05")
    page.by_testid("nql-apply").click()
    page.page.wait_for_function(
        "() => document.querySelectorAll('[data-testid=grid-row]').length === 1"
    )
    assert _names(page) == ["wide"]
    assert "filter=" in page.page.url or "q=" in page.page.url  # the view is in the URL
    page.screenshot()
    box.fill("params/lr < <")
    page.by_testid("nql-apply").click()
    page.by_testid("nql-error").wait_for()
    page.screenshot("error")


def _wait_for_names(page, expected: list[str]) -> None:
    """Until the rows show exactly ``expected``, top to bottom (placed by their data-row)."""
    page.page.wait_for_function(
        "(expected) => { const rows = [...document.querySelectorAll('[data-testid=grid-row]')];"
        " const named = rows.map(r => [Number(r.dataset.row), (r.querySelector("
        "'.grid-cell[data-path=\"sys/name\"]') || {}).innerText]);"
        " named.sort((a, b) => a[0] - b[0]);"
        " return JSON.stringify(named.map(n => (n[1] || '').trim())) === JSON.stringify(expected); }",
        arg=expected,
    )


def test_sort_by_a_column(page):
    _open_runs(page)
    names = _names(page)
    # The store sorts strings by code point, as Python does.
    ascending = sorted(names)
    header = page.page.locator('[data-testid=column-header][data-path="sys/name"]')
    header.get_by_test_id("sort-button").click()
    page.page.wait_for_function("() => window.location.hash.includes('sort')")
    # The URL says which way the first click sorted (asc=1 when ascending); the rows follow.
    up = "asc=1" in page.page.url
    first = ascending if up else list(reversed(ascending))
    _wait_for_names(page, first)
    header.get_by_test_id("sort-button").click()
    second_expected = list(reversed(first))
    _wait_for_names(page, second_expected)
    assert _names(page) == second_expected and sorted(first) == ascending
    page.screenshot()


def test_add_a_column_from_the_field_list(page):
    _open_runs(page)
    page.by_testid("columns-button").click()
    page.by_testid("column-search").fill("eval/f1")
    option = page.page.locator('[data-testid=column-option][data-path="eval/f1"]')
    option.click()
    page.page.locator('[data-testid=column-header][data-path="eval/f1"]').wait_for()
    # the rows are fetched again with the new column: wait for its values to arrive
    page.page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=grid-row] "
        ".grid-cell[data-path=\"eval/f1\"]')].some(c => c.innerText.includes('0.7'))"
    )
    page.screenshot()
    values = sorted(page.by_testid("grid-row").nth(i).inner_text() for i in range(3))
    assert any("0.7" in v for v in values), values
    # the link reproduces the view
    url = page.page.url
    page.page.goto("about:blank")
    page.page.goto(url)
    page.page.locator('[data-testid=column-header][data-path="eval/f1"]').wait_for()


def test_open_a_run_from_the_table(page):
    _open_runs(page)
    row = page.by_testid("grid-row").filter(has_text="baseline")
    row.get_by_test_id("run-link").click()
    page.by_testid("run-page").wait_for()
    page.by_testid("run-name").wait_for()
    assert page.by_testid("run-name").inner_text().strip() == "baseline"
    page.screenshot()


def test_compare_two_runs(page):
    _open_runs(page)
    for name in ("baseline", "wide"):
        page.by_testid("grid-row").filter(has_text=name).get_by_test_id("row-select").check()
    assert "2" in page.by_testid("selected-count").inner_text()
    page.by_testid("compare-button").click()
    page.page.wait_for_function("() => window.location.hash.includes('/compare')")
    page.page.wait_for_load_state("networkidle")
    page.screenshot()
    assert page.errors == []


def test_planted_names_and_tags_are_text(page):
    _open_runs(page)
    row = page.by_testid("grid-row").filter(has_text="<script>window.__xss=1</script>")
    row.wait_for()
    assert "onerror=window.__xss=1" in row.inner_text()
    assert page.page.locator("img[src=x]").count() == 0
    page.page.wait_for_load_state("networkidle")
    page.assert_no_script_ran()
