"""Reading the queue: one page of dossiers for a filter, its count and the plans behind them
(``queue_plan.plan_queue`` chooses; this runs the SQL), at a million dossiers
(docs/queue-speed.md). Part of the store, on the store's thread (never the UI thread); loaded at
the first queue read (``DeskStore.queue_reader``), so its modules stay off the start-up path."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from desk_app.store.database import DB_FILENAME, Params, read_rows, translate_sqlite_error
from desk_app.store.fan_out import FanOut, split
from desk_app.store.queue_plan import (
    FEW_HITS,
    FEW_ROWS,
    QueueFilter,
    QueuePlan,
    filter_clauses,
    filter_source,
    plan_queue,
)
from desk_app.store.search_index import fts_query
from desk_app.store.sqlite_db import Database

# Fewer hits than this are checked on this connection alone: cold that is ~10 ms at most, and
# warm a split costs more than it saves.
FAN_OUT_HITS = 64


class QueueReader:
    """The queue reads of one store connection (``db``), plus the fan-out's own read-only
    connections, opened at the first search that needs them and closed with the store."""

    def __init__(self, db: Database, path: Path):
        self.db = db
        self.path = path
        self._fan_out: FanOut | None = None

    def close(self) -> None:
        if self._fan_out is not None:
            self._fan_out.close()

    def _read(self, sql: str, params: Params = ()) -> list[dict[str, Any]]:
        return read_rows(self.db, sql, params, self.path)

    def _few(self, source: str, clauses: list[str], params: list[Any]) -> bool:
        """Whether the filter alone matches at most FEW_ROWS dossiers: counted through the
        filter's own index and stopped at FEW_ROWS + 1, so the answer costs a few ms."""
        return bool(self._read(_few_check(source, clauses), [*params, FEW_ROWS + 1])[0]["n"] <= FEW_ROWS)

    def _few_hits(self, query: str) -> list[int] | None:
        """The search's hits, newest first, when there are at most FEW_HITS of them."""
        rows = self._read("SELECT rowid FROM dossier_fts WHERE dossier_fts MATCH ? ORDER BY rowid DESC LIMIT ?", (query, FEW_HITS + 1))
        return [row["rowid"] for row in rows] if len(rows) <= FEW_HITS else None

    def _plan(self, flt: QueueFilter) -> QueuePlan:
        return plan_queue(flt, self._few, self._few_hits)

    def text_few(self, flt: QueueFilter) -> bool:
        """Whether the filter's text has at most FEW_HITS hits (tests/store/test_queue_plans.py)."""
        query = fts_query(flt.text) if flt.text else None
        return query is not None and self._few_hits(query) is not None

    def filter_few(self, flt: QueueFilter) -> bool:
        """Whether the filter (without its text) matches at most FEW_ROWS dossiers."""
        clauses, params = filter_clauses(flt)
        return bool(clauses) and self._few(filter_source(flt), clauses, params)

    def explain_few_check(self, flt: QueueFilter) -> list[str]:
        """EXPLAIN QUERY PLAN of the few-rows check (tests/store/test_queue_plans.py)."""
        clauses, params = filter_clauses(flt)
        if not clauses:
            return []
        return self._explain(_few_check(filter_source(flt), clauses), [*params, FEW_ROWS + 1])

    def _explain(self, sql: str, params: list[Any]) -> list[str]:
        return [row[3] for row in self.db.conn.execute("EXPLAIN QUERY PLAN " + sql, params)]

    def page(self, flt: QueueFilter, *, after: tuple[int, int] | None = None, limit: int = 200) -> list[dict[str, Any]]:
        """One page of the queue, newest first, by keyset (``after`` = last row's
        (received_ts, id)) so page N costs the same as page 1 at a million rows.

        With search text the order is entry order (FTS rowid = dossier id) newest first
        (``DeskStore.search`` is this page's first ``limit`` rows): FTS5 walks its rowids
        backwards and stops after one page, while sorting every hit by received time costs
        ~1 s for a term that hits 100k dossiers.
        Only dossiers entered after an outage with an earlier ``received_at`` differ."""
        plan = self._plan(flt)
        clauses, params = list(plan.clauses), list(plan.params)
        if after is not None:
            # A row value lets SQLite seek the (received_ts, id) index; the equivalent OR form
            # scans it from the top (64 ms instead of 0.1 ms at depth 500,000 of 1M).
            clauses.append(plan.keyset)
            params += [after[1]] if plan.text else [after[0], after[1]]
        return self._page(plan, clauses, [*params, limit], limit)

    def _page(self, plan: QueuePlan, clauses: list[str], params: list[Any], limit: int) -> list[dict[str, Any]]:
        sql = plan.page(clauses)
        parts = self._hit_parts(plan, sql, params)
        if parts is None:
            return self._read(sql, params)
        rows = [row for part in parts for row in part]
        rows.sort(key=lambda row: row["id"], reverse=True)
        return rows[:limit]

    def _hit_parts(self, plan: QueuePlan, sql: str, params: list[Any]) -> list[list[dict[str, Any]]] | None:
        """``sql`` run over parts of a plan's few hits at once (its first parameter is their
        JSON list), or None when the plan has no hits to split or too few to be worth it, or
        when this connection holds a transaction the other connections would not see."""
        if plan.hits is None or len(plan.hits) < FAN_OUT_HITS or self.db.conn.in_transaction:
            return None
        if self._fan_out is None:
            self._fan_out = FanOut(self.path / DB_FILENAME)
        param_sets = [[json.dumps(part), *params[1:]] for part in split(plan.hits, self._fan_out.ways)]
        try:
            return self._fan_out.map(sql, param_sets)
        except sqlite3.Error as exc:
            raise translate_sqlite_error(exc, self.path) from exc

    def count(self, flt: QueueFilter) -> int:
        plan = self._plan(flt)
        sql = plan.count(plan.clauses)
        parts = self._hit_parts(plan, sql, plan.params) or [self._read(sql, plan.params)]
        return sum(int(part[0]["n"]) for part in parts)

    def explain(self, flt: QueueFilter) -> list[str]:
        """EXPLAIN QUERY PLAN of the first page's ids for ``flt``: the part that reads many rows
        (the columns are then fetched for the page's rows by id; docs/queue-speed.md)."""
        plan = self._plan(flt)
        return self._explain(plan.keys(plan.clauses), [*plan.params, 200])


def _few_check(source: str, clauses: list[str]) -> str:
    return f"SELECT count(*) AS n FROM (SELECT 1 FROM {source} WHERE {' AND '.join(clauses)} LIMIT ?)"
