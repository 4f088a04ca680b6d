"""A fast path for JSON Schema validation: compiled checks, jsonschema only on failure.

`jsonschema` walks a schema for every instance, resolving each `$ref`
through the registry again; on a catalog of 10,000 entries that is most of
the cost of `pipeline validate`. Here each collection's schema is compiled
once into nested Python closures that answer one question, "is this front
matter valid?", exactly as jsonschema would. Only an entry that fails (or
holds something the fast path is unsure of) goes through jsonschema, whose
errors make the messages; so diagnostics are unchanged, only faster.

The compiler knows the keywords the catalog's schemas use. A schema with any
other validation keyword is not compiled at all and always goes to
jsonschema, so the fast path can never call an invalid entry valid.
"""

from __future__ import annotations

import datetime as _dt
import importlib.util
import re
from collections.abc import Callable
from functools import cached_property
from urllib.parse import urljoin

from .schemas import SchemaSet, by_uri, ecma_regex, pointer

Check = Callable[[object], bool]

# Keywords that never change validity (annotations); `x-*` keywords are ours.
_ANNOTATIONS = {"$schema", "$id", "$defs", "definitions", "$comment", "title", "description",
                "default", "examples", "deprecated", "readOnly", "writeOnly"}
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$", re.ASCII)  # as jsonschema's `date` format


class Unsupported(Exception):
    """The schema uses something the fast path does not know: leave it to jsonschema."""


class Unsure(Exception):
    """An instance the fast path cannot decide on: ask jsonschema."""


def _is_number(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


_TYPES: dict[str, Check] = {
    "string": lambda x: isinstance(x, str),
    "object": lambda x: isinstance(x, dict),
    "array": lambda x: isinstance(x, list),
    "boolean": lambda x: isinstance(x, bool),
    "null": lambda x: x is None,
    "number": _is_number,
    # draft 6 and later: 1.0 is an integer
    "integer": lambda x: (isinstance(x, int) and not isinstance(x, bool))
    or (isinstance(x, float) and x.is_integer()),
}


def _date_ok(x) -> bool:
    if not isinstance(x, str):
        return True
    if not _DATE_RE.fullmatch(x):
        return False
    try:
        _dt.date.fromisoformat(x)
    except ValueError:
        return False
    return True


# A plain http(s) URL, every part of it within RFC 3986's grammar: a host of letters,
# digits, dots and hyphens, an optional port, and a path, query and fragment of pchars
# (unreserved, sub-delims, `:`, `@`, `%XX`). Whatever matches is a URI by rfc3986's rule;
# anything else is asked of rfc3986-validator, whose module takes 15 ms to import (its
# one expression): a quarter of a validate of one changed entry's imports.
_PCHAR = r"(?:[A-Za-z0-9\-._~!$&'()*+,;=:@]|%[0-9A-Fa-f]{2})"
_PLAIN_URI = re.compile(rf"https?://[A-Za-z0-9.-]+(?::[0-9]*)?(?:/{_PCHAR}*)*"
                        rf"(?:\?(?:{_PCHAR}|[/?])*)?(?:#(?:{_PCHAR}|[/?])*)?")


def _uri_check() -> Check:
    """jsonschema's `uri` format: rfc3987 if installed, else rfc3986-validator, else none."""
    if importlib.util.find_spec("rfc3987") is not None:
        raise Unsupported("format uri with rfc3987")
    if importlib.util.find_spec("rfc3986_validator") is None:
        return lambda x: True
    full = []

    def check(x) -> bool:
        if not isinstance(x, str) or _PLAIN_URI.fullmatch(x):
            return True
        if not full:
            from rfc3986_validator import validate_rfc3986

            full.append(validate_rfc3986)
        return bool(full[0](x, rule="URI"))

    return check


def _strings_only(values) -> frozenset:
    if not all(isinstance(v, str) for v in values):
        raise Unsupported("enum or const of non-strings")
    return frozenset(values)


class Compiler:
    """Compiles the schemas of one SchemaSet; `$ref`s resolve across its documents."""

    def __init__(self, documents: dict[str, dict]):
        self.by_uri = by_uri(documents)
        self.compiled: dict[tuple[str, str], Check] = {}
        self._uri: Check | None = None

    def compile_document(self, doc: dict) -> Check:
        return self.node(doc, doc.get("$id", ""))

    def ref(self, ref: str, base: str) -> Check:
        uri, _, fragment = urljoin(base, ref).partition("#")
        key = (uri, fragment)
        if key in self.compiled:
            return self.compiled[key]
        doc = self.by_uri.get(uri)
        node = pointer(doc, fragment) if doc is not None else None
        if node is None:
            raise Unsupported(f"$ref {ref}")
        slot: list[Check] = []
        self.compiled[key] = lambda x: slot[0](x)  # for recursive schemas
        slot.append(self.node(node, uri))
        self.compiled[key] = slot[0]
        return slot[0]

    def node(self, schema, base: str) -> Check:
        if schema is True:
            return _TRUE
        if schema is False:
            return lambda x: False
        if not isinstance(schema, dict):
            raise Unsupported("schema is not an object")
        if "$id" in schema and schema["$id"] != base and urljoin(base, schema["$id"]) != base:
            raise Unsupported("nested $id")
        checks: list[Check] = []
        keys = set(schema)
        for key in keys:
            if key not in _KNOWN and key not in _ANNOTATIONS and not key.startswith("x-"):
                raise Unsupported(f"keyword {key}")
        if "$ref" in schema:
            checks.append(self.ref(schema["$ref"], base))
        if "type" in schema:
            types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
            fns = [_TYPES[t] for t in types if t in _TYPES]
            if len(fns) != len(types):
                raise Unsupported("type")
            checks.append(fns[0] if len(fns) == 1 else lambda x: any(f(x) for f in fns))
        if "enum" in schema:
            allowed = _strings_only(schema["enum"])
            checks.append(lambda x: isinstance(x, str) and x in allowed)
        if "const" in schema and isinstance(schema["const"], bool):
            # jsonschema tells booleans from numbers here: `const: true` takes only true
            flag = schema["const"]
            checks.append(lambda x: x is flag)
        elif "const" in schema:
            (const,) = _strings_only([schema["const"]])
            checks.append(lambda x: isinstance(x, str) and x == const)
        checks += self._string(schema, keys)
        checks += self._number(schema, keys)
        checks += self._array(schema, keys, base)
        checks += self._object(schema, keys, base)
        checks += self._combinators(schema, base)
        if not checks:
            return _TRUE
        if len(checks) == 1:
            return checks[0]
        checks = tuple(checks)

        def all_of(x):
            for c in checks:
                if not c(x):
                    return False
            return True

        return all_of

    def _string(self, schema, keys) -> list[Check]:
        if not keys & {"minLength", "maxLength", "pattern", "format"}:
            return []
        lo = schema.get("minLength", 0)
        hi = schema.get("maxLength")
        pattern = ecma_regex(schema["pattern"]) if "pattern" in schema else None
        fmt = None
        if "format" in schema:
            if schema["format"] == "date":
                fmt = _date_ok
            elif schema["format"] == "uri":
                if self._uri is None:
                    self._uri = _uri_check()
                fmt = self._uri
            else:
                raise Unsupported(f"format {schema['format']}")

        def string(x):
            if not isinstance(x, str):
                return True
            n = len(x)
            if n < lo or (hi is not None and n > hi):
                return False
            if pattern is not None and not pattern.search(x):
                return False
            return fmt is None or fmt(x)

        return [string]

    def _number(self, schema, keys) -> list[Check]:
        bounds = keys & {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"}
        if not bounds:
            return []
        lo, hi = schema.get("minimum"), schema.get("maximum")
        xlo, xhi = schema.get("exclusiveMinimum"), schema.get("exclusiveMaximum")

        def number(x):
            if not _is_number(x):
                return True
            return not ((lo is not None and x < lo) or (hi is not None and x > hi)
                        or (xlo is not None and x <= xlo) or (xhi is not None and x >= xhi))

        return [number]

    def _array(self, schema, keys, base) -> list[Check]:
        if not keys & {"items", "minItems", "maxItems", "uniqueItems"}:
            return []
        item = self.node(schema["items"], base) if "items" in schema else None
        lo, hi = schema.get("minItems", 0), schema.get("maxItems")
        unique = schema.get("uniqueItems", False)

        def array(x):
            if not isinstance(x, list):
                return True
            if len(x) < lo or (hi is not None and len(x) > hi):
                return False
            if unique and len(x) > 1:
                if not all(isinstance(v, str) for v in x):
                    raise Unsure("uniqueItems over non-strings")
                if len(set(x)) != len(x):
                    return False
            if item is not None:
                for v in x:
                    if not item(v):
                        return False
            return True

        return [array]

    def _object(self, schema, keys, base) -> list[Check]:
        if not keys & {"properties", "required", "additionalProperties", "minProperties",
                       "maxProperties"}:
            return []
        props = {k: self.node(s, base) for k, s in schema.get("properties", {}).items()}
        required = tuple(schema.get("required", ()))
        extra = schema.get("additionalProperties", True)
        extra_check = None if extra is False else self.node(extra, base)
        lo, hi = schema.get("minProperties", 0), schema.get("maxProperties")

        def obj(x):
            if not isinstance(x, dict):
                return True
            if len(x) < lo or (hi is not None and len(x) > hi):
                return False
            for k in required:
                if k not in x:
                    return False
            for k, v in x.items():
                check = props.get(k)
                if check is None:
                    if extra_check is None or not extra_check(v):
                        return False
                elif not check(v):
                    return False
            return True

        return [obj]

    def _combinators(self, schema, base) -> list[Check]:
        out: list[Check] = []
        for key in ("allOf", "anyOf", "oneOf"):
            if key in schema:
                subs = tuple(self.node(s, base) for s in schema[key])
                if key == "allOf":
                    out.append(lambda x, subs=subs: all(s(x) for s in subs))
                elif key == "anyOf":
                    out.append(lambda x, subs=subs: any(s(x) for s in subs))
                else:
                    out.append(lambda x, subs=subs: sum(1 for s in subs if s(x)) == 1)
        if "not" in schema:
            neg = self.node(schema["not"], base)
            out.append(lambda x: not neg(x))
        if "if" in schema:
            cond = self.node(schema["if"], base)
            then = self.node(schema.get("then", True), base)
            else_ = self.node(schema.get("else", True), base)
            out.append(lambda x: then(x) if cond(x) else else_(x))
        return out


def _TRUE(x) -> bool:
    return True


_KNOWN = {"$ref", "type", "enum", "const", "minLength", "maxLength", "pattern", "format",
          "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "items", "minItems",
          "maxItems", "uniqueItems", "properties", "required", "additionalProperties",
          "minProperties", "maxProperties", "allOf", "anyOf", "oneOf", "not", "if", "then",
          "else"}


class FastValidator:
    """`iter_errors` as a jsonschema validator has it; a valid instance never reaches jsonschema."""

    def __init__(self, check: Check, slow: Callable[[], object]):
        self.check = check
        self._slow = slow

    def is_valid(self, instance) -> bool:
        try:
            return self.check(instance)
        except Unsure:
            return self._slow().is_valid(instance)

    def iter_errors(self, instance):
        try:
            if self.check(instance):
                return iter(())
        except Unsure:
            pass
        return self._slow().iter_errors(instance)


class FastSchemaSet(SchemaSet):
    """A SchemaSet whose validators take the compiled fast path first."""

    def validator(self, name: str):
        fast = self._fast.get(name)
        if fast is not None:
            return fast
        return super().validator(name)

    def warm(self) -> None:
        """Compile every validator now (before worker processes are forked: each then
        has them without compiling them, and without the imports they need)."""
        self._fast  # noqa: B018 - cached properties, made now
        self._ref_fields  # noqa: B018

    @cached_property
    def _fast(self) -> dict[str, FastValidator]:
        compiler = Compiler(self.documents)
        out = {}
        for name, doc in self.documents.items():
            try:
                check = compiler.compile_document(doc)
            except Unsupported:
                continue  # this collection always goes through jsonschema
            out[name] = FastValidator(check, lambda name=name: SchemaSet.validator(self, name))
        return out
