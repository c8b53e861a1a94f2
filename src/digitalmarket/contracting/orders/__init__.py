"""Orders (이용계약): made by an award or directly (`making`), confirmed by both sides on the contract
document (`confirming`), changed (계약변경, `changing`), ended early or at the end of their period
(`ending`); who sees an order and what each side does next (`access`), the terms of its contract documents
and the after-commit consumer ``contract-documents`` that makes them (`documents`). Routes: `api` (JSON),
`pages` (HTML) and `confirm_pages`, the confirmation pages of the steps that cannot be undone (an order
terminated, a quote request cancelled, a quote declined).
"""
