"""Issue 9: the Linux package. installers/build_deb.sh builds it from the wheel (wheels only),
dpkg installs it to /opt/desk-app, the installed `desk selftest` passes for an ordinary user
from another folder, and dpkg removes it cleanly. Needs root and dpkg (CI is root on Debian)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT, require
from tests.packaging.conftest import run, wheels_only_env

pytestmark = pytest.mark.slow
SYSTEM_PYTHON = Path("/usr/bin/python3")


def _installed() -> bool:
    return subprocess.run(["dpkg", "-s", "desk-app"], capture_output=True).returncode == 0


def test_deb_builds_installs_selftests_and_removes(desk_wheel, wheelhouse, tmp_path):
    require(shutil.which("dpkg-deb") is not None, "dpkg-deb (Debian)")
    require(hasattr(os, "geteuid") and os.geteuid() == 0, "root, to install a .deb")
    require(SYSTEM_PYTHON.exists(), "Debian's /usr/bin/python3")
    if _installed():
        pytest.fail("desk-app is already installed on this machine: this test would replace it")
    built = run(["bash", str(ROOT / "installers" / "build_deb.sh"), "--wheel", str(desk_wheel), "--out", str(tmp_path)],
                env=wheels_only_env(wheelhouse), timeout=1200)
    deb = Path(built.stdout.strip().splitlines()[-1])
    assert deb.name == "desk-app_0.1.0_amd64.deb" or deb.name.startswith("desk-app_0.1.0_")
    control = run(["dpkg-deb", "--field", str(deb), "Depends", "Recommends"]).stdout
    assert "libxcb-cursor0" in control and "python3-sane" in control
    contents = run(["dpkg-deb", "--contents", str(deb)]).stdout
    assert "./opt/desk-app/venv/bin/desk\n" in contents and "/usr/share/applications/desk-app.desktop" in contents
    assert str(tmp_path) not in contents and "__pycache__" in contents  # compiled for read-only /opt

    try:
        run(["dpkg", "-i", str(deb)], timeout=600)
        assert os.path.realpath("/usr/bin/desk") == "/opt/desk-app/venv/bin/desk"
        assert Path("/usr/share/icons/hicolor/256x256/apps/desk-app.png").exists()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "VIRTUAL_ENV", "PYTHON"))}
        env.update(DESK_LANG="en", PATH="/usr/bin:/bin")
        elsewhere = tmp_path / "elsewhere"
        elsewhere.mkdir()
        assert run(["desk", "--version"], env=env, cwd=elsewhere).stdout.strip() == "desk 0.1.0"
        # An ordinary user: /opt is read-only for them, the temporary store is theirs.
        runuser = shutil.which("runuser")  # /usr/sbin: found with our PATH, not the user's
        as_user = [runuser, "-u", "nobody", "--"] if runuser else []
        report = json.loads(run([*as_user, "desk", "selftest"], env=env, cwd="/", timeout=300).stdout)
        assert report["ok"] is True, report
        resources = next(c for c in report["checks"] if c["name"] == "resources")
        assert "/opt/desk-app/venv/" in resources["detail"]
        # Nothing was written under /opt by running it (no stray caches the package does not own).
        listed = set(run(["dpkg", "-L", "desk-app"]).stdout.splitlines())
        on_disk = {str(p) for p in Path("/opt/desk-app").rglob("*")}
        assert on_disk <= listed, sorted(on_disk - listed)[:10]
    finally:
        if _installed():
            subprocess.run(["dpkg", "-r", "desk-app"], capture_output=True, timeout=300)
    assert not _installed()
    assert not Path("/opt/desk-app").exists() and not Path("/usr/bin/desk").exists()
