"""Domain errors: each carries an HTTP status, a stable code and a message waiting for a locale.

Workflows raise these; the web layer turns them into the JSON error shape
``{"error": {"code", "message", "fields"}}`` on the API and into messages next to fields on pages.
"""

from __future__ import annotations

from .i18n import N_, Text


class DomainError(Exception):
    status = 400
    code = "bad_request"
    default_message = N_("The request could not be processed.")

    def __init__(self, message: Text | None = None, *, fields: dict[str, Text] | None = None) -> None:
        self.message = message or self.default_message
        self.fields = fields or {}
        super().__init__(self.message.msgid)

    def render(self, locale: str) -> dict:
        return {
            "code": self.code,
            "message": self.message.render(locale),
            "fields": {name: text.render(locale) for name, text in self.fields.items()},
        }


class ValidationFailed(DomainError):
    status = 422
    code = "validation_failed"
    default_message = N_("Some fields need correcting.")


class NotSignedIn(DomainError):
    status = 401
    code = "not_signed_in"
    default_message = N_("Please sign in first.")


class PermissionDenied(DomainError):
    status = 403
    code = "forbidden"
    default_message = N_("You do not have permission for this.")


class NotFound(DomainError):
    status = 404
    code = "not_found"
    default_message = N_("The page or item you asked for does not exist.")


class Conflict(DomainError):
    """The record is not in a state that allows this, or someone else changed it first."""

    status = 409
    code = "conflict"
    default_message = N_("This changed after it was read. Read it again (reload the page) and try again.")


class TooManyAttempts(DomainError):
    status = 429
    code = "too_many_attempts"
    default_message = N_("Too many attempts. Try again later.")


class Busy(Exception):
    """A wait for the database reached its bound (`core.settings.Waits`): a lock held by another writer,
    a statement that ran too long, no free connection. The transaction was rolled back; the web layer
    answers 503 with ``Retry-After``. Not a `DomainError`: forms do not show it next to a field."""

    status = 503
    code = "busy"
    retry_after_seconds = 5
    message = N_("The service is busy right now and nothing was saved. Please try again in a moment.")
