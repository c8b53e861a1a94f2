"""Load and fault tests' tools: a real server started through the CLI on a given database (as
`make run` starts it), killed with SIGKILL and started again; API tokens for the demo accounts; and
bursts of HTTP calls released at the same moment from many threads.

Ports come from the system, or from ``DM_TEST_PORTS`` (``8231-8239``) when a range is set aside.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy import select

from digitalmarket.accounts import api_tokens
from digitalmarket.accounts.tables import User
from digitalmarket.core.database import Database

STARTUP_SECONDS = 90
REQUEST_SECONDS = 180  # a busy two-core machine may keep a request waiting for a while; never assert speed


def free_port() -> int:
    """A port nobody listens on: from ``DM_TEST_PORTS`` (``low-high``) when set, else any free one."""
    wanted = os.environ.get("DM_TEST_PORTS", "").strip()
    candidates = [0]
    if wanted:
        low, _, high = wanted.partition("-")
        candidates = list(range(int(low), int(high or low) + 1))
    for port in candidates:
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return sock.getsockname()[1]
    raise RuntimeError(f"no free port in DM_TEST_PORTS={wanted}")


class Server:
    """`digitalmarket serve` in its own process group, on the given database and data folder."""

    def __init__(self, database_url: str, data_dir: Path) -> None:
        self.database_url = database_url
        self.data_dir = data_dir
        self.process: subprocess.Popen | None = None
        self.url = ""
        self.log_path = data_dir / "server.log"
        self.starts = 0

    def env(self) -> dict[str, str]:
        env = {**os.environ, "DM_DATA_DIR": str(self.data_dir), "DM_DATABASE_URL": self.database_url}
        env.setdefault("DM_SECRET_KEY", "trust-test-secret")
        return env

    def cli(self, *args: str) -> subprocess.CompletedProcess:
        """Run a `digitalmarket` command on the same database."""
        command = [sys.executable, "-m", "digitalmarket.cli", *args]
        return subprocess.run(command, env=self.env(), capture_output=True, text=True, timeout=300)

    def start(self) -> Server:
        self.starts += 1
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        log = self.log_path.open("a")
        log.write(f"\n--- start {self.starts} on port {port} ---\n")
        log.flush()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "digitalmarket.cli", "serve", "--port", str(port)],
            env=self.env(),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                if httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError("the server did not start:\n" + self.log())

    def kill(self) -> None:
        """SIGKILL: no shutdown, no flush, no rollback; the process is simply gone."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)
        self.process = None

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()
        self.process = None

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def errors(self) -> list[str]:
        """Lines of the server's log that tell of an answer 500 or an unhandled exception."""
        markers = (" 500 ", "Traceback", "database is locked", "deadlock detected", "QueuePool limit")
        return [line for line in self.log().splitlines() if any(m in line for m in markers)]

    def client(self, token: str) -> httpx.Client:
        return httpx.Client(base_url=self.url, headers={"Authorization": f"Bearer {token}"}, timeout=REQUEST_SECONDS)


@contextmanager
def running(database_url: str, data_dir: Path) -> Iterator[Server]:
    server = Server(database_url, data_dir).start()
    try:
        yield server
    finally:
        server.stop()


def api_token(db: Database, email: str) -> str:
    """A personal API token of an account, made through the API tokens workflow."""
    with db.transaction() as session:
        user = session.scalars(select(User).where(User.email == email)).one()
        return api_tokens.create_api_token(session, user, "trust")[1]


@dataclass(frozen=True)
class Answer:
    """What one client of a burst received: the status and the JSON body (or the transport error)."""

    who: int
    status: int
    body: dict | list | None
    error: str = ""


def call(client: httpx.Client, who: int, method: str, path: str, body: dict | None = None) -> Answer:
    try:
        response = client.request(method, path, json=body)
    except httpx.HTTPError as error:
        return Answer(who, 0, None, f"{type(error).__name__}: {error}")
    try:
        data = response.json()
    except ValueError:
        data = None
    return Answer(who, response.status_code, data)


def burst(calls: list[Callable[[], Answer]]) -> list[Answer]:
    """Run every call on its own thread, all released at the same moment; answers in the calls' order."""
    barrier = threading.Barrier(len(calls))
    answers: list[Answer | None] = [None] * len(calls)

    def run(index: int) -> None:
        barrier.wait()
        answers[index] = calls[index]()

    threads = [threading.Thread(target=run, args=(i,), daemon=True) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(REQUEST_SECONDS + 30)
    return [a if a is not None else Answer(i, 0, None, "no answer") for i, a in enumerate(answers)]
