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
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives.asymmetric.ec import ECDSA
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import attributes, fields, signers
from pyhanko.sign.general import SigningError
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore
from pyhanko_certvalidator.util import get_pyca_cryptography_hash
from sqlalchemy.orm import Session

from ..core.errors import Conflict
from ..core.i18n import N_
from ..core.tables import utcnow
from .authority import (
    current_certificate,
    issue_certificate,
    platform_keys,
    refuse_unless_usable,
    revocation_list,
)
from .keys import opened
from .tables import SigningKey
from .threads import outside_event_loop
from .timestamping import PlatformTimeStamper, signing_certificate

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


class _Signer(signers.SimpleSigner):
    """pyHanko's signer with the private key opened once (`keys.opened`), not at every signature."""

    def __init__(self, row: SigningKey, ca: SigningKey) -> None:
        key = opened(row)
        self._private_key = key.private_key
        super().__init__(
            signing_cert=key.certificate,
            signing_key=key.key_info,
            cert_registry=SimpleCertificateStore.from_certs([opened_certificate(ca), *key.chain]),
        )

    def _signed_attr_providers(self, *args, **kwargs):
        for provider in super()._signed_attr_providers(*args, **kwargs):
            if isinstance(provider, attributes.SigningCertificateV2Provider):
                provider = _KnownCertificate(provider.signing_cert)
            yield provider

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        if self.get_signature_mechanism_for_digest(digest_algorithm).signature_algo != "ecdsa":
            return super().sign_raw(data, digest_algorithm)  # an uploaded RSA key
        return self._private_key.sign(data, ECDSA(get_pyca_cryptography_hash(digest_algorithm)))


class _KnownCertificate(attributes.SigningCertificateV2Provider):
    """The signing-certificate attribute made once per certificate (`timestamping.signing_certificate`)."""

    async def build_attr_value(self, dry_run=False):
        return signing_certificate(self.signing_cert)


def opened_certificate(row: SigningKey) -> asn1_x509.Certificate:
    """A platform key's certificate as pyHanko takes it, parsed once per process."""
    return opened(row).certificate


def _validation_context(session: Session, ca: SigningKey, now: datetime, row: SigningKey | None = None):
    """The CA as trust root and its revocation list (`authority.revocation_list`): what the signature
    embeds. An uploaded certificate brings the roots and intermediates of its own chain."""
    chain = opened(row).chain if row else ()
    return ValidationContext(
        trust_roots=[opened_certificate(ca)] + [cert for cert in chain if cert.self_signed],
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
    ca, _ = platform_keys(session, now)
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
    signer = signers.PdfSigner(metadata, signer=_Signer(row, ca))
    outside_event_loop(lambda: signer.sign_pdf(_writer(pdf), output=output, bytes_reserved=RESERVED))
    return output.getvalue()


def timestamper(session: Session, now: datetime | None = None) -> PlatformTimeStamper:
    """The platform's time-stamping authority, in process (RFC 3161 tokens signed by the TSA certificate),
    its key opened once per process (`keys.opened`)."""
    ca, tsa = platform_keys(session, now)
    key = opened(tsa)
    return PlatformTimeStamper(
        tsa_cert=key.certificate,
        tsa_key=key.key_info,
        certs_to_embed=SimpleCertificateStore.from_certs([opened_certificate(ca)]),
        private_key=key.private_key,
    )


def seal(session: Session, pdf: bytes, now: datetime | None = None) -> bytes:
    """``pdf`` with the platform's document timestamp (PAdES DocTimeStamp) appended as an incremental
    update: the time the document stood complete, covering every signature before it."""
    now = now or utcnow()
    ca, _ = platform_keys(session, now)
    output = BytesIO()
    stamper = signers.PdfTimeStamper(timestamper(session, now), field_name=TIMESTAMP_FIELD)
    writer = _writer(pdf)
    context = None if _holds(writer, revocation_list(session, now)) else _validation_context(session, ca, now)
    outside_event_loop(
        lambda: stamper.timestamp_pdf(
            writer, "sha256", validation_context=context, output=output, bytes_reserved=RESERVED
        )
    )
    return output.getvalue()


def _holds(writer: IncrementalPdfFileWriter, revocation: bytes) -> bool:
    """Whether the document's security store (DSS) already holds the CA's current revocation list, as a
    signature made with a platform certificate leaves it (`sign_pdf`). The timestamp then adds nothing to
    it: its token carries the TSA's certificate and the CA's, and that list covers the TSA's certificate
    too. Otherwise (no signature yet, an uploaded certificate's, or a list made since) the timestamp
    embeds the CA's validation info itself. Updating the store costs more than the timestamp."""
    try:
        store = writer.root["/DSS"]
    except KeyError:
        return False
    return any(ref.get_object().data == revocation for ref in store.get("/CRLs", ()))
