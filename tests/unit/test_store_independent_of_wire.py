"""Layering: the desk's domain and store never import the wire package (``sync``), and
``sync`` and ``desk_common`` never import ``desk_app`` (the server runs without it). Both
sides share ``desk_common`` (file durability, record facts)."""

from __future__ import annotations

import ast

from tests.conftest import ROOT


def imported_packages(folder: str) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for path in sorted((ROOT / folder).rglob("*.py")):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.add(node.module.split(".")[0])
        found[str(path.relative_to(ROOT))] = names
    return found


def test_store_and_domain_do_not_import_the_wire():
    for folder in ("desk_app/store", "desk_app/domain"):
        offenders = {path: names & {"sync"} for path, names in imported_packages(folder).items() if "sync" in names}
        assert not offenders, offenders


def test_sync_and_desk_common_do_not_import_the_desk():
    for folder in ("sync", "desk_common"):
        offenders = [path for path, names in imported_packages(folder).items() if "desk_app" in names]
        assert not offenders, offenders
    assert all(names <= {"__future__", "collections", "hashlib", "os", "tempfile", "pathlib", "typing"}
               for names in imported_packages("desk_common").values())
