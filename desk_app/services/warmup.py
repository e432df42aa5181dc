"""Work a desk does once after start, in the background, so the counter never waits for it."""

from __future__ import annotations


def warm_up_page_coder() -> bool:
    """Compile the JBIG2 page coder before the first scan needs it (docs/scanning.md, "Below
    the G4 floor"). False on an install without numba, which stores pages as G4."""
    # numba takes about a second to import: this module stays light, the import waits here.
    from desk_app.scanning import jbig2

    return jbig2.warm_up()
