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
import re

import orjson

from ..config import COLLECTIONS
from ..errors import PipelineError
from . import collection_json, digests, feed, redirects, search_index, sitemap
from .output import Span
from .plan import signature
from .run import Run
from .serialize import digest, json_bytes

SEARCH_INDEX = "search-index.json"


def write_lists(b: Run) -> None:
    """Put every list file into the spare (or keep the one it has)."""
    settings, site, tree, facts = b.settings, b.site, b.tree, b.facts
    old = b.old["facts"]
    by_collection: dict[str, list[str]] = {}
    for i in b.published:
        by_collection.setdefault(i.split("/", 1)[0], []).append(i)
    moved = b.moved | {i.split("/", 1)[0] for i in b.changed
                       if signature(old.get(i)) != signature(facts.get(i))}
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
                items = [_item(facts[i]) for i in ids]
                tree.put(rel, site.collection_page(collection, items))
            else:
                tree.put(rel, collection_json.collection_bytes(
                    collection, [facts[i]["item"] for i in ids]))
    _write_search_index(b)
    sent = digests.write_digests(b)
    tree.put("sitemap.xml", sitemap.sitemap(
        settings.site.base_url, [(f"/{i}", facts[i]["lastmod"]) for i in b.published]
        + [(item.url, item.updated) for item in sent]))
    newest = sorted(b.published, key=lambda i: (facts[i]["updated"], f"/{i}"),
                    reverse=True)[:feed.FEED_SIZE]
    tree.put("feed.xml", feed.atom_feed(settings, sent + [
        feed.entry_item(_item(facts[i]), facts[i]["authors"]) for i in newest]))
    tree.put("redirects.json", json_bytes(redirects.redirects_json(b.plan)))
    tree.put("_redirects", redirects.netlify_redirects(b.plan))
    recent = [_item(facts[i]) for i in sorted(
        b.published, key=lambda i: (facts[i]["updated"], i), reverse=True)[:12]]
    counts = {c: len(ids) for c, ids in by_collection.items()}
    tree.put("index.html", lambda: site.home_page(recent, counts),
             digest(site.fingerprint, repr(recent), repr(sorted(counts.items()))))
    tree.put("search.html", site.search_page, digest(site.fingerprint, "search"))
    tree.put("gone.html", site.gone_page, digest(site.fingerprint, "gone"))
    for rel, data in site.assets().items():
        tree.put(rel, data)


def _item(fact: dict) -> dict:
    """An entry's collection item, from its JSON (orjson reads it in a fifth of the
    standard library's time: 10,000 of them are read for the collection pages). orjson
    reads an integer over 64 bits as a float: an item with a long run of digits is read
    by the standard library."""
    data = fact["item"]
    return json.loads(data) if _LONG_NUMBER.search(data) else orjson.loads(data)


_LONG_NUMBER = re.compile(rb"\d{19}")


def _write_search_index(b: Run) -> None:
    """Put the index together from the new records and, for the others, the spans of the
    previous file that hold them."""
    facts, old = b.facts, b.old["facts"]
    before = sorted(i for i, f in old.items() if f["status"] == "published")
    if not b.records and before == b.published and b.tree.carry_file(SEARCH_INDEX):
        return
    for i, (_, length, key) in b.records.items():
        facts[i] = {**facts[i], "search": (length, key)}
    pieces = [b.records[i][0] for i in b.published] if len(b.records) == len(b.published) \
        else _reuse_records(b, before)
    b.tree.put(SEARCH_INDEX, search_index.search_index(pieces),
               digest(*(facts[i]["search"][1] for i in b.published)))


def _reuse_records(b: Run, before: list[str]) -> list:
    """The records in order, unchanged ones as runs (Spans) of the previous file."""
    old = b.old["facts"]
    path = b.tree.live_path(SEARCH_INDEX)
    spans = path and search_index.record_spans(path, [old[i]["search"][0] for i in before])
    if not spans and before:
        raise PipelineError(f"the build cache does not match {SEARCH_INDEX} of the output; "
                            "build again with --no-cache")
    where = dict(zip(before, spans or []))
    pieces, run = [], None  # run: [start, end] in the previous file
    for i in b.published:
        if i in b.records:
            if run is not None:
                pieces.append(Span(path, *run))
                run = None
            pieces.append(b.records[i][0])
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
