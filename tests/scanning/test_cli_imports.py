"""Every ``desk`` command builds the whole argument parser, scanning's included: that must not
load Pillow (~10 ms) or the page pipeline; they load when a scanning command runs. Checked in a
fresh interpreter."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SCRIPT = """
import json, sys
from desk_app.cli import build_parser
build_parser()
print(json.dumps(sorted(sys.modules)))
"""


def test_building_the_cli_parser_does_not_load_pillow():
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, cwd=root, timeout=60)
    assert out.returncode == 0, out.stderr[-2000:]
    loaded = json.loads(out.stdout.strip().splitlines()[-1])
    assert "desk_app.commands.scanning" in loaded and "desk_app.scanning.sources" in loaded
    heavy = [m for m in loaded if m == "PIL" or m.startswith(("PIL.", "desk_app.scanning.page", "desk_app.scanning.pipeline"))]
    assert heavy == []
