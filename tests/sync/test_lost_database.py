"""A desk whose database was truncated or lost: refused rather than taken for a fresh
desk while its page files or sync credential remain; a desk set up again for the same unit and
desk number continues each day's counter from the province's highest code (heartbeat answer).
Real files, a real server process."""

from __future__ import annotations

import os
import shutil
import stat

import pytest

from desk_app.domain.errors import StoreError
from desk_app.services.context import build_services
from desk_app.store.database import DB_FILENAME
from tests.conftest import desk_cli
from tests.sync.conftest import add_intake, add_pages, enrolled_desk_at, server_dossiers


def test_truncated_database_beside_a_credential_and_pages_is_refused(tmp_path, clock, server, province, intake_json):
    data = tmp_path / "desk"
    ctx = enrolled_desk_at(data, clock, server, province)
    code = add_intake(ctx, intake_json)[0]
    add_pages(ctx, code, [b"%PDF-1.4 page"])
    assert ctx.sync.sync_once().ok
    ctx.close()
    for name in (DB_FILENAME + "-wal", DB_FILENAME + "-shm"):
        (data / name).unlink(missing_ok=True)
    with open(data / DB_FILENAME, "wb"):
        pass  # truncated to 0 bytes
    with pytest.raises(StoreError, match="desk restore") as info:
        build_services(data, clock=clock)
    assert "files/" in str(info.value) and "sync-credential.json" in str(info.value)
    (data / DB_FILENAME).unlink()  # missing altogether: the same
    result = desk_cli("init", "--data", str(data), "--unit-code", "000.31.14.H14", "--desk", "3")
    assert result.returncode == 1 and "desk restore" in result.stdout + result.stderr
    assert not (data / DB_FILENAME).exists()  # nothing was created
    # Only the page files left: still a used desk.
    (data / "sync-credential.json").unlink()
    with pytest.raises(StoreError, match="files/"):
        build_services(data, clock=clock)


def test_a_heartbeat_raises_the_counters_of_a_restored_older_copy(tmp_path, clock, server, province, intake_json):
    ctx = enrolled_desk_at(tmp_path / "desk", clock, server, province)
    add_intake(ctx, intake_json, 2)
    assert ctx.sync.sync_once().ok
    # An older copy of the database: the counter of the day went back to 0 (as after a restore).
    ctx.store.db.conn.execute("UPDATE code_sequence SET last = 0")
    assert ctx.sync.sync_once().ok
    assert add_intake(ctx, intake_json)[0].endswith("-261118-3003")
    ctx.close()


def test_an_empty_folder_is_still_a_fresh_desk(tmp_path, clock):
    ctx = build_services(tmp_path / "fresh", clock=clock)
    ctx.close()
    assert (tmp_path / "fresh" / DB_FILENAME).stat().st_size > 0


def test_a_desk_set_up_again_continues_the_provinces_counter(tmp_path, clock, server, province, intake_json):
    first = enrolled_desk_at(tmp_path / "old-pc", clock, server, province)
    assert add_intake(first, intake_json, 3)[-1].endswith("-261118-3003")
    assert first.sync.sync_once().ok
    first.close()
    shutil.rmtree(tmp_path / "old-pc")  # the disk died; no backup
    again = enrolled_desk_at(tmp_path / "new-pc", clock, server, province)
    # The enrollment's signed who-am-I answer already brought the province's last counters.
    code = add_intake(again, intake_json)[0]
    assert code.endswith("-261118-3004")
    assert again.sync.sync_once().ok
    assert len({d["code"] for d in server_dossiers(server)}) == 4
    again.close()


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_data_folder_and_database_are_private(tmp_path, clock, intake_json):
    data = tmp_path / "data"
    ctx = build_services(data, clock=clock)
    ctx.setup.configure(unit_code="000.31.14.H14", desk=3, commune_code="01273")
    ctx.close()

    def mode(path):
        return stat.S_IMODE(path.stat().st_mode)

    assert mode(data) == 0o700
    assert mode(data / DB_FILENAME) == 0o600
    assert all(mode(p) == 0o600 for p in data.glob(DB_FILENAME + "-*"))
    # An existing desk made by an older version (0755/0644) is made private when opened.
    data.chmod(0o755)
    (data / DB_FILENAME).chmod(0o644)
    (data / "files").mkdir(exist_ok=True)
    (data / "files").chmod(0o755)
    build_services(data, clock=clock).close()
    assert (mode(data), mode(data / DB_FILENAME), mode(data / "files")) == (0o700, 0o600, 0o700)
