"""Front matter against the collection's JSON Schema."""

from __future__ import annotations

import difflib
import re

from ..config import COLLECTIONS
from ..diagnostics import rule
from ..schemas import ecma_regex, json_key, values_at
from . import Context, check
from .references import bare_slug

SCHEMA = rule(
    "schema",
    "error",
    "Front matter matches its collection's JSON Schema.",
    """
    Each collection has a schema in `schemas/<collection>.schema.json` (field
    reference: docs/schema-reference.md). It names the fields an entry may have,
    their types and allowed values, and which are required. Unknown keys are
    refused, so a typo such as `sumary:` is caught instead of silently ignored
    (and the key it is close to is suggested).
    Dates are `YYYY-MM-DD` and must exist on the calendar; URLs are absolute.
    """,
    example="verdict:\n  rating: great      <- must be one of recommended, situational, avoid",
    hint="see docs/schema-reference.md for the fields of this collection",
)


def _messages(error, whole: str = "front matter") -> list[tuple[tuple, str]]:
    """(path to point at, an editor's message) for a jsonschema error: one for each
    unknown key of a mapping (each at its own line), else one. `whole`: what the
    messages call the document itself (a data file is "the file")."""
    path = tuple(error.absolute_path)
    where = ".".join(str(p) for p in path) or whole
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = set(error.schema.get("properties", {}))
        extra = [k for k in error.instance if k not in allowed]  # in the order written
        if extra:
            known = ", ".join(sorted(allowed))
            return [((*path, key), f"unknown key '{key}'" + (f" in {where}" if path else "")
                     + _did_you_mean(key, allowed) + f" (allowed: {known})") for key in extra]
    if (error.validator == "format" and isinstance(error.instance, str)
            and isinstance(error.schema.get("pattern"), str)
            and not ecma_regex(error.schema["pattern"]).search(error.instance)):
        return []  # its pattern's message says what to write (`url: example.org`: once)
    return [_message(error, path, where)]


def _did_you_mean(key, allowed) -> str:
    """`: did you mean `summary`?` for a key close to one the schema allows, else ''."""
    close = difflib.get_close_matches(str(key), sorted(allowed), n=1, cutoff=0.7)
    return f": did you mean `{close[0]}`?" if close else ""


_SHOWN = 60  # characters of a value a message shows, at most


def _shown(value) -> str:
    """A value as a message shows it: quoted text, cut when long; YAML's words for what
    is not text (an editor wrote `yes` or nothing, never Python's True or None)."""
    if isinstance(value, str) and len(value) > _SHOWN:
        return repr(value[:_SHOWN - 1] + "…")
    if value is None or isinstance(value, bool):
        return {None: "an empty value", True: "`true`", False: "`false`"}[value]
    if isinstance(value, (dict, list)):
        return "a mapping" if isinstance(value, dict) else "a list"
    return repr(value)


_FORMAT_WORDS = {"date": "a date YYYY-MM-DD", "uri": "an absolute URL"}
# JSON Schema's types in an editor's words.
_TYPE_WORDS = {"string": "text", "array": "a list", "object": "a mapping of `key: value` lines",
               "integer": "a whole number", "number": "a number", "boolean": "true or false",
               "null": "empty"}


def _type_message(where: str, value, limit, schema) -> str:
    """What is wrong with a value of the wrong type, in an editor's words: YAML read
    `yes` as true and `1.10` as the number 1.1, where text was wanted (quotes fix it), or
    the key was left empty, or a list was written as one value."""
    types = limit if isinstance(limit, list) else [limit]
    expected = " or ".join(_TYPE_WORDS.get(t, str(t)) for t in types)
    form = schema.get("format") if isinstance(schema, dict) else None
    if types == ["string"] and form in _FORMAT_WORDS:
        expected = _FORMAT_WORDS[form]
    if value is None:
        return f"{where} is empty; write {expected}"
    if "string" in types and isinstance(value, bool):
        return (f"{where}: YAML reads this value as {_shown(value)} (yes, no, on and off are "
                "true or false to it), not as text: put it in quotes")
    if "string" in types and isinstance(value, (int, float)):
        return (f"{where}: YAML reads this value as the number {value!r}, not as text: put it "
                "in quotes")
    return f"{where} should be {expected}, not {_shown(value)}"


# Patterns of the schemas in words, for a property whose schema has no description.
_PATTERN_WORDS = {
    "^[a-z0-9]+(-[a-z0-9]+)*$": "lowercase letters, digits and single hyphens",
    "^[a-z0-9][a-z0-9-]*$": "lowercase letters, digits and hyphens",
    "^[a-z]+/[a-z0-9]+(-[a-z0-9]+)*$": "an entry id: `<collection>/<slug>`, e.g. `tools/vllm`",
    "^https?://": "an address that starts with http:// or https://",
    "^[A-Z]{3}$": "three capital letters, a currency code such as USD or EUR",
}


def _expected_form(schema: dict, pattern: str) -> str:
    """What a value that fails `pattern` should be, in words: the property's description
    (and the pattern in words when the description does not say the form), or the pattern
    in words, or, for a pattern we have no words for, the pattern itself."""
    words = _PATTERN_WORDS.get(pattern)
    described = schema.get("description") if isinstance(schema, dict) else None
    if isinstance(described, str) and described.strip():
        described = described.strip().rstrip(".")
        if described[:1].isupper() and not described[1:2].isupper():
            described = described[0].lower() + described[1:]
        if words and "`" not in described and "letters" not in described:
            return f"{described}, written as {words}"
        return described
    return words or f"text of the form {pattern}"


def _slug_like(value: str, pattern: str) -> str:
    """A value made to fit an id-like pattern, for a suggestion: in lower case when that
    fits (`Amazon.com` -> `amazon.com`, a host, was `amazon-com`, which names another);
    else with hyphens for what a slug may not hold (`GPU` -> `gpu`, `Ana Editor` ->
    `ana-editor`); an entry id with what a site path or a link adds to it,
    `/glossary/awq/`, `glossary/awq#kernels` -> `glossary/awq`; an entry id where a slug
    belongs, `authors/lead-editor` -> `lead-editor`; a host without the `www.` or the `/`
    a URL adds (`www.amazon.com/` -> `amazon.com`) before any hyphens, which would make
    it another host (`www-amazon-com`). '' when none of that makes it fit."""
    lower = value.strip().lower()
    cut = re.split(r"[#?]", lower, maxsplit=1)[0].strip("/")
    cut = re.sub(r"/+", "/", cut.removesuffix(".md"))
    hyphened = re.sub(r"[^a-z0-9/]+", "-", cut).strip("-")
    no_www = re.compile(r"^www\.(?=.*\.)")  # a host's, not a slug's (`www.foo`)
    guesses = [lower, no_www.sub("", lower), cut, no_www.sub("", cut), hyphened]
    head, _, slug = hyphened.rpartition("/")
    if head in COLLECTIONS:
        guesses.append(slug)
    try:
        fit = ecma_regex(pattern)
    except re.error:
        return ""
    return next((g for g in guesses if g and g != value and fit.search(g)), "")


def _count(n: int, what: str) -> str:
    return f"{n} {what}" + ("" if n == 1 else "s")


def _message(error, path: tuple, where: str) -> tuple[tuple, str]:
    v = error.validator
    value, limit = error.instance, error.validator_value
    if v == "required":
        missing = error.message.split("'")[1] if "'" in error.message else error.message
        return path, f"{where}: missing required key '{missing}'"
    if v == "enum":
        options = ", ".join(str(o) for o in limit)
        close = difflib.get_close_matches(value, [o for o in limit if isinstance(o, str)],
                                          n=1, cutoff=0.7) if isinstance(value, str) else []
        hint = f"; did you mean `{close[0]}`?" if close else ""
        return path, f"{where}: {_shown(value)} is not one of {options}{hint}"
    if v == "format":
        what = {"date": "a valid date YYYY-MM-DD", "uri": "an absolute URL"}.get(limit, limit)
        return path, f"{where}: {_shown(value)} is not {what}"
    if v == "pattern" and isinstance(value, str):
        message = f"{where}: {_shown(value)} should be {_expected_form(error.schema, limit)}"
        guess = _slug_like(value, limit)
        return path, message + (f"; did you mean `{guess}`?" if guess else "")
    if v in ("maxLength", "minLength") and isinstance(value, str):
        bound = "at most" if v == "maxLength" else "at least"
        size = "empty" if not value else _count(len(value), "character")
        return path, f"{where} is {size}; {bound} {limit}"
    if v in ("maxItems", "minItems") and isinstance(value, list):
        bound = "at most" if v == "maxItems" else "at least"
        size = "an empty list" if not value else _count(len(value), "item")
        return path, f"{where} is {size}; {bound} {limit}"
    if v == "uniqueItems" and isinstance(value, list):
        seen: set = set()  # one pass: comparing each item with those before it was n²/2
        for i, item in enumerate(value):
            key = json_key(item)
            if key in seen:
                return (*path, i), f"{where}: {_shown(item)} is listed twice; list each once"
            seen.add(key)
    if v in ("minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"):
        bound = {"minimum": "at least", "exclusiveMinimum": "more than",
                 "maximum": "at most", "exclusiveMaximum": "less than"}[v]
        return path, f"{where} is {_shown(value)}; it must be {bound} {limit}"
    if v == "type":
        return path, _type_message(where, value, limit, error.schema)
    if v == "oneOf" and not error.context and isinstance(value, dict):
        # valid under more than one alternative: each gives the key another one requires
        given = [k for alt in limit if isinstance(alt, dict)
                 for k in alt.get("required", ()) if k in value]
        if len(given) > 1:
            return path, (f"{where}: give exactly one of: "
                          + ", ".join(f"'{k}'" for k in given)
                          + ("; not both" if len(given) == 2 else "; not several"))
    if v == "oneOf" and error.context:
        return path, f"{where}: give exactly one of: " + ", ".join(
            "'" + c.message.split("'")[1] + "'" for c in error.context if "'" in c.message
        ) if all("'" in c.message for c in error.context) else f"{where}: {error.message}"
    return path, f"{where}: {error.message}"


@check
def check_schema(ctx: Context):
    schemas = ctx.shared("schemas", lambda: None)
    if schemas is None:
        return
    for entry in ctx.targets():
        validator = schemas.validator(entry.collection)
        if validator is None:  # never a silent pass: its entries would go unchecked
            folder = ctx.settings.paths.schemas.strip("/")
            yield SCHEMA(entry.file, 1, 1, f"no schema for collection '{entry.collection}' "
                         f"({folder}/{entry.collection}.schema.json is missing), so this "
                         "entry cannot be checked", entry=entry.id)
            continue
        seen = set()
        slugs = None  # paths of slugs where an entry id belongs: check_references's
        for error in validator.iter_errors(entry.data):
            if error.validator == "pattern":
                if slugs is None:
                    slugs = {tuple(path) for field in schemas.ref_fields(entry.collection)
                             for path, value in values_at(entry.data, field.path)
                             if bare_slug(field, value)}
                if tuple(error.absolute_path) in slugs:
                    continue  # it knows the entries, and says which id is meant
            for path, message in _messages(error):
                if message in seen:
                    continue
                seen.add(message)
                line, col = entry.pos(path)
                yield SCHEMA(entry.file, line, col, message, entry=entry.id)
