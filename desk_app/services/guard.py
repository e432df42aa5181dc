"""Permission checks and audit entries around the services, in one place.

The composition root hands the UI and the CLI each service wrapped in a ``Guarded`` proxy.
A call to a method listed in ``RULES`` first checks the permission (``Guard.require``), then
runs; a change that only touches the database runs inside one write transaction with its
audit entry (both commit or neither), a slow one (scanning, files, printing to disk) appends
its entry when it succeeded. Methods not listed pass through unchecked: lookups of the
catalogue, settings, computations with no personal data. docs/permissions.md lists them all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from desk_app.domain import permissions as P
from desk_app.services.audit import AuditService
from desk_app.services.session import Guard
from desk_app.store.database import write_transaction

Args = tuple[tuple[Any, ...], dict[str, Any]]
S = TypeVar("S")
# A guarded call's positional and keyword arguments, as the rules see them.
Pos = tuple[Any, ...]
Kw = dict[str, Any]


def _arg(index: int, name: str) -> Callable[[Pos, Kw], Any]:
    def pick(args: Pos, kwargs: Kw) -> Any:
        return kwargs[name] if name in kwargs else (args[index] if len(args) > index else None)

    return pick


_code = _arg(0, "code")


def _upper(value: Any) -> str:
    return str(value or "").strip().upper()


@dataclass(frozen=True)
class Rule:
    """``permission``: a name, or a function of the call's (args, kwargs) giving one.
    ``action``: the audit action (None = not audited). ``code``: the dossier code of the call.
    ``before``: reads the state before the call (target, args, kwargs). ``after``: what the
    entry records from (args, kwargs, result). ``atomic``: change and entry in one transaction."""

    permission: str | Callable[[Pos, Kw], str] | None
    action: str | None = None
    code: Callable[[Pos, Kw], Any] | None = None
    before: Callable[[Any, Pos, Kw], Any] | None = None
    after: Callable[[Pos, Kw, Any], Any] | None = None
    atomic: bool = False
    code_from_result: bool = False
    diff: Callable[[Any, Pos, Kw], tuple[Any, Any]] | None = None  # (before, after) read before the call


def _edit_diff(edits: Any, args: Pos, kwargs: Kw) -> tuple[dict[str, Any], dict[str, Any]]:
    _row, changes = edits.changes_of(_code(args, kwargs), _arg(1, "request")(args, kwargs))
    return {f: c["before"] for f, c in changes.items()}, {f: c["after"] for f, c in changes.items()}


def _status_before(queue: Any, args: Pos, kwargs: Kw) -> dict[str, Any]:
    return {"status": queue.store.find_dossier_row(_code(args, kwargs))["status"]}


def _status_after(args: Pos, kwargs: Kw, result: Any) -> dict[str, Any]:
    return {"status": result.status, "note": kwargs.get("note", "")}


def _dossier_summary(args: Pos, kwargs: Kw, result: Any) -> dict[str, Any]:
    return {"status": result.status, "procedure_code": result.procedure_code}


def _print_after(args: Pos, kwargs: Kw, result: Any) -> dict[str, Any]:
    return {k: result.get(k) for k in ("form", "copy_number", "target", "layout", "path") if k in result}


def _pages_after(args: Pos, kwargs: Kw, result: Any) -> dict[str, Any]:
    pages = result["pages"] if isinstance(result, dict) else result
    return {"document": _arg(1, "document")(args, kwargs), "pages": len(pages)}


def _changes(args: Pos, kwargs: Kw, result: Any) -> dict[str, Any] | list[str]:
    return {k: v for k, v in kwargs.items() if v is not None and k != "password"} or list(map(str, args))


RULES: dict[str, dict[str, Rule]] = {
    "intake": {
        "intake": Rule(P.INTAKE, "dossier.create", after=_dossier_summary, atomic=True, code_from_result=True),
        "missing_documents": Rule(P.INTAKE),
    },
    "queue": {
        "show": Rule(P.VIEW, "dossier.open", code=_code),
        "search": Rule(P.VIEW),
        "page": Rule(P.VIEW),
        "count": Rule(P.VIEW),
        "set_status": Rule(
            lambda a, k: P.status_permission(_arg(1, "status")(a, k)),
            "dossier.status",
            code=_code,
            before=_status_before,
            after=_status_after,
            atomic=True,
        ),
        "summary": Rule(P.VIEW),
    },
    "edits": {
        "current": Rule(P.VIEW),
        "changes_of": Rule(P.INTAKE),
        "edit": Rule(P.INTAKE, "dossier.edit", code=_code, diff=_edit_diff, atomic=True),
    },
    "printing": {
        "prepare": Rule(P.PRINT),
        "prepare_issue": Rule(P.PRINT),
        "extras_defaults": Rule(P.PRINT),
        "record": Rule(P.PRINT, "dossier.print", code=lambda a, k: a[0].data.code if a else k["prepared"].data.code,
                       after=lambda a, k, r: _print_after(a, k, r), atomic=True),
        "export": Rule(P.PRINT, "dossier.print", code=_code, after=_print_after),
        "prints": Rule(P.VIEW),
        "book": Rule(P.EXPORT),
        "export_book": Rule(P.EXPORT, "book.export", after=lambda a, k, r: {"from": str(_arg(0, "date_from")(a, k)),
                                                                             "to": str(_arg(1, "date_to")(a, k))}),
        "configure": Rule(P.SETTINGS, "settings.printing", after=_changes, atomic=True),
    },
    "digitise": {
        "check_target": Rule(P.SCAN),
        "attach": Rule(P.SCAN, "dossier.pages", code=_code, after=_pages_after),
        "attach_files": Rule(P.SCAN, "dossier.pages", code=_code, after=_pages_after),
        "scan": Rule(P.SCAN, "dossier.pages", code=_code, after=_pages_after),
        "export_pdfs": Rule(P.EXPORT, "dossier.export", code=_code, after=lambda a, k, r: {"files": len(r)}),
        "status": Rule(P.VIEW),
    },
    "setup": {
        "configure": Rule(P.SETTINGS, "settings.desk", after=_changes, atomic=True),
        "set_officer": Rule(P.SETTINGS, "settings.officer", after=_changes, atomic=True),
        "set_day": Rule(P.CALENDAR, "calendar.change", after=lambda a, k, r: [str(x) for x in a] or _changes(a, k, r),
                        atomic=True),
    },
    "catalogue": {
        "import_file": Rule(P.CATALOGUE, "catalogue.import", after=lambda a, k, r: {"file": str(_arg(0, "path")(a, k))}),
    },
    "desk_clock": {
        "recover": Rule(P.CLOCK, "clock.recover", after=lambda a, k, r: r, atomic=True),
    },
    "sync": {
        "enroll": Rule(P.ENROLL, "sync.enroll", after=lambda a, k, r: {"server": str(_arg(0, "server_url")(a, k))}),
        "sync_once": Rule(P.SYNC),
        "retry_quarantined": Rule(P.SYNC, "sync.retry", after=lambda a, k, r: {"requeued": r}),
        "export_bundle": Rule(P.SYNC, "sync.bundle", after=lambda a, k, r: {"out": str(_arg(0, "out")(a, k))}),
    },
}


class Guarded:
    """A service seen through the rules of its name in ``RULES``."""

    def __init__(self, target: Any, rules: dict[str, Rule], guard: Guard, audit: AuditService):
        object.__setattr__(self, "_target", target)
        object.__setattr__(self, "_rules", rules)
        object.__setattr__(self, "_guard", guard)
        object.__setattr__(self, "_audit", audit)

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._target, name)
        rule = self._rules.get(name)
        if rule is None or not callable(value):
            return value
        return lambda *args, **kwargs: self._call(rule, value, args, kwargs)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self._target, name, value)

    def _call(self, rule: Rule, method: Callable[..., Any], args: Pos, kwargs: Kw) -> Any:
        permission = rule.permission(args, kwargs) if callable(rule.permission) else rule.permission
        if permission:
            self._guard.require(permission)
        if rule.action is None:
            return method(*args, **kwargs)
        if rule.atomic:
            with write_transaction(self._guard.accounts.db):
                return self._run_and_record(rule, method, args, kwargs)
        return self._run_and_record(rule, method, args, kwargs)

    def _run_and_record(self, rule: Rule, method: Callable[..., Any], args: Pos, kwargs: Kw) -> Any:
        before = after = None
        if rule.diff:
            before, after = rule.diff(self._target, args, kwargs)
        elif rule.before:
            before = rule.before(self._target, args, kwargs)
        result = method(*args, **kwargs)
        if rule.code_from_result:  # noqa: SIM108 - each branch carries its own reason
            code = result.code  # intake answers with the view of the dossier it saved
        else:
            code = rule.code(args, kwargs) if rule.code else ""
        if rule.after:
            after = rule.after(args, kwargs, result)
        self._audit.record(rule.action, _upper(code), before=before, after=after)
        return result


def guarded(name: str, target: S, guard: Guard, audit: AuditService) -> S:
    """``target`` behind its rules. The proxy answers every attribute of the service it wraps,
    so callers keep the service's type."""
    return cast(S, Guarded(target, RULES.get(name, {}), guard, audit))
