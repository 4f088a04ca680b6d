"""`pipeline affiliates report` as data: every link, counts per program, the independence audit."""

from __future__ import annotations

import datetime as _dt

from ..catalog.loader import (decode_utf8, parse_bibliography, parse_entry, read_bibliography,
                              read_folder)
from ..catalog.model import Catalog, Entry
from ..config import Settings
from ..errors import PipelineError, UsageError
from .audit import (earlier_entry, entries_of, rating_split, renames_between, rev_at,
                    verdict_change_row, verdict_changed, verdict_of)
from .classify import LinkClass, classify, may_be_claimed
from .links import FoundLink, bibliography_links, cited_source_links, find_links, links_in_text
from .programs import Programs


def paid_sources(bibliography: dict[str, dict], programs: Programs) -> dict[str, dict]:
    """The sources of the shared bibliography whose `url` or `archive_url` is an affiliate
    link: usually none, and then no entry's citations need to be looked at."""
    return {sid: source for sid, source in bibliography.items() if isinstance(source, dict)
            and any(isinstance(source.get(key), str)
                    and classify(source[key].strip(), programs).is_affiliate
                    for key in ("url", "archive_url"))}


def classified_links(entry: Entry, programs: Programs,
                     bibliography: dict | None = None) -> list[tuple[FoundLink, LinkClass]]:
    """The entry's links with their classes; with `bibliography` (sources of the shared
    bibliography: all of them, or the paid ones, see `paid_sources`, where only paid links
    matter), also the links of those it cites (`cited_source_links`): its page lists them."""
    links = find_links(entry)
    if bibliography:
        links += cited_source_links(entry, bibliography)
    return [(link, classify(link.url, programs)) for link in links]


def notable(c: LinkClass) -> bool:
    """Whether the affiliate checks have something to say of a link of class `c`, or count
    it: a program's link (paid or not ours), a shortener, a tracking parameter in another
    case."""
    return c.shortener or c.program is not None or c.miscased is not None


def notable_links(entry: Entry, programs: Programs,
                  bibliography: dict | None = None) -> list[tuple[FoundLink, LinkClass]]:
    """The pairs of `classified_links` whose class is `notable`, in its order. The other
    links, most, are told by their host (classify.may_be_claimed): neither placed in
    the file (the front matter's) nor classified (the affiliate check of an entry of the
    corpus 22.5 -> 17.3 µs)."""
    def keep(url: str) -> bool:
        return may_be_claimed(url, programs)

    links = find_links(entry, keep=keep)
    if bibliography:
        links += [link for link in cited_source_links(entry, bibliography) if keep(link.url)]
    return [(link, c) for link in links if notable(c := classify(link.url, programs))]


def _unparsed_links(catalog: Catalog, settings: Settings) -> list[FoundLink]:
    """Links of entry files that did not load (bad YAML, no front matter), read as plain text."""
    loaded = {e.file for e in catalog.entries.values()}
    out = []
    for raw in read_folder(settings):
        if raw.path in loaded or raw.data is None or not raw.path.endswith(".md"):
            continue
        text, problem = decode_utf8(raw.path, raw.data)  # a control character: its links too
        if problem is None:
            parts = raw.path[:-3].split("/")
            entry_id = "/".join(parts[-2:]) if len(parts) >= 3 else None
            out.extend(links_in_text(text, raw.path, entry_id, where="file"))
    return out


def _digest_files(settings: Settings) -> list[str]:
    """The digests' files (`digests/YYYY-MM.md`), relative to the catalog's root."""
    import re

    folder = settings.path("digests")
    return [path.relative_to(settings.root).as_posix()
            for path in (sorted(folder.glob("*.md")) if folder.is_dir() else [])
            if re.fullmatch(r"\d{4}-\d{2}\.md", path.name) and path.is_file()]


def digest_links(settings: Settings) -> list[FoundLink]:
    """The links of every digest (`digests/YYYY-MM.md`, whatever its status): sent, each is
    an e-mail and a page of the site (/digests/YYYY-MM) with paid links and their
    disclosure; drafted, it is about to be. Read from its text as `pipeline digest render`
    reads it (and what cmark makes a link of), with `where` "digest"; a file that does not
    parse is read whole, as plain text, as an entry file that does not parse."""
    from ..digest.document import DigestError, decode, parse

    out: list[FoundLink] = []
    for file in _digest_files(settings):
        path = settings.root / file
        try:
            data = path.read_bytes()
        except OSError:
            continue
        try:
            doc = parse(decode(data, file), file)
            body, first = doc.body, doc.body_line
        except DigestError:  # a broken marker, a control character: its links all the same
            body, first = data.decode("utf-8", "replace"), 1
        out += links_in_text(body, file, first_line=first, where="digest", rendered=True)
    return out


def _check_bibliography(settings: Settings) -> None:
    """Refuse to report while the shared bibliography cannot be read whole: the links of
    its sources, and those of the entries citing a paid one, would be left out without a
    word (as the programs file, a data file every figure depends on; an entry that does
    not parse is listed from its text instead)."""
    data, problems = read_bibliography(settings)
    problems += parse_bibliography(settings.paths.bibliography, data)[4]
    if problems:
        raise PipelineError("\n".join(
            [f"{d.file}:{d.line}:{d.column}: {d.message}" for d in problems]
            + [f"without the shared bibliography ({settings.paths.bibliography}) the report "
               "would leave out the links of its shared sources, and the entries citing a paid "
               "one; fix it (`pipeline validate` lists its problems), then report again"]))


def _row(link: FoundLink, c: LinkClass) -> dict:
    return {"entry": link.entry, "file": link.file, "line": link.line, "column": link.column,
            "where": link.where, "field": link.field, "url": link.url, "program": c.program,
            "tracking_id": c.tracking_id, "ours": c.ours, "shortener": c.shortener}


def _as_date(value) -> _dt.date | None:
    if value is None or isinstance(value, _dt.date):
        return value
    try:
        return _dt.date.fromisoformat(str(value))
    except ValueError:
        raise UsageError(f"'{value}' is not a date (YYYY-MM-DD)") from None


def _verdict_changes(catalog: Catalog, programs: Programs, since: _dt.date,
                     until: _dt.date | None, settings: Settings) -> list[dict]:
    """Every new or changed verdict of the period on a page with affiliate links, each
    time it changed: every state of the catalog published in the period (each commit of
    the first-parent line from `since` to `until`, and the working tree when there is no
    `until` or the period ends after today) is compared with the one before it, so a
    verdict changed and changed back, or changed while the page carried links removed
    before the period's end, is listed.
    A change counts when the page carries affiliate links before it or after it.

    The commits' changes come from one `git log` of the period (`_line_changes`), and
    only the entry files they touched are read, in one `git cat-file --batch` for the
    states after and one for the states before (asked for only where a published
    verdict may have changed): a commit whose diff `changes_between` reads otherwise
    than git's (a merge, or one that adds an entry and removes or modifies another: a
    rename git's `-M` does not pair) is compared by `changes_between` itself."""
    from ..history.changes import changes_between
    from ..history.gitio import (EntryPaths, changed_entry_ids, entry_ids_at, open_repo,
                                 read_blobs, resolve)

    start = rev_at(settings, since)
    end = rev_at(settings, until) if until else resolve(settings, "HEAD").hexsha
    # a period that ends after today holds today, and so the working tree (left out of
    # `--until <a day to come>` while `--until` left out held it: found in review 24),
    # unless a commit dated at or after its end (a clock ahead) came after it
    worktree = until is None or (until > _dt.datetime.now(_dt.timezone.utc).date()
                                 and end == resolve(settings, "HEAD").hexsha)
    revs: list[str] = []
    repo = open_repo(settings)
    paths = EntryPaths(settings, repo)
    if end is not None and end != start:
        revs = repo.git.rev_list("--first-parent", "--reverse",
                                 f"{start}..{end}" if start else end, "--",
                                 paths.folder + "/", paths.prefix + settings.paths.bibliography
                                 ).split()
    paid_at = _paid_sources_at(settings, programs, [start, *revs])
    prefix = settings.paths.entries.strip("/")
    rows: list[tuple[str, int, dict]] = []
    parent, line = _line_changes(settings, start, end) if revs else ({}, {})
    # (step, rev before, rev, old repo path or None, new repo path) of each entry file
    # that may hold a published verdict after the commit
    candidates: list[tuple[int, str, str, str | None, str]] = []
    for step, (old_rev, new_rev) in enumerate(zip([start, *revs], revs)):
        base = parent.get(new_rev)  # its state before: no merge from old_rev to it
        while base is not None and base != old_rev:  # (the commits between touched
            base = parent.get(base)                     # no entry file: not listed)
        if base is None or new_rev not in line:
            for change in changes_between(settings, old_rev, new_rev).changes:
                row = _change_row(change.old, change.new, programs,
                                  lambda r=old_rev: paid_at(r), lambda r=new_rev: paid_at(r))
                if row is not None:
                    rows.append((row["file"], step, {**row, "commit": new_rev}))
            continue
        candidates += [(step, old_rev, new_rev, old, new) for old, new in line[new_rev]]
    after = read_blobs(settings, [f"{rev}:{new}" for _, _, rev, _, new in candidates])
    parsed = []
    for step, old_rev, new_rev, old_path, new_path in candidates:
        data = after.get(f"{new_rev}:{new_path}")
        entry = parse_entry(paths.catalog_path(new_path), data, prefix)[0] \
            if data is not None else None
        if entry is not None and entry.is_published and verdict_of(entry) is not None:
            parsed.append((step, old_rev, new_rev, old_path, entry))
    before = read_blobs(settings, [f"{rev}:{old}" for _, rev, _, old, _ in parsed if old])
    for step, old_rev, new_rev, old_path, new in parsed:
        data = before.get(f"{old_rev}:{old_path}") if old_path else None
        old = parse_entry(paths.catalog_path(old_path), data, prefix)[0] \
            if data is not None else None
        row = _change_row(old, new, programs, lambda r=old_rev: paid_at(r),
                          lambda r=new_rev: paid_at(r))
        if row is not None:
            rows.append((row["file"], step, {**row, "commit": new_rev}))
    if worktree:  # and what the working tree changed since HEAD
        head = revs[-1] if revs else start
        # only the entries git does not find as committed at `head` can have changed
        changed: list[Entry] = list(catalog.entries.values())
        renamed: dict[str, str] = {}
        before_head = Catalog(entries={})
        if head is not None:
            at_head = entry_ids_at(settings, head)
            edited, gone, _ = changed_entry_ids(settings, head)
            same = at_head - edited - gone
            changed = [e for e in changed if e.id not in same]
            renamed = renames_between(settings, head, None) if changed and at_head else {}
            before_head = entries_of(settings, head, [
                i for e in changed for i in (e.id, renamed.get(e.id),
                                             *_listed(e.data.get("redirect_from")))])
        for entry in changed:
            old = earlier_entry(before_head, entry, renamed)
            row = _change_row(old, entry, programs, lambda: paid_at(head),
                              lambda: paid_sources(catalog.bibliography, programs))
            if row is not None:
                rows.append((row["file"], len(revs), {**row, "commit": None}))
    return [row for *_, row in sorted(rows, key=lambda r: r[:2])]


def _listed(value) -> list:
    return value if isinstance(value, list) else []


def _line_changes(settings: Settings, start: str | None, end: str
                  ) -> tuple[dict[str, str], dict[str, list[tuple[str | None, str]]]]:
    """(commit -> its parent, for each commit of the first-parent line from `start` to
    `end` that is not a merge nor the first commit; commit -> [(old path or None, new
    path)]: the entry files it left, paths relative to the repository, with the path
    where the entry was before, for each of those commits whose entry files
    `changes_between(parent, commit)` reads as git's diff of the entries folder shows
    them). Left out of the second: a commit that adds an entry file and removes or
    modifies another (a rename `-M` does not pair: a rewrite with the old id reused, or
    a `redirect_from`); a commit that touched no entry file is there, with nothing.
    One `git rev-list` and one `git log`, whatever the number of commits."""
    from ..history.gitio import EntryPaths, log, open_repo
    from ..history.log import FIRST_PARENT, parse_log

    repo = open_repo(settings)
    paths = EntryPaths(settings, repo)
    revs = f"{start}..{end}" if start else end
    parent = {}
    for row in repo.git.rev_list("--first-parent", "--parents", revs).splitlines():
        sha, *parents = row.split()
        if len(parents) == 1:
            parent[sha] = parents[0]
    changes: dict[str, list[tuple[str | None, str]]] = dict.fromkeys(parent, [])
    for commit in parse_log(log(settings, *FIRST_PARENT, revs)):
        if commit.sha not in parent:
            continue
        kinds, kept = set(), []
        for status, old, path in commit.changes:
            old = old if status == "R" else None if status in "AC" else path
            new = None if status == "D" else path
            old_id, new_id = paths.id(old) if old else None, paths.id(new) if new else None
            if old_id is None and new_id is None:
                continue
            kinds.add("added" if old_id is None else "removed" if new_id is None else "kept")
            if new_id is not None:
                kept.append((old if old_id else None, new))
        if "added" in kinds and kinds & {"removed", "kept"}:
            del changes[commit.sha]
        else:
            changes[commit.sha] = kept
    return parent, changes


def _paid_sources_at(settings: Settings, programs: Programs, revs: list[str | None] | set):
    """rev -> the paid sources of the shared bibliography as committed at `rev` (None:
    none). The bibliography's blob at each of `revs` is looked up at once (one `git
    cat-file --batch-check`), and each version of it read and parsed once, when first
    asked for: it changes far less often than the entries."""
    from ..history.gitio import EntryPaths, blob_ids, open_repo, read_blobs, read_paths

    bib = settings.paths.bibliography
    name = EntryPaths(settings, open_repo(settings)).prefix + bib
    revs = set(revs)
    blob_of = blob_ids(settings, [f"{rev}:{name}" for rev in revs if rev])
    known: dict[str | None, dict] = {None: {}}

    def paid_at(rev: str | None) -> dict[str, dict]:
        looked_up = rev in revs
        key = blob_of.get(f"{rev}:{name}") if looked_up else rev  # None: no bibliography
        if key not in known:
            data = read_blobs(settings, [key]).get(key) if looked_up \
                else read_paths(settings, key, [bib]).get(bib)
            known[key] = paid_sources(parse_bibliography(bib, data)[0], programs)
        return known[key]

    return paid_at


def _change_row(old: Entry | None, new: Entry | None, programs: Programs,
                paid_before, paid_after) -> dict | None:
    """The row of a verdict new or changed from `old` (the entry in the state before, or
    None) to `new` (in the state after) when the page carries affiliate links in either
    state; None when there is no such change. A draft's verdict was on no page: it is new
    the day its entry is published. `paid_before()`, `paid_after()`: the paid shared
    sources of each state, asked for only when a verdict changed."""
    if new is None or not new.is_published:
        return None
    if old is not None and not old.is_published:
        old = None
    if not verdict_changed(old, new):
        return None
    paid = {c.program for entry, bib in ((old, paid_before), (new, paid_after))
            if entry is not None
            for _, c in classified_links(entry, programs, bib()) if c.is_affiliate}
    return verdict_change_row(old, new, sorted(paid)) if paid else None


def _refuse_a_future_period(settings: Settings, since: _dt.date) -> None:
    """A period that has not begun has no change yet: it was reported as "none", a quiet
    period, with exit 0 (and the working tree's changes as made in it). Days begin at
    00:00 UTC, as the period's; a commit dated in the period (a clock ahead) begins it."""
    from ..history.gitio import resolve

    today = _dt.datetime.now(_dt.timezone.utc).date()
    if since <= today:
        return
    head = resolve(settings, "HEAD").committed_datetime.astimezone(_dt.timezone.utc).date()
    if head < since:
        raise UsageError(f"--since {since} is in the future (today is {today}, UTC): the "
                         "period has not begun, so no change is in it yet")


def affiliate_report(catalog: Catalog, programs: Programs, since=None, until=None,
                     settings: Settings | None = None) -> dict:
    """Every link of every entry, of the shared bibliography and (with `settings`) of
    every digest, counts per program and the independence audit. The counts are of the
    links readers see, on pages and in e-mails: an entry's (its cited shared sources
    included, which its page lists) and a digest's; a source of the shared bibliography
    is listed at its own line too, but counted only where an entry cites it.
    `entries` and `digests` count the entries (or entry files that did not parse) and
    the digests holding a program's links.

    With `settings`, entry files that could not be parsed are read as plain
    text so that their links are listed too, and `since` (with an optional
    `until`, dates or YYYY-MM-DD) lists the verdict changes of the days
    [since, until) on pages with affiliate links, read from git (like
    `pipeline changes`); without `until`, or with one after today, the period runs to
    the working tree.
    """
    since, until = _as_date(since), _as_date(until)
    if until and not since:
        raise UsageError("--until needs --since: the period starts at --since")
    if since and until and until <= since:
        raise UsageError(f"--until {until} is not after --since {since}")
    if since and settings is None:
        raise UsageError("verdict changes in a period need the catalog's settings (git)")
    if since:
        _refuse_a_future_period(settings, since)
    if settings is not None:
        _check_bibliography(settings)
    # every shared source an entry cites is its link (the page lists it), paid or not
    pairs = [pair for entry in catalog.entries.values()
             for pair in classified_links(entry, programs, catalog.bibliography)]
    pairs += [(link, classify(link.url, programs)) for link in bibliography_links(catalog)]
    if settings is not None:
        pairs += [(link, classify(link.url, programs)) for link in _unparsed_links(catalog, settings)]
        digests = [(link, classify(link.url, programs)) for link in digest_links(settings)]
        pairs += digests
    else:
        digests = []
    pairs.sort(key=lambda p: (p[0].file, p[0].line, p[0].column))
    # what readers see: the bibliography's own rows are no page (its sources count at
    # each entry citing them, `where: citation`)
    seen = [(link, c) for link, c in pairs if link.where != "bibliography"]
    counts = {p.id: {"name": p.name, "links": 0, "ours": 0, "foreign": 0, "shorteners": 0,
                     "entries": set(), "digests": set()} for p in programs.programs}
    for link, c in seen:
        if c.is_affiliate:
            n = counts[c.program]
            n["links"] += 1
            n["shorteners" if c.shortener else "ours" if c.ours else "foreign"] += 1
            n["digests" if link.where == "digest" else "entries"].add(link.entry or link.file)
    for n in counts.values():
        n["entries"], n["digests"] = len(n["entries"]), len(n["digests"])
    affiliated = {link.entry for link, c in seen if c.is_affiliate and link.entry}
    return {
        "links": [_row(link, c) for link, c in pairs],
        "programs": counts,
        "totals": {
            "links": len(seen),
            "affiliate_links": sum(1 for _, c in seen if c.is_affiliate),
            "shorteners": sum(1 for _, c in seen if c.shortener),
            "entries": len(catalog.entries),
            "entries_with_affiliate_links": len(affiliated),
            "digests": len(_digest_files(settings)) if settings is not None else 0,
            "digests_with_affiliate_links": len({link.file for link, c in digests
                                                 if c.is_affiliate}),
        },
        "independence": {
            "counted": "published entries with a verdict",
            **rating_split(catalog, affiliated),
            "period": {"since": since.isoformat() if since else None,
                       "until": until.isoformat() if until else None},
            "verdict_changes": _verdict_changes(catalog, programs, since, until, settings)
            if since else [],
        },
    }
