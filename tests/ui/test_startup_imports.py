"""What the desk app loads before its catalogue is listed (issue 15, "Ready to work at start";
the time is measured by bench/bench_startup.py). The UI modules, the window, the services the
DB thread builds, opening the desk and the catalogue's first page, in a fresh interpreter:
none of the heavy libraries, and none of what only a later action needs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

SCRIPT = """
import json, sys
from pathlib import Path
from desk_app.i18n import Translator
from desk_app.ui.app import make_services_factory, open_desk, parse_args
from desk_app.ui.pages.procedure_finder import find_procedures

args = parse_args(["--data", sys.argv[1]])
services = make_services_factory(args.data, Translator("vi"))()
state = open_desk(services)
assert state["initialised"], state
assert find_procedures(services, "")
print(json.dumps(sorted(sys.modules)))
"""
HEAVY = ("numpy", "sqlite_utils", "holidays", "numba", "reportlab", "PIL", "pypdfium2", "requests", "img2pdf")
LATER = (
    "subprocess",  # the page coder's warm-up process, started once the catalogue is listed
    "platformdirs",  # the default data folder (this start names one)
    "hashlib",  # passwords and the audit chain: signing in, the first audited change
    "logging.handlers", "socket",  # the log file rotates without them (services/logs.py)
    "csv",  # a catalogue import
    "uuid", "platform",  # the first record's identifiers (domain/ids.py)
    "PySide6.QtNetwork",  # the single-instance lock (--selftest and this test take none)
    "desk_app.ui.wedge",  # the scanner router, installed once the start-up settled
    "desk_app.ui.backup_ui",  # the support add-ons, likewise
    "desk_app.ui.help_menu",
    "desk_app.services.intake",  # the first save
    "desk_app.services.queue",  # the queue page
    "desk_app.services.dossier_view",
)


def test_the_start_path_loads_nothing_heavy_nor_what_later_actions_need(tmp_path):
    from desk_app.services.context import build_services

    data = tmp_path / "desk"
    ctx = build_services(data)
    ctx.setup.configure(unit_code="000.31.14.H14", desk=1, commune_code="01273")
    ctx.catalogue.ensure_sample()
    ctx.close()
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run([sys.executable, "-c", SCRIPT, str(data)], capture_output=True, text=True, cwd=root, timeout=120,
                         env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert out.returncode == 0, out.stderr[-3000:]
    loaded = set(json.loads(out.stdout.strip().splitlines()[-1]))
    assert "desk_app.ui.main_window" in loaded and "desk_app.services.context" in loaded  # the path ran
    assert sorted(m for m in loaded if m.split(".")[0] in HEAVY) == []
    assert sorted(m for m in LATER if m in loaded) == []
