"""Issue 9: what the desk imports is what its default install declares. Every module imported
by desk_app (and by the sync client it uses) is the standard library, first-party, a default
dependency of pyproject.toml, or one of the optional scanner modules behind a clear error; the
server's packages (extra [server]) and the test tools are never imported by the desk."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions

from tests.conftest import ROOT

FIRST_PARTY = {"desk_app", "sync", "desk_common"}
# Imported only inside the scanner backends, each turning ImportError into a ScannerError.
OPTIONAL = {"sane": "[sane]", "twain": "[windows]", "win32com": "pywin32", "pythoncom": "pywin32", "pywintypes": "pywin32"}
# Imported only by the JBIG2 coder; without it bilevel pages are stored as G4 (encode_bilevel).
OPTIONAL_CODER = {"numba": ("[jbig2]", ("desk_app/scanning/jbig2.py", "desk_app/scanning/jbig2_mq.py"))}
# Installed with a declared dependency, always in step with it.
TRANSITIVE = {"shiboken6": "pyside6-essentials", "urllib3": "requests"}
SERVER_AND_TEST = {"fastapi", "starlette", "uvicorn", "psycopg", "pydantic", "pytest", "hypothesis", "httpx", "schemathesis"}


def desk_sources():
    for folder in ("desk_app", "desk_common", "sync"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if "server" not in path.relative_to(ROOT).parts:
                yield path


def imported_top_levels() -> dict[str, str]:
    found: dict[str, str] = {}
    for path in desk_sources():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if name.startswith("sync.server"):
                    top = "sync.server"
                found.setdefault(top, f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def default_distributions() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return {re.split(r"[<>=!~;\[ ]", dep, maxsplit=1)[0].strip().lower().replace("_", "-") for dep in project["dependencies"]}


def test_the_desk_never_imports_the_server_or_test_tools():
    found = imported_top_levels()
    bad = {name: where for name, where in found.items() if name in SERVER_AND_TEST or name == "sync.server"}
    assert bad == {}


def test_every_import_is_stdlib_first_party_or_a_default_dependency():
    declared = default_distributions()
    providers = packages_distributions()
    undeclared = {}
    for name, where in imported_top_levels().items():
        if name in sys.stdlib_module_names or name in FIRST_PARTY or name == "__future__":
            continue
        if name in OPTIONAL:
            assert "sources" in where, f"{name} is optional ({OPTIONAL[name]}): only the scanner backends may import it ({where})"
            continue
        if name in OPTIONAL_CODER:
            extra, homes = OPTIONAL_CODER[name]
            assert where.split(":")[0] in homes, f"{name} is optional ({extra}): only {homes} may import it ({where})"
            continue
        dists = {d.lower().replace("_", "-") for d in providers.get(name, [])}
        if name in TRANSITIVE:
            dists = {TRANSITIVE[name]}
        if not dists & declared:
            undeclared[name] = (where, sorted(dists))
    assert undeclared == {}, "imported but not a default dependency in pyproject.toml"
