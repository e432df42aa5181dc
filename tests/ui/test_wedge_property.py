"""Property: at the counter, whatever the interleaving of a person's keys (30-200 ms apart),
keyboard-wedge scans (1-5 ms a key, sometimes stalling mid-payload), clicks into fields,
Ctrl+S and F2, every saved dossier holds exactly what was typed (or scanned) for it and the
next form holds exactly what was typed after it. Driven on the real intake page with
the app's scanner router, through real QKeyEvents / mouse events; the expected values are the
domain's own reading (``parse_intake``) of what the test typed.

How many interleavings ran, and what they held, is printed at the end (``-s``) and kept in
``RUNS`` and the test's user properties (junit XML)."""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

import pytest
from hypothesis import HealthCheck, Phase, given, note, settings
from hypothesis import strategies as st
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit

from desk_app.domain.dossier import parse_intake
from desk_app.domain.errors import DeskError
from desk_app.services.dossier_view import DossierView
from tests.conftest import IN_CI
from tests.ui.conftest import Keyboard

pytestmark = pytest.mark.ui
RUNS: Counter = Counter()
# CI runs 80 interleavings from a fixed seed (the examples still shift with the project's
# modules loaded, see ``scripts``: 80-88 saves over 4 seeds); KEYSTROKE_EXAMPLES=N tries N new
# random ones (with --hypothesis-seed to repeat them). Shrinking a failure on a live window can take
# minutes: skipped in CI and with KEYSTROKE_NO_SHRINK=1 (the failing steps are noted anyway).
EXAMPLES = int(os.environ.get("KEYSTROKE_EXAMPLES", "0")) or 80
NO_SHRINK = bool(os.environ.get("KEYSTROKE_NO_SHRINK")) or IN_CI
PHASES = (Phase.explicit, Phase.generate) if NO_SHRINK else tuple(Phase)
FIELDS = ("full_name", "address", "phone", "notes")  # what a person types into, by hand
CARD_FIELDS = ("full_name", "id_number", "birth_date", "address")
LETTERS = "aăâbcdđeêghiklmnoôơpqrstuưvxyáàảãạấầẩẫậắằẳẵặéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵNTHLĐV"
ALPHABET = {"full_name": LETTERS + "  ", "address": LETTERS + " ,/-0123456789", "phone": "0123456789 ",
            "notes": LETTERS + " .,0123456789"}
NAMES = ("Nguyễn Văn An", "Lò Thị Mai", "Hoàng Văn Nam", "Đào Thị Ưng", "Nông Đức Mạnh")
PLACES = ("Tổ 1, Phường Thục Phán, Tỉnh Cao Bằng", "Xóm Nà Rỏa, Phường Tân Giang, Tỉnh Cao Bằng")


# --- what the test does -------------------------------------------------------------------------
@dataclass(frozen=True)
class Card:
    qr: str
    name: str
    id_number: str
    birth: date
    gender: str
    address: str


@st.composite
def cards(draw) -> Card:
    birth = draw(st.dates(date(1940, 1, 1), date(2010, 12, 31)))
    gender = draw(st.sampled_from(("Nam", "Nữ")))
    code = (0 if birth.year < 2000 else 2) + (gender == "Nữ")
    id_number = f"004{code}{birth.year % 100:02d}{draw(st.integers(0, 999_999)):06d}"
    name, address = draw(st.sampled_from(NAMES)), draw(st.sampled_from(PLACES))
    old_id = draw(st.sampled_from(("", "123456789")))
    qr = f"{id_number}|{old_id}|{name}|{birth:%d%m%Y}|{gender}|{address}|10072024"
    return Card(qr, name, id_number, birth, gender, address)


human_gap = st.integers(30, 200)


def keys(text: st.SearchStrategy) -> st.SearchStrategy:
    return text.flatmap(lambda t: st.lists(human_gap, min_size=len(t), max_size=len(t)).map(lambda g: list(zip(t, g))))


def field_text(name: str) -> st.SearchStrategy:
    free = st.text(ALPHABET[name], min_size=1, max_size=12)
    if name == "phone":  # mostly a whole mobile number (else the save is refused, which is tested too)
        return st.one_of(st.from_regex(r"\A0[35789][0-9]{8}\Z"), st.from_regex(r"\A09[0-9]{8}\Z"), free)
    return free


typing = st.sampled_from(FIELDS).flatmap(lambda f: st.tuples(st.just("type"), st.just(f), keys(field_text(f))))
# A scan: the pause before it (a person's key may come right before the trigger), its keys
# 1-5 ms apart, maybe a stall at one point: under the router's limit (held through) or over it
# (typed out, then read back from the field).
scanning = st.tuples(st.just("scan"), cards(), human_gap, st.lists(st.integers(1, 5), min_size=1, max_size=8),
                     st.one_of(st.none(), st.tuples(st.integers(1, 160), st.sampled_from((80, 250, 500, 900, 2500, 4000)))))
# Ctrl+S, and maybe the next citizen's name typed at once, before the save has answered.
saving = st.tuples(st.just("save"), st.one_of(st.just([]), keys(st.text(LETTERS, min_size=1, max_size=4))))
steps = st.lists(
    st.one_of(typing, typing, scanning, saving, saving, st.tuples(st.just("f2"), st.booleans()),
              st.just(("procedure",))),
    min_size=2, max_size=10,
)
# Most scripts start with the procedure and an applicant (typed or scanned); then anything, in
# any order; and every one ends by completing the form (procedure, applicant) and saving, so
# that many saves go through whatever came before. (Which examples a seed gives also depends
# on the project's modules loaded, whose constants Hypothesis draws from: the number of saves
# must not hang on that.)
name_typed = st.tuples(st.just("type"), st.just("full_name"), keys(st.text(LETTERS, min_size=1, max_size=12)))
applicant = st.one_of(name_typed, scanning)
completed = st.tuples(applicant, saving).map(lambda t: [("procedure",), t[0], t[1]])
scripts = st.tuples(st.integers(0, 3), st.one_of(st.none(), applicant), steps, completed).map(
    lambda t: ([("procedure",)] if t[0] else []) + ([t[1]] if t[1] else []) + t[2] + t[3])


# --- what it expects ------------------------------------------------------------------------------
@dataclass
class Form:
    """What the receptionist has typed for the dossier being taken, as the form should show it."""

    text: dict = field(default_factory=lambda: dict.fromkeys(("full_name", "id_number", "birth_date", "address",
                                                              "phone", "notes"), ""))
    gender: str = ""
    procedure: bool = False

    def has_input(self) -> bool:
        return any(v.strip() for v in self.text.values()) or bool(self.gender) or self.procedure

    def intake(self, page) -> dict:
        birth = self.text["birth_date"]
        return {
            "procedure_code": page.finder.procedure.code if self.procedure else "",
            "applicant": {**{k: v for k, v in self.text.items() if k in ("full_name", "id_number", "address", "phone")},
                          "birth_date": f"{birth[6:]}-{birth[3:5]}-{birth[:2]}" if birth else "",
                          "gender": self.gender, "email": ""},
            "documents": page.checklist.documents(),
            "notes": self.text["notes"],
        }


def shown(page) -> dict:
    return {name: getattr(page, name).text() for name in Form().text} | {"gender": page.gender.currentData() or ""}


def expected_shown(form: Form) -> dict:
    return dict(form.text) | {"gender": form.gender}


def saved_row(data_dir, code: str) -> tuple:
    import sqlite3

    conn = sqlite3.connect(data_dir / "desk.sqlite3")
    try:
        return conn.execute(
            "SELECT applicant_name, applicant_id_number, applicant_birth_date, applicant_gender, applicant_address,"
            " phone, notes FROM dossiers WHERE code = ?", (code,)).fetchone()
    finally:
        conn.close()


# --- the counter ----------------------------------------------------------------------------------
class Counter_:
    def __init__(self, qtbot, window, data_dir):
        self.qtbot, self.window, self.page, self.data_dir = qtbot, window, window.intake, data_dir
        self.router = window.router
        self.keyboard = Keyboard(qtbot)
        self.form = Form()
        self.saved: list[DossierView] = []
        self.page.saved.connect(self.saved.append)

    def start(self) -> None:
        """A fresh form for each interleaving (the data folder keeps the dossiers saved)."""
        self.router.flush()
        self.page.reset()
        self.qtbot.waitUntil(lambda: QApplication.focusWidget() is self.page.full_name, timeout=3000)
        self.form = Form()

    def click_into(self, name: str) -> None:
        """A click into the field, then End: the cursor after what it holds."""
        widget = getattr(self.page, name)
        if QApplication.focusWidget() is not widget:
            QTest.mouseClick(widget, Qt.MouseButton.LeftButton, pos=QPoint(4, widget.height() // 2))
            self.qtbot.waitUntil(lambda: QApplication.focusWidget() is widget, timeout=3000)
        QTest.keyClick(widget, Qt.Key.Key_End)

    def type(self, name: str, keys: list[tuple[str, int]]) -> None:
        self.click_into(name)
        for ch, gap in keys:
            self.keyboard.send(self.keyboard.focus(), 0, ch, gap)
            RUNS["human keys"] += 1
        self.form.text[name] += "".join(ch for ch, _gap in keys)

    def scan(self, card: Card, lead: int, gaps: list[int], stall) -> None:
        target = self.keyboard.focus()
        if stall is not None and stall[1] > self.router.stall_ms and not isinstance(target, QLineEdit):
            stall = (stall[0], 300)  # typed out into a check box, a scan is ticks: not this property
        text = card.qr
        for index, ch in enumerate(text):
            gap = lead if index == 0 else gaps[index % len(gaps)]
            if stall is not None and index == min(stall[0], len(text) - 1):
                gap = stall[1]
            self.keyboard.send(self.keyboard.focus(), 0, ch, gap)
        self.keyboard.send(self.keyboard.focus(), Qt.Key.Key_Return, "\r", gaps[0])
        RUNS["scans"] += 1
        if stall is not None:
            RUNS["stalled scans, held through" if stall[1] <= self.router.stall_ms else "stalled scans, typed out"] += 1
        self.form.text.update(full_name=card.name, id_number=card.id_number,
                              birth_date=f"{card.birth:%d/%m/%Y}", address=card.address)
        self.form.gender = card.gender

    def choose_procedure(self) -> None:
        if self.form.procedure:
            return
        search = self.page.finder.search
        if QApplication.focusWidget() is not search:
            QTest.mouseClick(search, Qt.MouseButton.LeftButton, pos=QPoint(4, search.height() // 2))
            self.qtbot.waitUntil(lambda: QApplication.focusWidget() is search, timeout=3000)
        self.keyboard.type("khai sinh\n")
        self.qtbot.waitUntil(lambda: self.page.finder.procedure is not None, timeout=5000)
        for row in self.page.checklist.row_widgets():  # all received: no "missing document?" question
            row.received.setChecked(True)
        self.form.procedure = True

    def save(self, next_keys: list[tuple[str, int]]) -> None:
        RUNS["Ctrl+S"] += 1
        try:
            expected = parse_intake(self.form.intake(self.page), today=date.today())
        except DeskError as exc:
            RUNS[f"Ctrl+S refused ({exc.field})"] += 1
            expected = None
        before = len(self.saved)
        QTest.keyClick(self.keyboard.focus(), Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
        if expected is not None and next_keys:  # while the DB thread saves
            for ch, gap in next_keys:
                self.keyboard.send(self.keyboard.focus(), 0, ch, gap)
            RUNS["keys typed during a save"] += len(next_keys)
        self.qtbot.waitUntil(lambda: not self.page.saving, timeout=10000)  # the DB thread's answer
        if expected is None:  # refused: nothing saved, nothing lost
            assert len(self.saved) == before, "saved although the domain refuses it"
            assert shown(self.page) == expected_shown(self.form)
            return
        assert len(self.saved) == before + 1, (self.page.general_error.text(), shown(self.page))
        saved = self.saved[-1]
        RUNS["dossiers saved"] += 1
        a = expected.applicant
        assert saved_row(self.data_dir, saved.code) == (
            a.full_name, a.id_number, a.birth_date, a.gender, a.address, a.phone, expected.notes)
        self.form = Form()
        self.qtbot.waitUntil(lambda: not self.router.holding, timeout=3000)
        self.form.text["full_name"] = "".join(ch for ch, _gap in next_keys)
        assert shown(self.page) == expected_shown(self.form)  # the next citizen's form: only what was typed for it

    def f2(self, discard: bool) -> None:
        RUNS["F2"] += 1
        QTest.keyClick(self.keyboard.focus(), Qt.Key.Key_F2)
        box = self.page.confirm_new
        assert (box is not None) == self.form.has_input(), (shown(self.page), self.form)
        if box is None:
            self.form = Form()
            return
        self.qtbot.waitUntil(lambda: QApplication.activeWindow() is box, timeout=3000)
        QTest.keyClick(box, Qt.Key.Key_Return if discard else Qt.Key.Key_Escape)  # default: discard
        self.qtbot.waitUntil(lambda: self.page.confirm_new is None, timeout=3000)
        # The offscreen platform gives the window back no activation (a window manager would).
        self.window.activateWindow()
        self.qtbot.waitUntil(lambda: QApplication.focusWidget() is not None, timeout=3000)
        if discard:
            self.form = Form()

    def check_form(self) -> None:
        """Once nothing is held any more (the router's own timer), the form shows what was typed."""
        self.qtbot.waitUntil(lambda: not self.router.holding, timeout=3000)
        assert shown(self.page) == expected_shown(self.form)


@pytest.fixture
def counter(qtbot, desk_window, data_dir):
    return Counter_(qtbot, desk_window, data_dir)


@settings(max_examples=EXAMPLES, deadline=None, derandomize="KEYSTROKE_EXAMPLES" not in os.environ, database=None,
          phases=PHASES, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(script=scripts)
def interleavings(counter: Counter_, script: list) -> None:
    counter.start()
    RUNS["interleavings"] += 1
    for step in script:
        note(f"{step!r:.300} (focus: {type(QApplication.focusWidget()).__name__})")
        kind = step[0]
        if kind == "type":
            counter.type(step[1], step[2])
        elif kind == "scan":
            counter.scan(*step[1:])
        elif kind == "save":
            counter.save(step[1])
        elif kind == "f2":
            counter.f2(step[1])
        else:
            counter.choose_procedure()
    counter.check_form()


def test_every_key_reaches_the_dossier_it_was_typed_for(counter, record_property):
    RUNS.clear()
    interleavings(counter)
    print("\nkeystroke property:", dict(RUNS))  # for the closing note (-s)
    for key, value in RUNS.items():
        record_property(key, value)
    assert RUNS["interleavings"] >= EXAMPLES and RUNS["dossiers saved"] >= 20, dict(RUNS)
