"""Front matter against the collection's JSON Schema."""

from __future__ import annotations

from ..diagnostics import rule
from . import Context, check

SCHEMA = rule(
    "schema",
    "error",
    "Front matter matches its collection's JSON Schema.",
    """
    Each collection has a schema in `schemas/<collection>.schema.json` (field
    reference: docs/schema-reference.md). It names the fields an entry may have,
    their types and allowed values, and which are required. Unknown keys are
    refused, so a typo such as `sumary:` is caught instead of silently ignored.
    Dates are `YYYY-MM-DD` and must exist on the calendar; URLs are absolute.
    """,
    example="verdict:\n  rating: great      <- must be one of recommended, situational, avoid",
    hint="see docs/schema-reference.md for the fields of this collection",
)


def _messages(error) -> list[tuple[tuple, str]]:
    """(path to point at, an editor's message) for a jsonschema error: one for each
    unknown key of a mapping (each at its own line), else one."""
    path = tuple(error.absolute_path)
    where = ".".join(str(p) for p in path) or "front matter"
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        allowed = set(error.schema.get("properties", {}))
        extra = [k for k in error.instance if k not in allowed]  # in the order written
        if extra:
            known = ", ".join(sorted(allowed))
            return [((*path, key), f"unknown key '{key}'" + (f" in {where}" if path else "")
                     + f" (allowed: {known})") for key in extra]
    return [_message(error, path, where)]


def _message(error, path: tuple, where: str) -> tuple[tuple, str]:
    v = error.validator
    if v == "required":
        missing = error.message.split("'")[1] if "'" in error.message else error.message
        return path, f"{where}: missing required key '{missing}'"
    if v == "enum":
        options = ", ".join(str(o) for o in error.validator_value)
        return path, f"{where}: {error.instance!r} is not one of {options}"
    if v == "format":
        what = {"date": "a valid date YYYY-MM-DD", "uri": "an absolute URL"}.get(
            error.validator_value, error.validator_value
        )
        return path, f"{where}: {error.instance!r} is not {what}"
    if v == "pattern":
        return path, f"{where}: {error.instance!r} does not match {error.validator_value}"
    if v == "type":
        return path, f"{where}: {error.instance!r} is not of type {error.validator_value}"
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
        for error in validator.iter_errors(entry.data):
            for path, message in _messages(error):
                if message in seen:
                    continue
                seen.add(message)
                line, col = entry.pos(path)
                yield SCHEMA(entry.file, line, col, message, entry=entry.id)
