"""PySide's import hook, made cheaper by desk_app.ui (ui/pyside_feature.py), answers exactly as
PySide's own check would: does the module's source mention PySide6?"""

from __future__ import annotations

import importlib
import inspect
import sys


def pyside_own_answer(module) -> bool:
    """PySide's ``_mod_uses_pyside``: the source through inspect, False without one."""
    try:
        return "PySide6" in inspect.getsource(module)
    except (TypeError, OSError, SyntaxError):
        return False


def test_the_ui_package_installs_the_byte_reading_check():
    import desk_app.ui  # noqa: F401  (installs it)

    check = sys.modules["shibokensupport.feature"]._mod_uses_pyside
    assert getattr(check, "reads_bytes", False)


def test_same_answers_as_pysides_own_check():
    import desk_app.ui  # noqa: F401

    check = sys.modules["shibokensupport.feature"]._mod_uses_pyside
    names = ["desk_app.ui.tasks", "desk_app.ui.main_window", "desk_app.domain.text", "desk_app.services.logs",
             "json", "sys", "_sqlite3", "logging.handlers", "PySide6.QtCore", "shiboken6"]
    modules = [importlib.import_module(name) for name in names]
    answers = {module.__name__: check(module) for module in modules}
    assert answers == {module.__name__: pyside_own_answer(module) for module in modules}
    assert answers["desk_app.ui.tasks"] and not answers["desk_app.domain.text"]  # both kinds are covered
