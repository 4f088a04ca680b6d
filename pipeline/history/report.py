"""A change set as text, Markdown or JSON (pure functions returning a string)."""

from __future__ import annotations

import json

from ..mdtext import md_escape
from .changes import Change, ChangeSet


def _short(sha: str | None) -> str:
    return sha[:12] if sha else "(empty)"


def _period(cs: ChangeSet) -> str:
    dates = f" [{cs.since} .. {cs.until or 'now'})" if cs.since else ""
    return f"{_short(cs.start)}..{_short(cs.end)}{dates}"


def _fields(c: Change) -> str:
    return ", ".join(f.field for f in c.fields)


def _plural(n: int, noun: str, nouns: str) -> str:
    return f"{n} {noun if n == 1 else nouns}"


def _line(text) -> str:
    """Text an editor wrote (a title, a correction), on one line."""
    return " ".join(str(text).split())


def _details(c: Change) -> list[str]:
    out = []
    if c.status:
        out.append(f"status {c.status[0]} -> {c.status[1]}")
    if c.verdict:
        old, new = c.verdict.old or {}, c.verdict.new or {}
        if c.verdict.rating_changed:
            out.append(f"verdict {old.get('rating') or 'none'} -> {new.get('rating') or 'none'}")
        else:
            out.append("verdict text revised")
    if c.fields:
        out.append(f"fields: {_fields(c)}")
    out.extend(f"problem: {p}" for p in c.problems)
    return out


def _head(c: Change) -> str:
    if c.kind == "renamed":
        return f"{c.entry} (was {c.previous})"
    return c.entry


def as_text(cs: ChangeSet) -> str:
    lines = [f"Changes {_period(cs)}: {_plural(len(cs.changes), 'entry', 'entries')}, "
             f"{_plural(len(cs.corrections), 'correction', 'corrections')}"]
    for c in cs.changes:
        lines.append(f"  {c.kind:9} {_head(c)}  \"{_line(c.title)}\"")
        lines.extend(f"            {_line(d)}" for d in _details(c))
    if cs.corrections:
        lines.append("Corrections:")
        for k in cs.corrections:
            lines.append(f"  {k.date} {k.commit[:12]} {k.entry}: {_line(k.text)}")
    return "\n".join(lines) + "\n"


def as_markdown(cs: ChangeSet) -> str:
    lines = [f"# Changes {_period(cs)}", ""]
    for kind in ("added", "renamed", "modified", "removed"):
        group = cs.of_kind(kind)
        if not group:
            continue
        lines += [f"## {kind.capitalize()} ({len(group)})", ""]
        for c in group:
            # titles and messages are the editors' words: escaped, they cannot make a
            # heading, a link or emphasis of a pull request's comment (found in review)
            was = f" (was `{c.previous}`)" if c.kind == "renamed" else ""
            lines.append(f"- `{c.entry}`{was} {md_escape(c.title)}")
            lines.extend(f"  - {md_escape(d)}" for d in _details(c))
        lines.append("")
    if cs.corrections:
        lines += ["## Corrections", ""]
        for k in cs.corrections:
            lines.append(f"- {k.date} `{k.entry}` ({k.commit[:12]}): {md_escape(k.text)}")
        lines.append("")
    if len(lines) == 2:
        lines += ["No changes.", ""]
    return "\n".join(lines)


def as_json(cs: ChangeSet) -> str:
    return json.dumps(cs.to_dict(), indent=2, ensure_ascii=False, sort_keys=True) + "\n"


FORMATS = {"text": as_text, "markdown": as_markdown, "json": as_json}


def render_changes(cs: ChangeSet, fmt: str) -> str:
    """The change set in one of FORMATS."""
    return FORMATS[fmt](cs)

