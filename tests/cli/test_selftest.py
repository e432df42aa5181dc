"""``desk selftest``: headless checks of an installation. The packaging tests run the
same command from an installed wheel and from the .deb; here it runs from the source tree."""

from __future__ import annotations

import json

from tests.conftest import desk_cli

CHECKS = ["resources", "store", "intake", "receipt", "page", "backup"]


def test_selftest_passes_every_check_and_leaves_nothing_behind(tmp_path):
    result = desk_cli("--lang", "en", "selftest", "--work", str(tmp_path))
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["ok"] is True
    assert [c["name"] for c in report["checks"]] == CHECKS
    for check in report["checks"]:
        assert check["ok"] is True, check
        assert isinstance(check["seconds"], float) and check["detail"]
    by_name = {c["name"]: c for c in report["checks"]}
    assert "Code128, QRCode" in by_name["receipt"]["detail"]
    assert "1 pages" in by_name["backup"]["detail"]
    assert list(tmp_path.iterdir()) == []  # the temporary store is removed


def test_a_failing_check_is_reported_and_the_exit_code_says_so(monkeypatch, capsys):
    """A receipt whose codes cannot be read back fails its check (exit 1); the checks that do
    not depend on it still run, and the report is printed all the same."""
    import zxingcpp

    from desk_app import cli

    monkeypatch.setattr(zxingcpp, "read_barcodes", lambda image: [])
    try:
        cli.main(["--lang", "en", "selftest"])
    except SystemExit as exc:
        code = exc.code
    else:
        code = 0
    assert code == 1
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is False
    by_name = {c["name"]: c for c in report["checks"]}
    assert by_name["receipt"]["ok"] is False and "could not be read back" in by_name["receipt"]["detail"]
    assert by_name["page"]["ok"] is True and by_name["backup"]["ok"] is True
