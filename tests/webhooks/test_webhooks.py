"""Webhooks: an organisation's administrator subscribes a URL to kinds of the change feed; changes and test
events reach a real HTTP server signed with HMAC-SHA256 over the timestamp and the body, carrying their feed
position; a refused delivery is tried again after a backoff; the log shows each delivery; private addresses
are refused unless the installation allows them."""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from fastapi.testclient import TestClient

from digitalmarket.core import consumers
from digitalmarket.core.tables import utcnow
from digitalmarket.web.app import create_app
from digitalmarket.webhooks.sender import send_due
from tests.contracting.buying import people_of, publish
from tests.helpers import api_token, csrf_from, page_login


class Receiver:
    """A tiny HTTP server on 127.0.0.1 that records what it is sent and answers the statuses it is told."""

    def __init__(self) -> None:
        self.received: list[dict] = []
        self.statuses: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - the standard library's name
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append({"headers": {k.lower(): v for k, v in self.headers.items()}, "body": body})
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    running = Receiver()
    yield running
    running.stop()


@pytest.fixture
def hooks(settings, db, demo):
    """A client of an installation that delivers webhooks to local addresses (as tests and the demo do).
    Not started as a context manager: no background sender, the test sends with `send_due`."""
    return TestClient(create_app(dataclasses.replace(settings, webhooks_allow_private=True), db))


def signed_by(secret: str, delivery: dict) -> bool:
    fields = dict(part.split("=", 1) for part in delivery["headers"]["x-dm-signature"].split(","))
    expected = hmac.new(secret.encode(), fields["t"].encode() + b"." + delivery["body"], hashlib.sha256).hexdigest()
    return hmac.compare_digest(fields["v1"], expected)


def test_changes_and_test_events_arrive_signed_with_their_feed_position(hooks, demo, receiver):
    admin = api_token(demo, "buyer@demo.kr")  # the agency's administrator
    assert (
        hooks.post(
            "/api/v1/webhooks",
            json={"url": receiver.url, "kinds": ["services"]},
            headers=api_token(demo, "operator@demo.kr"),
        ).status_code
        == 403
    )
    created = hooks.post("/api/v1/webhooks", json={"url": receiver.url, "kinds": ["services"]}, headers=admin)
    assert created.status_code == 201
    webhook = created.json()
    assert webhook["secret"].startswith("whsec_")
    assert "secret" not in hooks.get("/api/v1/webhooks", headers=admin).json()["items"][0]

    assert hooks.post(f"/api/v1/webhooks/{webhook['id']}/test", headers=admin).status_code == 202
    send_due(demo, allow_private=True)
    ping = receiver.received[-1]
    assert json.loads(ping["body"])["event"] == "ping"
    assert signed_by(webhook["secret"], ping)
    assert not signed_by("whsec_another", ping)

    code = publish(demo, people_of(demo).supplier, "가상 협업 서비스")
    send_due(demo, allow_private=True)
    change = receiver.received[-1]
    assert signed_by(webhook["secret"], change) and change["headers"]["x-dm-event"] == "services"
    body = json.loads(change["body"])
    assert body["data"]["code"] == code
    feed = hooks.get("/api/v1/feed/services").json()["items"]
    assert body["feed_position"] == int(feed[-1]["cursor"])

    log = hooks.get(f"/api/v1/webhooks/{webhook['id']}/deliveries", headers=admin).json()["items"]
    assert [(d["event"], d["state"], d["last_status_code"]) for d in log] == [
        ("services", "delivered", 200),
        ("ping", "delivered", 200),
    ]
    assert (
        hooks.get(f"/api/v1/webhooks/{webhook['id']}/deliveries", headers=api_token(demo, "buyer2@demo.kr")).status_code
        == 404
    )

    consumers.replay(demo, "webhooks")  # a replay of the read model sends nothing again
    send_due(demo, allow_private=True)
    assert len(receiver.received) == 2


def test_a_refused_delivery_is_tried_again_after_a_backoff(hooks, demo, receiver):
    admin = api_token(demo, "buyer@demo.kr")
    webhook = hooks.post("/api/v1/webhooks", json={"url": receiver.url, "kinds": ["orders"]}, headers=admin).json()
    receiver.statuses = [500]
    hooks.post(f"/api/v1/webhooks/{webhook['id']}/test", headers=admin)
    now = utcnow()
    send_due(demo, allow_private=True, now=now)
    [waiting] = hooks.get(f"/api/v1/webhooks/{webhook['id']}/deliveries", headers=admin).json()["items"]
    assert (waiting["state"], waiting["attempts"], waiting["last_status_code"]) == ("pending", 1, 500)

    assert send_due(demo, allow_private=True, now=now + timedelta(seconds=10)) == []  # not yet due
    send_due(demo, allow_private=True, now=now + timedelta(seconds=31))
    [done] = hooks.get(f"/api/v1/webhooks/{webhook['id']}/deliveries", headers=admin).json()["items"]
    assert (done["state"], done["attempts"], done["last_status_code"]) == ("delivered", 2, 200)
    assert len(receiver.received) == 2
    assert receiver.received[0]["headers"]["x-dm-delivery"] == receiver.received[1]["headers"]["x-dm-delivery"]


def test_only_public_http_addresses_unless_the_installation_allows_private_ones(client, demo, receiver):
    admin = api_token(demo, "buyer@demo.kr") | {"Accept-Language": "en"}
    local = client.post("/api/v1/webhooks", json={"url": receiver.url, "kinds": ["orders"]}, headers=admin)
    assert local.status_code == 422 and "public addresses only" in local.json()["error"]["fields"]["url"]
    for url in ("ftp://example.kr/hooks", "http://user:pw@example.kr/hooks", "http://10.0.0.8/hooks"):
        assert client.post("/api/v1/webhooks", json={"url": url, "kinds": ["orders"]}, headers=admin).status_code == 422
    assert client.get("/api/v1/webhooks", headers=admin).json() == {"items": [], "next_cursor": None}


def test_the_administrator_manages_webhooks_on_a_page(hooks, demo, receiver):
    page_login(hooks, "buyer@demo.kr")
    csrf = csrf_from(hooks, "/organisation/webhooks")
    added = hooks.post(
        "/organisation/webhooks", data={"csrf_token": csrf, "url": receiver.url, "kinds": ["orders", "services"]}
    )
    assert added.status_code == 201 and 'id="webhook-secret"' in added.text
    webhook_id = hooks.get("/api/v1/webhooks", headers=api_token(demo, "buyer@demo.kr")).json()["items"][0]["id"]
    tested = hooks.post(f"/organisation/webhooks/{webhook_id}/test", data={"csrf_token": csrf}, follow_redirects=False)
    assert tested.status_code == 303
    send_due(demo, allow_private=True)
    log = hooks.get(f"/organisation/webhooks/{webhook_id}")
    assert "ping" in log.text and "HTTP 200" in log.text
    stopped = hooks.post(
        f"/organisation/webhooks/{webhook_id}/delete", data={"csrf_token": csrf}, follow_redirects=False
    )
    assert stopped.status_code == 303
    assert receiver.url not in hooks.get("/organisation/webhooks").text

    page_login(hooks, "supplier2@demo.kr")  # a company's administrator, of another organisation
    assert hooks.get(f"/organisation/webhooks/{webhook_id}").status_code == 404


def test_a_first_subscription_is_sent_only_what_changed_after_it_once(hooks, demo, receiver):
    admin = api_token(demo, "buyer@demo.kr")
    supplier = people_of(demo).supplier
    publish(demo, supplier, "가상 백업 서비스")  # nobody follows the feed yet
    webhook = hooks.post("/api/v1/webhooks", json={"url": receiver.url, "kinds": ["services"]}, headers=admin).json()
    code = publish(demo, supplier, "가상 메일 서비스")
    consumers.run(demo, wait=True)
    send_due(demo, allow_private=True)
    sent = [json.loads(delivery["body"]) for delivery in receiver.received]
    assert [body["data"]["code"] for body in sent] == [code]
    log = hooks.get(f"/api/v1/webhooks/{webhook['id']}/deliveries", headers=admin).json()["items"]
    assert [(d["event"], d["state"]) for d in log] == [("services", "delivered")]
