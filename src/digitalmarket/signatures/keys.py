"""A stored key's certificate and private key, opened for the moment of signing (`vault`)."""

from __future__ import annotations

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from .tables import SigningKey
from .vault import open_key_der


def certificate_of(row: SigningKey) -> x509.Certificate:
    return x509.load_der_x509_certificate(row.certificate_der)


def chain_of(row: SigningKey) -> list[x509.Certificate]:
    """An uploaded certificate's issuers, as the PKCS#12 held them."""
    return x509.load_pem_x509_certificates(row.chain_pem) if row.chain_pem else []


def private_key_of(row: SigningKey):
    return serialization.load_der_private_key(open_key_der(row.key_encrypted), password=None)


def certificate_pem(row: SigningKey) -> bytes:
    return certificate_of(row).public_bytes(serialization.Encoding.PEM)
