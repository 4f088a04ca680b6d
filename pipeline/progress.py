"""Progress of long work, shown on a terminal and nowhere else.

Library functions that take a while accept a `progress` object and tell it
how much work there is (`total`) and how much is done (`advance`). The CLI
makes one with `progress(label, fmt=...)`: it draws a single line on stderr
only when stderr is a terminal and the output format is text, and only once
the work has lasted a second; the line is erased when the work ends. In JSON,
GitHub or SARIF output, in a pipe or in CI logs it draws nothing at all.

    with progress("Checking entries", fmt=fmt) as bar:
        result = validate(settings, progress=bar)

    for feed in track(feeds, "Fetching feeds", fmt=fmt):
        ...
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable, Iterator
from typing import TextIO

DELAY = 1.0  # seconds of work before anything is drawn
INTERVAL = 0.1  # seconds between redraws


class Progress:
    """Counts work done; draws it on `stream` when `enabled`."""

    def __init__(self, label: str, total: int | None = None, *, stream: TextIO | None = None,
                 enabled: bool = True, delay: float = DELAY):
        self.label = label
        self.total = total
        self.done = 0
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = enabled
        self._start = time.monotonic()
        self._delay = delay
        self._drawn_at: float | None = None

    def advance(self, n: int = 1) -> None:
        self.done += n
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self._start < self._delay:
            return
        if self._drawn_at is not None and now - self._drawn_at < INTERVAL and (
                self.total is None or self.done < self.total):
            return
        self._draw(now)

    def _draw(self, now: float) -> None:
        if self.total:
            pct = min(100, self.done * 100 // self.total)
            text = f"{self.label}: {self.done:,}/{self.total:,} ({pct}%)"
        else:
            text = f"{self.label}: {self.done:,}"
        self.stream.write(f"\r{text}\x1b[K")
        self.stream.flush()
        self._drawn_at = now

    def close(self) -> None:
        """Erase the line, if one was drawn."""
        if self._drawn_at is not None:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self._drawn_at = None

    def __enter__(self) -> "Progress":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def shows_progress(fmt: str = "text", stream: TextIO | None = None) -> bool:
    """Whether progress may be drawn: text output, and `stream` (stderr) is a terminal."""
    stream = stream if stream is not None else sys.stderr
    isatty = getattr(stream, "isatty", None)
    return fmt == "text" and bool(isatty and isatty())


def progress(label: str, total: int | None = None, *, fmt: str = "text",
             stream: TextIO | None = None, delay: float = DELAY) -> Progress:
    """A Progress that draws only where it should (see the module's docstring)."""
    return Progress(label, total, stream=stream, enabled=shows_progress(fmt, stream), delay=delay)


def track(items: Iterable, label: str, total: int | None = None, *, fmt: str = "text",
          stream: TextIO | None = None, delay: float = DELAY) -> Iterator:
    """Yield each item, counting it as done once the loop body has run."""
    if total is None and hasattr(items, "__len__"):
        total = len(items)
    with progress(label, total, fmt=fmt, stream=stream, delay=delay) as bar:
        for item in items:
            yield item
            bar.advance()
