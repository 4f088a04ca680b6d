"""`pipeline build` as a library function: settings in, a BuildResult out.

`build()` reads as the sequence of its stages: find the entry files that
changed since the last build into the same folder; validate (refusing a
catalog with errors), with git's history read beside it when HEAD moved;
read, parse and render only the changed entries (on two cores when there
are many); link entries both ways, plan redirects and decide which pages
change and how; write those pages and then the lists into the spare tree;
swap it in, with what this build knew of the catalog for the next one.
"""

from __future__ import annotations

import datetime as _dt
import json
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from .. import __version__
from ..catalog.loader import walk_folder
from ..config import COLLECTIONS, Settings
from ..errors import PipelineError
from . import collection_json, feed, redirects, search_index, sitemap
from .git_history import head, read_git_data, start_warming
from .links import COLLECTION_NAMES, card
from .output import OutputTree
from .pages import Site
from .parts import Inputs
from .pool import MIN_PARALLEL, Pool, default_jobs
from .render import (COPY, DOC, HELD, PAGE, file_stat, outgoing_ids, read_entries,
                     write_entries)
from .serialize import digest, json_bytes

STATE_VERSION = 2
SEARCH_INDEX = "search-index.json"


class ValidationFailed(PipelineError):
    """The catalog has validation errors, so nothing was published."""

    def __init__(self, report: str, result):
        self.result = result
        super().__init__("the catalog has validation errors; nothing was published "
                         "(the previous output is unchanged).\n\n" + report.rstrip())


@dataclass
class BuildResult:
    out_dir: Path
    entries: int = 0  # published entries built
    rendered: int = 0  # entries whose body was rendered (not found in the cache)
    files: int = 0  # files in the output
    written: int = 0  # files written by this build (the rest were unchanged)
    redirects: int = 0
    gone: int = 0
    notes: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)  # per stage; never in the output


def build(settings: Settings, out_dir: Path, *, jobs: int | None = None, use_cache: bool = True,
          today: _dt.date | None = None) -> BuildResult:
    """Build the site's artifacts and the preview into `out_dir`, replacing it atomically.

    Raises ValidationFailed (listing the problems) when the catalog has
    validation errors, RedirectLoopError for a redirect loop, and
    OutputError when `out_dir` is not a build output folder.
    """
    jobs = default_jobs() if jobs is None else jobs
    result = BuildResult(out_dir=Path(out_dir))
    stage = _stage_timer(result.seconds)
    with OutputTree(result.out_dir, settings.path("cache") / "build" / "trees",
                    protect=settings.root) as tree:
        with stage("scan"):
            b = _Build(settings, tree, Inputs(settings), Site(settings))
            _scan(b, use_cache)
        with Pool(jobs, {"root": str(settings.root), "prefix": b.prefix, "inputs": b.inputs,
                         "site": b.site, "held": {}}) as pool:
            if len(b.items) >= MIN_PARALLEL:
                pool.start()  # forked now, while this process is small
            with stage("validate"):
                git_read = start_warming(settings) if jobs > 1 and b.git_moved else None
                try:
                    refuse_invalid(settings, today, jobs)
                finally:
                    if git_read:
                        git_read()
            with stage("git"):
                _read_git(b)
            tree.begin()
            with stage("render bodies"):
                result.rendered = _read_changed(b, pool)
            with stage("links"):
                tasks, context = _plan_pages(b)
            with stage("write entries"):
                result.rendered += _write_entries(b, pool, tasks, context)
        with stage("write lists"):
            _write_lists(b)
        with stage("swap"):
            tree.commit(_new_state(b))
    result.notes += [b.git["note"]] if b.git["note"] else []
    result.entries = len(b.published)
    result.files = len(tree.records)
    result.written = tree.written
    result.redirects = len(b.plan.moved)
    result.gone = len(b.plan.gone)
    return result


def refuse_invalid(settings: Settings, today: _dt.date | None = None,
                   jobs: int | None = None) -> None:
    """Raise ValidationFailed, with validate's text report, when the catalog has errors."""
    from ..report import ReportOptions, get_reporters
    from ..validate import validate

    checked = validate(settings, today=today, jobs=jobs)
    if checked.errors:
        report = get_reporters()["text"]().render(checked, ReportOptions(tool_version=__version__))
        raise ValidationFailed(report, checked)


def _stage_timer(seconds: dict[str, float]):
    @contextmanager
    def stage(name: str):
        start = time.perf_counter()
        try:
            yield
        finally:
            seconds[name] = round(time.perf_counter() - start, 4)

    return stage


@dataclass
class _Build:
    """What the stages share. `old` is the state the last build saved with the live tree:

    {"inputs": fingerprint, "site": fingerprint of the pages, "files": {entry
    file: "size:mtime:ctime:inode:digest"}, "facts": {entry id: fact}, "git":
    {"head", "note", "histories", "renames"}, "previous": {id: old ids}}.
    """

    settings: Settings
    tree: OutputTree
    inputs: Inputs
    site: Site
    old: dict = field(default_factory=dict)
    items: list = field(default_factory=list)  # (file, full path, known digest) to read
    files: dict = field(default_factory=dict)  # the new "files"
    facts: dict = field(default_factory=dict)  # the new "facts"
    git: dict = field(default_factory=dict)  # the new "git"
    git_moved: bool = True  # HEAD is not where the last build saw it
    changed: set = field(default_factory=set)  # ids whose file changed, appeared or went
    records: dict = field(default_factory=dict)  # entry id -> its new search record
    owner: dict = field(default_factory=dict)  # entry id -> the worker that rendered it
    published: list = field(default_factory=list)  # sorted ids
    plan: redirects.Redirects | None = None
    previous: dict = field(default_factory=dict)  # published id -> old ids redirected to it
    moved: set = field(default_factory=set)  # collections whose list changed
    site_changed: bool = True
    state_changed: bool = True  # anything in the state besides the trees' records

    @property
    def prefix(self) -> str:
        return self.settings.paths.entries.strip("/")

    def entry_id(self, rel: str) -> str:
        return rel[len(self.prefix) + 1:-3]


# -- scan ------------------------------------------------------------------------

def _usable(b: _Build, saved) -> bool:
    """The last build's state holds for this build: same inputs, and the live search
    index it describes is still there (this build takes unchanged records from it)."""
    return (isinstance(saved, dict) and saved.get("version") == STATE_VERSION
            and saved.get("inputs") == b.inputs.fingerprint
            and b.tree.live_ok(SEARCH_INDEX))


def _scan(b: _Build, use_cache: bool) -> None:
    """Compare every entry file's stat with the last build's; list those to read."""
    saved = b.tree.previous if use_cache else None
    b.old = saved if _usable(b, saved) else {"files": {}, "facts": {}, "site": None,
                                             "git": {"head": None}, "previous": {}}
    known = b.old["files"]
    for rel, full, problem in walk_folder(b.settings):
        if problem is not None:
            continue  # refused by validate
        stat, before = file_stat(full), known.get(rel)
        if before is not None and before.rpartition(":")[0] == stat:
            b.files[rel] = before
        else:
            b.items.append((rel, full, before.rpartition(":")[2] if before else None))
    b.git["head"] = head(b.settings)
    b.git_moved = b.git["head"] != b.old["git"]["head"]
    b.state_changed = bool(b.items) or known.keys() != b.files.keys()


def _read_git(b: _Build) -> None:
    """Histories and renames: the last build's while HEAD has not moved."""
    if not b.git_moved:
        b.git = b.old["git"]
        return
    data = read_git_data(b.settings)
    b.git.update(note=data.note, renames=data.renames,
                 histories={i: data.of(i) for i in data.histories})
    b.state_changed = True


# -- render bodies -----------------------------------------------------------------

def _read_changed(b: _Build, pool: Pool) -> int:
    """Read the entry files whose stat changed and render those whose bytes changed;
    -> how many were rendered."""
    b.facts = dict(b.old["facts"])
    seen = {rel for rel, _, _ in b.items}
    for rel in b.old["files"].keys() - b.files.keys() - seen:
        b.facts.pop(b.entry_id(rel), None)
        b.changed.add(b.entry_id(rel))
    count = pool.shares(len(b.items))
    for worker, share in enumerate(pool.run(read_entries, [(b.items[i::count],)
                                                           for i in range(count)])):
        for rel, stat, found, fact, record, problem in share:
            if problem:
                raise PipelineError(problem)
            b.files[rel] = f"{stat}:{found}"
            if fact is None:
                continue
            entry_id = b.entry_id(rel)
            b.facts[entry_id] = fact
            b.changed.add(entry_id)
            if record is not None:
                b.records[entry_id] = record
                b.owner[entry_id] = worker
    return len(b.records)


# -- links ---------------------------------------------------------------------------

def _signature(fact: dict | None):
    """What other pages show of an entry: its title, and whether it is published."""
    return None if fact is None else (fact["title"], fact["status"] == "published")


def _published_links(fact: dict | None) -> set[str]:
    return set(outgoing_ids(fact)) if fact and fact["status"] == "published" else set()


def _affected(b: _Build) -> set[str]:
    """Ids whose page must be made again because of what changed in other entries: their
    backlinks changed, or an entry they show changed its title or publication."""
    old, facts = b.old["facts"], b.facts
    out: set[str] = set()
    shown = set()
    for i in b.changed:
        before, now = _published_links(old.get(i)), _published_links(facts.get(i))
        out |= before ^ now  # their "what links here"
        if _signature(old.get(i)) != _signature(facts.get(i)):
            shown.add(i)
            out |= before | now  # they show this entry among their backlinks
    if shown:  # the pages that show them: links, bylines
        out |= {i for i in b.published
                if not shown.isdisjoint(outgoing_ids(facts[i]))
                or not shown.isdisjoint(facts[i]["credits"])}
    return out


def _plan_pages(b: _Build) -> tuple[list[tuple], dict]:
    """Plan redirects and decide how each page is made.

    -> (tasks for render.write_entries, the context they share).
    """
    facts, old, tree = b.facts, b.old, b.tree
    b.published = published = sorted(i for i, f in facts.items() if f["status"] == "published")
    b.plan = redirects.plan_redirects(
        {i: f["status"] for i, f in facts.items()},
        {i: f["redirect_from"] for i, f in facts.items() if "redirect_from" in f},
        b.git["renames"], b.prefix)
    b.previous = b.plan.previous_ids()
    b.site.set_nav(_nav(facts, published))
    b.site_changed = old["site"] != b.site.fingerprint
    histories, old_histories = b.git["histories"], old["git"].get("histories", {})
    affected = _affected(b)
    kinds = {}
    for i in published:
        if i in b.records:
            kinds[i] = HELD
        elif ("item" not in facts[i] or i in affected
              or b.git_moved and histories.get(i) != old_histories.get(i)
              or b.previous.get(i) != old["previous"].get(i)):
            kinds[i] = DOC
        elif b.site_changed:
            kinds[i] = PAGE
        elif not (_keep(tree, f"{i}.json") and _keep(tree, f"{i}.html")):
            kinds[i] = COPY
    incoming: dict[str, list[str]] = {i: [] for i in kinds}
    for source in published:
        for target in outgoing_ids(facts[source]):
            if target in incoming:
                incoming[target].append(source)
    tasks = [(i, kind, incoming[i], histories.get(i, ("", ())), b.previous.get(i, []),
              outgoing_ids(facts[i]), facts[i]["plain"]) for i, kind in kinds.items()]
    people = {i: {"id": i, "title": f["title"],
                  "url": f"/{i}" if f["status"] == "published" else None}
              for i, f in facts.items() if i.startswith("authors/")}
    cards = {i: card(i, facts[i]["title"]) for i in published} if tasks else {}
    return tasks, {"cards": cards, "people": people, "nav": b.site.nav}


def _keep(tree: OutputTree, rel: str) -> bool:
    """Keep the spare's `rel` when it is what the live tree has."""
    key = tree.live_key(rel)
    if key is None or not tree.holds(rel, key):
        return False
    tree.keep(rel)
    return True


def _nav(facts: dict, published: list[str]) -> dict:
    """The header's sections (collections with published entries) and, for the footer,
    the first page of each site section (about, trust...) by `nav_order`. No counts:
    a new entry must not change every page."""
    present = {i.split("/", 1)[0] for i in published}
    sections = [{"collection": c, "name": COLLECTION_NAMES[c], "url": f"/{c}"}
                for c in COLLECTIONS if c in present and c not in ("pages", "authors")]
    first: dict[str, tuple] = {}
    for i in published:
        if i.startswith("pages/"):
            order, section = facts[i]["nav"]
            rank = (order, facts[i]["title"], f"/{i}")
            first[section] = min(first.get(section, rank), rank)
    pages = [{"title": title, "url": url} for _, title, url in sorted(first.values())]
    return {"sections": sections, "pages": pages}


# -- write entries -------------------------------------------------------------------

def _write_entries(b: _Build, pool: Pool, tasks: list[tuple], context: dict) -> int:
    """Make the pages that change; -> how many entries had to be rendered again."""
    count = pool.shares(len(tasks))
    shares: list[list] = [[] for _ in range(count)]
    for n, task in enumerate(tasks):
        worker = b.owner.get(task[0]) if pool.size > 1 else None
        shares[n % count if worker is None else worker].append(task)
    if count > 1 and pool.size == 1:
        b.site.warm()  # compile the templates once, before workers are forked
    calls = [(share, context, b.tree.view([f"{t[0]}.{ext}" for t in share
                                           for ext in ("json", "html")])) for share in shares]
    rendered, old = 0, b.old["facts"]
    for share in pool.run(write_entries, calls):
        for entry_id, files, listing, again in share:
            for rel, key, stat in files:
                b.tree.record(rel, key, stat)
            if listing is not None:
                if listing["item"] != (old.get(entry_id) or {}).get("item"):
                    b.moved.add(entry_id.split("/", 1)[0])
                b.facts[entry_id] = {**b.facts[entry_id], **listing}
                b.state_changed = True
            rendered += again
    return rendered


# -- write lists -----------------------------------------------------------------------

def _write_lists(b: _Build) -> None:
    settings, site, tree, facts = b.settings, b.site, b.tree, b.facts
    old = b.old["facts"]
    by_collection: dict[str, list[str]] = {}
    for i in b.published:
        by_collection.setdefault(i.split("/", 1)[0], []).append(i)
    moved = b.moved | {i.split("/", 1)[0] for i in b.changed
                       if _signature(old.get(i)) != _signature(facts.get(i))}
    for collection, ids in sorted(by_collection.items()):
        ids.sort(key=lambda i: (facts[i]["title"].casefold(), i))
        for rel in (f"{collection}.json", f"{collection}.html"):
            page = rel.endswith(".html")
            if collection not in moved and not (page and b.site_changed) and tree.carry_file(rel):
                continue
            if page:
                items = [json.loads(facts[i]["item"]) for i in ids]
                tree.put(rel, site.collection_page(collection, items))
            else:
                tree.put(rel, collection_json.collection_bytes(
                    collection, [facts[i]["item"] for i in ids]))
    _write_search_index(b)
    tree.put("sitemap.xml", sitemap.sitemap(
        settings.site.base_url, [(f"/{i}", facts[i]["lastmod"]) for i in b.published]))
    newest = sorted(b.published, key=lambda i: (facts[i]["updated"], f"/{i}"),
                    reverse=True)[:feed.FEED_SIZE]
    tree.put("feed.xml", feed.atom_feed(settings, feed.digest_items(settings) + [
        feed.entry_item(json.loads(facts[i]["item"]), facts[i]["authors"]) for i in newest]))
    tree.put("redirects.json", json_bytes(redirects.redirects_json(b.plan)))
    tree.put("_redirects", redirects.netlify_redirects(b.plan))
    recent = [json.loads(facts[i]["item"]) for i in sorted(
        b.published, key=lambda i: (facts[i]["updated"], i), reverse=True)[:12]]
    counts = {c: len(ids) for c, ids in by_collection.items()}
    tree.put("index.html", lambda: site.home_page(recent, counts),
             digest(site.fingerprint, repr(recent), repr(sorted(counts.items()))))
    tree.put("search.html", site.search_page, digest(site.fingerprint, "search"))
    tree.put("gone.html", site.gone_page, digest(site.fingerprint, "gone"))
    for rel, data in site.assets().items():
        tree.put(rel, data)


def _write_search_index(b: _Build) -> None:
    """Put the index together from the new records and the previous file's others."""
    facts, old = b.facts, b.old["facts"]
    before = sorted(i for i, f in old.items() if f["status"] == "published")
    if not b.records and before == b.published and b.tree.carry_file(SEARCH_INDEX):
        return
    kept: dict = {}
    if len(b.records) < len(b.published):  # some records come from the previous file
        parts = search_index.split_index(b.tree.live_bytes(SEARCH_INDEX) or b"",
                                         [old[i]["search"][0] for i in before])
        if parts is None:
            raise PipelineError(f"the build cache does not match {SEARCH_INDEX} of the "
                                "output; build again with --no-cache")
        kept = dict(zip(before, parts))
    for i, record in b.records.items():
        facts[i] = {**facts[i], "search": (len(record), digest(record))}
    b.tree.put(SEARCH_INDEX, search_index.search_index(
        [b.records.get(i) or kept[i] for i in b.published]),
        digest(*(facts[i]["search"][1] for i in b.published)))


def _new_state(b: _Build) -> dict | None:
    """What the next build needs to know; None when it is the state this build read."""
    if not (b.state_changed or b.site_changed or b.previous != b.old["previous"]):
        return None
    return {"version": STATE_VERSION, "inputs": b.inputs.fingerprint,
            "site": b.site.fingerprint, "files": b.files, "facts": b.facts, "git": b.git,
            "previous": b.previous}
