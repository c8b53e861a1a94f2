"""`digitalmarket serve`: requests read by httptools on uvloop's event loop; with several workers,
connections are TCP with Nagle's algorithm off; each process runs a few requests at once
(``DM_REQUEST_THREADS``)."""

import asyncio
import dataclasses
import socket
from concurrent.futures import ThreadPoolExecutor

import anyio.to_thread
import pytest
import uvicorn
import uvloop
from fastapi.testclient import TestClient
from typer.testing import CliRunner
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from digitalmarket import cli
from digitalmarket.core.settings import load_settings
from digitalmarket.web.app import create_app
from digitalmarket.web.server import APP, OPTIONS, listening_socket


def test_the_served_platform_reads_requests_with_httptools_on_uvloop():
    """uvicorn's pure-Python parser and loop make the work around each request dearer; the served
    platform uses the C ones (both are in the lock), and not by uvicorn's silent "auto" fallback."""
    config = uvicorn.Config(APP, factory=True, **OPTIONS)
    config.load()
    assert issubclass(config.http_protocol_class, HttpToolsProtocol)
    assert config.get_loop_factory() is uvloop.new_event_loop


def test_connections_accepted_on_the_workers_socket_send_without_delay():
    """Each worker serves the supervisor's socket with a server on uvloop's loop, as uvicorn does: every
    connection it accepts must have Nagle's algorithm off, or each keep-alive answer waits ~40 ms for a
    delayed ACK."""
    config = uvicorn.Config("digitalmarket.web.app:create_app", host="127.0.0.1", port=0, workers=2, **OPTIONS)
    listener = listening_socket(config)

    async def accept_one() -> int:
        accepted = asyncio.get_running_loop().create_future()

        class Recorder(asyncio.Protocol):
            def connection_made(self, transport):
                sock = transport.get_extra_info("socket")
                accepted.set_result(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))
                transport.close()

        server = await asyncio.get_running_loop().create_server(Recorder, sock=listener)
        async with server:
            _, writer = await asyncio.open_connection(*listener.getsockname()[:2])
            try:
                return await asyncio.wait_for(accepted, 10)
            finally:
                writer.close()

    # In a thread of its own: the browser tests' Playwright keeps an event loop running in this one.
    with ThreadPoolExecutor(1) as pool:

        def run() -> int:
            with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
                return runner.run(accept_one())

        assert pool.submit(run).result(timeout=30) != 0


def test_a_server_process_runs_a_few_requests_at_once(settings, db):
    """Routes run in AnyIO's worker threads; the served app lets ``request_threads`` of them run at once
    (more only contend for the interpreter lock) and still answers more requests than that together."""
    app = create_app(dataclasses.replace(settings, request_threads=3), db)
    with TestClient(app) as client:
        assert client.portal.call(lambda: anyio.to_thread.current_default_thread_limiter().total_tokens) == 3
        with ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(lambda _: client.get("/healthz").status_code, range(16)))
    assert answers == [200] * 16


@pytest.mark.parametrize(("given", "expected"), [(None, 4), ("8", 8), (" 1 ", 1), ("64", 64)])
def test_request_threads_come_from_the_environment(monkeypatch, tmp_path, given, expected):
    monkeypatch.setenv("DM_DATA_DIR", str(tmp_path))
    if given is None:
        monkeypatch.delenv("DM_REQUEST_THREADS", raising=False)
    else:
        monkeypatch.setenv("DM_REQUEST_THREADS", given)
    assert load_settings().request_threads == expected


@pytest.mark.parametrize("given", ["0", "65", "many", "-2", "2.5"])
def test_serve_refuses_request_threads_it_cannot_use(monkeypatch, tmp_path, given):
    monkeypatch.setenv("DM_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("DM_REQUEST_THREADS", given)
    monkeypatch.setattr("digitalmarket.cli.environment.get_settings", load_settings)
    result = CliRunner().invoke(cli.app, ["serve", "--port", "0"])
    assert result.exit_code == 2
    assert f"DM_REQUEST_THREADS must be a whole number from 1 to 64, not {given!r}" in result.output
