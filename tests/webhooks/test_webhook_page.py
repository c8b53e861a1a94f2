"""The webhooks page names each kind of change in words beside its code."""

from __future__ import annotations

from tests.helpers import page_login


def test_the_webhooks_page_names_the_kinds_of_change(client, demo):
    page_login(client, "buyer@demo.kr")
    page = client.get("/organisation/webhooks").text
    assert "<code>orders</code> 주문" in page and "<code>catalog-contracts</code> 카탈로그 계약" in page
