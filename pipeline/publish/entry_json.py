"""`/<collection>/<slug>.json`: everything the site shows for one published entry.

The same document feeds the entry's preview page, so what the front end
reads and what the preview shows cannot drift apart.
"""

from __future__ import annotations

from ..catalog.model import Entry
from .git_history import History
from .links import COLLECTION_NAMES, TYPED, author_card, credits, typed_references
from .pages import category_anchor

_FROM_PARTS = ("body_html", "sources", "affiliate")  # what entry_parts gives back


def dates(data: dict, history: History) -> dict:
    """published, updated (front matter, else git, else published) and where `updated` came from."""
    published = data.get("published")
    if data.get("updated"):
        return {"published": published, "updated": data["updated"],
                "updated_from": "front matter"}
    if history[0]:
        return {"published": published, "updated": max(history[0], published or ""),
                "updated_from": "git"}
    return {"published": published, "updated": published, "updated_from": "published"}


def breadcrumb(entry: Entry) -> list[dict]:
    """`Glossary / <category> / <title>` for glossary terms, `<Collection> / <title>` otherwise."""
    crumbs = [{"title": COLLECTION_NAMES[entry.collection], "url": f"/{entry.collection}"}]
    category = entry.data.get("category")
    if entry.collection == "glossary" and isinstance(category, str):
        crumbs.append({"title": category, "url": f"/glossary#{category_anchor(category)}"})
    crumbs.append({"title": entry.title, "url": None})
    return crumbs


def entry_document(entry: Entry, parts: dict, cards: dict[str, dict], people: dict[str, dict],
                   backlink_ids: list[str], history: History, previous_ids: list[str]) -> dict:
    """The published form of an entry (see docs/build.md for every key).

    `parts` are what its own file renders to (parts.make_parts); `cards` the
    published entries as links (links.card); `people` the cards of every
    author; `backlink_ids` the entries that link here; `history` its git
    history (git_history.History).
    """
    data = entry.data
    get = data.get
    when = dates(data, history)
    verdict = get("verdict")
    if isinstance(verdict, dict):
        verdict = {**verdict, "by": author_card(people, str(verdict.get("by", "")))}
    else:
        verdict = None
    affiliate = parts["affiliate"]
    offers = get("offers")
    if offers:
        paid_urls = {link["url"] for link in affiliate["links"]}
        offers = [{**o, "paid": o.get("url") in paid_urls} for o in offers if isinstance(o, dict)]
    else:
        offers = []
    # the keys in the order the JSON has them (sorted): orjson sorts a dict whose keys
    # are in order in a third of the time it takes to sort it otherwise
    return {
        "affiliate": affiliate,
        "authors": credits(data, people, "authors"),
        "backlinks": [cards[i] for i in backlink_ids if i in cards],
        "body_html": parts["body_html"],
        "breadcrumb": breadcrumb(entry),
        "category": get("category"),
        "collection": entry.collection,
        "corrections": [{"commit": commit, "date": date, "text": text}
                        for commit, date, text in history[1]],
        "front_matter": {**data, "updated": when["updated"]},
        "id": entry.id,
        "linked": {i: cards[i] for i in parts["outgoing"] if i in cards},
        "offers": offers,
        "previous_ids": previous_ids,
        "published": when["published"],
        "reference_headings": dict(TYPED),
        "references": typed_references(entry, cards),
        "reviewed_by": credits(data, people, "reviewed_by"),
        "slug": entry.slug,
        "sources": parts["sources"],
        "summary": get("summary"),
        "tags": get("tags") or [],
        "title": entry.title,
        "updated": when["updated"],
        "updated_from": when["updated_from"],
        "url": entry.url_path,
        "verdict": verdict,
    }


def entry_parts(doc: dict, entry_id: str, outgoing: list[str]) -> tuple[Entry, dict]:
    """The entry (its front matter) and parts a document was made of: the inverse of
    entry_document, for a document read back from its JSON file.

    Only exact for front matter whose mappings have text keys (see `plain_keys`).
    """
    data = dict(doc["front_matter"])
    if doc["updated_from"] != "front matter":
        del data["updated"]  # filled in by entry_document, not written by the editor
    collection, slug = entry_id.split("/", 1)
    entry = Entry(id=entry_id, collection=collection, slug=slug, file=f"{entry_id}.md",
                  data=data, body=None, body_line=0)
    parts = {k: doc[k] for k in _FROM_PARTS}
    parts["outgoing"] = outgoing
    return entry, parts


def plain_keys(value) -> bool:
    """True when every mapping inside `value` has text keys, so JSON gives it back unchanged."""
    if isinstance(value, dict):
        return all(type(k) is str and plain_keys(v) for k, v in value.items())
    if isinstance(value, list):
        return all(plain_keys(v) for v in value)
    return True
