"""Regenerate the shipped law calendar (desk_app/resources/calendar/law_vn.json) after
upgrading ``holidays``:

    .venv/bin/python -m desk_app.domain.calendar_law_table [FIRST LAST]

tests/unit/test_calendar_law_table.py fails while the table and the installed package disagree."""

from __future__ import annotations

import json
import sys

from desk_app.domain.calendar import LAW_TABLE, compute_law_days

YEARS = (2015, 2045)


def law_table(first: int, last: int) -> str:
    """The table's text for ``first``..``last``: what ``holidays`` computes, one day per line,
    so a regenerated table reads as a diff of the days that changed."""
    import holidays

    about = (
        "Vietnam's public holidays and make-up Saturdays by law, as the holidays package "
        f"{holidays.__version__} computes them (lunar Tết, Hùng Kings' day). Generated; do not edit: "
        "official swaps go in official_vn.json (docs/calendar.md)."
    )
    years = []
    for year in range(first, last + 1):
        days = ",\n".join(
            "  " + json.dumps({"day": day.isoformat(), "kind": kind, "name": name}, ensure_ascii=False)
            for day, (kind, name) in sorted(compute_law_days(year).items())
        )
        years.append(f' "{year}": [\n{days}\n ]')
    return f'{{"about": {json.dumps(about, ensure_ascii=False)},\n "years": {{\n' + ",\n".join(years) + "\n}}\n"


def main(argv: list[str]) -> int:
    from desk_app.paths import resources_dir

    first, last = (int(argv[0]), int(argv[1])) if len(argv) == 2 else YEARS
    path = resources_dir() / "calendar" / LAW_TABLE
    path.write_text(law_table(first, last), encoding="utf-8")
    print(f"{path}: {first}..{last}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
