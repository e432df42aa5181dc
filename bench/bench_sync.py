"""Sync over emulated poor links (root + network namespace; see docs/platform.md).

    sudo .venv/bin/python bench/bench_sync.py [--quick] [--small-only]
    sudo .venv/bin/python bench/bench_sync.py --dossiers 20 --table-dossiers 4 --parallel --only main,cut,table

Workload options (--dossiers/--pages/--page-bytes for the 64 kbit/s scenario, --table-* for
the profile table) override the defaults; --only picks parts; --parallel runs ours and the
naive client at the same time, each in its own namespace with its own shaped link (and the
profile-table rows side by side), so a long workload fits in half the wall time; the links
share nothing but the CPU (watch the load). --raw FILE appends every scenario's raw JSON.

Each scenario runs in its own network namespace on its own loopback: htb shapes the
"link" port (upload and download rates separately), nftables drops a share of its packets
at random, and a small asyncio proxy on that port adds the one-way delay and can cut the
connection once. The reference server runs unshaped behind it. Wire bytes are read from
the htb class counters (IP level, both directions). Printed: ratios against the floor
(payload / bandwidth) and against a naive client that POSTs each dossier with its files in
one request and starts again from zero after a cut.

Skips (exit 0 with a message) when not root or when ``ip netns`` is unavailable.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINK_PORT = 8081
SERVER_PORT = 8090
NAIVE_PORT = 8091

PROFILES = {
    # name: (up kbit/s, down kbit/s, one-way delay ms, loss %)
    "bench-64k": (64, 64, 300, 5),
    "2G-rural": (18, 20, 650, 2),
    "EDGE-lossy": (200, 240, 400, 1),
    "weak-4G": (400, 400, 200, 1),
}


# --- outer: namespaces -------------------------------------------------------------------
def sh(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(args, check=check, capture_output=True, text=True)


def make_namespace(name: str, up: int, down: int, loss: int) -> None:
    sh("ip", "netns", "add", name)
    x = ["ip", "netns", "exec", name]
    sh(*x, "ip", "link", "set", "lo", "up")
    sh(*x, "ip", "link", "set", "lo", "mtu", "1500")
    sh(*x, "ip", "link", "set", "lo", "gso_max_size", "1500", "gso_max_segs", "1", check=False)
    sh(*x, "tc", "qdisc", "add", "dev", "lo", "root", "handle", "1:", "htb", "default", "10")
    sh(*x, "tc", "class", "add", "dev", "lo", "parent", "1:", "classid", "1:10", "htb", "rate", "10gbit")
    for classid, rate in (("1:20", up), ("1:30", down)):
        sh(*x, "tc", "class", "add", "dev", "lo", "parent", "1:", "classid", classid, "htb", "rate", f"{rate}kbit",
           "ceil", f"{rate}kbit", "burst", "3000", "cburst", "3000")
    sh(*x, "tc", "filter", "add", "dev", "lo", "parent", "1:", "protocol", "ip", "prio", "1", "u32",
       "match", "ip", "dport", str(LINK_PORT), "0xffff", "flowid", "1:20")
    sh(*x, "tc", "filter", "add", "dev", "lo", "parent", "1:", "protocol", "ip", "prio", "1", "u32",
       "match", "ip", "sport", str(LINK_PORT), "0xffff", "flowid", "1:30")
    if loss:
        rules = (
            "table inet loss {\n chain out {\n  type filter hook output priority 0; policy accept;\n"
            f'  oif "lo" tcp dport {LINK_PORT} numgen random mod 100 < {loss} drop\n'
            f'  oif "lo" tcp sport {LINK_PORT} numgen random mod 100 < {loss} drop\n'
            " }\n}\n"
        )
        subprocess.run([*x, "nft", "-f", "-"], input=rules, text=True, check=True, capture_output=True)


_NS_COUNTER = iter(range(1, 1_000_000))
_NS_LOCK = threading.Lock()
RAW_LOG: Path | None = None


def run_scenario(name: str, profile: str, spec: dict) -> dict:
    up, down, delay, loss = PROFILES[profile]
    with _NS_LOCK:
        ns = f"desksync{os.getpid()}n{next(_NS_COUNTER)}"
    try:
        make_namespace(ns, up, down, loss)
        spec = {**spec, "up": up, "down": down, "delay": delay, "loss": loss}
        done = subprocess.run(
            ["ip", "netns", "exec", ns, sys.executable, __file__, "--inner", json.dumps(spec)],
            capture_output=True, text=True, cwd=ROOT, timeout=spec.get("timeout", 7200),
        )
        if done.returncode != 0:
            raise RuntimeError(f"{name}: {done.stderr[-3000:]}")
        result = json.loads(done.stdout.strip().splitlines()[-1])
        if RAW_LOG is not None:
            with _NS_LOCK, RAW_LOG.open("a") as raw:
                raw.write(json.dumps({"scenario": name, "profile": profile, "spec": spec, "result": result}) + "\n")
        return result
    finally:
        sh("ip", "netns", "del", ns, check=False)


# --- inner: inside the namespace ---------------------------------------------------------
class LinkProxy:
    """One-way delay on each direction; optionally cut the next connection after N bytes up."""

    def __init__(self, delay_ms: int, target: int):
        self.delay = delay_ms / 1000
        self.target = target
        self.cut_next_up_at: int | None = None
        self.bytes_up = 0
        self.loop = asyncio.new_event_loop()
        threading.Thread(target=self._run, daemon=True).start()
        self.ready = threading.Event()
        self.ready.wait(5) if False else None
        time.sleep(0.3)

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        server = self.loop.run_until_complete(asyncio.start_server(self._handle, "127.0.0.1", LINK_PORT))
        self.loop.run_until_complete(server.serve_forever())

    async def _handle(self, reader, writer) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", self.target)
        except OSError:
            writer.close()
            return
        cut, self.cut_next_up_at = self.cut_next_up_at, None

        async def pump(src, dst, limit, count):
            queue: asyncio.Queue = asyncio.Queue()

            async def sender():
                while True:
                    due, data = await queue.get()
                    if data is None:
                        break
                    await asyncio.sleep(max(0, due - time.monotonic()))
                    dst.write(data)
                    await dst.drain()
                dst.close()

            task = asyncio.create_task(sender())
            moved = 0
            try:
                while True:
                    data = await src.read(16384)
                    if not data:
                        break
                    if limit is not None and moved + len(data) >= limit:
                        data = data[: limit - moved]
                        queue.put_nowait((time.monotonic() + self.delay, data))
                        break
                    moved += len(data)
                    if count:
                        self.bytes_up += len(data)
                    queue.put_nowait((time.monotonic() + self.delay, data))
            except (ConnectionError, OSError):
                pass
            queue.put_nowait((0, None))
            try:
                await task
            except (ConnectionError, OSError):
                pass
            if limit is not None:
                for w in (writer, up_writer):
                    w.transport.abort()

        await asyncio.gather(pump(reader, up_writer, cut, True), pump(up_reader, writer, None, False))


def tc_bytes() -> tuple[int, int]:
    """Bytes sent through the upload (1:20) and download (1:30) classes (IP level)."""
    import re

    out = subprocess.run(["tc", "-s", "class", "show", "dev", "lo"], capture_output=True, text=True).stdout
    stats = {m.group(1): int(m.group(2)) for m in re.finditer(r"class htb (1:\d+) .*?\n\s*Sent (\d+) bytes", out)}
    return stats.get("1:20", 0), stats.get("1:30", 0)


def naive_server() -> None:
    import http.server

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):
            length = int(self.headers["Content-Length"])
            remaining = length
            while remaining:
                chunk = self.rfile.read(min(65536, remaining))
                if not chunk:
                    return
                remaining -= len(chunk)
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", NAIVE_PORT), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()


def inner(spec: dict) -> dict:
    sys.path.insert(0, str(ROOT))
    os.environ["DESK_SYNC_KEYRING"] = "off"
    import requests

    from desk_app.services.context import build_services
    from desk_app.store.database import write_transaction
    from sync.server.admin import Province

    tmp = Path(tempfile.mkdtemp(prefix="bench-sync-"))
    server = subprocess.Popen(
        [sys.executable, "-m", "sync.server", "serve", "--data", str(tmp / "srv"), "--port", str(SERVER_PORT)],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    naive_server()
    try:
        for _ in range(100):
            try:
                requests.get(f"http://127.0.0.1:{SERVER_PORT}/v1/ping", timeout=1)
                break
            except requests.RequestException:
                time.sleep(0.1)
        proxy = LinkProxy(spec["delay"], SERVER_PORT)
        url = f"http://127.0.0.1:{LINK_PORT}"
        ctx = build_services(tmp / "desk", actor="bench")
        ctx.setup.configure(unit_code="000.31.14.H14", desk=3, commune_code="01273")
        ctx.catalogue.ensure_sample()
        province = Province(tmp / "srv")
        ctx.sync.enroll(url, province.enroll_code("000.31.14.H14", 3)["code"])
        ctx.sync.client_options.update(timeout=120, connect_timeout=30, max_attempts=20, backoff_base=1, backoff_cap=10)
        rng = random.Random(7)
        intake = {
            "procedure_code": "1.001193.000.00.00.H14",
            "applicant": {"full_name": "Nguyễn Thị Đào", "id_number": "004199012345", "birth_date": "1999-05-20",
                          "gender": "Nữ", "address": "Xóm Nà Rỏa, Phường Thục Phán, Tỉnh Cao Bằng", "phone": "0912345678"},
            "documents": [{"name": "Tờ khai", "kind": "original", "count": 1}], "sets": 1, "return_channel": "desk",
        }
        dossiers: list[tuple[str, bytes, list[bytes]]] = []
        for _ in range(spec["dossiers"]):
            code = ctx.intake.intake(intake).code
            pages = [rng.randbytes(spec["page_bytes"]) for _ in range(spec["pages"])]
            shas = [ctx.sync.blobs.put(p) for p in pages]
            with write_transaction(ctx.store.db):
                ctx.store.db.conn.execute(
                    "INSERT INTO outbox (idempotency_key, kind, dossier_code, payload, created_at) "
                    "VALUES (?, 'dossier.pages', ?, ?, '2026-11-18T09:30:00+07:00')",
                    (f"pages-{code}", code, json.dumps({"dossier_code": code, "files": shas})),
                )
            record = ctx.store.db.conn.execute(
                "SELECT payload FROM outbox WHERE dossier_code = ? AND kind = 'dossier.received'",
                (code,),
            ).fetchone()[0]
            dossiers.append((code, record.encode(), pages))
        records = sum(len(p) for p in ctx.store.db.conn.execute("SELECT payload FROM outbox").fetchall() for p in p)
        files = sum(len(p) for _c, _r, pages in dossiers for p in pages)
        payload = records + files
        result: dict = {"payload_bytes": payload, "file_bytes": files, "record_bytes": records}
        floor = payload * 8 / (spec["up"] * 1000)

        if spec.get("cut_test"):
            # One 2 MB file, the link cut once at 90 % of it.
            data = rng.randbytes(spec["cut_bytes"])
            if spec.get("ours", True):
                def upload_once(blob: bytes, cut_at: int | None) -> dict:
                    sha = ctx.sync.blobs.put(blob)
                    client = ctx.sync.make_client(ctx.sync.credential())
                    client.ping()
                    client.session.close()  # the upload opens a fresh connection: the one cut
                    requests0 = client.stats["requests"]
                    proxy.cut_next_up_at = cut_at
                    before = proxy.bytes_up
                    started = time.monotonic()
                    # The uploader closes what the opener returns.
                    client.upload(sha, len(blob), lambda: open(ctx.sync.blobs.path_for(sha), "rb"))  # noqa: SIM115
                    client.close()
                    return {"seconds": round(time.monotonic() - started, 1), "up_bytes": proxy.bytes_up - before,
                            "requests": client.stats["requests"] - requests0, "retries": client.stats["retries"],
                            "max_chunk": client.stats["max_chunk"]}

                # The same upload without a cut first (another file of the same size): its bytes
                # up are file + HTTP/tus overhead, so the cut run's excess is what the cut cost.
                baseline = upload_once(rng.randbytes(len(data)), None)
                cut = upload_once(data, int(len(data) * 0.9))
                result["ours_cut"] = {**cut, "resent": cut["up_bytes"] - len(data),
                                      "extra_vs_uncut": cut["up_bytes"] - baseline["up_bytes"],
                                      "uncut": baseline}
            if not spec.get("naive", True):
                return result
            proxy.target = NAIVE_PORT
            proxy.cut_next_up_at = int(len(data) * 0.9)
            before = proxy.bytes_up
            started = time.monotonic()
            for _ in range(10):
                try:
                    requests.post(f"{url}/naive", data=data, timeout=600)
                    break
                except requests.RequestException:
                    continue
            result["naive_cut"] = {"seconds": round(time.monotonic() - started, 1), "up_bytes": proxy.bytes_up - before,
                                   "resent": proxy.bytes_up - before - len(data)}
            return result

        if spec.get("ours", True):
            result["ours"] = run_ours(ctx, payload, floor)
        if spec.get("naive"):
            result["naive"] = run_naive(proxy, url, dossiers, payload, floor)
        return result
    finally:
        server.terminate()
        server.wait(10)
        shutil.rmtree(tmp, ignore_errors=True)


def run_ours(ctx, payload: int, floor: float) -> dict:
    """The desk's sync client, round after round until everything is confirmed."""
    up0, down0 = tc_bytes()
    started = time.monotonic()
    rounds = 0
    while rounds < 50:
        rounds += 1
        summary = ctx.sync.sync_once()
        if summary.ok:
            break
    seconds = time.monotonic() - started
    up1, down1 = tc_bytes()
    return {"ok": summary.ok, "rounds": rounds, "seconds": round(seconds, 1),
            "wire_up": up1 - up0, "wire_down": down1 - down0,
            "wire_ratio": round((up1 - up0 + down1 - down0) / payload, 3),
            "time_ratio": round(seconds / floor, 3), "floor_seconds": round(floor, 1),
            "requests": summary.requests}


def run_naive(proxy: LinkProxy, url: str, dossiers: list, payload: int, floor: float) -> dict:
    """One plain POST per dossier (record + pages), started again from zero after a failure."""
    import requests

    proxy.target = NAIVE_PORT
    up0, down0 = tc_bytes()
    started = time.monotonic()
    session = requests.Session()
    for _code, record, pages in dossiers:
        body = record + b"".join(pages)
        for _ in range(20):
            try:
                session.post(f"{url}/naive", data=body, timeout=600)
                break
            except requests.RequestException:
                session = requests.Session()
    seconds = time.monotonic() - started
    up1, down1 = tc_bytes()
    return {"seconds": round(seconds, 1), "wire_up": up1 - up0, "wire_down": down1 - down0,
            "wire_ratio": round((up1 - up0 + down1 - down0) / payload, 3),
            "time_ratio": round(seconds / floor, 3), "floor_seconds": round(floor, 1)}


def main() -> int:
    global PARALLEL, RAW_LOG
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small workload (minutes instead of hours)")
    parser.add_argument("--small-only", action="store_true", help="only the small-file table (8 KB pages)")
    parser.add_argument("--dossiers", type=int, help="64 kbit/s scenario: dossiers (default 200, quick 4)")
    parser.add_argument("--pages", type=int, help="64 kbit/s scenario: pages per dossier (default 5)")
    parser.add_argument("--page-bytes", type=int, help="64 kbit/s scenario: bytes per page (default 40000)")
    parser.add_argument("--table-dossiers", type=int, help="profile table: dossiers (default 20, quick 2)")
    parser.add_argument("--table-pages", type=int, help="profile table: pages per dossier (default 5)")
    parser.add_argument("--table-page-bytes", type=int, help="profile table: bytes per page (default 40000, quick 20000)")
    parser.add_argument("--only", help="comma-separated parts to run: main,cut,table,small (default all)")
    parser.add_argument("--parallel", action="store_true",
                        help="ours and naive (and the table rows) at the same time, each in its own namespace")
    parser.add_argument("--raw", type=Path, help="append each scenario's raw JSON result to this file")
    parser.add_argument("--inner", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inner:
        print(json.dumps(inner(json.loads(args.inner))))
        return 0
    if os.geteuid() != 0:
        print("bench_sync: skipped: needs root for network namespaces (run with sudo)")
        return 0
    if shutil.which("ip") is None or sh("ip", "netns", "list", check=False).returncode != 0:
        print("bench_sync: skipped: 'ip netns' is not available")
        return 0
    if shutil.which("nft") is None:
        print("bench_sync: note: nftables missing, packet loss is not emulated")
    PARALLEL, RAW_LOG = args.parallel, args.raw
    main_work = {"dossiers": 4, "pages": 5, "page_bytes": 40_000} if args.quick else {"dossiers": 200, "pages": 5, "page_bytes": 40_000}
    table_work = {"dossiers": 2, "pages": 5, "page_bytes": 20_000} if args.quick else {"dossiers": 20, "pages": 5, "page_bytes": 40_000}
    for key, value in (("dossiers", args.dossiers), ("pages", args.pages), ("page_bytes", args.page_bytes)):
        if value is not None:
            main_work[key] = value
    for key, value in (("dossiers", args.table_dossiers), ("pages", args.table_pages), ("page_bytes", args.table_page_bytes)):
        if value is not None:
            table_work[key] = value
    if args.only:
        parts = {part.strip() for part in args.only.split(",") if part.strip()}
        unknown = parts - {"main", "cut", "table", "small"}
        if unknown:
            parser.error(f"--only: unknown part(s) {', '.join(sorted(unknown))}")
    else:
        parts = {"small"} if args.small_only else {"main", "cut", "table", "small"}
    started = time.monotonic()
    if "main" in parts:
        main_scenario(args, main_work)
    if "cut" in parts:
        cut_scenario(args)
    if "table" in parts:
        print(f"profile table: {table_work['dossiers']} dossiers x {table_work['pages']} pages x {table_work['page_bytes']} B", flush=True)
        print_table(table_work, ("2G-rural", "EDGE-lossy", "weak-4G"))
    if "small" in parts:
        small_table(args)
    print(f"(bench wall time {round(time.monotonic() - started)} s{', ours and naive side by side' if PARALLEL else ''})", flush=True)
    return 0


PARALLEL = False


def run_pair(name: str, profile: str, spec: dict) -> dict:
    """Ours then naive in one namespace, or (with --parallel) each in its own at once."""
    if not PARALLEL:
        return run_scenario(name, profile, {**spec, "ours": True, "naive": True})
    with ThreadPoolExecutor(2) as pool:
        ours = pool.submit(run_scenario, f"{name}-ours", profile, {**spec, "ours": True, "naive": False})
        naive = pool.submit(run_scenario, f"{name}-naive", profile, {**spec, "ours": False, "naive": True})
        return {**naive.result(), **ours.result()}


def print_table(work: dict, profiles: tuple[str, ...]) -> None:
    print(
        "| profile | payload B | ours s | ours wire/payload | ours time/floor | ours requests (last round) "
        "| naive s | naive wire/payload | naive time/floor |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    with ThreadPoolExecutor(len(profiles) if PARALLEL else 1) as pool:
        rows = [pool.submit(run_pair, profile, profile, work) for profile in profiles]
        for profile, row in zip(profiles, rows):
            r = row.result()
            print(f"| {profile} | {r['payload_bytes']} | {r['ours']['seconds']} | {r['ours']['wire_ratio']} | "
                  f"{r['ours']['time_ratio']} | {r['ours']['requests']} | {r['naive']['seconds']} | "
                  f"{r['naive']['wire_ratio']} | {r['naive']['time_ratio']} |", flush=True)


def small_table(args) -> None:
    """Many small files (8 KB pages, e.g. grey-scale A4 at low resolution): round trips, not
    bandwidth, decide the time here."""
    work = {"dossiers": 4 if args.quick else 20, "pages": 5, "page_bytes": 8_000}
    print(f"small files: {work['dossiers']} dossiers x {work['pages']} pages x {work['page_bytes']} B", flush=True)
    print_table(work, ("EDGE-lossy", "weak-4G"))


def main_scenario(args, main_work: dict) -> None:
    print(f"workload: {main_work['dossiers']} dossiers x {main_work['pages']} pages x {main_work['page_bytes']} B"
          f" ({'quick' if args.quick else 'full' if main_work['dossiers'] == 200 else 'reduced'})", flush=True)
    main = run_pair("main", "bench-64k", main_work)
    ours, naive = main["ours"], main["naive"]
    print(f"64 kbit/s, 300 ms, 5 % loss: payload {main['payload_bytes']} B, floor {ours['floor_seconds']} s", flush=True)
    print(f"  ours : {ours['seconds']} s, wire/payload {ours['wire_ratio']} (target <= 1.15), "
          f"time/floor {ours['time_ratio']} (target <= 1.4), rounds {ours['rounds']}, requests {ours['requests']}", flush=True)
    print(f"  naive: {naive['seconds']} s, wire/payload {naive['wire_ratio']}, time/floor {naive['time_ratio']}", flush=True)


def cut_scenario(args) -> None:
    cut_profile = "weak-4G" if args.quick else "bench-64k"
    cut = run_pair("cut", cut_profile, {"dossiers": 1, "pages": 1, "page_bytes": 1000, "cut_test": True, "cut_bytes": 2 * 1024 * 1024})
    ours = cut["ours_cut"]
    print(f"cut at 90 % of a 2 MB file ({cut_profile}): ours sent {ours['resent']} B above the file size "
          f"({ours['requests']} requests), {ours['extra_vs_uncut']} B more than the same upload uncut "
          f"({ours['uncut']['requests']} requests) = the cut's cost (largest chunk {ours['max_chunk']} B), "
          f"in {ours['seconds']} s vs {ours['uncut']['seconds']} s uncut; "
          f"naive re-sent {cut['naive_cut']['resent']} B in {cut['naive_cut']['seconds']} s", flush=True)


if __name__ == "__main__":
    raise SystemExit(main())
