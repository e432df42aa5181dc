"""Latency figures shared by the bench scripts: percentiles and the PASS/FAIL line against a
target. Import after putting the repository root on ``sys.path`` (each bench does)."""

from __future__ import annotations

import statistics


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100) of ``values``."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def p50_p95(values: list[float]) -> tuple[float, float]:
    return statistics.median(values), percentile(values, 95)


def verdict(value: float, limit: float, what: str = "p95") -> int:
    """Print whether ``value`` (ms) meets the target; the bench's exit code (0 = PASS)."""
    ok = value <= limit
    print(f"target {what} <= {limit:g} ms: {'PASS' if ok else 'FAIL'}")
    return 0 if ok else 1
