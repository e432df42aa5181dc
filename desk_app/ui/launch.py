"""The desk app's entry point (``main.py``, the ``desk-app`` command): the cyclic garbage
collector is off while the UI's modules load and the window is built; the app turns it back
on once its start-up settled (ui/app.py ``main``). Loading those modules (~270 of them, PySide's
enums among them) otherwise runs ~20 collections over objects that live as long as the
process: 5-10 ms before the catalogue is listed (bench/bench_startup.py). Reference counting
still frees everything else meanwhile."""

from __future__ import annotations

import gc


def main(argv: list[str] | None = None) -> int:
    gc.disable()
    from desk_app.ui.app import main as run

    return run(argv)
