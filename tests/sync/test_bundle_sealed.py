"""USB bundles are encrypted to the province: nothing of a citizen is readable on
the stick, the server opens them with its own key, a plain bundle of an older desk is refused
unless the province says --allow-plain, the key also comes from a file. Real files, real
server process and CLI."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile

import pytest

from desk_app.domain.errors import ValidationError
from desk_app.services.sync_round import BUNDLE_KEY, event_of
from sync.bundle import write_bundle
from tests.conftest import ROOT
from tests.sync.conftest import add_intake, add_pages, server_dossiers


def import_bundle(server, path, *extra) -> tuple[int, dict]:
    done = subprocess.run(
        [sys.executable, "-m", "sync.server", "import-bundle", "--data", str(server.data), str(path), *extra],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )
    return done.returncode, json.loads(done.stdout if done.returncode == 0 else done.stderr)


def test_bundle_is_sealed_to_the_province(enrolled, server, intake_json, tmp_path):
    code = add_intake(enrolled, intake_json)[0]
    page = b"ID card scan of " + intake_json["applicant"]["id_number"].encode() * 50
    add_pages(enrolled, code, [page])
    out = tmp_path / "usb" / "desk3.bundle"
    enrolled.sync.export_bundle(out)
    raw = out.read_bytes()
    with zipfile.ZipFile(out) as archive:
        assert "envelope.json" in archive.namelist()
        contents = b"".join(archive.read(name) for name in archive.namelist())
    for secret in (intake_json["applicant"]["id_number"], "Nguyễn Thị Đào", "Đào", "Xóm Nà Rỏa"):
        for blob in (raw, contents):
            assert secret.encode("utf-8") not in blob
    assert b"ID card scan" not in contents
    status, answer = import_bundle(server, out)
    assert status == 0 and answer["accepted"] == 2 and answer["files_new"] == 1
    [dossier] = server_dossiers(server)
    assert dossier["code"] == code


def test_a_plain_bundle_needs_allow_plain_and_is_still_checked(enrolled, server, intake_json, tmp_path):
    add_intake(enrolled, intake_json)
    credential = enrolled.sync.credential()
    plain = tmp_path / "old-desk.bundle"
    write_bundle(  # what a desk before issue 12 wrote
        plain, secret=credential.secret,
        desk={"desk_id": credential.desk_id, "unit_code": credential.unit_code, "desk": credential.desk},
        events=[event_of(r) for r in enrolled.sync.store.pending(limit=100, max_bytes=1 << 30, after_id=0)],
        files=[], open_file=None, created_at="2026-11-18T10:00:00+07:00",
    )
    status, answer = import_bundle(server, plain)
    assert status == 1 and answer["error"] == "plain_bundle"
    assert server_dossiers(server) == []
    tampered = tmp_path / "tampered.bundle"
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(tampered, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            dst.writestr(item, data.replace(b"Nguy", b"Ngux") if item.filename == "manifest.json" else data)
    assert import_bundle(server, tampered, "--allow-plain")[1]["error"] == "bad_signature"
    status, answer = import_bundle(server, plain, "--allow-plain")
    assert status == 0 and answer["accepted"] == 1


def test_province_key_from_a_file(enrolled, server, intake_json, tmp_path):
    add_intake(enrolled, intake_json)
    enrolled.sync.store.set_state(**{BUNDLE_KEY: None})  # enrolled before issue 12
    with pytest.raises(ValidationError, match="--province-key"):
        enrolled.sync.export_bundle(tmp_path / "x.bundle")
    assert not (tmp_path / "x.bundle").exists()
    bad = tmp_path / "bad.key"
    bad.write_text("not a key\n")
    with pytest.raises(ValidationError, match="không dùng được"):
        enrolled.sync.export_bundle(tmp_path / "x.bundle", province_key=bad)
    key_file = tmp_path / "province.key"
    assert server.admin("bundle-key", "--out", str(key_file))["bundle_key"] == key_file.read_text().strip()
    enrolled.sync.export_bundle(tmp_path / "x.bundle", province_key=key_file)
    assert import_bundle(server, tmp_path / "x.bundle")[1]["accepted"] == 1
    # Remembered: the next bundle needs no file.
    assert enrolled.sync.store.state(BUNDLE_KEY) == key_file.read_text().strip()


def test_a_sync_round_brings_the_key_too(enrolled, intake_json):
    enrolled.sync.store.set_state(**{BUNDLE_KEY: None})
    assert enrolled.sync.sync_once().ok
    assert enrolled.sync.store.state(BUNDLE_KEY)
