"""Public identifiers: yearly sequences per prefix (``SAS-2026-00042``, ``CC-2026-00017``), and the open
contracting ids (ocid) made of them."""

from __future__ import annotations

import os
import re

from sqlalchemy import Integer, String, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from .tables import Base

DEFAULT_OCID_PREFIX = "ocds-xxxxxx"
OCID_PREFIX_PATTERN = re.compile(r"^ocds-[a-z0-9]{6}$")


def ocid_prefix() -> str:
    """``DM_OCID_PREFIX`` (the prefix registered with the Open Contracting Partnership), or the placeholder."""
    prefix = (os.environ.get("DM_OCID_PREFIX") or DEFAULT_OCID_PREFIX).strip()
    if not OCID_PREFIX_PATTERN.match(prefix):
        raise ValueError(f"DM_OCID_PREFIX must look like ocds-abc123, not {prefix!r}")
    return prefix


def ocid_of(code: str) -> str:
    """The ocid of a contracting process known by its public code (an order's, a catalog contract's number)."""
    return f"{ocid_prefix()}-{code}"


class CodeSequence(Base):
    __tablename__ = "code_sequences"

    prefix: Mapped[str] = mapped_column(String(8), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last: Mapped[int] = mapped_column(Integer, nullable=False, default=0)


def next_code(session: Session, prefix: str, year: int, width: int = 5) -> str:
    """The next code of the sequence, allocated inside the caller's transaction.

    The row is incremented with a single UPDATE, which locks it until the transaction ends, so two
    transactions never receive the same number.
    """
    return next_codes(session, prefix, year, 1, width)[0]


def next_codes(session: Session, prefix: str, year: int, count: int, width: int = 5) -> list[str]:
    """The next ``count`` codes of the sequence, in order, with one UPDATE: the codes that ``count``
    calls of `next_code` would give (for an import of many services)."""
    if count < 1:
        return []
    key = (CodeSequence.prefix == prefix) & (CodeSequence.year == year)
    updated = session.execute(update(CodeSequence).where(key).values(last=CodeSequence.last + count))
    if updated.rowcount == 0:
        try:
            with session.begin_nested():  # the year's first code: another writer may start it at once
                session.add(CodeSequence(prefix=prefix, year=year, last=count))
        except IntegrityError:
            session.execute(update(CodeSequence).where(key).values(last=CodeSequence.last + count))
    last = session.scalar(select(CodeSequence.last).where(key))
    return [f"{prefix}-{year}-{number:0{width}d}" for number in range(last - count + 1, last + 1)]
