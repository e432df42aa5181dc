"""Render PDFs with pypdfium2 and decode their codes with zxing-cpp (both real)."""

from __future__ import annotations

import pypdfium2 as pdfium


def render_pages(data: bytes, dpi: int):
    pdf = pdfium.PdfDocument(data)
    try:
        return [pdf[i].render(scale=dpi / 72, grayscale=True).to_pil() for i in range(len(pdf))]
    finally:
        pdf.close()


def decode(image) -> dict[str, list[str]]:
    import zxingcpp

    found: dict[str, list[str]] = {"qr": [], "code128": []}
    for result in zxingcpp.read_barcodes(image):
        if result.format == zxingcpp.BarcodeFormat.QRCode:
            found["qr"].append(result.text)
        elif result.format == zxingcpp.BarcodeFormat.Code128:
            found["code128"].append(result.text)
    return found


def page_texts(data: bytes) -> list[str]:
    pdf = pdfium.PdfDocument(data)
    try:
        out = []
        for i in range(len(pdf)):
            textpage = pdf[i].get_textpage()
            out.append(textpage.get_text_range())
            textpage.close()
        return out
    finally:
        pdf.close()


def fonts_embedded(data: bytes) -> bool:
    """Every font is an embedded TrueType subset: no base-14 font that a PC may lack."""
    return b"/FontFile2" in data and b"/Helvetica" not in data and b"/Times-Roman" not in data
