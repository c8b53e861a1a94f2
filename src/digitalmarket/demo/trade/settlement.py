"""What follows a demo order's confirmation: the supplier's monthly usage reports, the buyer's inspection
(some rejected and corrected), the payment claims and payments (some late, some left overdue), and the
buyers' reviews with the suppliers' answers."""

from __future__ import annotations

from datetime import date, timedelta

from ...accounts.permissions import Actor
from ...accounts.tables import User
from ...accounts.user_accounts import actor_of
from ...core.clock import KST
from ...settlement import inspection, invoices, payment, reviews, usage
from ...settlement.rules import due_date, is_working_day
from ...settlement.tables import Invoice
from ..history import at
from .world import World

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


def invoice_story(world: World, box: dict, month: date, report_day: date):
    cal, rng, session = world.calendar, world.rng, world.session
    label = f"{month:%Y-%m}"

    def report(now):
        order = box.get("order")
        if order is None or order.status not in invoices.REPORTABLE or month > invoices.period_end(order):
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
        inspection.reject(session, buyer, invoice.id, invoice.version, rng.choice(REJECTIONS), now=now)

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
        inspection.accept(session, buyer, invoice.id, invoice.version, now=now)
        supplier = world.supplier_users[invoice.order.supplier_id]  # claims the payment (대금청구) the same day
        payment.claim_payment(session, supplier, invoice.id, invoice.version, now=now)
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
            payment.record_payment(session, buyer, invoice.id, invoice.version, paid, now=later)

        cal.add(at(paid, 17), pay)

    return step


def review_story(world: World, box: dict):
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
