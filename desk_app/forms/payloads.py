"""What the QR codes on a slip carry, and recognising a slip when the counter scanner reads it.

Tracking QR: the province's lookup URL from a template set at setup, e.g.
``https://dichvucong.caobang.gov.vn/tra-cuu?mahs={code}``; with no template, the bare code.
Room for a short authentication tag the provincial server can verify (added by the sync
work): a ``TagProvider`` (code -> tag or None) is passed in; the tag goes where the template
puts ``{tag}``, else it is appended as ``&t=TAG`` (``?t=TAG``); without a template as ``CODE#TAG``.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable
from urllib.parse import parse_qs, quote, urlsplit

from desk_app.domain.codes import parse_dossier_code
from desk_app.domain.errors import ValidationError

TagProvider = Callable[[str], "str | None"]
TEMPLATE_FIELDS = {"code", "tag"}
_TAG_RE = re.compile(r"^[0-9A-Za-z_\-]{1,32}$")
# Query keys a provincial lookup page might use for the dossier code.
CODE_KEYS = ("mahs", "ma_ho_so", "mahoso", "code", "ma")


def check_url_template(template: str, *, required: str = "code") -> str:
    """Validate a URL template: http(s), only {code} and {tag} placeholders, {code} present."""
    text = (template or "").strip()
    if not text:
        return ""
    try:
        fields = {f for _, f, _, _ in string.Formatter().parse(text) if f is not None}
    except ValueError as exc:
        raise ValidationError("Mẫu địa chỉ không hợp lệ (dấu ngoặc nhọn không khớp): {value}.", field="template", value=text) from exc
    parts = urlsplit(text.replace("{", "").replace("}", ""))
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValidationError("Mẫu địa chỉ phải bắt đầu bằng http:// hoặc https://: {value}.", field="template", value=text)
    unknown = fields - TEMPLATE_FIELDS
    if unknown or required not in fields:
        raise ValidationError(
            "Mẫu địa chỉ phải chứa {{code}} (mã hồ sơ) và chỉ dùng {{code}}, {{tag}}: {value}.", field="template", value=text
        )
    return text


def _fill(template: str, code: str, tag: str | None) -> str:
    url = template.replace("{code}", quote(code, safe=".-"))
    if "{tag}" in url:
        return url.replace("{tag}", quote(tag or "", safe="-_"))
    if tag:
        url += ("&" if "?" in url else "?") + "t=" + quote(tag, safe="-_")
    return url


def _tag(code: str, tag_provider: TagProvider | None) -> str | None:
    tag = tag_provider(code) if tag_provider else None
    if tag is not None and not _TAG_RE.match(tag):
        raise ValueError(f"authentication tag must be 1-32 URL-safe characters, got {tag!r}")
    return tag


def tracking_payload(code: str, template: str = "", *, tag_provider: TagProvider | None = None) -> str:
    """The text of the tracking QR for dossier ``code``."""
    tag = _tag(code, tag_provider)
    if not template:
        return f"{code}#{tag}" if tag else code
    return _fill(template, code, tag)


def survey_payload(code: str, template: str) -> str:
    """The satisfaction-survey URL (Decision 766/QĐ-TTg) for dossier ``code``; '' if not set."""
    return _fill(template, code, None) if template else ""


def recognise_slip(text: str) -> str | None:
    """The dossier code in a scanned slip: the Code128 text (the bare code), the tracking QR
    (a URL with the code in its query, or ``CODE#TAG``); None for anything else."""
    raw = (text or "").strip()
    if not raw:
        return None
    if "://" in raw:
        try:
            query = parse_qs(urlsplit(raw).query)
        except ValueError:
            return None
        lowered = {k.lower(): v for k, v in query.items()}
        for key in CODE_KEYS:
            for value in lowered.get(key, []):
                if parse_dossier_code(value):
                    return value.strip().upper()
        # Templates that put the code in the path: .../tra-cuu/000.31.14.H14-261118-3001
        for piece in reversed(urlsplit(raw).path.split("/")):
            if parse_dossier_code(piece):
                return piece.upper()
        return None
    candidate = raw.split("#", 1)[0].strip().upper()
    return candidate if parse_dossier_code(candidate) else None
