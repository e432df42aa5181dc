"""The procedure catalogue: sample data on first run, import of a province's own file."""

from __future__ import annotations

from pathlib import Path

from desk_app.domain.catalogue import Procedure, read_catalogue_file
from desk_app.domain.errors import ImportRowError
from desk_app.domain.text import fold
from desk_app.paths import resources_dir
from desk_app.store.desk_store import DeskStore

SAMPLE_CATALOGUE = "catalogue/sample_commune_catalogue.csv"
SAMPLE_SOURCE = "sample"


class CatalogueService:
    def __init__(self, store: DeskStore, tr, clock):
        self.store = store
        self.tr = tr
        self.clock = clock

    def ensure_sample(self) -> int:
        """Load the shipped SAMPLE catalogue when the desk has no catalogue at all."""
        if self.store.count_procedures():
            return 0
        result = read_catalogue_file(resources_dir() / SAMPLE_CATALOGUE, self.tr)
        return self.store.replace_procedures(result.procedures, source=SAMPLE_SOURCE, now=self.clock().isoformat())

    def import_file(self, path: Path, *, allow_partial: bool = False) -> dict:
        """Import a province catalogue. Any bad row refuses the whole file (nothing changes)
        unless ``allow_partial``, so a typo never silently drops a procedure."""
        result = read_catalogue_file(Path(path), self.tr)
        if result.errors and not allow_partial:
            raise ImportRowError(
                "Tệp danh mục có {count} dòng lỗi, chưa nhập gì: {errors}",
                count=len(result.errors),
                errors=" | ".join(result.errors[:20]),
                details=result.errors,
            )
        if not result.procedures:
            raise ImportRowError("Tệp danh mục không có thủ tục hợp lệ nào.", details=result.errors or None)
        # The sample catalogue gives way to the province's real one (deactivated, not deleted),
        # in the same transaction as the import.
        imported = self.store.replace_procedures(
            result.procedures,
            source=f"import:{Path(path).name}",
            now=self.clock().isoformat(),
            retire_sources=(SAMPLE_SOURCE,),
        )
        return {"imported": imported, "errors": result.errors}

    def list(self) -> list[Procedure]:
        return self.store.list_procedures()

    def get(self, code: str) -> Procedure:
        return self.store.get_procedure(code)

    def find(self, text: str, *, limit: int = 50) -> list[Procedure]:
        """Diacritics-insensitive match on code and name: 'khai sinh' finds 'Đăng ký khai sinh'.
        The catalogue has at most a few thousand entries, so a scan in memory is instant."""
        terms = fold(text).split()
        procedures = self.store.list_procedures()
        if not terms:
            return procedures[:limit]
        scored = []
        for proc in procedures:
            haystack = proc.search_text
            if all(t in haystack for t in terms):
                folded_name = fold(proc.name)
                rank = (0 if folded_name.startswith(terms[0]) else 1, len(proc.name))
                scored.append((rank, proc))
        scored.sort(key=lambda item: item[0])
        return [proc for _, proc in scored[:limit]]
