"""`digitalmarket` with the calendar moved forward: ``python -m tests.browser.shifted_clock DAYS serve ...``.

The browser tests use it to see what users see some days after what they did (an order in use for a
month, an invoice past its due date) on the same data, without waiting. Every instant and every day the
application reads comes from `core.clock` and `core.tables.utcnow`, so moving those two moves them all.
"""

from __future__ import annotations

import sys
from datetime import datetime, timedelta

from digitalmarket.core import clock, tables


def shift(days: int) -> None:
    class Shifted(datetime):
        @classmethod
        def now(cls, tz=None):
            return datetime.now(tz) + timedelta(days=days)

    clock.datetime = Shifted
    tables.datetime = Shifted


if __name__ == "__main__":
    shift(int(sys.argv[1]))
    from digitalmarket.cli import app

    sys.argv = ["digitalmarket", *sys.argv[2:]]
    app()
