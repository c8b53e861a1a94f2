"""One settings object, read from environment variables.

| variable | meaning | default |
|---|---|---|
| `DM_DATA_DIR` | folder for the SQLite file and uploaded documents | `./var` |
| `DM_DATABASE_URL` | SQLAlchemy URL; `postgresql+psycopg://...` for PostgreSQL | SQLite file in the data folder |
| `DM_SECRET_KEY` | secret for signed values; generated into the data folder when unset | |
| `DM_COOKIE_SECURE` | `1` marks cookies Secure (serve over HTTPS) | `0` |
| `DM_TRUSTED_PROXIES` | reverse proxies (addresses, networks; comma-separated): only their proxy headers count | none |
| `DM_TRUST_PROXY` | older switch: `1` now also needs `DM_TRUSTED_PROXIES`, else the settings are refused | `0` |
| `DM_SESSION_IDLE_MINUTES` | minutes a signed-in browser may stay without a request (14 days at most) | `120` |
| `DM_FRONTEND_DIR` | folder holding the installed npm packages (`node_modules`) | the project's |
| `PORT` | port of `digitalmarket serve` | `8000` |
| `DM_SMTP_URL` | mail server: `smtp://user:pass@host:25`, `smtp+starttls://…:587`, `smtps://…:465` | log only |
| `DM_MAIL_FROM` | sender of e-mails | `디지털서비스 마켓 <no-reply@digitalmarket.kr>` |
| `DM_BASE_URL` | the platform's address, for links in e-mails | `http://127.0.0.1:8000` |
| `DM_OCID_PREFIX` | the OCDS ocid prefix registered for the publisher (`opendata.release_facts`) | `ocds-xxxxxx` |
| `DM_TARGET_DOCUMENT_CHECK_DAYS` | days an application may wait for the document check, then operators are told | `5` |
| `DM_TARGET_EXPERT_REVIEW_DAYS` | days an application may stay in expert review (then operators are told) | `10` |
| `DM_REQUEST_THREADS` | requests a server process works on at once (the others wait their turn), 1-64 | `4` |
| `DM_LOCK_TIMEOUT_SECONDS` | longest wait for a lock (SQLite's write lock, a row, a search's turn); then 503 | `10` |
| `DM_STATEMENT_TIMEOUT_SECONDS` | longest a PostgreSQL statement of a request may run; `0`: none | `30` (tools: `0`) |
| `DM_POOL_TIMEOUT_SECONDS` | longest wait for a free database connection; then 503 | `10` |
| `DM_SEARCH_OFF` | pieces of the search switched off, comma-separated (`search.settings`) | none |
| `DM_API_LIMIT_PER_TOKEN` | API requests a minute one token may make, then 429 (`0`: no limit) | `600` |
| `DM_API_LIMIT_PER_ADDRESS` | API requests a minute from one address without a token, then 429 (`0`: none) | `300` |
| `DM_NTS_SERVICE_KEY` | data portal key: sign-ups ask the 국세청 사업자 상태조회 (`accounts.registry`) | a stub |
| `DM_NTS_URL` | where that lookup is asked (a gateway, say) | the portal's |
| `DM_WEBHOOKS_ALLOW_PRIVATE` | `1` lets webhooks be delivered to private and loopback addresses (tests, demo) | `0` |
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[3]


def _flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Waits:
    """How long a request may wait for the database before it is told "busy, try again" (503 with
    ``Retry-After``, nothing saved) rather than hang: docs/reliability.md, "Bounded waits"."""

    lock_seconds: float = 10.0  # a lock: SQLite's write lock, a PostgreSQL row, the sequencer's lock
    statement_seconds: float = 30.0  # one PostgreSQL statement (0: no limit)
    pool_seconds: float = 10.0  # a free connection from the pool


def _seconds(name: str, default: float, *, zero: bool = False) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if value < 0 or (value == 0 and not zero):
        raise ValueError(f"{name} must be a number of seconds greater than 0, not {raw!r}.")
    return value


def load_waits(*, serving: bool = True) -> Waits:
    """The bounds of `Waits`, from ``DM_LOCK_TIMEOUT_SECONDS``, ``DM_STATEMENT_TIMEOUT_SECONDS`` and
    ``DM_POOL_TIMEOUT_SECONDS``. Not ``serving`` (a command-line tool: an export, a rebuild, a backup's
    check), a statement has no time limit unless the variable sets one."""
    statement_default = Waits.statement_seconds if serving else 0.0
    return Waits(
        lock_seconds=_seconds("DM_LOCK_TIMEOUT_SECONDS", Waits.lock_seconds),
        statement_seconds=_seconds("DM_STATEMENT_TIMEOUT_SECONDS", statement_default, zero=True),
        pool_seconds=_seconds("DM_POOL_TIMEOUT_SECONDS", Waits.pool_seconds),
    )


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    secret_key: str
    cookie_secure: bool = False
    trusted_proxies: tuple[str, ...] = ()  # addresses or networks whose proxy headers are believed
    frontend_dir: Path = field(default_factory=lambda: PROJECT_ROOT / "node_modules")
    port: int = 8000
    smtp_url: str | None = field(default=None, repr=False)  # may hold a password
    mail_from: str = "디지털서비스 마켓 <no-reply@digitalmarket.kr>"
    base_url: str = "http://127.0.0.1:8000"
    target_document_check_days: int = 5
    target_expert_review_days: int = 10
    request_threads: int = 4
    waits: Waits = field(default_factory=lambda: Waits())
    api_limit_per_token: int = 600  # requests a minute (docs/api.md, "Rate limits"); 0: no limit
    api_limit_per_address: int = 300
    webhooks_allow_private: bool = False  # deliver webhooks to private and loopback addresses too

    @property
    def documents_dir(self) -> Path:
        """Uploaded documents, stored by SHA-256 outside the web root."""
        return self.data_dir / "documents"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def _secret_key(data_dir: Path) -> str:
    if key := os.environ.get("DM_SECRET_KEY"):
        return key
    path = data_dir / "secret_key"
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def load_settings() -> Settings:
    data_dir = Path(os.environ.get("DM_DATA_DIR", PROJECT_ROOT / "var")).resolve()
    database_url = os.environ.get("DM_DATABASE_URL") or f"sqlite:///{data_dir / 'market.sqlite3'}"
    frontend_dir = Path(os.environ.get("DM_FRONTEND_DIR", PROJECT_ROOT / "node_modules"))
    return Settings(
        data_dir=data_dir,
        database_url=database_url,
        secret_key=_secret_key(data_dir),
        cookie_secure=_flag("DM_COOKIE_SECURE"),
        trusted_proxies=_trusted_proxies(),
        frontend_dir=frontend_dir,
        port=int(os.environ.get("PORT", "8000")),
        smtp_url=os.environ.get("DM_SMTP_URL") or None,
        mail_from=os.environ.get("DM_MAIL_FROM") or Settings.mail_from,
        base_url=(os.environ.get("DM_BASE_URL") or Settings.base_url).rstrip("/"),
        target_document_check_days=int(os.environ.get("DM_TARGET_DOCUMENT_CHECK_DAYS", "5")),
        target_expert_review_days=int(os.environ.get("DM_TARGET_EXPERT_REVIEW_DAYS", "10")),
        request_threads=_request_threads(),
        waits=load_waits(),
        api_limit_per_token=_per_minute("DM_API_LIMIT_PER_TOKEN", Settings.api_limit_per_token),
        api_limit_per_address=_per_minute("DM_API_LIMIT_PER_ADDRESS", Settings.api_limit_per_address),
        webhooks_allow_private=_flag("DM_WEBHOOKS_ALLOW_PRIVATE"),
    )


def _per_minute(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit():
        raise ValueError(f"{name} must be a whole number of requests a minute (0: no limit), not {raw!r}.")
    return int(raw)


#: Most requests a server process works on at once (``DM_REQUEST_THREADS``).
MAX_REQUEST_THREADS = 64


def _request_threads() -> int:
    """How many threads of a server process run requests at once (routes and their database work are
    synchronous code, run by AnyIO's worker threads). Python runs one thread at a time, so more threads
    than a few only contend for the interpreter lock: measured with 40 (AnyIO's default), each search
    cost three times the CPU at 64 connections (docs/performance.md)."""
    raw = os.environ.get("DM_REQUEST_THREADS", "").strip()
    if not raw:
        return Settings.request_threads
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_REQUEST_THREADS:
        raise ValueError(f"DM_REQUEST_THREADS must be a whole number from 1 to {MAX_REQUEST_THREADS}, not {raw!r}.")
    return int(raw)


def _trusted_proxies() -> tuple[str, ...]:
    """``DM_TRUSTED_PROXIES``: each an address or a network; ``DM_TRUST_PROXY=1`` without it is refused
    rather than trusting whoever connects from the same host."""
    import ipaddress

    raw = [part.strip() for part in os.environ.get("DM_TRUSTED_PROXIES", "").split(",") if part.strip()]
    for part in raw:
        try:
            ipaddress.ip_network(part, strict=False)
        except ValueError:
            raise ValueError(f"DM_TRUSTED_PROXIES must list addresses or networks, not {part!r}.") from None
    if _flag("DM_TRUST_PROXY") and not raw:
        raise ValueError("DM_TRUST_PROXY=1 needs DM_TRUSTED_PROXIES: the addresses of the reverse proxies to trust.")
    return tuple(raw)


def session_idle_minutes() -> int:
    """``DM_SESSION_IDLE_MINUTES``: how long a signed-in browser may stay without a request (5 to 1440)."""
    raw = os.environ.get("DM_SESSION_IDLE_MINUTES", "").strip()
    if not raw:
        return 120
    if not raw.isdigit() or not 5 <= int(raw) <= 1440:
        raise ValueError(f"DM_SESSION_IDLE_MINUTES must be a whole number from 5 to 1440, not {raw!r}.")
    return int(raw)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (tests build their own with `load_settings`)."""
    return load_settings()
