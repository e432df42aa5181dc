"""Offline-first desk app for commune one-stop desks (Bộ phận Một cửa)."""

__version__ = "0.1.0"
