"""Every route of the app with its full path, however routers were included.

Newer FastAPI versions keep included routers as branches instead of copying their routes into the app;
this walks both shapes, so the permission tests really see every route.
"""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import FastAPI
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute


def iter_routes(routes: list[BaseRoute], prefix: str = "") -> Iterator[tuple[str, BaseRoute]]:
    for route in routes:
        included = getattr(route, "original_router", None)
        if included is not None:
            context = getattr(route, "include_context", None)
            yield from iter_routes(included.routes, prefix + (getattr(context, "prefix", "") or ""))
        else:
            yield prefix + getattr(route, "path", ""), route


def api_routes(app: FastAPI) -> Iterator[tuple[str, APIRoute]]:
    """(full path, route) for every FastAPI route of the app (static mounts and framework routes left out)."""
    for path, route in iter_routes(app.router.routes):
        if isinstance(route, APIRoute):
            yield path, route
