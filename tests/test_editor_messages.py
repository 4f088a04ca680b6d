"""What `pipeline validate` tells an editor about a slip in front matter: the line and
column where the slip is, in plain words, with a hint that fits it (found in review:
YAML errors lines too late in the parser's words, raw regexes, whole 150-character
values, no suggestion for a misspelt key, and `.nan` passing to show "nan GB")."""

from __future__ import annotations

import datetime as dt

import pytest

from conftest import write_entry
from pipeline.catalog import yamlpos
from pipeline.catalog.loader import YAML_SYNTAX
from pipeline.checks.schema import SCHEMA
from pipeline.config import load_settings
from pipeline.validate import validate

FILE = "entries/hardware/rtx-test.md"

# A draft hardware entry that validates clean; each test changes one line of it.
GOOD = """\
---
title: NVIDIA GeForce RTX Test
status: draft
summary: A card for tests.
authors: [ana]
tags: [gpu, nvidia]
kind: gpu
vendor: NVIDIA
released: 2022-10-12
specs:
  - {label: VRAM, value: 24, unit: GB, source: spec-sheet}
  - label: Memory bus
    value: 384
    unit: bit
    source: spec-sheet
sources:
  - id: spec-sheet
    url: https://example.org/rtx
    title: "The card's spec sheet"
    accessed: 2026-10-01
---
The card [@spec-sheet].
"""


def line_no(text: str, start: str) -> int:
    return next(i + 1 for i, line in enumerate(text.split("\n")) if line.startswith(start))


def problems(catalog, text: str, rule: str | None = None):
    write_entry(catalog, "hardware/rtx-test", text)
    diags = validate(load_settings(catalog), today=dt.date(2026, 11, 27)).diagnostics
    return [d for d in diags if d.file == FILE and (rule is None or d.rule == rule)]


def only(catalog, text: str, rule: str):
    found = problems(catalog, text)
    assert [d.rule for d in found] == [rule], found
    return found[0]


def test_the_entry_the_tests_change_is_clean(catalog):
    assert problems(catalog, GOOD) == []


# -- YAML syntax: where the slip is, in plain words ---------------------------------------

def test_a_key_without_a_space_after_its_colon_is_reported_on_its_own_line(catalog):
    text = GOOD.replace("vendor: NVIDIA", "vendor:NVIDIA")
    d = only(catalog, text, "yaml-syntax")
    assert (d.line, d.column) == (line_no(text, "vendor:"), 1)  # not the line after it
    assert "this line has no `: ` after its key: write `key: value`" in d.message
    assert "simple key" not in d.message
    assert d.severity == YAML_SYNTAX.severity == "error"
    assert "space after the colon" in d.hint and d.hint != YAML_SYNTAX.hint


@pytest.mark.parametrize("old, new", [
    ("title: NVIDIA GeForce RTX Test", "title:NVIDIA GeForce RTX Test"),  # the first key
    ("  - label: Memory bus", "  - label:Memory bus"),  # a list item's first key
    ("sources:\n  - id: spec-sheet", "sources:\n  - id:spec-sheet"),
])
def test_a_first_key_without_a_space_after_its_colon_is_reported_on_its_own_line(catalog,
                                                                                 old, new):
    """Where no mapping is open yet, libyaml reads `title:NVIDIA` and the next line as
    one text, and said "mapping values are not allowed in this context" at the next
    key's colon, a line too late, with the hint to quote values (found in review)."""
    text = GOOD.replace(old, new)
    d = only(catalog, text, "yaml-syntax")
    last = new.split("\n")[-1]
    assert (d.line, d.column) == (line_no(text, last), len(last) - len(last.lstrip(" -")) + 1)
    assert "this line has no `: ` after its key: write `key: value`" in d.message
    assert "space after the colon" in d.hint


def test_an_unclosed_double_quote_is_reported_where_it_opens(catalog):
    """The next `"` (in `title:` of the sources, lines below) closed it for libyaml,
    which then stumbled there: the editor was sent to the wrong line."""
    text = GOOD.replace("vendor: NVIDIA", 'vendor: "NVIDIA')
    d = only(catalog, text, "yaml-syntax")
    assert (d.line, d.column) == (line_no(text, "vendor:"), len('vendor: "'))
    assert 'a quoted value is never closed: add the closing `"`' in d.message
    assert f"runs on to line {line_no(text, '    title:')}" in d.message
    assert "block mapping" not in d.message
    assert '"' in d.hint and d.hint != YAML_SYNTAX.hint


def test_an_unclosed_single_quote_is_reported_where_it_opens(catalog):
    text = GOOD.replace("summary: A card", "summary: 'A card")
    d = only(catalog, text, "yaml-syntax")
    assert (d.line, d.column) == (line_no(text, "summary:"), len("summary: '"))
    assert "a quoted value is never closed: add the closing `'`" in d.message
    assert "'" in d.hint and d.hint != YAML_SYNTAX.hint


@pytest.mark.parametrize("old, new", [
    ("vendor: NVIDIA", "\tvendor: NVIDIA"),  # a tab before a key
    ("  - label: Memory bus", "\t- label: Memory bus"),  # a tab before a list item
])
def test_a_tab_used_for_indentation_is_named(catalog, old, new):
    text = GOOD.replace(old, new)
    d = only(catalog, text, "yaml-syntax")
    assert (d.line, d.column) == (line_no(text, new), 1)
    assert "a tab: indent YAML with spaces" in d.message
    assert "cannot start any token" not in d.message and "violates" not in d.message
    assert "spaces" in d.hint and "quote values" not in d.hint


@pytest.mark.parametrize("old, new, char", [
    # every key of the mapping so indented: YAML took them for keys of the entry
    ("  - label: Memory bus\n    value: 384\n    unit: bit\n    source: spec-sheet",
     "  - label: Memory bus\n\u00a0   value: 384\n\u00a0   unit: bit\n\u00a0   source: "
     "spec-sheet", "\u00a0"),
    ("    unit: bit", "\u00a0   unit: bit", "\u00a0"),  # one of them: YAML then stumbles
    ("vendor: NVIDIA", " \u2003vendor: NVIDIA", "\u2003"),  # an em space after a space
    ("tags: [gpu, nvidia]", "tags:\n\u00a0 - gpu", "\u00a0"),  # before a list item
])
def test_a_space_yaml_takes_for_text_in_the_indentation_is_named(catalog, old, new, char):
    """A no-break space (pasted from a web page) before a key passed YAML and came back
    as "unknown key '  value'", the odd character unseen (found in review)."""
    text = GOOD.replace(old, new)
    d = only(catalog, text, "yaml-syntax")
    first = next(line for line in new.split("\n") if char in line)
    assert (d.line, d.column) == (line_no(text, first), first.index(char) + 1)
    assert f"holds U+{ord(char):04X} " in d.message and f"at column {d.column}" in d.message
    assert "spaces" in d.hint


@pytest.mark.parametrize("text, line", [
    ("\u00a0title: T\nsummary: S\n", 2),  # the first line: no line break before it
    ("title: Caf\u00e9\nverdict:\n  rating: a\n\u00a0 text: b\n", 5),
])
def test_a_space_yaml_takes_for_text_is_found_on_the_first_line_and_the_others(text, line):
    with pytest.raises(yamlpos.YamlProblem) as e:
        yamlpos.load(text, first_line=2)
    assert (e.value.line, e.value.column) == (line, 1) and "U+00A0" in e.value.message


def test_a_no_break_space_in_a_value_is_text():
    data, _ = yamlpos.load("summary: a\n  \u00a0b\ntext: |\n  \u00a0x\nnote:\n  \u00a0c\n")
    assert data == {"summary": "a \u00a0b", "text": "\u00a0x\n", "note": "\u00a0c"}


def test_another_syntax_error_keeps_the_rules_hint(catalog):
    text = GOOD.replace("  - {label: VRAM, value: 24,", "  - {label: VRAM\n    value: 24,")
    d = only(catalog, text, "yaml-syntax")  # a comma missing inside a mapping that is closed
    assert d.message.startswith("invalid YAML: ") and d.hint == YAML_SYNTAX.hint
    assert "never closed" not in d.message


@pytest.mark.parametrize("old, new, opener", [
    ("tags: [gpu, nvidia]", "tags: [gpu, nvidia", "["),  # the next key comes first
    ("  - {label: VRAM, value: 24, unit: GB, source: spec-sheet}",
     "  - {label: VRAM, value: 24, unit: GB, source: spec-sheet", "{"),  # the next item
    ("released: 2022-10-12", "released: 2022-10-12\nfoo: [a, [b, c]", "["),  # the outer one
])
def test_a_list_or_mapping_never_closed_is_reported_where_it_opens(catalog, old, new, opener):
    """libyaml stumbled on the next line ("while parsing a flow sequence did not find
    expected ',' or ']'"), where nothing is wrong; the bracket to close is on the line
    before (found in review)."""
    text = GOOD.replace(old, new)
    d = only(catalog, text, "yaml-syntax")
    n = line_no(text, new.split("\n")[-1])
    closer = {"[": "]", "{": "}"}[opener]
    assert (d.line, d.column) == (n, text.split("\n")[n - 1].index(opener) + 1)
    assert f"opened with `{opener}` is never closed: add the closing `{closer}`" in d.message
    assert "did not find expected" not in d.message and closer in d.hint


@pytest.mark.parametrize("old, new, above", [
    ("    unit: bit", "     unit: bit", "`value:`"),  # one space too many
    ("vendor: NVIDIA", "vendor: NVIDIA\n  maker: NVIDIA", "`vendor:`"),  # at the top
    ("tags: [gpu, nvidia]", "tags:\n  - gpu\n   kind: x", "the list item"),
])
def test_a_key_indented_more_than_the_key_above_it_is_named(catalog, old, new, above):
    """libyaml reads the line as more of the value above, and said "mapping values are
    not allowed in this context", with the hint to quote values (found in review)."""
    text = GOOD.replace(old, new)
    d = only(catalog, text, "yaml-syntax")
    last = new.split("\n")[-1]
    n = line_no(text, last)
    assert (d.line, d.column) == (n, len(last) - len(last.lstrip()) + 1)
    assert f"this line is indented more than {above} on line {n - 1}" in d.message
    assert "not allowed in this context" not in d.message
    assert d.hint != YAML_SYNTAX.hint and "indent" in d.hint


def test_a_quoted_value_over_lines_followed_by_a_slip_is_no_unclosed_quote():
    """A quote that is closed (on a later line), then text after a space: not a quote
    never closed, whatever else it is."""
    with pytest.raises(yamlpos.YamlProblem) as e:
        yamlpos.load('a: "one\n  two" three\nb: 1\n', first_line=2)
    assert "never closed" not in e.value.message


# A value an editor typed that YAML cannot read as text: (the line as typed, what the
# message says is wrong, the line with the value in quotes)
VALUE_SLIPS = [
    ("title: Re: news", "the value holds `: `, which YAML reads as the start of a key",
     'title: "Re: news"'),
    ("summary: Note: this card is loud # noisy", "the value holds `: `",
     'summary: "Note: this card is loud"'),  # the comment after it is no part of it
    ("vendor: @nvidia", "a value cannot start with `@`", 'vendor: "@nvidia"'),
    ("vendor: `nvidia`", "a value cannot start with `` ` ``", 'vendor: "`nvidia`"'),
    ("summary: %50 faster", "a value cannot start with `%`", 'summary: "%50 faster"'),
    ("summary: *Very* fast", "a value that starts with `*` is a YAML alias",
     'summary: "*Very* fast"'),
    ("summary: - fast", "a value cannot start with `- ` on its key's line",
     'summary: "- fast"'),
    ("title: 'It's fast'", "a value that starts with `'` is quoted, which ends at the next "
     "`'`, and the rest of the line (`s fast'`) is left over", 'title: "It\'s fast"'),
    ('title: "Fast" or "good"', "a value that starts with `\"` is quoted",
     "title: '\"Fast\" or \"good\"'"),
    ("title: [Draft] RTX Test", "a value that starts with `[` is a list, which ends at `]`, "
     "and the rest of the line (`RTX Test`) is left over", 'title: "[Draft] RTX Test"'),
]


@pytest.mark.parametrize("typed, what, quoted", VALUE_SLIPS)
def test_a_value_yaml_cannot_read_as_text_is_told_to_be_quoted(catalog, typed, what, quoted):
    """libyaml's words at the place it stumbled ("mapping values are not allowed in this
    context" at the second colon, "found character that cannot start any token", "did
    not find expected key"), with the rule's hint: the editor was not shown which value,
    nor how to quote it (found in review). Now at the value's start, with the line to
    write, which reads back as the value meant."""
    key = typed.split(":")[0]
    text = "\n".join(typed if line.startswith(key + ":") else line
                     for line in GOOD.split("\n"))
    d = only(catalog, text, "yaml-syntax")
    assert (d.line, d.column) == (line_no(text, key + ":"), len(key) + 3)
    assert d.message.startswith(f"invalid YAML: {what}"), d.message
    shown = f"`` {quoted} ``" if "`" in quoted else f"`{quoted}`"
    assert d.message.endswith(f": put the whole value in quotes: {shown}"), d.message
    assert "quotes" in d.hint and d.hint != YAML_SYNTAX.hint
    assert not [f for f in problems(catalog, text.replace(typed, quoted))
                if f.rule.startswith("yaml")]


@pytest.mark.parametrize("typed", ['tags: "gpu", "nvidia"', "tags: [gpu, nvidia]]"])
def test_a_list_written_with_a_slip_is_not_told_to_be_quoted(typed):
    """Quoted, these would be one text where a list is meant."""
    with pytest.raises(yamlpos.YamlProblem) as e:
        yamlpos.load(typed + "\n", first_line=2)
    assert "quotes" not in e.value.message


# A list written with a slip: (the line of GOOD, the line as typed, the column of the
# character libyaml stumbles at, what the message says, the line to write)
VRAM = "  - {label: VRAM, value: 24, unit: GB, source: spec-sheet}"
LIST_SLIPS = [
    ("tags: [gpu, nvidia]", "tags: [gpu, nvidia]]", 20, "this `]` closes nothing: the list "
     "opened with `[` ends at the `]` before it: remove it", "tags: [gpu, nvidia]"),
    ("tags: [gpu, nvidia]", "tags: [gpu, nvidia] ]] # two", 21,
     "these `]]` close nothing", "tags: [gpu, nvidia] # two"),
    (VRAM, VRAM + "}", len(VRAM) + 1, "this `}` closes nothing: the mapping opened with `{` "
     "ends at the `}` before it", VRAM),
    ("tags: [gpu, nvidia]", 'tags: "gpu", "nvidia"', 12, "the quoted value ends before "
     "this `,`: values separated by `,` are a list only between `[` and `]`: write",
     'tags: ["gpu", "nvidia"]'),
    ("tags: [gpu, nvidia]", "tags: 'gpu', 'nvidia'", 12,
     "the quoted value ends before this `,`", "tags: ['gpu', 'nvidia']"),
]


@pytest.mark.parametrize("old, typed, column, what, fixed", LIST_SLIPS)
def test_a_bracket_too_many_or_a_list_without_brackets_is_told_how_to_write(
        catalog, old, typed, column, what, fixed):
    """libyaml said "while parsing a block mapping did not find expected key" (or "did not
    find expected '-' indicator" in a list), with the rule's hint to quote values, which
    would make the list one text (found in review). Now at the character too many, or at
    the `,`, with the line to write."""
    text = GOOD.replace(old, typed)
    d = only(catalog, text, "yaml-syntax")
    assert (d.line, d.column) == (line_no(text, typed), column)
    assert d.message.startswith(f"invalid YAML: {what}"), d.message
    assert d.message.endswith(f" `{fixed}`"), d.message
    assert "did not find expected" not in d.message and d.hint != YAML_SYNTAX.hint
    assert problems(catalog, text.replace(typed, fixed)) == []


@pytest.mark.parametrize("first", ['"gpu"', '"gpu, new"'])
def test_a_list_items_quoted_values_without_brackets_go_one_to_a_line(first):
    with pytest.raises(yamlpos.YamlProblem) as e:
        yamlpos.load(f'tags:\n  - {first}, "nvidia"\nkind: gpu\n', first_line=2)
    assert (e.value.line, e.value.column) == (3, 5 + len(first))
    assert e.value.message.endswith(
        f'write each item on a line of its own: `  - {first}`, then `  - "nvidia"`')


def test_a_quoted_value_and_words_after_a_comma_may_be_one_text():
    with pytest.raises(yamlpos.YamlProblem) as e:
        yamlpos.load('title: "Fast", he said\n', first_line=2)
    assert (e.value.line, e.value.column) == (2, 14)
    assert e.value.message.endswith(
        'if they are a list, write `title: ["Fast", he said]`; if it is one text, put the '
        "whole value in quotes: `title: '\"Fast\", he said'`"), e.value.message


def test_a_bracket_too_many_before_more_words_is_only_told_to_go():
    with pytest.raises(yamlpos.YamlProblem) as e:
        yamlpos.load("tags: [gpu]] nvidia\n", first_line=2)
    assert e.value.message.endswith("ends at the `]` before it: remove it"), e.value.message


@pytest.mark.parametrize("old, typed, reads, quoted", [
    ("title: NVIDIA GeForce RTX Test", "title: RTX Test #2", "RTX Test",
     'title: "RTX Test #2"'),
    ("summary: A card for tests.", "summary: A card for tests (issue #346).",
     "A card for tests (issue", 'summary: "A card for tests (issue #346)."'),
    ('    title: "The card\'s spec sheet"', "    title: Spec sheet #2", "Spec sheet",
     '    title: "Spec sheet #2"'),  # in a list item's mapping
])
def test_a_value_a_comment_cuts_short_is_a_warning_at_its_hash(catalog, old, typed, reads,
                                                               quoted):
    """YAML took `#2` for a comment and the title lost it, without a word (found in
    review); said at the `#` by every validate, the front matter read or not."""
    text = GOOD.replace(old, typed)
    for _ in range(2):  # the second from the cache of parsed front matter
        d = only(catalog, text, "yaml-comment")
        assert (d.line, d.column) == (line_no(text, typed), typed.index(" #") + 2)
        assert d.severity == "warning"
        assert d.message.startswith(f"`{typed[typed.index('#'):]}` is a YAML comment, not "
                                    f"part of the value, which reads `{reads}`"), d.message
        assert f"put the whole value in quotes: `{quoted}`" in d.message
    assert problems(catalog, text.replace(typed, quoted)) == []


@pytest.mark.parametrize("old, typed, hash_line, reads, quoted, fixed, also", [
    # the last line of a value run on over lines: read silently as "... (issue"
    ("summary: A card for tests.", "summary: A card for tests\n  in review (issue #346).",
     "  in review", "`A card for tests in review (issue`",
     'from line 4 to line 5, in quotes: `summary: "A card for tests` … '
     '`  in review (issue #346)."`',
     'summary: "A card for tests\n  in review (issue #346)."', []),
    # a list between brackets over lines: `nvidia` silently
    ("tags: [gpu, nvidia]", "tags: [gpu,\n  nvidia #1\n  ]", "  nvidia", "`nvidia`",
     'in quotes: `  "nvidia #1"`', 'tags: [gpu,\n  "nvidia #1"\n  ]', []),
    # on one line, the comment takes the `]`: the list is said to be never closed
    ("tags: [gpu, nvidia]", "tags: [gpu, nvidia #1]", "tags:", "`nvidia`",
     'in quotes: `tags: [gpu, "nvidia #1"]`', 'tags: [gpu, "nvidia #1"]', ["yaml-syntax"]),
    # in a mapping between braces, the value alone goes in quotes, not the rest of the line
    ("{label: VRAM, value: 24,", "{label: VRAM #1, value: 24,", "  - {label", "`VRAM`",
     'in quotes: `  - {label: "VRAM #1", value: 24, unit: GB, source: spec-sheet}`',
     '{label: "VRAM #1", value: 24,', ["yaml-syntax"]),
    # a value that is nothing but the comment: said to be empty
    ("summary: A card for tests.", "summary: #1 card for tests.", "summary:", "is empty",
     'in quotes: `summary: "#1 card for tests."`', 'summary: "#1 card for tests."',
     ["schema"]),
])
def test_a_comment_that_cuts_a_value_short_is_found_wherever_the_value_is(
        catalog, old, typed, hash_line, reads, quoted, fixed, also):
    """Only a value on one line after its key or its `- ` was looked at: a `#` on the last
    line of a value run on over lines, or in a list between brackets, cut the value short
    without a word, and one that takes a `]` was only said to leave the list unclosed;
    the line to write quoted the rest of a mapping's line with the value (found in
    review)."""
    text = GOOD.replace(old, typed)
    found = problems(catalog, text)
    assert sorted(d.rule for d in found) == sorted(["yaml-comment", *also]), found
    d = next(d for d in found if d.rule == "yaml-comment")
    line = text.split("\n")[line_no(text, hash_line) - 1]
    assert (d.line, d.column) == (line_no(text, hash_line), line.index(" #") + 2)
    assert reads in d.message and quoted in d.message, d.message
    # the line to write reads (a tag `nvidia #1` is then the schema's to refuse)
    assert [d for d in problems(catalog, text.replace(typed, fixed))
            if d.rule.startswith("yaml")] == []


@pytest.mark.parametrize("written", ["vendor:  # the maker", "kind: gpu  # a card"])
def test_a_comment_after_an_empty_value_or_two_spaces_is_fine(catalog, written):
    old = written.split(":")[0] + ":"
    text = GOOD.replace(next(row for row in GOOD.split("\n") if row.startswith(old)),
                        written)
    assert [d.rule for d in problems(catalog, text)] in ([], ["schema"])
    assert not [d for d in problems(catalog, text) if d.rule == "yaml-comment"]


@pytest.mark.parametrize("written", ["vendor: NVIDIA  # the maker", "vendor: C#",
                                     'vendor: "NVIDIA #1"', "vendor: NVIDIA#1"])
def test_a_comment_meant_as_one_and_a_hash_in_words_are_fine(catalog, written):
    assert problems(catalog, GOOD.replace("vendor: NVIDIA", written)) == []


@pytest.mark.parametrize("typed, value", [
    ("summary: *Very fast", "*Very fast"), ("summary: &co tested", "&co tested")])
def test_an_alias_or_anchor_followed_by_words_is_told_to_be_quoted(catalog, typed, value):
    text = GOOD.replace("summary: A card for tests.", typed)
    d = only(catalog, text, "yaml-alias")
    assert d.message.endswith(f"; if `{value}` is text, put the whole value in quotes: "
                              f'`summary: "{value}"`'), d.message


def test_an_anchor_or_alias_meant_as_one_is_only_refused():
    with pytest.raises(yamlpos.YamlProblem) as e:
        yamlpos.load("a: &none []\nb: *none\n", first_line=2)
    assert e.value.message == "YAML anchor 'none' is not allowed; write the value out in full"


# -- numbers no page can show -------------------------------------------------------------

@pytest.mark.parametrize("old, new, what", [
    ("value: 384", "value: .nan", '"not a number"'),  # block mapping: yamlfast reads it
    ("value: 24,", "value: .NaN,", '"not a number"'),  # flow mapping: libyaml reads it
    ("value: 384", "value: -.inf", "infinity"),
    ("value: 384", "value: 1.0e+999", "too large"),
])
def test_a_number_that_is_not_finite_is_refused_at_the_value(catalog, old, new, what):
    text = GOOD.replace(old, new)
    d = only(catalog, text, "yaml-syntax")
    n = line_no(text, next(line for line in text.split("\n") if new in line))
    value = new.split(" ", 1)[1].rstrip(",")
    assert (d.line, d.column) == (n, text.split("\n")[n - 1].index(value) + 1)
    assert f"`{value}` is" in d.message and what in d.message
    assert "finite number" in d.message and "quotes" in d.hint


def test_nan_as_quoted_text_is_text():
    data, _ = yamlpos.load("label: '.nan'\nvalue: 1.5\n")
    assert data == {"label": ".nan", "value": 1.5}


# -- schema messages in plain words ---------------------------------------------------------

def test_a_too_long_title_says_its_length_and_the_limit(catalog):
    text = GOOD.replace("title: NVIDIA GeForce RTX Test", "title: " + "A" * 150)
    d = only(catalog, text, "schema")
    assert d.message == "title is 150 characters; at most 140"
    assert d.severity == SCHEMA.severity


def test_an_empty_text_and_an_empty_list_say_the_least_allowed(catalog):
    text = GOOD.replace("summary: A card for tests.", 'summary: ""')
    assert only(catalog, text, "schema").message == "summary is empty; at least 1"
    text = GOOD.replace("authors: [ana]", "authors: []")
    found = [d.message for d in problems(catalog, text, "schema")]
    assert "authors is an empty list; at least 1" in found


def test_a_pattern_is_said_in_words_with_a_suggestion(catalog):
    text = GOOD.replace("tags: [gpu, nvidia]", "tags: [gpu, NVIDIA]")
    d = only(catalog, text, "schema")
    assert d.message == ("tags.1: 'NVIDIA' should be lowercase letters, digits and single "
                         "hyphens; did you mean `nvidia`?")
    assert "^[" not in d.message


def test_a_pattern_uses_the_description_of_the_property(catalog):
    text = GOOD.replace("authors: [ana]", "authors: [Ana Editor]")
    found = [d.message for d in problems(catalog, text, "schema")]
    assert found == ["authors.0: 'Ana Editor' should be lowercase ASCII letters, digits and "
                     "single hyphens, at most 80 characters; did you mean `ana-editor`?"]


def test_a_long_value_is_cut_in_the_message(catalog):
    long = "Not A Slug " * 20
    text = GOOD.replace("tags: [gpu, nvidia]", f"tags: [gpu, '{long}']")
    d = only(catalog, text, "schema")
    shown = d.message.split("'")[1]
    assert len(shown) <= 61 and shown.endswith("…") and long.startswith(shown[:-1])


def test_a_misspelt_key_gets_a_suggestion(catalog):
    text = GOOD.replace("summary:", "sumary:")
    d = only(catalog, text, "schema")
    assert (d.line, d.column) == (line_no(text, "sumary:"), 1)
    assert d.message.startswith("unknown key 'sumary': did you mean `summary`? (allowed: ")


def test_a_key_close_to_none_gets_no_suggestion(catalog):
    text = GOOD.replace("vendor: NVIDIA", "vendor: NVIDIA\nxyzzy: 1")
    d = only(catalog, text, "schema")
    assert d.message.startswith("unknown key 'xyzzy' (allowed: ")


def test_a_misspelt_value_of_a_list_of_options_gets_a_suggestion(catalog):
    text = GOOD.replace("status: draft", "status: drfat")
    d = only(catalog, text, "schema")
    assert d.message == ("status: 'drfat' is not one of draft, review, published, retired; "
                         "did you mean `draft`?")


def test_an_item_listed_twice_is_reported_at_the_second(catalog):
    text = GOOD.replace("tags: [gpu, nvidia]", "tags: [gpu, nvidia, gpu]")
    d = only(catalog, text, "schema")
    assert d.message == "tags: 'gpu' is listed twice; list each once"
    assert (d.line, d.column) == (line_no(text, "tags:"), len("tags: [gpu, nvidia, ") + 1)


def test_a_result_with_both_a_source_and_a_measurer_is_told_to_keep_one(catalog):
    """A benchmark result gives `source` or `measured_by`, exactly one: with both, the
    message was jsonschema's ("{'metric': ..., 'measured_by': 'ana'} is valid under each
    of {'required': ['measured_by']}, ..."), a Python dump with nothing to act on."""
    write_entry(catalog, "benchmarks/both", {
        "title": "Both", "status": "draft", "authors": ["ana"], "hardware": ["hardware/x"],
        "model": "models/x", "tool": "tools/vllm", "quantization": "Q4_K_M",
        "versions": {"vllm": "0.6.0"}, "command": "vllm serve x",
        "results": [{"metric": "Generation", "value": 100, "unit": "tok/s",
                     "source": "s", "measured_by": "ana"}]})
    diags = validate(load_settings(catalog), today=dt.date(2026, 11, 27)).diagnostics
    found = [d for d in diags if d.file == "entries/benchmarks/both.md" and d.rule == "schema"]
    assert [d.message for d in found] == [
        "results.0: give exactly one of: 'source', 'measured_by'; not both"]


def test_an_address_without_its_scheme_is_reported_once(catalog):
    """`url: example.org/rtx` fails both the `uri` format and the `^https?://` pattern of
    a URL: it was two errors at one place, saying one thing twice."""
    text = GOOD.replace("url: https://example.org/rtx", "url: example.org/rtx")
    d = only(catalog, text, "schema")
    assert d.message == ("sources.0.url: 'example.org/rtx' should be an absolute `http` or "
                         "`https` address")
    assert (d.line, d.column) == (line_no(text, "    url:"), 5)


class _CountedText(str):
    """Text that counts how often it is compared for equality."""
    compared = 0

    def __eq__(self, other):
        _CountedText.compared += 1
        return str.__eq__(self, other)

    __hash__ = str.__hash__


def test_a_long_list_with_a_number_in_it_is_checked_for_duplicates_in_one_pass(
        catalog, monkeypatch):
    """A list that does not sort (text and a number) had every pair of its items compared
    by jsonschema: 10,000 tags took two seconds, 40,000 half a minute."""
    import jsonschema._utils
    compared = []
    equal = jsonschema._utils.equal
    monkeypatch.setattr(jsonschema._utils, "equal", lambda a, b: compared.append(1) or equal(a, b))
    tags = "".join(f"\n  - tag-{i}" for i in range(3000))
    text = GOOD.replace("tags: [gpu, nvidia]", f"tags:\n  - 1{tags}")
    d = only(catalog, text, "schema")
    assert d.message.startswith("tags.0: YAML reads this value as the number 1")
    assert len(compared) < 3000  # every pair: 4.5 million


def test_the_item_listed_twice_is_found_in_one_pass(catalog):
    """The message looked for the item listed twice by comparing each with every one
    before it: a duplicate at the end of 10,000 tags took two seconds."""
    from pipeline.checks.schema import _messages
    from pipeline.schemas import SchemaSet
    tags = [_CountedText(f"tag-{i}") for i in range(3000)] + [_CountedText("tag-7")]
    validator = SchemaSet.load(load_settings(catalog).path("schemas")).validator("hardware")
    [error] = [e for e in validator.iter_errors({"tags": tags}) if e.validator == "uniqueItems"]
    _CountedText.compared = 0
    assert _messages(error) == [(("tags", 3000), "tags: 'tag-7' is listed twice; list each once")]
    assert _CountedText.compared < 3000  # each with those before it: 4.5 million


@pytest.mark.parametrize("old, new, message", [
    # YAML reads these as no text; the messages said Python's `True`, `None`, `1.1`
    ("vendor: NVIDIA", "vendor: yes", "vendor: YAML reads this value as `true` (yes, no, on "
     "and off are true or false to it), not as text: put it in quotes"),
    ("vendor: NVIDIA", "vendor: 1.10", "vendor: YAML reads this value as the number 1.1, not "
     "as text: put it in quotes"),
    ("summary: A card for tests.", "summary:", "summary is empty; write text"),
    ("released: 2022-10-12", "released:", "released is empty; write a date YYYY-MM-DD"),
    ("status: draft", "status:", "status: an empty value is not one of draft, review, "
     "published, retired"),
    ("tags: [gpu, nvidia]", "tags: gpu", "tags should be a list, not 'gpu'"),
    ("tags: [gpu, nvidia]", "tags: {gpu: nvidia}", "tags should be a list, not a mapping"),
])
def test_a_value_of_the_wrong_kind_is_said_in_yamls_words(catalog, old, new, message):
    """"vendor: True is not of type string" for `vendor: yes`, "None is not of type string"
    for a key left empty: Python's words for what the editor never wrote (found in review)."""
    text = GOOD.replace(old, new)
    d = only(catalog, text, "schema")
    assert d.message == message
    assert (d.line, d.column) == (line_no(text, new.split(":")[0] + ":"), 1)
    assert "None" not in d.message and "True" not in d.message and "of type" not in d.message
