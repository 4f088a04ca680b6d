"""The JSON Schemas of the catalog: loading, validators, and what they say about references.

Schemas live in `schemas/` (one file per collection plus `common.schema.json`)
and refer to each other with `$ref`: a JSON pointer into a document of the set,
found by its `$id` (or its file name). Anything else goes through a
`referencing` registry, which jsonschema uses too; it never fetches anything
from the network.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from urllib.parse import urljoin

from .config import COLLECTIONS
from .errors import SettingsError

STAR = "*"  # a path step matching every list item


def by_uri(documents: dict[str, dict]) -> dict[str, dict]:
    """Schema documents (by file stem) by the URI a `$ref` names them with: their `$id`,
    or their file name."""
    return {doc.get("$id", f"{name}.schema.json"): doc for name, doc in documents.items()}


def pointer(doc, fragment: str):
    """What the JSON pointer `fragment` (`/$defs/id`, or "" for the whole) points to in
    `doc`; None when it is not a pointer or points to nothing."""
    if fragment and not fragment.startswith("/"):
        return None
    node = doc
    for part in fragment.split("/")[1:]:
        part = part.replace("~1", "/").replace("~0", "~")
        if isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        elif isinstance(node, dict) and part in node:
            node = node[part]
        else:
            return None
    return node


@lru_cache(maxsize=256)
def ecma_regex(pattern: str) -> re.Pattern:
    """A schema's `pattern` as JSON Schema means it (ECMA-262): `$` ends the text.

    Python's `$` also matches before a newline that ends the text, so
    `^[a-z-]+$` would accept "glossary/awq\\n" (a new line in `_redirects`, in
    the sitemap, in a file name). Each `$` outside a character class becomes
    `\\Z`; the rest is the same in both dialects for what schemas use.
    """
    out, i, in_class = [], 0, False
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            out.append(pattern[i:i + 2])
            i += 2
            continue
        if in_class:
            if c == "]":
                in_class = False
        elif c == "[":
            in_class = True
            if pattern[i + 1:i + 2] == "^":
                out.append("[^")
                i += 2
                if pattern[i:i + 1] == "]":  # a `]` first in a class is itself
                    out.append("]")
                    i += 1
                continue
            if pattern[i + 1:i + 2] == "]":
                out.append("[]")
                i += 2
                continue
        elif c == "$":
            out.append(r"\Z")
            i += 1
            continue
        out.append(c)
        i += 1
    return re.compile("".join(out))


@dataclass(frozen=True)
class RefField:
    """A front-matter place that holds entry ids (or author slugs)."""

    path: tuple  # keys, with STAR for list items
    collections: tuple[str, ...]
    pattern: str | None = None  # the schema's `pattern` for its values, if it has one

    def fits(self, value: str) -> bool:
        """Whether a value has the form the schema asks of it (an id, a slug): one that
        has not is the schema check's to report, with the form to write."""
        if not isinstance(self.pattern, str):
            return True
        try:
            return bool(ecma_regex(self.pattern).search(value))
        except re.error:
            return True


@dataclass
class SchemaSet:
    folder: Path
    documents: dict[str, dict]  # file stem -> schema

    @classmethod
    def load(cls, folder: Path) -> "SchemaSet":
        documents: dict[str, dict] = {}
        if not folder.is_dir():
            raise SettingsError(f"schema folder {folder} does not exist; the catalog's "
                                "schemas are where paths.schemas in pipeline.toml says")
        for path in sorted(folder.glob("*.schema.json")):
            try:
                doc = json.loads(path.read_text(encoding="utf-8"))
            except json.JSONDecodeError as e:  # where an editor's editor shows it
                raise SettingsError(f"{path}:{e.lineno}:{e.colno}: not valid JSON: "
                                    f"{e.msg}") from None
            except UnicodeDecodeError as e:
                from .catalog.loader import bad_byte

                line, column, byte = bad_byte(e)
                raise SettingsError(f"{path}:{line}:{column}: not UTF-8 "
                                    f"(byte 0x{byte:02x})") from None
            except (OSError, ValueError) as e:
                raise SettingsError(f"{path}: not a readable JSON schema: {e}") from None
            if not isinstance(doc, dict):
                raise SettingsError(f"{path}: a schema must be a JSON object, "
                                    f"not {_json_type(doc)}")
            documents[path.name.removesuffix(".schema.json")] = doc
        schemas = cls(folder=folder, documents=documents)
        for name, doc in documents.items():
            for where, problem in schemas._problems(doc, "#", doc):
                raise SettingsError(f"{folder / name}.schema.json: {where}: {problem}")
        return schemas

    def _problems(self, node, where: str, base: dict):
        """(place, what is wrong) for what would stop validation in a schema and its
        subschemas: a wrong type of keyword, a pattern that is no regular expression, a
        `$ref` to nothing. Read without jsonschema (see `registry`)."""
        if isinstance(node, bool):
            return
        if not isinstance(node, dict):
            yield where, f"a schema must be an object or true or false, not {_json_type(node)}"
            return
        for key, value in node.items():
            at = f"{where}/{key}"
            if key == "$ref":
                if not isinstance(value, str):
                    yield at, f"must be a string, not {_json_type(value)}"
                elif not self._resolves(value, base):
                    yield at, f"{value!r} points to nothing in the schemas"
            elif key == "type":
                types = value if isinstance(value, list) and value else [value]
                if not all(isinstance(t, str) and t in _TYPE_NAMES for t in types):
                    yield at, (f"must be one of {', '.join(_TYPE_NAMES)} (or a list of them), "
                               f"not {json.dumps(value)}")
            elif key == "pattern" or key == "patternProperties":
                for pattern in ([value] if key == "pattern" else
                                value if isinstance(value, dict) else []):
                    if not isinstance(pattern, str):
                        yield at, f"must be a string, not {_json_type(pattern)}"
                        continue
                    try:
                        ecma_regex(pattern)
                    except re.error as e:
                        yield at, f"{pattern!r} is not a regular expression: {e}"
            elif key in _COUNTS and not (isinstance(value, (int, float))
                                         and not isinstance(value, bool)):
                yield at, f"must be a number, not {json.dumps(value)}"
            elif key in ("required", "enum") and not (
                    isinstance(value, list) and (key == "enum" or all(isinstance(v, str)
                                                                      for v in value))):
                yield at, f"must be a list{' of strings' if key == 'required' else ''}"
            if key in _SUBSCHEMA:
                yield from self._problems(value, at, base)
            elif key in _SUBSCHEMA_LISTS or key in _SUBSCHEMA_MAPS:
                kind = list if key in _SUBSCHEMA_LISTS else dict
                if not isinstance(value, kind):
                    yield at, f"must be {'a list' if kind is list else 'an object'}"
                    continue
                for k, sub in (enumerate(value) if kind is list else value.items()):
                    yield from self._problems(sub, f"{at}/{k}", base)

    def _resolves(self, ref: str, base: dict) -> bool:
        try:
            self._lookup(ref, base)
        except Exception as e:  # referencing's Unresolvable; imported only when it is raised
            from referencing.exceptions import Unresolvable

            if isinstance(e, Unresolvable):
                return False
            raise
        return True

    @cached_property
    def _by_uri(self) -> dict[str, dict]:
        return by_uri(self.documents)

    @cached_property
    def registry(self):
        """The documents as a `referencing` registry (imported only when one is wanted:
        with jsonschema's attrs, 40 ms of every command that reads the schemas)."""
        from referencing import Registry, Resource
        from referencing.jsonschema import DRAFT202012

        return Registry().with_resources(
            (uri, Resource.from_contents(doc, DRAFT202012)) for uri, doc in self._by_uri.items())

    @cached_property
    def fingerprint(self) -> str:
        return json.dumps(self.documents, sort_keys=True)

    def schema_for(self, collection: str) -> dict | None:
        return self.documents.get(collection)

    @cached_property
    def _validators(self) -> dict[str, jsonschema.protocols.Validator]:
        # imported here: the compiled fast path (fastschema) needs none of it, and the
        # import costs 25 to 70 ms of every command that validates
        import jsonschema

        out = {}
        checker = jsonschema.Draft202012Validator.FORMAT_CHECKER
        validator = _ecma_patterns(jsonschema)
        for name, doc in self.documents.items():
            out[name] = validator(doc, registry=self.registry, format_checker=checker)
        return out

    def validator(self, name: str):
        if name not in self.documents:  # without making every other validator first
            return None
        return self._validators.get(name)

    def resolve(self, node: dict, base: dict) -> tuple[dict, dict]:
        """Follow `$ref` (once per level) from `node` in document `base`."""
        seen = 0
        while isinstance(node, dict) and "$ref" in node and seen < 20:
            ref = node["$ref"]
            extra = {k: v for k, v in node.items() if k != "$ref"}
            resolved, target_doc = self._lookup(ref, base)
            node = {**resolved, **extra}
            base = target_doc
            seen += 1
        return node, base

    def _lookup(self, ref: str, base: dict) -> tuple[dict, dict]:
        """(what `ref` in document `base` points to, the document it is in)."""
        uri, _, fragment = urljoin(base.get("$id", ""), ref).partition("#")
        doc = self._by_uri.get(uri) if uri else base
        node = pointer(doc, fragment) if doc is not None else None
        if isinstance(node, dict):
            return node, doc
        # an anchor, or a pointer that does not hold: as referencing resolves it
        resolver = self.registry.resolver(base.get("$id", ""))
        doc_uri = ref.split("#", 1)[0]
        return (resolver.lookup(ref).contents,
                resolver.lookup(doc_uri).contents if doc_uri else base)

    def ref_fields(self, collection: str) -> list[RefField]:
        """Every front-matter place of a collection that refers to other entries."""
        return self._ref_fields.get(collection, [])

    @cached_property
    def _ref_fields(self) -> dict[str, list[RefField]]:
        out: dict[str, list[RefField]] = {}
        for name in COLLECTIONS:
            doc = self.documents.get(name)
            if doc is None:
                continue
            fields: list[RefField] = []
            self._walk(doc, doc, (), fields, 0)
            out[name] = fields
        return out

    def _walk(self, node, base, path, fields, depth):
        if depth > 12 or not isinstance(node, dict):
            return
        node, base = self.resolve(node, base)
        if "x-collections" in node:
            fields.append(RefField(path, tuple(node["x-collections"]), node.get("pattern")))
            return
        for key, sub in (node.get("properties") or {}).items():
            self._walk(sub, base, (*path, key), fields, depth + 1)
        if isinstance(node.get("items"), dict):
            self._walk(node["items"], base, (*path, STAR), fields, depth + 1)


_TYPE_NAMES = ("string", "number", "integer", "object", "array", "boolean", "null")
_COUNTS = {"minLength", "maxLength", "minItems", "maxItems", "minProperties", "maxProperties",
           "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"}
# keywords whose value is a subschema, a list of them, or an object of them
_SUBSCHEMA = {"items", "additionalProperties", "not", "if", "then", "else", "contains",
              "propertyNames", "unevaluatedItems", "unevaluatedProperties"}
_SUBSCHEMA_LISTS = {"allOf", "anyOf", "oneOf", "prefixItems"}
_SUBSCHEMA_MAPS = {"properties", "patternProperties", "$defs", "definitions",
                   "dependentSchemas"}


def _json_type(value) -> str:
    """The JSON name of a value's type, for messages."""
    for t, name in ((bool, "a boolean"), (dict, "an object"), (list, "a list"),
                    (str, "a string"), (int, "a number"), (float, "a number")):
        if isinstance(value, t):
            return name
    return "null"


def values_under(data, path: tuple) -> list:
    """The values of `values_at(data, path)`, in the same order, without their paths:
    found a step at a time (every value is at the same depth, so level by level is the
    same order as depth first)."""
    if len(path) == 2 and path[1] == STAR and path[0] != STAR:
        # (most reference fields: `related: [...]`) without a list made for each step
        found = data.get(path[0]) if isinstance(data, dict) else None
        return [*found] if isinstance(found, list) else []
    found = [data]
    for step in path:
        if step == STAR:
            found = [item for d in found if isinstance(d, list) for item in d]
        else:
            found = [d[step] for d in found if isinstance(d, dict) and step in d]
        if not found:
            break
    return found


def values_at(data, path: tuple):
    """(concrete path, value) for every value at a path pattern with STAR steps."""
    if not path:
        yield (), data
        return
    step, rest = path[0], path[1:]
    if step == STAR:
        if isinstance(data, list):
            for i, item in enumerate(data):
                for sub, v in values_at(item, rest):
                    yield (i, *sub), v
    elif isinstance(data, dict) and step in data:
        for sub, v in values_at(data[step], rest):
            yield (step, *sub), v


def json_key(value):
    """A hashable stand-in for a JSON value, equal for the values JSON Schema calls equal:
    `1` and `1.0`, but never `true` and `1`, nor `"1"` and `1`; lists item by item,
    mappings key by key. With it a list is checked for duplicates in one pass."""
    if isinstance(value, bool):
        return ("bool", value)
    if isinstance(value, str):
        return ("str", str(value))
    if isinstance(value, (int, float)):
        return ("number", value)
    if isinstance(value, list):
        return ("list", tuple(json_key(v) for v in value))
    if isinstance(value, dict):
        return ("dict", frozenset((json_key(k), json_key(v)) for k, v in value.items()))
    try:
        hash(value)
    except TypeError:
        return ("other", type(value).__name__, repr(value))
    return ("other", value)


def _ecma_patterns(jsonschema):
    """Draft 2020-12 with `pattern` read as ECMA-262 (see ecma_regex), as the compiled fast
    path reads it, with jsonschema's own message; and `uniqueItems` in one pass
    (json_key), where jsonschema compares every pair of a list that does not sort (text
    and a number mixed: 10,000 tags took two seconds)."""

    def pattern(validator, patrn, instance, schema):
        if validator.is_type(instance, "string") and not ecma_regex(patrn).search(instance):
            yield jsonschema.ValidationError(f"{instance!r} does not match {patrn!r}")

    def unique_items(validator, unique, instance, schema):
        if (unique and validator.is_type(instance, "array")
                and len(set(map(json_key, instance))) != len(instance)):
            yield jsonschema.ValidationError(f"{instance!r} has non-unique elements")

    return jsonschema.validators.extend(jsonschema.Draft202012Validator,
                                        {"pattern": pattern, "uniqueItems": unique_items})
