"""Optical character recognition of stored pages (Vietnamese, Tesseract). No Qt.

- ``engine``  runs Tesseract on one image and returns its words with their boxes
- ``text_layer``  draws those words as an invisible, copyable text layer for exported PDFs
The background work (which page next, saving the text, the search index) is
``desk_app.services.ocr``; the rows are ``desk_app.store.ocr_store``. See docs/scanning.md.
"""
