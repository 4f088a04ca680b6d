"""The editors' field reference (docs/schema-reference.md), generated from the schemas.

A test compares the committed page with this output, so it cannot drift.
"""

from __future__ import annotations

import json
import re

from .checks.publishing import PUBLISHED_KEYS
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
    """What a value must be, in words: its kind, then its limits after a `;`."""
    if not isinstance(node, dict):  # a boolean schema: `true` takes any value, `false` none
        return "never allowed" if node is False else "any"
    ref = node.get("$ref")
    if isinstance(ref, str):
        if (id(base), ref) in seen:  # a schema that holds itself: say so, once
            return "the same again (nested)"
        seen = seen | {(id(base), ref)}
    node, base = schemas.resolve(node, base)
    limits = _limits(node)
    kind = _kind(schemas, node, base, seen)
    return f"{kind}; {', '.join(limits)}" if limits else kind


def _kind(schemas: SchemaSet, node: dict, base: dict, seen: frozenset) -> str:
    if "x-collections" in node:
        cols = node["x-collections"]
        return ("author slug" if cols == ["authors"] else "id of " + " / ".join(cols))
    if "const" in node:
        return f"always {_code(node['const'])}"
    if "enum" in node:
        return " | ".join(_code(v) for v in node["enum"])
    fmt = node.get("format")
    if fmt == "date":
        return "date `YYYY-MM-DD`"
    if fmt == "uri":
        return "URL"
    t = node.get("type")
    if t == "array":
        items = _type(schemas, node.get("items", {}), base, seen)
        worded = ";" in items or items in _WORDED
        return "list of " + (f"({items})" if worded else items)
    if t == "object":
        props = node.get("properties")
        if props:
            req = set(node.get("required", []))
            inner = ", ".join(_code(k) + ("" if k in req else "?") for k in props)
            return f"object {{{inner}}}"
        extra = node.get("additionalProperties", True)
        if extra is False:
            return "empty object"
        if isinstance(extra, dict):
            values = _type(schemas, extra, base, seen)
            return "mapping of " + (f"({values})" if ";" in values else values)
        return "mapping"
    if isinstance(t, list):
        return " or ".join(t)
    if t == "string" and "pattern" in node:
        words = PATTERN_WORDS.get(node["pattern"])
        return words or f"text matching {_code(node['pattern'])}"
    if t:
        return t
    alternatives = [a for a in node.get("oneOf", node.get("anyOf", [])) if isinstance(a, dict)]
    if alternatives and not all(set(a) <= _RULE_KEYS for a in alternatives):
        return " or ".join(_type(schemas, a, base, seen) for a in alternatives)
    return "any"


# The schemas' patterns an editor meets, in words (with an example); any other is shown
# as the regular expression it is.
PATTERN_WORDS = {
    "^[a-z0-9]+(-[a-z0-9]+)*$": "lower-case letters and digits, words joined by single "
                                "hyphens, like `q4-k-m`",
    "^[a-z]+/[a-z0-9]+(-[a-z0-9]+)*$": "an entry's id `<collection>/<slug>`, like "
                                       "`glossary/kv-cache`",
    "^[a-z0-9][a-z0-9-]*$": "lower-case letters, digits and hyphens, not starting with a "
                            "hyphen, like `ollama-docs`",
    "^[A-Z]{3}$": "three capital letters, a currency code like `USD`",
    "^https?://": "an `http://` or `https://` address",
}

_WORDED = frozenset(PATTERN_WORDS.values())
_RULE_KEYS = {"required", "not", "description"}  # an alternative that only says which keys


def _count(n, one: str, many: str) -> str:
    return f"{_number(n)} {one if n == 1 else many}"


def _number(n) -> str:
    return str(int(n)) if isinstance(n, float) and n.is_integer() else str(n)


def _limits(node: dict) -> list[str]:
    """The schema's limits on a value (lengths, counts, bounds, a default), in words."""
    out = []
    for low, high, one, many in (("minLength", "maxLength", "character", "characters"),
                                 ("minItems", "maxItems", "item", "items"),
                                 ("minProperties", "maxProperties", "key", "keys")):
        lo, hi = node.get(low), node.get(high)
        if lo is not None and hi is not None:
            out.append(f"{_number(lo)} to {_count(hi, one, many)}")
        elif lo == 1 and low == "minLength":
            out.append("not empty")
        elif lo:
            out.append("at least " + _count(lo, one, many))
        elif hi is not None:
            out.append("at most " + _count(hi, one, many))
    for key, words in (("minimum", "at least"), ("exclusiveMinimum", "more than"),
                       ("maximum", "at most"), ("exclusiveMaximum", "less than")):
        if isinstance(node.get(key), (int, float)) and not isinstance(node[key], bool):
            out.append(f"{words} {_number(node[key])}")
    if node.get("uniqueItems") is True:
        out.append("no repeats")
    if "default" in node:
        out.append(f"default {_code(node['default'])}")
    return out


def _rules(node: dict) -> list[str]:
    """What a `oneOf`/`anyOf` of `required` alternatives asks of an object's keys."""
    out = []
    for key, words in (("oneOf", "Exactly one of"), ("anyOf", "At least one of")):
        alternatives = node.get(key)
        if not isinstance(alternatives, list) or not alternatives:
            continue
        if all(isinstance(a, dict) and set(a) <= {"required"} and len(a.get("required", [])) == 1
               for a in alternatives):
            out.append(f"{words} {', '.join(_code(a['required'][0]) for a in alternatives)}.")
        elif all(isinstance(a, dict) and set(a) <= _RULE_KEYS for a in alternatives):
            out.append(f"{words} these {len(alternatives)} combinations of keys, as the "
                       "schema spells out.")
    return out


def _desc(schemas: SchemaSet, node: dict, base: dict) -> str:
    if not isinstance(node, dict):  # `true`: any value, said by _type; nothing to tell
        return ""
    resolved, _ = schemas.resolve(node, base)
    return node.get("description") or resolved.get("description") or ""


SHARED = ("source", "verdict", "spec", "price", "offer")  # common.schema.json's objects


def _table(schemas: SchemaSet, node: dict, base: dict, when: dict | None = None) -> list[str]:
    """The rules on an object's keys, then one row per key: required, type, meaning."""
    req, when = set(node.get("required", [])), when or {}
    out = [line for rule in _rules(node) for line in (rule, "")]
    out += ["| key | required | type | meaning |", "|---|---|---|---|"]
    for key, sub in (node.get("properties") or {}).items():
        r = "yes" if key in req else when.get(key, "")
        out.append(f"| {_cell(_code(key))} | {r} | {_cell(_type(schemas, sub, base))} | "
                   f"{_cell(_desc(schemas, sub, base))} |")
    return out + [""]


def _objects(schemas: SchemaSet, node: dict, base: dict, label: str, shared: list,
             depth: int = 0) -> list[str]:
    # label: where the object is ("benchmarks", "benchmarks: `results`, each item")
    """A section for each object a collection's fields hold that is none of the shared
    parts (a benchmark's `results`, a guide's `picks`): their keys, at every depth."""
    out = []
    for key, sub in (node.get("properties") or {}).items():
        place = f"{label} > {_code(key)}" if depth else f"{label}: {_code(key)}"
        sub, sub_base = schemas.resolve(sub, base) if isinstance(sub, dict) else ({}, base)
        if sub.get("type") == "array" and isinstance(sub.get("items"), dict):
            sub, sub_base = schemas.resolve(sub["items"], sub_base)
            place += ", each item"
        props = sub.get("properties")
        if not isinstance(props, dict) or not props or any(props is p for p in shared):
            continue
        if depth > 8:  # a schema that holds itself: its first levels say it all
            continue
        out += [f"### {place}", ""]
        if sub.get("description"):
            out += [_line(sub["description"]), ""]
        out += _table(schemas, sub, sub_base)
        out += _objects(schemas, sub, sub_base, place, shared, depth + 1)
    return out


def render(schemas: SchemaSet) -> str:
    out = [
        "# Field reference",
        "",
        "<!-- Generated from schemas/ by `pipeline schema-docs --write`; do not edit by hand. -->",
        "",
        "Every entry is `entries/<collection>/<slug>.md`: YAML front matter between two `---`",
        "lines, then Markdown. Keys not listed here are refused (rule `schema`). `?` marks an",
        "optional key inside an object; the keys of an object a field holds have a table of",
        "their own, after the collection's or under *Shared parts*.",
        "",
    ]
    common = schemas.schema_for("common") or {}
    parts = {key: common.get("$defs", {}).get(key) for key in SHARED}
    shared = [node.get("properties") for node in parts.values() if isinstance(node, dict)]
    for name in COLLECTIONS:
        doc = schemas.schema_for(name)
        if doc is None:
            continue
        out += [f"## {name}: {_line(doc.get('title', name))}", "",
                _line(doc.get("description", "")), ""]
        # the schema's `then` (a verdict) and rule published-fields (a date and a summary)
        when = {key: "when published" for key in
                (*doc.get("then", {}).get("required", []), *PUBLISHED_KEYS)}
        out += _table(schemas, doc, doc, when)
        out += _objects(schemas, doc, doc, name, shared)
    out += ["## Shared parts", ""]
    for key, node in parts.items():
        if not node:
            continue
        out += [f"### {key}", "", _line(node.get("description", "")), ""]
        out += _table(schemas, node, common)
    return "\n".join(out).rstrip() + "\n"
