"""USB bundles: signed, imported through the same idempotent path; twice changes nothing."""

from __future__ import annotations

import json
import os
import zipfile

from tests.conftest import desk_cli
from tests.sync.conftest import add_intake, add_pages, server_dossiers


def snapshot(server) -> str:
    return json.dumps(server_dossiers(server), sort_keys=True)


def test_bundle_imported_twice_changes_nothing(enrolled, server, intake_json, tmp_path):
    codes = add_intake(enrolled, intake_json, 3)
    shas = add_pages(enrolled, codes[0], [os.urandom(30_000), os.urandom(2_000)])
    enrolled.queue.set_status(codes[2], "withdrawn")
    out = tmp_path / "usb" / "desk3.bundle"
    done = desk_cli("export-bundle", "--data", str(enrolled.data_dir), "--out", str(out), env={"DESK_SYNC_KEYRING": "off"})
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["records"] == 5
    first = server.admin("import-bundle", str(out))
    assert first["accepted"] == 5 and first["files_new"] == 2
    after_first = snapshot(server)
    assert {d["code"] for d in json.loads(after_first)} == set(codes)
    assert sorted(next(d for d in json.loads(after_first) if d["code"] == codes[0])["files"]) == sorted(shas)
    second = server.admin("import-bundle", str(out))
    assert second["duplicate"] == 5 and "accepted" not in second and second["files_new"] == 0
    assert snapshot(server) == after_first
    # The desk learns the outcome on its next online sync: duplicates confirm, nothing re-sent.
    summary = enrolled.sync.sync_once()
    assert summary.ok and summary.duplicates == 5 and summary.file_bytes_sent == 0
    assert snapshot(server) == after_first


def test_altered_bundle_is_refused(enrolled, server, intake_json, tmp_path):
    add_intake(enrolled, intake_json)
    out = tmp_path / "b.zip"
    enrolled.sync.export_bundle(out)
    tampered = tmp_path / "t.zip"
    with zipfile.ZipFile(out) as src, zipfile.ZipFile(tampered, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "manifest.json":  # sealed to the province: flip a bit
                data = data[:-1] + bytes([data[-1] ^ 1])
            dst.writestr(item, data)
    import subprocess
    import sys

    from tests.conftest import ROOT

    done = subprocess.run(
        [sys.executable, "-m", "sync.server", "import-bundle", "--data", str(server.data), str(tampered)],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 1 and json.loads(done.stderr)["error"] == "bad_encryption"
    assert server_dossiers(server) == []
