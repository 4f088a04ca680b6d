"""The loader: bytes in, Entry or diagnostics out, never an exception."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings, strategies as st

from conftest import write_entry
from pipeline.catalog import yamlpos
from pipeline.catalog.loader import parse_entry

GOOD = b"---\ntitle: EXL2\nstatus: draft\nauthors:\n  - ana\n  - ben\nverdict:\n  rating: avoid\n---\nBody\nline two\n"


def test_positions_of_keys_and_items():
    e, d = parse_entry("entries/glossary/exl2.md", GOOD)
    assert d == []
    assert e.id == "glossary/exl2"
    assert e.pos(("title",)) == (2, 1)
    assert e.pos(("authors", 1)) == (6, 5)
    assert e.pos(("verdict", "rating")) == (8, 3)
    assert e.pos(("verdict", "missing")) == (7, 1)  # nearest parent
    assert e.body_line == 10
    assert e.body_lines[1] == "line two"


def test_bom_and_crlf_give_the_same_entry():
    a, _ = parse_entry("entries/glossary/exl2.md", GOOD)
    b, d = parse_entry("entries/glossary/exl2.md", b"\xef\xbb\xbf" + GOOD.replace(b"\n", b"\r\n"))
    assert d == []
    assert (a.data, a.body, a.positions, a.body_line) == (b.data, b.body, b.positions, b.body_line)


def test_dates_stay_text_and_numbers_are_numbers():
    e, _ = parse_entry("entries/glossary/x.md", b"---\npublished: 2026-10-02\nn: 1_000\nf: 1.5\nb: yes\nz: ~\n---\n")
    assert e.data == {"published": "2026-10-02", "n": 1000, "f": 1.5, "b": True, "z": None}


def test_alias_bomb_is_refused_without_expanding():
    bomb = "---\na: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
        for i in range(20)) + "---\n"
    e, d = parse_entry("entries/glossary/x.md", bomb.encode())
    assert e is None and d[0].rule == "yaml-alias" and d[0].line == 2


def test_merge_key_is_refused():
    e, d = parse_entry("entries/glossary/x.md", b"---\nbase: {a: 1}\nother:\n  <<: {a: 2}\n---\n")
    assert e is None and d[0].rule == "yaml-alias" and d[0].line == 4


def test_empty_front_matter_is_an_empty_mapping():
    e, d = parse_entry("entries/glossary/x.md", b"---\n---\nbody\n")
    assert d == [] and e.data == {} and e.body == "body\n"


def test_long_slug_is_refused():
    e, d = parse_entry("entries/glossary/" + "a" * 81 + ".md", GOOD)
    assert [x.rule for x in d] == ["file-name"]


def test_yamlpos_reports_line_of_syntax_error():
    try:
        yamlpos.load("a: 1\nb: [\n", first_line=2)
    except yamlpos.YamlProblem as p:
        assert p.kind == "syntax" and p.line >= 3
    else:
        raise AssertionError("no problem raised")


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_arbitrary_bytes_never_raise(data):
    e, d = parse_entry("entries/glossary/x.md", b"---\n" + data)
    assert e is not None or d


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="-:&*!|>[]{},#'\"\n\t ab1@%`", max_size=120))
def test_yamlish_text_never_raises(text):
    e, d = parse_entry("entries/glossary/x.md", f"---\n{text}\n---\nbody\n".encode())
    assert e is not None or d


def test_typed_scalars_are_still_typed():
    from pipeline.catalog.yamlpos import load

    data, _ = load("a: 12\nb: 1.5\nc: true\nd: null\ne: ~\nf: 2026-10-02\ng: Yes\n"
                   "h: '12'\ni: text\nj: '.inf'\nk: -3\nl: +4\nm: 0x1F\n")
    assert data == {"a": 12, "b": 1.5, "c": True, "d": None, "e": None, "f": "2026-10-02",
                    "g": True, "h": "12", "i": "text", "j": ".inf", "k": -3, "l": 4,
                    "m": 31}  # an unquoted `.inf` is refused: tests/test_editor_messages.py


@pytest.mark.parametrize("text", [
    "x: " + "[" * 900 + "]" * 900,
    "".join(f"{'  ' * i}k{i}:\n" for i in range(900)) + "  " * 900 + "v: 1",
    # deeper than libyaml's own limit (1,000): its words were passed on, "while increasing
    # flow level exceeded maximum nesting depth", with the hint to quote values
    "x: " + "[" * 5000 + "]" * 5000,
    "x: " + "{a: " * 5000 + "1" + "}" * 5000,
    "x:\n" + "".join(f"{' ' * (i + 1)}-\n" for i in range(1200)) + " " * 1201 + "- 1",
])
def test_front_matter_nested_too_deep_is_a_yaml_problem_not_a_crash(catalog, cli, text):
    write_entry(catalog, "glossary/deep", f"---\ntitle: Deep\n{text}\n---\nBody.\n")
    r = cli(catalog, "validate", "--format", "json")
    found = [d for d in json.loads(r.output)["diagnostics"] if d["file"].endswith("deep.md")]
    assert [d["rule"] for d in found] == ["yaml-syntax"]
    assert found[0]["message"] == "values nested more than 50 levels deep"
    assert "quote" not in found[0]["hint"] and "nest" in found[0]["hint"]


@pytest.mark.parametrize("brk", ["\u2028", "\u2029", "\x85"])
def test_positions_after_a_line_break_only_yaml_counts_are_the_editors(brk):
    """libyaml counts U+2028, U+2029 and NEL as line breaks: every position after one was
    a line too far (found in review)."""
    text = f'title: T\nsummary: "first{brk}second"\nverdict:\n  rating: great\n'
    data, positions = yamlpos.load(text, first_line=2)
    assert data["summary"] in (f"first{brk}second", "first second")  # YAML folds NEL
    assert positions[("verdict", "rating")] == (5, 3)
    assert positions[("verdict",)] == (4, 1)
    with pytest.raises(yamlpos.YamlProblem) as e:
        yamlpos.load(text + "title: again\n", first_line=2)
    assert (e.value.line, e.value.column) == (6, 1)


@pytest.mark.parametrize("newline", [b"\n", b"\r\n", b"\r"])
def test_a_byte_that_is_not_utf8_is_reported_at_the_editors_line_and_column(newline):
    """The column counted bytes (`é` is two) and the line counted only `\\n`, so in a file
    of an old Mac (lone CR) every bad byte was on line 1, column 100 or so (found in
    review). Lines end as the text's do, columns count characters."""
    text = "---\ntitle: Café\nsummary: déjà vu \x00\n---\nBody.\n".encode()
    data = b"\xef\xbb\xbf" + text.replace(b"\x00", b"\x92").replace(b"\n", newline)
    _, diags = parse_entry("entries/glossary/exl2.md", data)
    assert [(d.rule, d.line, d.column) for d in diags] == [("file-encoding", 3, 18)]
    # "summary: déjà vu " is 17 characters: the byte is the 18th


@pytest.mark.parametrize("char", ["\x1b", "\x00", "\x08", "\x7f", "\u009b", "\ufffe"])
def test_a_control_character_in_the_body_is_refused_where_it_is(char, catalog, cli, tmp_path):
    """Terminal output pasted with its colour codes passed validate, and its ESC went raw
    into the page (an HTML parse error) and the search index (found in review). YAML
    refuses such a character in the front matter; the body is checked too now."""
    from conftest import MINI

    write_entry(catalog, "tools/vllm", MINI["tools/vllm"],
                f"Run it:\n\n```\n$ vllm serve\n{char}[32mINFO ready\n```\n")
    r = cli(catalog, "validate", "--format", "json")
    found = [(d["rule"], d["file"], d["line"], d["column"])
             for d in json.loads(r.output)["diagnostics"]]
    line = (catalog / "entries/tools/vllm.md").read_text().split(char)[0].count("\n") + 1
    assert found == [("file-encoding", "entries/tools/vllm.md", line, 1)]
    assert f"U+{ord(char):04X}" in json.loads(r.output)["diagnostics"][0]["message"]
    r = cli(catalog, "build", "--out", str(tmp_path / "out"))
    assert r.exit_code == 1 and not (tmp_path / "out").exists()
    write_entry(catalog, "tools/vllm", MINI["tools/vllm"], "Tabs\tare fine; so is NEL \u0085.\n")
    assert cli(catalog, "validate").exit_code == 0


def test_a_control_character_typed_in_front_matter_is_file_encodings():
    """docs/rules.md said yaml-syntax refuses one typed; the file's check comes first."""
    data = b"---\ntitle: T\nsummary: a \x07 b\n---\nBody.\n"
    _, diags = parse_entry("entries/glossary/exl2.md", data)
    assert [(d.rule, d.line, d.column) for d in diags] == [("file-encoding", 3, 12)]
    assert "U+0007 (bell)" in diags[0].message


@pytest.mark.parametrize("close, says", [
    ("...", "`...` does not close the front matter"),
    ("... # end", "`... # end` does not close the front matter"),
    ("--- # end", "`--- # end` does not close the front matter"),
    # found in review: these were "front matter is never closed" at line 1
    ("----", "`----` does not close the front matter: 4 hyphens are not three"),
    ("--", "`--` does not close the front matter: 2 hyphens are not three"),
    ("--- end", "`--- end` does not close the front matter"),
    ("\u2014", "`\u2014` does not close the front matter: U+2014 is a dash, not a hyphen"),
    ("\u2013-", "`\u2013-` does not close the front matter: U+2013 is a dash, not a hyphen"),
])
@pytest.mark.parametrize("after", ["", "\n---\n\nA rule above, and more text.\n"])
def test_a_line_meant_to_close_front_matter_is_named_with_what_to_write(close, says, after):
    """`...` (YAML's end of a document, which Pandoc takes) or `--- # end` was "front
    matter is never closed" at line 1, or, with a rule `---` further down the body, a
    YAML complaint about the body (found in review): the line is named, and `---`."""
    data = f"---\ntitle: T\nstatus: draft\n{close}\nBody.\n{after}".encode()
    _, diags = parse_entry("entries/glossary/exl2.md", data)
    assert [(d.rule, d.line, d.column) for d in diags] == [("front-matter", 4, 1)]
    assert says in diags[0].message and "write `---`" in diags[0].message


@pytest.mark.parametrize("data, line", [
    (b"---\n...\nBody.\n", 2),  # the line right after the opening one
    (b"---\n--- # x\ntitle: T\n---\nBody.\n", 2),
    (b"---\ntitle: T\n...", 3),  # the file's last line, with no line break
    (b"---\r\ntitle: T\r\n... # end\r\nBody.\r\n", 3),
])
def test_a_line_meant_to_close_front_matter_is_found_at_either_end(data, line):
    """false_close looks for the start of such a line before its search of each line."""
    _, diags = parse_entry("entries/glossary/exl2.md", data)
    assert [(d.rule, d.line) for d in diags] == [("front-matter", line)]
    assert "does not close the front matter" in diags[0].message


def test_a_digest_closed_by_dots_is_named_at_that_line(catalog, cli):
    from pipeline.digest.document import DigestError, parse

    text = "---\nmonth: \"2026-11\"\nsubject: S\n...\n\nIntro.\n"
    with pytest.raises(DigestError, match=r"^digests/2026-11.md:4:1: `\.\.\.` does not close"):
        parse(text, "digests/2026-11.md")
    (catalog / "digests").mkdir()
    (catalog / "digests/2026-11.md").write_text(text, encoding="utf-8")
    r = cli(catalog, "build", "--out", str(catalog / "out"))
    assert r.exit_code != 0 and "digests/2026-11.md:4:1: `...` does not close" in r.output


@pytest.mark.parametrize("read_by", ["yamlfast", "libyaml"])
def test_positions_shared_only_when_asked(monkeypatch, read_by):
    """An entry's positions share their paths and places with other entries' (memory, on
    a big catalog kept whole), except where the entry is marshalled right away (validate's
    workers), which copies them: there the sharing of what libyaml read only cost time.
    What yamlfast reads is shared always: it finds shared paths and places as fast as it
    would make new ones."""
    from pipeline.catalog import yamlfast

    for table in ("_PATHS", "_PLACES", "_CHILDREN", "_COLUMNS"):
        monkeypatch.setattr(yamlfast, table, {})
    comment = " # a comment: for libyaml" if read_by == "libyaml" else ""
    data = (f"---\ntitle: T{comment}\nstatus: draft\naka: [a, b]\nspecs:\n  - label: x\n"
            "    value: 1\n---\nBody.\n").encode()
    alone, _ = parse_entry("entries/glossary/t.md", data, share_positions=False)
    assert all(yamlfast._PATHS.get(p) is p for p in alone.positions) == (read_by == "yamlfast")
    shared, _ = parse_entry("entries/glossary/t.md", data)
    again, _ = parse_entry("entries/glossary/u.md", data)
    assert alone.positions == shared.positions == again.positions
    assert len(yamlfast._PATHS) == len(shared.positions)
    for (a, b), (c, d) in zip(shared.positions.items(), again.positions.items()):
        assert a is c and b is d


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.sampled_from(["---", "--", "-", "...", " ", "\t", "a", "\n", "\n", "—"]),
                max_size=12).map("".join))
def test_the_closing_line_is_found_as_the_pattern_finds_it(text):
    """closing() looks for `\\n---` instead of searching _CLOSING: the same line, from
    every line's start; and false_close looks for fewer leads in ASCII, to the same end."""
    from pipeline.catalog import loader

    for start in [0, *(i + 1 for i, c in enumerate(text) if c == "\n"), len(text)]:
        m = loader._CLOSING.search(text, start)
        assert loader.closing(text, start) == (m.span() if m else None), start
    if "\n" in text:
        start = text.index("\n") + 1
        for end in range(start, len(text) + 1):
            m = loader._NEAR_CLOSING.search(text, start, end)
            slip = loader.false_close(text, start, end)
            assert (slip is None) == (m is None), (start, end)


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(["---\n", "---", "--", "-", "...", " ", "\t", "a: b", "#",
                                 "\n", "\n", "\n", "\u2014", "\u2013"]), max_size=14)
       .map("".join))
def test_front_matter_is_split_as_closing_and_false_close_split_it(text):
    """split_front_matter takes the close from one search when the first line false_close
    would look at closes the front matter (first_close): the same split, or the same
    slip, as closing and false_close give."""
    from pipeline.catalog import loader

    text = "---\n" + text
    start = text.index("\n") + 1
    close = loader.closing(text, start)
    slip = loader.false_close(text, start, close[0] if close else len(text))
    got = loader.split_front_matter("e.md", text)
    if slip is not None:
        assert (got.line, got.message) == slip
    elif close is None:
        assert "never closed" in got.message
    else:
        assert got == (text[start:close[0]], text[close[1] + 1:],
                       text.count("\n", 0, close[0]) + 2)
    found = loader.first_close(text, start)
    assert found is None or found == close and slip is None


_BYTES = st.lists(st.sampled_from([b"---\n", b"title: a\n", b"- x\n", b"  ", b"a", b"\t", b"\r",
                                   b"\r\n", b"\x00", b"\x1b", b"\x7f", b"\xef\xbb\xbf", b"\xc2\x85",
                                   b"\xc3\xa9", b"\xe2\x80\xa8", b"\xff", b"#", b": ", b"\n"]),
                  max_size=14).map(b"".join)


@settings(max_examples=1500, deadline=None)
@given(_BYTES)
def test_a_file_of_printable_ascii_reads_as_decode_reads_it(data):
    """parse_entry takes a file of printable ASCII and `\\n` (loader._PLAIN_BYTES) as its
    text without decode, and tells yamlfast its front matter holds no odd character:
    the same entry and diagnostics as when every file is decoded and searched."""
    from pipeline.catalog import loader, yamlfast

    if not data.translate(None, loader._PLAIN_BYTES):
        text = data.decode("ascii")
        assert loader.decode("entries/glossary/a.md", data) == (text, None)
        assert not yamlfast.odd(text)
    for raw in (data, b"---\ntitle: a\n" + data, b"---\n" + data + b"\n---\nBody\n"):
        fast = parse_entry("entries/glossary/a.md", raw, share_positions=False)
        saved = loader._PLAIN_BYTES
        loader._PLAIN_BYTES = b""  # no file is plain: every one decoded and searched
        try:
            slow = parse_entry("entries/glossary/a.md", raw, share_positions=False)
        finally:
            loader._PLAIN_BYTES = saved
        assert fast == slow


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(["<", ">", "<<<<<<", ">>>>>>>", "<<<<<<< a", "\n", "a", "="]),
                max_size=30).map("".join))
def test_a_conflict_mark_is_found_as_a_search_finds_it(text):
    """merge_conflict looks for its marks from their first character (loader._holds): the
    same answer as `mark in text`, however many of that character come first."""
    from pipeline.catalog import loader

    for mark in ("<<<<<<<", ">>>>>>>"):
        assert loader._holds(text, mark) == (mark in text)


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.sampled_from(["\n", "-", ".", "...", "\u2013", "\u2014", "a", " "]),
                max_size=14).map("".join))
def test_the_leads_of_a_false_close_are_found_as_a_search_of_each_finds_them(text):
    """false_close looks for the leads of a near-closing line with one pattern: in the
    same places as str.find of each lead (the dashes only where the text has any)."""
    from pipeline.catalog import loader

    for start in range(1, len(text) + 1):
        for end in range(start, len(text) + 1):
            for leads, pattern in ((loader._NEAR_LEADS, loader._NEAR_LEAD),
                                   (loader._NEAR_LEADS[:2], loader._NEAR_LEAD_ASCII)):
                found = any(text.find(lead, start - 1, end) >= 0 for lead in leads)
                assert found == (pattern.search(text, start - 1, end) is not None)
