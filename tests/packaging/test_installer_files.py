"""What can be checked here of the Windows installer, which only builds on a Windows runner:
the Inno Setup script, the PyInstaller spec and the workflow agree with each other and with the
repository (paths, program names, the data folder kept on uninstall)."""

from __future__ import annotations

import re

import yaml

from tests.conftest import ROOT

INSTALLERS = ROOT / "installers"
ISS = INSTALLERS / "windows" / "desk-app.iss"
SPEC = INSTALLERS / "desk_app.spec"
WORKFLOW = ROOT / ".github" / "workflows" / "windows.yml"


def iss_sections() -> dict[str, list[str]]:
    raw = ISS.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "Inno Setup reads a script as UTF-8 only with a BOM"
    sections: dict[str, list[str]] = {}
    current = ""
    for line in raw.decode("utf-8-sig").splitlines():
        line = line.strip()
        if not line or line.startswith(";"):
            continue
        assert not line.endswith("\\"), f"no line continuation in Inno Setup entries: {line}"
        match = re.fullmatch(r"\[(\w+)\]", line)
        if match:
            current = match.group(1)
            sections[current] = []
        else:
            sections.setdefault(current, []).append(line)
    return sections


def test_inno_setup_installs_per_machine_with_shortcuts_and_keeps_the_data():
    s = iss_sections()
    setup = dict(line.split("=", 1) for line in s["Setup"])
    assert setup["PrivilegesRequired"] == "admin" and setup["DefaultDirName"].startswith("{autopf}")
    assert re.fullmatch(r"\{\{[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}\}", setup["AppId"])
    iss_dir = ISS.parent
    assert (iss_dir / setup["SetupIconFile"].replace("\\", "/")).resolve() == ROOT / "resources" / "icon" / "desk-app.ico"
    assert (iss_dir / setup["OutputDir"].replace("\\", "/")).resolve() == ROOT / "dist"
    (files,) = s["Files"]
    assert 'Source: "..\\..\\dist\\desk-app\\*"' in files and "recursesubdirs" in files
    (data_dir,) = s["Dirs"]
    assert "{commonappdata}\\DeskApp" in data_dir and "uninsneveruninstall" in data_dir and "users-modify" in data_dir
    assert "UninstallDelete" not in s
    icons = " ".join(s["Icons"])
    assert "{autoprograms}" in icons and "{autodesktop}" in icons and "--data" in icons
    assert any("DESK_DATA" in line and "uninsdeletevalue" in line for line in s["Registry"])
    assert any("desk.exe" in line and "selftest" in line for line in s["Run"])


def test_spec_builds_one_folder_with_both_programs_and_all_commands():
    spec = SPEC.read_text(encoding="utf-8")
    assert "COLLECT(" in spec and "exclude_binaries=True" in spec  # one folder: libraries beside the programs
    assert 'name="desk-app", console=False' in spec and 'name="desk", console=True' in spec
    assert 'collect_submodules("desk_app.commands")' in spec
    assert '"sync.server"' in spec and '"fastapi"' in spec  # the server never ships on a desk
    iss = ISS.read_bytes().decode("utf-8-sig")
    assert '#define AppExe "desk-app.exe"' in iss and 'name="desk-app", upx=False' in spec  # dist/desk-app/desk-app.exe


def test_workflow_builds_on_windows_with_the_files_that_exist():
    flow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    job = flow["jobs"]["build"]
    assert job["runs-on"].startswith("windows")
    script = "\n".join(step.get("run", "") for step in job["steps"])
    for path in re.findall(r"installers[/\\][\w./\\-]+", script):
        assert (ROOT / path.replace("\\", "/")).exists(), path
    assert "--only-binary=:all:" in script and "desk.exe selftest" in script and "unins000.exe" in script
