"""Issue 9: `bash scripts/run.sh` on a fresh checkout needs only python3 and python3-venv:
it makes its venv, installs the app (not editable) from wheels without a compiler, and starts
it; when Qt cannot start, it says why."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.packaging.conftest import wheels_only_env

pytestmark = [pytest.mark.slow, pytest.mark.skipif(sys.platform == "win32", reason="bash script")]


def test_run_script_installs_without_compiler_and_starts_the_installed_app(source_copy, wheelhouse, tmp_path):
    checkout = tmp_path / "checkout"
    shutil.copytree(source_copy, checkout)
    env = {**wheels_only_env(wheelhouse), "QT_QPA_PLATFORM": "offscreen"}
    if Path("/usr/bin/python3").exists():  # Debian's own python3, as on a fresh Debian 12 (not a dev's pyenv)
        env["PATH"] = "/usr/bin:/bin:" + env.get("PATH", "")
    cmd = ["bash", "scripts/run.sh", "--selftest", "--data", str(tmp_path / "data"), "--lang", "en"]
    first = subprocess.run(cmd, cwd=checkout, env=env, capture_output=True, text=True, timeout=900)
    assert first.returncode == 0, first.stderr[-3000:]
    report = json.loads(first.stdout.strip().splitlines()[-1])
    assert report["ok"] is True, report
    if Path("/usr/bin/python3").exists():
        assert "home = /usr/bin" in (checkout / ".venv" / "pyvenv.cfg").read_text()
    site = next((checkout / ".venv" / "lib").glob("python3*/site-packages"))
    assert (site / "desk_app" / "resources" / "fonts" / "DejaVuSans.ttf").exists()  # installed, not editable
    assert not list(site.glob("__editable__*"))

    # Unchanged source: no reinstall; a changed source file: reinstalled.
    stamp = (checkout / ".venv" / ".desk-installed").read_text()
    (checkout / "desk_app" / "resources" / "catalogue" / "README.md").write_text("changed\n")
    second = subprocess.run(cmd, cwd=checkout, env=env, capture_output=True, text=True, timeout=900)
    assert second.returncode == 0, second.stderr[-3000:]
    assert (checkout / ".venv" / ".desk-installed").read_text() != stamp
    assert (site / "desk_app" / "resources" / "catalogue" / "README.md").read_text() == "changed\n"

    # No display and no offscreen platform: Qt aborts, the script says what to do.
    headless = {k: v for k, v in env.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    headless["QT_QPA_PLATFORM"] = "xcb"
    failed = subprocess.run(cmd, cwd=checkout, env=headless, capture_output=True, text=True, timeout=300)
    assert failed.returncode != 0
    assert "No graphical display" in failed.stderr and "desk selftest" in failed.stderr
