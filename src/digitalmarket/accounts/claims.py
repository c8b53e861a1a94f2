"""A claim on a business number: a company that finds its number taken by another organisation (signed up by
someone else, or registered by an import) files a claim with its 사업자등록증명. As a sign-up, the claim is
written only once the claimant's e-mail address is proven by a link; then the organisation holding the
number is frozen (no applying, quoting or signing) until the operator decides. Approved, the organisation
becomes the claimant's: its accounts are closed, its name and representative are the claim's, it is
verified, its size (SME) and credit rating, proven by the previous holder, are cleared until the claimant
proves them through a change request, and the claimant's account is made as its administrator. Refused,
the freeze ends and the claimant is told why. Each runs inside the caller's transaction."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..core import audit
from ..core.errors import Conflict, ValidationFailed
from ..core.files import StoredFile
from ..core.i18n import N_, Text
from ..core.notifications import mail_to, notify
from ..core.tables import utcnow
from . import rules
from .checks import _email_taken, fail_if
from .colleagues import _close
from .identity_changes import IDENTITY_FIELDS
from .review_tables import CompanyReview, ReviewDocument, SignupRequest
from .rules import OrganisationKind, Role
from .secrets import hash_password, new_token, token_digest
from .signing_up import SIGNUP_LINK_LIFETIME, _request_of, _throttle, confirm_problem
from .tables import Organisation, User
from .verification import ATTACH_CERTIFICATE, QUEUE_PATH, member_ids, staff_ids

CONFIRM_PATH = "/signup/claims/confirm/"
CLAIM_MAIL = N_(
    "Confirm your claim on the business registration number %(number)s with the link below (or enter its "
    "code, the part after the last slash, in the API). The link works once, within %(hours)s hours. If you "
    "did not file a claim, ignore this e-mail."
)
CLAIM_SENT = N_(
    "We have sent a confirmation link to %(email)s. Once you open it, the claim goes to the operator, who "
    "decides it with your evidence."
)
NOT_TAKEN = N_("No organisation holds this business registration number: sign up instead.")


@dataclass
class Claim:
    """A company claims its business number: who it is, and the account to make if the claim is approved."""

    business_number: str
    company_name: str
    representative: str
    name: str
    email: str
    password: str
    password_confirm: str | None = None


def request_claim(
    session: Session,
    form: Claim,
    document: StoredFile | None,
    *,
    language: str,
    address: str | None = None,
    now: datetime | None = None,
) -> SignupRequest:
    """The first step: every field checked at once, throttled as sign-ups; a pending claim and its mail."""
    now = now or utcnow()
    number = rules.normalise_business_number(form.business_number)
    email = rules.normalise_email(form.email)
    problems: dict[str, Text | None] = {
        "business_number": None
        if rules.is_valid_business_number(number)
        else N_("Enter a valid 10-digit business registration number (e.g. 120-81-47521)."),
        "company_name": rules.required_text_problem(form.company_name),
        "representative": rules.required_text_problem(form.representative, 100),
        "name": rules.required_text_problem(form.name, 100),
        "email": rules.email_problem(email),
        "password": rules.password_problem(form.password),
        "password_confirm": N_("The two passwords are not the same.")
        if form.password_confirm is not None and form.password_confirm != form.password
        else None,
        "file": None if document is not None else ATTACH_CERTIFICATE,
    }
    if problems["business_number"] is None and _holder(session, number) is None:
        problems["business_number"] = NOT_TAKEN
    fail_if(problems)
    if _email_taken(session, email):
        raise Conflict(
            N_("Some details are already registered."),
            fields={"email": N_("An account with this e-mail address already exists.")},
        )
    _throttle(session, email, address, now)
    code = new_token("dmc")
    details = {
        "claim": True,
        "company_name": form.company_name.strip(),
        "representative": form.representative.strip(),
        "name": form.name.strip(),
        "password_hash": hash_password(form.password),
        "document": asdict(document),
        "language": language,
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
    hours = int(SIGNUP_LINK_LIFETIME.total_seconds() // 3600)
    mail_to(session, email, N_(CLAIM_MAIL.msgid, number=number, hours=hours), CONFIRM_PATH + code, language=language)
    audit.record(
        session,
        actor_user_id=None,
        action="account.signup_requested",
        object_type="signup_request",
        object_id=request.id,
        details={"business_number": number, "claim": True, **({"address": address} if address else {})},
    )
    return request


def claim_sent(email: str) -> Text:
    return N_(CLAIM_SENT.msgid, email=email)


def _holder(session: Session, number: str) -> Organisation | None:
    query = select(Organisation).where(
        Organisation.business_number == number, Organisation.kind == OrganisationKind.SUPPLIER
    )
    return session.scalar(query)


def confirm_claim(session: Session, code: str, now: datetime | None = None) -> CompanyReview:
    """The second step: the claim goes to the operator and the organisation holding the number is frozen."""
    now = now or utcnow()
    request = _request_of(session, code)
    problem = confirm_problem(session, code, now)
    if problem is None and not (request.details or {}).get("claim"):
        problem = N_("This link is not valid.")
    if problem is not None:
        raise ValidationFailed(problem, fields={"code": problem})
    details = request.details
    org = _holder(session, request.business_number)
    if org is None:
        raise Conflict(NOT_TAKEN)
    if _email_taken(session, request.email):
        raise Conflict(fields={"email": N_("An account with this e-mail address already exists.")})
    waiting = select(CompanyReview.id).where(
        CompanyReview.organisation_id == org.id, CompanyReview.kind == "claim", CompanyReview.status == "pending"
    )
    if session.scalar(waiting) is not None:
        raise Conflict(N_("A claim on this business registration number is being decided already."))
    review = CompanyReview(
        organisation_id=org.id,
        kind="claim",
        name=details["company_name"],
        representative=details["representative"],
        claimant={
            "email": request.email,
            "name": details["name"],
            "password_hash": details["password_hash"],
            "language": details.get("language", "ko"),
        },
        requested_at=now,
    )
    session.add(review)
    document = details["document"]
    session.add(ReviewDocument(review=review, kind="registration", **{k: document[k] for k in _DOCUMENT_FIELDS}))
    org.frozen_at = now
    request.confirmed_at, request.organisation_id = now, org.id
    request.details = {k: v for k, v in details.items() if k != "password_hash"}
    session.flush()
    notify(
        session,
        staff_ids(session, Role.OPERATOR),
        N_("A claim on the business number of %(company)s waits for a decision.", company=org.name),
        QUEUE_PATH,
    )
    notify(
        session,
        member_ids(session, org.id),
        N_(
            "Another company claims your business registration number. Until the operator decides, your "
            "company cannot apply, quote or sign."
        ),
        "/supplier/profile",
    )
    audit.record(
        session,
        actor_user_id=None,
        action="organisation.claim_filed",
        object_type="organisation",
        object_id=org.id,
        details={"review_id": review.id, "claimant": request.email},
    )
    return review


_DOCUMENT_FIELDS = ("sha256", "filename", "media_type", "size")


#: The claimant's mail: the company is its own, but its size and credit rating are to be proven again.
CLAIM_APPROVED = N_(
    "Your claim on the business number of %(company)s is approved: sign in with your e-mail address and "
    "password. The previous holder's size (SME) and credit rating are not yours: send your own with evidence "
    "through a change request on the company profile page (/supplier/profile)."
)


def closed_by_claim(company: str) -> Text:
    """What the holder's users are told when their accounts close."""
    return N_(
        "Your account at %(company)s is closed: the operator gave its business registration number to the "
        "company that claimed it with its business registration certificate. Ask the operator (운영기관) if you "
        "have questions.",
        company=company,
    )


def approve_claim(session: Session, review: CompanyReview, org: Organisation, now: datetime) -> dict:
    """The organisation becomes the claimant's; returns what it replaced."""
    claimant = review.claimant or {}
    if _email_taken(session, claimant["email"]):
        raise Conflict(fields={"email": N_("An account with this e-mail address already exists.")})
    before = {name: getattr(org, name) for name in IDENTITY_FIELDS} | {"users": member_ids(session, org.id)}
    for user in session.scalars(select(User).where(User.organisation_id == org.id, User.is_active)):
        _close(session, user, now)
        mail_to(session, user.email, closed_by_claim(org.name), "/", language="ko")
    org.name, org.representative = review.name or org.name, review.representative or org.representative
    org.verification, org.verified_at, org.frozen_at = "verified", now, None
    # the size (SME) and the credit rating were the holder's to prove: the claimant proves them again
    org.size = org.credit_rating = org.sme_valid_until = org.credit_rated_on = None
    session.add(
        User(
            organisation=org,
            email=claimant["email"],
            name=claimant["name"],
            role=Role.SUPPLIER,
            password_hash=claimant["password_hash"],
            is_org_admin=True,
        )
    )
    review.claimant = {k: v for k, v in claimant.items() if k != "password_hash"}
    mail_to(
        session,
        claimant["email"],
        N_(CLAIM_APPROVED.msgid, company=org.name),
        "/login",
        language=claimant.get("language", "ko"),
    )
    return before


def refuse_claim(session: Session, review: CompanyReview, org: Organisation) -> None:
    """The freeze ends; the claimant is told why."""
    org.frozen_at = None
    claimant = review.claimant or {}
    review.claimant = {k: v for k, v in claimant.items() if k != "password_hash"}
    mail_to(
        session,
        claimant["email"],
        N_(
            "The operator did not accept your claim on a business registration number: %(reason)s", reason=review.reason
        ),
        "/signup",
        language=claimant.get("language", "ko"),
    )
