"""Fifty clients change the same order and the same application at the same moment, through a real
server (`digitalmarket serve`) on SQLite and on PostgreSQL.

Every client sends the version it read, as a browser or an API caller does. For each version exactly one
client wins; every other one is told 409 (never 500, never a lost update); the winner's change is what
the order or application shows, its audit event is there and no loser's is; the audit chain holds.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from functools import partial

from sqlalchemy import func, select, update

from digitalmarket.contracting.tables import Order
from digitalmarket.core import audit
from digitalmarket.core.audit import AuditEvent
from digitalmarket.core.database import Database
from digitalmarket.core.files import DocumentStore
from digitalmarket.core.ids import CodeSequence, next_code
from digitalmarket.core.settings import Waits
from digitalmarket.selection import workflow
from tests.contracting.buying import negotiated, people_of, publish
from tests.selection.journey import draft, step
from tests.trust.burst import Answer, api_token, burst, call, running

CLIENTS = 50


def events(db, object_type: str, object_id: int) -> Counter:
    with db.reading() as session:
        query = select(AuditEvent.action).where(
            AuditEvent.object_type == object_type, AuditEvent.object_id == str(object_id)
        )
        return Counter(session.scalars(query))


def event_details(db, object_type: str, object_id: int, action: str) -> list[dict]:
    with db.reading() as session:
        query = select(AuditEvent.details).where(
            AuditEvent.object_type == object_type, AuditEvent.object_id == str(object_id), AuditEvent.action == action
        )
        return list(session.scalars(query.order_by(AuditEvent.id)))


def audit_count(db) -> int:
    with db.reading() as session:
        return session.scalar(select(func.count()).select_from(AuditEvent))


def one_winner(answers: list[Answer], won: int = 200) -> Answer:
    """Exactly one client won; everyone else was told 409 with a message."""
    statuses = Counter(a.status for a in answers)
    assert statuses == {won: 1, 409: len(answers) - 1}, statuses
    for answer in answers:
        if answer.status == 409:
            assert answer.body["error"]["code"] and answer.body["error"]["message"]
    return next(a for a in answers if a.status == won)


def read(client, path: str) -> dict:
    response = client.get(path)
    assert response.status_code == 200, response.text
    return response.json()


def test_fifty_clients_change_one_order_and_one_application(demo, tmp_path):
    db = demo
    people = people_of(db)
    store = DocumentStore(tmp_path / "documents")
    code = publish(db, people.supplier, "동시성 그룹웨어")
    order_id = negotiated(db, people.buyer, code, price=10000, quantity=50, months=12)
    application_id = draft(db, store, people.supplier, name="동시성 협업 도구")
    step(db, workflow.submit, people.supplier, application_id)
    tokens = {
        side: api_token(db, email)
        for side, email in (
            ("agency", "buyer@demo.kr"),
            ("supplier", "supplier@demo.kr"),
            ("operator", "operator@demo.kr"),
        )
    }
    before = audit_count(db)

    with running(db.url, tmp_path) as server:
        clients = {side: server.client(token) for side, token in tokens.items()}
        sides = ["agency", "supplier"] * (CLIENTS // 2)

        def order_burst(make) -> list[Answer]:
            return burst([partial(make, who, sides[who], clients[sides[who]]) for who in range(CLIENTS)])

        # 1. Both sides confirm the contract document at once, with the version they read: one wins.
        version = read(clients["agency"], f"/api/v1/orders/{order_id}")["version"]
        answers = order_burst(
            lambda who, side, client: call(
                client, who, "POST", f"/api/v1/orders/{order_id}/confirm", {"version": version}
            )
        )
        first = one_winner(answers)
        first_side = sides[first.who]
        assert [d["side"] for d in event_details(db, "order", order_id, "order.confirmed")] == [first_side]
        order = read(clients["agency"], f"/api/v1/orders/{order_id}")
        assert order["state"] == "draft"
        assert (order["versions"][0]["agency_confirmed_at"] is not None) == (first_side == "agency")
        assert (order["versions"][0]["supplier_confirmed_at"] is not None) == (first_side == "supplier")

        # 2. The other side's fifty clients confirm with the new version: one contracts the order.
        other = "supplier" if first_side == "agency" else "agency"
        version = order["version"]
        answers = burst(
            [
                partial(call, clients[other], who, "POST", f"/api/v1/orders/{order_id}/confirm", {"version": version})
                for who in range(CLIENTS)
            ]
        )
        one_winner(answers)
        order = read(clients["agency"], f"/api/v1/orders/{order_id}")
        assert order["state"] in {"contracted", "active"}
        seen = events(db, "order", order_id)
        assert seen["order.confirmed"] == 2 and seen["order.contracted"] == 1

        # 3. Fifty change proposals (each a different quantity) on the same version: one proposal exists.
        version = order["version"]

        def propose(who, side, client):
            change = {
                "version": version,
                "reason": f"인원 변경 요청 {who}",
                "lines": [{"position": 0, "quantity": 60 + who, "months": 12, "unit_price": 10000}],
            }
            return call(client, who, "POST", f"/api/v1/orders/{order_id}/changes", change)

        answers = order_burst(propose)
        proposal = one_winner(answers, won=201)
        order = read(clients["agency"], f"/api/v1/orders/{order_id}")
        pending = [v for v in order["versions"] if v["state"] == "proposed"]
        assert [(v["seq"], v["lines"][0]["quantity"]) for v in pending] == [(1, 60 + proposal.who)]
        assert pending[0]["reason"] == f"인원 변경 요청 {proposal.who}"
        proposed = event_details(db, "order", order_id, "order.change_proposed")
        assert [(d["reason"], d["side"]) for d in proposed] == [(f"인원 변경 요청 {proposal.who}", sides[proposal.who])]
        assert order["change_seq"] == 0 and order["lines"][0]["quantity"] == 50  # not in force before confirmed

        # 4. The proposer's side withdraws while the other side confirms, all with one version.
        proposer = sides[proposal.who]
        confirmer = "supplier" if proposer == "agency" else "agency"
        version = order["version"]

        def settle(who, _side, _client):
            if who % 2:
                return call(
                    clients[proposer],
                    who,
                    "POST",
                    f"/api/v1/orders/{order_id}/changes/1/withdraw",
                    {"version": version},
                )
            return call(
                clients[confirmer], who, "POST", f"/api/v1/orders/{order_id}/changes/1/confirm", {"version": version}
            )

        answers = order_burst(settle)
        winner = one_winner(answers)
        order = read(clients["agency"], f"/api/v1/orders/{order_id}")
        seen = events(db, "order", order_id)
        if winner.who % 2:  # withdrawn: the contract stays as it was
            assert order["versions"][1]["state"] == "withdrawn"
            assert order["change_seq"] == 0 and order["lines"][0]["quantity"] == 50
            assert (seen["order.change_withdrawn"], seen["order.changed"]) == (1, 0)
        else:  # confirmed: the change is in force
            assert order["versions"][1]["state"] == "confirmed"
            assert order["change_seq"] == 1 and order["lines"][0]["quantity"] == 60 + proposal.who
            assert (seen["order.change_withdrawn"], seen["order.changed"]) == (0, 1)
        assert order["supply_amount"] == sum(line["amount"] for line in order["lines"])

        # 5. Fifty operators start the document check of one application with the same version.
        operator = clients["operator"]
        version = read(operator, f"/api/v1/applications/{application_id}")["version"]
        answers = burst(
            [
                partial(
                    call,
                    operator,
                    who,
                    "POST",
                    f"/api/v1/applications/{application_id}/start-check",
                    {"version": version},
                )
                for who in range(CLIENTS)
            ]
        )
        one_winner(answers)
        assert read(operator, f"/api/v1/applications/{application_id}")["state"] == "document_check"

        # 6. Half accept, half ask for a supplement (each with its own reason), all with one version.
        version = read(operator, f"/api/v1/applications/{application_id}")["version"]

        def decide(who):
            path = f"/api/v1/applications/{application_id}"
            if who % 2:
                items = {"basic": f"설명 보완 {who}"}
                return call(operator, who, "POST", f"{path}/supplement-request", {"version": version, "items": items})
            return call(operator, who, "POST", f"{path}/accept", {"version": version})

        answers = burst([partial(decide, who) for who in range(CLIENTS)])
        winner = one_winner(answers)
        application = read(operator, f"/api/v1/applications/{application_id}")
        seen = events(db, "application", application_id)
        if winner.who % 2:
            assert application["state"] == "supplement_requested"
            assert (seen["application.request_supplement"], seen["application.accept"]) == (1, 0)
            [details] = event_details(db, "application", application_id, "application.request_supplement")
            assert details["items"] == {"basic": f"설명 보완 {winner.who}"}
        else:
            assert application["state"] == "accepted"
            assert (seen["application.request_supplement"], seen["application.accept"]) == (0, 1)
        assert seen["application.start_check"] == 1

        for client in clients.values():
            client.close()
        assert server.errors() == []
        verified = server.cli("audit-verify")
        assert verified.returncode == 0, verified.stdout + verified.stderr

    # Exactly the winners' events were added: two confirmations, the contract (and its start when it
    # starts today), one proposal, its confirmation or withdrawal, and two steps of the application.
    with db.reading() as session:
        assert audit.verify_chain(session).ok
        order = session.get(Order, order_id)
        activated = 1 if order.status == "active" else 0
    assert audit_count(db) - before == 2 + 1 + activated + 1 + 1 + 2


def test_a_burst_of_writers_waits_for_the_lock_and_is_never_refused(db):
    """Forty-five writers at once while another transaction holds the lock they need for longer than
    the pool's timeout (made short here) but within the lock's bound: every one of them waits and writes;
    none is told "busy" or left without a connection (the pool has one for each)."""
    year = 2026
    with db.transaction() as session:
        next_code(session, "TST", year)
    busy = Database(db.url, Waits(lock_seconds=120, pool_seconds=1))
    codes: list[str] = []
    failures: list[str] = []

    def write() -> None:
        try:
            with busy.transaction() as session:
                codes.append(next_code(session, "TST", year))
        except Exception as error:  # noqa: BLE001 - every failure is reported below
            failures.append(f"{type(error).__name__}: {error}")

    threads = [threading.Thread(target=write) for _ in range(45)]
    with db.engine.connect() as holder:  # a long writer: holds the row (and, on SQLite, the database)
        key = (CodeSequence.prefix == "TST") & (CodeSequence.year == year)
        holder.execute(update(CodeSequence).where(key).values(last=CodeSequence.last))
        for thread in threads:
            thread.start()
        time.sleep(2.5)
        holder.commit()
    for thread in threads:
        thread.join(120)
    busy.dispose()
    assert failures == []
    assert sorted(codes) == [f"TST-{year}-{n:05d}" for n in range(2, 47)]
