"""Diagnostics and the registry of rules that produce them.

Every rule has an id, a default severity, a one-line summary and a paragraph
with an example; `pipeline explain RULE` prints it. Rules are registered by
the module that emits them (the loader, or one module per rule family in
`pipeline.checks`).
"""

from __future__ import annotations

import re
import textwrap
from dataclasses import asdict, dataclass, replace

SEVERITIES = ("error", "warning")


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem, at a place an editor can go to."""

    file: str  # relative to the catalog root, with forward slashes
    line: int  # 1-based; 0 when the problem has no line (a missing file)
    column: int  # 1-based; 0 when unknown
    rule: str
    severity: str
    message: str
    hint: str = ""
    entry: str | None = None

    def to_dict(self) -> dict:
        d = asdict(self)
        return {k: d[k] for k in ("rule", "severity", "entry", "file", "line", "column", "message", "hint")}

    def with_severity(self, severity: str) -> "Diagnostic":
        return replace(self, severity=severity)


@dataclass(frozen=True)
class Rule:
    id: str
    severity: str
    summary: str
    explanation: str
    example: str = ""
    hint: str = ""

    def __call__(
        self,
        file: str,
        line: int,
        column: int,
        message: str,
        *,
        entry: str | None = None,
        hint: str | None = None,
    ) -> Diagnostic:
        """A diagnostic of this rule."""
        return Diagnostic(
            file=file,
            line=line,
            column=column,
            rule=self.id,
            severity=self.severity,
            message=message,
            hint=self.hint if hint is None else hint,
            entry=entry,
        )


RULES: dict[str, Rule] = {}

# The rules that hold the content model's fixed contract (files, fields, sources and
# citations, references, shorteners): `[checks]` may raise one's severity, never turn it
# off or lower an error to a warning. A pull request could otherwise switch off the
# check it fails in the settings it carries. Each problem that stops a file from loading
# is one too: turned off, the entry went unchecked and uncounted without a word, and the
# build then refused it with a wrong reason (found in review).
CONTRACT = frozenset({
    "file-encoding", "file-name", "file-symlink", "file-unreadable", "front-matter",
    "yaml-syntax", "yaml-duplicate-key", "yaml-alias", "yaml-tag", "schema", "published-fields",
    "author-unknown", "source-duplicate", "source-accessed-future", "source-unused",
    "cite-unresolved", "claim-uncited", "ref-unresolved", "ref-collection", "link-unresolved",
    "link-unpublished", "affiliate-shortener",
})


def rule(
    id: str, severity: str, summary: str, explanation: str, example: str = "", hint: str = ""
) -> Rule:
    """Register a rule and return it; calling the rule makes a Diagnostic."""
    if severity not in SEVERITIES:
        raise ValueError(f"bad severity {severity!r} for rule {id}")
    if id in RULES:
        raise ValueError(f"rule {id} registered twice")
    r = Rule(id, severity, summary, textwrap.dedent(explanation).strip(), example.strip("\n"), hint)
    RULES[id] = r
    return r


# A warning of a digest's text (digest draft, render, build) that starts at its place:
# `digests/2026-10.md:8:66: ` (or `:8: `, or the file alone).
_DIGEST_PLACE_RE = re.compile(r"[^\s:]+\.md(?::(\d+))?(?::(\d+))?: ")


def warning_line(text: str) -> str:
    """A warning as a terminal shows it. One at a place in a file reads as validate's
    do, the place first (`digests/2026-10.md:8:66: warning: ...`, as validate's
    `file:line:column: warning rule: ...`), where an editor or terminal takes it for a
    place to go to; any other is `warning: ...`."""
    m = _DIGEST_PLACE_RE.match(text)
    if m is None:
        return f"warning: {text}"
    return f"{m[0]}warning: {text[m.end():]}"


def by_place(warnings: list[str]) -> list[str]:
    """One file's warnings (see warning_line) in the order of their places, as validate
    lists its problems: the file's own first, then by line and column (they were listed
    by the check that found them, line 6, 10, 8, 10 again...)."""
    def place(text: str) -> tuple[int, int]:
        m = _DIGEST_PLACE_RE.match(text)
        return (int(m[1] or 0), int(m[2] or 0)) if m else (0, 0)

    return sorted(warnings, key=place)
