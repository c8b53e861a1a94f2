"""How `digitalmarket serve` runs the platform: uvicorn, in one process or several worker processes.

Requests are read by httptools' HTTP parser and the event loop is uvloop's, both in C: with uvicorn's
pure-Python defaults (h11 and asyncio's loop) the work around each request cost more (a search answered
from memory about an eighth more CPU; docs/performance.md "The HTTP parser and the event loop"). The
protocol is uvicorn's httptools one with a bound on a request's head (`http_protocol`), which h11 had and
uvicorn's httptools protocol has not.

Two more things differ from a plain ``uvicorn.run``:

- With more than one worker, uvicorn's supervisor binds the listening socket itself and hands it to the
  workers. Some uvicorn versions bind a socket that says protocol 0 rather than TCP; accepted connections
  inherit it, and asyncio only turns Nagle's algorithm off (``TCP_NODELAY``) for sockets that say TCP
  (uvicorn issue #3149). Every keep-alive response after the first then waits about 40 ms for the client's
  delayed ACK, which capped two workers at a few hundred requests a second whatever the page.
  `listening_socket` binds as uvicorn does, sets ``TCP_NODELAY`` (inherited by accepted connections on
  Linux) and marks the socket as TCP where uvicorn did not, whichever version is installed.
- The supervisor replaces a worker that does not answer its ping within ``timeout_worker_healthcheck``
  (5 s by default). Loading the Korean analyzer's model holds the interpreter lock for seconds at a time,
  longer on a busy machine, and a worker was killed in the middle of its first search; the timeout is 30 s.

With several workers (production), each worker also loads the analyzer, the search facts and the main
templates in the background as soon as it has started (`served_app`, `warmup`), so that its first searches
do not wait for them. A single process (`make run`, the browser tests) loads them on first use instead:
while the analyzer loads it holds the interpreter lock, so the pages a visitor opens in the first seconds
would get their style sheets and fonts seconds late and move under the pointer.
"""

from __future__ import annotations

import os
import socket
import sys

import uvicorn
from uvicorn.supervisors import Multiprocess

APP = "digitalmarket.web.server:served_app"
#: uvicorn options of `digitalmarket serve` besides the address and the number of workers (the HTTP
#: throughput bench serves its bare "hello" app with the same).
#: ``proxy_headers`` is off: uvicorn would believe ``X-Forwarded-For`` from 127.0.0.1 whatever the settings
#: say; the app believes it only from ``DM_TRUSTED_PROXIES`` (`web.middleware`).
OPTIONS = {
    "http": "digitalmarket.web.http_protocol:BoundedHttpToolsProtocol",
    "loop": "uvloop",
    "proxy_headers": False,
    "log_level": "info",
    "timeout_worker_healthcheck": 30,
}
STARTUP_FAILURE = 3  # uvicorn's exit code when the app could not start


WARM_UP = "DM_WARM_UP"  # set by `run` for its workers: "1" with several workers


def served_app():
    """The app as `digitalmarket serve` runs it: with several workers, warmed up in the background once
    the worker has started."""
    from .app import create_app

    return create_app(warm_up=os.environ.get(WARM_UP) == "1")


def listening_socket(config: uvicorn.Config) -> socket.socket:
    """The socket uvicorn would bind, with ``TCP_NODELAY`` and marked as TCP, so that every accepted
    connection sends without delay."""
    bound = config.bind_socket()
    if bound.family not in (socket.AF_INET, socket.AF_INET6):
        return bound
    bound.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    if bound.proto == socket.IPPROTO_TCP:
        return bound
    return socket.socket(bound.family, bound.type, socket.IPPROTO_TCP, fileno=bound.detach())


def run(app: str = APP, *, host: str, port: int, workers: int = 1, factory: bool = True, **options) -> None:
    """Serve ``app`` (an import string) until interrupted, as ``uvicorn.run`` does."""
    os.environ[WARM_UP] = "1" if workers > 1 else "0"  # inherited by the worker processes
    config = uvicorn.Config(app, host=host, port=port, workers=workers, factory=factory, **{**OPTIONS, **options})
    server = uvicorn.Server(config)
    try:
        if config.workers > 1:
            Multiprocess(config, sockets=[listening_socket(config)]).run()
            return
        server.run()
    except KeyboardInterrupt:
        pass
    if not server.started and config.workers == 1:
        sys.exit(STARTUP_FAILURE)
