"""A Python client generated from the app's Open API, the real app serving it on a free port, and every
answer the client received, kept to be checked against the schema.

The client is generated at test time (openapi-python-client) from ``/api/v1/openapi.json`` into a
temporary folder and imported from there, so that what is tested is what an integrator generates today.
"""

from __future__ import annotations

import importlib
import json
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from types import ModuleType

import httpx
import pytest
import uvicorn

from digitalmarket.core.database import Database
from digitalmarket.core.settings import PROJECT_ROOT, Settings
from digitalmarket.web.app import create_app
from tests.helpers import mailed_links

GENERATOR = Path(sys.executable).with_name("openapi-python-client")
PACKAGE = "dmclient"


def generate_client(spec: dict, into: Path) -> ModuleType:
    """The client package openapi-python-client makes of ``spec``, imported under `PACKAGE`."""
    path = into / "openapi.json"
    path.write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")
    done = subprocess.run(
        [str(GENERATOR), "generate", "--path", str(path), "--meta", "none", "--output-path", str(into / PACKAGE)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=into,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    skipped = [line for line in done.stdout.splitlines() if "will not be generated" in line or "Unable to" in line]
    assert not skipped, "the generator left out parts of the API:\n" + done.stdout
    sys.path.insert(0, str(into))
    for name in [n for n in sys.modules if n == PACKAGE or n.startswith(PACKAGE + ".")]:
        del sys.modules[name]
    return importlib.import_module(PACKAGE)


@dataclass
class Exchange:
    method: str
    path: str
    status: int
    body: bytes
    media_type: str


@dataclass
class Server:
    """The app served by uvicorn in a thread; every answer a client of `client_for` got is in `exchanges`."""

    base_url: str
    client_module: ModuleType
    spec: dict
    mailbox: Callable[[str], list[str]]  # the links of the e-mails sent to an address
    exchanges: list[Exchange] = field(default_factory=list)

    def _record(self, response: httpx.Response) -> None:
        response.read()
        self.exchanges.append(
            Exchange(
                response.request.method,
                response.request.url.path,
                response.status_code,
                response.content,
                response.headers.get("content-type", "").split(";")[0],
            )
        )

    def client_for(self, token: str | None = None):
        hooks = {"httpx_args": {"event_hooks": {"response": [self._record]}}, "raise_on_unexpected_status": True}
        timeout = httpx.Timeout(30.0)
        if token is None:
            return self.client_module.Client(base_url=self.base_url, timeout=timeout, **hooks)
        return self.client_module.AuthenticatedClient(base_url=self.base_url, token=token, timeout=timeout, **hooks)


class ShiftedClock:
    """The application's clock moved forward (the server runs in this process): `to` makes it read a given
    moment from then on, time passing as it does."""

    def __init__(self, monkeypatch) -> None:
        from digitalmarket.core import clock, tables

        self.offset = timedelta()
        outer = self

        class Shifted(datetime):
            @classmethod
            def now(cls, tz=None):
                return datetime.now(tz) + outer.offset

        monkeypatch.setattr(clock, "datetime", Shifted)
        monkeypatch.setattr(tables, "datetime", Shifted)

    def to(self, moment: datetime) -> None:
        wanted = moment - datetime.now(moment.tzinfo)
        self.offset = max(self.offset, wanted)  # never back


def free_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


@pytest.fixture(scope="module")
def served(sqlite_template, tmp_path_factory) -> Iterator[Server]:
    """The demo's organisations and accounts (made through the workflows) on a fresh SQLite database, the
    app serving it over HTTP on a free port, and the client generated from its Open API."""
    from digitalmarket.demo import seed_demo

    directory = tmp_path_factory.mktemp("api-client")
    shutil.copy(sqlite_template, directory / "market.sqlite3")
    db = Database(f"sqlite:///{directory / 'market.sqlite3'}")
    settings = Settings(
        data_dir=directory, database_url=db.url, secret_key="test-secret", frontend_dir=PROJECT_ROOT / "node_modules"
    )
    with db.transaction() as session:
        seed_demo(session)
    app = create_app(settings, db)
    spec = app.openapi()
    module = generate_client(spec, tmp_path_factory.mktemp("generated"))

    sock = free_socket()
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "the server did not start"
    host, port = sock.getsockname()
    yield Server(f"http://{host}:{port}", module, spec, lambda email: mailed_links(db, email))
    server.should_exit = True
    thread.join(timeout=10)
    sock.close()
    db.dispose()
