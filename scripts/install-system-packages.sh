#!/usr/bin/env bash
# Debian 12 packages the app and its tests use: Qt's xcb/EGL libraries and fonts, Xvfb for
# screenshots, SANE with its test device, PostgreSQL 15 for the server tests, poppler, jbig2dec
# (the reference JBIG2 decoder the page-encoding tests check against), ImageMagick (the
# standard CCITT G4 encoder the stored pages are compared with).
set -euo pipefail
PKGS="xvfb xauth libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0 libxcb-xkb1
libxkbcommon-x11-0 libxcb-cursor0 libxcb-shape0 libxcb-randr0 libegl1 libgl1 libfontconfig1
libdbus-1-3 fonts-dejavu-core sane-utils libsane1 libsane-dev postgresql-15 poppler-utils
gcc python3-dev python3-venv nftables iproute2 tesseract-ocr tesseract-ocr-vie jbig2dec imagemagick"
missing=""
for p in $PKGS; do
    dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
if [ -n "$missing" ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends $missing
fi
