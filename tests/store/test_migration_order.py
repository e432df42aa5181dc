"""The migrations apply in one fixed order however the store's modules are first imported.

An area module (migrations_ocr, migrations_pages, ...) imported on its own must not change
which migration comes after which: a database would otherwise record them in another order
than the one every other desk used.
"""

import subprocess
import sys

import pytest

from desk_app.store.migrations import known_migration_names

AREAS = [
    "migrations_pages",
    "migrations_forms",
    "migrations_sync",
    "migrations_calendar",
    "migrations_ocr",
    "migrations_queue",
    "migrations_accounts",
    "migrations_dossier_edits",
]


def names_after_importing(module: str) -> list[str]:
    script = (
        f"import desk_app.store.{module}\n"
        "from desk_app.store.migrations import known_migration_names\n"
        "print('\\n'.join(known_migration_names()))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True)
    return done.stdout.split()


@pytest.mark.parametrize("module", AREAS)
def test_importing_an_area_first_keeps_the_order(module):
    assert names_after_importing(module) == known_migration_names()


def test_the_order_is_the_released_one():
    names = known_migration_names()
    assert names[0] == "0001_initial"
    firsts = [next(n for n in names if n.startswith(prefix)) for prefix in ("0002", "0003", "0004", "0008", "0009", "0010", "0006", "0005")]
    assert firsts == sorted(firsts, key=names.index)
