"""Domain errors carry a Vietnamese message template, its parameters and the field at fault.

The message is translated where it is shown (CLI or UI), never here.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Any

# A translator as the layers above pass it in (desk_app.i18n.Translator): template + params -> text.
Translate = Callable[..., str]


class ErrorCode(StrEnum):
    """The ``error`` field of a refusal (CLI JSON, logs): stable for automation. Members are
    str, so they compare equal to and serialise as the same strings as before."""

    ERROR = "error"
    INTERNAL = "internal"  # an unexpected exception, reported by the CLI
    INVALID_INPUT = "invalid_input"
    NOT_FOUND = "not_found"
    CONFLICT = "conflict"
    STORE_ERROR = "store_error"
    INVALID_ROW = "invalid_row"
    AUTH = "auth"
    FORBIDDEN = "forbidden"
    PRINT_FAILED = "print_failed"
    OCR_UNAVAILABLE = "ocr_unavailable"
    SCANNER_ERROR = "scanner_error"
    VERIFY_FAILED = "verify_failed"
    FILES_DAMAGED = "files_damaged"


class DeskError(Exception):
    """Base for every error shown to a user. ``code`` is stable for automation."""

    code: ErrorCode = ErrorCode.ERROR

    def __init__(
        self, message: str, /, *, field: str | None = None, details: list[str] | None = None, **params: Any
    ):
        self.message = message
        self.field = field
        self.details = details  # already-translated items (e.g. one per bad import row)
        self.params = params
        super().__init__(message.format(**params) if params else message)

    def translated(self, tr: Translate) -> str:
        """The message in ``tr``'s language. String parameters go through ``tr`` too, so a
        label passed as a parameter (a status label, "(mặc định)") is shown translated; a value
        with no catalogue entry (a name, a code, a path) comes back unchanged."""
        params = {key: tr(value) if isinstance(value, str) and value else value for key, value in self.params.items()}
        return tr(self.message, **params)

    def as_json(self, tr: Translate) -> dict[str, Any]:
        out: dict[str, Any] = {"error": self.code, "message": self.translated(tr)}
        if self.field:
            out["field"] = self.field
        if self.details:
            out["details"] = list(self.details)
        return out


class ValidationError(DeskError):
    code = ErrorCode.INVALID_INPUT


class NotFoundError(DeskError):
    code = ErrorCode.NOT_FOUND


class ConflictError(DeskError):
    code = ErrorCode.CONFLICT


class StoreError(DeskError):
    code = ErrorCode.STORE_ERROR


class ImportRowError(DeskError):
    code = ErrorCode.INVALID_ROW


class AuthError(DeskError):
    """No, wrong or locked credentials on a desk that has accounts."""

    code = ErrorCode.AUTH


class ForbiddenError(DeskError):
    """The signed-in account's role lacks the permission (docs/permissions.md)."""

    code = ErrorCode.FORBIDDEN
