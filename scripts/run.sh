#!/usr/bin/env bash
# Set up (once) and start the desk app on its embedded defaults.
#
# Needs only python3 and python3-venv (Debian 12): every default dependency installs from a
# wheel, nothing is compiled and no system package is installed. The app is installed as a
# package (not editable), exactly as a user gets it; it is reinstalled when the source changes.
# DESK_EXTRAS=sane adds SANE scanning (python-sane compiles: gcc, python3-dev, libsane-dev); the
# jbig2 extra is always installed.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then
    if ! python3 -m venv .venv; then
        echo "Không tạo được môi trường Python: hãy cài python3-venv (sudo apt install python3-venv)." >&2
        echo "Could not create the Python environment: install python3-venv." >&2
        exit 1
    fi
fi
# jbig2: text pages stored as lossless JBIG2, ~1.6x smaller than G4 (numba wheels, nothing compiled).
target=".[jbig2${DESK_EXTRAS:+,${DESK_EXTRAS}}]"
# What the wheel is built from (the packages pyproject.toml includes): a change means a reinstall.
sources=(pyproject.toml)
for d in desk_app desk_common sync; do [ -d "$d" ] && sources+=("$d"); done
stamp=$( { echo "$target"; find "${sources[@]}" -type f ! -name '*.pyc' -print0 | sort -z | xargs -0 sha256sum; } | sha256sum | cut -d' ' -f1)
if [ "$(cat .venv/.desk-installed 2>/dev/null)" != "$stamp" ]; then
    .venv/bin/python -m pip install -q --disable-pip-version-check "$target"
    echo "$stamp" > .venv/.desk-installed
fi
# From the installed package (the bin/ launcher), not from the source tree.
status=0
.venv/bin/desk-app "$@" || status=$?
if [ "$status" -ne 0 ]; then
    .venv/bin/python -m desk_app.ui.qt_check || true
fi
exit "$status"
