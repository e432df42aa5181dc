"""Receipt ready after save while the desk is busy: intake commit (DB thread) -> receipt
prepared (DB thread) -> PDF rendered (the ``render`` executor) = ready to print; then, shown
apart, the print itself (rasterised at 300 dpi under the pdfium lock and printed to a PDF file,
also on ``render``). Measured through the real TaskRunner, in three interleaved conditions:

- ``idle``: nothing else runs;
- ``loaded``: a sync round uploads 40 KB pages to a real server process on loopback (the
  ``sync`` executor, its own connection) and a scan runs (SANE test device, or a digitise
  import of a many-page PDF when SANE is missing; the ``devices`` executor), both in a loop;
- ``shared pool``: the same load, everything on one 2-worker I/O pool (the runner before the
  named executors: the naive design, for comparison).

Phases of each condition alternate (idle, loaded, shared, idle, ...) so drift of the shared
machine hits all three alike. Goal: loaded p95 <= 300 ms.

Run: .venv/bin/python bench/bench_receipt_under_load.py [--phases 4] [--per-phase 10]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("DESK_SYNC_KEYRING", "off")

from bench.bench_receipt import INTAKE
from bench.latency import p50_p95, verdict

ROOT = Path(__file__).resolve().parent.parent
TARGET_MS = 300.0
UNIT, DESK = "000.31.14.H14", 3
PAGE_BYTES = 40_000


def start_server(data: Path) -> tuple[subprocess.Popen, str]:
    import socket

    import requests

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    data.mkdir(parents=True)
    log = open(data.parent / "server.log", "ab")  # noqa: SIM115 - the server writes to it until it stops
    proc = subprocess.Popen([sys.executable, "-m", "sync.server", "serve", "--data", str(data), "--port", str(port)],
                            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    for _ in range(400):
        try:
            requests.get(url + "/v1/ping", timeout=0.5)
            return proc, url
        except requests.RequestException:
            time.sleep(0.05)
    raise RuntimeError("server did not start")


def make_desk(data: Path, server_data: Path, url: str) -> None:
    from desk_app.services.context import build_services
    from sync.server.admin import Province

    ctx = build_services(data, actor="bench")
    ctx.setup.configure(unit_code=UNIT, desk=DESK, commune_code="01273")
    ctx.catalogue.ensure_sample()
    ctx.printing.configure(
        tracking_url_template="https://dichvucong.caobang.gov.vn/tra-cuu?mahs={code}",
        survey_url_template="https://dichvucong.caobang.gov.vn/danh-gia?mahs={code}",
    )
    ctx.sync.vault.use_keyring = False
    province = Province(server_data)
    try:
        ctx.sync.enroll(url, province.enroll_code(UNIT, DESK)["code"])
    finally:
        province.close()
    ctx.close()


def add_pages(ctx: Any, code: str, count: int) -> None:
    """Page files and the outbox record listing them (what saving a scan writes)."""
    from desk_app.store.blobs import BlobStore
    from desk_app.store.database import write_transaction

    blobs = BlobStore(ctx.data_dir / "files")
    shas = [blobs.put(os.urandom(PAGE_BYTES)) for _ in range(count)]
    with write_transaction(ctx.store.db):
        ctx.store.db.conn.execute(
            "INSERT INTO outbox (idempotency_key, kind, dossier_code, payload, created_at) VALUES (?, 'dossier.pages', ?, ?, ?)",
            (str(uuid.uuid4()), code, json.dumps({"dossier_code": code, "files": shas}), "2026-11-18T09:30:00+07:00"),
        )


def scan_job(tmp: Path) -> tuple[str, Any]:
    """The scan to run in a loop: SANE's test device when present, else a PDF import."""
    try:
        from desk_app.scanning.sources.sane_backend import SaneBackend

        backend = SaneBackend()
        if any(d.id.startswith("test") for d in backend.devices()):
            from desk_app.scanning.sources.base import ScanSettings
            from desk_app.services.digitise import process_scan

            settings = ScanSettings(source="flatbed", dpi=200, colour=True)
            return "SANE test:0, flatbed 200 dpi colour", lambda: process_scan([backend], "test:0", settings)
    except Exception as exc:  # no SANE here: say so and import files instead
        print(f"(SANE unavailable: {exc}; a PDF import stands in for the scan)")
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    from desk_app.services.digitise import process_files

    pdf = tmp / "import.pdf"
    sheet = canvas.Canvas(str(pdf), pagesize=A4)
    for page in range(12):
        for line in range(40):
            sheet.drawString(60, 780 - 18 * line, f"Trang {page + 1} dòng {line + 1}: Cộng hòa xã hội chủ nghĩa Việt Nam")
        sheet.showPage()
    sheet.save()
    return "digitise import of a 12-page PDF", lambda: process_files([pdf])


def sane_config(tmp: Path) -> None:
    """Only SANE's test backend, with an A4-sized scan area (docs: platform notes)."""
    system = Path("/etc/sane.d/test.conf")
    if "SANE_CONFIG_DIR" in os.environ or not system.exists():
        return
    folder = tmp / "sane.d"
    folder.mkdir()
    (folder / "dll.conf").write_text("test\n")
    (folder / "test.conf").write_text(system.read_text().replace("geometry_max 200.0", "geometry_max 300.0"))
    os.environ["SANE_CONFIG_DIR"] = str(folder)


class Load:
    """A sync round and a scan, each submitted again as soon as the last one ended (as the sync
    loop and a receptionist scanning page after page do), while ``running``."""

    def __init__(self, runner: Any, data: Path, scan: Any):
        from desk_app.services.context import build_services
        from sync.cancel import Cancel

        self.runner = runner
        self.scan = scan
        self.cancel = Cancel()
        self.sync_services = build_services(data, actor="sync")  # the sync loop's own connection
        self.sync_services.sync.rounds_only()  # as desk_app/ui/sync_status.py builds it
        self.running = threading.Event()
        self.figures = {"rounds": 0, "files_uploaded": 0, "scans": 0, "scan_pages": 0}
        self.drivers: list[threading.Thread] = []
        self.busy = {"sync": threading.Event(), "scan": threading.Event()}

    def _round(self) -> None:
        self.busy["sync"].set()
        summary = self.sync_services.sync.sync_once(cancel=self.cancel)
        self.figures["rounds"] += 1
        self.figures["files_uploaded"] += summary.files_uploaded

    def _scan(self) -> None:
        self.busy["scan"].set()
        result = self.scan()
        pages = result[0] if isinstance(result, tuple) else result
        self.figures["scans"] += 1
        self.figures["scan_pages"] += len(pages)

    def _drive(self, job: Any, executor: str) -> None:
        while self.running.is_set():
            self.runner.io(job, executor=executor).result()

    def start(self, sync_executor: str, scan_executor: str) -> None:
        self.running.set()
        self.cancel.clear()
        for event in self.busy.values():
            event.clear()
        self.drivers = [threading.Thread(target=self._drive, args=(self._round, sync_executor), daemon=True),
                        threading.Thread(target=self._drive, args=(self._scan, scan_executor), daemon=True)]
        for driver in self.drivers:
            driver.start()
        for event in self.busy.values():
            event.wait(30)
        time.sleep(0.3)  # both well under way

    def stop(self) -> None:
        self.running.clear()
        for driver in self.drivers:
            driver.join(300)  # the jobs in flight end (a round may take a while: it finishes)

    def close(self) -> None:
        self.sync_services.close()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--phases", type=int, default=4, help="phases of each condition")
    parser.add_argument("--per-phase", type=int, default=10, help="receipts per phase")
    parser.add_argument("--pages", type=int, default=150, help="40 KB pages to upload per loaded phase")
    args = parser.parse_args()

    from PySide6.QtWidgets import QApplication

    from desk_app.services.context import build_services
    from desk_app.services.printing import render
    from desk_app.ui.printing.printer import print_pdf
    from desk_app.ui.tasks import DEVICES, IO, RENDER, SYNC, TaskRunner

    app = QApplication([])  # QPrinter needs it
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        sane_config(tmp)
        server, url = start_server(tmp / "srv")
        data = tmp / "desk"
        try:
            make_desk(data, tmp / "srv", url)
            runner = TaskRunner(lambda: build_services(data, actor="bench"))
            scan_name, scan = scan_job(tmp)
            loader = build_services(data, actor="bench-loader")
            load = Load(runner, data, scan)
            conditions = ("idle", "loaded", "shared pool")
            results: dict[str, dict[str, list[float]]] = {
                c: {"ready": [], "intake": [], "prepare": [], "render": [], "print": []} for c in conditions}

            def receipt(i: int, executor: str, into: dict[str, list[float]] | None = None) -> None:
                t0 = time.perf_counter()
                code = runner.db(lambda s: s.intake.intake(INTAKE).code).result()
                t1 = time.perf_counter()
                prepared = runner.db(lambda s, c: s.printing.prepare(c, layout="a5"), code).result()
                t2 = time.perf_counter()
                pdf = runner.io(render, prepared, executor=executor).result()
                t3 = time.perf_counter()
                runner.io(print_pdf, pdf.data, output_file=tmp / f"receipt-{i % 4}.pdf", executor=executor).result()
                t4 = time.perf_counter()
                if into is not None:
                    for part, (a, b) in {"ready": (t0, t3), "intake": (t0, t1), "prepare": (t1, t2),
                                         "render": (t2, t3), "print": (t3, t4)}.items():
                        into[part].append((b - a) * 1000)

            for i in range(3):  # warm-up: fonts, imports, first connections
                receipt(i, RENDER)
            n = 0
            for phase in range(args.phases):
                for condition in conditions:
                    if condition != "idle":
                        dossier = runner.db(lambda s: s.intake.intake(INTAKE).code).result()
                        add_pages(loader, dossier, args.pages)
                        shared = condition == "shared pool"
                        load.start(IO if shared else SYNC, IO if shared else DEVICES)
                    for _ in range(args.per_phase):
                        receipt(n, IO if condition == "shared pool" else RENDER, results[condition])
                        n += 1
                        time.sleep(0.1)  # a receptionist, not a loop
                    if condition != "idle":
                        load.stop()
                print(f"phase {phase + 1}/{args.phases} done; load so far {load.figures}", flush=True)
                app.processEvents()  # the runner's relayed answers (nobody listens here)
            figures = dict(load.figures)
            load.close()
            loader.close()
            runner.shutdown()
        finally:
            server.terminate()
            server.wait(10)

    print(f"\nreceipt ready after save (intake -> prepare -> PDF rendered), then printed (300 dpi raster to a PDF "
          f"file); {args.per_phase} receipts x {args.phases} interleaved phases per condition")
    print(f"load: sync rounds to a loopback server uploading {args.pages} x 40 KB pages per loaded phase, "
          f"scan: {scan_name}; totals {figures}")
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} "
          "(shared with other work running at the same time)")
    idle_p95 = p50_p95(results["idle"]["ready"])[1]
    for condition, parts in results.items():
        p50, p95 = p50_p95(parts["ready"])
        print(f"  {condition:12s} ready p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  max {max(parts['ready']):7.1f} ms  "
              f"p95/idle p95 {p95 / idle_p95:5.2f}  p95/target {p95 / TARGET_MS:4.2f}")
        print("               " + ", ".join(f"{part} p50 {p50_p95(v)[0]:.0f} / p95 {p50_p95(v)[1]:.0f} ms"
                                            for part, v in parts.items() if part != "ready"))
    return verdict(p50_p95(results["loaded"]["ready"])[1], TARGET_MS, "loaded p95")


if __name__ == "__main__":
    raise SystemExit(main())
