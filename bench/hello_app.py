"""A bare Starlette "hello" app, served as `digitalmarket serve` serves the platform.

The HTTP throughput bench runs it next to the platform, with the same uvicorn options and worker count,
so that the ratio of the two shows what the platform's own work costs per request.

    python bench/hello_app.py --port 8001 --workers 2
"""

from __future__ import annotations

import argparse

from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route


async def hello(_request) -> PlainTextResponse:
    return PlainTextResponse("hello")


app = Starlette(routes=[Route("/", hello), Route("/healthz", hello)])


def _run(**options) -> None:
    """Serve as `digitalmarket serve` does (`digitalmarket.web.server`), or, in a checkout older than that
    module (the bench's "before" runs), as its `serve` command did: plain uvicorn.run with these options."""
    try:
        from digitalmarket.web import server
    except ImportError:
        import uvicorn

        uvicorn.run("hello_app:app", proxy_headers=True, log_level="info", **options)
        return
    server.run("hello_app:app", factory=False, **options)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    _run(host=args.host, port=args.port, workers=args.workers)


if __name__ == "__main__":
    main()
