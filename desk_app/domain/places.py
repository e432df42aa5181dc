"""Provinces and communes as a receptionist looks for them: sorted by name in Vietnamese
order, found by typing part of the name without its "Xã/Phường/Đặc khu" prefix and without
diacritics ("thuc phan" finds "Phường Thục Phán", "nung" finds "Phường Nùng Trí Cao").

Pure functions; the official list itself comes from vietnam-provinces (services/setup.py).
"""

from __future__ import annotations

import unicodedata
from typing import Any

from desk_app.domain.text import fold

# Administrative prefixes of the official names (2025 list: provinces, communes, wards,
# special zones).
PREFIXES = ("Thành phố ", "Tỉnh ", "Phường ", "Xã ", "Đặc khu ", "Thị trấn ")
# What a receptionist may type first to narrow the kind ("xa bao lam").
_KIND_WORDS = {fold(p.strip()): p for p in PREFIXES}

# Vietnamese alphabetical order of the base letters (ă, â after a; đ after d; ...), used to
# break ties between names that are equal once diacritics are ignored.
_ALPHABET = "aăâbcdđeêghiklmnoôơpqrstuưvxy"
_LETTER_RANK = {ch: i for i, ch in enumerate(_ALPHABET)}
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}  # huyền, hỏi, ngã, sắc, nặng


def split_prefix(name: str) -> tuple[str, str]:
    """('Phường ', 'Thục Phán') for 'Phường Thục Phán'; ('', name) when there is none."""
    for prefix in PREFIXES:
        if name.startswith(prefix):
            return prefix, name[len(prefix):]
    return "", name


def _letters(text: str) -> tuple[tuple[int, int], ...]:
    """Each letter as (rank of its base letter with its vowel mark, tone)."""
    out = []
    for ch in text.lower():
        parts = unicodedata.normalize("NFD", ch)
        base, marks = parts[0], parts[1:]
        tone = 0
        keep = ""
        for mark in marks:
            if mark in _TONES:
                tone = _TONES[mark]
            else:
                keep += mark  # breve, circumflex, horn: part of the letter
        letter = unicodedata.normalize("NFC", base + keep)
        out.append((_LETTER_RANK.get(letter, 100 + ord(letter[0])), tone))
    return tuple(out)


def sort_key(name: str) -> tuple[Any, ...]:
    """Sort by the name without its prefix, ignoring diacritics first (so "Đông" sits among
    the D names), then in Vietnamese letter order, then by the prefix."""
    prefix, rest = split_prefix(name)
    return (fold(rest), _letters(rest), prefix)


def sorted_places(items: list[tuple[object, str]]) -> list[tuple[object, str]]:
    """``(code, name)`` pairs in Vietnamese name order."""
    return sorted(items, key=lambda item: sort_key(item[1]))


def matches(query: str, name: str) -> bool:
    """Every word typed starts a word of the name (prefix and diacritics ignored); a first
    word naming the kind ("xa", "phuong", "dac khu") keeps only that kind."""
    words = fold(query).split()
    if not words:
        return True
    prefix, rest = split_prefix(name)
    for size in (2, 1):  # "dac khu" is two words
        kind = " ".join(words[:size])
        if len(words) >= size and kind in _KIND_WORDS:
            if fold(prefix.strip()) != kind:
                return False
            words = words[size:]
            break
    name_words = fold(rest).split()
    return all(any(w.startswith(typed) for w in name_words) for typed in words)


def rank(query: str, name: str) -> tuple[Any, ...]:
    """Better matches first: the name (without prefix) starting with what was typed."""
    _prefix, rest = split_prefix(name)
    typed = " ".join(fold(query).split())
    return (0 if fold(rest).startswith(typed) else 1, sort_key(name))


def find(query: str, items: list[tuple[object, str]]) -> list[tuple[object, str]]:
    """The ``(code, name)`` pairs matching ``query``, best first."""
    return sorted((item for item in items if matches(query, item[1])), key=lambda item: rank(query, item[1]))
