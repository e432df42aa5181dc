"""A province's morning on the reference server: enrolled desks of many communes against
several server processes sharing one PostgreSQL database (and, with --object-store, one
S3-compatible store: a moto server on loopback standing in for MinIO/Ceph).

    .venv/bin/python bench/bench_province_load.py          # 300 desks, 56 communes, 2 min
    .venv/bin/python bench/bench_province_load.py --quick  # 40 desks, 8 communes, 20 s
    .venv/bin/python bench/bench_province_load.py --desks 300 --communes 56 --processes 2 \
        --minutes 5 --object-store

Bounded in time (--seconds/--minutes, every request has a timeout) and in count (--desks,
at most 9 per commune); everything listens on 127.0.0.1 only. A throwaway PostgreSQL 15
cluster is made unless --database-url names one (its tables must be empty).

Each desk is a thread with the real desk client (sync.client.SyncClient: HMAC signing,
answer signatures checked, tus uploads, retries) and its own keep-alive connection to one
server process (as behind a reverse proxy), moving to the other process every fourth round
(the replicas share all state). The mix is a morning's intake at --speedup times its pace:
a desk's round every 60 s / speedup (the desk's sync loop), phases spread at random: a
heartbeat every 10th round (as the desk); new dossiers at --dossiers-per-hour (Poisson), each
with 1-3 scanned pages of 40 KB asked about (files/missing) and uploaded by tus, then one batch
with their records (dossier.received + dossier.pages) and now and then a dossier handed back
(dossier.status); --backlog-share of the desks open the day with 50 records from an offline
afternoon (one 50-record batch in their first round); a change-feed pull every round. The
province meanwhile sets processing statuses (--province-rate a second, on the feed).
Printed: p50/p95/p99 per endpoint as the desks saw them and as the server processes logged
them, errors, throughput, CPU and peak RSS of each server process, PostgreSQL's CPU, memory
per desk, and the check that every dossier and page the desks sent is on the server exactly
once.

The machine is shared (2 cores: PostgreSQL, the server processes and this load generator
all run on it): figures are an upper bound for a dedicated server.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import requests  # noqa: E402

from bench.latency import percentile  # noqa: E402
from sync.client import Credential, SyncClient  # noqa: E402
from sync.errors import SyncError  # noqa: E402
from sync.protocol import ACCEPTED, DUPLICATE  # noqa: E402

VN = timezone(timedelta(hours=7))
PAGE_BYTES = 40_000
BATCH_50 = "POST /v1/events (50 records)"
GOAL_BATCH_P95_MS = 300.0
DESK_PERIOD = 60.0  # seconds between a desk's sync rounds (desk_app/ui/sync_status.py)
HEARTBEAT_ROUNDS = 10  # a heartbeat every 10th round (HEARTBEAT_EVERY = 600 s, services/sync_round.py)
GOAL_MB_PER_DESK = 5.0
BIG_BATCH_BYTES = 1800  # gzip: 50 records ~2.9 KB, a round's 2-5 records under 1 KB
CLIENT = {"timeout": 30.0, "connect_timeout": 10.0, "max_attempts": 3, "backoff_base": 0.2, "backoff_cap": 2.0}


# --- processes ----------------------------------------------------------------------------
def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_http(url: str, proc: subprocess.Popen[bytes], what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode}")
        try:
            requests.get(url, timeout=1)
            return
        except requests.RequestException:
            time.sleep(0.1)
    raise RuntimeError(f"{what} did not start")


@contextlib.contextmanager
def moto_server(workdir: Path) -> Iterator[str]:
    """A moto S3 server on loopback with one bucket; yields the --object-store URL."""
    import boto3

    port = free_port()
    log = open(workdir / "moto.log", "wb")  # noqa: SIM115 - closed below, after the process
    proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)], stdout=log, stderr=log)
    try:
        endpoint = f"http://127.0.0.1:{port}"
        wait_http(endpoint, proc, "moto server")
        boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1").create_bucket(Bucket="province")
        yield f"s3://province?endpoint={endpoint}"
    finally:
        proc.terminate()
        proc.wait(10)
        log.close()


class Servers:
    """``python -m sync.server serve`` processes on one data folder and database."""

    def __init__(self, data: Path, database_url: str, count: int, extra: list[str]):
        self.procs: list[subprocess.Popen[bytes]] = []
        self.urls: list[str] = []
        for _ in range(count):
            port = free_port()
            cmd = [sys.executable, "-m", "sync.server", "serve", "--data", str(data), "--port", str(port),
                   "--database-url", database_url, "--access-log", str(data.parent / f"access-{port}.log"), *extra]
            log = open(data.parent / f"server-{port}.log", "wb")  # noqa: SIM115 - the process keeps it
            self.procs.append(subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT))
            self.urls.append(f"http://127.0.0.1:{port}")
        for url, proc in zip(self.urls, self.procs, strict=True):
            wait_http(url + "/healthz", proc, f"server {url}")

    def stop(self) -> None:
        for proc in self.procs:
            proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()


# --- resources (from /proc) -----------------------------------------------------------------
TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def children(parent: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError):
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == parent:
                    found.append(int(entry.name))
    return found


def established(ports: set[int]) -> int:
    """Open TCP connections to these local ports (the connected desks)."""
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                parts = line.split()
                if parts[3] == "01" and int(parts[1].rsplit(":", 1)[1], 16) in ports:
                    count += 1
    return count


class Sampler(threading.Thread):
    """Peak RSS of each server process and the most desks connected at once, every second."""

    def __init__(self, pids: list[int], ports: set[int]):
        super().__init__(daemon=True)
        self.pids, self.ports = pids, ports
        self.peak_rss = dict.fromkeys(pids, 0.0)
        self.peak_connections = 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(1.0):
            for pid in self.pids:
                with contextlib.suppress(OSError):
                    self.peak_rss[pid] = max(self.peak_rss[pid], rss_mb(pid))
            self.peak_connections = max(self.peak_connections, established(self.ports))


# --- the desks ------------------------------------------------------------------------------
class Tally:
    """Latencies (ms) and errors per endpoint, and what reached the server."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.ms: dict[str, list[float]] = defaultdict(list)
        self.errors: Counter[str] = Counter()
        self.confirmed: dict[str, str] = {}  # dossier code -> desk id (accepted or duplicate)
        self.unconfirmed: set[str] = set()  # pushed but no answer (transport failure)
        self.files: dict[str, set[str]] = defaultdict(set)  # dossier code -> page shas it lists
        self.uploaded: set[str] = set()
        self.events = 0
        self.page_bytes = 0
        self.retries = 0
        self.late_rounds = 0

    def timed(self, label: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            result = fn(*args, **kwargs)
        except SyncError as exc:
            with self.lock:
                self.errors[f"{label}: {exc.reason}"] += 1
            raise
        with self.lock:
            self.ms[label].append((time.perf_counter() - started) * 1000)
        return result


def poisson(rng: random.Random, mean: float) -> int:
    """How many dossiers arrive in one round (Knuth's method; small means)."""
    limit, count, product = pow(2.718281828459045, -mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def now_iso() -> str:
    return datetime.now(VN).replace(microsecond=0).isoformat()


class Desk:
    def __init__(self, credential: Credential, urls: list[str], index: int, tally: Tally, args: argparse.Namespace):
        self.credential = credential
        self.urls = urls
        self.index = index
        self.tally = tally
        self.args = args
        self.rng = random.Random(index)
        self.client = SyncClient(credential, server_url=urls[index % len(urls)], **CLIENT)
        self.day = datetime.now(VN).strftime("%y%m%d")
        self.sequence = 0
        self.mine: list[str] = []  # this desk's dossiers the server confirmed
        self.cursor = 0
        self.rounds = 0

    def _received(self) -> tuple[str, dict[str, Any]]:
        self.sequence += 1
        code = f"{self.credential.unit_code}-{self.day}-{self.credential.desk}{self.sequence:05d}"
        key = self._key()
        applicant = {"full_name": f"Nguyễn Văn {self.sequence}", "id_number": f"{self.rng.randrange(10**11, 10**12):012d}",
                     "birth_date": "1990-01-01", "address": "Xóm Nà Rỏa, Cao Bằng", "phone": "0912345678"}
        payload = {
            "dossier": {"uuid": key, "code": code, "received_at": now_iso(), "received_by": "bench", "applicant": applicant,
                        "procedure_code": "1.001193.000.00.00.H14"},
            "documents": [{"name": "Tờ khai", "kind": "original", "count": 1}, {"name": "Giấy chứng sinh", "kind": "copy", "count": 1}],
        }
        return code, {"key": key, "kind": "dossier.received", "dossier_code": code, "payload": payload, "created_at": now_iso()}

    def _key(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def _record(self, kind: str, code: str, payload: dict[str, Any], key: str = "") -> dict[str, Any]:
        return {"key": key or self._key(), "kind": kind, "dossier_code": code, "payload": payload, "created_at": now_iso()}

    def _push(self, label: str, events: list[dict[str, Any]]) -> None:
        codes = {e["dossier_code"] for e in events if e["kind"] == "dossier.received"}
        try:
            results = self.tally.timed(label, self.client.push, events)
        except SyncError:
            with self.tally.lock:
                self.tally.unconfirmed |= codes
            return
        with self.tally.lock:
            self.tally.events += len(events)
            for event, answer in zip(events, results, strict=True):
                if answer.get("status") not in (ACCEPTED, DUPLICATE):
                    self.tally.errors[f"{label}: record {answer.get('status')} {answer.get('reason', '')}".rstrip()] += 1
                elif event["kind"] == "dossier.received":
                    self.tally.confirmed[event["dossier_code"]] = self.credential.desk_id
                    self.mine.append(event["dossier_code"])
                elif event["kind"] == "dossier.pages":
                    self.tally.files[event["dossier_code"]].update(event["payload"]["files"])

    def round(self) -> None:
        self.rounds += 1
        if self.rounds % 4 == 0:  # behind the proxy, the next connection may reach another process
            self.client.base_url = self.urls[(self.index + self.rounds // 4) % len(self.urls)]
        if self.rounds % HEARTBEAT_ROUNDS == 1:
            with contextlib.suppress(SyncError):
                self.tally.timed("POST /v1/heartbeat", self.client.heartbeat, {"backlog": 0, "app_version": "1.0.0"})
        events: list[dict[str, Any]] = []
        for _ in range(poisson(self.rng, self.args.dossiers_per_hour * DESK_PERIOD / 3600)):
            code, received = self._received()
            pages = [self.rng.randbytes(PAGE_BYTES) for _ in range(self.rng.randint(1, 3))]
            shas = [hashlib.sha256(page).hexdigest() for page in pages]
            try:
                missing = self.tally.timed("POST /v1/files/missing", self.client.missing, shas)
                for page, sha in zip(pages, shas, strict=True):
                    if sha in missing:
                        self.tally.timed("tus upload 40 KB page", self.client.upload, sha, len(page),
                                         lambda page=page: io.BytesIO(page), offset=missing[sha])
                        with self.tally.lock:
                            self.tally.uploaded.add(sha)
                            self.tally.page_bytes += len(page)
            except SyncError:
                continue  # the desk keeps the dossier and sends it in a later round (not in this bench)
            events += [received, self._record("dossier.pages", code, {"dossier_code": code, "files": shas})]
        if self.mine and self.rng.random() < 0.1:  # a result handed back at the counter
            code = self.rng.choice(self.mine)
            key = self._key()
            status = {"uuid": key, "status": "returned", "at": now_iso(), "actor": "bench", "note": ""}
            events.append(self._record("dossier.status", code, {"event": status}, key))
        if events:
            self._push("POST /v1/events (a round's records)", events)
        if self.rounds == 1 and self.rng.random() < self.args.backlog_share:  # offline since yesterday
            self._push(BATCH_50, [self._received()[1] for _ in range(50)])
        with contextlib.suppress(SyncError):
            page = self.tally.timed("GET /v1/changes", self.client.changes, self.cursor)
            self.cursor = page["cursor"]

    def run(self, start: float, deadline: float) -> None:
        period = DESK_PERIOD / self.args.speedup
        slot = start + self.rng.uniform(0, period)
        try:
            while slot < deadline:
                delay = slot - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                else:
                    with self.tally.lock:
                        self.tally.late_rounds += 1
                self.round()
                slot += period * self.rng.uniform(0.9, 1.1)
        finally:
            with self.tally.lock:
                self.tally.retries += self.client.stats["retries"]
            self.client.close()


# --- setting up -----------------------------------------------------------------------------
def unit_code(commune: int) -> str:
    return f"000.04.{commune:02d}.H04"  # 56 communes of one province (Cao Bằng is 04)


def enrol(province: Any, urls: list[str], desks: int, communes: int) -> list[Credential]:
    """``desks`` desks spread over ``communes`` communes (desk numbers 1-9), each enrolled
    over HTTP with a one-time code the province made (the admin CLI's call)."""
    from concurrent.futures import ThreadPoolExecutor

    plan = [(unit_code(1 + i % communes), 1 + i // communes) for i in range(desks)]
    if max(number for _unit, number in plan) > 9:
        raise SystemExit(f"{desks} desks over {communes} communes is more than 9 desks a commune")

    def one(item: tuple[int, tuple[str, int]]) -> Credential:
        index, (unit, number) = item
        code = province.enroll_code(unit, number)["code"]
        return SyncClient(None, server_url=urls[index % len(urls)], **CLIENT).enroll(code)

    with ThreadPoolExecutor(8) as pool:
        return list(pool.map(one, enumerate(plan)))


def province_statuses(province: Any, tally: Tally, stop: threading.Event, per_second: float) -> None:
    """The province deciding: processing statuses on received dossiers, published on the feed."""
    rng = random.Random(7)
    while not stop.wait(1 / per_second):
        with tally.lock:
            codes = list(tally.confirmed)
        if codes:
            started = time.perf_counter()
            province.set_status(rng.choice(codes), "processing", actor="bench")
            with tally.lock:
                tally.ms["province set-status (direct)"].append((time.perf_counter() - started) * 1000)


def verify(province: Any, tally: Tally) -> list[str]:
    """Every dossier and file the desks sent is on the server exactly once."""
    problems = []
    rows = province.db.read("SELECT code, desk_id FROM dossiers")
    stored = Counter(row["code"] for row in rows)
    twice = [code for code, n in stored.items() if n > 1]
    if twice:
        problems.append(f"{len(twice)} dossiers stored more than once")
    missing = set(tally.confirmed) - set(stored)
    if missing:
        problems.append(f"{len(missing)} confirmed dossiers missing on the server")
    unexpected = set(stored) - set(tally.confirmed) - tally.unconfirmed
    if unexpected:
        problems.append(f"{len(unexpected)} dossiers on the server that no desk sent")
    owner = {row["code"]: row["desk_id"] for row in rows}
    if any(owner.get(code) != desk for code, desk in tally.confirmed.items() if code in owner):
        problems.append("dossiers stored under the wrong desk")
    links = province.db.read("SELECT dossier_code, sha256 FROM dossier_files")
    pairs = Counter((row["dossier_code"], row["sha256"]) for row in links)
    expected = {(code, sha) for code, shas in tally.files.items() for sha in shas}
    if set(pairs) != expected or max(pairs.values(), default=1) > 1:
        problems.append(f"page links: {len(set(pairs) ^ expected)} differ from what the desks sent")
    absent = [sha for sha in tally.uploaded if not province.files.has(sha)]
    if absent:
        problems.append(f"{len(absent)} uploaded pages not in the file store")
    objects = getattr(province.files, "objects", None)
    if objects is not None:
        stored_files = Counter(key.rsplit("/", 1)[-1] for key in objects.keys("files/"))
        if any(n > 1 for n in stored_files.values()):
            problems.append("a page stored under two keys")
        if len(objects.keys("uploads/")):
            problems.append("unfinished upload pieces left in the store")
    return problems


def server_side(folder: Path, since: float) -> dict[str, list[float]]:
    """Milliseconds per route as the server processes measured them (their access logs,
    requests that started after ``since``, a time.time()): no client-side work, no GIL of
    this load generator. /v1/events bodies over BIG_BATCH_BYTES are the 50-record batches."""
    figures: dict[str, list[float]] = defaultdict(list)
    for log in folder.glob("access-*.log"):
        for raw in log.read_text(encoding="utf-8").splitlines():
            line = json.loads(raw)
            if datetime.fromisoformat(line["time"]).timestamp() - line["ms"] / 1000 < since:
                continue
            route = line["route"]
            if route == "/v1/events":
                route += " (50 records)" if line["bytes_in"] > BIG_BATCH_BYTES else " (a round's records)"
            figures[f"{line['method']} {route}"].append(line["ms"])
    return figures


# --- report ---------------------------------------------------------------------------------
def report(tally: Tally, seconds: float, args: argparse.Namespace, resources: dict[str, Any], problems: list[str]) -> int:
    print(f"\n{args.desks} desks of {args.communes} communes, {args.processes} server processes on PostgreSQL"
          f"{' + S3 (moto)' if args.object_store else ' + local files'}, {seconds:.0f} s of load at {args.speedup:g}x a "
          f"morning's pace (a round every {DESK_PERIOD / args.speedup:g} s per desk, {args.dossiers_per_hour:g} dossiers "
          f"an hour per desk, {args.backlog_share:.0%} of desks open with 50 records); shared 2-core machine\n")
    print(f"{'endpoint':42} {'n':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8} {'errors':>6}")
    total = 0
    for label in sorted(tally.ms):
        values = tally.ms[label]
        total += len(values) if not label.startswith("province") else 0
        errors = sum(n for key, n in tally.errors.items() if key.startswith(label + ":"))
        print(f"{label:42} {len(values):6d} {percentile(values, 50):8.1f} {percentile(values, 95):8.1f} "
              f"{percentile(values, 99):8.1f} {max(values):8.1f} {errors:6d}")
    print(f"\nas the server processes measured them (access logs; no client-side work):\n"
          f"{'route':42} {'n':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    for label, values in sorted(resources["server_side"].items()):
        print(f"{label:42} {len(values):6d} {percentile(values, 50):8.1f} {percentile(values, 95):8.1f} "
              f"{percentile(values, 99):8.1f} {max(values):8.1f}")
    errors = sum(tally.errors.values())
    print(f"\nerrors: {errors}" + (f" {dict(tally.errors)}" if errors else "") + f"; client retries: {tally.retries}; "
          f"late rounds: {tally.late_rounds}")
    print(f"throughput: {total / seconds:.1f} desk calls/s, {tally.events / seconds:.1f} records/s, "
          f"{tally.page_bytes / seconds / 1e6:.2f} MB/s of pages ({len(tally.uploaded)} pages, {len(tally.confirmed)} dossiers)")
    for name, figures in resources["processes"].items():
        print(f"{name}: CPU {figures['cpu_s']:.1f} s ({figures['cpu_s'] / seconds * 100:.0f}% of a core), "
              f"RSS idle {figures['rss_idle']:.0f} MB, peak {figures['rss_peak']:.0f} MB")
    print(f"PostgreSQL (all backends): CPU {resources['pg_cpu']:.1f} s ({resources['pg_cpu'] / seconds * 100:.0f}% of a core); "
          f"load generator: CPU {resources['bench_cpu']:.1f} s")
    peak = sum(f["rss_peak"] for f in resources["processes"].values())
    grown = peak - sum(f["rss_idle"] for f in resources["processes"].values())
    per_desk = peak / args.desks
    print(f"memory: {peak:.0f} MB peak RSS over all server processes = {per_desk:.2f} MB per desk "
          f"({grown / args.desks:.2f} MB per desk above idle); {resources['connections']} desk connections open at peak")
    print("exactly once: " + ("every dossier and page once on the server" if not problems else "; ".join(problems)))
    batch = tally.ms.get(BATCH_50, [])
    p95 = percentile(batch, 95) if batch else float("inf")
    verdicts = [
        (f"p95 of 50-record batches <= {GOAL_BATCH_P95_MS:g} ms", p95 <= GOAL_BATCH_P95_MS, f"{p95:.0f} ms"),
        ("0 errors", errors == 0, str(errors)),
        (f"<= {GOAL_MB_PER_DESK:g} MB server memory per desk", per_desk <= GOAL_MB_PER_DESK, f"{per_desk:.2f} MB"),
        ("every dossier and file exactly once", not problems, "ok" if not problems else "NO"),
    ]
    for what, ok, value in verdicts:
        print(f"goal {what}: {value} {'PASS' if ok else 'FAIL'}")
    if args.json:
        summary = {label: {"n": len(v), "p50": percentile(v, 50), "p95": percentile(v, 95), "p99": percentile(v, 99)}
                   for label, v in tally.ms.items()}
        Path(args.json).write_text(json.dumps({"endpoints": summary, "errors": dict(tally.errors), "resources": resources,
                                               "problems": problems, "seconds": seconds}, indent=2))
    return 0 if all(ok for _what, ok, _value in verdicts) else 1


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--desks", type=int, default=300)
    parser.add_argument("--communes", type=int, default=56)
    parser.add_argument("--processes", type=int, default=2, help="server processes (default: %(default)s)")
    parser.add_argument("--seconds", type=float, default=120.0, help="length of the load (default: %(default)s)")
    parser.add_argument("--minutes", type=float, default=None, help="the same in minutes")
    parser.add_argument("--speedup", type=float, default=3.0,
                        help="the morning runs this many times faster: a round every 60/N s (default: %(default)s)")
    parser.add_argument("--dossiers-per-hour", type=float, default=15.0,
                        help="new dossiers at each desk in an hour of the morning (default: %(default)s)")
    parser.add_argument("--backlog-share", type=float, default=0.25,
                        help="desks that open the day with 50 records from yesterday's offline afternoon (default: %(default)s)")
    parser.add_argument("--province-rate", type=float, default=2.0, help="province status decisions a second (default: %(default)s)")
    parser.add_argument("--db-pool-size", type=int, default=10, help="per server process (default: %(default)s)")
    parser.add_argument("--database-url", default=None, help="an empty PostgreSQL database (default: a throwaway cluster)")
    parser.add_argument("--object-store", action="store_true", help="files in an S3 API server (moto) shared by the processes")
    parser.add_argument("--quick", action="store_true", help="40 desks, 8 communes, 20 s, at 6x speed")
    parser.add_argument("--json", default=None, metavar="FILE", help="also write the figures as JSON")
    args = parser.parse_args(argv)
    if args.minutes is not None:
        args.seconds = args.minutes * 60
    if args.quick:
        args.desks, args.communes, args.seconds, args.speedup = 40, 8, 20.0, 6.0
    if not (1 <= args.desks <= 2000 and 1 <= args.communes <= 999 and 1 <= args.processes <= 8 and 1 <= args.seconds <= 3600
            and 0.1 <= args.speedup <= 60 and 0 <= args.dossiers_per_hour <= 600 and 0 <= args.backlog_share <= 1):
        parser.error("--desks 1-2000, --communes 1-999, --processes 1-8, --seconds 1-3600, --speedup 0.1-60, "
                     "--dossiers-per-hour 0-600, --backlog-share 0-1")
    return args


@contextlib.contextmanager
def database(args: argparse.Namespace) -> Iterator[tuple[str, int | None]]:
    """(URL, postmaster pid or None)."""
    if args.database_url:
        yield args.database_url, None
        return
    from tests import pgcluster

    usable, why = pgcluster.available()
    if not usable:
        raise SystemExit(f"skipped: {why}")
    with pgcluster.throwaway_cluster("-c max_connections=200") as (url, folder):
        yield url, int((folder / "postmaster.pid").read_text().split()[0])


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    threading.stack_size(512 * 1024)  # 300 desk threads
    from sync.server.admin import Province

    with tempfile.TemporaryDirectory(prefix="province-load-") as tmp, contextlib.ExitStack() as stack:
        work = Path(tmp)
        data = work / "srv"
        data.mkdir()
        url, postmaster = stack.enter_context(database(args))
        extra = ["--db-pool-size", str(args.db_pool_size)]
        store = None
        if args.object_store:
            os.environ.update({"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench", "AWS_DEFAULT_REGION": "us-east-1"})
            store = stack.enter_context(moto_server(work))
            extra += ["--object-store", store]
        servers = Servers(data, url, args.processes, extra)
        stack.callback(servers.stop)
        province = Province(data, url, **({"object_store": store} if store else {}))
        stack.callback(province.close)
        started = time.monotonic()
        credentials = enrol(province, servers.urls, args.desks, args.communes)
        print(f"enrolled {len(credentials)} desks in {time.monotonic() - started:.1f} s", flush=True)
        tally = Tally()
        desks = [Desk(c, servers.urls, i, tally, args) for i, c in enumerate(credentials)]
        pids = [p.pid for p in servers.procs]
        idle = {pid: rss_mb(pid) for pid in pids}
        pg_pids = lambda: [postmaster, *children(postmaster)] if postmaster else []  # noqa: E731
        cpu_before = {pid: cpu_seconds(pid) for pid in pids}
        pg_before = sum(cpu_seconds(pid) for pid in pg_pids())
        bench_before = sum(os.times()[:2])
        sampler = Sampler(pids, {int(u.rsplit(":", 1)[1]) for u in servers.urls})
        sampler.start()
        stop = threading.Event()
        deciding = threading.Thread(target=province_statuses, args=(province, tally, stop, args.province_rate), daemon=True)
        deciding.start()
        start = time.monotonic()
        wall_start = time.time()
        deadline = start + args.seconds
        threads = [threading.Thread(target=d.run, args=(start, deadline), daemon=True) for d in desks]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(max(1.0, deadline - time.monotonic() + 90))
        seconds = time.monotonic() - start
        stop.set()
        deciding.join(10)
        sampler.done.set()
        sampler.join(5)
        still = sum(t.is_alive() for t in threads)
        if still:
            tally.errors[f"desk threads still running after the deadline + 90 s: {still}"] += 1
        # Gauged over the load only; PostgreSQL backends that ended meanwhile are not counted.
        pg_cpu = sum(cpu_seconds(pid) for pid in pg_pids()) - pg_before
        resources = {
            "processes": {
                f"server process {i + 1} (pid {pid})": {
                    "cpu_s": cpu_seconds(pid) - cpu_before[pid], "rss_idle": idle[pid], "rss_peak": sampler.peak_rss[pid],
                }
                for i, pid in enumerate(pids)
            },
            "pg_cpu": max(pg_cpu, 0.0),
            "bench_cpu": sum(os.times()[:2]) - bench_before,
            "connections": sampler.peak_connections,
        }
        servers.stop()  # the access logs are complete
        resources["server_side"] = server_side(work, wall_start)
        problems = verify(province, tally)
        if any("http_5" in key for key in tally.errors):  # what went wrong, before the folder goes
            for log in sorted(work.glob("server-*.log")):
                text = log.read_text(encoding="utf-8", errors="replace")
                if "Traceback" in text:
                    print(f"--- last error in {log.name}:\n" + text[text.rindex("Traceback"):][-3000:])
        return report(tally, seconds, args, resources, problems)


if __name__ == "__main__":
    raise SystemExit(main())
