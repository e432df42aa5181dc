"""Desk preferences remembered between runs (the interface language), in the settings table.

Runs on the DB thread (the UI's ``runner.db``). A thin wrapper over the store so the UI never
writes settings keys itself.
"""

from __future__ import annotations

from desk_app.domain.errors import ValidationError
from desk_app.i18n import LANGUAGES
from desk_app.store.desk_store import DeskStore

LANGUAGE_KEY = "ui.language"


class PreferencesService:
    def __init__(self, store: DeskStore):
        self.store = store

    def language(self) -> str | None:
        """The language chosen last time, or None if never chosen (or no longer offered)."""
        value = self.store.get_setting(LANGUAGE_KEY)
        return value if value in LANGUAGES else None

    def set_language(self, language: str) -> str:
        if language not in LANGUAGES:
            raise ValidationError(
                "Ngôn ngữ không hợp lệ: {value} ({allowed}).", field="language", value=language, allowed=", ".join(LANGUAGES)
            )
        if self.store.get_setting(LANGUAGE_KEY) != language:
            self.store.set_settings({LANGUAGE_KEY: language})
        return language
