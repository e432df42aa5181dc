"""Why Qt could not start, in words a commune's IT helper can act on. No Qt import here: this
runs after the app failed (scripts/run.sh, the .deb launcher), when importing Qt may be the
very thing that fails.

On Linux the PySide6 wheel brings Qt itself but links a few system libraries a desktop Debian
has and a minimal one lacks (EGL/GL, fontconfig, xkbcommon, xcb-cursor...): ``ldd`` names the
missing ones and we map them to Debian package names. ``python -m desk_app.ui.qt_check``
prints the advice and exits 1 when it found a problem, 0 otherwise.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

# Library soname -> Debian 12 package.
DEBIAN_PACKAGES = {
    "libEGL.so.1": "libegl1",
    "libGL.so.1": "libgl1",
    "libOpenGL.so.0": "libopengl0",
    "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libX11.so.6": "libx11-6",
    "libdbus-1.so.3": "libdbus-1-3",
    "libglib-2.0.so.0": "libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0",
}
# What the windowed app loads: Qt's GUI library and the X11 platform plugin.
QT_FILES = ("Qt/lib/libQt6Gui.so.6", "Qt/lib/libQt6Widgets.so.6", "Qt/plugins/platforms/libqxcb.so")


def pyside_dir() -> Path | None:
    spec = importlib.util.find_spec("PySide6")
    return Path(spec.origin).parent if spec and spec.origin else None


def missing_libraries(files: list[Path]) -> list[str]:
    """Sonames ``ldd`` reports as 'not found' for any of ``files``, in first-seen order."""
    missing: list[str] = []
    for path in files:
        if not path.exists():
            continue
        try:
            out = subprocess.run(["ldd", str(path)], capture_output=True, text=True, timeout=30).stdout
        except (OSError, subprocess.TimeoutExpired):
            return missing
        for line in out.splitlines():
            name, _, rest = line.strip().partition(" => ")
            if rest.strip() == "not found" and name not in missing:
                missing.append(name)
    return missing


def advice(environ: dict[str, str] | None = None, *, missing: list[str] | None = None) -> list[str]:
    """Lines to print (Vietnamese, then English); empty when nothing is wrong that we can see."""
    env = os.environ if environ is None else environ
    if not sys.platform.startswith("linux"):
        return []
    if missing is None:
        base = pyside_dir()
        missing = missing_libraries([base / f for f in QT_FILES]) if base else []
    lines: list[str] = []
    if missing:
        packages = sorted({DEBIAN_PACKAGES.get(name, name) for name in missing})
        lines += [
            "Giao diện Qt không chạy được vì máy thiếu thư viện hệ thống: " + ", ".join(missing),
            "Cài bằng lệnh: sudo apt install " + " ".join(packages),
            "Qt cannot start: missing system libraries " + ", ".join(missing)
            + ". Install them with: sudo apt install " + " ".join(packages),
        ]
    platform = env.get("QT_QPA_PLATFORM", "")
    if not (env.get("DISPLAY") or env.get("WAYLAND_DISPLAY")) and platform in ("", "xcb", "wayland"):
        lines += [
            "Không có màn hình đồ họa (DISPLAY trống): hãy chạy ứng dụng trong phiên làm việc đồ họa. "
            "Kiểm tra cài đặt không cần màn hình: desk selftest",
            "No graphical display (DISPLAY is empty): start the app from a desktop session. "
            "To check the installation without a display: desk selftest",
        ]
    return lines


def main() -> int:
    lines = advice()
    for line in lines:
        print(line, file=sys.stderr)
    return 1 if lines else 0


if __name__ == "__main__":
    raise SystemExit(main())
