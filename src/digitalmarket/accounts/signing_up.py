"""Signing up: a company signs itself up, the company and its first user (who administers the company's
accounts) at once. Runs inside the caller's transaction: load, ask the rules, write, audit."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..core import audit
from ..core.errors import Conflict
from ..core.i18n import N_
from . import rules
from .checks import MAX_ADDRESS, _choice_problem, _email_taken, _flush_or_conflict, fail_if
from .rules import OrganisationKind, Role, SupplierSize
from .secrets import hash_password
from .tables import Organisation, User


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


def sign_up_supplier(session: Session, form: SupplierSignUp) -> User:
    """Every field is checked at once, so the form shows each problem next to its field in one go."""
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
        "address": rules.optional_text_problem(form.address, MAX_ADDRESS),
        "password_confirm": N_("The two passwords are not the same.")
        if form.password_confirm is not None and form.password_confirm != form.password
        else None,
    }
    duplicates = {}
    if problems["business_number"] is None and session.scalar(
        select(Organisation.id).where(Organisation.business_number == number)
    ):
        duplicates["business_number"] = N_("A company with this business registration number already exists.")
    if problems["email"] is None and _email_taken(session, email):
        duplicates["email"] = N_("An account with this e-mail address already exists.")
    if any(problem is not None for problem in problems.values()):
        fail_if({**problems, **duplicates})
    if duplicates:
        raise Conflict(N_("Some details are already registered."), fields=duplicates)
    org = Organisation(
        kind=OrganisationKind.SUPPLIER,
        name=form.company_name.strip(),
        business_number=number,
        representative=form.representative.strip(),
        address=form.address.strip() or None,
        size=form.size,
        credit_rating=form.credit_rating.strip() or None,
        contact_phone=form.contact_phone.strip() or None,
        contact_email=email,
    )
    user = User(
        organisation=org,
        email=email,
        name=form.name.strip(),
        role=Role.SUPPLIER,
        password_hash=hash_password(form.password),
        is_org_admin=True,  # whoever signs the company up administers its accounts
    )
    session.add_all([org, user])
    _flush_or_conflict(session)
    audit.record(
        session,
        actor_user_id=user.id,
        action="account.signed_up",
        object_type="organisation",
        object_id=org.id,
        details={"business_number": number, "user_id": user.id},
    )
    return user
