"""The update notice: the province's server says, in its heartbeat answer, which app version
its desks should run and where to get it (``desk_version``, ``desk_download_url``; set with
``serve --desk-version ... --desk-download-url ...``). The desk keeps the last answer in its
sync state and shows a notice while it runs an older version. No Qt, no network here.

Everything in the answer is untrusted input: a version that is not dotted numbers or a URL
that is not http(s) is ignored, and both are bounded in length.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from desk_app import __version__

if TYPE_CHECKING:
    from desk_app.services.context import DeskServices

STATE_KEY = "update_notice"
_VERSION = re.compile(r"^\d{1,6}(\.\d{1,6}){0,3}$")
MAX_URL = 500


def version_key(text: str) -> tuple[int, ...] | None:
    """'0.10.2' -> (0, 10, 2); None when it is not dotted numbers."""
    text = (text or "").strip()
    if not _VERSION.match(text):
        return None
    parts = tuple(int(p) for p in text.split("."))
    return parts + (0,) * (4 - len(parts))


def from_answer(answer: dict[str, Any]) -> dict[str, str] | None:
    """The notice carried by a heartbeat answer, cleaned; None when it carries none."""
    version = answer.get("desk_version") if isinstance(answer, dict) else None
    if not isinstance(version, str) or version_key(version) is None:
        return None
    url = answer.get("desk_download_url")
    if not (isinstance(url, str) and len(url) <= MAX_URL and re.match(r"^https?://\S+$", url)):
        url = ""
    return {"version": version.strip(), "url": url}


def notice(saved: dict[str, Any] | None, running: str = __version__) -> dict[str, Any] | None:
    """What the app shows: {version, url, running} when the server asks for a newer version
    than the one running, else None."""
    if not saved:
        return None
    wanted, have = version_key(saved.get("version", "")), version_key(running)
    if wanted is None or have is None or wanted <= have:
        return None
    return {"version": saved["version"], "url": saved.get("url", ""), "running": running}


def saved_notice(services: DeskServices) -> dict[str, Any] | None:
    """DB thread: the notice the last heartbeat saved, as ``notice`` shows it (the Help menu
    reads it without building the sync service)."""
    from desk_app.store.sync_store import SyncStore

    return notice(SyncStore(services.store.db).state(STATE_KEY))
