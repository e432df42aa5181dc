"""OCR benchmark: character error rate (CER) and seconds per page of Tesseract (vie) on generated
A4 pages with Vietnamese text (diacritics, a slight tilt, scanner noise), at 200 and 300 dpi,
recognising the page as the desk stores it (CCITT G4 after adaptive threshold and deskew) against
the original grey scan (what one would otherwise feed the tesseract program), interleaved page by
page in the same run. Also: pages per minute of the background worker on this machine.

Goals: CER <= 3 % on clean 300 dpi text, <= 6 % at 200 dpi; >= 10 pages a minute.
CER = Levenshtein distance / reference length, over the whole page, whitespace collapsed.

Run standalone: .venv/bin/python bench/bench_ocr.py [--pages N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rapidfuzz.distance import Levenshtein

from desk_app.ocr.engine import TesseractEngine
from desk_app.scanning import pipeline
from desk_app.scanning.page import RawPage, open_page
from desk_app.scanning.samples import text_page

CASES = {
    "clean": dict(tilt=0.0, noise=4.0),
    "tilt 0.8° + noise": dict(tilt=0.8, noise=10.0),
}


def norm(text: str) -> str:
    return " ".join(text.split())


def cer(reference: str, hypothesis: str) -> float:
    return Levenshtein.distance(norm(reference), norm(hypothesis)) / max(1, len(norm(reference)))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=2, help="pages per case and resolution")
    args = parser.parse_args()
    engine = TesseractEngine()
    print(f"engine: {engine.version()}  (one tesseract thread, niced, as the desk runs it)")
    print(f"{'dpi':>4} {'case':<18} {'input':<10} {'CER':>7} {'s/page':>7}")
    worst = {}
    speeds = []
    for dpi in (200, 300):
        for case, kw in CASES.items():
            results: dict[str, list[tuple[float, float]]] = {"stored G4": [], "grey": []}
            for seed in range(1, args.pages + 1):
                lines: list[str] = []
                grey = text_page(dpi, seed=seed, lines_out=lines, **kw)
                reference = " ".join(lines)
                stored = pipeline.process(RawPage(grey, dpi), mode="text")
                g4 = open_page(stored.data)  # the stored bilevel page (JBIG2 or G4: same pixels)
                # Interleaved: both inputs of one page back to back.
                for name, image in (("stored G4", g4), ("grey", grey)):
                    page = engine.recognise(image)
                    results[name].append((cer(reference, page.text), page.seconds))
            for name, values in results.items():
                mean_cer = statistics.mean(v[0] for v in values)
                mean_s = statistics.mean(v[1] for v in values)
                if name == "stored G4":
                    speeds.append(mean_s)
                    worst[(dpi, case)] = mean_cer
                print(f"{dpi:>4} {case:<18} {name:<10} {mean_cer:>6.2%} {mean_s:>7.2f}")
    per_minute = 60 / statistics.mean(speeds)
    print(f"\nstored pages per minute (one worker, one core): {per_minute:.1f}  (goal >= 10)")
    clean300 = worst[(300, "clean")]
    worst200 = max(v for (dpi, _c), v in worst.items() if dpi == 200)
    print(f"CER stored 300 dpi clean: {clean300:.2%} (goal <= 3 %) -> ratio to goal {clean300 / 0.03:.2f}")
    print(f"CER stored 200 dpi worst: {worst200:.2%} (goal <= 6 %) -> ratio to goal {worst200 / 0.06:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
