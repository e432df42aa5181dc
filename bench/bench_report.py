"""The period report (``desk report``, the dashboard's figures) for 30 days over 1,000,000 dossiers.

    .venv/bin/python bench/bench_report.py [--rows 1000000] [--rebuild] [--runs 15]

1. Builds (once; cached under bench/.cache/) the queue benchmark's database (bench_queue_page:
   real schema, N dossiers, 900 a day) and adds what a report reads: each dossier's received
   event, result-ready events (on time or late) for the dossiers that reached them, returned
   and refused events, a page row for 4 dossiers in 5, and province confirmations for the
   dossiers already returned. The report's triggers (migration 0006d) keep its daily figures
   as these rows go in, as they do at the counter.
2. Times, interleaved run by run: the report service for the latest 30 days (what the
   dashboard loads, target p95 <= 500 ms), the floor (one indexed count of the period's
   dossiers) and the naive way (reading every dossier and status event of the period, as the
   first version of the report did). Then `desk report` as a whole process (start-up
   included, target <= 1 s). CPU time is printed beside wall time: on a shared, loaded
   machine (see load_average) wall time measures the queue for the CPU as much as the work.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sqlite3
import statistics
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

SERVICE_TARGET_MS = 500
CLI_TARGET_MS = 1000
DAYS = 30


def add_report_data(data_dir: Path) -> None:
    t0 = time.perf_counter()
    conn = sqlite3.connect(data_dir / "desk.sqlite3")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA cache_size = -200000")
    local = "strftime('%Y-%m-%dT%H:%M:%S+07:00', {ts} + 25200, 'unixepoch')"
    conn.execute(
        "INSERT INTO dossier_events (uuid, dossier_id, status, at, actor) "
        "SELECT 'r-' || id, id, 'received', received_at, received_by FROM dossiers"
    )
    # Result ready for dossiers now result_ready or returned: 4 in 5 before the appointment.
    ready = "CASE WHEN id % 5 = 0 THEN appointment_ts + 86400 ELSE appointment_ts - 3600 END"
    conn.execute(
        "INSERT INTO dossier_events (uuid, dossier_id, status, at, actor) "
        f"SELECT 'k-' || id, id, 'result_ready', {local.format(ts=ready)}, 'Cán bộ ' || (id % 3 + 1) "
        "FROM dossiers WHERE status IN ('result_ready', 'returned')"
    )
    conn.execute(
        "INSERT INTO dossier_events (uuid, dossier_id, status, at, actor) "
        f"SELECT 't-' || id, id, 'returned', {local.format(ts=ready + ' + 7200')}, received_by "
        "FROM dossiers WHERE status = 'returned'"
    )
    conn.execute(
        "INSERT INTO dossier_events (uuid, dossier_id, status, at, actor) "
        f"SELECT 'f-' || id, id, 'refused', {local.format(ts='received_ts + 86400')}, 'Cán bộ 1' "
        "FROM dossiers WHERE status = 'refused'"
    )
    conn.execute(
        "INSERT INTO dossier_pages (dossier_id, document, page_no, sha256, bytes, mode, width, height, dpi, batch, created_at) "
        "SELECT id, 'Tờ khai', 1, printf('%064x', id), 60000, 'text', 1654, 2339, 200, 'b', received_at "
        "FROM dossiers WHERE id % 5 != 0"
    )
    conn.commit()
    conn.execute("ANALYZE")
    conn.commit()
    events = conn.execute("SELECT count(*) FROM dossier_events").fetchone()[0]
    conn.close()
    print(f"added {events:,} events and the page rows in {time.perf_counter() - t0:.1f} s")


def cached_database(rows: int, rebuild: bool) -> Path:
    import bench_queue_page as queue_bench

    data_dir = queue_bench.CACHE / f"report_{rows}"
    marker = data_dir / "bench-schema.txt"
    key = f"{rows}|{queue_bench.schema_key()}|report-2"
    if rebuild or not marker.exists() or marker.read_text() != key:
        if data_dir.exists():
            for path in sorted(data_dir.rglob("*"), reverse=True):
                path.unlink() if path.is_file() else path.rmdir()
        data_dir.mkdir(parents=True, exist_ok=True)
        queue_bench.build_database(data_dir, rows)
        add_report_data(data_dir)
        marker.write_text(key)
    return data_dir


def period_of(data_dir: Path) -> tuple[date, date]:
    conn = sqlite3.connect(data_dir / "desk.sqlite3")
    last = conn.execute("SELECT max(received_at) FROM dossiers").fetchone()[0]
    conn.close()
    end = date.fromisoformat(last[:10])
    return end - timedelta(days=DAYS - 1), end


# The direct way (the first version of the report): read every dossier and status event of the
# period (with their procedure, person and appointment) and count them.
NAIVE_DOSSIERS = """
    SELECT id, procedure_code, received_by, received_ts, status, synced_at IS NULL,
           EXISTS (SELECT 1 FROM dossier_pages p WHERE p.dossier_id = d.id)
    FROM dossiers d WHERE received_ts >= ? AND received_ts < ?"""
NAIVE_EVENTS = """
    SELECT e.status, e.dossier_id, e.actor, unixepoch(e.at) <= d.appointment_ts, d.procedure_code
    FROM dossier_events e JOIN dossiers d ON d.id = e.dossier_id
    WHERE e.status IN ('result_ready', 'returned', 'refused') AND e.at >= ? AND e.at < ?"""


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    data_dir = cached_database(args.rows, args.rebuild)
    start, end = period_of(data_dir)

    from desk_app.services.context import build_services
    from desk_app.store.queue_plan import day_start_ts

    ctx = build_services(data_dir, actor="bench")
    conn = ctx.store.db.conn
    lo, hi = day_start_ts(start), day_start_ts(end + timedelta(days=1))
    service, service_cpu, floor, naive = [], [], [], []
    report = None
    for _ in range(args.runs):
        t0, c0 = time.perf_counter(), time.process_time()
        report = ctx.reports.report(start, end)
        service.append((time.perf_counter() - t0) * 1000)
        service_cpu.append((time.process_time() - c0) * 1000)
        t0 = time.perf_counter()
        conn.execute("SELECT count(*) FROM dossiers WHERE received_ts >= ? AND received_ts < ?", (lo, hi)).fetchone()
        floor.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        conn.execute(NAIVE_DOSSIERS, (lo, hi)).fetchall()
        conn.execute(NAIVE_EVENTS, (start.isoformat(), (end + timedelta(days=1)).isoformat())).fetchall()
        naive.append((time.perf_counter() - t0) * 1000)
    ctx.close()

    cli, cli_cpu = [], []
    for _ in range(5):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        done = subprocess.run(
            [sys.executable, "-m", "desk_app", "report", "--data", str(data_dir), "--from", start.isoformat(),
             "--to", end.isoformat()],
            capture_output=True, text=True, cwd=ROOT,
        )
        cli.append((time.perf_counter() - t0) * 1000)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cli_cpu.append((after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime) * 1000)
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout)["received"] == report["received"]

    figures = {
        "rows": args.rows,
        "period": f"{start} .. {end}",
        "received": report["received"],
        "processed": report["processed"],
        "service_ms": {"median": round(statistics.median(service), 1), "p95": round(p95(service), 1),
                       "cpu_median": round(statistics.median(service_cpu), 1)},
        "floor_ms": {"median": round(statistics.median(floor), 2)},
        "naive_ms": {"median": round(statistics.median(naive), 1)},
        "desk_report_ms": {"median": round(statistics.median(cli), 1), "max": round(max(cli), 1),
                           "cpu_median": round(statistics.median(cli_cpu), 1)},
        "load_average": [round(x, 1) for x in os.getloadavg()],
    }
    figures["service_vs_floor"] = round(figures["service_ms"]["median"] / max(figures["floor_ms"]["median"], 0.01), 1)
    figures["naive_vs_service"] = round(figures["naive_ms"]["median"] / max(figures["service_ms"]["median"], 0.01), 1)
    print(json.dumps(figures, indent=2, ensure_ascii=False))
    ok = figures["service_ms"]["p95"] <= SERVICE_TARGET_MS and figures["desk_report_ms"]["max"] <= CLI_TARGET_MS
    print(f"targets: dashboard figures p95 <= {SERVICE_TARGET_MS} ms, desk report <= {CLI_TARGET_MS} ms: "
          f"{'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
