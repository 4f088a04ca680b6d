"""What git history says about each entry: created, updated, old ids, corrections.

At most two long `git log` passes, whatever the size of the catalog:

- one over the first-parent history of `rev` with `--name-status -M`
  (a pull request merged with a merge commit counts once, at its merge, as a
  diff against the first parent; renames follow git's rename detection),
  with each commit's `Correction:` trailers;
- when that walk met a merge, one over the commits whose message carries a
  `Correction:` trailer (on any parent, so a correction inside a merged pull
  request is found too). A history without merges (squashed or rebased pull
  requests) has every commit on the first-parent line: the first walk has
  them all, and the second would cost 0.4 s on 20,000 commits for nothing.

A merge whose diff shows an entry deleted and another added costs one more
(short) `git log`, of its branch alone: a rename made there and followed by a
rewrite reads as such a pair, and the branch's own commits tell (`merged_renames`).
An entry file added back byte for byte as a commit before deleted it (a revert
of the deletion) goes on with its history, old ids and corrections: one `git
cat-file --batch-check` of the two blobs, asked only when a deleted id comes back.

The result is kept in `.pipeline-cache/history.json` (never committed); the
next call on a later revision of the same first-parent line reads only the
commits since (the state is built by applying commits oldest first, so the
cached state plus the new commits is exactly what a full walk gives).

Dates are UTC calendar dates (`YYYY-MM-DD`) of the commit time (committer
date), the instant a change entered the history. Entries not committed yet
(only in the working tree) are absent from the results. In a shallow clone the
answers would be wrong, so `ShallowClone` (a UsageError) is raised instead.
"""

from __future__ import annotations

import functools
import os
import subprocess
from typing import NamedTuple

from ..config import Settings
from ..errors import UsageError
from . import TRAILER
from . import history_cache as cache
from .gitio import (EntryPaths, blob_ids, is_shallow, log, long_log, open_repo, resolve,
                    shallow_error)
# the history's plain data (PreviousId, utc_date... are imported from here too)
from .state import (Correction, EntryHistory, Head, LogCommit, PreviousId, Rename,
                    State as _State, follow, utc_date)


_TRAILERS = "%(trailers:key=" + TRAILER + ",valueonly,separator=%x1d,unfold)"
LOG_FORMAT = "--format=%x1e%H %ct%x1f" + _TRAILERS + "%x1f"
# A line that may be a `Correction:` trailer (for `git log -i -E --grep`): the one search
# of `correction_commits` and `correction_lines`, so that they find the same commits.
CORRECTION_LINE = f"^[[:space:]]*{TRAILER}[[:space:]]*:"


def parse_log(out: str) -> list[LogCommit]:
    """Parse `git log -z --name-status LOG_FORMAT` output, newest commit first."""
    commits = []
    append = commits.append
    make = tuple.__new__  # LogCommit's fields in order, without NamedTuple's __new__ in Python
    for record in out.split("\x1e")[1:]:
        head, trailers, rest = record.split("\x1f", 2)
        sha, time, *parents = head.split()
        parts = rest.split("\0")
        # parts[0] is the empty text between the format and the file list
        if (len(parts) == 4 and not parts[3] and (status := parts[1].strip())
                and status[0] not in "RC"):
            changes = [(status[0], None, parts[2])]  # one file added, changed or deleted
        else:
            changes = []
            i = 1
            while i < len(parts):
                status = parts[i].strip()
                if not status:
                    i += 1
                    continue
                if status[0] in "RC":
                    changes.append((status[0], parts[i + 1], parts[i + 2]))
                    i += 3
                else:
                    changes.append((status[0], None, parts[i + 1]))
                    i += 2
        texts = [t.strip() for t in trailers.split("\x1d") if t.strip()] if trailers else []
        append(make(LogCommit, (sha, int(time), texts, changes, len(parents) > 1)))
    return commits


def entry_history(settings: Settings, rev: str = "HEAD",
                  head: Head | None = None) -> dict[str, EntryHistory]:
    """The history of every entry that exists at `rev`, keyed by its id there.

    Example: `entry_history(settings)["tools/vllm"].created == "2026-01-10"`.
    Raises ShallowClone in a shallow clone and UsageError for an unknown `rev`.
    `head`: HEAD as `state.head_of` read it, when `rev` is HEAD (no git library then).
    """
    return _state(settings, rev, head).result()[0]


def history_state(settings: Settings, rev: str = "HEAD", head: Head | None = None) -> _State:
    """The walk's whole state at `rev` (as `entry_history`, with the entries deleted:
    `State.dead`)."""
    return _state(settings, rev, head)


def renamed_ids(settings: Settings) -> dict[str, str]:
    """Old id -> the id its entry has at HEAD, from git's renames (chains followed; an
    entry renamed and later deleted has none); empty where there is no history to read
    (not a git repository, no commit yet, a shallow clone), for a message's hint.

    An id two entries were renamed from (glossary/awq renamed to awq-method, a new
    glossary/awq later renamed to awq-two) goes where the site's redirect takes it:
    the earliest rename's entry in commit order (first-parent order, even on one day),
    as publish.redirects.plan_redirects takes them, not whichever entry the histories
    list last."""
    try:
        histories = entry_history(settings)
    except UsageError:
        return {}
    out: dict[str, str] = {}
    for _seq, old, new in sorted((p.seq, p.id, h.id) for h in histories.values()
                                 for p in h.previous_ids if p.id != h.id
                                 if h.id == h.id.lower()):  # not to a name in other case
        out.setdefault(old, new)
    return out


def renames(settings: Settings, rev: str = "HEAD") -> list[Rename]:
    """Every rename of an entry in the first-parent history of `rev`, oldest first.

    Each is one step as git saw it: a chain a -> b -> c gives two rows. For
    redirects to the current id use `entry_history(...)[id].previous_ids`.
    """
    return _state(settings, rev).result()[1]


FIRST_PARENT = ("--first-parent", "--diff-merges=first-parent", "--name-status", "-M", "-z",
                "--format=%x1e%H %ct %P%x1f" + _TRAILERS + "%x1f")


def _state(settings: Settings, rev: str, head: Head | None = None) -> _State:
    """The state at `rev`: from the cache plus the commits since, or from the whole history.
    `head`: `rev` is HEAD, and this is what `head_of` found of it (the walk from it then
    needs no git library, unless a cache of another commit or a merge is met)."""
    if head is not None:
        repo, sha = head, head.sha
    else:
        repo = open_repo(settings)
        if is_shallow(repo):
            raise shallow_error("when each entry was created, renamed and corrected is not known")
        sha = resolve(settings, rev).hexsha
    paths = EntryPaths(settings, repo)
    cached = cache.load(settings, paths.folder)
    try:
        state = _State.from_json(cached) if cached else None
    except (KeyError, TypeError, ValueError):
        state = None
    if state is not None and state.sha == sha:
        return state
    if state is None or state.sha not in (open_repo(settings) if head is not None else repo
                                          ).git.rev_list("--first-parent", sha).split():
        state, since = _State(), sha  # no usable cache: the whole history
    else:
        since = f"{state.sha}..{sha}"
    # The whole tree's changes, not `-- entries/`: a pathspec costs git more (a third more
    # on a long history) than the commits that touch nothing else cost to skip here.
    # A rename into or out of the entries folder reads as the add or delete it is there.
    line = _rewrites(repo, [merged_renames(settings, c, paths) if c.merge else c
                            for c in parse_log(long_log(repo, *FIRST_PARENT, since))], paths)
    back = _restored(settings, line[::-1], paths, {f"{paths.folder}/{i}.md": sha
                                                   for i, (sha, _h) in state.gone.items()})
    for commit in reversed(line):
        state.apply(commit, paths, back)  # with the corrections made on the line, as they come
    if any(c.merge for c in line):  # corrections may sit in the branches merged
        on_line = {c.sha for c in line}
        state.correct(list(reversed([c for c in correction_commits(settings, since)
                                     if c.sha not in on_line])), paths,
                      lambda: merged_by(settings, since),
                      functools.lru_cache(maxsize=None)(
                          lambda commit: rename_steps(settings, f"{commit}..{sha}")))
    state.sha = sha
    cache.save(settings, paths.folder, state.to_json())
    return state


def merged_renames(settings: Settings, merge: LogCommit, paths: EntryPaths) -> LogCommit:
    """The merge with each entry its diff shows deleted and another added read as the
    rename it is, when its branch's own commits renamed the one into the other.

    The merge's diff against its first parent pairs files by their net similarity: an
    entry renamed on the branch, then rewritten, reads as deleted and added. Asked only
    for a merge that deleted an entry and added one (rare): one `git log` of its branch
    (`rename_steps`). A chain a -> b -> c on the branch is one rename a -> c at the
    merge, as git shows a rename it sees: b was never on the first-parent line."""
    gone = {i: p for s, _o, p in merge.changes if s == "D" and (i := paths.file_id(p))}
    added = {paths.file_id(p) for s, _o, p in merge.changes if s == "A"} - {None}
    if not gone or not added:
        return merge
    origin: dict[str, str] = {}  # id at the merge -> id at its first parent
    for _t, old, new in rename_steps(settings, f"{merge.sha}^1..{merge.sha}", deletions=True):
        if new is None:  # deleted on the branch: a file added there later is another entry
            origin.pop(old, None)
        else:
            origin[new] = origin.pop(old, old)
    pairs: dict[str, str] = {}  # id at the merge -> path deleted by the merge
    for new, old in origin.items():
        if new in added and old in gone:
            pairs[new] = gone.pop(old)  # one rename per file deleted
    if not pairs:
        return merge
    paired = set(pairs.values())
    changes = [("R", pairs[paths.file_id(p)], p) if s == "A" and paths.file_id(p) in pairs else (s, o, p)
               for s, o, p in merge.changes if not (s == "D" and p in paired)]
    return merge._replace(changes=changes)


def _rewrites(repo, line: list[LogCommit], paths: EntryPaths) -> list[LogCommit]:
    """The commits of `line` with each entry renamed while a new file was written under its
    old id (`git mv a b`, a new `a`) read as that rename and the new entry added: git's `-M`
    shows `a` modified and `b` added (a file that still exists is no rename source).

    Asked, as `rename_steps(rewrites=True)` asks, of each commit (not a merge) that adds an
    entry file and modifies another: one `git diff-tree --stdin -B -M` for all of them,
    none when there is no such commit (most histories: an entry added alone)."""
    file_id = paths.file_id
    asked = {c.sha: c for c in line if not c.merge and len(c.changes) > 1
             and any(s == "A" and file_id(p) for s, _o, p in c.changes)
             and any(s == "M" and file_id(p) for s, _o, p in c.changes)}
    if not asked:
        return line
    done = subprocess.run(["git", "diff-tree", "--stdin", "-r", "-B", "-M", "--name-status",
                           "-z", "--", paths.folder + "/"], cwd=repo.working_dir,
                          env={**os.environ, "LANGUAGE": "C", "LC_ALL": "C"},
                          input="".join(sha + "\n" for sha in asked).encode(),
                          capture_output=True, check=False)
    if done.returncode != 0:
        raise UsageError(f"git diff-tree failed: {done.stderr.decode(errors='replace').strip()}")
    parts: dict[str, list[str]] = {}  # commit -> its `-B -M` diff, as `-z` splits it
    for part in done.stdout.decode("utf-8", "surrogateescape").split("\0"):
        if part in asked:
            rows = parts[part] = []
        elif parts:
            rows.append(part)
    out = []
    for commit in line:
        moved = _moved(parts[commit.sha], commit, paths) if commit.sha in parts else {}
        if not moved:
            out.append(commit)
            continue
        # `M a` and `A b` -> `R a b` and `A a`, in that order: the entry moves, then the new one
        old_paths = {file_id(p): p for s, _o, p in commit.changes if s == "M"}
        rewritten = {old_paths[i] for i in moved.values()}
        changes = []
        for status, old, path in commit.changes:
            if status == "A" and (was := moved.get(file_id(path))) is not None:
                changes += [("R", old_paths[was], path), ("A", None, old_paths[was])]
            elif not (status == "M" and path in rewritten):
                changes.append((status, old, path))
        out.append(commit._replace(changes=changes))
    return out


def correction_commits(settings: Settings, revs: str) -> list[LogCommit]:
    """Commits of `revs` (a revision or a range `A..B`) with a `Correction:` trailer
    that touched entry files, newest first; merges count as their first-parent diff.

    The search is `correction_lines`' (white space allowed around the colon, as in
    `Correction : text`, which git reads as a trailer too); only commits whose trailers
    git reads are kept, so the entry's page, `changes` and the digest agree."""
    repo = open_repo(settings)  # no pathspec: only the commits that match get a diff
    out = long_log(repo, "-i", "-E", f"--grep={CORRECTION_LINE}", "--diff-merges=first-parent",
                   "--name-status", "-M", "-z", LOG_FORMAT, revs)
    return [c for c in parse_log(out) if c.trailers]


class CommitMessage(NamedTuple):
    """A commit's message as `correction_lines` gives it."""

    sha: str
    subject: str
    lines: list[str]  # the whole message, line by line (lines[0] is the subject)
    last_paragraph: int  # the line number (1-based) where its last paragraph starts
    trailers: list[str]  # the `Correction:` trailers git reads, as log.py reads them
    files: list[str]  # what it touched, relative to the catalog (its first-parent diff)
    entry_files: list[str]  # of those, the entry files


def correction_lines(settings: Settings, revs: str) -> list[CommitMessage]:
    """Commits of `revs` with a line starting `Correction:` anywhere in the message
    (any case), newest first, whether git reads it as a trailer or not."""
    repo = open_repo(settings)
    paths = EntryPaths(settings, repo)
    out = long_log(repo, "-i", "-E", f"--grep={CORRECTION_LINE}",
                   "--diff-merges=first-parent", "--name-only", "-z",
                   "--format=%x1e%H%x1f" + _TRAILERS + "%x1f%B%x1f", revs)
    commits = []
    for record in out.split("\x1e")[1:]:
        sha, trailers, message, rest = record.split("\x1f", 3)
        lines = message.rstrip("\n").split("\n")
        last = max((n + 2 for n, line in enumerate(lines) if not line.strip()), default=1)
        files = [paths.catalog_path(p) for p in (p.strip("\n") for p in rest.split("\0"))
                 if p and p.startswith(paths.prefix)]
        commits.append(CommitMessage(
            sha, lines[0], lines, last,
            [t.strip() for t in trailers.split("\x1d") if t.strip()], files,
            [f for f in files if paths.file_id(paths.prefix + f)]))
    return commits


def rename_steps(settings: Settings, revs: str, deletions: bool = False,
                 rewrites: bool = False, restores: bool = False, shas: bool = False
                 ) -> list[tuple]:
    """(time, old id, new id) of each rename in the commits of `revs`, parents before
    children (`--topo-order`), oldest first; with `deletions`, (time, id, None) of each
    entry deleted too, in the same order.

    Every commit of `revs` counts, not only the first-parent line: a pull request merged
    with a merge commit shows its rename in its own commit, while the merge's diff against
    the first parent may read as a deletion and an addition (the file was rewritten on the
    branch after the rename). Merges themselves are left out: their renames are their
    branches'. One `git log`, whatever the number of commits.

    With `rewrites`, an entry renamed and its old id reused in the same commit (`git mv
    a b`, then a new `a`) is a rename too, which git's `-M` cannot see (a file that still
    exists is no rename source): in a commit that adds an entry file and modifies
    another, git's break detection (`rewritten_renames`) says whether the one modified was
    rewritten and its old contents moved to the one added. The old id then starts anew:
    with `deletions`, (time, old id, None) follows the rename.

    With `restores` (and `deletions`), (time, id, id) of each entry deleted and later added
    back as it was, byte for byte (a revert of the deletion, a checkout of the old file):
    the deletion undone, the entry goes on. A file added under a deleted id with other
    contents is another entry. One `git cat-file --batch-check` for the blobs, asked only
    when an id deleted in `revs` is added again there.

    With `shas`, each row ends with the commit that made it: (time, old, new, commit)."""
    paths = EntryPaths(settings, open_repo(settings))
    out = log(settings, "--topo-order", "--reverse", "--no-merges", "--name-status", "-M", "-z",
              "--diff-filter=RDAM" if rewrites else "--diff-filter=RDA" if restores and deletions
              else "--diff-filter=RD" if deletions else "--diff-filter=R", LOG_FORMAT, revs)
    commits = parse_log(out)
    back = _restored(settings, commits, paths) if restores and deletions else set()
    steps: list[tuple] = []
    for commit in commits:
        first = len(steps)
        moved: dict[str, str] = {}  # id added -> the id whose entry moved there
        if rewrites and any(s == "A" and paths.file_id(p) for s, _o, p in commit.changes) and any(
                s == "M" and paths.file_id(p) for s, _o, p in commit.changes):
            moved = rewritten_renames(settings, commit, paths)
        for status, old, path in commit.changes:
            old_id, new_id = paths.file_id(old or ""), paths.file_id(path)
            if status == "R" and old_id and new_id:
                steps.append((commit.time, old_id, new_id))
            elif status == "D" and new_id and deletions:
                steps.append((commit.time, new_id, None))
            elif status == "A" and new_id in moved:
                steps.append((commit.time, moved[new_id], new_id))
                if deletions:
                    steps.append((commit.time, moved[new_id], None))
            elif status == "A" and (commit.sha, path) in back:
                steps.append((commit.time, new_id, new_id))
        if shas:
            steps[first:] = [(*step, commit.sha) for step in steps[first:]]
    return steps


def _restored(settings: Settings, commits: list[LogCommit], paths: EntryPaths,
              deleted: dict[str, str] | None = None) -> set[tuple[str, str]]:
    """(commit, path) of each entry file added or moved into the entries folder
    (`commits`: oldest first, each read as its diff against its first parent) with the
    very bytes a commit before it deleted there or moved out of the folder
    (in `commits`, or in `deleted`: path -> the commit that deleted it earlier): the
    deletion undone."""
    deleted = dict(deleted or {})  # path -> the last commit that deleted it
    pairs: list[tuple[str, str, str]] = []  # (commit that deleted, commit that added, path)
    for commit in commits:
        for status, old, path in commit.changes:
            if status == "R" and paths.file_id(old) and not paths.file_id(path):
                deleted[old] = commit.sha  # moved out of the entries folder: deleted there
            elif status == "D" and paths.file_id(path):
                deleted[path] = commit.sha
            elif (status == "A" or status == "R" and not paths.file_id(old)) \
                    and path in deleted:  # added, or moved into the entries folder
                pairs.append((deleted.pop(path), commit.sha, path))
    if not pairs:
        return set()
    blobs = blob_ids(settings, [name for gone, added, path in pairs
                                for name in (f"{gone}^:{path}", f"{added}:{path}")])
    return {(added, path) for gone, added, path in pairs
            if blobs.get(f"{gone}^:{path}") is not None
            and blobs.get(f"{gone}^:{path}") == blobs.get(f"{added}:{path}")}


def rewritten_renames(settings: Settings, commit: LogCommit,
                      paths: EntryPaths) -> dict[str, str]:
    """Id added -> id modified, for each entry the commit (not a merge) renamed while
    writing another under its old id: one `git diff-tree -B -M` of the commit alone.

    git's `-M` pairs only a deleted file with an added one. Its break detection (`-B`)
    also takes a file rewritten (most of its contents replaced; git breaks no file
    under 400 bytes) as a deletion and an addition: the old contents paired with a file
    added read as a copy (`C`), the file itself as modified. Asked only for a commit that
    adds an entry file and modifies another, so that the pairing of the other
    commits, and of the other files here, stays as `-M` reads it."""
    out = open_repo(settings).git.diff_tree("-r", "-B", "-M", "--name-status", "-z",
                                            f"{commit.sha}^", commit.sha, "--",
                                            paths.folder + "/")
    return _moved(out.split("\0"), commit, paths)


def _moved(parts: list[str], commit: LogCommit, paths: EntryPaths) -> dict[str, str]:
    """Id added -> id modified, from the commit's `git diff-tree -B -M --name-status -z`
    split at its NULs (`rewritten_renames`)."""
    added = {paths.file_id(p) for s, _o, p in commit.changes if s == "A"} - {None}
    modified = {paths.file_id(p) for s, _o, p in commit.changes if s == "M"} - {None}
    moved: dict[str, str] = {}
    i = 0
    while i < len(parts):
        status = parts[i].strip()
        if not status:
            i += 1
        elif status[0] in "RC" and i + 2 < len(parts):
            old_id, new_id = paths.file_id(parts[i + 1]), paths.file_id(parts[i + 2])
            if (status[0] == "C" and new_id in added and old_id in modified
                    and old_id not in moved.values()):
                moved[new_id] = old_id
            i += 3
        else:
            i += 2
    return moved


def merged_by(settings: Settings, revs: str) -> dict[str, str]:
    """Each commit of `revs` (a range `A..B` or a revision) off the first-parent line ->
    the merge on that line that brought it in. Two `git rev-list` calls (parents only,
    no diffs), for when a merge may repeat a trailer of a commit of its branch."""
    repo = open_repo(settings)
    parents = {}
    for row in repo.git.rev_list("--parents", revs).splitlines():
        sha, *ps = row.split()
        parents[sha] = ps
    line = repo.git.rev_list("--first-parent", revs).split()
    on_line = set(line)
    owner: dict[str, str] = {}
    for merge in reversed(line):  # oldest first: what an earlier merge brought is its own
        todo = list(parents.get(merge, [])[1:])
        while todo:
            sha = todo.pop()
            if sha in owner or sha in on_line or sha not in parents:
                continue
            owner[sha] = merge
            todo.extend(parents[sha])
    return owner
