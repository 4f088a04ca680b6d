"""Front matter that `pipeline validate` parsed, kept for the build that follows it.

Parsing the YAML front matter is about a fifth of what a build of a whole
catalog costs. A cold `pipeline validate` that parses in worker processes
has each worker write what it parsed to a store file in the cache folder
(`<cache>/parsed/`): every entry's front matter (plain values, marshalled)
under the hash of its file's bytes. The validate cache lists the stores of
its last such run, and `pipeline build` run after it takes an entry's front
matter from them when the file's bytes are the ones validate parsed; it
parses the rest.

A store is only ever found through the validate cache, whose key covers the
tool's code, the YAML parser, the settings and the schemas, and its records
are found by the hash of the very bytes that were parsed: a store cannot
answer for other bytes or other code. Each record carries a checksum; a
store that cannot be read, a record whose checksum does not match or that
is not a mapping, and the file is parsed as usual. Only files named as this
module names them, in that folder, are ever removed, and not those of a run
that may still be going (see `remove_others`).

File layout: MAGIC, the offset of the index (8 bytes, little-endian), the
records, then the index: marshal of {content hash: (start, end, checksum)}.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import re
import time
from pathlib import Path

MAGIC = b"PLPARSD3"
FOLDER = "parsed"
_HEAD = len(MAGIC) + 8
_NAME = re.compile(r"parsed-\d+-\d+-\d+\.bin")
_TEMP = re.compile(r"\.parsed-\d+-\d+-\d+\.bin\.tmp")
_RUN = re.compile(r"\.?parsed-(\d+)-(\d+)-\d+\.bin(?:\.tmp)?")  # its run's process, time
STALE_S = 3600  # a run begun this long ago is taken for gone, its process alive or not


def _check(blob: bytes) -> bytes:
    return hashlib.sha256(blob).digest()[:8]


def is_store_name(name) -> bool:
    """Whether `name` is a store file's name as `store_path` makes them."""
    return isinstance(name, str) and _NAME.fullmatch(name) is not None


def store_path(folder: str | Path, token: str) -> Path:
    """Where this process writes its store for a run marked `token` (digits and a
    hyphen: the run's process id and time)."""
    return Path(folder) / f"parsed-{token}-{os.getpid()}.bin"


class StoreWriter:
    """Front matter put by content hash, written to `path` when closed (atomically:
    until then it is under a temporary name no reader looks for).

    A store that cannot be written (a full disk, a folder removed meanwhile) is
    given up without a word: it only ever saves the build some parsing."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._tmp = self.path.with_name(f".{self.path.name}.tmp")
        self._index: dict[str, tuple[int, int, bytes]] = {}
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._file = open(self._tmp, "wb", buffering=1 << 20)  # noqa: SIM115 - see close
            self._file.write(MAGIC + bytes(8))
        except OSError:
            self._file = None

    def put(self, digest: str, values: dict) -> None:
        if self._file is None:
            return
        try:
            blob = marshal.dumps(values)
        except ValueError:  # not plain data: that entry is parsed again
            return
        try:
            start = self._file.tell()
            self._file.write(blob)
        except OSError:
            self._give_up()
            return
        self._index[digest] = (start, start + len(blob), _check(blob))

    def close(self) -> Path | None:
        """-> the store's path, or None when it could not be written."""
        if self._file is None:
            return None
        try:
            at = self._file.tell()
            self._file.write(marshal.dumps(self._index))
            self._file.seek(len(MAGIC))
            self._file.write(at.to_bytes(8, "little"))
            self._file.close()
            os.replace(self._tmp, self.path)
        except OSError:
            self._give_up()
            return None
        return self.path

    def _give_up(self) -> None:
        try:
            self._file.close()
        except OSError:
            pass
        self._file = None
        try:
            os.unlink(self._tmp)
        except OSError:
            pass


class Stores:
    """The front matter kept in some store files, looked up by content hash."""

    def __init__(self, paths: list[str | Path]):
        self._fds: list[int] = []
        self._where: dict[str, tuple[int, int, int, bytes]] = {}
        for path in paths:
            self._open(path)

    def _open(self, path) -> None:
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError:
            return
        try:
            head = os.pread(fd, _HEAD, 0)
            size = os.fstat(fd).st_size
            at = int.from_bytes(head[len(MAGIC):], "little")
            if head[:len(MAGIC)] != MAGIC or not _HEAD <= at <= size:
                raise ValueError("not a store")
            index = marshal.loads(os.pread(fd, size - at, at))
            where = {}
            for digest, (start, end, check) in index.items():
                if not (type(start) is int and type(end) is int and _HEAD <= start <= end <= at
                        and type(check) is bytes and type(digest) is str):
                    raise ValueError("not a store")
                where[digest] = (len(self._fds), start, end, check)
        except Exception:  # noqa: BLE001 - whatever is wrong with it, it is not used
            os.close(fd)
            return
        self._fds.append(fd)
        self._where.update(where)

    def __len__(self) -> int:
        return len(self._where)

    def get(self, digest: str) -> dict | None:
        """The front matter parsed from bytes with this hash, or None."""
        found = self._where.get(digest)
        if found is None:
            return None
        n, start, end, check = found
        try:
            blob = os.pread(self._fds[n], end - start, start)
            if _check(blob) != check:
                return None
            values = marshal.loads(blob)
        except Exception:  # noqa: BLE001 - a record that cannot be read is not used
            return None
        return values if type(values) is dict else None

    def close(self) -> None:
        for fd in self._fds:
            os.close(fd)
        self._fds, self._where = [], {}


def written(folder: Path, token: str) -> list[str]:
    """The names of the stores a run marked `token` wrote in `folder`."""
    try:
        names = os.listdir(folder)
    except OSError:
        return []
    return sorted(n for n in names if is_store_name(n) and n.startswith(f"parsed-{token}-"))


def remove_others(folder: Path | None, keep: list[str]) -> None:
    """Remove the store files of `folder` not named in `keep`, and half-written ones
    (only files named as this module names them), but those of another run that may
    still be going: one whose process is alive, begun within the hour.
    (Two cold runs at once removed each other's stores, half-written ones too, when the
    first of them ended: found in review.) This process's own runs are over."""
    if folder is None:
        return
    try:
        names = os.listdir(folder)
    except OSError:
        return
    for name in names:
        if (is_store_name(name) and name not in keep) or _TEMP.fullmatch(name):
            if _running(folder / name):
                continue
            try:
                os.unlink(folder / name)
            except OSError:
                pass


def _running(path: Path) -> bool:
    """Whether the run that wrote the store (or half of it) at `path` may still be going:
    its process (named in the name) is alive and not this one, and it began less than
    STALE_S ago (a cold run takes seconds, minutes on a huge catalog; an older one's
    process id is taken for reused since)."""
    found = _RUN.fullmatch(path.name)
    if found is None:
        return False
    pid, began = int(found[1]), int(found[2]) / 1e9
    if pid == os.getpid() or pid <= 0:
        return False
    if os.name == "posix":  # elsewhere os.kill ends the process: the time alone tells
        try:
            os.kill(pid, 0)
        except (ProcessLookupError, OverflowError):
            return False
        except OSError:  # someone else's: alive
            pass
    return began > time.time() - STALE_S
