"""Public JSON routes under /api/v1/audit: the signed tree heads of the audit log, its public key and
consistency proofs between two heads (RFC 9162), so that anyone can keep a head and later check that the
log only grew. See ``core/tree_heads.py`` and docs/security.md."""

from __future__ import annotations

import base64

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field

from ..accounts.access import api_access, database
from ..accounts.permissions import PUBLIC
from ..accounts.schemas import ErrorOut
from ..core import tree_heads
from ..core.errors import NotFound, ValidationFailed
from ..core.i18n import N_

router = APIRouter(tags=["open data"], responses={s: {"model": ErrorOut} for s in (404, 422)})

MAX_SIZE = 2**31 - 1  # the largest integer a column holds
NO_HEAD = N_("No tree head of the audit log has been signed yet.")


class TreeHeadOut(BaseModel):
    number: int = Field(description="The head's number, counting from 1")
    tree_size: int = Field(description="How many audit entries, from the first, the head covers")
    root_hash: str = Field(description="RFC 9162 Merkle root of those entries (hex SHA-256)")
    timestamp: int = Field(description="When it was signed, in milliseconds since 1970-01-01 UTC")
    made_at: str = Field(description="The same instant in ISO 8601 (UTC)")
    signature: str = Field(description="Ed25519 signature of `signed_data` (base64)")
    key_id: str = Field(description="SHA-256 of the raw public key (hex)")
    signed_data: str = Field(description="The exact text signed: prefix, tree_size, timestamp, root_hash")


class TreeHeadsOut(BaseModel):
    items: list[TreeHeadOut]
    next_before: int | None = Field(description="Ask again with `before` set to this for older heads")


class PublicKeyOut(BaseModel):
    algorithm: str
    public_key: str = Field(description="The raw 32-byte Ed25519 public key (base64)")
    pem: str
    key_id: str


class ConsistencyOut(BaseModel):
    first: int
    second: int
    proof: list[str] = Field(description="RFC 9162 consistency proof (hex SHA-256 nodes)")


def _out(row: tree_heads.AuditTreeHead) -> TreeHeadOut:
    head = tree_heads.SignedHead.of(row)
    return TreeHeadOut(
        number=row.id,
        tree_size=head.tree_size,
        root_hash=head.root_hash,
        timestamp=head.timestamp,
        made_at=head.made_at.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        signature=head.signature,
        key_id=head.key_id,
        signed_data=head.signed_data,
    )


@router.get("/audit/tree-head", response_model=TreeHeadOut, summary="The latest signed tree head of the audit log")
def tree_head(request: Request, _=Depends(api_access(PUBLIC))):
    """Save it: `digitalmarket audit-verify --head FILE` checks the log against it later, and a
    consistency proof shows that a later head extends it."""
    with database(request).reading() as session:
        row = tree_heads.latest_head(session)
        if row is None:
            raise NotFound(NO_HEAD)
        return _out(row)


@router.get("/audit/tree-heads", response_model=TreeHeadsOut, summary="Signed tree heads, newest first")
def tree_head_list(
    request: Request,
    before: int | None = Query(None, ge=1, le=MAX_SIZE, description="Only heads numbered below this"),
    limit: int = Query(100, ge=1, le=100),
    _=Depends(api_access(PUBLIC)),
):
    with database(request).reading() as session:
        rows = tree_heads.heads(session, before=before, limit=limit)
        items = [_out(row) for row in rows]
    return TreeHeadsOut(items=items, next_before=items[-1].number if len(items) == limit else None)


@router.get("/audit/public-key", response_model=PublicKeyOut, summary="The key that signs the tree heads")
def public_key(request: Request, _=Depends(api_access(PUBLIC))):
    key = tree_heads.signing_key(request.app.state.settings.data_dir)
    if key is None:
        raise NotFound(NO_HEAD)
    public = key.public_key()
    return PublicKeyOut(
        algorithm="Ed25519",
        public_key=base64.b64encode(tree_heads.public_bytes(public)).decode(),
        pem=tree_heads.public_pem(public),
        key_id=tree_heads.key_id(public),
    )


@router.get("/audit/consistency", response_model=ConsistencyOut, summary="Proof that one tree head extends another")
def consistency(
    request: Request,
    first: int = Query(..., ge=0, le=MAX_SIZE, description="The tree_size of the older head"),
    second: int = Query(..., ge=0, le=MAX_SIZE, description="The tree_size of the newer head"),
    _=Depends(api_access(PUBLIC)),
):
    """The RFC 9162 consistency proof between the trees of the first `first` and `second` entries: with
    the two heads' roots it shows that the older tree is the start of the newer one. Sizes up to the
    latest signed head."""
    with database(request).reading() as session:
        latest = tree_heads.latest_head(session)
        if latest is None:
            raise NotFound(NO_HEAD)
        if first > second:
            raise ValidationFailed(fields={"first": N_("The first size must not be larger than the second.")})
        if second > latest.tree_size:
            message = N_("The latest signed tree head covers %(size)s entries.", size=latest.tree_size)
            raise ValidationFailed(fields={"second": message})
        proof = tree_heads.consistency(session, first, second)
    return ConsistencyOut(first=first, second=second, proof=[node.hex() for node in proof])
