"""docs/schema-reference.md as `pipeline schema-docs` writes it: what it says of each field,
and that whatever a schema holds, every table stays a table."""

from __future__ import annotations

import json
import re

from pipeline import cmark

TOOLS = "schemas/tools.schema.json"


def _tools(catalog, change) -> None:
    path = catalog / TOOLS
    doc = json.loads(path.read_text(encoding="utf-8"))
    change(doc)
    path.write_text(json.dumps(doc), encoding="utf-8")


def _rows(markdown: str) -> list[list[str]]:
    """Every table row as cmark-gfm reads it: the text of its cells."""
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", cmark.html(markdown), re.S):
        rows.append([re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<t[hd]>(.*?)</t[hd]>", row, re.S)])
    return rows


def test_names_enum_values_patterns_and_descriptions_with_pipes_keep_the_table(catalog, cli):
    """Found in review: a `|` in a key, an enum value or a pattern, or a line break in a
    description, split or ended the row (GitHub's tables end a cell at a `|` even in a code
    span); an enum of `null` or `true` read `None` and `True`."""
    def change(doc):
        doc["properties"]["odd key|x"] = {"type": "string",
                                          "description": "A *bold* <b>line</b>\nand | a pipe"}
        doc["properties"]["choice"] = {"enum": ["a|b", "c`d", 3, None, True]}
        doc["properties"]["pat"] = {"type": "string", "pattern": "^(a|b)$"}

    _tools(catalog, change)
    r = cli(catalog, "schema-docs")
    assert r.exit_code == 0, r.output
    rows = {row[0]: row for row in _rows(r.output) if len(row) == 4}
    assert all(len(row) in (3, 4) for row in _rows(r.output))
    assert rows["odd key|x"][3] == "A bold line and | a pipe"
    assert rows["choice"][2] == "a|b | c`d | 3 | null | true"
    assert rows["pat"][2] == "text matching ^(a|b)$"


def test_a_schema_that_holds_itself_is_described_not_a_traceback(catalog, cli):
    """Found in review: a `$ref` back to a definition that holds it (a list of lists of
    ...) recursed until Python gave up, a RecursionError traceback."""
    def change(doc):
        doc["$defs"] = {"node": {"type": "array", "items": {"$ref": "#/$defs/node"}}}
        doc["properties"]["tree"] = {"$ref": "#/$defs/node"}

    _tools(catalog, change)
    r = cli(catalog, "schema-docs")
    assert r.exit_code == 0, r.output
    assert "| `tree` |  | list of the same again (nested) |  |" in r.output
