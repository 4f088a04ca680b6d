"""The persistent cache of `pipeline validate`: what each file gave last time.

One file, `<cache folder>/validate.cache` (`.pipeline-cache/`, git-ignored),
holds a record per entry file:

- its stat (size, mtime, ctime, inode) and the hash of its bytes;
- what parsing it gave: loading diagnostics, and for an entry its id and the
  front-matter fields other entries' checks may read (`title`, `status`,
  `redirect_from`, see `pipeline.checks`), with the ids of its page (its
  headings' and numbered sources', which link fragments are checked against);
- what the checks need to know about it without parsing it again: the ids
  it refers to, the dates in its front matter, and the sources it cites
  that are not its own (for the shared bibliography);
- its diagnostics, per rule family, and the day they were computed.

A file whose stat is unchanged is not read; one whose bytes hash as before
is not parsed. An entry is checked again when its bytes change; on another
day, when today has moved past a date in its front matter or its messages
name the day they were made on; and, for the rule families that look at
other entries, when one of those entries (one it refers to, one sharing its
title, one claiming the same old id) appears, goes or changes its title,
status, redirects or page ids.

The whole cache is keyed on the settings, the schemas, the bibliography and
affiliate programs files, the tool's version and the bytes of its code: any
change there and the cache is not used. A cache that is unreadable, garbled
(its checksum does not match), of another format or shape is ignored and
rebuilt, never trusted.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import marshal
import operator
import os
import sys
import time
from dataclasses import dataclass, field, fields
from pathlib import Path

from . import __version__
from .catalog import parsed as parsed_store
from .catalog.loader import content_digest, file_id
from .catalog.model import Entry
from .catalog.text import front_matter_found, title_key
from .config import Settings
from .diagnostics import Diagnostic
from .fileio import remove_stale, write_atomic

FORMAT = 1
FILE_NAME = "validate.cache"
MAGIC = b"pipeline validate cache\n"
SUMMARY_KEYS = ("title", "status", "redirect_from")  # what other entries' checks may read
# a file changed this close to the last run's scan is hashed, not trusted
RACY_NS = 2_000_000_000
_PACKAGE = Path(__file__).resolve().parent

Stat = tuple  # (size, mtime_ns, ctime_ns, inode)


@dataclass
class Record:
    """What one file gave last time (see the module's docstring)."""

    stat: Stat
    digest: str
    entry: tuple | None = None  # (id, collection, slug, summary) when the file is an entry
    refs: tuple = ()  # ids it refers to
    dates: tuple = ()  # dates written in its front matter
    cited: tuple = ()  # source ids it cites that are not its own
    load: tuple = ()  # loading diagnostics, as tuples
    checked_on: str = ""  # the day `results` were computed
    results: dict = field(default_factory=dict)  # rule family -> diagnostics as tuples

    @property
    def id(self) -> str | None:
        return self.entry[0] if self.entry else None

    def dependencies(self) -> set[tuple]:
        """The facts about other entries its catalog-wide diagnostics depend on."""
        if not self.entry:
            return set()
        _, collection, _, summary = self.entry
        keys = {("id", r) for r in self.refs}
        keys.update(facets(collection, summary))
        return keys

    def dated_ok(self, today: str) -> bool:
        """Whether the results hold today: they do not mention the day they were made,
        and today stands where that day stood against every date the entry holds."""
        then = self.checked_on
        if then == today:
            return True
        return bool(then) and not mentions(then, *self.results.values()) and all(
            (d < then) == (d < today) and (d > then) == (d > today) for d in self.dates)


def mentions(day: str, *stored) -> bool:
    """Whether any stored diagnostic's message or hint writes `day` (`ctx.today`)."""
    return any(day in row[_MESSAGE] or day in row[_HINT] for rows in stored for row in rows)


def stub(path: str, entry: tuple) -> Entry:
    """A stand-in Entry (from a record's `entry`) with only what other entries' checks may read."""
    entry_id, collection, slug, summary = entry
    # (id, collection, slug, file, data, body, body_line): given by position, not by
    # name, 0.45 -> 0.28 microseconds a stand-in (a check pass makes one for each entry)
    return Entry(entry_id, collection, slug, path, summary, "", 1)


# Whether the `redirect_from` lists make a loop is the whole catalog's business: one
# entry's change can end (or close) a loop of three others. Every entry with a list
# depends on it, and every change that can move a loop (to a list, a status, an id that
# comes or goes) changes it (found in review: a loop of three stayed reported, warm).
REDIRECTS = ("redirects",)


def facets(collection: str, summary: dict) -> set[tuple]:
    """The facts an entry's summary contributes: its title group and redirect claims."""
    out = set()
    title = summary.get("title")
    if isinstance(title, str):
        out.add(("title", collection, title_key(title)))
    redirects = summary.get("redirect_from")
    if isinstance(redirects, list):
        for old in redirects:
            if isinstance(old, str):
                out.add(("claim", old))
                out.add(("id", old))
        if redirects:
            out.add(REDIRECTS)
    return out


def changed_facts(old: Record | None, new: Record | None, path: str = "") -> set[tuple]:
    """What other entries may see differently when a file goes from `old` to `new`.

    A file that is there but cannot be read is neither missing nor an entry to those
    that refer to it (Catalog.unreadable): its coming or going is a change of its id."""
    before = old.entry if old else None
    after = new.entry if new else None
    if before == after:
        if before is None and (old is None) != (new is None) and file_id(path):
            return {("id", file_id(path))}
        return set()
    out = set()
    for e in (before, after):
        if e:
            out.add(("id", e[0]))
            out.update(facets(e[1], e[3]))
    if before is None or after is None or before[0] != after[0] \
            or before[3].get("status") != after[3].get("status"):
        out.add(REDIRECTS)
    return out


def plan(records: dict[str, Record], by_id: dict[str, str], targets: set[str],
         facts: set[tuple], always: set[str], day: str,
         local: frozenset, catalog_wide: frozenset,
         wanted: frozenset | None = None) -> tuple[set[str], set[str]]:
    """(entries to check with every rule family, entries to check with the catalog-wide
    families only), among `targets`; those in `always` are checked in full whatever
    their record says. Entries outside `targets` whose catalog-wide results may have
    changed forget them, to be checked when next asked for.

    `wanted`: the families the run makes (default: all). An entry is checked when
    one of those is missing; results of the others that may be stale are forgotten,
    for a run that wants them."""
    full: set[str] = set()
    catalog_only: set[str] = set()
    local_wanted = local if wanted is None else local & wanted
    wide_wanted = catalog_wide if wanted is None else catalog_wide & wanted
    skipped = (local | catalog_wide) - (local_wanted | wide_wanted)
    for entry_id, path in by_id.items():
        r = records[path]
        # whether a fact it depends on changed: worked out where it can matter, for a
        # record with results (a cold run's records have none: its plan took 2.5 us an
        # entry, its dependencies made anew for nothing; now 0.3 us)
        hit = bool(facts) and bool(r.results) and not facts.isdisjoint(r.dependencies())
        if entry_id not in targets:
            if hit:
                for family in catalog_wide:
                    r.results.pop(family, None)
            continue
        # against a base revision, its results are not kept: what it had is stale all the
        # same; a family this run does not make is not made again where it may be stale
        if hit and (entry_id in always or not skipped.isdisjoint(catalog_wide)):
            for family in catalog_wide:
                r.results.pop(family, None)
        known = r.results.keys()
        if entry_id in always or not local_wanted <= known or not r.dated_ok(day):
            full.add(entry_id)
            for family in skipped:  # its record is made anew: its date, its results
                r.results.pop(family, None)
        elif hit or not wide_wanted <= known or (not r.results and bool(facts)
                                                 and not facts.isdisjoint(r.dependencies())):
            catalog_only.add(entry_id)
    return full, catalog_only


def summarize(entry: Entry, refs: set[str], cited: set[str], load: list[Diagnostic],
              stat: Stat) -> Record:
    """A new record for a freshly parsed entry (its results come later)."""
    data = entry.data
    summary = {k: data[k] for k in SUMMARY_KEYS if k in data}
    return Record(stat=stat, digest=entry.digest,
                  entry=(entry.id, entry.collection, entry.slug, summary),
                  refs=_interned(refs), dates=tuple(sorted(set(_dates(entry)))),  # interned
                  cited=_interned(cited) if cited else (), load=rows(load))


def _interned(strings: set[str] | frozenset[str]) -> tuple:
    """A set's strings sorted and interned: shared strings are stored once in the cache
    file. Sorted first, then interned, without a set made again of what is one (2.5 ->
    1.6 microseconds an entry's references of the corpus)."""
    return tuple(map(sys.intern, sorted(strings)))


# text -> its iso_day, interned ("" for none): the dates of a catalog's front matter are
# a few hundred texts, read again in entry after entry (parsing and writing each anew
# was 3 microseconds an entry of the benchmark corpus, a third of summarize's time)
_DAYS: dict[str, str] = {}
_DAYS_KEPT = 4096  # at most: a catalog with more distinct texts starts again


def _dates(entry: Entry) -> list[str]:
    """Every front-matter value that reads as an ISO date or time, as `YYYY-MM-DD`
    (interned)."""
    days = _DAYS
    out = []
    for text in front_matter_found(entry, "front_matter_dates"):
        day = days.get(text)
        if day is None:
            if len(days) >= _DAYS_KEPT:
                days.clear()
            day = days[text] = sys.intern(iso_day(text) or "")
        if day:
            out.append(day)
    return out


def iso_day(text: str) -> str | None:
    """`YYYY-MM-DD` of a text that reads as an ISO date or date and time, else None."""
    for parse in (_dt.date.fromisoformat, _dt.datetime.fromisoformat):
        try:
            value = parse(text)
        except ValueError:
            continue
        return (value.date() if isinstance(value, _dt.datetime) else value).isoformat()
    return None


_DIAGNOSTIC_FIELDS = tuple(f.name for f in fields(Diagnostic))
_MESSAGE, _HINT = _DIAGNOSTIC_FIELDS.index("message"), _DIAGNOSTIC_FIELDS.index("hint")


_ROW = operator.attrgetter(*_DIAGNOSTIC_FIELDS)  # a diagnostic's fields, as a tuple


def rows(diags) -> tuple:
    """Diagnostics as plain tuples, for storing (by attrgetter: the check pass stores a
    list, mostly empty, for every rule family of every entry it checks, and a generator
    for each list and each diagnostic made that 0.17 microseconds a list, now 0.1)."""
    return tuple(map(_ROW, diags))


def diagnostics(stored) -> list[Diagnostic]:
    return [Diagnostic(*row) for row in stored]


def file_stat(path: str) -> Stat:
    st = os.stat(path)
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


def cache_key(settings: Settings) -> str:
    """Everything besides the entries that the results depend on."""
    from .catalog import yamlpos

    h = hashlib.blake2b(digest_size=16)
    h.update(f"{FORMAT}\0{__version__}\0{settings.fingerprint}\0".encode())
    # what parses the YAML (a PyYAML upgrade, libyaml there or not) says what entries hold
    h.update(f"{yamlpos.PARSER}\0".encode())
    from .validate import read_bytes

    for rel, full in _package_sources():
        h.update(rel.encode() + b"\0" + read_bytes(full))
    schemas = settings.path("schemas")
    for path in sorted(schemas.glob("*.json")) if schemas.is_dir() else ():
        h.update(path.name.encode() + b"\0" + path.read_bytes())
    for name in ("bibliography", "affiliates"):
        path = settings.path(name)
        h.update(name.encode() + b"\0" + (path.read_bytes() if path.is_file() else b"-"))
    return h.hexdigest()


def _package_sources() -> list[tuple[str, str]]:
    """(path relative to the package, full path) of each of its `*.py` names, in the order
    of `sorted(_PACKAGE.rglob("*.py"))` (by their parts; a folder linked to is not
    entered), found by one os.walk and read without Path objects: 2.8 -> 1.4 ms a run,
    before any worker starts (102 files)."""
    top = str(_PACKAGE)
    found = []
    for folder, dirs, files in os.walk(top):
        rel = os.path.relpath(folder, top)
        parts = () if rel == "." else tuple(rel.split(os.sep))
        found += [((*parts, name), os.path.join(folder, name)) for name in (*dirs, *files)
                  if name.endswith(".py")]
    found.sort()
    return [("/".join(parts), full) for parts, full in found]


class ValidateCache:
    """The records of the last run, loaded if the cache is sound and current."""

    def __init__(self, path: Path | None, key: str):
        self.path = path  # None: a cache that is never saved
        self.key = key
        self.records: dict[str, Record] = {}
        self.catalog: tuple | None = None  # (what it depends on, diagnostics, the day)
        self.saved_ns = 0
        self.scanned_ns = 0  # when this run began to look at the files (see scan)
        self.dirty = False
        self.parsed: list[str] = []  # store files of front matter (catalog.parsed), by name

    @classmethod
    def open(cls, settings: Settings, enabled: bool = True) -> "ValidateCache":
        if not enabled:
            return cls(None, "")
        cache = cls(settings.path("cache") / FILE_NAME, cache_key(settings))
        remove_stale(cache.path)  # a run killed while saving left its temporary file
        cache._load()
        return cache

    def _load(self) -> None:
        try:
            raw = self.path.read_bytes()
        except OSError:
            return
        try:
            head, checksum, payload = raw[: len(MAGIC)], raw[len(MAGIC):len(MAGIC) + 32], \
                raw[len(MAGIC) + 33:]
            if head != MAGIC or checksum.decode() != _checksum(payload):
                return
            data = marshal.loads(payload)
            if data["format"] != FORMAT or data["key"] != self.key:
                return
            records = {path: Record(*row) for path, row in data["records"].items()}
            for r in records.values():
                if not (isinstance(r.stat, tuple) and isinstance(r.results, dict)):
                    return
            catalog = data["catalog"]
            parsed = [n for n in data.get("parsed", ()) if parsed_store.is_store_name(n)]
        except Exception:  # noqa: BLE001 - any damage means: start again
            return
        self.records, self.catalog, self.saved_ns = records, catalog, data["saved_ns"]
        self.parsed = parsed

    @property
    def parsed_folder(self) -> Path | None:
        """Where the stores of front matter go (catalog.parsed)."""
        return None if self.path is None else self.path.parent / parsed_store.FOLDER

    def parsed_paths(self) -> list[str]:
        """The store files of front matter this cache vouches for (see catalog.parsed)."""
        folder = self.parsed_folder
        return [] if folder is None else [str(folder / n) for n in self.parsed]

    def scan(self, files, scanned_ns: int | None = None,
             ) -> tuple[dict[str, Record], list[tuple], list[Diagnostic]]:
        """Sort the files of `walk_folder` into (records still true by path, fresh files,
        refused files' diagnostics). A fresh file is (path, full path, stat, bytes or None).

        A file whose stat is unchanged (and older than the start of the last saved
        run's scan, so that an edit in the same clock tick cannot hide) is not read; one
        that reads the same as before keeps its record.

        `scanned_ns`: the files were walked and their stats taken (as `file_stat` takes
        them) from that moment on, by a build, which gives each file's stat as a fourth
        item (None for a refused file): they are not walked and taken again.
        """
        records: dict[str, Record] = {}
        fresh: list[tuple] = []
        refused: list[Diagnostic] = []
        # The records saved hold what the files were from here on: a file changed in the
        # clock tick of its read keeps its stat, and only its time, close to this moment,
        # tells. (The time of the save, seconds later on a big catalog, let such an edit
        # pass as unchanged for good.)
        self.scanned_ns = time.time_ns() if scanned_ns is None else scanned_ns
        for path, full, problem, *given in files:
            if problem is not None:
                refused.append(problem)
                continue
            stat = given[0] if given else file_stat(full)
            known = self.records.get(path)
            if known is None:
                fresh.append((path, full, stat, None))
                continue
            if known.stat != stat or stat[1] >= self.saved_ns - RACY_NS:
                try:
                    with open(full, "rb") as f:
                        data = f.read()
                except OSError:  # parsed as fresh, which says why it cannot be read
                    fresh.append((path, full, stat, None))
                    continue
                if known.digest != content_digest(data):
                    fresh.append((path, full, stat, data))
                    continue
                if known.stat != stat:
                    known.stat = stat
                    self.dirty = True
            records[path] = known
        return records, fresh, refused

    def changes(self, records: dict[str, Record], fresh: list[tuple]) -> set[tuple]:
        """What other entries may see differently now than at the last save."""
        facts: set[tuple] = set()
        if not self.records:  # none saved (a cold run): every record is new, with no
            return facts  # results a fact could make stale (plan); 2 us a file saved
        for path, *_ in fresh:
            facts |= changed_facts(self.records.get(path), records[path], path)
        for path in self.records.keys() - records.keys():
            facts |= changed_facts(self.records[path], None, path)
        return facts

    def save(self) -> None:
        """Write the records (atomically); a cache that cannot be written is skipped."""
        if self.path is None or not self.dirty:
            return
        now = self.scanned_ns or time.time_ns()
        payload = marshal.dumps({
            "format": FORMAT, "key": self.key, "saved_ns": now, "catalog": self.catalog,
            "parsed": self.parsed,
            "records": {p: (r.stat, r.digest, r.entry, r.refs, r.dates, r.cited, r.load,
                            r.checked_on, r.results) for p, r in self.records.items()},
        })
        head = MAGIC + _checksum(payload).encode() + b"\n"
        try:
            write_atomic(self.path, head + payload)
        except OSError:
            return
        self.saved_ns = now
        self.dirty = False
        # another run may have saved since: the stores its cache lists stay too
        parsed_store.remove_others(self.parsed_folder, self.parsed + self._listed_now(head))

    def _listed_now(self, ours: bytes) -> list[str]:
        """The stores listed by the cache file there now, if another run replaced the one
        this run saved (whose head is `ours`)."""
        try:
            with open(self.path, "rb") as f:
                if f.read(len(ours)) == ours:
                    return []
                f.seek(0)
                raw = f.read()
            payload = raw[len(MAGIC) + 33:]
            if raw[:len(MAGIC)] != MAGIC \
                    or raw[len(MAGIC):len(MAGIC) + 32].decode() != _checksum(payload):
                return []
            return [n for n in marshal.loads(payload).get("parsed", ())
                    if parsed_store.is_store_name(n)]
        except Exception:  # noqa: BLE001 - not a cache: it lists nothing
            return []


def _checksum(payload: bytes) -> str:
    return hashlib.sha256(payload).hexdigest()[:32]
