"""The entries' history as the log walk builds it, and as the history cache keeps it.

Plain data, no git library: a build whose history cache already holds HEAD reads
it from here (`cached_at_head`) without loading GitPython, which costs a process
about 60 ms of CPU to import (the walk itself is in `log`).
"""

from __future__ import annotations

import datetime as dt
import subprocess
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Callable, NamedTuple

from ..config import Settings
from . import history_cache as cache

if TYPE_CHECKING:
    from .gitio import EntryPaths


class PreviousId(NamedTuple):
    """An id the entry had before a rename, the date of the rename, and its place among
    the renames of the first-parent history (`seq`: 0 for the first one; two renames made
    on one day are in the order of their commits, whatever their ids or clocks say)."""

    id: str
    date: str
    seq: int


class Rename(NamedTuple):
    """One rename as git saw it: (old id, new id, date of the commit)."""

    old_id: str
    new_id: str
    date: str


@dataclass(frozen=True)
class Correction:
    """A commit with a `Correction:` trailer that touched an entry.

    `entry` is the entry's id at the revision asked about (renames after the
    correction are followed); `text` is the trailer's text (several trailers
    in one commit are joined with "; ").
    """

    commit: str
    date: str
    text: str
    entry: str


@dataclass
class EntryHistory:
    """The history of one entry, under its current id.

    - `created`: date of the commit that first added the file, following renames
      back (a file deleted and added again starts a new history, unless it came back
      byte for byte as it was deleted: a revert of the deletion goes on with the old one).
    - `updated`: date of the last commit that touched the file (any change:
      front matter, body, rename).
    - `previous_ids`: ids it had before renames, oldest first, each with the
      date of the rename; every one of them should redirect to `id`.
    - `corrections`: corrections of this entry, oldest first.
    """

    id: str
    created: str
    updated: str
    previous_ids: list[PreviousId] = field(default_factory=list)
    corrections: list[Correction] = field(default_factory=list)


class LogCommit(NamedTuple):
    sha: str
    time: int  # committer time, seconds since the epoch
    trailers: list[str]
    changes: list[tuple[str, str | None, str]]  # (status letter, old path or None, path)
    merge: bool = False  # more than one parent (known when the format asks for %P)


def utc_date(time: int) -> str:
    # a UTC date is a function of the day's number alone: worked out once a day, not
    # once a commit (20,000 commits of 600 days on the benchmark corpus)
    day = time // 86400
    try:
        return _DAYS[day]
    except KeyError:
        found = _DAYS[day] = dt.datetime.fromtimestamp(time, tz=dt.timezone.utc).date().isoformat()
        return found


_DAYS: dict[int, str] = {}  # day number (UTC days since 1970) -> its date, as utc_date says


@dataclass
class State:
    """Histories and renames at commit `sha`, built by applying commits oldest first."""

    sha: str | None = None
    histories: dict[str, EntryHistory] = field(default_factory=dict)
    steps: list[tuple[int, str, str]] = field(default_factory=list)  # (time, old, new)
    # id deleted -> (the commit that deleted it, its history), until the id is used again
    gone: dict[str, tuple[str, EntryHistory]] = field(default_factory=dict)
    # every entry deleted, for good (a deletion undone drops its row): (its id then, the id it
    # was created at, the date it was created, when it left that id: its first rename's
    # `PreviousId.seq`, or, never renamed, its deletion's place among the renames, between
    # the one before and the one after); its Atom id stays its own (git_history.first_ids)
    dead: list[tuple[str, str, str, float]] = field(default_factory=list)

    def apply(self, commit: LogCommit, paths: EntryPaths,
              back: set[tuple[str, str]] = frozenset()) -> None:
        """One first-parent commit's changes, in order; `back`: (commit, path) of the files
        added back as they were deleted (`_restored`), whose histories go on."""
        date = utc_date(commit.time)
        h = self.histories
        gone = self.gone
        file_id = paths.file_id
        for status, old, path in commit.changes:
            new_id = file_id(path)
            if status == "M" and new_id and not gone:  # the commonest: an entry edited
                if (history := h.get(new_id)) is not None:
                    history.updated = date
                else:
                    h[new_id] = EntryHistory(new_id, date, date)
                continue
            restored = gone.pop(new_id, None) if new_id else None
            if status == "R":
                old_id = paths.file_id(old)
                moved = h.pop(old_id, None) if old_id else None
                if old_id and new_id:
                    self.steps.append((commit.time, old_id, new_id))
                if new_id and moved is not None:
                    moved.id, moved.updated = new_id, date
                    if paths.id(old):  # a name in other case was never an id: no redirect
                        moved.previous_ids.append(PreviousId(old_id, date, len(self.steps) - 1))
                    h[new_id] = moved
                elif new_id and restored is not None and not old_id \
                        and (commit.sha, path) in back:  # moved back in as it went out
                    self._unbury(new_id, restored[1], date)
                elif new_id:
                    h[new_id] = EntryHistory(new_id, date, date)
                elif moved is not None:  # moved out of the entries folder: deleted there
                    self._bury(old_id, moved, commit.sha)
            elif status == "D":
                if (deleted := h.pop(new_id, None)) is not None:
                    self._bury(new_id, deleted, commit.sha)
            elif not new_id:
                continue
            elif status == "A" and restored is not None and (commit.sha, path) in back:
                self._unbury(new_id, restored[1], date)
            elif status in "AC" or new_id not in h:
                h[new_id] = EntryHistory(new_id, date, date)
            else:
                h[new_id].updated = date
        if commit.trailers:  # a correction on the line: the entries it touched, as they are now
            text = "; ".join(commit.trailers)
            for status, _old, path in commit.changes:
                history = h.get(paths.file_id(path)) if status != "D" else None
                if history is not None and not any(c.commit == commit.sha
                                                   for c in history.corrections):
                    history.corrections.append(Correction(commit.sha, date, text, history.id))

    def _bury(self, entry_id: str, deleted: EntryHistory, sha: str) -> None:
        """`entry_id`'s entry left the entries (its file deleted, or moved out of the
        entries folder, which reads as a deletion there: it kept no row, and its Atom id's
        place went to another entry; found in review)."""
        self.gone[entry_id] = (sha, deleted)
        start = deleted.previous_ids[0] if deleted.previous_ids else None
        self.dead.append((entry_id, start.id if start else entry_id, deleted.created,
                          start.seq if start else len(self.steps) - 0.5))

    def _unbury(self, entry_id: str, restored: EntryHistory, date: str) -> None:
        """The deletion of `entry_id` undone (its file back as it was deleted, or moved
        back into the entries folder): the same entry goes on."""
        restored.updated = date
        self.histories[entry_id] = restored
        # its row is the last one of its id: the id was not used since
        rows = [i for i, row in enumerate(self.dead) if row[0] == entry_id]
        if rows:
            del self.dead[rows[-1]]

    def correct(self, commits: list[LogCommit], paths: EntryPaths,
                merged_by: Callable[[], dict[str, str]],
                unseen: Callable[[str], list] | None = None) -> None:
        """Attach corrections made on merged branches (oldest first; those on the
        first-parent line come with `apply`), following later renames to today's id.

        A correction made on a branch that began before a rename on the main line
        (or dated before a rename it follows) names an id no entry has: the renames
        its commit had not seen (`unseen(sha)`: in the commits from it to today that are
        not its ancestors; every one known, without it) are then followed whatever
        their dates, and not one made before it, of an earlier entry that had the id
        (renamed away, the id then taken by a new entry). One whose text the entry has already
        from the merge that brought the commit in (the merge repeated the trailer) is
        not listed twice; the same words in another commit are another correction
        (`merged_by()` maps a branch's commits to their merge, asked only then). A
        correction dated before its entry was created belongs to an entry deleted
        before and is not carried over."""
        owner: dict[str, str] | None = None
        for commit in commits:
            text = "; ".join(commit.trailers)
            date = utc_date(commit.time)
            for _status, _old, path in commit.changes:
                eid = paths.file_id(path)
                if not eid:
                    continue
                h = self.histories.get(follow(eid, commit.time, self.steps)) \
                    or self.histories.get(follow(eid, None, unseen(commit.sha) if unseen
                                                 else self.steps))
                # a merge whose message repeats the branch's trailer (GitHub's "pull
                # request title and description") came first: one correction, not two
                if h is None or date < h.created or any(c.commit == commit.sha
                                                         for c in h.corrections):
                    continue
                if any(c.text == text for c in h.corrections):
                    owner = merged_by() if owner is None else owner
                    if any(c.text == text and c.commit == owner.get(commit.sha)
                           for c in h.corrections):
                        continue
                h.corrections.append(Correction(commit.sha, date, text, h.id))

    def to_json(self) -> dict:
        return {"sha": self.sha, "steps": self.steps,
                "histories": [_history_json(h) for h in self.histories.values()],
                "gone": [[sha, _history_json(h)] for sha, h in self.gone.values()],
                "dead": self.dead}

    @classmethod
    def from_json(cls, data: dict) -> "State":
        histories = {h.id: h for h in map(_history_from_json, data["histories"])}
        gone = {h.id: (sha, h) for sha, h in ((sha, _history_from_json(row))
                                                for sha, row in data["gone"])}
        return cls(data["sha"], histories, [tuple(s) for s in data["steps"]], gone,
                   [tuple(row) for row in data["dead"]])

    def result(self) -> tuple[dict[str, EntryHistory], list[Rename]]:
        for h in self.histories.values():
            if h.corrections:  # most entries have none
                h.corrections = [replace(c, entry=h.id) for c in h.corrections]
        return self.histories, [Rename(o, n, utc_date(t)) for t, o, n in self.steps]


def _history_json(h: EntryHistory) -> list:
    # most entries were never renamed nor corrected: their empty lists made without a loop
    return [h.id, h.created, h.updated,
            [list(p) for p in h.previous_ids] if h.previous_ids else [],
            [[c.commit, c.date, c.text] for c in h.corrections] if h.corrections else []]


def _history_from_json(row: list) -> EntryHistory:
    hid, created, updated, previous, corrections = row
    return EntryHistory(hid, created, updated,
                        [] if previous == [] else [PreviousId(*p) for p in previous],
                        [] if corrections == [] else [Correction(*c, hid) for c in corrections])


def follow(entry_id: str, time: int | None, steps: list[tuple[int, str, str]]) -> str:
    """The id an entry that had `entry_id` at `time` has after the renames in `steps`
    (`time` None: after every one of them, in history order)."""
    for t, old, new in steps:
        if (time is None or t >= time) and old == entry_id:
            entry_id = new
    return entry_id


class Head(NamedTuple):
    """A repository with a commit at HEAD, not shallow, as one `git rev-parse` tells it:
    what the long walk needs of it (the names GitPython's Repo gives these places)."""

    working_tree_dir: str
    git_dir: str
    sha: str  # HEAD's commit

    @property
    def working_dir(self) -> str:
        return self.working_tree_dir


def head_of(settings: Settings) -> Head | None:
    """The repository of the catalog and its HEAD, without the git library; None when there
    is no repository, no commit, or only part of the history (a shallow clone): the git
    library's way (`log`) then says why."""
    try:
        done = subprocess.run(["git", "rev-parse", "--is-shallow-repository", "--show-toplevel",
                               "--absolute-git-dir", "HEAD^{commit}"], cwd=settings.root,
                              capture_output=True, text=True, check=False)
    except OSError:
        return None
    lines = done.stdout.splitlines()
    if done.returncode != 0 or len(lines) != 4 or lines[0] != "false":
        return None
    return Head(lines[1], lines[2], lines[3])


def cached_at_head(settings: Settings, head: Head | None = None) -> State | None:
    """The state at HEAD when the history cache holds it (as `log.entry_history` would
    take it), found by one `git rev-parse` (`head_of`, unless given) and without the git
    library; None otherwise (no repository or commit, a shallow clone, a cache of another
    commit or folder, one that does not read): `log` then reads git, and says why when it
    cannot."""
    if head is None and (head := head_of(settings)) is None:
        return None
    try:  # the key the walk saved it under: the entries folder as git names it (EntryPaths)
        prefix = settings.root.resolve().relative_to(Path(head.working_tree_dir).resolve()
                                                     ).as_posix()
    except (OSError, ValueError):
        return None
    folder = ("" if prefix == "." else prefix + "/") + settings.paths.entries.strip("/")
    cached = cache.load(settings, folder)
    try:
        state = State.from_json(cached) if cached else None
    except (KeyError, TypeError, ValueError):
        return None
    return state if state is not None and state.sha == head.sha else None
