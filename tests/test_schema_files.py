"""A broken schema file stops every command that reads the schemas with a message naming it."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import REPO

GLOSSARY = "schemas/glossary.schema.json"


def _glossary(catalog, change) -> None:
    path = catalog / GLOSSARY
    doc = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps(change(doc)), encoding="utf-8")


def _set(doc, path, value):
    node = doc
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return doc


BROKEN = {
    "a list": (lambda d: [], "a schema must be a JSON object, not a list"),
    "a bad pattern": (lambda d: _set(d, ["properties", "title"], {"type": "string",
                                                                 "pattern": "([a-"}),
                      "#/properties/title/pattern: '([a-' is not a regular expression"),
    "a bad type": (lambda d: _set(d, ["type"], 5), "#/type: must be one of string"),
    "a ref to a missing definition": (
        lambda d: _set(d, ["properties", "title"], {"$ref": "common.schema.json#/$defs/nope"}),
        "#/properties/title/$ref: 'common.schema.json#/$defs/nope' points to nothing"),
    "a ref to a missing file": (
        lambda d: _set(d, ["properties", "title"], {"$ref": "nope.schema.json#/$defs/title"}),
        "#/properties/title/$ref: 'nope.schema.json#/$defs/title' points to nothing"),
    "a local ref to nothing": (lambda d: _set(d, ["$ref"], "#/$defs/nope"),
                               "#/$ref: '#/$defs/nope' points to nothing"),
    "properties as a list": (lambda d: _set(d, ["properties"], []),
                             "#/properties: must be an object"),
    "a length as text": (lambda d: _set(d, ["properties", "title"], {"maxLength": "80"}),
                         '#/properties/title/maxLength: must be a number, not "80"'),
}
COMMANDS = {
    "validate": ("validate",),
    "build": ("build",),
    "schema-docs": ("schema-docs",),
    "new": ("new", "glossary", "flash-attention", "--title", "FlashAttention", "--author", "ana"),
}


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("broken", BROKEN)
def test_a_broken_schema_is_exit_2_naming_the_file(catalog, cli, broken, command):
    change, message = BROKEN[broken]
    _glossary(catalog, change)
    r = cli(catalog, *COMMANDS[command])
    assert r.exit_code == 2, r.output
    assert r.output.startswith(f"Error: {catalog / GLOSSARY}: {message}"), r.output
    assert not (catalog / "entries/glossary/flash-attention.md").exists()
    assert not (catalog / "dist").exists()


def test_an_anchor_and_subschemas_named_like_keywords_are_fine(catalog, cli):
    """A property named `pattern` or `type` is no keyword; `#anchor` refs resolve."""
    def change(doc):
        doc["$defs"] = {"free": {"$anchor": "free-text", "type": "string"}}
        doc["properties"]["note"] = {"$ref": "#free-text"}
        doc["properties"]["pattern"] = {"type": "object",
                                        "properties": {"type": {"type": "string"},
                                                       "pattern": {"enum": ["([a-"]}}}
        return doc

    _glossary(catalog, change)
    assert cli(catalog, "validate").exit_code == 0
    assert cli(catalog, "schema-docs").exit_code == 0


def test_checking_the_schemas_needs_no_referencing():
    """Loading the shipped schemas stays free of `referencing` (40 ms of every command)."""
    code = ("import sys; from pathlib import Path; from pipeline.schemas import SchemaSet; "
            f"SchemaSet.load(Path({str(REPO / 'schemas')!r})); "
            "print('referencing' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["False"]
