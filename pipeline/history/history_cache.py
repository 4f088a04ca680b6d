"""The entry-history cache: the state of the last walk, so the next one reads only new commits.

One JSON file in the working area (`.pipeline-cache/history.json`, never
committed). It is only a speed-up: a missing, stale or unreadable file means
a walk of the whole history, and a cache that cannot be written is skipped.
"""

from __future__ import annotations

import json

from ..config import Settings
from ..fileio import remove_stale, write_atomic

VERSION = 11  # raised when a state would be read differently: older caches are rebuilt
FILE = "history.json"


def load(settings: Settings, key: str) -> dict | None:
    """The cached data for `key` (the entries folder in the repository), or None."""
    path = settings.path("cache") / FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("version") != VERSION or data.get("key") != key:
        return None
    return data


def save(settings: Settings, key: str, data: dict) -> None:
    remove_stale(settings.path("cache") / FILE)  # a run killed while saving left its own
    try:
        write_atomic(settings.path("cache") / FILE,
                     json.dumps({"version": VERSION, "key": key, **data}, sort_keys=True))
    except OSError:
        pass
