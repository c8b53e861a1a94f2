"""JSON shapes of the accounts API (requests and responses)."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from ..core.paths import LARGEST_ID
from .rules import OrganisationKind, Role, format_business_number
from .tables import Invitation, Organisation, User


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SignUpIn(Strict):
    business_number: str = Field(max_length=20, examples=["120-81-47521"])
    company_name: str = Field(max_length=200)
    representative: str = Field(max_length=100)
    size: str = Field(max_length=16, description="large | middle | sme")
    name: str = Field(max_length=100)
    email: str = Field(max_length=254)
    password: str = Field(max_length=256)
    credit_rating: str = Field(default="", max_length=16)
    contact_phone: str = Field(default="", max_length=32)
    address: str = Field(default="", max_length=300)
    password_confirm: str | None = Field(default=None, max_length=256, description="the password again (optional)")


class OrganisationOut(BaseModel):
    id: int
    kind: OrganisationKind
    name: str
    business_number: str | None = None
    representative: str | None = None
    address: str | None = None
    size: str | None = None
    credit_rating: str | None = None
    sanction_from: date | None = None
    sanction_until: date | None = None
    agency_code: str | None = None
    agency_kind: str | None = None
    contact_phone: str | None = None
    contact_email: str | None = None
    verification: str = Field(default="verified", description="a supplier: unverified | pending | verified | refused")
    version: int

    @classmethod
    def of(cls, org: Organisation) -> OrganisationOut:
        return cls(
            id=org.id,
            kind=org.kind,
            name=org.name,
            business_number=format_business_number(org.business_number) if org.business_number else None,
            representative=org.representative,
            address=org.address,
            size=org.size,
            credit_rating=org.credit_rating,
            sanction_from=org.sanction_from,
            sanction_until=org.sanction_until,
            agency_code=org.agency_code,
            agency_kind=org.agency_kind,
            contact_phone=org.contact_phone,
            contact_email=org.contact_email,
            verification=org.verification,
            version=org.version,
        )


class UserOut(BaseModel):
    id: int
    email: str
    name: str
    role: Role
    organisation_id: int
    is_active: bool = True
    is_org_admin: bool = False
    version: int

    @classmethod
    def of(cls, user: User) -> UserOut:
        return cls(
            id=user.id,
            email=user.email,
            name=user.name,
            role=user.role,
            organisation_id=user.organisation_id,
            is_active=user.is_active,
            is_org_admin=user.is_org_admin,
            version=user.version,
        )


class MeOut(BaseModel):
    user: UserOut
    role: Role
    organisation: OrganisationOut


class SignUpOut(BaseModel):
    user: UserOut
    organisation: OrganisationOut


class SupplierProfileIn(Strict):
    """Contacts and address change at once; the identity fields, if given, must equal today's values (they
    change through POST /supplier/identity-changes)."""

    version: int
    name: str = Field(default="", max_length=200)
    representative: str = Field(default="", max_length=100)
    size: str = Field(default="", max_length=16)
    credit_rating: str = Field(default="", max_length=16)
    contact_phone: str = Field(default="", max_length=32)
    contact_email: str = Field(default="", max_length=254)
    address: str = Field(default="", max_length=300)


class AgencyProfileIn(Strict):
    version: int
    representative: str = Field(max_length=100, description="the head of the agency (기관장)")
    address: str = Field(max_length=300)
    contact_phone: str = Field(default="", max_length=32)


class SanctionIn(Strict):
    version: int
    sanction_from: date | None = None
    sanction_until: date | None = None
    reason: str = Field(max_length=500)


class NewUserIn(Strict):
    email: str = Field(max_length=254)
    name: str = Field(max_length=100)
    role: str = Field(max_length=32)
    organisation_id: int = Field(gt=0, le=LARGEST_ID)
    password: str = Field(max_length=256)


class RoleChangeIn(Strict):
    role: str = Field(max_length=32)
    version: int


class NewAgencyIn(Strict):
    agency_code: str = Field(max_length=16)
    name: str = Field(max_length=200)
    agency_kind: str = Field(max_length=32)
    contact_phone: str = Field(default="", max_length=32)
    representative: str = Field(default="", max_length=100, description="the head of the agency (기관장)")
    address: str = Field(default="", max_length=300)


class ErrorBody(BaseModel):
    code: str
    message: str
    fields: dict[str, str]


class ErrorOut(BaseModel):
    error: ErrorBody


class PasswordResetIn(Strict):
    email: str = Field(max_length=254)


class PasswordResetConfirmIn(Strict):
    token: str = Field(max_length=100, description="the token at the end of the link in the e-mail")
    password: str = Field(max_length=256)


class MessageOut(BaseModel):
    message: str


class InvitationIn(Strict):
    email: str = Field(max_length=254)


class InvitationOut(BaseModel):
    id: int
    email: str
    role: str
    organisation_id: int
    created_at: datetime
    expires_at: datetime

    @classmethod
    def of(cls, invitation: Invitation) -> InvitationOut:
        return cls(
            id=invitation.id,
            email=invitation.email,
            role=invitation.role,
            organisation_id=invitation.organisation_id,
            created_at=invitation.created_at,
            expires_at=invitation.expires_at,
        )


class InvitationAcceptIn(Strict):
    token: str = Field(max_length=100, description="the token at the end of the link in the invitation")
    name: str = Field(max_length=100)
    password: str = Field(max_length=256)


class OrgAdminIn(Strict):
    is_org_admin: bool
