"""The authorisation matrix: every route of the app, called as anonymous and as each role.

Routes come from the app's own router, so a new route cannot be forgotten. Each cell is checked against
the rule the route declares: a caller the rule refuses gets 401/403 (or, on pages, the log-in page),
never data; a caller it admits never gets 401/403. No cell may be a 5xx.
"""

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from digitalmarket.accounts import api_tokens
from digitalmarket.accounts.tables import Organisation, User
from digitalmarket.catalog.tables import Service
from digitalmarket.demo import seed_demo_work
from digitalmarket.selection.tables import Application, CommitteeRound
from tests.helpers import EVIDENCE_PDF, api_token, page_login
from tests.web.test_routes import declared_rules

IDENTITIES = {
    "anonymous": None,
    "supplier": "supplier@demo.kr",
    "other_supplier": "supplier2@demo.kr",
    "agency_buyer": "buyer@demo.kr",
    "operator": "operator@demo.kr",
    "reviewer": "reviewer@demo.kr",
    "contracting_officer": "officer@demo.kr",
    "admin": "admin@demo.kr",
}
ROLE_OF = {"other_supplier": "supplier"}
#: The demo's organisation administrators (조직 관리자): each company's first user and each agency's buyer.
ORGANISATION_ADMINS = {"supplier", "other_supplier", "agency_buyer"}


@pytest.fixture
def backend():
    return "sqlite"


@pytest.fixture
def objects(demo, settings):
    """Ids of real objects, all belonging to the first demo supplier, to fill path parameters."""
    with demo.transaction() as session:
        seed_demo_work(session, settings.documents_dir, catalog=False)
    with demo.reading() as session:
        application = session.scalars(
            select(Application).where(Application.content["name"].as_string() == "가상 보안관제 서비스")
        ).one()
        return {
            "application_id": application.id,
            "document_id": application.documents[0].id,
            "round_id": session.scalars(select(CommitteeRound).order_by(CommitteeRound.number.desc())).first().id,
            "code": session.scalars(select(Service.code)).first(),
            "organisation_id": application.supplier_id,
            "user_id": session.scalars(select(User.id).where(User.email == "reviewer3@demo.kr")).one(),
            "contract_id": _catalog_contract(demo, application.supplier_id),
            **_quote_and_order(demo, settings, application.supplier_id),
            "invoice_id": _invoice(demo, settings, application.supplier_id),
            "sha256": "0" * 64,  # a document of the order by its hash: none has it, the rule still answers first
            "tax_invoice_id": 1,
            **_demand_and_help_desk(demo, settings, application.supplier_id),
            "ocid": _ocid(demo),
            "kind": "orders",
            "token_id": _spare_token(demo),
            "review_id": _company_review(demo, settings),
            "webhook_id": 1,
            "token": "dmr_not-a-live-link",
            "invitation_id": 1,
            "notification_id": 1,
            "step": 1,
            "locale": "en",
            "dataset": "statistics",
            "fmt": "csv",
        }


def _quote_and_order(db, settings, supplier_id: int) -> dict[str, int]:
    """A quote request of the demo buyer to a service of the first demo supplier, answered and awarded:
    the request, the quote and the order (waiting for confirmation), through the workflows."""
    from datetime import timedelta

    from digitalmarket.accounts.user_accounts import actor_of
    from digitalmarket.catalog.rules import ServiceStatus
    from digitalmarket.contracting.quotes import answering, asking, awarding
    from digitalmarket.core.clock import today_kst

    today = today_kst()
    with db.transaction() as session:
        buyer = actor_of(session.scalars(select(User).where(User.email == "buyer@demo.kr")).one())
        supplier = actor_of(session.scalars(select(User).where(User.email == "supplier@demo.kr")).one())
        service = session.scalars(
            select(Service).where(Service.supplier_id == supplier_id, Service.status == ServiceStatus.PUBLISHED)
        ).first()
        plan = service.price_plans[0]
        asked = asking.RequestIn(
            "그룹웨어 도입",
            "",
            today + timedelta(days=30),
            today + timedelta(days=7),
            [asking.ServiceAsk(service.code, [asking.LineIn(plan.id, 10, 12)])],
        )
        request = asking.create_request(session, buyer, asked)
        quote = request.quotes[0]
        answering.answer(session, supplier, quote.id, quote.version, {quote.lines[0].id: 1}, today + timedelta(days=30))
        order = awarding.award(session, buyer, request.id, quote.id, quote.version, reason="최저가 견적")
        return {"request_id": request.id, "quote_id": quote.id, "order_id": order.id, "seq": 0}


def _invoice(db, settings, supplier_id: int) -> int:
    """A negotiated order of the demo buyer in use from today, and its first month's usage reported by
    the first demo supplier, through the workflows."""
    from digitalmarket.accounts.user_accounts import actor_of
    from digitalmarket.catalog.rules import ServiceStatus
    from digitalmarket.contracting.orders import confirming, making
    from digitalmarket.contracting.tables import Order
    from digitalmarket.core.clock import today_kst
    from digitalmarket.settlement import usage
    from tests.settlement.settling import month_ended

    today = today_kst()
    with db.transaction() as session:
        buyer = actor_of(session.scalars(select(User).where(User.email == "buyer@demo.kr")).one())
        supplier = actor_of(session.scalars(select(User).where(User.email == "supplier@demo.kr")).one())
        service = session.scalars(
            select(Service).where(Service.supplier_id == supplier_id, Service.status == ServiceStatus.PUBLISHED)
        ).first()
        plan = service.price_plans[0]
        data = making.NegotiatedIn(service.code, today, [making.OrderLineIn(plan.id, 10, 12, 1)])
        order_id = making.create_negotiated(session, buyer, data).id
    # each side confirms once the contract document exists: after the order's commit
    for who in (buyer, supplier):
        with db.transaction() as session:
            order = confirming.confirm(session, who, order_id, session.get(Order, order_id).version)
    with db.transaction() as session:
        month = f"{today.year:04d}-{today.month:02d}"
        quantities = {line.position: 10 for line in order.current_lines()}
        ended = month_ended()  # a month's usage is reported once the month has ended
        return usage.report_usage(session, supplier, order.id, usage.UsageIn(month, quantities), now=ended).id


def _catalog_contract(db, supplier_id: int) -> int:
    """A catalog contract application of the first demo supplier, through the workflow."""
    from datetime import timedelta

    from digitalmarket.accounts.user_accounts import actor_of
    from digitalmarket.catalog.rules import ServiceStatus
    from digitalmarket.contracting.catalog_contracts import applying, contract_items
    from digitalmarket.core.clock import today_kst

    with db.transaction() as session:
        supplier = actor_of(session.scalars(select(User).where(User.email == "supplier@demo.kr")).one())
        service = session.scalars(
            select(Service).where(Service.supplier_id == supplier_id, Service.status == ServiceStatus.PUBLISHED)
        ).first()
        plan = service.price_plans[0]
        items = [contract_items.ItemInput(plan.id, contract_items.ceilings(service)[plan.id])]
        today = today_kst()
        return applying.apply(session, supplier, service.id, items, today, today + timedelta(days=364)).id


def _demand_and_help_desk(db, settings, supplier_id: int) -> dict[str, int]:
    """A demand notice of the demo buyer with the first demo supplier's interest, that supplier's inquiry,
    an FAQ entry and a notice with an attachment, through the workflows."""
    from datetime import timedelta

    from digitalmarket.accounts.user_accounts import actor_of
    from digitalmarket.community import notice_interests, notice_posting
    from digitalmarket.core.clock import today_kst
    from digitalmarket.core.files import DocumentStore
    from digitalmarket.helpdesk import content, inquiries
    from tests.selection.journey import PDF

    month = (today_kst().replace(day=1) + timedelta(days=32)).strftime("%Y-%m")
    with db.transaction() as session:
        people = {
            email: actor_of(session.scalars(select(User).where(User.email == email)).one())
            for email in ("buyer@demo.kr", "supplier@demo.kr", "operator@demo.kr")
        }
        service = session.scalars(select(Service).where(Service.supplier_id == supplier_id)).first()
        need = notice_posting.NoticeIn(
            "그룹웨어 도입 예정", "직원 300명", service.category_id, 1_000_000, 2_000_000, month
        )
        demand = notice_posting.post_notice(session, people["buyer@demo.kr"], need)
        notice_interests.express_interest(session, people["supplier@demo.kr"], demand.id, "관심 있습니다.")
        inquiry = inquiries.ask(session, people["supplier@demo.kr"], "문의", "other", "본문")
        operator = people["operator@demo.kr"]
        entry = content.create_faq(session, operator, "account", "질문", "답변")
        notice = content.create_notice(session, operator, "공지", "본문")
        stored = DocumentStore.of(settings).accept(PDF, "첨부.pdf")
        attachment = content.attach(session, operator, notice.id, stored)
        return {
            "demand_notice_id": demand.id,
            "inquiry_id": inquiry.id,
            "faq_id": entry.id,
            "notice_id": notice.id,
            "attachment_id": attachment.id,
        }


def _company_review(db, settings) -> int:
    """A change request of the first demo supplier's company details, waiting for the operator."""
    from digitalmarket.accounts import identity_changes
    from digitalmarket.accounts.user_accounts import actor_of
    from digitalmarket.core.clock import today_kst
    from digitalmarket.core.files import DocumentStore

    stored = DocumentStore.of(settings).accept(EVIDENCE_PDF, "사업자등록증명.pdf")
    with db.transaction() as session:
        user = session.scalars(select(User).where(User.email == "supplier@demo.kr")).one()
        change = identity_changes.IdentityChange(representative="김새대표")
        review = identity_changes.request_identity_change(
            session, actor_of(user), change, {"registration": stored}, today_kst()
        )
        return review.id


def _spare_token(db) -> int:
    """A token of a user none of the identities is, so that revoking or rotating it ends nobody's access."""
    with db.transaction() as session:
        user = session.scalars(select(User).where(User.email == "reviewer2@demo.kr")).one()
        return api_tokens.create_api_token(session, user, "spare")[0].id


def _ocid(db) -> str:
    """The ocid of a contracting process with releases: the order awarded above."""
    from digitalmarket.opendata.tables import OcdsRelease

    with db.reading() as session:
        return session.scalars(select(OcdsRelease.ocid).order_by(OcdsRelease.id)).first()


def _fill(path: str, objects: dict) -> str:
    return re.sub(r"{(\w+)}", lambda m: str(objects[m.group(1)]), path)


def test_every_route_for_every_role(app, demo, objects):
    table = declared_rules(app)
    clients = {}
    for name, email in IDENTITIES.items():
        client = TestClient(app)
        headers = {}
        if email:
            page_login(client, email)
            headers = api_token(demo, email)
        client.get("/")  # a CSRF cookie, as any browser has
        clients[name] = (client, headers)
    failures = []
    # Routes that end the caller's own session or token go last, so the others run signed in.
    ending = {
        "/logout",
        "/account/password",
        "/api/v1/tokens/{token_id}",
        "/account/tokens/{token_id}/revoke",
        "/api/v1/tokens/{token_id}/rotate",
        "/account/tokens/{token_id}/rotate",
        "/api/v1/me/password",
    }
    for (method, path), access in sorted(table.items(), key=lambda item: (item[0][1] in ending, item[0])):
        url = _fill(path, objects)
        for name, (client, headers) in clients.items():
            data = {"csrf_token": client.cookies.get("dm_csrf", "")}
            if path.startswith("/api/"):
                response = client.request(method, url, headers=headers, json={})
            elif method == "GET":
                response = client.request(method, url, follow_redirects=False)
            else:
                response = client.request(method, url, data=data, follow_redirects=False)
            status = response.status_code
            role = ROLE_OF.get(name, name)
            allowed = access.rule.anonymous or (
                name != "anonymous"
                and (access.rule.roles is None or role in access.rule.roles)
                and (not access.rule.org_admin or name in ORGANISATION_ADMINS)
            )
            refused_page = status == 303 and response.headers.get("location", "").startswith("/login")
            if status >= 500:
                failures.append(f"{method} {path} as {name}: {status}")
            elif allowed and (status in (401, 403) or refused_page):
                failures.append(f"{method} {path} as {name}: refused ({status}) though the rule admits it")
            elif not allowed and not (status in (401, 403, 404) or refused_page):
                failures.append(f"{method} {path} as {name}: {status} though the rule refuses it")
    assert failures == [], "\n".join(failures)


def test_another_suppliers_objects_are_never_shown(app, demo, objects):
    client = TestClient(app)
    page_login(client, "supplier2@demo.kr")
    headers = api_token(demo, "supplier2@demo.kr")
    for path in (
        "/supplier/applications/{application_id}",
        "/supplier/applications/{application_id}/steps/{step}",
        "/applications/{application_id}/documents/{document_id}",
        "/supplier/catalog-contracts/{contract_id}",
        "/invoices/{invoice_id}",
        "/orders/{order_id}/usage",
        "/help/inquiries/{inquiry_id}",
    ):
        assert client.get(_fill(path, objects)).status_code == 404, path
    for path in (
        "/api/v1/applications/{application_id}",
        "/api/v1/applications/{application_id}/timeline",
        "/api/v1/applications/{application_id}/documents/{document_id}",
        "/api/v1/organisations/{organisation_id}",
        "/api/v1/catalog-contracts/{contract_id}",
        "/api/v1/catalog-contracts/{contract_id}/timeline",
        "/api/v1/invoices/{invoice_id}",
        "/api/v1/orders/{order_id}/invoices",
        "/api/v1/inquiries/{inquiry_id}",
    ):
        assert client.get(_fill(path, objects), headers=headers).status_code == 404, path
    with demo.reading() as session:
        own = session.scalars(select(Organisation.id).where(Organisation.name == "클라우드나래 주식회사")).one()
    assert client.get(f"/api/v1/organisations/{own}", headers=headers).status_code == 200
