"""Demo applications in every state of selection, and two committee rounds (one decided, one open)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..accounts.tables import User
from ..accounts.workflow import actor_of
from ..catalog.tables import Category
from ..core.clock import today_kst
from ..core.files import DocumentStore
from ..selection import committee, screening, workflow
from ..selection.rules import Criterion, committee_month_for, next_month, required_documents

# A one-page PDF saying what it is; every demo document is this file.
DEMO_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Contents 4 0 R/Resources<</Font<</F1 5 0 R>>>>>>"
    b"endobj\n4 0 obj<</Length 58>>stream\nBT /F1 18 Tf 72 770 Td (Demo document - Digital Service Market) Tj ET\n"
    b"endstream endobj\n5 0 obj<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
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


def seed_applications(session: Session, store: DocumentStore) -> dict[str, int]:
    users = {u.email: actor_of(u) for u in session.scalars(select(User))}
    supplier1, supplier2 = users["supplier@demo.kr"], users["supplier2@demo.kr"]
    supplier3, supplier4 = users["contact-3148620457@demo.kr"], users["contact-1078736528@demo.kr"]
    operator = users["operator@demo.kr"]
    reviewers = [users["reviewer@demo.kr"], users["reviewer2@demo.kr"], users["reviewer3@demo.kr"]]
    categories = {(c.type, c.name_ko): c.id for c in session.scalars(select(Category))}
    stored = store.accept(DEMO_PDF, "demo.pdf")

    def new(actor, *content, documents=True):
        application = workflow.create_application(session, actor, _content(categories, *content))
        if documents:
            for kind in required_documents(content[0]):
                workflow.attach_document(session, actor, application.id, kind, stored)
        return application

    def act(function, actor, application, *args):
        return function(session, actor, application.id, application.version, *args)

    def to_committee(actor, *content):
        application = new(actor, *content)
        for function, who in (
            (workflow.submit, actor),
            (screening.start_check, operator),
            (screening.accept, operator),
            (screening.start_expert_review, operator),
        ):
            act(function, who, application)
        act(screening.record_expert_opinions, operator, application, {c: (True, "서류상 적합") for c in Criterion})
        return act(screening.send_to_committee, operator, application)

    # A draft, partly filled in.
    workflow.create_application(
        session,
        supplier1,
        {
            "type": "SaaS",
            "category_id": categories[("SaaS", "데이터분석·BI")],
            "name": "가상 민원 분석 BI",
            "summary": "민원 데이터를 시각화하는 분석 도구",
        },
    )
    # Waiting for the document check.
    act(
        workflow.submit,
        supplier2,
        new(
            supplier2,
            "SaaS",
            "교육·이러닝",
            "나래 이러닝 플랫폼",
            "공무원 직무교육을 위한 학습관리시스템",
            "학습자",
            "사용자/월",
            3000,
        ),
    )
    # In a supplement loop.
    loop = new(supplier1, "SaaS", "보안", "가상 보안관제 서비스", "24시간 원격 보안관제", "관제", "식", 2500000)
    for function, who in ((workflow.submit, supplier1), (screening.start_check, operator)):
        act(function, who, loop)
    act(
        screening.request_supplement,
        operator,
        loop,
        {"sla": "SLA 문서에 장애 대응 시간이 없습니다.", "price_list": "요금표의 단가가 신청서와 다릅니다."},
    )
    # Accepted, waiting for the expert review.
    accepted = new(
        supplier4, "PaaS", "AI·ML 플랫폼", "누리 AI 학습 플랫폼", "GPU 기반 AI 모델 학습 환경", "GPU", "vCPU/시간", 900
    )
    for function in (workflow.submit,):
        act(function, supplier4, accepted)
    act(screening.start_check, operator, accepted)
    act(screening.accept, operator, accepted)

    # Round 1, decided: one selected and published, one rejected.
    month = committee_month_for(today_kst())
    chosen = to_committee(
        supplier4, "SaaS", "인사·급여", "누리 인사급여 클라우드", "인사·급여·근태를 한 번에", "기본", "사용자/월", 6000
    )
    refused = to_committee(
        supplier3,
        "CONVERGENCE",
        "빅데이터 융합",
        "한빛 도시데이터 허브",
        "도시 센서 데이터를 모아 분석하는 빅데이터 융합 서비스",
        "기본",
        "식",
        5000000,
    )
    first = committee.create_round(
        session,
        operator,
        number=1,
        month=month,
        meeting_date=_meeting_day(month),
        member_ids=[r.user_id for r in reviewers],
    )
    for reviewer in reviewers:
        for application, fails in (
            (chosen, {}),
            (refused, {Criterion.SECURITY: "개인정보 비식별 처리 방안이 없습니다."}),
        ):
            committee.declare(session, reviewer, first.id, application.id, False)
            committee.cast_votes(
                session, reviewer, first.id, application.id, {c: (c not in fails, fails.get(c, "")) for c in Criterion}
            )
    committee.close_round(session, operator, first.id, first.version)
    act(screening.publish, operator, chosen)

    # Round 2, open: two applications, some votes cast.
    later = next_month(month)
    waiting = [
        to_committee(
            supplier2, "SaaS", "지리정보(GIS)", "나래 공간정보 지도", "행정 공간정보를 웹 지도로", "기본", "식", 800000
        ),
        to_committee(
            supplier1,
            "SUPPORT",
            "운영관리(MSP)",
            "가상 클라우드 운영관리",
            "24시간 클라우드 운영 대행",
            "운영",
            "식",
            3000000,
        ),
    ]
    for application in waiting:
        act(screening.move_to_round, operator, application, later, "전문가 사전검토 보완 의견 반영 후 심사")
    second = committee.create_round(
        session,
        operator,
        number=2,
        month=later,
        meeting_date=_meeting_day(later),
        member_ids=[r.user_id for r in reviewers],
    )
    committee.declare(session, reviewers[0], second.id, waiting[0].id, False)
    committee.cast_votes(session, reviewers[0], second.id, waiting[0].id, {c: (True, "") for c in Criterion})
    committee.declare(session, reviewers[1], second.id, waiting[0].id, False)
    committee.declare(session, reviewers[2], second.id, waiting[1].id, True)
    return {"applications": 9, "rounds": 2}


def _meeting_day(month: str) -> date:
    year, mon = (int(p) for p in month.split("-"))
    return date(year, mon, 20)
