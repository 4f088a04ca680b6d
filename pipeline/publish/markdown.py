"""An entry's Markdown body as sanitised HTML, with numbered citations.

cmarkgfm renders CommonMark with GitHub tables; nh3 then keeps only an
allow-list of tags, attributes and URL schemes, so `<script>`, `on*=`
handlers and `javascript:` links never reach a page, whatever an editor
typed. Before rendering, Pandoc citations `[@a; @b]` become numbered links
to the source list and `<!-- no-cite -->` markers are dropped; code is left
as written. After sanitising, headings get ids (for `/glossary/awq#kernels`)
and affiliate links get `rel="sponsored nofollow noopener"` and a visible
"(paid link)" label.
"""

from __future__ import annotations

import html
import re
import secrets
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from operator import itemgetter
from urllib.parse import urlsplit, urlunsplit

import nh3

from .. import cmark
from ..affiliates.classify import normalise_url
from ..catalog.model import Entry
from ..catalog.text import (CITE_KEY_RE, NO_CITE_IN_LINE_RE, cite_groups,
                             front_matter_sources, prose_text, site_host)
from ..textchars import INVISIBLE
from .links import TYPED

_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "dd", "del", "details", "div",
    "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i",
    "img", "input", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "samp", "small",
    "span", "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th",
    "thead", "tr", "ul",
}
_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "td": {"align"},
    "th": {"align"},
    "ol": {"start"},
    "code": {"class"},  # only language-*: see _code_classes
    "abbr": {"title"},
    "input": {"checked", "disabled"},
}
# A body may not pass for the page around it: no class on <sup> (a forged citation), an
# <input> only as a task list's checkbox. The body's citations become <sup class="cite">
# after sanitising; only the rare body rendered with its citations as HTML (see
# render_body) goes through _CITING_CLEANER, which lets that one class through.
_VALUES = {"input": {"type": {"checkbox"}}}
_OPTIONS_NH3 = dict(tags=_TAGS, clean_content_tags={"script", "style"}, attributes=_ATTRIBUTES,
                    url_schemes={"http", "https", "mailto"}, link_rel=None, strip_comments=True)
_CLEANER = nh3.Cleaner(**_OPTIONS_NH3, tag_attribute_values=_VALUES)
_CITING_CLEANER = nh3.Cleaner(**_OPTIONS_NH3,
                              tag_attribute_values={**_VALUES, "sup": {"class": {"cite"}}})
_CODE_CLASS_RE = re.compile(r'<code class="([^"]*)">')
_LANGUAGE_CLASS_RE = re.compile(r"language-[^\s\"]+")
# The ids an entry's page gives its own parts (templates/site/base.html and entry.html),
# besides `source-N` for each numbered source (pages.source_items): a heading of the body
# never takes one (the body comes first on the page, so `#source-1` would lead to a
# heading "Source 1").
PAGE_IDS = frozenset({"main", "verdict-heading", "offers-heading", "sources-heading",
                      "corrections-heading", "backlinks-heading",
                      *(f"ref-{field}" for field, _ in TYPED)})
_SOURCE_ID_RE = re.compile(r"source-\d+")
# what a browser drops from an href before reading it (the WHATWG URL parser)
_TAB_OR_BREAK = re.compile("[\t\n\r]")
# (its words up to the first `</a>`, as `.*?` would take them, a run of them at a time)
_ANCHOR_RE = re.compile(r"<a\b([^>]*)>((?:[^<]++|<(?!/a>))*+)</a>")
_HREF_RE = re.compile(r' href="([^"]*)"')
# (its words up to the first `</hN>`, as `.*?` would take them, a run of them at a time)
_HEADING_RE = re.compile(r"<h([2-4])>((?:[^<]++|<(?!/h\1>))*+)(</h\1>)")
_TAG_RE = re.compile(r"<[^>]+>")
# A citation travels through cmark and nh3 as a mark: a control character (U+0001), a
# secret drawn when the process starts, the numbers it links to, another (U+0002) (see
# MarkedBody.markdown). Without the secret, no text an editor writes (the characters
# themselves or their entities, which cmark decodes) can pass for a mark; the secret
# never reaches the output. cmark and nh3 keep both characters where they are, in text
# and in attribute values; neither is white space, punctuation or a letter to either
# (nor to str.isspace and str.isalnum), as the private-use characters used before were
# not, so a mark stands in the same places: an autolink ends at one, emphasis is read
# around one alike. Being ASCII, they keep an ASCII body's strings at one byte a
# character through cmark, nh3 and every search here (private-use characters made them
# two bytes a character).
# But an address cmark's autolink extension finds in the text (`www.x.org`,
# `https://x.org/p`) runs on to the next white space or `<`, over a mark, as over the
# citation it stands for (`www.x.org[@a]`): a citation ends an address, as its HTML's
# `<sup` does, so a mark that follows one with no white space or `<` between is written
# after a `<` and an empty mark (_AN_END), which the address stops at; cmark and nh3
# write the `<` as `&lt;` (in text or in an attribute's value), and that with the empty
# mark (_AN_END_HTML, which no editor can write) is dropped from the sanitised HTML.


def _mark_patterns(open_: str, close: str) -> tuple:
    """MARK_OPEN, MARK_CLOSE and what finds marks made of them (see the module's
    globals below)."""
    return (open_, close,
            re.compile(f"{open_}{_SECRET}(?:([0-9]+(?:, [0-9]+)*)|w([0-9a-f]+)){close}"),
            re.compile(f"<[^>]*{open_}{_SECRET}[^>]*>"),
            re.compile(f"{open_}{_SECRET}[^{close}]*{close}"),
            f"{open_}{_SECRET}{close}",
            f"{open_}{_SECRET}",
            f"<{open_}{_SECRET}{close}",
            f"&lt;{open_}{_SECRET}{close}")


_SECRET = secrets.token_hex(8)
(MARK_OPEN, MARK_CLOSE, _MARK_RE, _TAG_WITH_MARK_RE, _ANY_MARK_RE, _A_MARK, _OPENING,
 _AN_END, _AN_END_HTML) = _mark_patterns("\x01", "\x02")
# What ends the text an autolink may take (cmark's white space, and `<`), and what starts
# an address in it: `www.` or a scheme's `://` (both spellings, to be sure; an e-mail
# address ends at a mark's control character).
_RUN_STOPS = " \t\n\x0b\x0c\r<"
_ADDRESS_START_RE = re.compile(r"(?i)www\.|://")
_CITE_HTML_RE = re.compile('<sup class="cite">.*?</sup>', re.S)
_NON_WORD_RE = re.compile(r"[^a-z0-9]+")
# Where a body may hold raw HTML (a tag, or the end of one), not an autolink or a comment.
_RAW_TAG_RE = re.compile(r"<(?!https?:|mailto:|!--)[A-Za-z/?!]", re.IGNORECASE)


# cmark's HTML of a body with no raw HTML in it that nh3 gives back as it is (see
# _sanitised): cmark's own tags, in its spelling, attributes and values nh3 keeps.
# An attribute's value: no control character (nh3 makes a NUL U+FFFD), no `<`, `>` or
# `"` (which nh3 writes as entities); of the entities cmark writes there, `&amp;` and
# `&#x27;` (a `'` in a URL, which nh3 writes `'`). A no-break space nh3 writes `&nbsp;`.
_OWN_VALUE = r'(?:[^"&<>\x00-\x1f\x7f-\x9f]++|&(?:amp|#x27);)*+'
# A URL nh3 keeps, as cmark writes it (percent-encoded: no space, no control character):
# http(s) with a host the URL parser takes (ASCII labels, no `--`, so no punycode, the
# last one no number, which would make it an IPv4 address; a port of at most 4 digits),
# mailto, or one with no scheme, which nh3 keeps whatever it holds. Any other goes
# through nh3, which drops what it does not keep (`javascript:`, `HTTP:`, `https://`).
_OWN_LABEL = r"[A-Za-z0-9]++(?:-[A-Za-z0-9]++)*+"
_OWN_URL = (rf'(?:https?://(?:{_OWN_LABEL}\.)*+[A-Za-z][A-Za-z0-9]*+(?:-[A-Za-z0-9]++)*+'
            rf'(?::[0-9]{{1,4}})?(?=[/?#"])|mailto:|(?![A-Za-z][A-Za-z0-9+.-]*+:)){_OWN_VALUE}')
_OWN_VOID = (rf'br />|hr />|img src="{_OWN_URL}" alt="{_OWN_VALUE}"(?: title="{_OWN_VALUE}")? />'
             r'|input type="checkbox"(?: checked="")? disabled="" />')
# cmark's tags, as cmark writes them, but a link; and a link (its words, up to its end),
# which holds no link (cmark writes an autolink in a link's text inside it: nh3 moves it
# out). No `<` stands inside one of these tags (nor in a link's own tag).
_OWN_TAG = (r'/?(?:p|t[dhr]|h[1-6]|li|ul|ol|em|strong|code|pre|del|blockquote|table'
            r'|thead|tbody)>|t[hd] align="(?:left|center|right)">|ol start="[0-9]++">'
            rf'|code class="{_OWN_VALUE}">|{_OWN_VOID}')
_OWN_LINK = (rf'a href="{_OWN_URL}"(?: title="{_OWN_VALUE}")?>'
             rf'(?:[^<]++|<(?:/?(?:em|strong|del|code)>|{_OWN_VOID}))*+</a>')
# What _cmark_own asks, `(?:[^<]++|<(?:{_OWN_TAG}|{_OWN_LINK}))*+` matching the whole
# HTML (text, cmark's tags and links), as a search from `<` to `<` that does not read
# the text between: it finds each link whole (the `<`s in it are its own), each void
# tag (which ends in ` />`) and each `<` that starts none of them, a match of one
# character.
_OWN_OR_NOT_RE = re.compile(f"<(?:{_OWN_LINK}|{_OWN_VOID}|(?!{_OWN_TAG}))")


def _cmark_own(fragment: str) -> bool | None:
    """Is the HTML text, cmark's own tags and links alone: does
    `(?:[^<]++|<(?:{_OWN_TAG}|{_OWN_LINK}))*+` match all of it? None when not; else
    whether it holds a void tag, whose ` />` is the only one it holds (text and values
    have their `>` as `&gt;`): told in the same search, for the search of ` />` reads
    every character."""
    voids = False
    for m in _OWN_OR_NOT_RE.finditer(fragment):
        if m.end() == m.start() + 1:  # a `<` of none of them
            return None
        voids = voids or " />" in m.group()  # (a void tag, or a link holding an image)
    return voids


def _sanitised(fragment: str, markdown: str, cleaner) -> str:
    """cmark's HTML of `markdown`, sanitised: what `cleaner` makes of it, without nh3's
    work when the body holds no raw HTML (comments and autolinks aside, see _RAW_TAG_RE)
    and the HTML holds only what cmark writes that nh3 keeps (_cmark_own). Then every
    tag is cmark's, nested as html5ever's tree builder leaves it, and all text cmark's
    own: `<`, `>`, `&` and `"` written as entities, no NUL (cmark's U+FFFD) nor CR (a line
    feed). nh3 writes it back as it was, but for a void tag's ` />` (`>`), a `&quot;`
    (`"`: in text, none is in a value), a `&#x27;` (`'`: in a URL) and a no-break space
    (`&nbsp;`). Anything else (a comment too) goes through nh3."""
    if _RAW_TAG_RE.search(markdown):
        return cleaner.clean(fragment)
    voids = _cmark_own(fragment)
    if voids is None:
        return cleaner.clean(fragment)
    if "&" in fragment:
        if "&quot;" in fragment:
            fragment = fragment.replace("&quot;", '"')
        if "&#x27;" in fragment:
            fragment = fragment.replace("&#x27;", "'")
    if voids:
        fragment = fragment.replace(" />", ">")
    if "\xa0" in fragment:
        fragment = fragment.replace("\xa0", "&nbsp;")
    return fragment


def _tags_are_plain(cleaner) -> bool:
    """Does the sanitiser write `<` and `>` in attribute values as entities? Then every
    `<` of its output starts a tag and every `>` ends one, which `cite_marks` relies on
    to tell a mark inside a tag from one in text. (nh3 does from 0.3.7; before, a `>`
    in a title could end what `<[^>]*>` takes for a tag, and a mark turned into markup
    there would break out of the attribute.)"""
    out = cleaner.clean('<a href="https://x.org/" title="a<b>c">t</a>')
    return "&lt;b&gt;" in out and "<b>" not in out


_MARKS = _tags_are_plain(_CLEANER)


def commonmark_html(markdown: str) -> str:
    """CommonMark with GitHub tables, strikethrough, autolinks and task lists, as HTML
    (raw HTML kept: the caller sanitises)."""
    return cmark.html(markdown)


@dataclass
class RenderedBody:
    """What a page needs from the body: HTML, plain text, and what it cites and links."""

    html: str
    text: str  # plain text for the search index
    links: list[str] = field(default_factory=list)  # external hrefs, in order, de-duplicated
    site_paths: list[str] = field(default_factory=list)  # internal links (`/glossary/awq`)
    ids: list[str] = field(default_factory=list)  # its headings' ids, in order
    hrefs: list[str] = field(default_factory=list)  # every link's destination, as read


def number_sources(entry: Entry, cited: list[str], bibliography: dict[str, dict]) -> list[dict]:
    """The entry's source list, numbered: cited in the body first, then in front matter,
    then the rest."""
    own = {s["id"]: s for s in entry.sources() if isinstance(s.get("id"), str)}
    order: list[str] = []
    for sid in [*cited, *(sid for _, sid in front_matter_sources(entry)), *own]:
        if sid not in order and (sid in own or sid in bibliography):
            order.append(sid)
    body_cited = set(cited)
    out = []
    for n, sid in enumerate(order, 1):
        source = own.get(sid) or bibliography[sid]
        out.append({**source, "number": n, "cited_in_body": sid in body_cited,
                    "shared": sid not in own})
    return out


class MarkedBody:
    """The body's citation groups and no-cite markers outside code, found in one search.

    The search runs over the body itself, or, when the body holds code, over a copy
    with its code blanked (text.prose_text: code as spaces), which keeps the
    body's offsets: edits land in the right place and never inside code. A group
    is (start, end, cited ids), a marker (start, end).
    """

    def __init__(self, entry: Entry):
        self.entry = entry
        text = prose_text(entry)
        self.groups = cite_groups(entry)
        self.markers = [m.span() for m in NO_CITE_IN_LINE_RE.finditer(text)] \
            if "<" in text and "no-cite" in text else []  # (`<` first: one character)
        self._cited: list[str] | None = None

    def cited_ids(self) -> list[str]:
        """Source ids cited with `[@id]`, in order of first citation (worked out once: the
        same list each call, not to be changed)."""
        if self._cited is None:
            seen: dict[str, None] = {}
            for _, _, keys in self.groups:
                for key in keys:
                    seen.setdefault(key)
            self._cited = list(seen)
        return self._cited

    def markdown(self, numbers: dict[str, int], marks: bool = True) -> str:
        """The body with each citation as a mark (see MARK_OPEN), which `cite_marks` turns
        into numbered links after sanitising (nh3 then has no citation HTML to go through,
        a third of its work on a typical body), and no-cite markers removed. Without
        `marks`, citations are written as HTML links (`<sup class="cite">`)."""
        cite = _cite_mark if marks else _cite_html
        body = self.entry.body
        spans = self.groups
        if self.markers:  # a marker is a span with no keys, written as ""
            spans = sorted([*spans, *((start, end, None) for start, end in self.markers)],
                           key=itemgetter(0))
            if any(a[1] > b[0] for a, b in zip(spans, spans[1:])):
                return self._overlapping(spans, cite, numbers)
        elif not spans:
            return body
        # the groups were found with the body's code blanked: an `@x` in code is no key
        prose = prose_text(self.entry)
        plain = prose is body
        made: dict = {}  # a body cites the same sources again and again
        pieces, at = [], 0
        append = pieces.append
        for start, end, keys in spans:
            if keys is None:  # a no-cite marker
                append(body[at:start])
                at = end
                continue
            written = body[start + 1:end - 1]
            key = written if plain else (written, prose[start + 1:end - 1])
            replacement = made.get(key, made)
            if replacement is made:
                replacement = made[key] = cite(keys, numbers, written,
                                               written if plain else key[1])
            if replacement is not None:
                append(body[at:start])
                if marks and body[start - 1] not in _RUN_STOPS:  # (rare: most follow a
                    append(_address_end(pieces))  # space; at 0, `pieces` are empty)
                append(replacement)
                at = end
        append(body[at:])
        return "".join(pieces)

    def _overlapping(self, spans: list[tuple], cite, numbers: dict[str, int]) -> str:
        """`markdown` where a marker and a group overlap (`[@a <!-- no-cite -->]`): each
        edited as the outer one alone (see _outermost)."""
        body = self.entry.body
        prose = prose_text(self.entry)
        made: dict = {}
        edits = []
        for start, end, keys in spans:
            if keys is None:
                edits.append((start, end, ""))
                continue
            written = body[start + 1:end - 1]
            searched = written if prose is body else prose[start + 1:end - 1]
            if (written, searched) not in made:
                made[written, searched] = cite(keys, numbers, written, searched)
            edits.append((start, end, made[written, searched]))
        pieces, at = [], 0
        for start, end, replacement in _outermost(edits):
            if replacement is not None:
                pieces.append(body[at:start])
                if cite is _cite_mark and replacement:
                    pieces.append(_address_end(pieces))
                pieces.append(replacement)
                at = end
        pieces.append(body[at:])
        return "".join(pieces)


def _address_end(pieces: list[str]) -> str:
    """What goes before a mark that follows `pieces` (the marked body up to it): _AN_END
    when their last run of text with no white space or `<` holds the start of an address
    (cmark's autolink would run on over the mark), else nothing."""
    before = "".join(pieces)
    i = len(before)
    while i and before[i - 1] not in _RUN_STOPS:
        i -= 1
    return _AN_END if _ADDRESS_START_RE.search(before, i) else ""


def _outermost(spans: list[tuple]) -> list[tuple]:
    """Spans sorted by start, without those that start inside an earlier one: a marker
    and a group that overlap (`[@a <!-- no-cite -->]`) are edited as the outer one alone,
    and the rest of the line stays as written."""
    out: list[tuple] = []
    for span in sorted(spans, key=lambda span: (span[0], -span[1])):
        if not out or span[0] >= out[-1][1]:
            out.append(span)
    return out


def _cite_words(keys: tuple[str, ...], written: str,
                searched: str | None = None) -> list[str] | None:
    """A citation group's words around its keys, when it has any besides the `; `
    between them (`[see @a, p. 3]`: a prefix, a locator): its text (between its brackets)
    cut at each key, which takes with it its `@` and Pandoc's `-` that suppresses the
    author (`[-@a]`), and without its comments; None for the usual `[@a]` or `[@a; @b]`,
    found without a search, and for a group with no other words. The keys are searched
    in `searched`, the same text with its code blanked (prose_text), as the group's keys
    were: an `@x` in code (`[see @a, `x @b`]`) is words, not a key (taken for one, a
    source of no number stopped validate and build with a KeyError)."""
    if written == ("@" + keys[0] if len(keys) == 1 else "; ".join(f"@{k}" for k in keys)):
        return None
    pieces, at = [], 0
    for k in CITE_KEY_RE.finditer(written if searched is None else searched):
        start = k.start(1) - 1  # the `@`
        if start > 0 and written[start - 1] == "-" and (
                start == 1 or written[start - 2] in " \t;["):
            start -= 1
        pieces += (written[at:start], k.group(1))
        at = k.end()
    pieces.append(written[at:])
    if "<!--" in written:  # a comment (a no-cite marker) is for editors, never shown
        pieces[::2] = [_COMMENT_RE.sub("", piece) for piece in pieces[::2]]
    if all(not piece.strip(" \t;") for piece in pieces[::2]):
        return None  # `[@a;@b]`, `[-@a]`: no words but the keys
    return pieces


def _cite_html(keys: tuple[str, ...], numbers: dict[str, int], written: str = "",
               searched: str | None = None) -> str | None:
    if not keys or any(k not in numbers for k in keys):
        return None  # not a citation we can number: leave the text as written
    words = _cite_words(keys, written, searched) if written else None
    if words is None:
        links = ", ".join(f"<a href=#source-{numbers[k]}>{numbers[k]}</a>" for k in keys)
        shown = ", ".join(str(numbers[k]) for k in keys)
    else:  # the words as text (every punctuation mark escaped), between the links
        links = "".join(_MARKDOWN_PUNCTUATION_RE.sub(r"\\\g<0>", piece) if i % 2 == 0 else
                        f"<a href=#source-{numbers[piece]}>{numbers[piece]}</a>"
                        for i, piece in enumerate(words))
        shown = "".join(piece.replace("\0", "\ufffd") if i % 2 == 0 else
                        str(numbers[piece]) for i, piece in enumerate(words))
    # (attribute values unquoted: a `"` would end a title or a raw tag's value around it)
    return (f"<sup class=cite {_CITE_ATTRIBUTE}={_SECRET}x{f'[{shown}]'.encode().hex()}>"
            f"[{links}]</sup>")


# The attribute a citation written as HTML carries (which no sanitiser keeps): the secret
# and, in hexadecimal, the citation as text, for where the HTML lands in an attribute (a
# link's title, an image's alt text), as text there (see _cites_as_text).
_CITE_ATTRIBUTE = "data-cite"


_COMMENT_RE = re.compile(r"<!--.*?-->")
_MARKDOWN_PUNCTUATION_RE = re.compile(r"""[!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~]""")


def _cite_mark(keys: tuple[str, ...], numbers: dict[str, int], written: str = "",
               searched: str | None = None) -> str | None:
    if len(keys) == 1 and written == "@" + keys[0]:  # `[@a]`: most citations
        number = numbers.get(keys[0])
        return None if number is None else f"{MARK_OPEN}{_SECRET}{number}{MARK_CLOSE}"
    if not keys or any(k not in numbers for k in keys):
        return None  # not a citation we can number: leave the text as written
    words = _cite_words(keys, written, searched) if written else None
    if words is None:
        return f"{MARK_OPEN}{_SECRET}{', '.join(str(numbers[k]) for k in keys)}{MARK_CLOSE}"
    # with words: they travel in the mark, as hexadecimal (no character cmark or nh3
    # reads), each key's number after a NUL; cite_marks writes them as escaped text
    for i, piece in enumerate(words):  # (a NUL an editor typed is cmark's U+FFFD)
        words[i] = f"\0{numbers[piece]}\0" if i % 2 else piece.replace("\0", "\ufffd")
    return f"{MARK_OPEN}{_SECRET}w{''.join(words).encode().hex()}{MARK_CLOSE}"


def _mark_words(hexadecimal: str) -> list[str]:
    """A mark's words and numbers, alternately (see _cite_mark)."""
    return bytes.fromhex(hexadecimal).decode().split("\0")


def _mark_html(m: re.Match) -> str:
    numbers = m.group(1)
    if numbers is None:
        pieces = _mark_words(m.group(2))
        return ('<sup class="cite">['
                + "".join(html.escape(piece, quote=False) if i % 2 == 0 else
                          f'<a href="#source-{piece}">{piece}</a>'
                          for i, piece in enumerate(pieces))
                + "]</sup>")
    made = _MARKS_HTML.get(numbers)
    if made is None:
        links = ", ".join(f'<a href="#source-{n}">{n}</a>' for n in numbers.split(", "))
        made = f'<sup class="cite">[{links}]</sup>'
        if len(_MARKS_HTML) < 10_000:
            _MARKS_HTML[numbers] = made
    return made


# "1, 2" -> its HTML: the same few numbers are cited on every page (a page's first source
# is 1), so each is made once in a process.
_MARKS_HTML: dict[str, str] = {}


def _mark_text(m: re.Match) -> str:
    """A mark as text, escaped (in a tag's attribute, or in a link's text)."""
    if m.group(1) is not None:
        return f"[{m.group(1)}]"
    return html.escape(f"[{''.join(_mark_words(m.group(2)))}]")


def _words_text(m: re.Match) -> str:
    """A mark with words as the search text has it: as the page shows it."""
    return f"[{''.join(_mark_words(m.group(2)))}]" if m.group(1) is None else m.group(0)


def cite_marks(fragment: str) -> str:
    """Sanitised HTML with its citation marks as numbered links to the source list; a mark
    that ended up inside a tag (a link's title, an image's alt text) as "[1, 2]"."""
    if _SECRET not in fragment:
        return fragment
    if _TAG_WITH_MARK_RE.search(fragment):
        fragment = _TAG_WITH_MARK_RE.sub(lambda t: _MARK_RE.sub(_mark_text, t.group(0)),
                                         fragment)
    # (most bodies) cut at each mark's opening, each mark's numbers up to its closing
    # character: when each are numbers whose HTML is known (_MARKS_HTML holds those of
    # marks made before, each the whole of a mark _MARK_RE finds), the marks are
    # those _MARK_RE finds, without a call for each
    pieces = fragment.split(_OPENING)
    for i in range(1, len(pieces)):
        numbers, closed, rest = pieces[i].partition(MARK_CLOSE)
        made = _MARKS_HTML.get(numbers) if closed else None
        if made is None:
            return _MARK_RE.sub(_mark_html, fragment)
        pieces[i] = made + rest
    return "".join(pieces)


def render_body(entry: Entry, sources: list[dict],
                is_affiliate: Callable[[str], bool] = lambda url: False,
                rel: str = "sponsored nofollow noopener", label: str = "(paid link)",
                marked: MarkedBody | None = None, base_url: str = "") -> RenderedBody:
    """Render an entry's body; `sources` is its numbered source list (see number_sources).

    Links for which `is_affiliate` is true get `rel` and a visible `label` after them.
    A link written as a full URL on our own site (`base_url`'s host, with or without
    `www.`) becomes its site path, as validate checks it: the preview stays on itself,
    and the page it links to lists it among its backlinks.
    Citations go through as marks; in the rare body where one lands where it cannot be
    turned back (inside a link's URL, which cmark percent-encodes), the body is rendered
    again with its citations as HTML through nh3, so the secret never reaches the output
    (one that lands in a link's text or an attribute reads as a mark there does: see
    _cites_in_links_as_text and _cites_as_text).
    """
    numbers = {s["id"]: s["number"] for s in sources}
    marked = marked or MarkedBody(entry)
    host = site_host(base_url) if base_url else ""
    body = _render(marked.markdown(numbers, marks=_MARKS), is_affiliate, rel, label,
                   marks=_MARKS, host=host, ids=None if _MARKS else heading_ids(entry))
    if _MARKS and _SECRET in body.html:  # its links and text come from this HTML
        body = _render(marked.markdown(numbers, marks=False), is_affiliate, rel, label,
                       marks=False, host=host, ids=heading_ids(entry))
    if "&" in entry.body and "&#" in entry.body:  # (the loader refuses the characters
        # typed: only a reference; `&` first, found by a search of one character)
        body.html, body.text = _visible(body.html), _visible(body.text)
    return body


def _visible(text: str) -> str:
    """`text` with each invisible control character (textchars.INVISIBLE) made U+FFFD, as
    cmark makes `&#0;`: a character reference (`&#1;`, `&#x1b;`) outside code writes one,
    which no page can hold (an HTML parse error), nor the search page that shows the text.
    Marks are gone by then, so none of theirs is touched."""
    return INVISIBLE.sub("\ufffd", text)


def paid_link(opening: str, inner: str, label: str, label_id: str) -> str:
    """A paid link (`opening`: its `<a` and attributes, without the `>`; `inner`: its
    HTML) and its visible label after it (`label`: HTML), which the link names as its description
    (`aria-describedby`), so a screen reader moving through the links hears it too.
    `label_id` is unique on the page and no heading's id (those have no `_`)."""
    return (f'{opening} aria-describedby="{label_id}">{inner}</a> '
            f'<span class="paid-label" id="{label_id}">{label}</span>')


def _own_path(url: str, host: str) -> str | None:
    """The site path (with its query and fragment) of a URL on our own site; None for
    any other."""
    parts = urlsplit(url)
    name = (parts.hostname or "").removeprefix("www.")
    if name != host or parts.port is not None or parts.username is not None:
        return None
    if parts.path.startswith("//"):  # as a site path, another host's URL: it stays whole
        return None
    return urlunsplit(("", "", parts.path or "/", parts.query, parts.fragment))


def _render(markdown: str, is_affiliate: Callable[[str], bool], rel: str, label: str,
            marks: bool, host: str = "", ids: list[str] | None = None) -> RenderedBody:
    paid = [0]  # the paid links so far: each label's id is `paid-label_N`
    made = commonmark_html(markdown)
    if not marks and _SECRET in made and "<a" in made:
        made = _cites_in_links_as_text(made)
    clean = _address_ends_dropped(_sanitised(made, markdown,
                                             _CLEANER if marks else _CITING_CLEANER),
                                  markdown)
    if not marks and _SECRET in clean:  # a citation's HTML in a title or alt text
        clean = _cites_as_text(clean)
    if ("`" in markdown or "~" in markdown or "<" in markdown) and '<code class="' in clean:
        # (a fence's info string, or raw HTML: a search of one character each first)
        clean = _CODE_CLASS_RE.sub(_code_classes, clean)
    links: dict[str, None] = {}
    site_paths: dict[str, None] = {}
    hrefs: dict[str, None] = {}

    def anchor(m: re.Match) -> str:
        whole, attributes, inner = m.group(0, 1, 2)
        found = _HREF_RE.search(attributes)
        if found is None:
            if marks and _SECRET in inner:  # a citation in a link's text: no link in a link
                return f"<a{attributes}>{_MARK_RE.sub(_mark_text, inner)}</a>"
            return whole
        raw = found.group(1)
        others = attributes[:found.start()] + attributes[found.end():] \
            if len(attributes) != found.end() - found.start() else ""
        if marks and _SECRET in inner:
            inner = _MARK_RE.sub(_mark_text, inner)
            whole = f'<a href="{raw}"{others}>{inner}</a>'
        href = html.unescape(raw) if "&" in raw else raw
        hrefs.setdefault(href)
        if href.startswith("/") and not href.startswith(("//", "/\\")) and (
                not _TAB_OR_BREAK.search(href) or not normalise_url(href).startswith("http")):
            # (a browser drops tabs and line breaks: `/<tab>/host` goes to that host)
            site_paths.setdefault(href.split("#", 1)[0].split("?", 1)[0])
            return whole
        url = normalise_url(raw)  # `//host`, `https:/host`: where a browser goes
        if host and host in url.lower() and url.startswith(("http:", "https:")):
            path = _own_path(url, host)
            if path is not None:  # our own page: its site path, as validate checks it
                site_paths.setdefault(path.split("#", 1)[0].split("?", 1)[0])
                return f'<a href="{html.escape(path)}"{others}>{inner}</a>'
        if url.startswith(("http:", "https:", "mailto:")):
            links.setdefault(url)
        if not is_affiliate(url):
            return whole
        paid[0] += 1
        return paid_link(f'<a href="{raw}" rel="{html.escape(rel)}"{others}', inner,
                         html.escape(label), f"paid-label_{paid[0]}")

    given: list[str] = []
    clean = _heading_ids(clean, ids, given)  # before paid links get their label, which no id holds
    clean = _ANCHOR_RE.sub(anchor, clean)
    text = plain_text(clean, cites_as_html=not marks)
    return RenderedBody(html=cite_marks(clean) if marks else clean, text=text,
                        links=list(links), site_paths=list(site_paths), ids=given,
                        hrefs=list(hrefs))


def _cites_as_text(fragment: str) -> str:
    """Sanitised HTML with each citation written as HTML that landed in an attribute (a
    link's title, an image's alt text, a raw tag's value: text there, which the sanitiser
    writes with its `<` and `>` as entities, or, before nh3 0.3.7, as they are) as the
    text a mark there becomes ("[1, 2]", "[see 1, p. 3]"); the sanitiser dropped the
    attribute that names it from every citation it kept as HTML. No secret is left."""
    fragment = _CITE_AS_TEXT_RE.sub(
        lambda m: html.escape(bytes.fromhex(m.group(1)).decode()), fragment)
    return _CITE_ATTRIBUTE_RE.sub("", fragment) if _SECRET in fragment else fragment


def _cites_in_links_as_text(fragment: str) -> str:
    """cmark's HTML with each citation written as HTML inside a link's text (a link of
    cmark's or a raw `<a>`, up to its `</a>` or, with none, the end) as the text a mark
    there becomes: no link inside a link, which the sanitiser would have cut in two
    (`<a href="/x">t <sup class="cite">[</sup></a><a href="#source-1">1</a>]`). A link
    that starts inside another ends it, as the HTML parser reads them."""
    inside = False

    def edit(m: re.Match) -> str:
        nonlocal inside
        if m.group(1) is not None:  # a citation (its own links are no link's ends)
            return html.escape(bytes.fromhex(m.group(1)).decode()) if inside else m.group(0)
        if not m.group(0).startswith("<!"):  # (a comment: none of the page)
            inside = not m.group(0).startswith("</")
        return m.group(0)

    return _CITE_OR_LINK_RE.sub(edit, fragment)


# In cmark's HTML: a citation written as HTML (its words escaped, so no `<` but its own
# links'), the start or end of a link, or a comment.
_CITE_OR_LINK_RE = re.compile(
    rf"<sup class=cite {_CITE_ATTRIBUTE}={_SECRET}x([0-9a-f]*)>\["
    r"(?:[^<]|<a href=#source-[0-9]+>[0-9]+</a>)*?\]</sup>"
    r"|<a\b[^>]*>|</a\s*>|<!--.*?-->", re.S | re.I)


_CITE_AS_TEXT_RE = re.compile(
    rf"(?:<|&lt;)sup class=cite {_CITE_ATTRIBUTE}={_SECRET}x([0-9a-f]*)(?:>|&gt;)"
    r'[^"]*?\](?:<|&lt;)/sup(?:>|&gt;)')
_CITE_ATTRIBUTE_RE = re.compile(f" {_CITE_ATTRIBUTE}={_SECRET}x[0-9a-f]*")


def _address_ends_dropped(fragment: str, markdown: str) -> str:
    """The sanitised HTML of `markdown` without the `<` and empty mark written before a
    mark to end an address (see _AN_END)."""
    if "<" in markdown and _AN_END in markdown:  # (`<` first: one character)
        return fragment.replace(_AN_END_HTML, "")
    return fragment


def page_hrefs(markdown: str) -> set[str]:
    """The destinations (as a browser reads them) of the links of a body's page, rendered
    and sanitised as `render_body` does: what validate checks a link written as raw HTML
    against, so that one the page does not have (in a link's title, shown as text) is not
    reported, and what the affiliate checks look at beside the links they find in the
    text. A body with no raw HTML tag (comments and autolinks aside: most bodies) has
    in cmark's output the links the sanitiser would keep, read as they are."""
    made = commonmark_html(markdown)
    clean = _CLEANER.clean(made) if _RAW_TAG_RE.search(markdown) else made  # every `<` in
    # it starts a tag, and every `&` a character reference
    return {html.unescape(found.group(1)) for m in _ANCHOR_RE.finditer(clean)
            if (found := _HREF_RE.search(m.group(1)))}


def plain_text(fragment: str, cites_as_html: bool = False) -> str:
    """The words of an HTML fragment (before `cite_marks`), without its citations, for
    search; `cites_as_html`: its citations are HTML (`<sup class="cite">`), not marks.

    Tags are dropped without a space: cmark ends every block with a newline,
    so words of different blocks stay apart and inline tags join nothing. A citation
    goes with the white space before it ("a claim [1]." -> "a claim."), unless a word
    follows it directly; any other white space stays ("means `:latest`").
    """
    if cites_as_html and '<sup class="cite">' in fragment:
        fragment = _CITE_HTML_RE.sub(_cite_html_text, fragment)  # dropped as marks are, below
    text = _TAG_RE.sub("", fragment)  # a mark inside a tag goes with it
    if "&" in text:
        text = html.unescape(text)
    if MARK_OPEN in text:
        if f"{_SECRET}w" in text:  # a citation with words keeps them, as the page shows it
            text = _MARK_RE.sub(_words_text, text)
        pieces = _ANY_MARK_RE.split(text)  # the text between citations
        for i in range(1, len(pieces)):
            if not pieces[i][:1].isalnum():
                pieces[i - 1] = pieces[i - 1].rstrip()
        text = "".join(pieces)
    # each run of white space one space, none at either end: `" ".join(text.split())`,
    # in a third of the time where the only white space is spaces and line feeds: in
    # ASCII text (most bodies), where no other white space character is found by a
    # search of each (isprintable reads every character), else in printable text (every
    # other white space character is a control or a separator, which are not printable)
    text = text.replace("\n", " ")
    if text.isascii():
        for space in _ASCII_SPACES:
            if space in text:
                return " ".join(text.split())
        return _SPACES_RE.sub(" ", text).strip(" ")
    if text.isprintable():
        return _SPACES_RE.sub(" ", text).strip(" ")
    return " ".join(text.split())


_SPACES_RE = re.compile("  +")  # (two spaces first: found as fast as a string)
# The white space of ASCII besides the space and the line feed, as str.split reads it.
_ASCII_SPACES = ("\t", "\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x1f")


def _cite_html_text(m: re.Match) -> str:
    """A citation written as HTML, for the search text: dropped as a mark is, or, one with
    words (`[see 1, p. 3]`), kept."""
    return _A_MARK if _PLAIN_CITE_HTML_RE.fullmatch(m.group(0)) else m.group(0)


_PLAIN_CITE_HTML_RE = re.compile(r'<sup class="cite">\[<a href="#source-\d+">\d+</a>'
                                 r'(?:, <a href="#source-\d+">\d+</a>)*\]</sup>')


def _code_classes(m: re.Match) -> str:
    """A code element keeps its class when it names the language (cmark's
    `language-python`), so a body cannot borrow the page's styles (a rating badge)."""
    return m.group(0) if _LANGUAGE_CLASS_RE.fullmatch(m.group(1)) else "<code>"


def heading_slug(text: str) -> str:
    """The id of a heading with this text, before numbering: its letters (with their
    accents and vowel signs) and digits of any script, in lower case, each run of
    anything else one hyphen (GitHub makes a hyphen of each space), none at either end
    (`Über-großer Speicher` -> `über-großer-speicher`); "section" when none is left."""
    text = text.lower()
    if text.isascii():
        return _NON_WORD_RE.sub("-", text).strip("-") or "section"
    kept = "".join(c if c.isalnum() or unicodedata.category(c)[0] == "M" else " " for c in text)
    return "-".join(kept.split()) or "section"


def _heading_text(inner: str) -> str:
    """The words of a heading (its inner HTML), without its citations: marks, or HTML
    when the body is rendered with its citations as HTML."""
    if MARK_OPEN in inner:
        inner = _ANY_MARK_RE.sub("", inner)
    if '<sup class="cite">' in inner:
        inner = _CITE_HTML_RE.sub("", inner)
    text = _TAG_RE.sub("", inner)
    return html.unescape(text) if "&" in text else text


def _id_maker() -> Callable[[str], str]:
    """What gives the headings of one page (their inner HTML, in order) their ids: the
    slug of the heading's words, numbered (`-1`, `-2`) when an earlier heading has it or
    it is one of the page's own ids (PAGE_IDS, `source-N`)."""
    used: set[str] = set()
    counts: dict[str, int] = {}

    def make(inner: str) -> str:
        base = _BASE_SLUGS.get(inner)
        if base is None:
            base = heading_slug(_heading_text(inner))
            if len(_BASE_SLUGS) < 10_000:
                _BASE_SLUGS[inner] = base
        if base not in used and base not in PAGE_IDS and not (
                base.startswith("source-") and _SOURCE_ID_RE.fullmatch(base)):
            used.add(base)  # (most headings) its slug as it is
            return base
        # every `source-N` is the source list's: a second "Source" is source-section-1
        stem = "source-section" if base == "source" else base
        slug, n = base, counts.get(base, 0)
        while slug in used or slug in PAGE_IDS or _SOURCE_ID_RE.fullmatch(slug):
            n += 1
            slug = f"{stem}-{n}"
        counts[base] = n
        used.add(slug)
        return slug

    return make


# A heading's inner HTML -> its slug: the same headings (`Overview`, `When to use it`)
# stand on page after page, so each is worked out once in a process.
_BASE_SLUGS: dict[str, str] = {}


def _heading_ids(fragment: str, ids: list[str] | None = None,
                 given: list[str] | None = None) -> str:
    """The fragment with an id on each h2-h4 heading (`## When to use it` ->
    `id="when-to-use-it"`), for links such as `/glossary/awq#kernels`; `ids`: the ids
    to give them, in order. (A body rendered with its citations as HTML takes those of
    `heading_ids`: the sanitiser moves a citation's link out of a link's text, where
    its number would stay in the heading's words.) Each id given is added to `given`."""
    if "<h" not in fragment:
        return fragment
    make = _id_maker()
    if ids is not None:
        preset, made = iter(ids), make
        make = lambda inner: next(preset, None) or made(inner)  # noqa: E731
    given = [] if given is None else given
    pieces = _HEADING_RE.split(fragment)  # text, then each heading's level, words, end, text
    for i in range(1, len(pieces), 4):
        slug = make(pieces[i + 1])
        given.append(slug)
        pieces[i] = f'<h{pieces[i]} id="{slug}">'
    return "".join(pieces)


def heading_ids(entry: Entry, marked: MarkedBody | None = None) -> list[str]:
    """The ids `render_body` gives the body's headings, in order: what validate checks a
    link's `#fragment` against. The body goes through what the build does to it before
    the ids are made (citations, cmark, and the sanitiser when it holds raw HTML), and
    no more: an id depends on its heading's words alone."""
    marked = marked or MarkedBody(entry)
    markdown = _atx_headings(entry, marked)
    if markdown is None:  # the whole body, as the build renders it
        markdown = marked.markdown(dict.fromkeys(marked.cited_ids(), 0))  # marks: dropped
    fragment = commonmark_html(markdown)
    if "<h" not in fragment:
        return []
    if "<" in markdown:  # raw HTML: only what the sanitiser keeps of it (a raw <h3> too)
        fragment = _address_ends_dropped(_CLEANER.clean(fragment), markdown)
    make = _id_maker()
    return [make(m[2]) for m in _HEADING_RE.finditer(fragment)]


# In a body's prose (code blanked): an ATX heading's `##` to `####` after at most three
# spaces (group 1); or, after any indentation, the same (a heading in a list item, or
# the text of a paragraph), a line of hyphens (a setext heading's underline, or a rule),
# a `#` after a block quote's or a list item's mark. (Each after a "\n": one search, a
# fifth of the time of one anchored with `^`.)
_HEADING_LINE_RE = re.compile(r"\n(?: {0,3}(#{2,4})(?=[ \t\n])|[ \t]*(?:#{2,4}[ \t\n]|"
                              r"-+[ \t]*\n|(?:>|[-+*]|\d{1,9}[.)])[ \t>]*#))")


def _atx_headings(entry: Entry, marked: MarkedBody) -> str | None:
    """The lines of the body's h2-h4 headings, a blank line between them, when they are
    the ATX lines of its prose (`## Setup`): cmark reads them in a fraction of the time
    of the whole body, each is a heading wherever it stands, and its words are those of
    its line. None when the body may hold other headings, or a heading's words may
    depend on more than its line: a setext heading (a line of hyphens), one in a block
    quote or a list item, an indented `##` line (in a list item, or a paragraph's
    text), raw HTML (any `<` but a no-cite marker's), a link reference definition, a
    citation or a marker on a heading's line."""
    body = entry.body
    # (each search after a test of one character, which most bodies fail: a count of
    # `<` and a search of `]:` read every character)
    if ("<" in body and body.count("<") != len(marked.markers)) \
            or (":" in body and "]:" in body):
        return None
    lines = []
    for m in _HEADING_LINE_RE.finditer(f"\n{prose_text(entry)}\n"):
        end = body.find("\n", m.start())  # the line starts at m.start() in the body
        line = body[m.start():end if end >= 0 else None]
        if not m.group(1) or "@" in line or "<" in line:
            return None
        lines.append(line)
    return "\n\n".join(lines)


def page_ids(entry: Entry, bibliography: dict[str, dict]) -> tuple[str, ...]:
    """The ids of an entry's page that depend on the entry: its headings' and its
    numbered sources' (`source-1`...: as many as number_sources numbers); every entry's
    page has PAGE_IDS besides."""
    marked = MarkedBody(entry)
    own = {s["id"] for s in entry.sources() if isinstance(s.get("id"), str)}
    shared = {sid for sid in (*marked.cited_ids(), *(s for _, s in front_matter_sources(entry)))
              if sid in bibliography and sid not in own}
    return (*heading_ids(entry, marked), *source_ids(len(own) + len(shared)))


@lru_cache(maxsize=256)
def source_ids(count: int) -> tuple[str, ...]:
    """The ids of a page's `count` numbered sources (pages.source_items); made once for
    each count in a process."""
    return tuple(f"source-{n}" for n in range(1, count + 1))
