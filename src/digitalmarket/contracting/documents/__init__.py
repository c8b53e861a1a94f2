"""Contract documents as PDF: what a document holds and says (`terms`), its sections laid out on A4 pages
(`layout`) with the page's furniture and primitives (`page`), the typefaces and their per-process cache
(`fonts`, `font_cache`, `subset`, `output`, `table`, shared with the award decision record's PDF), and
whether both parties' profiles allow a document (`parties`).

It knows nothing of orders: `orders.documents` builds a ``ContractDocument`` from an order's version and
makes the documents after commit. It imports only core, accounts and contracting's `money`.
"""
