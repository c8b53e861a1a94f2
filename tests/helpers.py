"""Small helpers the tests share: signing in through the pages, tokens through the workflow."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select

from digitalmarket.accounts import credentials
from digitalmarket.accounts.tables import User
from digitalmarket.core.database import Database
from digitalmarket.demo import DEMO_PASSWORD

DEMO_EMAILS = {
    "supplier": "supplier@demo.kr",
    "agency_buyer": "buyer@demo.kr",
    "operator": "operator@demo.kr",
    "reviewer": "reviewer@demo.kr",
    "contracting_officer": "officer@demo.kr",
    "admin": "admin@demo.kr",
}


def csrf_from(client: TestClient, path: str) -> str:
    """Open a page as a browser would and read the CSRF token from its form."""
    response = client.get(path)
    match = re.search(r'name="csrf_token" value="([^"]+)"', response.text)
    assert match, f"no CSRF field on {path}"
    return match.group(1)


def page_login(client: TestClient, email: str, password: str = DEMO_PASSWORD):
    token = csrf_from(client, "/login")
    return client.post(
        "/login", data={"email": email, "password": password, "csrf_token": token}, follow_redirects=False
    )


def api_token(db: Database, email: str) -> dict[str, str]:
    """Authorization headers with a fresh personal API token of that user."""
    with db.transaction() as session:
        user = session.scalars(select(User).where(User.email == email)).one()
        _, plain = credentials.create_api_token(session, user, "test")
    return {"Authorization": f"Bearer {plain}"}
