"""Identifiers the desk makes for what it records (dossiers, events, edits, page uploads)."""

from __future__ import annotations


def new_uuid() -> str:
    """A random (version 4) UUID as text. ``uuid`` is imported at the first record, not at
    start: its import loads ``platform`` (~2.7 ms), which the path to a listed catalogue does
    without (bench/bench_startup.py)."""
    import uuid

    return str(uuid.uuid4())
