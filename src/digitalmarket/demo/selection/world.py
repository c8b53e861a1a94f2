"""Who acts in demo selection and what its steps share (`Selection`), with one application's whole story
from its draft to the committee's decision and publication; the one-page PDF every demo application
attaches, and what the operator writes when checking documents and pre-reviewing."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...accounts.permissions import Actor
from ...catalog.tables import Category
from ...core.clock import KST
from ...core.files import DocumentStore, StoredFile
from ...selection import committee_decisions, committee_rounds, committee_votes, screening, workflow
from ...selection.rules import Criterion, required_documents
from ...selection.tables import Application, CommitteeRound, Decision
from ..history import Calendar, at, need
from .rounds import last_decided_month, meeting_day, round_number, working_day_on_or_after

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

SUPPLEMENTS = [
    {"sla": "SLA 문서에 장애 대응 시간이 없습니다.", "price_list": "요금표의 단가가 신청서와 다릅니다."},
    {"credit_rating": "신용평가등급확인서의 유효기간이 지났습니다. 최신 확인서를 첨부해 주십시오."},
    {"service_description": "서비스 설명서에 데이터 반환·파기 절차가 빠져 있습니다."},
    {"price_list": "요금표에 부가가치세 포함 여부가 표시되어 있지 않습니다."},
]
PASS_COMMENTS = ["서류상 적합", "증빙 확인", "요건 충족", ""]


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
        created = committee_rounds.create_round(
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
            committee_decisions.close_round(self.session, self.operator, committee_round.id, committee_round.version)
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
                committee_votes.declare(session, reviewer, committee_round.id, application.id, False)
                failed = fails or {}
                ballot = {c: (c not in failed, failed.get(c, "")) for c in Criterion}
                committee_votes.cast_votes(session, reviewer, committee_round.id, application.id, ballot)

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
