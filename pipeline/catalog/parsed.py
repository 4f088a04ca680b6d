"""Front matter that `pipeline validate` parsed, kept for the build that follows it.

Parsing the YAML front matter is about a fifth of what a build of a whole
catalog costs. A cold `pipeline validate` that parses in worker processes
has each worker write what it parsed to a store file in the cache folder:
every entry's front matter (plain values, marshalled) under the hash of its
file's bytes. The validate cache lists the stores of its last such run, and
`pipeline build` run after it takes an entry's front matter from them when
the file's bytes are the ones validate parsed; it parses the rest.

A store is only ever found through the validate cache, whose key covers the
tool's code, the settings and the schemas, and its records are found by the
hash of the very bytes that were parsed: a store cannot answer for other
bytes or other code. A store that cannot be read, or a record that is not a
mapping, is passed over and the file parsed as usual.

File layout: MAGIC, the offset of the index (8 bytes, little-endian), the
records, then the index: marshal of {content hash: (start, end)}.
"""

from __future__ import annotations

import marshal
import os
from pathlib import Path

MAGIC = b"PLPARSD1"
PREFIX = "parsed-"
SUFFIX = ".bin"
_HEAD = len(MAGIC) + 8


class StoreWriter:
    """Front matter put by content hash, written to `path` when closed (atomically:
    until then it is under a temporary name no reader looks for).

    A store that cannot be written (a full disk, a folder removed meanwhile) is
    given up without a word: it only ever saves the build some parsing."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._tmp = self.path.with_name(f".{self.path.name}.tmp")
        self._index: dict[str, tuple[int, int]] = {}
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
        self._index[digest] = (start, start + len(blob))

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
        self._where: dict[str, tuple[int, int, int]] = {}
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
            if not isinstance(index, dict):
                raise ValueError("not a store")
        except (OSError, ValueError, EOFError, TypeError):
            os.close(fd)
            return
        n = len(self._fds)
        self._fds.append(fd)
        for digest, span in index.items():
            if (isinstance(span, tuple) and len(span) == 2
                    and _HEAD <= span[0] <= span[1] <= at):
                self._where[digest] = (n, *span)

    def __len__(self) -> int:
        return len(self._where)

    def get(self, digest: str) -> dict | None:
        """The front matter parsed from bytes with this hash, or None."""
        found = self._where.get(digest)
        if found is None:
            return None
        n, start, end = found
        try:
            values = marshal.loads(os.pread(self._fds[n], end - start, start))
        except (OSError, ValueError, EOFError, TypeError):
            return None
        return values if isinstance(values, dict) else None

    def close(self) -> None:
        for fd in self._fds:
            os.close(fd)
        self._fds, self._where = [], {}


def store_path(folder: str | Path, token: str) -> Path:
    """Where this process writes its store for a run marked `token`."""
    return Path(folder) / f"{PREFIX}{token}-{os.getpid()}{SUFFIX}"


def written(folder: Path, token: str) -> list[str]:
    """The names of the stores a run marked `token` wrote in `folder`."""
    try:
        names = os.listdir(folder)
    except OSError:
        return []
    return sorted(n for n in names if n.startswith(f"{PREFIX}{token}-") and n.endswith(SUFFIX))


def remove_others(folder: Path, keep: list[str]) -> None:
    """Remove the store files (and half-written ones) of `folder` not named in `keep`."""
    try:
        names = os.listdir(folder)
    except OSError:
        return
    for name in names:
        if name.lstrip(".").startswith(PREFIX) and name not in keep:
            try:
                os.unlink(folder / name)
            except OSError:
                pass
