"""Rules of webhooks: the kinds one may follow, the signature, the retry schedule and which addresses a
webhook may be delivered to. No I/O (the address check takes the addresses a name resolved to)."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from datetime import timedelta
from urllib.parse import urlsplit

from ..core.i18n import N_, Text

#: The change feed's kinds a subscription may follow (opendata.feed.KINDS).
KINDS = ("services", "orders", "catalog-contracts")
#: What a person reads beside each kind's code.
KIND_LABELS = {"services": N_("Services"), "orders": N_("Orders"), "catalog-contracts": N_("Catalog contracts")}
TEST_EVENT = "ping"
SIGNATURE_HEADER = "X-DM-Signature"
MAX_ATTEMPTS = 8
FIRST_RETRY = timedelta(seconds=30)
LONGEST_RETRY = timedelta(hours=6)
TIMEOUT_SECONDS = 5.0
MAX_ERROR_LENGTH = 300
MAX_SUBSCRIPTIONS = 10


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The signature header's value: ``t=<unix seconds>,v1=<HMAC-SHA256 of "<t>." + body, hex>``."""
    mac = hmac.new(secret.encode(), str(timestamp).encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def retry_delay(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failed attempt: 30 s, 1 min, 2 min, ... at most 6 hours."""
    return min(FIRST_RETRY * (2 ** max(0, attempts - 1)), LONGEST_RETRY)


def url_problem(url: str) -> Text | None:
    """Why a URL cannot receive webhooks (its form only; its addresses are checked by `address_problem`)."""
    url = (url or "").strip()
    if not url:
        return N_("Give the URL that receives the webhooks.")
    if len(url) > 500:
        return N_("The URL is too long (at most 500 characters).")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return N_("Give an http:// or https:// URL.")
    if parts.username or parts.password:
        return N_("Leave user names and passwords out of the URL; the signature proves who sent a webhook.")
    return None


def address_problem(addresses: list[str], allow_private: bool) -> Text | None:
    """Refuse private, loopback, link-local and other non-public addresses, unless allowed (tests, demo)."""
    if not addresses:
        return N_("The URL's host name could not be found.")
    if allow_private:
        return None
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
        if not ip.is_global or ip.is_multicast:
            return N_("Webhooks are delivered to public addresses only, not to %(address)s.", address=address)
    return None


def kinds_problem(kinds: list[str]) -> Text | None:
    if not kinds:
        return N_("Choose at least one kind of change.")
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        return N_("There is no kind %(kind)s. Kinds: %(kinds)s.", kind=unknown[0], kinds=", ".join(KINDS))
    return None
