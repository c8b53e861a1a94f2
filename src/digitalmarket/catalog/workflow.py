"""Use cases of the catalog: publish a service from checked content, rewrite a published one, suspend,
re-publish or delist it. Looking services up is in `queries`, their CSAP certificates in `certificates`."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from ..accounts.permissions import Actor
from ..accounts.rules import required_text_problem
from ..core import audit
from ..core.clock import today_kst
from ..core.errors import Conflict, ValidationFailed
from ..core.i18n import N_
from ..core.ids import next_code
from ..core.tables import utcnow
from .content_rules import SELECTION_PROFILE, ContentProfile, clean_content, csap_valid, main_plan_index
from .queries import category_refs, service_by_code
from .rules import ServiceStatus, ServiceType, service_move
from .tables import PricePlan, Service


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
