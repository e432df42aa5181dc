#!/usr/bin/env bash
# Build the Linux package: dist/desk-app_<version>_<arch>.deb
#
#   bash installers/build_deb.sh [--wheel dist/desk_app-X-py3-none-any.whl] [--out DIR]
#
# Installs to /opt/desk-app: its own Python venv (the system's python3, so the package depends
# on python3 of the same minor version) holding the desk-app wheel and its dependencies, all
# from wheels (nothing compiled). /usr/bin/desk and /usr/bin/desk-app are links into the venv;
# a desktop entry and an icon go to /usr/share. The venv sees the system's packages too, so
# `apt install python3-sane` (recommended) enables SANE scanners without a compiler.
# pip reads PIP_FIND_LINKS / PIP_NO_INDEX as usual (the packaging test uses a local wheelhouse).
# The data folder is per user (~/.local/share/desk-app) and is never touched by remove/purge.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
OUT="$ROOT/dist"
WHEEL=""
while [ $# -gt 0 ]; do
    case "$1" in
        --wheel) WHEEL=$(realpath "$2"); shift 2 ;;
        --out) OUT=$(realpath -m "$2"); shift 2 ;;
        *) echo "usage: $0 [--wheel FILE] [--out DIR]" >&2; exit 2 ;;
    esac
done
PREFIX=/opt/desk-app
PY=${PYTHON:-/usr/bin/python3}  # the Debian interpreter the package depends on
VERSION=$("$PY" -c 'import re,sys; print(re.search(r"__version__ = \"(.+)\"", open("desk_app/__init__.py").read()).group(1))')
PYVER=$("$PY" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")')
PYNEXT=$("$PY" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1] + 1}")')
ARCH=$(dpkg --print-architecture)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
STAGE="$WORK/root"
mkdir -p "$STAGE$PREFIX" "$OUT"

if [ -z "$WHEEL" ]; then
    "$PY" -m pip wheel -q --disable-pip-version-check --no-deps -w "$WORK/wheel" "$ROOT"
    WHEEL=$(ls "$WORK"/wheel/desk_app-*.whl)
fi

# The venv is built where it is staged and then told where it will live: its scripts' first
# lines and the compiled files name /opt/desk-app, never the staging folder.
"$PY" -m venv --system-site-packages "$STAGE$PREFIX/venv"
"$STAGE$PREFIX/venv/bin/python" -m pip install -q --disable-pip-version-check --only-binary=:all: "$WHEEL"
"$STAGE$PREFIX/venv/bin/python" -m pip uninstall -q -y setuptools pip  # build tools: not needed to run
rm -f "$STAGE$PREFIX"/venv/bin/activate* "$STAGE$PREFIX"/venv/bin/pip*
for script in "$STAGE$PREFIX"/venv/bin/*; do
    if [ -f "$script" ] && [ ! -L "$script" ] && head -c 2 "$script" | grep -q '#!'; then
        sed -i "1s|^#!.*|#!$PREFIX/venv/bin/python|" "$script"
    fi
done
sed -i "s|$STAGE||g" "$STAGE$PREFIX/venv/pyvenv.cfg"
find "$STAGE$PREFIX/venv" -name __pycache__ -type d -prune -exec rm -rf {} +
# Compiled once here (users cannot write to /opt): a cold start reads .pyc files.
"$PY" -m compileall -q -j 0 -x '\.tmpl\.py$' -s "$STAGE" -p / "$STAGE$PREFIX/venv/lib" >/dev/null

mkdir -p "$STAGE/usr/bin" "$STAGE/usr/share/applications" "$STAGE/usr/share/icons/hicolor/256x256/apps" \
    "$STAGE/usr/share/doc/desk-app" "$STAGE/DEBIAN"
ln -s "$PREFIX/venv/bin/desk" "$STAGE/usr/bin/desk"
ln -s "$PREFIX/venv/bin/desk-app" "$STAGE/usr/bin/desk-app"
install -m 644 resources/icon/desk-app.png "$STAGE/usr/share/icons/hicolor/256x256/apps/desk-app.png"
cat > "$STAGE/usr/share/applications/desk-app.desktop" <<EOF
[Desktop Entry]
Type=Application
Name=Bàn tiếp nhận Một cửa
Name[en]=One-stop desk intake
Comment=Tiếp nhận hồ sơ tại Bộ phận Một cửa
Comment[en]=Dossier intake at the commune one-stop desk
Exec=/usr/bin/desk-app
Icon=desk-app
Terminal=false
Categories=Office;
StartupNotify=true
EOF
cat > "$STAGE/usr/share/doc/desk-app/copyright" <<EOF
desk-app $VERSION. Bundled fonts: DejaVu (see $PREFIX/venv/lib/python$PYVER/site-packages/desk_app/resources/fonts/LICENSE-DejaVu.txt).
EOF
SIZE_KB=$(du -sk --exclude=DEBIAN "$STAGE" | cut -f1)
cat > "$STAGE/DEBIAN/control" <<EOF
Package: desk-app
Version: $VERSION
Section: misc
Priority: optional
Architecture: $ARCH
Maintainer: desk-app maintainers <maintainers@users.noreply.example>
Installed-Size: $SIZE_KB
Depends: python3 (>= $PYVER), python3 (<< $PYNEXT), libegl1, libgl1, libfontconfig1, libfreetype6, libxkbcommon0, libxkbcommon-x11-0, libxcb-cursor0, libxcb-icccm4, libxcb-image0, libxcb-keysyms1, libxcb-randr0, libxcb-render-util0, libxcb-shape0, libxcb-xkb1, libx11-xcb1, libdbus-1-3, libglib2.0-0
Recommends: python3-sane, fonts-dejavu-core
Description: Offline desk app for commune one-stop desks (Bộ phận Một cửa)
 Intake, receipts, scanning and provincial sync for Vietnamese commune
 one-stop desks. Run "desk selftest" to check the installation.
EOF
DEB="$OUT/desk-app_${VERSION}_${ARCH}.deb"
dpkg-deb --root-owner-group -Zzstd --build "$STAGE" "$DEB" >/dev/null
echo "$DEB"
