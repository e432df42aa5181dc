"""Bounded, strict JSON for bodies sent by desks (which the server treats as hostile).

``json.loads`` alone accepts ``NaN``/``Infinity``, turns ``1e400`` into ``inf``, builds
integers of thousands of digits, recurses until ``RecursionError`` on ``[[[[…`` and returns
strings holding lone surrogates (``"\\ud800"``) that fail later when stored. Each of those
became a 500 or a poisoned batch; here each is a ``JsonRefused`` the caller answers 4xx.

Also bounds work: decompression stops at ``max_bytes`` (a gzip bomb is refused after
reading that much), objects are counted while parsing (an object hook), and after parsing
one iterative walk checks depth, the number of values and the strings.
"""

from __future__ import annotations

import json
import math
import zlib
from typing import Any

from sync.protocol import MAX_INT, MAX_JSON_DEPTH, MAX_JSON_ITEMS


class JsonRefused(Exception):
    def __init__(self, status: int, code: str, detail: str = ""):
        super().__init__(f"{code}: {detail}")
        self.status = status
        self.code = code
        self.detail = detail


def gunzip(body: bytes, max_bytes: int) -> bytes:
    """The gzip member in ``body``, refused beyond ``max_bytes`` unpacked (never holds more)."""
    inflater = zlib.decompressobj(wbits=31)
    try:
        raw = inflater.decompress(body, max_bytes)
    except zlib.error as exc:
        raise JsonRefused(400, "bad_gzip", str(exc)) from exc
    if inflater.unconsumed_tail:
        raise JsonRefused(413, "too_large", f"limit {max_bytes} bytes uncompressed")
    if not inflater.eof:
        raise JsonRefused(400, "bad_gzip", "truncated")
    return raw


def _refuse_constant(name: str) -> Any:
    raise JsonRefused(400, "malformed_json", f"{name} is not a JSON number")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise JsonRefused(400, "malformed_json", f"number out of range: {text[:40]}")
    return value


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > 19:
        raise JsonRefused(400, "malformed_json", f"integer out of range: {text[:40]}…")
    value = int(text)
    if abs(value) > MAX_INT:
        raise JsonRefused(400, "malformed_json", f"integer out of range: {text}")
    return value


def loads(raw: bytes, *, max_depth: int = MAX_JSON_DEPTH, max_items: int = MAX_JSON_ITEMS) -> Any:
    """Parse ``raw`` (UTF-8 JSON) or raise ``JsonRefused`` (400 malformed_json / 413 too_large)."""
    objects = 0

    def count_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        nonlocal objects
        objects += 1
        if objects > max_items:
            raise JsonRefused(413, "too_large", f"more than {max_items} values")
        return dict(pairs)

    try:
        text = raw.decode("utf-8")
        value = json.loads(
            text,
            parse_constant=_refuse_constant,
            parse_float=_finite,
            parse_int=_bounded_int,
            object_pairs_hook=count_object,
        )
    except JsonRefused:
        raise
    except RecursionError as exc:
        raise JsonRefused(400, "malformed_json", f"nested deeper than {max_depth}") from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise JsonRefused(400, "malformed_json", str(exc)[:200]) from exc
    check_shape(value, max_depth=max_depth, max_items=max_items)
    return value


def _check_text(text: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:  # a lone surrogate escaped as \udXXX
        raise JsonRefused(400, "malformed_json", "string with a lone surrogate (not Unicode text)") from exc


def check_shape(value: Any, *, max_depth: int = MAX_JSON_DEPTH, max_items: int = MAX_JSON_ITEMS) -> None:
    """Depth, number of values and valid text of a parsed JSON value (iterative: no recursion)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    items = 0
    while stack:
        node, depth = stack.pop()
        items += 1
        if items > max_items:
            raise JsonRefused(413, "too_large", f"more than {max_items} values")
        if depth > max_depth:
            raise JsonRefused(400, "malformed_json", f"nested deeper than {max_depth}")
        if isinstance(node, dict):
            for key, child in node.items():
                _check_text(key)
                stack.append((child, depth + 1))
        elif isinstance(node, list):
            stack.extend((child, depth + 1) for child in node)
        elif isinstance(node, str):
            _check_text(node)
