"""Body rendering: GitHub tables, sanitising, numbered citations, no-cite markers, links."""

from __future__ import annotations

import os
import re

import cmarkgfm
import pytest
from cmarkgfm.cmark import Options
from hypothesis import example, given, settings, strategies as st

from pipeline.catalog.loader import parse_entry
from pipeline.publish.markdown import (MarkedBody, commonmark_html, number_sources, plain_text,
                                       render_body)
from test_publish_catalog import EXL2_BODY, hostile_body

BIB = {"gptq-paper": {"id": "gptq-paper", "url": "https://arxiv.org/abs/2210.17323",
                      "title": "GPTQ", "accessed": "2026-10-01"}}


def entry(body: str, sources=(), **data):
    fm = "---\ntitle: T\nstatus: published\n"
    if sources:
        fm += "sources:\n" + "".join(
            f"  - {{id: {s}, url: 'https://example.org/{s}', title: Source {s}, "
            "accessed: 2026-10-01}\n" for s in sources)
    for k, v in data.items():
        fm += f"{k}: {v}\n"
    e, diags = parse_entry("entries/glossary/t.md", (fm + "---\n" + body).encode())
    assert e is not None, diags
    return e


def render(e, **kw):
    sources = number_sources(e, MarkedBody(e).cited_ids(), BIB)
    return render_body(e, sources, **kw), sources


def test_github_tables_become_html_tables():
    body, _ = render(entry("| a | b |\n|:--|--:|\n| 1 | 2 |\n"))
    assert "<table>" in body.html and '<td align="right">2</td>' in body.html


def test_script_handlers_and_javascript_urls_never_survive():
    body, _ = render(entry(hostile_body()))
    html = body.html.lower()
    for bad in ("<script", "alert(", "onerror", "onclick", "onmouseover", "javascript:",
                "<iframe", "<style", "display:none"):
        assert bad not in html, bad
    assert "hello" in html and "world" in html and "click me" in html and "hover" in html
    assert '<img src="x.png">' in body.html


def test_citations_become_numbered_links_in_order_of_first_use():
    e = entry("First [@b]. Then [@a; @b]. Shared [@gptq-paper].\n", sources=("a", "b"))
    body, sources = render(e)
    assert [(s["number"], s["id"]) for s in sources] == [(1, "b"), (2, "a"), (3, "gptq-paper")]
    assert '<sup class="cite">[<a href="#source-1">1</a>]</sup>' in body.html
    assert ('<sup class="cite">[<a href="#source-2">2</a>, <a href="#source-1">1</a>]</sup>'
            in body.html)
    assert "[@" not in body.html
    assert sources[2]["shared"] is True and sources[0]["shared"] is False


def test_citations_in_titles_alt_text_and_headings_stay_text_where_tags_cannot_go():
    e = entry('## Speed [@a]\n\nSee [the paper](https://example.org/p "GPTQ [@a; @b]") and '
              '![chart [@b]](chart.png).\n', sources=("a", "b"))
    body, _ = render(e)
    assert '<a href="https://example.org/p" title="GPTQ [1, 2]">the paper</a>' in body.html
    assert '<img src="chart.png" alt="chart [2]">' in body.html
    assert ('<h2 id="speed">Speed <sup class="cite">[<a href="#source-1">1</a>]</sup></h2>'
            in body.html)
    assert "\ue000" not in body.html and "\ue001" not in body.html
    assert "\x01" not in body.html and "\x02" not in body.html


TRICKY = [
    "Odd \ue0009\ue001 text, cited [@a].\n",  # the mark characters themselves
    "Odd &#xE000;9&#xE001; and &#57344;9&#57345; text, cited [@a].\n",  # as entities
    "A [link](https://example.org/p/[@a]) and <https://example.org/[@a]>, cited [@a].\n",
    "[@a] in `code \ue000[@a]\ue001` and <span title=\"[@a]\">raw</span> [x [@a]](/y).\n",
    "Odd &#1;9&#2; and &#x1;&#x2; text, cited [@a].\n",  # the ASCII mark characters
    "[@a] in `code &#1;[@a]&#2;`, a@b.co[@a] and www.x.org[@a] [x](/p/[@a]).\n",
]


@pytest.mark.parametrize("text", TRICKY)
def test_text_an_editor_writes_is_never_taken_for_a_citation_mark(text):
    """Citations travel through the sanitiser as private-use marks with a secret; an
    editor's own such characters (or entities) are left as written, and no mark leaves
    its secret in the page, a link or the search text."""
    from pipeline.publish import markdown

    body, _ = render(entry(text, sources=("a",)))
    assert 'href="#source-9"' not in body.html
    assert '<sup class="cite">[<a href="#source-1">1</a>]</sup>' in body.html
    for out in (body.html, body.text, *body.links, *body.site_paths):
        assert markdown._SECRET not in out


CITE_1 = '<sup class="cite">[<a href="#source-1">1</a>]</sup>'


@pytest.mark.parametrize("text, expected", [
    ("See www.y.org[@a] now.\n", f'See <a href="http://www.y.org">www.y.org</a>{CITE_1} now.'),
    ("See https://y.org[@a] now.\n",
     f'See <a href="https://y.org">https://y.org</a>{CITE_1} now.'),
    ("www.x.org[@a]_[@a]\n", f'<a href="http://www.x.org">www.x.org</a>{CITE_1}_{CITE_1}'),
    ("See www.y.org.[@a] now.\n", f'See <a href="http://www.y.org">www.y.org</a>.{CITE_1} now.'),
    ("*www.x.org[@a]*\n", f'<em><a href="http://www.x.org">www.x.org</a>{CITE_1}</em>'),
    ("www.y.org/p[see @a, p. 3]\n", '<a href="http://www.y.org/p">www.y.org/p</a>'
     '<sup class="cite">[see <a href="#source-1">1</a>, p. 3]</sup>'),
])
def test_an_address_run_into_a_citation_ends_at_it(text, expected, monkeypatch):
    """cmark's autolink runs an address on to the next white space or `<`: a citation
    after it (`www.y.org[@a]`) ends it, as the citation's HTML would, and is not taken
    into it (which made a link with no destination around the citation's number, or,
    with an `_` after it, no link at all); the page and its search text are those of the
    body rendered with its citations as HTML."""
    from pipeline.publish import markdown

    e = entry(text, sources=("a",))
    body, _ = render(e)
    assert body.html == f"<p>{expected}</p>\n"
    assert body.links == [re.search(r'href="([^"#]*)"', expected)[1]]
    monkeypatch.setattr(markdown, "_MARKS", False)
    as_html, _ = render(e)
    assert (body.html, body.text, body.links) == (as_html.html, as_html.text, as_html.links)


def test_a_citation_after_an_address_in_a_title_or_an_attribute_stays_as_written():
    body, _ = render(entry('[l](/x "see www.x.org[@a]") and <abbr title="www.x.org[@a]">a'
                           '</abbr> and `www.x.org[@a]`.\n', sources=("a",)))
    assert body.html == ('<p><a href="/x" title="see www.x.org[1]">l</a> and '
                         '<abbr title="www.x.org[1]">a</abbr> and '
                         '<code>www.x.org[@a]</code>.</p>\n')


# Where a mark's characters could matter: next to autolinks (URL, www., e-mail), in a
# link's destination, text and title, an image's alt text, emphasis, code, headings,
# tables, raw HTML, and the mark characters (old and new) an editor types or writes as
# entities.
MARK_PIECES = ["[@a]", "[@a; @b]", "[see @a, p. 3]", "[@zz]", " ", "\n", "\n\n", "x", "é",
               "a@b.co", "mailto:a@b.co", "www.x.org", "https://x.org/p", "<https://x.org/",
               ">", "[l](/p/", ")", "[l](https://x.org/ \"t ", "\")", "![i ", "](/i.png)",
               "[l ", "](/y)", "*", "**", "_", "~~", "`", "## ", "# ", "|a|b|\n|-|-|\n|",
               "<span title=\"", "\">", "</span>", "<b>", "</b>", "<!-- c -->", "\x01", "\x02",
               "\ue000", "\ue001", "&#1;", "&#2;", "&#xE000;", "&#xE001;", "!", ".", "-", "\\",
               "[r]", "[r]: /ref", "  ", "\t", "&amp;", "&nbsp;", "\xa0", "1"]


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(MARK_PIECES), max_size=16).map("".join))
@example("www.x.org[@a]_[@a]")  # (an address run into citations: see _AN_END)
@example("[l](/p \"www.x.org[@a]\")*www.x.org*[@a] <b>www.x.org[@a]</b>")
def test_ascii_marks_render_as_private_use_marks_did(text):
    """A citation's mark is made of U+0001 and U+0002 (ASCII: an ASCII body's strings stay
    at a byte a character); each body renders exactly as with the private-use characters
    U+E000 and U+E001 the marks were made of before: its HTML, search text, links, ids."""
    from pipeline.publish import markdown

    from pipeline.catalog.model import Entry

    # (built as it is: a body that holds a control character is refused when loaded)
    e = Entry(id="glossary/x", collection="glossary", slug="x", file="x.md", body=text,
              body_line=6, data={"sources": [{"id": s, "url": f"https://example.org/{s}"}
                                             for s in ("a", "b")]})
    sources = number_sources(e, MarkedBody(e).cited_ids(), BIB)

    def rendered():
        body = render_body(e, sources, lambda url: "x.org" in url,
                           base_url="https://www.x.org/")
        return (body.html, body.text, body.links, body.site_paths, body.ids, body.hrefs,
                markdown.heading_ids(e))

    with pytest.MonkeyPatch.context() as patch:
        for name, value in zip(("MARK_OPEN", "MARK_CLOSE", "_MARK_RE", "_TAG_WITH_MARK_RE",
                                "_ANY_MARK_RE", "_A_MARK", "_OPENING", "_AN_END",
                                "_AN_END_HTML"),
                               markdown._mark_patterns("\ue000", "\ue001")):
            patch.setattr(markdown, name, value)
        patch.setattr(markdown, "_BASE_SLUGS", {})  # (its headings' words hold other marks)
        private_use = rendered()
    assert rendered() == private_use
    for out in (private_use[0], private_use[1]):
        assert markdown._SECRET not in out


ATTRIBUTE_ESCAPES = [
    '<abbr title="x > [@a] <script>alert(1)</script>">t</abbr>\n',
    '[x](https://e.org "a > b [@a] <img src=x onerror=alert(1)>")\n',
]


@pytest.mark.parametrize("marks", [True, False])
@pytest.mark.parametrize("text", ATTRIBUTE_ESCAPES)
def test_a_citation_in_an_attribute_cannot_break_out_of_it(text, marks, monkeypatch):
    """With marks (nh3 writing < and > in attribute values as entities) or without them
    (as with an older nh3), a citation in an attribute stays text in the attribute."""
    from pipeline.publish import markdown

    monkeypatch.setattr(markdown, "_MARKS", marks)
    body, _ = render(entry(text, sources=("a",)))
    seen = _tags(body.html)
    assert all(tag != "script" and not any(a.startswith("on") for a in attrs)
               for tag, attrs in seen), seen
    # the citation is a link to the source list, or text inside the attribute
    assert all(attrs.get("href", "#source-1").startswith(("#source-1", "https://e.org"))
               for tag, attrs in seen if tag == "a")


def _tags(fragment: str) -> list[tuple[str, dict]]:
    """(tag, attributes) of every start tag, as a browser's tokenizer reads them."""
    from html.parser import HTMLParser

    found = []

    class Collect(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.append((tag, dict(attrs)))

    Collect().feed(fragment)
    return found


# A citation where a tag cannot go: an image's alt text, a link's title (each spelling,
# and a reference's), a raw tag's value; with the HTML each shows it as.
CITED_ATTRIBUTES = [
    ("![chart [@a]](c.png)", '<img src="c.png" alt="chart [1]">'),
    ('[t](/x "T [@a; @b]")', '<a href="/x" title="T [1, 2]">t</a>'),
    ("[t](/x 'T [@a]')", '<a href="/x" title="T [1]">t</a>'),
    ("[t](/x (T [@a]))", '<a href="/x" title="T [1]">t</a>'),
    ("[t][r]\n\n[r]: /x \"T [@a]\"", '<a href="/x" title="T [1]">t</a>'),
    ('<abbr title="T [@a]">a</abbr>', '<abbr title="T [1]">a</abbr>'),
    ("<abbr title='T [@a]'>a</abbr>", '<abbr title="T [1]">a</abbr>'),
    ('![c [see @a, p. "3" <b>]](c.png)', '<img src="c.png" alt="c [see 1, p. &quot;3&quot; '
     '&lt;b&gt;]">'),
]


@pytest.mark.parametrize("marks", [True, False])
@pytest.mark.parametrize("text, expected", CITED_ATTRIBUTES)
def test_a_citation_in_an_attribute_reads_as_text_when_citations_are_html(text, expected,
                                                                          marks, monkeypatch):
    """A body rendered with its citations as HTML (one cites inside a link's URL, or the
    nh3 installed is older than marks need) showed a citation in an alt text or title as
    its markup, escaped (`alt="chart &lt;sup class=&quot;cite&quot;&gt;[&lt;a href=..."`),
    and one in a `"` title or raw value ended it (no link, the tag as text): found in
    review. It reads as a mark there does ("[1]"), and the rest of the body is as
    before."""
    from pipeline.publish import markdown

    monkeypatch.setattr(markdown, "_MARKS", marks)
    e = entry(f"[l](</p/[@a]>) and {text}\n\nThen [@b].\n", sources=("a", "b"))
    body, _ = render(e)
    cite_2 = '<sup class="cite">[<a href="#source-2">2</a>]</sup>'
    assert expected in body.html and f"<p>Then {cite_2}.</p>" in body.html
    assert "[l](&lt;/p/" + CITE_1 + "&gt;)" in body.html  # (the URL's citation: as before)
    for out in (body.html, body.text, *body.links, *body.site_paths, *body.hrefs):
        assert markdown._SECRET not in out and "data-cite" not in out
    alone, _ = render(entry(f"{text}\n", sources=("a", "b")))
    assert expected in alone.html  # as where the marks are used


@pytest.mark.parametrize("marks", [True, False])
@pytest.mark.parametrize("text", [
    "[t [@a]](/x)", "[t [see @a, p. 3] *e*](https://e.org) [@b]",
    '<a href="/x">t [@a]</a> [@b]', '<a href="/x">t [@a]', "**[t [@a]](/x)**",
    "[![i [@a]](/i.png) [@b]](/x)", "[t](/x) [@a] <!-- <a> --> [@b]",
])
def test_a_citation_in_a_links_text_reads_as_text_when_citations_are_html(text, marks,
                                                                          monkeypatch):
    """With its citations as HTML, a citation in a link's text was a link in a link,
    which the sanitiser cut in two (`<a href="/x">t <sup class="cite">[</sup></a><a
    href="#source-1">1</a>]`): found in review. It reads "[1]" there, as a mark does,
    and the paragraph is what the marks make of it alone."""
    from pipeline.publish import markdown

    alone, _ = render(entry(f"{text}\n", sources=("a", "b")))
    monkeypatch.setattr(markdown, "_MARKS", marks)
    body, _ = render(entry(f"[l](</p/[@a]>)\n\n{text}\n", sources=("a", "b")))
    assert body.html == f"<p>[l](&lt;/p/{CITE_1}&gt;)</p>\n{alone.html}"
    assert body.text == f"[l](</p/>) {alone.text}".strip()


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(MARK_PIECES), max_size=16).map("".join))
@example('[l](/x "t [@a]") ![i [see @a, p. "3"]](/i.png) <b title=\'[@a]\'>b</b>')
def test_citations_written_as_html_leave_no_markup_in_an_attribute(text):
    """With its citations as HTML, a body shows none of their markup in a tag's attribute
    (each is text there), and no secret anywhere."""
    from pipeline.publish import markdown

    from pipeline.catalog.model import Entry

    e = Entry(id="glossary/x", collection="glossary", slug="x", file="x.md", body=text,
              body_line=6, data={"sources": [{"id": s, "url": f"https://example.org/{s}"}
                                             for s in ("a", "b")]})
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(markdown, "_MARKS", False)
        body = render_body(e, number_sources(e, MarkedBody(e).cited_ids(), BIB))
    for out in (body.html, body.text, *body.links, *body.site_paths, *body.hrefs):
        assert markdown._SECRET not in out and "data-cite" not in out
    for _, attrs in _tags(body.html):
        assert not any("<sup" in (value or "") for value in attrs.values()), attrs


def test_marks_are_used_only_with_a_sanitiser_that_escapes_attribute_values():
    from pipeline.publish import markdown

    class Old:  # nh3 before 0.3.7
        def clean(self, text):
            return '<a href="https://x.org/" title="a<b>c">t</a>'

    assert markdown._tags_are_plain(markdown._CLEANER)  # the nh3 installed
    assert not markdown._tags_are_plain(Old())


def test_a_citation_in_a_links_text_is_no_link_in_a_link():
    body, _ = render(entry("[link [@a]](https://e.org) and [@a].\n", sources=("a",)))
    assert '<a href="https://e.org">link [1]</a>' in body.html
    assert body.html.count("<a ") == 2  # the link and the citation after it


def test_bodies_with_odd_citations_render_the_same_in_every_process(tmp_path):
    """The marks' secret is drawn per process: output must not depend on it."""
    import subprocess
    import sys

    script = tmp_path / "r.py"
    script.write_text(
        "import sys, json\n"
        "sys.path[:0] = [%r, %r]\n"
        "from test_publish_render import TRICKY, entry, render\n"
        "out = [render(entry(t, sources=('a',)))[0] for t in TRICKY]\n"
        "print(json.dumps([(b.html, b.text, b.links, b.site_paths) for b in out]))\n"
        % (os.path.dirname(__file__), os.path.dirname(os.path.dirname(__file__))))
    runs = {subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                           check=True).stdout for _ in range(2)}
    assert len(runs) == 1 and "source-1" in runs.pop()


def test_sources_cited_only_in_front_matter_are_numbered_after_the_body():
    e = entry("Body cites [@a].\n", sources=("a", "spec"),
              specs="[{label: Memory, value: 24, unit: GB, source: spec}]")
    _, sources = render(e)
    assert [(s["id"], s["cited_in_body"]) for s in sources] == [("a", True), ("spec", False)]


def test_code_keeps_its_brackets_and_the_no_cite_marker_never_reaches_readers():
    e = entry(EXL2_BODY, sources=("exllamav2-readme",))
    body, _ = render(e)
    assert "no-cite: worked example" not in body.html
    assert "<!--" not in body.html
    assert "<code>[@not-a-citation]</code>" in body.html
    assert "# [@also-not-a-citation]" in body.html
    assert "&lt;!-- no-cite: x --&gt;" in body.html  # shown as code, not hidden


def test_internal_links_stay_site_paths_and_headings_get_anchors():
    body, _ = render(entry("See [AWQ](/glossary/awq#kernels).\n\n"
                           "## Kernels & speed\n\n## Kernels & speed\n"))
    assert '<a href="/glossary/awq#kernels">AWQ</a>' in body.html
    assert '<h2 id="kernels-speed">' in body.html and '<h2 id="kernels-speed-1">' in body.html


def test_affiliate_links_get_rel_and_a_visible_label():
    e = entry("[Buy](https://shop.example/item?tag=x) or [read](https://example.org/review).\n")
    body, _ = render(e, is_affiliate=lambda url: "shop.example" in url,
                     rel="sponsored nofollow noopener", label="(paid link)")
    assert ('<a href="https://shop.example/item?tag=x" rel="sponsored nofollow noopener"'
            ' aria-describedby="paid-label_1">Buy</a>'
            ' <span class="paid-label" id="paid-label_1">(paid link)</span>') in body.html
    assert '<a href="https://example.org/review">read</a>' in body.html
    assert body.links == ["https://shop.example/item?tag=x", "https://example.org/review"]


def test_links_are_read_where_a_browser_goes():
    """`//host`, `/\\host`, `https:/host` and entities in an href are off-site links to
    that host (classified, labelled when paid), never site paths; an href that is not
    the first attribute is read too (found in review)."""
    e = entry("[a](//shop.example/a?tag=x) [b](https:/shop.example/b?tag=x) "
              "[d](/glossary/awq)\n\n"
              '<a href="/\\evil.example/c">c</a> <a title="t" href="https://shop.example/d?tag&#61;x">e</a>\n')
    seen = []
    body, _ = render(e, is_affiliate=lambda url: seen.append(url) or "shop.example" in url,
                     rel="sponsored", label="(paid link)")
    assert body.site_paths == ["/glossary/awq"]
    assert body.links == ["https://shop.example/a?tag=x", "https://shop.example/b?tag=x",
                          "https://evil.example/c", "https://shop.example/d?tag=x"]
    assert body.html.count('rel="sponsored"') == 3 and body.html.count("(paid link)") == 3
    assert '<a href="https://shop.example/d?tag&amp;#61;x" rel="sponsored" title="t"' \
        ' aria-describedby="paid-label_3">e</a>' in body.html \
        or '<a href="https://shop.example/d?tag=x" rel="sponsored" title="t"' \
        ' aria-describedby="paid-label_3">e</a>' in body.html


def test_a_body_cannot_pass_for_the_page_around_it():
    """Found in review: a heading "Source 1" took the id the page gives its first source
    (the body comes first, so every [1] led to it); any class on <code> or <sup> could
    forge a rating badge or a citation; any <input> type was kept."""
    body, _ = render(entry(
        "## Source 1\n\n## Verdict heading\n\n## Kernels\n\n```python\nx\n```\n\n"
        '<code class="rating rating-recommended">R</code> '
        '<sup class="cite">[<a href="https://evil.example">1</a>]</sup> x<sup>2</sup>\n\n'
        '- [x] done\n\n<input type="password">\n'))
    assert '<h2 id="source-1-1">' in body.html and '<h2 id="verdict-heading-1">' in body.html
    assert '<h2 id="kernels">' in body.html
    assert '<code class="language-python">' in body.html and "<code>R</code>" in body.html
    assert "<sup>[" in body.html and 'class="cite"' not in body.html and "x<sup>2</sup>" in body.html
    assert '<input type="checkbox" checked="" disabled="">' in body.html
    assert 'type="password"' not in body.html


def test_a_marker_inside_a_citation_loses_none_of_the_line():
    """`[@s1 <!-- no-cite: x -->] text` lost " text" (found in review): the citation is
    edited as a whole and the rest of the line stays."""
    body, _ = render(entry("A claim [@s1 <!-- no-cite: x -->] text that follows.\n",
                           sources=["s1"]))
    assert body.html == ('<p>A claim <sup class="cite">[<a href="#source-1">1</a>]</sup> '
                         "text that follows.</p>\n")


@pytest.mark.parametrize("marks", [True, False])
def test_a_citations_prefix_and_locator_are_kept_as_written(marks, monkeypatch):
    """`[see @a, p. 3]` showed "[1]": "see" and "p. 3" were lost (found in review). The
    words stay around the numbers, as Pandoc's numeric styles write them, as escaped text
    (no markup of their own), on the page, in a link's text or title, and in the search
    text; the usual `[@a; @b]` is written as before."""
    from pipeline.publish import markdown

    monkeypatch.setattr(markdown, "_MARKS", marks)
    one = '<a href="#source-1">1</a>'
    two = '<a href="#source-2">2</a>'
    body, _ = render(entry("Two [see @a, p. 3]. Pages [@a, pp. 33-35]. Both [see @a; also "
                           "@b, ch. 2]. Odd [-@b; cf. <i>x</i> & *x* @a] and [@a; @b].\n",
                           sources=("a", "b")))
    assert body.html == (
        f'<p>Two <sup class="cite">[see {one}, p. 3]</sup>. '
        f'Pages <sup class="cite">[{one}, pp. 33-35]</sup>. '
        f'Both <sup class="cite">[see {one}; also {two}, ch. 2]</sup>. '
        f'Odd <sup class="cite">[{two}; cf. &lt;i&gt;x&lt;/i&gt; &amp; *x* {one}]</sup> '
        f'and <sup class="cite">[{one}, {two}]</sup>.</p>\n')
    assert body.text == ("Two [see 1, p. 3]. Pages [1, pp. 33-35]. Both [see 1; also 2, ch. 2]. "
                         "Odd [2; cf. <i>x</i> & *x* 1] and.")
    # an `@x` in code is words, as it is to validate (taken for a key, one of no source
    # stopped validate and build with a KeyError: found in review)
    code, _ = render(entry("Two [see @a, `x @zz` and `y @b`].\n", sources=("a", "b")))
    assert code.html == f'<p>Two <sup class="cite">[see {one}, `x @zz` and `y @b`]</sup>.</p>\n'
    if marks:  # (without marks, a citation in a link's text is HTML inside the link)
        titled, _ = render(entry('[the paper [see @a, p. 3]](https://e.org "GPTQ [see @a, '
                                 'p. "3"]")\n', sources=("a",)))
        assert titled.html == ('<p><a href="https://e.org" title="GPTQ [see 1, p. &quot;3&quot;]">'
                               "the paper [see 1, p. 3]</a></p>\n")


def test_plain_text_for_search_has_words_not_markup():
    body, _ = render(entry("A **bold** [link](/x) [@gptq-paper].\n\n- one\n- two &amp; three\n"))
    assert body.text == "A bold link. one two & three"
    assert plain_text("<p>a</p>\n<p>b</p>") == "a b"


MARKDOWN = [
    "",
    EXL2_BODY,
    hostile_body(),
    "| a | b |\n|:--|--:|\n| 1 | 2 |\n\n~~gone~~ www.example.org and https://example.org\n\n"
    "- [ ] to do\n- [x] done\n",
    "# Title\n\n    indented code\n\n> quote with *emphasis* and `code`\n",
]


@pytest.mark.parametrize("text", MARKDOWN)
def test_commonmark_is_rendered_as_cmarkgfm_renders_it(text):
    options, extensions = Options.CMARK_OPT_UNSAFE, ["table", "strikethrough", "autolink",
                                                     "tasklist"]
    expected = cmarkgfm.markdown_to_html_with_extensions(text, options=options,
                                                         extensions=extensions)
    assert commonmark_html(text) == expected


def test_bodies_rendered_in_threads_at_once_render_as_one_by_one():
    """The arena is one stack of blocks in the library: the threads take turns at it."""
    from concurrent.futures import ThreadPoolExecutor

    bodies = [EXL2_BODY * n + f"\n\n| a | {n} |\n|---|---|\n| [x](/y) | *z* |\n"
              for n in range(1, 9)] * 8
    expected = [commonmark_html(body) for body in bodies]
    with ThreadPoolExecutor(4) as threads:
        assert list(threads.map(commonmark_html, bodies)) == expected


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_child_forked_while_the_arena_is_in_use_renders():
    """A process forked while a thread of its parent renders (holds the arena's lock)
    renders all the same: the child's lock is its own."""
    import multiprocessing

    from pipeline import cmark

    def child(queue):
        queue.put(commonmark_html("*x* [y](/z)"))

    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    with cmark._CMARK.lock:  # as a thread rendering when the fork comes
        process = context.Process(target=child, args=(queue,))
        process.start()
    assert queue.get(timeout=120) == '<p><em>x</em> <a href="/z">y</a></p>\n'
    process.join()


def _rss_kib() -> int:
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="needs Linux's /proc")
def test_rendering_many_bodies_does_not_grow_memory():
    """cmarkgfm's own wrapper never frees the document nor the HTML: about 40 KB a body."""
    body = EXL2_BODY * 4
    commonmark_html(body)
    before = _rss_kib()
    for _ in range(3000):
        commonmark_html(body)
    assert _rss_kib() - before < 20_000  # the leak would be over 100 MB


class PlainMarkedLines:
    """The plain form of MarkedBody, a line at a time (its code before one search of the
    whole body): what MarkedBody must give."""

    def __init__(self, entry):
        from pipeline.catalog.text import CITE_GROUP_RE, CITE_KEY_RE, NO_CITE_RE, prose_lines

        self.entry, self.lines = entry, []
        for n, prose in prose_lines(entry):
            groups = [(m.start(), m.end(), CITE_KEY_RE.findall(m.group(1)))
                      for m in CITE_GROUP_RE.finditer(prose)]
            markers = [m.span() for m in NO_CITE_RE.finditer(prose)]
            if groups or markers:
                self.lines.append((n - entry.body_line, groups, markers, prose))

    def cited_ids(self):
        return list(dict.fromkeys(k for _, groups, *_ in self.lines for *_, keys in groups
                                  for k in keys))

    def markdown(self, numbers, marks=True):
        from pipeline.publish.markdown import _cite_html, _cite_mark

        cite = _cite_mark if marks else _cite_html
        lines = self.entry.body.split("\n")
        for i, groups, markers, prose in self.lines:
            spans = [(s, e, cite(keys, numbers, lines[i][s + 1:e - 1], prose[s + 1:e - 1]))
                     for s, e, keys in groups]
            spans += [(s, e, "") for s, e in markers]
            kept = []  # a span starting inside an earlier one is left out: the outer one wins
            for span in sorted(spans, key=lambda x: (x[0], -x[1])):
                if not kept or span[0] >= kept[-1][1]:
                    kept.append(span)
            line = lines[i]
            for s, e, replacement in reversed(kept):
                if replacement is not None:
                    line = line[:s] + replacement + line[e:]
            lines[i] = line
        return "\n".join(lines)


CITE_PIECES = ["[@a]", "[@b; @c]", "[see @a, p. 3]", "[@zz]", "@a", "[", "]", " ", "\n", "\n",
               "<!-- no-cite -->", "<!--no-cite: why-->", "<!-- no-cite\n-->", "`[@a]`", "```",
               "    [@b]", "~~~", "text", "[@a <!-- no-cite -->]", "<!-- no-cite [@b] -->",
               "[x\n@a]", "\t", "[see @a, `x @zz`]", "[cf. `@b` @a]", "` @c`"]


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(CITE_PIECES), max_size=20).map("".join), st.booleans())
def test_one_search_of_the_body_finds_what_each_line_holds(body, marks):
    from pipeline.catalog.model import Entry

    def entry():
        return Entry(id="glossary/x", collection="glossary", slug="x", file="x.md", data={},
                     body=body, body_line=6)

    numbers = {"a": 1, "b": 2, "c": 3}
    found, plain = MarkedBody(entry()), PlainMarkedLines(entry())
    assert found.cited_ids() == plain.cited_ids()
    assert found.markdown(numbers, marks) == plain.markdown(numbers, marks)


# Markdown that makes cmark write each thing nh3 changes, drops or keeps: URLs of every
# scheme and spelling, hosts the URL parser refuses, raw HTML and comments, entities,
# quotes, no-break spaces, control characters, links in links, and cmark's own blocks.
SANITISED_PIECES = [
    "[a](javascript:alert(1))", "[a](JaVaScRiPt:x)", "[a](&#106;avascript:x)",
    "[a](java&#x09;script:x)", "[a](<java\tscript:x>)", "[a](vbscript:x)", "[a](VBScript:x)",
    "[a](data:text/html,<b>)", "[a](%6Aavascript:x)", "[a](x:y)", "[a](a/b:c)", "[a](?q=1)",
    "[a](#frag)", "[a](//evil.example)", "[a]()", "[a](<>)", "[a](/p \"t \\\"q\\\" & 'x'\")",
    "[a](http://x.org/a?b=1&c='d')", "[a](https://)", "[a](http://1.2.3.4)",
    "[a](http://1.2.3.4.5/)", "[a](http://a:99999/)", "[a](http://a:80/)", "[a](http://a:/)",
    "[a](http://xn--zz/)", "[a](http://ex--ample.com)", "[a](http://-a-.com)", "[a](http://a./)",
    "[a](http://0x1f)", "[a](http://[::1]/)", "[a](http://u@x.org)", "[a](http://x.org\\y)",
    "[a](HTTP://x.org)", "[a](https:x.org)", "[a](mailto:x@y.z)", "[a](MAILTO:x@y.z)",
    "[a](/a\xa0b)", "[a](</a b>)", "[a](/é)", "[a](http://é.org/)", "<https://x.org/a&b>",
    "<HTTPS://x.org>", "<mailto:a@b.c>", "<a@b.c>", "www.example.com/a?b&c", "x@y.z",
    "https://x.org/'q'", "![i](javascript:x)", "![a \"q\" & b](/i.png \"t'\")",
    "![\xa0](/i.png \"\xa0\")", "![](https://x.org/i.png)", "[![i](/i.png)](/y)",
    "[a <https://x.org>](/y)", "[a www.x.com](/y)", "[a x@y.z](/y)", "[*e* `c` ~~d~~](/y)",
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "<p>", "</p>", "<em>",
    '<a href="/x">', "</a>", "<sup class=\"cite\">", "<!-- no-cite: worked example -->",
    "<!-- a -- b -->", "<!-->", "<!--->", "<!-- x", "-->", "<?php x ?>", "<![CDATA[x]]>",
    "<!DOCTYPE x>", "&quot;", '"', "'", "&", "&amp;", "&#39;", "&#x27;", "&#0;", "\xa0",
    "&nbsp;", "é", "日本", "\ue000", "<", ">", "\\<p>", "`a <b> \"c\"`", "|a|b|\n|:-|-:|\n|1|2|\n",
    "| a | b | c |\n|:-:|---|--:|\n| `x|y` | [l](/l) | ![i](/i) |\n", "- [ ] t\n- [x] d\n",
    "```py x\ncode & <b> \"q\"\n```\n", "```\"><script>\nx\n```\n", "~~~ c&amp;'\nx\n~~~\n",
    "    code\n", "**b**", "*i*", "~~d~~", "# h1\n", "## h2 [x](/y)\n", "Setext\n---\n",
    "> q\n", "1. a\n", "7) b\n", "0. z\n", "* * *\n", "a  \nb", "a\\\nb", "[r]: /ref \"t\"\n",
    "[r]", "[r]: javascript:x\n", "\n", "\n\n", " ", "\t", "\x01", "\x0c", "\x7f", "\x85",
    "\r", "\r\n", "\x00", "\ufdd0", "\uffff", "word",
]


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(SANITISED_PIECES) | st.text(max_size=4), max_size=25)
       .map("".join))
def test_what_skips_the_sanitiser_is_what_the_sanitiser_writes(markdown_text):
    """cmark's HTML that _sanitised does not give to nh3 is what nh3 would make of it,
    byte for byte, whatever the body holds."""
    from pipeline.publish.markdown import _CITING_CLEANER, _CLEANER, _sanitised

    made = commonmark_html(markdown_text)
    for cleaner in (_CLEANER, _CITING_CLEANER):
        assert _sanitised(made, markdown_text, cleaner) == cleaner.clean(made)


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.sampled_from(SANITISED_PIECES) | st.text(max_size=4), max_size=25)
       .map("".join))
def test_html_made_in_cmarks_arena_is_what_cmarkgfm_makes(text):
    """cmark.html (parsed and rendered in cmark's arena, freed at once) writes what
    cmarkgfm's own wrapper (cmark's default allocator) writes, whatever the body."""
    expected = cmarkgfm.markdown_to_html_with_extensions(
        text, options=Options.CMARK_OPT_UNSAFE,
        extensions=["table", "strikethrough", "autolink", "tasklist"])
    assert commonmark_html(text) == expected


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(SANITISED_PIECES) | st.text(max_size=4), max_size=25)
       .map("".join))
def test_the_digests_github_html_is_what_cmarkgfm_makes(text):
    """cmark.github_html (the digest's Markdown, in the arena and under its lock) writes
    what cmarkgfm.github_flavored_markdown_to_html writes: raw HTML omitted, tags filtered."""
    from pipeline import cmark

    assert cmark.github_html(text) == cmarkgfm.github_flavored_markdown_to_html(text)


TABLES = "".join(f"| h{i} | a | b | c |\n|---|---|---|---|\n| 1 | 2 | 3 | 4 |\n\n"
                 for i in range(50))


def test_the_digests_markdown_and_the_sites_render_side_by_side_in_threads():
    """The site's bodies and the digest's Markdown rendered in two threads at once: cmark-gfm's
    table extension pushes and pops the library's one arena around each table, whatever
    the parser's allocator, so the digest's parse through cmarkgfm's own function (outside
    the lock) freed blocks the site's was using (a crash, most runs). Both take the lock.
    In a process of its own: what failed was a crash."""
    import subprocess
    import sys

    script = f"""
from concurrent.futures import ThreadPoolExecutor
from pipeline import cmark
from pipeline.digest.markdown import to_html
body = {TABLES!r}
site, digest = cmark.html(body), to_html(body, "")
with ThreadPoolExecutor(2) as threads:
    sites = threads.submit(lambda: {{cmark.html(body) for _ in range(300)}})
    digests = threads.submit(lambda: {{to_html(body, "") for _ in range(300)}})
    print(sites.result() == {{site}} and digests.result() == {{digest}})
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=600)
    assert (done.returncode, done.stdout.strip()) == (0, "True"), done.stderr[-500:]


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="needs Linux's /proc")
def test_the_digests_markdown_does_not_grow_memory():
    """The digest's Markdown went through cmarkgfm's own function, which never frees the
    document nor the HTML, and, once the arena existed, left each table's rows unfreed
    too (about 0.9 KB a table)."""
    from pipeline.digest.markdown import to_html

    for _ in range(20):
        to_html(TABLES, "")
    before = _rss_kib()
    for _ in range(300):
        to_html(TABLES, "")
    assert _rss_kib() - before < 4096


OWN_HTML_PIECES = ["<p>", "</p>", "<a href=\"/x\">", "<a href=\"javascript:x\">", "</a>",
                   "<em>", "</em>", "<br />", "<hr />", "<h2>", "<h7>", "<b>", "<", "text", "\n",
                   '<input type="checkbox" disabled="" />', '<img src="/i.png" alt="a />" />',
                   '<img src="/i.png" alt="a" />', '<code class="language-py">', "</code>",
                   '<th align="left">', '<a href="https://x.org/" title="t">', "<a>", "&amp;"]


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.sampled_from(SANITISED_PIECES), max_size=12).map("".join)
       .map(commonmark_html)
       | st.lists(st.sampled_from(OWN_HTML_PIECES), max_size=16).map("".join))
def test_cmarks_own_html_is_found_as_the_plain_match_finds_it(fragment):
    """_cmark_own (a search from `<` to `<`) answers as the plain form, a match of text,
    cmark's own tags and links over the whole HTML."""
    from pipeline.publish import markdown

    plain = re.compile(f"(?:[^<]++|<(?:{markdown._OWN_TAG}|{markdown._OWN_LINK}))*+")
    assert (markdown._cmark_own(fragment) is not None) == bool(plain.fullmatch(fragment))


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.sampled_from([*SANITISED_PIECES, " />", "/>", "\\>", " /&gt;", "<br />",
                                 "a  \nb", "***\n", "![a](/i)", "![a />](/i \"t />\")",
                                 "[![a](/i)](/y)", "- [ ] x\n", "`a />`", "    />\n"]),
                max_size=12).map("".join))
def test_cmarks_own_html_holds_a_void_tag_where_it_holds_its_end(markdown_text):
    """Of cmark's own HTML of a body with no raw HTML (which _sanitised gives nh3),
    _cmark_own tells (in the same search) whether it holds a ` />` as a search of it
    does: only a void tag ends so (text and values have `&gt;`)."""
    from pipeline.publish import markdown

    fragment = commonmark_html(markdown_text)
    own = None if markdown._RAW_TAG_RE.search(markdown_text) else markdown._cmark_own(fragment)
    assert own is None or own == (" />" in fragment)


def test_the_sanitiser_is_skipped_only_for_cmarks_own_html():
    """The bodies of the shipped catalog and the hostile one render as with nh3 on each;
    those without raw HTML, a comment or a URL nh3 would change skip it."""
    from conftest import REPO
    from pipeline.publish import markdown

    bodies = [p.read_text(encoding="utf-8").split("\n---\n", 1)[-1]
              for p in sorted((REPO / "entries").rglob("*.md"))]
    bodies += [EXL2_BODY, hostile_body(), *MARKDOWN]
    for text in bodies:
        made = commonmark_html(text)
        assert markdown._sanitised(made, text, markdown._CLEANER) == \
            markdown._CLEANER.clean(made)
    calls = []

    class Counting:
        def clean(self, fragment):
            calls.append(fragment)
            return markdown._CLEANER.clean(fragment)

    for text in ["A [link](https://x.org/a?b=1&c=2) and *words* \"quoted\".\n",
                 "| a |\n|:-:|\n| 1 |\n\n- [x] done\n\n```py\nx\n```\n\n---\n"]:
        markdown._sanitised(commonmark_html(text), text, Counting())
    for text in [hostile_body(), "<!-- note -->\n", "[a](JAVASCRIPT:x)\n", "<b>x</b>\n",
                 "[a](https://)\n", "[a <https://x.org>](/y)\n"]:
        markdown._sanitised(commonmark_html(text), text, Counting())
    assert len(calls) == 6


ASCII_WHITE_SPACE = [" ", "\n", "\t", "\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x1f",
                     "\x00", "\x07", "\x7f", "a", "-", ".", "1"]
WHITE_SPACE_TEXT = st.text(st.sampled_from(
    [*ASCII_WHITE_SPACE, "\x85", "\xa0", "\u1680", "\u2000", "\u200b", "\u2028", "\u2029",
     "\u202f", "\u3000", "\xad", "\ufeff", "é", "日"]), max_size=40) \
    | st.text(st.sampled_from(ASCII_WHITE_SPACE), max_size=40)  # (ASCII is read its own way)


@settings(max_examples=3000, deadline=None)
@given(WHITE_SPACE_TEXT)
def test_search_text_has_each_run_of_white_space_as_one_space(text):
    """plain_text's white space is what `" ".join(text.split())` makes of it, whatever
    white space the text holds (its fast way takes only spaces and line feeds)."""
    assert plain_text(text) == " ".join(text.split())
    assert plain_text(f"<p>{text}</p>\n<p>{text}</p>") == " ".join((text + "\n" + text).split())


def _fragments_with_marks():
    """HTML around marks: whole ones (numbers, words, none), marks cut short, the marks'
    characters alone, marks in a tag's attribute."""
    from pipeline.publish import markdown

    opening, close = markdown._OPENING, markdown.MARK_CLOSE
    return st.lists(st.sampled_from([
        f"{opening}1{close}", f"{opening}1, 2{close}", f"{opening}12{close}",
        f"{opening}w{'see '.encode().hex()}003100{close}", markdown._A_MARK, f"{opening}1",
        f"{opening}x{close}", f"{opening}1,2{close}", opening, markdown.MARK_OPEN, close,
        "<p>", "</p>", '<a href="/x" title="', '">', "</a>", '<img alt="', '" />', " ", "a",
        "1", ", "]), max_size=20).map("".join)


@settings(max_examples=2000, deadline=None)
@given(st.data(), st.booleans())
def test_marks_become_what_one_substitution_of_each_makes(data, cold):
    """cite_marks (the fragment cut at each mark, the HTML of its numbers taken from
    those made before) is one substitution of _MARK_RE over it, marks in tags first,
    whichever numbers were made before."""
    from pipeline.publish import markdown

    fragment = data.draw(_fragments_with_marks())
    with pytest.MonkeyPatch.context() as patch:
        if cold:
            patch.setattr(markdown, "_MARKS_HTML", {})
        first = markdown.cite_marks(fragment)
        expected = markdown._TAG_WITH_MARK_RE.sub(
            lambda t: markdown._MARK_RE.sub(markdown._mark_text, t.group(0)), fragment)
        expected = markdown._MARK_RE.sub(markdown._mark_html, expected)
        assert first == expected
        assert markdown.cite_marks(fragment) == expected  # its numbers' HTML known now


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.sampled_from(["<a>", '<a href="/x">', '<a href="https://x.org/" title="t">',
                                 "<abbr>", "</a>", "</a", "</ab>", "<", "/a>", "a", "\n",
                                 "<em>", "</em>", "<img src=\"/i\">", " "]),
                max_size=16).map("".join))
def test_links_are_found_as_a_lazy_search_finds_them(fragment):
    """_ANCHOR_RE (a link's words a run at a time) finds what `<a\\b([^>]*)>(.*?)</a>`
    finds."""
    from pipeline.publish import markdown

    lazy = re.compile(r"<a\b([^>]*)>(.*?)</a>", re.S)
    assert [m.span() + m.groups() for m in markdown._ANCHOR_RE.finditer(fragment)] == \
        [m.span() + m.groups() for m in lazy.finditer(fragment)]


@pytest.mark.parametrize("reference", ["&#1;", "&#2;", "&#x1b;", "&#127;", "&#x9F;"])
def test_a_character_reference_writes_no_control_character_into_the_page(reference):
    """The loader refuses a control character typed; one written as a character reference
    (in text, a link's title, a table) is U+FFFD on the page and in the search text, as
    cmark makes `&#0;`, and a citation beside it is a citation all the same. In code it
    stays the reference as written."""
    from pipeline.textchars import INVISIBLE

    text = (f"A {reference}claim [@a]{reference}.\n\n"
            f'[l](https://example.org/ "t {reference}") | a |\n\n| a | b |\n|---|---|\n'
            f"| {reference} | x |\n\n`{reference}`\n")
    body, _ = render(entry(text, sources=("a",)))
    for out in (body.html, body.text):
        assert INVISIBLE.search(out) is None, repr(out)
    assert "\ufffdclaim" in body.text
    assert '<sup class="cite">[<a href="#source-1">1</a>]</sup>\ufffd.' in body.html
    assert f"<code>{reference.replace('&', '&amp;')}</code>" in body.html


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(["```", "~~~", "python", "{.x}", "\n", " ", "x", "`", "~",
                                 "    ", '<code class="a">', "</code>", "<", "&lt;", "&#96;",
                                 '"', "=", "[@a]", "- ", "> "]), max_size=14).map("".join))
def test_a_code_class_comes_only_from_a_fence_or_raw_html(text):
    """_render looks for `<code class="` in the HTML only when the Markdown holds a
    backtick, a tilde or a `<` (a fence with an info string, or raw HTML): cmark writes
    one from nothing else."""
    html = commonmark_html(text)
    assert '<code class="' not in html or any(c in text for c in "`~<")


def test_an_href_whose_slashes_a_tab_splits_is_the_host_a_browser_opens():
    """Found in review: `/<tab>/host` (or a line break between the slashes) was taken for a
    site path, so a paid link written so was published with no `rel` and no label; a
    browser drops the tab and opens the host."""
    for raw in ("/\t/shop.example/a?tag=x", "/&#9;/shop.example/a?tag=x",
                "/\n/shop.example/a?tag=x"):
        e = entry(f'<a href="{raw}">one</a> and [d](/glossary/awq)\n')
        body, _ = render(e, is_affiliate=lambda url: "shop.example" in url,
                         rel="sponsored", label="(paid link)")
        assert body.site_paths == ["/glossary/awq"], raw
        assert body.html.count('rel="sponsored"') == 1 and "(paid link)" in body.html, raw
