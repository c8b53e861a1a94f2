"""Use cases of the catalog: publish a service from checked content, suspend, re-publish, look up."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..accounts.permissions import Actor, ensure_same_organisation
from ..accounts.rules import Role, required_text_problem
from ..core import audit
from ..core.clock import today_kst
from ..core.errors import Conflict, NotFound, ValidationFailed
from ..core.i18n import N_
from ..core.ids import next_code
from ..core.tables import utcnow
from .content_rules import SELECTION_PROFILE, CategoryRef, ContentProfile, clean_content, csap_valid, main_plan_index
from .rules import CSAP_GRADES, ServiceStatus, ServiceType, service_move
from .tables import Category, PricePlan, Service


def category_refs(session: Session) -> dict[int, CategoryRef]:
    return {c.id: CategoryRef(c.id, c.type) for c in session.scalars(select(Category))}


def categories(session: Session) -> list[Category]:
    return list(session.scalars(select(Category).order_by(Category.type, Category.position)))


def publish(
    session: Session,
    *,
    actor_user_id: int | None,
    supplier_id: int,
    content: dict,
    origin: str,
    selected_on: date | None = None,
    committee_round: int | None = None,
    ref: str | None = None,
    profile: ContentProfile = SELECTION_PROFILE,
) -> Service:
    """서비스 등록·공개: a service enters the catalog with its public code, e.g. SAS-2026-00042."""
    clean = clean_content(content, category_refs(session), today_kst(), complete=True, profile=profile)
    service = new_service(
        clean,
        code=next_code(session, ServiceType(clean["type"]).code, today_kst().year),
        supplier_id=supplier_id,
        origin=origin,
        selected_on=selected_on,
        committee_round=committee_round,
        ref=ref,
    )
    session.add(service)
    session.flush()
    audit.record(session, **published_event(actor_user_id, service, origin))
    return service


def new_service(
    clean: dict,
    *,
    code: str,
    supplier_id: int,
    origin: str,
    selected_on: date | None = None,
    committee_round: int | None = None,
    ref: str | None = None,
) -> Service:
    """A service to publish (not yet in the session) from checked content (`clean_content`) and its
    code; a cloud service whose CSAP certificate has run out starts suspended."""
    service_type = ServiceType(clean["type"])
    status, status_reason = ServiceStatus.PUBLISHED, None
    if service_type.is_cloud and not csap_valid(clean, today_kst()):
        status, status_reason = ServiceStatus.SUSPENDED, f"CSAP expired {clean['csap_valid_until']}"
    return Service(
        code=code,
        supplier_id=supplier_id,
        type=service_type.value,
        category_id=clean["category_id"],
        name=clean["name"],
        summary=clean["summary"],
        description=clean["description"],
        features=clean["features"],
        keywords=clean["keywords"],
        deployment=clean["deployment"],
        data_centre_location=clean["data_centre_location"] or None,
        sla_availability=Decimal(clean["sla_availability"]),
        support_hours=clean["support_hours"],
        data_return_policy=clean["data_return_policy"],
        csap_grade=clean["csap_grade"],
        csap_certificate_number=clean["csap_certificate_number"],
        csap_valid_until=date.fromisoformat(clean["csap_valid_until"]) if clean["csap_valid_until"] else None,
        csap_underlying_iaas=clean["csap_underlying_iaas"],
        status=status,
        status_reason=status_reason,
        selected_on=selected_on,
        committee_round=committee_round,
        origin=origin,
        ref=ref,
        price_plans=price_plans(clean),
        main_plan_position=main_plan_index(clean["price_plans"]),
    )


def price_plans(clean: dict) -> list[PricePlan]:
    """The price plans of checked content, in the order listed (the main one is the service's)."""
    return [
        PricePlan(position=i, **{k: v for k, v in plan.items() if k != "main"})
        for i, plan in enumerate(clean["price_plans"])
    ]


def published_event(actor_user_id: int | None, service: Service, origin: str) -> dict:
    """The audit event of a published service (`audit.record`'s arguments), once it has an id."""
    return dict(
        actor_user_id=actor_user_id,
        action="service.published",
        object_type="service",
        object_id=service.id,
        details={"code": service.code, "origin": origin},
    )


CONTENT_COLUMNS = (
    "category_id",
    "name",
    "summary",
    "description",
    "features",
    "keywords",
    "deployment",
    "data_centre_location",
    "support_hours",
    "data_return_policy",
    "csap_grade",
    "csap_certificate_number",
    "csap_underlying_iaas",
)


NULLABLE_COLUMNS = {"data_centre_location", "csap_grade", "csap_certificate_number", "csap_underlying_iaas"}


def replace_content(
    session: Session,
    *,
    actor_user_id: int | None,
    service: Service,
    content: dict,
    reason: str,
    profile: ContentProfile = SELECTION_PROFILE,
) -> Service:
    """Rewrite a published service's fields and price plans; the audit event keeps what it was before."""
    clean = clean_content(content, category_refs(session), today_kst(), complete=True, profile=profile)
    before = rewrite_content(service, clean)
    session.flush()
    audit.record(session, **updated_event(actor_user_id, service, reason, before))
    return service


def rewrite_content(service: Service, clean: dict) -> dict:
    """Put checked content (`clean_content`) into a published service, whose type cannot change; what
    the service held before, for the audit event."""
    refuse_type_change(service, clean)
    before = {name: getattr(service, name) for name in CONTENT_COLUMNS}
    before["price_plans"] = [
        {"name": p.name, "unit": p.unit, "unit_price": p.unit_price, "billing": p.billing} for p in service.price_plans
    ]
    before["main_plan_position"] = service.main_plan_position
    for name in CONTENT_COLUMNS:
        setattr(service, name, clean.get(name) or (None if name in NULLABLE_COLUMNS else clean.get(name)))
    service.sla_availability = Decimal(clean["sla_availability"])
    service.csap_valid_until = date.fromisoformat(clean["csap_valid_until"]) if clean["csap_valid_until"] else None
    service.price_plans = price_plans(clean)
    service.main_plan_position = main_plan_index(clean["price_plans"])
    service.updated_at = utcnow()
    return before


def refuse_type_change(service: Service, clean: dict) -> None:
    """`rewrite_content`'s check, on its own: the content must keep the service's type."""
    if clean["type"] != service.type:
        raise ValidationFailed(fields={"type": N_("The type of a published service cannot change.")})


def updated_event(actor_user_id: int | None, service: Service, reason: str, before: dict) -> dict:
    """The audit event of a rewritten service (`audit.record`'s arguments)."""
    return dict(
        actor_user_id=actor_user_id,
        action="service.updated",
        object_type="service",
        object_id=service.id,
        details={"reason": reason, "before": before},
    )


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


def change_status(session: Session, actor: Actor, code: str, action: str, reason: str, version: int) -> Service:
    """Suspend (거래정지 of the listing), re-publish or delist a service, with a reason."""
    service = service_by_code(session, code)
    problem = required_text_problem(reason, 500)
    if problem:
        raise ValidationFailed(fields={"reason": problem})
    new_status = service_move(action, service.status)
    if service.version != version:
        raise Conflict()
    previous = service.status
    service.status = new_status
    service.status_reason = reason.strip()
    service.updated_at = utcnow()
    session.flush()
    audit.record(
        session,
        actor_user_id=actor.user_id,
        action=f"service.{action}",
        object_type="service",
        object_id=service.id,
        details={"from": previous, "to": str(new_status), "reason": reason.strip()},
    )
    return service


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
