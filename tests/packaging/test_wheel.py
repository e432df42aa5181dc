"""Issue 9: the wheel installs with wheels only (no compiler) into a fresh venv, and the
installed, non-editable package works from any working folder: `desk --version`,
`desk selftest`, the windowed `desk-app --selftest`; no server or SANE packages come along."""

from __future__ import annotations

import json

import pytest

from tests.packaging.conftest import fresh_venv, run, wheels_only_env

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def installed(desk_wheel, wheelhouse, tmp_path_factory):
    """(bin folder, environment, a working folder outside any source tree)."""
    root = tmp_path_factory.mktemp("installed")
    bin_dir = fresh_venv(root / "venv")
    env = wheels_only_env(wheelhouse)
    run([str(bin_dir / "python"), "-m", "pip", "install", "-q", str(desk_wheel)], env=env)
    elsewhere = root / "elsewhere"
    elsewhere.mkdir()
    return bin_dir, {**env, "QT_QPA_PLATFORM": "offscreen", "DESK_LANG": "en", "PYTHONPATH": ""}, elsewhere


def test_installed_wheel_reports_its_version_and_passes_selftest_from_another_folder(installed):
    bin_dir, env, elsewhere = installed
    version = run([str(bin_dir / "desk"), "--version"], env=env, cwd=elsewhere)
    assert version.stdout.strip() == "desk 0.1.0"

    report = json.loads(run([str(bin_dir / "desk"), "selftest"], env=env, cwd=elsewhere, timeout=300).stdout)
    assert report["ok"] is True, report
    resources = next(c for c in report["checks"] if c["name"] == "resources")
    assert "site-packages" in resources["detail"]  # the installed copy, not a source tree

    window = run([str(bin_dir / "desk-app"), "--selftest", "--data", str(elsewhere / "data"), "--lang", "en"],
                 env=env, cwd=elsewhere, timeout=300)
    report = json.loads(window.stdout.strip().splitlines()[-1])
    assert report["ok"] is True and report["ready"] is True, report


def test_default_install_has_no_server_sane_or_test_packages(installed):
    bin_dir, env, _ = installed
    listed = run([str(bin_dir / "python"), "-m", "pip", "list", "--format=json"], env=env).stdout
    names = {p["name"].lower().replace("_", "-") for p in json.loads(listed)}
    assert {"desk-app", "zxing-cpp", "pyside6-essentials"} <= names
    assert not names & {"fastapi", "uvicorn", "psycopg", "python-sane", "pytest", "pyinstaller"}, names
    assert not list(bin_dir.parent.rglob("__editable__*"))  # a real install, not a link to the source


def test_without_the_sane_extra_the_scanner_error_says_how_to_add_it(installed):
    bin_dir, env, elsewhere = installed
    code = (
        "import json\n"
        "from desk_app.i18n import Translator\n"
        "from desk_app.scanning.sources.sane_backend import SaneBackend\n"
        "from desk_app.scanning.sources.base import ScannerError\n"
        "try:\n"
        "    SaneBackend().devices()\n"
        "except ScannerError as exc:\n"
        "    print(json.dumps(exc.as_json(Translator('en'))))\n"
    )
    message = json.loads(run([str(bin_dir / "python"), "-c", code], env=env, cwd=elsewhere).stdout)["message"]
    assert "SANE scanner support is not installed" in message and "python3-sane" in message
    assert "image/PDF files can still be imported" in message
