"""Where bundled resources and per-user data live. No Qt, no state."""

from __future__ import annotations

import os
import sys
from importlib import resources
from pathlib import Path

import platformdirs

APP_NAME = "desk-app"


def resources_dir() -> Path:
    """The package's own resources (fonts, translations, sample catalogue).

    Package data read through importlib.resources, so an installed, non-editable package finds
    them from any working folder; a PyInstaller bundle keeps them under ``desk_app/resources``.
    The top-level ``resources/`` folder only holds build-time sources (icons, installer art).
    """
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen) / "desk_app" / "resources"
    return Path(str(resources.files("desk_app") / "resources"))


def default_data_dir() -> Path:
    """Per-user data folder; DESK_DATA overrides it for IT staff and tests."""
    env = os.environ.get("DESK_DATA")
    if env:
        return Path(env)
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
