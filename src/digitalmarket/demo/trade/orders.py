"""The demo's quote requests and orders: about 160 from 2024-12 on by the agencies, from many suppliers,
both methods and every state, some changed and some terminated, each followed by its usage, payments
and review (`settlement`), and the open requests of the last weeks in the demo accounts' inboxes."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from ...accounts.permissions import Actor
from ...catalog.tables import Service
from ...contracting.lines import add_months
from ...contracting.orders import access, changing, confirming, ending, making
from ...contracting.quotes import answering, asking, awarding
from ...core.clock import KST, today_kst
from ...settlement.rules import is_working_day
from ..history import at, need
from .settlement import invoice_story, review_story
from .world import World, on_sale

#: Monthly budget (KRW, without VAT) an agency typically spends on a service of a type.
#: How long ago buyer@demo.kr ordered the service of supplier@demo.kr it uses, and the chance of that story.
IN_USE_DAYS = 160
IN_USE_SEED = 2026

MONTHLY_BUDGET = {
    "IaaS": (6_000_000, 40_000_000),
    "PaaS": (3_000_000, 15_000_000),
    "SaaS": (1_000_000, 6_000_000),
    "SUPPORT": (8_000_000, 30_000_000),
    "CONVERGENCE": (3_000_000, 12_000_000),
}

NEEDS = {
    "IaaS": ["{org} 행정정보시스템 클라우드 전환 인프라", "{org} 대민 서비스 서버 증설", "{org} 재해복구 인프라"],
    "PaaS": ["{org} 업무시스템 개발·운영 플랫폼", "{org} 데이터베이스 관리형 전환", "{org} AI 모델 학습 환경"],
    "SaaS": ["{org} 업무 협업 도구 도입", "{org} {category} 서비스 이용", "{org} 직원용 {category} 구독"],
    "SUPPORT": ["{org} 클라우드 전환 컨설팅", "{org} 클라우드 운영관리 위탁", "{org} 시스템 전환 이행 지원"],
    "CONVERGENCE": ["{org} {category} 시범사업", "{org} 데이터 기반 {category} 구축"],
}
REQUIREMENTS = [
    "공공기관 보안 요건(CSAP)을 충족하고, 데이터는 국내 데이터센터에 보관해야 합니다.",
    "기존 시스템과 연계(SSO, 인사정보)가 필요하며, 전환 기간 동안 병행 운영을 지원해야 합니다.",
    "장애 시 1시간 안에 대응하고, 월별 운영 보고서를 제출해야 합니다.",
    "계약 종료 시 데이터를 표준 형식으로 반환하고 파기 확인서를 제출해야 합니다.",
]
QUOTE_NOTES = [
    "연간 계약 조건으로 할인된 단가입니다. 초기 설정과 교육을 포함합니다.",
    "카탈로그 계약 단가보다 낮춘 가격이며, 전담 기술지원 인력을 배정합니다.",
    "공공기관 도입 사례가 많아 2주 안에 개통할 수 있습니다.",
    "",
]
DECLINES = [
    "요청하신 시작일에 투입 가능한 인력이 없어 이번에는 견적을 드리기 어렵습니다.",
    "요구하신 기관 전용 구성은 현재 요금제로 제공하지 않습니다.",
]
TERMINATIONS = [
    "기관 통합에 따라 정보시스템이 통합되어 더 이상 이용하지 않습니다.",
    "예산 삭감으로 사업이 조기 종료되었습니다.",
    "자체 구축 시스템으로 이관하여 계약을 해지합니다.",
]
CHANGES = [
    "사용자 증가에 따라 수량을 늘립니다.",
    "사업 기간 연장에 따라 이용 개월 수를 늘립니다.",
    "이용량 감소에 맞추어 수량을 줄입니다.",
]


def _first_of_next_month(day: date) -> date:
    return add_months(day.replace(day=1), 1)


def _lines(rng: random.Random, service: Service, months: int) -> list[tuple[int, int, int]]:
    """(plan id, quantity, months) for one or two of the service's plans, sized to a monthly budget."""
    low, high = MONTHLY_BUDGET.get(service.type, MONTHLY_BUDGET["SaaS"])
    budget = rng.uniform(low, high)
    lines = []
    plans = service.price_plans[: rng.choice([1, 1, 2])]
    for plan in plans:
        price = max(plan.unit_price, 1)
        if plan.billing == "fixed":
            quantity = max(1, min(12, round(budget * 0.6 / price))) if plan.unit == "인월" else 1
        else:
            quantity = max(1, min(1_000_000, round(budget / len(plans) / price)))
        lines.append((plan.id, quantity, max(months, plan.min_term_months)))  # never below the minimum term
    return lines


def _months(rng: random.Random, service: Service) -> int:
    if service.type == "SUPPORT":
        return rng.choice([3, 6, 6, 9])
    if service.type == "IaaS":
        return rng.choice([12, 12, 24, 36])
    return rng.choice([6, 12, 12, 12, 24])


def _order_story(world: World, buyer: Actor, service: Service, asked: datetime, fate: str) -> None:
    """An order from the asking to its end: a quote request to several services (or a negotiated
    contract made directly), both confirmations, then usage, inspection, payment, a change, an early
    termination and a review as ``fate`` and chance say. ``unconfirmed``: a negotiated contract the
    supplier has confirmed and the buyer not yet."""
    cal, rng, session = world.calendar, world.rng, world.session
    day = asked.astimezone(KST).date()
    months = _months(rng, service)
    lines = _lines(rng, service, months)
    start = _first_of_next_month(day + timedelta(days=10))
    box: dict = {}
    org = buyer.organisation_name

    def ceiling_share(plan_id: int, share: float) -> int:
        plan = next(p for p in service.price_plans if p.id == plan_id)
        contract = making.catalog_contract_of(session, service, today_kst())
        return max(1, int(making.plan_ceiling(plan, contract) * share))

    if fate not in ("negotiated", "unconfirmed"):
        same = [
            s
            for s in world.services
            if s.category_id == service.category_id
            and s.id != service.id
            and s.id not in world.blocked
            and on_sale(s, day)
        ]
        others = rng.sample(same, min(len(same), rng.choice([1, 2, 2, 3])))
        title = rng.choice(NEEDS.get(service.type, NEEDS["SaaS"])).format(org=org, category=_category(service))

        def ask(now):
            _fit_catalog_period(session, service, start, lines, now)
            asks = [asking.ServiceAsk(service.code, [asking.LineIn(p, q, m) for p, q, m in lines])]
            for other in others:
                other_lines = _lines(rng, other, months)
                asks.append(asking.ServiceAsk(other.code, [asking.LineIn(p, q, m) for p, q, m in other_lines]))
            deadline = day + timedelta(days=7)
            data = asking.RequestIn(title, rng.choice(REQUIREMENTS), start, deadline, asks)
            box["request"] = asking.create_request(session, buyer, data, now=now)
            world.counts["quote_requests"] += 1

        def answer_or_decline(quote_index: int, winner: bool):
            def step(now):
                request = need(box, "request")
                quote = sorted(request.quotes, key=lambda q: q.id)[quote_index]
                supplier = world.supplier_users[quote.supplier_id]
                if not winner and rng.random() < 0.25:
                    answering.decline(session, supplier, quote.id, quote.version, rng.choice(DECLINES), now=now)
                    return
                share = rng.uniform(0.86, 0.95) if winner else rng.uniform(0.93, 1.0)
                contract = making.catalog_contract_of(session, quote.service, now.astimezone(KST).date())
                plans = {p.id: p for p in quote.service.price_plans}
                highest = {
                    line.id: min(line.catalog_unit_price, making.plan_ceiling(plans[line.price_plan_id], contract))
                    for line in quote.lines
                }
                prices = {line_id: max(1, int(price * share)) for line_id, price in highest.items()}
                valid = now.astimezone(KST).date() + timedelta(days=30)
                answering.answer(
                    session, supplier, quote.id, quote.version, prices, valid, rng.choice(QUOTE_NOTES), now=now
                )

            return step

        def award(now):
            request = need(box, "request")
            quote = sorted(request.quotes, key=lambda q: q.id)[0]
            answered = [q for q in request.quotes if q.status == "quoted"]
            lowest = min(answered, key=lambda q: answering.quote_amounts(q).total)
            reason = "최저가 견적" if lowest.id == quote.id else "보안 인증 등급과 지원 체계가 요구사항에 더 잘 맞음"
            early = "사업 착수 일정이 급해 마감 전에 낙찰함" if awarding.waiting_suppliers(request, now) else ""
            box["order"] = awarding.award(
                session,
                buyer,
                request.id,
                quote.id,
                quote.version,
                now=now,
                reason=reason,
                early_reason=early,
            )
            world.documents(box["order"])

        cal.add(asked, ask)
        if fate != "waiting":  # else the first supplier has yet to answer
            cal.later(asked, rng.uniform(1, 3), answer_or_decline(0, True), hour=rng.randint(9, 17))
        for index in range(1, len(others) + 1):
            cal.later(asked, rng.uniform(1, 6), answer_or_decline(index, False), hour=rng.randint(9, 17))
        if fate in ("open", "waiting"):
            return
        cal.later(asked, 8, award, hour=10)
        ordered = asked + timedelta(days=8)
    else:

        def negotiate(now):
            given = [making.OrderLineIn(p, q, m, ceiling_share(p, rng.uniform(0.9, 1.0))) for p, q, m in lines]
            data = making.NegotiatedIn(service.code, start, given)
            box["order"] = making.create_negotiated(session, buyer, data, now=now)
            world.documents(box["order"])

        cal.add(asked, negotiate)
        ordered = asked

    supplier = world.supplier_users[service.supplier_id]

    def confirm(actor):
        def step(now):
            order = need(box, "order")
            confirming.confirm(session, actor, order.id, order.version, now=now)
            world.documents(order)

        return step

    cal.later(ordered, 1, confirm(supplier), hour=rng.randint(9, 12))
    buyer_hour = rng.randint(13, 17)  # drawn in any case, so that the stories after this one stay the same
    if fate == "unconfirmed":  # the buyer has yet to confirm, at whatever hour the demo is seeded
        return
    cal.later(ordered, 2, confirm(buyer), hour=buyer_hour)

    # usage, inspection and payment: each month of the period, reported early the next month
    end_day = add_months(start, months) - timedelta(days=1)
    terminate_on = None
    if fate == "terminate":
        terminate_on = add_months(start, max(1, months // 2))
    month = start
    while month <= end_day and (terminate_on is None or month < terminate_on):
        report_day = add_months(month, 1) + timedelta(days=rng.randint(2, 6))
        cal.add(at(report_day, rng.randint(9, 17)), invoice_story(world, box, month, report_day))
        month = add_months(month, 1)
    if terminate_on is not None:

        def terminate(now):
            order = need(box, "order")
            ending.terminate(session, buyer, order.id, order.version, rng.choice(TERMINATIONS), now=now)

        cal.add(at(terminate_on - timedelta(days=1), 11), terminate)
    if fate == "change":
        change_day = add_months(start, min(3, months - 1))

        def propose(now):
            order = need(box, "order")
            grow = rng.random() < 0.8
            given = [
                changing.ChangeLineIn(
                    line.position,
                    _changed(line.quantity, grow) if line.billing != "fixed" else line.quantity,
                    line.months,
                    line.unit_price,
                )
                for line in order.current_lines()
            ]
            if all(line.billing == "fixed" for line in order.current_lines()):
                given = [changing.ChangeLineIn(g.position, g.quantity, g.months + 3, g.unit_price) for g in given]
            reason = CHANGES[0] if grow else CHANGES[2]
            changing.propose_change(session, buyer, order.id, order.version, changing.ChangeIn(reason, given), now=now)
            world.documents(order)

        def accept_change(now):
            order = need(box, "order")
            pending = access.pending_change(order)
            if pending is not None:
                changing.confirm_change(session, supplier, order.id, order.version, pending.seq, now=now)
                world.documents(order)

        cal.add(at(change_day, 10), propose)
        cal.add(at(change_day + timedelta(days=3), 15), accept_change)
    review_day = end_day + timedelta(days=rng.randint(3, 20)) if months <= 12 else add_months(start, 6)
    if rng.random() < 0.5 and fate != "terminate":
        cal.add(at(review_day, 16), review_story(world, box))


def _changed(quantity: int, grow: bool) -> int:
    return max(quantity + 1, int(quantity * 1.2)) if grow else max(1, int(quantity * 0.8))


def _fit_catalog_period(session: Session, service: Service, start: date, lines: list, now: datetime) -> None:
    """Shorten the asked months so that a delivery request falls inside the catalog contract in force."""
    contract = making.catalog_contract_of(session, service, now.astimezone(KST).date())
    if contract is None:
        return
    longest = 1
    while add_months(start, longest + 1) - timedelta(days=1) <= contract.period_end and longest < 60:
        longest += 1
    lines[:] = [(plan, quantity, min(months, longest)) for plan, quantity, months in lines]


def _category(service: Service) -> str:
    return service.category.name_ko if getattr(service, "category", None) else service.type


def plan_orders(world: World, in_mall: list[Service], until: date) -> None:
    """About 160 orders from 2024-12 on, more each quarter, and open quote requests of the last weeks."""
    rng = world.rng
    by_size = {"sme": [], "middle": [], "large": []}
    for service in world.services:
        if service.id not in world.blocked:
            by_size[service.supplier.size or "sme"].append(service)
    mall = {s.id for s in in_mall}
    first = date(2024, 12, 2)
    span = (until - first).days
    total = 165
    buyer_weights = [6 if b.email == "buyer@demo.kr" else 3 if b.email == "buyer2@demo.kr" else 1 for b in world.buyers]
    for number in range(total):
        offset = int(span * (number / total) ** 0.8) + rng.randint(0, 6)
        asked_day = min(first + timedelta(days=offset), until - timedelta(days=1))
        while not is_working_day(asked_day):
            asked_day -= timedelta(days=1)
        size = rng.choices(["sme", "middle", "large"], weights=[76, 14, 10])[0]
        candidates = [s for s in by_size[size] if on_sale(s, asked_day)]
        candidates = candidates or [s for s in world.services if on_sale(s, asked_day)]
        in_mall_now = [s for s in candidates if s.id in mall]
        service = rng.choice(in_mall_now if in_mall_now and rng.random() < 0.55 else candidates)
        buyer = rng.choices(world.buyers, weights=buyer_weights)[0]
        roll = rng.random()
        fate = "negotiated" if roll < 0.35 else "terminate" if roll < 0.39 else "change" if roll < 0.47 else "quote"
        _order_story(world, buyer, service, at(asked_day, rng.randint(9, 17)), fate)
    # the inboxes of the demo accounts: open requests of the last days, answered, declined and waiting
    buyer = next(b for b in world.buyers if b.email == "buyer@demo.kr")
    own = [
        s
        for s in world.services
        if world.supplier_users[s.supplier_id].email == "supplier@demo.kr" and s.id not in world.blocked
    ]
    for back, service in zip((9, 6, 3, 1), own * 2, strict=False):
        _order_story(world, buyer, service, at(until - timedelta(days=back), 10), "open" if back > 3 else "waiting")
    for back in (5, 2):
        service = rng.choice(by_size["sme"])
        _order_story(world, rng.choice(world.buyers[2:]), service, at(until - timedelta(days=back), 11), "open")
    for back in (4, 2):  # waiting for the buyer's confirmation, the supplier's given
        _order_story(world, buyer, rng.choice(own), at(until - timedelta(days=back), 9), "unconfirmed")
    # supplier@demo.kr's own bills: buyer@demo.kr has used one of its services for five months, reported,
    # inspected and paid month by month, so that the demo supplier finds every settlement step on its pages.
    # The story draws from a chance of its own, so that every other story of the demo stays as it was.
    asked = until - timedelta(days=IN_USE_DAYS)
    on_sale_then = [s for s in own if on_sale(s, asked)]
    if on_sale_then:
        in_use = replace(world, rng=random.Random(IN_USE_SEED))
        _order_story(in_use, buyer, on_sale_then[0], at(asked, 10), "negotiated")
