"""Every queue filter reads few rows: the planner's choice checked with EXPLAIN QUERY PLAN on a
real database (ANALYZE'd like the migration does), and the results checked against a plain
reading of the same rows."""

from __future__ import annotations

import itertools
import random
import sqlite3
from datetime import date, datetime, timedelta

import pytest

from desk_app.domain.calendar import VN_TZ
from desk_app.domain.dossier import STATUS_LABELS
from desk_app.store.queue_plan import QueueFilter, filter_clauses
from desk_app.store.search_index import fts_document

VIEWS = ("all", "due", "overdue", "returned", "unsynced", "open")
NOW = datetime(2026, 11, 18, 9, 30, tzinfo=VN_TZ)
ROWS = 60000  # far more than FEW_ROWS, so both plans occur and a full scan would show


@pytest.fixture(scope="module", params=["analyzed", "stats of an empty desk"])
def store(request, tmp_path_factory):
    """A desk with ROWS dossiers, with the planner's statistics taken at that size, or (as on a
    real desk, whose migrations ran when it was empty) none since."""
    from desk_app.services.context import build_services

    ctx = build_services(tmp_path_factory.mktemp("plans") / "data", actor="t")
    ctx.setup.configure(unit_code="000.31.14.H14", desk=1, commune_code="01273")
    conn = sqlite3.connect(ctx.store.path / "desk.sqlite3")
    rng = random.Random(7)
    # As at a real desk: dossiers of the last month are mostly open, older ones mostly final,
    # a few stuck open; every 3rd not yet confirmed by the province.
    recent = ["received", "transferred", "processing", "supplement_requested", "result_ready", "returned"]
    old = ["returned"] * 90 + ["refused"] * 5 + ["withdrawn"] * 3 + ["received", "processing"]
    names = ["Nguyễn Văn An", "Trần Thị Đào", "Lê Hoàng Nam", "Hà Thị Lan", "Nông Văn Sơn"]
    rows, fts = [], []
    for i in range(1, ROWS + 1):
        moment = NOW - timedelta(minutes=(ROWS - i) * 10)
        due = moment + timedelta(days=rng.randint(0, 15))
        status = rng.choice(recent if NOW - moment < timedelta(days=30) else old)
        record = {"code": f"000.31.14.H14-{moment:%y%m%d}-1{i:05d}", "applicant_name": rng.choice(names),
                  "applicant_id_number": f"0040990{i:05d}", "phone": "", "procedure_name": "Đăng ký khai sinh",
                  "procedure_code": "1.001193.000.00.00.H14"}
        rows.append((i, f"u{i}", record["code"], "000.31.14.H14", 1, record["procedure_code"], record["procedure_name"],
                     5, None, 0, record["applicant_name"], record["applicant_id_number"], "", "", "", "", "", 1, "desk", "",
                     moment.isoformat(), int(moment.timestamp()), due.isoformat(), int(due.timestamp()), status,
                     moment.isoformat(), "t", moment.isoformat(), moment.isoformat() if i % 3 or i < ROWS - 3000 else None))
        fts.append((i, fts_document(record)))
    conn.executemany(
        "INSERT INTO dossiers (id, uuid, code, unit_code, desk, procedure_code, procedure_name, processing_days, "
        "processing_hours, fee, applicant_name, applicant_id_number, applicant_birth_date, applicant_gender, "
        "applicant_address, phone, email, sets, return_channel, notes, received_at, received_ts, appointment_at, "
        "appointment_ts, status, status_at, received_by, created_at, synced_at) VALUES "
        f"({', '.join('?' * 29)})", rows)
    conn.executemany("INSERT INTO dossier_fts (rowid, text) VALUES (?, ?)", fts)
    if request.param == "analyzed":
        conn.execute("ANALYZE")
    conn.commit()
    conn.close()
    ctx.store.db.conn.execute("ANALYZE sqlite_master")  # reload the statistics on the store's connection
    yield ctx.store
    ctx.close()


def _filter(view, status, dates, text):
    day_end = NOW.replace(hour=23, minute=59, second=59)
    return QueueFilter(
        text=text, status=status, view=view, now_ts=int(NOW.timestamp()), day_end_ts=int(day_end.timestamp()),
        date_from=date(2026, 5, 1) if dates else None, date_to=date(2026, 10, 31) if dates else None,
    )


# "nguyen": 12,000 hits (the search index walked); "0040990012": 100 (each hit's row checked,
# the hits split over connections read at once).
CASES = list(itertools.product(VIEWS, (None, *STATUS_LABELS), (False, True), ("", "nguyen", "zzz", "0040990012")))


def _naive(store, flt):
    """The same rows by reading every dossier (the reference, no plan)."""
    from desk_app.store.search_index import fts_query

    clauses, params = filter_clauses(flt)  # the filter under test, read naively
    sql = "SELECT d.id FROM dossiers d" + (f" WHERE {' AND '.join(clauses)}" if clauses else "")
    ids = {r[0] for r in store.db.conn.execute(sql, params)}
    if flt.text:
        hits = {r[0] for r in store.db.conn.execute(
            "SELECT rowid FROM dossier_fts WHERE dossier_fts MATCH ?", [fts_query(flt.text)])}
        ids &= hits
    return ids


@pytest.mark.parametrize("view,status,dates,text", CASES[::7] + [("all", "withdrawn", False, ""), ("due", None, False, "nguyen")])
def test_results_equal_a_plain_reading(store, view, status, dates, text):
    flt = _filter(view, status, dates, text)
    expected = _naive(store, flt)
    page = store.queue_page(flt, limit=100)
    assert store.queue_count(flt) == len(expected)
    assert {r["id"] for r in page} <= expected and len(page) == min(100, len(expected))
    keys = [(r["received_ts"], r["id"]) for r in page]
    if text:  # entry order, newest first
        assert [r["id"] for r in page] == sorted((r["id"] for r in page), reverse=True)
    else:
        assert keys == sorted(keys, reverse=True)
    if page:  # the next page continues exactly where this one stopped
        rest = store.queue_page(flt, after=keys[-1], limit=ROWS)
        assert {r["id"] for r in page} | {r["id"] for r in rest} == expected


@pytest.mark.parametrize("view,status,dates,text", CASES)
def test_no_plan_sorts_or_scans_many_rows(store, view, status, dates, text):
    flt = _filter(view, status, dates, text)
    plan = " | ".join(store.queue_reader.explain(flt))
    few = store.queue_reader.filter_few(flt)
    assert "SCAN d" not in plan or "INDEX" in plan, plan  # never a full table scan
    if few:  # read through the filter's own index, never by walking every dossier in order
        # (or by reading a partial index that holds just the not-yet-synced dossiers)
        assert plan.startswith(("SEARCH d USING", "SCAN d USING COVERING INDEX dossiers_unsynced")), plan
    if "TEMP B-TREE" in plan:
        # Sorting is only for filters that match few rows (at most FEW_ROWS, read by index).
        assert few, plan
    if text and not few and filter_clauses(flt)[0] and store.queue_reader.text_few(flt):
        # A few hits (at most FEW_HITS), each checked in its row, newest first: no sort, no index.
        assert plan.startswith("SEARCH d USING INTEGER PRIMARY KEY (rowid=?)"), plan
        assert "INDEX dossiers" not in plan, plan
    elif text and not few:
        assert plan.startswith("SCAN f VIRTUAL TABLE INDEX"), plan  # the search index's rowids, backwards
        # Each hit is checked inside an index holding the filter's columns, not its table row
        # (a disk read per hit when cold: 0.25 s for a status with common text at 1M).
        probe = "dossiers_status_id" if status or view == "returned" else "dossiers_filter"
        if filter_clauses(flt)[0]:
            assert plan.split(" | ")[1].startswith(f"SEARCH d USING COVERING INDEX {probe} "), plan
        else:  # nothing to check: the search index alone
            assert " | " not in plan, plan
    if not text:
        # The page's ids come from indexes alone; the columns are read for those rows only.
        assert "COVERING INDEX" in plan or "INTEGER PRIMARY KEY" in plan, plan


@pytest.mark.parametrize("view,status,dates", list(itertools.product(VIEWS, (None, *STATUS_LABELS), (False, True))))
def test_the_few_rows_check_reads_indexes_only(store, view, status, dates):
    """Whether a filter matches few dossiers is counted (up to FEW_ROWS + 1) from an index that
    holds every column the filter names: "due" with dates read 5,000 table rows (0.3 s cold)."""
    plan = store.queue_reader.explain_few_check(_filter(view, status, dates, ""))
    for step in plan:
        assert "COVERING INDEX" in step or not step.startswith(("SEARCH d", "SCAN d")), plan


def test_few_hits_are_checked_on_several_connections_with_the_same_rows(store, monkeypatch):
    import desk_app.store.queue_reader as queue_reader

    flt = _filter("all", None, True, "00409900")  # 10,000 ids: more than FEW_HITS, the index walked
    assert not store.queue_reader.text_few(flt)
    flt = _filter("returned", None, False, "004099001")  # 1,000 hits, old dossiers, mostly returned
    assert store.queue_reader.text_few(flt) and not store.queue_reader.filter_few(flt)
    split_page, split_count = store.queue_page(flt, limit=50), store.queue_count(flt)
    assert store.queue_reader._fan_out is not None and len(store.queue_reader._fan_out._all) > 1  # it really ran in parts
    monkeypatch.setattr(queue_reader, "FAN_OUT_HITS", 10**9)  # one connection
    assert store.queue_page(flt, limit=50) == split_page and store.queue_count(flt) == split_count
    assert split_count == len(_naive(store, flt)) > 50
    monkeypatch.undo()
    # Inside a transaction the other connections would not see its changes: read on this one.
    conn = store.db.conn
    newest = split_page[0]["id"]
    conn.execute("BEGIN")
    try:
        conn.execute("UPDATE dossiers SET status = 'withdrawn' WHERE id = ?", (newest,))
        assert newest not in {r["id"] for r in store.queue_page(flt, limit=50)}
        assert store.queue_count(flt) == split_count - 1
    finally:
        conn.execute("ROLLBACK")
    assert store.queue_page(flt, limit=50) == split_page
