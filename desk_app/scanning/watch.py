"""A watched folder for network copiers that "scan to folder".

Polling (portable, works on SMB shares where change notifications are unreliable). A file is
taken only once it is complete and stable: non-empty, same size and modification time on
``stable_polls`` consecutive polls, and not a temporary name a copier writes first. After
processing it moves to ``done/`` or ``failed/`` (with a ``.error.txt`` note) so it is taken once.
Runs on a worker thread.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from desk_app.scanning.imports import SUFFIXES

TEMP_MARKERS = (".part", ".tmp", ".crdownload", "~")
DONE, FAILED = "done", "failed"


@dataclass
class WatchedFolder:
    folder: Path
    stable_polls: int = 2
    _seen: dict[Path, tuple[tuple[int, int], int]] = field(default_factory=dict)

    def poll(self) -> list[Path]:
        """Files ready to import now, oldest first."""
        ready: list[tuple[float, Path]] = []
        current: dict[Path, tuple[tuple[int, int], int]] = {}
        try:
            entries = list(os.scandir(self.folder))
        except FileNotFoundError:
            return []
        for entry in entries:
            if not entry.is_file() or entry.name.startswith(".") or entry.name.lower().endswith(TEMP_MARKERS):
                continue
            if Path(entry.name).suffix.lower() not in SUFFIXES:
                continue
            stat = entry.stat()
            if stat.st_size == 0:
                continue
            path = Path(entry.path)
            signature = (stat.st_size, stat.st_mtime_ns)
            previous = self._seen.get(path)
            streak = previous[1] + 1 if previous and previous[0] == signature else 1
            current[path] = (signature, streak)
            if streak >= self.stable_polls:
                ready.append((stat.st_mtime, path))
        self._seen = current
        return [p for _, p in sorted(ready)]

    def finish(self, path: Path, *, error: str | None = None) -> Path:
        """Move a processed file aside so it is never imported twice."""
        target_dir = self.folder / (FAILED if error else DONE)
        target_dir.mkdir(exist_ok=True)
        target = target_dir / path.name
        n = 1
        while target.exists():
            target = target_dir / f"{path.stem}-{n}{path.suffix}"
            n += 1
        shutil.move(str(path), target)
        if error:
            target.with_name(target.name + ".error.txt").write_text(error, encoding="utf-8")
        self._seen.pop(path, None)
        return target
