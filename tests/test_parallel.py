"""Worker processes: state kept between calls, failures reported, the collector held back."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import time

import pytest

from conftest import REPO
from pipeline.errors import PipelineError
from pipeline.parallel import (FULL_COLLECTIONS_AFTER, WorkerError, Workers,
                               rare_full_collections)


def _threshold(state: dict) -> int:
    return gc.get_threshold()[2]


def _count(state: dict, n: int) -> int:
    state["n"] = state.get("n", 0) + n
    return state["n"]


def test_rare_full_collections_sets_and_restores_the_threshold():
    before = gc.get_threshold()
    with pytest.raises(RuntimeError), rare_full_collections():
        assert gc.get_threshold() == (*before[:2], max(before[2], FULL_COLLECTIONS_AFTER))
        raise RuntimeError("the step failed")
    assert gc.get_threshold() == before


def test_workers_keep_state_and_collect_rarely():
    with Workers(2, {}) as workers:
        assert workers.call(_count, [(1,), (2,)]) == [1, 2]
        assert workers.call(_count, [(10,), (20,)]) == [11, 22]
        assert workers.call(_threshold, [(), ()]) == [FULL_COLLECTIONS_AFTER] * 2
    assert gc.get_threshold()[2] != FULL_COLLECTIONS_AFTER


def test_a_shard_run_in_this_process_collects_as_rarely_as_a_worker():
    """validate in one process (a small catalog) collected fully as often as Python's
    default: one entry with 10,000 specs took 6 times as long as one with 2,500."""
    from pipeline.parallel import InProcess
    before = gc.get_threshold()
    assert InProcess({}).call(_threshold, [(), ()]) == [max(before[2], FULL_COLLECTIONS_AFTER)] * 2
    assert gc.get_threshold() == before


def _alive(pid: int) -> bool:
    """Running (a zombie, dead but not yet reaped by init, is not)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def _sum_when_told(state: dict, numbers: list, extra: int, signal: str) -> tuple:
    """Waits until the parent has made `signal` (a file): only after `start` returned."""
    deadline = time.monotonic() + 30
    while not os.path.exists(signal):
        if time.monotonic() > deadline:
            raise AssertionError("start() waited for the call it started")
        time.sleep(0.01)
    return os.getpid(), sum(numbers) + extra


class _Counted(list):
    """A list that counts how often it is pickled."""

    pickled = 0

    def __reduce__(self):
        type(self).pickled += 1
        return list, (list(self),)


def test_an_argument_given_to_every_worker_is_pickled_once_and_started_calls_run_meanwhile(
        tmp_path):
    shared = _Counted(range(1000))
    signal = str(tmp_path / "go")
    with Workers(2, {}) as workers:
        waiting = workers.start(_sum_when_told, [(shared, 1, signal), (shared, 2, signal)])
        open(signal, "w").close()  # reached only if start() did not wait for them
        results = waiting()
    assert _Counted.pickled == 1
    assert [r[1] for r in results] == [499501, 499502]
    assert len({pid for pid, _ in results} | {os.getpid()}) == 3


def _fail(state: dict, kind: str):
    if kind == "file":
        open(os.path.join(state["folder"], "missing", "x"))
    if kind == "catalog":
        raise PipelineError("entries/glossary/x.md:3:1: a problem")
    raise ValueError("a bug")


def test_a_refused_file_or_a_catalog_problem_in_a_worker_is_raised_as_itself(tmp_path):
    """The CLI reports an OSError or a PipelineError as a message; from a worker, they came
    back as a WorkerError, which it shows as a traceback (found in review)."""
    with Workers(1, {"folder": str(tmp_path)}) as workers:
        with pytest.raises(FileNotFoundError) as refused:
            workers.call(_fail, [("file",)])
        assert refused.value.filename == str(tmp_path / "missing" / "x")
        with pytest.raises(PipelineError, match="entries/glossary/x.md:3:1: a problem"):
            workers.call(_fail, [("catalog",)])
        with pytest.raises(WorkerError, match="ValueError: a bug"):  # with its traceback
            workers.call(_fail, [("bug",)])
        assert workers.call(_count, [(5,)]) == [5]  # and the worker goes on


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="Linux")
def test_workers_die_with_a_parent_killed_on_its_own():
    """A parent killed alone (SIGKILL, the OOM killer) left its workers running for good,
    holding the output's lock: the next build waited for ever (found in review)."""
    script = ("import sys, time\n"
              f"sys.path.insert(0, {str(REPO)!r})\n"
              "from pipeline.parallel import Workers\n"
              "w = Workers(2, {})\n"
              "print(' '.join(str(p.pid) for p in w._procs), flush=True)\n"
              "time.sleep(60)\n")
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    pids = [int(p) for p in proc.stdout.readline().split()]
    assert len(pids) == 2 and all(_alive(p) for p in pids)
    proc.kill()
    proc.wait()
    deadline = time.monotonic() + 10
    while any(_alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_alive(p) for p in pids)


def _exporting(state: dict) -> str | None:
    """An "export" hook: what the worker's last call left, once."""
    return state.pop("left", None)


def _leave(state: dict, n: int) -> int:
    state["left"] = f"left {n} in {os.getpid()}"
    return n


def test_what_a_worker_exports_travels_with_a_result_and_the_idle_hook_runs_meanwhile():
    """A worker's "export" hook sends what a call made with its result (into `exported`,
    per worker), whoever made the call; `idle` runs here before each wait."""
    idle = []
    with Workers(2, {"export": _exporting}) as workers:
        workers.idle = lambda: idle.append(len(workers.exported[0]))
        assert workers.call(_count, [(1,), (2,)]) == [1, 2]
        assert workers.exported == [[], []]  # the hook had nothing to send
        assert workers.call(_leave, [(5,), (6,)]) == [5, 6]
        assert [len(sent) for sent in workers.exported] == [1, 1]
        assert workers.exported[0][0].startswith("left 5 in ")
        assert workers.exported[1][0].startswith("left 6 in ")
        assert workers.call(_count, [(1,), (1,)]) == [2, 3]
        assert [len(sent) for sent in workers.exported] == [1, 1]  # sent once
    assert idle == [0, 0, 1]
