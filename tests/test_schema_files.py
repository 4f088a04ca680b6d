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


@pytest.mark.parametrize("command", COMMANDS)
def test_a_schema_that_is_no_json_or_no_utf8_is_named_with_its_line(catalog, cli, command):
    """Found in review: a missing comma said `...: not a readable JSON schema: Expecting ','
    delimiter: line 5 column 3 (char 150)`, and a stray Latin-1 byte gave Python's codec
    message with no line at all; both are now `file:line:column:` as every other message."""
    path = catalog / GLOSSARY
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('"Glossary term",', '"Glossary term"', 1), encoding="utf-8")
    r = cli(catalog, *COMMANDS[command])
    assert r.exit_code == 2, r.output
    line = text[:text.index('"Glossary term",')].count("\n") + 2
    assert r.output.startswith(f"Error: {path}:{line}:"), r.output
    assert "not valid JSON: Expecting ',' delimiter" in r.output
    path.write_bytes(text.replace('"Glossary term"', '"Glossary t\xe9rm"', 1).encode("latin-1"))
    r = cli(catalog, *COMMANDS[command])
    assert r.exit_code == 2, r.output
    line = text[:text.index('"Glossary term"')].count("\n") + 1
    col = len(text[:text.index('"Glossary term"')].rsplit("\n", 1)[-1]) + len('"Glossary t') + 1
    assert r.output.startswith(f"Error: {path}:{line}:{col}: not UTF-8 (byte 0xe9)"), r.output
