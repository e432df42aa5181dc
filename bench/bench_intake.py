"""Intake commit latency through the real IntakeService on a real file (WAL + synchronous=FULL).

Floor, measured in the same run on the same disk: a bare single-row INSERT committed with
WAL + synchronous=FULL (one fsync of the WAL per commit). The intake adds validation, the
appointment calculation, numbering, documents, the first history event, the FTS row, the
outbox entry (all in one transaction) and the re-read of the saved dossier.

Target (issue 2): intake commit p95 <= 50 ms. Run: .venv/bin/python bench/bench_intake.py [N]
"""

from __future__ import annotations

import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.latency import p50_p95, verdict  # noqa: E402
from desk_app.services.context import build_services  # noqa: E402

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


def floor_commits(folder: Path, n: int) -> list[float]:
    conn = sqlite3.connect(folder / "floor.sqlite3", isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, payload TEXT)")
    times = []
    for i in range(n):
        start = time.perf_counter()
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO t (payload) VALUES (?)", (f"row {i}",))
        conn.execute("COMMIT")
        times.append((time.perf_counter() - start) * 1000)
    conn.close()
    return times


def intake_commits(folder: Path, n: int) -> list[float]:
    ctx = build_services(folder / "desk", actor="bench")
    ctx.setup.configure(unit_code="000.31.14.H14", desk=3, commune_code="01273")
    ctx.catalogue.ensure_sample()
    conn = ctx.store.db.conn
    assert conn.execute("PRAGMA synchronous").fetchone()[0] == 2
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    for _ in range(10):  # warm-up: imports, caches, first pages
        ctx.intake.intake(INTAKE)
    times = []
    for _ in range(n):
        start = time.perf_counter()
        result = ctx.intake.intake(INTAKE)
        times.append((time.perf_counter() - start) * 1000)
        assert result["code"]
    ctx.close()
    return times


def main() -> int:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    CACHE.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="bench-intake-", dir=CACHE))  # a real disk, not tmpfs
    try:
        floor = floor_commits(folder, n)
        intake = intake_commits(folder, n)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    f50, f95 = p50_p95(floor)
    i50, i95 = p50_p95(intake)
    print(f"intake commits measured: {n} (WAL + synchronous=FULL, real file under {CACHE})")
    print(f"floor  (bare 1-row INSERT commit): p50 {f50:7.2f} ms  p95 {f95:7.2f} ms")
    print(f"intake (IntakeService.intake):     p50 {i50:7.2f} ms  p95 {i95:7.2f} ms  max {max(intake):.2f} ms")
    print(f"ratio intake/floor: p50 {i50 / f50:.2f}x  p95 {i95 / f95:.2f}x")
    return verdict(i95, 50)


if __name__ == "__main__":
    raise SystemExit(main())
