"""The Qt UI. Importing it loads PySide6 and makes PySide's import hook cheaper first, so
every module of the UI imported after it pays less (ui/pyside_feature.py)."""

try:
    import PySide6  # noqa: F401  (installs the import hook made cheaper below)
except (ImportError, OSError):
    # Qt cannot load here: the UI modules that need it say so when they import it, and
    # ui/qt_check.py (which imports no Qt) can still explain why.
    pass
else:
    from desk_app.ui.pyside_feature import faster_feature_check

    faster_feature_check()
