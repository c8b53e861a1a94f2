"""The demo catalog's services, each selected through the committee in its month from 2024 on and
published a few days after the meeting, so that its code carries the year of its publication and its
page the day of its selection and the round that decided it.

The eight services of the demo accounts' companies come first (rounds 1 and 2); the generated catalog
(`catalog_data`) follows, most of it in 2024 and fewer services each month after. A few applications are
rejected first and selected after their supplier applies again.
"""

from __future__ import annotations

import json
import re
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..accounts import registration, user_accounts
from ..accounts.permissions import Actor
from ..accounts.rules import Role
from ..accounts.tables import Organisation, User
from ..accounts.user_accounts import actor_of
from ..catalog import importer
from ..selection.rules import Criterion, next_month
from .accounts import DEMO_PASSWORD
from .catalog_data import SUPPLIERS as CATALOG_SUPPLIERS
from .catalog_data import demo_catalog
from .history import at
from .selection.rounds import FIRST_ROUND_MONTH, working_moment
from .selection.world import SUPPLEMENTS, Selection


def _plan(name, unit, price, billing="monthly", vat=False, term=0):
    return {
        "name": name,
        "billing": billing,
        "unit": unit,
        "unit_price": price,
        "vat_included": vat,
        "min_term_months": term,
    }


# (supplier business number, type, category, name, summary, description, features, keywords, csap grade, sla, plans)
SERVICES = [
    (
        "1208147521",
        "SaaS",
        "협업·그룹웨어",
        "가상웍스 그룹웨어",
        "메일·일정·게시판·메신저를 하나로 묶은 공공기관용 협업 그룹웨어",
        "공공기관 업무 환경에 맞춘 클라우드 그룹웨어입니다. 전자메일, 일정 공유, 게시판, 메신저, 설문을 제공하고 "
        "행정전자서명(GPKI) 로그인과 망분리 환경을 지원합니다.",
        ["전자메일", "일정 공유", "게시판", "메신저", "GPKI 로그인"],
        ["그룹웨어", "협업", "메일", "메신저"],
        "하",
        "99.9",
        [_plan("Standard", "사용자/월", 9000), _plan("Premium", "사용자/월", 14000)],
    ),
    (
        "1208147521",
        "SaaS",
        "문서·전자결재",
        "가상결재 클라우드",
        "기안부터 결재·시행·기록물 이관까지 지원하는 전자결재 SaaS",
        "전자결재, 공문 유통, 기록물 관리 시스템 연계를 제공합니다. 모바일 결재와 대결·전결 규정 설정을 지원합니다.",
        ["전자결재", "공문 유통", "모바일 결재", "기록물 이관"],
        ["전자결재", "결재", "문서관리"],
        "하",
        "99.5",
        [_plan("기본", "사용자/월", 7000, term=12)],
    ),
    (
        "2208812340",
        "SaaS",
        "영상회의",
        "나래 화상회의",
        "설치 없이 브라우저로 300명까지 참여하는 보안 화상회의",
        "종단 간 암호화와 회의실 비밀번호, 대기실 기능을 갖춘 화상회의 서비스입니다. 회의 녹화와 자막을 제공합니다.",
        ["300명 동시 접속", "종단 간 암호화", "회의 녹화", "실시간 자막"],
        ["화상회의", "영상회의", "비대면 회의"],
        "중",
        "99.9",
        [_plan("회의실", "식", 150000), _plan("호스트 추가", "사용자/월", 20000)],
    ),
    (
        "2208812340",
        "SaaS",
        "민원·상담",
        "나래 AI 챗봇 상담",
        "자주 묻는 민원을 24시간 답하는 인공지능 챗봇",
        "기관 FAQ와 민원 편람을 학습해 홈페이지와 메신저에서 민원인의 질문에 답합니다. "
        "상담원 연결과 통계를 제공합니다.",
        ["24시간 응대", "상담원 연결", "민원 통계", "다국어"],
        ["챗봇", "AI", "민원", "상담"],
        "하",
        "99.5",
        [_plan("기본", "식", 1200000), _plan("대화 추가", "건", 30, billing="usage")],
    ),
    (
        "3148620457",
        "IaaS",
        "컴퓨팅",
        "한빛 클라우드 서버",
        "공공기관 전용 리전의 가상 서버(vCPU·메모리 선택형)",
        "CSAP 상 등급 인증을 받은 공공기관 전용 데이터센터에서 가상 서버를 제공합니다. "
        "자동 확장과 스냅샷을 지원합니다.",
        ["공공 전용 리전", "자동 확장", "스냅샷", "이중화"],
        ["가상서버", "서버", "컴퓨팅", "IaaS"],
        "상",
        "99.95",
        [_plan("vCPU", "vCPU/시간", 45, billing="usage"), _plan("메모리", "GB/월", 9000)],
    ),
    (
        "3148620457",
        "IaaS",
        "백업·DR",
        "한빛 백업·재해복구",
        "원격지 데이터센터로 자동 백업하고 재해 시 4시간 안에 복구",
        "주기 백업, 원격지 복제, 재해복구 훈련을 제공합니다. 복구 목표 시간(RTO) 4시간, 목표 시점(RPO) 1시간입니다.",
        ["원격지 복제", "RTO 4시간", "복구 훈련"],
        ["백업", "재해복구", "DR"],
        "상",
        "99.9",
        [_plan("백업 용량", "TB/월", 60000)],
    ),
    (
        "1078736528",
        "PaaS",
        "데이터베이스",
        "누리 관리형 데이터베이스",
        "PostgreSQL·MySQL을 설치·백업·패치 걱정 없이 쓰는 관리형 DB",
        "고가용성 구성, 자동 백업, 보안 패치를 제공하는 관리형 데이터베이스 서비스입니다.",
        ["고가용성", "자동 백업", "보안 패치", "모니터링"],
        ["데이터베이스", "DB", "PostgreSQL"],
        "상",
        "99.95",
        [_plan("인스턴스", "vCPU/시간", 120, billing="usage")],
    ),
    (
        "1078736528",
        "SUPPORT",
        "전환(마이그레이션)",
        "누리 클라우드 전환 컨설팅",
        "기관 시스템을 진단하고 클라우드로 옮기는 전환 설계·이행 지원",
        "현행 시스템 분석, 전환 전략 수립, 이행 및 안정화를 수행하는 클라우드 전환 지원서비스입니다.",
        ["현행 진단", "전환 전략", "이행 지원"],
        ["클라우드 전환", "마이그레이션", "컨설팅"],
        None,
        "99.0",
        [_plan("컨설턴트", "인월", 12000000, billing="fixed")],
    ),
]


def add_catalog_suppliers(session: Session) -> None:
    """The companies of the demo catalog, registered by business number, with a sales account each."""
    for supplier in CATALOG_SUPPLIERS.values():
        org = registration.register_supplier(
            session, None, supplier["business_number"], supplier["name"], supplier["size"]
        )
        email = f"sales-{org.business_number}@demo.kr"
        user = user_accounts.NewUser(email, f"{org.name} 영업담당", Role.SUPPLIER, org.id, DEMO_PASSWORD)
        user_accounts.create_user(session, None, user)


def _contents(session: Session, categories: dict[tuple[str, str], int]) -> list[tuple[str, dict]]:
    """(business number, application content) of every demo service: the eight of the demo accounts'
    companies, then the generated catalog, read as the importer reads a line."""
    contents = []
    for number, kind, category, name, summary, description, features, keywords, grade, sla, plans in SERVICES:
        content = {
            "type": kind,
            "category_id": categories[(kind, category)],
            "name": name,
            "summary": summary,
            "description": description,
            "features": features,
            "keywords": keywords,
            "deployment": "public",
            "data_centre_location": "대한민국(세종·대전)",
            "sla_availability": sla,
            "support_hours": "평일 09:00-18:00, 장애 접수 24시간",
            "data_return_policy": "계약 종료 후 30일 안에 표준 형식으로 반환하고 파기 확인서를 제출합니다.",
            "price_plans": plans,
        }
        if grade:
            content |= {
                "csap_grade": grade,
                "csap_certificate_number": f"CSAP-{kind}-2023-{len(name):04d}",
                "csap_valid_until": "2028-06-30",
                "csap_underlying_iaas": "한빛 클라우드",
            }
        contents.append((number, content))
    for number, entry in enumerate(demo_catalog(), start=1):
        parsed = importer.parse_line(json.dumps(entry, ensure_ascii=False), "demo-catalog", number, categories)
        if isinstance(parsed, importer.Problem):
            raise ValueError(f"demo catalog: {parsed}")
        contents.append((entry["supplier"]["business_number"], parsed.content))
    return contents


#: Services selected per round, by the year of the round: most of the catalog in 2024, fewer later.
PER_ROUND = {2024: 9.0, 2025: 4.0}
PER_ROUND_LATER = 3.0
#: Every how many services one is rejected first and applied for again.
REJECTED_EVERY = 30
FAILURES = [
    {Criterion.STABILITY: "장애 대응 인력과 절차가 서비스 규모에 비해 부족합니다."},
    {Criterion.SUPPORT: "지방 소재 기관에 대한 현장 지원 체계가 제시되지 않았습니다."},
    {Criterion.SECURITY: "관리자 접근 통제와 접속 기록 보관 방안이 구체적이지 않습니다."},
]


def _months(first: str, last: str) -> list[str]:
    months = [first]
    while months[-1] < last:
        months.append(next_month(months[-1]))
    return months


def _round_of_each(count: int, months: list[str]) -> list[str]:
    """The round month of each of ``count`` services, in order: spread over the months by `PER_ROUND`."""
    weights = [PER_ROUND.get(int(m[:4]), PER_ROUND_LATER) for m in months]
    total = sum(weights)
    rounds, done, share = [], 0, 0.0
    for month, weight in zip(months, weights, strict=True):
        share += weight * count / total
        upto = min(count, round(share)) if month != months[-1] else count
        rounds += [month] * (upto - done)
        done = upto
    return rounds


def _certificate_no_later_than(content: dict, year: int) -> dict:
    """A CSAP certificate number issued no later than the year of the application."""
    number = content.get("csap_certificate_number")
    if not number:
        return content
    match = re.search(r"-(20\d\d)-", number)
    if match and int(match.group(1)) > year:
        number = number.replace(f"-{match.group(1)}-", f"-{year}-", 1)
    return {**content, "csap_certificate_number": number}


def plan_services(world: Selection, session: Session, *, catalog: bool = True) -> int:
    """Every demo service's selection on the calendar (``catalog=False``: the demo accounts' companies'
    eight only); returns how many will be published."""
    rng = world.rng
    suppliers: dict[str, Actor] = {}
    for user in session.scalars(select(User).where(User.role == Role.SUPPLIER).order_by(User.id)):
        org = session.get(Organisation, user.organisation_id)
        suppliers.setdefault(org.business_number, actor_of(user))
    contents = _contents(session, world.categories)
    if not catalog:
        contents = contents[: len(SERVICES)]
    months = _months(FIRST_ROUND_MONTH, world.decided)
    rounds = _round_of_each(len(contents), months)
    for index, ((number, content), month) in enumerate(zip(contents, rounds, strict=True)):
        year, mon = (int(p) for p in month.split("-"))
        before = date(year - 1, 12, 1) if mon == 1 else date(year, mon - 1, 1)
        submitted = working_moment(at(before + timedelta(days=rng.randint(1, 11)), rng.randint(9, 17)))
        content = _certificate_no_later_than(content, before.year)
        supplement = rng.choice(SUPPLEMENTS) if rng.random() < 0.3 else None
        supplier = suppliers[number]
        rejected_first = index % REJECTED_EVERY == REJECTED_EVERY - 1 and month <= months[-4]
        if rejected_first:
            world.story(
                supplier,
                content,
                working_moment(submitted - timedelta(days=30)),
                supplement=supplement,
                fails=rng.choice(FAILURES),
                then=_apply_again(world, supplier, content),
            )
        else:
            world.story(supplier, content, submitted, supplement=supplement, publish_after=rng.randint(2, 6))
    return len(contents)


def _apply_again(world: Selection, supplier: Actor, content: dict):
    """After a rejection, the supplier applies again with the comments answered, some weeks later."""

    def then(now, application):
        box = {"a": application}
        again = working_moment(now + timedelta(days=world.rng.randint(12, 20)))
        world.story(supplier, content, again, previous=box, publish_after=world.rng.randint(2, 6))

    return then
