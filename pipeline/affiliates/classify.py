"""Which program a URL belongs to, with which tracking id, and whether it is ours."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, fields, replace
from urllib.parse import parse_qsl, unquote, urlsplit

from .programs import LinkShape, Program, Programs


@dataclass(frozen=True)
class LinkClass:
    """What a URL is, as far as affiliate programs go."""

    url: str
    program: str | None = None  # program id; None when no program recognises the URL
    program_name: str | None = None
    tracking_id: str | None = None
    ours: bool = False
    shortener: bool = False  # its destination (and any tracking id) is hidden
    allows_email: bool = True
    required_statement: str | None = None
    click_id: bool = False  # the id is one visitor's click, copied from a redirect
    host: str = ""
    # the tracking parameter given more than once with different values, and its values:
    # which one counts is up to the program, so the link is never taken for ours
    repeated: tuple[str, tuple[str, ...]] | None = None
    via: str = ""  # the host of the link wrapper (`google.com/url?q=`) it is written through
    # a link no program claims that gives a program's tracking parameter in another case
    # (`?TAG=localaicat-20` on Amazon): (program name, the parameter as written, as the
    # program reads it, its value). Query keys are read as written (the programs file:
    # "case matters"), so it pays no one and is no paid link: a likely mistake.
    miscased: tuple[str, str, str, str] | None = None

    @property
    def is_affiliate(self) -> bool:
        return self.program is not None


# The class of a URL no program claims, as LinkClass(url=url, host=host) makes it, but
# without the frozen dataclass's __init__ (a setattr a field: 1.3 µs, a third of the
# classifying of a link; most links are such URLs).
_UNCLAIMED = {f.name: f.default for f in fields(LinkClass)}


def _unclaimed(url: str, host: str = "") -> LinkClass:
    found = object.__new__(LinkClass)
    found.__dict__.update(_UNCLAIMED, url=url, host=host)
    return found


# An http(s) URL whose host is letters, digits, dots and hyphens, and ends at the end of
# the URL or at a path, query or fragment: its host is read here, faster than urlsplit.
# Written as it read with re.IGNORECASE, each letter's cases and the characters Unicode's
# case folding takes for a letter (`ſ` for s, the Kelvin sign for k, the dotted and dotless
# i) in its classes, which match twice as fast as those of IGNORECASE (250 -> 123 ns a
# URL of the corpus).
_PLAIN_HOST = re.compile(r"[Hh][Tt][Tt][Pp][Ss\u017f]?://"
                         r"([A-Za-z0-9.\-\u0130\u0131\u017f\u212a]+)(?=[/?#]|\Z)")


_WEB_SCHEME = re.compile(r"(?i)(https?):[/\\]*")  # the scheme, and any slashes after it
_TWO_SLASHES = re.compile(r"[/\\]{2}")  # `//host`: the scheme of the page
_TAB_OR_NEWLINE = re.compile(r"[\t\n\r]")
_C0_AND_SPACE = "".join(map(chr, range(33)))


def normalise_url(url: str) -> str:
    """The URL a browser follows for an href as written: entities decoded, tabs and
    newlines dropped, backslashes read as slashes, and `//host`, `https:/host` or
    `https:\\\\host` as `https://host` (what the WHATWG URL parser does for web
    schemes). A URL written plainly comes back as it is, after two tests."""
    if url.startswith(("https://", "http://")) and "&" not in url and "\\" not in url:
        return url
    if "&" in url:
        url = html.unescape(url)
    url = _TAB_OR_NEWLINE.sub("", url.strip(_C0_AND_SPACE))
    m = _WEB_SCHEME.match(url)
    if m is not None:
        scheme, rest = m.group(1).lower(), url[m.end():]
    elif _TWO_SLASHES.match(url):
        scheme, rest = "https", url.lstrip("/\\")
    else:
        return url
    before_query, mark, query = rest.partition("?")
    return f"{scheme}://{before_query.replace(chr(92), '/')}{mark}{query}"


def url_host(url: str) -> str:
    """The host of a URL as `_host` gives it (without `www.`; "" when there is none), for
    the test most links stop at: is it a host any program has?"""
    url = normalise_url(url)
    m = _PLAIN_HOST.match(url)
    if m is not None and m.group(1).isascii():  # (`ſ` is no `s` to lower(): IDNA's, _host)
        return m.group(1).lower().rstrip(".").removeprefix("www.")
    return _host(url)[0]


def may_be_claimed(url: str, programs: Programs) -> bool:
    """False where `classify` knows from the URL's host alone that no program, shortener
    or link wrapper claims it: a class with no program, no shortener and no tracking
    parameter in another case, nothing the affiliate checks say or count (most links).

    Kept for each URL of the last `programs` asked (a build asks of each link of a page
    twice, for its paid links and for the affiliate checks: 0.9 µs a URL, 0.03 kept)."""
    if programs is not _claimed_of[0]:
        _claimed.clear()
        _claimed_of[0] = programs
    found = _claimed.get(url)
    if found is None:
        host = url_host(url)
        found = bool(host) and programs.may_match(url, host)  # a wrapper's host: it may
        if len(_claimed) >= _CLAIMED_KEPT:
            _claimed.clear()
        _claimed[url] = found
    return found


# may_be_claimed's answers, {URL: answer}, for the Programs in _claimed_of (the one a run
# reads: see programs._last); at most _CLAIMED_KEPT, then started again (a few MiB at most)
_claimed: dict[str, bool] = {}
_claimed_of: list[Programs | None] = [None]
_CLAIMED_KEPT = 16384


def _host(url: str) -> tuple[str, str, str]:
    """(host without `www.`, path, query) of a URL; scheme-less `www.` URLs are accepted."""
    url = normalise_url(url)
    if url[:4].lower() == "www.":
        url = "http://" + url
    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").rstrip(".")
    except ValueError:
        return "", "", ""
    if "%" in host or not host.isascii():
        host = _browser_host(host)
    return host.removeprefix("www."), parts.path or "/", parts.query


def _browser_host(host: str) -> str:
    """The host a browser goes to for one written with `%xx` escapes or other than plain
    ASCII letters (WHATWG URL: percent-decoded, then mapped as IDNA does: `www.%61mazon.com`
    and full-width `ａｍａｚｏｎ.com` are amazon.com; found in review, they passed as no
    paid link and no shortener). A host IDNA refuses is kept as it is, in lower case."""
    decoded = unquote(host)
    try:
        return decoded.encode("idna").decode("ascii").lower().rstrip(".")
    except UnicodeError:
        return decoded.lower().rstrip(".")


def _tracking_id(shape: LinkShape, path: str, query: str):
    """(tracking id or None, (parameter, its different values) when it is repeated)."""
    if shape.path_id is not None:
        m = shape.path_id.search(path)
        return (m.group(1) if m and m.group(1) else None), None
    values: dict[str, list[str]] = {}
    for name, value in parse_qsl(query, keep_blank_values=True):
        values.setdefault(name, []).append(value.strip())
    for p in shape.params:
        given = [v for v in values.get(p, ()) if v]
        if given:
            different = tuple(dict.fromkeys(given))
            return given[0], ((p, different) if len(different) > 1 else None)
    return None, None


def _miscased(shape: LinkShape, query: str) -> tuple[str, str, str] | None:
    """(the parameter as written, as the shape reads it, its value) of the first of the
    shape's tracking parameters given in another case only, with a value."""
    if not shape.params or shape.click_id or not query:
        return None
    wanted = {p.lower(): p for p in reversed(shape.params)}
    for name, value in parse_qsl(query, keep_blank_values=True):
        p = wanted.get(name.lower())
        if p is not None and name not in shape.params and value.strip():
            return name, p, value.strip()
    return None


def _as_class(url: str, host: str, program: Program, shape: LinkShape, tracking: str | None,
              repeated=None):
    return LinkClass(
        url=url, program=program.id, program_name=program.name, tracking_id=tracking,
        ours=(tracking is not None and not shape.click_id and tracking in program.our_ids
              and repeated is None),
        repeated=repeated,
        shortener=shape.shortener, allows_email=program.allows_email,
        required_statement=program.required_statement, click_id=shape.click_id, host=host,
    )


# How many link wrappers inside one another are unwrapped (a wrapper's address wrapped again).
_MAX_WRAPS = 5


def _carried(url: str, host: str, programs: Programs) -> list[str]:
    """The addresses a link wrapper of the programs file (`redirectors`) may lead to, when
    `url` goes through one: every value of its parameters, decoded (which one the
    wrapper follows when there are several is the wrapper's business, not ours)."""
    _, path, query = _host(url)
    out: list[str] = []
    for r in programs.redirectors:
        if not r.host_re.match(host) or r.path is not None and not r.path.search(path):
            continue
        values = parse_qsl(query, keep_blank_values=True)
        out += [value.strip() for p in r.params for name, value in values
                if name == p and value.strip()]
    return list(dict.fromkeys(out))


def _worse(a: LinkClass, b: LinkClass) -> LinkClass:
    """Of two classes of what a wrapper may lead to, the one the checks must see: a
    shortener or someone else's id before our paid link, our paid link before a tracking
    parameter in the wrong case (no paid link, a likely mistake), that before none."""
    def rank(c: LinkClass) -> int:
        return (3 if c.shortener or c.is_affiliate and not c.ours else 2 if c.is_affiliate
                else 1 if c.miscased is not None else 0)
    return b if rank(b) > rank(a) else a


def classify(url: str, programs: Programs, _wraps: int = 0) -> LinkClass:
    """Classify one URL against the programs file.

    A link matches a program's shape when its host matches one of the shape's
    hosts, its path matches the shape's `path`, and (unless the shape is a
    shortener) a tracking id is found. An untagged store link is not an
    affiliate link; a link through a shortener of no program is a shortener
    with no program. A link through a link wrapper (`google.com/url?q=...`, the
    file's `redirectors`) is what the address it carries is, when that is a paid
    link or a shortener (`via` names the wrapper): the reader's click lands there.
    A wrapper that may lead to several addresses is the worst of them; wrappers
    inside one another deeper than _MAX_WRAPS are a shortener: where they lead is
    hidden.
    """
    host = url_host(url)
    if not host:
        return _unclaimed(url)
    if programs.is_redirector(host):
        inner = _carried(url, host, programs)
        if inner and _wraps >= _MAX_WRAPS:
            return LinkClass(url=url, shortener=True, host=host, via=host)
        found = LinkClass(url=url)
        for address in inner:
            found = _worse(found, classify(address, programs, _wraps + 1))
        if found.is_affiliate or found.shortener or found.miscased is not None:
            return replace(found, url=url, via=host)
    if not programs.may_match(url, host):
        return _unclaimed(url, host)  # most links: one test instead of one a shape
    _, path, query = _host(url)
    miscased = None
    for program, shape in programs.shapes:
        if not shape.host_re.match(host):
            continue
        if shape.path is not None and not shape.path.search(path):
            continue
        if shape.shortener:
            return _as_class(url, host, program, shape, None)
        tracking, repeated = _tracking_id(shape, path, query)
        if tracking is not None:
            return _as_class(url, host, program, shape, tracking, repeated)
        if miscased is None:
            found = _miscased(shape, query)
            if found is not None:
                miscased = (program.name, *found)
    if programs.shortener_re.match(host):
        return LinkClass(url=url, shortener=True, host=host)
    return LinkClass(url=url, host=host, miscased=miscased)
