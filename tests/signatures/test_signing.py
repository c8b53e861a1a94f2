"""Signing and verifying with pyHanko's validator (`signatures`): two organisations' signatures and the
platform's timestamp keep each other valid; a byte changed after signing is detected; a revoked or expired
certificate cannot sign; an organisation's own PKCS#12 signs in place of the issued one; the keys are
sealed by the key outside the database. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from fpdf import FPDF

from digitalmarket.core.errors import ValidationFailed
from digitalmarket.core.tables import utcnow
from digitalmarket.signatures import authority, checking, signing, vault
from digitalmarket.signatures.authority import CannotSign
from digitalmarket.signatures.verifying import load_certificate, verify_pdf
from tests.contracting.buying import organisation


def a_pdf(text: str = "Contract 2026-0001") -> bytes:
    pdf = FPDF()
    pdf.set_compression(False)  # the text stays readable in the bytes, to be altered
    pdf.add_page()
    pdf.set_font("helvetica", size=14)
    pdf.cell(0, 10, text)
    return bytes(pdf.output())


@pytest.fixture
def parties(demo):
    return organisation(demo, "미래행정부").id, organisation(demo, "(주)가상소프트").id


def roots(db) -> list:
    with db.reading() as session:
        return [load_certificate(authority.authority(session).certificate_der)]


def signed_by_both(db, parties) -> tuple[bytes, bytes, bytes, bytes]:
    agency, supplier = parties
    draft = a_pdf()
    with db.transaction() as session:
        first = signing.sign_pdf(session, agency, draft, reason="계약 확인", signer_name="정수요", field="Agency")
        second = signing.sign_pdf(session, supplier, first, reason="계약 확인", signer_name="김가상", field="Supplier")
        sealed = signing.seal(session, second)
    return draft, first, second, sealed


def test_two_signatures_and_the_timestamp_are_valid_and_keep_each_other_valid(demo, parties):
    draft, first, second, sealed = signed_by_both(demo, parties)
    assert sealed.startswith(second) and second.startswith(first) and first.startswith(draft)  # appended

    result = verify_pdf(sealed, roots(demo))
    assert result.ok
    agency, supplier, stamp = result.signatures
    assert (agency.field, agency.signer, agency.signer_name) == ("Agency", "미래행정부", "정수요")
    assert (supplier.field, supplier.signer, supplier.signer_name) == ("Supplier", "(주)가상소프트", "김가상")
    assert stamp.kind == "timestamp" and "디지털서비스 마켓" in stamp.signer
    assert all(check.intact and check.valid and check.trusted for check in result.signatures)
    assert agency.changes_after == "signatures"  # only the second signature came after the first
    assert supplier.changes_after == "timestamps"
    assert stamp.covers_whole_file and stamp.changes_after == "none"  # the seal is the last revision
    assert agency.signed_at <= supplier.signed_at <= stamp.signed_at

    # a certificate authority other than the platform's is not trusted
    other = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Another CA")])
    foreign = _self_signed(other, name)
    assert not verify_pdf(sealed, [load_certificate(foreign.public_bytes(serialization.Encoding.DER))]).ok


def test_a_byte_changed_after_signing_is_detected(demo, parties):
    *_, sealed = signed_by_both(demo, parties)
    place = sealed.index(b"Contract 2026-0001")
    altered = sealed[:place] + b"Contract 2026-0009" + sealed[place + 18 :]
    result = verify_pdf(altered, roots(demo))
    assert result.readable and not result.ok
    assert not any(check.intact for check in result.signatures)

    # a change appended after the signatures, as an incremental update, is named too
    from io import BytesIO

    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(BytesIO(sealed))
    page = writer.root["/Pages"]["/Kids"][0].get_object()
    page["/Rotate"] = generic.NumberObject(90)
    writer.update_container(page)
    out = BytesIO()
    writer.write(out)
    later = verify_pdf(out.getvalue(), roots(demo))
    assert not later.ok
    assert all(check.intact for check in later.signatures)
    assert [check.changes_after for check in later.signatures] == ["other", "other", "other"]

    assert not verify_pdf(b"%PDF-1.7 not really", roots(demo)).ok


def test_a_revoked_certificate_cannot_sign_and_the_revocation_list_names_it(demo, parties):
    agency, supplier = parties
    with demo.transaction() as session:
        before = authority.signer_for(session, supplier)
        authority.revoke(session, supplier, "열쇠 분실")
    with demo.transaction() as session, pytest.raises(CannotSign) as refused:
        signing.sign_pdf(session, supplier, a_pdf(), reason="계약 확인", signer_name="김가상", field="Supplier")
    assert refused.value.status == 409
    assert "폐지" in refused.value.message.render("ko") and "revoked" in refused.value.message.render("en")
    with demo.transaction() as session, pytest.raises(CannotSign):
        authority.signer_for(session, supplier)
    with demo.reading() as session:
        crl = x509.load_der_x509_crl(authority.revocation_list(session))
    assert crl.get_revoked_certificate_by_serial_number(int(before.serial, 16)) is not None

    with demo.transaction() as session:  # a new certificate signs again; the other party was never touched
        authority.issue_certificate(session, supplier)
        signing.sign_pdf(session, supplier, a_pdf(), reason="계약 확인", signer_name="김가상", field="Supplier")
        signing.sign_pdf(session, agency, a_pdf(), reason="계약 확인", signer_name="정수요", field="Agency")


def test_an_expired_certificate_cannot_sign(demo, parties):
    agency, _ = parties
    with demo.transaction() as session:
        authority.issue_certificate(session, agency, utcnow() - timedelta(days=4 * 365))
    with demo.transaction() as session, pytest.raises(CannotSign) as refused:
        signing.sign_pdf(session, agency, a_pdf(), reason="계약 확인", signer_name="정수요", field="Agency")
    assert "유효기간" in refused.value.message.render("ko") and "expired" in refused.value.message.render("en")


def _self_signed(key, name: x509.Name, *, ca: bool = True) -> x509.Certificate:
    now = utcnow()
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )


def test_an_organisation_signs_with_its_own_pkcs12(demo, parties):
    _, supplier = parties
    root_key = ec.generate_private_key(ec.SECP256R1())
    root = _self_signed(root_key, x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "가상소프트 사설 CA")]))
    key = ec.generate_private_key(ec.SECP256R1())
    now = utcnow()
    own = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "(주)가상소프트")]))
        .issuer_name(root.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(True, True, False, False, False, False, False, False, False), critical=True
        )  # digital signature, non-repudiation
        .sign(root_key, hashes.SHA256())
    )
    bundle = pkcs12.serialize_key_and_certificates(
        b"own", key, own, [root], serialization.BestAvailableEncryption(b"s3cret-pass")
    )
    with demo.transaction() as session, pytest.raises(ValidationFailed) as wrong:
        authority.upload_pkcs12(session, supplier, bundle, "wrong")
    assert "비밀번호" in wrong.value.fields["file"].render("ko")
    with demo.transaction() as session:
        row = authority.upload_pkcs12(session, supplier, bundle, "s3cret-pass")
        assert row.source == "uploaded"
        signed = signing.sign_pdf(session, supplier, a_pdf(), reason="확인", signer_name="김가상", field="Supplier")
    with demo.reading() as session:
        answer = checking.check_file(session, signed)  # the platform trusts the root it was given
    assert answer["verification"]["ok"]
    assert answer["verification"]["signatures"][0]["signer"] == "(주)가상소프트"
    assert not verify_pdf(signed, roots(demo)).ok  # the platform's CA alone does not vouch for it

    # sealed, the platform's timestamp brings the validation info of its own CA, which the other lacks
    with demo.transaction() as session:
        sealed = signing.seal(session, signed)
    with demo.reading() as session:
        answer = checking.check_file(session, sealed)
    assert answer["verification"]["ok"]
    assert [s["kind"] for s in answer["verification"]["signatures"]] == ["signature", "timestamp"]
    assert all(s["trusted"] for s in answer["verification"]["signatures"])


def test_a_document_nobody_signed_is_sealed_with_its_validation_info(demo):
    """A paper sealed without a signature before it (an organisation without a certificate) still
    verifies offline: the timestamp embeds the CA's certificate and revocation list itself."""
    with demo.transaction() as session:
        sealed = signing.seal(session, a_pdf())
    result = verify_pdf(sealed, roots(demo))
    assert result.ok and [check.kind for check in result.signatures] == ["timestamp"]
    assert b"/DSS" in sealed and result.signatures[0].trusted


def test_keys_are_sealed_by_the_key_outside_the_database(demo, parties, monkeypatch):
    agency, _ = parties
    with demo.transaction() as session:
        row = authority.signer_for(session, agency)
        sealed, der = row.key_encrypted, vault.open_key_der(row.key_encrypted)
    assert der not in sealed and len(sealed) > len(der)
    monkeypatch.setenv("DM_SIGNING_KEY", "another key")
    with pytest.raises(vault.KeyUnavailable):
        vault.open_key_der(sealed)


def test_signing_and_checking_work_where_an_event_loop_is_running(demo, parties):
    """A caller whose thread runs an event loop (an async program, or one driving a browser through
    Playwright's synchronous API) still signs, seals and checks: pyHanko's own loop starts elsewhere."""
    import asyncio

    async def inside_a_loop():
        return signed_by_both(demo, parties), verify_pdf(signed_by_both(demo, parties)[-1], roots(demo))

    (_, _, _, sealed), result = asyncio.run(inside_a_loop())
    assert result.ok and len(result.signatures) == 3
    assert verify_pdf(sealed, roots(demo)).ok
