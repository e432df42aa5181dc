"""Intake commit latency through the real IntakeService on a real file (WAL + synchronous=FULL).

Floor, measured in the same run on the same disk, interleaved with the intake (floor, intake,
then intake, floor, ...) so both meet the same disk and machine load: a bare single-row INSERT
committed with WAL + synchronous=FULL (one fsync of the WAL per commit). Compared like with
like: p50 with p50, p95 with p95. The intake adds validation, the
appointment calculation, numbering, documents, the first history event, the FTS row, the
outbox entry (all in one transaction) and the re-read of the saved dossier.

Target: intake commit p95 <= 50 ms. Run: .venv/bin/python bench/bench_intake.py [N]
"""

from __future__ import annotations

import shutil
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.latency import p50_p95, verdict  # noqa: E402
from desk_app.services.context import DeskServices, build_services  # noqa: E402

CACHE = ROOT / "bench" / ".cache"
INTAKE = {
    "procedure_code": "1.001193.000.00.00.H14",
    "applicant": {
        "full_name": "Nguyễn Thị Đào",
        "id_number": "004199012345",
        "birth_date": "1999-05-20",
        "gender": "Nữ",
        "address": "Xóm Nà Rỏa, Phường Thục Phán, Tỉnh Cao Bằng",
        "phone": "0912345678",
        "email": "dao@example.vn",
    },
    "documents": [
        {"name": "Tờ khai đăng ký khai sinh", "kind": "original", "count": 1},
        {"name": "Giấy chứng sinh", "kind": "original", "count": 1},
        {"name": "Căn cước của người đi đăng ký", "kind": "original", "count": 1},
    ],
    "sets": 1,
    "return_channel": "desk",
}


def open_floor(folder: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(folder / "floor.sqlite3", isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, payload TEXT)")
    return conn


def floor_commit(conn: sqlite3.Connection, i: int) -> None:
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("INSERT INTO t (payload) VALUES (?)", (f"row {i}",))
    conn.execute("COMMIT")


def open_desk(folder: Path) -> DeskServices:
    ctx = build_services(folder / "desk", actor="bench")
    ctx.setup.configure(unit_code="000.31.14.H14", desk=3, commune_code="01273")
    ctx.catalogue.ensure_sample()
    conn = ctx.store.db.conn
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    return ctx


def intake_commit(ctx: DeskServices) -> None:
    assert ctx.intake.intake(INTAKE).code


def interleaved(floor: Callable[[int], None], intake: Callable[[], None], n: int) -> tuple[list[float], list[float]]:
    """``n`` timings of each, alternating floor and intake (and which goes first) so that disk
    and CPU drift, other processes and the OS's writeback treat both the same."""
    floor_ms: list[float] = []
    intake_ms: list[float] = []
    for i in range(n):
        for which in ((0, 1) if i % 2 == 0 else (1, 0)):
            start = time.perf_counter()
            if which == 0:
                floor(i)
            else:
                intake()
            (floor_ms if which == 0 else intake_ms).append((time.perf_counter() - start) * 1000)
    return floor_ms, intake_ms


def main() -> int:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    CACHE.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="bench-intake-", dir=CACHE))  # a real disk, not tmpfs
    try:
        conn = open_floor(folder)
        ctx = open_desk(folder)
        interleaved(lambda i: floor_commit(conn, -i - 1), lambda: intake_commit(ctx), 10)  # warm-up
        floor, intake = interleaved(lambda i: floor_commit(conn, i), lambda: intake_commit(ctx), n)
        ctx.close()
        conn.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    f50, f95 = p50_p95(floor)
    i50, i95 = p50_p95(intake)
    print(f"intake commits measured: {n}, interleaved with {n} floor commits "
          f"(WAL + synchronous=FULL, real files under {CACHE})")
    print(f"floor  (bare 1-row INSERT commit): p50 {f50:7.2f} ms  p95 {f95:7.2f} ms  max {max(floor):.2f} ms")
    print(f"intake (IntakeService.intake):     p50 {i50:7.2f} ms  p95 {i95:7.2f} ms  max {max(intake):.2f} ms")
    print(f"ratio intake/floor: p50/p50 {i50 / f50:.2f}x  p95/p95 {i95 / f95:.2f}x")
    return verdict(i95, 50)


if __name__ == "__main__":
    raise SystemExit(main())
