"""Public codes of quote requests and orders (``QR-2026-00001``, ``ORD-2026-00001``), taken so that no one
waits for them.

`core.ids.next_code` counts up a row per prefix and year inside the caller's transaction, so the row stays
locked until that transaction ends. An award makes its contract document after taking the order's code,
and a quote request notifies and appends to the audit chain after taking its own: every other award or
request waited for all of that (in the order flow bench, most sessions were waiting on that row). On
PostgreSQL the code is therefore taken in a short transaction of its own, committed at once; a request or
an order whose transaction then fails leaves its number unused (a gap, never a duplicate). Workflows take
the code only once every check has passed, so only a fault (the database or the disk failing, the contract
font missing) leaves a gap. SQLite has one writer at a time: there the code is taken in the caller's
transaction, as before.

The own transaction uses a second connection of the same pool while the caller holds one; the pool allows
more connections than the threads that run requests (`core.database.POOL`), so one is always free.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from ..core.ids import next_code


def code_apart(session: Session, prefix: str, year: int) -> str:
    """The next code of the yearly sequence ``prefix``, committed at once on PostgreSQL."""
    bind = session.get_bind()
    if bind.dialect.name != "postgresql":
        return next_code(session, prefix, year)
    engine = getattr(bind, "engine", bind)
    with Session(engine) as own, own.begin():
        return next_code(own, prefix, year)
