"""The desk's log file rotates (logging.handlers.RotatingFileHandler, which the app's start-up
loads once it settled, ui/support.py): no file grows past the limit, the newest old records are
in desk.log.1, and only BACKUPS old files are kept; a start-up's plain handler is replaced."""

from __future__ import annotations

import logging

from desk_app.services import logs


def test_the_log_rotates_at_the_limit_and_keeps_the_newest_backups(tmp_path, monkeypatch):
    monkeypatch.setattr(logs, "MAX_BYTES", 2000)
    monkeypatch.setattr(logs, "BACKUPS", 3)
    root = logging.getLogger()
    before = list(root.handlers)
    path = logs.setup_logging(tmp_path)
    try:
        assert path is not None
        log = logging.getLogger("desk_app.test_rotation")
        for number in range(400):
            log.info("record %04d", number)
        files = sorted(path.parent.iterdir())
        assert [f.name for f in files] == ["desk.log", "desk.log.1", "desk.log.2", "desk.log.3"]
        assert all(f.stat().st_size < 2000 for f in files)
        newest_old = path.with_name("desk.log.1").read_text(encoding="utf-8")
        current = path.read_text(encoding="utf-8")
        assert "record 0399" in current and "record 0000" not in "".join(f.read_text(encoding="utf-8") for f in files)
        last_rotated = int(newest_old.strip().splitlines()[-1].rsplit(" ", 1)[-1])
        first_current = int(current.strip().splitlines()[0].rsplit(" ", 1)[-1])
        assert first_current == last_rotated + 1  # nothing lost at the boundary
    finally:
        for handler in [h for h in root.handlers if h not in before]:
            root.removeHandler(handler)
            handler.close()


def test_the_start_ups_plain_handler_is_replaced_by_the_rotating_one(tmp_path):
    root = logging.getLogger()
    before = list(root.handlers)
    try:
        path = logs.setup_logging(tmp_path, rotating=False)
        logs.setup_logging(tmp_path)
        ours = [h for h in root.handlers if h not in before]
        assert len(ours) == 1 and type(ours[0]).__name__ == "RotatingFileHandler"
        assert ours[0].baseFilename == str(path)
    finally:
        for handler in [h for h in root.handlers if h not in before]:
            root.removeHandler(handler)
            handler.close()
