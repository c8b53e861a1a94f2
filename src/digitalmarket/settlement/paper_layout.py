"""The settlement's documents (검수조서, 대금청구서, 세금계산서) are laid out as ``Paper`` by the contract
document's machinery (`contracting.documents.paper`), so that they look like the contract they follow."""

from __future__ import annotations

from ..contracting.documents.paper import Grid, KeyValues, Paper, Paragraph, paper_pdf, paper_texts

__all__ = ["Grid", "KeyValues", "Paper", "Paragraph", "paper_pdf", "paper_texts"]
