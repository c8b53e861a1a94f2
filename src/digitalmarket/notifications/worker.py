"""The worker: sends the e-mail outbox every few seconds and runs the daily jobs once a day (at start and
when the date changes in Korea). Several workers may run at once: claims keep each e-mail to one of
them, and each reminder is sent once whoever runs it."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import date

from ..core.clock import today_kst
from ..core.database import Database
from ..core.settings import Settings
from .daily import DailyReport, run_daily
from .outbox import Batch, drain

log = logging.getLogger("digitalmarket.worker")

DEFAULT_INTERVAL_SECONDS = 15.0


def run_worker(
    db: Database,
    settings: Settings,
    *,
    once: bool = False,
    interval: float = DEFAULT_INTERVAL_SECONDS,
    stop: threading.Event | None = None,
    on_daily: Callable[[DailyReport], None] | None = None,
    on_batch: Callable[[Batch], None] | None = None,
) -> None:
    stop = stop or threading.Event()
    last_daily: date | None = None
    while not stop.is_set():
        today = today_kst()
        if last_daily != today:
            report = run_daily(db, settings, today)
            last_daily = today
            if on_daily:
                on_daily(report)
        try:
            batch = drain(db, settings)
        except Exception:  # noqa: BLE001 - the database may be away for a moment; try again next round
            log.exception("Sending the outbox failed")
        else:
            if on_batch and (batch.sent or batch.failed or batch.skipped):
                on_batch(batch)
        if once:
            return
        stop.wait(interval)
