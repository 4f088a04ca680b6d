"""The work done per entry, in this process or in forked workers.

`read_entries` reads entry files, parses those whose bytes changed and
renders the published ones; it returns what the rest of the build needs to
know about each (its `fact`) and puts what its page is made of aside
(in the build's spill files, see `_hold`: `held` says where) for the worker
that rendered it.
`write_entries` then assembles the pages that must change and writes them
into the spare tree. An entry that was not rendered again needs no parsing:
its previous document comes back from the live tree's JSON (a file the last
build wrote and recorded), and only what depends on other entries is made
again. Each worker works from a state dict: {"root", "prefix", "inputs",
"site", "held", "spill"}.
"""

from __future__ import annotations

import json
import marshal
import os

import orjson

from ..catalog.loader import content_digest, parse_entry
from ..catalog.model import Entry
from ..catalog.parsed import Stores
from ..checks.references import keep_page_ids
from ..catalog.text import front_matter_found
from ..errors import ChangedDuringBuild
from .collection_json import collection_item
from .entry_json import entry_document, entry_parts
from .links import TYPED, credited
from .output import TreeView
from .parts import make_parts
from .search_index import record_bytes
from .serialize import digest, json_bytes

# How an entry's files are made (see write_entries).
HELD, DOC, PAGE, COPY = "held", "doc", "page", "copy"


def entry_fact(entry: Entry) -> dict:
    """What other entries' pages and the lists need to know of an entry, from its file.

    A published entry's `outgoing` (the ids it links to, space-separated) is
    added once it is rendered, and what the lists show of it (`listing`) once
    its page is made.
    """
    data = entry.data
    fact = {"title": entry.title, "status": entry.status}
    olds = data.get("redirect_from")
    if isinstance(olds, list) and olds:
        fact["redirect_from"] = [o for o in olds if isinstance(o, str)]
    if entry.collection == "pages":
        fact["nav"] = (data.get("nav_order", 1000), str(data.get("section", "")))
    if entry.is_published:
        fact["credits"] = credited(data)
        fact["plain"] = front_matter_found(entry, "front_matter_plain")
    return fact


def outgoing_ids(fact: dict) -> list[str]:
    return fact["outgoing"].split()


def _read(full: str) -> tuple[str, bytes]:
    """(the stat a build compares, bytes) of a file."""
    with open(full, "rb") as f:
        st = os.fstat(f.fileno())
        data = f.read()
    return f"{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}:{st.st_ino}", data


def read_entries(state: dict, items: list[tuple], parsed: list[str] = ()) -> list[tuple]:
    """items: (file, full path, digest of its known bytes or None, its stat at the scan);
    parsed: the stores of front matter validate kept (catalog.parsed), given with each
    call (workers lent to validate were forked before validate said which they are).

    -> (file, stat, digest, fact or None when the bytes are the known ones,
    search record of a published entry (see `_render_entry`) or None, problem or
    None) each.
    An entry `prepare` rendered in this process while validate parsed it is
    taken as it was validated, without reading its file again: its stat is the
    one the scan took before validate read it, so a change since makes the next
    build read it again. One whose front matter validate kept (in `parsed`) has
    only its body split off.
    """
    prepared = state.get("prepared") or {}
    stores = state.get("stores")
    if stores is None:
        stores = state["stores"] = Stores(parsed)
    out = []
    for rel, full, known, scanned in items:
        ready = prepared.pop(rel, None)
        if ready is not None:
            out.append((rel, scanned, ready[0], ready[1], ready[2], None))
            continue
        stat, data = _read(full)
        found = content_digest(data)
        if found == known:
            out.append((rel, stat, found, None, None, None))
            continue
        entry = parse_entry(rel, data, state["prefix"], stores.get(found), found)[0]
        if entry is None:  # it changed since validate read it
            out.append((rel, stat, found, None, None,
                        f"{rel} changed during the build and no longer loads; run "
                        "`pipeline validate`, then build again"))
            continue
        out.append((rel, stat, found, *_render_entry(state, entry), None))
    state["spill"].flush()  # the records are copied into the index by the main process
    return out


def _render_entry(state: dict, entry: Entry) -> tuple[dict, tuple | None]:
    """(fact, search record or None): a published entry is rendered, and what its page
    is made of put aside (`held`: where in the spill) until the page is written. The
    search record is (where in the spill, its length, its digest)."""
    fact, record = entry_fact(entry), None
    if entry.is_published:
        parts, text, ids = make_parts(entry, state["inputs"])
        if ids is not None:  # validate's link-anchor reads them: not worked out again
            keep_page_ids(entry, ids)
        fact["outgoing"] = " ".join(parts["outgoing"])
        spill = state["spill"]
        found = record_bytes(entry, text)
        record = (spill.put(found), len(found), digest(found))
        # the parts but `outgoing`, which the page's task brings back (the fact's)
        state["held"][entry.id] = _hold(spill, entry.data, parts)
    return fact, record


def _hold(spill, data: dict, parts: dict) -> tuple:
    """Put an entry's front matter and parts aside (`_held` reads them back) -> (where,
    how long the JSON before the body is; 0: all marshalled).

    The front matter, sources and affiliate summary as JSON (orjson there and back: 11
    against marshal's 18 µs an entry of the benchmark's corpus), the body as its UTF-8
    after them (as marshal writes it, 2 µs; orjson took 9, escaping its HTML's quotes);
    with the spill's write and read, 24 -> 17.5 µs an entry. JSON gives back what it was
    given for the values a front matter holds once loaded (text, finite numbers, true,
    false, null, lists, mappings: `.nan`, `.inf` and tags are refused); a value it has
    no form for (a key that is not text, an integer over 64 bits) raises, and then the
    whole is marshalled instead."""
    rest = (data, parts["sources"], parts["affiliate"])
    try:
        head = orjson.dumps(rest)
    except TypeError:  # orjson.JSONEncodeError is a TypeError
        return spill.put(marshal.dumps((parts["body_html"], *rest))), 0
    return spill.put(head + parts["body_html"].encode("utf-8", "surrogatepass")), len(head)


def _held(spill, held: tuple) -> tuple:
    """(body HTML, front matter, sources, affiliate summary) that `_hold` put aside."""
    span, split = held
    found = spill.get(span)
    if not split:
        return marshal.loads(found)
    return (found[split:].decode("utf-8", "surrogatepass"),
            *orjson.loads(memoryview(found)[:split]))


def close_stores(state: dict) -> None:
    """Close the stores of front matter `read_entries` opened in this process."""
    stores = state.pop("stores", None)
    if stores is not None:
        stores.close()


def prepare(state: dict, rel: str, data: bytes, entry: Entry) -> None:
    """validate's `on_parse` in a build (validate.WorkerShare): render an entry whose bytes
    are not those the last build rendered while it is parsed, for `read_entries` to take.
    `state["known"]`: file -> digest of the bytes the last build saw. An entry that
    cannot be rendered is left for later: it may well be one validation refuses."""
    found = entry.digest  # the hash of `data`, made as it was parsed
    if found == state["known"].get(rel):
        return
    try:
        rendered = _render_entry(state, entry)
    except Exception:  # noqa: BLE001 - validation has not passed yet: its errors come
        return  # first; if it passes, `read_entries` renders the entry (and fails) again
    state.setdefault("prepared", {})[rel] = (found, *rendered)


def prepared_files(state: dict) -> list[str]:
    """The files `prepare` rendered in this process and `read_entries` has not taken."""
    return list(state.get("prepared") or ())


def _from_file(state: dict, entry_id: str) -> tuple[Entry, dict, str]:
    """Read and render an entry again (its previous document could not be used); -> also
    the digest of the bytes read, for the build to compare with those validate checked."""
    prefix = state["prefix"]
    rel = f"{prefix}/{entry_id}.md"
    data = _read(os.path.join(state["root"], rel))[1]
    entry = parse_entry(rel, data, prefix)[0]
    if entry is None or not entry.is_published:
        raise ChangedDuringBuild(f"{rel} changed while the build ran, after it was checked; "
                                 "nothing was published (the previous output is unchanged): "
                                 "build again", rel)
    return entry, make_parts(entry, state["inputs"])[0], entry.digest


def _previous_doc(view: TreeView, rel: str) -> dict | None:
    data = view.live_bytes(rel)
    if data is None:
        return None
    try:
        doc = json.loads(data)
    except ValueError:
        return None
    doc["reference_headings"] = dict(TYPED)  # in the order the page shows them
    return doc


def listing(doc: dict, history) -> dict:
    """What the lists (collection, feed, sitemap, home) need of an entry's document: its
    collection item (as it stands in the collection's JSON), its update date, its
    authors' names and the date of its last change."""
    return {"item": json_bytes(collection_item(doc), newline=False), "updated": doc["updated"],
            "authors": [a["title"] for a in doc["authors"]],
            "lastmod": history[0] or doc["updated"]}


def write_entries(state: dict, tasks: list[tuple], context: dict, view: TreeView,
                  backwards: bool = False) -> list[tuple]:
    """Make and write the JSON and page of each task's entry into the spare tree.

    A task is (entry id, kind, backlink ids, history, previous ids, outgoing
    ids, plain) with kind HELD (rendered by read_entries in this process), DOC
    (its own parts are unchanged: they come from its previous JSON), PAGE
    (only the page changes: templates or navigation) or COPY (nothing
    changes: the spare takes the live files). When the previous files cannot
    be used, the entry is read and rendered again. `view` holds the records
    of the tasks' files.

    -> (entry id, [(file, key, stat or None when kept)], listing or None when
    the document did not change, the digest of the file's bytes when it was read and
    rendered again, else False) each, in the order of `tasks`.
    `backwards`: work from the last task (two workers that start at either end
    of the sorted ids create files in different folders, instead of queueing
    for the same folder's lock).
    """
    state["site"].set_nav(context["nav"])
    if backwards:
        return [_write_entry(state, context, view, *task) for task in reversed(tasks)][::-1]
    return [_write_entry(state, context, view, *task) for task in tasks]


def _write_entry(state, context, view, entry_id, kind, incoming, history, previous, outgoing,
                 plain):
    site = state["site"]
    rels = (f"{entry_id}.json", f"{entry_id}.html")
    if kind == COPY:
        carried = [view.carry(rel) for rel in rels]
        if None not in carried:
            return entry_id, carried, None, False
        kind = DOC
    before = _previous_doc(view, rels[0]) if kind in (DOC, PAGE) and plain else None
    if kind == PAGE and before is not None:
        carried = view.carry(rels[0])
        if carried is not None:
            key = site.page_key(carried[1])  # the JSON's key (plain: `before` is read)
            return entry_id, [carried, (rels[1], key, view.write(
                rels[1], key, lambda: site.entry_page(before)))], None, False
    rendered = False
    if kind == HELD:
        body_html, data, sources, affiliate = _held(state["spill"], state["held"].pop(entry_id))
        parts = {"body_html": body_html, "sources": sources, "affiliate": affiliate,
                 "outgoing": outgoing}
        collection, slug = entry_id.split("/", 1)
        entry = Entry(id=entry_id, collection=collection, slug=slug, file="", data=data,
                      body=None, body_line=0)
    elif before is not None:
        entry, parts = entry_parts(before, entry_id, outgoing)
    else:
        entry, parts, rendered = _from_file(state, entry_id)  # rendered: the bytes' digest
    doc = entry_document(entry, parts, context["cards"], context["people"], incoming, history,
                         previous)
    data = json_bytes(doc)
    key = digest(data)
    files = [(rels[0], key, view.write(rels[0], key, data))]
    # the page's key from the JSON's when the JSON holds all the page is made of (see
    # Site.page_key); else from the page's bytes
    if plain:
        key = site.page_key(key)
        files.append((rels[1], key, view.write(rels[1], key, lambda: site.entry_page(doc))))
    else:
        data = site.entry_page(doc)
        key = digest(data)
        files.append((rels[1], key, view.write(rels[1], key, data)))
    return entry_id, files, listing(doc, history), rendered
