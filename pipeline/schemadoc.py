"""The editors' field reference (docs/schema-reference.md), generated from the schemas.

A test compares the committed page with this output, so it cannot drift.
"""

from __future__ import annotations

import json
import re

from .config import COLLECTIONS
from .schemas import SchemaSet


def _code(value) -> str:
    """A value as a code span: text as it is, anything else as JSON (`null`, not `None`),
    fenced with more backticks than it holds so a backtick cannot end the span."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    fence = "`" * (max((len(run) for run in re.findall("`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text.strip() else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _cell(text: str) -> str:
    """Text for one cell of a table row: on one line, every `|` escaped (GitHub's tables
    end a cell at a `|` even inside a code span; a line break ends the whole row)."""
    return " ".join(text.split()).replace("|", "\\|")


def _line(text) -> str:
    """A title or description outside a table, on one line (a heading ends at a line
    break)."""
    return " ".join(str(text).split())


def _type(schemas: SchemaSet, node: dict, base: dict, seen: frozenset = frozenset()) -> str:
    if not isinstance(node, dict):
        return "any"
    ref = node.get("$ref")
    if isinstance(ref, str):
        if (id(base), ref) in seen:  # a schema that holds itself: say so, once
            return "the same again (nested)"
        seen = seen | {(id(base), ref)}
    node, base = schemas.resolve(node, base)
    if "x-collections" in node:
        cols = node["x-collections"]
        return ("author slug" if cols == ["authors"] else "id of " + " / ".join(cols))
    if "enum" in node:
        return " | ".join(_code(v) for v in node["enum"])
    fmt = node.get("format")
    if fmt == "date":
        return "date `YYYY-MM-DD`"
    if fmt == "uri":
        return "URL"
    t = node.get("type")
    if t == "array":
        return "list of " + _type(schemas, node.get("items", {}), base, seen)
    if t == "object":
        props = node.get("properties")
        if props:
            req = set(node.get("required", []))
            inner = ", ".join(_code(k) + ("" if k in req else "?") for k in props)
            return f"object {{{inner}}}"
        return "mapping of text"
    if isinstance(t, list):
        return " or ".join(t)
    if t == "string" and "pattern" in node:
        return f"text matching {_code(node['pattern'])}"
    return t or "any"


def _desc(schemas: SchemaSet, node: dict, base: dict) -> str:
    resolved, _ = schemas.resolve(node, base)
    return node.get("description") or resolved.get("description") or ""


def render(schemas: SchemaSet) -> str:
    out = [
        "# Field reference",
        "",
        "<!-- Generated from schemas/ by `pipeline schema-docs --write`; do not edit by hand. -->",
        "",
        "Every entry is `entries/<collection>/<slug>.md`: YAML front matter between two `---`",
        "lines, then Markdown. Keys not listed here are refused (rule `schema`). `?` marks an",
        "optional key inside an object.",
        "",
    ]
    for name in COLLECTIONS:
        doc = schemas.schema_for(name)
        if doc is None:
            continue
        out += [f"## {name}: {_line(doc.get('title', name))}", "", _line(doc.get("description", "")),
                ""]
        req = set(doc.get("required", []))
        cond = doc.get("then", {}).get("required", [])
        out += ["| key | required | type | meaning |", "|---|---|---|---|"]
        for key, node in doc.get("properties", {}).items():
            r = "yes" if key in req else ("when published" if key in cond else "")
            out.append(f"| {_cell(_code(key))} | {r} | {_cell(_type(schemas, node, doc))} | "
                       f"{_cell(_desc(schemas, node, doc))} |")
        out.append("")
    common = schemas.schema_for("common") or {}
    out += ["## Shared parts", ""]
    for key in ("source", "verdict", "spec", "price", "offer"):
        node = common.get("$defs", {}).get(key)
        if not node:
            continue
        out += [f"### {key}", "", _line(node.get("description", "")), "",
                "| key | required | type |", "|---|---|---|"]
        req = set(node.get("required", []))
        for k, sub in node.get("properties", {}).items():
            out.append(f"| {_cell(_code(k))} | {'yes' if k in req else ''} | "
                       f"{_cell(_type(schemas, sub, common))} |")
        out.append("")
    return "\n".join(out).rstrip() + "\n"
