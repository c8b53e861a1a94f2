"""Contracting: catalog contracts with PPS (`catalog_contracts`), quote requests and quotes up to the award
(`quotes`), orders, the use contracts (`orders`), and their contract documents as PDF (`documents`). Shared by
them: the pure rules (the state machines `states`, `money`, the lines and periods of quotes and orders
`lines`, the items of catalog contracts `catalog_items`), the tables (`tables`, `decision_tables`), the
public codes (`codes`) and the to-do items of the stage (`todo`).

Importing the package installs the award decision record's hooks (`decision_tables`): every award,
whichever code makes it, keeps its record in the award's transaction.
"""

from . import decision_tables as _decision_tables  # noqa: F401
