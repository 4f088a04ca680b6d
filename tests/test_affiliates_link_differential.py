"""The affiliate checks find an entry's links (and a digest's) by reading its text; the page
is rendered by cmark-gfm, the e-mail rewrites the text. Where the two disagreed, a paid link
of the page was missed by the reading (the digest's e-mail rewrite kept an Amazon link
written in italics, `_https://..._`, and refused the digest for it) or a URL the page shows
as text was taken for one (`[see https://...]`, `"www.host/..."`, a URL in an HTML block: a
false affiliate error). Found by the differential test at the end of this file, which
compares the two on bodies made of a link's pieces, as test_link_differential does for
validate's site links."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings, strategies as st

from conftest import MINI, write_entry
from pipeline import cmark
from pipeline.affiliates import email_safe_markdown
from pipeline.affiliates.links import _comparable, find_links, rendered_hrefs
from pipeline.catalog.model import Entry
from test_affiliates_disclosure import PAGE, programs  # noqa: F401  (a fixture)
from test_affiliates_rules import cat, found, run  # noqa: F401  (a fixture)

AMAZON = "https://www.amazon.com/dp/B0?tag=localaicat-20"  # ours, as in data/affiliates.yaml
WWW_AMAZON = "www.amazon.com/dp/B1?tag=localaicat-20"


@pytest.mark.parametrize("body", [
    f"In italics: _{AMAZON}_.\n",
    f"In italics: _{WWW_AMAZON}_.\n",
    f"Glued to a digit: 1{AMAZON}\n",
    f"After a full stop: see.{AMAZON}\n",
    f"> {WWW_AMAZON}\n>{WWW_AMAZON}\n",
    "In brackets, with a space: [card](<https://www.amazon.com/dp/B0 x?tag=localaicat-20>)\n",
    "[card]\n\n[card]: <https://www.amazon.com/dp/B0 x?tag=localaicat-20> 'A title'\n",
])
def test_a_paid_address_the_page_links_leaves_the_email(programs, body):  # noqa: F811
    """GitHub's autolinks take `https://` after anything but a letter and `www.` after
    `_`: the e-mail rewrite read neither, so the e-mail kept the Amazon link (a program
    that forbids e-mail), and render refused the digest as if the link were raw HTML.
    Nor did it read a destination in brackets past its space (`](<https://host/a b>)`,
    which CommonMark allows), where the tag was."""
    assert any("amazon.com" in href for href in re.findall(r'href="([^"]*)"', cmark.html(body)))
    safe, _ = email_safe_markdown(body, programs, PAGE)
    assert "amazon.com" not in safe


@pytest.mark.parametrize("body", [
    f"Noted [see {AMAZON}] in passing.\n",
    f'Type "{WWW_AMAZON}" in the address bar.\n',
    f"In capitals: WWW.amazon.com/dp/B1?tag=localaicat-20\n",
    f"After a bracket: ){WWW_AMAZON}\n",
    f"Not an autolink: <{WWW_AMAZON}>\n",
    f"No slashes: https:\\\\{AMAZON[8:]}\n",
    f"<div>\nQuoted: {AMAZON}\n</div>\n",
    f"<!-- a note -->{AMAZON}\n",
])
def test_an_address_the_page_shows_as_text_is_no_paid_link(cat, body):  # noqa: F811
    """The page shows each of these as text, no link: the glossary (where paid links are
    not allowed) was refused for an affiliate link it does not have."""
    assert not [h for h in rendered_hrefs(_entry(body)) if "amazon" in h]
    write_entry(cat, "glossary/awq", MINI["glossary/awq"], body)
    assert found(run(cat)) == []


def _entry(body: str) -> Entry:
    return Entry(id="hardware/x", collection="hardware", slug="x", file="x.md", data={},
                 body=body, body_line=1)


# Disagreements left (see also the pieces the test leaves out): a `[` an earlier line of
# the paragraph leaves open (`[see\nhttps://host]`, text on the page, is read: a heading
# or a table's cell would close it, and a link missed is worse than one too many), and
# `[a](` with no `)` on its line, which is no link (the page autolinks what follows it,
# `(www.host/x;` without its `;`; the reading takes it for a destination, `;` and all).
_LEFT_RE = re.compile(r"\[[^\]\n]*\n|\]\([^)\n]*(?:\n|$)")

PIECES = [AMAZON, WWW_AMAZON, "[", "]", "[a](", "(", ")", " ", "\n", "\n\n", "_", ";", ".",
          "\u00a0", "<", ">", "<div>\n", "x", "*", '"', "[a]"]


@settings(max_examples=1500, deadline=None, derandomize=True)
@given(st.lists(st.sampled_from(PIECES), max_size=14).map("".join))
def test_the_urls_the_affiliate_checks_read_are_those_the_page_links(body):
    """Bare URLs (`www.` too), brackets, emphasis, trailing punctuation, no-break spaces,
    autolinks and HTML blocks around paid links. Not a backtick or a fence (code spans and
    blocks are read by prose_text, whose reading of a backtick in a URL differs), nor a
    backslash, a reference definition or raw `<a href>` (the rendered links of an entry
    cover them: see test_affiliates_rendered)."""
    body += "\n\n[a]\n"
    if _LEFT_RE.search(body):
        return
    entry = _entry(body)
    assert ({_comparable(link.url) for link in find_links(entry, rendered=False)}
            == {_comparable(href) for href in rendered_hrefs(_entry(body))})


URL_PIECES = ["http", "https", "HTTP", "s", ":", "/", "\\", "//", ":/", "www", "WWW", "wW", "w",
              "W", ".", "ww.", "h", " ", "\n", "a", "_", "@", "-", "İ", "ẞ", "K", "&#58;", "x.y"]


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(URL_PIECES), max_size=12).map("".join))
def test_prose_is_skipped_only_where_no_url_can_start(text):
    """_body_links reads no line of a prose in which may_start_url sees nothing: it must
    see something wherever the search for a URL's start finds one."""
    from pipeline.affiliates.links import _START, may_start_url

    if _START.search(text):
        assert may_start_url(text)


@settings(max_examples=3000, deadline=None)
@given(st.one_of(st.lists(st.sampled_from(URL_PIECES + ["Ww.", "wW.", "\u0130w.", "w\u0130."]),
                          max_size=12).map("".join), st.text(max_size=12)))
def test_ww_dot_in_any_case_is_found_without_lowering_the_text(text):
    """may_start_url looks for `ww.` in any case by its `.` and the two characters before
    it: it finds one where the lowered text has `ww.`, and only there."""
    from pipeline.affiliates.links import _WW_DOT_ANY_CASE

    assert (_WW_DOT_ANY_CASE(text) is not None) == ("ww." in text.lower())


@settings(max_examples=3000, deadline=None)
@given(st.one_of(st.lists(st.sampled_from(URL_PIECES + ["::", "/:", ":\\"]), max_size=12)
                 .map("".join), st.text(alphabet=":/\\a.wW", max_size=12)))
def test_may_start_url_says_what_its_plain_form_says(text):
    """may_start_url, written for speed (a `/` and the character before it; a `.` and the
    two before it), says what its plain form says."""
    from pipeline.affiliates.links import may_start_url

    assert may_start_url(text) == (":/" in text or "\\" in text or "//" in text
                                   or "ww." in text.lower())


@settings(max_examples=3000, deadline=None)
@given(st.one_of(st.lists(st.sampled_from(URL_PIECES + ["::", "/:", "&", "tt", "p", "href", "HrEf",
                                                       "re", "="]), max_size=12)
                 .map("".join), st.text(alphabet=":/\\&a.wWhtpPrefF=", max_size=12)))
def test_may_link_says_what_its_plain_form_says(body):
    """may_link, written for speed, says what its plain form says."""
    from pipeline.affiliates.links import may_link

    lower = body.lower()
    assert may_link(body) == ("\\" in body or "&" in body or "//" in body or ":/" in body
                              or "http" in lower or "ww." in lower
                              or "=" in body and "href" in lower)


def test_lowering_makes_a_w_or_a_dot_of_no_other_character():
    """What _WW_DOT_ANY_CASE stands on: no character but `W`, `w` and `.` lowers to text
    with a `w` or a `.` in it."""
    import sys

    assert [c for c in map(chr, range(sys.maxunicode + 1))
            if c not in "Ww." and ("w" in c.lower() or "." in c.lower())] == []


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(URL_PIECES + ["tt", "p", "P", "T", "&", "&amp;", "href", "HREF",
                                              "hre", "="]), max_size=12)
       .map("".join))
def test_a_body_is_rendered_for_its_links_as_the_plain_test_says(body):
    """may_render_url, written for speed, says what its plain form says."""
    from pipeline.affiliates.links import may_render_url

    lower = body.lower()
    assert may_render_url(body) == ("http" in lower or "www." in lower or "//" in body
                                    or "\\" in body or "&" in body
                                    or "=" in body and "href" in lower)


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(URL_PIECES + ["tt", "p", "P", "T", "&", "&amp;", "`", "```\n",
                                              "\n    ", "<!-- ", " -->", "~~~\n", "\t",
                                              '<a href="', '">a</a>']),
                max_size=14).map("".join))
def test_a_body_skipped_by_the_one_test_has_no_link_in_either_reading(body):
    """may_link tests a body once for both readings: where it says False, neither may_render_url
    (of the body) nor may_start_url (of its prose text, code blanked) says True, and
    find_links finds what it finds when the page's links were asked for first."""
    from pipeline.affiliates.links import may_link, may_render_url, may_start_url
    from pipeline.catalog.text import prose_text

    if not may_link(body):
        assert not may_render_url(body) and not may_start_url(prose_text(_entry(body)))
    first, then = _entry(body), _entry(body)
    rendered_hrefs(then)  # the page's links known: find_links reads the body itself
    assert find_links(first) == find_links(then)
    assert first.__dict__["rendered_hrefs"] == then.__dict__["rendered_hrefs"]
