"""The receipt QR carries the desk's authentication tag; the provincial server says whether
a code + tag is genuine. Real parts end to end: enrolled desk, real server process, the
``desk receipt`` command, PDF rendered with pypdfium2, QR decoded with zxing-cpp."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import requests

from desk_app.services.printing import render
from sync.protocol import API_PREFIX
from tests.conftest import desk_cli, require
from tests.forms.helpers import decode, render_pages

TEMPLATE = "https://dichvucong.caobang.gov.vn/tra-cuu?mahs={code}"


def _zxing():
    try:
        import zxingcpp  # noqa: F401
    except ImportError:
        require(False, "zxing-cpp is not installed")


def verify(server, code: str, tag: str) -> dict:
    answer = requests.get(server.url + f"{API_PREFIX}/receipts/verify", params={"code": code, "tag": tag}, timeout=5)
    assert answer.status_code == 200, answer.text
    return answer.json()


def forged(tag: str) -> str:
    return ("B" if tag[0] == "A" else "A") + tag[1:]


def tracking_qr(pdf: bytes) -> str:
    (image,) = render_pages(pdf, 150)[:1]
    qrs = decode(image)["qr"]
    assert len(qrs) == 1, qrs
    return qrs[0]


def test_receipt_pdf_qr_tag_is_genuine_at_the_server(enrolled, server, intake_json, tmp_path):
    _zxing()
    enrolled.printing.configure(tracking_url_template=TEMPLATE)
    code = enrolled.intake.intake(intake_json).code
    out = tmp_path / "slip.pdf"
    # The real command, in its own process (its own composition root and credential vault).
    done = desk_cli("receipt", "--data", str(enrolled.data_dir), code, "--out", str(out), "--layout", "a5")
    assert done.returncode == 0, done.stderr
    url = tracking_qr(out.read_bytes())
    assert json.loads(done.stdout)["qr_payload"] == url
    query = parse_qs(urlsplit(url).query)
    assert query["mahs"] == [code]
    (tag,) = query["t"]
    assert len(tag) == 10
    assert verify(server, code, tag) == {"code": code, "genuine": True, "on_server": False}
    assert verify(server, code, forged(tag))["genuine"] is False
    # Another dossier's tag does not fit this code.
    other = enrolled.intake.intake(intake_json).code
    assert verify(server, other, tag)["genuine"] is False
    # Once synced, the server also says it holds the dossier.
    assert enrolled.sync.sync_once().ok
    assert verify(server, code, tag) == {"code": code, "genuine": True, "on_server": True}


def test_bare_code_qr_carries_code_hash_tag(enrolled, server, intake_json):
    _zxing()
    code = enrolled.intake.intake(intake_json).code
    text = tracking_qr(render(enrolled.printing.prepare(code, layout="thermal80")).data)
    qr_code, tag = text.split("#")
    assert qr_code == code
    assert verify(server, code, tag)["genuine"] is True
    assert verify(server, code, forged(tag))["genuine"] is False


def test_no_tag_before_enrollment(desk, intake_json):
    code = desk.intake.intake(intake_json).code
    assert desk.printing.prepare(code).data.tracking_payload == code
