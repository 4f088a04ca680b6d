"""Writing files so that nothing is left half written and nothing an editor wrote is lost."""

from __future__ import annotations

import errno
import os
import re
import secrets
import stat
import time
from pathlib import Path

STALE_S = 3600  # a temporary file untouched this long is no live write's (see remove_stale)


def write_atomic(path: Path, data: str | bytes, before=None) -> None:
    """Write to a temporary file beside `path`, then rename it over `path`.

    An existing file keeps its mode; a new one gets 0666 less the umask, as `open` gives.
    A symbolic link is written through: the file it points to gets the new content, and
    the link stays. A failure raises OSError naming `path` (never the temporary file),
    with what stands in the way.

    `before()`, when given, is called once the content is written whole and synced
    beside `path`, immediately before the rename: what it raises stops the write (the
    temporary file is removed, `path` is left as it is) and passes as it is, but an
    OSError, which is told of `path` as any other.
    """
    path = Path(path)
    if os.path.islink(path):
        path = Path(os.path.realpath(path))
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except (FileNotFoundError, NotADirectoryError):  # new, or its folder cannot be (_place)
        mode = None

    def put(tmp: Path) -> None:
        if before is not None:
            before()
        os.replace(tmp, path)

    _place(path, data, mode, put)


def remove_stale(path: Path, older_than: float = STALE_S) -> None:
    """Remove the temporary files `write_atomic` left beside `path` when a run was killed
    while writing it (several MB each for a big catalog's cache; nothing else ever
    removed them). Only names write_atomic gives to `path`'s temporary files are looked
    at, and only files last written more than `older_than` seconds ago are removed: a
    write fills its file in one go and renames it at once, so no live one is that old
    (the writer's process id is not in the name, and would not tell across machines or
    containers sharing the folder). What cannot be listed or removed is left."""
    path = Path(path)
    if os.path.islink(path):
        path = Path(os.path.realpath(path))
    _remove_old(path.parent, re.compile(rf"\.{re.escape(path.name)}\.[0-9a-f]{{16}}\.tmp"),
                older_than)


def remove_stale_in(folder: Path, older_than: float = STALE_S) -> None:
    """`remove_stale` for every file of `folder`, a folder of our own holding many files
    written with write_atomic (the feeds' cache: one pair per URL)."""
    _remove_old(Path(folder), _ANY_TMP_RE, older_than)


_ANY_TMP_RE = re.compile(r"\..+\.[0-9a-f]{16}\.tmp", re.S)


def _remove_old(folder: Path, ours: re.Pattern, older_than: float) -> None:
    try:
        names = os.listdir(folder)
    except OSError:
        return
    before = time.time() - older_than
    for name in names:
        if not ours.fullmatch(name):
            continue
        tmp = folder / name
        try:
            st = os.lstat(tmp)
            if stat.S_ISREG(st.st_mode) and st.st_mtime < before:
                os.unlink(tmp)
        except OSError:
            pass


def create_new(path: Path, data: str | bytes) -> None:
    """Write a new file at `path`, whole, or raise FileExistsError if anything is there by
    the time it is in place: the content is written beside it, then linked to its name,
    which the system refuses when the name is taken (`write_atomic` renames over it; two
    `pipeline new` at once replaced each other's file). Other failures raise OSError
    naming `path`, as write_atomic's."""
    path = Path(path)

    def link(tmp: Path) -> None:
        try:
            os.link(tmp, path)
        except FileExistsError:
            raise
        except OSError:  # a file system without hard links: create the name exclusively
            with open(path, "xb") as f:
                f.write(tmp.read_bytes())
        os.unlink(tmp)

    _place(Path(path), data, None, link)


def take_lock(path: Path, waiting=None):
    """Open `path` (made if need be) and hold an exclusive lock on it until the returned
    file is closed (or the process ends, however it ends), writing this process's id
    into it. When another process holds it, `waiting(who)` is called first ("process
    4242", or "another process" when it cannot be told: see `_holder`) and the lock is
    waited for. None where the system has no `flock` (then nothing is locked)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not on Linux or macOS
        return None
    lock = open(path, "a+", encoding="ascii", errors="replace")  # noqa: SIM115 - returned
    try:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if waiting is not None:
                lock.seek(0)
                waiting(_holder(lock, lock.read(32).strip()))
            fcntl.flock(lock, fcntl.LOCK_EX)
        lock.truncate(0)  # whose lock it is, for the next one to say
        lock.write(f"{os.getpid()}\n")
        lock.flush()
    except BaseException:
        lock.close()
        raise
    return lock


def _holder(lock, written: str) -> str:
    """Who holds the lock of `lock` (an open file), for a message: the process whose id
    `written` is (the one that took it) while it does; a process it forked holds it too,
    and after that one ended (killed, its children not), the file named a dead process
    (found in review): then the one that holds it, as Linux's /proc tells."""
    pid = int(written) if written.isdigit() else None
    if pid is not None and _holds(pid, lock):
        return f"process {pid}"
    try:
        others = sorted(int(name) for name in os.listdir("/proc") if name.isdigit())
    except OSError:  # no /proc: the file says
        return f"process {pid}" if pid is not None else "another process"
    holders = [p for p in others if p not in (pid, os.getpid()) and _holds(p, lock)]
    if not holders:  # not told (another user's process), or it has just ended
        return f"process {pid}" if pid is not None and _running(pid) else "another process"
    # the first of them, not a process another of them forked (a worker of that one)
    first = next((p for p in holders if _parent(p) not in holders), holders[0])
    if pid is None:
        return f"process {first}"
    return f"process {first} (started by process {pid}, which has ended)"


def _holds(pid: int, lock) -> bool:
    """Whether process `pid` has the file of `lock` open with a flock on it (Linux)."""
    st = os.fstat(lock.fileno())
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:  # no such process, or not ours to look at
        return False
    for fd in fds:
        try:
            there = os.stat(f"/proc/{pid}/fd/{fd}")
            if (there.st_dev, there.st_ino) != (st.st_dev, st.st_ino):
                continue
            with open(f"/proc/{pid}/fdinfo/{fd}", encoding="ascii", errors="replace") as f:
                if "FLOCK" in f.read():  # a `lock:` line: this open file holds the lock
                    return True
        except OSError:
            continue
    return False


def _parent(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
            return int(f.read().rpartition(")")[2].split()[1])
    except (OSError, ValueError, IndexError):
        return None


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's: it runs
        return True
    return True


def _place(path: Path, data: str | bytes, mode: int | None, put) -> None:
    """Write `data` whole to a temporary file beside `path` (with `mode`, else 0666 less
    the umask), then `put(temporary file)` in place; the temporary file never stays.
    FileExistsError from `put` passes as it is; other failures are told of `path`."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError) as e:
        raise _in_the_way(path, e) from None
    raw = data.encode("utf-8") if isinstance(data, str) else data
    tmp = path.parent / f".{path.name}.{secrets.token_hex(8)}.tmp"
    try:
        # O_EXCL: never someone else's file; 0o666: the kernel takes the umask off
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0),
                     0o666)
    except OSError as e:
        raise _failed(path, e) from None
    try:
        with os.fdopen(fd, "wb") as f:
            if mode is not None:
                os.chmod(f.fileno() if os.chmod in os.supports_fd else tmp, mode)
            f.write(raw)
            f.flush()
            os.fsync(f.fileno())
        put(tmp)
    except BaseException as e:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        if isinstance(e, OSError) and not isinstance(e, FileExistsError):
            raise _failed(path, e) from None
        raise


def _failed(path: Path, e: OSError) -> OSError:
    """`e`, about the temporary file beside `path`, told of `path` and what to do."""
    folder = path.parent
    if e.errno == errno.EISDIR or path.is_dir():
        why = "there is a folder where this file goes; move the folder away, or write elsewhere"
    elif e.errno in (errno.EACCES, errno.EPERM):
        why = (f"the file is written whole beside itself and renamed into place, so the folder "
               f"{folder} must be writable; make it writable, or write elsewhere")
    elif e.errno == errno.EROFS:
        why = f"the folder {folder} is on a read-only file system; write elsewhere"
    elif e.errno in (errno.ENOSPC, errno.EDQUOT):
        why = f"there is no room left where {folder} is; free some and try again"
    else:
        why = "nothing was written"
    # OSError(errno, ...) is the matching subclass (PermissionError, IsADirectoryError...)
    return OSError(e.errno, f"{e.strerror or e} ({why})", str(path))


def _in_the_way(path: Path, e: OSError) -> OSError:
    """The folder of `path` cannot be made: name the file that stands where a folder must."""
    blocker = next((p for p in (path.parent, *path.parent.parents)
                    if os.path.lexists(p) and not p.is_dir()), None)
    if blocker is None:
        return _failed(path, e)
    return OSError(e.errno, f"{blocker} is a file, not a folder, and writing this file needs "
                   "a folder there; move that file away (or write elsewhere)", str(path))
