"""Daily reminders (alerts): who must act before a deadline is told, once per threshold.

Each job takes the session of its own transaction and the day it runs for (``today``, in KST), so tests
and operators can run any day. A reminder is sent once per (kind, object, threshold): the ``alerts_sent``
row is written in the same transaction as the notification, and its unique constraint stops a second
one, however often the job runs and however many run at once. The object key carries the deadline
itself (``service:12:2026-08-31``), so a renewed certificate or an extended order starts afresh.

``run_daily`` runs the catalog's and contracting's daily upkeep first (certificates, catalog contract
expiry, order activation and completion), then every reminder, each in its own transaction, and last signs
a tree head of the audit log (``core/tree_heads.py``) for the day.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..accounts.rules import Role
from ..accounts.tables import User
from ..catalog.rules import ServiceStatus, ServiceType
from ..catalog.tables import Service
from ..catalog.workflow import suspend_expired_certificates
from ..contracting.rules import CatalogState, OrderState
from ..contracting.tables import CatalogContract, Order
from ..core.clock import KST, today_kst
from ..core.database import Database
from ..core.i18n import N_, Text
from ..core.notifications import notify
from ..core.settings import Settings, get_settings
from ..core.tree_heads import make_head, signing_key
from ..selection.rules import State
from ..selection.tables import Application
from ..settlement.usage import flag_overdue_invoices
from .rules import (
    CATALOG_CONTRACT_END_THRESHOLDS,
    CERTIFICATE_THRESHOLDS,
    ORDER_END_THRESHOLDS,
    threshold_reached,
    waited_too_long,
)
from .tables import AlertSent

log = logging.getLogger("digitalmarket.alerts")


# --- sending once --------------------------------------------------------------------------------------------------


def once(session: Session, kind: str, object_key: str, threshold: str, today: date) -> bool:
    """Reserve the reminder (kind, object, threshold); False when it was sent before. The row belongs to
    the caller's transaction, as the notification does."""
    taken = select(AlertSent.id).where(
        AlertSent.kind == kind, AlertSent.object_key == object_key, AlertSent.threshold == threshold
    )
    if session.scalar(taken) is not None:
        return False
    try:
        with session.begin_nested():
            session.add(AlertSent(kind=kind, object_key=object_key, threshold=threshold, sent_on=today))
            session.flush()
    except IntegrityError:  # another run got there first
        return False
    return True


def alert(
    session: Session,
    today: date,
    *,
    kind: str,
    object_key: str,
    threshold: str,
    messages: Iterable[tuple[Iterable[int], Text, str]],
) -> int:
    """Send the messages (recipients, text, link) of one reminder unless it went out before."""
    if not once(session, kind, object_key, threshold, today):
        return 0
    return sum(notify(session, users, text, link, kind="alert") for users, text, link in messages)


def _users(session: Session, *, role: str | None = None, organisation_id: int | None = None) -> list[int]:
    query = select(User.id).where(User.is_active)
    if role is not None:
        query = query.where(User.role == role)
    if organisation_id is not None:
        query = query.where(User.organisation_id == organisation_id)
    return list(session.scalars(query))


# --- CSAP certificates ---------------------------------------------------------------------------------------------


def certificate_alerts(session: Session, today: date, settings: Settings | None = None) -> int:
    """Expired certificates suspend their services (with the catalog's audit event) and tell the supplier
    and the operators; certificates expiring in 60, 30 and 7 days are announced to them."""
    sent = 0
    operators = _users(session, role=Role.OPERATOR)
    for service in suspend_expired_certificates(session, today):
        until = service.csap_valid_until.isoformat()
        params = {"service": service.name, "code": service.code, "date": until}
        sent += alert(
            session,
            today,
            kind="csap_expired",
            object_key=f"service:{service.id}:{until}",
            threshold="0",
            messages=[
                (
                    _users(session, organisation_id=service.supplier_id),
                    N_(
                        "The CSAP certificate of %(service)s (%(code)s) expired on %(date)s: the service is "
                        "suspended from the catalog until you record a valid certificate.",
                        **params,
                    ),
                    f"/supplier/services/{service.code}/certificate",
                ),
                (
                    operators,
                    N_(
                        "The CSAP certificate of %(service)s (%(code)s) expired on %(date)s: the service is "
                        "suspended from the catalog until a valid certificate is recorded.",
                        **params,
                    ),
                    f"/services/{service.code}",
                ),
            ],
        )
    horizon = today + timedelta(days=max(CERTIFICATE_THRESHOLDS))
    expiring = session.scalars(
        select(Service)
        .where(
            Service.status == ServiceStatus.PUBLISHED,
            Service.type.in_([t.value for t in ServiceType if t.is_cloud]),
            Service.csap_valid_until >= today,
            Service.csap_valid_until <= horizon,
        )
        .order_by(Service.id)
    ).all()
    for service in expiring:
        days = (service.csap_valid_until - today).days
        threshold = threshold_reached(days, CERTIFICATE_THRESHOLDS)
        if threshold is None:
            continue
        until = service.csap_valid_until.isoformat()
        params = {"service": service.name, "code": service.code, "date": until, "days": days}
        sent += alert(
            session,
            today,
            kind="csap_expiring",
            object_key=f"service:{service.id}:{until}",
            threshold=str(threshold),
            messages=[
                (
                    _users(session, organisation_id=service.supplier_id),
                    N_(
                        "The CSAP certificate of %(service)s (%(code)s) expires on %(date)s, in %(days)s days. "
                        "Record the renewed certificate to keep the service in the catalog.",
                        **params,
                    ),
                    f"/supplier/services/{service.code}/certificate",
                ),
                (
                    operators,
                    N_(
                        "The CSAP certificate of %(service)s (%(code)s) expires on %(date)s, in %(days)s days.",
                        **params,
                    ),
                    f"/services/{service.code}",
                ),
            ],
        )
    return sent


# --- orders --------------------------------------------------------------------------------------------------------


def renewal_link(order: Order) -> str:
    """The agency's quote request form, filled in from the order (see ``contracting/quotes/renewal.py``)."""
    return f"/agency/quote-requests/new?from_order={order.code}"


def order_end_alerts(session: Session, today: date, settings: Settings | None = None) -> int:
    """Orders ending in 90 and 30 days: the agency (with a link to renew) and the supplier."""
    sent = 0
    horizon = today + timedelta(days=max(ORDER_END_THRESHOLDS))
    ending = session.scalars(
        select(Order)
        .where(
            Order.status.in_([OrderState.CONTRACTED, OrderState.ACTIVE]),
            Order.end_date >= today,
            Order.end_date <= horizon,
        )
        .order_by(Order.id)
    ).all()
    for order in ending:
        days = (order.end_date - today).days
        threshold = threshold_reached(days, ORDER_END_THRESHOLDS)
        if threshold is None:
            continue
        until = order.end_date.isoformat()
        params = {"code": order.code, "service": order.service.name, "date": until, "days": days}
        sent += alert(
            session,
            today,
            kind="order_ending",
            object_key=f"order:{order.id}:{until}",
            threshold=str(threshold),
            messages=[
                (
                    _users(session, organisation_id=order.agency_id),
                    N_(
                        "Order %(code)s for %(service)s ends on %(date)s, in %(days)s days. "
                        "Request quotes now to renew it in time.",
                        **params,
                    ),
                    renewal_link(order),
                ),
                (
                    _users(session, organisation_id=order.supplier_id),
                    N_(
                        "Order %(code)s of %(agency)s for %(service)s ends on %(date)s, in %(days)s days.",
                        agency=order.agency.name,
                        **params,
                    ),
                    f"/orders/{order.id}",
                ),
            ],
        )
    return sent


# --- catalog contracts ---------------------------------------------------------------------------------------------


def catalog_contract_end_alerts(session: Session, today: date, settings: Settings | None = None) -> int:
    """Catalog contracts ending in 60 days: the supplier and the contracting officers."""
    sent = 0
    horizon = today + timedelta(days=max(CATALOG_CONTRACT_END_THRESHOLDS))
    ending = session.scalars(
        select(CatalogContract)
        .where(
            CatalogContract.status.in_([CatalogState.CONTRACTED, CatalogState.SUSPENDED]),
            CatalogContract.period_end >= today,
            CatalogContract.period_end <= horizon,
        )
        .order_by(CatalogContract.id)
    ).all()
    officers = _users(session, role=Role.CONTRACTING_OFFICER)
    for contract in ending:
        days = (contract.period_end - today).days
        threshold = threshold_reached(days, CATALOG_CONTRACT_END_THRESHOLDS)
        if threshold is None:
            continue
        until = contract.period_end.isoformat()
        params = {"number": contract.number, "service": contract.service.name, "date": until, "days": days}
        sent += alert(
            session,
            today,
            kind="catalog_contract_ending",
            object_key=f"catalog_contract:{contract.id}:{until}",
            threshold=str(threshold),
            messages=[
                (
                    _users(session, organisation_id=contract.supplier_id),
                    N_(
                        "Catalog contract %(number)s of %(service)s ends on %(date)s, in %(days)s days. "
                        "Apply for a new catalog contract in time to stay in the digital service mall.",
                        **params,
                    ),
                    f"/supplier/catalog-contracts/{contract.id}",
                ),
                (
                    officers,
                    N_(
                        "Catalog contract %(number)s of %(service)s (%(supplier)s) ends on %(date)s, in %(days)s days.",
                        supplier=contract.supplier.name,
                        **params,
                    ),
                    f"/officer/catalog-contracts/{contract.id}",
                ),
            ],
        )
    return sent


# --- invoices ------------------------------------------------------------------------------------------------------


def overdue_invoice_alerts(session: Session, today: date, settings: Settings | None = None) -> int:
    """Overdue invoices are flagged, and the agency and the operators told, by settlement's own job."""
    return len(flag_overdue_invoices(session, today))


# --- applications waiting ------------------------------------------------------------------------------------------


def _document_check_late(**params) -> Text:
    return N_(
        "Application %(id)s (%(name)s) has waited %(days)s days for its document check, longer than the "
        "target of %(target)s days.",
        **params,
    )


def _expert_review_late(**params) -> Text:
    return N_(
        "Application %(id)s (%(name)s) has been in expert review for %(days)s days, longer than the "
        "target of %(target)s days.",
        **params,
    )


#: step -> (the states of the step, the state whose entry starts the clock, the message)
WAITING_STEPS = {
    "document_check": ((State.SUBMITTED, State.DOCUMENT_CHECK), State.SUBMITTED, _document_check_late),
    "expert_review": ((State.EXPERT_REVIEW,), State.EXPERT_REVIEW, _expert_review_late),
}


def targets(settings: Settings | None) -> dict[str, int]:
    """Days an application may spend in each step (``DM_TARGET_*_DAYS``)."""
    return {
        "document_check": settings.target_document_check_days if settings else Settings.target_document_check_days,
        "expert_review": settings.target_expert_review_days if settings else Settings.target_expert_review_days,
    }


def waiting_application_alerts(session: Session, today: date, settings: Settings | None = None) -> int:
    """Applications waiting longer than the target of their step: the operators, once per stay in it."""
    sent = 0
    target_days = targets(settings)
    operators = _users(session, role=Role.OPERATOR)
    for step, (states, start_state, message) in WAITING_STEPS.items():
        waiting = session.scalars(
            select(Application).where(Application.state.in_([str(s) for s in states])).order_by(Application.id)
        ).all()
        for application in waiting:
            entered = [e.occurred_at for e in application.events if e.to_state == start_state]
            if not entered:
                continue
            since = entered[-1].astimezone(KST).date()
            if not waited_too_long(since, today, target_days[step]):
                continue
            sent += alert(
                session,
                today,
                kind="application_waiting",
                object_key=f"application:{application.id}:{step}:{since.isoformat()}",
                threshold="late",  # once per stay in the step, even if the target changes meanwhile
                messages=[
                    (
                        operators,
                        message(
                            id=application.id,
                            name=application.name,
                            days=(today - since).days,
                            target=target_days[step],
                        ),
                        f"/operator/applications/{application.id}",
                    )
                ],
            )
    return sent


ALERTS: dict[str, Callable[[Session, date, Settings | None], int]] = {
    "certificates": certificate_alerts,
    "orders_ending": order_end_alerts,
    "catalog_contracts_ending": catalog_contract_end_alerts,
    "overdue_invoices": overdue_invoice_alerts,
    "applications_waiting": waiting_application_alerts,
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
