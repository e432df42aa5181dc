"""Server memory and another desk's latency while one desk sends gzip bombs.

Runs the reference server of a source tree (default: this one) in a subprocess, enrolls two
desks, sends N parallel 32 KB gzip batches that unpack to 31 MB of ``{},`` from desk A
while desk B sends heartbeats, and reports the server's peak RSS (VmHWM) and B's slowest
heartbeat. Compare the tree before the hardening (docs/security.md):

    git archive c0ad9ee sync | tar -x -C /tmp/old-tree
    .venv/bin/python bench/bench_server_bombs.py --tree /tmp/old-tree
    .venv/bin/python bench/bench_server_bombs.py
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

RUN = textwrap.dedent(r'''
    import gzip, json, socket, subprocess, sys, tempfile, threading, time
    from pathlib import Path
    import requests
    from sync.client import SyncClient
    from sync.server.admin import Province
    bombs = int(sys.argv[1])
    data = Path(tempfile.mkdtemp()) / "srv"
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([sys.executable, "-m", "sync.server", "serve", "--data", str(data), "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(200):
        try:
            requests.get(url + "/v1/ping", timeout=0.5); break
        except requests.RequestException:
            time.sleep(0.05)
    province = Province(data)
    a = SyncClient(SyncClient(None, server_url=url).enroll(province.enroll_code("000.31.14.H14", 3)["code"]), max_attempts=1, timeout=300)
    b = SyncClient(SyncClient(None, server_url=url).enroll(province.enroll_code("000.31.15.H14", 1)["code"]), max_attempts=1, timeout=300)
    a.ping(); b.ping()
    def hwm():
        for line in open(f"/proc/{server.pid}/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) // 1024
    before = hwm()
    bomb = gzip.compress(b'{"events": [' + b"{}," * (31 * 1024 * 1024 // 3) + b"{}]}", 9)  # just under the old 32 MiB limit
    answers = []
    def send():
        twin = a.fork()
        t0 = time.monotonic()
        try:
            twin._request("POST", "/v1/events", body=bomb, headers={"Content-Encoding": "gzip"})
            answers.append(("200", time.monotonic() - t0))
        except Exception as exc:
            answers.append((getattr(exc, "reason", type(exc).__name__), time.monotonic() - t0))
    threads = [threading.Thread(target=send) for _ in range(bombs)]
    for t in threads: t.start()
    slowest = 0.0
    while any(t.is_alive() for t in threads):
        t0 = time.monotonic()
        try:
            b.heartbeat({"backlog": 0})
        except Exception:
            pass
        slowest = max(slowest, time.monotonic() - t0)
        time.sleep(0.05)
    alive = server.poll() is None
    print(json.dumps({"bomb_bytes": len(bomb), "parallel": bombs, "server_alive": alive,
                      "rss_before_mb": before, "peak_rss_mb": hwm() if alive else None,
                      "answers": sorted(answers), "other_desk_slowest_heartbeat_s": round(slowest, 3)}))
    server.terminate()
''')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tree", type=Path, default=ROOT, help="source tree holding the sync package")
    parser.add_argument("--parallel", type=int, default=3)
    args = parser.parse_args()
    env = {**os.environ, "PYTHONPATH": str(args.tree)}
    done = subprocess.run(
        [sys.executable, "-c", RUN, str(args.parallel)],
        cwd=args.tree,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    if done.returncode:
        sys.exit(done.stderr[-2000:])
    print(json.dumps({"tree": str(args.tree), **json.loads(done.stdout.strip().splitlines()[-1])}, indent=2))


if __name__ == "__main__":
    main()
