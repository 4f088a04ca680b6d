"""The editors' field reference (docs/schema-reference.md), generated from the schemas.

A test compares the committed page with this output, so it cannot drift.
"""

from __future__ import annotations

from .config import COLLECTIONS
from .schemas import SchemaSet


def _type(schemas: SchemaSet, node: dict, base: dict) -> str:
    node, base = schemas.resolve(node, base)
    if "x-collections" in node:
        cols = node["x-collections"]
        return ("author slug" if cols == ["authors"] else "id of " + " / ".join(cols))
    if "enum" in node:
        return " \\| ".join(f"`{v}`" for v in node["enum"])
    fmt = node.get("format")
    if fmt == "date":
        return "date `YYYY-MM-DD`"
    if fmt == "uri":
        return "URL"
    t = node.get("type")
    if t == "array":
        return "list of " + _type(schemas, node.get("items", {}), base)
    if t == "object":
        props = node.get("properties")
        if props:
            req = set(node.get("required", []))
            inner = ", ".join(f"`{k}`" + ("" if k in req else "?") for k in props)
            return f"object {{{inner}}}"
        return "mapping of text"
    if isinstance(t, list):
        return " or ".join(t)
    if t == "string" and "pattern" in node:
        return f"text matching `{node['pattern']}`"
    return t or "any"


def _desc(schemas: SchemaSet, node: dict, base: dict) -> str:
    resolved, _ = schemas.resolve(node, base)
    return (node.get("description") or resolved.get("description") or "").replace("|", "\\|")


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
        out += [f"## {name}: {doc.get('title', name)}", "", doc.get("description", ""), ""]
        req = set(doc.get("required", []))
        cond = doc.get("then", {}).get("required", [])
        out += ["| key | required | type | meaning |", "|---|---|---|---|"]
        for key, node in doc.get("properties", {}).items():
            r = "yes" if key in req else ("when published" if key in cond else "")
            out.append(f"| `{key}` | {r} | {_type(schemas, node, doc)} | {_desc(schemas, node, doc)} |")
        out.append("")
    common = schemas.schema_for("common") or {}
    out += ["## Shared parts", ""]
    for key in ("source", "verdict", "spec", "price", "offer"):
        node = common.get("$defs", {}).get(key)
        if not node:
            continue
        out += [f"### {key}", "", node.get("description", ""), "",
                "| key | required | type |", "|---|---|---|"]
        req = set(node.get("required", []))
        for k, sub in node.get("properties", {}).items():
            out.append(f"| `{k}` | {'yes' if k in req else ''} | {_type(schemas, sub, common)} |")
        out.append("")
    return "\n".join(out).rstrip() + "\n"
