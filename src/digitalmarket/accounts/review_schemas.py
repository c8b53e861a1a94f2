"""JSON shapes of sign-up's two steps, a company's verification and the operator's reviews."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from .review_tables import CompanyReview, ReviewDocument
from .tables import Organisation


class SignUpRequestedOut(BaseModel):
    status: str = Field(examples=["mail_sent"])
    email: str
    message: str = Field(description="what to do next, in the caller's language")
    confirm: str = Field(examples=["POST /api/v1/signup/confirm"], description="where to send the code from the e-mail")


class SignUpConfirmIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(max_length=100, description="the code of the e-mail: its link's last part, dms_...")


class ClaimOut(BaseModel):
    id: int
    state: Literal["pending", "approved", "refused"] = Field(description="pending, until the operator decides")


class ReviewDocumentOut(BaseModel):
    id: int
    kind: str = Field(description="registration | sme | credit")
    filename: str
    media_type: str
    size: int
    download: str

    @classmethod
    def of(cls, document: ReviewDocument) -> ReviewDocumentOut:
        return cls(
            id=document.id,
            kind=document.kind,
            filename=document.filename,
            media_type=document.media_type,
            size=document.size,
            download=f"/api/v1/company-reviews/{document.review_id}/documents/{document.id}",
        )


class ReviewOut(BaseModel):
    id: int
    organisation_id: int
    organisation_name: str
    business_number: str | None = None
    kind: str = Field(description="registration (business registration evidence) | change (identity fields) | claim")
    state: Literal["pending", "approved", "refused"]
    name: str | None = None
    representative: str | None = None
    size: str | None = None
    credit_rating: str | None = None
    sme_valid_until: date | None = None
    credit_rated_on: date | None = None
    requested_at: datetime
    decided_at: datetime | None = None
    reason: str | None = None
    claimant_email: str | None = Field(default=None, description="a claim: who filed it")
    claimant_name: str | None = None
    documents: list[ReviewDocumentOut]

    @classmethod
    def of(cls, review: CompanyReview, org: Organisation) -> ReviewOut:
        return cls(
            id=review.id,
            organisation_id=org.id,
            organisation_name=org.name,
            business_number=org.business_number,
            kind=review.kind,
            state=review.status,
            name=review.name,
            representative=review.representative,
            size=review.size,
            credit_rating=review.credit_rating,
            sme_valid_until=review.sme_valid_until,
            credit_rated_on=review.credit_rated_on,
            requested_at=review.requested_at,
            decided_at=review.decided_at,
            reason=review.reason,
            claimant_email=(review.claimant or {}).get("email"),
            claimant_name=(review.claimant or {}).get("name"),
            documents=[ReviewDocumentOut.of(d) for d in review.documents],
        )


class VerificationOut(BaseModel):
    verification: str = Field(description="unverified | pending | verified | refused")
    label: str
    verified_at: datetime | None = None
    sme_valid_until: date | None = None
    credit_rated_on: date | None = None
    reviews: list[ReviewOut]


class RefuseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(max_length=500)
