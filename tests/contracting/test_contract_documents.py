"""The contract document is made after the step that calls for it has committed (`orders.documents`):
the award and the direct order answer without it, the document follows right after, nothing can be
confirmed before it exists (409 with ``Retry-After``), the order page says it is being prepared, and a
replay of the consumer finds the same documents again (and signs again those whose files were lost). On
SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from digitalmarket.contracting.orders import changing, making
from digitalmarket.contracting.orders import documents as contract_documents
from digitalmarket.contracting.tables import OrderVersion
from digitalmarket.core import consumers
from digitalmarket.core.audit import AuditEvent
from digitalmarket.core.clock import today_kst
from digitalmarket.signatures.authority import authority
from digitalmarket.signatures.verifying import load_certificate, verify_pdf
from tests.contracting.buying import answer, ask, confirm, order, people_of, plan_ids, publish, quote_of
from tests.helpers import api_token, csrf_from, page_login

PREPARING_KO = "계약서를 작성하고 있습니다. 잠시 후 다시 확인해 주세요."


@pytest.fixture
def people(demo):
    return people_of(demo)


@pytest.fixture
def code(demo, people):
    return publish(demo, people.supplier, "가상웍스 그룹웨어")


@pytest.fixture
def headers(demo):
    return {name: api_token(demo, f"{name}@demo.kr") for name in ("buyer", "supplier")}


@pytest.fixture
def worker_mode(monkeypatch):
    """Nothing runs after a commit (``DM_CONSUMERS=worker``) and no follower runs in this process: the
    documents wait until the test runs the consumers."""
    monkeypatch.setenv("DM_CONSUMERS", "worker")


@pytest.fixture
def quiet_client(app, worker_mode):
    """The app without its lifespan, so without the follower thread that would make the documents."""
    return TestClient(app, base_url="http://testserver")


def order_body(demo, code: str) -> dict:
    return {
        "code": code,
        "start_date": today_kst().isoformat(),
        "lines": [{"price_plan_id": plan_ids(demo, code)[0], "quantity": 10, "months": 12, "unit_price": 10000}],
    }


def stored(sha: str) -> bytes:
    return contract_documents.installed_store().path_of(sha).read_bytes()


def test_the_award_answers_before_the_document_and_it_follows_right_after(demo, people, code, client, headers):
    request_id = ask(demo, people.buyer, [code], deadline=today_kst() + timedelta(days=7))
    answer(demo, people.supplier, request_id, code, [10000])
    quote = quote_of(demo, request_id, code)
    awarded = client.post(
        f"/api/v1/quote-requests/{request_id}/award",
        json={"quote_id": quote.id, "version": quote.version, "reason": "최저가 견적", "early_reason": "급함"},
        headers=headers["buyer"],
    )
    assert awarded.status_code == 201, awarded.text
    first = awarded.json()["versions"][0]
    # the award committed the order without its document ...
    assert (first["document_sha256"], first["document_status"]) == (None, "preparing")
    # ... which the consumer made right after the commit, before the next request
    made = client.get(f"/api/v1/orders/{awarded.json()['id']}", headers=headers["supplier"]).json()["versions"][0]
    assert made["document_status"] == "ready"
    pdf = client.get(f"/api/v1/orders/{awarded.json()['id']}/document", headers=headers["supplier"])
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert hashlib.sha256(pdf.content).hexdigest() == made["document_sha256"]
    assert stored(made["document_sha256"]) == pdf.content  # the app serves what the consumer stored


def test_confirming_before_the_document_exists_is_a_409_that_says_to_wait(demo, db, code, headers, quiet_client):
    client = quiet_client
    made = client.post("/api/v1/orders", json=order_body(demo, code), headers=headers["buyer"])
    assert made.status_code == 201, made.text
    order_id, version = made.json()["id"], made.json()["version"]
    assert made.json()["versions"][0]["document_status"] == "preparing"

    for who, language in (("buyer", "ko"), ("supplier", "en")):
        refused = client.post(
            f"/api/v1/orders/{order_id}/confirm",
            json={"version": version},
            headers=headers[who] | {"Accept-Language": language},
        )
        assert refused.status_code == 409
        assert refused.headers["Retry-After"] == "2"
        assert refused.json()["error"]["code"] == "document_preparing"
        expected = PREPARING_KO if language == "ko" else "The contract document is being prepared."
        assert refused.json()["error"]["message"].startswith(expected)
    pending = client.get(f"/api/v1/orders/{order_id}/document", headers=headers["buyer"])
    assert pending.status_code == 409 and pending.headers["Retry-After"] == "2"
    assert order(demo, order_id).versions[0].agency_confirmed_at is None  # nothing was written

    report = consumers.run(db, wait=True)
    assert report.handled[contract_documents.CONSUMER] >= 1 and not report.failed
    ready = client.get(f"/api/v1/orders/{order_id}", headers=headers["buyer"]).json()
    assert ready["versions"][0]["document_status"] == "ready"
    confirmed = client.post(f"/api/v1/orders/{order_id}/confirm", json={"version": version}, headers=headers["buyer"])
    assert confirmed.status_code == 200, confirmed.text
    # what the buyer confirmed is the stored document
    assert confirmed.json()["versions"][0]["document_sha256"] == ready["versions"][0]["document_sha256"]


def test_the_order_page_says_the_document_is_being_prepared_and_refreshes(demo, db, people, code, quiet_client):
    client = quiet_client
    page_login(client, "supplier@demo.kr")
    made = client.post("/api/v1/orders", json=order_body(demo, code), headers=api_token(demo, "buyer@demo.kr"))
    order_id = made.json()["id"]

    page = client.get(f"/orders/{order_id}")
    assert page.status_code == 200
    assert "계약서 작성 중" in page.text and "몇 초" in page.text
    assert '<meta http-equiv="refresh" content="2">' in page.text
    assert f'href="/orders/{order_id}"' in page.text  # refresh without JavaScript
    assert f'action="/orders/{order_id}/confirm"' not in page.text  # no confirm button yet
    assert f"/orders/{order_id}/documents/0" not in page.text

    # a confirmation sent anyway (a form kept open) is told to wait, with the page again
    token = csrf_from(client, f"/orders/{order_id}")
    sent = client.post(
        f"/orders/{order_id}/confirm",
        data={"version": str(made.json()["version"]), "csrf_token": token},
        follow_redirects=False,
    )
    assert sent.status_code == 409 and sent.headers["Retry-After"] == "2"
    assert PREPARING_KO in sent.text

    consumers.run(db, wait=True)
    page = client.get(f"/orders/{order_id}")
    assert "계약서 작성 중" not in page.text and 'http-equiv="refresh"' not in page.text
    assert f'action="/orders/{order_id}/confirm"' in page.text
    assert f"/orders/{order_id}/documents/0" in page.text


def test_the_second_confirmation_makes_the_document_of_record_after_its_commit(demo, db, people, code, worker_mode):
    with db.transaction() as session:
        order_id = making.create_negotiated(session, people.buyer, _negotiated(demo, code)).id
    consumers.run(db, wait=True)
    draft = order(demo, order_id).versions[0].document_sha256
    confirm(demo, people.buyer, order_id)
    assert order(demo, order_id).versions[0].document_sha256 == draft  # one side: still the draft
    confirm(demo, people.supplier, order_id)
    contracted = order(demo, order_id)
    assert contracted.status == "active" and contracted.versions[0].document_sha256 is None
    consumers.run(db, wait=True)
    record = order(demo, order_id).versions[0]
    assert record.document_sha256 not in (None, draft)
    assert stored(draft) and stored(record.document_sha256).startswith(b"%PDF")  # both are kept


def test_replaying_the_consumer_finds_the_same_documents_and_remakes_lost_ones(demo, db, people, code):
    with db.transaction() as session:
        order_id = making.create_negotiated(session, people.buyer, _negotiated(demo, code)).id
    confirm(demo, people.buyer, order_id)
    confirm(demo, people.supplier, order_id)
    with db.transaction() as session:
        changing.propose_change(
            session,
            people.buyer,
            order_id,
            order(demo, order_id).version,
            changing.ChangeIn("사용자 증원", [changing.ChangeLineIn(0, 20, 12, 10000)]),
        )
    before = {v.seq: (v.document_sha256, v.document_size) for v in order(demo, order_id).versions}
    assert len(before) == 2 and all(sha for sha, _ in before.values())

    report = consumers.replay(db, contract_documents.CONSUMER)  # the documents folder intact
    assert not report.failed
    assert {v.seq: (v.document_sha256, v.document_size) for v in order(demo, order_id).versions} == before

    for sha, _ in before.values():  # the signed documents lost from the folder
        contract_documents.installed_store().path_of(sha).unlink()
    report = consumers.replay(db, contract_documents.CONSUMER)
    assert not report.failed
    after = {v.seq: v.document_sha256 for v in order(demo, order_id).versions}
    for seq, sha in after.items():  # made again, signed again: new bytes that verify
        assert sha != before[seq][0]
        checked = verify_pdf(stored(sha), [ca_certificate(db)])
        assert checked.ok and [c.field for c in checked.signatures][: 2 - seq] == ["Agency", "Supplier"][: 2 - seq]

    # an event handled twice changes nothing: every version has its document already
    with db.transaction() as session:
        events = session.scalars(select(AuditEvent).where(AuditEvent.object_id == str(order_id))).all()
        followed = [e for e in events if e.action in contract_documents.ACTIONS]
        prepared = contract_documents.documents_prepared(session, followed)
        contract_documents.documents_followed(session, followed, prepared)
    with db.reading() as session:
        versions = session.scalars(select(OrderVersion).where(OrderVersion.order_id == order_id)).all()
        assert {v.seq: v.document_sha256 for v in versions} == after


def ca_certificate(db):
    with db.reading() as session:
        return load_certificate(authority(session).certificate_der)


def _negotiated(demo, code: str) -> making.NegotiatedIn:
    return making.NegotiatedIn(
        code=code, start_date=today_kst(), lines=[making.OrderLineIn(plan_ids(demo, code)[0], 10, 12, 10000)]
    )
