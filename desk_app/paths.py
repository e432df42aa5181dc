"""Where bundled resources and per-user data live. No Qt, no state."""

from __future__ import annotations

import os
import sys
from pathlib import Path

# importlib.resources and platformdirs load where they are used: the app's start-up imports
# this module before its window, and with --data (or DESK_DATA, or portable) needs neither.

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
    from importlib import resources

    return Path(str(resources.files("desk_app") / "resources"))


PORTABLE_FLAG = "portable.flag"  # an empty file beside the program: portable mode (USB install)
PORTABLE_DATA = "desk-data"


def program_dir() -> Path:
    """The folder the program runs from: the built program's folder, or the source checkout
    (where main.py is)."""
    if getattr(sys, "frozen", False):
        return Path(sys.executable).resolve().parent
    return Path(__file__).resolve().parent.parent


def is_portable(requested: bool = False) -> bool:
    """Portable mode: ``--portable`` or a ``portable.flag`` file beside the program."""
    return requested or (program_dir() / PORTABLE_FLAG).is_file()


def default_data_dir(*, portable: bool = False) -> Path:
    """Per-user data folder; in portable mode a ``desk-data`` folder beside the program, so a
    USB stick carries the program and its data together. DESK_DATA overrides both (IT staff,
    tests)."""
    env = os.environ.get("DESK_DATA")
    if env:
        return Path(env)
    if is_portable(portable):
        return program_dir() / PORTABLE_DATA
    import platformdirs

    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
