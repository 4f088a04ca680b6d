"""Every call to git lives here (GitPython)."""

from __future__ import annotations

import git

from ..config import Settings
from ..errors import UsageError


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


def changed_entry_ids(settings: Settings, rev: str) -> tuple[set[str], set[str]]:
    """(ids changed or added since `rev` in the working tree, ids gone or renamed away)."""
    repo = open_repo(settings)
    resolve(settings, rev)
    out = repo.git.diff("--name-status", "-M", "-z", rev, "--", str(settings.root))
    changed: set[str] = set()
    gone: set[str] = set()
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
            continue
        path = parts[i + 1]
        i += 2
        eid = _entry_id(settings, path, repo)
        if eid is None:
            continue
        (gone if status.startswith("D") else changed).add(eid)
    for path in repo.untracked_files:
        eid = _entry_id(settings, path, repo)
        if eid:
            changed.add(eid)
    return changed, gone


def resolve(settings: Settings, rev: str) -> git.Commit:
    repo = open_repo(settings)
    try:
        return repo.commit(rev)
    except (git.BadName, ValueError, git.GitCommandError):
        shallow = " (this is a shallow clone: fetch the history with fetch-depth: 0)" if (
            is_shallow(repo)) else ""
        raise UsageError(f"unknown revision '{rev}'{shallow}") from None


def is_shallow(repo: git.Repo) -> bool:
    import os

    return os.path.exists(os.path.join(repo.git_dir, "shallow"))


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
