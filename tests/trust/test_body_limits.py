"""What an anonymous or oversized request can cost: a Content-Length over the limit is refused unread, an
anonymous request to a route that needs a signed-in caller gets its 401 before a byte of its body is read
(or spooled), and a chunked body is counted while it is read and refused once it passes the limit."""

from __future__ import annotations

import asyncio
import json

from sqlalchemy import func, select

from digitalmarket.helpdesk.tables import Inquiry
from digitalmarket.web.middleware import JSON_BODY_LIMIT, UPLOAD_BODY_LIMIT
from tests.helpers import api_token

CHUNK = b"x" * 65536
MB300 = 300 * 1024 * 1024


def _call(app, method: str, path: str, headers: dict[str, str], total: int, first=b"") -> tuple[int, int, bytes]:
    """Send a body of ``total`` bytes in 64 KB chunks (the first one ``first``), straight to the ASGI app;
    the status, how many bytes the app pulled, and the answer's body."""
    pulled = 0
    sent: list[dict] = []

    async def receive():
        nonlocal pulled
        if pulled >= total:
            return {"type": "http.request", "body": b"", "more_body": False}
        chunk = (first if pulled == 0 and first else CHUNK)[: total - pulled]
        pulled += len(chunk)
        return {"type": "http.request", "body": chunk, "more_body": pulled < total}

    async def send(message):
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "client": ("198.51.100.1", 40000),
        "server": ("testserver", 80),
    }
    asyncio.run(app(scope, receive, send))
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return sent[0]["status"], pulled, body


def test_an_anonymous_300_mb_body_is_refused_unread(app, demo):
    json_headers = {"content-type": "application/json"}
    status, pulled, body = _call(app, "POST", "/api/v1/inquiries", json_headers, MB300)  # chunked
    assert (status, pulled) == (401, 0)
    assert json.loads(body)["error"]["code"] == "not_signed_in"
    upload = {"content-type": "multipart/form-data; boundary=b", "content-length": str(MB300)}
    status, pulled, _ = _call(app, "POST", "/api/v1/applications/1/documents", upload, MB300)
    assert (status, pulled) == (413, 0)  # the length alone refuses it
    upload.pop("content-length")
    status, pulled, _ = _call(app, "POST", "/api/v1/applications/1/documents", upload, MB300)
    assert (status, pulled) == (401, 0)  # chunked: not signed in, nothing spooled
    page = {"content-type": "multipart/form-data; boundary=b"}
    status, pulled, _ = _call(app, "POST", "/supplier/applications/1/documents", page, MB300)
    assert (status, pulled) == (303, 0)  # a page: to the log-in, body unread
    status, pulled, _ = _call(app, "POST", "/api/v1/inquiries", {**json_headers, "authorization": "Bearer nope"}, MB300)
    assert (status, pulled) == (401, 0)  # a wrong token is no better than none


def test_a_signed_in_caller_over_the_limit_gets_413_and_nothing_is_written(app, client, demo):
    headers = {**api_token(demo, "buyer@demo.kr"), "content-type": "application/json"}
    status, pulled, body = _call(app, "POST", "/api/v1/inquiries", {**headers, "content-length": str(MB300)}, MB300)
    assert (status, pulled) == (413, 0)
    assert "1 MB" in json.loads(body)["error"]["message"]
    status, pulled, body = _call(app, "POST", "/api/v1/inquiries", headers, MB300)  # chunked
    assert status == 413 and pulled <= JSON_BODY_LIMIT + len(CHUNK)
    assert json.loads(body)["error"]["code"] == "too_large"

    too_big = {"subject": "문의", "category": "other", "body": "가" * (JSON_BODY_LIMIT // 3 + 10)}
    refused = client.post("/api/v1/inquiries", json=too_big, headers={**headers, "Accept-Language": "ko"})
    assert refused.status_code == 413 and "MB" in refused.json()["error"]["message"]

    def chunks():
        yield json.dumps({"subject": "문의", "category": "other", "body": ""})[:-2].encode()
        for _ in range(JSON_BODY_LIMIT // len(CHUNK) + 2):
            yield CHUNK
        yield b'"}'

    streamed = client.post("/api/v1/inquiries", content=chunks(), headers=headers)
    assert streamed.status_code == 413
    with demo.reading() as session:
        assert session.scalar(select(func.count()).select_from(Inquiry)) == 0
    small = {"subject": "문의", "category": "other", "body": "본문"}
    small = client.post("/api/v1/inquiries", json=small, headers=headers)
    assert small.status_code == 201  # within the limit, as before


def test_an_upload_may_be_a_whole_document_but_not_more(app, demo):
    headers = {**api_token(demo, "supplier@demo.kr"), "content-type": "multipart/form-data; boundary=b"}
    part = b'--b\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n\r\n%PDF-'
    status, pulled, _ = _call(app, "POST", "/api/v1/applications/999999/documents", headers, MB300, part)
    assert status == 413 and UPLOAD_BODY_LIMIT <= pulled <= UPLOAD_BODY_LIMIT + len(CHUNK)
    assert UPLOAD_BODY_LIMIT > 20 * 1024 * 1024
