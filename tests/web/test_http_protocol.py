"""The served protocol (`web/http_protocol.py`): a request head over 64 KiB is refused with 431 before it is
kept in memory, whatever pace it arrives at; heads under the bound, bodies of any size and keep-alive
connections are served as before."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import suppress

import pytest
import uvicorn

from digitalmarket.web.http_protocol import MAX_HEAD
from digitalmarket.web.server import OPTIONS
from tests.trust.burst import free_port


async def echo(scope, receive, send):
    """Answers with the size of the body it read."""
    if scope["type"] != "http":
        return
    size, more = 0, True
    while more:
        message = await receive()
        size, more = size + len(message.get("body", b"")), message.get("more_body", False)
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"text/plain")]})
    await send({"type": "http.response.body", "body": str(size).encode()})


@pytest.fixture(scope="module")
def port() -> Iterator[int]:
    """uvicorn serving `echo` with the platform's protocol and loop, in a thread."""
    options = {key: OPTIONS[key] for key in ("http", "loop")}
    server = uvicorn.Server(uvicorn.Config(echo, host="127.0.0.1", port=free_port(), log_level="error", **options))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started
    yield server.config.port
    server.should_exit = True
    thread.join(timeout=30)


def _exchange(port: int, pieces: list[bytes], pause: float = 0.0) -> bytes:
    """Send the pieces one by one (pausing between them, so that each arrives as its own chunk) and read
    until the server closes or stops answering; stops sending once the server closed."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        with suppress(BrokenPipeError, ConnectionResetError):  # the server closed: stop sending
            for piece in pieces:
                sock.sendall(piece)
                if pause:
                    time.sleep(pause)
        answer = b""
        with suppress(ConnectionResetError, TimeoutError):  # what arrived before the close is the answer
            while chunk := sock.recv(65536):
                answer += chunk
        return answer


def _trickled_head(size: int, piece: int = 8192) -> list[bytes]:
    head = b"GET / HTTP/1.1\r\nHost: x\r\nX-Filler: " + b"a" * size + b"\r\nConnection: close\r\n\r\n"
    return [head[i : i + piece] for i in range(0, len(head), piece)]


def test_a_head_over_the_bound_is_refused_with_431_in_korean_and_english(port):
    answer = _exchange(port, _trickled_head(2 * MAX_HEAD), pause=0.005)
    status, _, rest = answer.partition(b"\r\n")
    assert status == b"HTTP/1.1 431 Request Header Fields Too Large"
    assert b"connection: close" in rest
    text = rest.partition(b"\r\n\r\n")[2].decode()
    assert "요청 머리글이 너무 큽니다" in text
    assert "Request header fields too large" in text


def test_a_head_trickled_without_end_is_cut_off_at_the_bound(port):
    """An endless header field, a piece at a time: the connection is answered and closed long before the
    client has sent a megabyte."""
    pieces = [b"GET / HTTP/1.1\r\nHost: x\r\nX-Filler: "] + [b"a" * 4096] * 256
    assert _exchange(port, pieces, pause=0.002).startswith(b"HTTP/1.1 431 ")


def test_a_head_under_the_bound_is_served(port):
    answer = _exchange(port, _trickled_head(MAX_HEAD - 1024), pause=0.005)
    assert answer.startswith(b"HTTP/1.1 200 OK")


def test_a_large_body_and_the_next_request_on_the_same_connection_are_served(port):
    """A body is not a head: 1 MiB of it, in pieces, then a second request on the kept-alive connection."""
    body = b"b" * (1024 * 1024)
    first = b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % len(body)
    second = b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
    pieces = [first] + [body[i : i + 65536] for i in range(0, len(body), 65536)] + [second]
    answer = _exchange(port, pieces, pause=0.002)
    assert answer.count(b"HTTP/1.1 200 OK") == 2
    assert str(len(body)).encode() in answer


def test_pipelined_requests_are_all_served(port):
    request = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"
    answer = _exchange(port, [request * 20 + b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"])
    assert answer.count(b"HTTP/1.1 200 OK") == 21
