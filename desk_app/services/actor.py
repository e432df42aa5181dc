"""Who the services record as acting (events' actor, "received by", the officer on forms).

A small, replaceable piece until accounts and roles arrive: the receiving officer's name kept
in the desk settings (``desk init --officer``, the set-up dialog, File → Cán bộ tiếp nhận…),
read at each write so a change applies at once without rebuilding the services; when none is
set, the fallback given by the composition root (the OS login name). Runs on the thread that
owns the store (the UI's DB thread or the CLI's main thread).
"""

from __future__ import annotations

import getpass
from collections.abc import Callable

from desk_app.domain.text import normalize_spaces
from desk_app.domain.validation import check_length
from desk_app.store.desk_store import DeskStore

OFFICER_KEY = "officer_name"
MAX_OFFICER_LENGTH = 100

ActorSource = Callable[[], str]


def login_name() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name on some service accounts
        return ""


def as_actor_source(actor: str | ActorSource) -> ActorSource:
    """A fixed name (tests, older callers) or a provider, as a provider."""
    if callable(actor):
        return actor
    return lambda: actor


def clean_officer_name(name: str) -> str:
    return check_length(normalize_spaces(name), field="officer_name", maximum=MAX_OFFICER_LENGTH)


class SettingsActor:
    """The officer name from the settings, else ``fallback``; a callable ``ActorSource``."""

    def __init__(self, store: DeskStore, fallback: str):
        self.store = store
        self.fallback = fallback

    def __call__(self) -> str:
        return officer_name(self.store) or self.fallback


def officer_name(store: DeskStore) -> str:
    return str(store.get_setting(OFFICER_KEY) or "").strip()


def set_officer_name(store: DeskStore, name: str) -> str:
    """Save (or clear, with "") the receiving officer's name; returns it cleaned."""
    cleaned = clean_officer_name(name)
    store.set_settings({OFFICER_KEY: cleaned})
    return cleaned
