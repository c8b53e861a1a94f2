"""The table of search: the index's terms of each service (the search facts live in memory: facts.py)."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..core.tables import Base


class ServiceSearch(Base):
    """The analyzer's terms of one service, per field (space-joined), and the 초성 of its name."""

    __tablename__ = "service_search"

    service_id: Mapped[int] = mapped_column(ForeignKey("services.id", ondelete="CASCADE"), primary_key=True)
    name: Mapped[str] = mapped_column(Text, nullable=False, default="")
    keywords: Mapped[str] = mapped_column(Text, nullable=False, default="")
    features: Mapped[str] = mapped_column(Text, nullable=False, default="")
    summary: Mapped[str] = mapped_column(Text, nullable=False, default="")
    description: Mapped[str] = mapped_column(Text, nullable=False, default="")
    supplier: Mapped[str] = mapped_column(Text, nullable=False, default="")
    chosung: Mapped[str] = mapped_column(String(400), nullable=False, default="")
    length: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
