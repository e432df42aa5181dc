"""PySide6's import hook made cheaper for the app's start-up (bench/bench_startup.py).

PySide6 replaces ``builtins.__import__`` to support ``from __feature__ import ...``: for each
module imported after it, it decides once whether the module uses PySide, by reading the
module's source with ``inspect.getsource`` (file lookups, linecache; 20-40 ms for the ~190
modules the desk app loads before its catalogue is listed, measured on the 2-core test PC).
``faster_feature_check`` answers the same question ("PySide6" in the module's source file)
by reading the file's bytes (~7 ms for the same modules), at once for the standard library
(whose source never names PySide6), and leaves every other case (no source file, a frozen
build) to PySide's own check. PySide6 is pinned below 6.12
(pyproject.toml); if its private function is gone, nothing is changed.
"""

from __future__ import annotations

import sys
from types import ModuleType


def faster_feature_check() -> bool:
    """Install the cheaper check; False when this PySide has no such hook."""
    feature = sys.modules.get("shibokensupport.feature")
    slow = getattr(feature, "_mod_uses_pyside", None)
    if feature is None or slow is None or getattr(slow, "reads_bytes", False):
        return False

    def uses_pyside(module: ModuleType) -> bool:
        if str(getattr(module, "__name__", "")).partition(".")[0] in sys.stdlib_module_names:
            return False
        path = getattr(module, "__file__", None)
        if not isinstance(path, str) or not path.endswith(".py"):
            return slow(module)
        try:
            with open(path, "rb") as source:
                return b"PySide6" in source.read()
        except OSError:
            return slow(module)

    uses_pyside.reads_bytes = True  # type: ignore[attr-defined]
    feature._mod_uses_pyside = uses_pyside  # type: ignore[attr-defined]
    return True
