"""The web shell: home, languages, error pages, headers, static KRDS files, health check."""

import pytest


def test_health_check(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_home_is_korean_by_default_and_english_on_request(client):
    korean = client.get("/")
    assert '<html lang="ko"' in korean.text
    assert "디지털서비스 마켓" in korean.text
    switched = client.get("/lang/en?next=/", follow_redirects=False)
    assert switched.status_code == 303
    english = client.get("/")
    assert '<html lang="en"' in english.text
    assert "Digital Service Market" in english.text


def test_language_switch_never_redirects_off_site(client):
    response = client.get("/lang/en?next=//evil.example", follow_redirects=False)
    assert response.headers["location"] == "/"


@pytest.mark.parametrize("locale", ["ko", "en"])
def test_not_found_page_in_both_languages(client, locale):
    client.cookies.set("dm_lang", locale)
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert f'<html lang="{locale}"' in response.text
    assert ("페이지" in response.text) if locale == "ko" else ("does not exist" in response.text)


def test_server_error_page_says_nothing_was_saved(fresh_app, settings):
    from fastapi import Depends
    from fastapi.testclient import TestClient

    from digitalmarket.accounts.access import page_access
    from digitalmarket.accounts.permissions import PUBLIC

    app = fresh_app

    @app.get("/boom-for-test")
    def boom(_=Depends(page_access(PUBLIC))):
        raise RuntimeError("boom")

    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/boom-for-test")
    assert response.status_code == 500
    assert "저장되지 않았" in response.text


def test_security_headers_on_every_response(client):
    for path in ("/", "/api/v1/openapi.json", "/no/such/page", "/static/app/app.css"):
        headers = client.get(path).headers
        csp = headers["content-security-policy"]
        assert "frame-ancestors 'none'" in csp
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"]


def test_krds_and_htmx_are_served_from_the_installed_packages(client):
    assert client.get("/static/krds/cdn/krds.min.css").status_code == 200
    assert client.get("/static/krds/cdn/krds.min.js").status_code == 200
    assert client.get("/static/htmx/htmx.min.js").status_code == 200
    page = client.get("/")
    assert "/assets/krds.css" in page.text
    css = client.get("/assets/krds.css")
    assert css.headers["content-type"].startswith("text/css")
    assert "krds.go.kr" not in css.text  # icons come from the installed package, not the internet
    assert "/static/krds/img/component/icon/ico_angle.svg" in css.text
    assert client.get("/static/krds/img/component/icon/ico_angle.svg").status_code == 200


def test_api_docs_page(client):
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    assert "/static/swagger/swagger-ui-bundle.js" in page.text
    assert client.get("/static/swagger/swagger-ui-bundle.js").status_code == 200
    for lang, token in (("en", "token"), ("ko", "토큰")):  # the header's placeholder is text, never a tag
        client.cookies.set("dm_lang", lang)
        assert f"Authorization: Bearer &lt;{token}&gt;" in client.get("/api/v1/docs").text
    client.cookies.delete("dm_lang")


def test_an_integrator_looking_for_the_docs_at_the_root_is_sent_to_them(client):
    for asked, found in (("/docs", "/api/v1/docs"), ("/openapi.json", "/api/v1/openapi.json")):
        answer = client.get(asked, follow_redirects=False)
        assert (answer.status_code, answer.headers["location"]) == (308, found)
    assert client.get("/openapi.json").json()["info"]["title"] == "디지털서비스 마켓 API"


def test_every_link_on_the_home_page_leads_somewhere(client):
    import re

    links = set(re.findall(r'href="(/[^"#]*)"', client.get("/").text))
    assert {"/terms", "/privacy", "/login", "/signup"} <= links
    for link in links:
        assert client.get(link).status_code == 200, link


def test_pages_are_korean_even_for_an_english_browser_until_switched(client):
    page = client.get("/", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert '<html lang="ko"' in page.text
    api = client.post("/api/v1/signup", json={}, headers={"Accept-Language": "en-US"})
    assert api.json()["error"]["message"] == "Some fields need correcting."
