"""``desk verify``: is this desk's data whole and untampered?

Five checks, each a list of problems: SQLite's integrity and foreign keys, the audit chain
(an edited, deleted or reordered entry), the page files (missing or altered; orphans, left by
a scan interrupted before its row committed, are only warnings), the outbox against the
dossiers and history it mirrors, and the report's kept figures against a recount.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from desk_app.store.integrity import outbox_problems, report_problems, sqlite_problems

if TYPE_CHECKING:
    from desk_app.services.context import DeskServices


def verify_desk(ctx: DeskServices) -> dict[str, Any]:
    problems = sqlite_problems(ctx.store.db)
    problems += ctx.audit.problems()
    files = ctx.digitise.verify_files()
    problems += [{"kind": "page_missing", "sha256": sha} for sha in files["missing"]]
    problems += [{"kind": "page_altered", "sha256": sha} for sha in files["altered"]]
    problems += outbox_problems(ctx.store.db)
    problems += report_problems(ctx.store.db)
    warnings = [{"kind": "page_orphan", "sha256": sha} for sha in files["orphans"]]
    return {"ok": not problems, "problems": problems, "warnings": warnings, "audit_head": ctx.audit.head()}
