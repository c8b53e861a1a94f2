"""The key that encrypts the signing keys, kept outside the database.

``DM_SIGNING_KEY`` (any long secret; its SHA-256 is the AES-256 key) or, when unset, the file
``signing_key`` in the data folder (``DM_DATA_DIR``), made on first need with mode 0600. A private key is
stored as its PKCS#8 DER sealed with AES-256-GCM (a fresh 12-byte nonce before the ciphertext): a copy of
the database alone holds no usable key. Losing this key loses the keys (the CA can issue new ones); see
docs/documents.md, "The keys".
"""

from __future__ import annotations

import hashlib
import os
import secrets
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ..core.settings import load_settings

VERSION = b"k1"


def _key_file(data_dir: Path) -> Path:
    return data_dir / "signing_key"


def identity() -> tuple[str | None, str | None]:
    """What the key outside the database is taken from (`master_key`): keys opened under one identity are
    not used under another (`keys.opened`)."""
    return os.environ.get("DM_SIGNING_KEY"), os.environ.get("DM_DATA_DIR")


def master_key() -> bytes:
    """The AES-256 key: from ``DM_SIGNING_KEY``, else from the key file in the data folder."""
    if secret := os.environ.get("DM_SIGNING_KEY"):
        return hashlib.sha256(secret.encode()).digest()
    path = _key_file(load_settings().data_dir)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(f".{secrets.token_hex(4)}")
        temporary.write_text(secrets.token_urlsafe(48))
        temporary.chmod(0o600)
        try:
            os.link(temporary, path)  # never replaces a key another process made meanwhile
        except FileExistsError:
            pass
        finally:
            temporary.unlink()
    return hashlib.sha256(path.read_text().strip().encode()).digest()


def seal_key(private_key: PrivateKeyTypes) -> bytes:
    der = private_key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    nonce = secrets.token_bytes(12)
    return VERSION + nonce + AESGCM(master_key()).encrypt(nonce, der, VERSION)


def open_key_der(sealed: bytes) -> bytes:
    """The PKCS#8 DER of a sealed key; raises ``KeyUnavailable`` when the key outside the database is not
    the one it was sealed with."""
    if sealed[:2] != VERSION:
        raise KeyUnavailable()
    try:
        return AESGCM(master_key()).decrypt(sealed[2:14], sealed[14:], VERSION)
    except Exception as error:  # cryptography's InvalidTag
        raise KeyUnavailable() from error


class KeyUnavailable(RuntimeError):
    """The signing key cannot be opened: ``DM_SIGNING_KEY`` or the key file differs from the one that
    sealed it."""
