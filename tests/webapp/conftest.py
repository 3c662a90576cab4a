"""Fixtures of the browser tests: a store seeded by a real logging process (seed.py), a real
`despina server` (authentication on) and a real `despina ui` over it, Chromium driven by
Playwright, and screenshots of every page under test-artifacts/screenshots/ (git ignores it;
CI keeps it).

Chromium is Debian's (/usr/bin/chromium, installed by .ci/run, or $DESPINA_CHROMIUM); nothing
is ever downloaded (no `playwright install`). The web app must be built into
despina/server/webapp/ (scripts/setup.sh runs `npm run build`).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from processes import REPO, free_port, python, stop_process

from despina.server.static import default_static_dir

CHROMIUM = os.environ.get("DESPINA_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
SCREENSHOTS = REPO / "test-artifacts" / "screenshots"
PROJECT = "team/vision"
TOKEN_KEY = "despina.token"  # where frontend/src/api/client.ts keeps the token
VIEWER_PASSWORD = "viewer's long password"
TIMEOUT_MS = 15_000


def _env(**extra) -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    for name in ("DESPINA_API_TOKEN", "NEPTUNE_API_TOKEN", "DESPINA_URL", "DESPINA_PROJECT"):
        env.pop(name, None)
    env.update(extra)
    return env


@dataclass
class Server:
    url: str
    proc: subprocess.Popen
    log: Path
    tokens: dict[str, str] = field(default_factory=dict)

    def get(self, path: str, token: str | None = None, **kw) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.get(self.url + path, headers=headers, timeout=30, **kw)

    def post(self, path: str, token: str | None = None, **kw) -> httpx.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return httpx.post(self.url + path, headers=headers, timeout=30, **kw)


def _start(args: list[str], log: Path, timeout: float = 60.0) -> tuple[subprocess.Popen, str]:
    port = free_port()
    out = open(log, "wb")  # noqa: SIM115 (closed with the process)
    proc = subprocess.Popen(
        [sys.executable, "-m", "despina", *args, "--port", str(port)],
        env=_env(),
        stdout=out,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            raise AssertionError(f"{args[0]} exited: {log.read_text(errors='replace')}")
        try:
            if httpx.get(url + "/api/v1/health", timeout=1).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            stop_process(proc)
            raise AssertionError(f"{args[0]} did not start: {log.read_text(errors='replace')}")
        time.sleep(0.1)


@pytest.fixture(scope="session")
def built_app() -> Path:
    folder = default_static_dir()
    assert folder is not None, (
        "the web app is not built: run scripts/setup.sh (or `npm ci && npm run build` in "
        "frontend/) first"
    )
    return folder


@pytest.fixture(scope="session")
def seeded(tmp_path_factory) -> Path:
    """A data dir with runs, files, images, a model with versions, and hostile names."""
    folder = tmp_path_factory.mktemp("webapp") / "store"
    python([str(Path(__file__).with_name("seed.py"))], env={"DESPINA_DATA_DIRECTORY": str(folder)})
    return folder


def _cli(args: list[str], stdin: str = "") -> str:
    r = subprocess.run(
        [sys.executable, "-m", "despina", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=_env(),
        timeout=120,
    )
    assert r.returncode == 0, r.stderr
    return r.stdout


@pytest.fixture(scope="session")
def server(seeded, built_app, tmp_path_factory):
    """`despina server` with authentication on over the seeded store; users admin (first
    start), viewer (password VIEWER_PASSWORD) and contrib, with tokens."""
    log = tmp_path_factory.mktemp("server") / "server.log"
    proc, url = _start(["server", "--data-dir", str(seeded)], log)
    try:
        s = Server(url, proc, log)
        s.tokens["admin"] = (seeded / "admin-token").read_text().strip()
        d = ["--data-dir", str(seeded)]
        _cli(["user", *d, "add", "viewer", "--password"], stdin=VIEWER_PASSWORD + "\n")
        _cli(["user", *d, "add", "contrib"])
        _cli(["project", *d, "add-member", PROJECT, "viewer", "viewer"])
        _cli(["project", *d, "add-member", PROJECT, "contrib", "contributor"])
        for user in ("viewer", "contrib"):
            s.tokens[user] = _cli(["token", *d, "create", user]).splitlines()[0].strip()
        yield s
    finally:
        stop_process(proc)


@pytest.fixture(scope="module")
def ids(server) -> dict[str, str]:
    """sys/name -> sys/id of the seeded runs."""
    table = server.post(
        f"/api/v1/projects/{PROJECT}/tables/run",
        server.tokens["viewer"],
        json={"columns": ["sys/name"]},
    ).json()
    i, n = table["columns"].index("sys/id"), table["columns"].index("sys/name")
    return {row[n]: row[i] for row in table["rows"]}


@pytest.fixture(scope="session")
def ui_server(seeded, built_app, tmp_path_factory):
    """`despina ui` over the same store (no login)."""
    log = tmp_path_factory.mktemp("ui") / "ui.log"
    proc, url = _start(["ui", "--data-dir", str(seeded)], log)
    try:
        yield Server(url, proc, log)
    finally:
        stop_process(proc)


@pytest.fixture(scope="session")
def browser():
    playwright_api = pytest.importorskip(
        "playwright.sync_api", reason="pip install playwright (the test extra has it)"
    )
    assert os.path.exists(CHROMIUM), (
        f"no Chromium at {CHROMIUM}: apt-get install chromium (.ci/run does), or set "
        "DESPINA_CHROMIUM"
    )
    with playwright_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


class Page:
    """A Playwright page plus what it saw: console errors, page errors, dialogs (an XSS would
    open one, or set window.__xss)."""

    def __init__(self, page, base: str, test_name: str):
        self.page = page
        self.base = base
        self.test_name = test_name
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        page.on("pageerror", lambda e: self.errors.append(str(e)))
        page.on("dialog", self._dialog)
        page.set_default_timeout(TIMEOUT_MS)

    def _dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def goto(self, hash_: str = "") -> None:
        self.page.goto(f"{self.base}/{hash_}")

    def by_testid(self, testid: str):
        return self.page.get_by_test_id(testid)

    def screenshot(self, label: str = "") -> Path:
        """test-artifacts/screenshots/<test>[-label].png"""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", self.test_name + (f"-{label}" if label else ""))
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def assert_no_script_ran(self) -> None:
        assert self.page.evaluate("() => window.__xss") is None, "a planted script ran"
        assert not self.dialogs, f"a planted script opened a dialog: {self.dialogs}"


def _page(browser, request, base: str, token: str | None):
    context = browser.new_context(accept_downloads=True, viewport={"width": 1400, "height": 900})
    if token is not None:
        context.add_init_script(f"window.localStorage.setItem({TOKEN_KEY!r}, {token!r});")
    p = Page(context.new_page(), base, request.node.name)
    yield p
    try:
        p.screenshot("end")
    except Exception:  # a page that crashed still ends the test cleanly
        pass
    context.close()


@pytest.fixture
def anonymous_page(browser, server, request):
    """A page of the server with authentication on, and no token stored."""
    yield from _page(browser, request, server.url, None)


@pytest.fixture
def page(browser, server, request):
    """A page of the server, logged in as the contributor (token in localStorage)."""
    yield from _page(browser, request, server.url, server.tokens["contrib"])


@pytest.fixture
def ui_page(browser, ui_server, request):
    """A page of `despina ui` (no login)."""
    yield from _page(browser, request, ui_server.url, None)
