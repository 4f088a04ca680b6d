"""Finding every URL of an entry, at its file, line and column."""

from __future__ import annotations

import re
import textwrap

from hypothesis import given, settings, strategies as st

from pipeline.affiliates import find_links, links_in_text
from pipeline.affiliates.links import FoundLink, rewrite_urls, urls_in_line
from pipeline.catalog.loader import parse_entry

ENTRY = textwrap.dedent("""\
    ---
    title: RTX 4090
    status: draft
    authors: [ana]
    kind: gpu
    vendor: NVIDIA
    offers:
      - merchant: Amazon
        url: https://www.amazon.com/dp/B0BJFRT43X?tag=localaicat-20
    sources:
      - id: spec
        url: https://www.nvidia.com/en-us/geforce/graphics-cards/40-series/rtx-4090/
        title: Specs
        accessed: 2026-10-01
    tags: [gpu]
    ---
    Buy it [at Amazon](https://www.amazon.com/dp/B0BJFRT43X?tag=localaicat-20 "Amazon") now.
    See <https://amzn.to/3xYzAbc> or https://bit.ly/abc.
    Wikipedia: (https://en.wikipedia.org/wiki/Ada_(microarchitecture)), fine.
    ```sh
    curl https://www.amazon.com/dp/CODEBLOCK?tag=someone-20
    ```
    Not `https://www.amazon.com/dp/INLINE?tag=someone-20` either. <!-- https://hidden.example/ -->
    <a href="https://www.ebay.com/itm/1?campid=5338000000">eBay</a> and www.example.com/page.
    [https://geni.us/abc](https://geni.us/abc)

    [ref]: https://redirect.viglink.com/?key=k&u=x "title"
    """)


def entry():
    e, problems = parse_entry("entries/hardware/rtx-4090.md", ENTRY.encode())
    assert problems == []
    return e


def test_every_url_with_file_line_column_and_field():
    got = [(link.line, link.column, link.where, link.field, link.url) for link in find_links(entry())]
    assert got == [
        (9, 5, "front matter", "offers.0.url", "https://www.amazon.com/dp/B0BJFRT43X?tag=localaicat-20"),
        (12, 5, "front matter", "sources.0.url",
         "https://www.nvidia.com/en-us/geforce/graphics-cards/40-series/rtx-4090/"),
        (17, 20, "body", None, "https://www.amazon.com/dp/B0BJFRT43X?tag=localaicat-20"),
        (18, 6, "body", None, "https://amzn.to/3xYzAbc"),
        (18, 34, "body", None, "https://bit.ly/abc"),
        (19, 13, "body", None, "https://en.wikipedia.org/wiki/Ada_(microarchitecture)"),
        (24, 10, "body", None, "https://www.ebay.com/itm/1?campid=5338000000"),
        (24, 69, "body", None, "www.example.com/page"),
        (25, 23, "body", None, "https://geni.us/abc"),
        (27, 8, "body", None, "https://redirect.viglink.com/?key=k&u=x"),
    ]
    first = find_links(entry())[0]
    assert (first.file, first.entry, first.path) == ("entries/hardware/rtx-4090.md", "hardware/rtx-4090",
                                                     ("offers", 0, "url"))


def test_columns_point_at_the_url():
    text = ENTRY.split("\n")
    for link in find_links(entry()):
        if link.where == "body":
            assert text[link.line - 1][link.column - 1:].startswith(link.url)


def test_bare_url_endings_follow_gfm():
    def urls(line):
        return [u for _, _, u in urls_in_line(line)]

    assert urls("Go to https://x.example/a.") == ["https://x.example/a"]
    assert urls("(see https://x.example/a)") == ["https://x.example/a"]
    assert urls("**https://x.example/a**, then") == ["https://x.example/a"]
    assert urls("https://x.example/a?b=1&c=2!") == ["https://x.example/a?b=1&c=2"]
    assert urls("[t](https://x.example/a_(b)) and [u](<https://x.example/c d>)") == [
        "https://x.example/a_(b)", "https://x.example/c d"]  # (in brackets: to the `>`)
    assert urls("https://x.example/a<br>") == ["https://x.example/a"]
    assert urls("no scheme: example.com, ftp://x.example, https://") == []
    assert urls("xhttps://x.example and a.www.example.com") == []


def test_links_in_text_and_rewrite_leave_code_alone():
    text = "Top https://a.example/x.\n\n```\nhttps://a.example/code\n```\nEnd `https://a.example/y`\n"
    assert [(link.line, link.url) for link in links_in_text(text, "digests/2026-10.md", first_line=3)] == [
        (3, "https://a.example/x")]
    assert rewrite_urls(text, lambda u: u.upper()) == text.replace("https://a.example/x.", "HTTPS://A.EXAMPLE/X.")


def test_urls_written_in_front_matter_texts_are_found_at_their_field():
    """A summary's URL is a live link in the digest: the affiliate rules see it (the
    contract: an affiliate link is one "wherever it stands"; found in review)."""
    e = entry()
    e.data["summary"] = "Fast; see https://example.com for more, or [this](https://b.example)."
    found = {link.url: link.field for link in find_links(e)}
    assert found["https://example.com"] == "summary" and found["https://b.example"] == "summary"


URL_PIECES = ["https://a.example/x", "http://B.example", "www.c.example/p?q=1", "WWW.D.example",
              "ftp://e.example", "://", "ww.", " ", "\n", "\n", "(", ")", "[", "](", "<", ">",
              "<!-- https://hidden.example -->", "`https://code.example`", "```", "    ",
              "x", "/", "@", '="', ".", "é", "//f.example", "\\\\", "\\", "https:/g.example",
              "](//h.example)", "HTTPS:\\\\i.example"]


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(URL_PIECES), max_size=20).map("".join))
def test_the_lines_read_are_all_the_prose_lines_that_hold_a_url(body):
    """Only the lines where a URL can start are read; the links are those of reading every
    prose line (in an HTML block, `<!-- x -->https://host` too, only an attribute's)."""
    from pipeline.affiliates.links import _in_attribute
    from pipeline.catalog.model import Entry
    from pipeline.catalog.text import html_block_lines, prose_lines

    def entry():
        return Entry(id="tools/x", collection="tools", slug="x", file="x.md", data={},
                     body=body, body_line=4)

    html_lines = html_block_lines(entry())
    every_line = [(line_no, start + 1, url) for line_no, line in prose_lines(entry())
                  for start, _end, url in urls_in_line(line)
                  if line_no not in html_lines or _in_attribute(line, start)]
    found = find_links(entry(), rendered=False)
    assert [(link.line, link.column, link.url) for link in found] == every_line
    # made without FoundLink's __init__ (found_link): the same as with it
    made = [FoundLink(url, "x.md", line, column, "body", (), "tools/x")
            for line, column, url in every_line]
    assert found == made and list(map(vars, found)) == list(map(vars, made))
    assert list(map(hash, found)) == list(map(hash, made))


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.sampled_from(URL_PIECES + ["_", "1", "\\.", "&#47;", "http:", '"']),
                max_size=20).map("".join))
def test_every_link_of_the_page_is_among_the_links_found(body):
    """Whatever the text, a link the rendered page has is checked: found by the reading
    of the text, or by that of the page (found in review: `x_https://...`, escapes)."""
    from pipeline.affiliates.links import _comparable, rendered_hrefs
    from pipeline.catalog.model import Entry

    e = Entry(id="tools/x", collection="tools", slug="x", file="x.md", data={}, body=body,
              body_line=4)
    found = {_comparable(link.url) for link in find_links(e)}
    assert {_comparable(h) for h in rendered_hrefs(e)} <= found


class _Sliced(str):
    """A line that adds up the length of the slices taken of it."""
    taken = 0

    def __getitem__(self, key):
        if isinstance(key, slice):
            _Sliced.taken += len(range(*key.indices(len(self))))
        return str.__getitem__(self, key)


def test_a_line_of_many_urls_is_read_in_one_pass():
    """Each URL of a line had the line up to it copied to look at what came before it: 20,000
    URLs on one line (a paragraph written as one line) took four seconds."""
    from pipeline.affiliates.links import _urls_in

    pieces = [f'see [a](//a.example/{i}), <https://b.example/{i}>, //text/{i}, href="//c.example/{i}"'
              for i in range(1000)]
    line = _Sliced(" ".join(pieces))
    _Sliced.taken = 0
    assert [url for _, _, url in _urls_in(line)] == [
        url for i in range(1000)
        for url in (f"//a.example/{i}", f"https://b.example/{i}", f"//c.example/{i}")]
    assert _Sliced.taken < 2 * len(line)  # the line up to each URL: 1,500 times the line


# What came before `//host` where it is a link, as a pattern of the text up to it.
_SLASHES_BEFORE = re.compile(r"(?:\]\([ \t]*<?|^[ \t]*\[[^\]]+\]:[ \t]*<?|=[ \t]*[\"']?)\Z")


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(["[", "]", "](", "]:", " ", "\t", "<", "=", '"', "'", "x",
                                 "//", "a"]), max_size=14).map("".join), st.booleans())
def test_what_makes_slashes_a_link_is_read_back_from_them(before, after_label):
    from pipeline.affiliates.links import _slashes_linked

    line = before + "//host/p"
    expected = bool(_SLASHES_BEFORE.search(before)) or (
        after_label and re.fullmatch(r"[ \t]*<?", before) is not None)
    assert _slashes_linked(line, len(before), after_label) == expected


def test_rewrite_urls_passes_a_lines_urls_in_their_order_and_keeps_the_rest():
    """The e-mail's rewrite made a copy of the line for each URL on it, last first: 16,000
    URLs on one line took a second (their square); it now reads each line once, in order
    (the classes of the links that remain come in the order of the text)."""
    seen = []

    def replace(url):
        seen.append(url)
        return url.upper()

    text = "See https://a.example/1 and _https://a.example/2_; then https://a.example/3.\nEnd.\n"
    assert rewrite_urls(text, replace) == text.replace("https://a.example/", "HTTPS://A.EXAMPLE/")
    assert seen == ["https://a.example/1", "https://a.example/2", "https://a.example/3"]
