"""Reminders of deadlines: CSAP certificates expiring (an expired one suspends its service), orders and
catalog contracts ending, invoices overdue; each sent once per threshold of `rules` (`alerts.alert`)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..accounts.rules import Role
from ..catalog.certificates import suspend_expired_certificates
from ..catalog.rules import ServiceStatus, ServiceType
from ..catalog.tables import Service
from ..contracting.states import CatalogState, OrderState
from ..contracting.tables import CatalogContract, Order
from ..core.i18n import N_
from ..core.settings import Settings
from ..settlement.payment import flag_overdue_invoices
from .alerts import active_users, alert
from .rules import CATALOG_CONTRACT_END_THRESHOLDS, CERTIFICATE_THRESHOLDS, ORDER_END_THRESHOLDS, threshold_reached

# --- CSAP certificates ---------------------------------------------------------------------------------------------


def certificate_alerts(session: Session, today: date, settings: Settings | None = None) -> int:
    """Expired certificates suspend their services (with the catalog's audit event) and tell the supplier
    and the operators; certificates expiring in 60, 30 and 7 days are announced to them."""
    sent = 0
    operators = active_users(session, role=Role.OPERATOR)
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
                    active_users(session, organisation_id=service.supplier_id),
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
                    active_users(session, organisation_id=service.supplier_id),
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
                    active_users(session, organisation_id=order.agency_id),
                    N_(
                        "Order %(code)s for %(service)s ends on %(date)s, in %(days)s days. "
                        "Request quotes now to renew it in time.",
                        **params,
                    ),
                    renewal_link(order),
                ),
                (
                    active_users(session, organisation_id=order.supplier_id),
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
    officers = active_users(session, role=Role.CONTRACTING_OFFICER)
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
                    active_users(session, organisation_id=contract.supplier_id),
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
