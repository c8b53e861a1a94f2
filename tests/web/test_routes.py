"""Every route states who may call it, so no route can be added without a permission rule."""

import re

from fastapi.routing import APIRoute
from starlette.routing import Match, Mount

from digitalmarket.accounts.access import Access
from digitalmarket.web.routes import iter_routes

# Routes FastAPI itself adds: the OpenAPI document is public by design.
FRAMEWORK_ROUTES = {"/api/v1/openapi.json"}


def _rules(dependant) -> list[Access]:
    found = [dependant.call] if isinstance(dependant.call, Access) else []
    for child in dependant.dependencies:
        found += _rules(child)
    return found


def declared_rules(app) -> dict[tuple[str, str], Access]:
    table = {}
    for path, route in iter_routes(app.router.routes):
        if isinstance(route, Mount) or path in FRAMEWORK_ROUTES:
            continue
        assert isinstance(route, APIRoute), f"{path} is not an APIRoute"
        rules = _rules(route.dependant)
        assert len(rules) == 1, f"{sorted(route.methods)} {path} declares {len(rules)} access rules"
        for method in route.methods:
            table[(method, path)] = rules[0]
    return table


def test_every_route_declares_exactly_one_rule(app):
    table = declared_rules(app)
    assert len(table) >= 40
    assert ("GET", "/api/v1/me") in table
    assert table[("GET", "/api/v1/me")].rule.name == "signed_in"
    assert table[("GET", "/admin")].rule.roles == {"admin"}


def test_api_routes_use_bearer_tokens_and_pages_use_the_session(app):
    for (method, path), access in declared_rules(app).items():
        if path.startswith("/api/v1/") and path != "/api/v1/docs":
            assert access.surface == "api", (method, path)
        else:
            assert access.surface == "page", (method, path)


def test_every_unsafe_page_route_checks_csrf(app):
    from digitalmarket.core.templating import csrf_protect

    for route in app.routes:
        if (
            isinstance(route, APIRoute)
            and not route.path.startswith("/api/")
            and route.methods & {"POST", "PUT", "DELETE"}
        ):
            calls = {d.call for d in route.dependant.dependencies}
            assert csrf_protect in calls, route.path


def test_the_prefix_branch_answers_its_own_paths_and_leaves_the_rest_to_later_routes():
    """The API's branch (`PrefixRouter`) is passed over at once for a path outside its prefix, so a page
    whose path an API route would also match (here /items) is still the page; under a root path too."""
    from fastapi import APIRouter, FastAPI
    from fastapi.testclient import TestClient

    from digitalmarket.web.routes import PrefixRouter

    inner = APIRouter()
    inner.add_api_route("/items", lambda: {"from": "api"}, methods=["GET"])
    inner.add_api_route("/{anything}", lambda anything: {"from": "api", "anything": anything}, methods=["GET"])
    branch = PrefixRouter("/api/v1")
    branch.include_router(inner)
    app = FastAPI()
    app.include_router(branch, prefix="/api/v1")
    app.add_api_route("/items", lambda: {"from": "page"}, methods=["GET"])
    app.add_api_route("/api/v1x/items", lambda: {"from": "neighbour"}, methods=["GET"])

    client = TestClient(app)
    assert client.get("/api/v1/items").json() == {"from": "api"}
    assert client.get("/api/v1/other").json() == {"from": "api", "anything": "other"}
    assert client.get("/items").json() == {"from": "page"}
    assert client.get("/api/v1x/items").json() == {"from": "neighbour"}  # a prefix is a whole segment
    assert client.get("/nothing").status_code == 404
    behind = TestClient(app, root_path="/market")
    assert behind.get("/market/api/v1/items").json() == {"from": "api"}
    assert behind.get("/market/items").json() == {"from": "page"}
    assert [path for path, _ in iter_routes(app.router.routes) if "items" in path] == [
        "/api/v1/items",
        "/items",
        "/api/v1x/items",
    ]


def test_a_gated_router_is_passed_over_for_other_first_segments_and_answers_its_own():
    """A router included through its `FirstSegmentGate` answers the paths it has (a later route with the
    same path stays later), is passed over for a path none of its routes begins with, and is always tried
    when a route begins with a parameter; under the API's prefix and a root path too."""
    from fastapi import APIRouter, FastAPI
    from fastapi.testclient import TestClient

    from digitalmarket.web.routes import FirstSegmentGate, PrefixRouter

    items = APIRouter()
    items.add_api_route("/items", lambda: {"from": "items"}, methods=["GET"])
    items.add_api_route("/items/{number}", lambda number: {"from": "items", "number": number}, methods=["GET"])
    anything = APIRouter()
    anything.add_api_route("/{word}", lambda word: {"from": "anything", "word": word}, methods=["GET"])
    branch = PrefixRouter("/api/v1")
    branch.include_router(FirstSegmentGate(items, "/api/v1"))
    branch.include_router(FirstSegmentGate(anything, "/api/v1"))
    app = FastAPI()
    app.include_router(branch, prefix="/api/v1")
    app.include_router(FirstSegmentGate(items))
    app.add_api_route("/items", lambda: {"from": "later"}, methods=["GET"])

    client = TestClient(app)
    assert client.get("/api/v1/items").json() == {"from": "items"}
    assert client.get("/api/v1/items/7").json() == {"from": "items", "number": "7"}
    assert client.get("/api/v1/other").json() == {"from": "anything", "word": "other"}
    assert client.get("/items").json() == {"from": "items"}
    assert client.get("/other").status_code == 404
    assert client.post("/items").status_code == 405  # the path is its: the method is not
    behind = TestClient(app, root_path="/market")
    assert behind.get("/market/api/v1/items/8").json() == {"from": "items", "number": "8"}
    assert behind.get("/market/items").json() == {"from": "items"}
    gate = FirstSegmentGate(items)
    assert gate.matches({"type": "http", "method": "GET", "path": "/other", "root_path": ""})[0] == Match.NONE
    assert FirstSegmentGate(anything).firsts is None  # a parameter first: always tried


def test_every_route_of_the_app_is_reached_through_its_gate(app):
    """Each route's path (parameters filled in) and method is matched by the app's router, as it was before
    the routers were gated: none is hidden by a gate that answers "not mine" for it."""
    for path, route in iter_routes(app.router.routes):
        if isinstance(route, Mount) or not isinstance(route, APIRoute):
            continue
        concrete = re.sub(r"\{[^}]+\}", "1", path)
        for method in route.methods:
            scope = {"type": "http", "method": method, "path": concrete, "root_path": "", "query_string": b""}
            matched = [r for r in app.router.routes if r.matches({**scope, "headers": []})[0] == Match.FULL]
            assert matched, f"{method} {path} is matched by no route"
