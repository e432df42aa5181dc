"""How the queue is read: the filter a user sets (``QueueFilter``) and the SQL plan chosen for it
(``plan_queue``), so every view x status x dates x text combination reads few rows at a million
dossiers. Pure: the caller (``DeskStore``) runs the SQL. No Qt."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from desk_app.domain.dossier import AWAITING_RESULT, OPEN_STATUSES, RETURNED
from desk_app.store.search_index import fts_query

LIST_COLUMNS = (
    "id, code, applicant_name, applicant_id_number, phone, procedure_name, received_at, "
    "received_ts, appointment_at, appointment_ts, status, synced_at"
)


@dataclass(frozen=True)
class QueueFilter:
    """What the queue shows. ``view``: all, due (today), overdue, returned, unsynced, open."""

    text: str = ""
    status: str | None = None
    view: str = "all"
    date_from: date | None = None  # received on or after (local date)
    date_to: date | None = None  # received on or before
    now_ts: int = 0  # for due/overdue: the caller's clock, so tests and UI agree
    day_end_ts: int = 0


# Views that name their statuses (filter_clauses).
STATUS_VIEWS = frozenset({"due", "overdue", "returned", "open"})

# A filter matching at most this many dossiers is read through its own index and sorted (a few
# ms at 1M); a broader one is walked in order instead (see plan_queue).
FEW_ROWS = 5000
# A search with at most this many hits has each hit checked in its table row, the hits split
# over several connections read at once (store/fan_out.py): cold, a hit this sparse costs a disk
# read wherever it is checked, and the row read for the check is the row the page shows. Denser
# hits share the filter index's pages instead (docs/queue-speed.md).
FEW_HITS = 1000


@dataclass(frozen=True)
class QueuePlan:
    source: str
    clauses: list[str]
    params: list[Any]
    order: str
    keyset: str  # the condition that continues after the last row of a page
    text: bool  # keyset by id (entry order) rather than (received_ts, id)
    key: str = "d.id"  # the dossier id in ``source``
    # A search's few hits, checked in their rows: the first clause's parameter is their JSON
    # list, and the check may be split over parts of it run at once (store/fan_out.py).
    hits: tuple[int, ...] | None = None

    def keys(self, clauses: list[str]) -> str:
        """The page's dossier ids in order, read from indexes only where the plan allows: the
        part of the query that decides its cost (``QueueReader.explain`` shows its plan)."""
        return f"SELECT {self.key} AS id FROM {self.source}{_where(clauses)} ORDER BY {self.order} LIMIT ?"

    def count(self, clauses: list[str]) -> str:
        return f"SELECT count(*) AS n FROM {self.source}{_where(clauses)}"

    def page(self, clauses: list[str]) -> str:
        """The page's rows (LIMIT is the last parameter). The columns are fetched for those rows
        only, after the filter and the order were settled on indexes: fetching them first reads
        a table row per candidate (up to FEW_ROWS sorted, or every search hit checked), which is
        what a cold disk pays for."""
        cols = ", ".join(f"o.{c.strip()}" for c in LIST_COLUMNS.split(","))
        order = "o.id DESC" if self.text else "o.received_ts DESC, o.id DESC"
        return f"SELECT {cols} FROM ({self.keys(clauses)}) k JOIN dossiers o ON o.id = k.id ORDER BY {order}"


def _where(clauses: list[str]) -> str:
    return f" WHERE {' AND '.join(clauses)}" if clauses else ""


def sql_list(statuses: Iterable[str]) -> str:
    """``('a', 'b')`` for an IN clause, from the domain's status sets (OPEN_STATUSES,
    AWAITING_RESULT): status keys are fixed identifiers, never user input."""
    return "(" + ", ".join(f"'{status}'" for status in sorted(statuses)) + ")"


def day_start_ts(day: date) -> int:
    from desk_app.domain.calendar import VN_TZ

    return int(datetime.combine(day, datetime.min.time(), VN_TZ).timestamp())


def filter_clauses(flt: QueueFilter) -> tuple[list[str], list[Any]]:
    """The filter's conditions on ``dossiers d`` (everything but the text)."""
    clauses: list[str] = []
    params: list[Any] = []
    if flt.status:
        clauses.append("d.status = ?")
        params.append(flt.status)
    open_statuses = sql_list(OPEN_STATUSES)
    if flt.view == "due":
        clauses.append(f"d.status IN {open_statuses} AND d.appointment_ts >= ? AND d.appointment_ts <= ?")
        params += [flt.now_ts, flt.day_end_ts]
    elif flt.view == "overdue":  # a result ready (or handed back) is not late
        clauses.append(f"d.status IN {sql_list(AWAITING_RESULT)} AND d.appointment_ts < ?")
        params.append(flt.now_ts)
    elif flt.view == "returned":
        clauses.append(f"d.status = '{RETURNED}'")
    elif flt.view == "unsynced":
        clauses.append("d.synced_at IS NULL")
    elif flt.view == "open":
        clauses.append(f"d.status IN {open_statuses}")
    if flt.date_from:
        clauses.append("d.received_ts >= ?")
        params.append(day_start_ts(flt.date_from))
    if flt.date_to:
        clauses.append("d.received_ts < ?")
        params.append(day_start_ts(flt.date_to) + 86400)
    return clauses, params


def filter_index(flt: QueueFilter) -> str | None:
    """The index that finds the filter's dossiers (without the text) directly, holding every
    column the filter names (migration 0013). Chosen here rather than by SQLite, whose choice
    rests on statistics taken when the migrations ran, often on an empty desk."""
    dated = bool(flt.date_from or flt.date_to)
    if flt.view == "unsynced":
        return "dossiers_unsynced_status" if flt.status else "dossiers_unsynced_received"
    if flt.view == "due" or (flt.view == "overdue" and not dated):
        return "dossiers_status_due"  # the day's appointments; "overdue" without dates: all past ones
    if flt.status or flt.view in STATUS_VIEWS:
        return "dossiers_status_received"
    return "dossiers_received" if dated else None


def filter_source(flt: QueueFilter) -> str:
    return _dossiers_by(filter_index(flt))


def _dossiers_by(index: str | None) -> str:
    return f"dossiers d INDEXED BY {index}" if index else "dossiers d"


def walk_index(flt: QueueFilter) -> str:
    """The index to walk newest first when the filter matches many dossiers: already in the
    wanted order, holding the filter's columns (a status has its own stretch)."""
    if flt.view == "unsynced":
        return "dossiers_unsynced_status" if flt.status else "dossiers_unsynced_received"
    return "dossiers_status_received" if flt.status else "dossiers_received"


def probe_index(flt: QueueFilter) -> str:
    """The index each search hit is checked in: with one status, that status's own stretch of
    ids (a few dense pages); otherwise by id, one probe per hit (a list of statuses would cost a
    probe per status)."""
    return "dossiers_status_id" if flt.status or flt.view == "returned" else "dossiers_filter"


def plan_queue(
    flt: QueueFilter,
    few_rows: Callable[[str, list[str], list[Any]], bool],
    few_hits: Callable[[str], list[int] | None],
) -> QueuePlan:
    """How to read the queue for ``flt``, chosen so every view x status x dates x text
    combination reads few rows (tests/store/test_queue_plans.py checks EXPLAIN QUERY PLAN,
    bench/bench_queue_matrix.py the times). ``few_rows(source, clauses, params)`` says whether
    the filter alone matches at most FEW_ROWS dossiers; ``few_hits(query)`` gives the search's
    hits newest first when there are at most FEW_HITS of them, else None:

    - a filter that matches few dossiers (<= FEW_ROWS) is read through its own index and
      sorted; with text, the candidates are checked against the search's hits, read once;
    - a broader filter with a search of few hits: each hit, newest first, is checked in its
      table row until a page is full;
    - otherwise the rows are walked in the wanted order (the received-time index, or the
      status index that holds that order; with text, the search index's rowids backwards)
      and the filter is checked on the way, which finds a page after about page/share rows.

    Every index named here holds the filter's columns, so the page's ids come from indexes
    alone and the table is read for the page's rows only (``QueuePlan.page``).
    """
    clauses, params = filter_clauses(flt)
    query = fts_query(flt.text) if flt.text else None
    source = filter_source(flt)
    few = bool(clauses) and few_rows(source, clauses, params)
    if query and few:
        # The search's hits are read once into a set the few candidates are checked against:
        # a per-row probe re-expands every prefix term (~2 ms each, 11 s for 5000 rows).
        clauses.append("+d.id IN (SELECT rowid FROM dossier_fts WHERE dossier_fts MATCH ?)")
        return QueuePlan(source, clauses, [*params, query], "+d.id DESC", "d.id < ?", text=True)
    hits = few_hits(query) if query and clauses else None
    if hits is not None:
        # NOT INDEXED: the rows by rowid, in the list's order backwards, stopping at the page's
        # end; never a filter index (a probe per hit, then the row again for the page).
        return QueuePlan(
            "dossiers d NOT INDEXED", ["d.id IN (SELECT value FROM json_each(?))", *clauses], [json.dumps(hits), *params],
            "d.id DESC", "d.id < ?", text=True, hits=tuple(hits),
        )
    if query:
        # Each hit is checked against the filter inside an index that holds the filter's
        # columns, never in its table row: at 1M a hit's row is a disk read of its own when cold.
        # Without a filter the search index alone answers (its rowids are the dossiers' ids,
        # written in the same transaction as the dossier, which is never deleted).
        source = f"dossier_fts f JOIN dossiers d INDEXED BY {probe_index(flt)} ON d.id = f.rowid" if clauses else "dossier_fts f"
        return QueuePlan(
            source, ["dossier_fts MATCH ?", *clauses], [query, *params], "f.rowid DESC", "f.rowid < ?", text=True, key="f.rowid",
        )
    keyset = "(d.received_ts, d.id) < (?, ?)"
    if few or not clauses:
        # The unary + keeps SQLite from reading a big index in order when the filter's own
        # index finds the few rows at once.
        order = "+d.received_ts DESC, +d.id DESC" if few else "d.received_ts DESC, d.id DESC"
        return QueuePlan(source, clauses, params, order, keyset, text=False)
    # Many rows: walk an index that is already in the wanted order, or SQLite may scan the
    # table and sort (seen for "open").
    return QueuePlan(_dossiers_by(walk_index(flt)), clauses, params, "d.received_ts DESC, d.id DESC", keyset, text=False)
