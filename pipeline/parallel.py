"""Worker processes that keep what they computed between calls.

`pipeline validate` parses a big catalog in two processes and then checks
each half where it was parsed, so parsed entries never cross a process
boundary. Workers are forked: they start with the parent's modules, compiled
schemas and any `state` given, without pickling them. Where fork is not
available (or one core is all there is) the same calls run in this process.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import pickle
import traceback
from collections.abc import Callable

from .errors import PipelineError


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def can_fork() -> bool:
    """Whether workers can be forked here (a daemonic process may have no children)."""
    return ("fork" in multiprocessing.get_all_start_methods()
            and not multiprocessing.current_process().daemon)


def _malloc_trim():
    try:
        import ctypes

        trim = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):  # not glibc
        return None
    trim.argtypes, trim.restype = [ctypes.c_size_t], ctypes.c_int
    return trim


_TRIM = _malloc_trim()


def give_back() -> None:
    """Hand the heap's free pages back to the system (glibc's malloc_trim).

    Python frees big strings (bodies, pages) to malloc, which keeps the pages
    for later; a worker that has finished a big step calls this so that what
    it no longer holds stops counting against the machine's memory."""
    if _TRIM is not None:
        _TRIM(0)


# A full collection after this many collections of the middle generation (10 by default):
# in practice, none during a build.
FULL_COLLECTIONS_AFTER = 1000


@contextlib.contextmanager
def rare_full_collections():
    """While a big step runs: no full passes of the cyclic garbage collector.

    The step makes many objects that live until it ends (parsed entries, pages'
    parts, their facts): each full pass looks through all of them again, for
    garbage that plain reference counting frees anyway (the work makes almost
    no cycles; those it makes die young, in the first two generations, which
    are still collected as usual). A cold build's processes spent half their
    collecting time in full passes.
    """
    young, middle, full = gc.get_threshold()
    gc.set_threshold(young, middle, max(full, FULL_COLLECTIONS_AFTER))
    try:
        yield
    finally:
        gc.set_threshold(young, middle, full)


class WorkerError(RuntimeError):
    """A call failed in a worker; the message holds the worker's traceback."""


def die_with(parent: int) -> None:
    """Have the kernel kill this worker when the process that forked it dies.

    A parent killed on its own (SIGKILL, the OOM killer, a runner that signals
    its pid alone) left its workers running for good, holding what they inherited:
    the output's lock (the next build into the same folder waited for ever) and
    the ends of the caller's pipes (found in review). Linux only; a parent gone
    before the call is caught by the check that follows it."""
    try:
        import ctypes
        import signal

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, int(signal.SIGKILL), 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # pragma: no cover - not Linux
        return
    if os.getppid() != parent:
        os._exit(1)


def _serve(conn, state: dict, parent: int | None = None) -> None:
    if parent is not None:
        die_with(parent)
    with rare_full_collections():
        _serve_calls(conn, state)


def _serve_calls(conn, state: dict) -> None:
    while True:
        message = conn.recv()
        if message is None:
            return
        fn, parts = message
        del message
        try:
            args = [pickle.loads(part) for part in parts]
            del parts  # the pickled bytes are not kept while the call runs
            result = fn(state, *args)
            export = state.get("export")
            conn.send((True, result, export(state) if export is not None else None))
        except BaseException as e:  # noqa: BLE001 - reported to the parent as is
            conn.send((False, _travelling(e), None))
        finally:
            args = parts = None


def _travelling(e: BaseException):
    """What the parent raises for a worker's exception: a file the system refused, or a
    problem of the catalog (PipelineError), as itself, so that it is reported as it would
    be in one process (a message, not a traceback); anything else as its traceback."""
    if isinstance(e, (OSError, PipelineError)):
        try:
            again = pickle.loads(pickle.dumps(e))
        except Exception:  # noqa: BLE001 - not every exception can travel
            pass
        else:
            if type(again) is type(e) and str(again) == str(e):
                return e
    return traceback.format_exc()


class Workers:
    """`count` forked processes, each with its own copy of `state`.

    `call(fn, args)` runs `fn(state, *args[i])` in worker i (all at once) and
    returns the results in order; `fn` is a module-level function.

    Two hooks let an owner use a call it did not make (validate's, in workers a
    build lent it): a function under "export" in `state` is called in the worker
    after each call, export(state), and what it returns, when not None, travels
    with the call's result into `exported[i]` (a list per worker); `idle`, when
    set, is called here before each wait for results, while the workers work.
    """

    def __init__(self, count: int, state: dict):
        ctx = multiprocessing.get_context("fork")
        self._conns = []
        self._procs = []
        self.exported: list[list] = [[] for _ in range(count)]
        self.idle: Callable[[], None] | None = None
        for _ in range(count):
            parent, child = ctx.Pipe()
            proc = ctx.Process(target=_serve, args=(child, state, os.getpid()), daemon=True)
            proc.start()
            child.close()
            self._conns.append(parent)
            self._procs.append(proc)

    def call(self, fn: Callable, args: list[tuple]) -> list:
        return self.start(fn, args)()

    def start(self, fn: Callable, args: list[tuple]) -> Callable[[], list]:
        """`call` in two halves: send the calls now; -> a function that waits for their
        results (meanwhile this process is free to do other work)."""
        made: dict[int, bytes] = {}  # an argument given to several workers: pickled once
        for conn, a in zip(self._conns, args):
            parts = []
            for value in a:
                part = made.get(id(value))
                if part is None:
                    part = made[id(value)] = pickle.dumps(value, pickle.HIGHEST_PROTOCOL)
                parts.append(part)
            conn.send((fn, parts))

        def results() -> list:
            if self.idle is not None:
                self.idle()
            out = []
            for n, conn in enumerate(self._conns[: len(args)]):
                ok, value, extra = conn.recv()
                if extra is not None:
                    self.exported[n].append(extra)
                if not ok:
                    raise value if isinstance(value, BaseException) else WorkerError(value)
                out.append(value)
            return out

        return results

    def close(self) -> None:
        for conn in self._conns:
            try:
                conn.send(None)
                conn.close()
            except OSError:
                pass
        for proc in self._procs:
            proc.join(timeout=5)
            if proc.is_alive():  # pragma: no cover - a stuck worker
                proc.kill()

    def __enter__(self) -> "Workers":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class InProcess:
    """The same interface as Workers, for one shard run here."""

    def __init__(self, state: dict):
        self.state = state

    def call(self, fn: Callable, args: list[tuple]) -> list:
        # as in a worker (_serve): a full collection pass over everything parsed so far,
        # again and again, made 10,000 specs of one entry take 6 times as long as 2,500
        with rare_full_collections():
            return [fn(self.state, *a) for a in args]

    def start(self, fn: Callable, args: list[tuple]) -> Callable[[], list]:
        results = self.call(fn, args)
        return lambda: results

    def __enter__(self) -> "InProcess":
        return self

    def __exit__(self, *exc) -> None:
        pass
