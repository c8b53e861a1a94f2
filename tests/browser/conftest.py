"""A real server and Debian's Chromium, driven by Playwright.

The server runs as its own process (`digitalmarket serve`) on a fresh SQLite database with the demo data,
as `make run` starts it but without the two years of demo trade (`--no-trade`: it takes minutes, and every
test makes the contracts it needs through the pages). Without /usr/bin/chromium these tests skip, unless
DM_REQUIRE_BROWSER=1.
"""

from __future__ import annotations

import os
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


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def browser_data_dir(tmp_path_factory) -> Path:
    """The data folder (SQLite file, uploads) of the session's server, for a second server on the same data."""
    return tmp_path_factory.mktemp("browser-data")


@pytest.fixture(scope="session")
def server_url(browser_data_dir):
    data_dir = browser_data_dir
    env = {**os.environ, "DM_DATA_DIR": str(data_dir)}
    env.pop("DM_DATABASE_URL", None)
    cli = [sys.executable, "-m", "digitalmarket.cli"]
    subprocess.run([*cli, "migrate"], env=env, check=True, capture_output=True)
    subprocess.run([*cli, "seed-demo", "--if-empty", "--no-trade"], env=env, check=True, capture_output=True)
    port = _free_port()
    log = (data_dir / "server.log").open("w")
    process = subprocess.Popen([*cli, "serve", "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.1)
    else:
        process.kill()
        pytest.fail("the server did not start: " + (data_dir / "server.log").read_text())
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
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
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
