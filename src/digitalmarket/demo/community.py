"""Demo help desk and community: FAQ about the 디지털서비스 전문계약제도, notices (공지), inquiries answered
and open, and agencies' demand notices (수요예보) with suppliers' interest. Steps go on the demo
calendar, so they take their place in the same history as the trade."""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..accounts.permissions import Actor
from ..catalog.tables import Category, Service
from ..community import notice_interests, notice_posting
from ..core.clock import KST
from ..helpdesk import content, inquiries
from .history import Calendar, at, need

FAQ = [
    (
        "selection",
        "디지털서비스 전문계약제도는 무엇인가요?",
        "공공기관이 클라우드 컴퓨팅 서비스와 이를 활용한 디지털서비스를 입찰 없이 구매할 수 있도록 2020년 10월 "
        "도입된 제도입니다. 심사위원회에서 선정된 서비스는 이 마켓에 등록되고, 조달청과 카탈로그 계약을 맺으면 "
        "디지털서비스몰에서 납품요구로도 구매할 수 있습니다.",
    ),
    (
        "selection",
        "서비스 선정 신청은 어떻게 하나요?",
        "공급기업 계정으로 로그인한 뒤 [선정 신청]에서 서비스 정보와 요금제를 입력하고 필수 서류를 첨부해 "
        "제출합니다. 운영기관의 서류 확인과 전문가 사전검토를 거쳐, 접수된 다음 달 심사위원회에서 심사합니다. "
        "진행 단계는 신청 화면에서 언제든 확인할 수 있습니다.",
    ),
    (
        "selection",
        "심사위원회는 무엇을 평가하나요?",
        "경영상태(신용등급 등), 부정당업자 제재 여부, 보안성(클라우드 서비스는 CSAP 인증), 운영안정성, "
        "지원체계의 다섯 가지 기준을 적합·부적합으로 평가합니다. 모든 기준을 통과하면 선정되며, 부적합 시 "
        "기준별 사유를 안내합니다.",
    ),
    (
        "selection",
        "CSAP 인증이 꼭 필요한가요?",
        "IaaS·PaaS·SaaS 등 클라우드 컴퓨팅 서비스는 한국인터넷진흥원(KISA)의 클라우드 보안인증(CSAP)이 "
        "유효해야 합니다. 2023년부터 상·중·하 등급으로 나뉘며, 인증이 만료되면 유효한 인증서를 등록할 때까지 "
        "카탈로그에서 판매가 정지됩니다. 지원서비스(컨설팅·전환·운영관리)는 CSAP 대상이 아닙니다.",
    ),
    (
        "contract",
        "카탈로그 계약은 어떻게 신청하나요?",
        "선정된 서비스의 상세 화면에서 [카탈로그 계약 신청]을 누르면 등록된 요금제가 물품으로 채워집니다. "
        "단가(요금제 가격 이하)와 계약기간(최대 3년)만 정하면 되고, 선정 신청 때 낸 서류는 조달청이 그대로 "
        "확인하므로 다시 제출하지 않습니다.",
    ),
    (
        "contract",
        "납품요구와 수의계약은 어떻게 다른가요?",
        "카탈로그 계약이 체결되어 디지털서비스몰에 등록된 서비스는 카탈로그 계약 단가 이하로 납품요구할 수 "
        "있습니다. 카탈로그 계약이 없거나 기관 맞춤 조건이 필요하면 수의계약으로 계약합니다. 어느 방식이든 "
        "단가는 카탈로그 가격을 넘을 수 없습니다.",
    ),
    (
        "contract",
        "견적은 몇 개 서비스에 요청할 수 있나요?",
        "한 번에 1개에서 5개 서비스까지 같은 요구사항으로 견적을 요청할 수 있습니다. 답변이 오면 단가, "
        "공급가액, 부가가치세, 합계와 SLA, CSAP 등급을 나란히 비교하고 하나를 선정하면 바로 계약서가 "
        "만들어집니다.",
    ),
    (
        "contract",
        "계약 후 수량이나 기간을 바꿀 수 있나요?",
        "계약 화면에서 [계약변경]으로 수량, 개월 수, 단가를 바꾸어 제안할 수 있습니다. 상대방이 확인하면 "
        "변경차수가 올라가고 새 계약서가 만들어지며, 이전 차수의 계약서와 변경 내역은 모두 남습니다.",
    ),
    (
        "payment",
        "대금은 언제까지 지급해야 하나요?",
        "공급기업이 월별 이용실적을 보고하면 수요기관이 검수하고, 검수 합격일로부터 토요일과 공휴일을 빼고 "
        "5일 안에 지급해야 합니다(국가계약법 시행령 제58조). 기한이 지나면 지급 지연으로 표시되고 담당자에게 "
        "알림이 갑니다.",
    ),
    (
        "payment",
        "검수에서 반려하면 어떻게 되나요?",
        "반려 사유와 함께 공급기업에 알림이 가고, 공급기업은 이용실적을 정정해 다시 제출합니다. 정정본은 새 "
        "차수로 남으므로 처음 보고와 정정 내용을 모두 확인할 수 있습니다.",
    ),
    (
        "account",
        "기관 담당자 계정은 어떻게 만드나요?",
        "수요기관 담당자 계정은 기관 코드를 확인한 뒤 운영기관이 발급합니다. [문의하기]에서 기관명, 기관 코드, "
        "담당자 정보를 보내 주시면 1~2일 안에 계정을 만들어 드립니다.",
    ),
    (
        "other",
        "이용후기는 누가 쓸 수 있나요?",
        "서비스를 30일 이상 이용했거나 계약이 끝난 수요기관 담당자가 계약마다 한 번 쓸 수 있습니다. "
        "공급기업은 후기마다 한 번 답변할 수 있으며, 평점은 서비스 목록과 상세 화면에 표시됩니다.",
    ),
]

NOTICES = [
    (
        date(2025, 1, 6),
        "디지털서비스 마켓 개통 안내",
        "디지털서비스 선정, 카탈로그 계약, 견적과 계약, 이용실적과 대금지급을 한곳에서 처리하는 디지털서비스 "
        "마켓이 개통되었습니다. 기존 이용지원시스템과 디지털서비스몰의 자료는 순차적으로 옮겨집니다.",
        False,
    ),
    (
        date(2025, 6, 2),
        "2025년 하반기 디지털서비스 심사위원회 일정",
        "하반기 심사위원회는 매월 셋째 주에 열립니다. 접수 완료된 신청은 다음 달 회차에서 심사하며, 회차별 "
        "일정은 신청 화면에서 확인할 수 있습니다.",
        False,
    ),
    (
        date(2025, 12, 1),
        "연말 대금지급 기한 준수 요청",
        "회계연도 말에는 검수와 대금지급이 몰립니다. 검수 합격 후 5일(토요일·공휴일 제외) 안에 지급해 주시고, "
        "예산 이월이 필요한 계약은 미리 담당 부서와 협의해 주십시오.",
        False,
    ),
    (
        date(2026, 3, 3),
        "CSAP 인증 만료 예정 서비스 확인 안내",
        "CSAP 인증 만료가 90일 안으로 다가온 서비스의 공급기업은 갱신된 인증서를 등록해 주십시오. 만료된 "
        "서비스는 유효한 인증서를 등록할 때까지 카탈로그에서 판매가 정지됩니다.",
        False,
    ),
    (
        date(2026, 11, 2),
        "[중요] 12월 정기 점검 안내 (2026-12-12 02:00~06:00 KST)",
        "시스템 안정화를 위한 정기 점검으로 2026-12-12(토) 02:00~06:00 KST 동안 서비스 이용이 중단됩니다. "
        "점검 시간에는 견적 답변과 계약 확인이 되지 않으니 미리 처리해 주십시오.",
        True,
    ),
]

# (days before today, asker e-mail, category, subject, body, answer or None, closed)
INQUIRIES = [
    (
        300,
        "buyer@demo.kr",
        "contract",
        "납품요구 기간이 카탈로그 계약기간을 넘을 수 있나요?",
        "12개월 이용을 계획하고 있는데 카탈로그 계약이 8개월 뒤에 끝납니다. 납품요구가 가능한지 궁금합니다.",
        "납품요구의 이용기간은 카탈로그 계약기간 안에 있어야 합니다. 카탈로그 계약의 기간 연장(변경계약)을 "
        "공급기업에 문의하시거나, 수의계약으로 계약하실 수 있습니다.",
        True,
    ),
    (
        200,
        "supplier@demo.kr",
        "selection",
        "선정 신청 후 보완 요청을 받았는데 기한이 있나요?",
        "서류 확인 단계에서 보완 요청을 받았습니다. 언제까지 다시 제출해야 하는지 알려 주세요.",
        "보완 요청에는 별도 기한이 없지만, 다음 달 심사위원회에 오르려면 매월 10일까지 접수가 완료되어야 "
        "합니다. 보완 서류를 올리고 다시 제출하시면 됩니다.",
        True,
    ),
    (
        90,
        "buyer2@demo.kr",
        "payment",
        "검수 후 대금지급일 계산 방법",
        "검수 합격일이 금요일이면 지급 기한이 언제인가요? 공휴일이 끼면 어떻게 되나요?",
        "검수 합격일 다음 날부터 토요일, 일요일, 공휴일을 빼고 5일째 되는 날이 기한입니다. 인보이스 화면에 "
        "지급 기한이 표시됩니다.",
        False,
    ),
    (
        40,
        "supplier2@demo.kr",
        "technical",
        "계약서 PDF에 회사 이름 일부가 보이지 않습니다",
        "계약서를 내려받으니 상호의 한 글자가 비어 보입니다. 확인 부탁드립니다.",
        "확인해 보니 드문 한자 표기 글자가 기본 글꼴에 없었습니다. 서버에 보조 글꼴을 설치해 다음 계약서부터 "
        "정상 표시됩니다.",
        False,
    ),
    (
        6,
        "buyer@demo.kr",
        "contract",
        "견적 마감일을 연장할 수 있나요?",
        "공급기업 한 곳이 답변 준비에 시간이 더 필요하다고 합니다. 마감일을 바꿀 수 있을까요?",
        None,
        False,
    ),
    (
        3,
        "supplier@demo.kr",
        "payment",
        "지급 기한이 지났는데 대금이 들어오지 않았습니다",
        "검수 합격 후 기한이 지났는데 아직 지급되지 않았습니다. 어떻게 요청하면 될까요?",
        None,
        False,
    ),
    (
        1,
        "buyer2@demo.kr",
        "account",
        "담당자 변경 시 계정 이관 방법",
        "인사 발령으로 담당자가 바뀝니다. 진행 중인 계약을 새 담당자가 볼 수 있게 하려면 어떻게 하나요?",
        None,
        False,
    ),
]

# (days before today, buyer e-mail, category (type, name), title, description, budget min, max, months ahead)
DEMAND = [
    (
        120,
        "buyer@demo.kr",
        ("SaaS", "문서·전자결재"),
        "전자결재 시스템 클라우드 전환",
        "구축형 전자결재를 SaaS로 전환하려 합니다. 직원 1,200명, 기록물 시스템 연계와 모바일 결재가 필요합니다.",
        150_000_000,
        250_000_000,
        4,
    ),
    (
        60,
        "buyer2@demo.kr",
        ("IaaS", "백업·DR"),
        "시청 정보시스템 재해복구 체계 구축",
        "대민 서비스 30여 개 시스템의 원격지 백업과 재해복구(RTO 4시간 이하)를 계획하고 있습니다.",
        300_000_000,
        500_000_000,
        6,
    ),
    (
        30,
        "buyer3@demo.kr",
        ("CONVERGENCE", "AI 융합"),
        "민원 상담 AI 도입 시범사업",
        "민원 콜센터의 반복 문의를 AI로 응대하는 시범사업입니다. 상담 이력 데이터 학습과 상담원 연결이 필요합니다.",
        80_000_000,
        120_000_000,
        3,
    ),
    (
        20,
        "buyer9@demo.kr",
        ("PaaS", "데이터베이스"),
        "건강 데이터 분석 플랫폼용 관리형 데이터베이스",
        "가명처리된 건강 데이터를 분석하는 플랫폼의 데이터베이스를 관리형 서비스로 운영하려 합니다.",
        60_000_000,
        100_000_000,
        5,
    ),
    (
        10,
        "buyer11@demo.kr",
        ("SaaS", "교육·이러닝"),
        "교직원 연수용 이러닝 플랫폼",
        "교직원 8,000명의 법정 의무 연수와 직무 연수를 운영할 학습관리시스템이 필요합니다.",
        40_000_000,
        70_000_000,
        2,
    ),
    (
        4,
        "buyer7@demo.kr",
        ("SaaS", "스마트시티·IoT"),
        "스마트 주차 정보 서비스",
        "공영주차장 40곳의 실시간 주차 정보를 시민에게 제공하는 서비스를 찾고 있습니다.",
        50_000_000,
        90_000_000,
        6,
    ),
]

INTEREST = [
    "유사 규모 기관 도입 경험이 있습니다. 요구사항 설명회에 참석하고 싶습니다.",
    "해당 분야 CSAP 인증 서비스를 보유하고 있으며 시범 운영을 제안드릴 수 있습니다.",
    "전환 컨설팅부터 운영까지 일괄 지원이 가능합니다.",
]


def plan_community(
    calendar: Calendar,
    session: Session,
    people: dict[str, Actor],
    supplier_users: dict[int, Actor],
    rng: random.Random,
) -> None:
    """Put the help desk's and the community's steps on the calendar."""
    today = calendar.until.astimezone(KST).date()
    operator = people["operator@demo.kr"]

    for number, (category, question, answer) in enumerate(FAQ):
        box: dict = {}

        def write(now, category=category, question=question, answer=answer, box=box):
            box["entry"] = content.create_faq(session, operator, category, question, answer, now=now)

        def publish(now, box=box):
            entry = need(box, "entry")
            content.publish_faq(session, operator, entry.id, entry.version, now=now)

        day = date(2024, 12, 16) + timedelta(days=number * 3)
        calendar.add(at(day, 10), write)
        calendar.add(at(day, 15), publish)

    for day, title, body, pinned in NOTICES:
        box = {}

        def draft(now, title=title, body=body, pinned=pinned, box=box):
            box["notice"] = content.create_notice(session, operator, title, body, pinned, now=now)

        def publish_notice(now, box=box):
            notice = need(box, "notice")
            content.publish_notice(session, operator, notice.id, notice.version, now=now)

        calendar.add(at(day - timedelta(days=1), 16), draft)
        calendar.add(at(day, 9), publish_notice)

    for back, email, category, subject, body, reply, closed in INQUIRIES:
        box = {}
        asker = people[email]

        def ask(now, asker=asker, subject=subject, category=category, body=body, box=box):
            box["inquiry"] = inquiries.ask(session, asker, subject, category, body, now=now)

        def answer_it(now, reply=reply, box=box):
            inquiry = need(box, "inquiry")
            inquiries.answer(session, operator, inquiry.id, inquiry.version, reply, now=now)

        def close_it(now, asker=asker, box=box):
            inquiry = need(box, "inquiry")
            inquiries.close(session, asker, inquiry.id, inquiry.version, now=now)

        asked = at(today - timedelta(days=back), 11)
        calendar.add(asked, ask)
        if reply:
            calendar.later(asked, 1, answer_it, hour=14)
            if closed:
                calendar.later(asked, 2, close_it, hour=9)

    categories = {(c.type, c.name_ko): c.id for c in session.scalars(select(Category))}
    for back, email, category, title, description, low, high, ahead in DEMAND:
        box = {}
        buyer = people[email]
        posted = at(today - timedelta(days=back), 10)
        month = posted.astimezone(KST).date().replace(day=1)
        for _ in range(ahead):
            month = (month + timedelta(days=32)).replace(day=1)
        data = notice_posting.NoticeIn(title, description, categories[category], low, high, f"{month:%Y-%m}")

        def post(now, buyer=buyer, data=data, box=box):
            box["notice"] = notice_posting.post_notice(session, buyer, data, now=now)

        calendar.add(posted, post)
        offering = session.scalars(
            select(Service.supplier_id).where(Service.category_id == categories[category]).distinct()
        ).all()
        for index, supplier_id in enumerate(sorted(offering)[: rng.randint(1, 3)]):
            supplier = supplier_users.get(supplier_id)
            if supplier is None:
                continue

            def interest(now, supplier=supplier, box=box):
                notice = need(box, "notice")
                notice_interests.express_interest(session, supplier, notice.id, rng.choice(INTEREST), now=now)

            calendar.later(posted, 1 + index, interest, hour=15)
