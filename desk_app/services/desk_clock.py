"""Is this PC's clock fit to number dossiers, and the supervised way out when it was wrong
(docs/dossier-codes.md, "A wrong clock").

The desk refuses an intake whose clock is behind the newest time it can trust: the newest
dossier's ``created_at`` or the province's own time at the last sync answer. A dossier saved
with a clock running ahead no longer locks the counter once the province's time shows it was
wrong (a sync answered after it was saved, with a time well before its ``created_at``); without
such an answer a supervisor declares "the clock was wrong" (``recover``, audited), after which
only dossiers saved later count. Codes never repeat either way: the per-(day, desk) counter
lives in ``code_sequence`` and a day already used keeps counting from its last number.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from desk_app.domain.calendar import VN_TZ
from desk_app.domain.errors import ValidationError
from desk_app.domain.formats import vn_datetime
from desk_app.store import clock_store as K
from desk_app.store.clock_store import ClockStore

# NTP corrections are seconds; a clock more than this behind a time the desk trusts was set back.
CLOCK_BACKWARDS_TOLERANCE = timedelta(hours=1)
# A change of the measured offset between two answers of the province larger than this is a jump.
JUMP_SECONDS = 300.0


def _at(value: str) -> datetime:
    return datetime.fromisoformat(value).astimezone(VN_TZ)


def record_contact(store: ClockStore, now_local: str, skew: float) -> None:
    """The province answered at ``now_local`` (this PC's time) with this PC ``skew`` seconds
    ahead of it: keep the province's time, the newest dossier then, and note a jump."""
    previous = store.get(K.SKEW)
    local = _at(now_local)
    values: dict[str, Any] = {
        K.SERVER_TIME: (local - timedelta(seconds=skew)).isoformat(),
        K.CONTACT_DOSSIER: store.max_dossier_id(),
    }
    if abs(skew) <= JUMP_SECONDS:
        values[K.JUMP] = None  # the clock is right now: what it did before shows in the dossiers
    elif previous is not None and abs(skew - float(previous)) > JUMP_SECONDS:
        values[K.JUMP] = {"at": now_local, "seconds": round(skew - float(previous), 1), "seen": "sync"}
    store.put(**values)


class DeskClockService:
    def __init__(self, store: ClockStore, clock: Callable[[], datetime], actor: Callable[[], str] | None = None):
        self.store = store
        self.clock = clock
        self._actor = actor or (lambda: "")

    def floor(self) -> tuple[datetime | None, str, dict[str, Any] | None]:
        """The newest time the desk trusts, what it comes from (``dossier``/``province``) and
        the newest dossier shown wrong by the province's time (None if there is none)."""
        recovery = self.store.get(K.RECOVERY) or {}
        newest = self.store.newest_dossier(int(recovery.get("after_dossier_id") or 0))
        server = self.store.get(K.SERVER_TIME)
        server_at = _at(server) if server else None
        best: tuple[datetime | None, str] = (server_at, "province")
        wrong = None
        if newest:
            created = _at(newest["created_at"])
            # Saved before the province answered, yet stamped later than the province's time:
            # the clock ran ahead when it was saved.
            if (
                server_at
                and newest["id"] <= int(self.store.get(K.CONTACT_DOSSIER) or 0)
                and created > server_at + CLOCK_BACKWARDS_TOLERANCE
            ):
                wrong = {"created_at": newest["created_at"], "province_time": server}
            elif best[0] is None or created > best[0]:
                best = (created, "dossier")
        return best[0], best[1], wrong

    def check_intake(self, now: datetime) -> None:
        floor, source, _wrong = self.floor()
        if floor is None or now >= floor - CLOCK_BACKWARDS_TOLERANCE:
            return
        if source == "province":
            raise ValidationError(
                "Đồng hồ máy tính ({value}) đang chậm hơn giờ của tỉnh ở lần đồng bộ gần nhất ({latest}). "
                "Hãy chỉnh ngày giờ rồi tiếp nhận lại.",
                field="clock", value=vn_datetime(now), latest=vn_datetime(floor),
            )
        raise ValidationError(
            "Đồng hồ máy tính ({value}) đang chậm hơn hồ sơ đã lưu gần nhất ({latest}). "
            "Hãy chỉnh ngày giờ rồi tiếp nhận lại. Nếu đồng hồ đã sai khi lưu hồ sơ đó, cán bộ giám sát "
            "xác nhận 'đồng hồ đã sai' (desk clock-recover).",
            field="clock", value=vn_datetime(now), latest=vn_datetime(floor),
        )

    def status(self) -> dict[str, Any]:
        """The clock's part of ``desk sync-status``: a jump noticed, a clock behind the newest
        trusted time, a dossier saved with the clock ahead that a supervisor may clear."""
        now = self.clock().astimezone(VN_TZ)
        floor, source, wrong = self.floor()
        behind = floor is not None and now < floor - CLOCK_BACKWARDS_TOLERANCE
        jump = self.store.get(K.JUMP)
        problems = []
        if jump:
            problems.append("jump")
        if behind:
            problems.append("behind")
        if wrong:
            problems.append("ahead_when_saved")
        return {
            "clock_jump": jump,
            "clock_behind": behind,
            "clock_trusted_time": floor.isoformat() if floor else None,
            "clock_trusted_source": source if floor else None,
            "clock_ahead_dossier": wrong,
            "clock_recovery": self.store.get(K.RECOVERY),
            "clock_problems": problems,
        }

    def recover(self, note: str) -> dict[str, Any]:
        """A supervisor's "the clock was wrong": the dossiers saved so far no longer hold the
        intake back; the corrected clock is still checked against the province's time."""
        note = (note or "").strip()
        if not note:
            raise ValidationError("Hãy ghi lý do (đồng hồ đã sai thế nào, đã chỉnh lúc nào).", field="note")
        now = self.clock().astimezone(VN_TZ).replace(microsecond=0)
        mark = self.store.max_dossier_id()
        newest = self.store.newest_dossier()
        recovery = {
            "after_dossier_id": mark,
            "at": now.isoformat(),
            "note": note[:500],
            "by": self._actor(),
            "newest_created_at": newest["created_at"] if newest else None,
        }
        self.store.put(**{K.RECOVERY: recovery, K.JUMP: None})
        return recovery
