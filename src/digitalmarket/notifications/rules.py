"""Rules of notifications, plain Python: retries, the mail server's address, reminder thresholds and
e-mail choices. No I/O."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import unquote, urlsplit

from ..core.i18n import N_, SUPPORTED_LOCALES, Text
from ..core.notifications import NOTIFICATION_KINDS

# --- the outbox ---------------------------------------------------------------------------------------------------

#: The first retry waits a minute, each later one twice as long as the one before, at most six hours.
#: A message is never given up: it stays pending until it is sent.
RETRY_FIRST = timedelta(minutes=1)
RETRY_MAX = timedelta(hours=6)
#: A claim older than this belongs to a worker that stopped half-way; another worker may take the row.
CLAIM_LEASE = timedelta(minutes=10)
#: Longest error kept on a row.
MAX_ERROR_LENGTH = 1000


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failed attempt (1, 2, 3 ...)."""
    if attempts < 1:
        return timedelta(0)
    delay = RETRY_FIRST * (2 ** min(attempts - 1, 20))
    return min(delay, RETRY_MAX)


@dataclass(frozen=True)
class SmtpTarget:
    """Where to send: ``security`` is ``plain``, ``starttls`` or ``ssl``."""

    host: str
    port: int
    security: str
    username: str | None = None
    password: str | None = None


_SCHEMES = {"smtp": ("plain", 25), "smtp+starttls": ("starttls", 587), "smtps": ("ssl", 465)}


def parse_smtp_url(url: str) -> SmtpTarget:
    """``smtp://user:pass@host:port``, ``smtp+starttls://...`` or ``smtps://...``; user and password
    may be percent-encoded. Anything else is a ValueError naming the problem (never the password)."""
    parts = urlsplit(url.strip())
    if parts.scheme not in _SCHEMES:
        raise ValueError(f"DM_SMTP_URL must start with smtp://, smtp+starttls:// or smtps://, not {parts.scheme!r}")
    if not parts.hostname:
        raise ValueError("DM_SMTP_URL names no host")
    security, default_port = _SCHEMES[parts.scheme]
    try:
        port = parts.port or default_port
    except ValueError as error:
        raise ValueError("DM_SMTP_URL has a port that is not a number") from error
    return SmtpTarget(
        host=parts.hostname,
        port=port,
        security=security,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
    )


def absolute_url(base_url: str, link: str | None) -> str | None:
    if not link:
        return None
    if link.startswith(("http://", "https://")):
        return link
    return base_url.rstrip("/") + "/" + link.lstrip("/")


def subject_line(text: str, limit: int = 150) -> str:
    """One line of at most ``limit`` characters, for a mail subject."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


# --- e-mail choices ------------------------------------------------------------------------------------------------


def clean_choices(wanted: Iterable[str], language: str) -> tuple[list[str], str, dict[str, Text]]:
    """The kinds switched off (every kind not wanted), the language, and problems by field."""
    problems: dict[str, Text] = {}
    chosen = set(wanted)
    unknown = sorted(chosen - set(NOTIFICATION_KINDS))
    if unknown:
        problems["kinds"] = N_("Choose among the kinds listed.")
    if language not in SUPPORTED_LOCALES:
        problems["language"] = N_("Choose one of the options.")
    email_off = [kind for kind in NOTIFICATION_KINDS if kind not in chosen]
    return email_off, language, problems


# --- reminders -----------------------------------------------------------------------------------------------------

#: Days before a CSAP certificate expires when the supplier and the operators are reminded.
CERTIFICATE_THRESHOLDS = (60, 30, 7)
#: Days before an order's end when the agency and the supplier are reminded (with a link to renew).
ORDER_END_THRESHOLDS = (90, 30)
#: Days before a catalog contract's end when the supplier and the contracting officers are reminded.
CATALOG_CONTRACT_END_THRESHOLDS = (60,)


def threshold_reached(days_left: int, thresholds: Iterable[int]) -> int | None:
    """The threshold a deadline ``days_left`` days away has reached: the smallest one not below it.

    60 days away reaches 60; 45 days away still 60; 30 days away 30; 3 days away 7; a deadline already
    passed reaches none. Once a smaller threshold is reached the larger ones are never reached again,
    so a job that did not run for a while sends the nearest reminder only, not every one it missed."""
    if days_left < 0:
        return None
    reached = [t for t in thresholds if days_left <= t]
    return min(reached) if reached else None


def waited_too_long(since: date, today: date, target_days: int) -> bool:
    """An application waiting since ``since`` is late when more than ``target_days`` have passed."""
    return (today - since).days > target_days
