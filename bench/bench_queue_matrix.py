"""Every queue filter at a million dossiers: first page (200 rows) and count, for every
view x status x date range x text, warm and cold (OS cache dropped, new connection), against the
plan the queue used before (one query, SQLite's own choice), interleaved cell by cell; warm
runs follow one untimed run of each query.

    .venv/bin/python bench/bench_queue_matrix.py [--rows 1000000] [--cold-cells 324]

Goals: first page <= 100 ms p95 cold and <= 50 ms warm in every cell; counts <= 50 ms
(or the queue shows "counting" while they finish on the reader thread). The database is the one
bench_queue_page.py builds (cached under bench/.cache/). Cold needs root (drop_caches).
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import statistics
import sys
import time
from datetime import date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_queue_page import cached_database  # noqa: E402

from desk_app.domain.calendar import VN_TZ  # noqa: E402
from desk_app.domain.dossier import STATUS_LABELS  # noqa: E402
from desk_app.store.desk_store import DeskStore  # noqa: E402
from desk_app.store.queue_plan import (  # noqa: E402
    LIST_COLUMNS,
    QueueFilter,
    filter_clauses,
)
from desk_app.store.search_index import fts_query  # noqa: E402

VIEWS = ("all", "due", "overdue", "returned", "unsynced", "open")
TEXTS = ("", "nguyen", "nguyen thi dao")
NOW = datetime(2026, 11, 18, 9, 30, tzinfo=VN_TZ)
REPEAT = 5
COLD_REPEAT = 5  # cold samples of each of the slowest cells
OLD_REPEAT = 1  # the old query takes up to seconds per cell: once, interleaved with ours


def make_filter(view, status, dates, text) -> QueueFilter:
    day_end = NOW.replace(hour=23, minute=59, second=59)
    return QueueFilter(
        text=text, status=status, view=view, now_ts=int(NOW.timestamp()), day_end_ts=int(day_end.timestamp()),
        date_from=date(2026, 10, 1) if dates else None, date_to=date(2026, 10, 31) if dates else None,
    )


def before_change(store: DeskStore, flt: QueueFilter) -> str:
    """The queue's first-page query before the planner (SQLite's own choice of index)."""
    clauses, params = filter_clauses(flt)  # the same filter, the old single query
    query = fts_query(flt.text) if flt.text else None
    cols = ", ".join(f"d.{c.strip()}" for c in LIST_COLUMNS.split(","))
    if query:
        where = " AND ".join(["dossier_fts MATCH ?", *clauses])
        return (
            f"SELECT {cols} FROM dossier_fts f JOIN dossiers d ON d.id = f.rowid WHERE {where} ORDER BY f.rowid DESC LIMIT 200",
            [query, *params],
        )
    where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
    return f"SELECT {cols} FROM dossiers d{where} ORDER BY d.received_ts DESC, d.id DESC LIMIT 200", params


def drop_caches() -> bool:
    try:
        os.sync()
        Path("/proc/sys/vm/drop_caches").write_text("3\n")
        return True
    except OSError:
        return False


def ms(fn) -> float:
    t = time.perf_counter()
    fn()
    return (time.perf_counter() - t) * 1000


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--cold-cells", type=int, default=324, help="cells measured cold (all; fewer: the worst warm + a sample)")
    parser.add_argument("--cells", type=int, default=0, help="measure a random sample of N cells (0: all 324)")
    args = parser.parse_args()
    data_dir = cached_database(args.rows, False)
    store = DeskStore.open(data_dir, create=False)  # runs this build's migrations (indexes, ANALYZE) once
    cells = list(itertools.product(VIEWS, (None, *STATUS_LABELS), (False, True), TEXTS))
    if args.cells:
        # The cells the issue names (a status with no match, text + due today) always, then a
        # sample.
        named = [("all", "withdrawn", False, ""), ("due", None, False, "nguyen"), ("all", None, False, "nguyen")]
        cells = named + random.Random(2).sample([c for c in cells if c not in named], args.cells - len(named))
    print(f"{len(cells)} cells over {args.rows:,} dossiers; warm = p95 of {REPEAT} (old query: {OLD_REPEAT}), interleaved")
    warm: dict[tuple, tuple[float, float, float]] = {}
    for cell in cells:
        flt = make_filter(*cell)
        old_sql, old_params = before_change(store, flt)
        ours, theirs, counts = [], [], []
        # Warm means warm: each query once untimed first (its pages read into the OS cache;
        # the cold runs below, or the runs before, may have dropped them).
        store.queue_page(flt, limit=200)
        store.db.conn.execute(old_sql, old_params).fetchall()
        for i in range(REPEAT):
            ours.append(ms(lambda: store.queue_page(flt, limit=200)))
            if i < OLD_REPEAT:
                theirs.append(ms(lambda: store.db.conn.execute(old_sql, old_params).fetchall()))
        counts.append(ms(lambda: store.queue_count(flt)))
        p95 = lambda v: sorted(v)[max(0, round(0.95 * len(v)) - 1)]  # noqa: E731
        warm[cell] = (p95(ours), p95(theirs), max(counts))
        if len(warm) % 27 == 0:
            print(f"  {len(warm)} cells done", flush=True)
    store.close()

    def name(cell):
        view, status, dates, text = cell
        return f"{view}/{status or '-'}/{'Oct' if dates else 'all dates'}/{text or '-'}"

    worst = sorted(warm.items(), key=lambda kv: kv[1][0], reverse=True)
    print("\nslowest warm first pages (ours ms | before ms | count ms):")
    for cell, (o, b, c) in worst[:8]:
        print(f"  {name(cell):<48} {o:8.1f} | {b:8.1f} | {c:8.1f}")
    slow_before = sorted(warm.items(), key=lambda kv: kv[1][1], reverse=True)[:5]
    print("slowest cells of the old query (ours | before):")
    for cell, (o, b, _c) in slow_before:
        print(f"  {name(cell):<48} {o:8.1f} | {b:8.1f}")
    all_ours = [v[0] for v in warm.values()]
    all_before = [v[1] for v in warm.values()]
    counts = [v[2] for v in warm.values()]
    print(f"warm first page: max {max(all_ours):.1f} ms, p95 over cells {statistics.quantiles(all_ours, n=20)[-1]:.1f} ms "
          f"(goal <= 50); before: max {max(all_before):.1f} ms -> worst-cell ratio {max(all_before) / max(all_ours):.1f}x")
    print(f"counts: max {max(counts):.1f} ms; {sum(c > 50 for c in counts)} of {len(counts)} cells over 50 ms "
          "(the queue shows 'Đang đếm…' with the loaded rows meanwhile)")

    if not drop_caches():
        print("\ncold: cannot drop the OS cache (needs root); skipped")
        return 0

    def cold(cell) -> float:
        drop_caches()
        fresh = DeskStore.open(data_dir, create=False)
        try:
            return ms(lambda: fresh.queue_page(make_filter(*cell), limit=200))
        finally:
            fresh.close()

    # Every cell once (or a sample: --cold-cells), then the slowest again until each has
    # COLD_REPEAT samples, in rounds, so one disturbed moment does not decide a cell.
    rng = random.Random(1)
    sample = cells if args.cold_cells >= len(cells) else [c for c, _ in worst[:10]] + rng.sample(
        [c for c, _ in worst[10:]], max(0, args.cold_cells - 10))
    once = sorted(((cold(cell), cell) for cell in sample), key=lambda vc: vc[0], reverse=True)
    values = [v for v, _ in once]
    print(f"\ncold (OS cache dropped, new connection), {len(once)} cells once each: max {values[0]:.1f} ms "
          f"({name(once[0][1])}), p95 over cells {statistics.quantiles(values, n=20)[-1]:.1f} ms, "
          f"median {statistics.median(values):.1f} ms")
    slowest = {cell: [v] for v, cell in once[:10]}
    for _ in range(COLD_REPEAT - 1):
        for cell, samples in slowest.items():
            samples.append(cold(cell))
    print(f"the 10 slowest again, {COLD_REPEAT} samples each (median | max ms; goal: p95 <= 100 in every cell):")
    for cell, samples in sorted(slowest.items(), key=lambda kv: statistics.median(kv[1]), reverse=True):
        print(f"  {name(cell):<48} {statistics.median(samples):8.1f} | {max(samples):8.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
