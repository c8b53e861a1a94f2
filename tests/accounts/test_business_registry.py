"""The national tax service's status lookup (국세청 사업자등록 상태조회), asked over HTTP as the public data
portal documents it, here against a local server that answers in the portal's format: in business,
suspended and closed numbers are told apart, and a registry that errs, is slow or does not know the number
answers "unknown" (which never blocks a sign-up)."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from digitalmarket.accounts.registry import NtsRegistry, RegistryStatus, use_registry
from tests.helpers import mailed_links

#: What the portal holds: number -> (b_stt, b_stt_cd); numbers it does not know come back with an empty code.
HELD = {"2148618758": ("계속사업자", "01"), "1208147521": ("휴업자", "02"), "1078736528": ("폐업자", "03")}


class Portal(BaseHTTPRequestHandler):
    asked: list[dict] = []

    def do_POST(self):  # noqa: N802 - the http.server interface
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        Portal.asked.append({"path": self.path, "body": body})
        if "serviceKey=broken" in self.path:
            self.send_response(500)
            self.end_headers()
            return
        if "serviceKey=slow" in self.path:
            time.sleep(1.5)
        data = []
        for number in body["b_no"]:
            state, code = HELD.get(number, ("", ""))
            unknown = "국세청에 등록되지 않은 사업자등록번호입니다." if not code else ""
            data.append({"b_no": number, "b_stt": state, "b_stt_cd": code, "tax_type": unknown, "end_dt": ""})
        answer = json.dumps({"request_cnt": len(data), "status_code": "OK", "data": data}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def portal():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Portal)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/api/nts-businessman/v1/status"
    server.shutdown()


def test_the_registry_tells_in_business_suspended_closed_and_unknown_numbers(portal):
    registry = NtsRegistry("key-1", portal)
    assert registry.status("2148618758") is RegistryStatus.ACTIVE
    assert registry.status("1208147521") is RegistryStatus.SUSPENDED
    assert registry.status("1078736528") is RegistryStatus.CLOSED
    assert registry.status("2208812340") is RegistryStatus.UNKNOWN
    asked = Portal.asked[-1]
    assert "serviceKey=key-1" in asked["path"] and asked["body"] == {"b_no": ["2208812340"]}


def test_a_registry_that_errs_or_is_slow_answers_unknown(portal):
    assert NtsRegistry("broken", portal).status("2148618758") is RegistryStatus.UNKNOWN
    assert NtsRegistry("slow", portal, timeout=0.3).status("2148618758") is RegistryStatus.UNKNOWN
    assert NtsRegistry("key", "http://127.0.0.1:9/nowhere").status("2148618758") is RegistryStatus.UNKNOWN


def test_a_sign_up_asks_the_registry_and_a_closed_number_is_refused(portal, client, db):
    form = {
        "company_name": "폐업클라우드",
        "business_number": "1078736528",
        "representative": "홍길동",
        "name": "홍길동",
        "email": "hong@closed-cloud.kr",
        "password": "Quiet-harbour-lantern-58",
        "size": "sme",
    }
    before = use_registry(NtsRegistry("key-2", portal))
    try:
        closed = client.post("/api/v1/signup", json=form)
        opened = client.post("/api/v1/signup", json={**form, "business_number": "2148618758", "email": "a@open.kr"})
    finally:
        use_registry(before)
    assert closed.status_code == 422 and "폐업" in closed.json()["error"]["fields"]["business_number"]
    assert mailed_links(db, "hong@closed-cloud.kr") == []
    assert opened.status_code == 202, opened.text
