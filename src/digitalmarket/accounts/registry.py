"""The business registry (사업자 상태조회): whether a business registration number is in business, suspended
(휴업) or closed (폐업), asked at sign-up before anything is mailed.

`BusinessRegistry` is the adapter's protocol. `StubRegistry` answers without a network, for the tests and the
demo: every number is in business except the ones it was told about. The place for the national tax
service's lookup is `NtsRegistry`: the public data portal's 국세청 사업자등록정보 상태조회 service
(``POST https://api.odcloud.kr/api/nts-businessman/v1/status?serviceKey=...`` with ``{"b_no": [number]}``,
whose ``b_stt_cd`` is 01 in business, 02 suspended, 03 closed). It needs a service key of the portal:
an installation that sets ``DM_NTS_SERVICE_KEY`` asks the national tax service (``DM_NTS_URL`` points it
elsewhere, e.g. a gateway); without it, sign-ups ask `StubRegistry`. A program may also set its own adapter
with `use_registry`.

A registry that cannot answer (a timeout, an unknown number) never blocks a sign-up: the answer is
``unknown`` and the operator, who checks the uploaded 사업자등록증명 anyway, sees it with the request.
"""

from __future__ import annotations

import json
import logging
import os
import urllib.parse
import urllib.request
from enum import StrEnum
from typing import Protocol

log = logging.getLogger(__name__)

#: The public data portal's status lookup (국세청_사업자등록정보 진위확인 및 상태조회 서비스).
NTS_URL = "https://api.odcloud.kr/api/nts-businessman/v1/status"
#: ``b_stt_cd`` as the service documents it.
NTS_CODES = {"01": "active", "02": "suspended", "03": "closed"}


class RegistryStatus(StrEnum):
    ACTIVE = "active"  # 계속사업자
    SUSPENDED = "suspended"  # 휴업자
    CLOSED = "closed"  # 폐업자
    UNKNOWN = "unknown"  # the registry did not answer or does not know the number


class BusinessRegistry(Protocol):
    def status(self, business_number: str) -> RegistryStatus:
        """The status of a normalised 10-digit business registration number."""


class StubRegistry:
    """Answers from memory: `ACTIVE` unless the number was set otherwise (`set`)."""

    def __init__(self, statuses: dict[str, RegistryStatus] | None = None) -> None:
        self.statuses = dict(statuses or {})

    def set(self, business_number: str, status: RegistryStatus) -> None:
        self.statuses[business_number] = status

    def status(self, business_number: str) -> RegistryStatus:
        return self.statuses.get(business_number, RegistryStatus.ACTIVE)


class NtsRegistry:
    """국세청 사업자등록 상태조회 through the public data portal (see the module's text). Any failure (no
    answer within ``timeout`` seconds, an error status, an answer it cannot read, a number the service does
    not know) is `UNKNOWN`, logged, and never raised."""

    def __init__(self, service_key: str, url: str = NTS_URL, timeout: float = 3.0) -> None:
        self.service_key, self.url, self.timeout = service_key, url, timeout

    def status(self, business_number: str) -> RegistryStatus:
        query = urllib.parse.urlencode({"serviceKey": self.service_key, "returnType": "JSON"})
        request = urllib.request.Request(
            f"{self.url}?{query}",
            data=json.dumps({"b_no": [business_number]}).encode(),
            headers={"Content-Type": "application/json", "Accept": "application/json"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 - https or the set URL
                answer = json.load(response)
            rows = [row for row in answer.get("data") or [] if row.get("b_no") == business_number]
            code = rows[0].get("b_stt_cd", "") if rows else ""
        except (OSError, ValueError, AttributeError, TypeError) as error:
            log.warning("The business registry did not answer for %s: %s", business_number, error)
            return RegistryStatus.UNKNOWN
        return RegistryStatus(NTS_CODES.get(code, "unknown"))


def _from_environment() -> BusinessRegistry:
    key = os.environ.get("DM_NTS_SERVICE_KEY", "").strip()
    return NtsRegistry(key, os.environ.get("DM_NTS_URL", "").strip() or NTS_URL) if key else StubRegistry()


_registry: BusinessRegistry = _from_environment()


def registry() -> BusinessRegistry:
    """The registry sign-ups ask."""
    return _registry


def use_registry(adapter: BusinessRegistry) -> BusinessRegistry:
    """Make sign-ups ask ``adapter``; returns the one used before (so a test can put it back)."""
    global _registry
    before, _registry = _registry, adapter
    return before
