"""Domain errors carry a Vietnamese message template, its parameters and the field at fault.

The message is translated where it is shown (CLI or UI), never here.
"""

from __future__ import annotations

from typing import Any


class DeskError(Exception):
    """Base for every error shown to a user. ``code`` is stable for automation."""

    code = "error"

    def __init__(
        self, message: str, /, *, field: str | None = None, details: list[str] | None = None, **params: Any
    ):
        self.message = message
        self.field = field
        self.details = details  # already-translated items (e.g. one per bad import row)
        self.params = params
        super().__init__(message.format(**params) if params else message)

    def translated(self, tr) -> str:
        return tr(self.message, **self.params)

    def as_json(self, tr) -> dict[str, Any]:
        out: dict[str, Any] = {"error": self.code, "message": self.translated(tr)}
        if self.field:
            out["field"] = self.field
        if self.details:
            out["details"] = list(self.details)
        return out


class ValidationError(DeskError):
    code = "invalid_input"


class NotFoundError(DeskError):
    code = "not_found"


class ConflictError(DeskError):
    code = "conflict"


class StoreError(DeskError):
    code = "store_error"


class ImportRowError(DeskError):
    code = "invalid_row"
