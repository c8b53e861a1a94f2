"""The steps on an organisation's signing certificate, each with its audit event: its administrator
uploads the organisation's own (PKCS#12), the operator or an administrator of the platform issues a new
one or revokes it. What anyone may read of a certificate (`described`): never its key."""

from __future__ import annotations

from sqlalchemy.orm import Session

from ..accounts.permissions import Actor
from ..accounts.tables import Organisation
from ..core import audit
from ..core.errors import NotFound
from . import authority
from .tables import SigningKey


def described(row: SigningKey | None) -> dict | None:
    if row is None:
        return None
    return {
        "serial": row.serial,
        "subject": row.subject,
        "source": row.source,
        "not_before": row.not_before,
        "not_after": row.not_after,
        "revoked_at": row.revoked_at,
        "revoked_reason": row.revoked_reason,
    }


def _event(session: Session, actor: Actor, action: str, row: SigningKey, **details) -> None:
    audit.record(
        session,
        actor_user_id=actor.user_id,
        action=action,
        object_type="organisation",
        object_id=row.organisation_id,
        details={"serial": row.serial, "not_after": row.not_after.isoformat(), **details},
    )


def own_certificate(session: Session, actor: Actor) -> dict | None:
    return described(authority.current_certificate(session, actor.organisation_id))


def upload_own(session: Session, actor: Actor, data: bytes, password: str) -> dict:
    """The caller's organisation signs from now on with its own certificate and key (PKCS#12)."""
    row = authority.upload_pkcs12(session, actor.organisation_id, data, password)
    _event(session, actor, "signing_certificate.uploaded", row)
    return described(row)


def _organisation(session: Session, organisation_id: int) -> Organisation:
    organisation = session.get(Organisation, organisation_id)
    if organisation is None:
        raise NotFound()
    return organisation


def issue_for(session: Session, actor: Actor, organisation_id: int) -> dict:
    """A new certificate from the platform's CA for the organisation (after a revocation, or before its
    certificate expires)."""
    _organisation(session, organisation_id)
    row = authority.issue_certificate(session, organisation_id)
    _event(session, actor, "signing_certificate.issued", row)
    return described(row)


def revoke_for(session: Session, actor: Actor, organisation_id: int, reason: str) -> dict:
    """The organisation's certificate signs nothing more; the CA's revocation list names it."""
    _organisation(session, organisation_id)
    row = authority.revoke(session, organisation_id, reason)
    _event(session, actor, "signing_certificate.revoked", row, reason=row.revoked_reason)
    return described(row)
