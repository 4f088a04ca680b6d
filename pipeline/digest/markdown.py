"""The digest's Markdown as safe HTML: cmarkgfm (GitHub flavour), then nh3.

Raw HTML in the Markdown is dropped (cmark's safe mode), the result is
sanitised with nh3, site paths (`/tools/vllm`) become absolute URLs on the
site, and for e-mail each tag gets inline styles (mail clients ignore most
style sheets). What an e-mail cannot show is written another way, never lost:
an image is its alt text (an e-mail loads no image, which would tell the
sender who opened it), a task list's boxes are ☐ and ☑, and headings of
levels 5 and 6 are of level 4. A footnote (`[^1]`, `[^1]: note`) stays as typed.
"""

from __future__ import annotations

import html
import re

import nh3

from ..cmark import github_html
from ..textchars import INVISIBLE, has_words
from .document import ANY_MARKER_RE

TAGS = {"a", "b", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "hr", "i",
        "li", "ol", "p", "pre", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul"}
ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}, "th": {"align"}, "td": {"align"}}
SCHEMES = {"http", "https", "mailto"}

# No web font: MJML links Google Fonts for a font it knows by name (Roboto, Lato...),
# and every open of the e-mail would then tell Google the reader's address.
FONT = "font-family:-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;"
# A cell's words stay whole: MJML's text sets `word-break:break-word`, which let a cell of
# a table shrink to a letter on a phone ("Car/d", "VR/A/M", found in review). A table
# whose words cannot fit scrolls sideways in its box (_TABLE_BOX; `contain:inline-size`
# keeps its width out of the e-mail's, which it would widen past a phone's screen; a
# client without it shows the wider e-mail, words whole). A cell with a long word (an
# address) may break it anywhere (see _long_cell): read whole, not scrolled to.
_CELL = ("padding:4px 6px;border:1px solid #cccccc;vertical-align:top;font-size:14px;"
         "line-height:1.4;word-break:normal;overflow-wrap:break-word;")
_TABLE_BOX = "max-width:100%;overflow-x:auto;contain:inline-size;"
_LONG_WORD = 20  # characters; about 140 px at 14 px, half of a phone's column
EMAIL_STYLES = {  # inline styles of each tag in the e-mail
    "a": {"style": "color:#0b57d0;text-decoration:underline;"},
    "h1": {"style": FONT + "font-size:26px;line-height:1.25;margin:0 0 16px;"},
    "h2": {"style": FONT + "font-size:20px;line-height:1.3;margin:28px 0 10px;"},
    "h3": {"style": FONT + "font-size:17px;line-height:1.3;margin:20px 0 8px;"},
    "h4": {"style": FONT + "font-size:15px;line-height:1.3;margin:16px 0 6px;"},
    "p": {"style": "margin:0 0 14px;"},
    "ul": {"style": "margin:0 0 14px;padding:0 0 0 22px;"},
    "ol": {"style": "margin:0 0 14px;padding:0 0 0 22px;"},
    "li": {"style": "margin:0 0 8px;"},
    "blockquote": {"style": "margin:0 0 14px;padding:0 0 0 12px;border-left:3px solid #cccccc;"},
    "code": {"style": "font-family:Menlo,Consolas,monospace;font-size:14px;"},
    # a long line of code wraps: unwrapped, it widened the whole e-mail past a phone's
    # screen, every section cut at its right edge (found in review)
    "pre": {"style": "white-space:pre-wrap;word-wrap:break-word;overflow-wrap:anywhere;"
                     "margin:0 0 14px;"},
    "table": {"style": "border-collapse:collapse;margin:0 0 14px;"},
    "th": {"style": _CELL},  # aligned by its `align`: left when the Markdown sets none
    "td": {"style": _CELL},
}
# What cmark writes that the e-mail shows another way (see the module's docstring).
_IMAGE_RE = re.compile(r'<img src="[^"]*" alt="([^"]*)"(?: title="[^"]*")? />')
_CHECKBOX_RE = re.compile(r'<input type="checkbox"( checked="")? disabled="" />')
_SMALL_HEADING_RE = re.compile(r"<(/?)h[56]>")
# A link cmark emptied (its address was `javascript:`, `data:`..., or none was written):
# its words, no link (nh3 would make it one to the site's home page).
_EMPTY_LINK_RE = re.compile(r'<a href=""(?: title="[^"]*")?>(.*?)</a>', re.S)
# A link the sanitiser took the address of (`ftp:`, `tel:`: not a scheme it keeps): an
# `<a>` with no href, styled as a link in the e-mail, that leads nowhere. Its words.
_HREFLESS_RE = re.compile(r'<a(?![^>]*\shref=)(?:\s[^>]*)?>(.*?)</a>', re.S)

# A footnote's mark (`[^1]`) and its definition (`[^1]: note`) stay as typed: cmark (with
# no footnotes) reads a definition of one word or an address as a link reference
# definition, which makes the mark a link to it (`<a href="note">^1</a>`) and drops the
# definition's line. Its brackets are put aside as _BRACKETS while cmark renders, in text
# and code alike, then put back (a link's address has them percent-encoded): both, so
# that a mark in a link's words (`[the paper[^1]](https://...)`) leaves the link whole.
_FOOTNOTE_RE = re.compile(r"\[(\^[^\]\s]+)\](?!\()")
_BRACKETS = ("\ue000", "\ue001")  # private-use characters (a text that has one keeps its
# brackets as they are)
_BRACKETS_IN_URL = ("%EE%80%80", "%EE%80%81")

_CELL_RE = re.compile(r'(<t[dh]\b[^>]*style=")([^"]*)("[^>]*>)(.*?)(</t[dh]>)', re.S)
_LONG_WORD_RE = re.compile(r"[^\s<>]{%d,}" % _LONG_WORD)
_HREF_RE = re.compile(r'<a href="([^"]*)"([^>]*)>(.*?)</a>', re.S)

# Raw HTML is dropped (cmark's safe mode writes a comment for each piece, which the
# sanitiser removes), but what a tag typed among the words meant for the layout stays: a
# `<br>` (`<br/>`, `<BR />`) is a line break, and a tag a browser breaks the words at (a
# `<p>`, a `<div>`...) a space. Dropped, both joined the words on each side ("foo<br>bar"
# read "foobar" in the e-mail and its text part: found in review).
_OMITTED = "<!-- raw HTML omitted -->"
_RAW_BREAK_RE = re.compile(r"<br\s*/?>", re.I)
_RAW_BLOCK_TAG_RE = re.compile(
    r"</?(?:address|article|aside|blockquote|dd|div|dl|dt|figcaption|figure|footer|h[1-6]"
    r"|header|hr|li|main|nav|ol|p|pre|section|table|tbody|td|tfoot|th|thead|tr|ul)\b", re.I)


def strip_markers(markdown: str) -> str:
    """The Markdown without the pipeline's marker lines."""
    return "".join(line for line in markdown.splitlines(keepends=True)
                   if not ANY_MARKER_RE.match(line.strip()))


def footnotes_aside(markdown: str) -> str:
    """`markdown` with the brackets of each footnote mark and definition put aside (one
    character for one: lines and columns stay), so that cmark, and the link finders
    that read as it does, see no link in them, and the link around a mark stays one."""
    return (_FOOTNOTE_RE.sub(rf"{_BRACKETS[0]}\1{_BRACKETS[1]}", markdown)
            if "[^" in markdown else markdown)


def to_html(markdown: str, base_url: str, email: bool = False, page_url: str = "") -> str:
    """Safe HTML of a Markdown text; site paths made absolute on `base_url` (left as they
    are with base_url "", for a page on the site itself). A link to a place on the page
    (`#fragment`) goes to that place of `page_url`, the digest's own page (made absolute
    on the site's root, it led to the site's home page); the page's headings (not the
    e-mail's) carry ids for it (see _heading_ids)."""
    markdown = strip_markers(markdown)
    aside = "[^" in markdown and not any(c in markdown for c in _BRACKETS)
    if aside:
        markdown = footnotes_aside(markdown)
    raw = github_html(markdown)
    if _OMITTED in raw:
        raw = _raw_html_as_layout(raw, markdown)
    if aside:
        for bracket, typed, in_url, typed_in_url in zip(_BRACKETS, "[]", _BRACKETS_IN_URL,
                                                        ("%5B", "%5D")):
            raw = raw.replace(bracket, typed).replace(in_url, typed_in_url)
    if page_url and '<a href="#' in raw:
        raw = raw.replace('<a href="#', f'<a href="{html.escape(page_url)}#')
    if "<img " in raw:
        raw = _IMAGE_RE.sub(r"\1", raw)  # the alt text, escaped by cmark as the image was
    if "<input " in raw:
        raw = _CHECKBOX_RE.sub(lambda m: "\u2611" if m.group(1) else "\u2610", raw)
    if '<a href=""' in raw:
        raw = _EMPTY_LINK_RE.sub(r"\1", raw)
    if "<th>" in raw:
        raw = raw.replace("<th>", '<th align="left">')
    if "<h5>" in raw or "<h6>" in raw:
        raw = _SMALL_HEADING_RE.sub(r"<\1h4>", raw)
    relative = ("rewrite_with_root", base_url.rstrip("/") + "/", "") if base_url else "pass_through"
    clean = nh3.clean(
        raw,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes=SCHEMES,
        link_rel=None,
        url_relative=relative,
        set_tag_attribute_values=EMAIL_STYLES if email else None,
    )
    if "&#" in markdown:  # a control character written as a reference (`&#1;`, `&#x1b;`:
        # typed, the digest is refused), which no e-mail or page can hold: U+FFFD, as
        # cmark makes `&#0;` (in code the reference stays as written)
        clean = INVISIBLE.sub("\ufffd", clean)
    if "<a" in clean:
        clean = _HREFLESS_RE.sub(r"\1", clean)
    if not email and "<h" in clean:
        clean = _heading_ids(clean)
    if email and "<table" in clean:
        clean = _CELL_RE.sub(_long_cell, clean)
        clean = clean.replace("<table ", f'<div style="{_TABLE_BOX}"><table ').replace(
            "</table>", "</table></div>")
    return clean.strip() + "\n"


_HEADING_TAG_RE = re.compile(r"<h([1-4])>(.*?)</h\1>", re.S)


def _heading_ids(fragment: str) -> str:
    """The page's fragment with an id on each heading, made from its words as an entry's
    page makes them (`## Corrections` -> `id="corrections"`): a link to `#corrections`,
    from the e-mail or the page, leads there (without ids it led nowhere: found in
    review). The e-mail's headings need none: its links go to the page. A line break in
    a heading (`## One<br>Two`) parts its words as a space does (`one-two`): dropped with
    the tag, they ran together (`onetwo`, found in review)."""
    from ..publish.markdown import _id_maker

    make = _id_maker()
    return _HEADING_TAG_RE.sub(
        lambda m: f'<h{m[1]} id="{make(_BR_TAG_RE.sub(" ", m[2]))}">{m[2]}</h{m[1]}>', fragment)


_BR_TAG_RE = re.compile(r"<br\s*/?>")


def _raw_html_as_layout(raw: str, markdown: str) -> str:
    """cmark's HTML with each raw `<br>` typed among the words a line break, and each raw
    tag a browser breaks the words at a space (see _RAW_BREAK_RE); the rest of the raw
    HTML stays dropped."""
    from ..cmark import raw_html

    pieces = raw_html(markdown)
    if len(pieces) != raw.count(_OMITTED):  # not expected: one comment for each
        return raw
    out = iter(pieces)

    def one(_m: re.Match) -> str:
        inline, text = next(out)
        if not inline:
            return _OMITTED
        if _RAW_BREAK_RE.fullmatch(text.strip()):
            return "<br />"
        return " " if _RAW_BLOCK_TAG_RE.match(text) else _OMITTED

    return re.sub(re.escape(_OMITTED), one, raw)


_PARAGRAPH_RE = re.compile(r"<p>(.*?)</p>", re.S)
_TAG_RE = re.compile(r"<[^>]*>")


def first_paragraph(markdown: str) -> str:
    """The words of a Markdown text's first paragraph that has any, as plain text (""
    without one): the summary of a digest archive that gives none. A paragraph of spaces
    only (`&nbsp;`, `&emsp;`, an empty `*&nbsp;*` or link), or of invisible characters
    (`&#8203;`), is passed over: taken, the archive's summary was empty (found in
    review)."""
    for found in _PARAGRAPH_RE.finditer(to_html(markdown, "")):
        text = " ".join(html.unescape(_TAG_RE.sub("", found.group(1))).split())
        if has_words(text):
            return text
    return ""


def _long_cell(m: re.Match) -> str:
    """A table cell holding a long word (an address), which it may break anywhere
    (`anywhere` lowers the cell's narrowest width; `break-word` does not), with
    `break-word` kept for a mail client that does not know `anywhere`."""
    words = re.sub(r"<[^>]*>", " ", m.group(4))
    if not _LONG_WORD_RE.search(words):
        return m.group(0)
    return f"{m.group(1)}{m.group(2)}overflow-wrap:anywhere;{m.group(3)}{m.group(4)}{m.group(5)}"


def hrefs(fragment: str) -> list[str]:
    """The link targets of a sanitised HTML fragment, in order."""
    return [html.unescape(m.group(1)) for m in _HREF_RE.finditer(fragment)]


def without_paid_links(fragment: str, is_paid) -> str:
    """The fragment without its paid links (each with its words): what is left shows no
    label after it."""
    return _HREF_RE.sub(lambda m: "" if is_paid(html.unescape(m.group(1))) else m.group(0),
                        fragment)


def mark_paid(fragment: str, is_paid, rel: str, label: str) -> str:
    """Give each paid link `rel` and follow it with the visible label (in a span, as the
    site's pages have it: the text part keeps its words on one line)."""

    def one(m: re.Match) -> str:
        href, attrs, text = m.group(1), m.group(2), m.group(3)
        if not is_paid(html.unescape(href)):
            return m.group(0)
        return (f'<a href="{href}" rel="{html.escape(rel)}"{attrs}>{text}</a> '
                f'<span class="paid-label">{html.escape(label)}</span>')

    return _HREF_RE.sub(one, fragment)
