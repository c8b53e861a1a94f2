"""The demo's catalog contracts with PPS: about 30 signed over two years, some amended, one expired and
one trade-suspended, and applications still in the officer's queue."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from ...catalog.tables import Service
from ...contracting.catalog_contracts import applying, contract_items, officer_steps
from ...contracting.lines import add_months
from ...core.clock import KST
from ..history import at, need
from .world import FIRST_DAY, World, published_on


def _items(service: Service, share: float, plans=None) -> list[contract_items.ItemInput]:
    chosen = plans if plans is not None else service.price_plans
    return [
        contract_items.ItemInput(plan.id, max(1, int(contract_items.ceilings(service)[plan.id] * share)))
        for plan in chosen
    ]


def _catalog_story(world: World, service: Service, applied: datetime, plan: str) -> None:
    """One catalog contract from the application on: ``plan`` says how far it goes and what follows."""
    cal, rng, session = world.calendar, world.rng, world.session
    supplier = world.supplier_users[service.supplier_id]
    officer = world.officer
    two_plans = len(service.price_plans) > 1 and plan == "add_item"
    first_plans = service.price_plans[:1] if two_plans else None
    start = applied.astimezone(KST).date() + timedelta(days=21)
    years = 1 if plan == "expire" else rng.choice([2, 3])
    if years == 2 and add_months(start, 24) <= cal.until.astimezone(KST).date() + timedelta(days=60):
        years = 3  # only the one meant to has expired by now
    end = add_months(start, 12 * years) - timedelta(days=1 if years < 3 else 3)
    box: dict = {}

    def apply(now):
        box["c"] = applying.apply(
            session, supplier, service.id, _items(service, rng.uniform(0.9, 0.97), first_plans), start, end, now=now
        )

    def review(now):
        c = need(box, "c")
        officer_steps.start_review(session, officer, c.id, c.version, now=now)

    def supplement(now):
        c = need(box, "c")
        officer_steps.request_supplement(
            session,
            officer,
            c.id,
            c.version,
            "요금표의 부가가치세 포함 여부와 물품 규격서의 단위가 다릅니다. 확인하여 다시 제출해 주십시오.",
            now=now,
        )

    def resubmit(now):
        c = need(box, "c")
        applying.resubmit(session, supplier, c.id, c.version, now=now)

    def sign(now):
        c = need(box, "c")
        officer_steps.sign(session, officer, c.id, c.version, now=now)
        world.contracted[service.id] = c
        world.counts["catalog_contracts"] += 1

    cal.add(applied, apply)
    if plan == "applied":
        return
    cal.later(applied, 2, review, hour=14)
    if plan == "review":
        return
    if plan in ("supplement", "add_item") or rng.random() < 0.3:
        cal.later(applied, 5, supplement, hour=11)
        if plan == "supplement":
            return
        cal.later(applied, 8, resubmit, hour=16)
        cal.later(applied, 10, review, hour=10)
    cal.later(applied, 14, sign, hour=15)
    signed = applied + timedelta(days=14)

    def amend_price(now):
        c = need(box, "c")
        items = [
            contract_items.ItemInput(i.price_plan_id, int(i.unit_price * 0.93), i.product_id, i.item)
            for i in c.current_items()
        ]
        reason = "원가 절감을 반영하여 단가를 인하합니다."
        officer_steps.amend(session, officer, c.id, c.version, items, None, reason, now=now)

    def amend_item(now):
        c = need(box, "c")
        items = [
            contract_items.ItemInput(i.price_plan_id, i.unit_price, i.product_id, i.item) for i in c.current_items()
        ]
        kept = {i.price_plan_id for i in items}
        ceilings = contract_items.ceilings(service)
        items += [
            contract_items.ItemInput(p.id, int(ceilings[p.id] * 0.95)) for p in service.price_plans if p.id not in kept
        ]
        reason = "신규 요금제를 물품으로 추가합니다."
        officer_steps.amend(session, officer, c.id, c.version, items, None, reason, now=now)

    def extend(now):
        c = need(box, "c")
        items = [
            contract_items.ItemInput(i.price_plan_id, i.unit_price, i.product_id, i.item) for i in c.current_items()
        ]
        longest = add_months(c.period_start, 36) - timedelta(days=3)
        new_end = min(add_months(c.period_end, 6), longest)
        reason = "계약기간을 연장합니다(수요기관 이용 지속)."
        officer_steps.amend(session, officer, c.id, c.version, items, new_end, reason, now=now)

    def suspend(now):
        c = need(box, "c")
        reason = "CSAP 인증 사후점검에서 보완 사항이 확인되어 조치 완료 시까지 거래를 정지합니다."
        officer_steps.suspend(session, officer, c.id, c.version, reason, now=now)

    if plan == "amend_price":
        cal.later(signed, 150, amend_price, hour=11)
    elif plan == "amend_twice":
        cal.later(signed, 120, amend_price, hour=11)
        if years < 3:
            cal.later(signed, 300, extend, hour=11)
        else:
            cal.later(signed, 300, amend_price, hour=11)
    elif plan == "add_item":
        cal.later(signed, 200, amend_item, hour=10)
    elif plan == "suspend":
        cal.add(at(date(2026, 9, 22), 9), suspend)
        world.blocked.add(service.id)


def plan_catalog(world: World) -> list[Service]:
    """About 30 services contracted over two years, one of them expired and one trade-suspended, and five
    applications under way; returns the services in the shopping mall at some time."""
    rng = world.rng
    pool = [s for s in world.services if s.status == "published"]
    rng.shuffle(pool)
    chosen, rest = pool[:31], pool[31:]
    kinds = ["expire", "suspend"] + ["amend_price"] * 3 + ["amend_twice"] * 2
    plain = [s for s in chosen if len(s.price_plans) == 1]
    plain.sort(key=lambda s: published_on(s) > date(2024, 10, 1))  # the expired and suspended: in 2024 already
    multi = [s for s in chosen if len(s.price_plans) > 1]
    ordered = plain[: len(kinds)] + multi + plain[len(kinds) :]  # the first service with two plans gets an item
    kinds += ["add_item"] if multi else []
    for index, service in enumerate(ordered):
        kind = kinds[index] if index < len(kinds) else "contract"
        if kind == "expire":
            applied = at(date(2024, 11, 4), 10)
        elif kind == "suspend":
            applied = at(date(2025, 2, 3), 10)
        else:
            day = FIRST_DAY + timedelta(days=int(rng.triangular(3, 560, 60)))
            day = max(day, published_on(service) + timedelta(days=rng.randint(7, 40)))  # once it is selected
            applied = at(day, rng.randint(9, 17))
        _catalog_story(world, service, applied, kind)
    today = world.calendar.until.astimezone(KST).date()
    waiting = zip(rest[:5], ["applied", "applied", "review", "review", "supplement"], [3, 2, 9, 7, 14], strict=True)
    for offset, (service, kind, back) in enumerate(waiting):
        _catalog_story(world, service, at(today - timedelta(days=back), 10 + offset), kind)
    return chosen
