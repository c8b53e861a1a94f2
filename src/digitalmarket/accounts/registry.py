"""The business registry (사업자 상태조회): whether a business registration number is in business, suspended
(휴업) or closed (폐업), asked at sign-up before anything is mailed.

`BusinessRegistry` is the adapter's protocol. `StubRegistry` answers without a network, for the tests and the
demo: every number is in business except the ones it was told about. The place for the national tax
service's lookup is `NtsRegistry`: the public data portal's 국세청 사업자등록정보 상태조회 service
(``POST https://api.odcloud.kr/api/nts-businessman/v1/status?serviceKey=...`` with ``{"b_no": [number]}``,
whose ``b_stt_cd`` is 01 in business, 02 suspended, 03 closed). It needs a service key of the portal and
is not written yet; an installation sets its registry with `use_registry` at start-up.

A registry that cannot answer (a timeout, an unknown number) never blocks a sign-up: the answer is
``unknown`` and the operator, who checks the uploaded 사업자등록증명 anyway, sees it with the request.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Protocol


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
    """국세청 사업자등록 상태조회 through the public data portal (see the module's text): not written yet."""

    def __init__(self, service_key: str) -> None:
        self.service_key = service_key

    def status(self, business_number: str) -> RegistryStatus:
        raise NotImplementedError("the national tax service's status lookup is not connected yet")


_registry: BusinessRegistry = StubRegistry()


def registry() -> BusinessRegistry:
    """The registry sign-ups ask."""
    return _registry


def use_registry(adapter: BusinessRegistry) -> BusinessRegistry:
    """Make sign-ups ask ``adapter``; returns the one used before (so a test can put it back)."""
    global _registry
    before, _registry = _registry, adapter
    return before
