"""Rendering on several cores: forked workers for much work, this process for a little.

Workers are forked once per build, when the first big share of work comes,
and keep their state between calls: an entry rendered in a worker is
written by the same worker, so its page's parts never cross a process
boundary. Only file names go out, and facts and outcomes come back. Results
keep the order of the work, so the output does not depend on how it was
split.
"""

from __future__ import annotations

from collections.abc import Callable

from ..parallel import InProcess, Workers, can_fork, cores

MIN_PARALLEL = 256  # fewer items than this are done here: forking would cost more
DEFAULT_JOBS = 2


def default_jobs() -> int:
    return max(1, min(DEFAULT_JOBS, cores()))


class Pool:
    """`run(fn, calls)`: fn(state, *call) for each call, in workers when there are several."""

    def __init__(self, jobs: int, state: dict):
        self.jobs = jobs if can_fork() else 1
        self.state = state
        self._workers: Workers | None = None
        self.size = 1  # processes that hold state: 1 until workers are started
        self.lent = False  # workers started by `lend` (they may hold prepared entries)
        # called while validate waits for the workers it was lent (see Workers.idle)
        self.idle: Callable[[], None] | None = None

    def _start(self) -> None:
        """Fork the workers now (when there is more than one job)."""
        if self._workers is None and self.jobs > 1:
            self._workers, self.size = Workers(self.jobs, self.state), self.jobs

    def lend(self, count: int, state: dict) -> Workers:
        """Start `count` workers now with `state` (this pool's and more: validate's, when
        validate parses in them, see validate.WorkerShare); they stay this pool's."""
        self._workers, self.size, self.lent = Workers(count, state), count, True
        self._workers.idle = self._idle
        return self._workers

    def _idle(self) -> None:
        if self.idle is not None:
            self.idle()

    def exported(self) -> list[list]:
        """What each worker's "export" hook sent back so far (see Workers)."""
        return self._workers.exported if self._workers is not None else []

    def much(self, count: int) -> bool:
        """Whether `count` items are enough work for several processes."""
        return self.jobs > 1 and count >= MIN_PARALLEL

    def shares(self, count: int) -> int:
        """How many shares `count` items should be split into."""
        if self._workers is not None:
            return self.size
        return self.jobs if self.much(count) else 1

    def run(self, fn: Callable, calls: list[tuple]) -> list:
        """[fn(state, *calls[i])]: call i in worker i when there are several calls
        (workers are started now if need be), here otherwise."""
        if len(calls) == 1 and self._workers is None:
            return InProcess(self.state).call(fn, calls)
        self._start()
        return self._workers.call(fn, calls)

    def start(self, fn: Callable, calls: list[tuple]) -> Callable[[], list]:
        """`run` in two halves, in the workers already started (here when there are none):
        the calls go now; -> a function that waits for their results. Every call started
        is waited for before the next `run` or `start`."""
        if self._workers is None:
            return InProcess(self.state).start(fn, calls)
        return self._workers.start(fn, calls)

    def close(self) -> None:
        if self._workers is not None:
            self._workers.close()
            self._workers = None

    def __enter__(self) -> "Pool":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
