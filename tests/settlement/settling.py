"""Settling orders through the workflows, as suppliers and agencies do: an order in use, monthly usage,
inspection, payment and reviews. Shared by the settlement tests."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import select

from digitalmarket.contracting.orders import making
from digitalmarket.core.clock import KST, today_kst
from digitalmarket.core.notifications import Notification
from digitalmarket.settlement import inspection, payment, reviews, usage
from digitalmarket.settlement.tables import Invoice, Review
from tests.contracting.buying import confirm, plan_ids

#: Two lines: 50 users a month for 12 months at 10,000 won (6,000,000) and a fixed set-up of 4,000,000
#: won billed over 12 months: 10,000,000 won, 11,000,000 with VAT.
USERS, SETUP = 0, 1


def at(day: date) -> datetime:
    """Noon in Korea on a day: the clock a test passes to the workflows."""
    return datetime.combine(day, time(12), KST)


def order_in_use(db, people, code: str, store, *, lines=None) -> int:
    """A negotiated order starting today, confirmed by both sides: in use at once."""
    plans = plan_ids(db, code)
    given = lines or [(plans[0], 50, 12, 10_000), (plans[1], 1, 12, 4_000_000)]
    data = making.NegotiatedIn(code=code, start_date=today_kst(), lines=[making.OrderLineIn(*line) for line in given])
    with db.transaction() as session:
        order_id = making.create_negotiated(session, people.buyer, data).id
    confirm(db, people.buyer, order_id)
    confirm(db, people.supplier, order_id)
    return order_id


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def next_month(day: date, months: int = 1) -> date:
    """The first day of a later month."""
    index = day.month - 1 + months
    return date(day.year + index // 12, index % 12 + 1, 1)


def report(db, supplier, order_id: int, month: str, quantities: dict[int, int], now=None, note="") -> int:
    with db.transaction() as session:
        found = usage.report_usage(session, supplier, order_id, usage.UsageIn(month, quantities, note), now=now)
        return found.id


def invoice(db, invoice_id: int) -> Invoice:
    with db.reading() as session:
        found = session.get(Invoice, invoice_id)
        _ = found.items, found.revisions, found.order.agency, found.order.supplier
        return found


def accept(db, buyer, invoice_id: int, now=None) -> Invoice:
    with db.transaction() as session:
        inspection.accept(session, buyer, invoice_id, invoice(db, invoice_id).version, now=now)
    return invoice(db, invoice_id)


def claim(db, supplier, invoice_id: int, now=None) -> Invoice:
    """대금청구: the supplier claims the payment of an accepted invoice."""
    with db.transaction() as session:
        payment.claim_payment(session, supplier, invoice_id, invoice(db, invoice_id).version, now=now)
    return invoice(db, invoice_id)


def reject(db, buyer, invoice_id: int, reason="사용자 수가 계약 대장과 다릅니다.", now=None) -> Invoice:
    with db.transaction() as session:
        inspection.reject(session, buyer, invoice_id, invoice(db, invoice_id).version, reason, now=now)
    return invoice(db, invoice_id)


def correct(db, supplier, invoice_id: int, quantities: dict[int, int], note="사용자 수 정정", now=None) -> Invoice:
    found = invoice(db, invoice_id)
    with db.transaction() as session:
        data = usage.UsageIn(found.month, quantities, note)
        usage.correct(session, supplier, invoice_id, found.version, data, now=now)
    return invoice(db, invoice_id)


def pay(db, buyer, invoice_id: int, paid_on: date, now=None) -> Invoice:
    with db.transaction() as session:
        payment.record_payment(session, buyer, invoice_id, invoice(db, invoice_id).version, paid_on, now=now)
    return invoice(db, invoice_id)


def review(db, buyer, order_id: int, rating: int, comment="전 직원이 잘 쓰고 있습니다.", version=None, now=None) -> int:
    with db.transaction() as session:
        return reviews.write(session, buyer, order_id, reviews.ReviewIn(rating, comment), version, now=now).id


def review_of(db, order_id: int) -> Review | None:
    with db.reading() as session:
        return session.scalar(select(Review).where(Review.order_id == order_id))


def messages_of(db, user_id: int, locale: str = "en") -> list[str]:
    with db.reading() as session:
        rows = session.scalars(select(Notification).where(Notification.user_id == user_id).order_by(Notification.id))
        return [row.text.render(locale) for row in rows]


def later(days: int) -> datetime:
    return at(today_kst() + timedelta(days=days))


def month_ended(day: date | None = None, days: int = 0) -> datetime:
    """Noon in Korea ``days`` after the first day of the month following ``day`` (default: today): the
    month of ``day`` has ended, so its usage can be reported."""
    return at(next_month(day or today_kst()) + timedelta(days=days))


@contextmanager
def calendar_moved(monkeypatch, days: int):
    """The application's clock ``days`` ahead (as `tests/browser/shifted_clock.py` moves a server's), for
    API and page tests that need a month to have ended."""
    from digitalmarket.core import clock, tables

    class Shifted(datetime):
        @classmethod
        def now(cls, tz=None):
            return datetime.now(tz) + timedelta(days=days)

    with monkeypatch.context() as patch:
        patch.setattr(clock, "datetime", Shifted)
        patch.setattr(tables, "datetime", Shifted)
        yield


@contextmanager
def refused(kind, text: str = ""):
    """The block raises ``kind`` whose message, in English, contains ``text``."""
    with pytest.raises(kind) as caught:
        yield caught
    message = caught.value.message.render("en")
    assert text in message, message
