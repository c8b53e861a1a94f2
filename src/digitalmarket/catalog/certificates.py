"""A cloud service's CSAP certificate: the daily run that suspends the services whose certificate has run
out, and recording a renewed one (its supplier or an operator), which publishes such a service again."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..accounts.permissions import Actor, ensure_same_organisation
from ..accounts.rules import Role, required_text_problem
from ..core import audit
from ..core.clock import today_kst
from ..core.errors import Conflict, ValidationFailed
from ..core.i18n import N_
from ..core.tables import utcnow
from .queries import service_by_code
from .rules import CSAP_GRADES, ServiceStatus, ServiceType
from .tables import Service


def suspend_expired_certificates(session: Session, today: date | None = None) -> list[Service]:
    """Cloud services whose CSAP certificate has run out leave the catalog until a valid one is recorded."""
    today = today or today_kst()
    expired = session.scalars(
        select(Service).where(
            Service.status == ServiceStatus.PUBLISHED,
            Service.type.in_([t.value for t in ServiceType if t.is_cloud]),
            Service.csap_valid_until < today,
        )
    ).all()
    for service in expired:
        service.status = ServiceStatus.SUSPENDED
        service.status_reason = f"{CSAP_EXPIRED_REASON} {service.csap_valid_until.isoformat()}"
        service.updated_at = utcnow()
        session.flush()
        audit.record(
            session,
            actor_user_id=None,
            action="service.suspend",
            object_type="service",
            object_id=service.id,
            details={"reason": service.status_reason, "automatic": True},
        )
    return list(expired)


CSAP_EXPIRED_REASON = "CSAP expired"


def record_certificate(
    session: Session,
    actor: Actor,
    code: str,
    *,
    grade: str,
    number: str,
    valid_until: date | None,
    version: int,
    today: date | None = None,
) -> Service:
    """Record a cloud service's renewed CSAP certificate (its supplier or an operator). A service that was
    suspended because its certificate expired is published again at once, with an audit event."""
    from ..core.notifications import notify

    today = today or today_kst()
    service = service_by_code(session, code)
    if actor.role == Role.SUPPLIER:
        ensure_same_organisation(actor, service.supplier_id)
    if not ServiceType(service.type).is_cloud:
        raise Conflict(N_("Only cloud services (IaaS, PaaS, SaaS) carry a CSAP certificate."))
    if service.status == ServiceStatus.DELISTED:
        raise Conflict(N_("A service that is %(state)s cannot be changed that way.", state=service.status))
    problems = {}
    if grade not in CSAP_GRADES:
        problems["csap_grade"] = N_("Choose one of the options.")
    if problem := required_text_problem(number, 50):
        problems["csap_certificate_number"] = problem
    if valid_until is None:
        problems["csap_valid_until"] = N_("Enter a date like 2026-12-31.")
    elif valid_until < today:
        problems["csap_valid_until"] = N_("The certificate has expired; record a valid one.")
    if problems:
        raise ValidationFailed(fields=problems)
    if service.version != version:
        raise Conflict()
    before = {
        "grade": service.csap_grade,
        "number": service.csap_certificate_number,
        "valid_until": service.csap_valid_until.isoformat() if service.csap_valid_until else None,
    }
    service.csap_grade = grade
    service.csap_certificate_number = number.strip()
    service.csap_valid_until = valid_until
    service.updated_at = utcnow()
    republished = service.status == ServiceStatus.SUSPENDED and (service.status_reason or "").startswith(
        CSAP_EXPIRED_REASON
    )
    if republished:
        service.status = ServiceStatus.PUBLISHED
        service.status_reason = None
    session.flush()
    audit.record(
        session,
        actor_user_id=actor.user_id,
        action="service.certificate_recorded",
        object_type="service",
        object_id=service.id,
        details={"before": before, "valid_until": valid_until.isoformat(), "grade": grade},
    )
    if republished:
        audit.record(
            session,
            actor_user_id=actor.user_id,
            action="service.republish",
            object_type="service",
            object_id=service.id,
            details={"reason": "CSAP certificate renewed", "automatic": True},
        )
    message = (
        N_(
            "The renewed CSAP certificate of %(service)s (%(code)s) is recorded, valid until %(date)s; "
            "the service is back in the catalog.",
            service=service.name,
            code=service.code,
            date=valid_until.isoformat(),
        )
        if republished
        else N_(
            "The renewed CSAP certificate of %(service)s (%(code)s) is recorded, valid until %(date)s.",
            service=service.name,
            code=service.code,
            date=valid_until.isoformat(),
        )
    )
    notify(session, _certificate_audience(session, service, actor), message, f"/services/{service.code}", kind="alert")
    return service


def _certificate_audience(session: Session, service: Service, actor: Actor) -> list[int]:
    from ..accounts.tables import User

    query = select(User.id).where(
        User.is_active,
        (User.organisation_id == service.supplier_id) | (User.role == Role.OPERATOR),
        User.id != actor.user_id,
    )
    return list(session.scalars(query))
