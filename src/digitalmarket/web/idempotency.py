"""The ``Idempotency-Key`` of an API client's POST (`core.idempotency`): the first answer again for a retry.

Applied to ``POST /api/v1/...`` requests sent with the header by a caller whose token was checked already
(`BodyLimitMiddleware` authenticates a route's caller before its body is read); pages, other methods,
requests without a key, uploads (``multipart/form-data``: a client picks a new boundary for each try, so
no two tries are the same bytes), anonymous routes and the answers that carry a secret shown once
(`SECRET_ANSWERS`) pass untouched. A retry's answer carries ``Idempotent-Replayed: true``.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging

from fastapi.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..core import idempotency
from ..core.errors import Busy, Conflict, ValidationFailed
from ..core.i18n import N_
from .errors import busy_answer
from .middleware import answer_refusal

log = logging.getLogger(__name__)

HEADER = b"idempotency-key"
#: Answers that carry a secret shown once (a new API token, a webhook's signing secret) are never kept:
#: these paths take no key.
SECRET_ANSWERS = ("/api/v1/tokens", "/api/v1/webhooks")


class _StillRunning(Conflict):
    retry_after_seconds = 2  # `answer_refusal` says when to come back


class IdempotencyMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] != "POST"
            or not scope["path"].startswith("/api/v1/")
            or scope["path"].startswith(SECRET_ANSWERS)
        ):
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        key = headers.get(HEADER, b"").decode("latin-1").strip()
        scheme, _, token = headers.get(b"authorization", b"").decode("latin-1").partition(" ")
        checked = (scope.get("state") or {}).get("actor_resolved")  # the token, checked for the route
        upload = headers.get(b"content-type", b"").lower().startswith(b"multipart/form-data")
        if not key or scheme.lower() != "bearer" or not token.strip() or not checked or checked[0] is None or upload:
            await self.app(scope, receive, send)
            return
        if len(key) > idempotency.KEY_MAX or not key.isprintable():
            problem = N_("Send a key of 1 to %(max)s printable characters.", max=idempotency.KEY_MAX)
            await answer_refusal(scope, ValidationFailed(fields={"Idempotency-Key": problem}), receive, send)
            return
        body = await _whole_body(receive)
        if body is None:  # the client went away before its request was whole: nothing to claim or run
            return
        owner = hashlib.sha256(f"{token.strip()} {scope['path']}".encode()).hexdigest()
        db = scope["app"].state.db
        again = _once(body, receive)  # the body read, for whatever answers the request now
        try:
            found = await run_in_threadpool(idempotency.claim, db, owner, key, hashlib.sha256(body).hexdigest())
        except Busy:  # the database's wait reached its bound: 503 with Retry-After, nothing run
            await busy_answer(Request(scope))(scope, again, send)
            return
        if found.outcome == "replay":
            await _replay(found, send)
        elif found.outcome == "running":
            message = N_("A request with this Idempotency-Key is still being answered; send it again in a moment.")
            await answer_refusal(scope, _StillRunning(message), again, send)
        elif found.outcome == "mismatch":
            message = N_("This Idempotency-Key came with another request before; use a new key for a new request.")
            await answer_refusal(scope, ValidationFailed(fields={"Idempotency-Key": message}), again, send)
        else:
            await self._run(scope, again, send, db, found.row_id)

    async def _run(self, scope: Scope, receive: Receive, send: Send, db, row_id: int) -> None:
        """Run the request, passing its answer on as it comes, and keep it for the retries."""
        answer: dict = {"status": None, "media_type": None, "chunks": []}

        async def keeping(message: Message) -> None:
            if message["type"] == "http.response.start":
                answer["status"] = message["status"]
                media = dict(message.get("headers", [])).get(b"content-type")
                answer["media_type"] = media.decode("latin-1") if media else None
            elif message["type"] == "http.response.body":
                answer["chunks"].append(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, keeping)
        except BaseException:
            if answer["status"] is None:  # nothing answered: the request may run again
                await _after_the_answer(idempotency.forget, db, row_id)
            raise  # (once an answer began, its work may be done: the claim stays, and lapses after RUNNING)
        if answer["status"] is None:
            await _after_the_answer(idempotency.forget, db, row_id)
            return
        kept = b"".join(answer["chunks"])
        await _after_the_answer(idempotency.keep, db, row_id, answer["status"], answer["media_type"], kept)


async def _after_the_answer(step, *args, tries: int = 3) -> None:
    """Keep or forget a claim once the answer has gone, trying again a moment later when the database is
    busy; a failure still is logged, never turned into an error after the answer (the claim then lapses
    after `idempotency.RUNNING`)."""
    for attempt in range(tries):
        try:
            await run_in_threadpool(step, *args)
            return
        except Exception:  # noqa: BLE001 - the caller has its answer already
            if attempt + 1 == tries:
                log.warning("Idempotency key not kept after its answer", exc_info=True)
                return
            await asyncio.sleep(0.5 * (attempt + 1))


async def _whole_body(receive: Receive) -> bytes | None:
    """The request's body, read to its end (its size was bounded by `BodyLimitMiddleware`, outside this);
    None when the client went away before it ended."""
    chunks = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


def _once(body: bytes, connection: Receive) -> Receive:
    """A ``receive`` that gives the body read already, then what the connection says (its disconnect)."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await connection()

    return receive


async def _replay(found: idempotency.Claim, send: Send) -> None:
    """The kept answer of the first request, marked as a replay."""
    body = found.body or b""
    headers = [(b"content-length", str(len(body)).encode()), (b"idempotent-replayed", b"true")]
    if found.media_type:
        headers.append((b"content-type", found.media_type.encode("latin-1")))
    await send({"type": "http.response.start", "status": found.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
