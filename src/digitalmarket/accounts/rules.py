"""Rules of accounts: roles, organisation kinds, business numbers, passwords, lock-out. No I/O."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from ..core.i18n import N_, Text
from .secrets import password_weakness


class Role(StrEnum):
    SUPPLIER = "supplier"  # 공급기업
    AGENCY_BUYER = "agency_buyer"  # 수요기관 담당자
    OPERATOR = "operator"  # 운영기관 (NIA)
    REVIEWER = "reviewer"  # 심사위원
    CONTRACTING_OFFICER = "contracting_officer"  # 조달청 계약관
    ADMIN = "admin"  # 시스템 관리자


class OrganisationKind(StrEnum):
    SUPPLIER = "supplier"  # 공급기업
    AGENCY = "agency"  # 수요기관
    OPERATOR = "operator"  # 운영기관 (NIA side: operators, reviewers, admins)
    PPS = "pps"  # 조달청


class SupplierSize(StrEnum):
    LARGE = "large"  # 대기업
    MIDDLE = "middle"  # 중견기업
    SME = "sme"  # 중소기업


class AgencyKind(StrEnum):
    CENTRAL = "central"  # 중앙행정기관
    LOCAL = "local"  # 지방자치단체
    PUBLIC_INSTITUTION = "public_institution"  # 공공기관
    EDUCATION = "education"  # 교육기관


ROLE_LABELS = {
    Role.SUPPLIER: N_("Supplier"),
    Role.AGENCY_BUYER: N_("Agency buyer"),
    Role.OPERATOR: N_("Operator"),
    Role.REVIEWER: N_("Reviewer"),
    Role.CONTRACTING_OFFICER: N_("Contracting officer"),
    Role.ADMIN: N_("Administrator"),
}

ORGANISATION_KIND_LABELS = {
    OrganisationKind.SUPPLIER: N_("Supplier"),
    OrganisationKind.AGENCY: N_("Agency"),
    OrganisationKind.OPERATOR: N_("Operator"),
    OrganisationKind.PPS: N_("Public Procurement Service"),
}

SIZE_LABELS = {
    SupplierSize.LARGE: N_("Large company"),
    SupplierSize.MIDDLE: N_("Mid-sized company"),
    SupplierSize.SME: N_("Small or medium enterprise"),
}

AGENCY_KIND_LABELS = {
    AgencyKind.CENTRAL: N_("Central government"),
    AgencyKind.LOCAL: N_("Local government"),
    AgencyKind.PUBLIC_INSTITUTION: N_("Public institution"),
    AgencyKind.EDUCATION: N_("Education"),
}

#: The organisation kind each role belongs to.
ROLE_ORGANISATION_KIND = {
    Role.SUPPLIER: OrganisationKind.SUPPLIER,
    Role.AGENCY_BUYER: OrganisationKind.AGENCY,
    Role.OPERATOR: OrganisationKind.OPERATOR,
    Role.REVIEWER: OrganisationKind.OPERATOR,
    Role.ADMIN: OrganisationKind.OPERATOR,
    Role.CONTRACTING_OFFICER: OrganisationKind.PPS,
}

#: Each role's workspace page.
ROLE_HOME = {
    Role.SUPPLIER: "/supplier",
    Role.AGENCY_BUYER: "/agency",
    Role.OPERATOR: "/operator",
    Role.REVIEWER: "/reviewer",
    Role.CONTRACTING_OFFICER: "/officer",
    Role.ADMIN: "/admin",
}

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 256
BUSINESS_NUMBER_WEIGHTS = (1, 3, 7, 1, 3, 7, 1, 3, 5)
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")


def normalise_business_number(raw: str) -> str:
    """Digits only: ``120-81-47521`` and ``1208147521`` are the same number."""
    return re.sub(r"[\s-]", "", raw or "")


def business_number_check_digit(first_nine: str) -> int:
    """The check digit of a 사업자등록번호 for its first nine digits (DOMAIN.md)."""
    digits = [int(c) for c in first_nine]
    total = sum(d * w for d, w in zip(digits, BUSINESS_NUMBER_WEIGHTS, strict=True))
    total += (digits[8] * 5) // 10
    return (10 - total % 10) % 10


def is_valid_business_number(raw: str) -> bool:
    number = normalise_business_number(raw)
    if len(number) != 10 or not number.isascii() or not number.isdigit():
        return False
    return business_number_check_digit(number[:9]) == int(number[9])


def format_business_number(number: str) -> str:
    return f"{number[:3]}-{number[3:5]}-{number[5:]}" if len(number) == 10 else number


def normalise_email(raw: str) -> str:
    return (raw or "").strip().lower()


def email_problem(email: str) -> Text | None:
    if not email:
        return N_("Enter an e-mail address.")
    if len(email) > 254 or not _EMAIL.match(email):
        return N_("Enter an e-mail address like name@example.kr.")
    return None


def password_problem(password: str, user_inputs: tuple[str, ...] = ()) -> Text | None:
    """What is wrong with a new password: its length, or that it is easy to guess (a repetition such as
    ``aaaaaaaaaa``, a sequence such as ``1234567890``, a common password, or the person's own e-mail
    address or name, given as ``user_inputs``)."""
    if len(password or "") < MIN_PASSWORD_LENGTH:
        return N_("The password must be at least %(min)s characters long.", min=MIN_PASSWORD_LENGTH)
    if len(password) > MAX_PASSWORD_LENGTH:
        return N_("The password must be at most %(max)s characters long.", max=MAX_PASSWORD_LENGTH)
    weakness = password_weakness(password, user_inputs)
    if weakness == "personal":
        return N_("The password must not be built on your e-mail address or name: they are the first guesses.")
    if weakness == "guessable":
        return N_(
            "This password is too easy to guess (a repeated character, a sequence such as 1234, or a common "
            "password or word). Use a longer one of several unrelated words, numbers or signs."
        )
    return None


def required_text_problem(value: str, max_length: int = 200) -> Text | None:
    if not (value or "").strip():
        return N_("This field is required.")
    if len(value) > max_length:
        return N_("At most %(max)s characters.", max=max_length)
    return None


#: What a contract document prints of each party (계약 당사자), as the profile names it.
CONTRACT_PARTY_LABELS: dict[str, Text] = {
    "name": N_("Organisation name"),
    "business_number": N_("Business registration number"),
    "agency_code": N_("Agency code"),
    "representative": N_("Representative"),
    "address": N_("Address"),
}


def contract_party_gaps(kind: str, values: dict[str, str | None]) -> list[str]:
    """The details a contract document needs of an organisation that it lacks: the name, the business
    number (a supplier) or the agency code (an agency), the representative (an agency's head, 기관장) and
    the address."""
    number = "agency_code" if kind == OrganisationKind.AGENCY else "business_number"
    return [name for name in ("name", number, "representative", "address") if not (values.get(name) or "").strip()]


def optional_text_problem(value: str | None, max_length: int = 200) -> Text | None:
    if len(value or "") > max_length:
        return N_("At most %(max)s characters.", max=max_length)
    return None


def role_fits_organisation(role: Role, kind: OrganisationKind) -> bool:
    return ROLE_ORGANISATION_KIND[role] == kind


@dataclass(frozen=True)
class LockoutPolicy:
    """5 failed log-ins lock an account for 15 minutes."""

    max_failures: int = 5
    lock_minutes: int = 15

    def is_locked(self, locked_until: datetime | None, now: datetime) -> bool:
        return locked_until is not None and locked_until > now

    def after_failure(self, failures: int, now: datetime) -> tuple[int, datetime | None]:
        """The new failure count and lock time after one more failed log-in."""
        failures += 1
        if failures >= self.max_failures:
            return 0, now + timedelta(minutes=self.lock_minutes)
        return failures, None


@dataclass(frozen=True)
class AddressLimit:
    """20 failed log-ins from one address within 15 minutes refuse further log-ins from it (any account)."""

    max_failures: int = 20
    window_minutes: int = 15

    def window_start(self, now: datetime) -> datetime:
        return now - timedelta(minutes=self.window_minutes)

    def is_limited(self, recent_failures: int) -> bool:
        return recent_failures >= self.max_failures


def client_address(peer: str | None) -> str:
    """The caller's address as it is recorded: the connection's peer, which behind a proxy named in
    ``DM_TRUSTED_PROXIES`` is the client that proxy saw (``X-Forwarded-For`` read from the right, past the
    trusted proxies); never a header anyone else sent."""
    return (peer or "unknown")[:64]


def sanction_active(sanction_from: date | None, sanction_until: date | None, today: date) -> bool:
    """부정당업자 제재: active from its first day to its last day, both included."""
    if sanction_from is None or sanction_until is None:
        return False
    return sanction_from <= today <= sanction_until


# --- password reset links and invitations -------------------------------------------------------------

#: A password reset link works once, within this time.
RESET_LINK_LIFETIME = timedelta(hours=1)
#: At most this many reset links are sent to one account within `RESET_LINK_LIFETIME`; a further request
#: gets the same answer and sends nothing, so nobody can flood a mailbox.
RESET_LINKS_PER_ACCOUNT = 3
#: An invitation to join an organisation works once, within this time.
INVITATION_LIFETIME = timedelta(days=7)

#: The role a colleague invited into an organisation of each kind joins with.
INVITED_ROLE = {
    OrganisationKind.SUPPLIER: Role.SUPPLIER,
    OrganisationKind.AGENCY: Role.AGENCY_BUYER,
    OrganisationKind.OPERATOR: Role.OPERATOR,
    OrganisationKind.PPS: Role.CONTRACTING_OFFICER,
}


def link_problem(expires_at: datetime, spent_at: datetime | None, now: datetime) -> Text | None:
    """Why an e-mailed link (a reset, an invitation) no longer works, or None while it does."""
    if spent_at is not None:
        return N_("This link has been used already.")
    if expires_at <= now:
        return N_("This link has expired.")
    return None


def removal_problem(actor_user_id: int, target_user_id: int, target_is_admin: bool, active_admins: int) -> Text | None:
    """An organisation administrator removes a colleague, never themselves nor the last administrator."""
    if actor_user_id == target_user_id:
        return N_("You cannot remove yourself.")
    if target_is_admin and active_admins <= 1:
        return N_("The last administrator of an organisation cannot be removed.")
    return None
