"""A stored key's certificate and private key, opened for signing (`vault`).

`opened` reads and unseals a key once per process: the opened key is kept under everything it was made
from (its sealed bytes, its certificate and chain, and where the key outside the database comes from), so
a certificate replaced is a new entry and a key sealed under another outer key is opened (and refused)
anew. `authority.revoke` drops the revoked one (`forget`); a revoked certificate is refused before its key
is looked up anyway (`authority.refuse_unless_usable`).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from .tables import SigningKey
from .vault import identity, open_key_der


def certificate_of(row: SigningKey) -> x509.Certificate:
    return x509.load_der_x509_certificate(row.certificate_der)


def chain_of(row: SigningKey) -> list[x509.Certificate]:
    """An uploaded certificate's issuers, as the PKCS#12 held them."""
    return x509.load_pem_x509_certificates(row.chain_pem) if row.chain_pem else []


def private_key_of(row: SigningKey):
    return opened(row).private_key


def certificate_pem(row: SigningKey) -> bytes:
    return certificate_of(row).public_bytes(serialization.Encoding.PEM)


@dataclass(frozen=True)
class Opened:
    """A key ready to sign with: its certificate (asn1crypto, as pyHanko takes it), the issuers of an
    uploaded one, its private key (PKCS#8 and opened)."""

    certificate: asn1_x509.Certificate
    chain: tuple[asn1_x509.Certificate, ...]
    key_info: asn1_keys.PrivateKeyInfo
    private_key: object


_opened: dict[tuple, Opened] = {}
_lock = threading.Lock()
MAX_OPENED = 1024


def _identity_of(row: SigningKey) -> tuple:
    return (identity(), row.key_encrypted, row.certificate_der, row.chain_pem)


def opened(row: SigningKey) -> Opened:
    """The row's key, read and unsealed once per process (`KeyUnavailable` when it cannot be opened)."""
    key = _identity_of(row)
    found = _opened.get(key)
    if found is not None:
        return found
    der = open_key_der(row.key_encrypted)
    chain = tuple(asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER)) for cert in chain_of(row))
    made = Opened(
        asn1_x509.Certificate.load(row.certificate_der),
        chain,
        asn1_keys.PrivateKeyInfo.load(der),
        serialization.load_der_private_key(der, password=None),
    )
    with _lock:
        if len(_opened) >= MAX_OPENED:
            _opened.clear()
        _opened[key] = made
    return made


def forget(row: SigningKey) -> None:
    """A revoked certificate's key is dropped from the opened ones."""
    with _lock:
        for key in [key for key in _opened if key[1:] == _identity_of(row)[1:]]:
            del _opened[key]
