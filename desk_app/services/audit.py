"""Writing and reading the audit trail: who changed, opened, printed or exported what.

``record`` appends inside the caller's transaction when there is one, so a change and its
entry commit together (the guard wraps database-only changes that way, services/guard.py).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from desk_app.domain.calendar import VN_TZ
from desk_app.domain.permissions import AUDIT
from desk_app.services.session import Guard
from desk_app.store.audit_store import AuditStore, chain_problems


def _json_or_text(value: str | None) -> Any:
    import json

    if value is None:
        return None
    try:
        return json.loads(value)
    except ValueError:
        return value


class AuditService:
    def __init__(self, store: AuditStore, guard: Guard, clock: Callable[[], datetime], actor: Callable[[], str]):
        self.store = store
        self.guard = guard
        self.clock = clock
        self._actor = actor

    def who(self) -> str:
        """The account's username; on a desk without accounts, the officer name (or OS login)."""
        return self.guard.session.username or self._actor()

    def record(self, action: str, code: str = "", *, before: Any = None, after: Any = None) -> dict[str, Any]:
        at = self.clock().astimezone(VN_TZ).replace(microsecond=0).isoformat()
        return self.store.append(at=at, account=self.who(), action=action, code=code, before=before, after=after)

    def entries(
        self,
        *,
        code: str | None = None,
        user: str | None = None,
        date_from: date | None = None,
        date_to: date | None = None,
        action: str | None = None,
        limit: int | None = None,
        newest_first: bool = False,
    ) -> list[dict[str, Any]]:
        """Entries as {at, user, action, code, before, after}, dates inclusive (local)."""
        self.guard.require(AUDIT)
        rows = self.store.find(
            code=(code or "").strip().upper() or None,
            account=(user or "").strip() or None,
            at_from=date_from.isoformat() if date_from else None,
            at_before=(date_to + timedelta(days=1)).isoformat() if date_to else None,
            action=action,
            limit=limit,
            newest_first=newest_first,
        )
        return [
            {
                "id": r["id"],
                "at": r["at"],
                "user": r["account"],
                "action": r["action"],
                "code": r["code"],
                "before": _json_or_text(r["before"]),
                "after": _json_or_text(r["after"]),
            }
            for r in rows
        ]

    def head(self) -> dict[str, Any]:
        return self.store.head()

    def problems(self) -> list[dict[str, Any]]:
        return chain_problems(self.store.iterate())
