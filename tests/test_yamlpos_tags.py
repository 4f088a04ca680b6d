"""The loader that keeps each plain scalar's tag gives the tags PyYAML's safe loader gives,
the first time and every time after; a tag the editor wrote is refused on any node."""

from __future__ import annotations

import pytest
import yaml
from hypothesis import given, settings, strategies as st

from pipeline.catalog import yamlpos
from pipeline.textchars import named

SCALARS = ["1", "-7", "0x1F", "0o17", "1_000", "3.5", ".inf", "-.Inf", ".nan", "1e3", "true",
           "False", "yes", "No", "on", "OFF", "y", "~", "null", "", "2026-10-02",
           "2026-10-02T10:00:00Z", "2026-1-2", "v1.2", "1.2.3", "12:30", "=", "<<", "0", "-",
           "x" * 70, "1" * 70, "'1'", '"true"', "2026-10-02 # a comment", "a b c"]


def _tags(node) -> list:
    if isinstance(node, yaml.ScalarNode):
        return [(node.value, node.tag)]
    if isinstance(node, yaml.MappingNode):
        return [node.tag] + [t for k, v in node.value for t in _tags(k) + _tags(v)]
    return [node.tag] + [t for item in node.value for t in _tags(item)]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(SCALARS), min_size=1, max_size=6))
def test_every_scalar_gets_the_safe_loaders_tag_each_time(values):
    text = "".join(f"k{i}: {v}\n" for i, v in enumerate(values)) + "l: [" + ", ".join(
        v for v in values if v and not v.startswith(("'", '"', "=")) and "#" not in v) + "]\n"
    try:
        expected = _tags(yaml.compose(text, Loader=yamlpos._Loader))
    except yaml.YAMLError:
        return
    for _ in range(2):  # the second time from what the first kept
        assert _tags(yaml.compose(text, Loader=yamlpos._Composer)) == expected


def test_what_is_kept_stays_small():
    long = "z" * (yamlpos._RESOLVED_LEN + 1)
    yamlpos.load(f"a: {long}\n")
    assert long not in yamlpos._RESOLVED
    yamlpos.load("a: 12\n")
    assert yamlpos._RESOLVED["12"] == "tag:yaml.org,2002:int"


# Explicit tags: refused on every node, core ones included (found in review: a tag on a list
# or mapping, and `!!str`, passed), with the quick test sparing most front matter the events.

TAG_PIECES = ["a", "b: ", "- ", "!x ", "!!str ", "!<tag:yaml.org,2002:str> ", "!", "! ", "Wow!",
              "#!/", " ", "\n", "\n  ", ":", ",", "[", "]", "{", "}", '"', "'", "&x ", "? ", "x",
              "1", "#", "\t", "|", "\u2028"]


@settings(max_examples=5000, deadline=None)
@given(st.lists(st.sampled_from(TAG_PIECES), max_size=16).map("".join))
def test_every_explicit_tag_is_seen_by_the_quick_test(text):
    try:
        events = list(yaml.parse(text, Loader=yamlpos._Loader))
    except yaml.YAMLError:
        return  # not YAML: compose reports it, tags or not
    if any(getattr(e, "tag", None) is not None for e in events):
        assert yamlpos._MAYBE_TAG.search(text), text


@pytest.mark.parametrize("text, line, column, shown", [
    ("authors: !include [lead-editor]\n", 2, 10, "!include"),
    ("authors: !!python/object/apply:os.system [lead-editor]\n", 2, 10,
     "!!python/object/apply:os.system"),
    ("verdict: !secret\n  rating: avoid\n", 2, 10, "!secret"),
    ("!!python/object:foo\ntitle: X\n", 2, 1, "!!python/object:foo"),
    ("title: !!str Y\n", 2, 8, "!!str"),
    ("title: !<tag:yaml.org,2002:str> Z\n", 2, 8, "!!str"),
    ("title: ! Z\n", 2, 8, "!"),
    ("aka: [a, !!str b]\n", 2, 10, "!!str"),
    ("a: {\"b\":!x c}\n", 2, 9, "!x"),
    ("title: X\nsummary: !!binary aGVsbG8=\n", 3, 10, "!!binary"),
])
def test_every_explicit_tag_is_refused_at_its_place(text, line, column, shown):
    with pytest.raises(yamlpos.YamlProblem) as e:
        yamlpos.load(text, first_line=2)
    assert (e.value.kind, e.value.line, e.value.column) == ("tag", line, column)
    assert f"YAML tag {shown} is not allowed" in e.value.message


def test_an_exclamation_mark_in_text_is_no_tag_and_reads_no_events(monkeypatch):
    def no_events(*args):
        raise AssertionError("the quick test should have spared the events")

    monkeypatch.setattr(yamlpos, "_find_refused", no_events)
    data, _ = yamlpos.load("title: Wow! fast\nurl: https://x.org/#!/a\nnote: a!b\n")
    assert data == {"title": "Wow! fast", "url": "https://x.org/#!/a", "note": "a!b"}


def test_implicit_tags_still_resolve_with_a_tag_elsewhere_in_the_text():
    text = "n: 12\nf: 3.5\nb: true\nz: ~\nd: 2026-10-02\ns: '12'\nt: Wow ! fast\n"
    data, _ = yamlpos.load(text)
    assert data == {"n": 12, "f": 3.5, "b": True, "z": None, "d": "2026-10-02", "s": "12",
                    "t": "Wow ! fast"}


def test_a_plain_equals_sign_is_text():
    """YAML 1.1 resolves a plain `=` to its "value" key: `title: =` was reported as a tag
    no one wrote (found in review)."""
    assert yamlpos.load("title: =\nsummary: a = b\n", first_line=2)[0] == {
        "title": "=", "summary": "a = b"}


@pytest.mark.parametrize("char", ["\x07", "\x00", "\x01"])
def test_a_control_character_is_named_where_it_is(char):
    """It was reported at the front matter's first line, column 1, with the parser's
    offset and a line break in the message (found in review)."""
    with pytest.raises(yamlpos.YamlProblem) as e:
        yamlpos.load(f"title: T\nsummary: ok {char} bell\n", first_line=2)
    p = e.value
    assert (p.line, p.column) == (3, 13)
    assert p.message == (f"invalid YAML: the invisible character {named(char)} is not "
                         "allowed here") and "\n" not in p.message


@pytest.mark.parametrize("written, escape, code", [
    ('"red \\e[31m"', "\\e", 0x1B),
    ('"a \\x01 b"', "\\x01", 0x01),
    ('"nul \\0"', "\\0", 0x00),
    ('"\\\\x01 is text, \\u0007 is not"', "\\u0007", 0x07),
    ('"\\uFFFF"', "\\uFFFF", 0xFFFF),
    ('"\\U0000007f"', "\\U0000007f", 0x7F),
])
def test_a_control_character_written_as_an_escape_is_named_at_its_escape(written, escape,
                                                                          code):
    """YAML refuses the character typed, but its escape wrote it into pages, the JSON and
    the search index, raw into the pages' HTML and into an e-mail's Subject line (found in
    review)."""
    with pytest.raises(yamlpos.YamlProblem) as e:
        yamlpos.load(f"title: T\nsummary: {written}\n", first_line=2)
    p = e.value
    column = len("summary: ") + written.index(escape) + 1  # at the escape
    assert (p.kind, p.line, p.column) == ("syntax", 3, column)
    assert p.message == (f"invalid YAML: `{escape}` writes the invisible character "
                         f"{named(chr(code))}, which no page, feed or e-mail can show")


def test_an_escaped_control_character_is_found_on_the_line_of_a_long_value():
    text = 'title: T\nsummary: "one\n  two \\e x"\nversions:\n  "cuda\\x01": "12"\n'
    with pytest.raises(yamlpos.YamlProblem) as e:
        yamlpos.load(text, first_line=2)
    assert (e.value.line, e.value.column) == (4, 7)
    with pytest.raises(yamlpos.YamlProblem) as e:  # a key too: `versions` are shown
        yamlpos.load(text.replace("\\e", ""), first_line=2)
    assert (e.value.line, e.value.column) == (6, 8) and "`\\x01`" in e.value.message


def test_escapes_of_text_and_white_space_stay_fine():
    data, _ = yamlpos.load('a: "tab\\there\\nline \\N \\L \\_ \\\\e \\u00e9 \\x41"\n')
    assert data == {"a": "tab\there\nline \x85 \u2028 \xa0 \\e \xe9 A"}
