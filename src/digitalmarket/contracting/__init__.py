"""Contracting: catalog contracts with PPS, quote requests and quotes, orders (use contracts).

Importing the package installs the award decision record's hooks (`decision_tables`): every award,
whichever code makes it, keeps its record in the award's transaction.
"""

from . import decision_tables as _decision_tables  # noqa: F401
