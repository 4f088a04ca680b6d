"""Where a build may write, and who may write there at once (found in review):
- `--out` inside entries/ was accepted, and every file it wrote became an error of the
  next validate (`file-name: not an entry`);
- two builds into one folder spelled two ways (a link to its parent folder) took two
  locks and mixed their files, both reporting success."""

from __future__ import annotations

import fcntl

import pytest

from pipeline.config import load_settings
from pipeline.errors import PipelineError
from pipeline.publish.build import build
from pipeline.publish.output import OutputTree


@pytest.mark.parametrize("inside", ["entries/site", "entries/glossary/site", "digests/site",
                                    "schemas/site"])
def test_a_build_into_a_folder_it_reads_is_refused(repo, inside):
    (repo / "digests").mkdir(exist_ok=True)
    with pytest.raises(PipelineError, match="which the build reads"):
        build(load_settings(repo), repo / inside)
    assert not (repo / inside).exists()


def test_two_spellings_of_one_output_share_its_lock(tmp_path):
    site = tmp_path / "site"
    site.mkdir()
    (tmp_path / "alias").symlink_to(site)
    cache = tmp_path / "cache"
    one = OutputTree(site / "dist", cache, protect=tmp_path / "catalog")
    two = OutputTree(tmp_path / "alias" / "dist", cache, protect=tmp_path / "catalog")
    assert (one.out, one.state_dir) == (two.out, two.state_dir)
    with one:
        with open(site / ".dist.lock") as f, pytest.raises(BlockingIOError):
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)  # held, whoever asks
        # another checkout of the catalog (its own cache) publishing to the same folder
        other = OutputTree(site / "dist", tmp_path / "other-cache", protect=tmp_path / "c2")
        with open(site / ".dist.lock") as f, pytest.raises(BlockingIOError):
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        assert other.out == one.out


def test_a_build_that_waits_for_another_says_which_process_holds_the_folder(repo, tmp_path):
    """A second `pipeline build` into a folder another one was building into waited
    without a word (a build of 10,000 entries takes seconds, `pipeline serve` rebuilds at
    every save): it says whose turn it is, then builds once that one ends."""
    import os
    import queue
    import subprocess
    import sys
    import threading

    holder = OutputTree(repo / "dist", tmp_path / "cache", protect=repo)
    with holder:
        proc = subprocess.Popen([sys.executable, "-m", "pipeline", "--root", str(repo),
                                 "build"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True)
        lines: queue.Queue = queue.Queue()
        threading.Thread(target=lambda: [lines.put(line) for line in proc.stderr],
                         daemon=True).start()
        try:
            said = lines.get(timeout=120)  # only so that a defect cannot hang the tests
        except queue.Empty:
            said = ""
        if not said:
            proc.kill()
        assert said.startswith(f"Waiting for process {os.getpid()}, which is building "
                               f"into {os.path.realpath(repo / 'dist')} "), said
        assert proc.poll() is None  # still waiting while the folder is held
    out, _ = proc.communicate()
    assert proc.returncode == 0 and out.startswith("Built 4 published entries"), out
    assert "Traceback" not in "".join(lines.queue)


# `pipeline build` whose validation beside it (the forked child) never ends: the child
# says its id on stdout, and the test kills the build then (no sleep to guess).
_SLOW_VALIDATION = """
import os, threading
import pipeline.validate as v
build_pid, real = os.getpid(), v.validate
def _validate_slowly(*args, **kw):
    if os.getpid() != build_pid:  # the child validating beside the build
        print(f"Validating in {os.getpid()}", flush=True)
        threading.Event().wait()
    return real(*args, **kw)
v.validate = _validate_slowly
from pipeline.cli import main
main()
"""


def test_a_killed_builds_validation_child_does_not_keep_the_folder(repo, tmp_path):
    """The child that validates beside a build inherited the output's lock and, unlike the
    build's workers, outlived the build when it was killed (SIGKILL, the OOM killer): the
    folder stayed held until its validation ended, and the next build waited for the
    dead build's process (found in review). It dies with the build."""
    import os
    import signal
    import subprocess
    import sys

    from conftest import REPO

    proc = subprocess.Popen([sys.executable, "-c", _SLOW_VALIDATION, "--root", str(repo),
                             "build", "--jobs", "2"], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True,
                            env={**os.environ, "PYTHONPATH": str(REPO)})
    try:
        line = proc.stdout.readline()
        assert line.startswith("Validating in "), line + proc.stdout.read()
        child = int(line.split()[-1])
        proc.kill()
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    lock = open(repo / ".dist.lock")
    try:
        # the lock is free once the child is gone (waited for, so no timed assertion)
        waited = _locked_within(lock, limit=60)
    finally:
        lock.close()
        try:
            os.kill(child, signal.SIGKILL)  # the old code's child, left waiting for ever
        except ProcessLookupError:
            pass
    assert waited, f"the validation child {child} still holds the folder"


def _locked_within(lock, limit: float) -> bool:
    """Whether `lock` (an open file) could be locked within `limit` seconds."""
    import threading

    got = threading.Event()

    def take():
        fcntl.flock(lock, fcntl.LOCK_EX)
        got.set()

    threading.Thread(target=take, daemon=True).start()
    return got.wait(limit)


# Takes the lock of the file argv[1], forks a child (which inherits it and lives until its
# stdin closes), prints the child's id and ends: the file names a process that has ended.
_LEFT_HOLDING = """
import fcntl, os, sys
f = open(sys.argv[1], "a+")
fcntl.flock(f, fcntl.LOCK_EX)
f.truncate(0)
f.write(f"{os.getpid()}\\n")
f.flush()
child = os.fork()
if child == 0:
    os.read(0, 1)
    os._exit(0)
print(child, flush=True)
os._exit(0)
"""


def test_the_waiting_message_names_the_process_that_holds_the_lock(tmp_path):
    """The lock file names the process that took the lock; a process it forked holds the
    lock too, and after the first ended, "Waiting for process N" named a dead process
    (found in review). It names the one that holds it."""
    import queue
    import subprocess
    import sys
    import threading

    from pipeline.fileio import take_lock

    path = tmp_path / ".dist.lock"
    proc = subprocess.Popen([sys.executable, "-c", _LEFT_HOLDING, str(path)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    said: queue.Queue = queue.Queue()
    try:
        child = int(proc.stdout.readline())
        proc.wait(timeout=60)
        taker = threading.Thread(target=lambda: take_lock(path, said.put).close(), daemon=True)
        taker.start()
        message = said.get(timeout=60)
    finally:
        proc.stdin.close()  # the child ends, and the lock is free
    taker.join(timeout=60)
    assert not taker.is_alive()
    assert message == f"process {child} (started by process {proc.pid}, which has ended)"
