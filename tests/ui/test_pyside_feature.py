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


def test_qt_check_still_loads_where_pyside_cannot():
    """desk_app.ui imports PySide6 for the faster check; where Qt cannot load at all, the
    diagnosis (ui/qt_check.py, which imports no Qt) must still run."""
    import subprocess
    from pathlib import Path

    script = (
        "import sys\n"
        "class NoQt:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in ('PySide6', 'shiboken6'):\n"
        "            raise ImportError('libQt6Core.so.6: cannot open shared object file')\n"
        "sys.meta_path.insert(0, NoQt())\n"
        "from desk_app.ui import qt_check\n"
        "print(qt_check.advice({'DISPLAY': ':0'}, missing=['libEGL.so.1']))\n"
    )
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=root, timeout=60)
    assert out.returncode == 0, out.stderr[-2000:]
    assert "libegl1" in out.stdout
