"""Desk configuration: unit identifier, desk number, commune, office hours, overrides."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from desk_app.domain.calendar import OFF, WORK, WorkCalendar, WorkingHours
from desk_app.domain.codes import check_desk_number, check_real_unit_code, is_placeholder_unit_code
from desk_app.domain.errors import ConflictError, NotFoundError, ValidationError
from desk_app.i18n import N_
from desk_app.services.actor import OFFICER_KEY, clean_officer_name, officer_name, set_officer_name
from desk_app.store.desk_store import DeskStore

SETUP_PENDING_KEY = "setup.pending"  # True from the wizard's first saved step to its end
PLACEHOLDER_INTAKE_MESSAGE = N_(
    "Bàn này vẫn dùng mã đơn vị mẫu {value}: chưa thể tiếp nhận hồ sơ. Hãy nhập mã định danh "
    "của đơn vị mình (cài đặt lần đầu, hoặc desk init --unit-code MÃ); bàn đã có hồ sơ mang mã "
    "mẫu thì dùng một thư mục dữ liệu mới."
)


@dataclass
class DeskConfig:
    unit_code: str
    desk: int
    commune_code: str = ""
    commune_name: str = ""
    province_name: str = ""
    unit_name: str = ""
    hours: WorkingHours = field(default_factory=WorkingHours)
    officer_name: str = ""  # the receiving officer (services/actor.py reads it at each write)

    def as_dict(self) -> dict[str, Any]:
        return {
            "unit_code": self.unit_code,
            "desk": self.desk,
            "commune_code": self.commune_code,
            "commune_name": self.commune_name,
            "province_name": self.province_name,
            "unit_name": self.unit_name,
            "hours": self.hours.as_dict(),
            OFFICER_KEY: self.officer_name,
        }


def lookup_commune(code: str) -> tuple[str, str]:
    """(commune name, province name) from the official list shipped by vietnam-provinces."""
    from vietnam_provinces import Province, Ward, WardCode

    text = (code or "").strip()
    if not text.isdigit() or len(text) > 5:
        raise ValidationError("Mã xã phải là mã số của Tổng cục Thống kê (ví dụ 01273).", field="commune_code")
    try:
        ward = Ward.from_code(WardCode(int(text)))
    except (ValueError, KeyError) as exc:
        raise NotFoundError(
            "Không có đơn vị hành chính cấp xã mã {code} trong danh mục chính thức.", field="commune_code", code=text
        ) from exc
    province = Province.from_code(ward.province_code)
    return ward.name, province.name


def provinces() -> list[tuple[int, str]]:
    """(GSO code, name) of the 34 provinces, for the set-up screen's picker."""
    from vietnam_provinces import Province

    return [(p.code.value, p.name) for p in Province.iter_all()]


def province_of_commune(code: str) -> int | None:
    """The GSO code of the province a commune belongs to (None for an unknown code)."""
    from vietnam_provinces import Ward, WardCode

    try:
        return Ward.from_code(WardCode(int(code))).province_code.value
    except (ValueError, KeyError, TypeError):
        return None


def communes_of_province(province_code: int) -> list[tuple[str, str]]:
    from vietnam_provinces import ProvinceCode, Ward

    return [(f"{w.code.value:05d}", w.name) for w in Ward.iter_by_province(ProvinceCode(province_code))]


class SetupService:
    def __init__(self, store: DeskStore):
        self.store = store

    def is_initialised(self) -> bool:
        return self.store.get_setting("unit_code") is not None

    def configure(
        self,
        *,
        unit_code: str,
        desk: int,
        commune_code: str = "",
        unit_name: str = "",
        hours: dict[str, str] | None = None,
        officer: str | None = None,
    ) -> DeskConfig:
        """Save the desk's identity; ``officer`` (None = leave as is) is the receiving
        officer's name recorded as the actor and printed on forms."""
        config = DeskConfig(unit_code=check_real_unit_code(unit_code), desk=check_desk_number(desk))
        current = self.store.all_settings()
        # Checked before anything is written; None keeps the officer already set.
        config.officer_name = clean_officer_name(officer) if officer is not None else str(current.get(OFFICER_KEY) or "")
        # Changing the unit or desk of a desk that already numbered dossiers could make it
        # repeat another desk's codes (docs/dossier-codes.md).
        if (
            current.get("unit_code")
            and self.store.dossier_count()
            and (current["unit_code"], int(current["desk"])) != (config.unit_code, config.desk)
        ):
            raise ConflictError(
                "Bàn này đã có hồ sơ với mã đơn vị {unit} và số bàn {desk}; không thể đổi sang "
                "{new_unit} / bàn {new_desk}. Hãy dùng một thư mục dữ liệu mới.",
                field="desk",
                unit=current["unit_code"],
                desk=current["desk"],
                new_unit=config.unit_code,
                new_desk=config.desk,
            )
        if commune_code:
            config.commune_name, config.province_name = lookup_commune(commune_code)
            config.commune_code = f"{int(commune_code):05d}"
        config.unit_name = unit_name.strip() or (
            f"UBND {config.commune_name}" if config.commune_name else ""
        )
        if hours:
            config.hours = WorkingHours.from_dict(hours)
        self.store.set_settings({f"{k}": v for k, v in config.as_dict().items()})
        return config

    def needs_setup(self) -> bool:
        """The first-run wizard still has to run: nothing configured, a wizard left before its
        end (its steps save as they go), or the example unit code on a desk with no dossier yet
        (0.1's set-up dialog let it through; it can still be replaced safely)."""
        values = self.store.all_settings()
        if "unit_code" not in values or values.get(SETUP_PENDING_KEY):
            return True
        return is_placeholder_unit_code(str(values["unit_code"])) and not self.store.dossier_count()

    def set_setup_pending(self, pending: bool) -> None:
        self.store.set_settings({SETUP_PENDING_KEY: bool(pending)})

    def check_ready_for_intake(self, config: DeskConfig) -> None:
        """The example unit code must be replaced before the first dossier: a code under it
        would collide with every other desk that kept it (docs/dossier-codes.md)."""
        if is_placeholder_unit_code(config.unit_code):
            raise ValidationError(PLACEHOLDER_INTAKE_MESSAGE, field="unit_code", value=config.unit_code)

    def officer(self) -> str:
        """The receiving officer's name ("" when none is set)."""
        return officer_name(self.store)

    def set_officer(self, name: str) -> str:
        """Change (or clear, with "") the receiving officer; applies to the next write."""
        return set_officer_name(self.store, name)

    def config(self) -> DeskConfig:
        values = self.store.all_settings()
        if "unit_code" not in values:
            raise NotFoundError("Bàn tiếp nhận chưa được cài đặt: hãy chạy 'desk init'.")
        return DeskConfig(
            unit_code=values["unit_code"],
            desk=int(values["desk"]),
            commune_code=values.get("commune_code", ""),
            commune_name=values.get("commune_name", ""),
            province_name=values.get("province_name", ""),
            unit_name=values.get("unit_name", ""),
            hours=WorkingHours.from_dict(values.get("hours") or {}),
            officer_name=str(values.get(OFFICER_KEY) or ""),
        )

    def calendar(self) -> WorkCalendar:
        hours = WorkingHours.from_dict(self.store.get_setting("hours") or {})
        return WorkCalendar(
            overrides=self.store.calendar_overrides("desk"),
            province=self.store.calendar_overrides("province"),
            hours=hours,
        )

    def calendar_year(self, year: int) -> list[dict[str, str]]:
        """Days off and make-up working days of ``year`` with where each comes from."""
        if not 1900 <= year <= 2200:
            raise ValidationError("Năm không hợp lệ: {value}.", field="year", value=str(year))
        notes = {
            date.fromisoformat(row["day"]): row["note"]
            for source in ("province", "desk")
            for row in self.store.list_calendar_overrides(source)
        }
        return [day.as_dict() for day in self.calendar().special_days(year, notes=notes)]

    def set_day(self, day: date, kind: str | None, note: str = "") -> None:
        """Mark a day as an extra day off (``off``), a make-up working day (``work``), or
        remove the override (``None``)."""
        if kind not in (OFF, WORK, None):
            raise ValidationError("Loại ngày phải là off hoặc work.", field="kind")
        self.store.set_calendar_override(day, kind, note)
