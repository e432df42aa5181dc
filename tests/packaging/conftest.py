"""What the packaging tests share: a clean copy of the source, a wheelhouse of the default
dependencies (wheels only, built once per pyproject.toml and kept under the system temp folder),
the desk-app wheel built from that copy, and a fresh venv installing from wheels only.

Installs run with ``--only-binary=:all:`` and a compiler that always fails (CC=false): a default
dependency that needs compiling makes these tests fail."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests.conftest import ROOT

# Left out of the copy: what installing does not use (VCS, venvs, caches, build output, local data,
# tests, docs and benchmarks with their data caches).
NOT_SHIPPED = {".git", ".venv", "build", "dist", ".pytest_cache", ".hypothesis", "desk-data", "portable.flag",
               "tests", "docs", "bench"}
BUILD_DEPS = ("setuptools>=68", "wheel")


def run(cmd: list[str], *, timeout: float = 900, **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run(cmd, capture_output=True, text=True, encoding="utf-8", timeout=timeout, **kwargs)
    assert result.returncode == 0, f"{cmd} failed ({result.returncode}):\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result


def wheels_only_env(wheelhouse: Path) -> dict[str, str]:
    """pip finds everything in the wheelhouse, never builds a dependency, and cannot compile."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    env.update({
        "PIP_NO_INDEX": "1", "PIP_FIND_LINKS": str(wheelhouse), "PIP_ONLY_BINARY": ":all:",
        "PIP_DISABLE_PIP_VERSION_CHECK": "1", "CC": "false", "CXX": "false",
    })
    return env


@pytest.fixture(scope="session")
def source_copy(tmp_path_factory) -> Path:
    """The files a checkout ships, copied: no build/ leftovers or other untracked state."""
    dest = tmp_path_factory.mktemp("src") / "desk-app"
    skip = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")

    def ignore(folder: str, names: list[str]) -> set[str]:
        top = {n for n in names if n in NOT_SHIPPED} if Path(folder) == ROOT else set()
        return top | set(skip(folder, names))

    shutil.copytree(ROOT, dest, ignore=ignore, symlinks=True)
    return dest


@pytest.fixture(scope="session")
def wheelhouse(source_copy) -> Path:
    """Wheels of every default dependency and the jbig2 extra (and the build backend), fetched
    once per pyproject.toml with --only-binary=:all: (the pip cache makes a refetch cheap)."""
    key = hashlib.sha256((source_copy / "pyproject.toml").read_bytes() + sys.version.encode()).hexdigest()[:16]
    house = Path(tempfile.gettempdir()) / f"desk-wheelhouse-{key}"
    if (house / ".complete").exists():
        return house
    partial = Path(tempfile.mkdtemp(prefix="desk-wheelhouse-partial-"))
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
    # With the jbig2 extra, which scripts/run.sh installs (numba and llvmlite wheels).
    run([*pip, "wheel", "--only-binary=:all:", "-q", "-w", str(partial), f"{source_copy}[jbig2]"])
    run([*pip, "download", "--only-binary=:all:", "-q", "-d", str(partial), *BUILD_DEPS])
    for own in partial.glob("desk_app-*.whl"):  # built fresh by each session (desk_wheel)
        own.unlink()
    (partial / ".complete").touch()
    try:
        partial.rename(house)
    except OSError:  # another pytest worker finished first: keep (and use) its wheelhouse
        shutil.rmtree(partial, ignore_errors=True)
    return house


@pytest.fixture(scope="session")
def desk_wheel(source_copy, wheelhouse, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(source_copy)],
        env=wheels_only_env(wheelhouse), cwd=out)
    (wheel,) = out.glob("desk_app-*.whl")
    return wheel


def fresh_venv(path: Path) -> Path:
    """A new venv; returns its bin (Scripts) folder."""
    run([sys.executable, "-m", "venv", str(path)])
    return path / ("Scripts" if os.name == "nt" else "bin")
