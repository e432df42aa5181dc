"""The migrations of one schema area, by name, in the order they are written.

Each ``migrations_<area>.py`` collects its own steps here and imports nothing back from
``migrations.py``; ``migrations.py`` imports every area and registers their steps after its
own in one fixed order, so the order never depends on which module Python imported first.
"""

from __future__ import annotations

from collections.abc import Callable

from desk_app.store.sqlite_db import MigrationFn


class Steps:
    """``@migrations(name="0002_dossier_pages")`` in an area module adds one step."""

    def __init__(self) -> None:
        self.items: list[tuple[str, MigrationFn]] = []

    def __call__(self, *, name: str) -> Callable[[MigrationFn], MigrationFn]:
        def add(fn: MigrationFn) -> MigrationFn:
            self.items.append((name, fn))
            return fn

        return add
