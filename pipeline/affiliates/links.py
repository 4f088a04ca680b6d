"""Every URL of an entry: body links, autolinks and bare URLs, front-matter URL values and
the URLs written in front-matter texts.

The body is read as editors see it (`pipeline.catalog.text.prose_text`):
fenced and indented code and inline code spans are left out, and so are
single-line HTML comments. Positions are 1-based file lines and columns.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from urllib.parse import quote, unquote, urlsplit

from ..catalog.model import Catalog, Entry
from ..catalog.text import _bare_end as _gfm_bare_end
from ..catalog.text import _OpenBrackets
from ..catalog.text import (cited_ids, citations_of, front_matter_found,
                            front_matter_sources, html_block_lines, prose_lines, prose_text)
from .classify import _TAB_OR_NEWLINE, normalise_url

# Where a URL starts: a web scheme (with however many slashes or backslashes: browsers
# read `https:/host` and `https:\\host` as `https://host`), `www.`, or two slashes not
# ending a word or a URL (`//host`: the page's scheme, then host), which `urls_in_line`
# takes for a URL only where a page makes it a link (see _slashes_linked).
# A bare URL (no `](`, `<` or `=` before it) is one where GitHub's autolink extension makes
# a link of it (see _bare_url_end): `https://` after anything but a letter (`_https://..._`
# in italics, `1https://`), `www.` in lower case first or after ASCII white space or one of
# `*_~(`; a digit or `_` before one is searched for here, and looked at there.
_START = re.compile(r"(?i)(?<![a-z/])(?:https?:[/\\]+|www\.)|(?<![\w/\\.:@-])[/\\]{2}")
_BARE_WWW_AFTER = " \t\n\v\f\r*_~("
_QUOTE_MARKS = re.compile(r"[ \t]*(?:>[ \t]*)+")  # a line's block quote marks: `> www.host`
# Where the autolink extension's URL runs to, before its trailing punctuation is dropped:
# ASCII white space or `<` (a no-break space, a quote, a backtick, `>` and `](` are in it).
_BARE_REST = re.compile(r"[^ \t\n\v\f\r<]*")
# What comes before `//host` where it is a link: a link's destination `](//host)` (also
# `](<//host>)`, spaces allowed), a reference definition `[id]: //host`, an attribute's
# value, quoted or not (`href="//host"`, `href=//host`): see _slashes_linked.
_LABEL_OPEN = re.compile(r"[ \t]*\[")
# A reference definition may put its destination on the next line (CommonMark): a line
# that is only a label and its colon, `[id]:`, then `//host` (or `<//host>`) starting the
# next line. See label_alone and urls_in_line's `after_label`.
_LABEL_ALONE = re.compile(r"[ \t]*\[[^\]]+\]:[ \t]*")
# A character reference (CommonMark needs the `;`): in a link's destination or an
# attribute it is decoded before the browser reads the URL, so `https&#58;//host` is a link.
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
# The references that can hide where a URL starts (a digit or letter, `:`, `/`, `\`, `.`):
# a body without one is never decoded.
_HIDING_ENTITY = re.compile(r"&(?:#|colon;|sol;|bsol;|period;|excl;)")
_COMMENT = re.compile(r"<!--.*?-->")
_TRAILING = "?!.,:;*_~'\""
_BARE_STOP = re.compile(r"[\s<>\"`]|\]\(")
_URL_VALUE = re.compile(r"(?i)https?://\S+")


@dataclass(frozen=True)
class FoundLink:
    """One URL and where it stands."""

    url: str
    file: str
    line: int
    column: int
    where: str  # "body", "front matter", "bibliography", or "file" (a file that did not parse)
    path: tuple = ()  # front-matter path, e.g. ("offers", 0, "url")
    entry: str | None = None

    @property
    def field(self) -> str | None:
        """The front-matter path as editors write it: `offers.0.url`."""
        return ".".join(str(p) for p in self.path) if self.path else None


def found_link(url: str, file: str, line: int, column: int, where: str, path: tuple,
               entry: str | None) -> FoundLink:
    """FoundLink(url, file, line, column, where, path, entry) without the frozen
    dataclass's __init__ (a setattr a field: about a micro-second a link)."""
    link = object.__new__(FoundLink)
    link.__dict__.update(url=url, file=file, line=line, column=column, where=where,
                         path=path, entry=entry)
    return link


def _markdown_destination_end(line: str, start: int) -> int:
    """End of an inline link destination `](url)`: balanced parentheses, no spaces (ASCII's:
    a no-break space is part of it, as CommonMark reads it)."""
    depth = 0
    j = start
    while j < len(line):
        c = line[j]
        if c in " \t\n\v\f\r":
            break
        if c == "(":
            depth += 1
        elif c == ")":
            if depth == 0:
                break
            depth -= 1
        j += 1
    return j


def _bare_end(line: str, start: int) -> int:
    """End of a bare URL, GFM style: trailing punctuation and unbalanced brackets dropped."""
    m = _BARE_STOP.search(line, start)
    end = m.start() if m else len(line)
    while end > start:
        url, c = line[start:end], line[end - 1]
        if c in _TRAILING or (c == ")" and url.count("(") < url.count(")")) or (
                c == "]" and url.count("[") < url.count("]")):
            end -= 1
            continue
        break
    return end


def _decoded(line: str) -> tuple[str, list[int]]:
    """`line` with its character references decoded, and for each character of it (and
    its end) the offset in `line` where it comes from."""
    out: list[str] = []
    offsets: list[int] = []
    at = 0
    for m in _ENTITY.finditer(line):
        text = html.unescape(m.group(0))
        if text == m.group(0):
            continue
        out.append(line[at:m.start()])
        offsets.extend(range(at, m.start()))
        out.append(text)
        offsets.extend([m.start()] * len(text))
        at = m.end()
    out.append(line[at:])
    offsets.extend(range(at, len(line) + 1))
    return "".join(out), offsets


def label_alone(line: str) -> bool:
    """Whether a prose line is only a reference definition's label, `[id]:`, whose
    destination CommonMark reads on the next line."""
    return "]:" in line and _LABEL_ALONE.fullmatch(line) is not None


def urls_in_line(line: str, after_label: bool = False) -> Iterator[tuple[int, int, str]]:
    """(start, end, url) of every URL in one line of Markdown prose (0-based offsets in
    `line`; `url` as written there, character references and all). `after_label`: the
    line before is a label alone (`label_alone`), so the line may start with its
    destination, `//host` included. A bare URL inside brackets the line opens is text
    (_bare_url_end); one inside brackets an earlier line of its paragraph opened is read
    (a heading or a table's cell would end them: a link missed is worse than one too many,
    and the affiliate checks add the page's own, see _rendered_only)."""
    line = _COMMENT.sub(lambda m: " " * len(m.group(0)), line)
    if "&" in line and _HIDING_ENTITY.search(line):
        text, offsets = _decoded(line)
        if len(text) != len(line) or text != line:
            for start, end, _url in _urls_in(text, after_label):
                yield offsets[start], offsets[end], line[offsets[start]:offsets[end]]
            return
    yield from _urls_in(line, after_label)


def _blank_start(line: str, end: int) -> int:
    """Where the run of spaces and tabs that ends at `end` starts."""
    while end and line[end - 1] in " \t":
        end -= 1
    return end


def _slashes_linked(line: str, s: int, after_label: bool) -> bool:
    """Whether what comes before `//` at `s` makes it a link's URL (`](`, `[id]:`, `=`,
    or nothing after a label alone), read back from `s` only as far as it needs: a copy
    of the line up to each URL made a long line's time grow with the square of its URLs
    (20,000 on one line: four seconds)."""
    blank = _blank_start(line, s - 1 if s and line[s - 1] == "<" else s)
    if line.endswith("](", 0, blank) or (after_label and blank == 0):
        return True
    if line.endswith("]:", 0, blank):  # `[id]: //host`, the label from the line's start
        lead = _LABEL_OPEN.match(line)
        if lead and lead.end() < blank - 2 and line.find("]", lead.end()) == blank - 2:
            return True
    return line.endswith("=", 0, _blank_start(line, s - 1 if s and line[s - 1] in "\"'" else s))


def _bare_url_end(line: str, s: int, start: str, brackets: _OpenBrackets | None) -> int | None:
    """End of the URL GitHub's autolink extension makes of a bare URL at `s` (`start`, what
    _START found there), or None where it makes none: `www.` in capitals or after anything
    but white space or one of `*_~(` (`"www.host"`), `https:/host` or `https:\\host` (no
    `://`), inside brackets (a link's text, `[https://host](/y)`, or `[see https://host]`).
    The URL runs to ASCII white space or `<` (a no-break space, a quote, `>` and `](` are in
    it), then drops what catalog.text's reading drops (trailing punctuation, `;`, a `)`
    that closes nothing; not a `]`)."""
    if start[0] in "wW":
        if start != "www." or (s and line[s - 1] not in _BARE_WWW_AFTER
                               and not _QUOTE_MARKS.fullmatch(line, 0, s)):
            return None
    elif start.lower() not in ("http://", "https://"):
        return None
    if brackets is not None and brackets.open_at(s):
        return None
    end = s + len(_gfm_bare_end(line[s:_BARE_REST.match(line, s).end()]))
    if brackets is not None:
        brackets.at = end  # a `[` in the URL is part of it (`https://host/a[1`), no bracket
    return end


def _urls_in(line: str, after_label: bool = False) -> Iterator[tuple[int, int, str]]:
    pos = 0
    # the line's brackets (a table row's cells each read on their own: none there)
    brackets = _OpenBrackets(line) if "[" in line and "|" not in line else None
    for m in _START.finditer(line):
        s = m.start()
        if s < pos:
            continue  # inside the URL just read
        if m.group(0)[0] in "/\\" and not _slashes_linked(line, s, after_label):
            continue  # `//` in text: no link
        if line.endswith("<", 0, s) and (close := line.find(">", s)) > 0 and m.group(0)[0] not in "wW" \
                and (not any(c.isspace() for c in line[s:close]) or "<" not in line[s:close]
                     and _slashes_linked(line, s, after_label)):
            # `<https://host>`; without its `>` (or `<www.host>`) no autolink. A destination
            # in brackets, `](<https://host/a b>)` or `[r]: <...>`, runs to its `>`, spaces
            # and all: read up to its space, `<https://www.amazon.com/dp/B0 x?tag=...>`
            # was no paid link, and the e-mail kept it
            end = close
        elif line.endswith("](", 0, _blank_start(line, s)):
            end = _markdown_destination_end(line, s)
        elif line.endswith(('="', "='"), 0, s):
            close = line.find(line[s - 1], s)
            end = close if close > 0 else _bare_end(line, s)
        elif _slashes_linked(line, s, after_label):  # `[id]: url`, `href=url`
            end = _bare_end(line, s)
        else:
            end = _bare_url_end(line, s, m.group(0), brackets)
            if end is None:
                continue  # text on the page (a URL further on may be a link)
            if brackets is None and line.endswith("[", 0, s) and not line.endswith("\\[", 0, s) \
                    and (text_end := line.find("](", s, end)) > 0:
                pos = text_end  # the text of `[url](dest)` (a table's cell): the
                continue  # destination is the link
        pos = end
        if end - s > len(m.group(0)):
            yield s, end, line[s:end]


# Two or three characters looked for by the regex engine, which finds a literal by a tight
# loop over the text: 1.5 µs in 4 KB, where `in` takes 3.6 (its search is made for longer
# needles).
_COLON_SLASH = re.compile(":/").search
_SLASHES = re.compile("//").search
_WW_DOT = re.compile(r"ww\.").search
_HTTP = re.compile("http").search
_WWW_DOT = re.compile(r"www\.").search
_HREF = re.compile("href").search
# `ww.` in any case, without the text lowered: each `.` (found as the literal `ww\.` finds
# its `w`, by a loop for one character), then the two before it looked at. Lowering makes
# a `w` or a `.` of no character but `W`, `w` and `.` (each one character), so this finds
# one where the lowered text has `ww.`, and only there (`ww.` in text.lower(): 3.0 µs a
# prose text of the corpus, 1.2 of them lowering it; this: 2.1).
_WW_DOT_ANY_CASE = re.compile(r"\.(?<=[wW][wW]\.)").search
# `:/` or `//`: each `/` (fewer than the `:` of prose with any), then the one before it
# (the two searches, the first only where the text has a `:`: 1.96 µs a prose text of the
# corpus; this: 1.47).
_COLON_OR_SLASH_SLASH = re.compile(r"/(?<=[:/]/)").search


def may_start_url(text: str) -> bool:
    """Whether `_START` may find something in `text` (a URL's scheme, `www.` in any case,
    two slashes or a backslash): False for most prose, known without it (its search stops
    at every `h`, `w` and `/`: 137 µs in 4 KB)."""
    # `\` first: one character is looked for many times faster than two, and most prose
    # has none
    return ("\\" in text or _COLON_OR_SLASH_SLASH(text) is not None
            or _WW_DOT_ANY_CASE(text) is not None)


def may_render_url(body: str) -> bool:
    """Whether cmark may make a URL of `body`: not without a scheme, `www.`, `//`, a
    backslash, a character reference or an `href` (a body without one is not rendered for
    its links). One character first, then the literal searches (see _SLASHES: 10 -> 7.5 µs
    a body of the corpus, where `in` looked for each).

    An `href` (and its `=`, one character looked for first: no body of the corpus has
    one) because a browser drops tabs and line breaks from a URL, which raw HTML's
    attribute may hold anywhere: `<a href="ht<newline>tp:bit.ly/x">` (http://bit.ly/x) has
    none of the others (found in review)."""
    return ("\\" in body or "&" in body or _SLASHES(body) is not None
            or _HTTP(lower := body.lower()) is not None or _WWW_DOT(lower) is not None
            or "=" in body and _HREF(lower) is not None)


def _body_links(entry: Entry, where: str) -> Iterator[FoundLink]:
    """The URLs of the body's prose, line by line; only the lines where one can start
    (found by one search of the prose, see _START) are read."""
    text = prose_text(entry)
    hidden = "&" in text and _HIDING_ENTITY.search(text) is not None
    if not hidden and not may_start_url(text):
        return
    starts = _START.finditer(text)
    if hidden:  # a URL may start inside a character reference: `https&#58;//host`
        starts = sorted([*starts, *_HIDING_ENTITY.finditer(text)], key=lambda m: m.start())
    lines: list[str] | None = None
    line, at, done = 0, 0, -1  # the line of offset `at`; the last line read
    for m in starts:
        line += text.count("\n", at, m.start())
        at = m.start()
        if line == done:
            continue
        done = line
        if lines is None:
            lines = text.split("\n")
        after_label = line > 0 and label_alone(lines[line - 1])
        found = urls_in_line(lines[line], after_label)
        if entry.body_line + line in html_block_lines(entry):
            found = [f for f in found if _in_attribute(lines[line], f[0])]  # the rest is text
        for start, _end, url in found:
            yield found_link(url, entry.file, entry.body_line + line, start + 1, where, (),
                             entry.id or None)


def _in_attribute(line: str, start: int) -> bool:
    """Whether the URL at `start` is an attribute's value (`href="https://..."`, `href=...`):
    in an HTML block, where a Markdown link, an autolink or a bare URL is text on the page,
    the only links there are."""
    return line[:start].rstrip("\"'").rstrip(" \t").endswith("=")


def _url_values(entry: Entry) -> list[tuple[tuple, str]]:
    """(path, URL) of every front-matter string that is a URL, and of every URL written
    inside a text (a summary, a verdict, an offer's note: the digest makes them links),
    in order."""
    out = []
    for path, v in front_matter_found(entry, "front_matter_texts"):
        if "://" in v and _URL_VALUE.fullmatch(v.strip()):
            out.append((path, v))
        else:
            out.extend((path, url) for _, _, url in urls_in_line(" ".join(v.split())))
    return out


def may_link(body: str) -> bool:
    """Whether the body may hold a URL either reading of it finds: False only when
    may_render_url says False of the body and may_start_url of its prose text (the body
    with its code as spaces, which makes no two characters neighbours that were not).
    One test of the body for both, each test once (`\\` and `//`), the body lowered once:
    most bodies hold no URL (find_links 19.0 -> 12.5 to 14.1 µs an entry of the corpus,
    its page's links not worked out yet)."""
    return ("\\" in body or "&" in body or _COLON_OR_SLASH_SLASH(body) is not None
            or _HTTP(lower := body.lower()) is not None or _WW_DOT(lower) is not None
            or "=" in body and _HREF(lower) is not None)


def find_links(entry: Entry, rendered: bool = True,
               keep: Callable[[str], bool] | None = None) -> list[FoundLink]:
    """Every URL of an entry, front matter first, each with its file, line and column;
    with `rendered`, also those of its page that the reading of its text missed (see
    _rendered_only). With `keep`, only the links whose URL it keeps, in the same order:
    the others' positions are not looked up."""
    out = []
    for path, value in _url_values(entry):
        url = value.strip()
        if keep is None or keep(url):
            line, col = entry.pos(path)
            out.append(found_link(url, entry.file, line, col, "front matter", path, entry.id))
    if "rendered_hrefs" not in entry.__dict__ and not may_link(entry.body):
        entry.__dict__["rendered_hrefs"] = []  # what rendered_hrefs would find: none
        return sorted(out, key=lambda link: (link.line, link.column))
    body = list(_body_links(entry, "body"))
    more = body + (_rendered_only(entry, body) if rendered else [])
    out += more if keep is None else [link for link in more if keep(link.url)]
    return sorted(out, key=lambda link: (link.line, link.column))


def rendered_hrefs(entry: Entry) -> list[str]:
    """The http(s) destinations of the links of the entry's page, as cmark renders its
    body (and the sanitiser keeps them) and a browser reads them: worked out once per
    entry and kept on it (a build's rendering leaves them there: see parts.make_parts)."""
    found = entry.__dict__.get("rendered_hrefs")
    if found is None:
        body = entry.body
        if may_render_url(body):
            from ..publish.markdown import page_hrefs

            keep_rendered_hrefs(entry, page_hrefs(body))
        else:
            entry.__dict__["rendered_hrefs"] = []
        found = entry.__dict__["rendered_hrefs"]
    return found


def keep_rendered_hrefs(entry: Entry, hrefs) -> None:
    """Keep on the entry what `rendered_hrefs` gives, from the destinations of its links as
    a build rendered its body (page_hrefs' reading)."""
    entry.__dict__["rendered_hrefs"] = sorted(
        {href for href in hrefs if not _PLAINLY_NOT_WEB.match(href)
         and normalise_url(href).startswith(("http:", "https:"))})


# A site path (`/glossary/awq`, not `//host`, nor `/<tab>/host`, which a browser reads as
# `//host`: it drops tabs and line breaks), a part of the page (`#x`), an e-mail address:
# most of a page's links, none of them a web URL, known without normalising.
_PLAINLY_NOT_WEB = re.compile(r"/(?![/\\\t\n\r])|#|mailto:", re.IGNORECASE)


def _comparable(url: str) -> str:
    """A URL as both readings give it: `www.host/p` is cmark's `http://www.host/p`, and
    what cmark percent-encodes in a destination (a space, `"`, `[`, a letter not ASCII...)
    encoded as it does. Escapes written in it stay as written: decoded, they made
    `?tag%3Dother-20` (no tracking id) of `?tag=other-20`, and a paid link of the page
    that the text's reading missed passed for one it had found (found in review)."""
    url = quote(normalise_url(url), safe=_HREF_SAFE)
    return f"http://{url}" if url[:4].lower() == "www." else url


# What cmark leaves as it is in a link's destination (besides letters, digits and `_.-~`):
# the rest it percent-encodes.
_HREF_SAFE = "!#$%&'()*+,/:;=?@"


def _rendered_only(entry: Entry, found: list[FoundLink]) -> list[FoundLink]:
    """The links of the page that the reading of the text did not find: the text is read
    as editors write links, cmark as GitHub's Markdown does, and where the two differ
    (`[x](https://bit\\.ly/a)`, whose escape cmark drops; `x_https://...`, which its
    autolinks take; an `href` across two lines) the page has a link no check looked at
    (found in review). Each stands at the prose line that names most of it (_where)."""
    hrefs = rendered_hrefs(entry)
    if not hrefs:
        return []
    known = {_comparable(link.url) for link in found}
    out: list[FoundLink] = []
    taken: set[int] = set()
    for href in hrefs:
        if _comparable(href) in known:
            continue
        line, column = _where(entry, href, taken)
        if "\n" in href or "\t" in href or "\r" in href:  # as a browser reads it (and one
            href = _TAB_OR_NEWLINE.sub("", href)  # line of a message): `ht<tab>tp:host`
        out.append(FoundLink(href, entry.file, line, column, "body", (), entry.id or None))
    return out


def _where(entry: Entry, href: str, taken: set[int]) -> tuple[int, int]:
    """(line, column) of the prose line that names most of `href`'s words (its host, path
    and query; escapes and case aside), one not `taken` by another such link first, at
    the start of its URL there, as the other links stand (_url_start); else the body's
    first line."""
    url = normalise_url(href)
    host = (urlsplit(url).hostname or "").removeprefix("www.")
    words = {w for w in _WORD.findall(unquote(url).lower()) if len(w) > 2} - {"http", "https"}
    written = unquote(href).split("\n", 1)[0].strip().lower()  # as written, up to a line's end
    best = None
    for line, text in prose_lines(entry):
        plain = text.replace("\\", "").lower()
        at = plain.find(host) if host else -1
        if at < 0:
            continue
        score = (written in plain, sum(w in plain for w in words), line not in taken)
        if best is None or score > best[0]:
            best = (score, line, text)
    if best is None:
        return entry.body_line, 1
    taken.add(best[1])
    return best[1], _url_start(best[2], host) + 1


def _url_start(line: str, host: str) -> int:
    """Where the URL whose host is `host` starts in `line` (which names it, backslashes
    aside): its scheme, slashes or `www.`, each maybe escaped (`https\\://bit\\.ly/a`); the
    host's start if it has none. Found on the line as written, so the column counts the
    backslashes before it (found on the line without them, it was off by as many)."""
    first = None
    for m in re.finditer(r"\\*".join(map(re.escape, host)), line, re.IGNORECASE) if host else ():
        lead = _URL_LEAD.search(line, max(0, m.start() - 24), m.start())
        if lead.group(0):  # the host of a URL, not named in the text before it
            return lead.start()
        first = m.start() if first is None else first
    return first or 0


# What a URL may hold before its host (the host without `www.`), escapes and all, at the end
# of what comes before the host: `https://`, `//`, `www.`, `https\://www\.`.
_URL_LEAD = re.compile(r"(?i)(?:https?\\?:)?(?:\\?[/\\])*(?:www\\?\.)?\Z")


_WORD = re.compile(r"[a-z0-9]+")


def bibliography_links(catalog: Catalog) -> list[FoundLink]:
    """The `url` and `archive_url` of every source of the shared bibliography."""
    out = []
    for sid, source in catalog.bibliography.items():
        line, col = catalog.bibliography_positions.get(sid, (1, 1))
        for key in ("url", "archive_url"):
            value = source.get(key)
            if isinstance(value, str) and _URL_VALUE.fullmatch(value.strip()):
                out.append(FoundLink(value.strip(), catalog.bibliography_file, line, col,
                                     "bibliography", ("sources", sid, key)))
    return out


def cited_source_links(entry: Entry, bibliography: dict[str, dict]) -> list[FoundLink]:
    """The `url` and `archive_url` of each shared-bibliography source the entry cites (with
    `[@id]` or a fact's `source:`) and does not define itself: the page lists them among
    its sources, so they are its links too. Each stands at the entry's first citation of
    the source, with `where` "citation" and the path ("sources", id, key)."""
    if not bibliography:
        return []
    own = {s.get("id") for s in entry.sources()}
    first: dict[str, tuple[int, int]] = {}
    shared = {sid for sid in cited_ids(entry) if sid not in own and sid in bibliography}
    for line, column, sid in citations_of(entry, shared):  # (those alone placed)
        if sid not in first:
            first[sid] = (line, column)
    for path, sid in front_matter_sources(entry):
        if sid not in own and sid in bibliography:
            at = entry.pos(path)
            if sid not in first or at < first[sid]:
                first[sid] = at
    out = []
    for sid, (line, column) in first.items():
        source = bibliography[sid]
        for key in ("url", "archive_url"):
            value = source.get(key) if isinstance(source, dict) else None
            if isinstance(value, str) and _URL_VALUE.fullmatch(value.strip()):
                out.append(FoundLink(value.strip(), entry.file, line, column, "citation",
                                     ("sources", sid, key), entry.id or None))
    return out


def links_in_text(text: str, file: str, entry_id: str | None = None, first_line: int = 1,
                  where: str = "body", rendered: bool = False) -> list[FoundLink]:
    """Every URL of a Markdown text (a digest body, or an entry file that did not parse);
    with `rendered`, also those of the text rendered that the reading missed (see
    _rendered_only)."""
    fake = Entry(id=entry_id or "", collection="", slug="", file=file, data={}, body=text,
                 body_line=first_line)
    found = list(_body_links(fake, where))
    return found + _rendered_only(fake, found) if rendered else found


def rewrite_urls(text: str, replace: Callable[[str], str]) -> str:
    """`text` with every prose URL passed through `replace` (code is left alone)."""
    fake = Entry(id="", collection="", slug="", file="", data={}, body=text, body_line=1)
    lines = text.split("\n")
    previous = (0, "")
    for line_no, line in prose_lines(fake):
        after_label = previous[0] == line_no - 1 and label_alone(previous[1])
        previous = (line_no, line)
        original, pieces, at = lines[line_no - 1], [], 0
        for start, end, url in urls_in_line(line, after_label):
            pieces += [original[at:start], replace(url)]
            at = end
        if pieces:  # joined once: a copy of the line for each URL grew with their square
            lines[line_no - 1] = "".join(pieces) + original[at:]
    return "\n".join(lines)
