"""Every route of the app with its full path, however routers were included (`iter_routes`), the branch
that holds the routers of one path prefix (`PrefixRouter`), and a router passed over by the first segment of
a path none of its routes begins with (`FirstSegmentGate`).

Newer FastAPI versions keep included routers as branches instead of copying their routes into the app;
`iter_routes` walks both shapes, so the permission tests really see every route.
"""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import FastAPI
from fastapi.routing import APIRoute, APIRouter
from starlette.routing import BaseRoute, Match
from starlette.types import Scope


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


class PrefixRouter(APIRouter):
    """The routers of one path prefix (the API's ``/api/v1``), included in the app as one branch.

    FastAPI matches a request's path against every route of every included router in turn, with no short
    cut by prefix: a page's path was tried against the API's 130 routes (twice: once to choose the route,
    once to run it) before the pages'. This branch answers "not mine" for a path outside its prefix by one
    comparison; inside it, its routers match as before. The app must include it under the same prefix."""

    def __init__(self, prefix: str, **options) -> None:
        super().__init__(**options)
        self.gate = prefix.rstrip("/")

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        path = _below_root(scope)
        if path != self.gate and not path.startswith(self.gate + "/"):
            return Match.NONE, {}
        return super().matches(scope)


class FirstSegmentGate(APIRouter):
    """One router of the app, included through this gate, which answers "not mine" for a path whose first
    segment (below ``prefix``, where the gate is included) begins none of its routes: one look at the path
    instead of trying each of its routes in turn, twice a request (FastAPI matches every included router's
    routes to choose one, then again to run it). A router with a route whose first segment is a parameter
    (``/{code}``) is always tried. Its routes, their order and the OpenAPI document are unchanged."""

    def __init__(self, router: APIRouter, prefix: str = "") -> None:
        super().__init__()
        self.below = prefix.rstrip("/")  # (not ``prefix``: an APIRouter's own prefix of its routes)
        firsts: set[str] | None = set()
        for path, _ in iter_routes(router.routes):
            first = _first_segment(path)
            if "{" in first:
                firsts = None
                break
            firsts.add(first)
        self.firsts = frozenset(firsts) if firsts is not None else None
        self.include_router(router)
        self._version = super()._get_routes_version()

    def _get_routes_version(self, seen: set[int] | None = None) -> int:
        """The version of its routes as they were when it was made, as its `firsts` are. FastAPI (0.165) asks
        each included router for it at every match, twice a request, to learn whether routes were added
        since: a walk of every route below it, about 0.3 ms of each request through the app's 300 routes.
        A route added to the router afterwards is not reached (nor was it before: its first segment is not
        among `firsts`)."""
        return self._version

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if self.firsts is not None:
            path = _below_root(scope)
            if not path.startswith(self.below) or _first_segment(path[len(self.below) :]) not in self.firsts:
                return Match.NONE, {}
        return super().matches(scope)


def _below_root(scope: Scope) -> str:
    """The request's path as Starlette's routes read it: below the app's root path, when it has one."""
    path, root = scope.get("path", ""), scope.get("root_path", "")
    return path[len(root) :] if root and path.startswith(root) else path


def _first_segment(path: str) -> str:
    """``services`` of ``/services/{code}``; empty for ``/``."""
    return path.lstrip("/").split("/", 1)[0]
