"""`pipeline new`: a valid skeleton entry made from the collection's schema."""

from __future__ import annotations

import datetime as _dt
import os
import unicodedata
from pathlib import Path

import yaml

from .catalog.loader import SLUG_RE
from .catalog.model import Catalog
from .catalog.text import title_key
from .config import COLLECTIONS, Settings
from .errors import UsageError
from .fileio import create_new
from .schemas import SchemaSet

_BODIES = {
    "glossary": "## What it is\n\nTODO: a definition in plain words.\n\n"
    "## When to use it\n\nTODO\n\n## When not to use it\n\nTODO\n",
    "errors": "## Symptom\n\nTODO: what the reader sees.\n\n## Cause\n\nTODO\n\n"
    "## Fix\n\n```sh\nTODO: the command that fixes it\n```\n",
    "benchmarks": "## Setup\n\nTODO: how it was run.\n\n## Results\n\nTODO\n",
}


class _NothingToName(UsageError):
    """A field that must name an entry of a collection the catalog has none of yet."""

    def __init__(self, key: str, collections: list[str]):
        super().__init__(key)
        self.key, self.collections = key, collections


def _lacking(missing: list[_NothingToName]) -> UsageError:
    """Every field the catalog cannot fill yet, in one message: a benchmark names its
    hardware, model and tool, and a message naming only the first sent the editor back
    once per collection (found in review)."""
    wanted = [f"`{m.key}` a {' or '.join(m.collections)} entry" for m in missing]
    wanted[0] = wanted[0].replace(" a ", " must name a ", 1)
    todo = "; ".join(f"pipeline new {m.collections[0]} SLUG --title TITLE" for m in missing)
    return UsageError(f"{', '.join(wanted)}, and the catalog has none yet: create "
                      f"{'one' if len(missing) == 1 else 'them'} first ({todo})")


def _placeholder(schemas: SchemaSet, node: dict, base: dict, catalog: Catalog, today: str,
                 key: str = ""):
    node, base = schemas.resolve(node, base)
    if "x-collections" in node:
        for col in node["x-collections"]:
            ids = sorted(e.id for e in catalog.entries.values() if e.collection == col)
            if ids:
                return ids[0].split("/", 1)[1] if col == "authors" else ids[0]
        # `hardware/todo` would name no entry: the draft would not pass validation
        raise _NothingToName(key, node["x-collections"])
    if "enum" in node:
        return node["enum"][0]
    if "const" in node:
        return node["const"]
    t = node.get("type")
    t = t[0] if isinstance(t, list) else t
    if node.get("format") == "date":
        return today
    if node.get("format") == "uri":
        return "https://example.org/TODO"
    if t == "array":
        n = node.get("minItems", 0)
        item = node.get("items", {})
        return [_placeholder(schemas, item, base, catalog, today, key) for _ in range(n)]
    if t == "object":
        out = {}
        required = list(node.get("required", []))
        branches = [b.get("required", []) for b in node.get("oneOf", []) if isinstance(b, dict)]
        if branches:
            # prefer a branch that refers to an entry (it can be filled with a real id)
            props = node.get("properties", {})

            def refers(keys):
                return all("x-collections" in schemas.resolve(props.get(k, {}), base)[0]
                           for k in keys)

            required += next((b for b in branches if refers(b)), branches[0])
        for key in required:
            out[key] = _placeholder(schemas, node.get("properties", {}).get(key, {}), base,
                                    catalog, today, key)
        if not out and node.get("minProperties"):
            out["TODO"] = "TODO"
        return out
    if t in ("number", "integer"):
        return 0
    if t == "boolean":
        return False
    return "TODO"


def skeleton(
    schemas: SchemaSet, catalog: Catalog, collection: str, slug: str, title: str,
    author: str | None = None, today: _dt.date | None = None,
) -> str:
    """The text of a new draft entry that passes the collection's schema."""
    schema = schemas.schema_for(collection)
    if schema is None:
        raise UsageError(f"no schema for collection '{collection}'")
    today_s = (today or _dt.date.today()).isoformat()
    if author is None:
        authors = sorted(e.slug for e in catalog.entries.values() if e.collection == "authors")
        author = authors[0] if authors else slug if collection == "authors" else "TODO"
    data: dict = {"title": title, "status": "draft", "summary": "TODO: one sentence.",
                  "authors": [author]}
    props = schema.get("properties", {})
    missing = []
    for key in schema.get("required", []):
        if key not in data:
            try:
                data[key] = _placeholder(schemas, props.get(key, {}), schema, catalog,
                                         today_s, key)
            except _NothingToName as e:
                missing.append(e)
    if missing:
        raise _lacking(missing)
    data["sources"] = []
    front = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    lines = ["---", front.rstrip("\n"), "---"]
    body = _BODIES.get(collection, "TODO: write the entry. Cite claims with `[@source-id]`.\n")
    return "\n".join(lines) + "\n\n" + body


def new_entry(settings: Settings, schemas: SchemaSet, catalog: Catalog, collection: str,
              slug: str, title: str, author: str | None = None) -> Path:
    if collection not in COLLECTIONS:
        raise UsageError(f"unknown collection '{collection}' (known: {', '.join(COLLECTIONS)})")
    if not SLUG_RE.fullmatch(slug) or len(slug) > 80:
        raise UsageError(f"'{slug}' is not a valid slug: lowercase letters, digits and single "
                         "hyphens, at most 80 characters")
    _check_title(schemas, catalog, collection, title)
    entry_id = f"{collection}/{slug}"
    claimed = sorted(e.file for e in catalog.entries.values()
                     if isinstance(e.data.get("redirect_from"), list)
                     and entry_id in e.data["redirect_from"])
    if claimed:  # the new page would hide the redirect to that entry (redirect-collision)
        raise UsageError(f"{entry_id} is an old id of another entry ({claimed[0]} lists it in "
                         "redirect_from): its address redirects there; choose another slug")
    authors = {e.slug for e in catalog.entries.values() if e.collection == "authors"}
    if not authors and collection != "authors":
        raise UsageError("the catalog has no author yet, and every entry names its authors: "
                         "create yours first (pipeline new authors SLUG --title \"Your Name\")")
    if author is not None and author not in authors and not (collection == "authors"
                                                             and author == slug):
        known = ", ".join(sorted(authors)) or "none yet"
        raise UsageError(f"no author '{author}' (entries/authors/{author}.md); the authors "
                         f"are: {known}")
    path = settings.path("entries") / collection / f"{slug}.md"
    if os.path.lexists(path):  # a symbolic link too, even one to nothing
        link = f" (a symbolic link to {os.readlink(path)})" if path.is_symlink() else ""
        raise UsageError(f"{path.relative_to(settings.root)} already exists{link}; "
                         "not overwritten")
    try:  # made only if nothing is there as it is made: never a file written meanwhile
        create_new(path, skeleton(schemas, catalog, collection, slug, title, author))
    except FileExistsError:
        raise UsageError(f"{path.relative_to(settings.root)} already exists (it appeared "
                         "while this one was being made); not overwritten") from None
    return path


def _check_title(schemas: SchemaSet, catalog: Catalog, collection: str, title: str) -> None:
    """Refuse a title the draft could not pass validation with, or not hold as given."""
    if not title.strip():
        raise UsageError("the title is empty; give the entry's title with --title")
    if any(ord(c) < 32 or 127 <= ord(c) < 160 or 0xD800 <= ord(c) < 0xE000
           or unicodedata.category(c) in ("Zl", "Zp") for c in title):
        raise UsageError("the title holds a line break, a control character or bytes that "
                         "are not UTF-8; give it on one line, as text")
    schema = schemas.schema_for(collection) or {}
    node, _ = schemas.resolve(schema.get("properties", {}).get("title", {}), schema)
    most = node.get("maxLength")
    if isinstance(most, int) and len(title) > most:
        raise UsageError(f"the title is {len(title)} characters long; at most {most}")
    folded = title_key(title)
    same = sorted((e.file, e.data["title"]) for e in catalog.entries.values()
                  if e.collection == collection and e.status != "retired"
                  and isinstance(e.data.get("title"), str)
                  and title_key(e.data["title"]) == folded)
    if same:  # title-duplicate: two entries nobody can tell apart in lists and search
        file, theirs = same[0]  # its own spelling: `exl2` given, `EXL2` is what it has
        given = ("" if theirs.strip() == title.strip()
                 else f", the same as '{title.strip()}' in lists and search")
        raise UsageError(f"{file} already has the title '{theirs.strip()}'{given}; give the "
                         "new entry a title that says how it differs")
