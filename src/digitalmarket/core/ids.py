"""Public identifiers: yearly sequences per prefix (``SAS-2026-00042``, ``CC-2026-00017``)."""

from __future__ import annotations

from sqlalchemy import Integer, String, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from .tables import Base


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
