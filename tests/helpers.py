"""Small helpers the tests share: signing in through the pages, tokens through the workflow."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select
from starlette.datastructures import State

from digitalmarket.accounts import api_tokens
from digitalmarket.accounts.tables import User
from digitalmarket.core.database import Database
from digitalmarket.core.settings import PROJECT_ROOT, Settings
from digitalmarket.demo import DEMO_PASSWORD
from digitalmarket.web.app import create_app

DEMO_EMAILS = {
    "supplier": "supplier@demo.kr",
    "agency_buyer": "buyer@demo.kr",
    "operator": "operator@demo.kr",
    "reviewer": "reviewer@demo.kr",
    "contracting_officer": "officer@demo.kr",
    "admin": "admin@demo.kr",
}


#: One app per process and shape (`_shape`), pointed by `app_on` at each test's database and settings.
_APPS: dict[tuple, object] = {}


def _shape(settings: Settings) -> tuple:
    """What of the settings `create_app` builds into the app (its static folders and middleware); the rest
    every request, and the app's start-up, read from ``app.state``."""
    return settings.frontend_dir, settings.cookie_secure, tuple(settings.trusted_proxies)


def app_on(settings: Settings, db: Database):
    """An app on ``db`` and ``settings``, as ``create_app(settings, db)`` makes one. FastAPI prepares an
    app's routes (the validators of some 1,500 parameters) on its first requests, about a second of CPU per
    app; so the tests share one app per process, each pointing it at its own database and settings
    (a new ``app.state``). A test that adds a route to its app makes its own (`fresh_app`)."""
    shared = _APPS.get(_shape(settings))
    if shared is None:
        shared = _APPS[_shape(settings)] = create_app(settings, db)
    shared.state = State({"settings": settings, "db": db})  # and nothing the last test left (a rate window)
    return shared


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
        _, plain = api_tokens.create_api_token(session, user, "test")
    return {"Authorization": f"Bearer {plain}"}


def mailed_links(db: Database, email: str) -> list[str]:
    """The links of the account e-mails in the outbox for an address, oldest first."""
    from digitalmarket.core.notifications import Notification

    with db.reading() as session:
        query = select(Notification.link).where(Notification.to_email == email).order_by(Notification.id)
        return list(session.scalars(query))


def sign_up_by_api(client: TestClient, db: Database, form: dict, *, verify: bool = True) -> dict:
    """A company signs itself up through the API as a person would: the request, the code from the e-mail,
    the confirmation; with ``verify`` it then sends its evidence and the demo operator approves it (the
    ``demo`` fixture must have run). Returns the confirmation's answer (user and organisation)."""
    requested = client.post("/api/v1/signup", json=form)
    assert requested.status_code == 202, requested.text
    code = mailed_links(db, requested.json()["email"])[-1].rsplit("/", 1)[-1]
    confirmed = client.post("/api/v1/signup/confirm", json={"code": code})
    assert confirmed.status_code == 201, confirmed.text
    if verify:
        verify_company(client, db, confirmed.json()["user"]["email"])
    return confirmed.json()


#: A small PDF that passes the upload checks, for evidence documents.
EVIDENCE_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def verify_company(client: TestClient, db: Database, email: str) -> None:
    """The company of ``email`` sends its 사업자등록증명 and the demo operator approves it."""
    headers = api_token(db, email)
    representative = client.get("/api/v1/supplier/profile", headers=headers).json()["representative"]
    sent = client.post(
        "/api/v1/supplier/verification",
        data={"representative": representative},
        files={"file": ("사업자등록증명.pdf", EVIDENCE_PDF, "application/pdf")},
        headers=headers,
    )
    assert sent.status_code == 201, sent.text
    operator = api_token(db, DEMO_EMAILS["operator"])
    approved = client.post(f"/api/v1/operator/company-reviews/{sent.json()['id']}/approve", headers=operator)
    assert approved.status_code == 200, approved.text


def change_company_details(session, supplier, **values: str) -> None:
    """A change of a supplier's identity fields as the workflows make it, in the caller's transaction: the
    request with its evidence (``name``, ``representative``, ``size``, ``credit_rating``), approved by the
    demo operator (the ``demo`` fixture must have run)."""
    import hashlib
    from datetime import timedelta

    from digitalmarket.accounts import company_reviews, identity_changes
    from digitalmarket.accounts.user_accounts import actor_of
    from digitalmarket.core.clock import today_kst
    from digitalmarket.core.files import StoredFile

    today = today_kst()
    evidence = StoredFile(
        hashlib.sha256(EVIDENCE_PDF).hexdigest(), len(EVIDENCE_PDF), "pdf", "application/pdf", "증명.pdf"
    )
    documents = {}
    if values.get("name") or values.get("representative"):
        documents["registration"] = evidence
    if values.get("size") == "sme":
        documents["sme"] = evidence
    if values.get("credit_rating"):
        documents["credit"] = evidence
    change = identity_changes.IdentityChange(
        **values, sme_valid_until=today + timedelta(days=365), credit_rated_on=today
    )
    review = identity_changes.request_identity_change(session, supplier, change, documents, today)
    operator = session.scalars(select(User).where(User.email == DEMO_EMAILS["operator"])).one()
    company_reviews.approve(session, actor_of(operator), review.id)


def installation_at(directory: Path) -> tuple[Database, Settings]:
    """The database (``market.sqlite3``) and settings of an installation whose data folder is ``directory``."""
    db = Database(f"sqlite:///{directory / 'market.sqlite3'}")
    settings = Settings(
        data_dir=directory, database_url=db.url, secret_key="test-secret", frontend_dir=PROJECT_ROOT / "node_modules"
    )
    return db, settings


def copy_of(template: Path, into: Path) -> tuple[Database, Settings]:
    """An installation (database and documents) of its own on a copy of the data folder ``template``."""
    shutil.copytree(template, into, dirs_exist_ok=True)
    return installation_at(into)
