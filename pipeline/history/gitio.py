"""Every call to git lives here: GitPython, and `long_log` for the long walks."""

from __future__ import annotations

import os
import subprocess
import tempfile
from dataclasses import dataclass
from typing import NamedTuple

from ..catalog.loader import SLUG_RE
from ..config import SETTINGS_FILE, Settings
from ..errors import UsageError
from . import git_refusal


class _GitPython:
    """GitPython, imported where it is first used: a build's walk of the history from
    HEAD (`state.head_of`) never uses it, and importing it costs a process 35 ms of CPU."""

    def __getattr__(self, name: str):
        import git as module

        globals()["git"] = module  # from then on, the module itself
        return getattr(module, name)


git = _GitPython()


def open_repo(settings: Settings) -> git.Repo:
    try:
        return git.Repo(settings.root, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise UsageError(f"{settings.root} is not inside a git repository") from None


def _entry_id(settings: Settings, repo_path: str, repo: git.Repo) -> str | None:
    """`entries/tools/vllm.md` (relative to the repository) -> `tools/vllm`."""
    prefix = settings.root.resolve().relative_to(repo.working_tree_dir).as_posix()
    entries = settings.paths.entries.strip("/")
    full_prefix = f"{prefix}/{entries}/" if prefix != "." else f"{entries}/"
    if not repo_path.startswith(full_prefix) or not repo_path.endswith(".md"):
        return None
    rest = repo_path[len(full_prefix):-3]
    return rest if rest.count("/") == 1 else None


def tree_renames(settings: Settings, start: str, end: str | None = None) -> list[tuple[str, str]]:
    """(old id, new id) of the entry files git pairs as renamed from `start` to `end`
    (None: the working tree)."""
    repo = open_repo(settings)
    out = repo.git.diff("--name-status", "-M", "-z", start, *([end] if end else []), "--",
                        str(settings.root))
    parts, i, found = out.split("\0"), 0, []
    while i < len(parts) - 1:
        status = parts[i]
        if status.startswith(("R", "C")):
            old = _entry_id(settings, parts[i + 1], repo)
            new = _entry_id(settings, parts[i + 2], repo)
            if status.startswith("R") and old and new:
                found.append((old, new))
            i += 3
        else:
            i += 2
    return found


def changed_entry_ids(settings: Settings, rev: str) -> tuple[set[str], set[str], list[str]]:
    """(ids changed or added since `rev` in the working tree, ids gone or renamed away,
    the catalog-wide inputs changed: settings, schemas, bibliography, affiliate programs
    (paths relative to the catalog), on which every entry's results depend)."""
    repo = open_repo(settings)
    resolve(settings, rev)
    out = repo.git.diff("--name-status", "-M", "-z", rev, "--", str(settings.root))
    changed: set[str] = set()
    gone: set[str] = set()
    inputs: set[str] = set()
    is_input = _catalog_input(settings, repo)
    parts = out.split("\0")
    i = 0
    while i < len(parts) - 1:
        status = parts[i]
        if status.startswith(("R", "C")):
            old, new = parts[i + 1], parts[i + 2]
            i += 3
            if status.startswith("R") and (o := _entry_id(settings, old, repo)):
                gone.add(o)
            if n := _entry_id(settings, new, repo):
                changed.add(n)
            inputs.update(p for p in (is_input(old), is_input(new)) if p)
            continue
        path = parts[i + 1]
        i += 2
        eid = _entry_id(settings, path, repo)
        if eid is not None:
            (gone if status.startswith("D") else changed).add(eid)
        elif rel := is_input(path):
            inputs.add(rel)
    for path in repo.untracked_files:
        if eid := _entry_id(settings, path, repo):
            changed.add(eid)
        elif rel := is_input(path):
            inputs.add(rel)
    return changed, gone, sorted(inputs)


def _catalog_input(settings: Settings, repo: git.Repo):
    """A function: repository path -> its path in the catalog when every entry depends on
    it (the settings, a schema, the bibliography, the affiliate programs), else None."""
    prefix = settings.root.resolve().relative_to(repo.working_tree_dir).as_posix()
    prefix = "" if prefix == "." else prefix + "/"
    schemas = settings.paths.schemas.strip("/") + "/"
    files = {SETTINGS_FILE, settings.paths.bibliography.strip("/"),
             settings.paths.affiliates.strip("/")}

    def is_input(repo_path: str) -> str | None:
        if not repo_path.startswith(prefix):
            return None
        rel = repo_path[len(prefix):]
        return rel if rel in files or rel.startswith(schemas) else None

    return is_input


def resolve(settings: Settings, rev: str) -> git.Commit:
    repo = open_repo(settings)
    try:
        # git's own reading of `rev`: GitPython's takes `HEAD~1` from the commit object's
        # parent line, even in a shallow clone that lacks that parent
        sha = repo.git.rev_parse("--verify", "--end-of-options", f"{rev}^{{commit}}")
        return repo.commit(sha)
    except (git.GitCommandError, git.BadName, ValueError) as e:
        refusal = git_refusal(str(getattr(e, "stderr", "")))
        if refusal is not None:
            raise refusal from None
        if is_shallow(repo):
            raise shallow_error(f"revision '{rev}' may be in the part that is not here") from None
        if not repo.head.is_valid() and not repo.git.rev_list("-n1", "--all").strip():
            raise no_commit_error(rev) from None
        raise UsageError(f"unknown revision '{rev}'") from None


def runs_backwards(settings: Settings, start: str, end: str) -> bool:
    """Whether commit `start` comes after commit `end` in history (`end` is one of its
    ancestors, and another commit): a range from it to `end` reads every change reversed."""
    if start == end:
        return False
    return open_repo(settings).is_ancestor(end, start)


def parted_at(settings: Settings, start: str, end: str) -> str | None:
    """Where the histories of commits `start` and `end` parted (their merge base) when
    `start` is not an ancestor of `end` (a branch beside it); None when it is one, or when
    they share no commit."""
    repo = open_repo(settings)
    if start == end or repo.is_ancestor(start, end):
        return None
    try:
        return repo.git.merge_base(start, end).strip() or None
    except git.GitCommandError:  # no common ancestor
        return None


def no_commit_error(rev: str) -> UsageError:
    """The plain message for a repository with no commit yet (as `build` notes it)."""
    return UsageError(f"the repository has no commit yet, so there is no revision '{rev}' "
                      "and no history to read: commit the catalog first "
                      "(git add -A && git commit)")


def is_shallow(repo: git.Repo) -> bool:
    return os.path.exists(os.path.join(repo.git_dir, "shallow"))


def shallow_commits(repo: git.Repo) -> set[str]:
    """The commits whose parents a shallow clone lacks (its `shallow` file); empty when
    the repository is complete."""
    for folder in dict.fromkeys((getattr(repo, "common_dir", None), repo.git_dir)):
        if folder and os.path.exists(os.path.join(folder, "shallow")):
            with open(os.path.join(folder, "shallow"), encoding="ascii") as f:
                return {line.strip() for line in f if line.strip()}
    return set()


def range_is_cut(settings: Settings, start: str | None, end: str) -> bool:
    """Whether the commits from `start` (a commit, None: the first) to `end` reach where a
    shallow clone's history is cut: a commit of the range lacks its parents here, and
    its diff would read as adding every file. `start` itself may be cut off (its tree is
    here: a clone of the month and the commit before it is enough). One `git rev-list`,
    only in a shallow clone."""
    repo = open_repo(settings)
    cut = shallow_commits(repo)
    if not cut:
        return False
    revs = repo.git.rev_list(f"{start}..{end}" if start else end).split()
    return any(sha in cut for sha in revs)


def entry_ids_at(settings: Settings, rev: str) -> set[str]:
    """The ids of the entry files at revision `rev` (whatever they hold)."""
    repo = open_repo(settings)
    paths = EntryPaths(settings, repo)
    out = repo.git.ls_tree("-r", "-z", "--name-only", resolve(settings, rev).hexsha, "--",
                           paths.folder + "/")
    return {i for i in (paths.id(p) for p in out.split("\0") if p) if i}


def read_tree(settings: Settings, rev: str, with_bibliography: bool = True):
    """The entry files of the catalog at revision `rev`: (list of RawFile, bibliography bytes).

    Reads blobs straight from the object database (no checkout), through one
    `git cat-file --batch` process. Symbolic links (mode 120000) are refused.
    """
    from ..catalog.loader import FILE_SYMLINK, RawFile

    repo = open_repo(settings)
    commit = resolve(settings, rev)
    prefix = settings.root.resolve().relative_to(repo.working_tree_dir).as_posix()
    prefix = "" if prefix == "." else prefix + "/"
    entries_dir = prefix + settings.paths.entries.strip("/")
    files = []
    try:
        tree = commit.tree / entries_dir
    except KeyError:
        tree = None
    blobs = []
    if tree is not None:
        for item in tree.traverse():
            if item.type != "blob":
                continue
            rel = item.path[len(prefix):]
            if item.mode == 0o120000:
                files.append(RawFile(rel, None, FILE_SYMLINK(rel, 0, 0, "symbolic link in git; it was not read")))
                continue
            blobs.append((rel, item.binsha))
    bib = None
    if with_bibliography:
        try:
            bib = (commit.tree / (prefix + settings.paths.bibliography)).data_stream.read()
        except KeyError:
            bib = None
    odb = repo.odb
    for rel, sha in blobs:
        files.append(RawFile(rel, odb.stream(sha).read()))
    files.sort(key=lambda f: f.path)
    return files, bib


EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"  # git's well-known empty tree


class ShallowClone(UsageError):
    """The repository is a shallow clone, so the history asked for is not here."""


def shallow_error(what: str) -> ShallowClone:
    """The plain message for a shallow clone: what is missing, and how to fetch it."""
    return ShallowClone(
        f"this is a shallow clone (only the latest commits were fetched), so {what}. "
        "Fetch the whole history with `git fetch --unshallow`; in GitHub Actions give "
        "actions/checkout `fetch-depth: 0`."
    )


class EntryPaths:
    """Entry file paths as git prints them (relative to the repository) <-> entry ids."""

    def __init__(self, settings: Settings, repo: git.Repo):
        prefix = settings.root.resolve().relative_to(repo.working_tree_dir).as_posix()
        self.prefix = "" if prefix == "." else prefix + "/"
        self.folder = self.prefix + settings.paths.entries.strip("/")  # "entries"
        # path -> file_id's answer: a long walk names the same files again and again
        # (35,000 changes of 10,000 files on the benchmark corpus)
        self._file_ids: dict[str, str | None] = {}

    def id(self, repo_path: str) -> str | None:
        """`entries/tools/vllm.md` -> `tools/vllm`; None for any other path."""
        if not repo_path.startswith(self.folder + "/") or not repo_path.endswith(".md"):
            return None
        rest = repo_path[len(self.folder) + 1 : -3]
        if rest.count("/") != 1:
            return None
        # a file no entry could have (white space, capitals...) was never published:
        # no id, so no redirect from it either (its path could break `_redirects`)
        collection, slug = rest.split("/")
        return rest if SLUG_RE.fullmatch(collection) and SLUG_RE.fullmatch(slug) else None

    def file_id(self, repo_path: str) -> str | None:
        """The name the history follows an entry file under: its id, or, for a file named
        as an id but in other case (`glossary/AWQ`, `Glossary/awq`: a slip git renames
        like any file), that name as it is. A rename to it and back is the same entry
        going on; the name itself, never valid, is no id (`id` gives None for it)."""
        try:
            return self._file_ids[repo_path]
        except KeyError:
            found = self._file_ids[repo_path] = self._file_id(repo_path)
            return found

    def _file_id(self, repo_path: str) -> str | None:
        if (found := self.id(repo_path)) is not None:
            return found
        if not repo_path.startswith(self.folder + "/") or not repo_path.endswith(".md"):
            return None
        name = repo_path[len(self.folder) + 1 : -3]
        return name if self.id(f"{self.folder}/{name.lower()}.md") else None

    def catalog_path(self, repo_path: str) -> str:
        """The path relative to the catalog root, as the loader names files."""
        return repo_path[len(self.prefix):]


def log(settings: Settings, *args: str) -> str:
    """The output of `git log ARGS -- <entries folder>/` in the catalog's repository."""
    repo = open_repo(settings)
    return long_log(repo, *args, "--", EntryPaths(settings, repo).folder + "/")


def long_log(repo: git.Repo, *args: str) -> str:
    """`git log ARGS` for a long walk, as GitPython's `repo.git.log(*args)` gives it
    (the same command, environment and decoding, its last newline dropped), but with
    git writing into a temporary file instead of a pipe.

    git flushes its output after every commit: through a pipe, 20,000 commits are
    20,000 wake-ups of the reading process, each taking a core from the build's
    workers for a moment (0.3 CPU s for the reader, 0.2 to 0.4 more for git, on
    the benchmark corpus). Into a file, the reader wakes once. git's cache of
    delta bases is capped at a third of its default: walking 20,000 commits it
    then peaks at 124 MB instead of 188 MB (it runs beside the build's workers),
    in the same time.
    """
    command = ["git", "-c", "core.deltaBaseCacheLimit=32m", "log", *args]
    env = {**os.environ, "LANGUAGE": "C", "LC_ALL": "C"}  # as GitPython runs git
    with tempfile.TemporaryFile() as out:
        done = subprocess.run(command, cwd=repo.working_dir, env=env, stdin=subprocess.DEVNULL,
                              stdout=out, stderr=subprocess.PIPE, check=False)
        if done.returncode != 0:
            raise git.GitCommandError(command, done.returncode, done.stderr)
        out.seek(0)
        text = out.read().decode("utf-8", "surrogateescape")
    return text[:-1] if text.endswith("\n") else text


def rev_before(settings: Settings, instant: str, rev: str = "HEAD") -> str | None:
    """The newest commit of `rev`'s first-parent history made before `instant` (see revs_before)."""
    return revs_before(settings, [instant], rev)[0]


def _git_time(seconds: int) -> str:
    """A time (seconds since 1970) as git's `--before` reads it: `@<seconds>` is read as
    one only from 100,000,000 (1973-03-03) on, and an earlier one was ignored without a
    word (the answer was HEAD); ISO text is read from 1970 on."""
    import datetime as dt

    if seconds >= 100_000_000:
        return f"@{seconds}"
    return dt.datetime.fromtimestamp(seconds, dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S +0000")


def revs_before(settings: Settings, instants: list[str], rev: str = "HEAD") -> list[str | None]:
    """For each instant, the newest commit of `rev`'s first-parent history made before it.

    Instants are ISO 8601 times with a zone (`2026-10-01T00:00:00+00:00`); a
    commit made exactly at an instant does not count as before it. The walks
    are chained (the search for an earlier instant starts at the answer for a
    later one), so the history is walked once, back to the earliest instant.
    None when the history starts after an instant (in a shallow clone, where
    the history may only be cut off, ShallowClone is raised instead).
    """
    import datetime as dt

    repo = open_repo(settings)
    start: str | None = resolve(settings, rev).hexsha
    found: dict[str, str | None] = {}
    for instant in sorted(set(instants), key=dt.datetime.fromisoformat, reverse=True):
        if start is not None:
            before = int(dt.datetime.fromisoformat(instant).timestamp()) - 1
            if before < 0:  # no commit is older than 1970
                start = None
            else:
                start = repo.git.rev_list("--first-parent", "-1",
                                          f"--before={_git_time(before)}", start).strip() or None
        if start is None and is_shallow(repo):
            raise shallow_error(f"the history before {instant} is not here")
        found[instant] = start
    return [found[i] for i in instants]


class LineCommit(NamedTuple):
    """A commit of the first-parent line: its id, UTC date and subject."""

    sha: str
    date: str
    subject: str


def has_parent(settings: Settings, rev: str) -> bool:
    """Whether commit `rev` has a parent (the repository's first commit has none)."""
    return bool(resolve(settings, rev).parents)


def dated_before(settings: Settings, instant: str, rev: str) -> list[LineCommit]:
    """The commits of the first-parent line before commit `rev` (its ancestors there),
    dated at or after `instant`, newest first: after a commit dated earlier than its
    parent, those are where `revs_before` does not look. The walk stops at the first
    one dated before `instant`, so it costs the commits listed. Empty in a shallow clone
    cut at `rev` (its parents are not here: a clone of the month and the commit before
    it is enough to read the month)."""
    import datetime as dt

    repo = open_repo(settings)
    commit = resolve(settings, rev)
    if not commit.parents or commit.hexsha in shallow_commits(repo):
        return []
    seconds = int(dt.datetime.fromisoformat(instant).timestamp())
    out = repo.git.log("--first-parent", f"--since={_git_time(seconds)}", "--format=%H %ct %s",
                       commit.parents[0].hexsha)
    found = []
    for row in out.splitlines():
        sha, time, subject = (row.split(" ", 2) + [""])[:3]
        day = dt.datetime.fromtimestamp(int(time), dt.timezone.utc).date().isoformat()
        found.append(LineCommit(sha, day, subject))
    return found


@dataclass(frozen=True)
class TreeChange:
    """One file that differs between two trees, as `git diff-tree --raw -M` reports it.

    `status` is A, D, M, T or R; paths are relative to the catalog root; blob
    ids are hex; ids are entry ids (None for a path that is not an entry file).
    Fields of the side where the file does not exist are None.
    """

    status: str
    old_path: str | None
    new_path: str | None
    old_blob: str | None
    new_blob: str | None
    old_id: str | None
    new_id: str | None


def diff_trees(settings: Settings, old: str | None, new: str) -> list[TreeChange]:
    """The entry files that differ between revisions `old` and `new`, with renames.

    One `git diff-tree -r -M` between the two trees: its cost grows with what
    changed, not with the history between them. `old` None means the empty tree.
    """
    repo = open_repo(settings)
    paths = EntryPaths(settings, repo)
    out = repo.git.diff_tree("-r", "-M", "--raw", "-z", "--no-commit-id", old or EMPTY_TREE,
                             new, "--", paths.folder + "/")
    parts = out.split("\0")
    changes: list[TreeChange] = []
    zero = "0" * 40
    i = 0
    while i < len(parts) - 1:
        meta = parts[i].lstrip("\n").split()
        if len(meta) < 5:
            i += 1
            continue
        _, _, old_blob, new_blob, status = meta[:5]
        status = status[0]
        if status in "RC":
            old_path, new_path = parts[i + 1], parts[i + 2]
            i += 3
        else:
            old_path = new_path = parts[i + 1]
            i += 2
        if status == "A":
            old_path = None
        elif status == "D":
            new_path = None
        if status == "C":  # a copy is an added file
            status, old_path, old_blob = "A", None, zero
        changes.append(TreeChange(
            status,
            paths.catalog_path(old_path) if old_path else None,
            paths.catalog_path(new_path) if new_path else None,
            None if old_blob == zero else old_blob,
            None if new_blob == zero else new_blob,
            paths.file_id(old_path) if old_path else None,
            paths.file_id(new_path) if new_path else None,
        ))
    return changes


def read_blobs(settings: Settings, blob_ids: list[str]) -> dict[str, bytes]:
    """The bytes of each blob, read from the object database in one `git cat-file --batch`."""
    import subprocess

    if not blob_ids:
        return {}
    repo = open_repo(settings)
    out = subprocess.run(["git", "--git-dir", str(repo.git_dir), "cat-file", "--batch"],
                         input=("\n".join(blob_ids) + "\n").encode("ascii"),
                         capture_output=True, check=True).stdout
    blobs, pos = {}, 0
    for blob in blob_ids:
        end = out.index(b"\n", pos)
        header = out[pos:end].split()
        pos = end + 1
        if len(header) < 3:  # "<id> missing"
            continue
        size = int(header[2])
        blobs[blob] = out[pos:pos + size]
        pos += size + 1
    return blobs


def blob_ids(settings: Settings, names: list[str]) -> dict[str, str]:
    """Object name (`<rev>:<path>`, the path relative to the repository) -> the id of the
    blob it names, in one `git cat-file --batch-check`; names of nothing are left out."""
    import subprocess

    if not names:
        return {}
    repo = open_repo(settings)
    out = subprocess.run(["git", "--git-dir", str(repo.git_dir), "cat-file", "--batch-check"],
                         input=("\n".join(names) + "\n").encode(), capture_output=True,
                         check=True).stdout.decode().split("\n")
    found = {}
    for name, row in zip(names, out):
        header = row.split()
        if len(header) == 3 and header[1] == "blob" and not row.endswith(" missing"):
            found[name] = header[0]
    return found


def read_paths(settings: Settings, rev: str, paths: list[str]) -> dict[str, bytes]:
    """The bytes of the given files (relative to the catalog root) at `rev`; absent ones left out."""
    repo = open_repo(settings)
    tree = resolve(settings, rev).tree
    prefix = EntryPaths(settings, repo).prefix
    out = {}
    for path in paths:
        try:
            out[path] = (tree / (prefix + path)).data_stream.read()
        except KeyError:
            continue
    return out
