"""`pipeline digest draft`: write or refresh `digests/YYYY-MM.md` from the month's history.

The month's change set (first-parent history, [first day, first day of the
next month) in UTC) and the month's upstream releases become generated
blocks; an existing file is merged (see `merge`), written atomically with the
line endings (CRLF stays CRLF) and the BOM it had, and its previous version is
copied to `.digest-backups/` first; a file whose text did not change is left
alone. A file saved while the draft ran (between its reading and the write) is
left as saved: the draft stops and writes nothing. A digest made read-only, or
marked `sent` (in any case), is not redrafted, nor is one with no `status:` at all
(the build publishes it as an archive sent); one that is a symbolic link is
written through the link (the file it points to gets the draft, the link stays),
and a link to nothing is refused.
"""

from __future__ import annotations

import codecs
import datetime as _dt
import json
import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

import jinja2

from ..catalog.loader import parse_entry
from ..checks.commits import unread_corrections
from ..catalog.model import Entry
from ..config import Settings
from ..errors import SettingsError, UsageError
from ..feeds import FeedReport, collect, items_in_month
from ..feeds.sources import COLLECTION, FeedSource, feed_sources, sources_of
from ..feeds.fetch import TIMEOUT
from ..feeds.parse import FeedItem, address_key, own_link, release_link, same_release
from ..fileio import take_lock, write_atomic
from ..history import gitio
from ..history.changes import ChangeSet, changes_in_period
from .document import DigestError, decode, fingerprint, parse, plain_newlines
from .merge import MergeStats, merge
from .month import Month
from .render import dropped_text, front_matter
from .sections import SECTIONS, generate

BACKUPS = ".digest-backups"
SENT = "sent"


@dataclass
class DraftResult:
    path: Path
    written: bool  # False when the file was already up to date
    backup: Path | None
    stats: MergeStats
    changes: ChangeSet
    feeds: FeedReport = field(default_factory=FeedReport)
    # commits of the month whose `Correction:` line git does not read (checks/commits.py)
    unread_corrections: list[str] = field(default_factory=list)
    # (feed URL, its tool's entry id, releases of the month left out, releases of the month)
    # of each feed with more releases in the month than digest.releases_per_feed
    capped: list[tuple[str, str, int, int]] = field(default_factory=list)
    # the editor's words the e-mail and the page drop with raw HTML (render.dropped_text)
    dropped: list[str] = field(default_factory=list)
    # what render says of the front matter, as the draft leaves it (`front_warnings`)
    front: list[str] = field(default_factory=list)


def skeleton(month: Month) -> str:
    """The text of a new digest: front matter, placeholders, and empty blocks."""
    env = jinja2.Environment(loader=jinja2.PackageLoader("pipeline", "templates/digest"),
                             autoescape=False, keep_trailing_newline=True,
                             undefined=jinja2.StrictUndefined)
    env.filters["yaml_str"] = lambda v: json.dumps(str(v), ensure_ascii=False)
    return env.get_template("draft.md.j2").render(
        month=str(month), month_name=month.name, sections=[sid for sid, _ in SECTIONS],
        subject=f"What changed in local AI: {month.name}",
        preheader=f"New entries, verdict changes, corrections and upstream releases of {month.name}.",
        empty=fingerprint(""),
    )


def _corrected(settings: Settings, cs: ChangeSet) -> dict[str, Entry]:
    """The corrected entries as they are at the end of the period."""
    known = {c.entry: c.new for c in cs.changes if c.new is not None}
    missing = sorted({k.entry for k in cs.corrections} - set(known))
    prefix = settings.paths.entries.strip("/")
    paths = [f"{prefix}/{eid}.md" for eid in missing]
    for path, data in gitio.read_paths(settings, cs.end, paths).items():
        entry, _ = parse_entry(path, data, prefix)
        if entry is not None:
            known[entry.id] = entry
    return known


def _backup(settings: Settings, data: bytes, month: Month) -> Path:
    folder = settings.root / BACKUPS
    n = 1 + max((int(p.stem.rsplit(".", 1)[1]) for p in folder.glob(f"{month}.*.md")
                 if p.stem.rsplit(".", 1)[1].isdigit()), default=0)
    target = folder / f"{month}.{n}.md"
    write_atomic(target, data)
    return target


def front_warnings(settings: Settings, doc, file: str, m: Month) -> list[str]:
    """What `digest render` says of the front matter that the draft keeps as the editor
    wrote it (render.front_matter), in render's words, each at its place (see
    diagnostics.warning_line): what it refuses (a `subject:` missing or not text, an
    invisible character written as an escape or a paid link's address in the subject or
    the preheader, a `month:` other than the file's), said to be refused, and what it
    warns of (a value a `#` cuts short, a `status:` that is none of a digest's). An
    editor drafts, edits and drafts again before render: the draft said nothing of them
    (found in review). The programs are read as validate reads them: a broken programs
    file is validate's and render's to refuse, not the draft's."""
    from ..affiliates.programs import read_programs

    front = front_matter(doc, file, m, read_programs(settings)[0])
    return [*(f"{problem} (digest render refuses it)" for problem in front.refused),
            *front.warnings]


def _check_place(settings: Settings, path: Path, file: str) -> None:
    """Refuse, before any work, a digest the draft must not or cannot write: one the
    editor made read-only, a link to nothing, a folder, or no folder to put it in."""
    folder = settings.path("digests")
    if os.path.lexists(folder) and not folder.is_dir():
        raise SettingsError(f"{settings.paths.digests} is a file, not a folder: paths.digests "
                            "in pipeline.toml names the folder of the digests (default: "
                            "digests); change the setting, or move the file away")
    if path.is_symlink() and not path.exists():
        raise UsageError(f"{file} is a symbolic link to {os.readlink(path)}, which does not "
                         "exist; the draft writes through the link, so make the file it points "
                         "to (or remove the link) and draft again")
    if path.is_dir():
        raise UsageError(f"{file} is a folder, not a file; move it away and draft again")
    if path.exists() and (not os.stat(path).st_mode & 0o222 or not os.access(path, os.W_OK)):
        raise UsageError(f"{file} is read-only, so it is not redrafted (nothing was written); "
                         f"to draft it again, make it writable (chmod u+w {file})")


def _check_backups(settings: Settings, file: str) -> None:
    """Refuse a file where the backups' folder goes (the previous version must be kept)."""
    folder = settings.root / BACKUPS
    if os.path.lexists(folder) and not folder.is_dir():
        raise UsageError(f"{BACKUPS} is a file, not a folder: the draft keeps the previous "
                         f"version of {file} in {BACKUPS}/ before writing it; move that file "
                         "away and draft again (nothing was written)")


def _read(path: Path) -> bytes | None:
    """The file's bytes; None when there is no such file."""
    try:
        return path.read_bytes() if path.is_file() else None
    except FileNotFoundError:
        return None


def _as_written(text: str, raw: bytes, existing: str) -> str:
    """`text` (LF line endings, no BOM, as parse() reads a file) with the line endings
    and the byte order mark of the file it replaces: an editor's CRLF file stays CRLF,
    an old Mac's CR file CR (most of its line breaks), and a BOM the file began with stays."""
    crlf = existing.count("\r\n")
    counts = {"\r\n": crlf, "\r": existing.count("\r") - crlf, "\n": existing.count("\n") - crlf}
    newline = max(counts, key=lambda k: (counts[k], k == "\n"))  # a tie: LF
    if newline != "\n":
        text = text.replace("\n", newline)
    if raw.startswith(codecs.BOM_UTF8):
        text = "\ufeff" + text
    return text


def _tools_at(settings: Settings, rev: str) -> list[Entry]:
    """The tool entries at `rev` (the month's end): those published then are the ones
    whose releases the month lists, under their titles then (a tool published or
    retired later, in the working tree, is not)."""
    prefix = settings.paths.entries.strip("/")
    ids = sorted(i for i in gitio.entry_ids_at(settings, rev) if i.startswith(f"{COLLECTION}/"))
    found = gitio.read_paths(settings, rev, [f"{prefix}/{i}.md" for i in ids])
    return [e for e in (parse_entry(path, data, prefix)[0] for path, data in found.items())
            if e is not None]


def _feeds_of(now: list[FeedSource], then: list[FeedSource]) -> list[FeedSource]:
    """The feeds to read: those the tools list now (a feed that moved is read at its new
    address), and those of the month's end of a tool that lists none now."""
    listing = {s.entry for s in now}
    # one read at the month's end is at no place: its file lists no feed now
    return sorted([*now, *(replace(s, where="") for s in then if s.entry not in listing)],
                  key=lambda s: (s.entry, s.url))


def feed_warnings(report: FeedReport) -> list[str]:
    """The problem of each feed a draft read, as the text of a warning (see
    diagnostics.warning_line), at the place its entry names it: `entries/tools/vllm.md:
    14:5: feed https://... (tools/vllm): HTTP 500; ...`, the line to fix or remove it at
    (it named the entry alone). A feed of a tool at the month's end that lists none now
    has no place in a file."""
    out = []
    for r in report.problems:
        where = r.source.where
        problem = r.problem.removeprefix(f"{where}: ") if where else r.problem
        said = f"feed {r.source.url} ({r.source.entry}): {problem}"
        out.append(f"{where}: {said}" if where else said)
    return out


def _renames(settings: Settings, cs) -> tuple[dict[str, str], dict[str, str]]:
    """(every entry id renamed in the month -> its id at the end (chains followed; one
    renamed back to where it was is left out), the same for the old ids another entry
    holds at the end).

    An item under an old id another entry holds may be about either (see merge's
    `taken`); taken for the renamed entry's, an item deleted or edited for the new one
    came back or was listed twice.
    A deletion ends a chain: an entry added later under the id is another one. A rename
    the month's changes found that no commit made (an entry deleted and another added
    whose `redirect_from` lists it: renamed, whatever git saw) is one too.
    """
    from ..history.log import rename_steps

    final: dict[str, str] = {}
    for _t, old, new in rename_steps(settings, f"{cs.start}..{cs.end}" if cs.start else cs.end,
                                     deletions=True):
        if new is None:  # `old` was deleted: what was renamed to it goes nowhere
            final = {k: v for k, v in final.items() if v != old}
            continue
        for k, v in final.items():
            if v == old:
                final[k] = new
        final[old] = new
    for c in cs.of_kind("renamed"):  # as `pipeline changes` reads the month
        if c.previous and final.get(c.previous) != c.entry:
            final.update({k: c.entry for k, v in final.items() if v == c.previous})
            final[c.previous] = c.entry
    final = {k: v for k, v in final.items() if k != v}
    taken = gitio.entry_ids_at(settings, cs.end) & final.keys() if final else set()
    return ({k: v for k, v in final.items() if k not in taken},
            {k: v for k, v in final.items() if k in taken})


def _one_per_release(usable):
    """The feeds' results with each release of a tool once: two feeds of one tool (its
    GitHub releases and its blog) whose items have one link (see parse.release_link)
    announce one release, listed once, as the feed that dates it first gives it (of one
    day, the feed whose address sorts first): its date and words do not hang on the order
    the feeds were read in."""
    first: dict[tuple[str, str], FeedItem] = {}
    for r in usable:
        for i in r.items:
            if own_link(i):
                at = (i.entry, release_link(i.link))
                if at not in first or (i.date, i.feed) < (first[at].date, first[at].feed):
                    first[at] = i
    return [replace(r, items=tuple(i for i in r.items if not own_link(i)
                                   or first[(i.entry, release_link(i.link))] is i))
            if r.items else r for r in usable]


def _rekey_file(doc, usable, renames: dict[str, str], taken: dict[str, str]) -> None:
    """Give each release the file knows (its items, the keys the last draft wrote, the
    ids in `deleted:`) the key its feed gives it now, when that changed: a release keeps
    its key's other half when its feed changes its link or its id (parse.release_key),
    and a key of a draft before such keys is one of its `former`. The file then knows
    the release by its link and its id as they are now, so that it stays the release
    its item was, edited or deleted, when the feed changes the other next (kept under a
    key of its id alone, a release of a digest drafted before releases were known by
    their links came back, deleted, when its feed gave it a new id; found in review).
    An item's entry renamed in the month is followed as the merge follows it. A key
    that names two releases of the feeds (by one half each) is left as it is; one
    matched by its id's half is taken first."""
    block = doc.blocks().get("releases")
    ids = [*doc.deleted, *((s.id for s in block.segments) if block is not None else ()),
           *((f"releases/{k}" for k in block.drafted) if block is not None else ())]
    ids = [i for i in dict.fromkeys(ids) if i.startswith("releases/") and i.count("/") == 3]
    items: dict[str, list[FeedItem]] = {}
    for r in usable:
        for i in r.items:
            items.setdefault(i.entry, []).append(i)

    def entries(item_id: str) -> tuple[str, str, list[str]]:
        entry, _, key = item_id.partition("/")[2].rpartition("/")
        return entry, key, list(dict.fromkeys([entry, renames.get(entry, entry),
                                               taken.get(entry, entry)]))

    def named(item_id: str) -> list[tuple[str, str]]:  # the (entry, key) it names exactly
        _, key, names = entries(item_id)
        return [(e, key) for e in names if any(i.key == key for i in items.get(e, ()))]

    # the days an item's text dates its release at (`(2026-10-05)`, as sections writes it)
    days = {seg.id: set(_DAY.findall(seg.text)) for seg in block.segments} if block else {}

    def of_another_day(item_id: str, i: FeedItem) -> bool:
        """Whether the file's item dates its release at another day than `i`, so that
        `i`, which has half its key, is another release: a feed listing its newest
        release alone with one id for all (`<guid>latest</guid>`) gives the next one the
        id's half, and taken for the release the item was, the new one replaced it (its
        item untouched: the old release went from the digest; edited: the new one was
        never listed; found in review)."""
        return bool(days.get(item_id)) and i.date not in days[item_id]

    claimed = {found for item_id in ids for found in named(item_id)}
    done = {item_id for item_id in ids if named(item_id)}
    moves: dict[str, str] = {}
    for by_id in (True, False):  # the half of its id first: a link may move to another
        for item_id in ids:
            entry, key, names = entries(item_id)
            if item_id in done or (by_id and len(key) != 16):
                continue
            found = {(i.entry, i.key) for e in names for i in items.get(e, ())
                     if (i.entry, i.key) not in claimed and not of_another_day(item_id, i)
                     and (key[8:] == i.key[8:] if by_id else same_release(key, i))}
            if len(found) == 1:
                (one,) = found
                moves[item_id] = f"releases/{entry}/{one[1]}"
                claimed.add(one)
                done.add(item_id)
    if not moves:
        return
    if any(d in moves for d in doc.deleted):
        doc.set_deleted(list(dict.fromkeys(moves.get(d, d) for d in doc.deleted)))
    if block is not None:
        for seg in block.segments:
            seg.id = moves.get(seg.id, seg.id)
        block.drafted = [moves.get(f"releases/{k}", f"releases/{k}").partition("/")[2]
                         for k in block.drafted]


_DAY = re.compile(r"\((\d{4}-\d{2}-\d{2})\)")


def _release_held(usable, published: dict[str, str], releases):
    """Whether an untouched release item the month's feeds no longer give stays (merge's
    `held`): a feed lists only its latest releases (GitHub's releases.atom the newest ten),
    and one may fail with no cached copy, so a release missing from it now was still
    released in the month, as the last draft read it. It goes only when a feed of its tool
    still lists it, dated outside the month, when its tool is not published at the
    month's end, or when the month's items of its tool have its link under another key
    (a feed without ids that moved: its items are named by the feed's address)."""
    listed = {(i.entry, i.key) for r in usable for i in r.items}
    links: dict[str, set[str]] = {}
    for i in releases:
        if i.link:
            links.setdefault(i.entry, set()).add(release_link(i.link))

    def held(item_id: str, text: str = "") -> bool:
        section, _, rest = item_id.partition("/")
        entry, _, key = rest.rpartition("/")
        if section != "releases" or entry not in published or (entry, key) in listed:
            return False
        return not _links_in(text) & links.get(entry, set())

    return held


_LINK = re.compile(r"\]\(([^()\s]+)\)")


def _links_in(text: str) -> set[str]:
    """The releases an item's text links to, as `release_link` names them: a release whose
    feed moved from http to https is the one its item links to still."""
    return {release_link(link) for link in _LINK.findall(text)}


def _release_rekey(releases):
    """merge's `rekey`: the id of the month's release of the same tool whose link an item
    of the file links to (its scheme aside: see parse.release_link), when exactly one does
    (see `merge`)."""
    by_entry: dict[str, list[tuple[str, str]]] = {}
    for i in releases:
        if i.link:
            by_entry.setdefault(i.entry, []).append((release_link(i.link), i.key))

    def rekey(item_id: str, text: str) -> str | None:
        section, _, rest = item_id.partition("/")
        entry, _, _ = rest.rpartition("/")
        if section != "releases":
            return None
        linked = _links_in(text)
        keys = {key for link, key in by_entry.get(entry, ()) if link in linked}
        return f"releases/{entry}/{keys.pop()}" if len(keys) == 1 else None

    return rekey


def _newest_per_feed(usable, month: str, limit: int, in_file: set[str]):
    """(the (entry, key) of the month's releases the digest lists, the feeds over the limit
    as DraftResult.capped): the `limit` newest of each feed (of one day, the first its feed
    lists), and every one whose item the file holds already (never removed by the limit).
    A feed with 500 nightly builds in the month filled the digest (found in review)."""
    kept: set[tuple[str, str]] = set()
    over: list[tuple[object, list]] = []
    for r in usable:
        items = items_in_month(list(r.items), month)
        newest = sorted(items, key=lambda i: i.date, reverse=True)  # stable: feed order
        kept.update((i.entry, i.key) for i in newest[:limit])
        kept.update((i.entry, i.key) for i in newest[limit:]
                    if f"releases/{i.entry}/{i.key}" in in_file)
        if len(newest) > limit:
            over.append((r, newest))
    capped = []
    for r, items in over:
        left = len({(i.entry, i.key) for i in items} - kept)
        if left:
            capped.append((r.source.url, r.source.entry, left, len(items)))
    return kept, capped


def _releases_in_file(doc, renames: dict[str, str], taken: dict[str, str], rekey) -> set[str]:
    """The ids of the release items the file holds, as the merge will see them (its
    entry renamed in the month, or its release keyed anew)."""
    from .merge import _renamed_key

    block = doc.blocks().get("releases")
    out: set[str] = set()
    for seg in block.segments if block is not None else ():
        out.add(seg.id)
        key = seg.id.partition("/")[2]
        for moves in (renames, taken):
            out.add("releases/" + _renamed_key(key, moves))
        new = rekey(seg.id, seg.text)
        if new:
            out.add(new)
    return out


def _moved_deletions(doc, releases, addresses: dict[str, set[str]]) -> list[str]:
    """The ids of the month's releases the editor deleted under another address of their
    tool's feed: an item with no id of its own is keyed by its feed's address and link,
    so once the feed moved, a release deleted came back under its new key (an item edited
    is found by its link: `_release_rekey`). Deleted: in `deleted:`, or drafted by the
    last draft and gone from the file. `addresses`: entry id -> every feed address its
    tool had at the month's start, at its end and now."""
    deleted = doc.deleted
    gone = {d.rpartition("/")[2] for d in deleted if d.startswith("releases/")}
    block = doc.blocks().get("releases")
    if block is not None:
        present = {s.id.rpartition("/")[2] for s in block.segments}
        gone |= {k.rpartition("/")[2] for k in block.drafted} - present
    gone |= {k[8:] for k in gone if len(k) == 16}  # the halves of their ids (release_key)
    out = []
    for i in releases:
        item_id = f"releases/{i.entry}/{i.key}"
        if item_id in deleted or address_key(i.feed, i.link, i.title) not in (i.key, *i.former):
            continue  # deleted already, or with an id of its own
        if any(address_key(url, i.link, i.title) in gone
               or address_key(url, i.link, i.title)[:8] in gone
               for url in addresses.get(i.entry, ()) if url != i.feed):
            out.append(item_id)
    return out


def draft(settings: Settings, month: str, *, offline: bool = False,
          timeout: float = TIMEOUT, today: _dt.date | None = None,
          on_wait=None) -> DraftResult:
    """Draft (or refresh) the digest of `month` (`YYYY-MM`): the month so far, or a past
    one; a month that has not begun is refused (it would read as an empty month).

    Two drafts of one month run one after the other: `on_wait(sentence)` is called
    when another is drafting it, naming its process, and this one reads the file as
    that one leaves it."""
    m = Month.parse(month)
    today = today or _dt.datetime.now(_dt.timezone.utc).date()
    if m.first_day > today.isoformat():
        raise UsageError(f"{m} has not begun yet (today is {today.isoformat()}, UTC); "
                         "draft it once it has")
    path = settings.path("digests") / f"{m}.md"
    file = path.relative_to(settings.root).as_posix()
    lock = _take_lock(settings, m, file, on_wait)
    try:
        return _draft(settings, m, path, file, offline, timeout)
    finally:
        if lock is not None:
            lock.close()


def _take_lock(settings: Settings, m: Month, file: str, on_wait):
    """Hold the month's lock (in the cache folder: never committed), or None when it
    cannot be made there (a draft does not need it to be sound on its own). A second
    draft started while one ran read the file before the first wrote it, then stopped,
    telling the editor that they had saved meanwhile (found in review)."""
    def waiting(who: str) -> None:
        if on_wait is not None:
            on_wait(f"Waiting for {who}, which is drafting {file}; this draft starts when "
                    "that one ends, from the file as it leaves it.")

    folder = settings.path("cache")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        return take_lock(folder / f"digest-{m}.lock", waiting)
    except OSError:
        return None


def _draft(settings: Settings, m: Month, path: Path, file: str, offline: bool,
           timeout: float) -> DraftResult:
    """`draft`, holding the month's lock."""
    _check_place(settings, path, file)
    raw = _read(path)
    existing = decode(raw, file) if raw is not None else None
    doc = parse(existing if existing is not None else skeleton(m), file)
    if raw is not None and "status" not in doc.meta:  # build publishes it as sent
        raise UsageError(f"{file} has no `status:` line, so it is taken for an archive that "
                         "went out (`pipeline build` publishes it as sent) and is not "
                         "redrafted (nothing was written); if it was not sent, add the line "
                         "`status: draft` to its front matter and draft again")
    status = str(doc.meta.get("status", ""))
    if status.strip().lower() == SENT:  # `Sent` too: build publishes it as sent
        raise UsageError(f"{file} has status `{status}`: it went out already and is not "
                         "redrafted")
    if raw is not None:
        _check_backups(settings, file)
    cs = changes_in_period(settings, m.first_day, m.next_first_day)
    tools = _tools_at(settings, cs.end)
    published = {e.id: e.title for e in tools if e.is_published}
    now = feed_sources(settings)
    report = collect(settings, offline=offline, timeout=timeout,
                     sources=_feeds_of(now, sources_of(tools)))
    renames, taken = _renames(settings, cs)
    usable = _one_per_release([r for r in report.results if r.source.entry in published])
    _rekey_file(doc, usable, renames, taken)
    releases = sorted({(i.entry, i.key): i for r in usable
                       for i in items_in_month(list(r.items), str(m))}.values(),
                      key=lambda i: (i.entry, i.date, i.title, i.key))
    titles = {r.source.entry: published[r.source.entry] for r in usable}
    if any(d.startswith("releases/") for d in doc.deleted) or "releases" in doc.blocks():
        addresses: dict[str, set[str]] = {}
        then = sources_of(_tools_at(settings, cs.start)) if cs.start else []
        for entry, url in [*((s.entry, s.url) for s in [*now, *sources_of(tools)]),
                           *((renames.get(s.entry, s.entry), s.url) for s in then)]:
            addresses.setdefault(entry, set()).add(url)
        moved = _moved_deletions(doc, releases, addresses)
        if moved:
            doc.set_deleted([*doc.deleted, *moved])
    rekey = _release_rekey(releases)
    listed, capped = _newest_per_feed(usable, str(m), settings.digest.releases_per_feed,
                                      _releases_in_file(doc, renames, taken, rekey))
    stats = merge(doc, generate(cs, [i for i in releases if (i.entry, i.key) in listed],
                                titles, _corrected(settings, cs)),
                  renames, taken, held=_release_held(usable, published, releases),
                  rekey=rekey)
    unread = [message for _, message in unread_corrections(
        settings, f"{cs.start}..{cs.end}" if cs.start else cs.end)]
    text = doc.render()
    dropped = dropped_text(doc.body, doc.front.count("\n") + 3, file)  # the body's line,
    # below a front matter that a longer `deleted:` may have lengthened
    front = front_warnings(settings, doc, file, m)  # at their lines in the text written
    if existing is not None and text == plain_newlines(existing):  # as parse() read it
        return DraftResult(path, False, None, stats, cs, report, unread, capped, dropped,
                           front)
    if raw is not None:
        text = _as_written(text, raw, existing)
    backup = None

    def unsaved() -> None:
        """Stop if the editor saved while the history and feeds were read, or while the
        backup and the new text were written (each synced to disk: milliseconds, more
        on a slow disk; a save then was overwritten, and the backup held the version
        before it: found in review)."""
        if _read(path) == raw:
            return
        if backup is not None:
            backup.unlink(missing_ok=True)
        raise DigestError(f"{file} changed while it was being drafted (saved in the meantime?); "
                          "nothing was written, so your save is as you made it: run the draft "
                          "again")

    unsaved()  # saved already: no backup is made
    backup = _backup(settings, raw, m) if raw is not None else None
    # Everything is written and synced before this last look, the rename right after it.
    # A save between the two (the time to read the file once) is still replaced: a
    # rename cannot be made on condition of what it replaces, and editors take no lock
    # a draft could wait on, so this window is the smallest there is.
    write_atomic(path, text, before=unsaved)
    return DraftResult(path, True, backup, stats, cs, report, unread, capped, dropped, front)
