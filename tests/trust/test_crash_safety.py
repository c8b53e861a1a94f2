"""The server process is killed with SIGKILL in the middle of a burst of writes, on SQLite and on
PostgreSQL, then started again on the same database.

Writers create negotiated orders (each with its contract document, made right after the commit), confirm
them from both sides (waiting for the document like a client told ``Retry-After``),
end them early and report their usage (a month is reported once the order ended within it) and ask for
quotes, through a real server (`digitalmarket serve`). Whatever a client
was told had succeeded (a 2xx answer) must be there after the restart; the audit chain must verify
(`digitalmarket audit-verify`); no order may be half written (without lines, a version without lines,
amounts other than the sum of the lines, a contract document missing), and no invoice either. No client
is ever answered 5xx before the kill (no "database is locked" on SQLite), and the restarted server
takes new writes.
"""

from __future__ import annotations

import hashlib
import random
import threading
import time
from collections import defaultdict
from datetime import timedelta

from sqlalchemy import func, select

from digitalmarket.contracting.money import amounts, line_amount
from digitalmarket.contracting.tables import Order, OrderVersion, QuoteRequest
from digitalmarket.core import audit
from digitalmarket.core.audit import AuditEvent
from digitalmarket.core.clock import today_kst
from digitalmarket.core.files import DocumentStore
from digitalmarket.settlement.tables import Invoice
from tests.contracting.buying import people_of, plan_ids, publish
from tests.trust.burst import Answer, api_token, call, running

WRITERS = 10
KILL_AFTER = (15, 40)  # acknowledged writes before the kill, drawn at random
WAIT_FOR_WRITES = 240  # seconds; the machine may be slow, the writes will come


class Acknowledged:
    """Every write a client was told had succeeded, and every answer that should never be given."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.orders: dict[int, tuple[str, int]] = {}  # id -> (code, quantity)
        self.confirmed: dict[int, set[str]] = defaultdict(set)
        self.invoices: dict[int, int] = {}  # id -> order id
        self.requests: dict[int, str] = {}  # id -> title
        self.count = 0
        self.wrong: list[Answer] = []

    def took(self, answer: Answer, expected: int) -> bool:
        """True when the write was acknowledged; False when the server is gone (no answer)."""
        if answer.status == 0:
            return False
        if answer.status != expected:
            with self.lock:
                self.wrong.append(answer)
            return False
        with self.lock:
            self.count += 1
        return True


def confirm_when_ready(client, who: int, order_id: int, version: int) -> Answer:
    """Confirm the order; while its contract document is still being made (after the order's commit: 409
    ``document_preparing``), wait a moment and ask again, as a client told ``Retry-After`` does."""
    for _ in range(100):
        answer = call(client, who, "POST", f"/api/v1/orders/{order_id}/confirm", {"version": version})
        if answer.status != 409 or (answer.body or {}).get("error", {}).get("code") != "document_preparing":
            return answer
        time.sleep(0.1)
    return answer


def writer(who: int, pair: dict, ack: Acknowledged, stop: threading.Event) -> None:
    """Buy, confirm, report usage and ask for quotes until the server stops answering."""
    buyer, supplier = pair["buyer"], pair["supplier"]
    today = today_kst()
    n = 0
    while not stop.is_set():
        n += 1
        quantity = 1000 * who + n
        line = {"price_plan_id": pair["plan"], "quantity": quantity, "months": 12, "unit_price": 10000}
        body = {"code": pair["code"], "start_date": today.isoformat(), "lines": [line]}
        answer = call(buyer, who, "POST", "/api/v1/orders", body)
        if not ack.took(answer, 201):
            return
        order_id = answer.body["id"]
        with ack.lock:
            ack.orders[order_id] = (answer.body["code"], quantity)
        for side, client in (("agency", buyer), ("supplier", supplier)):
            version = answer.body["version"]
            answer = confirm_when_ready(client, who, order_id, version)
            if not ack.took(answer, 200):
                return
            with ack.lock:
                ack.confirmed[order_id].add(side)
        # the month's usage is reported once the month has ended, or the order ended within it
        end = {"version": answer.body["version"], "reason": "장애 시험 종료"}
        answer = call(buyer, who, "POST", f"/api/v1/orders/{order_id}/terminate", end)
        if not ack.took(answer, 200):
            return
        usage = {"month": today.strftime("%Y-%m"), "lines": [{"position": 0, "quantity": quantity}], "note": ""}
        answer = call(supplier, who, "POST", f"/api/v1/orders/{order_id}/invoices", usage)
        if not ack.took(answer, 201):
            return
        with ack.lock:
            ack.invoices[answer.body["id"]] = order_id
        title = f"장애 시험 견적 {who}-{n}"
        ask = {
            "title": title,
            "requirements": "",
            "desired_start": (today + timedelta(days=30)).isoformat(),
            "deadline": (today + timedelta(days=7)).isoformat(),
            "services": [
                {"code": pair["code"], "lines": [{"price_plan_id": pair["plan"], "quantity": 5, "months": 6}]}
            ],
        }
        answer = call(buyer, who, "POST", "/api/v1/quote-requests", ask)
        if not ack.took(answer, 201):
            return
        with ack.lock:
            ack.requests[answer.body["id"]] = title


def check_orders_whole(db, store: DocumentStore) -> int:
    """No order is half written: lines for every version, amounts equal to the lines', its document
    stored, and its creation in the audit trail. Same for invoices. Returns the number of orders.
    A document the kill left to be made is made by the restarted server's consumers within seconds."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with db.reading() as session:
            if not session.scalar(select(func.count()).where(OrderVersion.document_sha256.is_(None))):
                break
        time.sleep(0.2)
    with db.reading() as session:
        orders = session.scalars(select(Order).order_by(Order.id)).all()
        created = dict(
            session.execute(
                select(AuditEvent.object_id, func.count())
                .where(AuditEvent.action == "order.created")
                .group_by(AuditEvent.object_id)
            ).all()
        )
        for order in orders:
            assert order.versions, f"{order.code} has no version"
            assert order.current_lines(), f"{order.code} has no lines"
            for version in order.versions:
                lines = order.lines_of(version.seq)
                assert lines, f"{order.code} version {version.seq} has no lines"
                money = amounts(line.amount for line in lines)
                assert (version.supply_amount, version.vat, version.total) == (money.supply, money.vat, money.total)
                for line in lines:
                    assert line.amount == line_amount(line.billing, line.unit_price, line.quantity, line.months)
                document = store.path_of(version.document_sha256)
                assert hashlib.sha256(document.read_bytes()).hexdigest() == version.document_sha256
            in_force = next(v for v in order.versions if v.seq == order.change_seq)
            assert (order.supply_amount, order.total) == (in_force.supply_amount, in_force.total)
            assert created.get(str(order.id)) == 1, f"{order.code} has no creation event"
        for invoice in session.scalars(select(Invoice)).all():
            items = [item for item in invoice.items if item.revision == invoice.revision]
            assert items, f"{invoice.code} has no items"
            assert invoice.supply_amount == sum(item.amount for item in items)
        assert audit.verify_chain(session).ok
        return len(orders)


def test_acknowledged_writes_survive_a_kill(demo, tmp_path):
    db = demo
    people = people_of(db)
    store = DocumentStore(tmp_path / "documents")
    pairs = []
    for buyer_email, supplier_email, supplier in (
        ("buyer@demo.kr", "supplier@demo.kr", people.supplier),
        ("buyer2@demo.kr", "supplier2@demo.kr", people.supplier2),
    ):
        code = publish(db, supplier, f"장애 시험 서비스 {supplier.organisation_id}")
        pairs.append(
            {
                "code": code,
                "plan": plan_ids(db, code)[0],
                "buyer": api_token(db, buyer_email),
                "supplier": api_token(db, supplier_email),
            }
        )
    chance = random.Random()
    kill_after = chance.randint(*KILL_AFTER)
    ack = Acknowledged()
    stop = threading.Event()

    with running(db.url, tmp_path) as server:
        clients = [{**p, "buyer": server.client(p["buyer"]), "supplier": server.client(p["supplier"])} for p in pairs]
        threads = [
            threading.Thread(target=writer, args=(who, clients[who % 2], ack, stop), daemon=True)
            for who in range(WRITERS)
        ]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + WAIT_FOR_WRITES
        while ack.count < kill_after and time.monotonic() < deadline and not ack.wrong:
            time.sleep(0.05)
        time.sleep(chance.uniform(0, 0.5))  # the kill lands anywhere in a request
        server.kill()
        stop.set()
        for thread in threads:
            thread.join(60)
        assert ack.wrong == [], ack.wrong[:5]
        assert ack.count >= kill_after, f"only {ack.count} writes acknowledged before the kill"
        for pair in clients:
            pair["buyer"].close()
            pair["supplier"].close()
        before_kill = server.errors()

        server.start()
        assert before_kill == [], before_kill
        buyers = {p["code"]: server.client(p["buyer"]) for p in pairs}
        suppliers = {p["code"]: server.client(p["supplier"]) for p in pairs}
        either = list(buyers.values())

        def read(path: str) -> dict:
            for client in either:  # each order belongs to one of the two buyers
                response = client.get(path)
                if response.status_code == 200:
                    return response.json()
            raise AssertionError(f"{path} is gone after the restart")

        for order_id, (code, quantity) in ack.orders.items():
            order = read(f"/api/v1/orders/{order_id}")
            assert (order["code"], order["lines"][0]["quantity"]) == (code, quantity)
            first = order["versions"][0]
            for side in ack.confirmed.get(order_id, ()):
                assert first[f"{side}_confirmed_at"] is not None, (order["code"], side)
        for invoice_id, order_id in ack.invoices.items():
            assert read(f"/api/v1/invoices/{invoice_id}")["order_id"] == order_id
        for request_id, title in ack.requests.items():
            assert read(f"/api/v1/quote-requests/{request_id}")["title"] == title

        verified = server.cli("audit-verify")
        assert verified.returncode == 0, verified.stdout + verified.stderr
        count = check_orders_whole(db, store)
        assert count >= len(ack.orders)

        # The restarted server takes new writes, with codes after every earlier one.
        pair = pairs[0]
        line = {"price_plan_id": pair["plan"], "quantity": 7, "months": 12, "unit_price": 10000}
        body = {"code": pair["code"], "start_date": today_kst().isoformat(), "lines": [line]}
        answer = call(buyers[pair["code"]], 0, "POST", "/api/v1/orders", body)
        assert answer.status == 201, answer
        with db.reading() as session:
            assert session.scalar(select(func.count(func.distinct(Order.code)))) == count + 1
            assert session.scalar(select(func.count()).select_from(QuoteRequest)) >= len(ack.requests)
        for client in [*buyers.values(), *suppliers.values()]:
            client.close()
        assert server.errors() == []
