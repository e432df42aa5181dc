"""Regenerate the shipped law calendar (desk_app/resources/calendar/law_vn.json) after
upgrading ``holidays``:

    .venv/bin/python -m desk_app.domain.calendar_law_table [FIRST LAST]

tests/unit/test_calendar_law_table.py fails while the table and the installed package disagree."""

from __future__ import annotations

import json
import sys

from desk_app.domain.calendar import LAW_TABLE, compute_law_table

YEARS = (2015, 2045)


def main(argv: list[str]) -> int:
    from desk_app.paths import resources_dir

    first, last = (int(argv[0]), int(argv[1])) if len(argv) == 2 else YEARS
    path = resources_dir() / "calendar" / LAW_TABLE
    table = compute_law_table(first, last)
    years = table["years"]
    assert isinstance(years, dict)
    # One day per line: a regenerated table reads as a diff of the days that changed.
    lines = [f'{{"about": {json.dumps(table["about"], ensure_ascii=False)},', ' "years": {']
    for i, (year, items) in enumerate(years.items()):
        days = ",\n".join(f"  {json.dumps(item, ensure_ascii=False)}" for item in items)
        lines.append(f' "{year}": [\n{days}\n ]' + ("," if i < len(years) - 1 else ""))
    lines.append("}}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{path}: {first}..{last}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
