"""Signing the platform's PDFs: an organisation's PAdES signature (`sign_pdf`) and the platform's
document timestamp (`seal`), each appended as an incremental update, so that every earlier signature
stays valid and covers exactly the revision it signed.

A signature embeds the signer's certificate, the CA's, and the CA's revocation list as it stands (the
validation info a verifier needs years later, offline). The TSA is the platform's own, in process, with
a certificate from the same CA. ECDSA P-256 keeps a signature to a few milliseconds (docs/documents.md).
"""

from __future__ import annotations

import logging
from datetime import datetime
from io import BytesIO

from asn1crypto import crl as asn1_crl
from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives.serialization import Encoding
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.general import SigningError
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore
from sqlalchemy.orm import Session

from ..core.errors import Conflict
from ..core.i18n import N_
from ..core.tables import utcnow
from .authority import (
    authority,
    current_certificate,
    ensure_authority,
    issue_certificate,
    refuse_unless_usable,
    revocation_list,
)
from .keys import chain_of
from .tables import SigningKey
from .threads import outside_event_loop
from .timestamping import PlatformTimeStamper
from .vault import open_key_der

__all__ = ["SigningError", "seal", "sign_pdf", "timestamper"]


class _NoFetchingNotice(logging.Filter):
    """pyHanko warns, at every signature, that validation info is embedded without fetching: here that is
    the design (the CA's revocation list is passed in, nothing is fetched), so the notice is left out."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "fetching is not allowed" not in record.getMessage()


logging.getLogger("pyhanko.sign.signers.pdf_signer").addFilter(_NoFetchingNotice())

TIMESTAMP_FIELD = "PlatformTimestamp"
#: Room kept for the signature container (hex digits): the signature, two certificates and the revocation
#: list fit in well under half of it. Reserving it spares pyHanko a trial signature to measure one.
RESERVED = 16384


def _asn1_certificate(der: bytes) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(der)


def _signer(row: SigningKey, ca: SigningKey) -> signers.SimpleSigner:
    others = [_asn1_certificate(ca.certificate_der)]
    others += [_asn1_certificate(cert.public_bytes(Encoding.DER)) for cert in chain_of(row)]
    return signers.SimpleSigner(
        signing_cert=_asn1_certificate(row.certificate_der),
        signing_key=asn1_keys.PrivateKeyInfo.load(open_key_der(row.key_encrypted)),
        cert_registry=SimpleCertificateStore.from_certs(others),
    )


def _validation_context(session: Session, ca: SigningKey, now: datetime, row: SigningKey | None = None):
    """The CA as trust root and its revocation list as of now: what the signature embeds. An uploaded
    certificate brings the roots and intermediates of its own chain."""
    chain = [_asn1_certificate(cert.public_bytes(Encoding.DER)) for cert in (chain_of(row) if row else [])]
    return ValidationContext(
        trust_roots=[_asn1_certificate(ca.certificate_der)] + [cert for cert in chain if cert.self_signed],
        other_certs=[cert for cert in chain if not cert.self_signed],
        crls=[asn1_crl.CertificateList.load(revocation_list(session, now))],
        allow_fetching=False,
        revocation_mode="soft-fail",
    )


def _writer(pdf: bytes) -> IncrementalPdfFileWriter:
    try:
        return IncrementalPdfFileWriter(BytesIO(pdf), strict=False)
    except Exception as error:  # pyHanko's PdfReadError and the parser's own
        raise NotAPdf() from error


class NotAPdf(Conflict):
    code = "not_a_pdf"
    default_message = N_("This file is not a PDF that can be signed.")


def sign_pdf(
    session: Session,
    organisation_id: int,
    pdf: bytes,
    *,
    reason: str,
    signer_name: str,
    field: str,
    now: datetime | None = None,
) -> bytes:
    """``pdf`` with the organisation's PAdES signature (B-LT: certificates and the CA's revocation list
    embedded) appended as an incremental update in a new invisible field ``field``. ``reason`` (서명 사유,
    e.g. "계약 확인") and ``signer_name`` (the person who confirmed) are written into the signature.

    The organisation signs with its newest certificate; one is issued on first need (which writes a row:
    call it in a write transaction, or make sure the step before called `authority.signer_for`). A revoked
    or expired certificate raises `authority.CannotSign` (409)."""
    now = now or utcnow()
    row = current_certificate(session, organisation_id)
    if row is None:
        row = issue_certificate(session, organisation_id, now)
    refuse_unless_usable(row, now)
    ca = ensure_authority(session, now)
    metadata = signers.PdfSignatureMetadata(
        field_name=field,
        reason=reason,
        name=signer_name,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        embed_validation_info=True,
        validation_context=_validation_context(session, ca, now, row),
    )
    output = BytesIO()
    signer = signers.PdfSigner(metadata, signer=_signer(row, ca))
    outside_event_loop(lambda: signer.sign_pdf(_writer(pdf), output=output, bytes_reserved=RESERVED))
    return output.getvalue()


def timestamper(session: Session, now: datetime | None = None) -> PlatformTimeStamper:
    """The platform's time-stamping authority, in process (RFC 3161 tokens signed by the TSA certificate)."""
    ca = ensure_authority(session, now)
    tsa = authority(session, "tsa")
    return PlatformTimeStamper(
        tsa_cert=_asn1_certificate(tsa.certificate_der),
        tsa_key=asn1_keys.PrivateKeyInfo.load(open_key_der(tsa.key_encrypted)),
        certs_to_embed=SimpleCertificateStore.from_certs([_asn1_certificate(ca.certificate_der)]),
    )


def seal(session: Session, pdf: bytes, now: datetime | None = None) -> bytes:
    """``pdf`` with the platform's document timestamp (PAdES DocTimeStamp) appended as an incremental
    update: the time the document stood complete, covering every signature before it."""
    now = now or utcnow()
    ca = ensure_authority(session, now)
    output = BytesIO()
    stamper = signers.PdfTimeStamper(timestamper(session, now), field_name=TIMESTAMP_FIELD)
    context = _validation_context(session, ca, now)
    outside_event_loop(
        lambda: stamper.timestamp_pdf(
            _writer(pdf), "sha256", validation_context=context, output=output, bytes_reserved=RESERVED
        )
    )
    return output.getvalue()
