"""Looking up the catalog: its categories, a service by code (as the public sees it, or any) or by the
ref it was imported under, the public's published services and a supplier's."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..core.errors import NotFound
from ..core.i18n import N_
from .content_rules import CategoryRef
from .rules import ServiceStatus
from .tables import Category, Service


def category_refs(session: Session) -> dict[int, CategoryRef]:
    return {c.id: CategoryRef(c.id, c.type) for c in session.scalars(select(Category))}


def categories(session: Session) -> list[Category]:
    return list(session.scalars(select(Category).order_by(Category.type, Category.position)))


def service_by_ref(session: Session, ref: str) -> Service | None:
    return session.scalar(select(Service).where(Service.ref == ref))


def services_by_ref(session: Session, refs: Iterable[str]) -> dict[str, Service]:
    """The services imported under these refs, by ref, in one query a thousand refs."""
    wanted = list(dict.fromkeys(refs))
    found: dict[str, Service] = {}
    for start in range(0, len(wanted), 1000):
        query = select(Service).where(Service.ref.in_(wanted[start : start + 1000]))
        found.update((service.ref, service) for service in session.scalars(query))
    return found


def service_by_code(session: Session, code: str) -> Service:
    service = session.scalar(select(Service).where(Service.code == code))
    if service is None:
        raise NotFound(N_("The page or item you asked for does not exist."))
    return service


def public_service(session: Session, code: str) -> Service:
    """A service as the public sees it: published or suspended (with its notice), never delisted."""
    service = service_by_code(session, code)
    if service.status == ServiceStatus.DELISTED:
        raise NotFound()
    return service


def public_services_by_code(session: Session, codes: Iterable[str]) -> list[Service]:
    """The services of these codes as the public sees them (`public_service`), in the order given; a 404
    naming every code that is not one of them, so that the caller knows which to correct."""
    found, unknown = [], []
    for code in codes:
        try:
            found.append(public_service(session, code))
        except NotFound:
            unknown.append(code)
    if unknown:
        named = N_("No published service has the code %(codes)s.", codes=", ".join(unknown))
        raise NotFound(named, fields={"codes": named})
    return found


def public_services(session: Session, service_type: str | None = None, limit: int = 200) -> list[Service]:
    query = select(Service).where(Service.status == ServiceStatus.PUBLISHED)
    if service_type:
        query = query.where(Service.type == service_type)
    return list(session.scalars(query.order_by(Service.published_at.desc()).limit(limit)))


def services_of_supplier(session: Session, supplier_id: int) -> list[Service]:
    query = select(Service).where(Service.supplier_id == supplier_id)
    return list(session.scalars(query.order_by(Service.published_at.desc())))


def other_published_services(session: Session, supplier_id: int, except_id: int) -> list:
    """Code, name and type of the supplier's other published services, newest first, as a service page
    lists them: rows of three columns, not whole services with their supplier, category and price plans."""
    query = select(Service.code, Service.name, Service.type).where(
        Service.supplier_id == supplier_id, Service.status == ServiceStatus.PUBLISHED, Service.id != except_id
    )
    return list(session.execute(query.order_by(Service.published_at.desc())))
