"""Migrations for sync state (issue: sync). Names start with 0004_; never edit one once released."""

from __future__ import annotations

from sqlite_utils import Database  # noqa: F401

from desk_app.store.migrations import migrations  # noqa: F401
