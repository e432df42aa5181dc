"""Issue 9: the PyInstaller one-folder build (installers/desk_app.spec) builds here on Linux
and the built programs pass their self-tests: the console `desk selftest` and the windowed
`desk-app --selftest` (offscreen). The Windows build runs the same spec on a Windows runner."""

from __future__ import annotations

import json
import os
import sys

import pytest

from tests.conftest import require
from tests.packaging.conftest import run

pytestmark = pytest.mark.slow


def test_one_folder_build_runs_its_selftests(source_copy, tmp_path):
    try:
        import PyInstaller  # noqa: F401
    except ImportError:
        require(False, "PyInstaller (the test extra)")
    dist, work = tmp_path / "dist", tmp_path / "build"
    run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN", "--distpath", str(dist),
         "--workpath", str(work), str(source_copy / "installers" / "desk_app.spec")], cwd=source_copy, timeout=1800)
    folder = dist / "desk-app"
    exe = ".exe" if os.name == "nt" else ""
    assert (folder / f"desk{exe}").is_file() and (folder / f"desk-app{exe}").is_file()
    assert not list(folder.rglob("fastapi")) and not list(folder.rglob("uvicorn"))  # no server in a desk bundle
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "DESK_LANG": "en"}
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    assert run([str(folder / f"desk{exe}"), "--version"], env=env, cwd=elsewhere).stdout.strip() == "desk 0.1.0"
    report = json.loads(run([str(folder / f"desk{exe}"), "selftest"], env=env, cwd=elsewhere, timeout=300).stdout)
    assert report["ok"] is True, report
    window = run([str(folder / f"desk-app{exe}"), "--selftest", "--data", str(tmp_path / "data")],
                 env=env, cwd=elsewhere, timeout=300)
    report = json.loads(window.stdout.strip().splitlines()[-1])
    assert report["ok"] is True and [c["name"] for c in report["checks"]][0] == "window", report
