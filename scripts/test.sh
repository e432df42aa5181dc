#!/usr/bin/env bash
# Install what the tests need (system packages when run as root on Debian), check lint and types,
# and run the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    bash scripts/install-system-packages.sh
fi
if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
.venv/bin/python -m pip install -q --disable-pip-version-check -e '.[test,sane,server,jbig2]'
rm -f .venv/.desk-installed  # scripts/run.sh reinstalls its non-editable copy next time
# Lint and types first, failing fast (config in pyproject.toml: [tool.ruff], [tool.mypy]).
.venv/bin/ruff check .
.venv/bin/mypy
exec .venv/bin/python -m pytest -n 2 -q "$@"
