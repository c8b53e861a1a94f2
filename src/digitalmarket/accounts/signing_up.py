"""Signing up: a company signs itself up in two steps. The first checks every field at once, asks the business
registry, and stores a pending request whose link (and code) goes to the e-mail address through the outbox;
nothing is written in the company's name yet. The second, when the link is followed, creates the company
(unverified until the operator has checked its evidence, `verification.py`) and its first user, who
administers the company's accounts. Each runs inside the caller's transaction: load, ask the rules, write,
audit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..core import audit
from ..core.errors import Conflict, TooManyAttempts, ValidationFailed
from ..core.i18n import N_, Text
from ..core.notifications import mail_to
from ..core.tables import utcnow
from . import rules
from .checks import MAX_ADDRESS, _choice_problem, _email_taken, _flush_or_conflict, fail_if
from .credentials import ADDRESS_LIMIT, attempts_from
from .registry import RegistryStatus, registry
from .review_tables import SignupRequest
from .rules import OrganisationKind, Role, SupplierSize
from .secrets import hash_password, new_token, token_digest
from .tables import Organisation, User

#: A sign-up's link (and code) works once, within this time.
SIGNUP_LINK_LIFETIME = timedelta(hours=24)
#: At most this many sign-ups for one e-mail address within `SIGNUP_WINDOW` (nobody floods a mailbox).
SIGNUPS_PER_EMAIL = 3
SIGNUP_WINDOW = timedelta(hours=1)
CONFIRM_PATH = "/signup/confirm/"
SIGNUP_MAIL = N_(
    "Confirm the sign-up of %(company)s with the link below (or enter its code, the part after the last "
    "slash, in the API). The link works once, within %(hours)s hours. If you did not sign up, ignore this "
    "e-mail: nothing has been registered.",
    hours=int(SIGNUP_LINK_LIFETIME.total_seconds() // 3600),
)
#: What the person reads after the first step.
MAIL_SENT = N_(
    "We have sent a confirmation link to %(email)s. Open it within %(hours)s hours to finish signing up; "
    "nothing is registered until then."
)
TAKEN_NUMBER = N_(
    "A company with this business registration number already exists. If it is your company's number, "
    "file a claim with your business registration certificate (/signup/claim); the operator decides it."
)
REGISTRY_PROBLEMS: dict[str, Text] = {
    RegistryStatus.CLOSED: N_("The national tax service lists this business registration number as closed (폐업)."),
    RegistryStatus.SUSPENDED: N_(
        "The national tax service lists this business registration number as suspended (휴업)."
    ),
}


@dataclass
class SupplierSignUp:
    """A company signs itself up: the company and its first user."""

    business_number: str
    company_name: str
    representative: str
    size: str
    name: str
    email: str
    password: str
    credit_rating: str = ""
    contact_phone: str = ""
    address: str = ""
    password_confirm: str | None = None  # the password typed again, when the form asks for it


def _numbered_problems(session: Session, number: str, email: str, problems: dict) -> dict[str, Text]:
    duplicates = {}
    if problems["business_number"] is None and session.scalar(
        select(Organisation.id).where(Organisation.business_number == number)
    ):
        duplicates["business_number"] = TAKEN_NUMBER
    if problems["email"] is None and _email_taken(session, email):
        duplicates["email"] = N_("An account with this e-mail address already exists.")
    return duplicates


def _check(session: Session, form: SupplierSignUp) -> tuple[str, str]:
    """Every field at once (422), then what is registered already (409); the normalised number and address."""
    number = rules.normalise_business_number(form.business_number)
    email = rules.normalise_email(form.email)
    problems = {
        "business_number": None
        if rules.is_valid_business_number(number)
        else N_("Enter a valid 10-digit business registration number (e.g. 120-81-47521)."),
        "company_name": rules.required_text_problem(form.company_name),
        "representative": rules.required_text_problem(form.representative, 100),
        "size": _choice_problem(form.size, SupplierSize),
        "name": rules.required_text_problem(form.name, 100),
        "email": rules.email_problem(email),
        "password": rules.password_problem(form.password),
        "credit_rating": rules.optional_text_problem(form.credit_rating, 16),
        "contact_phone": rules.optional_text_problem(form.contact_phone, 32),
        "address": rules.optional_text_problem(form.address, MAX_ADDRESS),
        "password_confirm": N_("The two passwords are not the same.")
        if form.password_confirm is not None and form.password_confirm != form.password
        else None,
    }
    duplicates = _numbered_problems(session, number, email, problems)
    if any(problem is not None for problem in problems.values()):
        fail_if({**problems, **duplicates})
    if duplicates:
        raise Conflict(N_("Some details are already registered."), fields=duplicates)
    return number, email


def _throttle(session: Session, email: str, address: str | None, now: datetime) -> None:
    """429 with Retry-After: too many sign-ups from one network address, or for one e-mail address."""
    if address and ADDRESS_LIMIT.is_limited(attempts_from(session, "account.signup_requested", address, now)):
        error = TooManyAttempts(
            N_(
                "Too many sign-ups from your network address. Try again in %(minutes)s minutes.",
                minutes=ADDRESS_LIMIT.window_minutes,
            )
        )
        error.retry_after_seconds = ADDRESS_LIMIT.window_minutes * 60
        raise error
    recent = list(
        session.scalars(
            select(SignupRequest.created_at)
            .where(SignupRequest.email == email, SignupRequest.created_at > now - SIGNUP_WINDOW)
            .order_by(SignupRequest.created_at)
        )
    )
    if len(recent) >= SIGNUPS_PER_EMAIL:
        wait = max(60, int((recent[0] + SIGNUP_WINDOW - now).total_seconds()) + 1)
        error = TooManyAttempts(
            N_(
                "Several confirmation links have gone to this address within the hour. Use one of them, or "
                "try again in %(minutes)s minutes.",
                minutes=(wait + 59) // 60,
            )
        )
        error.retry_after_seconds = wait
        raise error


def registry_status(number: str) -> RegistryStatus:
    """The registry's answer; a registry that fails to answer never blocks a sign-up (`registry.py`)."""
    try:
        return RegistryStatus(registry().status(number))
    except Exception:  # noqa: BLE001 - a timeout or an outage of the registry is "unknown", not a 5xx
        return RegistryStatus.UNKNOWN


def request_sign_up(
    session: Session,
    form: SupplierSignUp,
    *,
    language: str,
    address: str | None = None,
    now: datetime | None = None,
) -> SignupRequest:
    """The first step: checked, throttled and asked of the registry; a pending request and its mail."""
    now = now or utcnow()
    number, email = _check(session, form)
    _throttle(session, email, address, now)
    status = registry_status(number)
    if status in REGISTRY_PROBLEMS:
        raise ValidationFailed(fields={"business_number": REGISTRY_PROBLEMS[status]})
    code = new_token("dms")
    details = {
        "company_name": form.company_name.strip(),
        "representative": form.representative.strip(),
        "size": form.size,
        "name": form.name.strip(),
        "password_hash": hash_password(form.password),
        "credit_rating": form.credit_rating.strip(),
        "contact_phone": form.contact_phone.strip(),
        "address": form.address.strip(),
        "registry": str(status),
    }
    request = SignupRequest(
        email=email,
        business_number=number,
        code_hash=token_digest(code),
        details=details,
        created_at=now,
        expires_at=now + SIGNUP_LINK_LIFETIME,
    )
    session.add(request)
    session.flush()
    message = Text(SIGNUP_MAIL.msgid, {**SIGNUP_MAIL.params, "company": details["company_name"]})
    mail_to(session, email, message, CONFIRM_PATH + code, language=language)
    audit.record(
        session,
        actor_user_id=None,
        action="account.signup_requested",
        object_type="signup_request",
        object_id=request.id,
        details={"business_number": number, "registry": str(status), **({"address": address} if address else {})},
    )
    return request


def mail_sent(email: str) -> Text:
    return Text(MAIL_SENT.msgid, {"email": email, "hours": int(SIGNUP_LINK_LIFETIME.total_seconds() // 3600)})


def _request_of(session: Session, code: str) -> SignupRequest | None:
    if not code or len(code) > 100:
        return None
    return session.scalar(select(SignupRequest).where(SignupRequest.code_hash == token_digest(code)))


def confirm_problem(session: Session, code: str, now: datetime | None = None) -> Text | None:
    """Why this link or code cannot finish a sign-up (unknown, used, expired), or None."""
    request = _request_of(session, code)
    if request is None:
        return N_("This link is not valid.")
    return rules.link_problem(request.expires_at, request.confirmed_at, now or utcnow())


def _company(session: Session, number: str, email: str, details: dict, verification: str) -> tuple[Organisation, User]:
    org = Organisation(
        kind=OrganisationKind.SUPPLIER,
        name=details["company_name"],
        business_number=number,
        representative=details["representative"],
        address=details["address"] or None,
        size=details["size"],
        credit_rating=details["credit_rating"] or None,
        contact_phone=details["contact_phone"] or None,
        contact_email=email,
        verification=verification,
    )
    user = User(
        organisation=org,
        email=email,
        name=details["name"],
        role=Role.SUPPLIER,
        password_hash=details["password_hash"],
        is_org_admin=True,  # whoever signs the company up administers its accounts
    )
    session.add_all([org, user])
    _flush_or_conflict(session)
    return org, user


def register_verified_supplier(session: Session, form: SupplierSignUp, now: datetime | None = None) -> User:
    """A company and its first user registered by the installation itself (the demo at ``seed-demo``),
    verified at once: no mail, no registry, the same checks as a sign-up."""
    now = now or utcnow()
    number, email = _check(session, form)
    details = {
        "company_name": form.company_name.strip(),
        "representative": form.representative.strip(),
        "size": form.size,
        "name": form.name.strip(),
        "password_hash": hash_password(form.password),
        "credit_rating": form.credit_rating.strip(),
        "contact_phone": form.contact_phone.strip(),
        "address": form.address.strip(),
    }
    org, user = _company(session, number, email, details, "verified")
    org.verified_at = now
    audit.record(
        session,
        actor_user_id=user.id,
        action="account.signed_up",
        object_type="organisation",
        object_id=org.id,
        details={"business_number": number, "user_id": user.id, "verified": "at set-up"},
    )
    return user


def confirm_sign_up(session: Session, code: str, now: datetime | None = None) -> User:
    """The second step: the company (unverified) and its first user, from a live link or code."""
    now = now or utcnow()
    problem = confirm_problem(session, code, now)
    request = _request_of(session, code)
    if problem is None and (request.details or {}).get("claim"):
        problem = N_("This link is not valid.")  # a claim's code confirms a claim (`claims.py`), not a sign-up
    if problem is not None:
        raise ValidationFailed(problem, fields={"code": problem})
    details = request.details
    taken = {}
    if session.scalar(select(Organisation.id).where(Organisation.business_number == request.business_number)):
        taken["business_number"] = TAKEN_NUMBER
    if _email_taken(session, request.email):
        taken["email"] = N_("An account with this e-mail address already exists.")
    if taken:
        raise Conflict(N_("Some details are already registered."), fields=taken)
    org, user = _company(session, request.business_number, request.email, details, "unverified")
    request.confirmed_at, request.organisation_id = now, org.id
    request.details = {k: v for k, v in details.items() if k != "password_hash"}
    audit.record(
        session,
        actor_user_id=user.id,
        action="account.signed_up",
        object_type="organisation",
        object_id=org.id,
        details={"business_number": request.business_number, "user_id": user.id, "registry": details["registry"]},
    )
    return user
