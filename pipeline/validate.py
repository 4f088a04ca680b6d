"""`pipeline validate` as a library function: settings in, ValidationResult out.

A run looks at every entry file but parses and checks only what it must:
the results of the last run are kept per file in a persistent cache
(`pipeline.cache`, which says when a result still holds). On a big cold run
the files are parsed and checked in worker processes, one half each
(`pipeline.parallel`), and the catalog-wide checks see the other half through
small stand-ins of its entries. Whichever way, the diagnostics are exactly
those of checking everything from scratch.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as _dt
import functools
import marshal
import os
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path

from .cache import (REDIRECTS, Record, ValidateCache, diagnostics, facets, iso_day, mentions,
                    plan, rows, stub, summarize)
from .catalog import yamlpos
from .catalog.loader import (BIBLIOGRAPHY, content_digest, file_id, load_catalog,
                             parse_bibliography, parse_entry, unreadable, walk_folder)
from .catalog.model import Catalog, Entry
from .catalog.parsed import StoreWriter, store_path, written
from .catalog.text import (cited_ids, citations, front_matter_sources, page_links,
                           path_to_id, relative_target, site_links)
from .checks import CHECK_MODULES, LOCAL_MODULES, families_reporting_errors, family_rules
from .checks.references import link_meant, with_renames
from .config import Settings
from .diagnostics import Diagnostic
from .errors import UsageError
from .history import renamed_ids
from .parallel import InProcess, Workers, can_fork, cores, give_back, rare_full_collections

PER_WORKER = 750  # files to parse per worker process, at least (measured: benchmarks/)
CHUNK = 250  # entries checked at a time: what is made from their bodies is dropped after
CATALOG_FAMILIES = tuple(m for m in CHECK_MODULES if m not in LOCAL_MODULES)
LOCAL_MODULES_SET, CATALOG_FAMILIES_SET = frozenset(LOCAL_MODULES), frozenset(CATALOG_FAMILIES)


class ValidationResult:
    """The diagnostics of a run, how many entries it checked, and the catalog it read."""

    def __init__(self, diagnostics: list[Diagnostic], entries: int,
                 catalog: Catalog | None = None,
                 load_catalog: Callable[[], Catalog] | None = None,
                 parsed: list[str] | None = None, digests: dict[str, str] | None = None):
        self.diagnostics = diagnostics
        self.entries = entries
        self._catalog = catalog
        self._load_catalog = load_catalog
        self.parsed = parsed or []  # store files of what was parsed (catalog.parsed)
        # entry file -> content digest of the bytes checked (a build publishes only those)
        self.digests = digests or {}

    @property
    def catalog(self) -> Catalog | None:
        """The whole catalog, parsed (on first use when the run did not parse it all)."""
        if self._catalog is None and self._load_catalog is not None:
            self._catalog = self._load_catalog()
        return self._catalog

    @property
    def errors(self) -> int:
        return sum(1 for d in self.diagnostics if d.severity == "error")

    @property
    def warnings(self) -> int:
        return sum(1 for d in self.diagnostics if d.severity == "warning")

    def exit_code(self, strict: bool = False) -> int:
        if self.errors or (strict and self.warnings):
            return 1
        return 0

    def summary(self) -> dict:
        return {"entries": self.entries, "errors": self.errors, "warnings": self.warnings}


def apply_severities(diags: list[Diagnostic], overrides: dict[str, str], strict: bool = False):
    out = []
    for d in diags:
        sev = overrides.get(d.rule, d.severity)
        if sev == "off":
            continue
        if strict and sev == "warning":
            sev = "error"
        out.append(d if sev == d.severity else d.with_severity(sev))
    return sorted(out, key=lambda d: (d.file, d.line, d.column, d.rule, d.message))


def references_of(entry, schemas, base_url: str = "") -> set[str]:
    """Every entry id an entry refers to, in front matter or body links (site paths,
    absolute URLs on `base_url`'s domain, and the entry a relative link likely means)."""
    out: set[str] = set()
    add = out.add
    data = entry.data
    fields = schemas.ref_fields(entry.collection)
    plan = _REF_PLANS.get(id(fields))
    if plan is None or plan[0] is not fields:
        if len(_REF_PLANS) >= 64:  # the schema sets of earlier runs in this process
            _REF_PLANS.clear()
        plan = (fields, _ref_plan(fields))
        if fields:  # (a collection without places may get a new empty list each time)
            _REF_PLANS[id(fields)] = plan
    is_dict = isinstance(data, dict)
    for key, path, collections, prefix, values_under in plan[1]:
        if key is not None and is_dict:
            # most places are a list of ids (`related`, `authors`): values_under's, as a
            # lookup (references_of: 17.4 -> 14.7 microseconds an entry on the corpus)
            values = data.get(key)
            if not isinstance(values, list):
                continue
        else:
            values = values_under(data, path)
        for value in values:
            if isinstance(value, str):
                if "/" in value:
                    add(value)
                elif prefix is not None:  # a slug where an id belongs: its message
                    add(prefix + value)  # names the id it likely means
                else:
                    out.update([f"{c}/{value}" for c in collections])
    linked = _LINKED
    for _, _, path, _, _ in site_links(entry, base_url):
        ids = linked.get(path)
        if ids is None:
            if len(linked) >= _LINKED_KEPT:
                linked.clear()
            ids = linked[path] = _ids_linked(path)
        if ids:
            out.update(ids)
    for _, _, destination in page_links(entry):  # `../tools/vllm`: what it likely means
        target = relative_target(entry.collection, destination)
        if target:
            out.add(target)
    return out


# id(a schema set's ref_fields list) -> (the list, its plan): what references_of reads of
# each place, worked out once a run (references_of 9.5 -> 7.6 microseconds an
# entry of the corpus)
_REF_PLANS: dict[int, tuple[list, tuple]] = {}


def _ref_plan(fields) -> tuple:
    """(key of a list of ids or None, path, collections, `<collection>/` of the one
    collection or None, values_under) of each place of `fields` (schemas.RefField)."""
    from .schemas import STAR, values_under

    return tuple((fld.path[0] if len(fld.path) == 2 and fld.path[1] == STAR != fld.path[0]
                  else None, fld.path, fld.collections,
                  f"{fld.collections[0]}/" if len(fld.collections) == 1 else None,
                  values_under) for fld in fields)


# site path -> the ids a link to it refers to (_ids_linked): the paths of a catalog's links
# repeat from entry to entry (the 2,000-entry corpus: 6,969 links to 1,170 paths)
_LINKED: dict[str, tuple[str, ...]] = {}
_LINKED_KEPT = 16384  # at most: a catalog linking to more distinct paths starts again


def _ids_linked(path: str) -> tuple[str, ...]:
    """The entry ids a link to the site path `path` refers to in references_of: the id it
    names, and the one it likely means when that is another."""
    target = path_to_id(path)
    if not target:
        return ()
    meant = link_meant(path)  # `/Glossary/AWQ`: its message names glossary/awq
    return (target, meant) if meant else (target,)


def cited_from_bibliography(entry: Entry, bibliography: dict) -> set[str]:
    """The shared-bibliography sources an entry cites (body or front matter), as
    `check_citations` counts them: cited, and not one of the entry's own sources.

    The body's are its `citations`, which _parse_shard works out before anyway (a search
    of the body for `@<id>` of any bibliography id came first, to spare them: it cost
    more than it spared, and told nothing more, a key the citations find being written
    as `@key` in the body; 6.0 -> 4.5 microseconds an entry of the corpus). Its own
    sources are read only when it cites one of the bibliography's.
    """
    if not bibliography:
        return set()
    cited = {sid for _, sid in front_matter_sources(entry) if sid in bibliography}
    cited.update([sid for sid in cited_ids(entry) if sid in bibliography])  # no places
    if cited:
        cited.difference_update([s["id"] for s in entry.sources()
                                 if isinstance(s.get("id"), str)])
    return cited


def _named(settings: Settings, paths: list[str]) -> list[str]:
    """The files or folders named on the command line, relative to the catalog root."""
    root = settings.root
    wanted: list[str] = []
    for p in paths:
        full = Path(p)
        full = full if full.is_absolute() else Path(os.getcwd()) / full
        if not os.path.lexists(full):  # a typo would check nothing and pass
            raise UsageError(f"{p}: no such file or folder")
        if full.is_symlink() and full.name not in ("", ".", ".."):
            # the link itself, not where it leads: a link in the entries folder is a file
            # of its own, read or refused under its own name (naming a dangling one checked
            # nothing and passed; one leading outside was "not inside the catalog")
            full = full.parent.resolve() / full.name
        else:
            full = full.resolve()
        try:
            rel = full.relative_to(root).as_posix()
        except ValueError:
            raise UsageError(f"{p} is not inside the catalog at {root}") from None
        rel = rel.rstrip("/")
        if not _checks_something(settings, rel):  # `validate pipeline.toml` checked nothing
            raise UsageError(_checks_nothing(settings, p, rel))
        wanted.append(rel)
    return wanted


def _checked_files(settings: Settings) -> tuple[str, ...]:
    """What `validate PATHS` can check: the entries folder and the two data files."""
    paths = settings.paths
    return tuple(p.strip("/") for p in (paths.entries, paths.bibliography, paths.affiliates))


def _checks_something(settings: Settings, rel: str) -> bool:
    return rel in ("", ".") or any(
        rel == c or c.startswith(rel + "/") or rel.startswith(c + "/")
        for c in _checked_files(settings))


def _checks_nothing(settings: Settings, named: str, rel: str) -> str:
    entries, bib, programs = _checked_files(settings)
    digests = settings.paths.digests.strip("/")
    if rel == digests or rel.startswith(digests + "/"):
        why = "digests are checked by `pipeline digest render` and `pipeline build`"
    else:
        why = "it is neither an entry nor a data file"
    return (f"{named}: validate would check nothing there ({why}). Name entry files "
            f"({entries}/<collection>/<slug>.md), folders of them, {bib} or {programs}; "
            "or run `pipeline validate` alone to check the whole catalog")


def _is_named(file: str, named: list[str]) -> bool:
    return any(file == w or file.startswith(w + "/") or w in ("", ".") for w in named)


class _EntriesAt(Mapping):
    """The entries of the catalog at a git revision, read and parsed when asked for."""

    def __init__(self, settings: Settings, rev: str):
        self._settings = settings
        self.rev = rev  # the revision they are read at (checks may ask git about it)
        self._prefix = settings.paths.entries.strip("/")
        self._read: dict[str, Entry | None] = {}
        self._all: dict[str, Entry] | None = None

    def __getitem__(self, entry_id: str) -> Entry:
        if self._all is not None:
            return self._all[entry_id]
        if entry_id not in self._read:
            from .history.gitio import read_paths

            path = f"{self._prefix}/{entry_id}.md"
            data = read_paths(self._settings, self.rev, [path]).get(path)
            self._read[entry_id] = (parse_entry(path, data, self._prefix)[0]
                                    if data is not None else None)
        found = self._read[entry_id]
        if found is None:
            raise KeyError(entry_id)
        return found

    def _everything(self) -> dict[str, Entry]:
        if self._all is None:
            from .history.gitio import read_tree

            files, bib = read_tree(self._settings, self.rev)
            self._all = load_catalog(self._settings, files=files, bibliography=bib)[0].entries
        return self._all

    def __iter__(self):
        return iter(self._everything())

    def __len__(self) -> int:
        return len(self._everything())


# -- the work of one process: parse some files, then check entries -------------

class _Packed:
    """A worker's parsed entries between its two passes, as marshalled bytes in one
    growing buffer, each taken back (and dropped) when its chunk is checked.

    Kept as live objects, thousands of entries sat among the garbage of the
    rendering done in the same pass, and everything the pass made cost more:
    parsing and rendering 5,000 entries of the benchmark corpus took 5.3 to 5.8
    CPU s with them kept, 4.9 to 5.1 s with them packed (malloc's share of the
    time doubled with them kept). Taking one back costs about 0.05 ms.

    An entry's positions are not marshalled: their paths and places are those yamlfast
    shares between all the entries it reads (see yamlfast.share), live anyway, so they
    are kept as two tuples, its paths' and its places' (about 1 KB an entry, against
    1.5 KB marshalled), and made a dict again when it is taken back. Marshalling them,
    and tracking each shared object as it went, was 7 microseconds an entry, and
    reading them back 6.
    """

    def __init__(self):
        self._buffer = bytearray()
        self._at: dict[str, tuple[int, int, tuple, tuple]] = {}

    def put(self, entry: Entry, carried: dict, emptied: bool = False) -> None:
        """Keep `entry`, with `carried`: what was worked out from it that the checks read
        (see CARRIED). `emptied`: the entry is left with nothing on it (for one dropped
        after: what it held goes, and marshal has fewer objects held twice to track)."""
        held = entry.__dict__
        fields = tuple(held[f] for f in _PACKED_FIELD_NAMES)
        positions = held["positions"]
        paths, places = tuple(positions), tuple(positions.values())
        if emptied:
            held.clear()
        data = marshal.dumps((fields, carried))
        self._at[fields[0]] = (len(self._buffer), len(data), paths, places)  # by its id
        self._buffer += data

    def __contains__(self, entry_id: str) -> bool:
        return entry_id in self._at

    def pop(self, entry_id: str) -> Entry:
        start, size, paths, places = self._at.pop(entry_id)
        fields, carried = marshal.loads(self._buffer[start:start + size])
        entry = Entry(*fields[:_POSITIONS_AT], dict(zip(paths, places)),
                      *fields[_POSITIONS_AT:])
        entry.__dict__.update(carried)
        return entry


def read_bytes(path: str, size: int = -1) -> bytes:
    """A file's bytes, as `open(path, "rb").read()` reads them and with its errors, in
    fewer steps (no file object; 7.7 -> 4.7 microseconds a file of the corpus).

    `size`: what its stat said it holds, when known. A read of one byte more that comes
    back short is the whole file: no second read to find its end, nor a buffer of 64 KiB
    made and cut down (7.6 -> 7.2 microseconds a file of the corpus); a file that grew
    since is read on to its end."""
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        if size >= 0:
            data = os.read(fd, size + 1)
            if len(data) <= size:
                return data
            chunks = [data]
        else:
            chunks = []
        while chunk := os.read(fd, 1 << 16):
            chunks.append(chunk)
    finally:
        os.close(fd)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def _parse_shard(state: dict, items: list[tuple]) -> list[tuple[str, Record]]:
    """Parse files (path, full path, stat, bytes or None); keep the entries for checking."""
    from .checks.references import STAND_IN_IDS, page_ids_of

    prefix, schemas = state["prefix"], state["schemas"]
    base_url = state["settings"].site.base_url
    parsed = state.setdefault("entries", {})
    packed = state.setdefault("packed", _Packed()) if not state["keep"] else None
    bar = state.get("progress")
    hook = state.get("on_parse")  # see WorkerShare
    keep = state.get("keep_parsed")  # (folder, token): see catalog.parsed
    store = StoreWriter(store_path(*keep)) if keep else None
    out = []
    for rel, full, stat, data in items:
        if bar is not None:
            bar.advance()
        if data is None:
            try:
                data = read_bytes(full, stat[0])  # its size, as the scan found it
            except OSError as e:
                out.append((rel, Record(stat=stat, digest="", load=rows([unreadable(rel, e)]))))
                continue
        # its positions' paths and places shared with other entries' (packed, they are
        # kept as they are: see _Packed)
        entry, load = parse_entry(rel, data, prefix)
        if entry is None:
            out.append((rel, Record(stat=stat, digest=content_digest(data), load=rows(load))))
            continue
        if store is not None:
            store.put(entry.digest, entry.data)
        if hook is not None:
            hook(state, rel, data, entry)
        citations(entry)  # read by the checks: worked out here once (see CARRIED)
        cited = cited_from_bibliography(entry, state["bibliography"])
        record = summarize(entry, references_of(entry, schemas, base_url), cited, load, stat)
        # the ids of its page, which a link's `#fragment` to it is checked against: in the
        # summary, its stand-in has them, and when they change, the entries that refer to
        # it are checked again (cache.changed_facts)
        record.entry[3][STAND_IN_IDS] = tuple(map(sys.intern, page_ids_of(
            entry, state["bibliography"])))  # interned: stored once in the cache file
        out.append((rel, record))
        derived = entry.__dict__
        if packed is not None:
            carried = {name: derived[name] for name in CARRIED if name in derived}
            packed.put(entry, carried, emptied=True)  # the hook keeps no entry
        else:  # the rest is made again, a chunk at a time, when checked
            for name in derived.keys() - _KEPT_AFTER_PARSE:
                del derived[name]
            parsed[entry.id] = entry
    if store is not None:
        store.close()
    return out


def _check_shard(state: dict, stubs: dict[str, tuple], bibliography: tuple,
                 full: set[str], catalog_only: set[str], reread: list[tuple],
                 broken: frozenset = frozenset(), shared: dict | None = None) -> dict:
    """Diagnostics by entry and rule family: every family for `full`, the catalog-wide
    ones for `catalog_only`, of the entries parsed in this process and of `reread`
    (path, full path), parsed now. Every other entry is a stand-in made from `stubs`;
    `broken` holds the ids of entry files that could not be read (Catalog.unreadable);
    `shared`, values of Context.shared made from the stand-ins before (_shared_values).

    Entries are checked CHUNK at a time; then their Markdown lines are dropped and,
    in a worker, the entries themselves, so memory stays flat.
    """
    from .checks import family, load_checks

    parsed = state.setdefault("entries", {})
    packed = state.get("packed")  # this worker's entries (a chunk's are unpacked in turn)
    for rel, path in reread:
        with open(path, "rb") as f:
            entry, _ = parse_entry(rel, f.read(), state["prefix"])
        if entry is not None:
            parsed[entry.id] = entry
    entries = {entry_id: parsed.get(entry_id) or stub(rel, summary)
               for entry_id, (rel, summary) in stubs.items()}
    sources, positions, bib_file, bib_broken = bibliography
    catalog = Catalog(entries=entries, bibliography=sources, bibliography_positions=positions,
                      bibliography_file=bib_file, unreadable=broken,
                      bibliography_unreadable=bib_broken)
    extras = {"schemas": state["schemas"], **(shared or {})}  # shared by the chunks
    families = state.get("families")  # the rule families to run; None: all
    checks = [fn for fn in load_checks() if families is None or family(fn) in families]
    wide = [f for f in CATALOG_FAMILIES if families is None or f in families]
    local = [f for f in LOCAL_MODULES if families is None or f in families]
    bar = state.get("progress")
    before_chunk = state.get("on_chunk")  # see WorkerShare
    wanted = sorted(i for i in full | catalog_only
                    if i in parsed or (packed is not None and i in packed))
    out: dict[str, dict[str, list]] = {}
    for start in range(0, len(wanted), CHUNK):
        if before_chunk is not None:
            before_chunk(state)
        chunk = set(wanted[start:start + CHUNK])
        with _collected_after():
            _check_chunk(state, chunk, full, entries, packed, catalog, extras, checks,
                         wide, local, out, stubs)
        if bar is not None:
            bar.advance(len(chunk))
    if not state["keep"]:
        state.pop("packed", None)  # what it held and was not asked for goes too
        give_back()
    # (most families find nothing: their () as it is, not a tuple made of an empty list)
    return {entry_id: {fam: rows(ds) if ds else () for fam, ds in fams.items()}
            for entry_id, fams in out.items()}


def _check_chunk(state: dict, chunk: set[str], full: set[str], entries: dict, packed,
                 catalog: Catalog, extras: dict, checks: list, wide: list, local: list,
                 out: dict, stubs: dict) -> None:
    """Check the entries of `chunk` (taken from `packed` if there), their diagnostics by
    family into `out`; then forget what was made from them (in a worker, them too)."""
    from .checks import Context, family, is_local

    parsed = state["entries"]
    standing = {}  # the stand-ins of the entries taken from the pack, back after
    for entry_id in chunk:
        if packed is not None and entry_id not in parsed:
            standing[entry_id] = entries[entry_id]
            entries[entry_id] = parsed[entry_id] = packed.pop(entry_id)
    ctx = Context(catalog=catalog, settings=state["settings"], today=state["today"],
                  only=chunk, base_catalog=state["base"], extras=extras)
    local_ctx = dataclasses.replace(ctx, only=chunk & full)
    # each family it is checked with, () until it finds something (a list made for each
    # family of each entry, and a tuple made of each, were 1.7 microseconds an entry)
    every = (*wide, *local)
    for entry_id in chunk:
        out[entry_id] = dict.fromkeys(every if entry_id in full else wide, ())
    for fn in checks:
        use = local_ctx if is_local(fn) else ctx
        fam = family(fn)
        for d in fn(use):
            if use.wants(d.entry):
                found = out[d.entry]
                if found.get(fam):
                    found[fam].append(d)
                else:
                    found[fam] = [d]
    for entry_id in chunk:
        _forget_derived(parsed[entry_id])
        if not state["keep"]:
            del parsed[entry_id]
            # the stand-in it had before (made from the same summary), not another
            entries[entry_id] = standing.get(entry_id) or stub(*stubs[entry_id])


@contextlib.contextmanager
def _collected_after():
    """No pass of the cyclic garbage collector while a chunk is checked: it looked
    through each of its entries' objects (taken from the pack: a hundred containers
    an entry) and the checks' as they were made, though they are freed by reference
    counting when the chunk ends (the checks make no cycles on the benchmark corpus).
    One made meanwhile is collected after the chunk, as usual. Checking the 2,000
    entries of the corpus in one process, taken from the pack: 669-714 -> 596-618 ms
    CPU; in a build, a validate worker's time collecting: 41 -> 27 ms."""
    import gc

    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


_ENTRY_FIELD_NAMES = tuple(f.name for f in dataclasses.fields(Entry))
# what _Packed marshals of an entry: every field but its positions, kept aside
_POSITIONS_AT = _ENTRY_FIELD_NAMES.index("positions")
_PACKED_FIELD_NAMES = tuple(f for f in _ENTRY_FIELD_NAMES if f != "positions")
# What the first pass works out from an entry (its links, for summarize; its citations,
# made from the groups a build's rendering found; its page's ids; its prose text, which
# finding its links made and `check_citations` reads again: 1.7 % of a cold build's time)
# and the checks read again: kept between the passes, not worked out twice. The body's
# lines are not kept; the prose text of a body without code is the body itself, which
# marshal stores once (a body with code costs a validate worker about 2 KB more an entry:
# peak RSS 106 -> 116 MiB on the benchmark corpus); in a build, the destinations of the
# links of its rendered page (affiliates.links.rendered_hrefs: not rendered again); what
# the one walk of its front matter found that the checks read (text.front_matter_found).
CARRIED = ("internal_links", "site_links", "page_links", "citations", "page_ids",
           "prose_text", "rendered_hrefs", "source_refs", "front_matter_texts")
_ENTRY_FIELDS = frozenset(_ENTRY_FIELD_NAMES)


# what an entry parsed in the process that checks it keeps until it is checked
_KEPT_AFTER_PARSE = _ENTRY_FIELDS | frozenset(CARRIED)


def _forget_derived(entry: Entry) -> None:
    """Drop what was computed from an entry and kept on it (its body's lines). The names
    to drop found by a set's difference, not a test of each (1.05 -> 0.7 microseconds
    an entry of the corpus, as checked)."""
    held = entry.__dict__
    for name in held.keys() - _ENTRY_FIELDS:
        del held[name]


def _catalog_level(settings: Settings, schemas, bibliography: tuple, cited: set[str],
                   today: _dt.date) -> list[Diagnostic]:
    """Diagnostics about no entry: the data files, and bibliography sources nobody cites.

    The checks run on one stand-in entry that cites what the whole catalog cites.
    """
    from .checks import Context, run_checks

    probe = Entry(id="-/-", collection="-", slug="-", file="-", body="", body_line=1,
                  data={"cites": [{"source": s} for s in sorted(cited)]})
    sources, positions, bib_file, bib_broken = bibliography
    catalog = Catalog(entries={probe.id: probe}, bibliography=sources,
                      bibliography_positions=positions, bibliography_file=bib_file,
                      bibliography_unreadable=bib_broken)
    ctx = Context(catalog=catalog, settings=settings, today=today, extras={"schemas": schemas})
    return [d for d in run_checks(ctx) if d.entry is None] + _bibliography_schema(settings,
                                                                                 schemas)


def _bibliography_schema(settings: Settings, schemas) -> list[Diagnostic]:
    """The shared bibliography against `schemas/bibliography.schema.json`: ids, URLs
    (http or https only), dates, required and unknown keys, each at its line."""
    from .checks.schema import _messages

    path = settings.path("bibliography")
    validator = schemas.validator("bibliography") if schemas is not None else None
    if validator is None or not path.is_file():
        return []
    _, _, raw, where, problems = parse_bibliography(settings.paths.bibliography,
                                                    path.read_bytes())
    if raw is None or any(d.rule != "bibliography" for d in problems):
        return []  # it does not parse: _bibliography said why
    out = []
    for error in validator.iter_errors(raw):
        for at, message in _messages(error):
            line, col = yamlpos.nearest(where, at)
            out.append(BIBLIOGRAPHY(settings.paths.bibliography, line, col, message))
    return out



# -- the run ----------------------------------------------------------------------

class WorkerShare:
    """What a caller lends to validate's worker processes and takes back from them.

    `state` is added to each worker's state; a function under "on_parse" in
    it is called as on_parse(state, file, bytes, entry) in the worker right
    after each entry is parsed (what the build renders while the entry is at
    hand, so that no file is parsed twice), and one under "on_chunk" as
    on_chunk(state) before each CHUNK of entries is checked (a build told to
    stop raises there: the checks of a big catalog take seconds). When
    validate starts workers, it makes them with `start(count, state)` and
    leaves them running: the caller owns and closes them. Given a share,
    validate parses new files in as many workers as `jobs` allows, however few
    (the caller forks that many anyway); with one job it parses them here, and
    calls the hooks here, on this process's state with `state` added (a caller
    that wants what the hook makes puts the containers for it in `state`).
    `scanned`: (when, files): the caller walked the entries folder and took each
    file's stat from that moment on (ValidateCache.scan), so validate does not again.
    """

    def __init__(self, state: dict, start: Callable[[int, dict], Workers],
                 scanned: tuple[int, list[tuple]] | None = None):
        self.state = state
        self.start = start
        self.scanned = scanned


def _workers(count: int, state: dict, share: WorkerShare | None):
    if count == 1:
        if share is not None:
            state.update(share.state)
        return InProcess(state)
    if share is None:
        return Workers(count, state)
    return contextlib.nullcontext(share.start(count, {**state, **share.state}))


# no full collections while it runs, between the passes as in them (InProcess.call): with
# one process, what it parsed is all there, live, and one full pass over it, as the
# catalog's stand-ins were made after the parse, took 0.11 of 1.1 CPU s on the corpus
@rare_full_collections()
def validate(
    settings: Settings,
    paths: list[str] | None = None,
    changed_since: str | None = None,
    today: _dt.date | None = None,
    strict: bool = False,
    *,
    cache: bool = True,
    jobs: int | None = None,
    progress=None,
    share: WorkerShare | None = None,
    errors_only: bool = False,
) -> ValidationResult:
    """Check the catalog; report on everything, on `paths`, or on what changed since a revision.

    `cache=False` neither reads nor writes the cache; `jobs` caps the worker
    processes (default: one per core when there is enough work); `progress`,
    when given, is told how much work there is and how much is done
    (`pipeline.progress.Progress`); `share` lends worker processes to the
    caller (see WorkerShare). `errors_only`: for a caller that refuses errors (a
    build), rule families that can report no error under the settings are neither run
    (the cache keeps no result for them, so a later run makes them) nor reported; the
    errors are all there, those families' warnings are not.
    """
    if changed_since is not None and not changed_since:  # it read as "no revision": all
        raise UsageError("--changed-since: an empty revision names no commit; give one, "
                         "such as origin/main")
    today = today or _dt.date.today()
    wanted = families_reporting_errors(settings.checks, strict) if errors_only else None
    store = ValidateCache.open(settings, enabled=cache)
    if share is None or share.scanned is None:
        records, fresh, refused = store.scan(walk_folder(settings))
    else:  # the caller's walk of the folder, and the stats it took
        when, walked = share.scanned
        records, fresh, refused = store.scan(walked, when)
    sources, where, bib_load = _bibliography(settings)
    # the shared bibliography, and whether it could not be read at all (then citations of
    # it are not reported one by one: its own error says why)
    bibliography = (sources, where, settings.paths.bibliography,
                    any(d.rule != "bibliography" for d in bib_load))
    # parsed ones, and those a cold build left without a family it did not run (checked
    # where they are read again: in the workers too)
    local = LOCAL_MODULES_SET if wanted is None else LOCAL_MODULES_SET & wanted
    unchecked = sum(1 for r in records.values() if r.entry and not local <= r.results.keys()) \
        if paths is None and changed_since is None else 0  # a run on some files: few
    parsing = min(jobs or cores(), len(fresh) // PER_WORKER)
    count = max(1, parsing, min(jobs or cores(), (len(fresh) + unchecked) // PER_WORKER)) \
        if can_fork() else 1
    if share is not None and fresh and can_fork():
        # the caller's workers, which it forks anyway: each file is parsed once, in the one
        # that renders it (with fewer than 2 x PER_WORKER files, they were parsed here and
        # then again in the caller's workers); one job: here, with the hook
        count = max(count, jobs or cores())
    state = {"settings": settings, "prefix": settings.paths.entries.strip("/"), "today": today,
             "schemas": _load_schemas(settings) if fresh or count > 1 else None,
             "base": Catalog(entries=_EntriesAt(settings, changed_since)) if changed_since
             else None, "bibliography": sources,
             "keep": count == 1,  # a worker forgets entries once checked
             # a cold run in workers keeps what it parsed for a build (catalog.parsed)
             "keep_parsed": (str(store.parsed_folder), f"{os.getpid()}-{time.time_ns()}")
             if parsing > 1 and share is None and store.parsed_folder is not None else None,
             "progress": progress if count == 1 else None,  # workers draw nothing
             "families": wanted}
    if count > 1:  # what every worker needs, made once here: they inherit it
        from .affiliates.programs import read_programs
        from .checks import load_checks

        load_checks()
        state["schemas"].warm()
        if wanted is None or "claims" in wanted:  # the claims' pattern (compiled when first
            from .checks.claims import QUANT_RE  # noqa: F401 - asked for: 25 ms) once, here
        # the affiliate programs, parsed once here (read_programs keeps the last file it
        # parsed): each worker parsed them again, 8.5 ms each, and then this process
        # for the catalog's diagnostics (a validate of the corpus; a build read them first)
        read_programs(settings)
    stage_bar = progress if count > 1 else None
    if progress is not None:
        progress.total = len(fresh)
    with _workers(count, state, share) as workers:
        # parse what is new, where it will be checked
        owner: set[str] = set()
        for parsed in workers.call(_parse_shard, [(fresh[i::count],) for i in range(count)]):
            for rel, record in parsed:
                records[rel] = record
                if record.entry:
                    owner.add(record.id)
            if stage_bar is not None:
                stage_bar.advance(len(parsed))
        if state["keep_parsed"]:
            store.parsed = written(store.parsed_folder, state["keep_parsed"][1])
            store.dirty = True
        facts = store.changes(records, fresh)
        store.dirty |= bool(fresh) or records.keys() != store.records.keys()
        by_id = {r.id: rel for rel, r in records.items() if r.entry}
        only, changed, touched = _targets(settings, by_id, records, paths, changed_since)
        targets = set(by_id) if only is None else only
        full, catalog_only = plan(records, by_id, targets, facts, changed, today.isoformat(),
                                  LOCAL_MODULES_SET, CATALOG_FAMILIES_SET, wanted)
        computed: dict[str, dict] = {}
        catalog_diags = None
        if full or catalog_only:
            if state["schemas"] is None:
                state["schemas"] = _load_schemas(settings)
            if progress is not None:
                progress.total = (progress.total or 0) + len(full | catalog_only)
            stubs = {entry_id: (rel, records[rel].entry) for entry_id, rel in by_id.items()}
            others = sorted((full | catalog_only) - owner)
            broken = frozenset(i for i in (file_id(rel) for rel, r in records.items()
                                           if not r.entry) if i is not None and i not in by_id)
            shared = _shared_values(stubs, wanted) if count > 1 else None
            checked = workers.start(_check_shard, [
                (stubs, bibliography, full, catalog_only,
                 [(by_id[i], str(settings.root / by_id[i])) for i in others[n::count]], broken,
                 shared) for n in range(count)])
            try:  # while the workers check (they sat idle while this was made after them)
                catalog_diags = _catalog_diagnostics(store, records, state, bibliography, today)
            finally:
                results = checked()
            for result in results:
                computed.update(result)
            if stage_bar is not None:
                stage_bar.advance(len(full | catalog_only))
    for entry_id, families in computed.items():
        if entry_id not in changed:  # results against a base revision are not kept
            r = records[by_id[entry_id]]
            r.results.update(families)
            if entry_id in full:
                r.checked_on = today.isoformat()
            store.dirty = True
    store.records = records
    if catalog_diags is None:
        catalog_diags = _catalog_diagnostics(store, records, state, bibliography, today)
    store.save()

    found: list[Diagnostic] = []
    for entry_id in targets:
        results = records[by_id[entry_id]].results  # with what was computed, but against
        if entry_id in changed and entry_id in computed:  # a base revision (not kept)
            results = {**results, **computed[entry_id]}
        for stored in results.values():
            if stored:
                found.extend(diagnostics(stored))
    load_diags = [d for r in records.values() if r.load for d in diagnostics(r.load)]
    # entry files read that did not parse (their problem names the entry they would be):
    # checked too, and counted (the summary left them out: "Checked 4 entries" of 5)
    unparsed = {rel for rel, r in records.items()
                if not r.entry and any(d.entry for d in diagnostics(r.load))}
    load_diags += refused + bib_load
    if only is not None:
        files = {by_id[i] for i in only}
        named = _named(settings, paths) if paths else []
        load_diags = [d for d in load_diags if d.file in files or d.entry in only
                      or d.entry in touched  # changed, and no longer parses
                      or (changed_since and d.entry is None) or _is_named(d.file, named)]
        # The data files every entry depends on (bibliography, affiliate programs): named,
        # or, against a revision, always (the build refuses their errors whatever changed).
        catalog_diags = [d for d in catalog_diags if changed_since or _is_named(d.file, named)]
    if changed_since:  # the corrections of the change's commits (checks/commits.py)
        from .checks.commits import commit_diagnostics

        catalog_diags = catalog_diags + commit_diagnostics(settings, changed_since)
    if wanted is not None:  # what the cache holds of the families not run: not reported,
        # so that the report does not depend on what an earlier run left there
        left_out = {r.id for name, rules in family_rules().items() if name not in wanted
                    for r in rules}
        found = [d for d in found if d.rule not in left_out]
    unparsed &= {d.file for d in load_diags}  # those this run reports on
    diags = apply_severities(load_diags + found + catalog_diags, settings.checks, strict)
    diags = with_renames(diags, lambda: renamed_ids(settings),
                         lambda i: records[by_id[i]].entry[3] if i in by_id else None,
                         functools.lru_cache(maxsize=None)(
                             lambda rel: _links_in(settings, rel)))
    return ValidationResult(diagnostics=diags, entries=len(targets) + len(unparsed),
                            catalog=_whole(state, by_id, bibliography),
                            load_catalog=lambda: load_catalog(settings)[0],
                            parsed=store.parsed_paths(),
                            digests={rel: r.digest for rel, r in records.items()})


def _shared_values(stubs: dict[str, tuple], families: frozenset[str] | None) -> dict:
    """The values of Context.shared that the checks make from every entry's stand-in, made
    once for all the workers (each made them from the same stand-ins)."""
    if families is not None and "publishing" not in families:
        return {}
    from .checks.publishing import shared_values

    return shared_values({entry_id: stub(rel, summary)
                          for entry_id, (rel, summary) in stubs.items()})


def _links_in(settings: Settings, rel: str) -> tuple[list[tuple], list[tuple]]:
    """The site links and the links relative to the page (catalog.text.site_links,
    page_links) of the entry file `rel`, read again (none if it no longer reads)."""
    try:
        data = (settings.root / rel).read_bytes()
    except OSError:
        return [], []
    entry, _ = parse_entry(rel, data, settings.paths.entries.strip("/"))
    if entry is None:
        return [], []
    return site_links(entry, settings.site.base_url), page_links(entry)


def _bibliography(settings: Settings):
    """(sources by id, their positions, problems): the shared bibliography's, and the
    settings' with it (a folder named as the file, a file named that is not there)."""
    from .catalog.loader import read_bibliography

    data, settings_problems = read_bibliography(settings)
    sources, where, _, _, problems = parse_bibliography(settings.paths.bibliography, data)
    return sources, where, [*problems, *settings_problems]


def _catalog_diagnostics(store: ValidateCache, records: dict[str, Record], state: dict,
                         bibliography: tuple, today: _dt.date) -> list[Diagnostic]:
    """Diagnostics about no entry, reused while what they depend on holds: the data
    files', and those of which bibliography sources the entries (`records`) cite."""
    sources = bibliography[0]
    cited = set().union(*(r.cited for r in records.values()))
    day = today.isoformat()
    key = (tuple(sorted(cited)), tuple((iso_day(str(s.get("accessed"))) or "") > day
                                       for s in sources.values()))
    if store.catalog is not None:
        known, stored, then = store.catalog
        if tuple(known) == key and (then == day or not mentions(then, stored)):
            return diagnostics(stored)
    schemas = state["schemas"] or _load_schemas(state["settings"])
    found = _catalog_level(state["settings"], schemas, bibliography, cited, today)
    store.catalog = (key, rows(found), day)
    store.dirty = True
    return found


def _whole(state: dict, by_id: dict[str, str], bibliography: tuple) -> Catalog | None:
    """The whole catalog, when this process parsed every entry of it."""
    parsed = state.get("entries", {})
    if any(i not in parsed for i in by_id):
        return None
    sources, where, file, _ = bibliography
    return Catalog(entries={i: parsed[i] for i, _ in sorted(by_id.items(), key=lambda x: x[1])},
                   bibliography=sources, bibliography_positions=where, bibliography_file=file)


def _load_schemas(settings: Settings):
    from .fastschema import FastSchemaSet

    return FastSchemaSet.load(settings.path("schemas"))


def _targets(settings: Settings, by_id: dict[str, str], records: dict[str, Record],
             paths: list[str] | None, changed_since: str | None):
    """(ids to report on or None for all, ids changed since the revision that are entries
    now, every id changed since the revision: those that no longer parse too)."""
    only: set[str] | None = None
    changed: set[str] = set()
    touched: set[str] = set()
    if paths:
        named = _named(settings, paths)
        only = {entry_id for entry_id, file in by_id.items() if _is_named(file, named)}
    if changed_since:
        from .history.gitio import changed_entry_ids

        changed, gone, inputs = changed_entry_ids(settings, changed_since)
        touched = changed | gone
        changed = changed & by_id.keys()
        if inputs:  # the settings, a schema or a data file: every entry (PATHS named
            # beside add none: both sets are checked, and named ones narrowed it before)
            return None, changed, touched
        only = (only or set()) | changed
        # what the change may make other entries see differently, in the cache's terms:
        # the ids it touched, and the titles and old ids the changed entries hold now (an
        # entry that claims a new entry's id, or shares its title, is reported too)
        facts = {("id", t) for t in touched} | ({REDIRECTS} if touched else set())
        for entry_id in changed:
            _, collection, _, summary = records[by_id[entry_id]].entry
            facts |= facets(collection, summary)
        only |= {entry_id for entry_id, rel in by_id.items()
                 if not facts.isdisjoint(records[rel].dependencies())}
    return only, changed, touched
