"""Quote requests (견적요청) and quotes (견적), up to the award that makes an order.

The agency asks 1 to 5 services (`asking`, with the renewal form filled in from an ending order:
`renewal`), each supplier answers or declines (`answering`), the agency awards one quote (`awarding`,
which makes the order through `orders.making`). The award's decision record (낙찰 결정 기록) is written by
the award (its hook in `contracting.decision_tables`) and lives here: `decision_record` (what it holds,
who reads it), `decision_pdf` (PDF and CSV), `decision_api`, `decision_pages`. Routes: `api` (JSON),
`pages` (the agency's HTML; also the page helpers `show` and `day` the other contracting pages share) and
`supplier_pages` (the supplier's inbox and quote page).
"""
