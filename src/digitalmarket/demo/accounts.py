"""Demo organisations and accounts: fictional Korean companies and agencies, one account per role. The demo's
companies are registered verified, as if the operator had checked their evidence."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from ..accounts import registration, signing_up, user_accounts
from ..accounts.rules import OrganisationKind, Role
from ..accounts.tables import Organisation
from ..core.clock import today_kst

DEMO_PASSWORD = "demo-pass-2026"


@dataclass(frozen=True)
class DemoAccount:
    email: str
    name: str
    role: Role
    organisation: str


SUPPLIERS = [
    # business number, company, representative, size, credit rating, address (fictional, as every one here)
    ("1208147521", "(주)가상소프트", "김가상", "sme", "BBB+", "서울특별시 가상구 테헤란가상로 123, 15층"),
    ("2208812340", "클라우드나래 주식회사", "이나래", "sme", "A-", "경기도 성남시 나래구 판교가상로 45"),
    ("3148620457", "한빛데이터(주)", "박한빛", "middle", "A", "대전광역시 한빛구 데이터가상로 7"),
    ("1078736528", "누리클라우드(주)", "최누리", "large", "AA", "서울특별시 누리구 클라우드가상길 88"),
]

AGENCIES = [
    # agency code, name, kind, head of the agency (기관장), address (fictional)
    ("1741000", "미래행정부", "central", "장미래", "세종특별자치시 가상로 100 정부가상청사"),
    ("6110000", "한빛특별시", "local", "한시장", "한빛특별시 중앙구 시청가상로 1"),
    ("B552001", "한국디지털진흥공단", "public_institution", "진이사", "대구광역시 가상구 진흥가상로 53"),
    ("7010000", "한빛시교육청", "education", "배교육", "한빛특별시 교육구 배움가상로 20"),
]

OPERATOR_NAME = "디지털서비스 마켓 운영기관(NIA)"
PPS_NAME = "조달청 디지털조달국"

ACCOUNTS = [
    DemoAccount("supplier@demo.kr", "김가상", Role.SUPPLIER, "(주)가상소프트"),
    DemoAccount("supplier2@demo.kr", "이나래", Role.SUPPLIER, "클라우드나래 주식회사"),
    DemoAccount("buyer@demo.kr", "정수요", Role.AGENCY_BUYER, "미래행정부"),
    DemoAccount("buyer2@demo.kr", "한지방", Role.AGENCY_BUYER, "한빛특별시"),
    DemoAccount("operator@demo.kr", "오운영", Role.OPERATOR, OPERATOR_NAME),
    DemoAccount("reviewer@demo.kr", "심위원", Role.REVIEWER, OPERATOR_NAME),
    DemoAccount("reviewer2@demo.kr", "서심사", Role.REVIEWER, OPERATOR_NAME),
    DemoAccount("reviewer3@demo.kr", "윤전문", Role.REVIEWER, OPERATOR_NAME),
    DemoAccount("officer@demo.kr", "조계약", Role.CONTRACTING_OFFICER, PPS_NAME),
    DemoAccount("admin@demo.kr", "관리자", Role.ADMIN, OPERATOR_NAME),
]


def seed_demo(session: Session) -> int:
    """Create the demo organisations and accounts; returns the number of accounts created."""
    by_name: dict[str, Organisation] = {}
    by_name[OPERATOR_NAME] = registration.create_staff_organisation(session, OrganisationKind.OPERATOR, OPERATOR_NAME)
    by_name[PPS_NAME] = registration.create_staff_organisation(session, OrganisationKind.PPS, PPS_NAME)
    for number, company, representative, size, rating, address in SUPPLIERS:
        account = next((a for a in ACCOUNTS if a.organisation == company), None)
        user = signing_up.register_verified_supplier(
            session,
            signing_up.SupplierSignUp(
                business_number=number,
                company_name=company,
                representative=representative,
                size=size,
                name=account.name if account else representative,
                email=account.email if account else f"contact-{number}@demo.kr",
                password=DEMO_PASSWORD,
                credit_rating=rating,
                contact_phone="02-6000-0000",
                address=address,
            ),
        )
        by_name[company] = user.organisation
        if size == "sme":  # the demo's SMEs hold a 중소기업확인서 valid to the end of next March
            user.organisation.sme_valid_until = date(today_kst().year + 1, 3, 31)
    for code, name, kind, head, address in AGENCIES:
        agency = registration.NewAgency(code, name, kind, "044-000-0000", representative=head, address=address)
        by_name[name] = registration.create_agency(session, None, agency)
    created = len(SUPPLIERS)
    for account in ACCOUNTS:
        if account.role == Role.SUPPLIER:
            continue
        user_accounts.create_user(
            session,
            None,
            user_accounts.NewUser(
                email=account.email,
                name=account.name,
                role=account.role,
                organisation_id=by_name[account.organisation].id,
                password=DEMO_PASSWORD,
                # each agency's buyer administers its agency's accounts, as a company's first user does
                is_org_admin=account.role == Role.AGENCY_BUYER,
            ),
        )
        created += 1
    return created
