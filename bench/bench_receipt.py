"""From save (intake commit) to a ready receipt PDF (form 01, A5 and thermal): p50/p95 vs the
300 ms target, and the share of the time spent in intake vs prepare vs render.

Run standalone: .venv/bin/python bench/bench_receipt.py [--runs N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.latency import p50_p95
from desk_app.services.context import build_services
from desk_app.services.printing import render

TARGET_MS = 300.0
INTAKE = {
    "procedure_code": "1.004194.000.00.00.H14",
    "applicant": {
        "full_name": "Nguyễn Thị Đào", "id_number": "004199012345", "birth_date": "1999-05-20", "gender": "Nữ",
        "address": "Xóm Nà Rỏa, Phường Thục Phán, Tỉnh Cao Bằng", "phone": "0912345678", "email": "dao@example.vn",
    },
    "documents": [
        {"name": "Tờ khai thay đổi thông tin cư trú (CT01)", "kind": "original", "count": 1},
        {"name": "Giấy tờ chứng minh chỗ ở hợp pháp", "kind": "certified_copy", "count": 1},
    ],
    "sets": 1,
}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=60)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        ctx = build_services(Path(tmp) / "data", actor="bench")
        ctx.setup.configure(unit_code="000.31.14.H14", desk=3, commune_code="01273")
        ctx.catalogue.ensure_sample()
        ctx.printing.configure(
            tracking_url_template="https://dichvucong.caobang.gov.vn/tra-cuu?mahs={code}",
            survey_url_template="https://dichvucong.caobang.gov.vn/danh-gia?mahs={code}",
            bank_bin="970415", bank_account="113366668888", bank_account_name="UBND PHUONG THUC PHAN",
        )
        for layout in ("a5", "thermal80"):
            totals, parts = [], {"intake": [], "prepare": [], "render+write": []}
            for i in range(args.runs + 3):
                t0 = time.perf_counter()
                code = ctx.intake.intake(INTAKE).code
                t1 = time.perf_counter()
                prepared = ctx.printing.prepare(code, layout=layout)
                t2 = time.perf_counter()
                pdf = render(prepared)
                out = Path(tmp) / f"slip-{i}.pdf"
                out.write_bytes(pdf.data)
                ctx.printing.record(prepared, target=f"pdf:{out}")
                t3 = time.perf_counter()
                if i < 3:  # warm-up: font loading, imports
                    continue
                totals.append((t3 - t0) * 1000)
                parts["intake"].append((t1 - t0) * 1000)
                parts["prepare"].append((t2 - t1) * 1000)
                parts["render+write"].append((t3 - t2) * 1000)
            p50, p95 = p50_p95(totals)
            print(f"[{layout}] save -> ready PDF over {len(totals)} runs: p50 {p50:.1f} ms, p95 {p95:.1f} ms, "
                  f"target {TARGET_MS:.0f} ms, p95/target = {p95 / TARGET_MS:.2f}")
            print("   " + ", ".join(f"{k} p50 {statistics.median(v):.1f} ms" for k, v in parts.items())
                  + f"; PDF {len(pdf.data) / 1024:.0f} KB")
        ctx.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
