"""The translation layer: Vietnamese source strings, English catalogue in desk_app/resources/i18n.

Every user-facing string is written in Vietnamese in the code and passed through a
``Translator``. Catalogues are ``desk_app/resources/i18n/<lang>/*.json`` (one file per area,
merged), each mapping the Vietnamese source text to its translation. Strings that must be translated
later (error messages built in the domain, labels declared at import time) are marked with ``N_`` so
the catalogue test finds them. No Qt here: the CLI and the Qt UI share this layer.
"""

from __future__ import annotations

import json
from pathlib import Path

from desk_app.paths import resources_dir

LANGUAGES = ("vi", "en")
DEFAULT_LANGUAGE = "vi"


def N_(text: str) -> str:
    """Mark a string for translation without translating it yet."""
    return text


class Translator:
    """Translates Vietnamese source strings into the chosen language.

    Thread-safe after construction (read-only dictionary lookups).
    """

    def __init__(self, language: str = DEFAULT_LANGUAGE, *, catalog_dir: Path | None = None):
        if language not in LANGUAGES:
            language = DEFAULT_LANGUAGE
        self.language = language
        self._catalog: dict[str, str] = {}
        if language != "vi":
            self._catalog = load_catalog(language, catalog_dir=catalog_dir)

    def __call__(self, text: str, /, **params: object) -> str:
        template = self._catalog.get(text, text)
        if params:
            try:
                return template.format(**params)
            except (KeyError, IndexError, ValueError):
                return text.format(**params)
        return template


def load_catalog(language: str, *, catalog_dir: Path | None = None) -> dict[str, str]:
    folder = (catalog_dir or resources_dir() / "i18n") / language
    catalog: dict[str, str] = {}
    for path in sorted(folder.glob("*.json")):
        catalog.update(json.loads(path.read_text(encoding="utf-8")))
    return catalog
