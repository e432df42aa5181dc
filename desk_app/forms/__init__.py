"""Printed one-stop forms (Circular 01/2018/TT-VPCP, Mẫu 01-06): data assembly, PDF, codes.

Qt-free: the CLI, the services and the Qt UI all use it. The printed text of a form is the
official Vietnamese wording and is never translated (the form is a legal document); only the
messages shown to the operator go through the translator.

- ``fonts``    the embedded DejaVu fonts (Vietnamese glyphs, shipped in desk_app/resources/fonts)
- ``codes``    QR and Code128 as module matrices, drawn as vector rectangles
- ``vietqr``   NAPAS VietQR (EMVCo) payloads and their CRC-16/CCITT-FALSE
- ``payloads`` tracking / survey URLs in the QR, and recognising a scanned slip
- ``model``    the data a form prints (built from a dossier by services.printing)
- ``layouts``  A4, A5 and 80 mm thermal geometry
- ``pdf``      rendering forms 01-06 with reportlab; ``book_xlsx`` the tracking book as .xlsx
"""
