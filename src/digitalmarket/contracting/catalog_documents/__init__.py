"""The 카탈로그 계약서 of catalog contracts: made, signed and sealed after commit by the consumer
``catalog-contract-documents`` (`making`), and downloaded by the supplier, PPS and the operator (`routes`).
It builds on the contracting tables and the document layout (`contracting.documents`); the catalog
contracts' steps know nothing of it."""
