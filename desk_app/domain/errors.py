"""Domain errors carry a Vietnamese message template, its parameters and the field at fault.

The message is translated where it is shown (CLI or UI), never here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

# A translator as the layers above pass it in (desk_app.i18n.Translator): template + params -> text.
Translate = Callable[..., str]


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
    code = "invalid_input"


class NotFoundError(DeskError):
    code = "not_found"


class ConflictError(DeskError):
    code = "conflict"


class StoreError(DeskError):
    code = "store_error"


class ImportRowError(DeskError):
    code = "invalid_row"


class AuthError(DeskError):
    """No, wrong or locked credentials on a desk that has accounts."""

    code = "auth"


class ForbiddenError(DeskError):
    """The signed-in account's role lacks the permission (docs/permissions.md)."""

    code = "forbidden"
