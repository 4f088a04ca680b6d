"""Output formats of `pipeline validate`, registered by name.

A reporter is a small class with `render(result, options) -> str`; the
`--format` choices come from REPORTERS. Adding a format is adding a module
and naming it in REPORTER_MODULES. A reporter with `utf8 = True` (JSON, SARIF)
is written as UTF-8 whatever the terminal's encoding: JSON is UTF-8 (RFC 8259),
and the escapes that stand in for what another encoding cannot hold (`\xe4`)
are no JSON.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from pathlib import Path

REPORTERS: dict[str, type] = {}
REPORTER_MODULES = ("text", "json", "sarif", "github")


@dataclass(frozen=True)
class ReportOptions:
    color: bool = False
    tool_version: str = ""
    root: Path | None = None  # the catalog root, for paths relative to the repository


def reporter(name: str):
    def register(cls):
        cls.name = name
        REPORTERS[name] = cls
        return cls

    return register


def get_reporters() -> dict[str, type]:
    for m in REPORTER_MODULES:
        importlib.import_module(f"{__name__}.{m}")
    return REPORTERS
