"""Exports create their folder when it is missing: receipt PDF and tracking book, from the real
`desk` command (dossier PDFs and the USB bundle already made theirs: services/digitise.py,
sync/bundle.py)."""

from __future__ import annotations

import json

from tests.conftest import desk_cli


def test_exports_create_missing_folders(tmp_path, intake_json):
    data = str(tmp_path / "d")
    assert desk_cli("init", "--data", data, "--unit-code", "000.31.14.H14", "--desk", "3").returncode == 0
    code = json.loads(desk_cli("intake", "--allow-missing", "--data", data, "--json", "-",
                               input=json.dumps(intake_json)).stdout)["code"]
    out = tmp_path / "usb" / "xuat"  # does not exist
    receipt = desk_cli("receipt", "--data", data, code, "--out", str(out / "phieu" / "bien-nhan.pdf"))
    assert receipt.returncode == 0, receipt.stderr
    book = desk_cli("book", "--data", data, "--from", "2026-11-01", "--to", "2026-12-31",
                    "--out", str(out / "so" / "so-theo-doi.xlsx"))
    assert book.returncode == 0, book.stderr
    assert (out / "phieu" / "bien-nhan.pdf").read_bytes().startswith(b"%PDF")
    assert (out / "so" / "so-theo-doi.xlsx").stat().st_size > 0
    # Under a file the folder cannot be made: a clear error naming it, nothing written.
    (tmp_path / "a-file").write_text("x")
    refused = desk_cli("receipt", "--data", data, code, "--out", str(tmp_path / "a-file" / "sub" / "p.pdf"))
    assert refused.returncode == 1
    assert "Không tạo được thư mục" in json.loads(refused.stderr)["message"]
