"""One run in Chromium: zoom a chart (the buckets are fetched again), open an image of the
gallery, preview and download files (HTML only in a sandboxed frame), planted strings as
text."""

from __future__ import annotations

from conftest import PROJECT

WS, NAME = PROJECT.split("/")


def _run(page, sys_id: str, query: str = ""):
    page.goto(f"#/p/{WS}/{NAME}/runs/{sys_id}{'?' + query if query else ''}")
    page.by_testid("run-page").wait_for()


def test_zoom_a_chart_fetches_the_buckets_again(page, ids):
    asked = []
    page.page.on(
        "request", lambda r: asked.append(r.post_data or "") if r.url.endswith("/buckets") else None
    )
    _run(page, ids["baseline"], "tab=charts")
    chart = page.page.locator('[data-testid=series-chart][data-path="train/loss"]')
    chart.wait_for()
    page.page.wait_for_function(
        "(el) => el.dataset.loading === 'false' && Number(el.dataset.points) > 0",
        arg=chart.element_handle(),
    )
    before = len(asked)
    assert before >= 1
    over = chart.locator(".u-over")
    box = over.bounding_box()
    y = box["y"] + box["height"] / 2
    page.page.mouse.move(box["x"] + box["width"] * 0.2, y)
    page.page.mouse.down()
    page.page.mouse.move(box["x"] + box["width"] * 0.5, y, steps=8)

    def zoomed_request(r) -> bool:
        body = r.post_data or ""
        return r.url.endswith("/buckets") and '"x_min"' in body and '"x_min":null' not in body

    # the re-fetch may leave a moment after the mouse is released: wait for it, not for quiet
    with page.page.expect_request(zoomed_request):
        page.page.mouse.up()
    page.page.wait_for_function("(el) => el.dataset.zoomed === 'true'", arg=chart.element_handle())
    chart.get_by_test_id("chart-reset-zoom").wait_for()
    assert len(asked) > before, "zooming did not ask for the buckets of the new range"
    assert any('"x_min"' in body and '"x_min":null' not in body for body in asked[before:])
    page.screenshot()


def test_open_an_image_of_the_gallery(page, ids):
    _run(page, ids["baseline"], "field=images/samples")
    page.by_testid("gallery").wait_for()
    thumbs = page.by_testid("gallery-thumb")
    thumbs.nth(2).wait_for()
    assert thumbs.count() == 3
    thumbs.nth(1).click()
    page.page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=gallery] img')]"
        ".some((i) => i.complete && i.naturalWidth === 24)"
    )
    assert "onerror=window.__xss=1" in page.by_testid("gallery").inner_text()
    page.screenshot()
    page.assert_no_script_ran()


def test_download_a_file(page, ids):
    _run(page, ids["baseline"], "field=data/readme")
    page.by_testid("text-preview").wait_for()
    assert "<script>window.__xss=1</script>" in page.by_testid("text-preview").inner_text()
    with page.page.expect_download() as info:
        page.by_testid("file-download").click()
    download = info.value
    with open(download.path(), encoding="utf-8") as f:
        assert f.read() == "hello <script>window.__xss=1</script>\n"
    page.screenshot()
    page.assert_no_script_ran()


def test_html_is_previewed_only_in_a_sandboxed_frame(page, ids):
    _run(page, ids["baseline"], "field=data/page")
    frame = page.by_testid("html-preview")
    frame.wait_for()
    assert frame.get_attribute("sandbox") == ""
    page.page.wait_for_load_state("networkidle")
    page.screenshot()
    page.assert_no_script_ran()
    inner = frame.element_handle().content_frame()
    assert inner is not None and "report" in inner.inner_text("h1")
    assert inner.evaluate("() => window.__xss") is None


def test_csv_is_shown_as_a_table(page, ids):
    _run(page, ids["baseline"], "field=data/table")
    page.by_testid("csv-preview").wait_for()
    assert "<b>2</b>" in page.by_testid("csv-preview").inner_text()
    page.assert_no_script_ran()


def test_a_run_with_planted_strings(page, ids):
    _run(page, ids["<script>window.__xss=1</script>"])
    assert page.by_testid("run-name").inner_text().strip() == "<script>window.__xss=1</script>"
    page.by_testid("field-tree").wait_for()
    page.page.wait_for_load_state("networkidle")
    page.screenshot()
    page.assert_no_script_ran()


def test_get_url_opens_the_run_in_the_app(page, server, ids, monkeypatch):
    """A script logging to a server prints run.get_url(): the address opens that run's page."""
    import despina

    monkeypatch.setenv("DESPINA_URL", server.url)
    monkeypatch.setenv("DESPINA_API_TOKEN", server.tokens["viewer"])
    sys_id = ids["baseline"]
    run = despina.init_run(with_id=sys_id, project=PROJECT, mode="read-only")
    try:
        url = run.get_url()
    finally:
        run.stop()
    assert url == f"{server.url}/#/p/{WS}/{NAME}/runs/{sys_id}"
    page.page.goto(url)
    page.by_testid("run-page").wait_for()
    assert sys_id in page.page.inner_text("[data-testid=run-page]")
    project = despina.init_project(project=PROJECT, mode="read-only")
    try:
        assert project.get_url() == f"{server.url}/#/p/{WS}/{NAME}"
    finally:
        project.stop()
