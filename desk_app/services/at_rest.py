"""Is the disk holding the desk's data encrypted? (docs/security.md, "The desk").

The desk relies on the operating system's disk encryption (BitLocker, LUKS) against a stolen
PC instead of encrypting the database itself; ``desk selftest`` reports what it can tell so
the installer and the support staff see a PC that lacks it. ``unknown`` is an honest answer:
containers, network drives and systems this does not know.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

# PowerShell reads Explorer's BitLocker property without administrator rights
# (System.Volume.BitLockerProtection: 1 on, 2 off, 3 encrypting, 5 suspended, 6 on and locked).
_BITLOCKER = (
    "(New-Object -ComObject Shell.Application).NameSpace('{drive}').Self"
    ".ExtendedProperty('System.Volume.BitLockerProtection')"
)
_BITLOCKER_STATES = {"1": "on", "3": "on", "6": "on", "2": "off", "5": "off"}


def _linux_crypt(sys_block: Path, depth: int = 0) -> bool | None:
    """True when the block device (or one below it: LVM on LUKS) is a dm-crypt mapping."""
    if depth > 8 or not sys_block.exists():
        return None
    uuid = sys_block / "dm" / "uuid"
    if uuid.is_file() and uuid.read_text(encoding="ascii", errors="replace").startswith("CRYPT-"):
        return True
    slaves = sys_block / "slaves"
    below = list(slaves.iterdir()) if slaves.is_dir() else []
    return any(_linux_crypt(p.resolve(), depth + 1) for p in below)


def disk_encryption(path: Path) -> dict[str, Any]:
    """{"state": "on" | "off" | "unknown", "how": what was looked at}."""
    path = Path(path)
    try:
        if sys.platform.startswith("linux"):
            st = path.stat() if path.exists() else path.parent.stat()
            major, minor = os.major(st.st_dev), os.minor(st.st_dev)
            node = Path(f"/sys/dev/block/{major}:{minor}")
            if major == 0 or not node.exists():  # overlay, tmpfs, container: cannot tell
                return {"state": "unknown", "how": f"no block device for {major}:{minor}"}
            return {"state": "on" if _linux_crypt(node.resolve()) else "off", "how": f"dm-crypt under {major}:{minor}"}
        if sys.platform == "win32":
            drive = (path.resolve().drive or "C:") + "\\"
            done = subprocess.run(
                ["powershell", "-NoProfile", "-NonInteractive", "-Command", _BITLOCKER.format(drive=drive)],
                check=False, capture_output=True, text=True, timeout=15,
                creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0),
            )
            value = done.stdout.strip()
            return {"state": _BITLOCKER_STATES.get(value, "unknown"), "how": f"BitLocker {drive} = {value or '?'}"}
    except (OSError, ValueError, subprocess.SubprocessError) as exc:
        return {"state": "unknown", "how": str(exc)[:200]}
    return {"state": "unknown", "how": sys.platform}
