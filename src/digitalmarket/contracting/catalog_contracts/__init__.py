"""Catalog contracts (카탈로그 계약) with PPS, which put a selected service in the shopping mall.

The supplier applies and resubmits (`applying`); the contracting officer reviews, asks for a supplement,
signs, amends, suspends and resumes, and the daily run expires contracts (`officer_steps`); the supplier's
change requests (연장, 단가 인하) and the officer's decisions (`change_requests`). Around them: the items and
period of a contract (`contract_items`), how a step is recorded (`recording`) and what others read
(`queries`: the contract in force for a service, who sees which contract, its papers through
`catalog.papers`, the timeline). Routes: `api` and
`change_request_api` (JSON), `pages`, `supplier_pages` and `officer_pages` (HTML).
"""
