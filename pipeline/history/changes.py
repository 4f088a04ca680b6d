"""What changed in the catalog between two revisions: a diff of two trees.

The change set compares the catalog at the start with the catalog at the end:
one `git diff-tree -M` between the two trees names the entry files that
differ, and only those blobs are read and parsed (with the one loader,
`parse_entry`). Its cost grows with what changed, not with the length of
the history. Corrections are the commits of the period with a `Correction:`
trailer.

Periods given as dates are [since, until) in UTC: the start is the last
first-parent commit before `since` 00:00 UTC, the end the last one before
`until` 00:00 UTC.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ..catalog.loader import parse_entry
from ..catalog.model import Entry
from ..config import Settings
from ..errors import UsageError
from . import gitio
from .diff import FieldChange, VerdictChange, field_changes, verdict_change
from .log import Correction, correction_commits, follow, rename_steps, utc_date

KINDS = ("added", "removed", "renamed", "modified")


@dataclass
class Change:
    """One entry that changed. `entry` is its id at the end of the period.

    `renamed` has `previous` (the id at the start); `modified` and `renamed`
    list `fields` that changed; `verdict` and `status` are set when those
    changed (a draft published in the period has status draft -> published).
    `old` and `new` are the parsed entries (None where the file is absent or
    could not be parsed: then `problems` says why).
    """

    kind: str
    entry: str
    previous: str | None = None
    fields: list[FieldChange] = field(default_factory=list)
    verdict: VerdictChange | None = None
    status: tuple[str, str] | None = None
    problems: list[str] = field(default_factory=list)
    old: Entry | None = field(default=None, repr=False)
    new: Entry | None = field(default=None, repr=False)

    @property
    def collection(self) -> str:
        return self.entry.split("/", 1)[0]

    @property
    def title(self) -> str:
        e = self.new or self.old
        return e.title if e else self.entry.split("/", 1)[1]

    @property
    def published_now(self) -> bool:
        """Published at the end of the period and not at its start: news for readers."""
        if self.new is None or not self.new.is_published:
            return False
        if self.old is None:  # added, or its file did not parse at the start: not out then
            return True
        return self.kind == "added" or (self.status is not None and self.status[0] != "published")

    def to_dict(self) -> dict:
        d: dict = {"kind": self.kind, "entry": self.entry}
        if self.previous:
            d["previous"] = self.previous
        d["title"] = self.title
        e = self.new or self.old
        if e is not None:
            d["status"] = e.status
        if self.status:
            d["status_change"] = {"old": self.status[0], "new": self.status[1]}
        if self.verdict:
            d["verdict_change"] = {"old": self.verdict.old, "new": self.verdict.new,
                                   "rating_changed": self.verdict.rating_changed}
        if self.kind in ("modified", "renamed"):
            d["fields"] = [{"field": f.field, "old": f.old, "new": f.new} for f in self.fields]
        if self.problems:
            d["problems"] = self.problems
        return d


@dataclass
class ChangeSet:
    """The changes between revision `start` (None: before the first commit) and `end`."""

    start: str | None
    end: str
    changes: list[Change]
    corrections: list[Correction]
    since: str | None = None  # the dates asked for, when the period was given by dates
    until: str | None = None

    def of_kind(self, kind: str) -> list[Change]:
        return [c for c in self.changes if c.kind == kind]

    def to_dict(self) -> dict:
        d: dict = {"from": self.start, "to": self.end}
        if self.since or self.until:
            d["since"], d["until"] = self.since, self.until
        d["changes"] = [c.to_dict() for c in self.changes]
        d["corrections"] = [
            {"entry": c.entry, "commit": c.commit, "date": c.date, "text": c.text}
            for c in self.corrections
        ]
        return d


def _parse(path: str | None, data: bytes | None, prefix: str) -> tuple[Entry | None, list[str]]:
    if path is None or data is None:
        return None, []
    entry, diags = parse_entry(path, data, prefix)
    if entry is not None:
        return entry, []
    return None, [f"{d.file}:{d.line}: {d.message}" for d in diags]


def changes_between(settings: Settings, start: str | None, end: str) -> ChangeSet:
    """The change set between two revisions (`start` None: everything at `end` is added)."""
    end_sha = gitio.resolve(settings, end).hexsha
    start_sha = gitio.resolve(settings, start).hexsha if start else None
    tree_changes = gitio.diff_trees(settings, start_sha, end_sha)
    blobs = gitio.read_blobs(settings, sorted(
        {b for t in tree_changes for b in (t.old_blob, t.new_blob) if b}))
    prefix = settings.paths.entries.strip("/")
    changes: list[Change] = []
    for t in tree_changes:
        old_id, new_id = t.old_id, t.new_id
        if old_id is None and new_id is None:
            continue  # not an entry file (a stray file in entries/)
        old, p1 = _parse(t.old_path if old_id else None, blobs.get(t.old_blob), prefix)
        new, p2 = _parse(t.new_path if new_id else None, blobs.get(t.new_blob), prefix)
        p1 = [f"{p} (at {start_sha[:12]}, the start)" for p in p1] if start_sha else p1
        p2 = [f"{p} (at {end_sha[:12]}, the end)" for p in p2]
        if old_id is None:
            kind = "added"
        elif new_id is None:
            kind = "removed"
        else:
            kind = "renamed" if old_id != new_id else "modified"
        change = Change(kind, new_id or old_id, old_id if kind == "renamed" else None,
                        problems=p1 + p2, old=old, new=new)
        if old is not None and new is not None:
            change.fields = field_changes(old, new)
            change.verdict = verdict_change(old, new)
            if old.status != new.status:
                change.status = (old.status, new.status)
        changes.append(change)
    if any(c.kind == "added" for c in changes):
        changes = _renames_by_commit(settings, start_sha, end_sha, changes)
    changes.sort(key=lambda c: (c.entry, c.kind))
    return ChangeSet(start_sha, end_sha, changes, _corrections(settings, start_sha, end_sha, changes))


def _renames_by_commit(settings: Settings, start: str | None, end: str,
                       changes: list[Change]) -> list[Change]:
    """Renames the two trees do not show, taken from the commits of the period.

    Comparing only the start and the end, git pairs a removed file with an added one
    when their contents are alike: an entry renamed and then rewritten reads as
    removed plus added, and one renamed while a new entry took its old name as the
    old entry modified plus an added one. Each commit's own rename detection says
    what happened; its chains of renames, from an id at the start to one at the
    end, turn such pairs back into one rename (and the reused name into an entry
    added)."""
    origin: dict[str, str] = {}  # id at the end -> id at the start, along the renames
    for _t, old, new in rename_steps(settings, f"{start}..{end}" if start else end):
        origin[new] = origin.pop(old, old)
    by_id = {c.entry: c for c in changes}
    for new_id, old_id in origin.items():
        added, before = by_id.get(new_id), by_id.get(old_id)
        if (new_id == old_id or added is None or added.kind != "added" or before is None
                or before.kind not in ("removed", "modified") or before.old is None):
            continue
        renamed = Change("renamed", new_id, old_id, problems=before.problems + added.problems,
                         old=before.old, new=added.new)
        if renamed.new is not None:
            renamed.fields = field_changes(renamed.old, renamed.new)
            renamed.verdict = verdict_change(renamed.old, renamed.new)
            if renamed.old.status != renamed.new.status:
                renamed.status = (renamed.old.status, renamed.new.status)
        by_id[new_id] = renamed
        if before.kind == "removed":
            del by_id[old_id]
        else:  # another entry took the old name
            by_id[old_id] = Change("added", old_id, problems=before.problems, new=before.new)
    return list(by_id.values())


def _corrections(settings, start, end, changes) -> list[Correction]:
    """The corrections of the period, one per corrected entry, oldest first.

    An entry is named by its id at the end of the period. The tree diff gives
    renames from start to end; only when a correction touched an id that does
    not exist at the end (a rename chain inside the period) are the period's
    renames walked.
    """
    renamed = {c.previous: c.entry for c in changes if c.kind == "renamed"}
    at_end = {c.entry for c in changes if c.kind != "removed"}
    prefix = settings.paths.entries.strip("/")
    paths = gitio.EntryPaths(settings, gitio.open_repo(settings))
    revs = f"{start}..{end}" if start else end
    steps = every = None
    out = []
    for commit in reversed(correction_commits(settings, revs)):
        seen = set()
        for _status, _old, path in commit.changes:
            eid = paths.id(path)
            if eid is None:
                continue
            eid = renamed.get(eid, eid)
            if eid not in at_end and not _exists(settings, end, prefix, eid):
                steps = rename_steps(settings, revs) if steps is None else steps
                eid = follow(eid, commit.time, steps)
                if not _exists(settings, end, prefix, eid):
                    # made on a branch begun before a rename (or dated before one): every
                    # rename up to the end, whatever its date
                    every = rename_steps(settings, end) if every is None else every
                    eid = follow(eid, None, every)
            if eid not in seen:
                seen.add(eid)
                out.append(Correction(commit.sha, utc_date(commit.time),
                                      "; ".join(commit.trailers), eid))
    # A merge whose message repeats its branch's trailer (GitHub's "pull request title
    # and description") is the same correction: listed once, at the merge (the later),
    # as the entry's page lists it.
    last = {(c.entry, c.text): i for i, c in enumerate(out)}
    return [c for i, c in enumerate(out) if last[(c.entry, c.text)] == i]


def _exists(settings: Settings, rev: str, prefix: str, entry_id: str) -> bool:
    return bool(gitio.read_paths(settings, rev, [f"{prefix}/{entry_id}.md"]))


def day_start(day: str) -> str:
    """`2026-10-01` -> `2026-10-01T00:00:00+00:00`; a UsageError for anything else."""
    try:
        d = dt.date.fromisoformat(day)
    except (TypeError, ValueError):
        raise UsageError(f"'{day}' is not a date: write YYYY-MM-DD") from None
    return dt.datetime(d.year, d.month, d.day, tzinfo=dt.timezone.utc).isoformat()


def changes_in_period(
    settings: Settings, since: str, until: str | None = None, rev: str = "HEAD"
) -> ChangeSet:
    """The change set of the dates [since, until) on the first-parent history of `rev`.

    `until` None means up to `rev` itself.
    """
    start_instant = day_start(since)
    if until is None:
        (start,), end = gitio.revs_before(settings, [start_instant], rev), rev
    elif day_start(until) <= start_instant:
        raise UsageError(f"--until {until} is not after --since {since}")
    else:
        start, end = gitio.revs_before(settings, [start_instant, day_start(until)], rev)
    if end is None:
        raise UsageError(f"no commit before {until}: the history starts later")
    result = changes_between(settings, start, end)
    result.since, result.until = since, until
    return result
