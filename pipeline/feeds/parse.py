"""Parsing a feed's bytes with feedparser into dated, sanitised items."""

from __future__ import annotations

import calendar
import codecs
import datetime as dt
import hashlib
import html as htmlmod
import re
from dataclasses import dataclass, replace
from urllib.parse import quote, urlsplit
from xml.sax import SAXParseException

import feedparser
import nh3

from ..textchars import INVISIBLE

# What feed HTML may keep: text structure and links, nothing active.
ALLOWED_TAGS = {"a", "b", "blockquote", "br", "code", "em", "i", "li", "ol", "p", "pre",
                "strong", "ul", "h1", "h2", "h3", "h4"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
# What a link's URL keeps as it is; anything else (brackets, quotes, backslashes, and the
# characters that are not ASCII) is percent-encoded, so that the URL stays one Markdown
# link destination wherever a draft puts it.
_URL_SAFE = ":/?#[]@!$&'*+,;=%~"
_HTTP_URL_RE = re.compile(r"https?://[^/?#\\@\s]+[^\s]*", re.I)
# The encoding a document names in its XML declaration (after an optional UTF-8 BOM).
_XML_ENCODING_RE = re.compile(
    rb'\A(?:\xef\xbb\xbf)?\s*<\?xml[^>]*?\bencoding\s*=\s*["\']([A-Za-z0-9._-]+)')


def safe_link(link: str) -> str:
    """A feed item's link as an http(s) URL safe in Markdown, or "" when it is none: a
    link with white space or control characters in it, or with no host, is dropped."""
    link = link.strip()
    if not _HTTP_URL_RE.fullmatch(link) or any(ord(c) < 32 or c == "\x7f" for c in link):
        return ""
    return quote(link, safe=_URL_SAFE)


@dataclass(frozen=True)
class FeedItem:
    """One release (or post) of a feed. `date` is the UTC day, `YYYY-MM-DD`.

    `summary_html` is sanitised HTML (nh3: text, lists, links; no scripts,
    styles or attributes but a link's href); `summary_text` is its plain text.
    """

    entry: str  # the tool entry that lists the feed
    feed: str  # the feed URL
    key: str  # a stable short id of the release, of its link and its id (`release_key`)
    title: str
    link: str
    date: str
    summary_html: str
    summary_text: str
    # the keys drafts before `release_key` gave it (from its link, from its id, or its feed
    # and link, or title): a digest drafted so knows the release by one of them
    former: tuple[str, ...] = ()


def sanitize(html: str) -> str:
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                     url_schemes={"http", "https", "mailto"})


_BLOCK_TAG = re.compile(r"<(/?)(p|br|div|li|ul|ol|h[1-6]|blockquote|pre|tr|td|th)\b", re.I)


# What a feed's words may not bring into the digest: characters no text can show (a DEL,
# a C1 control: XML allows them), and the bidi controls that embed, override or isolate,
# which reverse the rest of the digest's line as well (its date, its notes): a release
# title with U+202E showed "(2026-11-10): Notes" backwards. An outsider's text, unlike an
# editor's, needs none of them.
_UNSHOWN = re.compile(f"{INVISIBLE.pattern}|[\u202a-\u202e\u2066-\u2069]")


def words(text: str) -> str:
    """A feed's text on one line, single-spaced, without what `_UNSHOWN` names."""
    return " ".join(_UNSHOWN.sub("", text).split())


def to_text(html: str) -> str:
    """The words of a piece of HTML on one line (tags dropped, entities decoded)."""
    spaced = _BLOCK_TAG.sub(r" <\1\2", html)  # block boundaries separate words
    return words(htmlmod.unescape(nh3.clean(spaced, tags=set())))


def _day(parsed) -> str | None:
    """The UTC day of a feedparser date; None for none, or one no calendar has (year 0,
    year 10000: feedparser passes them on, and they stopped every draft, found in review)."""
    if not parsed:
        return None
    try:
        return dt.datetime.fromtimestamp(calendar.timegm(parsed),
                                         tz=dt.timezone.utc).date().isoformat()
    except (ValueError, OverflowError, OSError):
        return None


def _codec(name: str) -> str | None:
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _harmless(parsed, data: bytes) -> bool:
    """Whether a bozo feed was read whole and right all the same: feedparser only overrode
    the encoding the HTTP header implies with the one the document names itself (its XML
    declaration, else UTF-8, XML's default). A `text/xml` with no charset implies us-ascii,
    but the declaration wins (RFC 7303), so a UTF-8 feed served that way is fine. When
    feedparser fell back to a guess (windows-1252 for bytes that are not what they
    claim), the titles would be mojibake: that feed is still refused."""
    if not isinstance(parsed.get("bozo_exception"), feedparser.CharacterEncodingOverride):
        return False
    own = _own_encoding(data)
    return own is not None and _codec(parsed.get("encoding") or "") == own


# How a document in UTF-16 with no byte order mark begins: `<?` in either byte order.
_UTF16_STARTS = ((b"<\x00?\x00", "utf-16-le"), (b"\x00<\x00?", "utf-16-be"))


def _own_encoding(data: bytes) -> str | None:
    """The encoding a document names itself (a codec's name), as XML reads it: its byte
    order mark, which wins over any declaration (RFC 7303), else the encoding of its XML
    declaration, else UTF-16 when its first characters are, else UTF-8. A UTF-16 feed with
    its mark, served as `text/xml` (or with a charset that is not its own), was refused
    as malformed though feedparser read it right (found in review)."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return _codec(codec)
    for start, codec in _UTF16_STARTS:
        if data.startswith(start):
            return _codec(codec)
    m = _XML_ENCODING_RE.match(data)
    return _codec(m.group(1).decode("ascii") if m else "utf-8")


_HTML_START = re.compile(rb"(?i)<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>]")


def _not_a_feed(data: bytes, served: str) -> str:
    """Why a body feedparser found no RSS or Atom in is no feed, quoting the Content-Type
    it was served with: what it looks like (an HTML page, JSON, gzip), when that shows."""
    body = data.removeprefix(codecs.BOM_UTF8).lstrip()
    if not body:
        kind = "the response is empty"
    elif body.startswith(b"\x1f\x8b"):
        kind = "gzip-compressed bytes"
    elif body[:1] in (b"{", b"["):
        kind = "JSON (a JSON Feed is not read; list the RSS or Atom feed)"
    elif _HTML_START.search(body[:2000]):
        kind = "an HTML page"
    else:
        kind = ""
    served = f"served as {served}" if served.strip() else "served with no Content-Type"
    return f"not an RSS or Atom feed ({kind}, {served})" if kind else \
        f"not an RSS or Atom feed ({served})"


# What a server's words (a status line's reason, a Content-Type) may not bring into a
# message printed on a terminal: control characters, which an escape sequence starts with
# (ESC, and CSI in C1), shown as Python writes them (`\x1b`).
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def shown(text: str) -> str:
    """`text`, quoted from a server in a message, with its control characters escaped."""
    return _CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def _read(data: bytes, url: str, content_type: str):
    """(what feedparser made of `data`, None) or (that, why it is no feed to read)."""
    parsed, problem = _judge(data, url, content_type)
    return parsed, None if problem is None else shown(problem)


def _judge(data: bytes, url: str, content_type: str):
    served = content_type
    if "xml" not in content_type and "rss" not in content_type and "atom" not in content_type:
        content_type = "application/xml"  # servers often say text/plain; judge the bytes
    parsed = feedparser.parse(data, response_headers={"content-location": url,
                                                      "content-type": content_type})
    # An HTML page (or an empty body) is well-formed enough for feedparser, which calls it
    # no bozo: only its `version` ('' here, 'rss20' or 'atom10' for a feed) tells.
    if not parsed.get("version"):
        return parsed, _not_a_feed(data, served)
    if parsed.bozo and not _harmless(parsed, data):
        exc = parsed.get("bozo_exception")
        if isinstance(exc, SAXParseException):  # its str() is `<unknown>:7:4: mismatched tag`
            line = exc.getLineNumber() - (0 if _declared(data) else 1)
            return parsed, f"malformed feed at line {max(line, 1)}: {exc.getMessage()}"
        return parsed, f"malformed feed: {exc}"
    return parsed, None


_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
         (codecs.BOM_UTF16_BE, "utf-16-be"))


def _declared(data: bytes) -> bool:
    """Whether the document begins with an XML declaration (after a byte order mark). One
    that does not is given one, on a line of its own, before feedparser's XML parser
    reads it: the lines that parser counts are then one more than the feed's."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return data[len(bom):len(bom) + 40].decode(codec, "ignore").startswith("<?xml")
    return data.startswith(b"<?xml")


def judge_feed(data: bytes, url: str, content_type: str = "application/xml"):
    """(what feedparser made of `data`, why it is no feed `read_feed` reads: malformed, or
    no RSS or Atom at all; None when it is one). A fetch checks a body so before it
    replaces the cached copy, and hands what feedparser made of it to `read_feed`, which
    parsed the same bytes again (found in review)."""
    return _read(data, url, content_type)


def parse_feed(
    data: bytes, url: str, entry: str, content_type: str = "application/xml"
) -> tuple[list[FeedItem], str | None]:
    """(items sorted by date then title, None) or ([], why the feed was refused);
    `read_feed` without its warnings."""
    items, problem, _ = read_feed(data, url, entry, content_type)
    return items, problem


def read_feed(
    data: bytes, url: str, entry: str, content_type: str = "application/xml", *,
    parsed=None,
) -> tuple[list[FeedItem], str | None, list[str]]:
    """(items sorted by date then title, None, warnings) or ([], why the feed was
    refused, []).

    A body with no RSS or Atom feed in it (an HTML page, an empty response) is
    refused, and so is a feed feedparser calls bozo (malformed XML, bytes not in
    the encoding it names), unless the only complaint is a harmless encoding
    override (see `_harmless`). Dates come from `published`, else `updated`;
    undated items are left out. An item is keyed by its link (when no other item
    of the feed has it: see `release_link`) and its id (`release_key`), the keys
    earlier drafts gave it kept as its `former`. Items that share an id are each kept,
    under keys of their own (see `_Keys`), with a warning.

    `parsed` is what `judge_feed` made of these very bytes (and `content_type`), with no
    problem found, when the caller has it; they are not parsed again then.
    """
    if parsed is None:
        parsed, problem = _read(data, url, content_type)
    else:
        problem = None
    if problem:
        return [], problem, []
    dated = []
    for e in parsed.entries:
        day = _day(e.get("published_parsed")) or _day(e.get("updated_parsed"))
        if day is None:
            continue
        link = safe_link(e.get("link") or "")
        title = e.get("title") or ""
        is_html = "html" in (e.get("title_detail") or {}).get("type", "")
        title = (to_text(title) if is_html else words(title)) or "(untitled)"
        dated.append((e, day, link, title))
    keys = _Keys(url, [_item_name(url, e.get("id") or "", link, title)
                       for e, _, link, title in dated])
    links: dict[str, int] = {}
    for _, _, link, _ in dated:
        if link:
            links[release_link(link)] = links.get(release_link(link), 0) + 1
    items = []
    for e, day, link, title in dated:
        html, text = _notes(e)
        by_id = keys.key(e.get("id") or "", link, title, day)
        own = bool(link) and links[release_link(link)] == 1
        by_link = _hash(f"release\n{release_link(link)}") if own else ""
        items.append(FeedItem(entry, url, release_key(by_link, by_id), title, link, day, html,
                              text, tuple(h[:10] for h in (by_link, by_id) if h)))
    # A link shared now may have been one release's own when the digest was drafted (the
    # feed listed one release linking to its changelog, then a second): that release, the
    # oldest of those linking there, was keyed by the link, and is known by it still (its
    # deletion and edits stay its own; found in review).
    oldest: dict[str, int] = {}
    for n, i in enumerate(items):
        if i.link and links[release_link(i.link)] > 1:
            at = oldest.setdefault(release_link(i.link), n)
            if (i.date, i.key) < (items[at].date, items[at].key):
                oldest[release_link(i.link)] = n
    for link, n in oldest.items():
        items[n] = replace(items[n], former=(*items[n].former, _hashed(f"release\n{link}")))
    items.sort(key=lambda i: (i.date, i.title, i.key))
    return items, None, keys.warnings()


def _notes(e) -> tuple[str, str]:
    """An item's notes (its content, else its summary) as (sanitised HTML, plain text).

    Notes whose type is text (Atom's `type="text"`, the default of an Atom summary, or
    RSS text feedparser does not take for HTML) are words as they are: `Strip <think>
    blocks` keeps its `<think>`, which read as HTML was a tag and went."""
    raw, kind = "", ""
    if e.get("content"):
        raw, kind = e.content[0].get("value") or "", e.content[0].get("type") or ""
    if not raw:
        raw, kind = e.get("summary") or "", (e.get("summary_detail") or {}).get("type") or ""
    if kind == "text/plain":
        return htmlmod.escape(raw, quote=False), words(raw)
    html = sanitize(raw)
    return html, to_text(html)


def release_link(link: str) -> str:
    """What names a release by its link: the link without its scheme, with its host in
    lower case, no default port and no slash at the end of its path. A feed may give a
    release a new id (a GUID that changes when the release is edited or re-published, or
    when the feed moves from http to https) while its link stays: keyed by its id, a
    release the editor deleted came back as a new item, and one edited was listed twice
    (found in review). `http://GitHub.com/o/r/releases/tag/v1/` and
    `https://github.com/o/r/releases/tag/v1` are one release."""
    parts = urlsplit(link)
    try:
        port = parts.port
    except ValueError:  # no number: the link as it is
        port = None
    host = (parts.hostname or "") + (f":{port}" if port not in (None, 80, 443) else "")
    return (host + parts.path.rstrip("/") + (f"?{parts.query}" if parts.query else "")
            + (f"#{parts.fragment}" if parts.fragment else ""))


def _item_name(url: str, ident: str, link: str, title: str) -> str:
    """What names an item in its feed: its own id, else its feed's address and its link
    (or title)."""
    return ident or f"{url}\n{link or title}"


def _hash(name: str) -> str:
    return hashlib.sha256(name.encode()).hexdigest()


def _hashed(name: str) -> str:
    return _hash(name)[:10]


def release_key(by_link: str, by_id: str) -> str:
    """The key of a release: 8 hex digits of its link's hash (see `release_link`; of its
    id's when its link is not its own in the feed), then 8 of its id's. A release is known
    by either half, so it stays one release when its feed changes its link (GitHub moving
    `/releases/tag/v1.2` to `/releases/v1.2`, `?utm_source=rss` added) or its id (a GUID
    changed when it is re-published), one at a time: keyed by its link alone, a release
    whose link changed was another, and the one the editor deleted came back (found in
    review). Keys of 10 digits are of earlier drafts: of a link or an id alone."""
    return (by_link or by_id)[:8] + by_id[:8]


def own_link(item: "FeedItem") -> bool:
    """Whether `item` is keyed by its link: no other item of its feed has it."""
    return bool(item.link) and item.key[:8] == _hash(f"release\n{release_link(item.link)}")[:8]


def same_release(key: str, item: "FeedItem") -> bool:
    """Whether `key`, a release's key in a digest, names `item`: its key, or either half of
    it (see `release_key`), or, for a key of an earlier draft, one of its `former` keys."""
    if len(key) == 16 and len(item.key) == 16:
        return key[:8] == item.key[:8] or key[8:] == item.key[8:]
    return key == item.key or key in item.former


def address_key(url: str, link: str, title: str) -> str:
    """The key of an item with no id of its own, alone under its name, in the feed at
    `url`: what it was keyed by before its feed moved to another address."""
    return _hashed(_item_name(url, "", link, title))


class _Keys:
    """The keys of one feed's items from their ids, each its own (an item whose link is
    its own in the feed is keyed by that link instead: `read_feed`).

    An item's own id (Atom id, RSS guid) names it wherever its feed is served: a feed
    that moves keeps its items' keys, so the digest's edits and deletions hold (they
    came back as new items). Without one, the link or title names it in its feed.

    A feed may give two items one id (`<guid isPermaLink="false">latest</guid>` on
    each): they were one item, and one release was lost. Every item so named is then
    named by its link too (then its date and title, then a number, until its key is its
    own): by what it is, not by where it stands or which others the feed still lists.
    An item keyed by its id alone while it was the only one is found again by its link
    when the digest is redrafted (draft's `rekey`)."""

    def __init__(self, url: str, names: list[str]):
        self.url = url
        self.taken: set[str] = set()
        self.numbered: dict[str, int] = {}  # a name, link, day and title -> its last number
        counts: dict[str, int] = {}
        for name in names:
            counts[name] = counts.get(name, 0) + 1
        self.shared = {name: n for name, n in counts.items() if n > 1}

    def key(self, ident: str, link: str, title: str, day: str) -> str:
        name = _item_name(self.url, ident, link, title)
        unique = name
        if name in self.shared:
            tries = [f"{name}\n{link}", f"{name}\n{link}\n{day}\n{title}"]
            unique = next((t for t in tries if t not in self.taken), "")
            if not unique:
                # the first number not taken: counted on from the last one given to these
                # words, since none below it comes free. Counted from 2 for each item, a feed
                # of thousands of identical items took minutes (found in review).
                base = tries[1]
                n = self.numbered.get(base, 1) + 1
                while f"{base}\n{n}" in self.taken:
                    n += 1
                self.numbered[base] = n
                unique = f"{base}\n{n}"
        self.taken.add(unique)
        return _hash(unique)

    def warnings(self) -> list[str]:
        out = []
        for name, n in self.shared.items():
            ident, _, rest = name.partition("\n")
            if name.startswith(self.url + "\n"):
                what = f"the link or title {_quoted(rest)}"
            else:
                what = f"the id {_quoted(name)}"
            out.append(f"{n} items share {what}; each is listed, told apart by its link or "
                       "date (the feed should give each item an id of its own)")
        return out


def _quoted(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return repr(text if len(text) <= limit else text[:limit] + "…")
