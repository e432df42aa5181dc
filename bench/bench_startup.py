"""Start-up time: process start to a usable desk window, against a bare PySide6 window.

    .venv/bin/python bench/bench_startup.py [--runs 7]

Each run is a fresh subprocess (so imports are really paid). The desk app is
``main.py --selftest`` on an initialised desk; it reports two moments:
- usable: the first event-loop turn after the window is shown, with the intake page up and
  the cursor in the name field (the receptionist can start typing or scanning). The
  database opens on the DB thread after that, so it does not delay the window;
- catalogue: the intake page lists the procedure catalogue (database opened, migrated,
  read on the DB thread), one more event-loop turn later.
The floor is a bare ``QMainWindow`` reporting after the same first event-loop turn. Runs
alternate so disk cache and CPU frequency treat both the same. Target (usable): median
ratio <= 1.5.
Both run as installed, with compiled bytecode (pip and PyInstaller ship .pyc files): the
warm-up runs write it to a private cache (PYTHONPYCACHEPREFIX), even where the environment
sets PYTHONDONTWRITEBYTECODE — otherwise the app would recompile its own modules from source
on every run while PySide6 and the standard library, which the floor uses, are precompiled.
Offscreen unless a display is set (``xvfb-run -a`` for a real X server).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TARGET_RATIO = 1.5

BARE_WINDOW = """
import time
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication([])
window = QMainWindow()
window.resize(1280, 780)
window.show()
def done():
    print(time.time(), flush=True)
    app.quit()
QTimer.singleShot(0, done)
app.exec()
"""


def prepare_desk(data_dir: Path) -> None:
    from desk_app.services.context import build_services

    ctx = build_services(data_dir)
    ctx.setup.configure(unit_code="000.31.14.H14", desk=1, commune_code="01273")
    ctx.catalogue.ensure_sample()
    ctx.close()


def timed(cmd: list[str], env: dict, parse) -> dict[str, float]:
    """Run ``cmd``; the moments it reports (epoch seconds) as seconds since it was spawned."""
    start = time.time()
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
    if out.returncode != 0:
        raise SystemExit(f"{cmd} failed ({out.returncode}):\n{out.stderr[-3000:]}")
    report = parse(out.stdout.strip().splitlines()[-1])
    return {k: v - start if k in ("t", "shown_at", "ready_at") else v for k, v in report.items()}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    env = dict(os.environ)
    if not (env.get("DISPLAY") or env.get("WAYLAND_DISPLAY")):
        env.setdefault("QT_QPA_PLATFORM", "offscreen")
    with tempfile.TemporaryDirectory() as tmp:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(Path(tmp) / "pycache")
        data_dir = Path(tmp) / "desk"
        prepare_desk(data_dir)
        app_cmd = [sys.executable, str(ROOT / "main.py"), "--selftest", "--data", str(data_dir)]
        bare_cmd = [sys.executable, "-c", BARE_WINDOW]
        # One warm-up of each (first run pays the cold disk cache), not counted.
        timed(bare_cmd, env, lambda line: {"t": float(line)})
        timed(app_cmd, env, json.loads)
        bare, usable, loaded = [], [], []
        for _ in range(args.runs):
            bare.append(timed(bare_cmd, env, lambda line: {"t": float(line)})["t"])
            report = timed(app_cmd, env, json.loads)
            usable.append(report["shown_at"])
            loaded.append(report["ready_at"])
    bare_ms = statistics.median(bare) * 1000
    usable_ms = statistics.median(usable) * 1000
    loaded_ms = statistics.median(loaded) * 1000
    ratio = usable_ms / bare_ms
    print(f"platform: {env.get('QT_QPA_PLATFORM') or 'display ' + env.get('DISPLAY', '')}, runs: {args.runs}")
    for label, values in (("bare QMainWindow", bare), ("desk app usable", usable), ("desk app catalogue", loaded)):
        print(f"{label:20s} median {statistics.median(values) * 1000:7.1f} ms  "
              f"(min {min(values) * 1000:.1f}, max {max(values) * 1000:.1f})")
    print(f"ratio usable / bare     {ratio:.2f}x   target <= {TARGET_RATIO}x: {'OK' if ratio <= TARGET_RATIO else 'MISSED'}")
    print(f"ratio catalogue / bare  {loaded_ms / bare_ms:.2f}x   (information)")
    return 0 if ratio <= TARGET_RATIO else 1


if __name__ == "__main__":
    raise SystemExit(main())
