"""Every user-facing Vietnamese string has an English translation, with the same placeholders."""

import re
import string

from desk_app.i18n import Translator, load_catalog
from tests.i18n_scan import translatable_strings


def _fields(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


def test_every_string_has_an_english_translation():
    catalog = load_catalog("en")
    strings = translatable_strings()
    assert len(strings) > 50, "the scanner found too few strings; is it still looking?"
    missing = {s: where for s, where in strings.items() if s not in catalog}
    assert not missing, "missing English for:\n" + "\n".join(f"{w}: {s!r}" for s, w in missing.items())


def test_placeholders_match():
    catalog = load_catalog("en")
    bad = [(vi, en) for vi, en in catalog.items() if _fields(vi) != _fields(en)]
    assert not bad, bad


def test_english_is_not_vietnamese():
    catalog = load_catalog("en")
    vietnamese = re.compile("[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", re.I)
    leaked = [en for en in catalog.values() if vietnamese.search(en)]
    assert not leaked, leaked


def test_translator_falls_back_and_formats():
    tr = Translator("en")
    assert tr("Không tìm thấy hồ sơ {code}.", code="X") == "Dossier {code} not found.".format(code="X")
    assert Translator("vi")("Không tìm thấy hồ sơ {code}.", code="X") == "Không tìm thấy hồ sơ X."
