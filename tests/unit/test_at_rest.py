"""Disk encryption as desk selftest reports it: a dm-crypt device found under the
data folder's device (directly or below LVM), else off; the real machine's answer is one of
the three states."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from desk_app.services.at_rest import _linux_crypt, disk_encryption


def _device(root: Path, name: str, uuid: str | None = None, slaves: tuple[Path, ...] = ()) -> Path:
    node = root / name
    (node / "slaves").mkdir(parents=True)
    if uuid is not None:
        (node / "dm").mkdir()
        (node / "dm" / "uuid").write_text(uuid + "\n")
    for slave in slaves:
        (node / "slaves" / slave.name).symlink_to(slave)
    return node


def test_luks_directly_or_below_lvm(tmp_path):
    disk = _device(tmp_path, "vda")
    luks = _device(tmp_path, "dm-0", "CRYPT-LUKS2-0123abcd-luks", (disk,))
    lvm = _device(tmp_path, "dm-1", "LVM-xyz", (luks,))
    plain_lvm = _device(tmp_path, "dm-2", "LVM-abc", (disk,))
    assert _linux_crypt(luks) and _linux_crypt(lvm)
    assert not _linux_crypt(plain_lvm) and not _linux_crypt(disk)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="sysfs")
def test_this_machine(tmp_path):
    assert disk_encryption(tmp_path)["state"] in ("on", "off", "unknown")
