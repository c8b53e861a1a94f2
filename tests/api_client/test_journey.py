"""The whole journey through a client generated from the Open API, as an integrator alone would make it:
a company signs up and gets its token, applies with its documents, the operator checks and sends it to
the committee, three reviewers vote, the round closes, the service is published; the supplier applies for
a catalog contract that the contracting officer signs; an agency asks a quote, awards it and both confirm
the contract; usage is reported, inspected, claimed and paid; the agency reviews the service; the
contracting process is read back as OCDS. Only the generated client talks to the server: no database,
no HTML. Every id the journey sends it read from an earlier answer; the one thing it reads elsewhere is
the sign-up code, from the e-mail the platform sent (its outbox, the test's mailbox).

A second test checks every 2xx answer the journey received against the schema the Open API declares.
"""

from __future__ import annotations

import json
import re
import time
import traceback
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock_time
from io import BytesIO

import pytest
from jsonschema import Draft202012Validator

from digitalmarket.core.clock import KST
from digitalmarket.demo import DEMO_PASSWORD
from tests.api_client.conftest import Server, ShiftedClock

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PASSWORD = "journey-pass-2026!"


@dataclass
class Walk:
    """What the journey learnt, and how far it got."""

    steps: list[str] = field(default_factory=list)
    error: str | None = None
    facts: dict = field(default_factory=dict)


def ok(response):
    """The parsed answer of a 2xx response, as the generated client's model."""
    assert 200 <= response.status_code < 300, (response.status_code, response.content[:500])
    parsed = response.parsed
    assert parsed is not None and type(parsed).__name__ != "ErrorOut", response.content[:500]
    return parsed


def next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def walk(server: Server, clock: ShiftedClock, record: Walk) -> None:  # noqa: PLR0915 (one story, step by step)
    dm = server.client_module
    api = importlib_api(dm)
    m = dm.models
    anonymous = server.client_for()

    def step(name: str) -> None:
        record.steps.append(name)

    def token(email: str, password: str = DEMO_PASSWORD):
        made = ok(
            api.tokens.post_tokens.sync_detailed(
                client=anonymous,
                body=m.TokenIn.from_dict(
                    {"name": "journey", "email": email, "password": password, "expires_in_days": 365}
                ),
            )
        )
        return server.client_for(made.token)

    # --- the code lists an integrator reads first --------------------------------------------------------------
    step("code lists")
    categories = ok(api.catalog.get_categories.sync_detailed(client=anonymous))
    saas = next(c for c in categories if c.type_ == "SaaS")
    lists = ok(api.catalog.get_code_lists.sync_detailed(client=anonymous))
    assert "SaaS" in [t.code for t in lists.service_types] and "monthly" in [b.code for b in lists.billings]

    # --- a company signs up and gets its first token -------------------------------------------------------
    step("sign-up")
    requested = ok(
        api.accounts.post_signup.sync_detailed(
            client=anonymous,
            body=m.SignUpIn.from_dict(
                {
                    "business_number": "105-87-65430",
                    "company_name": "(주)여정클라우드",
                    "representative": "정여정",
                    "size": "sme",
                    "name": "정여정",
                    "email": "journey@yeojung.kr",
                    "password": PASSWORD,
                    "credit_rating": "BBB",
                    "contact_phone": "02-555-0101",
                    "address": "서울특별시 가상구 여정로 1",
                }
            ),
        )
    )
    code = server.mailbox(requested.email)[-1].rsplit("/", 1)[-1]
    signed_up = ok(api.accounts.post_signup_confirm.sync_detailed(client=anonymous, body=m.SignUpConfirmIn(code=code)))
    assert signed_up.organisation.name == "(주)여정클라우드"
    supplier = token("journey@yeojung.kr", PASSWORD)
    me = ok(api.accounts.get_me.sync_detailed(client=supplier))
    assert me.role == "supplier" and me.organisation.id == signed_up.organisation.id

    step("company verification")
    evidence = m.BodyPostSupplierVerification(
        representative="정여정",
        file=dm.types.File(payload=BytesIO(PDF), file_name="사업자등록증명.pdf", mime_type="application/pdf"),
    )
    review = ok(api.accounts.post_supplier_verification.sync_detailed(client=supplier, body=evidence))
    operator = token("operator@demo.kr")
    ok(api.accounts.post_operator_company_reviews_review_id_approve.sync_detailed(review.id, client=operator))

    # --- the application and its documents -------------------------------------------------------------------
    step("application")
    content = {
        "type": "SaaS",
        "category_id": saas.id,
        "name": "여정 협업 클라우드",
        "summary": "공공기관용 메일·일정·게시판 협업 도구",
        "description": "공공기관 업무에 맞춘 협업 서비스입니다.",
        "features": ["메일", "일정", "게시판"],
        "keywords": ["협업", "그룹웨어"],
        "deployment": "public",
        "sla_availability": "99.9",
        "support_hours": "평일 09:00-18:00, 장애 24시간",
        "data_return_policy": "해지 후 30일 안에 데이터를 반환하고 파기 확인서를 드립니다.",
        "csap_grade": "하",
        "csap_certificate_number": "CSAP-SaaS-2026-0101",
        "csap_valid_until": (date.today() + timedelta(days=700)).isoformat(),
        "csap_underlying_iaas": "가상 클라우드",
        "price_plans": [
            {"name": "Standard", "billing": "monthly", "unit": "사용자/월", "unit_price": 12000, "vat_included": False}
        ],
    }
    application = ok(
        api.selection.post_applications.sync_detailed(client=supplier, body=m.ServiceContentIn.from_dict(content))
    )
    assert application.state == "draft"
    kinds = ok(api.selection.get_selection_code_lists.sync_detailed(client=anonymous))
    required = [k.code for k in kinds.document_kinds if "SaaS" in k.required_for]
    assert required, "the code lists name the documents a SaaS application needs"
    for kind in required:
        upload = m.BodyPostApplicationsApplicationIdDocuments(
            kind=m.DocumentKind(kind),
            file=dm.types.File(payload=BytesIO(PDF), file_name=f"{kind}.pdf", mime_type="application/pdf"),
        )
        document = ok(
            api.selection.post_applications_application_id_documents.sync_detailed(
                application.id, client=supplier, body=upload
            )
        )
        assert document.sha256 and document.kind == kind
    application = ok(api.selection.get_applications_application_id.sync_detailed(application.id, client=supplier))
    application = ok(
        api.selection.post_applications_application_id_submit.sync_detailed(
            application.id, client=supplier, body=m.SubmitIn(version=application.version)
        )
    )
    assert application.state == "submitted"

    # --- the operator's checks and the expert review ---------------------------------------------------------
    step("document check")
    waiting = ok(api.selection.get_applications.sync_detailed(client=operator, state="submitted"))
    assert application.id in [a.id for a in waiting.items]
    for move in ("start_check", "accept", "start_expert_review"):
        call = getattr(api.selection, f"post_applications_application_id_{move}")
        application = ok(
            call.sync_detailed(
                application.id, client=operator, body=m.ApplicationVersionIn(version=application.version)
            )
        )
    criteria = [c.code for c in kinds.criteria]
    application = ok(
        api.selection.put_applications_application_id_expert_opinions.sync_detailed(
            application.id,
            client=operator,
            body=m.OpinionsIn.from_dict(
                {"version": application.version, "opinions": {c: {"passes": True, "comment": "적합"} for c in criteria}}
            ),
        )
    )
    application = ok(
        api.selection.post_applications_application_id_send_to_committee.sync_detailed(
            application.id, client=operator, body=m.ApplicationVersionIn(version=application.version)
        )
    )
    assert application.state == "committee"

    # --- the committee ---------------------------------------------------------------------------------------
    step("committee")
    reviewers = [token(email) for email in ("reviewer@demo.kr", "reviewer2@demo.kr", "reviewer3@demo.kr")]
    member_ids = [ok(api.accounts.get_me.sync_detailed(client=r)).user.id for r in reviewers]
    month = application.committee_month
    rounds = ok(api.selection.get_rounds.sync_detailed(client=operator))
    number = max([r.number for r in rounds.items], default=0) + 1
    round_ = ok(
        api.selection.post_rounds.sync_detailed(
            client=operator,
            body=m.RoundIn.from_dict(
                {"number": number, "month": month, "meeting_date": f"{month}-20", "member_ids": member_ids}
            ),
        )
    )
    assert application.id in round_.application_ids
    # before declaring no relation a reviewer is told nothing of the application (404, as if it did not
    # exist); the operator, whose role never votes, is refused outright (403): docs/api.md, "403 or 404"
    hidden = api.selection.get_rounds_round_id_applications_application_id.sync_detailed(
        round_.id, application.id, client=reviewers[0]
    )
    assert hidden.status_code == 404
    not_a_voter = api.selection.put_rounds_round_id_applications_application_id_votes.sync_detailed(
        round_.id,
        application.id,
        client=operator,
        body=m.BallotIn.from_dict({"votes": {c: {"passes": True} for c in criteria}}),
    )
    assert not_a_voter.status_code == 403
    for reviewer in reviewers:
        declared = api.selection.put_rounds_round_id_applications_application_id_declaration.sync_detailed(
            round_.id, application.id, client=reviewer, body=m.DeclarationIn(has_relation=False)
        )
        assert declared.status_code == 204
        ok(
            api.selection.get_rounds_round_id_applications_application_id.sync_detailed(
                round_.id, application.id, client=reviewer
            )
        )
        ok(
            api.selection.put_rounds_round_id_applications_application_id_votes.sync_detailed(
                round_.id,
                application.id,
                client=reviewer,
                body=m.BallotIn.from_dict({"votes": {c: {"passes": True} for c in criteria}}),
            )
        )
    meeting = date.fromisoformat(round_.meeting_date.isoformat())
    clock.to(datetime.combine(meeting, clock_time(17), KST))
    closed = ok(
        api.selection.post_rounds_round_id_close.sync_detailed(
            round_.id, client=operator, body=m.ApplicationVersionIn(version=round_.version)
        )
    )
    assert closed.closed

    # --- publication -----------------------------------------------------------------------------------------
    step("publication")
    clock.to(datetime.combine(meeting + timedelta(days=1), clock_time(10), KST))
    application = ok(api.selection.get_applications_application_id.sync_detailed(application.id, client=operator))
    assert application.state == "selected"
    application = ok(
        api.selection.post_applications_application_id_publish.sync_detailed(
            application.id, client=operator, body=m.ApplicationVersionIn(version=application.version)
        )
    )
    assert application.state == "published" and application.service_code.startswith("SAS-")
    service = ok(api.catalog.get_services_code.sync_detailed(application.service_code, client=anonymous))
    assert service.id == application.service_id
    standard = next(p for p in service.price_plans if p.name == "Standard")

    # --- the catalog contract with the Public Procurement Service ------------------------------------------
    step("catalog contract")
    today = meeting + timedelta(days=1)
    contract = ok(
        api.catalog_contracts.post_catalog_contracts.sync_detailed(
            client=supplier,
            body=m.ApplyIn.from_dict(
                {
                    "service_id": service.id,
                    "period_start": today.isoformat(),
                    "period_end": (today + timedelta(days=364)).isoformat(),
                    "items": [{"price_plan_id": standard.id, "unit_price": 11000}],
                }
            ),
        )
    )
    officer = token("officer@demo.kr")
    contract = ok(
        api.catalog_contracts.post_catalog_contracts_contract_id_start_review.sync_detailed(
            contract.id, client=officer, body=m.CatalogContractVersionIn(version=contract.version)
        )
    )
    contract = ok(
        api.catalog_contracts.post_catalog_contracts_contract_id_contract.sync_detailed(
            contract.id, client=officer, body=m.ProposalIn.from_dict({"version": contract.version})
        )
    )
    assert contract.state == "contracted" and contract.ocid.endswith(contract.number)

    # --- a quote, its award and the contract both sides confirm ------------------------------------------------
    step("quote")
    buyer = token("buyer@demo.kr")
    asked = ok(
        api.quotes.post_quote_requests.sync_detailed(
            client=buyer,
            body=m.RequestIn.from_dict(
                {
                    "title": "협업 도구 도입",
                    "requirements": "GPKI 연동",
                    "desired_start": (today + timedelta(days=20)).isoformat(),
                    "deadline": (today + timedelta(days=7)).isoformat(),
                    "services": [
                        {
                            "code": service.code,
                            "lines": [{"price_plan_id": standard.id, "quantity": 50, "months": 6}],
                        }
                    ],
                }
            ),
        )
    )
    quotes = ok(api.quotes.get_quotes.sync_detailed(client=supplier))
    quote = next(q for q in quotes.items if q.request_id == asked.id)
    quote = ok(
        api.quotes.put_quotes_quote_id.sync_detailed(
            quote.id,
            client=supplier,
            body=m.QuoteAnswerIn.from_dict(
                {
                    "version": quote.version,
                    "lines": [{"line_id": quote.lines[0].id, "unit_price": 10000}],
                    "valid_until": (today + timedelta(days=30)).isoformat(),
                    "note": "공공기관 할인",
                }
            ),
        )
    )
    assert quote.supply_amount == 10000 * 50 * 6

    step("award")
    order = ok(
        api.quotes.post_quote_requests_request_id_award.sync_detailed(
            asked.id,
            client=buyer,
            body=m.AwardIn.from_dict({"quote_id": quote.id, "version": quote.version, "reason": "최저가 견적"}),
        )
    )
    assert order.state == "draft" and order.quote_id == quote.id
    assert order.decision_record == f"/api/v1/orders/{order.id}/decision-record"
    decision = ok(api.orders.get_orders_order_id_decision_record.sync_detailed(order.id, client=buyer))
    assert decision.to_dict()  # the award's decision record: the quotes compared and the reason

    step("confirmations")  # on the first day of the contract, which is then in use at once
    clock.to(datetime.combine(order.start_date, clock_time(9), KST))
    deadline = time.monotonic() + 30
    while order.versions[0].document_status != "ready" and time.monotonic() < deadline:
        time.sleep(0.2)
        order = ok(api.orders.get_orders_order_id.sync_detailed(order.id, client=buyer))
    assert order.versions[0].document_status == "ready"
    order = ok(
        api.orders.post_orders_order_id_confirm.sync_detailed(
            order.id, client=buyer, body=m.OrderVersionIn(version=order.version)
        )
    )
    order = ok(
        api.orders.post_orders_order_id_confirm.sync_detailed(
            order.id, client=supplier, body=m.OrderVersionIn(version=order.version)
        )
    )
    assert order.state == "active"
    record.facts["ocid"] = order.ocid
    seen, cursor = [], dm.types.UNSET  # the buyer's orders, one a page, as far as next_cursor leads
    while True:
        listed = ok(
            api.orders.get_orders.sync_detailed(client=buyer, limit=1, cursor=cursor, state=m.OrderState.ACTIVE)
        )
        seen += [o.id for o in listed.items]
        if not listed.next_cursor:
            break
        cursor = listed.next_cursor
    assert order.id in seen and len(seen) == len(set(seen))

    # --- usage, inspection, payment ------------------------------------------------------------------------
    step("usage")
    start = order.start_date
    usage_month = f"{start.year:04d}-{start.month:02d}"
    later = max(next_month(start), start + timedelta(days=31)) + timedelta(days=1)
    clock.to(datetime.combine(later, clock_time(10), KST))
    invoice = ok(
        api.settlement.post_orders_order_id_invoices.sync_detailed(
            order.id,
            client=supplier,
            body=m.UsageIn.from_dict({"month": usage_month, "lines": [{"position": 0, "quantity": 45}]}),
        )
    )
    assert invoice.state == "reported"
    step("inspection")
    invoice = ok(
        api.settlement.post_invoices_invoice_id_accept.sync_detailed(
            invoice.id, client=buyer, body=m.SettlementVersionIn(version=invoice.version)
        )
    )
    step("payment")
    invoice = ok(
        api.settlement.post_invoices_invoice_id_claim.sync_detailed(
            invoice.id, client=supplier, body=m.SettlementVersionIn(version=invoice.version)
        )
    )
    invoice = ok(
        api.settlement.post_invoices_invoice_id_pay.sync_detailed(
            invoice.id,
            client=buyer,
            body=m.PaymentIn.from_dict({"version": invoice.version, "paid_on": later.isoformat()}),
        )
    )
    assert invoice.state == "paid"
    invoices = ok(api.settlement.get_invoices.sync_detailed(client=buyer))
    assert invoice.id in [i.id for i in invoices.items]

    # --- the review ------------------------------------------------------------------------------------------
    step("review")
    review = ok(
        api.settlement.put_orders_order_id_review.sync_detailed(
            order.id, client=buyer, body=m.ServiceReviewIn.from_dict({"rating": 5, "comment": "도입이 쉬웠습니다."})
        )
    )
    assert review.rating == 5
    reviews = ok(api.settlement.get_services_code_reviews.sync_detailed(service.code, client=anonymous))
    assert "도입이 쉬웠습니다." in json.dumps(reviews.to_dict(), ensure_ascii=False)

    # --- the workspace: what waits, what is recommended ---------------------------------------------------
    step("workspace")
    ok(api.workspace.get_me_tasks.sync_detailed(client=buyer))
    ok(api.workspace.get_me_recommendations.sync_detailed(client=buyer))

    # --- open data -------------------------------------------------------------------------------------------
    step("OCDS")
    deadline = time.monotonic() + 30
    while True:
        answer = api.open_data.get_ocds_releases_ocid.sync_detailed(order.ocid, client=anonymous)
        tags = [tag for release in json.loads(answer.content).get("releases", []) for tag in release["tag"]]
        if answer.status_code == 200 and "implementation" in tags or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    package = ok(answer)
    assert package.version == "1.1" and all(r.ocid == order.ocid for r in package.releases)
    assert {"award", "contract", "implementation"} <= set(tags)
    records = ok(api.open_data.get_ocds_records_ocid.sync_detailed(order.ocid, client=anonymous))
    assert records.records[0].ocid == order.ocid
    framework = ok(api.open_data.get_ocds_records_ocid.sync_detailed(contract.ocid, client=anonymous))
    assert framework.records[0].ocid == contract.ocid
    step("done")


def importlib_api(dm):
    """The generated client's API modules by tag (``api.selection.post_applications`` ...)."""
    import importlib
    import pkgutil
    from types import SimpleNamespace

    tags = {}
    for tag in pkgutil.iter_modules(importlib.import_module(f"{dm.__name__}.api").__path__):
        package = importlib.import_module(f"{dm.__name__}.api.{tag.name}")
        operations = {
            op.name: importlib.import_module(f"{package.__name__}.{op.name}")
            for op in pkgutil.iter_modules(package.__path__)
        }
        tags[tag.name] = SimpleNamespace(**operations)
    return SimpleNamespace(**tags)


@pytest.fixture(scope="module")
def journey(served) -> Walk:
    record = Walk()
    with pytest.MonkeyPatch.context() as patch:
        try:
            walk(served, ShiftedClock(patch), record)
        except Exception:  # the first test reports it with the step it stopped at
            record.error = traceback.format_exc()
    return record


def test_the_whole_journey_through_the_generated_client(journey):
    assert journey.error is None, f"stopped at {journey.steps[-1]!r}:\n{journey.error}"
    assert journey.steps[-1] == "done"


def _operation(spec: dict, method: str, path: str) -> dict:
    for template, operations in spec["paths"].items():
        pattern = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$"
        if re.match(pattern, path) and method.lower() in operations:
            return operations[method.lower()]
    raise AssertionError(f"{method} {path} is not in the Open API")


def test_every_answer_of_the_journey_matches_its_schema(journey, served):
    checked = 0
    problems = []
    for exchange in served.exchanges:
        if not 200 <= exchange.status < 300 or exchange.media_type != "application/json":
            continue
        operation = _operation(served.spec, exchange.method, exchange.path)
        declared = operation["responses"].get(str(exchange.status))
        assert declared is not None, f"{exchange.method} {exchange.path} answered {exchange.status}, not declared"
        schema = declared["content"]["application/json"]["schema"]
        assert schema, f"{exchange.method} {exchange.path} declares an empty schema"
        validator = Draft202012Validator({**schema, "components": served.spec["components"]})
        for error in validator.iter_errors(json.loads(exchange.body)):
            problems.append(f"{exchange.method} {exchange.path}: {error.json_path}: {error.message[:200]}")
        checked += 1
    assert not problems, "\n".join(problems[:20])
    assert checked >= 60, f"only {checked} answers were checked"


def test_component_names_are_plain_and_enumerations_are_enums(served):
    schemas = served.spec["components"]["schemas"]
    assert not [name for name in schemas if "__" in name], "two models share a name: rename one"
    upload = schemas["Body_post_applications_application_id_documents"]["properties"]
    assert upload["file"]["format"] == "binary"
    assert set(schemas["DocumentKind"]["enum"]) >= {"sla", "price_list", "csap_certificate"}
    assert set(schemas["Criterion"]["enum"]) >= {"security", "stability"}
    for model in ("ApplicationOut", "OrderOut", "InvoiceOut", "ContractOut", "QuoteOut", "RequestOut"):
        assert "state" in schemas[model]["properties"] and "status" not in schemas[model]["properties"], model
