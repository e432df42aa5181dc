"""What the desk's outbox and the sync protocol agree a record holds: the files it lists
and who owns which dossier status (docs/sync-protocol.md sections 4-5). Pure; shared by
``desk_app.store`` (outbox, feed application) and ``sync.protocol`` (client and server)."""

from __future__ import annotations

from typing import Any

# Statuses the province owns (processing decisions). "accepted" on the province side is
# "transferred" (accepted for processing) on the desk.
PROVINCE_STATUSES = ("transferred", "processing", "supplement_requested", "result_ready", "refused")
# Statuses the desk owns (what happens at the counter).
DESK_STATUSES = ("received", "returned", "withdrawn")


def record_files(payload: Any) -> list[str]:
    """The SHA-256s a record refers to (the top-level ``files`` list), deduplicated, in order."""
    files = payload.get("files") if isinstance(payload, dict) else None
    if not isinstance(files, list):
        return []
    out: list[str] = []
    for sha in files:
        if isinstance(sha, str) and sha not in out:
            out.append(sha)
    return out
