"""Search over 1,000,000 dossiers: top-20 through QueueService.search (FTS5, đ folded) vs what a
user would otherwise run on the same database: ``LIKE '%term%'`` on the real ``dossiers`` table
(each word in the name, ID number, phone, code or procedure name; newest first), both in the
same run. LIKE compares the stored text as typed: a word typed without its accents ("nguyen")
finds nothing there, so the table shows each side's hits as well as its time.

The 1M-dossier database is built once with the real desk schema (open_database runs the
migrations) by fast bulk inserts, and cached under bench/.cache/search-1m/ (gitignored).
Names are generated from Vietnamese surname / middle / given lists (Kinh and Cao Bằng Tày-Nùng
surnames, with đ/Đ), ID numbers in the real layout, mobile phones, real dossier codes
(9 desks, per-desk counters) over ~18 months, procedures from the shipped sample catalogue.

Target: top-20 p95 <= 100 ms. Run: .venv/bin/python bench/bench_search.py [--rebuild]
"""

from __future__ import annotations

import json
import random
import shutil
import sqlite3
import statistics
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.latency import p50_p95, percentile, verdict  # noqa: E402
from desk_app.domain.calendar import VN_TZ  # noqa: E402
from desk_app.domain.catalogue import read_catalogue_file  # noqa: E402
from desk_app.domain.codes import dossier_code  # noqa: E402
from desk_app.domain.errors import StoreError  # noqa: E402
from desk_app.i18n import Translator  # noqa: E402
from desk_app.paths import resources_dir  # noqa: E402
from desk_app.services.context import build_services  # noqa: E402
from desk_app.store.database import open_database  # noqa: E402
from desk_app.store.search_index import fts_document  # noqa: E402

N = 1_000_000
CACHE = ROOT / "bench" / ".cache" / "search-1m"
MARKER = CACHE / "built.json"
UNIT = "000.31.14.H14"

# (surname, weight %) roughly as in national statistics, plus Cao Bằng's Tày-Nùng surnames.
SURNAMES = [
    ("Nguyễn", 31), ("Trần", 9), ("Lê", 8), ("Phạm", 6), ("Hoàng", 6), ("Nông", 5), ("Phan", 3),
    ("Vũ", 3), ("Đặng", 3), ("Bùi", 2), ("Đỗ", 2), ("Hồ", 1), ("Ngô", 2), ("Dương", 2), ("Lý", 1),
    ("Lương", 2), ("Đàm", 2), ("Bế", 2), ("Lục", 1), ("Triệu", 2), ("Ma", 1), ("Lăng", 1), ("Hà", 2),
    ("Đinh", 1), ("Mạc", 1), ("Sầm", 1),
]
MIDDLES_F = ["Thị", "Thị", "Thị", "Thu", "Ngọc", "Thanh", "Hồng", "Kim", "Minh", "Diệu", "Mỹ", "Bích"]
MIDDLES_M = ["Văn", "Văn", "Văn", "Đức", "Minh", "Quang", "Hữu", "Thanh", "Công", "Đình", "Xuân", "Tiến"]
GIVENS_F = ["Đào", "Lan", "Hương", "Linh", "Trang", "Mai", "Nga", "Ngân", "Hà", "Thảo", "Huyền", "Điệp",
            "Dung", "Yến", "Nhung", "Phương", "Thúy", "Hạnh", "Oanh", "Đông", "Vân", "Hiền", "Quyên", "Anh"]
GIVENS_M = ["An", "Đạt", "Dũng", "Hùng", "Huy", "Tuấn", "Hải", "Nam", "Đức", "Định", "Cường", "Long",
            "Sơn", "Thắng", "Trung", "Việt", "Khánh", "Phong", "Quân", "Toàn", "Đông", "Bình", "Lâm", "Anh"]
STATUSES = [("returned", 70), ("result_ready", 5), ("processing", 8), ("transferred", 5), ("received", 5),
            ("supplement_requested", 3), ("refused", 3), ("withdrawn", 1)]


def _weighted(pairs):
    values, weights = zip(*pairs, strict=True)
    return list(values), list(weights)


def build(rng: random.Random) -> dict:
    if CACHE.exists():
        shutil.rmtree(CACHE)
    CACHE.mkdir(parents=True)
    db = open_database(CACHE)  # the real schema, through the real migrations
    conn = db.conn
    conn.execute("PRAGMA synchronous=OFF")  # bulk build only; the app always uses FULL
    procedures = read_catalogue_file(resources_dir() / "catalogue/sample_commune_catalogue.csv", Translator()).procedures
    surnames, s_weights = _weighted(SURNAMES)
    statuses, st_weights = _weighted(STATUSES)
    start_day = datetime(2025, 7, 1, 7, 30, tzinfo=VN_TZ)
    days = 540
    per_day = N / days
    counters: dict[tuple[str, int], int] = {}
    samples: dict[str, list[str]] = {"id": [], "phone": [], "code": []}
    columns = ("id, uuid, code, unit_code, desk, procedure_code, procedure_name, processing_days, processing_hours, fee, "
               "applicant_name, applicant_id_number, applicant_birth_date, applicant_gender, applicant_address, phone, email, "
               "sets, return_channel, notes, received_at, received_ts, appointment_at, appointment_ts, status, status_at, "
               "received_by, created_at, synced_at")
    insert = f"INSERT INTO dossiers ({columns}) VALUES ({', '.join('?' * len(columns.split(', ')))})"
    batch, fts = [], []
    t0 = time.perf_counter()
    conn.execute("BEGIN")
    for i in range(1, N + 1):
        day_index = int((i - 1) / per_day)
        moment = start_day + timedelta(days=day_index, seconds=int(((i - 1) % per_day) / per_day * 9 * 3600))
        desk = rng.randint(1, 9)
        day_key = moment.strftime("%y%m%d")
        counters[(day_key, desk)] = counters.get((day_key, desk), 0) + 1
        code = dossier_code(UNIT, moment.date(), desk, counters[(day_key, desk)])
        female = rng.random() < 0.5
        name = " ".join((rng.choices(surnames, s_weights)[0],
                         rng.choice(MIDDLES_F if female else MIDDLES_M),
                         rng.choice(GIVENS_F if female else GIVENS_M)))
        year = rng.randint(1940, 2007)
        id_number = f"004{(year // 100 - 19) * 2 + female}{year % 100:02d}{rng.randint(0, 999999):06d}"
        phone = f"09{rng.randint(0, 99999999):08d}"
        proc = procedures[rng.randrange(len(procedures))]
        status = rng.choices(statuses, st_weights)[0]
        appointment = moment + timedelta(days=max(proc.processing_days, 0) * 1.4, hours=2)
        at, due = moment.isoformat(), appointment.isoformat()
        row = {"code": code, "applicant_name": name, "applicant_id_number": id_number, "phone": phone,
               "procedure_name": proc.name, "procedure_code": proc.code}
        batch.append((i, f"bench-{i}", code, UNIT, desk, proc.code, proc.name, proc.processing_days,
                      proc.processing_hours, proc.fee, name, id_number, f"{year}-01-01", "Nữ" if female else "Nam",
                      "Phường Thục Phán, Tỉnh Cao Bằng", phone, "", 1, "desk", "", at, int(moment.timestamp()), due,
                      int(appointment.timestamp()), status, at, "bench", at, at))
        folded = fts_document(row)
        fts.append((i, folded))
        if i % 997 == 0:
            samples["id"].append(id_number)
            samples["phone"].append(phone)
            samples["code"].append(code)
        if len(batch) == 50_000:
            conn.executemany(insert, batch)
            conn.executemany("INSERT INTO dossier_fts (rowid, text) VALUES (?, ?)", fts)
            batch, fts = [], []
            print(f"  built {i:,} dossiers ({time.perf_counter() - t0:.0f} s)", flush=True)
    conn.execute("COMMIT")
    conn.execute("INSERT INTO dossier_fts (dossier_fts) VALUES ('optimize')")
    conn.execute("ANALYZE")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    info = {"n": N, "samples": samples, "seconds": round(time.perf_counter() - t0, 1)}
    MARKER.write_text(json.dumps(info))
    return info


def timed(fn: Callable[[], list[Any]], repeat: int) -> tuple[list[float], list[Any]]:
    times: list[float] = []
    result: list[Any] = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - start) * 1000)
    return times, result


LIKE_COLUMNS = ("applicant_name", "applicant_id_number", "phone", "code", "procedure_name")


def like_search(conn: sqlite3.Connection, text: str, status: str | None) -> list[int]:
    """The search a user would write by hand: every word, as typed, somewhere in the row."""
    terms = text.split()
    one_term = "(" + " OR ".join(f"{column} LIKE ?" for column in LIKE_COLUMNS) + ")"
    where = " AND ".join(one_term for _ in terms) or "1"
    params: list[str] = [f"%{term}%" for term in terms for _ in LIKE_COLUMNS]
    if status:
        where += " AND status = ?"
        params.append(status)
    sql = f"SELECT id FROM dossiers WHERE {where} ORDER BY received_ts DESC, id DESC LIMIT 20"
    return [r[0] for r in conn.execute(sql, params)]


def main() -> int:
    rng = random.Random(20261118)
    info = None
    if MARKER.exists() and "--rebuild" not in sys.argv:
        info = json.loads(MARKER.read_text())
    if info is None:
        print(f"building {N:,} dossiers under {CACHE} (once; cached) ...", flush=True)
        info = build(rng)
        print(f"built in {info['seconds']} s")
    try:
        ctx = build_services(CACHE, actor="bench", create=False)
    except StoreError as exc:  # e.g. cache from a build whose migrations this build does not know
        print(f"cache unusable ({exc}); rebuilding")
        info = build(rng)
        ctx = build_services(CACHE, actor="bench", create=False)
    naive = sqlite3.connect(f"file:{CACHE / 'desk.sqlite3'}?mode=ro", uri=True)  # the same real table
    samples = info["samples"]
    qrng = random.Random(7)
    queries = [
        ("name, broad", "nguyen", None),
        ("name, full", "nguyen thi dao", None),
        ("name, đ", "Đạt", None),
        ("name, folded đ", "dat", None),
        ("name, 2 words", "tran van", None),
        ("name, Tày-Nùng", "Nông Thị Điệp", None),
        ("name + status", "hoang", "received"),
        ("name + rare status", "nguyen", "withdrawn"),
        ("ID number", qrng.choice(samples["id"]), None),
        ("ID prefix", qrng.choice(samples["id"])[:8], None),
        ("phone", qrng.choice(samples["phone"]), None),
        ("phone spaced", (lambda p: f"{p[:4]} {p[4:7]} {p[7:]}")(qrng.choice(samples["phone"])), None),
        ("code", qrng.choice(samples["code"]), None),
        ("code tail", "-".join(qrng.choice(samples["code"]).split("-")[-2:]), None),
        ("procedure", "khai sinh", None),
        ("procedure + status", "chung thuc", "processing"),
        ("status only", "", "supplement_requested"),
        ("not found", "xyzq", None),
    ]
    repeat = 15
    all_fts, all_naive, rows = [], [], []
    for label, text, status in queries:
        ctx.queue.search(text, status=status)  # warm the page cache the way a running desk is
        fts_times, result = timed(partial(ctx.queue.search, text, status=status), repeat)
        naive_times, naive_ids = timed(partial(like_search, naive, text, status), 3)
        all_fts += fts_times
        all_naive += naive_times
        rows.append((label, text, status, len(result), statistics.median(fts_times), percentile(fts_times, 95),
                     statistics.median(naive_times), len(naive_ids)))
    ctx.close()
    print(f"\n{info['n']:,} dossiers; {repeat} runs per query through QueueService.search (top 20), "
          f"LIKE '%term%' on the dossiers table 3 runs (hits: of the top 20)")
    print(f"{'query':22} {'text':28} {'status':21} {'hits':>4} {'fts p50':>8} {'fts p95':>8} "
          f"{'LIKE hits':>9} {'LIKE p50':>9}")
    for label, text, status, hits, f50, f95, n50, nhits in rows:
        print(f"{label:22} {text[:28]:28} {str(status or ''):21} {hits:4d} {f50:7.1f}ms {f95:7.1f}ms "
              f"{nhits:9d} {n50:7.1f}ms")
    f50, f95 = p50_p95(all_fts)
    n50, n95 = p50_p95(all_naive)
    missed = [label for label, _text, _status, hits, *_times, nhits in rows if hits and not nhits]
    print(f"\nFTS5 search    : p50 {f50:6.1f} ms  p95 {f95:6.1f} ms  max {max(all_fts):.1f} ms")
    print(f"LIKE on table  : p50 {n50:6.1f} ms  p95 {n95:6.1f} ms  max {max(all_naive):.1f} ms")
    print(f"ratio LIKE/FTS5: p50/p50 {n50 / f50:.1f}x  p95/p95 {n95 / f95:.1f}x")
    print(f"queries where LIKE finds nothing and FTS5 does: {len(missed)} of {len(rows)} ({', '.join(missed)})")
    return verdict(f95, 100)


if __name__ == "__main__":
    raise SystemExit(main())
