"""Bytes a build puts aside until it needs them, in files instead of memory.

A big build renders every entry before it writes any page (the pages show
what other entries say about them), so what each page is made of, and each
entry's search record, wait: about 12 KB an entry, 120 MB for 10,000. Kept
in a file of the build's cache folder they count against no process, and
the kernel keeps them in its page cache while there is room. Each process
appends to a file of its own (`put` -> where the bytes are) and any process
reads them back (`get`, or an `output.Span` that copies them into an output
file without passing through Python). The folder goes with the build, and
the next build removes what a killed one left.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from .output import Span


# This process's id, kept up to date in a forked child: `os.getpid()` is a system call,
# and `put` and `get` ask which process they are in for every entry.
_PID = [os.getpid()]
os.register_at_fork(after_in_child=lambda: _PID.__setitem__(0, os.getpid()))


class Spill:
    """A folder of append-only files, one per process (workers are forked from the
    process that made it)."""

    def __init__(self, parent: Path):
        parent.mkdir(parents=True, exist_ok=True)
        _remove_orphans(parent)
        self.folder = tempfile.mkdtemp(prefix=f"spill-{os.getpid()}-", dir=parent)
        self._pid: int | None = None
        self._file = None
        self._path = ""
        self._at = 0  # the end of this process's file: where its next `put` goes
        self._readers: dict[str, int] = {}

    def put(self, data: bytes) -> Span:
        """Append `data` to this process's file -> where it is."""
        if self._pid != _PID[0]:  # the first put of this process
            self._pid, self._readers = _PID[0], {}
            self._path = os.path.join(self.folder, f"{self._pid}.bin")
            self._file = open(self._path, "ab", buffering=1 << 20)  # noqa: SIM115 - kept
            self._at = self._file.tell()  # once: a buffered file's `tell` asks the system
        start = self._at
        self._file.write(data)
        self._at = start + len(data)
        return Span(self._path, start, self._at)

    def flush(self) -> None:
        """Make what this process put readable by the others."""
        if self._pid == _PID[0]:
            self._file.flush()

    def get(self, span: Span) -> bytes:
        """The bytes `put` put at `span` (by this process, or by one that flushed)."""
        if span.path == self._path and self._pid == _PID[0]:
            self._file.flush()
        fd = self._readers.get(span.path)
        if fd is None:
            fd = self._readers[span.path] = os.open(span.path, os.O_RDONLY)
        return os.pread(fd, span.end - span.start, span.start)

    def remove(self) -> None:
        """Delete the folder (in the process that made it, once no worker writes)."""
        if self._pid == _PID[0] and self._file is not None:
            self._file.close()
        for fd in self._readers.values():
            os.close(fd)
        self._readers = {}
        shutil.rmtree(self.folder, ignore_errors=True)


def _remove_orphans(parent: Path) -> None:
    """Remove the spill folders of builds that were killed (their process is gone); those
    of builds running now, into other output folders, stay."""
    for folder in parent.glob("spill-*-*"):
        try:
            pid = int(folder.name.split("-")[1])
        except ValueError:
            continue
        if not _alive(pid):
            shutil.rmtree(folder, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # somebody else's process
        return True
    return True
