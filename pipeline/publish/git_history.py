"""What the build takes from git: dates, renames and corrections of each entry.

A catalog that is not in a git repository (or has no commit yet) builds
from front-matter dates alone; `GitData.note` says so. Reading a long
history for the first time takes seconds (git's rename detection), so the
build starts it in a forked child (`start_warming`) that fills the history
cache while validation runs; the build then reads the cache.
"""

from __future__ import annotations

import multiprocessing
import os
import subprocess
from dataclasses import dataclass, field

from ..config import Settings
from ..errors import UsageError
from ..history import git_refusal
from ..parallel import rare_full_collections

# (date of the last commit that touched the file or "", ((commit, date, text), ...) oldest first)
History = tuple[str, tuple[tuple[str, str, str], ...]]
NO_HISTORY: History = ("", ())


@dataclass
class GitData:
    histories: dict = field(default_factory=dict)  # entry id -> EntryHistory
    # (old id, current id, date of the rename), in the order of the renames' commits
    renames: list = field(default_factory=list)
    # current id -> (the id it was created at, the date it was created, its place among the
    # entries created at that id: 0 for the first), for each entry whose feed item's Atom id
    # is not its URL (first_ids)
    first: dict = field(default_factory=dict)
    note: str = ""  # why there is no history, when there is none

    def of(self, entry_id: str) -> History:
        """The entry's history as plain data (NO_HISTORY when git has none)."""
        h = self.histories.get(entry_id)
        if h is None:
            return NO_HISTORY
        corrections = sorted(((c.commit, c.date, c.text) for c in h.corrections),
                             key=lambda c: (c[1], c[0]))
        return (h.updated or "", tuple(corrections))


def head(settings: Settings) -> str:
    """The commit at HEAD (git's history of the entries is a function of it), or why
    there is none. Cheap: no git library is loaded."""
    try:
        done = subprocess.run(["git", "rev-parse", "--verify", "-q", "HEAD"], cwd=settings.root,
                              capture_output=True, text=True, check=False)
    except OSError:
        return "no git"
    if done.returncode != 0 and (refusal := git_refusal(done.stderr)) is not None:
        raise refusal  # building as if there were no history would drop dates and redirects
    return done.stdout.strip() if done.returncode == 0 else f"no commit ({done.returncode})"


def read_git_data(settings: Settings, rev: str = "HEAD") -> GitData:
    """Entry histories and renames at `rev`, or an empty GitData with a note.

    At HEAD no git library is loaded: when the history cache holds it (the warming
    child has just read it) it is read as the walk would read it, and a walk of the whole
    history (no cache) needs the library only for a merge."""
    from ..history.state import cached_at_head, head_of

    head = head_of(settings) if rev == "HEAD" else None
    cached = cached_at_head(settings, head) if head is not None else None
    if cached is not None:
        state = cached
    elif head is not None:  # a repository with a commit, not shallow: walked from HEAD
        from ..history import log

        state = log.history_state(settings, rev, head)
    else:
        from ..history import gitio

        try:
            repo = gitio.open_repo(settings)
            if not repo.head.is_valid():
                return GitData(note="the repository has no commit yet: "
                                    "dates come from front matter")
        except UsageError:
            return GitData(note="not in a git repository: dates come from front matter")
        from ..history import log  # imported here: only builds inside git need it

        state = log.history_state(settings, rev)
    histories = state.result()[0]
    # previous_ids already follow chains of renames to the current id (one log walk);
    # in commit order: the first rename of an id decides where its redirect goes. A file
    # named as an id in other case (`glossary/AWQ.md`) is no entry of the site: nothing
    # leads to it (its history goes on when it is renamed back)
    named = [h for h in histories.values() if h.id == h.id.lower()]
    renames = [(p.id, h.id, p.date) for _seq, p, h in sorted(
        (p.seq, p, h) for h in named for p in h.previous_ids)]
    # A deleted entry counts by the id it was created at: one whose file was renamed to
    # its id in other case (`glossary/A.md`, which validate refuses) and then deleted kept
    # no place, and a new file at its id took its URL as its Atom id (found in review).
    return GitData(histories=histories, renames=renames, first=first_ids(
        named, [row for row in state.dead if row[1] == row[1].lower()]))


def first_ids(histories, dead=()) -> dict[str, tuple[str, str, int]]:
    """{current id: (the id it was created at, the date it was created, its place among the
    entries created at that id)} for each entry whose feed item's Atom id is not its URL:
    one renamed since it was created, and one created at an id an earlier entry had.

    Every entry counts, whatever its status (a draft, which has no feed item, too), and
    so does every entry deleted since (`dead`: `State.dead`'s rows): an entry's place is a
    function of git's history alone and never changes as statuses change or other entries'
    files are deleted. Entries created at one id had it one after the other, so the first
    of them is the one that left it first (the lowest `PreviousId.seq` of its first rename,
    or its deletion's place among the renames); the one still there, never renamed, is the
    last. The first keeps that URL as its Atom id for good; each later one's is a `tag:`
    URI (feed.atom_ids). A deleted one is listed under its id, ` deleted ` and its row's
    number (`glossary/a deleted 3`), which no entry can have: it keeps its place and its
    day's tag number (feed.atom_ids counts it) and has no item."""
    by_first: dict[str, list] = {}
    never = float("inf")  # the place of an entry never renamed: after every one renamed
    for h in histories:
        start = h.previous_ids[0] if h.previous_ids else None
        by_first.setdefault(start.id if start else h.id, []).append(
            (start.seq if start else never, h.id, h.id, h.created))
    for n, (gone_id, first_id, created, left) in enumerate(dead):
        # two deleted at one place among the renames: in the order of their deletions
        by_first.setdefault(first_id, []).append(
            (left, f"~{n:09d}", f"{gone_id} deleted {n}", created))
    out = {}
    for first_id, group in by_first.items():
        if len(group) == 1:  # the only entry created at its id (most): the first, place 0
            if (name := group[0][2]) != first_id:
                out[name] = (first_id, group[0][3], 0)
            continue
        for place, (_left, _tie, name, created) in enumerate(sorted(group, key=lambda g: g[:2])):
            if place or name != first_id:
                out[name] = (first_id, created, place)
    return out


def _warm(settings: Settings) -> None:
    try:
        with rare_full_collections():  # it only reads and keeps: no cycles to look for
            read_git_data(settings)  # fills .pipeline-cache/history.json
    except BaseException:  # noqa: BLE001 - the build reads again and reports any problem
        pass
    finally:
        os._exit(0)


def start_warming(settings: Settings):
    """Read the git history in a forked child; -> a function that waits for it to finish.

    Only a speed-up: whatever happens in the child, `read_git_data` afterwards
    gives the same answer (from the cache the child wrote, or by reading git).
    """
    if ("fork" not in multiprocessing.get_all_start_methods()
            or multiprocessing.current_process().daemon):
        return lambda: None
    child = multiprocessing.get_context("fork").Process(target=_warm, args=(settings,),
                                                        daemon=True)
    child.start()
    return child.join
