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
# The path is `(?:/PCHAR*)*`, nothing or `/` then pchars and slashes, and the query and
# fragment pchars, slashes and `?`: each read as runs of a character class with `%XX`
# between them, not as one branch a character (0.44-0.71 -> 0.26 µs a URL of the corpus).
# Each run is possessive (`++`, Python 3.11): a run inside a repeat, `(?:[...]+|%XX)*`,
# can be cut into runs in exponentially many ways, all tried before a URL that goes wrong
# at its end is refused (a 22-character path then a space: 0.23 s; 40 characters, hours).
# A run never gives back a character: none of them starts `%XX`, nor ends the part.
_PCHARS = r"A-Za-z0-9\-._~!$&'()*+,;=:@"
_PCT = r"%[0-9A-Fa-f]{2}"
_PLAIN_URI = re.compile(rf"https?://[A-Za-z0-9.-]+(?::[0-9]*)?(?:/(?:[{_PCHARS}/]++|{_PCT})*)?"
                        rf"(?:\?(?:[{_PCHARS}/?]++|{_PCT})*)?(?:#(?:[{_PCHARS}/?]++|{_PCT})*)?")


# Patterns every text _PLAIN_URI matches matches too (a schema's `^https?://` beside its
# `format: uri`): such a URL needs neither test.
_PLAIN_URI_PATTERNS = frozenset({"^https?://", "^https?:", "^http"})


def _any_uri(x) -> bool:
    return True


def _uri_check() -> Check:
    """jsonschema's `uri` format: rfc3987 if installed, else rfc3986-validator, else none."""
    if importlib.util.find_spec("rfc3987") is not None:
        raise Unsupported("format uri with rfc3987")
    if importlib.util.find_spec("rfc3986_validator") is None:
        return _any_uri
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


# The conditions of `type`, as Python expressions of the value `{v}`.
_TYPE_TESTS = {
    "string": "isinstance({v}, str)",
    "object": "isinstance({v}, dict)",
    "array": "isinstance({v}, list)",
    "boolean": "isinstance({v}, bool)",
    "null": "{v} is None",
    "number": "isinstance({v}, (int, float)) and not isinstance({v}, bool)",
    # draft 6 and later: 1.0 is an integer
    "integer": "((isinstance({v}, int) and not isinstance({v}, bool))"
               " or (isinstance({v}, float) and {v}.is_integer()))",
}


class Compiler:
    """Compiles the schemas of one SchemaSet; `$ref`s resolve across its documents.

    Each schema becomes the source of one Python function, its keywords written out one
    after another as tests that return False (a subschema's inline, a `$ref`'s and a
    property's a call of its own function), compiled once: a valid entry costs about one
    call a value of its front matter, where nested closures cost one a keyword (27 µs an
    entry). The keywords are tested in the order the closures tested them."""

    def __init__(self, documents: dict[str, dict]):
        self.by_uri = by_uri(documents)
        self._uri: Check | None = None
        self._names: dict[tuple[str, str], str] = {}  # a $ref's target: its function
        self._consts: dict[str, object] = {"Unsure": Unsure, "_TRUE": _TRUE,
                                            "_MISSING": object()}
        self._sources: list[str] = []  # functions not compiled yet
        self._passed: dict[tuple, str] = {}  # (pattern, format): the texts that passed them
        self._unique = 0

    def _const(self, value) -> str:
        """How the generated source reads `value`: text and whole numbers as literals,
        anything else by a name."""
        if type(value) in (str, int):
            return repr(value)
        self._unique += 1
        name = f"_c{self._unique}"
        self._consts[name] = value
        return name

    def _function(self, lines: list[str], name: str | None = None) -> str:
        """Define a function of `x` that runs `lines` (tests that return False), then
        says True; its name."""
        if name is None:
            self._unique += 1
            name = f"_f{self._unique}"
        body = "\n".join(f"    {line}" for line in lines)
        self._sources.append(f"def {name}(x):\n{body}\n    return True\n")
        return name

    def _build(self, name: str) -> Check:
        """The compiled function `name`, with every function made so far."""
        namespace = dict(self._consts)
        exec(compile("\n".join(self._sources), "<fastschema>", "exec"), namespace)
        self._consts.update({k: v for k, v in namespace.items() if not k.startswith("__")})
        self._sources = []
        return namespace[name] if name in namespace else self._consts[name]

    def compile_document(self, doc: dict) -> Check:
        return self.node(doc, doc.get("$id", ""))

    def node(self, schema, base: str) -> Check:
        """The check of one schema, as a function."""
        return self._build(self._node_function(schema, base))

    def ref(self, ref: str, base: str) -> Check:
        return self._build(self._ref_name(ref, base))

    def _ref_name(self, ref: str, base: str) -> str:
        uri, _, fragment = urljoin(base, ref).partition("#")
        key = (uri, fragment)
        if key in self._names:
            return self._names[key]  # also while it is being made: a recursive schema
        doc = self.by_uri.get(uri)
        node = pointer(doc, fragment) if doc is not None else None
        if node is None:
            raise Unsupported(f"$ref {ref}")
        self._unique += 1
        name = self._names[key] = f"_f{self._unique}"
        self._function(self._tests(node, uri, "x", 0), name)
        return name

    def _node_function(self, schema, base: str) -> str:
        """The name of a function checking `schema`: a `$ref` alone is its target's."""
        if isinstance(schema, dict) and set(schema) - _ANNOTATIONS == {"$ref"} and not any(
                k.startswith("x-") for k in schema) and "$id" not in schema:
            return self._ref_name(schema["$ref"], base)
        lines = self._tests(schema, base, "x", 0)
        return "_TRUE" if not lines else self._function(lines)

    def _call(self, schema, base: str, v: str) -> str:
        """An expression: whether `v` passes `schema`."""
        name = self._node_function(schema, base)
        return "True" if name == "_TRUE" else f"{name}({v})"

    def _tests(self, schema, base: str, v: str, depth: int) -> list[str]:
        """Lines of Python that return False when the value `v` fails `schema`."""
        if schema is True:
            return []
        if schema is False:
            return ["return False"]
        if not isinstance(schema, dict):
            raise Unsupported("schema is not an object")
        if "$id" in schema and schema["$id"] != base and urljoin(base, schema["$id"]) != base:
            raise Unsupported("nested $id")
        keys = set(schema)
        for key in keys:
            if key not in _KNOWN and key not in _ANNOTATIONS and not key.startswith("x-"):
                raise Unsupported(f"keyword {key}")
        out: list[str] = []
        known = None
        if "$ref" in schema:
            out.append(f"if not {self._ref_name(schema['$ref'], base)}({v}): return False")
        if "type" in schema:
            types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
            if not all(isinstance(t, str) and t in _TYPE_TESTS for t in types):
                raise Unsupported("type")
            if types:
                test = " or ".join(f"({_TYPE_TESTS[t].format(v=v)})" if len(types) > 1
                                   else _TYPE_TESTS[t].format(v=v) for t in types)
                out.append(f"if not ({test}): return False")
                if len(types) == 1:
                    known = test  # the tests below need not ask it again
        if "enum" in schema:
            allowed = self._const(_strings_only(schema["enum"]))
            out.append(f"if not (isinstance({v}, str) and {v} in {allowed}): return False")
        if "const" in schema and isinstance(schema["const"], bool):
            # jsonschema tells booleans from numbers here: `const: true` takes only true
            out.append(f"if {v} is not {schema['const']!r}: return False")
        elif "const" in schema:
            (const,) = _strings_only([schema["const"]])
            out.append(f"if not (isinstance({v}, str) and {v} == {self._const(const)}): "
                       "return False")
        for part in (self._string(schema, keys, v), self._number(schema, keys, v),
                     self._array(schema, keys, base, v, depth),
                     self._object(schema, keys, base, v, depth)):
            if part and part[0] == f"if {known}:":  # `type` said so already
                part = [line[4:] for line in part[1:]]
            out += part
        out += self._combinators(schema, base, v)
        return out

    def _string(self, schema, keys, v) -> list[str]:
        if not keys & {"minLength", "maxLength", "pattern", "format"}:
            return []
        lo = schema.get("minLength", 0)
        hi = schema.get("maxLength")
        inner = []
        if lo or hi is not None:
            bounds = [f"len({v}) < {self._const(lo)}"] if lo else []
            bounds += [f"len({v}) > {self._const(hi)}"] if hi is not None else []
            inner.append(f"if {' or '.join(bounds)}: return False")
        tests = []
        if "pattern" in schema:
            pattern = self._const(ecma_regex(schema["pattern"]))
            tests.append(f"if {pattern}.search({v}) is None: return False")
        if "format" in schema:
            if schema["format"] == "date":
                fmt = _date_ok
            elif schema["format"] == "uri":
                if self._uri is None:
                    self._uri = _uri_check()
                fmt = self._uri
            else:
                raise Unsupported(f"format {schema['format']}")
            tests.append(f"if not {self._const(fmt)}({v}): return False")
            if schema["format"] == "uri" and fmt is not _any_uri:
                # a plain URL (nearly all) passes the format, and a pattern of
                # _PLAIN_URI_PATTERNS: told by one match, the rest (no call) only if not
                cut = 0 if schema.get("pattern") in _PLAIN_URI_PATTERNS else len(tests) - 1
                tests = [*tests[:cut], f"if {self._const(_PLAIN_URI)}.fullmatch({v}) is None:",
                         *(f"    {t}" for t in tests[cut:])]
        if tests and schema.get("format") != "uri":
            # ids, slugs and dates come back entry after entry: those that passed are
            # remembered (not URLs, nearly all different), as many as _PASSED_KEPT
            key = (schema.get("pattern"), schema.get("format"))
            if key not in self._passed:
                self._passed[key] = self._const(set())
            passed = self._passed[key]
            tests = [f"if {v} not in {passed}:", *(f"    {t}" for t in tests),
                     f"    if len({passed}) < {_PASSED_KEPT}: {passed}.add({v})"]
        return _when(f"isinstance({v}, str)", inner + tests)

    def _number(self, schema, keys, v) -> list[str]:
        if not keys & {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"}:
            return []
        bounds = [f"{v} {op} {self._const(schema[key])}"
                  for key, op in (("minimum", "<"), ("maximum", ">"),
                                  ("exclusiveMinimum", "<="), ("exclusiveMaximum", ">="))
                  if schema.get(key) is not None]
        return _when(f"isinstance({v}, (int, float)) and not isinstance({v}, bool)",
                     [f"if {' or '.join(bounds)}: return False"] if bounds else [])

    def _array(self, schema, keys, base, v, depth) -> list[str]:
        if not keys & {"items", "minItems", "maxItems", "uniqueItems"}:
            return []
        lo, hi = schema.get("minItems", 0), schema.get("maxItems")
        inner = []
        if lo or hi is not None:
            bounds = [f"len({v}) < {self._const(lo)}"] if lo else []
            bounds += [f"len({v}) > {self._const(hi)}"] if hi is not None else []
            inner.append(f"if {' or '.join(bounds)}: return False")
        if schema.get("uniqueItems", False):
            inner += [f"if len({v}) > 1:",
                      f"    for _u in {v}:",
                      "        if not isinstance(_u, str): "
                      "raise Unsure('uniqueItems over non-strings')",
                      f"    if len(set({v})) != len({v}): return False"]
        if "items" in schema:
            item = f"_i{depth}"
            tests = self._tests(schema["items"], base, item, depth + 1)
            if tests:
                inner += [f"for {item} in {v}:", *(f"    {t}" for t in tests)]
        return _when(f"isinstance({v}, list)", inner)

    def _object(self, schema, keys, base, v, depth) -> list[str]:
        if not keys & {"properties", "required", "additionalProperties", "minProperties",
                       "maxProperties"}:
            return []
        properties = schema.get("properties", {})
        required = tuple(schema.get("required", ()))
        extra = schema.get("additionalProperties", True)
        extra_name = None if extra is False else self._node_function(extra, base)
        lo, hi = schema.get("minProperties", 0), schema.get("maxProperties")
        inner = []
        if lo or hi is not None:
            bounds = [f"len({v}) < {self._const(lo)}"] if lo else []
            bounds += [f"len({v}) > {self._const(hi)}"] if hi is not None else []
            inner.append(f"if {' or '.join(bounds)}: return False")
        if required:
            inner.append("if " + " or ".join(f"{self._const(k)} not in {v}" for k in required)
                         + ": return False")
        known = self._const(frozenset(properties))
        if extra_name is None:  # a key the schema does not name: invalid
            inner.append(f"if not {known}.issuperset({v}): return False")
        elif extra_name != "_TRUE":
            inner += [f"for _k in {v}:",
                      f"    if _k not in {known} and not {extra_name}({v}[_k]): return False"]
        # each property's tests, inline, on its value when the mapping has it: no call a
        # value (a property that is a $ref alone is one)
        value = f"_v{depth}"
        for key, sub in properties.items():
            tests = self._tests(sub, base, value, depth + 1)
            if tests:
                inner += [f"if ({value} := {v}.get({self._const(key)}, _MISSING)) "
                          "is not _MISSING:", *(f"    {t}" for t in tests)]
        return _when(f"isinstance({v}, dict)", inner)

    def _combinators(self, schema, base, v) -> list[str]:
        out: list[str] = []
        for key in ("allOf", "anyOf", "oneOf"):
            if key in schema:
                calls = [self._call(s, base, v) for s in schema[key]]
                if key == "allOf":
                    test = " and ".join(f"({c})" for c in calls) or "True"
                    out.append(f"if not ({test}): return False")
                elif key == "anyOf":
                    test = " or ".join(f"({c})" for c in calls) or "False"
                    out.append(f"if not ({test}): return False")
                else:  # every subschema is tested, as the closures did
                    test = " + ".join(f"bool({c})" for c in calls) or "0"
                    out.append(f"if ({test}) != 1: return False")
        if "not" in schema:
            out.append(f"if {self._call(schema['not'], base, v)}: return False")
        if "if" in schema:
            cond = self._call(schema["if"], base, v)
            then = self._call(schema.get("then", True), base, v)
            else_ = self._call(schema.get("else", True), base, v)
            out += [f"if {cond}:", f"    if not {then}: return False",
                    f"elif not {else_}: return False"]
        return out


_PASSED_KEPT = 10_000  # texts a pattern's or date's test remembers, at most (about 1 MB)


def _when(test: str, lines: list[str]) -> list[str]:
    """`lines` run only when `test` holds."""
    return [f"if {test}:", *(f"    {line}" for line in lines)] if lines else []


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
