"""Layering: the Qt UI calls the services only. No module under desk_app/ui imports the store
(desk_app.store), and none reaches through a service to its store or connection
(``services.store``, ``sync.store``, ``….conn``): what a page needs is a service method."""

from __future__ import annotations

import ast

from tests.conftest import ROOT

UI = ROOT / "desk_app" / "ui"
REACHING_IN = {"store", "conn"}  # attribute names that are the store's, never the UI's business


def ui_modules() -> list[tuple[str, ast.Module]]:
    return [(str(path.relative_to(ROOT)), ast.parse(path.read_text(encoding="utf-8"))) for path in sorted(UI.rglob("*.py"))]


def test_ui_modules_do_not_import_the_store():
    offenders = []
    for name, tree in ui_modules():
        for node in ast.walk(tree):
            modules = []
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                modules = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
            offenders += [f"{name}:{node.lineno} {m}" for m in modules if m == "desk_app.store" or m.startswith("desk_app.store.")]
    assert not offenders, offenders


def test_ui_modules_do_not_reach_through_a_service_to_its_store():
    offenders = [
        f"{name}:{node.lineno} .{node.attr}"
        for name, tree in ui_modules()
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and node.attr in REACHING_IN
    ]
    assert not offenders, offenders

