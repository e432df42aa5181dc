"""Rules behind the first-run wizard: Vietnamese order and type-ahead over the official lists,
the example unit code refused, when the wizard must run, portable mode's data folder."""

from __future__ import annotations

import pytest

from desk_app.domain.codes import check_real_unit_code, is_placeholder_unit_code
from desk_app.domain.errors import ValidationError
from desk_app.domain.places import find, matches, sort_key, sorted_places
from desk_app.services.setup import communes_of_province, provinces


def names(items):
    return [name for _code, name in items]


def test_provinces_sorted_by_name_ignoring_diacritics_and_prefix():
    ordered = names(sorted_places(provinces()))
    assert len(ordered) == 34
    assert ordered[:5] == ["An Giang", "Bắc Ninh", "Cà Mau", "Thành phố Cần Thơ", "Cao Bằng"]
    # Đ sorts with D (diacritics ignored), not after Z as plain code points would put it
    assert ordered.index("Thành phố Đà Nẵng") < ordered.index("Gia Lai")
    assert sorted(names(provinces())) != ordered  # plain sorting gets it wrong


def test_vietnamese_letter_order_breaks_ties():
    # equal without diacritics: a < ă < â, and tones after the bare letter
    words = ["Xã Ân", "Xã An", "Xã Ấn", "Xã Ăn"]
    assert sorted(words, key=sort_key) == ["Xã An", "Xã Ăn", "Xã Ân", "Xã Ấn"]


def test_commune_type_ahead_without_prefix_and_diacritics():
    communes = communes_of_province(4)  # Cao Bằng
    assert names(find("thuc phan", communes)) == ["Phường Thục Phán"]
    assert names(find("nung", communes)) == ["Phường Nùng Trí Cao"]
    assert names(find("NÙNG trí", communes)) == ["Phường Nùng Trí Cao"]
    assert names(find("xa bao", communes)) == ["Xã Bảo Lạc", "Xã Bảo Lâm"]
    assert find("phuong bao", communes) == []  # the kind word keeps only wards
    assert names(find("phuong", communes)) == ["Phường Nùng Trí Cao", "Phường Tân Giang", "Phường Thục Phán"]
    # "p" alone does not match every "Phường ...": the prefix is not part of the name
    found = names(find("p", communes))
    assert found and all(any(w.startswith("P") for w in name.split()[1:]) for name in found)
    assert "Phường Thục Phán" in found and "Phường Tân Giang" not in found
    assert not matches("han", "Phường Thục Phán")  # words are matched from their start


def test_special_zones_are_found_by_their_kind():
    from vietnam_provinces import Ward

    zones = [(f"{w.code.value:05d}", w.name) for w in Ward.iter_all() if w.name.startswith("Đặc khu ")]
    assert zones
    some = zones[0][1].removeprefix("Đặc khu ")
    assert find(f"dac khu {some}", zones)[0][1] == zones[0][1]


@pytest.mark.parametrize("code", ["000.00.00.H14", "000.00.00.h56", " 000.00.00.X01 "])
def test_the_example_unit_code_is_refused(code):
    assert is_placeholder_unit_code(code)
    with pytest.raises(ValidationError) as caught:
        check_real_unit_code(code)
    assert caught.value.field == "unit_code" and "mã mẫu" in caught.value.message


@pytest.mark.parametrize("code", ["000.31.14.H14", "H14.52.01", "000.00.06.H56"])
def test_real_unit_codes_pass(code):
    assert check_real_unit_code(code) == code and not is_placeholder_unit_code(code)


def test_configure_refuses_the_example_and_intake_refuses_a_desk_still_using_it(tmp_path, clock, intake_json):
    from desk_app.services.context import build_services

    ctx = build_services(tmp_path / "d", clock=clock, actor="tester")
    try:
        assert ctx.setup.needs_setup()
        with pytest.raises(ValidationError):
            ctx.setup.configure(unit_code="000.00.00.H14", desk=1)
        assert ctx.setup.needs_setup() and not ctx.setup.is_initialised()  # nothing written
        ctx.setup.configure(unit_code="000.31.14.H14", desk=1, commune_code="01273")
        ctx.catalogue.ensure_sample()
        assert not ctx.setup.needs_setup()
        ctx.setup.set_setup_pending(True)  # a wizard left half-way comes back
        assert ctx.setup.needs_setup()
        ctx.setup.set_setup_pending(False)
        # 0.1 let the example through: such a desk without dossiers goes back to the wizard...
        ctx.store.set_settings({"unit_code": "000.00.00.H14"})
        assert ctx.setup.needs_setup()
        with pytest.raises(ValidationError) as caught:
            ctx.intake.intake(intake_json)
        assert caught.value.field == "unit_code"
        assert ctx.store.dossier_count() == 0
    finally:
        ctx.close()


def test_portable_mode_keeps_data_beside_the_program(tmp_path, monkeypatch):
    import desk_app.paths as paths

    monkeypatch.delenv("DESK_DATA", raising=False)
    monkeypatch.setattr(paths, "program_dir", lambda: tmp_path / "usb" / "desk-app")
    (tmp_path / "usb" / "desk-app").mkdir(parents=True)
    assert paths.default_data_dir() != tmp_path / "usb" / "desk-app" / "desk-data"  # per-user by default
    assert paths.default_data_dir(portable=True) == tmp_path / "usb" / "desk-app" / "desk-data"  # --portable
    (tmp_path / "usb" / "desk-app" / "portable.flag").write_text("")
    assert paths.default_data_dir() == tmp_path / "usb" / "desk-app" / "desk-data"  # the flag file
    monkeypatch.setenv("DESK_DATA", str(tmp_path / "it"))
    assert paths.default_data_dir(portable=True) == tmp_path / "it"  # IT staff's override wins


def test_main_takes_portable():
    from desk_app.ui.app import parse_args

    assert parse_args(["--portable"]).portable is True
    assert parse_args([]).portable is False
