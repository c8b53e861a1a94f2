"""Signed tree heads over the audit trail, as Certificate Transparency logs publish them (RFC 9162).

The audit entries, in the order of their ids, are the leaves of a Merkle tree (``core/merkle.py``); the
leaf of an entry is its chain hash as 64 ASCII hex characters, which the chain check ties to the entry's
content. A tree head says "the first ``tree_size`` entries have this root", with the time it was made,
signed with Ed25519. The signing key lives outside the database: ``DM_AUDIT_SIGNING_KEY`` (the base64 of
the 32-byte private key, or a PEM), else the file ``audit_signing_key.pem`` in the data folder, made with
mode 0600 when the first head is signed. Heads are stored and published; a head kept by anyone outside
makes truncating, editing or reordering the entries it covers visible, even to someone who could also
rewrite the chain and delete the stored heads.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import Integer, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from . import merkle
from .audit import AuditEvent
from .formatting import kst_datetime
from .tables import Base, UTCDateTime, utcnow

KEY_FILE = "audit_signing_key.pem"
KEY_ENV = "DM_AUDIT_SIGNING_KEY"
SIGNED_PREFIX = "digitalmarket-audit-tree-head-v1"


class AuditTreeHead(Base):
    """감사 기록 트리 헤드: the signed root of the first ``tree_size`` audit entries."""

    __tablename__ = "audit_tree_heads"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tree_size: Mapped[int] = mapped_column(Integer, nullable=False)
    root_hash: Mapped[str] = mapped_column(String(64), nullable=False)
    made_at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    signature: Mapped[str] = mapped_column(String(88), nullable=False)
    key_id: Mapped[str] = mapped_column(String(64), nullable=False)


@dataclass(frozen=True)
class SignedHead:
    """A tree head as published: what is signed, the signature and the key's id."""

    tree_size: int
    root_hash: str
    timestamp: int  # milliseconds since 1970-01-01 UTC, as in RFC 9162
    signature: str  # base64
    key_id: str
    number: int | None = None
    source: str = ""  # where a head kept outside came from (a file name)

    @property
    def signed_data(self) -> str:
        return signed_data(self.tree_size, self.timestamp, self.root_hash)

    @property
    def made_at(self) -> datetime:
        return datetime.fromtimestamp(self.timestamp / 1000, UTC)

    @property
    def name(self) -> str:
        name = f"head #{self.number}" if self.number is not None else "the head"
        return f"saved {name} ({self.source})" if self.source else name

    @classmethod
    def of(cls, row: AuditTreeHead) -> SignedHead:
        return cls(row.tree_size, row.root_hash, _millis(row.made_at), row.signature, row.key_id, row.id)

    @classmethod
    def from_json(cls, data: dict, source: str = "") -> SignedHead:
        """A head as the API publishes it (``GET /api/v1/audit/tree-head``); ValueError when it is not one."""
        try:
            return cls(
                int(data["tree_size"]),
                str(data["root_hash"]),
                int(data["timestamp"]),
                str(data["signature"]),
                str(data.get("key_id", "")),
                int(data["number"]) if data.get("number") is not None else None,
                source,
            )
        except (KeyError, TypeError, ValueError) as error:
            raise ValueError(f"not a tree head: {error}") from None


def signed_data(tree_size: int, timestamp: int, root_hash: str) -> str:
    """The exact text signed: four lines, so that anyone can check it with OpenSSL."""
    return f"{SIGNED_PREFIX}\n{tree_size}\n{timestamp}\n{root_hash}\n"


def _millis(moment: datetime) -> int:
    return int(moment.timestamp() * 1000 + 0.5)


# --- the key -----------------------------------------------------------------------------------------


def _load(text: str) -> Ed25519PrivateKey:
    text = text.strip()
    if text.startswith("-----BEGIN"):
        key = serialization.load_pem_private_key(text.encode(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError("the audit signing key is not an Ed25519 key")
        return key
    try:
        return Ed25519PrivateKey.from_private_bytes(base64.b64decode(text, validate=True))
    except (binascii.Error, ValueError):
        raise ValueError(f"{KEY_ENV} is neither a PEM nor the base64 of a 32-byte Ed25519 key") from None


def signing_key(data_dir: Path, *, create: bool = False) -> Ed25519PrivateKey | None:
    """The log's private key from ``DM_AUDIT_SIGNING_KEY`` or the key file; with ``create`` a new key file
    (mode 0600) when there is neither, else None."""
    if text := os.environ.get(KEY_ENV, "").strip():
        return _load(text)
    path = data_dir / KEY_FILE
    if not path.exists():
        if not create:
            return None
        data_dir.mkdir(parents=True, exist_ok=True)
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first: use theirs
            pass
        else:
            with os.fdopen(fd, "wb") as file:
                file.write(pem)
    return _load(path.read_text())


def public_bytes(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def public_pem(key: Ed25519PublicKey) -> str:
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def key_id(key: Ed25519PublicKey) -> str:
    """SHA-256 of the raw public key, in hex."""
    return hashlib.sha256(public_bytes(key)).hexdigest()


# --- making and reading heads ------------------------------------------------------------------------


def _leaves(session: Session, limit: int | None = None, batch: int = 20000) -> Iterator[bytes]:
    """The leaf hash of each sequenced audit entry in log order (the first ``limit`` entries)."""
    after, left = None, limit
    while left is None or left > 0:
        size = batch if left is None else min(batch, left)
        query = select(AuditEvent.seq, AuditEvent.hash).where(AuditEvent.seq.is_not(None))
        query = query.order_by(AuditEvent.seq).limit(size)
        if after is not None:
            query = query.where(AuditEvent.seq > after)
        rows = session.execute(query).all()
        for row in rows:
            yield merkle.leaf_hash(row.hash.encode())
        if len(rows) < size:
            return
        after = rows[-1].seq
        left = None if left is None else left - len(rows)


def make_head(session: Session, key: Ed25519PrivateKey) -> AuditTreeHead:
    """Sign and store the head of the audit entries committed so far."""
    tree = merkle.CompactTree()
    for leaf in _leaves(session):
        tree.append(leaf)
    made_at = utcnow()
    made_at = made_at.replace(microsecond=made_at.microsecond // 1000 * 1000)
    root_hash = tree.root().hex()
    signature = key.sign(signed_data(tree.size, _millis(made_at), root_hash).encode())
    head = AuditTreeHead(
        tree_size=tree.size,
        root_hash=root_hash,
        made_at=made_at,
        signature=base64.b64encode(signature).decode(),
        key_id=key_id(key.public_key()),
    )
    session.add(head)
    session.flush()
    return head


def latest_head(session: Session) -> AuditTreeHead | None:
    return session.scalars(select(AuditTreeHead).order_by(AuditTreeHead.id.desc()).limit(1)).first()


def heads(session: Session, *, before: int | None = None, limit: int = 100) -> list[AuditTreeHead]:
    """Stored heads, newest first (those numbered below ``before``)."""
    query = select(AuditTreeHead).order_by(AuditTreeHead.id.desc()).limit(limit)
    if before is not None:
        query = query.where(AuditTreeHead.id < before)
    return list(session.scalars(query))


def consistency(session: Session, first: int, second: int) -> list[bytes]:
    """The RFC 9162 consistency proof between the trees of the first ``first`` and ``second`` entries."""
    leaves = list(_leaves(session, second))
    if len(leaves) < second:
        raise ValueError(f"the log has {len(leaves)} entries, not {second}")
    return merkle.consistency_proof(leaves, first)


# --- checking ----------------------------------------------------------------------------------------


def signature_problem(head: SignedHead, key: Ed25519PublicKey) -> str | None:
    """None when the head is signed by ``key``; else what is wrong, in a sentence."""
    if head.key_id and head.key_id != key_id(key):
        return f"{head.name} was signed by key {head.key_id[:16]}…, not by this log's key {key_id(key)[:16]}…"
    try:
        key.verify(base64.b64decode(head.signature, validate=True), head.signed_data.encode())
    except (InvalidSignature, binascii.Error, ValueError):
        return f"the signature of {head.name} does not verify with this log's public key"
    return None


@dataclass(frozen=True)
class HeadsReport:
    entries: int
    heads: int
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_heads(session: Session, key: Ed25519PublicKey | None, extra: Iterable[SignedHead] = ()) -> HeadsReport:
    """Check every stored head, and the ``extra`` heads kept outside, against the entries: each signature
    verifies with ``key``, the log has at least the entries a head signed, and the root of those entries
    is the head's root (one pass over the log, however many heads)."""
    all_heads = [SignedHead.of(row) for row in session.scalars(select(AuditTreeHead).order_by(AuditTreeHead.id))]
    all_heads += list(extra)
    problems: list[str] = []
    for head in all_heads:
        if key is None:
            problems.append(f"{head.name} cannot be checked: this installation has no audit signing key")
            break
        if problem := signature_problem(head, key):
            problems.append(problem)
    by_size: dict[int, list[SignedHead]] = {}
    for head in all_heads:
        by_size.setdefault(head.tree_size, []).append(head)
    tree = merkle.CompactTree()

    def check(size: int) -> None:
        for head in by_size.pop(size, []):
            if tree.root().hex() != head.root_hash:
                problems.append(
                    f"{head.name} (made {kst_datetime(head.made_at)}) signed a different log of {size} entries: "
                    f"an entry among the first {size} was changed, removed or reordered"
                )

    check(0)
    for leaf in _leaves(session):
        tree.append(leaf)
        check(tree.size)
    for size in sorted(by_size):
        for head in by_size[size]:
            problems.append(f"the log has {tree.size} entries but {head.name} signed {size}: entries were removed")
    return HeadsReport(tree.size, len(all_heads), problems)
