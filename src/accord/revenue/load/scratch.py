"""Scratch folders of the chunked revenue import, owned by the process that made them.

A chunked import (``pipeline.py``) writes tens of megabytes of scratch databases and, for an
upload, a copy of the file. Each lives in a temporary folder inside the process's own
folder, ``<temp>/accord-import-<pid>``, removed when the import ends. A process killed in the
middle (``kill -9``, a power cut) cannot remove its folder, so the first scratch folder a
process asks for first removes the folders of processes that no longer run; a folder whose
process still runs (another worker, another import) is left alone.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PREFIX = "accord-import-"
OWNED = re.compile(re.escape(PREFIX) + r"(\d+)$")
log = logging.getLogger(__name__)
_swept: set[int] = set()  # the pids that have swept (a forked child sweeps again)
_lock = threading.Lock()


def alive(pid: int) -> bool:
    """Whether a process with this id runs (a zombie counts as gone)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return True


def own_folder(base: Path | None = None) -> Path:
    """This process's folder for scratch files (created, mode 0700)."""
    folder = Path(base or tempfile.gettempdir()) / f"{PREFIX}{os.getpid()}"
    folder.mkdir(mode=0o700, exist_ok=True)
    return folder


def remove_leftovers(base: Path | None = None) -> list[Path]:
    """Remove the scratch folders of processes that no longer run; the folders removed."""
    removed: list[Path] = []
    root = Path(base or tempfile.gettempdir())
    try:
        entries = list(root.iterdir())
    except OSError:
        return removed
    for entry in entries:
        match = OWNED.match(entry.name)
        if not match or int(match.group(1)) == os.getpid() or not entry.is_dir() \
                or entry.is_symlink() or alive(int(match.group(1))):
            continue
        shutil.rmtree(entry, ignore_errors=True)
        if not entry.exists():
            removed.append(entry)
            log.info("removed %s, left by an import whose process is gone", entry)
    return removed


@contextmanager
def scratch(prefix: str) -> Iterator[Path]:
    """A fresh temporary folder inside this process's own, removed on the way out; the first
    one of a process removes dead processes' leftovers first."""
    with _lock:
        if os.getpid() not in _swept:
            _swept.add(os.getpid())
            remove_leftovers()
        parent = own_folder()
    with tempfile.TemporaryDirectory(prefix=prefix, dir=parent) as folder:
        yield Path(folder)
