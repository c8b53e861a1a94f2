"""The demo accounts' own applications around today: one in each state before the committee, the last
decided round's selection (published) and rejection, and two applications of the open round."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

from ...accounts.permissions import Actor
from ...selection import committee_votes, screening, workflow
from ...selection.rules import Criterion, next_month
from ..history import at, need
from .rounds import meeting_day, month_before, working_moment
from .world import SUPPLEMENTS, Selection

SUPPLEMENT_REPLY = (
    "SLA에 장애 대응 시간(접수 후 1시간 안에 조치 시작)을 넣었습니다. 요금표 단가는 신청서와 맞추는 중입니다."
)


def _content(categories, kind, category, name, summary, plan_name, unit, price):
    content = {
        "type": kind,
        "category_id": categories[(kind, category)],
        "name": name,
        "summary": summary,
        "description": f"{name}: {summary}. 공공기관 도입 사례와 운영 체계를 갖추었습니다.",
        "features": ["관리자 대시보드", "권한 관리", "감사 로그"],
        "keywords": [name.split()[-1], category],
        "deployment": "public",
        "data_centre_location": "대한민국(경기·대전)",
        "sla_availability": "99.9",
        "support_hours": "평일 09:00-18:00, 장애 24시간",
        "data_return_policy": "계약 종료 후 30일 안에 데이터를 반환하고 파기합니다.",
        "price_plans": [
            {
                "name": plan_name,
                "billing": "monthly",
                "unit": unit,
                "unit_price": price,
                "vat_included": False,
                "min_term_months": 0,
            }
        ],
    }
    if kind in ("IaaS", "PaaS", "SaaS"):
        content |= {
            "csap_grade": "하",
            "csap_certificate_number": "CSAP-DEMO-2026-0001",
            "csap_valid_until": "2028-03-31",
            "csap_underlying_iaas": "한빛 클라우드",
        }
    return content


def plan_applications(world: Selection, users: dict[str, Actor], today: date) -> None:
    """The demo accounts' applications around today: one in each state before the committee, the last
    decided round's selection (published) and rejection, and two applications of the open round."""
    cal = world.calendar
    supplier1, supplier2 = users["supplier@demo.kr"], users["supplier2@demo.kr"]
    supplier3, supplier4 = users["contact-3148620457@demo.kr"], users["contact-1078736528@demo.kr"]
    operator = world.operator
    session = world.session

    def content(*args):
        return _content(world.categories, *args)

    def days_ago(days: int, hour: int) -> datetime:
        return at(today - timedelta(days=days), hour)

    # A draft, partly filled in.
    def draft(now):
        partial = {
            "type": "SaaS",
            "category_id": world.categories[("SaaS", "데이터분석·BI")],
            "name": "가상 민원 분석 BI",
            "summary": "민원 데이터를 시각화하는 분석 도구",
        }
        workflow.create_application(session, supplier1, partial)
        world.counts["applications"] += 1

    cal.add(days_ago(2, 15), draft)

    # Waiting for the document check.
    waiting: dict = {}

    def submitted_draft(now):
        waiting["a"] = world.new_application(
            supplier2,
            content(
                "SaaS",
                "교육·이러닝",
                "나래 이러닝 플랫폼",
                "공무원 직무교육을 위한 학습관리시스템",
                "학습자",
                "사용자/월",
                3000,
            ),
        )

    cal.add(days_ago(4, 10), submitted_draft)
    cal.add(days_ago(1, 16), lambda now: world.act(workflow.submit, supplier2, need(waiting, "a")))

    # In a supplement loop.
    loop: dict = {}

    def loop_draft(now):
        loop["a"] = world.new_application(
            supplier1, content("SaaS", "보안", "가상 보안관제 서비스", "24시간 원격 보안관제", "관제", "식", 2500000)
        )

    cal.add(days_ago(12, 10), loop_draft)
    cal.add(days_ago(8, 11), lambda now: world.act(workflow.submit, supplier1, need(loop, "a")))
    cal.add(days_ago(7, 10), lambda now: world.act(screening.start_check, operator, need(loop, "a")))
    cal.add(
        days_ago(6, 15), lambda now: world.act(screening.request_supplement, operator, need(loop, "a"), SUPPLEMENTS[0])
    )

    def loop_answer(now):
        """The supplier replaces the SLA and writes its reply; the price list is still to correct."""
        application = need(loop, "a")
        sla = next(d for d in application.documents if d.kind == "sla")
        workflow.remove_document(session, supplier1, application.id, sla.id)
        revised = replace(world.document, filename="SLA 서비스수준협약서(장애 대응 시간 추가).pdf")
        workflow.attach_document(session, supplier1, application.id, "sla", revised)
        world.act(workflow.reply_to_supplement, supplier1, application, SUPPLEMENT_REPLY)

    cal.add(days_ago(5, 14), loop_answer)

    # Accepted, waiting for the expert review (in the open round's month or a later one).
    accepted: dict = {}

    def accepted_draft(now):
        accepted["a"] = world.new_application(
            supplier4,
            content(
                "PaaS", "AI·ML 플랫폼", "누리 AI 학습 플랫폼", "GPU 기반 AI 모델 학습 환경", "GPU", "vCPU/시간", 900
            ),
        )

    cal.add(days_ago(9, 10), accepted_draft)
    cal.add(days_ago(6, 14), lambda now: world.act(workflow.submit, supplier4, need(accepted, "a")))
    cal.add(days_ago(5, 10), lambda now: world.act(screening.start_check, operator, need(accepted, "a")))
    cal.add(days_ago(3, 16), lambda now: world.act(screening.accept, operator, need(accepted, "a")))

    # The last decided round: one selected and published, one rejected.
    decided = world.decided
    before = month_before(decided)
    submitted = at(date(*(int(p) for p in before.split("-")), 3), 10)
    world.story(
        supplier4,
        content("SaaS", "인사·급여", "누리 인사급여 클라우드", "인사·급여·근태를 한 번에", "기본", "사용자/월", 6000),
        working_moment(submitted),
        publish_after=2,
    )
    world.story(
        supplier3,
        content(
            "CONVERGENCE",
            "빅데이터 융합",
            "한빛 도시데이터 허브",
            "도시 센서 데이터를 모아 분석하는 빅데이터 융합 서비스",
            "기본",
            "식",
            5000000,
        ),
        working_moment(submitted + timedelta(days=1)),
        fails={Criterion.SECURITY: "개인정보 비식별 처리 방안이 없습니다."},
    )

    # The open round: two applications moved to it from the decided month, some votes cast.
    opened = next_month(decided)
    votes_on = max(at(meeting_day(decided) + timedelta(days=1), 10), days_ago(1, 10))
    gis = world.story(
        supplier2,
        content("SaaS", "지리정보(GIS)", "나래 공간정보 지도", "행정 공간정보를 웹 지도로", "기본", "식", 800000),
        working_moment(submitted + timedelta(days=2)),
        move_to=opened,
        voting=False,
    )
    msp = world.story(
        supplier1,
        content(
            "SUPPORT", "운영관리(MSP)", "가상 클라우드 운영관리", "24시간 클라우드 운영 대행", "운영", "식", 3000000
        ),
        working_moment(submitted + timedelta(days=2)),
        move_to=opened,
        voting=False,
    )
    first, second, third = world.reviewers

    def open_votes(now):
        committee_round = world.round_of(opened)
        if committee_round is None:
            return
        map_app, msp_app = need(gis, "a"), need(msp, "a")
        committee_votes.declare(session, first, committee_round.id, map_app.id, False)
        committee_votes.cast_votes(session, first, committee_round.id, map_app.id, {c: (True, "") for c in Criterion})
        committee_votes.declare(session, second, committee_round.id, map_app.id, False)
        committee_votes.declare(session, third, committee_round.id, msp_app.id, True)

    cal.add(votes_on, open_votes)
