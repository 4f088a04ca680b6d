"""Progress on a terminal only: never in JSON, GitHub or piped output."""

from __future__ import annotations

import io
import os
import pty

import pytest

from pipeline.config import load_settings
from pipeline.progress import Progress, progress, shows_progress, track
from pipeline.validate import validate


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_a_terminal_sees_the_count_and_then_a_clean_line():
    out = Terminal()
    with progress("Checking", 4, stream=out, delay=0) as bar:
        bar.advance()
        assert out.getvalue() == "\rChecking: 1/4 (25%)\x1b[K"
        bar.advance(3)
    assert out.getvalue().endswith("Checking: 4/4 (100%)\x1b[K\r\x1b[K")


@pytest.mark.parametrize("stream, fmt", [(io.StringIO(), "text"), (Terminal(), "json"),
                                         (Terminal(), "github"), (Terminal(), "sarif")])
def test_pipes_and_machine_formats_see_nothing(stream, fmt):
    with progress("Checking", 2, stream=stream, fmt=fmt, delay=0) as bar:
        bar.advance(2)
    assert stream.getvalue() == ""
    assert not shows_progress(fmt, stream)


def test_short_work_draws_nothing():
    out = Terminal()
    with progress("Checking", 2, stream=out) as bar:  # the default delay: one second
        bar.advance(2)
    assert out.getvalue() == ""


def test_track_counts_the_items():
    out = Terminal()
    assert list(track(["a", "b"], "Fetching", stream=out, delay=0)) == ["a", "b"]
    assert "Fetching: 2/2 (100%)" in out.getvalue()


def test_a_real_terminal_is_recognised():
    leader, follower = pty.openpty()
    with os.fdopen(follower, "w") as tty:
        assert shows_progress("text", tty)
        with progress("Building", 1, stream=tty, delay=0) as bar:
            bar.advance()
        assert _read_all(leader) == "\rBuilding: 1/1 (100%)\x1b[K\r\x1b[K"
    os.close(leader)


def _read_all(fd: int) -> str:
    """What was written to the terminal: a pty may hand it over in more than one read."""
    import select

    out = b""
    while select.select([fd], [], [], 0.5)[0]:
        chunk = os.read(fd, 1000)
        if not chunk:
            break
        out += chunk
    return out.decode()


@pytest.mark.parametrize("jobs", [1, 2])
def test_validate_reports_all_its_work(catalog, monkeypatch, jobs):
    import pipeline.validate as v

    monkeypatch.setattr(v, "PER_WORKER", 1)
    bar = Progress("Checking", stream=io.StringIO(), enabled=False)
    validate(load_settings(catalog), cache=False, jobs=jobs, progress=bar)
    assert bar.total == 8  # four files parsed, four entries checked
    assert bar.done == bar.total
