"""The signing certificate's pages: an organisation's administrator reads its certificate and uploads its
own PKCS#12; the operator issues and revokes through confirmation pages; nobody else gets in."""

from datetime import timedelta

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from sqlalchemy import select

from digitalmarket.accounts.tables import User
from digitalmarket.core.tables import utcnow
from tests.helpers import csrf_from, page_login


def _bundle(password: bytes) -> bytes:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "(주)가상소프트 자체인증")])
    now = utcnow()
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365))
        .sign(key, hashes.SHA256())
    )
    return pkcs12.serialize_key_and_certificates(
        b"own", key, cert, None, serialization.BestAvailableEncryption(password)
    )


def _upload(client, data: bytes, password: str):
    token = csrf_from(client, "/organisation/certificate")
    return client.post(
        "/organisation/certificate",
        data={"password": password, "csrf_token": token},
        files={"file": ("own.p12", data, "application/x-pkcs12")},
        follow_redirects=False,
    )


@pytest.fixture
def supplier_id(demo):
    with demo.reading() as session:
        return session.scalar(select(User.organisation_id).where(User.email == "supplier@demo.kr"))


def test_administrator_uploads_own_certificate_with_clear_errors(client, demo):
    page_login(client, "supplier@demo.kr")
    assert 'href="/organisation/certificate"' in client.get("/account").text
    page = client.get("/organisation/certificate")
    assert page.status_code == 200 and "서명용 인증서" in page.text and "다시는" in page.text
    bundle = _bundle(b"s3cret-pass")
    wrong = _upload(client, bundle, "wrong")
    assert wrong.status_code == 422 and "비밀번호" in wrong.text
    garbage = _upload(client, b"not a certificate", "s3cret-pass")
    assert garbage.status_code == 422
    assert "자체인증" not in client.get("/organisation/certificate").text  # nothing changed
    done = _upload(client, bundle, "s3cret-pass")
    assert done.status_code == 303
    page = client.get(done.headers["location"])
    assert "(주)가상소프트 자체인증" in page.text and "유효" in page.text and "KST" in page.text
    assert "기관이 직접 등록한 인증서" in page.text
    without_token = client.post(
        "/organisation/certificate", files={"file": ("own.p12", bundle)}, data={"password": "x"}
    )
    assert without_token.status_code == 403


def test_operator_issues_and_revokes_through_confirmation_pages(client, demo, supplier_id):
    page_login(client, "operator@demo.kr")
    assert f'href="/organisations/{supplier_id}/certificate"' in client.get(f"/organisations/{supplier_id}").text
    confirm = client.get(f"/organisations/{supplier_id}/certificate/issue")
    assert confirm.status_code == 200 and "발급할까요" in confirm.text
    token = csrf_from(client, f"/organisations/{supplier_id}/certificate/issue")
    issued = client.post(
        f"/organisations/{supplier_id}/certificate/issue", data={"csrf_token": token}, follow_redirects=False
    )
    assert issued.status_code == 303
    page = client.get(issued.headers["location"])
    assert "유효" in page.text and "플랫폼이 발급한 인증서" in page.text
    assert "serialNumber=" in page.text and "2.5.4.5" not in page.text  # the registration number, named
    revoke = f"/organisations/{supplier_id}/certificate/revoke"
    assert "폐기할까요" in client.get(revoke).text
    token = csrf_from(client, revoke)
    empty = client.post(revoke, data={"csrf_token": token, "reason": " "}, follow_redirects=False)
    assert empty.status_code == 422 and "사유" in empty.text
    assert "폐기 일시" not in client.get(f"/organisations/{supplier_id}/certificate").text  # still in force
    done = client.post(revoke, data={"csrf_token": token, "reason": "개인키 분실"}, follow_redirects=False)
    assert done.status_code == 303
    page = client.get(done.headers["location"])
    assert "폐기" in page.text and "개인키 분실" in page.text
    client.post("/logout", data={"csrf_token": csrf_from(client, "/account")})
    client.cookies.clear()
    page_login(client, "supplier@demo.kr")
    own = client.get("/organisation/certificate").text
    assert "개인키 분실" in own and "서명할 수 없습니다" in own


def test_strangers_are_refused(client, demo, supplier_id):
    page_login(client, "supplier@demo.kr")  # an organisation's administrator, but not staff
    assert client.get(f"/organisations/{supplier_id}/certificate").status_code == 403
    token = csrf_from(client, "/organisation/certificate")
    refused = client.post(f"/organisations/{supplier_id}/certificate/revoke", data={"csrf_token": token, "reason": "x"})
    assert refused.status_code == 403
    client.cookies.clear()
    page_login(client, "officer@demo.kr")  # staff, but neither operator nor administrator
    assert client.get(f"/organisations/{supplier_id}/certificate/issue").status_code == 403
    assert client.get("/organisation/certificate").status_code == 403
