"""The body lines rules read (`prose_lines`): code left out, found as an editor reads it."""

from __future__ import annotations

import re

from hypothesis import given, settings, strategies as st

from pipeline import cmark
from pipeline.catalog.model import Entry
from pipeline.catalog.text import (CITE_GROUP_IN_LINE_RE, CITE_GROUP_RE, CITE_KEY_RE, LINK_RE,
                                   REF_DEF_RE, cite_groups, citations, internal_links,
                                   path_to_id, prose_lines, prose_text, _unescaped)
from pipeline.catalog import text
from pipeline.catalog.text import (_FENCE_LINE, _a_tag_may_open, _fence_lines,
                                   _fenced_blanked, _prose_lines_text)

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_INLINE_CODE = re.compile(r"(`+)(?:(?!\1).)+?\1")


def plain_prose_lines(entry: Entry):
    """The plain form, one line at a time: what prose_lines must give. Where a line is
    indented, which lines are code is cmark's to say (see test_indented_lines_*). A line
    with a backtick no code span on it took is read again with its paragraph (a span may
    run over its lines)."""
    lines = dict(_plain_prose_lines(entry))
    left = [n - entry.body_line for n, line in lines.items() if "`" in line]
    if left:
        for start, end in cmark.paragraph_lines(entry.body):
            if start < end and any(start <= i <= end for i in left):
                text = _plain_spans_blanked("\n".join(entry.body_lines[start:end + 1]))
                lines.update(enumerate(text.split("\n"), entry.body_line + start))
    yield from lines.items()


def _plain_spans_blanked(text: str) -> str:
    """Code spans as spaces, found a character at a time: a run of backticks opens one,
    the next run of as many closes it; a run with none after it is text."""
    out, i = list(text), 0
    while i < len(text):
        if text[i] != "`":
            i += 1
            continue
        n = len(text[i:]) - len(text[i:].lstrip("`"))
        j = i + n
        while j < len(text):
            if text[j] == "`":
                m = len(text[j:]) - len(text[j:].lstrip("`"))
                if m == n:
                    break
                j += m
            else:
                j += 1
        if j < len(text) and j > i + n:
            for k in range(i, j + n):
                if out[k] != "\n":
                    out[k] = " "
            i = j + n
        else:
            i += n
    return "".join(out)


def _plain_prose_lines(entry: Entry):
    body = entry.body
    if any(line.startswith(("    ", "\t")) for line in body.split("\n")):
        code = cmark.code_block_lines(body)
        for i, line in enumerate(entry.body_lines):
            if i not in code:
                yield entry.body_line + i, _INLINE_CODE.sub(lambda m: " " * len(m.group(0)), line)
        return
    fence = None
    for i, line in enumerate(entry.body_lines):
        m = _FENCE.match(line)
        if fence is not None:
            if (m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence)
                    and not line.strip()[len(m.group(1)):].strip()):
                fence = None
            continue
        if m:
            fence = m.group(1)
            continue
        if "`" in line:
            line = _INLINE_CODE.sub(lambda mm: " " * len(mm.group(0)), line)
        yield entry.body_line + i, line


def _entry(body: str) -> Entry:
    return Entry(id="glossary/x", collection="glossary", slug="x", file="x.md", data={},
                 body=body, body_line=7)


PIECES = ["```", "````", "~~~", "~~~~", " ", "   ", "    ", "\t", "\n", "\n", "\n", "text",
          "`code`", "``", "python", "\r", "x ```", "@a", "~", "[@s]"]


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=30).map("".join))
def test_fences_found_in_one_search_give_the_plain_lines(body):
    assert list(prose_lines(_entry(body))) == list(plain_prose_lines(_entry(body)))


def test_code_is_left_out():
    body = ("Intro [@a].\n```bash\nrun 5 GB\n```\n    indented 3 GB\nafter `7 GB` text\n"
            "~~~~\nnot closed by ~~~\n~~~\nstill code\n~~~~~\nlast\n````\nnever closed\n")
    assert list(prose_lines(_entry(body))) == [
        (7, "Intro [@a]."), (12, "after        text"), (18, "last"),
        (21, "")]  # what follows the body's last newline: nothing, not code (as cmark says)


def plain_internal_links(entry: Entry):
    """The plain form of internal_links: every prose line tried against both patterns,
    and every two lines in a row for a link whose destination is on the second (one line
    break, as CommonMark allows: `[the term](` then `/glossary/awq)`)."""
    found = []
    lines = list(plain_prose_lines(entry))
    for line_no, line in lines:
        for m in LINK_RE.finditer(line):
            if opened(lines, line_no, m.start()):
                found.append((line_no, 0, m.start(1) + 1, m.group(1), m.group(2) or ""))
        m = REF_DEF_RE.match(line)
        if m:
            found.append((line_no, 1, m.start(1) + 1, m.group(1), m.group(2) or ""))
    for (n, a), (n2, b) in zip(lines, lines[1:]):
        if n2 != n + 1 or not b.strip():  # a code line between, or a blank line
            continue
        both = f"{a}\n{b}"
        for kind, ms in ((0, LINK_RE.finditer(both)), (1, [REF_DEF_RE.match(both)])):
            for m in ms:
                if (m and m.start() < len(a) < m.start(1) and "\n" not in both[m.start(1):m.end()]
                        and "\n" not in both[m.start():both.find("]", m.start()) + 2]  # a label
                        and (kind or opened(lines, n, m.start()))):
                    # on one line, broken after its `](` or `]:`
                    found.append((n2, kind, m.start(1) - len(a), m.group(1), m.group(2) or ""))
    # escapes read as the page reads them (`?q\\[` is `?q[`)
    return [(line, column, *_unescaped(path, anchor))
            for line, _, column, path, anchor in sorted(found)]


def opened(lines: list[tuple[int, str]], line_no: int, at: int) -> bool:
    """Whether the `]` at `at` of line `line_no` has an unescaped `[` before it in its
    paragraph (the lines since a blank or a code one) that no `]` closed: else it is text."""
    text = dict(lines)
    start = line_no
    while start - 1 in text and text[start - 1].strip():
        start -= 1
    before = "\n".join(text[n] for n in range(start, line_no)) + "\n" + text[line_no][:at]
    open_ = 0
    for i, ch in enumerate(before):
        escaped = (len(before[:i]) - len(before[:i].rstrip("\\"))) % 2
        if ch == "[" and not escaped:
            open_ += 1
        elif ch == "]" and not escaped and open_:
            open_ -= 1
    return open_ > 0


LINK_PIECES = ["[a](/glossary/x)", "[b]( /tools/y#z )", "[c]: /models/m", "   [d]: /pages/p",
               "    [e]: /errors/e", "`[f](/glossary/f)`", "```", "\n", "\n", " ", "]", "(", ":",
               "[g]:/hardware/h?q", "text", "[h](</guides/g>)", "\t[i]: /tools/i", "x]: y",
               "](", "/glossary/q)", ' "t")', "[j]:", "[k\n]: /tools/k", "\\[", "\n\n"]


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(LINK_PIECES), max_size=25).map("".join))
def test_internal_links_are_those_of_every_prose_line(body):
    entry = _entry(body)
    assert list(internal_links(entry)) == list(plain_internal_links(_entry(body)))


def test_internal_links_inline_and_reference_definitions():
    body = ("See [AWQ](/glossary/awq#kernels) and [vLLM]( /tools/vllm ).\n"
            "[ref]: /models/llama\n   [r2]: /pages/about \"About\"\n    [code]: /glossary/no\n"
            "`[no](/glossary/inline-code)`\n```\n[no](/glossary/fenced)\n```\n")
    assert list(internal_links(_entry(body))) == [
        (7, 11, "/glossary/awq", "#kernels"), (7, 46, "/tools/vllm", ""),
        (8, 8, "/models/llama", ""), (9, 10, "/pages/about", "")]
    assert list(internal_links(_entry("No links here: a [bracket] and a (paren).\n"))) == []


def plain_citations(entry: Entry):
    """The plain form of citations: each prose line searched on its own."""
    for line_no, line in plain_prose_lines(entry):
        for g in CITE_GROUP_RE.finditer(line):
            for k in CITE_KEY_RE.finditer(g.group(1)):
                yield line_no, g.start(1) + k.start(1), k.group(1)


CITE_PIECES = ["[@a]", "[@b; @c-d]", "[see @a, p. 3]", "@a", "[", "]", " ", "\n", "\n",
               "`[@a]`", "```", "    [@b]", "~~~", "text", "[x\n@a]", "\t", "-@a", "é"]


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(CITE_PIECES), max_size=25).map("".join))
def test_citations_found_in_one_search_are_those_of_each_line(body):
    assert list(citations(_entry(body))) == list(plain_citations(_entry(body)))
    text = prose_text(_entry(body))  # and the groups, each group's keys read once
    assert cite_groups(_entry(body)) == [
        (g.start(), g.end(), tuple(k.group(1) for k in CITE_KEY_RE.finditer(g.group(1))))
        for g in CITE_GROUP_IN_LINE_RE.finditer(text)]



@settings(max_examples=2000, deadline=None)
@given(st.lists(st.sampled_from(CITE_PIECES), max_size=25).map("".join),
       st.sets(st.sampled_from(["a", "b", "c-d", "s", "x"])))
def test_citations_placed_when_read_are_those_placed_at_once(body, ids):
    """The checks ask for the ids cited, then the places of a few (text.cited_ids,
    citations_of): worked out from the groups alone, as the search kept them (or carried
    between validate's passes), they are those `citations` gives, in its order."""
    every = list(plain_citations(_entry(body)))
    entry = _entry(body)
    assert text.cited_ids(entry) == {sid for _, _, sid in every}
    assert text.citations_of(entry, ids) == [c for c in every if c[2] in ids]
    carried = _entry(body)  # what validate carries: the groups, as the search kept them
    carried.__dict__["citations"] = entry.__dict__["citations"]
    carried.__dict__["prose_text"] = prose_text(entry)
    assert cite_groups(carried) == cite_groups(entry)
    assert list(citations(entry)) == every  # placed once read, then kept
    assert text.cited_ids(entry) == {sid for _, _, sid in every}
    assert text.citations_of(entry, ids) == [c for c in every if c[2] in ids]
    assert list(citations(carried)) == every

@settings(max_examples=1000, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=30).map("".join))
def test_prose_text_is_the_body_with_code_as_spaces(body):
    entry = _entry(body)
    text = prose_text(entry)
    assert len(text) == len(body) and text.count("\n") == body.count("\n")
    kept = dict(plain_prose_lines(_entry(body)))
    for i, line in enumerate(text.split("\n")):
        assert line == kept.get(7 + i, " " * len(line))


STRETCH_PIECES = ["```", "````", "~~~", "~~~~", " ", "   ", "\n", "\n", "\n", "text", "`code`",
                  "``", "`", "python", "\r", "x ```", "~", "[@s]", "<!-- no-cite -->",
                  "<!-- x -->", "-->", "\n  ~~~", "\n   ```"]


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(STRETCH_PIECES), max_size=30).map("".join))
def test_prose_text_made_a_stretch_at_a_time_is_that_of_its_lines(body):
    """The prose text of a body with fences and code spans, made from the stretches
    between its fenced blocks, is the one its prose lines give (where it is made so)."""
    assert [m.span() for m in _fence_lines(body)] == [m.span() for m in _FENCE_LINE.finditer(body)]
    made = _fenced_blanked(body)
    if made is not None:
        assert made == _prose_lines_text(_entry(body))


def test_a_body_with_fences_and_code_spans_is_made_a_stretch_at_a_time():
    body = "Run `ollama` [@a].\n\n```bash\nollama run x\n```\n\nThen `x` [@b].\n~~~\nnever closed\n"
    assert _fenced_blanked(body) == _prose_lines_text(_entry(body)) == (
        "Run          [@a].\n\n       \n            \n   \n\nThen     [@b].\n   \n            \n")


def test_indented_lines_are_code_only_where_commonmark_says_so():
    body = ("Intro.\n\n"
            "- A list item\n"
            "    - nested: [paid](https://www.amazon.com/dp/B0?tag=someone-20) 24 GB\n"
            "\n"
            "    Second paragraph of the item [@a].\n"
            "\n"
            "        code in the item 5 GB\n"
            "\n"
            "Paragraph\n"
            "    lazy continuation 3 GB\n"
            "\n"
            "    indented code 7 GB\n")
    lines = dict(prose_lines(_entry(body)))
    assert lines[10] == "    - nested: [paid](https://www.amazon.com/dp/B0?tag=someone-20) 24 GB"
    assert lines[12] == "    Second paragraph of the item [@a]."
    assert lines[17] == "    lazy continuation 3 GB"
    assert 14 not in lines and 19 not in lines  # code: in the item, and after a paragraph
    assert [c[2] for c in citations(_entry(body))] == ["a"]


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.sampled_from(["[", "]", "@", "@a", " ", "\n", "x", ";", "[@b]"]),
                max_size=30).map("".join))
def test_the_one_pass_citation_patterns_find_what_the_plain_ones_found(text):
    """The group patterns take no `@` before the first one, which makes them linear
    (found in review: 71 s for a 240 KB line); they find the same groups."""
    plain = re.compile(r"\[([^\[\]]*@[^\[\]]*)\]")
    plain_in_line = re.compile(r"\[([^\[\]\n]*@[^\[\]\n]*)\]")
    assert [m.span(1) for m in CITE_GROUP_RE.finditer(text)] == [
        m.span(1) for m in plain.finditer(text)]
    assert [m.span(1) for m in CITE_GROUP_IN_LINE_RE.finditer(text)] == [
        m.span(1) for m in plain_in_line.finditer(text)]


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.sampled_from(["<", "a", "A", "<a", "<!--", "x", "\n", "<<", "<b"]),
                max_size=20).map("".join))
def test_an_a_tag_is_looked_for_from_the_texts_lt_signs(text):
    assert _a_tag_may_open(text) == ("<a" in text or "<A" in text)


LINK_PATTERNS = [(text._LINK_IN_LINE_RE, text._REF_DEF_IN_LINE_RE),
                 (text._URL_LINK_IN_LINE_RE, text._URL_REF_DEF_IN_LINE_RE),
                 (text._PAGE_LINK_IN_LINE_RE, text._PAGE_REF_DEF_IN_LINE_RE)]
INLINE_PIECES = LINK_PIECES + ["[u](https://host/x)", "[p](awq)", "[q](#k)", "\\", "\\\\",
                               "![i](/glossary/i)", "[", "é", "<div>\n", "<!-- x -->"]


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.sampled_from(INLINE_PIECES), max_size=25).map("".join))
def test_a_bodys_inline_links_are_those_the_general_reading_finds(body):
    """_links of a body with no `]:` read its inline links alone, counting their lines in
    the loop: what the reading of links and definitions finds."""
    for inline, definition in LINK_PATTERNS:
        assert text._links(_entry(body), inline, definition) == \
            text._links_and_definitions(_entry(body), inline, definition)


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.sampled_from(["/", "//", "glossary", "awq", "a", " ", "#x", "\\"]),
                max_size=8).map("".join))
def test_a_paths_id_is_its_two_parts(path):
    parts = path.strip("/").split("/")
    assert path_to_id(path) == (f"{parts[0]}/{parts[1]}" if len(parts) == 2 and all(parts)
                                else None)


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.sampled_from([":", "]", "]:", "x", "::::", "\n", "[a]: /b"]),
                max_size=40).map("".join))
def test_a_definition_is_looked_for_from_the_texts_colons(body):
    assert text._may_define(body) == ("]:" in body)


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.sampled_from(["<!--", "-->", " no-cite", "no-cite ", ">", "x", "\n",
                                 "<!-- no-cite: why -->", "<!-- note -->", "<"]),
                max_size=20).map("".join))
def test_a_comment_is_told_from_the_markers_in_one_pass(body):
    assert text._has_comment(body) == (body.count("<!--") != len(text.NO_CITE_RE.findall(body)))


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(["@", "a", "Z", "0", "_", "-", ".", ":", ";", " ", "é", "@a",
                                 "/", "#", "?", ",", "\t", "["]), min_size=1, max_size=10)
       .map("".join))
def test_a_groups_keys_are_those_the_key_pattern_finds(cited):
    """_cite_keys reads a group of one key without the key pattern's search: the same keys
    at the same offsets."""
    ks = list(CITE_KEY_RE.finditer(cited))
    assert text._cite_keys(cited) == (tuple(k.group(1) for k in ks),
                                      [(k.start(1) + 1, k.group(1)) for k in ks])


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(["\n", "    ", " ", "  ", "\t", "x", "<", "<!--", "-->", "!",
                                 "<!-- no-cite -->", "~", "~~", "`", "é"]),
                max_size=25).map("".join))
def test_whether_a_body_holds_code_is_what_the_forward_searches_said(body):
    """has_code and _fenced_blanked look for `\\n    ` and `<!--` from the end (cheaper over
    prose): the same answers as the forward searches, and the tildes' search skipped in a
    body with no `~` gives the same fence lines."""
    plain = ("`" in body or "~~~" in body or "\n    " in body or "\n\t" in body
             or ("<!--" in body and text._has_comment(body))
             or body.startswith(("    ", "\t")))
    assert text.has_code(body) == plain
    blanked = _fenced_blanked(body)
    if "\n    " in body or body.startswith("    ") or "\t" in body \
            or ("<!--" in body and text._has_comment(body)):
        assert blanked is None
    elif blanked is not None:
        assert blanked == _prose_lines_text(_entry(body))
    assert [m.span() for m in _fence_lines(body)] == [m.span() for m in _FENCE_LINE.finditer(body)]


OTHER_LINK_PIECES = INLINE_PIECES + [
    "](", "](/", "](<", "](<a b>)", "](\n/x)", "]( #k)", "[t](/x \"see [u](v) \")",
    "[w](/x 'a](b')", "[y](/x (c](d)))", "(", ")", "<", ">", "&#x2F;", "[z](&#x2F;g/z)",
    '<a href="awq">a</a>', "[s](//host/x)", "[r](\\\\host)", "[q](/\\host)", "\u00a0", "\"", "'"]


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(OTHER_LINK_PIECES), max_size=25).map("".join))
def test_a_body_whose_links_are_to_site_paths_is_searched_for_no_other(body):
    """The search for links to site paths also tells each other `](` (and one in a link's
    title); with none, page_links does not search the body: it finds the same links to
    site paths, and with none told, the search for the others finds none."""
    prose = prose_text(_entry(body))
    others: list[int] = []
    assert text._inline_links(prose, 7, text._LINK_OR_OTHER_IN_LINE_RE, others) == \
        text._inline_links(prose, 7, text._LINK_IN_LINE_RE)
    if not others:
        assert text._PAGE_LINK_IN_LINE_RE.search(prose) is None
    entry = _entry(body)
    searched = _entry(body)  # page_links searching the body whatever the other search told
    searched.__dict__["internal_links"] = list(internal_links(_entry(body)))
    searched.__dict__["other_links_may_open"] = True
    assert text.page_links(entry) == text.page_links(searched)
    if "<" not in body and "&" not in body:  # no raw HTML link, no encoded destination
        assert list(internal_links(entry)) == [
            (line, column, *_unescaped(path, anchor)) for line, column, path, anchor
            in text._links(_entry(body), text._LINK_IN_LINE_RE, text._REF_DEF_IN_LINE_RE)]


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(["<", "<!", "<!-", "<!--", "-", "!", "`", "``", "```", "x",
                                 "\n", "é"]), max_size=40).map("".join),
       st.sampled_from(["<!--", "```", "~~~"]), st.integers(-2, 60))
def test_a_needle_found_from_its_first_character_is_where_find_finds_it(body, needle, at):
    assert text._find(body, needle, at) == body.find(needle, at)
