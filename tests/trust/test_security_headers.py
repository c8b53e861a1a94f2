"""Security headers on every response: every GET route of the app as an anonymous caller (from the app's
own router, so a new route cannot be forgotten), static files, errors; HSTS only over HTTPS."""

import re

import pytest
from fastapi import Depends
from fastapi.testclient import TestClient

from digitalmarket.core.settings import PROJECT_ROOT, Settings
from digitalmarket.web.app import create_app
from tests.web.test_routes import declared_rules

#: Values for path parameters: the objects need not exist, a 404 must carry the headers too.
SAMPLE = {"code": "SAS-2026-00001", "ocid": "ocds-abc123-ORD-2026-00001", "kind": "orders", "locale": "en"}


@pytest.fixture
def backend():
    return "sqlite"


def _fill(path: str) -> str:
    return re.sub(r"{(\w+)}", lambda m: SAMPLE.get(m.group(1), "1"), path)


def assert_secure_headers(response, where: str) -> None:
    headers = response.headers
    csp = headers.get("content-security-policy", "")
    directives = dict((part.strip().split(" ", 1) + [""])[:2] for part in csp.split(";") if part.strip())
    assert "'unsafe-inline'" not in directives.get("script-src", "'unsafe-inline'"), (where, csp)
    assert directives.get("frame-ancestors") == "'none'", (where, csp)
    assert directives.get("object-src") == "'none'", (where, csp)
    assert headers.get("x-content-type-options") == "nosniff", where
    assert headers.get("referrer-policy") == "strict-origin-when-cross-origin", where
    assert headers.get("x-frame-options") == "DENY", where


def test_every_get_route_answers_with_the_security_headers(app, client):
    paths = sorted({path for (method, path) in declared_rules(app) if method == "GET"})
    assert len(paths) > 100
    for path in paths:
        response = client.get(_fill(path), follow_redirects=False)
        assert response.status_code < 500, path
        if path == "/api/v1/docs":  # Swagger UI's own inline bootstrap: the only exception, and it says so
            assert "script-src 'self' 'unsafe-inline'" in response.headers["content-security-policy"]
            assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
            continue
        assert_secure_headers(response, path)
    assert "Strict-Transport-Security" not in client.get("/").headers  # plain HTTP: no HSTS


def test_static_files_errors_and_unsafe_methods_carry_them_too(app, client):
    for path in ("/static/app/app.css", "/static/krds/cdn/krds.min.js", "/no/such/page", "/api/v1/no/such"):
        assert_secure_headers(client.get(path), path)
    assert_secure_headers(client.post("/login", data={}), "POST /login without CSRF")
    assert_secure_headers(client.post("/api/v1/tokens", json={}), "POST /api/v1/tokens anonymous")
    assert_secure_headers(client.delete("/"), "DELETE /")


def test_an_unexpected_error_page_carries_them(fresh_app):
    from digitalmarket.accounts.access import page_access
    from digitalmarket.accounts.permissions import PUBLIC

    app = fresh_app

    @app.get("/boom-for-test")
    def boom(_=Depends(page_access(PUBLIC))):
        raise RuntimeError("boom")

    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/boom-for-test")
    assert response.status_code == 500
    assert_secure_headers(response, "500 page")


def _app(db, tmp_path, **flags):
    settings = Settings(
        data_dir=tmp_path, database_url=db.url, secret_key="t", frontend_dir=PROJECT_ROOT / "node_modules", **flags
    )
    return create_app(settings, db)


HSTS = "strict-transport-security"


def test_hsts_only_over_https(db, tmp_path):
    plain = _app(db, tmp_path)
    with TestClient(plain, base_url="http://testserver") as client:
        assert HSTS not in client.get("/").headers
        # Anyone can send X-Forwarded-Proto; without a trusted proxy it means nothing.
        assert HSTS not in client.get("/", headers={"X-Forwarded-Proto": "https"}).headers
    with TestClient(plain, base_url="https://testserver") as client:
        assert "max-age=63072000" in client.get("/").headers[HSTS]


def test_hsts_with_secure_cookies_or_a_trusted_proxy(db, tmp_path):
    with TestClient(_app(db, tmp_path, cookie_secure=True), base_url="http://testserver") as client:
        assert "includeSubDomains" in client.get("/").headers[HSTS]
        assert HSTS in client.get("/api/v1/openapi.json").headers
    with TestClient(_app(db, tmp_path, trusted_proxies=("testclient",)), base_url="http://testserver") as client:
        assert HSTS in client.get("/", headers={"X-Forwarded-Proto": "https"}).headers
        assert HSTS not in client.get("/", headers={"X-Forwarded-Proto": "http"}).headers
        assert HSTS not in client.get("/").headers
