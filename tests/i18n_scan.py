"""Find every translatable literal in the code: calls of tr(...), self.tr(...), N_(...),
ctx.tr(...) and the message (first argument) of DeskError subclasses."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE_DIRS = ("desk_app", "sync")
ERROR_CLASSES = {
    "DeskError", "ValidationError", "NotFoundError", "ConflictError", "StoreError", "ImportRowError",
    "AuthError", "ForbiddenError",
}
TR_NAMES = {"tr", "N_", "_", "_tr", "tr_"}


def _name(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def translatable_strings() -> dict[str, str]:
    """Map each literal to the first 'file:line' it appears at."""
    found: dict[str, str] = {}
    for folder in SOURCE_DIRS:
        for path in sorted((ROOT / folder).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for node in ast.walk(tree):
                if not isinstance(node, ast.Call) or not node.args:
                    continue
                name = _name(node.func)
                first = node.args[0]
                if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
                    continue
                if name in TR_NAMES or name in ERROR_CLASSES or (name or "").endswith("Error") and name in ERROR_CLASSES:
                    found.setdefault(first.value, f"{path.relative_to(ROOT)}:{node.lineno}")
    return found
