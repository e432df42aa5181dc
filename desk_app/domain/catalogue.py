"""The procedure catalogue (danh mục thủ tục hành chính) and its CSV / .xlsx import.

Columns (English or the Vietnamese headers a province's export uses):
code, name, field, processing_days, processing_hours, fee, fee_note, legal_basis, documents.
``documents`` lists the documents as ``name|kind|count[|optional]`` separated by ``;``. A
document is required unless marked optional in the fourth part ("optional", "không bắt buộc",
"tùy chọn") or, with no mark, its name says it is conditional ("... (nếu có)", "(nếu ...)");
"required" / "bắt buộc" in the fourth part overrides the name.
"""

from __future__ import annotations

import io
import re
from dataclasses import asdict, dataclass
from dataclasses import field as dc_field
from pathlib import Path
from typing import Any, Literal, overload

from desk_app.domain.codes import check_procedure_code
from desk_app.domain.dossier import DOCUMENT_KINDS
from desk_app.domain.errors import DeskError, ImportRowError, Translate, ValidationError
from desk_app.domain.text import fold, normalize_spaces

COLUMNS = (
    "code",
    "name",
    "field",
    "processing_days",
    "processing_hours",
    "fee",
    "fee_note",
    "legal_basis",
    "documents",
)
REQUIRED = ("code", "name", "processing_days")

# Header aliases, compared after folding (no diacritics, đ->d), with units in parentheses and
# punctuation dropped: "Thời hạn giải quyết (ngày làm việc)" -> "thoi han giai quyet".
_ALIASES = {
    "code": ("code", "ma thu tuc", "ma tthc", "ma thu tuc hanh chinh", "ma"),
    "name": ("name", "ten thu tuc", "ten tthc", "ten thu tuc hanh chinh", "ten"),
    "field": ("field", "linh vuc"),
    "processing_days": (
        "processing days", "thoi han giai quyet", "thoi han", "so ngay", "thoi han giai quyet ngay",
        "so ngay giai quyet",
    ),
    "processing_hours": ("processing hours", "so gio", "thoi han gio", "so gio giai quyet"),
    "fee": ("fee", "phi", "le phi", "phi le phi", "muc phi", "muc thu"),
    "fee_note": ("fee note", "ghi chu phi", "ghi chu le phi"),
    "legal_basis": ("legal basis", "can cu phap ly"),
    "documents": ("documents", "thanh phan ho so", "thanh phan so luong ho so"),
}


def header_key(text: str) -> str:
    folded = fold(normalize_spaces(str(text or "")))
    folded = re.sub(r"\(.*?\)", " ", folded)
    return " ".join(re.sub(r"[^0-9a-z]+", " ", folded).split())


_HEADER_LOOKUP = {header_key(alias): column for column, aliases in _ALIASES.items() for alias in aliases}
MAX_ROWS = 20000
# Fee cells that mean "free" in province exports.
_FREE_WORDS = {"khong", "mien", "mien phi", "khong thu", "mien le phi", "khong co"}


# A parenthesis starting with "nếu" ("if"): the document is needed only in some cases.
_CONDITIONAL_RE = re.compile(r"\(\s*neu\b")
_OPTIONAL_WORDS = {"optional", "khong bat buoc", "tuy chon", "neu co"}
_REQUIRED_WORDS = {"required", "bat buoc"}


def is_conditional_name(name: str) -> bool:
    """"Giấy chứng nhận kết hôn của cha mẹ (nếu có)" -> True."""
    return bool(_CONDITIONAL_RE.search(fold(name or "")))


@dataclass
class RequiredDocument:
    """One document of a procedure's checklist; ``required`` is derived from the name when
    the catalogue does not say (older stored catalogues have no flag)."""

    name: str
    kind: str = "original"
    count: int = 1
    required: bool | None = None

    def __post_init__(self) -> None:
        if self.required is None:
            self.required = not is_conditional_name(self.name)


@dataclass
class Procedure:
    code: str
    name: str
    processing_days: int
    processing_hours: float | None = None
    field: str = ""
    fee: int = 0
    fee_note: str = ""
    legal_basis: str = ""
    documents: list[RequiredDocument] = dc_field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Procedure:
        docs = [RequiredDocument(**d) for d in data.get("documents") or []]
        return cls(**{**data, "documents": docs})

    @property
    def search_text(self) -> str:
        return fold(f"{self.code} {self.name} {self.field}")


_INTEGER_RE = re.compile(r"^\d+$|^\d{1,3}(?:([.,])\d{3})(?:\1\d{3})*$")
_DECIMAL_RE = re.compile(r"^\d+(?:[.,]\d+)?$")


@overload
def _number(raw: str, *, row: int, column: str, integer: Literal[True] = True) -> int | None: ...
@overload
def _number(raw: str, *, row: int, column: str, integer: Literal[False]) -> float | None: ...
def _number(raw: str, *, row: int, column: str, integer: bool = True) -> int | float | None:
    """Parse a number cell. Integers accept thousands separators as Vietnamese exports write
    them (2.000 or 2,000 = two thousand) but never a decimal part: ``1.5`` days is an error,
    not 15 days."""
    text = (raw or "").strip().replace(" ", "").replace("\u00a0", "")
    if not text:
        return None
    value: int | float
    try:
        if integer:
            if not _INTEGER_RE.match(text):
                raise ValueError(text)
            value = int(text.replace(".", "").replace(",", ""))
        else:
            if not _DECIMAL_RE.match(text):
                raise ValueError(text)
            value = float(text.replace(",", "."))
    except ValueError as exc:
        raise ImportRowError(
            "Dòng {row}: cột {column} phải là số (đã có: {value}).", row=row, column=column, value=raw
        ) from exc
    return value


def parse_documents_cell(raw: str, *, row: int) -> list[RequiredDocument]:
    docs = []
    for part in (raw or "").replace("\n", ";").split(";"):
        part = part.strip()
        if not part:
            continue
        pieces = [p.strip() for p in part.split("|")]
        name = normalize_spaces(pieces[0])
        kind = pieces[1] if len(pieces) > 1 and pieces[1] else "original"
        if kind not in DOCUMENT_KINDS:
            raise ImportRowError(
                "Dòng {row}: loại giấy tờ không hợp lệ: {value}.", row=row, value=kind
            )
        count = _number(pieces[2], row=row, column="documents") if len(pieces) > 2 and pieces[2] else None
        required = None
        if len(pieces) > 3 and pieces[3]:
            mark = header_key(pieces[3])
            if mark not in _OPTIONAL_WORDS | _REQUIRED_WORDS:
                raise ImportRowError(
                    "Dòng {row}: đánh dấu giấy tờ không hợp lệ: {value} (bắt buộc hoặc không bắt buộc).",
                    row=row, value=pieces[3],
                )
            required = mark in _REQUIRED_WORDS
        docs.append(RequiredDocument(name=name, kind=kind, count=count or 1, required=required))
    return docs


def parse_row(values: dict[str, str], *, row: int) -> Procedure:
    for column in REQUIRED:
        if not str(values.get(column) or "").strip():
            raise ImportRowError("Dòng {row}: thiếu cột bắt buộc {column}.", row=row, column=column)
    try:
        code = check_procedure_code(str(values["code"]))
    except ValidationError as exc:
        raise ImportRowError(
            "Dòng {row}: mã thủ tục không đúng định dạng: {value}.", row=row, value=values["code"]
        ) from exc
    days = _number(str(values["processing_days"]), row=row, column="processing_days")
    if days is None or days > 365:
        raise ImportRowError("Dòng {row}: thời hạn giải quyết không hợp lệ.", row=row)
    hours = _number(str(values.get("processing_hours") or ""), row=row, column="processing_hours", integer=False)
    if hours is not None and not 0 < hours <= 24 * 60:
        raise ImportRowError("Dòng {row}: số giờ giải quyết không hợp lệ.", row=row)
    name = normalize_spaces(str(values["name"]))
    if len(name) > 500:
        raise ImportRowError("Dòng {row}: tên thủ tục quá dài.", row=row)
    fee_text = str(values.get("fee") or "")
    if header_key(fee_text) in _FREE_WORDS or fee_text.strip() == "-":
        fee_text = "0"
    fee = _number(fee_text, row=row, column="fee") or 0
    return Procedure(
        code=code,
        name=name,
        processing_days=days,
        processing_hours=hours,
        field=normalize_spaces(str(values.get("field") or "")),
        fee=fee,
        fee_note=normalize_spaces(str(values.get("fee_note") or "")),
        legal_basis=normalize_spaces(str(values.get("legal_basis") or "")),
        documents=parse_documents_cell(str(values.get("documents") or ""), row=row),
    )


def _map_header(header: list[str]) -> list[str | None]:
    mapped = [_HEADER_LOOKUP.get(header_key(h)) for h in header]
    seen: set[str] = set()
    for raw, column in zip(header, mapped):
        if column in seen:
            raise ImportRowError(
                "Tệp danh mục có hai cột cùng nghĩa {column} (cột {header}).", column=column, header=str(raw)
            )
        if column:
            seen.add(column)
    missing = [c for c in REQUIRED if c not in mapped]
    if missing:
        raise ImportRowError(
            "Tệp danh mục thiếu cột: {columns}. Cần các cột: {required}.",
            columns=", ".join(missing),
            required=", ".join(COLUMNS),
        )
    return mapped


@dataclass
class ImportResult:
    procedures: list[Procedure]
    errors: list[str]


def _rows_from_table(rows: list[list[str]], tr: Translate) -> ImportResult:
    if not rows:
        raise ImportRowError("Tệp danh mục trống.")
    mapped = _map_header(rows[0])
    if len(rows) - 1 > MAX_ROWS:
        raise ImportRowError("Tệp danh mục có quá nhiều dòng (tối đa {max}).", max=MAX_ROWS)
    procedures: dict[str, Procedure] = {}
    errors: list[str] = []
    for index, raw in enumerate(rows[1:], start=2):
        if not any(str(c or "").strip() for c in raw):
            continue
        values = {col: ("" if cell is None else str(cell)) for col, cell in zip(mapped, raw) if col}
        try:
            proc = parse_row(values, row=index)
        except DeskError as exc:
            errors.append(exc.translated(tr))
            continue
        if proc.code in procedures:
            errors.append(tr("Dòng {row}: mã thủ tục {code} bị trùng.", row=index, code=proc.code))
            continue
        procedures[proc.code] = proc
    return ImportResult(list(procedures.values()), errors)


def read_catalogue_file(path: Path, tr: Translate) -> ImportResult:
    """Parse a CSV or .xlsx catalogue. Bad rows are reported, not silently dropped."""
    path = Path(path)
    if not path.exists():
        raise ValidationError("Không tìm thấy tệp: {path}.", field="file", path=str(path))
    if path.stat().st_size == 0:
        raise ValidationError("Tệp rỗng (0 byte): {path}.", field="file", path=str(path))
    suffix = path.suffix.lower()
    if suffix not in (".xlsx", ".csv", ".txt"):
        raise ValidationError(
            "Chỉ nhận tệp danh mục .csv hoặc .xlsx (đã chọn: {path}).", field="file", path=str(path)
        )
    try:
        rows = _read_xlsx(path) if suffix == ".xlsx" else _read_csv(path.read_bytes())
    except OSError as exc:
        raise ValidationError(
            "Không đọc được tệp {path}: {detail}.", field="file", path=str(path), detail=exc.strerror or str(exc)
        ) from exc
    return _rows_from_table(rows, tr)


def _read_csv(data: bytes) -> list[list[str]]:
    import csv  # here: the desk app reads its catalogue at start without it

    for encoding in ("utf-8-sig", "cp1258"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1258 decodes nearly everything
        raise ValidationError("Không đọc được bảng mã của tệp CSV (cần UTF-8).", field="file")
    # The delimiter is the one the header line uses most: cells (documents) contain ';' and
    # ',' freely, so sniffing the whole sample guesses wrong on real files.
    header_line = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=header_line.count)
    try:
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise ValidationError("Tệp CSV không đúng định dạng: {detail}.", field="file", detail=str(exc)) from exc


def _read_xlsx(path: Path) -> list[list[str]]:
    import openpyxl  # imported here: only the importer needs it

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:
        raise ValidationError("Tệp .xlsx bị hỏng hoặc không đúng định dạng: {path}.", field="file", path=str(path)) from exc
    try:
        sheet = book.worksheets[0]
        rows = []
        for index, row in enumerate(sheet.iter_rows(values_only=True)):
            if index > MAX_ROWS + 1:
                break
            rows.append(["" if c is None else (str(int(c)) if isinstance(c, float) and c.is_integer() else str(c)) for c in row])
        return rows
    finally:
        book.close()
