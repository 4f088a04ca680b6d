"""Links between entries, as readers see them: typed reference lists and backlinks."""

from __future__ import annotations

from ..catalog.model import Entry
from ..catalog.text import path_to_id
from ..config import COLLECTIONS
from ..schemas import SchemaSet, values_under

# The typed reference lists of a page, in the order they appear, with their headings.
TYPED = (
    ("related", "Related terms"),
    ("see_also", "See also"),
    ("guides", "Buyer guides"),
    ("errors", "When it doesn't work"),
)
COLLECTION_NAMES = {
    "glossary": "Glossary",
    "models": "Models",
    "hardware": "Hardware",
    "tools": "Tools",
    "benchmarks": "Benchmarks",
    "errors": "Errors KB",
    "guides": "Buyer guides",
    "pages": "Pages",
    "authors": "Authors",
}
SINGULAR = {
    "glossary": "term",
    "models": "model",
    "hardware": "hardware",
    "tools": "tool",
    "benchmarks": "benchmark",
    "errors": "error",
    "guides": "guide",
    "pages": "page",
    "authors": "author",
}


def outgoing(entry: Entry, schemas: SchemaSet, site_paths: list[str]) -> list[str]:
    """Ids of the entries this entry links to, sorted: front-matter references and
    `site_paths`, the internal links of its rendered body.

    Bylines (authors, reviewers, who signed a verdict) are credits, not links,
    so they are left out.
    """
    out: set[str] = set()
    for fld in schemas.ref_fields(entry.collection):
        if fld.collections == ("authors",):
            continue
        for value in values_under(entry.data, fld.path):
            if isinstance(value, str):
                out.add(value)
    for path in site_paths:
        target = _TARGETS.get(path, _TARGETS)
        if target is _TARGETS:
            target = path_to_id(path)
            if target and target.split("/", 1)[0] not in COLLECTIONS:
                target = None
            if len(_TARGETS) >= _TARGETS_KEPT:
                _TARGETS.clear()
            _TARGETS[path] = target
        if target:
            out.add(target)
    out.discard(entry.id)
    return sorted(out)


# site path -> the entry id it links to (or None): pages link to the same few paths again
# and again, so each is read once in a process (at most _TARGETS_KEPT kept)
_TARGETS: dict = {}
_TARGETS_KEPT = 4096


def card(entry_id: str, title: str) -> dict:
    """{id, title, url, collection}: how pages show a link to a published entry."""
    return {"id": entry_id, "title": title, "url": f"/{entry_id}",
            "collection": entry_id.split("/", 1)[0]}


def typed_references(entry: Entry, cards: dict[str, dict]) -> dict[str, list[dict]]:
    """The four typed lists (field -> resolved items); `see_also` items name their kind."""
    out: dict[str, list[dict]] = {}
    for fld, _ in TYPED:
        items = []
        values = entry.data.get(fld)
        for value in values if isinstance(values, list) else []:
            item = cards.get(value) if isinstance(value, str) else None
            if item is None:
                continue
            label = item["title"]
            if fld == "see_also":
                label = f"{SINGULAR[item['collection']]}: {label}"
            items.append({**item, "label": label})
        out[fld] = items
    return out


def credits(data: dict, people: dict[str, dict], field_name: str) -> list[dict]:
    """Authors or reviewers of an entry as {id, title, url} (a missing author shows its slug)."""
    slugs = data.get(field_name)
    return [author_card(people, slug) for slug in (slugs if isinstance(slugs, list) else [])
            if isinstance(slug, str)]


def author_card(people: dict[str, dict], slug: str) -> dict:
    """{id, title, url}; the url is None while the author's own page is not published.

    `people` holds that card for every entry of the authors collection.
    """
    return people.get(f"authors/{slug}") or {"id": f"authors/{slug}", "title": slug, "url": None}


def credited(data: dict) -> list[str]:
    """Ids of the authors entries whose cards an entry's page shows (bylines, verdict)."""
    slugs = [s for name in ("authors", "reviewed_by")
             for s in (data.get(name) if isinstance(data.get(name), list) else [])]
    verdict = data.get("verdict")
    if isinstance(verdict, dict):
        slugs.append(str(verdict.get("by", "")))
    return sorted({f"authors/{s}" for s in slugs if isinstance(s, str)})
