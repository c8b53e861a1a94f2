"""What `/verify` answers about a PDF or a SHA-256: the signatures as the validator finds them against
the platform's CA (with its current revocation list and the certificates organisations uploaded), and
what the platform knows of the document (`ledger`): which document it is and whether it is the latest
version. Read-only: nothing is stored, not even the file."""

from __future__ import annotations

import re
from dataclasses import dataclass

from cryptography.hazmat.primitives.serialization import Encoding
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..accounts.tables import Organisation
from ..core.errors import ValidationFailed
from ..core.i18n import N_
from .authority import authority, revocation_list
from .keys import chain_of
from .ledger import find, sha256_of, standing
from .tables import SigningKey
from .verifying import Verification, load_certificate, verify_pdf

MAX_BYTES = 20 * 1024 * 1024
SHA256 = re.compile(r"[0-9a-f]{64}")


@dataclass
class Known:
    """What the platform knows of a file by its SHA-256."""

    sha256: str
    title: str
    family: str
    revision: int
    kind: str  # draft, signature, timestamp
    signer: str | None
    organisation: str | None
    made_at: str
    is_latest: bool
    latest_sha256: str | None
    latest_title: str | None

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def _known(session: Session, sha256: str) -> Known | None:
    row = find(session, sha256)
    if row is None:
        return None
    place = standing(session, row)
    organisation = session.get(Organisation, row.organisation_id) if row.organisation_id else None
    latest = place.latest
    return Known(
        sha256=row.sha256,
        title=row.title,
        family=row.family,
        revision=row.revision,
        kind=row.kind,
        signer=row.signer_name,
        organisation=organisation.name if organisation else None,
        made_at=row.created_at.isoformat(),
        is_latest=place.is_latest,
        latest_sha256=latest.sha256 if latest else None,
        latest_title=latest.title if latest else None,
    )


def digest_of(text: str) -> str:
    """A pasted SHA-256 (64 hexadecimal digits, spaces and case ignored); 422 otherwise."""
    digest = re.sub(r"\s+", "", text or "").lower()
    if not SHA256.fullmatch(digest):
        raise ValidationFailed(fields={"sha256": N_("Enter the 64 hexadecimal digits of a SHA-256.")})
    return digest


def check_digest(session: Session, text: str) -> dict:
    """What the platform knows of the document with this SHA-256 (no signature can be checked without the
    file)."""
    digest = digest_of(text)
    known = _known(session, digest)
    return {"sha256": digest, "known": known.as_dict() if known else None, "verification": None}


def trust(session: Session) -> tuple[list, list, list[bytes]]:
    """The trust roots (the CA, and the roots of the certificates organisations uploaded), the other
    certificates of their chains, and the CA's revocation list as of now."""
    ca = authority(session)
    if ca is None:  # the installation has signed nothing yet
        return [], [], []
    roots, others = [load_certificate(ca.certificate_der)], []
    uploaded = session.scalars(select(SigningKey).where(SigningKey.source == "uploaded")).all()
    for row in uploaded:
        for cert in chain_of(row):
            asn1 = load_certificate(cert.public_bytes(Encoding.DER))
            (roots if asn1.self_signed else others).append(asn1)
    return roots, others, [revocation_list(session)]


def check_file(session: Session, pdf: bytes) -> dict:
    """The signatures of ``pdf`` and what the platform knows of it."""
    if not pdf:
        raise ValidationFailed(fields={"file": N_("Choose a PDF file to check.")})
    roots, others, crls = trust(session)
    verification = verify_pdf(pdf, roots, crls=crls, other_certs=others)
    known = _known(session, sha256_of(pdf))
    return {"sha256": verification.sha256, "known": known.as_dict() if known else None,
            "verification": as_dict(verification)}  # fmt: skip


def as_dict(verification: Verification) -> dict:
    return {
        "readable": verification.readable,
        "ok": verification.ok,
        "size": verification.size,
        "signatures": [check.as_dict() for check in verification.signatures],
    }
