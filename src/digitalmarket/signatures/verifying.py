"""Verifying a PDF's signatures with pyHanko's validator against the platform's CA.

`verify_pdf` needs only the PDF and the CA's certificate (what ``digitalmarket verify`` uses offline): for
each signature and timestamp, who signed and when, whether the signed bytes are intact, whether the
certificate chains to the CA and was neither revoked nor expired at that time (the revocation lists the
document embeds, and any given), and what changed after it. `verify_known` adds what the platform knows:
the current revocation list, certificates organisations uploaded, and which document the file is
(`ledger`) and whether it is its latest version.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from io import BytesIO

from asn1crypto import crl as asn1_crl
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import validate_pdf_signature, validate_pdf_timestamp
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko_certvalidator import ValidationContext

from .threads import outside_event_loop

#: What changed after a signature, from pyHanko's difference analysis, as the answer names it.
CHANGES = {
    ModificationLevel.NONE: "none",
    ModificationLevel.LTA_UPDATES: "timestamps",
    ModificationLevel.FORM_FILLING: "signatures",
    ModificationLevel.ANNOTATIONS: "annotations",
    ModificationLevel.OTHER: "other",
}


@dataclass
class SignatureCheck:
    """One signature (or document timestamp) of a PDF, as the validator found it."""

    field: str
    kind: str  # "signature" or "timestamp"
    signer: str  # the certificate's organisation and name
    signer_name: str | None  # the person the signature names (/Name)
    reason: str | None
    signed_at: datetime | None
    intact: bool  # the signed bytes are unchanged
    valid: bool  # the signature itself is cryptographically valid
    trusted: bool  # the certificate chains to the CA, not revoked nor expired at that time
    revoked: bool
    covers_whole_file: bool
    changes_after: str  # none, timestamps, signatures, annotations or other (a change after signing)

    @property
    def ok(self) -> bool:
        return self.intact and self.valid and self.trusted and self.changes_after != "other"

    def as_dict(self) -> dict:
        return {
            "field": self.field,
            "kind": self.kind,
            "signer": self.signer,
            "signer_name": self.signer_name,
            "reason": self.reason,
            "signed_at": self.signed_at.isoformat() if self.signed_at else None,
            "intact": self.intact,
            "valid": self.valid,
            "trusted": self.trusted,
            "revoked": self.revoked,
            "covers_whole_file": self.covers_whole_file,
            "changes_after": self.changes_after,
            "ok": self.ok,
        }


@dataclass
class Verification:
    sha256: str
    size: int
    readable: bool
    signatures: list[SignatureCheck] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Signed, and every signature holds with nothing but signatures and timestamps after it."""
        return self.readable and bool(self.signatures) and all(check.ok for check in self.signatures)


def load_certificate(data: bytes) -> asn1_x509.Certificate:
    """A certificate from PEM or DER."""
    if b"-----BEGIN" in data:
        data = x509.load_pem_x509_certificate(data).public_bytes(serialization.Encoding.DER)
    return asn1_x509.Certificate.load(data)


def _who(cert: asn1_x509.Certificate | None) -> str:
    if cert is None:
        return "-"
    names = cert.subject.native
    parts = [names.get("organization_name"), names.get("common_name")]
    unique = [part for index, part in enumerate(parts) if part and part not in parts[:index]]
    return " / ".join(unique) or cert.subject.human_friendly


def _text(value) -> str | None:
    return str(value) if value is not None else None


def _changes(status) -> str:
    level = status.modification_level
    return CHANGES.get(level, "other") if level is not None else "other"


def verify_pdf(
    pdf: bytes,
    trust_roots: list[asn1_x509.Certificate],
    *,
    crls: list[bytes] = (),
    other_certs: list[asn1_x509.Certificate] = (),
) -> Verification:
    """Every signature and document timestamp of ``pdf``, checked against ``trust_roots`` with the
    revocation lists the document embeds (and ``crls``). Signatures are judged at the time of the
    document's last timestamp when it holds (PAdES-LTA: a certificate that expired since still counts as
    valid when it signed), else now."""
    return outside_event_loop(lambda: _verify_pdf(pdf, trust_roots, crls=crls, other_certs=other_certs))


def _verify_pdf(
    pdf: bytes,
    trust_roots: list[asn1_x509.Certificate],
    *,
    crls: list[bytes] = (),
    other_certs: list[asn1_x509.Certificate] = (),
) -> Verification:
    result = Verification(hashlib.sha256(pdf).hexdigest(), len(pdf), readable=False)
    try:
        reader = PdfFileReader(BytesIO(pdf), strict=False)
        embedded = list(reader.embedded_signatures)
        dss = DocumentSecurityStore.read_dss(reader) if embedded else None
    except Exception:  # a file pyHanko cannot read: not a PDF, or a damaged one
        return result
    result.readable = True
    settings = {
        "trust_roots": list(trust_roots),
        "crls": [asn1_crl.CertificateList.load(data) for data in crls],
        "other_certs": list(other_certs),
        "allow_fetching": False,
        "revocation_mode": "soft-fail",
    }

    def context(moment: datetime | None = None) -> ValidationContext:
        extra = {"moment": moment, "retroactive_revinfo": True} if moment else {}
        if dss is not None:
            return dss.as_validation_context({**settings, **extra})
        return ValidationContext(**settings, **extra)

    moment = None
    for sig in reversed(embedded):  # the last document timestamp fixes the time the others are judged at
        if sig.sig_object_type == "/DocTimeStamp":
            try:
                status = validate_pdf_timestamp(sig, validation_context=context())
            except Exception:
                break
            if status.intact and status.valid and status.trusted:
                moment = status.timestamp
            break
    for sig in embedded:
        result.signatures.append(_check(sig, context, moment))
    return result


def _check(sig, context, moment) -> SignatureCheck:
    is_timestamp = sig.sig_object_type == "/DocTimeStamp"
    try:
        if is_timestamp:
            status = validate_pdf_timestamp(sig, validation_context=context())
            signed_at = status.timestamp
        else:
            status = validate_pdf_signature(sig, context(moment))
            signed_at = status.signer_reported_dt
            if status.timestamp_validity is not None:
                signed_at = status.timestamp_validity.timestamp
    except Exception:  # a signature pyHanko cannot even parse is a broken one
        return SignatureCheck(sig.field_name or "-", "timestamp" if is_timestamp else "signature", "-",
                              None, None, None, False, False, False, False, False, "other")  # fmt: skip
    return SignatureCheck(
        field=sig.field_name or "-",
        kind="timestamp" if is_timestamp else "signature",
        signer=_who(status.signing_cert),
        signer_name=None if is_timestamp else _text(sig.sig_object.get("/Name")),
        reason=None if is_timestamp else _text(sig.sig_object.get("/Reason")),
        signed_at=signed_at,
        intact=bool(status.intact),
        valid=bool(status.valid),
        trusted=bool(status.trusted),
        revoked=bool(status.revoked),
        covers_whole_file=status.coverage is not None and status.coverage.name == "ENTIRE_FILE",
        changes_after=_changes(status),
    )
