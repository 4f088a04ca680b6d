"""`/<collection>.json`: the list of a collection's published entries, for index pages."""

from __future__ import annotations

from .links import COLLECTION_NAMES
from .serialize import json_bytes


def collection_item(doc: dict) -> dict:
    """What a list shows of an entry."""
    verdict = doc.get("verdict")
    return {
        "id": doc["id"],
        "url": doc["url"],
        "title": doc["title"],
        "summary": doc["summary"],
        "category": doc["category"],
        "tags": doc["tags"],
        "published": doc["published"],
        "updated": doc["updated"],
        "rating": verdict.get("rating") if verdict else None,
        "has_affiliate_links": doc["affiliate"]["has_links"],
    }


def collection_document(collection: str, items: list[dict]) -> dict:
    """Items sorted by title (then id), as the index page lists them."""
    ordered = sorted(items, key=lambda i: (i["title"].casefold(), i["id"]))
    return {"collection": collection, "name": COLLECTION_NAMES[collection],
            "count": len(ordered), "entries": ordered}


def collection_bytes(collection: str, items: list[bytes]) -> bytes:
    """The file of `collection_document` made from its items' JSON (sorted as it sorts
    them): the same bytes as `json_bytes(collection_document(...))`."""
    head = json_bytes({"collection": collection, "count": len(items)})[:-2]
    return (head + b',"entries":[' + b",".join(items) + b"],"
            + json_bytes({"name": COLLECTION_NAMES[collection]})[1:])
