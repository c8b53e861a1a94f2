"""Every list of the API pages one way: ``limit`` and ``cursor``, answered as ``items`` and ``next_cursor``
(null on the last page); a page starts right after the last item given even when the list changed in
between; a cursor the list did not give, a limit above the maximum and an unknown state are 422."""

from __future__ import annotations

from tests.helpers import api_token


def _draft(client, headers, name: str) -> int:
    created = client.post("/api/v1/applications", json={"name": name}, headers=headers)
    assert created.status_code == 201, created.text
    return created.json()["id"]


def test_a_list_is_walked_page_by_page_and_survives_a_new_item(client, demo):
    supplier = api_token(demo, "supplier@demo.kr")
    ids = [_draft(client, supplier, f"초안 {n}") for n in range(3)]
    first = client.get("/api/v1/applications", params={"limit": 2}, headers=supplier).json()
    assert [a["id"] for a in first["items"]] == ids[:2] and first["next_cursor"]
    _draft(client, supplier, "그사이 추가된 초안")  # added between two pages: it joins the end, nothing repeats
    second = client.get("/api/v1/applications", params={"limit": 2, "cursor": first["next_cursor"]}, headers=supplier)
    assert second.status_code == 200, second.text
    assert [a["id"] for a in second.json()["items"]] == [ids[2], ids[2] + 1]
    assert second.json()["next_cursor"] is None
    everything = client.get("/api/v1/applications", headers=supplier).json()
    assert len(everything["items"]) == 4 and everything["next_cursor"] is None


def test_bad_paging_and_filters_are_422_in_the_readers_language(client, demo):
    supplier = api_token(demo, "supplier@demo.kr")
    wrong = client.get("/api/v1/applications", params={"cursor": "not-a-cursor"}, headers=supplier)
    assert wrong.status_code == 422 and "커서" in wrong.json()["error"]["fields"]["cursor"]
    english = client.get(
        "/api/v1/orders",
        params={"cursor": "%%%"},
        headers=api_token(demo, "buyer@demo.kr") | {"Accept-Language": "en"},
    )
    assert english.status_code == 422 and "cursor" in english.json()["error"]["fields"]["cursor"]
    for params in ({"limit": 101}, {"limit": 0}, {"limit": "many"}, {"state": "lost"}, {"created_from": "어제"}):
        refused = client.get("/api/v1/applications", params=params, headers=supplier)
        assert refused.status_code == 422, (params, refused.text)
        assert refused.json()["error"]["fields"], params


def test_filters_by_state_and_creation_day(client, demo):
    supplier = api_token(demo, "supplier@demo.kr")
    made = _draft(client, supplier, "필터 시험")
    drafts = client.get("/api/v1/applications", params={"state": "draft"}, headers=supplier).json()
    assert made in [a["id"] for a in drafts["items"]]
    assert client.get("/api/v1/applications", params={"state": "published"}, headers=supplier).json()["items"] == []
    later = client.get("/api/v1/applications", params={"created_from": "2999-01-01"}, headers=supplier).json()
    assert later["items"] == []
    buyer = api_token(demo, "buyer@demo.kr")
    assert client.get("/api/v1/orders", params={"state": "active"}, headers=buyer).json() == {
        "items": [],
        "next_cursor": None,
    }
