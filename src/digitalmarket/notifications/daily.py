"""The daily run: the catalog's and contracting's daily upkeep first (certificates, catalog contract
expiry, order activation and completion), then every reminder (`deadline_alerts`, `waiting_alerts`) and the
deletion of sign-ups nobody confirmed (`accounts.signup_retention`), each in its own transaction, and last a
signed tree head of the audit log (``core/tree_heads.py``) for the day.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.orm import Session

from ..accounts.identity_changes import flag_expired_sme
from ..accounts.signup_retention import purge_expired_signups
from ..core.clock import today_kst
from ..core.database import Database
from ..core.settings import Settings, get_settings
from ..core.tree_heads import make_head, signing_key
from .deadline_alerts import (
    catalog_contract_end_alerts,
    certificate_alerts,
    order_end_alerts,
    overdue_invoice_alerts,
)
from .waiting_alerts import waiting_application_alerts

log = logging.getLogger("digitalmarket.alerts")


ALERTS: dict[str, Callable[[Session, date, Settings | None], int]] = {
    "certificates": certificate_alerts,
    "orders_ending": order_end_alerts,
    "catalog_contracts_ending": catalog_contract_end_alerts,
    "overdue_invoices": overdue_invoice_alerts,
    "applications_waiting": waiting_application_alerts,
    "sme_evidence_expired": lambda session, today, settings: flag_expired_sme(session, today),
    "signup_requests_purged": lambda session, today, settings: purge_expired_signups(session, today),
}

# --- the daily run -------------------------------------------------------------------------------------------------


@dataclass
class DailyReport:
    today: date
    counts: dict[str, int] = field(default_factory=dict)
    problems: dict[str, str] = field(default_factory=dict)


def _upkeep(session: Session, today: date) -> dict[str, int]:
    from ..contracting.catalog_contracts.officer_steps import expire_due_catalog_contracts
    from ..contracting.orders.ending import activate_and_complete_due_orders

    expired = expire_due_catalog_contracts(session, today)
    advanced = activate_and_complete_due_orders(session, today)
    return {
        "catalog_contracts_expired": len(expired),
        "orders_activated": len(advanced.activated),
        "orders_completed": len(advanced.completed),
    }


def _audit_tree_head(session: Session, settings: Settings | None) -> int:
    """Sign and store the day's tree head of the audit log (the key made on first use)."""
    make_head(session, signing_key((settings or get_settings()).data_dir, create=True))
    return 1


def run_daily(db: Database, settings: Settings | None = None, today: date | None = None) -> DailyReport:
    """Every daily job once, each in its own transaction: one that fails is logged and the others run."""
    today = today or today_kst()
    report = DailyReport(today)
    jobs: list[tuple[str, Callable[[Session], object]]] = [("upkeep", lambda s: _upkeep(s, today))]
    jobs += [(name, lambda s, job=job: job(s, today, settings)) for name, job in ALERTS.items()]
    jobs.append(("audit_tree_head", lambda s: _audit_tree_head(s, settings)))
    for name, job in jobs:
        try:
            with db.transaction() as session:
                result = job(session)
        except Exception as error:  # noqa: BLE001 - one job's failure must not stop the others
            log.exception("Daily job %s failed", name)
            report.problems[name] = f"{type(error).__name__}: {error}"
            continue
        if isinstance(result, dict):
            report.counts.update(result)
        else:
            report.counts[name] = int(result or 0)
    return report
