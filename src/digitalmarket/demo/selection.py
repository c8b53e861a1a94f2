"""Demo selection, played on the calendar like the trade: monthly committee rounds from 2024 on that
select the catalog's services (`services.py`), then the demo accounts' applications in every state of
selection around today: the last round decided (one selected and published, one rejected) and the next
one open with two applications and some votes cast.

Every step is dated: the supplier drafts and submits, the operator checks the documents (sometimes asking
for a supplement), accepts, has the experts pre-review and sends the application to the committee; the
reviewers declare and vote in the days before the meeting; the operator closes the round on the meeting
day and publishes each selected service a few days later, when it gets its code of that year.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..accounts.permissions import Actor
from ..catalog.tables import Category
from ..core.clock import KST
from ..core.files import DocumentStore, StoredFile
from ..selection import committee, screening, workflow
from ..selection.rules import Criterion, month_key, next_month, required_documents
from ..selection.tables import Application, CommitteeRound, Decision
from .history import Calendar, at, need

# A one-page PDF saying what it is; every demo document is this file.
DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R/Resources<</Font<</F1 5 0 R>>>>>>"
    b"endobj\n4 0 obj<</Length 58>>stream\nBT /F1 18 Tf 72 770 Td (Demo document - Digital Service Market) Tj ET\n"
    b"endstream endobj\n5 0 obj<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)

#: The name each demo document is attached under (the same one-page PDF): what a buyer downloads from a
#: published service (서비스 설명서, SLA, 요금표) and what only the operator and the committee see.
DEMO_FILENAMES = {
    "service_description": "서비스 설명서.pdf",
    "sla": "SLA 서비스수준협약서.pdf",
    "price_list": "요금표.pdf",
    "business_registration": "사업자등록증.pdf",
    "credit_rating": "신용평가등급확인서.pdf",
    "csap_certificate": "CSAP 인증서.pdf",
}

#: The month of round 1: the demo's history of selection starts with the applications of 2024-01.
FIRST_ROUND_MONTH = "2024-02"
FIRST_DAY = date(2024, 1, 2)

SUPPLEMENTS = [
    {"sla": "SLA 문서에 장애 대응 시간이 없습니다.", "price_list": "요금표의 단가가 신청서와 다릅니다."},
    {"credit_rating": "신용평가등급확인서의 유효기간이 지났습니다. 최신 확인서를 첨부해 주십시오."},
    {"service_description": "서비스 설명서에 데이터 반환·파기 절차가 빠져 있습니다."},
    {"price_list": "요금표에 부가가치세 포함 여부가 표시되어 있지 않습니다."},
]
SUPPLEMENT_REPLY = (
    "SLA에 장애 대응 시간(접수 후 1시간 안에 조치 시작)을 넣었습니다. 요금표 단가는 신청서와 맞추는 중입니다."
)
PASS_COMMENTS = ["서류상 적합", "증빙 확인", "요건 충족", ""]


def meeting_day(month: str) -> date:
    """The committee meets on the 20th of its month, or the Friday before when the 20th is a weekend."""
    year, mon = (int(p) for p in month.split("-"))
    day = date(year, mon, 20)
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def round_number(month: str) -> int:
    """Rounds are numbered from round 1 in `FIRST_ROUND_MONTH`, one a month."""
    year, mon = (int(p) for p in month.split("-"))
    first_year, first_mon = (int(p) for p in FIRST_ROUND_MONTH.split("-"))
    return (year - first_year) * 12 + mon - first_mon + 1


def last_decided_month(today: date) -> str:
    """The last round decided by today: its meeting at least four days ago, so that its selected
    services are published by now. The round after it is the open one."""
    month = month_key(today)
    while meeting_day(month) + timedelta(days=4) > today:
        month = _month_before(month)
    return month


def working_day_on_or_after(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


@dataclass
class Selection:
    """Who acts in demo selection and what its steps share."""

    session: Session
    calendar: Calendar
    rng: random.Random
    operator: Actor
    reviewers: list[Actor]
    document: StoredFile
    categories: dict[tuple[str, str], int]
    decided: str  # the month of the last round closed by now
    published: list[int] = field(default_factory=list)  # application ids, in the order of publication
    counts: dict[str, int] = field(default_factory=lambda: {"applications": 0})
    #: After a round closes: what to do with each application it decided (by application id).
    after_decision: dict[int, Callable[[datetime, str], None]] = field(default_factory=dict)

    # --- rounds -------------------------------------------------------------------------------------------

    def round_of(self, month: str) -> CommitteeRound | None:
        return self.session.scalar(select(CommitteeRound).where(CommitteeRound.month == month))

    def ensure_round(self, month: str) -> CommitteeRound:
        """The round of a month, set up by the operator the first time an application needs it; a round
        up to the last decided month closes on its meeting day."""
        existing = self.round_of(month)
        if existing is not None:
            return existing
        created = committee.create_round(
            self.session,
            self.operator,
            number=round_number(month),
            month=month,
            meeting_date=meeting_day(month),
            member_ids=[r.user_id for r in self.reviewers],
        )
        if month <= self.decided:
            self.calendar.add(at(meeting_day(month), 17), self._closer(month))
        return created

    def _closer(self, month: str):
        def close(now):
            committee_round = self.round_of(month)
            if committee_round is None or committee_round.is_closed:
                return
            committee.close_round(self.session, self.operator, committee_round.id, committee_round.version)
            decisions = self.session.scalars(select(Decision).where(Decision.round_id == committee_round.id))
            for decision in decisions:
                then = self.after_decision.pop(decision.application_id, None)
                if then is not None:
                    then(now, decision.outcome)

        close.__name__ = f"close_round_{month}"
        return close

    # --- one application ------------------------------------------------------------------------------------

    def act(self, function, actor: Actor, application: Application, *args):
        return function(self.session, actor, application.id, application.version, *args)

    def new_application(self, actor: Actor, content: dict, documents: bool = True) -> Application:
        application = workflow.create_application(self.session, actor, content)
        if documents:
            for kind in required_documents(content.get("type")):
                named = replace(self.document, filename=DEMO_FILENAMES.get(kind, self.document.filename))
                workflow.attach_document(self.session, actor, application.id, kind, named)
        self.counts["applications"] += 1
        return application

    def story(
        self,
        supplier: Actor,
        content: dict,
        submitted: datetime,
        *,
        supplement: dict[str, str] | None = None,
        fails: dict[str, str] | None = None,
        move_to: str | None = None,
        voting: bool = True,
        publish_after: float | None = None,
        then: Callable[[datetime, Application], None] | None = None,
        previous: dict | None = None,
    ) -> dict:
        """One application from its draft to the committee's decision and publication.

        Drafted a few days before ``submitted``; the document check starts one to three days after each
        submission (with ``supplement``, the operator asks for one and the supplier resubmits); accepted
        a few days later for the committee month the rules give it; pre-reviewed by experts for one to
        two weeks; sent to the committee, whose members declare and vote in the days before the meeting
        (failing the criteria of ``fails``); the round closes on its meeting day and a selected service
        is published some days later. With ``move_to`` the operator moves it to that later month first;
        without ``voting`` nobody votes (an open round's votes are its own). ``then`` follows a rejection;
        with ``previous`` (the box of a rejected application) the draft is its re-application.
        """
        cal, rng, session = self.calendar, self.rng, self.session
        operator = self.operator
        box: dict = {}

        def draft(now):
            if previous is None:
                box["a"] = self.new_application(supplier, content)
            else:
                box["a"] = workflow.reapply(session, supplier, need(previous, "a").id)
                self.counts["applications"] += 1

        def submit(now):
            self.act(workflow.submit, supplier, need(box, "a"))

        def start_check(now):
            self.act(screening.start_check, operator, need(box, "a"))

        def ask_supplement(now):
            self.act(screening.request_supplement, operator, need(box, "a"), supplement)

        def accept(now):
            application = need(box, "a")
            self.act(screening.accept, operator, application)
            month = application.committee_month
            if move_to is None:
                self.ensure_round(month)
            meeting = at(meeting_day(move_to or month), 10)
            review = now + timedelta(days=rng.randint(1, 3))
            cal.add(at(review.astimezone(KST).date(), rng.randint(9, 16)), start_review)
            opinions = min(review + timedelta(days=rng.randint(7, 14)), meeting - timedelta(days=6))
            opinions = max(opinions, review + timedelta(days=2))
            cal.add(at(working_day_on_or_after(opinions.astimezone(KST).date()), 15), send)
            if move_to is not None:
                cal.add(at(meeting_day(month) - timedelta(days=5), 11), move)
            if voting:  # two members make the quorum; the third often has no time to vote before the meeting
                vote_day = meeting - timedelta(days=rng.randint(1, 3))
                voters = self.reviewers if rng.random() < 0.3 else rng.sample(self.reviewers, 2)
                for index, reviewer in enumerate(voters):
                    cal.add(vote_day + timedelta(hours=index + rng.random()), vote(reviewer))

        def start_review(now):
            self.act(screening.start_expert_review, operator, need(box, "a"))

        def send(now):
            application = need(box, "a")
            opinions = {c: (True, rng.choice(PASS_COMMENTS)) for c in Criterion}
            self.act(screening.record_expert_opinions, operator, application, opinions)
            self.act(screening.send_to_committee, operator, application)
            if then is not None or publish_after is not None:
                self.after_decision[application.id] = decided

        def move(now):
            self.ensure_round(move_to)
            reason = "전문가 사전검토 보완 의견 반영 후 심사"
            self.act(screening.move_to_round, operator, need(box, "a"), move_to, reason)

        def vote(reviewer: Actor):
            def step(now):
                application = need(box, "a")
                committee_round = self.round_of(application.committee_month)
                if committee_round is None:
                    return
                committee.declare(session, reviewer, committee_round.id, application.id, False)
                failed = fails or {}
                ballot = {c: (c not in failed, failed.get(c, "")) for c in Criterion}
                committee.cast_votes(session, reviewer, committee_round.id, application.id, ballot)

            return step

        def decided(now, outcome):
            application = need(box, "a")
            if outcome == "selected" and publish_after is not None:
                day = working_day_on_or_after((now + timedelta(days=publish_after)).astimezone(KST).date())
                cal.add(at(day, rng.randint(10, 16)), publish)
            elif outcome == "rejected" and then is not None:
                then(now, application)

        def publish(now):
            application = need(box, "a")
            self.act(screening.publish, operator, application)
            self.published.append(application.id)

        cal.add(submitted - timedelta(days=rng.randint(2, 9), hours=rng.randint(0, 5)), draft)
        cal.add(submitted, submit)
        checked = submitted + timedelta(days=rng.randint(1, 3))
        cal.add(at(checked.astimezone(KST).date(), rng.randint(9, 11)), start_check)
        if supplement:
            asked = at((checked + timedelta(days=rng.randint(1, 3))).astimezone(KST).date(), 15)
            cal.add(asked, ask_supplement)
            again = at((asked + timedelta(days=rng.randint(2, 6))).astimezone(KST).date(), rng.randint(9, 17))
            cal.add(again, submit)
            checked = at((again + timedelta(days=rng.randint(1, 2))).astimezone(KST).date(), 10)
            cal.add(checked, start_check)
        accepted = at((checked + timedelta(days=rng.randint(1, 3))).astimezone(KST).date(), rng.randint(13, 17))
        cal.add(accepted, accept)
        return box


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
    before = _month_before(decided)
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
        committee.declare(session, first, committee_round.id, map_app.id, False)
        committee.cast_votes(session, first, committee_round.id, map_app.id, {c: (True, "") for c in Criterion})
        committee.declare(session, second, committee_round.id, map_app.id, False)
        committee.declare(session, third, committee_round.id, msp_app.id, True)

    cal.add(votes_on, open_votes)


def working_moment(moment: datetime) -> datetime:
    day = working_day_on_or_after(moment.astimezone(KST).date())
    local = moment.astimezone(KST)
    return at(day, local.hour, local.minute)


def _month_before(month: str) -> str:
    year, mon = (int(p) for p in month.split("-"))
    return f"{year - 1:04d}-12" if mon == 1 else f"{year:04d}-{mon - 1:02d}"


def new_selection(
    session: Session, store: DocumentStore, calendar: Calendar, users: dict[str, Actor], today: date
) -> Selection:
    return Selection(
        session=session,
        calendar=calendar,
        rng=random.Random(20240102),
        operator=users["operator@demo.kr"],
        reviewers=[users["reviewer@demo.kr"], users["reviewer2@demo.kr"], users["reviewer3@demo.kr"]],
        document=store.accept(DEMO_PDF, "demo.pdf"),
        categories={(c.type, c.name_ko): c.id for c in session.scalars(select(Category))},
        decided=last_decided_month(today),
    )
