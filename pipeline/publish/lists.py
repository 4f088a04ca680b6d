"""The files made of every published entry: collection lists, search index, sitemap,
feed, redirects, and the preview's home, search and gone pages.

They are made from what the build keeps of each entry (its list item, dates,
authors' names and search record), not from the entries' documents. The two
big ones are made only when they change: a collection's list when one of its
items did, the search index (every entry's text) when a record did, from the
new records and the spans of the previous file that hold the others.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable

import orjson

from ..config import COLLECTIONS
from ..errors import PipelineError
from . import collection_json, digests, feed, redirects, search_index, sitemap
from .output import Span, TreeView
from .plan import signature
from .pool import Pool
from .run import Run
from .serialize import digest, json_bytes

SEARCH_INDEX = "search-index.json"


def write_lists(b: Run, pool: Pool | None = None) -> Callable[[], None]:
    """Put every list file into the spare (or keep the one it has); -> a function that
    waits until they are all there. The collection pages and the search index (the
    lists' biggest share of the work: 0.25 s of 0.4 s for 10,000 entries) are made in the
    `pool`'s workers, when it has some, while this process makes the others (and
    whatever the caller does before it waits)."""
    settings, site, tree, facts = b.settings, b.site, b.tree, b.facts
    old = b.old["facts"]
    by_collection: dict[str, list[str]] = {}
    for i in b.published:
        by_collection.setdefault(i.split("/", 1)[0], []).append(i)
    work: list[tuple[int, tuple]] = []  # (weight, what write_share makes)
    moved = _moved(b.moved, b.changed, old, facts)
    # every collection, one with nothing published too: a front end asking for
    # /errors.json gets an empty list, not a 404 when the last entry is unpublished
    for collection in sorted(COLLECTIONS):
        ids = by_collection.get(collection, [])
        ids.sort(key=lambda i: (facts[i]["title"].casefold(), i))
        for rel in (f"{collection}.json", f"{collection}.html"):
            page = rel.endswith(".html")
            if collection not in moved and not (page and b.site_changed) and tree.carry_file(rel):
                continue
            if page:
                work.append((len(ids), ("page", rel, collection, [facts[i]["item"] for i in ids])))
            else:
                tree.put(rel, collection_json.collection_bytes(
                    collection, [facts[i]["item"] for i in ids]))
    index = _search_index_work(b)
    if index is not None:
        work.append((len(b.published) // 2, index))  # a record costs half an item
    waiting = _start_shares(b, pool, work)
    sent = digests.write_digests(b, b.digests)
    for rel, data in sitemap.sitemaps(
            settings.site.base_url, [(f"/{i}", facts[i]["lastmod"]) for i in b.published]
            + sitemap.index_pages(by_collection, {i: facts[i]["lastmod"] for i in b.published})
            + [(item.url, item.updated) for item in sent]).items():
        tree.put(rel, data)
    newest = _newest(facts, b.published, max(feed.FEED_SIZE, 12))  # the feed's, the home's
    kept = feed.atom_ids(settings.site.base_url, b.git.get("first", {}), set(b.published),
                         lambda i: _item(facts[i])["published"])
    tree.put("feed.xml", feed.atom_feed(settings, sent + [
        feed.entry_item(_item(facts[i]), facts[i]["authors"], kept.get(i, ""))
        for i in newest[:feed.FEED_SIZE]]))
    tree.put("redirects.json", json_bytes(redirects.redirects_json(b.plan)))
    tree.put("_redirects", redirects.netlify_redirects(b.plan))
    recent = [_item(facts[i]) for i in newest[:12]]
    counts = {c: len(ids) for c, ids in by_collection.items()}
    tree.put("index.html", lambda: site.home_page(recent, counts),
             digest(site.fingerprint, repr(recent), repr(sorted(counts.items()))))
    tree.put("search.html", site.search_page, digest(site.fingerprint, "search"))
    tree.put("gone.html", site.gone_page, digest(site.fingerprint, "gone"))
    for rel, data in site.assets().items():
        tree.put(rel, data)

    def finish() -> None:
        for share in waiting():
            for rel, key, stat in share:
                tree.record(rel, key, stat)

    return finish


def _moved(moved: set[str], changed, old: dict, facts: dict) -> set[str]:
    """`moved` and each collection where a `changed` entry's title or publication changed
    (what its lists show of it): once one is, its other entries are not looked at (every
    changed entry's two signatures cost 3 to 11 ms for 10,000 entries in a cold build,
    0.9 ms so)."""
    moved = set(moved)
    for i in changed:
        collection = i.partition("/")[0]
        if collection not in moved and signature(old.get(i)) != signature(facts.get(i)):
            moved.add(collection)
    return moved


def _start_shares(b: Run, pool: Pool | None, work: list[tuple[int, tuple]]):
    """Start making `work` in the pool's workers (the heaviest first, each to the least
    loaded), or here when it has none; -> a function that waits for the outcomes."""
    count = pool.size if pool is not None and pool.size > 1 else 1
    shares: list[list[tuple]] = [[] for _ in range(count)]
    loads = [0] * count
    for weight, what in sorted(work, key=lambda w: (-w[0], w[1][1])):
        n = loads.index(min(loads))
        shares[n].append(what)
        loads[n] += weight
    calls = [(share, b.tree.view([what[1] for what in share])) for share in shares if share]
    if count == 1:
        results = [write_share({"site": b.site}, *call) for call in calls]
        return lambda: results
    return pool.start(write_share, calls)


def write_share(state: dict, work: list[tuple], view: TreeView) -> list[tuple]:
    """Make and write list files into the spare (in a worker, or here) -> (file, key,
    stat) each. `work`: ("page", file, collection, its items' JSON) for a collection page,
    ("index", file, key, pieces) for the search index (see `search_index`)."""
    out = []
    for what in work:
        if what[0] == "page":
            _, rel, collection, items = what
            data = state["site"].collection_page(collection, [_loads(i) for i in items])
            key = digest(data)
        else:
            _, rel, key, pieces = what
            data = search_index.search_index(pieces)
        out.append((rel, key, view.write(rel, key, data)))
    return out


def _newest(facts: dict, published: list[str], count: int) -> list[str]:
    """The `count` entries updated last, the newest first, by `updated` then by id (as by
    URL, each the id after a `/`: the feed's order, and the home page's): one sort for
    both (each sorted every published entry, 7 to 8 ms for 10,000)."""
    return sorted(published, key=lambda i: (facts[i]["updated"], i), reverse=True)[:count]


def _item(fact: dict) -> dict:
    """An entry's collection item, from its JSON."""
    return _loads(fact["item"])


def _loads(data: bytes):
    """JSON the build wrote (orjson reads it in a fifth of the standard library's time:
    10,000 items are read for the collection pages). orjson reads an integer over 64 bits
    as a float: a text with a long run of digits is read by the standard library."""
    return json.loads(data) if _long_number(data) else orjson.loads(data)


def _long_number(data: bytes) -> bool:
    """Whether `data` holds a run of 19 digits (re.search(rb"\\d{19}", data)): its digits
    made 0s, searched for nineteen 0s (3.5 µs for an item of 450 bytes with the regular
    expression, 0.4 µs so; it was most of `_loads`)."""
    return _NINETEEN in data.translate(_ZEROS)


_ZEROS = bytes.maketrans(b"123456789", b"000000000")
_NINETEEN = b"0" * 19


def _search_index_work(b: Run) -> tuple | None:
    """What `write_share` needs to put the index together from the new records and, for
    the others, the spans of the previous file that hold them; None when the live file is
    kept as it is."""
    facts, old = b.facts, b.old["facts"]
    before = sorted(i for i, f in old.items() if f["status"] == "published")
    records = _with_previous_ids(b, before)
    if not records and before == b.published and b.tree.carry_file(SEARCH_INDEX):
        return None
    for i, (_, length, key) in records.items():
        facts[i] = {**facts[i], "search": (length, key)}
    pieces = [records[i][0] for i in b.published] if len(records) == len(b.published) \
        else _reuse_records(b, before, records)
    return "index", SEARCH_INDEX, digest(*(facts[i]["search"][1] for i in b.published)), pieces


def _with_previous_ids(b: Run, before: list[str]) -> dict:
    """The new records (entry id -> (piece, length, digest)): those rendered in this build
    (`b.records`), and those of the entries whose old ids (`previous_ids`: redirects from
    `redirect_from` and git renames, which a record made from the entry's own file does
    not know) changed, with their old ids put in."""
    records, olds_before = dict(b.records), b.old.get("previous") or {}
    where, opened = None, {}
    try:
        for i in b.published:
            olds = b.previous.get(i) or []
            if i in records:
                if olds:
                    records[i] = _record_with(_span_bytes(records[i][0], opened), olds)
            elif olds != (olds_before.get(i) or []):
                if where is None:
                    path, spans = _previous_spans(b, before)
                    where = {e: Span(path, *span) for e, span in zip(before, spans)}
                records[i] = _record_with(_span_bytes(where[i], opened), olds)
    finally:
        for fd in opened.values():
            os.close(fd)
    return records


def _record_with(data: bytes, olds: list[str]) -> tuple[bytes, int, str]:
    """A search record (as `search_index.record_bytes` made it, or as the previous file
    holds it) with `previous_ids` set to `olds`, or left out when there are none."""
    record = _loads(data)
    record.pop("previous_ids", None)
    if olds:
        record["previous_ids"] = list(olds)
    found = json_bytes(record)[:-1]
    return found, len(found), digest(found)


def _span_bytes(span: Span, opened: dict[str, int]) -> bytes:
    """The bytes of `span`. `opened`: the files read so far (path -> descriptor), for the
    caller to close: a file is opened once, not for each of its spans (opened each time, a
    span of the search index's records took 8 µs to read; 1.5 µs so)."""
    fd = opened.get(span.path)
    if fd is None:
        fd = opened[span.path] = os.open(span.path, os.O_RDONLY)
    return os.pread(fd, span.end - span.start, span.start)


def _previous_spans(b: Run, before: list[str]) -> tuple[str | None, list]:
    """(the live search index, where each record of `before` is in it)."""
    old = b.old["facts"]
    path = b.tree.live_path(SEARCH_INDEX)
    spans = path and search_index.record_spans(path, [old[i]["search"][0] for i in before])
    if not spans and before:
        raise PipelineError(f"the build cache does not match {SEARCH_INDEX} of the output; "
                            "build again with --no-cache")
    return path, spans or []


def _reuse_records(b: Run, before: list[str], records: dict) -> list:
    """The records in order, unchanged ones as runs (Spans) of the previous file."""
    path, spans = _previous_spans(b, before)
    where = dict(zip(before, spans))
    pieces, run = [], None  # run: [start, end] in the previous file
    for i in b.published:
        if i in records:
            if run is not None:
                pieces.append(Span(path, *run))
                run = None
            pieces.append(records[i][0])
            continue
        start, end = where[i]
        if run is not None and start == run[1] + len(search_index.SEPARATOR):
            run[1] = end  # the next record of the previous file: the run goes on
            continue
        if run is not None:
            pieces.append(Span(path, *run))
        run = [start, end]
    if run is not None:
        pieces.append(Span(path, *run))
    return pieces
