"""docs/schema-reference.md as `pipeline schema-docs` writes it: what it says of each field,
and that whatever a schema holds, every table stays a table."""

from __future__ import annotations

import html
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
        cells = re.findall(r"<t[hd]>(.*?)</t[hd]>", row, re.S)
        rows.append([re.sub(r"<[^>]+>", "", cell) for cell in cells])
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


def test_objects_inside_fields_limits_and_alternatives_are_described(catalog, cli):
    """Found in review: a benchmark's `results` and a guide's `picks` showed only their key
    names (not that a result needs exactly one of `source` and `measured_by`, nor that a
    pick's `entry` is a hardware id); lengths, counts, bounds, `no repeats`, defaults, a
    `const` and `oneOf` alternatives were left out (a `oneOf` read "any"); the shared
    parts dropped their keys' descriptions."""
    def change(doc):
        doc["properties"]["alt"] = {"oneOf": [{"type": "string"}, {"type": "integer"}]}
        doc["properties"]["fixed"] = {"const": "x"}
        doc["properties"]["flag"] = {"type": "boolean", "default": False}

    _tools(catalog, change)
    r = cli(catalog, "schema-docs")
    assert r.exit_code == 0, r.output
    text = r.output
    results = text.split("### benchmarks: `results`, each item\n", 1)[1].split("###")[0]
    assert "Exactly one of `source`, `measured_by`." in results
    assert "| `unit` | yes | string; not empty |  |" in results
    assert "| `measured_by` |  | author slug; at most 80 characters |" in results
    picks = text.split("### guides: `picks`, each item\n", 1)[1].split("###")[0]
    assert "| `entry` | yes | id of hardware |" in picks
    assert "| `title` | yes | string; 1 to 140 characters |" in text
    assert ("| `hardware` | yes | list of id of hardware; at least 1 item, no repeats |"
            in text)
    assert "| `amount` | yes | number; more than 0 |  |" in text
    assert "| `url` | yes | URL | An absolute `http` or `https` address. |" in text
    assert "| `alt` |  | string or integer |  |" in text
    assert "| `fixed` |  | always `x` |  |" in text
    assert "| `flag` |  | boolean; default `false` |  |" in text
    assert all(len(row) == 4 for row in _rows(text))


def test_what_a_published_entry_needs_is_marked_alike(catalog, cli):
    """Found in review: `verdict` read "when published" but `published` and `summary`,
    which rule published-fields refuses a published entry without, read as optional."""
    r = cli(catalog, "schema-docs")
    models = r.output.split("## models:", 1)[1].split("\n## ", 1)[0]
    for key in ("summary", "published", "verdict"):
        assert f"| `{key}` | when published |" in models
    assert "| `updated` |  |" in models


def test_the_patterns_editors_meet_are_said_in_words(catalog, cli):
    """A slug, an id, a currency code: said in words with an example (an editor does not
    read `^[a-z0-9]+(-[a-z0-9]+)*$`); a pattern with no words is shown as it is."""
    _tools(catalog, lambda doc: doc["properties"].__setitem__(
        "build", {"type": "string", "pattern": "^v[0-9]+$"}))
    out = cli(catalog, "schema-docs").output
    rows = {row[0]: row for row in _rows(out) if len(row) == 4}
    assert rows["tags"][2].startswith("list of (lower-case letters and digits, words joined "
                                      "by single hyphens, like q4-k-m)")
    assert html.unescape(rows["redirect_from"][2]).startswith(
        "list of (an entry's id <collection>/<slug>, like glossary/kv-cache)")
    assert rows["build"][2] == "text matching ^v[0-9]+$"
    assert "^[a-z" not in out


def test_a_key_whose_schema_is_true_or_false_is_a_row_not_a_traceback(catalog, cli):
    """Found in review: a property whose schema is `true` (any value) or `false` (none),
    as JSON Schema allows and validate accepts, stopped schema-docs with an
    AttributeError traceback from the meaning column."""
    def change(doc):
        doc["properties"]["anything"] = True
        doc["properties"]["nothing"] = False

    _tools(catalog, change)
    r = cli(catalog, "schema-docs")
    assert r.exit_code == 0, r.output
    rows = {row[0]: row for row in _rows(r.output) if len(row) == 4}
    assert rows["anything"][1:] == ["", "any", ""]
    assert rows["nothing"][1:] == ["", "never allowed", ""]
