"""The ledger of the platform's signed documents: every revision the platform made or signed (its draft,
each signature, its timestamp), by SHA-256, in a family of versions. `/verify` answers from it which
document a file is and whether it is the latest version; `register` is how a stage adds a revision."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from .tables import SignedDocument


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def register(
    session: Session,
    pdf: bytes,
    *,
    family: str,
    revision: int,
    title: str,
    kind: str,
    signs: bytes | str | None = None,
    organisation_id: int | None = None,
    signer_name: str | None = None,
) -> SignedDocument:
    """Remember one revision of a document (``kind``: ``draft``, ``signature`` or ``timestamp``), once:
    registering the same bytes again returns the row already there. ``family`` names the document across
    its versions (``order/ORD-2026-0001``), ``revision`` its version (변경차수); ``signs`` is the revision
    it was appended to (bytes or their SHA-256)."""
    digest = sha256_of(pdf)
    existing = find(session, digest)
    if existing is not None:
        return existing
    if isinstance(signs, bytes):
        signs = sha256_of(signs)
    row = SignedDocument(
        sha256=digest,
        size=len(pdf),
        family=family,
        revision=revision,
        title=title[:300],
        kind=kind,
        signs_sha256=signs,
        organisation_id=organisation_id,
        signer_name=signer_name,
    )
    session.add(row)
    session.flush()
    return row


def register_made(session: Session, made: dict, revision: int | None = None) -> SignedDocument:
    """`register` one revision as the documents' makers describe it: ``pdf``, ``family``, ``title``,
    ``kind`` and ``revision`` (unless given), with ``signs``, ``organisation_id`` and ``name`` (the
    signer's) for a signature."""
    return register(
        session,
        made["pdf"],
        family=made["family"],
        revision=made["revision"] if revision is None else revision,
        title=made["title"],
        kind=made["kind"],
        signs=made.get("signs"),
        organisation_id=made.get("organisation_id"),
        signer_name=made.get("name"),
    )


def find(session: Session, sha256: str) -> SignedDocument | None:
    return session.scalars(select(SignedDocument).where(SignedDocument.sha256 == sha256.lower())).first()


def chain(session: Session, family: str, revision: int) -> list[SignedDocument]:
    """A version's revisions in the order they were made: its draft, the signatures, the timestamp."""
    return list(
        session.scalars(
            select(SignedDocument)
            .where(SignedDocument.family == family, SignedDocument.revision == revision)
            .order_by(SignedDocument.id)
        )
    )


@dataclass(frozen=True)
class Standing:
    """Where a known document stands in its family."""

    document: SignedDocument
    latest: SignedDocument | None  # the family's newest complete (timestamped) revision, if any
    is_latest: bool


def standing(session: Session, row: SignedDocument) -> Standing:
    latest = session.scalars(
        select(SignedDocument)
        .where(SignedDocument.family == row.family, SignedDocument.kind == "timestamp")
        .order_by(SignedDocument.revision.desc(), SignedDocument.id.desc())
    ).first()
    return Standing(row, latest, latest is not None and latest.sha256 == row.sha256)
