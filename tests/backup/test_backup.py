"""Backups and restore: real SQLite files, real page files, the real ``desk`` CLI in
subprocesses, a writer committing intakes while backups run."""

from __future__ import annotations

import json
import os
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from desk_app.domain.errors import StoreError, ValidationError
from desk_app.scanning.samples import text_page
from desk_app.services import backup as bk
from desk_app.services.context import build_services
from tests.conftest import desk_cli

DOC = "Tờ khai đăng ký khai sinh"


def ok(*args):
    result = desk_cli(*args)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def fails(*args, code=1):
    result = desk_cli(*args)
    assert result.returncode == code, (result.stdout, result.stderr)
    assert result.stdout == ""
    return json.loads(result.stderr)


def _page(tmp_path: Path, seed: int) -> Path:
    path = tmp_path / f"page{seed}.png"
    text_page(100, seed=seed).save(path, dpi=(100, 100))
    return path


@pytest.fixture
def filled(desk, intake_json, tmp_path):
    """Three dossiers, five stored pages (real G4/JPEG files in the content-addressed store)."""
    codes = []
    for i in range(3):
        codes.append(desk.intake.intake(intake_json).code)
        desk.digitise.attach_files(codes[-1], DOC, [_page(tmp_path, i)])
    desk.digitise.attach_files(codes[0], DOC, [_page(tmp_path, 10), _page(tmp_path, 11)])
    return desk, codes


def test_cli_round_trip_restores_every_dossier_and_page(filled, tmp_path):
    desk, codes = filled
    data = str(desk.data_dir)
    out = ok("backup", "--data", data, "--out", str(tmp_path / "usb"))
    assert set(out) >= {"path", "dossiers", "pages", "bytes"}
    assert (out["dossiers"], out["pages"]) == (3, 5)
    files = sorted(desk.digitise.blobs.iter_all())
    assert out["bytes"] == (Path(out["path"]) / "desk.sqlite3").stat().st_size + sum(
        desk.digitise.blobs.path_for(s).stat().st_size for s in files)
    restored = tmp_path / "newpc"
    result = ok("restore", "--data", str(restored), "--from", out["path"])
    assert (result["dossiers"], result["pages"]) == (3, 5)
    assert ok("verify-files", "--data", str(restored))["ok"] is True
    for code in codes:
        before, after = desk.queue.show(code), ok("show", "--data", str(restored), code)
        assert after["applicant"] == before.to_json()["applicant"] and after["code"] == code
        assert ok("pages", "--data", str(restored), code) == ok("pages", "--data", data, code)
    # The restored desk keeps numbering after the last restored dossier.
    restored_ctx = build_services(restored)
    try:
        assert restored_ctx.store.db.conn.execute("SELECT count(*) FROM outbox").fetchone()[0] == \
            desk.store.db.conn.execute("SELECT count(*) FROM outbox").fetchone()[0]
    finally:
        restored_ctx.close()


def test_restore_refuses_a_non_empty_folder_unless_forced(filled, tmp_path):
    desk, _ = filled
    out = bk.backup(desk.data_dir, tmp_path / "usb")
    target = tmp_path / "busy"
    target.mkdir()
    (target / "note.txt").write_text("keep me")
    error = fails("restore", "--data", str(target), "--from", out["path"])
    assert error["field"] == "data" and "--force" in error["message"]
    assert sorted(p.name for p in target.iterdir()) == ["note.txt"]
    # --force over an existing desk: its database is moved aside, never deleted.
    other = build_services(target)
    other.close()
    forced = ok("restore", "--data", str(target), "--from", out["path"], "--force")
    assert forced["dossiers"] == 3 and forced["moved_aside"]
    assert (Path(forced["moved_aside"]) / "desk.sqlite3").is_file()
    assert (target / "note.txt").read_text() == "keep me"


def test_second_backup_copies_only_new_page_files(filled, tmp_path):
    desk, codes = filled
    clock = iter([datetime(2026, 11, 17, 9, 0), datetime(2026, 11, 18, 9, 0)])
    first = bk.backup(desk.data_dir, tmp_path / "usb", now=lambda: next(clock))
    desk.digitise.attach_files(codes[1], DOC, [_page(tmp_path, 20)])
    second = bk.backup(desk.data_dir, tmp_path / "usb", now=lambda: next(clock))
    new_file = desk.store.db.conn.execute("SELECT bytes FROM dossier_pages ORDER BY id DESC LIMIT 1").fetchone()[0]
    db_bytes = (Path(second["path"]) / "desk.sqlite3").stat().st_size
    assert second["bytes_copied"] == db_bytes + new_file
    assert first["bytes_copied"] > second["bytes_copied"]
    assert second["pages"] == 6 and first["pages"] == 5
    assert len(list((tmp_path / "usb" / "files").glob("*/*/*"))) == 6  # one shared pool
    assert bk.verify_backup(Path(first["path"]))["pages"] == 5  # the older one is still whole


def test_backup_while_a_writer_commits_is_consistent(desk, intake_json, tmp_path):
    """A second connection commits intakes (dossier + outbox in one transaction) as fast as it
    can while backups run; every backup verifies and holds whole transactions only."""
    writer = build_services(desk.data_dir, clock=desk.clock, actor="writer")
    stop = threading.Event()
    written = []

    def write():
        while not stop.is_set():
            written.append(writer.intake.intake(intake_json).code)

    thread = threading.Thread(target=write)
    thread.start()
    results = []
    try:
        while len(written) < 5:
            time.sleep(0.01)
        moments = iter(datetime(2026, 11, 18, 9, 0) + timedelta(minutes=i) for i in range(10))
        for _ in range(4):
            results.append(bk.backup(desk.data_dir, tmp_path / "usb", now=lambda: next(moments)))
    finally:
        stop.set()
        thread.join()
        writer.close()
    counts = [r["dossiers"] for r in results]
    assert counts == sorted(counts) and counts[-1] > counts[0] and counts[-1] <= len(written)
    restored = bk.restore(Path(results[-1]["path"]), tmp_path / "restored")
    ctx = build_services(tmp_path / "restored")
    try:
        conn = ctx.store.db.conn
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        dossiers = conn.execute("SELECT count(*) FROM dossiers").fetchone()[0]
        intakes = conn.execute("SELECT count(*) FROM outbox WHERE dossier_code IN (SELECT code FROM dossiers)").fetchone()[0]
        assert dossiers == restored["dossiers"] == counts[-1]
        assert intakes >= dossiers  # no dossier without its outbox entry: no torn transaction
    finally:
        ctx.close()


def test_corrupt_or_missing_backup_is_a_clear_error_and_writes_nothing(filled, tmp_path):
    desk, _ = filled
    out = Path(bk.backup(desk.data_dir, tmp_path / "usb")["path"])
    target = tmp_path / "target"

    def refused(source, fragment):
        with pytest.raises((StoreError, ValidationError)) as info:
            bk.restore(source, target)
        assert fragment in str(info.value)
        assert not target.exists()

    refused(tmp_path / "nowhere", "Không tìm thấy")
    # A byte flipped in the database copy.
    copy = out / "desk.sqlite3"
    good = copy.read_bytes()
    copy.write_bytes(good[:5000] + bytes([good[5000] ^ 0xFF]) + good[5001:])
    refused(out, "mã băm")
    copy.write_bytes(good)
    # A page file altered, then missing, in the pool.
    sha = json.loads((out / "manifest.json").read_text())["files"][0]
    page = tmp_path / "usb" / "files" / sha[:2] / sha[2:4] / sha
    data = page.read_bytes()
    page.write_bytes(data[:-1] + bytes([data[-1] ^ 1]))
    refused(out, "đã bị thay đổi")
    page.unlink()
    refused(out, "thiếu tệp trang")
    page.write_bytes(data)
    # No manifest: an unfinished backup.
    (out / "manifest.json").rename(out / "m.json")
    refused(out, "manifest.json")
    (out / "m.json").rename(out / "manifest.json")
    assert bk.restore(out, target)["pages"] == 5
    # Through the CLI: exit 1, one JSON error, nothing written.
    copy.write_bytes(b"not a database at all" * 100)
    error = fails("restore", "--data", str(tmp_path / "t2"), "--from", str(out))
    assert error["error"] == "store_error" and not (tmp_path / "t2").exists()


def test_backup_never_holds_the_sync_secret_and_restore_asks_to_reenrol(filled, tmp_path):
    desk, _ = filled
    secret = os.urandom(32)
    meta = {"server_url": "http://127.0.0.1:9", "desk_id": "d-123", "unit_code": "000.31.14.H14", "desk": 3,
            "enrolled_at": "2026-11-18T09:00:00+07:00"}
    sync = desk.sync
    sync.credentials.vault.use_keyring = False
    sync.credentials.save(meta, secret)
    assert (desk.data_dir / "sync-credential.json").is_file()
    out = bk.backup(desk.data_dir, tmp_path / "usb")
    for path in (tmp_path / "usb").rglob("*"):
        if path.is_file():
            raw = path.read_bytes()
            assert secret not in raw and secret.hex().encode() not in raw, path
    restored = bk.restore(Path(out["path"]), tmp_path / "other-pc")
    assert restored["reenroll_needed"] is True
    other = build_services(tmp_path / "other-pc")
    try:
        other.sync.credentials.vault.use_keyring = False
        status = other.sync.status(ping=False)
        assert status["reenroll_needed"] is True and status["enrolled"] is True
    finally:
        other.close()
    assert desk.sync.status(ping=False)["reenroll_needed"] is False


def test_retention_keeps_seven_daily_and_four_weekly(desk, tmp_path):
    start = datetime(2026, 9, 1, 8, 0)  # daily at 08:00 and 16:00 for 60 days
    moments = [start + timedelta(days=d, hours=h) for d in range(60) for h in (0, 8)]
    kept = bk.keep_set(moments, keep_daily=7, keep_weekly=4)
    newest = moments[-1]
    daily = {m for m in kept if newest - m < timedelta(days=7)}
    assert len(daily) == 7 and all(m.hour == 16 for m in daily)  # the last of each day
    assert len(kept) <= 11 and len({m.isocalendar()[:2] for m in kept}) == 4
    # On disk: one backup a day for 30 days; an unreferenced old pool file is collected, a
    # fresh one (another process's backup in progress) is not.
    usb = tmp_path / "usb"
    desk.digitise.attach_files(desk.intake.intake(_INTAKE).code, DOC, [_page(tmp_path, 100)])
    orphan_old, orphan_new = usb / "files" / "aa" / "bb" / ("aabb" + "0" * 60), usb / "files" / "cc" / "dd" / ("ccdd" + "0" * 60)
    paths = []
    for day in range(30):
        result = bk.backup(desk.data_dir, usb, now=lambda d=day: datetime(2026, 10, 1, 9) + timedelta(days=d))
        paths.append(result["path"])
        if day == 0:
            for orphan in (orphan_old, orphan_new):
                orphan.parent.mkdir(parents=True)
                orphan.write_bytes(b"x")
            old = time.time() - 2 * bk.POOL_GRACE_SECONDS
            os.utime(orphan_old, (old, old))
    left = sorted(p.name for p in usb.glob(bk.PREFIX + "*"))
    expected = bk.keep_set([datetime(2026, 10, 1, 9) + timedelta(days=d) for d in range(30)], keep_daily=7, keep_weekly=4)
    assert left == sorted(bk.PREFIX + m.strftime("%Y%m%d-%H%M%S") for m in expected)
    assert 8 <= len(left) <= 11 and Path(paths[-1]).name == left[-1]
    assert datetime.strptime(left[0][len(bk.PREFIX) :], "%Y%m%d-%H%M%S") == datetime(
        2026, 10, 11, 9
    )  # Sunday: the newest of the 4th ISO week back
    assert not orphan_old.exists() and orphan_new.exists()
    assert all(bk.verify_backup(usb / name)["pages"] == 1 for name in left)


_INTAKE = {
    "procedure_code": "1.001193.000.00.00.H14",
    "applicant": {"full_name": "Lê Văn Bình", "id_number": "004090005555", "birth_date": "1990-01-02",
                  "gender": "Nam", "address": "Phường Thục Phán"},
    "documents": [{"name": DOC, "kind": "original", "count": 1}],
    "sets": 1,
    "return_channel": "desk",
}


def test_backup_refuses_a_folder_inside_the_data_folder_or_on_an_unplugged_drive(desk, tmp_path):
    with pytest.raises(ValidationError):
        bk.backup(desk.data_dir, desk.data_dir / "b")
    with pytest.raises(ValidationError, match="USB"):  # the mount point is gone: nothing made
        bk.backup(desk.data_dir, tmp_path / "media" / "usb" / "sao-luu")
    assert not (tmp_path / "media").exists()
    error = fails("backup", "--data", str(tmp_path / "none"), "--out", str(tmp_path / "o"))
    assert error["field"] == "data"


def test_folders_with_uri_characters_in_their_names(tmp_path, clock, intake_json):
    """'#' and '?' end a bare SQLite URI's path: the backup once copied an empty database."""
    data = tmp_path / "Dữ liệu #1?x"
    ctx = build_services(data, clock=clock)
    ctx.setup.configure(unit_code="000.31.14.H14", desk=3, commune_code="01273")
    ctx.catalogue.ensure_sample()
    ctx.intake.intake(intake_json)
    ctx.close()  # a desk that is not running: its WAL files are gone
    out = bk.backup(data, tmp_path / "USB #2")
    assert out["dossiers"] == 1
    assert bk.restore(Path(out["path"]), tmp_path / "mới ?3")["dossiers"] == 1


def test_a_pool_file_damaged_on_the_drive_is_copied_again_by_the_next_backup(filled, tmp_path):
    desk, _ = filled
    usb = tmp_path / "usb"
    first = bk.backup(desk.data_dir, usb, now=lambda: datetime(2026, 11, 17, 9))
    sha = json.loads((Path(first["path"]) / "manifest.json").read_text())["files"][0]
    page = usb / "files" / sha[:2] / sha[2:4] / sha
    data = page.read_bytes()
    page.write_bytes(bytes([data[0] ^ 0xFF]) + data[1:])  # same size: only a hash finds it
    with pytest.raises(StoreError):
        bk.verify_backup(Path(first["path"]))
    second = bk.backup(desk.data_dir, usb, now=lambda: datetime(2026, 11, 18, 9))
    assert page.read_bytes() == data
    assert bk.verify_backup(Path(first["path"])) and bk.verify_backup(Path(second["path"]))
