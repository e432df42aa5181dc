"""The Qt UI. Importing it loads PySide6 and makes PySide's import hook cheaper first, so
every module of the UI imported after it pays less (ui/pyside_feature.py)."""

import PySide6  # noqa: F401  (installs the import hook the next line speeds up)

from desk_app.ui.pyside_feature import faster_feature_check

faster_feature_check()
