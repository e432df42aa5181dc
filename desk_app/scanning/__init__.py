"""Digitising paper at the desk, without Qt: scanner sources behind one interface
(``sources``), file import (``imports``), a watched folder (``watch``) and per-page processing
into compact, legible images (``pipeline``). The service ``desk_app.services.digitise`` stores
the results; the Qt dialog lives in ``desk_app.ui.scan``.
"""
