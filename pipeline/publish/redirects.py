"""Redirects: old ids from `redirect_from` and from renames in git, and retired entries (410).

Every redirect goes straight to its final page (chains are collapsed to one
hop); a loop is refused with the hops that make it. An old id that is a
live entry again is never redirected (a draft at an old id is not live yet: the old
address still redirects until it is published). A chain ending at a retired entry
answers 410 Gone; one ending at a draft or at nothing is left out (404).
Each id has a rule for its page, its `.html` file and its JSON.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from ..errors import PipelineError

GONE_PAGE = "/gone"


class RedirectLoopError(PipelineError):
    """Redirects that lead back to where they started (`cycle`: the ids, in order)."""

    def __init__(self, message: str, cycle: list[str] | None = None):
        super().__init__(message)
        self.cycle = cycle or []


@dataclass
class Redirects:
    moved: dict[str, str] = field(default_factory=dict)  # old id -> published id
    gone: list[str] = field(default_factory=list)  # ids that answer 410

    def previous_ids(self) -> dict[str, list[str]]:
        """Published id -> the old ids that redirect to it."""
        out: dict[str, list[str]] = {}
        for old, new in sorted(self.moved.items()):
            out.setdefault(new, []).append(old)
        return out


def plan_redirects(statuses: Mapping[str, str], redirect_from: Mapping[str, list],
                   renames: list[tuple[str, str, str]], entries_folder: str = "entries"
                   ) -> Redirects:
    """Redirects from `redirect_from` lists (entry id -> old ids) and git renames (old, new,
    date) in the order of their commits, oldest first (an id renamed twice, by two
    entries that had it in turn, leads where the first rename took it, even when both
    were made on one day); `statuses` are every entry's status by id."""
    hops: dict[str, tuple[str, str]] = {}  # old -> (new, why)
    for entry_id in sorted(redirect_from):
        if statuses.get(entry_id) not in ("published", "retired"):
            continue  # a draft's claims wait for it: meanwhile a git rename still leads on
        olds = redirect_from[entry_id]
        for old in olds if isinstance(olds, list) else []:
            if isinstance(old, str) and old != entry_id:
                hops.setdefault(old, (entry_id, f"redirect_from in {entries_folder}/{entry_id}.md"))
    for old, new, date in renames:
        if old != new:
            hops.setdefault(old, (new, f"renamed in git on {date}"))
    for old in list(hops):
        if statuses.get(old) == "published":
            del hops[old]
    # a draft (or an entry in review) at an old id is published nowhere yet: its address
    # leads where it led until the entry is published, but no chain goes on through it
    held = {old for old in hops if statuses.get(old) in ("draft", "review")}
    result = Redirects()
    for old in sorted(hops):
        path = [old]
        target = hops[old][0]
        while target in hops and target not in held:
            if target in path:
                cycle = path[path.index(target):]
                raise RedirectLoopError(_loop_message(cycle, hops), cycle)
            path.append(target)
            target = hops[target][0]
        final = statuses.get(target)
        if final == "published":
            result.moved[old] = target
        elif final == "retired":
            result.gone.append(old)
    result.gone += [i for i, status in statuses.items()
                    if status == "retired" and i not in result.moved]
    result.gone = sorted(set(result.gone))
    return result


def _loop_message(cycle: list[str], hops: dict[str, tuple[str, str]]) -> str:
    steps = "; ".join(f"{old} -> {hops[old][0]} ({hops[old][1]})" for old in cycle)
    return (f"redirect loop: {' -> '.join([*cycle, cycle[0]])}. Hops: {steps}. "
            "Remove one of them from redirect_from so the old ids lead to one live page.")


# An entry is published at three addresses: its page (`/glossary/awq`, served from
# `glossary/awq.html`), that file by its name, and its JSON. An old id answers at all
# three, each leading to the same kind of file (as `pipeline serve` answers them).
SUFFIXES = ("", ".html", ".json")


def redirect_rules(r: Redirects) -> list[tuple[str, str, int]]:
    """(from, to, status) for every address of every old and retired id, in order: by id,
    then page, `.html`, `.json`. A retired id's addresses all lead to the 410 page."""
    rules = [(f"/{old}{suffix}", f"/{new}{suffix}", 301)
             for old, new in sorted(r.moved.items()) for suffix in SUFFIXES]
    rules += [(f"/{old}{suffix}", GONE_PAGE, 410) for old in r.gone for suffix in SUFFIXES]
    return rules


def redirects_json(r: Redirects) -> dict:
    rules = redirect_rules(r)
    return {
        "redirects": [{"from": old, "to": new, "status": 301}
                      for old, new, status in rules if status == 301],
        "gone": [{"path": old, "status": 410} for old, _, status in rules if status == 410],
    }


_ID_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*/[a-z0-9]+(?:-[a-z0-9]+)*")


def netlify_redirects(r: Redirects) -> bytes:
    """Netlify's `_redirects` file: one `from to status` rule per line.

    Every id is checked again here: one with white space in it would add a field or
    a rule of its own (validation refuses such ids; this is the last line of defence)."""
    for entry_id in [*r.moved, *r.moved.values(), *r.gone]:
        if not _ID_RE.fullmatch(entry_id):
            raise PipelineError(f"refusing to write a redirect for {entry_id!r}: not an entry id")
    lines = ["# Written by `pipeline build`: renamed and retired entries."]
    lines += [f"{old}  {new}  {status}" for old, new, status in redirect_rules(r)]
    return ("\n".join(lines) + "\n").encode("utf-8")
