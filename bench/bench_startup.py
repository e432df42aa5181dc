"""Start-up time: process start to a usable desk window and to a listed catalogue, against a
bare PySide6 window. This is the start-up gate (exit 1 when a target is missed).

    .venv/bin/python bench/bench_startup.py [--runs 11]

Each run is a fresh subprocess (so imports are really paid). The desk app is
``main.py --selftest`` on an initialised desk; it reports two moments:
- window shown (usable): the first event-loop turn after the window is shown, with the intake
  page up and the cursor in the name field (the receptionist can start typing or scanning).
  The database opens on the DB thread after that, so it does not delay the window;
- catalogue listed: the intake page lists the procedure catalogue (services built, database
  opened, migrations checked, catalogue read on the DB thread), one more event-loop turn later.
The floor is a bare ``QMainWindow`` reporting after the same first event-loop turn.
The two commands alternate (A B, then B A, ...) so disk cache and CPU frequency drift treat
both the same, and each ratio is taken pair by pair (app run / the bare run beside it); the
verdict is on the median pair ratio of the wall clock. Targets: window shown <= 1.5x, catalogue
listed <= 2x. Each moment also reports the process's CPU seconds (all threads) at that point:
steadier than the wall clock when other work shares the machine, so the CPU ratios are printed
as well (information; a quiet machine is what the verdict assumes). ``--selftest`` does not take
the single-instance lock (QtNetwork) that a normal start takes before its window.

Both run as installed, with compiled bytecode (pip and PyInstaller ship .pyc files): the
warm-up runs write it to a private cache (PYTHONPYCACHEPREFIX), even where the environment
sets PYTHONDONTWRITEBYTECODE — otherwise the app would recompile its own modules from source
on every run while PySide6 and the standard library, which the floor uses, are precompiled.
Offscreen unless a display is set (``xvfb-run -a`` for a real X server). What the start path
imports: ``python -X importtime main.py --selftest --data DIR`` (the selftest's own checks run
after the two moments and import the heavy libraries; read the tree up to ``selftest``);
tests/ui/test_startup_imports.py fails when a heavy library or a later action's module joins it.
What was found to cost (docs in the code): an application-wide Python event filter before the
catalogue (PySide then sets up every wrapped class, ~130 enums), work for later menus and
add-ons competing with the DB thread for the interpreter, PySide's per-module source check.
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
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TARGETS = {"window shown": 1.5, "catalogue listed": 2.0}  # median ratio to the bare window

BARE_WINDOW = """
import time
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMainWindow
app = QApplication([])
window = QMainWindow()
window.resize(1280, 780)
window.show()
def done():
    print(time.time(), time.process_time(), flush=True)
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


Moments = dict[str, tuple[float, float]]  # name -> (wall seconds since spawn, CPU seconds of the process)


def timed(cmd: list[str], env: dict[str, str], parse: Callable[[str], dict[str, tuple[float, float]]]) -> Moments:
    """Run ``cmd``; the moments it reports (epoch seconds, process CPU seconds), the wall
    clock as seconds since it was spawned."""
    start = time.time()
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
    if out.returncode != 0:
        raise SystemExit(f"{cmd} failed ({out.returncode}):\n{out.stderr[-3000:]}")
    report = parse(out.stdout.strip().splitlines()[-1])
    return {key: (wall - start, cpu) for key, (wall, cpu) in report.items()}


def bare_moment(line: str) -> dict[str, tuple[float, float]]:
    wall, cpu = line.split()
    return {"shown": (float(wall), float(cpu))}


def app_moments(line: str) -> dict[str, tuple[float, float]]:
    report = json.loads(line)
    return {
        "window shown": (report["shown_at"], report["cpu_shown"]),
        "catalogue listed": (report["ready_at"], report["cpu_ready"]),
    }


def spread(values: list[float], scale: float = 1.0) -> str:
    low, mid, high = min(values) * scale, statistics.median(values) * scale, max(values) * scale
    return f"min {low:7.1f}  median {mid:7.1f}  max {high:7.1f}"


def ratio_spread(values: list[float]) -> str:
    return f"min {min(values):5.2f}x  median {statistics.median(values):5.2f}x  max {max(values):5.2f}x"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=11, help="pairs of runs counted (after one warm-up pair)")
    args = parser.parse_args()
    env = dict(os.environ)
    if not (env.get("DISPLAY") or env.get("WAYLAND_DISPLAY")):
        env.setdefault("QT_QPA_PLATFORM", "offscreen")
    bare: list[tuple[float, float]] = []
    app: dict[str, list[tuple[float, float]]] = {name: [] for name in TARGETS}
    with tempfile.TemporaryDirectory() as tmp:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(Path(tmp) / "pycache")
        data_dir = Path(tmp) / "desk"
        prepare_desk(data_dir)
        app_cmd = [sys.executable, str(ROOT / "main.py"), "--selftest", "--data", str(data_dir)]
        bare_cmd = [sys.executable, "-c", BARE_WINDOW]
        # One warm-up of each (writes the bytecode, pays the cold disk cache), not counted.
        timed(bare_cmd, env, bare_moment)
        timed(app_cmd, env, app_moments)
        for run in range(args.runs):
            for first in ((True, False) if run % 2 == 0 else (False, True)):
                if first:
                    bare.append(timed(bare_cmd, env, bare_moment)["shown"])
                else:
                    moments = timed(app_cmd, env, app_moments)
                    for name in TARGETS:
                        app[name].append(moments[name])
    platform = env.get("QT_QPA_PLATFORM") or "display " + env.get("DISPLAY", "")
    print(f"platform: {platform}, pairs: {args.runs} (alternating order)")
    failed = 0
    for clock, index in (("wall ms since spawn", 0), ("CPU ms of the process", 1)):
        print(f"-- {clock}")
        print(f"{'bare QMainWindow shown':28s} {spread([b[index] for b in bare], 1000)}")
        for name, values in app.items():
            print(f"{'desk app ' + name:28s} {spread([v[index] for v in values], 1000)}")
        for name, limit in TARGETS.items():
            ratios = [value[index] / floor[index] for value, floor in zip(app[name], bare, strict=True)]
            ok = statistics.median(ratios) <= limit
            if index == 0:  # the verdict is on what the receptionist waits for: the wall clock
                failed += not ok
                verdict = f"target median <= {limit}x: {'PASS' if ok else 'FAIL'}"
            else:
                verdict = "(information: steadier on a busy machine)"
            print(f"{name + ' / bare':28s} {ratio_spread(ratios)}   {verdict}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
