"""The independence audit: verdicts on pages with and without affiliate links.

A verdict is hand-written and must never follow the money. Two checks keep
that visible: a verdict that changes (or appears) on a page carrying
affiliate links needs a reviewer who is not one of the page's authors, and
the report shows how ratings split between pages with and without affiliate
links, with every verdict change on affiliate-linked pages in a period.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections import Counter

from ..catalog.loader import load_catalog
from ..catalog.model import Catalog, Entry
from ..config import Settings
from ..history.diff import verdict_change

RATINGS = ("recommended", "situational", "avoid")


def verdict_of(entry: Entry | None) -> dict | None:
    v = entry.data.get("verdict") if entry is not None else None
    return v if isinstance(v, dict) else None


def verdict_changed(old: Entry | None, new: Entry) -> bool:
    """Whether `new` has a verdict that `old` (the same entry earlier) did not have as is:
    a new verdict, or a changed rating or text (`pipeline.history.diff.verdict_change`)."""
    if verdict_of(new) is None:
        return False
    return old is None or verdict_of(old) is None or verdict_change(old, new) is not None


def _slugs(value) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def independent_reviewers(entry: Entry) -> list[str]:
    """Reviewers who are not authors of the entry."""
    authors = set(_slugs(entry.data.get("authors")))
    return [r for r in _slugs(entry.data.get("reviewed_by")) if r not in authors]


def earlier_entry(base: Catalog, entry: Entry,
                  renamed: dict[str, str] | None = None) -> Entry | None:
    """The same entry in an earlier catalog: under its id, the id it had there before
    renames (`renamed`: id now -> id then, see `renames_between`), or one of its
    `redirect_from` ids."""
    found = base.get(entry.id)
    if found is None and renamed and renamed.get(entry.id, entry.id) != entry.id:
        found = base.get(renamed[entry.id])
    if found is None and isinstance(entry.data.get("redirect_from"), list):
        found = next((base.get(old) for old in entry.data["redirect_from"]
                      if isinstance(old, str) and base.get(old) is not None), None)
    return found


def renames_between(settings: Settings, start: str | None, end: str | None) -> dict[str, str]:
    """{id at `end`: id at `start`} of the entries renamed between two revisions (`end`
    None: the working tree, with renames staged but not committed yet, or made with a
    plain `mv` and not added yet, see `moved_without_git`), as git's rename detection
    sees each commit of the first-parent history (`pipeline changes` reads them the same
    way); where that history is not here (a shallow clone), as it sees the two trees.
    Empty when `start` is None (nothing was there before)."""
    from ..errors import PipelineError
    from ..history.gitio import resolve, tree_renames
    from ..history.log import rename_steps

    if start is None:
        return {}
    start = resolve(settings, start).hexsha
    head = resolve(settings, end or "HEAD").hexsha
    try:
        steps = [(old, new) for _t, old, new in rename_steps(settings, f"{start}..{head}")]
        if end is None:  # and what the working tree renamed since HEAD
            seen = tree_renames(settings, head)
            steps += seen + moved_without_git(settings, head, seen)
    except PipelineError:
        steps = tree_renames(settings, start, None if end is None else head)
        if end is None:
            steps += moved_without_git(settings, start, steps)
    origin: dict[str, str] = {}
    for old, new in steps:
        origin[new] = origin.pop(old, old)
    return {new: old for new, old in origin.items() if new != old}


def moved_without_git(settings: Settings, rev: str,
                      seen: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """(old id, new id) of the entry files renamed in the working tree since `rev` that
    git does not pair yet (`seen`: the pairs it does): a plain `mv`, whose new file is
    untracked until `git add`. Each entry file deleted since `rev` is paired with a new
    one as `git add -A` would make git pair them (`git_similar`): files of the same name
    first, then the most similar."""
    from ..history.gitio import changed_entry_ids, entry_ids_at, read_paths

    changed, gone, _ = changed_entry_ids(settings, rev)
    deleted = gone - {old for old, _ in seen}
    added = changed - entry_ids_at(settings, rev) - {new for _, new in seen}
    if not deleted or not added:
        return []
    folder = settings.paths.entries.strip("/")
    files = read_paths(settings, rev, [f"{folder}/{i}.md" for i in sorted(deleted)])
    before = {path[len(folder) + 1:-3]: data for path, data in files.items()}
    after = {}
    for i in sorted(added):
        try:
            after[i] = (settings.path("entries") / f"{i}.md").read_bytes()
        except OSError:
            continue  # a broken link or an unreadable file: validate says why, at its file
    # as git (2.33 on) pairs them: identical files first, then files of the same name,
    # then the most similar
    scores = sorted(((score == 1.0, old.rsplit("/", 1)[-1] == new.rsplit("/", 1)[-1], score,
                      old, new)
                     for old in before for new in after
                     for score in (git_similar(before[old], after[new]),)), reverse=True)
    out: list[tuple[str, str]] = []
    for _same, _same_name, score, old, new in scores:
        if score >= 0.5 and all(old != o and new != n for o, n in out):
            out.append((old, new))
    return out


_CHUNK = re.compile(rb"[^\n]*\n|[^\n]+")


def git_similar(old: bytes, new: bytes) -> float:
    """How similar git finds two files for its rename detection (`-M` pairs them from
    0.5): the bytes of `new` that are also in `old`, over the larger size. The bytes are
    counted in chunks, each a line (its CR before the LF left out) or 64 bytes of a
    longer one, as git's diffcore-delta.c counts them (keyed by the chunk itself where
    git keys by a hash of it)."""
    def chunks(data: bytes) -> Counter:
        if b"\0" not in data[:8000]:  # text, for git
            data = data.replace(b"\r\n", b"\n")
        return Counter(chunk for m in _CHUNK.finditer(data)
                       for chunk in (m[0][i:i + 64] for i in range(0, len(m[0]), 64)))

    if old == new:
        return 1.0  # git pairs identical files first, empty ones too
    size = max(len(old), len(new))
    if not size or 2 * min(len(old), len(new)) < size:
        return 0.0
    a, b = chunks(old), chunks(new)
    return sum(min(a[k], b[k]) * len(k) for k in a.keys() & b.keys()) / size


def catalog_at(settings: Settings, day: _dt.date) -> Catalog:
    """The catalog as committed before `day` began (UTC); empty before the first commit."""
    return catalog_of(settings, rev_at(settings, day))


def catalog_of(settings: Settings, rev: str | None) -> Catalog:
    """The catalog as committed at `rev`; empty for None (before the first commit)."""
    from ..history.gitio import read_tree

    if rev is None:
        return Catalog(entries={})
    files, bib = read_tree(settings, rev)
    catalog, _ = load_catalog(settings, files=files, bibliography=bib)
    return catalog


def entries_of(settings: Settings, rev: str, ids) -> Catalog:
    """The entries of `ids` (those there) as committed at `rev`, as `catalog_of` reads
    them (a symbolic link is none), without reading the others: a few files where the
    whole catalog was 10,000 (6 s on the benchmark catalog)."""
    from ..history.gitio import EntryPaths, open_repo, resolve
    from ..catalog.loader import RawFile

    paths = EntryPaths(settings, open_repo(settings))
    tree = resolve(settings, rev).tree
    files = []
    for entry_id in sorted({i for i in ids if isinstance(i, str)}):
        if entry_id.count("/") != 1 or {"", ".", ".."} & set(entry_id.split("/")):
            continue  # no entry file could have it
        path = f"{paths.folder}/{entry_id}.md"
        try:
            item = tree / path
        except KeyError:
            continue
        if item.type == "blob" and item.mode != 0o120000:
            files.append(RawFile(paths.catalog_path(path), item.data_stream.read()))
    catalog, _ = load_catalog(settings, files=files, bibliography=None)
    return catalog


def rev_at(settings: Settings, day: _dt.date) -> str | None:
    """The last commit made before `day` began (UTC); None before the first commit."""
    from ..history.gitio import rev_before

    return rev_before(settings, f"{day.isoformat()}T00:00:00+00:00")


def rating_split(catalog: Catalog, affiliated: set[str]) -> dict:
    """Published entries with a verdict, counted by rating, with and without affiliate links."""
    split = {key: {"entries": 0, "ratings": dict.fromkeys(RATINGS, 0)}
             for key in ("with_affiliate_links", "without_affiliate_links")}
    for entry in catalog.entries.values():
        v = verdict_of(entry)
        if not entry.is_published or v is None or v.get("rating") not in RATINGS:
            continue
        side = split["with_affiliate_links" if entry.id in affiliated else "without_affiliate_links"]
        side["entries"] += 1
        side["ratings"][v["rating"]] += 1
    return split


def verdict_change_row(old: Entry | None, new: Entry, programs: list[str]) -> dict:
    before, now = verdict_of(old) or {}, verdict_of(new) or {}
    return {
        "entry": new.id, "file": new.file, "title": new.title,
        "kind": "changed" if before else "new",
        "old_rating": before.get("rating"), "new_rating": now.get("rating"),
        "old_text": before.get("text"), "new_text": now.get("text"),
        "date": now.get("date"), "by": now.get("by"),
        "authors": _slugs(new.data.get("authors")),
        "reviewed_by": _slugs(new.data.get("reviewed_by")),
        "independent_reviewers": independent_reviewers(new),
        "programs": programs,
    }
