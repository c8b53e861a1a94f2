"""Spreadsheet cells that stay text: a value a reader's spreadsheet would take for a formula is neutralised.

A text beginning with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return, which some programs skip
before reading one of those) is a formula to Excel, LibreOffice and Google Sheets when a CSV is opened,
and openpyxl writes it as a live formula (``<f>``). Anyone who can name a service or a company could then
make a downloaded file fetch a link or leak cells. As OWASP recommends (CSV Injection), such a text is
written with a single quote before it; numbers and dates are written as they are.
"""

from __future__ import annotations

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralised(value):
    """``value`` as a CSV or XLSX cell may hold it: a text that would start a formula gets a leading ``'``."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
