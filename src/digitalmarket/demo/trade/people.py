"""The people of the demo trade: the agencies and buyers added to those of `demo/accounts`, a sales
user for each company of the demo catalog, and the representatives and addresses contract documents
print."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...accounts import profiles, registration, user_accounts
from ...accounts.permissions import Actor
from ...accounts.rules import Role
from ...accounts.tables import Organisation, User
from ...accounts.user_accounts import actor_of
from ..accounts import DEMO_PASSWORD

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


def add_people(session: Session) -> None:
    """The agencies and buyers added for the demo, and one user for each company of the demo catalog."""
    names = {o.name: o for o in session.scalars(select(Organisation))}
    buyers = list(MORE_BUYERS)
    for number, (code, name, kind, email, person) in enumerate(MORE_AGENCIES, start=1):
        head, address = _contract_details(number)
        agency = registration.NewAgency(code, name, kind, "044-000-0000", representative=head, address=address)
        names[name] = registration.create_agency(session, None, agency)
        buyers.append((name, email, person))
    for organisation, email, person in buyers:
        user = user_accounts.NewUser(email, person, Role.AGENCY_BUYER, names[organisation].id, DEMO_PASSWORD)
        user_accounts.create_user(session, None, user)
    sellers: dict[int, Actor] = {}
    for user in session.scalars(select(User).where(User.role == Role.SUPPLIER).order_by(User.id)):
        sellers.setdefault(user.organisation_id, actor_of(user))
    for org in session.scalars(select(Organisation).where(Organisation.kind == "supplier").order_by(Organisation.id)):
        if org.id not in sellers:
            email = f"sales-{org.business_number}@demo.kr"
            user = user_accounts.NewUser(email, f"{org.name} 영업담당", Role.SUPPLIER, org.id, DEMO_PASSWORD)
            sellers[org.id] = actor_of(user_accounts.create_user(session, None, user))
        seller = sellers[org.id]  # the catalog's companies have theirs since they applied (demo/services.py)
        if profiles.contract_party_gaps(org):  # contract documents print the representative and address
            head, address = _contract_details(org.id)
            registration.complete_supplier(session, org, head, "sme")
            profile = profiles.SupplierProfileChange(org.version, address=org.address or address)
            profiles.update_supplier_profile(session, seller, profile)


#: Fictional surnames, given names and streets for the details contract documents print.
_SURNAMES, _GIVEN = "김이박최정강조윤장임", ("민준", "서연", "도윤", "하은", "지호", "수아", "현우", "지민")
_CITIES = ("서울특별시 가상구", "세종특별자치시", "부산광역시 바다구", "대전광역시 한빛구", "경기도 가상시")


def _contract_details(number: int) -> tuple[str, str]:
    """A representative (or head of agency) and an address for a demo organisation, the same each time."""
    person = _SURNAMES[number % len(_SURNAMES)] + _GIVEN[number % len(_GIVEN)]
    return person, f"{_CITIES[number % len(_CITIES)]} 디지털가상로 {10 + number}"
