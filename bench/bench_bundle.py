"""The PyInstaller one-folder build against running from source: start-up and self-test.

    .venv/bin/pyinstaller --noconfirm installers/desk_app.spec      # gives dist/desk-app/
    .venv/bin/python bench/bench_bundle.py [--dist dist/desk-app] [--runs 7]

Each run is a fresh process, built and source alternating (so disk cache and CPU frequency
treat both the same), after one warm-up each that initialises its data folder and writes
byte-code (PYTHONPYCACHEPREFIX, as in bench_startup.py). Measured from the spawn, like
bench_startup.py: the windowed program (``--selftest``) until its window is shown and until the
catalogue is listed; the console ``desk --version`` and ``desk selftest`` as whole processes.
Also prints the folder's size. Ratio = built / source, medians; ~1 means the bundle costs
nothing at start-up (one-folder: nothing is unpacked).
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


def folder_mb(path: Path) -> float:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink()) / 2**20


def spawn(cmd: list[str], env: dict, cwd: Path) -> tuple[float, dict | None]:
    start = time.time()
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=cwd, timeout=300)
    wall = time.time() - start
    if out.returncode != 0:
        raise SystemExit(f"{cmd} failed ({out.returncode}):\n{out.stderr[-3000:]}")
    last = out.stdout.strip().splitlines()[-1] if out.stdout.strip() else ""
    report = json.loads(last) if last.startswith("{") else None
    if report and "shown_at" in report:
        report = {"shown": report["shown_at"] - start, "ready": report["ready_at"] - start}
    return wall, report


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dist", type=Path, default=ROOT / "dist" / "desk-app")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    exe = ".exe" if os.name == "nt" else ""
    if not (args.dist / f"desk{exe}").exists():
        raise SystemExit(f"no build in {args.dist}: run pyinstaller --noconfirm installers/desk_app.spec")
    source_bin = Path(sys.executable).parent
    env = dict(os.environ)
    if not (env.get("DISPLAY") or env.get("WAYLAND_DISPLAY")):
        env.setdefault("QT_QPA_PLATFORM", "offscreen")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(tmp / "pycache")
        cases = {
            "window": {
                "built": [str(args.dist / f"desk-app{exe}"), "--selftest", "--data", str(tmp / "built")],
                "source": [sys.executable, str(ROOT / "main.py"), "--selftest", "--data", str(tmp / "source")],
            },
            "desk --version": {
                "built": [str(args.dist / f"desk{exe}"), "--version"],
                "source": [str(source_bin / f"desk{exe}"), "--version"],
            },
            "desk selftest": {
                "built": [str(args.dist / f"desk{exe}"), "selftest"],
                "source": [str(source_bin / f"desk{exe}"), "selftest"],
            },
        }
        print(f"bundle: {args.dist} {folder_mb(args.dist):.0f} MB; runs: {args.runs}; "
              f"platform: {env.get('QT_QPA_PLATFORM') or 'display'}")
        for name, pair in cases.items():
            for cmd in pair.values():
                spawn(cmd, env, tmp)  # warm-up
            figures: dict[str, dict[str, list[float]]] = {k: {} for k in pair}
            for _ in range(args.runs):
                for kind, cmd in pair.items():
                    wall, report = spawn(cmd, env, tmp)
                    figures[kind].setdefault("process", []).append(wall)
                    for key, value in (report or {}).items():
                        if key in ("shown", "ready"):
                            figures[kind].setdefault(key, []).append(value)
            for key in figures["built"]:
                built = statistics.median(figures["built"][key])
                source = statistics.median(figures["source"][key])
                print(f"{name:15} {key:8} built {built * 1000:7.0f} ms  source {source * 1000:7.0f} ms  "
                      f"ratio {built / source:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
