"""The procedure catalogue: sample data on first run, import of a province's own file."""

from __future__ import annotations

import builtins
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from desk_app.domain.catalogue import Procedure, read_catalogue_file
from desk_app.domain.errors import ImportRowError, Translate
from desk_app.domain.text import fold
from desk_app.paths import resources_dir
from desk_app.store.desk_store import DeskStore

SAMPLE_CATALOGUE = "catalogue/sample_commune_catalogue.csv"
SAMPLE_SOURCE = "sample"
# Before anything is typed the finder lists the procedures this desk takes most often (by its
# recent dossiers), then these common commune ones (folded names; "*" ends a prefix), then the rest.
USAGE_WINDOW = 5000  # the most recent dossiers counted: current habits, and a cheap query at 1M rows
COMMON_PROCEDURES = (
    "dang ky khai sinh",
    "chung thuc ban sao tu ban chinh giay to*",
    "chung thuc chu ky trong cac giay to*",
    "dang ky ket hon",
    "dang ky khai tu",
    "cap giay xac nhan tinh trang hon nhan",
    "cap ban sao trich luc ho tich",
    "dang ky thuong tru",
    "dang ky tam tru",
)


class CatalogueService:
    def __init__(self, store: DeskStore, tr: Translate, clock: Callable[[], datetime]):
        self.store = store
        self.tr = tr
        self.clock = clock

    def ensure_sample(self) -> int:
        """Load the shipped SAMPLE catalogue when the desk has no catalogue at all."""
        if self.store.count_procedures():
            return 0
        result = read_catalogue_file(resources_dir() / SAMPLE_CATALOGUE, self.tr)
        return self.store.replace_procedures(result.procedures, source=SAMPLE_SOURCE, now=self.clock().isoformat())

    def check_file(self, path: Path) -> dict[str, Any]:
        """Read a catalogue file without importing it: how many procedures are good and each
        bad row's error (what the import dialog shows before anything changes)."""
        result = read_catalogue_file(Path(path), self.tr)
        return {"procedures": len(result.procedures), "errors": result.errors}

    def import_file(self, path: Path, *, allow_partial: bool = False) -> dict[str, Any]:
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

    def find(self, text: str, *, limit: int = 50) -> builtins.list[Procedure]:  # list: the method above
        """Diacritics-insensitive match on code and name: 'khai sinh' finds 'Đăng ký khai sinh'.
        The catalogue has at most a few thousand entries, so a scan in memory is instant."""
        terms = fold(text).split()
        procedures = self.store.list_procedures()
        if not terms:
            return self._most_used_first(procedures)[:limit]
        scored = []
        for proc in procedures:
            haystack = proc.search_text
            if all(t in haystack for t in terms):
                folded_name = fold(proc.name)
                rank = (0 if folded_name.startswith(terms[0]) else 1, len(proc.name))
                scored.append((rank, proc))
        scored.sort(key=lambda item: item[0])
        return [proc for _, proc in scored[:limit]]

    def usage_counts(self) -> dict[str, int]:
        """Read-only: dossiers per procedure code among this desk's last ``USAGE_WINDOW``."""
        rows = self.store.db.conn.execute(
            "SELECT procedure_code, COUNT(*) FROM "
            "(SELECT procedure_code FROM dossiers ORDER BY id DESC LIMIT ?) GROUP BY procedure_code",
            (USAGE_WINDOW,),
        ).fetchall()
        return dict(rows)

    def _most_used_first(self, procedures: builtins.list[Procedure]) -> builtins.list[Procedure]:
        usage = self.usage_counts()

        def common_rank(proc: Procedure) -> int:
            name = fold(proc.name)
            return next((i for i, common in enumerate(COMMON_PROCEDURES)
                         if name == common or (common.endswith("*") and name.startswith(common[:-1]))),
                        len(COMMON_PROCEDURES))

        # sorted() is stable: within a rank the catalogue order (field, name) stays.
        return sorted(procedures, key=lambda proc: (-usage.get(proc.code, 0), common_rank(proc)))
