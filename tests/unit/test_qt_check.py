"""The advice printed when Qt cannot start (desk_app/ui/qt_check.py)."""

from __future__ import annotations

import sys

import pytest

from desk_app.ui import qt_check

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux advice")


def test_missing_libraries_are_named_with_their_debian_packages():
    lines = qt_check.advice({"DISPLAY": ":0"}, missing=["libxcb-cursor.so.0", "libEGL.so.1", "libodd.so.3"])
    text = "\n".join(lines)
    assert "sudo apt install libegl1 libodd.so.3 libxcb-cursor0" in text
    assert "DISPLAY" not in text


def test_no_display_is_explained_unless_offscreen():
    assert any("No graphical display" in line for line in qt_check.advice({}, missing=[]))
    assert qt_check.advice({"QT_QPA_PLATFORM": "offscreen"}, missing=[]) == []


def test_ldd_finds_nothing_missing_for_the_installed_qt():
    """On this machine (and CI) every library Qt needs is installed: no false alarm."""
    base = qt_check.pyside_dir()
    assert base is not None
    assert qt_check.missing_libraries([base / f for f in qt_check.QT_FILES]) == []
