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
from .log import Correction, correction_commits, follow, merged_by, rename_steps, utc_date

KINDS = ("added", "removed", "renamed", "modified")


@dataclass
class Change:
    """One entry that changed. `entry` is its id at the end of the period.

    `renamed` has `previous` (the id at the start); `modified` and `renamed`
    list `fields` that changed; `verdict` and `status` are set when those
    changed (a draft published in the period has status draft -> published).
    `old` and `new` are the parsed entries (None where the file is absent or
    could not be parsed: then `problems` says why). `live_at_start` says, for a file
    that did not parse at the start, whether its last revision that parsed was published.
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
    live_at_start: bool = True

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
        if self.kind == "added":
            return True
        if self.old is None:
            # Its file did not parse at the start: its status then is that of its last
            # revision that parsed (a page broken by an edit stays online as it was)
            return not self.live_at_start
        return self.status is not None and self.status[0] != "published"

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
    # commits of the first-parent line dated `since` or later that come before `start` (a
    # commit dated earlier than its parent moved the start past them): their changes are
    # an earlier period's, not in this one
    before_start: list[gitio.LineCommit] = field(default_factory=list)
    # where the histories of `start` and `end` parted, when `start` is not an ancestor of
    # `end` (a branch beside it): what only `start`'s side has reads as removed
    parted: str | None = None

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
        if self.parted:
            d["parted"] = self.parted
        if self.before_start:
            d["before_start"] = [{"commit": c.sha, "date": c.date, "subject": c.subject}
                                 for c in self.before_start]
        return d


def _parse(path: str | None, data: bytes | None, prefix: str) -> tuple[Entry | None, list[str]]:
    if path is None or data is None:
        return None, []
    entry, diags = parse_entry(path, data, prefix)
    if entry is not None:
        return entry, []
    return None, [f"{d.file}:{d.line}: {d.message}" for d in diags]


def changes_between(settings: Settings, start: str | None, end: str, *,
                    missing: str | None = None) -> ChangeSet:
    """The change set between two revisions (`start` None: everything at `end` is added).

    In a shallow clone whose history is cut within the range (or at its start),
    ShallowClone is raised, saying `missing` (what is not here), as the dates do."""
    end_sha = gitio.resolve(settings, end).hexsha
    start_sha = gitio.resolve(settings, start).hexsha if start else None
    if start_sha and gitio.runs_backwards(settings, start_sha, end_sha):
        raise UsageError(f"{start} comes after {end}: the changes would read reversed (an "
                         f"entry added read as removed); swap them: --from {end} --to {start}")
    if gitio.range_is_cut(settings, start_sha, end_sha):
        raise gitio.shallow_error(missing or (
            f"the history from {start} to {end} is not all here" if start
            else f"the history up to {end} is not all here"))
    tree_changes = gitio.diff_trees(settings, start_sha, end_sha)
    blobs = gitio.read_blobs(settings, sorted(
        {b for t in tree_changes for b in (t.old_blob, t.new_blob) if b}))
    prefix = settings.paths.entries.strip("/")
    steps = _Steps(settings, f"{start_sha}..{end_sha}" if start_sha else end_sha)
    tree_changes = _unseen_renames_split(tree_changes, steps, blobs, prefix)
    changes: list[Change] = []
    for t in tree_changes:
        old_id, new_id = t.old_id, t.new_id
        if old_id is None and new_id is None:
            continue  # not an entry file (a stray file in entries/)
        old, p1 = _parse(_named(t.old_path, old_id), blobs.get(t.old_blob), prefix)
        new, p2 = _parse(_named(t.new_path, new_id), blobs.get(t.new_blob), prefix)
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
        elif old is None and start_sha and kind in ("modified", "renamed") and new is not None:
            change.live_at_start = _live_at(settings, start_sha, t.old_path, prefix)
        changes.append(change)
    if (any(c.kind == "added" for c in changes)
            or sum(c.kind == "modified" for c in changes) > 1):  # two ids swapped?
        changes = _renames_by_commit(steps, changes, start_sha, prefix)
    changes.sort(key=lambda c: (c.entry, c.kind))
    return ChangeSet(start_sha, end_sha, changes,
                     _corrections(settings, start_sha, end_sha, changes, steps),
                     parted=gitio.parted_at(settings, start_sha, end_sha) if start_sha else None)


def _named(path: str | None, entry_id: str | None) -> str | None:
    """The path to parse an entry file as (None: not an entry file): a file named as an
    id in other case (`entries/Glossary/awq.md`, git's name for it) is the entry of that
    id in lower case, its status and fields read as they would be there."""
    if entry_id is None or path is None or entry_id == entry_id.lower():
        return path
    return path[:-len(entry_id) - 3] + entry_id.lower() + ".md"


class _Steps:
    """The renames and deletions of the period (`rename_steps`, with the renames of an
    id reused in the same commit), read once, when first asked for. Called, the
    renames alone."""

    def __init__(self, settings: Settings, revs: str):
        self.settings, self.revs = settings, revs
        self._all: list[tuple[int, str, str | None]] | None = None
        self._shas: list[str] = []  # the commit of each of `_all`
        self._steps: list[tuple[int, str, str]] | None = None
        self._origin: dict[str, str | None] | None = None
        self._place: dict[str, int] | None = None  # commit -> its place, parents first

    def all(self) -> list[tuple[int, str, str | None]]:
        """Renames (time, old, new), deletions (time, id, None) and deletions undone (time,
        id, id: the file added back as it was), in history order."""
        if self._all is None:
            rows = rename_steps(self.settings, self.revs, deletions=True,
                                rewrites=True, restores=True, shas=True)
            self._all, self._shas = [r[:3] for r in rows], [r[3] for r in rows]
        return self._all

    def __call__(self) -> list[tuple[int, str, str]]:
        if self._steps is None:
            self._steps = [s for s in self.all() if s[2] is not None]  # type: ignore[misc]
        return self._steps

    def after(self, sha: str, time: int) -> list[tuple[int, str, str]]:
        """The renames made after commit `sha` (made at `time`), or in it: those made
        later, and those made at the same second in a commit that comes after it in the
        history (`--topo-order`, parents first; a rebase gives a whole branch one second),
        not one before it. One `git rev-list`, only when a rename has that second."""
        self.all()
        found = []
        for step, made_in in zip(self._all or [], self._shas):
            if step[2] is None or step[0] < time:
                continue
            if step[0] == time and made_in != sha:
                if self._place is None:
                    order = gitio.open_repo(self.settings).git.rev_list(
                        "--topo-order", "--reverse", self.revs).split()
                    self._place = {c: n for n, c in enumerate(order)}
                if self._place.get(made_in, -1) < self._place.get(sha, -1):
                    continue
            found.append(step)
        return found

    def origin(self) -> dict[str, str | None]:
        """Id at the end -> id at the start, along the chains of renames commit by
        commit; None where the chain was broken by a deletion (a file added later
        under that id, or renamed from it, is another entry), unless the deletion was
        undone (the file added back byte for byte: a revert): the chain goes on. Ids
        never renamed nor deleted are left out (their origin is themselves)."""
        if self._origin is None:
            origin: dict[str, str | None] = {}
            before: dict[str, str | None] = {}  # id deleted -> its origin until then
            for _t, old, new in self.all():
                if new is None:
                    before[old] = origin.get(old, old)
                    origin[old] = None
                elif new == old:  # the deletion undone
                    origin[old] = before.pop(old, old)
                    if origin[old] == old:
                        del origin[old]
                else:
                    origin[new] = origin.pop(old, old)
            self._origin = origin
        return self._origin


def _unseen_renames_split(tree_changes: list[gitio.TreeChange], steps: _Steps,
                          blobs: dict[str, bytes], prefix: str) -> list[gitio.TreeChange]:
    """The renames of the two trees that the commits did not make, as the deletion and
    the addition they are.

    Comparing the start and the end, git pairs any removed file with an added one
    whose contents are alike: a benchmark deleted early in the month and a new one
    written from the same template later read as one renamed. Renames follow git's
    detection commit by commit (`_Steps.origin`); a pair is kept too when the added
    entry's `redirect_from` lists the old id (renamed, whatever git saw)."""
    pairs = [t for t in tree_changes
             if t.status == "R" and t.old_id and t.new_id and t.old_id != t.new_id]
    if not pairs:
        return tree_changes
    origin = steps.origin()
    out = []
    for t in tree_changes:
        if t not in pairs or origin.get(t.new_id) == t.old_id:
            out.append(t)
            continue
        new, _ = _parse(t.new_path, blobs.get(t.new_blob), prefix)
        declared = new.data.get("redirect_from") if new is not None else None
        if isinstance(declared, list) and t.old_id in declared:
            out.append(t)
            continue
        out.append(gitio.TreeChange("D", t.old_path, None, t.old_blob, None, t.old_id, None))
        out.append(gitio.TreeChange("A", None, t.new_path, None, t.new_blob, None, t.new_id))
    return out


LAST_PARSED_DEPTH = 20  # revisions of a file broken at the start looked at, newest first


def _live_at(settings: Settings, rev: str, path: str, prefix: str) -> bool:
    """Whether the entry file `path` (relative to the catalog), which does not parse at
    `rev`, was published there: as its last revision that parsed says. False when no
    revision of it parsed since it was added (it was never online); True when none of
    its last LAST_PARSED_DEPTH revisions did (not known: taken as online, so not news).
    Asked only for a file broken at the start of the period (rare): one `git rev-list`."""
    repo = gitio.open_repo(settings)
    repo_path = gitio.EntryPaths(settings, repo).prefix + path
    revisions = repo.git.rev_list(f"--max-count={LAST_PARSED_DEPTH + 1}", rev, "--",
                                  repo_path).split()
    for sha in revisions[1:]:  # the first is the broken revision itself
        data = gitio.read_paths(settings, sha, [path]).get(path)
        if data is None:
            return False  # deleted there: added again later, never parsed since
        entry, _ = _parse(path, data, prefix)
        if entry is not None:
            return entry.is_published
    return len(revisions) > LAST_PARSED_DEPTH


def _renames_by_commit(steps: "_Steps", changes: list[Change], start: str | None,
                       prefix: str) -> list[Change]:
    """Renames the two trees do not show, taken from the commits of the period.

    Comparing only the start and the end, git pairs a removed file with an added one
    when their contents are alike: an entry renamed and then rewritten reads as
    removed plus added, and one renamed while a new entry took its old name as the
    old entry modified plus an added one. Each commit's own rename detection says
    what happened (the commits of merged branches too: a merge's diff against its
    first parent may read as a deletion and an addition); its chains of renames, from
    an id at the start to one at the end, turn such pairs back into one rename (and
    the reused name into an entry added). An added entry whose `redirect_from` lists
    an id removed in the period is that entry renamed, whatever git saw (renamed and
    rewritten in one commit). Ids swapped (a -> tmp, b -> a, tmp -> b), or any cycle of
    renames, read in the two trees as each id modified into another entry: each is
    the rename it is, compared with the entry it was at the start (an id is taken by
    a renamed entry only when the entry it held at the start went elsewhere, so that
    one renamed onto an id whose entry was deleted stays a modification, as the two
    trees read it). A chain broken by a deletion is no rename: an entry
    renamed, deleted, and a new one added under its new id are a removal and an
    addition. An entry whose file did not parse at the start is renamed too (its
    fields then unknown)."""
    origin = steps.origin()  # id at the end -> id at the start, along the renames
    trees = {c.entry: c for c in changes}  # as the two trees read them
    pairs = [(new, old) for new, old in origin.items() if old is not None and new != old]
    for c in changes:  # declared by the entry itself, when the commits did not tell
        if c.kind == "added" and c.new is not None and c.entry not in origin:
            declared = c.new.data.get("redirect_from")
            for old_id in declared if isinstance(declared, list) else []:
                before = trees.get(old_id) if isinstance(old_id, str) else None
                if before is not None and before.kind == "removed":
                    pairs.append((c.entry, old_id))
                    break
    renames: dict[str, str] = {}  # id at the start -> id at the end, one each
    for new_id, old_id in pairs:
        added, before = trees.get(new_id), trees.get(old_id)
        if (added is None or before is None or old_id in renames
                or added.kind not in ("added", "modified")
                or before.kind not in ("removed", "modified")):
            continue
        if before.old is None and not before.problems:
            continue  # not read at the start, and not for a broken file
        renames[old_id] = new_id
    while True:  # an id modified is another entry's only when its own went elsewhere
        stays = [old for old, new in renames.items()
                 if trees[new].kind == "modified" and new not in renames]
        if not stays:
            break
        for old in stays:
            del renames[old]
    by_id = dict(trees)
    for old_id, new_id in renames.items():
        added, before = trees[new_id], trees[old_id]
        renamed = Change("renamed", new_id, old_id, problems=before.problems + added.problems,
                         old=before.old, new=added.new)
        if renamed.old is None:  # broken at the start: online as its last good revision
            if start and renamed.new is not None:
                renamed.live_at_start = _live_at(steps.settings, start,
                                                 f"{prefix}/{old_id}.md", prefix)
        elif renamed.new is not None:
            renamed.fields = field_changes(renamed.old, renamed.new)
            renamed.verdict = verdict_change(renamed.old, renamed.new)
            if renamed.old.status != renamed.new.status:
                renamed.status = (renamed.old.status, renamed.new.status)
        by_id[new_id] = renamed
        if old_id in renames.values():
            continue  # the old id holds another renamed entry (a swap)
        if before.kind == "removed":
            del by_id[old_id]
        else:  # another entry took the old name
            by_id[old_id] = Change("added", old_id, problems=before.problems, new=before.new)
    return list(by_id.values())


def _corrections(settings, start, end, changes, steps: "_Steps") -> list[Correction]:
    """The corrections of the period, one per corrected entry, oldest first.

    An entry is named by its id at the end of the period: the id a correction touched,
    through the renames of the period made after it (in a later second, or in the same
    second by a later commit: a rebase dates a branch's commits alike; an old id another
    entry took later is that entry's: its correction stays with it). The period's renames are read
    only when it has renames or a correction touched an id that does not exist at the
    end; for one made on a branch begun before a rename (or dated before one), every
    rename its commit had not seen (in the commits from it to the end that are not its
    ancestors) is followed, whatever its date: not one made before it, of an earlier
    entry that had the id (renamed away, and the id taken by a new entry). A commit
    whose diff reads a rename of the period as a deletion and an addition (renamed and
    rewritten at once, or a merge of a branch that did both) corrects the renamed entry
    once, not its old id besides.
    """
    any_renamed = any(c.kind == "renamed" for c in changes)
    at_end = {c.entry for c in changes if c.kind != "removed"}
    paths = gitio.EntryPaths(settings, gitio.open_repo(settings))
    revs = f"{start}..{end}" if start else end
    unseen: dict[str, list] = {}  # commit -> the renames it had not seen
    # id at the start -> id at the end, of the renames git read as a deletion and an
    # addition in one commit (rewritten too much, or a merge's diff of a branch that
    # renamed, then rewrote): the deletion is that rename's, not a correction of its own
    renamed_from = {c.previous: c.entry for c in changes if c.kind == "renamed"}
    files_at_end: set[str] | None = None  # the entry files at the end, read when first asked

    def exists(eid: str) -> bool:
        """Whether the end has a file for `eid` (one `git ls-tree` for the whole period:
        one read per id cost a commit that deleted 250 entries 7 s)."""
        nonlocal files_at_end
        if eid in at_end:
            return True
        if files_at_end is None:
            files_at_end = gitio.entry_ids_at(settings, end)
        return eid in files_at_end

    out = []
    for commit in reversed(correction_commits(settings, revs)):
        touched = []  # (status, id at the end) of each entry file the commit touched
        for status, _old, path in commit.changes:
            eid = paths.file_id(path)
            if eid is None:
                continue
            if any_renamed or not exists(eid):
                eid = follow(eid, None, steps.after(commit.sha, commit.time))
            if not exists(eid):
                if commit.sha not in unseen:
                    unseen[commit.sha] = rename_steps(settings, f"{commit.sha}..{end}")
                eid = follow(eid, None, unseen[commit.sha])
            touched.append((status, eid))
        kept = {eid for status, eid in touched if status != "D"}
        seen = set()
        for status, eid in touched:
            if status == "D" and renamed_from.get(eid) in kept:
                continue
            if eid not in seen:
                seen.add(eid)
                out.append(Correction(commit.sha, utc_date(commit.time),
                                      "; ".join(commit.trailers), eid))
    # A merge whose message repeats its branch's trailer (GitHub's "pull request title
    # and description") is the same correction: listed once, at the merge, as the
    # entry's page lists it. The same words in a commit the merge did not bring in
    # are another correction.
    texts: dict[tuple[str, str], int] = {}
    for c in out:
        texts[(c.entry, c.text)] = texts.get((c.entry, c.text), 0) + 1
    if all(n == 1 for n in texts.values()):
        return out
    owner = merged_by(settings, revs)
    merges = {(c.entry, c.text, c.commit) for c in out}
    return [c for c in out if (c.entry, c.text, owner.get(c.commit)) not in merges]


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
    result = changes_between(settings, start, end,
                             missing=f"the history before {start_instant} is not here")
    result.since, result.until = since, until
    if start is not None:
        result.before_start = gitio.dated_before(settings, start_instant, start)
    return result


def parted_warning(cs: ChangeSet, start: str, end: str) -> str | None:
    """What to tell the editor when the start (`start`, as given) is not an ancestor of the
    end (`end`): the two trees are compared, so what only the start's side has (an entry
    added on a branch not merged) reads as removed, and its commits' corrections and
    renames are not read; None when the start is an ancestor of the end."""
    if not cs.parted or cs.start is None:
        return None
    return (f"{start} ({cs.start[:12]}) is not an ancestor of {end} ({cs.end[:12]}): their "
            f"histories parted at {cs.parted[:12]}, and the two trees are compared, so what "
            f"only {start} has reads as removed, and its corrections are not listed. For what "
            f"{end} changed since they parted: --from {cs.parted[:12]} --to {end}")


def before_start_warning(cs: ChangeSet, period: str = "period") -> str | None:
    """What to tell the editor when commits dated in the period (a `month`) come before
    its start (`ChangeSet.before_start`), naming them and the start; None when none do."""
    found = cs.before_start
    if not found or cs.start is None:
        return None
    named = ", ".join(f"{c.sha[:12]} ({c.date}, '{' '.join(c.subject.split())}')"
                      for c in found[:3]) + (f" and {len(found) - 3} more" if len(found) > 3
                                            else "")
    one = len(found) == 1
    return (f"{len(found)} commit{'' if one else 's'} dated {cs.since} or later "
            f"come{'s' if one else ''} before the {period}'s start on the first-parent "
            f"line: {named}. The start, {cs.start[:12]}, the last commit dated before "
            f"{cs.since}, was made after {'it' if one else 'them'} (a wrong clock, or a "
            f"rebase with --committer-date-is-author-date), so {'its' if one else 'their'} "
            f"changes read as an earlier {period}'s")
