"""A real server and Debian's Chromium, driven by Playwright.

The server runs as its own process (`digitalmarket serve`) on a fresh SQLite database with the demo data,
as `make run` starts it but without the two years of demo trade (`--no-trade`: it takes minutes, and every
test makes the contracts it needs through the pages); the demo is seeded once for the run and each server
starts on a copy of it. Every wait is bounded and generous (`WAIT_MS`, `EXPECT_MS`, `START_S`): on a
loaded two-core machine a page can take long to come. Without /usr/bin/chromium these tests skip, unless
DM_REQUIRE_BROWSER=1.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import skip_or_fail

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"

#: Longest wait of an action or a page load (Playwright's own default is 30 s): on a two-core machine that
#: other work also loads, a form post can take long to answer; a test that waits this long has failed anyway.
WAIT_MS = 90_000
#: Longest wait of an ``expect`` assertion (Playwright's own default is 5 s).
EXPECT_MS = 30_000


class Chromium:
    """The launched browser; each of its contexts waits up to `WAIT_MS` for an action or a page."""

    def __init__(self, browser) -> None:
        self._browser = browser

    def new_context(self, **options):
        context = self._browser.new_context(**options)
        context.set_default_timeout(WAIT_MS)
        context.set_default_navigation_timeout(WAIT_MS)
        return context

    def new_page(self, **options):
        page = self._browser.new_page(**options)
        page.set_default_timeout(WAIT_MS)
        page.set_default_navigation_timeout(WAIT_MS)
        return page

    def __getattr__(self, name):
        return getattr(self._browser, name)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


#: Longest wait for a server to answer its health check after it was started.
START_S = 120


def wait_until_up(url: str, process: subprocess.Popen, log: Path) -> None:
    """Wait for the server's health check (a loaded machine can take a while to import the app); fail
    with its log if it stopped or did not answer within `START_S`."""
    deadline = time.monotonic() + START_S
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(f"{url}/healthz", timeout=5).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    process.kill()
    process.wait(timeout=10)
    pytest.fail("the server did not start: " + log.read_text())


def _lock_root(tmp_path_factory) -> Path:
    """A folder shared by the processes of one run (pytest-xdist's workers), else the run's own."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


@pytest.fixture(scope="session")
def seeded_data(tmp_path_factory) -> Path:
    """A data folder with the demo (`migrate`, `seed-demo --no-trade`, as `make run` without the trade),
    made once for the run, even when several processes run browser tests (the first makes it under a
    lock, the others wait for it): each server of the tests starts on a copy (`copy_of_seeded`)."""
    root = _lock_root(tmp_path_factory)
    folder = root / "browser-seeded"
    with (root / "browser-seeded.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (folder / "done").exists():
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir()
            env = {**os.environ, "DM_DATA_DIR": str(folder)}
            env.pop("DM_DATABASE_URL", None)
            cli = [sys.executable, "-m", "digitalmarket.cli"]
            subprocess.run([*cli, "migrate"], env=env, check=True, capture_output=True)
            subprocess.run([*cli, "seed-demo", "--if-empty", "--no-trade"], env=env, check=True, capture_output=True)
            (folder / "done").touch()
    return folder


def copy_of_seeded(seeded: Path, into: Path) -> Path:
    """A fresh data folder ``into`` holding what `seeded_data` made."""
    shutil.copytree(seeded, into, dirs_exist_ok=True, ignore=shutil.ignore_patterns("done"))
    return into


@pytest.fixture(scope="session")
def browser_data_dir(tmp_path_factory, seeded_data) -> Path:
    """The data folder (SQLite file, uploads) of the session's server, for a second server on the same data."""
    return copy_of_seeded(seeded_data, tmp_path_factory.mktemp("browser-data"))


@pytest.fixture(scope="session")
def server_url(browser_data_dir):
    data_dir = browser_data_dir
    env = {**os.environ, "DM_DATA_DIR": str(data_dir)}
    env.pop("DM_DATABASE_URL", None)
    cli = [sys.executable, "-m", "digitalmarket.cli"]
    port = _free_port()
    log = data_dir / "server.log"
    process = subprocess.Popen(
        [*cli, "serve", "--port", str(port)], env=env, stdout=log.open("w"), stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}"
    wait_until_up(url, process, log)
    yield url
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture(scope="package")
def browser():
    """Chromium for the browser tests, closed after the last of them: Playwright's synchronous API keeps
    an event loop running in the thread while it is open, which would stop later tests of the same
    process from starting their own (``asyncio.run``)."""
    if not Path(CHROMIUM).exists():
        skip_or_fail("DM_REQUIRE_BROWSER", f"{CHROMIUM} is missing (apt-get install -y chromium fonts-nanum)")
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=EXPECT_MS)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield Chromium(browser)
        browser.close()


@pytest.fixture
def page(browser, server_url):
    context = browser.new_context(base_url=server_url, viewport={"width": 1280, "height": 900}, locale="ko-KR")
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.console_errors = errors
    yield page
    context.close()


def screenshot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
