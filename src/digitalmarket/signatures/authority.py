"""The platform's certificate authority and the certificates it issues.

The CA (ECDSA P-256, twenty years) and the TSA that stamps documents (ten years, extended key usage
timeStamping) are made once per installation: by ``digitalmarket migrate`` and ``seed-demo``
(`ensure_authority`), or on first need. Each organisation signs with its newest certificate: issued by
the CA (ECDSA P-256, three years) at ``seed-demo`` for the demo's organisations and on first need for the
others (`signer_for`, called by the step that confirms), or its own uploaded as PKCS#12 (`upload_pkcs12`).
A revoked or expired certificate cannot sign (409 saying what to do); revocations are published as the
CA's CRL (`revocation_list`). Private keys are sealed by `vault` and never leave this package.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ..accounts.tables import Organisation
from ..core.errors import Conflict, NotFound, ValidationFailed
from ..core.i18n import N_
from ..core.tables import utcnow
from .tables import SigningKey
from .vault import seal_key

PLATFORM = "디지털서비스 마켓"
CA_YEARS, TSA_YEARS, ORGANISATION_YEARS = 20, 10, 3


def _name(common_name: str, organisation: str = PLATFORM, serial: str | None = None) -> x509.Name:
    parts = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "KR"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation[:64]),
        x509.NameAttribute(NameOID.COMMON_NAME, common_name[:64]),
    ]
    if serial:
        parts.append(x509.NameAttribute(NameOID.SERIAL_NUMBER, serial))
    return x509.Name(parts)


def _years(now: datetime, years: int) -> datetime:
    return now + timedelta(days=365 * years + years // 4)


#: Attribute names a person reads in a certificate's subject or issuer, beside the standard short ones
#: (the business registration number is the subject's serialNumber, 2.5.4.5).
READABLE_NAMES = {NameOID.SERIAL_NUMBER: "serialNumber"}


def readable_name(name: x509.Name) -> str:
    """``CN=(주)가상소프트,O=...,serialNumber=1208147521`` rather than a bare object identifier."""
    return name.rfc4514_string(READABLE_NAMES)


def _store(session: Session, role: str, cert: x509.Certificate, key, organisation_id: int | None = None) -> SigningKey:
    row = SigningKey(
        role=role,
        organisation_id=organisation_id,
        source="issued",
        serial=format(cert.serial_number, "x"),
        subject=readable_name(cert.subject)[:300],
        certificate_der=cert.public_bytes(serialization.Encoding.DER),
        key_encrypted=seal_key(key),
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
    )
    session.add(row)
    session.flush()
    return row


def _issue(
    subject: x509.Name,
    public_key,
    issuer_cert: x509.Certificate | None,
    issuer_key,
    now: datetime,
    years: int,
    *,
    ca: bool = False,
    usage: list | None = None,
) -> x509.Certificate:
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_cert.subject if issuer_cert else subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(_years(now, years))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None if not ca else 0), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
        .add_extension(
            x509.KeyUsage(
                digital_signature=not ca,
                content_commitment=not ca,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=ca,
                crl_sign=ca,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
    )
    if issuer_cert is not None:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_cert.public_key()), critical=False
        )
    if usage:
        builder = builder.add_extension(x509.ExtendedKeyUsage(usage), critical=True)
    return builder.sign(issuer_key, hashes.SHA256())


def authority(session: Session, role: str = "ca") -> SigningKey | None:
    """The platform's CA (or, with ``role="tsa"``, its TSA), None before `ensure_authority`."""
    ca, tsa = session.info.get(PLATFORM_KEYS) or _platform_rows(session)
    return tsa if role == "tsa" else ca


PLATFORM_KEYS = "signing_platform_keys"  # `Session.info` key: the CA and the TSA, read once per session


def platform_keys(session: Session, now: datetime | None = None) -> tuple[SigningKey, SigningKey]:
    """The CA and the TSA (`ensure_authority`), read once per session: they never change once made."""
    ensure_authority(session, now)
    return session.info[PLATFORM_KEYS]


def _platform_rows(session: Session) -> tuple[SigningKey | None, SigningKey | None]:
    """The CA and the TSA as stored, in one statement (None for one not made yet)."""
    by_role: dict[str, SigningKey] = {}
    for row in session.scalars(select(SigningKey).where(SigningKey.role.in_(("ca", "tsa"))).order_by(SigningKey.id)):
        by_role.setdefault(row.role, row)  # one of each (migration 0033); the first, as `authority` reads
    return by_role.get("ca"), by_role.get("tsa")


def ensure_authority(session: Session, now: datetime | None = None) -> SigningKey:
    """The CA, made with its TSA when the installation has none yet. Returns the CA. Made in a savepoint:
    when another transaction made them first (a unique index allows one of each), this one takes theirs.
    Both are kept for the session (`platform_keys`)."""
    if (found := session.info.get(PLATFORM_KEYS)) is not None:
        return found[0]
    ca, tsa = _platform_rows(session)
    if ca is None or tsa is None:
        try:
            with session.begin_nested():
                _make_authority(session, ca, tsa, now or utcnow())
        except IntegrityError:
            pass  # another transaction made them first (one CA and one TSA, migration 0033): read theirs below
        ca, tsa = _platform_rows(session)
    session.info[PLATFORM_KEYS] = (ca, tsa)
    return ca


def _make_authority(session: Session, ca: SigningKey | None, tsa: SigningKey | None, now: datetime) -> None:
    from .keys import certificate_of, private_key_of

    if ca is None:
        key = ec.generate_private_key(ec.SECP256R1())
        cert = _issue(_name(f"{PLATFORM} 전자서명 인증기관"), key.public_key(), None, key, now, CA_YEARS, ca=True)
        ca = _store(session, "ca", cert, key)
    if tsa is None:
        key = ec.generate_private_key(ec.SECP256R1())
        ca_cert, ca_key = certificate_of(ca), private_key_of(ca)
        subject = _name(f"{PLATFORM} 시점확인(TSA)")
        cert = _issue(
            subject, key.public_key(), ca_cert, ca_key, now, TSA_YEARS, usage=[ExtendedKeyUsageOID.TIME_STAMPING]
        )
        _store(session, "tsa", cert, key)


def issue_certificate(session: Session, organisation_id: int, now: datetime | None = None) -> SigningKey:
    """A new signing certificate for the organisation from the CA: its newest, the one it signs with."""
    from .keys import certificate_of, private_key_of

    now = now or utcnow()
    organisation = session.get(Organisation, organisation_id)
    if organisation is None:
        raise NotFound()
    ca = ensure_authority(session, now)
    key = ec.generate_private_key(ec.SECP256R1())
    subject = _name(organisation.name, organisation.name, organisation.business_number or f"ORG-{organisation.id}")
    cert = _issue(subject, key.public_key(), certificate_of(ca), private_key_of(ca), now, ORGANISATION_YEARS)
    return _store(session, "organisation", cert, key, organisation_id)


def issue_missing(session: Session, now: datetime | None = None) -> int:
    """A certificate for every organisation that never had one (``seed-demo``, for the demo's). Returns how
    many were issued."""
    have = select(SigningKey.organisation_id).where(SigningKey.role == "organisation")
    missing = session.scalars(select(Organisation.id).where(Organisation.id.not_in(have)).order_by(Organisation.id))
    issued = 0
    for organisation_id in list(missing):
        issue_certificate(session, organisation_id, now)
        issued += 1
    return issued


def current_certificate(session: Session, organisation_id: int) -> SigningKey | None:
    """The organisation's newest certificate (issued or uploaded), None when it never had one."""
    return session.scalars(
        select(SigningKey)
        .where(SigningKey.role == "organisation", SigningKey.organisation_id == organisation_id)
        .order_by(SigningKey.id.desc())
    ).first()


class CannotSign(Conflict):
    """The organisation's certificate is revoked or expired: nothing is confirmed until it has a valid one."""

    code = "certificate_unusable"


def refuse_unless_usable(row: SigningKey, now: datetime) -> None:
    if row.revoked_at is not None and row.revoked_at <= now:
        raise CannotSign(
            N_(
                "Your organisation's signing certificate was revoked, so it cannot sign. Upload a new "
                "certificate (PKCS#12) or ask the operator to issue one, then confirm again."
            )
        )
    if row.not_before > now:
        raise CannotSign(
            N_(
                "Your organisation's signing certificate is not valid yet, so it cannot sign. Confirm again "
                "once it is, or upload a certificate that is valid now."
            )
        )
    if row.not_after <= now:
        raise CannotSign(
            N_(
                "Your organisation's signing certificate has expired, so it cannot sign. Upload a new "
                "certificate (PKCS#12) or ask the operator to issue one, then confirm again."
            )
        )


def signer_for(session: Session, organisation_id: int, now: datetime | None = None) -> SigningKey:
    """The certificate the organisation signs with now: its newest, issued on first need; a revoked or
    expired one is refused (`CannotSign`, 409). Cheap enough for a confirming step's transaction."""
    now = now or utcnow()
    row = current_certificate(session, organisation_id)
    if row is None:
        return issue_certificate(session, organisation_id, now)
    refuse_unless_usable(row, now)
    return row


def revoke(session: Session, organisation_id: int, reason: str, now: datetime | None = None) -> SigningKey:
    """The organisation's certificate is revoked (a key lost, a person gone): it signs nothing from now on,
    and the CA's revocation list names it."""
    row = current_certificate(session, organisation_id)
    if row is None or row.revoked_at is not None:
        raise Conflict(N_("This organisation has no certificate in force to revoke."))
    row.revoked_at = now or utcnow()
    row.revoked_reason = (reason or "").strip()[:300] or None
    session.flush()
    session.info.pop(REVOKED, None)
    from .keys import forget

    forget(row)
    return row


def upload_pkcs12(
    session: Session, organisation_id: int, data: bytes, password: str, now: datetime | None = None
) -> SigningKey:
    """The organisation's own certificate and key (PKCS#12, password-protected) become the ones it signs
    with. The key is sealed like the issued ones and never shown again."""
    now = now or utcnow()
    if session.get(Organisation, organisation_id) is None:
        raise NotFound()
    try:
        key, cert, extra = pkcs12.load_key_and_certificates(data, password.encode() if password else None)
    except (ValueError, TypeError) as error:
        raise ValidationFailed(
            fields={"file": N_("The file is not a PKCS#12 certificate, or the password is wrong.")}
        ) from error
    if key is None or cert is None:
        raise ValidationFailed(fields={"file": N_("The file must hold a certificate and its private key.")})
    if cert.not_valid_after_utc <= now or cert.not_valid_before_utc > now:
        raise ValidationFailed(fields={"file": N_("The certificate is not valid today.")})
    row = _store(session, "organisation", cert, key, organisation_id)
    row.source = "uploaded"
    row.chain_pem = b"".join(c.public_bytes(serialization.Encoding.PEM) for c in extra or []) or None
    session.flush()
    return row


#: How long a process hands out the same revocation list while no certificate is revoked (it is valid for
#: a day): a signature embeds one that is at most this old, and revoking makes a new one at once.
CRL_REUSE = timedelta(minutes=10)
_crls: dict[tuple, tuple[datetime, bytes]] = {}
REVOKED = "signing_revoked"  # `Session.info` key: the revoked certificates, as the session read them
_crls_lock = threading.Lock()


def revocation_list(session: Session, now: datetime | None = None) -> bytes:
    """The CA's certificate revocation list (DER) naming every revoked certificate it issued; valid for a
    day (published at ``/api/v1/verify/crl``, embedded in each signature's validation info). Made anew when
    a certificate is revoked, else at most every `CRL_REUSE`."""
    from .keys import certificate_of, private_key_of

    now = now or utcnow()
    ca = ensure_authority(session, now)
    revoked = session.info.get(REVOKED)  # read once per session (`revoke` forgets it)
    if revoked is None:
        revoked = session.info[REVOKED] = session.execute(
            select(SigningKey.serial, SigningKey.revoked_at)
            .where(SigningKey.revoked_at.is_not(None), SigningKey.source == "issued")
            .order_by(SigningKey.id)
        ).all()
    key = (ca.certificate_der, tuple((row.serial, row.revoked_at) for row in revoked))
    made = _crls.get(key)
    if made is not None and made[0] <= now < made[0] + CRL_REUSE:
        return made[1]
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(certificate_of(ca).subject)
        .last_update(now - timedelta(minutes=5))
        .next_update(now + timedelta(days=1))
    )
    for row in revoked:
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder().serial_number(int(row.serial, 16)).revocation_date(row.revoked_at).build()
        )
    crl = builder.sign(private_key_of(ca), hashes.SHA256()).public_bytes(serialization.Encoding.DER)
    with _crls_lock:
        _crls.clear()  # only the newest is handed out
        _crls[key] = (now, crl)
    return crl
