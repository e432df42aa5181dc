"""The pages of one dossier as the desk shows them: in the order of its checklist, each with the
files in the content-addressed store, whether its words are recognised yet (services/ocr.py) and
the boxes of the words a search finds on it. DB thread; no Qt."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from desk_app.domain.errors import NotFoundError

if TYPE_CHECKING:
    from desk_app.services.context import DeskServices


def dossier_pages(services: DeskServices, code: str, highlight: str = "") -> dict[str, Any]:
    """DB thread: the dossier's pages in document order (as on its checklist), each with the
    paths of its files in the content-addressed store, whether its words are recognised yet
    (services/ocr.py) and the boxes of the words that ``highlight`` (the queue's search) finds."""
    digitise = services.digitise
    row = services.store.find_dossier_row(code)
    if row is None:
        raise NotFoundError("Không tìm thấy hồ sơ {code}.", field="code", code=code)
    order = {d["name"]: i for i, d in enumerate(services.store.dossier_documents(row["id"]))}
    pages = sorted(digitise.pages.pages(row["id"]), key=lambda p: (order.get(p.document, len(order)), p.document, p.page_no))
    texts = {p.sha256: services.ocr.page_text(p.sha256) for p in pages}
    return {
        "code": row["code"],
        "pages": [
            {
                "document": p.document,
                "page_no": p.page_no,
                "path": str(digitise.blobs.path_for(p.sha256)),
                "overlay_path": str(digitise.blobs.path_for(p.overlay_sha256)) if p.overlay_sha256 else None,
                "box": p.overlay_box,
                "recognised": _recognised(texts[p.sha256]),
                "marks": search_marks(texts[p.sha256], highlight),
            }
            for p in pages
        ],
    }


def _recognised(text: dict[str, Any] | None) -> bool:
    return text is not None and text["status"] == "done"


def search_marks(text: dict[str, Any] | None, highlight: str) -> tuple[tuple[int, int, int, int], ...]:
    """Boxes of the recognised words that a search for ``highlight`` matches: folded like the
    search index (no diacritics, đ→d), a word matching when it starts with a searched term."""
    from desk_app.domain.text import fold

    terms = [t for t in fold(highlight).split() if len(t) > 1]
    if not text or text["status"] != "done" or not terms:
        return ()
    marks = []
    for word, x, y, w, h, *_rest in text["words"]:
        folded = "".join(ch for ch in fold(word) if ch.isalnum())
        if any(folded.startswith(term) for term in terms):
            marks.append((int(x), int(y), int(w), int(h)))
    return tuple(marks)
