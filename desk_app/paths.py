"""Where bundled resources and per-user data live. No Qt, no state."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import platformdirs

APP_NAME = "desk-app"


def resources_dir() -> Path:
    """The shipped resources/ folder (source tree, editable install or PyInstaller bundle)."""
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def default_data_dir() -> Path:
    """Per-user data folder; DESK_DATA overrides it for IT staff and tests."""
    env = os.environ.get("DESK_DATA")
    if env:
        return Path(env)
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
