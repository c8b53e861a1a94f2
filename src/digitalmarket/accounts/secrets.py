"""Password hashing (argon2id) and random tokens stored only as their SHA-256."""

from __future__ import annotations

import hashlib
import os
import secrets
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError


def _make_hasher() -> PasswordHasher:
    """argon2id with the library's recommended cost, unless DM_ARGON2_TIME_COST / DM_ARGON2_MEMORY_KIB
    lower it (the test suite does, to keep thousands of log-ins fast; never do this in production)."""
    time_cost = os.environ.get("DM_ARGON2_TIME_COST")
    memory_kib = os.environ.get("DM_ARGON2_MEMORY_KIB")
    if time_cost or memory_kib:
        return PasswordHasher(time_cost=int(time_cost or 3), memory_cost=int(memory_kib or 65536), parallelism=1)
    return PasswordHasher()


_hasher = _make_hasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return _hasher.hash(secrets.token_urlsafe(16))


def spend_verification_time(password: str) -> None:
    """Verify against a throwaway hash so an unknown e-mail costs as long as a wrong password."""
    verify_password(_dummy_hash(), password)


def new_token(prefix: str) -> str:
    return f"{prefix}_{secrets.token_urlsafe(32)}"


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


#: zxcvbn's score (0-4) a new password must reach: 3 is "safely unguessable: moderate protection from an
#: offline attack" (about 10^8 guesses and more).
MIN_PASSWORD_SCORE = 3


def password_weakness(password: str, user_inputs: tuple[str, ...] = ()) -> str | None:
    """Why a password is too easy to guess, or None: ``"personal"`` when it is built on the person's own
    e-mail address or name, ``"guessable"`` when it is a repetition, a sequence, a common password or word
    (zxcvbn, with its list of common passwords, scores it under `MIN_PASSWORD_SCORE`)."""
    from zxcvbn import zxcvbn

    inputs = [part for value in user_inputs if value for part in _parts(value)]
    lowered = password.lower()
    own = [value.strip().lower() for value in user_inputs if value] + [
        value.strip().lower().partition("@")[0] for value in user_inputs if value and "@" in value
    ]
    if any(len(word) >= 3 and word in lowered for word in own):  # the address, its name part, the name
        return "personal"
    result = zxcvbn(password[:100], user_inputs=inputs)  # zxcvbn's cost grows with the length; 100 is plenty
    if result["score"] >= MIN_PASSWORD_SCORE:
        return None
    if any(match.get("dictionary_name") == "user_inputs" for match in result["sequence"]):
        return "personal"
    return "guessable"


def _parts(value: str) -> list[str]:
    """A person's input and its pieces: the whole e-mail address, its local part and its domain's words."""
    value = value.strip().lower()
    local, _, domain = value.partition("@")
    return [value, local, *domain.split(".")] if domain else [value, *value.split()]
