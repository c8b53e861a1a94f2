"""Two years of demo trade, played through the workflows day by day (2024-12 to today): catalog contracts
with PPS (amended, suspended, expired, and applications in the officer's queue), quote requests and
orders by 15 agencies from many suppliers (both methods, every state, some changed, some terminated),
monthly usage, inspections and payments, and reviews. Only services already selected and published
(`selection.py`) are contracted, asked for quotes or ordered.

Deterministic: one seeded random generator and a fixed order of steps. Everything goes through the
workflows, as users would act, so the audit chain holds all of it.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..accounts import workflow as accounts
from ..accounts.permissions import Actor
from ..accounts.rules import Role
from ..accounts.tables import Organisation, User
from ..accounts.workflow import actor_of
from ..catalog.tables import Service
from ..contracting.catalog_contracts import applying, contract_items, officer_steps
from ..contracting.orders import access, changing, confirming, ending, making
from ..contracting.orders import documents as contract_documents
from ..contracting.quotes import answering, asking, awarding
from ..contracting.rules import add_months
from ..contracting.tables import CatalogContract, Order, Quote
from ..core.clock import KST, today_kst
from ..core.files import DocumentStore
from ..core.notifications import mark_all_read
from ..core.tables import utcnow
from ..settlement import reviews, usage
from ..settlement.rules import due_date, is_working_day
from ..settlement.tables import Invoice
from .accounts import DEMO_PASSWORD
from .community import plan_community
from .history import Calendar, at, need

FIRST_DAY = date(2024, 11, 1)

#: Agencies added to the four of `accounts`: (code, name, kind, buyer e-mail, buyer name).
MORE_AGENCIES = [
    ("1721000", "디지털혁신부", "central", "buyer3@demo.kr", "문혁신"),
    ("1661000", "국민안전처", "central", "buyer4@demo.kr", "안전호"),
    ("1480000", "녹색환경부", "central", "buyer5@demo.kr", "나푸름"),
    ("6410000", "푸른도", "local", "buyer6@demo.kr", "도민수"),
    ("6260000", "바다광역시", "local", "buyer7@demo.kr", "하바다"),
    ("5010000", "솔내군", "local", "buyer8@demo.kr", "송솔내"),
    ("B551182", "국민건강데이터원", "public_institution", "buyer9@demo.kr", "강건강"),
    ("B552015", "한국교통정보공사", "public_institution", "buyer10@demo.kr", "고교통"),
    ("7530000", "푸른도교육청", "education", "buyer11@demo.kr", "배움터"),
]
#: Buyers for the demo agencies that have none yet.
MORE_BUYERS = [
    ("한국디지털진흥공단", "buyer12@demo.kr", "진흥원"),
    ("한빛시교육청", "buyer13@demo.kr", "교육상"),
]

#: Monthly budget (KRW, without VAT) an agency typically spends on a service of a type.
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
REJECTIONS = [
    "보고된 사용자 수가 실제 계정 수와 다릅니다. 확인 후 다시 보고해 주십시오.",
    "월 중 장애 시간(SLA 미달)에 대한 감액이 반영되지 않았습니다.",
]
REVIEW_TEXTS = {
    5: [
        "도입 2주 만에 전 직원이 사용하게 되었습니다. 기술지원 응답이 빠르고 정확합니다.",
        "장애 없이 안정적으로 운영되고 있으며 월별 보고서도 충실합니다. 다른 기관에도 추천합니다.",
        "기존 구축형 대비 비용이 크게 줄었고, 기능 개선도 꾸준히 반영됩니다.",
    ],
    4: [
        "전반적으로 만족합니다. 관리자 화면이 조금 더 직관적이면 좋겠습니다.",
        "성능과 안정성은 좋으나 초기 연계 작업에 시간이 걸렸습니다.",
        "교육 자료가 잘 갖추어져 있어 직원들이 쉽게 적응했습니다.",
    ],
    3: ["기능은 충분하지만 맞춤 요청에 대한 대응이 느린 편입니다."],
    2: ["계약 초기에 장애가 잦았고 보고가 늦었습니다. 개선을 기대합니다."],
}
ANSWERS = [
    "소중한 의견 감사합니다. 말씀하신 부분은 다음 분기 업데이트에 반영하겠습니다.",
    "이용해 주셔서 감사합니다. 앞으로도 안정적인 서비스로 보답하겠습니다.",
    "불편을 드려 죄송합니다. 장애 대응 체계를 보강했으며 담당자가 별도로 연락드리겠습니다.",
]


@dataclass
class World:
    """Who acts in the demo and what the steps share."""

    session: Session
    store: DocumentStore
    rng: random.Random
    calendar: Calendar
    officer: Actor
    buyers: list[Actor]
    supplier_users: dict[int, Actor]  # organisation id -> a user of it
    services: list[Service]
    contracted: dict[int, CatalogContract] = field(default_factory=dict)  # service id -> contract
    counts: Counter = field(default_factory=Counter)
    blocked: set[int] = field(default_factory=set)  # services whose trade will be suspended

    def documents(self, order: Order) -> None:
        """The documents the order's versions wait for, made at once: the whole history is one transaction,
        so the after-commit consumer (`orders.documents`) would only run once it is over, and each
        confirmation needs its document. The consumer then finds nothing left to make."""
        contract_documents.make_pending(self.session, order, self.store)


def _users(session: Session) -> dict[str, User]:
    return {u.email: u for u in session.scalars(select(User))}


def _add_people(session: Session) -> None:
    """The agencies and buyers added for the demo, and one user for each company of the demo catalog."""
    names = {o.name: o for o in session.scalars(select(Organisation))}
    buyers = list(MORE_BUYERS)
    for number, (code, name, kind, email, person) in enumerate(MORE_AGENCIES, start=1):
        head, address = _contract_details(number)
        agency = accounts.NewAgency(code, name, kind, "044-000-0000", representative=head, address=address)
        names[name] = accounts.create_agency(session, None, agency)
        buyers.append((name, email, person))
    for organisation, email, person in buyers:
        user = accounts.NewUser(email, person, Role.AGENCY_BUYER, names[organisation].id, DEMO_PASSWORD)
        accounts.create_user(session, None, user)
    sellers: dict[int, Actor] = {}
    for user in session.scalars(select(User).where(User.role == Role.SUPPLIER).order_by(User.id)):
        sellers.setdefault(user.organisation_id, actor_of(user))
    for org in session.scalars(select(Organisation).where(Organisation.kind == "supplier").order_by(Organisation.id)):
        if org.id not in sellers:
            email = f"sales-{org.business_number}@demo.kr"
            user = accounts.NewUser(email, f"{org.name} 영업담당", Role.SUPPLIER, org.id, DEMO_PASSWORD)
            sellers[org.id] = actor_of(accounts.create_user(session, None, user))
        seller = sellers[org.id]  # the catalog's companies have theirs since they applied (selection.py)
        if accounts.contract_party_gaps(org):  # contract documents print the representative and address
            head, address = _contract_details(org.id)
            profile = accounts.SupplierProfileChange(
                org.version, org.name, org.representative or head, org.size or "sme", address=org.address or address
            )
            accounts.update_supplier_profile(session, seller, profile)


#: Fictional surnames, given names and streets for the details contract documents print.
_SURNAMES, _GIVEN = "김이박최정강조윤장임", ("민준", "서연", "도윤", "하은", "지호", "수아", "현우", "지민")
_CITIES = ("서울특별시 가상구", "세종특별자치시", "부산광역시 바다구", "대전광역시 한빛구", "경기도 가상시")


def _contract_details(number: int) -> tuple[str, str]:
    """A representative (or head of agency) and an address for a demo organisation, the same each time."""
    person = _SURNAMES[number % len(_SURNAMES)] + _GIVEN[number % len(_GIVEN)]
    return person, f"{_CITIES[number % len(_CITIES)]} 디지털가상로 {10 + number}"


def published_on(service: Service) -> date:
    """The day (KST) the service was published after its selection."""
    return service.published_at.astimezone(KST).date()


def on_sale(service: Service, day: date) -> bool:
    """Whether buyers could find the service on ``day``: published a few days before."""
    return published_on(service) + timedelta(days=3) <= day


# --- catalog contracts -------------------------------------------------------------------------------------------


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


def _plan_catalog(world: World) -> list[Service]:
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


# --- quotes and orders ---------------------------------------------------------------------------------------


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
    termination and a review as ``fate`` and chance say."""
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

    if fate != "negotiated":
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
    cal.later(ordered, 2, confirm(buyer), hour=rng.randint(13, 17))

    # usage, inspection and payment: each month of the period, reported early the next month
    end_day = add_months(start, months) - timedelta(days=1)
    terminate_on = None
    if fate == "terminate":
        terminate_on = add_months(start, max(1, months // 2))
    month = start
    while month <= end_day and (terminate_on is None or month < terminate_on):
        report_day = add_months(month, 1) + timedelta(days=rng.randint(2, 6))
        cal.add(at(report_day, rng.randint(9, 17)), _invoice_story(world, box, month, report_day))
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
        cal.add(at(review_day, 16), _review_story(world, box))


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


def _invoice_story(world: World, box: dict, month: date, report_day: date):
    cal, rng, session = world.calendar, world.rng, world.session
    label = f"{month:%Y-%m}"

    def report(now):
        order = box.get("order")
        if order is None or order.status not in usage.REPORTABLE or month > usage.period_end(order):
            return
        supplier = world.supplier_users[order.supplier_id]
        share = rng.uniform(0.85, 1.0)
        quantities = {
            line.position: line.quantity if line.billing == "monthly" else max(0, int(line.quantity * share))
            for line in order.current_lines()
            if line.billing != "fixed"
        }
        invoice = usage.report_usage(session, supplier, order.id, usage.UsageIn(label, quantities), now=now)
        world.counts["invoices"] += 1
        buyer = actor_of(session.get(User, order.buyer_id))
        inspect = now + timedelta(days=rng.randint(15, 30) if rng.random() < 0.06 else rng.randint(1, 4))
        if rng.random() < 0.08:
            cal.add(at(inspect.astimezone(KST).date(), 14), _reject(world, invoice, buyer, supplier, quantities))
        else:
            cal.add(at(inspect.astimezone(KST).date(), 14), _accept(world, invoice, buyer))

    return report


def _reject(world: World, invoice: Invoice, buyer: Actor, supplier: Actor, quantities: dict[int, int]):
    cal, rng, session = world.calendar, world.rng, world.session

    def step(now):
        usage.reject(session, buyer, invoice.id, invoice.version, rng.choice(REJECTIONS), now=now)

        def correct(later):
            fixed = {k: max(1, int(v * 0.95)) for k, v in quantities.items()}
            note = "지적하신 내용을 반영하여 수량을 정정했습니다."
            usage.correct(
                session, supplier, invoice.id, invoice.version, usage.UsageIn(invoice.month, fixed, note), now=later
            )
            cal.later(later, 2, _accept(world, invoice, buyer), hour=11)

        cal.later(now, 2, correct, hour=10)

    return step


def _accept(world: World, invoice: Invoice, buyer: Actor):
    cal, rng, session = world.calendar, world.rng, world.session

    def step(now):
        usage.accept(session, buyer, invoice.id, invoice.version, now=now)
        supplier = world.supplier_users[invoice.order.supplier_id]  # claims the payment (대금청구) the same day
        usage.claim_payment(session, supplier, invoice.id, invoice.version, now=now)
        accepted = now.astimezone(KST).date()
        due = due_date(accepted)
        roll = rng.random()
        if roll < 0.08:
            paid = due + timedelta(days=rng.randint(2, 9))  # late
        else:
            paid = accepted + timedelta(days=rng.randint(1, 4))
            while not is_working_day(paid):
                paid += timedelta(days=1)
            paid = min(paid, due)
        if roll > 0.85 and accepted >= cal.until.astimezone(KST).date() - timedelta(days=30):
            return  # left unpaid: overdue by now

        def pay(later):
            usage.record_payment(session, buyer, invoice.id, invoice.version, paid, now=later)

        cal.add(at(paid, 17), pay)

    return step


def _review_story(world: World, box: dict):
    cal, rng, session = world.calendar, world.rng, world.session

    def step(now):
        order = box.get("order")
        if order is None or reviews.refusal(order, now.astimezone(KST).date()) is not None:
            return
        buyer = actor_of(session.get(User, order.buyer_id))
        rating = rng.choices([5, 4, 3, 2], weights=[50, 35, 10, 5])[0]
        reviews.write(session, buyer, order.id, reviews.ReviewIn(rating, rng.choice(REVIEW_TEXTS[rating])), now=now)
        world.counts["reviews"] += 1
        if rng.random() < 0.4 or rating <= 3:
            supplier = world.supplier_users[order.supplier_id]

            def answer(later):
                review = reviews.review_of_order(session, order.id)
                text = ANSWERS[2] if review.rating <= 3 else rng.choice(ANSWERS[:2])
                reviews.answer(session, supplier, order.id, review.version, text, now=later)

            cal.later(now, rng.randint(1, 5), answer, hour=10)

    return step


def _plan_orders(world: World, in_mall: list[Service], until: date) -> None:
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
    for back in (4, 2):  # waiting for confirmation
        _order_story(world, buyer, rng.choice(own), at(until - timedelta(days=back), 9), "negotiated")


# --- the whole history ----------------------------------------------------------------------------------------


def seed_trade(session: Session, documents_dir: Path, now: datetime | None = None) -> dict[str, int]:
    """Play the demo trade from 2024-11 up to ``now`` (default: now); returns what was made."""
    now = now or utcnow()
    _add_people(session)
    people = _users(session)
    buyers = [actor_of(u) for u in people.values() if u.role == Role.AGENCY_BUYER]
    buyers.sort(key=lambda a: (a.email != "buyer@demo.kr", a.email != "buyer2@demo.kr", a.email))
    supplier_users: dict[int, Actor] = {}
    for user in sorted(people.values(), key=lambda u: u.id):
        if user.role == Role.SUPPLIER:
            supplier_users.setdefault(user.organisation_id, actor_of(user))
    services = list(session.scalars(select(Service).where(Service.status == "published").order_by(Service.id)))
    world = World(
        session=session,
        store=DocumentStore(documents_dir),
        rng=random.Random(20261126),
        calendar=Calendar(session, now),
        officer=actor_of(people["officer@demo.kr"]),
        buyers=buyers,
        supplier_users=supplier_users,
        services=services,
    )
    in_mall = _plan_catalog(world)
    _plan_orders(world, in_mall, today_kst(now))
    actors = {email: actor_of(user) for email, user in people.items()}
    plan_community(world.calendar, session, actors, supplier_users, world.rng)

    def daily(day: date) -> None:
        officer_steps.expire_due_catalog_contracts(session, day)
        ending.activate_and_complete_due_orders(session, day)
        if day.day in (1, 15) or day == today_kst(now):
            usage.flag_overdue_invoices(session, day)
        if day.day == 1:  # people read their notifications now and then: what came this month is unread
            for user in people.values():
                mark_all_read(session, user.id)

    world.calendar.run(FIRST_DAY, daily)
    counts = dict(world.counts)
    counts["orders"] = len(session.scalars(select(Order.id)).all())
    counts["quotes"] = len(session.scalars(select(Quote.id)).all())
    counts["steps"] = world.calendar.done
    counts["refused"] = len(world.calendar.refused)
    counts["skipped"] = world.calendar.skipped
    return counts
