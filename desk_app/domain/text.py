"""Diacritics folding for search: 'Nguyễn Thị Đào' -> 'nguyen thi dao'.

SQLite's unicode61 tokenizer does not fold đ/Đ, so we fold in Python before indexing and
before querying, and index plain ASCII.
"""

from __future__ import annotations

import re
import unicodedata

_D_MAP = str.maketrans({"đ": "d", "Đ": "D"})
_WORD = re.compile(r"[0-9a-z]+(?:[.\-][0-9a-z]+)*")


def strip_diacritics(text: str | None) -> str:
    """'Nguyễn Thị Đào' -> 'Nguyen Thi Dao': case kept (đ/Đ have no decomposition, so mapped)."""
    if not text:
        return ""
    text = unicodedata.normalize("NFD", text.translate(_D_MAP))
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    return unicodedata.normalize("NFC", text)


def fold(text: str | None) -> str:
    """Lower-case ASCII without diacritics; keeps digits, letters, '.', '-' and spaces."""
    return strip_diacritics(text).lower()


def tokens(text: str | None) -> list[str]:
    return _WORD.findall(fold(text))


def normalize_spaces(text: str | None) -> str:
    return " ".join((text or "").split())
