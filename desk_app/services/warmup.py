"""Work a desk does once after start, in the background, so the counter never waits for it."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys


def warm_up_page_coder() -> bool:
    """Compile the JBIG2 page coder before the first scan needs it (docs/scanning.md, "Below
    the G4 floor"). False on an install without numba, which stores pages as G4."""
    # numba takes about a second to import: this module stays light, the import waits here.
    from desk_app.scanning import jbig2

    return jbig2.warm_up()


def start_page_coder_warm_up() -> subprocess.Popen[bytes] | None:
    """Compile the coder in a separate, low-priority process, which leaves numba's machine
    code in its on-disk cache for this process's first scan. Not in-process: importing numba
    and compiling hold the interpreter lock for 1-35 s, and the UI thread would stutter under
    the receptionist's typing. None when there is nothing to warm (no numba, a frozen build)."""
    if getattr(sys, "frozen", False) or importlib.util.find_spec("numba") is None:
        return None
    command = [sys.executable, "-c", "from desk_app.services.warmup import warm_up_page_coder; warm_up_page_coder()"]
    quiet = subprocess.DEVNULL
    if sys.platform == "win32":
        return subprocess.Popen(command, stdin=quiet, stdout=quiet, stderr=quiet,
                                creationflags=subprocess.BELOW_NORMAL_PRIORITY_CLASS)
    return subprocess.Popen(command, stdin=quiet, stdout=quiet, stderr=quiet, preexec_fn=lambda: os.nice(10))
