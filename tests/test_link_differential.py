"""validate finds a body's links with regular expressions; the page is rendered by
cmark-gfm. Where the two disagreed, validate reported a link the page shows as text (a
false error) or passed one the reader clicks to a 404 (found by the differential test at
the end of this file, which compares the two on bodies made of a link's pieces)."""

from __future__ import annotations

import datetime as dt
import html
import re
from urllib.parse import unquote, urlsplit

import pytest
from hypothesis import given, settings, strategies as st

from conftest import MINI, write_entry
from pipeline import cmark
from pipeline.catalog.model import Entry
from pipeline.catalog.text import page_links, site_links
from pipeline.config import load_settings
from pipeline.publish.markdown import page_hrefs
from pipeline.validate import validate

SITE = "https://local-ai-catalog.org"  # base_url in pipeline.toml, which `catalog` copies


def found(root):
    return [(d.rule, d.message) for d in validate(load_settings(root),
                                                   today=dt.date(2026, 11, 27)).diagnostics]


def vllm(catalog, body):
    return write_entry(catalog, "tools/vllm", MINI["tools/vllm"], body)


@pytest.mark.parametrize("body", [
    "A smiley x](/glossary/nope) is no link.\n",
    "[a](](/glossary/nope): the first `]` closed the `[`.\n",
    "[a] ](/glossary/nope)\n",
    "An [open bracket\n\nthen a paragraph](/glossary/nope).\n",
    "```\n[code\n```\nthen](/glossary/nope)\n",
])
def test_a_bracket_no_bracket_opens_is_no_link(catalog, body):
    """`x](/glossary/nope)` with no `[` before it in its paragraph is text on the page: it
    was reported as a broken link (a `[` was looked for on its line only, and only an
    escaped one counted)."""
    vllm(catalog, body)
    assert found(catalog) == []


@pytest.mark.parametrize("body", [
    "[the\nterm](/glossary/nope)\n",
    "[a [b] c](/glossary/nope)\n",
    "[x](/glossary/awq) and [y](/glossary/nope)\n",
    "x](b) [y](/glossary/nope)\n",
])
def test_a_link_its_bracket_opens_is_still_checked(catalog, body):
    vllm(catalog, body)
    assert found(catalog) == [("link-unresolved", "link to /glossary/nope: no such entry")]


@pytest.mark.parametrize("body", [
    f"See [{SITE}/glossary/awq]({SITE}/glossary/awq).\n",
    "See [www.local-ai-catalog.org/glossary/awq](/glossary/awq).\n",
    f"See [the\n{SITE}/glossary/awq page](/glossary/awq).\n",
    f"Noted [{SITE}/glossary/nope].\n",
])
def test_a_url_in_a_links_text_is_no_link(catalog, body):
    """A link whose text is a URL, `[https://host/glossary/awq](https://host/glossary/awq)`:
    the URL in its text was taken for a bare one GitHub's autolink extension links, read
    on through `](...)`, and reported as `link to https://host/glossary/awq](https://...):
    no such entry`. The extension links no URL inside brackets: the page shows it as text."""
    vllm(catalog, body)
    assert found(catalog) == []


@pytest.mark.parametrize("body", [
    f"See {SITE}/glossary/awq; it explains the method.\n",
    f"See {SITE}/glossary/awq&amp;\n",
    'Type "www.local-ai-catalog.org/glossary/nope" in the address bar.\n',
    "Or (WWW.local-ai-catalog.org/glossary/nope), in capitals: text.\n",
    "An xhttps://local-ai-catalog.org/glossary/nope is no URL.\n",
])
def test_a_bare_url_is_read_as_the_autolink_extension_reads_it(catalog, body):
    """A URL before a `;` was read with the `;` (`link to .../glossary/awq;: no such
    entry`), though the page links to /glossary/awq; a `www.` URL after a quote (or in
    capitals), which the page shows as text, was checked as a link."""
    vllm(catalog, body)
    assert found(catalog) == []


@pytest.mark.parametrize("body, shown", [
    (f"In italics: _{SITE}/glossary/nope_.\n", f"{SITE}/glossary/nope"),
    ("In italics: _www.local-ai-catalog.org/glossary/nope_.\n",
     "www.local-ai-catalog.org/glossary/nope"),
    (f"After a digit: 1{SITE}/glossary/nope.\n", f"{SITE}/glossary/nope"),
    ("Glued: www.local-ai-catalog.org/glossary/xhttps://local-ai-catalog.org/glossary/y\n",
     "www.local-ai-catalog.org/glossary/xhttps://local-ai-catalog.org/glossary/y"),
    (f"See {SITE}/glossary/awq\u00a0(a no-break space).\n", f"{SITE}/glossary/awq\u00a0(a"),
])
def test_a_bare_url_the_page_links_is_checked(catalog, body, shown):
    """`_https://host/glossary/nope_` (a URL in italics) is a link on the page, to a 404:
    validate took the `_` for part of a word and passed it. A no-break space does not end
    a URL for the extension (ASCII white space does): the page links to
    `/glossary/awq%C2%A0(a`, a 404, which validate read as /glossary/awq."""
    vllm(catalog, body)
    assert found(catalog) == [("link-unresolved", f"link to {shown}: no such entry")]


@pytest.mark.parametrize("body", [
    f"See [AWQ]({SITE}/glossary\\awq).\n",
    f"See [AWQ](<{SITE}/glossary\\awq>).\n",
    f"See <{SITE}/glossary\\awq>.\n",
    f"See {SITE}/glossary\\awq.\n",
    f"See [AWQ][a].\n\n[a]: {SITE}/glossary\\awq\n",
])
def test_a_backslash_in_the_path_of_a_markdown_link_is_checked_as_the_page_has_it(
        catalog, body):
    """cmark writes a `\\` of a link's path as `%5C`: the page links to `/glossary%5Cawq`,
    a 404. validate read it as `/` (as a browser reads a `\\` typed in an `href`) and
    passed it as /glossary/awq."""
    vllm(catalog, body)
    assert found(catalog) == [
        ("link-unresolved", f"link to {SITE}/glossary\\awq: there is no collection "
                            f"'glossary\\awq'; did you mean {SITE}/glossary?")]


def test_a_backslash_in_the_path_of_an_html_link_is_a_slash(catalog):
    """Raw HTML keeps it as typed, and a browser reads it as `/`."""
    vllm(catalog, f'See <a href="{SITE}/glossary\\awq">AWQ</a>.\n')
    assert found(catalog) == []


# The differential test: bodies made of a link's pieces, the site paths validate checks
# (site_links) against those the page links to (cmark-gfm, as page_hrefs renders and
# sanitises it; an image's `src` too, which validate checks as a link).

def _checked(body: str) -> set[str]:
    entry = Entry(id="glossary/x", collection="glossary", slug="x", file="x.md", data={},
                  body=body, body_line=1)
    return {path for _, _, path, _, _ in site_links(entry, SITE)}


_IMAGE_SRC_RE = re.compile(r'<img src="([^"]*)"')


def _linked(body: str) -> set[str]:
    out = set()
    made = cmark.html(body)
    for href in [*page_hrefs(body), *map(html.unescape, _IMAGE_SRC_RE.findall(made))]:
        url = urlsplit(href)
        ours = url.scheme in ("http", "https") and url.hostname in (
            "local-ai-catalog.org", "www.local-ai-catalog.org")
        if ours or (not url.scheme and href.startswith("/") and not href.startswith("//")):
            out.add(unquote(url.path) or "/")
    return out


# Disagreements left, which no editor is likely to write: a backtick, a quote or a bracket
# in a link's destination (`[a](/x"t")`, `[a](]https://host/x)`: the page reads them,
# validate stops at them); see also the pieces each test leaves out.
_LEFT_IN_DESTINATION_RE = re.compile(r"\]\([ \t]*\n?[ \t]*<?(?:[^\s()]|\([^\s()]*\))*[`\"'\[\]]")
# And a `[` in a bare URL, where the page's URL takes in what follows it
# (`https://host/x[a](/y)` is one link), and validate sees a link to /y; an empty
# destination with text right after it (`[a]()x)`, where validate reads `)x` as one).
_LEFT_IN_URL_RE = re.compile(r"(?:https?://|www\.)[^\s<]*\[|\]\(\)\S")

SITE_PATH_PIECES = ["[", "]", "](", "[a](", "(", ")", "\\[", "\\]", "/glossary/awq", "#x",
                    "](<", ">", "*", " ", "\n", "\n\n", "`", "\n```\n", '"t"', "'t'", "x", "!", "_",
                    "[a]", "/glossary/a\\_b", "/glossary/aw&#113;", "/glossary/a(b)",
                    "[b](/tools/y)", "\\)", "\\\\", "/glossary/a(b(c(d)))"]


@settings(max_examples=1500, deadline=None, derandomize=True)
@given(st.lists(st.sampled_from(SITE_PATH_PIECES), max_size=14).map("".join))
def test_the_site_paths_validate_checks_are_those_the_page_links(body):
    """Brackets, escapes, code, emphasis and paragraphs around links to site paths, and
    destinations in angle brackets. No other `<` (raw HTML and autolinks have tests of
    their own), nor reference
    definitions (one validate checks may be text on the page: written inside a
    paragraph, `text\\n[a]: /x`, or with more after its destination)."""
    body += "\n\n[a]\n"  # a link to each definition, made or not
    if _LEFT_IN_DESTINATION_RE.search(body) or _LEFT_IN_URL_RE.search(body):
        return
    assert _checked(body) == _linked(body)


_QUOTE_UNDER_A_LINE_RE = re.compile(r"^(?! {0,3}>).*\S.*\n {0,3}>", re.MULTILINE)

OWN_URL_PIECES = [f"{SITE}/glossary/b", "www.local-ai-catalog.org/glossary/c", "[", "]", "](",
                  "[a](", "(", ")", " ", "\n", "\n\n", "*", "_", ";", '"', "x", "!", ".",
                  "\u00a0", '](/x "', "](/x '", ">", "\n> "]


@settings(max_examples=1500, deadline=None, derandomize=True)
@given(st.lists(st.sampled_from(OWN_URL_PIECES), max_size=14).map("".join))
def test_the_urls_on_our_domain_validate_checks_are_those_the_page_links(body):
    """Bare URLs and links to the site's own domain, in block quotes too. Not a backtick (a
    URL runs on into a code span that starts right after it, `https://host/x`code``, where
    validate ends it), nor `<`; nor a quote right under a paragraph's line, which ends the
    paragraph, where validate keeps its `[` open (`[` then `> https://host/x`)."""
    if _LEFT_IN_DESTINATION_RE.search(body) or _LEFT_IN_URL_RE.search(body) \
            or _QUOTE_UNDER_A_LINE_RE.search(body):
        return
    assert _checked(body) == _linked(body)


PAGE_PIECES = ["[", "]", "](", "[a](", "(", ")", "\\(", "\\)", "\\_", "awq", "#x", " ", "\n",
               "\n\n", "`", '"t"', "x", "!", "<", ">", "[a]", "&amp;"]


def _page_relative(href: str) -> bool:
    return bool(href) and not href.startswith(("/", "\\")) and not re.match(r"[A-Za-z][\w+.-]*:",
                                                                           href)


@settings(max_examples=1500, deadline=None, derandomize=True)
@given(st.lists(st.sampled_from(PAGE_PIECES), max_size=12).map("".join))
def test_the_links_relative_to_the_page_validate_reads_are_those_the_page_links(body):
    """Escapes, parentheses, brackets and angle brackets around links relative to the page
    (`[a](#x)`, `[a](awq)`), which validate checks (page_links): it read them as written
    (`#set\\-up`, the page's `#set-up`) and up to the first `)` (`awq(x` of `[a](awq(x))`,
    and of `[a](awq(x)`, which is no link). Not a backslash of its own: validate takes a
    destination starting `\\\\` for another host's URL (`\\\\host`), not for one relative
    to the page."""
    body += "\n\n[a]\n"
    if _LEFT_IN_DESTINATION_RE.search(body) or _LEFT_IN_URL_RE.search(body):
        return
    entry = Entry(id="glossary/x", collection="glossary", slug="x", file="x.md", data={},
                  body=body, body_line=1)
    assert ({unquote(destination) for _, _, destination in page_links(entry)}
            == {unquote(href) for href in page_hrefs(body) if _page_relative(href)})


@pytest.mark.parametrize("body, shown", [
    ("See [AWQ](/glossary/awq\u00a0).\n", "/glossary/awq\u00a0"),
    (f"See [AWQ]({SITE}/glossary/awq\u00a0).\n", f"{SITE}/glossary/awq\u00a0"),
    (f"[AWQ]({SITE}/glossary/x)https://local-ai-catalog.org/glossary/nope\n",
     f"{SITE}/glossary/nope"),
    (f"[{SITE}/glossary/awq]{SITE}/glossary/nope\n", f"{SITE}/glossary/nope"),
])
def test_what_the_differential_test_found_is_checked_as_the_page_has_it(catalog, body, shown):
    """A no-break space before a destination's `)` is part of it (CommonMark's white space
    is ASCII's): the page links to `/glossary/awq%C2%A0`, a 404, which validate read as
    /glossary/awq. A URL right after a link, or after a bracketed URL, is a link of its
    own: validate read it as part of the URL before."""
    vllm(catalog, body.replace("glossary/x)", "glossary/awq)"))
    assert found(catalog) == [("link-unresolved", f"link to {shown}: no such entry")]


@pytest.mark.parametrize("body", [
    "See [AWQ](/glossary/aw&#113;).\n",
    "See [AWQ](/glossary\\/awq).\n",
    f"See [AWQ]({SITE}/glossary/aw&#x71;).\n",
    "See [AWQ][a].\n\n[a]: /glossary/aw&#113;\n",
])
def test_escapes_and_references_in_a_destination_are_read_as_the_page_reads_them(
        catalog, body):
    """cmark reads a backslash escape and a character reference in a link's destination:
    `[AWQ](/glossary/aw&#113;)` links to /glossary/awq. validate took the `#` of the
    reference for the anchor's start and reported `link to /glossary/aw&: no such entry`."""
    vllm(catalog, body)
    assert found(catalog) == []


@pytest.mark.parametrize("body, shown", [
    ("See [the method](/glossary/no\\_such).\n", "/glossary/no_such"),
    ("See [the method](/glossary/nope(int4)).\n", "/glossary/nope(int4)"),
    (f"See [the method]({SITE}/glossary/nope(int4)).\n", f"{SITE}/glossary/nope(int4)"),
])
def test_a_destination_is_reported_as_the_page_links_it(catalog, body, shown):
    """A `\\_` is a `_` on the page, and a destination's parentheses are balanced
    (`/wiki/Foo_(bar)`): validate reported `/glossary/no\\_such` and `/glossary/nope(int4`,
    which no page links to."""
    vllm(catalog, body)
    assert found(catalog) == [("link-unresolved", f"link to {shown}: no such entry")]


@pytest.mark.parametrize("body, shown", [
    ("See [the method](/glossary/no\\)pe).\n", "/glossary/no)pe"),
    ("See [the method](/glossary/nope\\(int4).\n", "/glossary/nope(int4"),
    ("See [the method](/glossary/nope(a\\)b)).\n", "/glossary/nope(a)b)"),
    (f"See [the method]({SITE}/glossary/no\\)pe).\n", f"{SITE}/glossary/no)pe"),
    ("See [the method](/glossary/nope(a(b(c)))).\n", "/glossary/nope(a(b(c)))"),
    ("See [the method](/glossary/nope#a(b(c))).\n", "/glossary/nope"),
])
def test_escaped_and_deep_parentheses_in_a_destination_are_read_as_the_page_reads_them(
        catalog, body, shown):
    """An escaped parenthesis is none of a pair: `[a](/x\\))` links to `/x)`, and
    `[a](/x\\(y)` to `/x(y`. validate ended the destination at the escaped `)` and
    reported `/glossary/no\\`, and passed the link with `\\(` as no link. Parentheses
    three deep (cmark takes 32) were taken for no link, and the link passed."""
    vllm(catalog, body)
    assert found(catalog) == [("link-unresolved", f"link to {shown}: no such entry")]


@pytest.mark.parametrize("body, shown", [
    ("See [AWQ](/glossary/awq>).\n", "/glossary/awq>"),
    (f"See [AWQ]({SITE}/glossary/awq>).\n", f"{SITE}/glossary/awq>"),
    ("See [AWQ][a].\n\n[a]: /glossary/awq>\n", "/glossary/awq>"),
    ("See [AWQ](</glossary/awq kernels>).\n", "/glossary/awq kernels"),
    ('See [AWQ](</glossary/awq kernels#x> "t").\n', "/glossary/awq kernels"),
    (f"See [AWQ](<{SITE}/glossary/awq kernels>).\n", f"{SITE}/glossary/awq kernels"),
    ("See [AWQ][a].\n\n[a]: </glossary/awq kernels>\n", "/glossary/awq kernels"),
])
def test_angle_brackets_in_a_destination_are_read_as_the_page_reads_them(catalog, body, shown):
    """A `>` ends no destination but one in angle brackets: `[AWQ](/glossary/awq>)` links
    to `/glossary/awq%3E`, a 404, which validate read as /glossary/awq and passed. In angle
    brackets a destination may hold spaces: `</glossary/awq kernels>` links to
    `/glossary/awq%20kernels`, which validate took for no link (a URL's, for a link to
    `/glossary/awq`)."""
    vllm(catalog, body)
    assert found(catalog) == [("link-unresolved", f"link to {shown}: no such entry")]


def test_a_destination_its_angle_bracket_does_not_close_is_no_link(catalog):
    vllm(catalog, "See [AWQ](</glossary/nope).\n")
    assert found(catalog) == []


@pytest.mark.parametrize("body", [
    "> See [AWQ](\n> /glossary/nope).\n",
    '> See [AWQ](/glossary/nope\n> "the method").\n',
    "> > See [AWQ](\n> > /glossary/nope).\n",
    "> See [AWQ].\n>\n> [awq]: /glossary/nope\n",
    "> See [AWQ][a].\n>\n> [a]:\n> /glossary/nope\n",
    ">www.local-ai-catalog.org/glossary/nope\n",
    # a quote right under a paragraph's line starts all the same (only the paragraph
    # ends): its definition, and a URL after its `>`, are the page's links
    "Intro.\n> [awq]: /glossary/nope\n>\n> See [AWQ][awq].\n",
    "Intro.\n>www.local-ai-catalog.org/glossary/nope\n",
])
def test_a_link_in_a_block_quote_is_read_as_the_page_reads_it(catalog, body):
    """A quote's `>` marks are no part of a link: a destination or a title on the next
    line of a quote, and a reference definition in one, are the page's as in a paragraph.
    validate read the `>` as text between `](` and the destination (no link) and looked
    for a definition at a line's start only: it passed links to /glossary/nope."""
    vllm(catalog, body)
    shown = ("www.local-ai-catalog.org/glossary/nope" if ">www" in body
             else "/glossary/nope")
    assert found(catalog) == [("link-unresolved", f"link to {shown}: no such entry")]


def test_a_quote_after_a_paragraph_ends_the_link(catalog):
    """A quote starts a block of its own: the paragraph above, and its `[AWQ](`, end."""
    vllm(catalog, "See [AWQ](\n> /glossary/nope).\n")
    assert found(catalog) == []


def test_parentheses_deeper_than_cmark_takes_are_no_link(catalog):
    vllm(catalog, "See [the method](/glossary/nope" + "(" * 33 + ")" * 33 + ").\n")
    assert found(catalog) == []


def test_a_destination_with_an_unbalanced_parenthesis_is_no_link(catalog):
    vllm(catalog, "See [the method](/glossary/nope(int4).\n")
    assert found(catalog) == []


@pytest.mark.parametrize("body", [
    f'See [the method](/glossary/awq "as {SITE}/glossary/nope has it").\n',
    "See [the method](/glossary/awq 'from www.local-ai-catalog.org/glossary/nope').\n",
    f"See [the method]({SITE}/glossary/awq ({SITE}/glossary/nope)).\n",
])
def test_a_url_in_a_links_title_is_no_link(catalog, body):
    """A link's title is its tooltip, text: a URL in it was taken for a bare one and
    reported (`link to https://local-ai-catalog.org/glossary/nope: no such entry`)."""
    vllm(catalog, body)
    assert found(catalog) == []


def test_a_url_in_what_looks_like_a_title_of_no_link_is_checked(catalog):
    vllm(catalog, f'A smiley x](/glossary/awq "{SITE}/glossary/nope") is no link.\n')
    assert found(catalog) == [("link-unresolved", f"link to {SITE}/glossary/nope: no such entry")]


def test_a_link_whose_title_runs_over_two_lines_is_checked(catalog):
    """A title may hold a line break (not a blank line): the page links to /glossary/nope,
    which validate, reading titles on one line, took for no link and passed."""
    vllm(catalog, 'See [the method](/glossary/nope "a title\nover two lines").\n')
    assert found(catalog) == [("link-unresolved", "link to /glossary/nope: no such entry")]


@pytest.mark.parametrize("body", [
    "See [the [AWQ](/glossary/awq) page](/glossary/nope).\n",
    "See [the [AWQ](https://example.com/awq) page](/glossary/nope).\n",
    "See [the\n[AWQ](/glossary/awq) page](/glossary/nope).\n",
])
def test_a_link_around_a_link_is_text(catalog, body):
    """Links do not nest: the page links the inner one, and the outer one's `](...)` is
    text. validate checked both, and reported a link the page does not have."""
    vllm(catalog, body)
    assert found(catalog) == []


@pytest.mark.parametrize("body", [
    "See [the [AWQ][awq] page](/glossary/nope).\n\n[awq]: /glossary/awq\n",
    "See [the [AWQ][] page](/glossary/nope).\n\n[awq]: /glossary/awq\n",
    "See [the [AWQ] page](/glossary/nope).\n\n[awq]: /glossary/awq\n",
    "See [the [the  Method][AWQ] page](/glossary/nope).\n\n[awq]: /glossary/awq\n",
])
def test_a_link_around_a_reference_link_is_text(catalog, body):
    """A reference link inside a link's text is a link (to its definition), and the outer
    one's `](...)` is text: validate looked for an inline link alone inside, and reported
    /glossary/nope, which the page does not link to."""
    vllm(catalog, body)
    assert found(catalog) == []


@pytest.mark.parametrize("body", [
    "See [the [AWQ][nope] page](/glossary/nope).\n\n[awq]: /glossary/awq\n",
    "See [the [AWQ] page](/glossary/nope).\n",
    "See [the ![AWQ] page](/glossary/nope).\n\n[awq]: /glossary/awq\n",
])
def test_a_link_around_brackets_no_definition_makes_a_link_is_checked(catalog, body):
    vllm(catalog, body)
    assert found(catalog) == [("link-unresolved", "link to /glossary/nope: no such entry")]


def test_an_image_in_a_links_text_leaves_it_a_link(catalog):
    vllm(catalog, "See [the ![AWQ](/glossary/awq) page](/glossary/nope).\n")
    assert found(catalog) == [("link-unresolved", "link to /glossary/nope: no such entry")]


@pytest.mark.parametrize("body", [
    "Run `pipeline check\n[the page](/glossary/nope)` to see it.\n",
    "Run ``pipeline `x`\n[the page](/glossary/nope)`` to see it.\n",
    f"- Run `curl\n  {SITE}/glossary/nope` to see it.\n",
])
def test_a_link_in_a_code_span_over_two_lines_is_code(catalog, body):
    """A code span may run over the lines of its paragraph: the page shows what it holds
    as code, no link. validate took code spans a line at a time, and checked it."""
    vllm(catalog, body)
    assert found(catalog) == []


@pytest.mark.parametrize("body", [
    "Run `pipeline check\n\n[the page](/glossary/nope)` to see it.\n",
    "Run ``pipeline check`\n[the page](/glossary/nope) to see it.\n",
    "Run `pipeline check\n# [the page](/glossary/nope)` to see it.\n",
])
def test_a_backtick_no_span_closes_leaves_the_link(catalog, body):
    """Not across a blank line or into a heading, and only to a run of as many backticks."""
    vllm(catalog, body)
    assert found(catalog) == [("link-unresolved", "link to /glossary/nope: no such entry")]


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.lists(st.sampled_from(OWN_URL_PIECES + SITE_PATH_PIECES), max_size=14).map("".join),
       st.sampled_from([SITE, "https://www.local-ai-catalog.org/", "https://other.example", ""]))
def test_the_site_links_kept_on_an_entry_are_those_worked_out_afresh(body, base_url):
    """site_links is worked out once per entry and base URL and kept on it (references_of
    and check_references both read it, and validate carries it between its passes): what
    it gives, the first time, again, for another base URL, and after the entry was packed
    and taken back, is what a fresh entry gives."""
    from pipeline.catalog.text import _site_links
    from pipeline.validate import CARRIED, _Packed

    def fresh():
        return Entry(id="glossary/x", collection="glossary", slug="x", file="x.md", data={},
                     body=body, body_line=1)

    entry = fresh()
    assert site_links(entry, SITE) == _site_links(fresh(), SITE)
    assert site_links(entry, base_url) == _site_links(fresh(), base_url)
    assert site_links(entry, base_url) == _site_links(fresh(), base_url)
    packed = _Packed()
    packed.put(entry, {name: entry.__dict__[name] for name in CARRIED if name in entry.__dict__})
    back = packed.pop(entry.id)
    assert back.__dict__["site_links"] == (base_url, _site_links(fresh(), base_url))
    assert site_links(back, base_url) == _site_links(fresh(), base_url)
