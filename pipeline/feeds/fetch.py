"""Fetching one feed over HTTP with a cache: conditional requests, a timeout, a size cap.

The cache is a folder (`.pipeline-cache/feeds/`, never committed) holding, per
feed URL, the last body received and its validators (ETag, Last-Modified,
Content-Type). A second fetch sends `If-None-Match` / `If-Modified-Since`, so
an unchanged feed costs a 304 and no body. When a fetch fails, the cached copy
(if any) is used and the result says so. A body is cached only once it reads as a
feed: an HTML page (a login wall, an error page served as 200), an empty answer or
malformed XML leaves the cached copy as it was.
"""

from __future__ import annotations

import functools
import hashlib
import http.client
import ipaddress
import json
import re
import socket
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlsplit

from .. import __version__
from ..fileio import remove_stale_in, write_atomic
from .parse import judge_feed, shown

TIMEOUT = 10.0  # seconds, for the whole of one fetch (the request to the body's last byte)
CHUNK = 65536  # bytes read at a time, the deadline checked after each
MAX_BYTES = 5_000_000  # a feed larger than this is refused
USER_AGENT = f"pipeline/{__version__} (release feeds of a local-AI catalog)"


@dataclass(frozen=True)
class Fetched:
    """The outcome of one fetch.

    `status`: `fetched` (a new body), `not-modified` (304: the cached body),
    `cached` (offline: the cached body), `stale` (the fetch failed, or its body
    is no feed: the cached body), `failed` (no body at all), `malformed` (a body
    that is no feed, and none cached). `message` says why for the last three;
    `bad_url` is set when the reason is the URL itself (as the entry wrote it),
    not the network or the server.
    """

    url: str
    status: str
    data: bytes | None
    content_type: str = "application/xml"
    message: str = ""
    bad_url: bool = False
    # what feedparser made of a `fetched` body (judge_feed), for read_feed: parsed once
    parsed: object = field(default=None, repr=False, compare=False)


class FeedCache:
    """Bodies and validators of fetched feeds, one pair of files per URL."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        remove_stale_in(self.folder)  # what a fetch killed while storing left

    def _key(self, url: str) -> str:
        return hashlib.sha256(url.encode("utf-8")).hexdigest()[:32]

    def load(self, url: str) -> tuple[bytes | None, dict]:
        key = self._key(url)
        body, meta = self.folder / f"{key}.body", self.folder / f"{key}.json"
        if not body.is_file() or not meta.is_file():
            return None, {}
        try:
            data, validators = body.read_bytes(), json.loads(meta.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None, {}
        if not _is_meta(validators):
            return None, {}  # not a file `store` wrote: no cache, never trusted
        return data, validators

    def store(self, url: str, data: bytes, meta: dict) -> None:
        key = self._key(url)
        write_atomic(self.folder / f"{key}.body", data)
        write_atomic(self.folder / f"{key}.json",
                     json.dumps({"url": url, **meta}, indent=2, sort_keys=True) + "\n")


# What `store` writes beside a body: text values only (an ETag, a Last-Modified date, a
# Content-Type, the URL). A file of another shape (a list, a number in a field) was not
# written by it, and is read as no cache at all.
_META_KEYS = ("url", "etag", "last_modified", "content_type")


def _is_meta(meta: object) -> bool:
    return isinstance(meta, dict) and all(isinstance(meta.get(k, ""), str) for k in _META_KEYS)


# What http.client refuses in a URL it sends: white space and control characters.
_SPACE_OR_CONTROL = re.compile(r"[\x00-\x20\x7f]")


def url_problem(url: str) -> str | None:
    """Why `url` (http or https) cannot be requested as written, in an editor's words; None
    when it can. Checked before any connection (urllib would raise instead)."""
    m = _SPACE_OR_CONTROL.search(url)
    if m:
        return ("it has a space in it" if m.group() == " "
                else f"it has a control character ({m.group()!r}) in it")
    try:
        url.encode("utf-8")
    except UnicodeEncodeError:
        return "it has a character no text can hold (a lone surrogate)"
    try:
        parts = urlsplit(url)
    except ValueError as e:  # an unclosed [ or a bracketed host that is no IP address
        return f"its host is not valid ({e})"
    try:
        parts.port
    except ValueError:
        port = parts.netloc.rpartition(":")[2]
        return f"its port {port!r} is not a number from 0 to 65535"
    host = parts.hostname
    if not host:
        return "it has no host"
    try:
        host.encode("idna")
    except UnicodeError as e:
        why = str(e.__cause__ or e)
        if "label empty or too long" in why:
            why = "a part between dots is empty or longer than 63 characters"
        return f"its host {host!r} is not a host name ({why})"
    return None


def _request_url(url: str) -> str:
    """`url` as sent: letters that are not ASCII in its path and query percent-encoded as
    UTF-8, as a browser does (the host is encoded by http.client, with IDNA)."""
    if url.isascii():
        return url
    parts = urlsplit(url)
    rest = url[len(f"{parts.scheme}://{parts.netloc}"):]
    return url[:len(url) - len(rest)] + re.sub(
        r"[^\x00-\x7f]+", lambda m: quote(m.group(), safe=""), rest)


def fetch(
    url: str,
    cache: FeedCache,
    *,
    offline: bool = False,
    timeout: float = TIMEOUT,
    max_bytes: int = MAX_BYTES,
) -> Fetched:
    """Fetch `url` (http or https) through `cache`; never raises for network trouble."""
    cached, meta = cache.load(url)
    ctype = meta.get("content_type") or "application/xml"
    problem = url_problem(url) if url.startswith(("http://", "https://")) else None
    if problem is not None:  # never fetched, so never cached: online or not, fix it
        return Fetched(url, "failed", None, message=f"not a valid URL: {problem}; fix the "
                       "address in the entry's `feeds:`", bad_url=True)
    if offline:
        if cached is None:
            return Fetched(url, "failed", None, message="offline and not in the cache; "
                           "run `pipeline feeds fetch` once online")
        return Fetched(url, "cached", cached, ctype)
    if not url.startswith(("http://", "https://")):
        return Fetched(url, "failed", None, message="not an http(s) URL")
    headers = {"User-Agent": USER_AGENT, "Accept": "application/atom+xml, application/rss+xml, "
               "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"}
    if cached is not None and meta.get("etag"):
        headers["If-None-Match"] = meta["etag"]
    if cached is not None and meta.get("last_modified"):
        headers["If-Modified-Since"] = meta["last_modified"]
    # urllib's timeout bounds each read of the socket, not the fetch: a server that sends
    # a byte now and then would never trip it. The connection is shut at the deadline
    # (_expiring), and the deadline is checked after each chunk of the body.
    deadline = time.monotonic() + timeout
    try:
        with _opener(deadline).open(urllib.request.Request(_request_url(url), headers=headers),
                                    timeout=timeout) as resp:
            length = resp.headers.get("Content-Length")
            if length and length.isascii() and length.isdigit() and int(length) > max_bytes:
                raise _TooBig(int(length))
            data = _read_body(resp, max_bytes, deadline)
            new_meta = {
                "etag": resp.headers.get("ETag") or "",
                "last_modified": resp.headers.get("Last-Modified") or "",
                "content_type": resp.headers.get("Content-Type") or "application/xml",
            }
    except urllib.error.HTTPError as e:
        if e.code == 304 and cached is not None:
            return Fetched(url, "not-modified", cached, ctype)
        return _fallback(url, cached, ctype, f"HTTP {e.code} {e.reason}")
    except _TooBig as e:
        return _fallback(url, cached, ctype, f"larger than the cap of {max_bytes} bytes "
                         f"({e.size} bytes or more)")
    except _BadRedirect as e:
        return _fallback(url, cached, ctype, f"cannot fetch: redirected to {e.target}, which "
                         "is not an http(s) address (only http and https redirects are "
                         "followed)")
    except _RedirectLoop as e:
        return _fallback(url, cached, ctype, f"cannot fetch: more than "
                         f"{_HttpRedirects.max_redirections} redirects, or a loop (the last "
                         f"from {e.last})")
    except _TooSlow:
        return _fallback(url, cached, ctype, f"cannot fetch: no complete answer within "
                         f"{timeout:g} s")
    except _SlowLookup as e:
        return _fallback(url, cached, ctype, f"cannot fetch: no complete answer within "
                         f"{timeout:g} s (the name lookup of {_shown_url(e.host)} was "
                         "still going)")
    except _InternalRedirect as e:
        return _fallback(url, cached, ctype, f"cannot fetch: redirected to {e.target}, "
                         f"an internal address ({e.address}: loopback, private or "
                         "link-local); a feed on a public host is not followed there")
    except (urllib.error.URLError, socket.timeout, TimeoutError, ConnectionError, OSError) as e:
        if time.monotonic() >= deadline:  # the connection was shut at the deadline
            return _fallback(url, cached, ctype, f"cannot fetch: no complete answer within "
                             f"{timeout:g} s")
        reason = getattr(e, "reason", e)
        if isinstance(reason, (socket.timeout, TimeoutError)):
            reason = f"no answer within {timeout:g} s"
        return _fallback(url, cached, ctype, f"cannot fetch: {reason}")
    except (http.client.HTTPException, ValueError) as e:
        if time.monotonic() >= deadline:  # shut mid-answer: an incomplete read
            return _fallback(url, cached, ctype, f"cannot fetch: no complete answer within "
                             f"{timeout:g} s")
        # What urllib still refuses (a redirect to an address that is no URL, an answer
        # that is no HTTP; UnicodeError is a ValueError): this feed's problem, not a crash.
        return _fallback(url, cached, ctype,
                         f"cannot fetch: {type(e).__name__}: {e}" if str(e) else
                         f"cannot fetch: {type(e).__name__}")
    parsed, problem = judge_feed(data, url, new_meta["content_type"])
    if problem:  # an HTML page or a broken feed never replaces a good copy
        if cached is None:
            return Fetched(url, "malformed", None, message=problem)
        return Fetched(url, "stale", cached, ctype, message=f"{problem}; using the cached copy")
    cache.store(url, data, new_meta)
    return Fetched(url, "fetched", data, new_meta["content_type"], parsed=parsed)


class _TooBig(Exception):
    def __init__(self, size: int):
        self.size = size


class _BadRedirect(Exception):
    def __init__(self, target: str):
        self.target = target


class _RedirectLoop(Exception):
    def __init__(self, last: str):
        self.last = last


def _shown_url(url: str) -> str:
    """A server's address as a message quotes it: no control character of it reaches a
    terminal (percent-encoded, as in a URL), and not too long."""
    return re.sub(r"[\x00-\x20\x7f-\x9f]", lambda m: quote(m.group(), safe=""), url)[:300]


class _InternalRedirect(Exception):
    def __init__(self, target: str, address: str):
        self.target, self.address = target, address


class _SlowLookup(Exception):
    def __init__(self, host: str):
        self.host = host


def _resolve(host: str, port: int, deadline: float) -> list:
    """socket.getaddrinfo for a connection to `host`, given up on (_SlowLookup) when the
    `deadline` (time.monotonic) passes. A name lookup has no timeout of its own: one that
    hung held a fetch, and the draft, past any timeout (found in review). It is made in a
    thread of its own, left to finish (or not) by itself when the time is up."""
    out: dict = {}

    def lookup():
        try:
            out["infos"] = socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM)
        except BaseException as e:  # noqa: BLE001  (raised below, in the fetch's thread)
            out["error"] = e

    worker = threading.Thread(target=lookup, name=f"feeds: look up {host}", daemon=True)
    worker.start()
    worker.join(max(deadline - time.monotonic(), 0))
    if worker.is_alive():
        raise _SlowLookup(host)
    if "error" in out:
        raise out["error"]
    return out["infos"]


class _HttpRedirects(urllib.request.HTTPRedirectHandler):
    """urllib's redirects, to http(s) addresses only: its own handler follows `ftp://`
    too (and refuses other schemes with a message of its own, quoting the address as the
    server sent it), and a feed has no business there. Too many redirects, or a loop, is
    _RedirectLoop (urllib's message for it ran over three lines)."""

    def http_error_302(self, req, fp, code, msg, headers):
        target = headers.get("location") or headers.get("uri") or ""
        if urlsplit(target).scheme.lower() not in ("http", "https", ""):
            fp.close()
            raise _BadRedirect(_shown_url(target))
        try:
            return super().http_error_302(req, fp, code, msg, headers)
        except urllib.error.HTTPError as e:
            if not str(e.msg).startswith(self.inf_msg):
                raise
            raise _RedirectLoop(_shown_url(req.full_url)) from None

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302

    def __init__(self, guard: _Guard | None = None):
        super().__init__()
        self.guard = guard or _Guard()

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if urlsplit(newurl).scheme.lower() not in ("http", "https"):
            fp.close()
            raise _BadRedirect(_shown_url(newurl))
        self.guard.target = _shown_url(newurl)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _expiring(base):
    """`base` (an HTTP(S) connection class) whose socket is shut at `deadline`
    (time.monotonic): then a read waiting on it returns, however the server trickles.
    urllib's timeout bounds each read of the socket, so a server sending its status line
    and headers a byte now and then held a fetch far past its timeout (found in review)."""

    class Expiring(base):
        def __init__(self, *args, deadline: float, guard: _Guard, proxied: bool = False,
                     **kwargs):
            super().__init__(*args, **kwargs)
            self.deadline = deadline
            self.guard, self.proxied = guard, proxied
            self.timer: threading.Timer | None = None

        def connect(self):
            left = self.deadline - time.monotonic()
            if left <= 0:  # a redirect read at the deadline
                raise _TooSlow
            if isinstance(self.timeout, (int, float)):  # what is left of the fetch's time
                self.timeout = min(self.timeout, left)  # to connect in, not all of it
            # started first: a proxy's answer to CONNECT is read inside connect()
            self.timer = threading.Timer(left, self._expire)
            self.timer.daemon = True
            self.timer.start()
            self._create_connection = self._connect_to
            super().connect()
            if time.monotonic() >= self.deadline:
                # made at or after the deadline (a slow answer to the handshake, a slow name
                # lookup): the timer found no socket to shut, and a server trickling its
                # headers then held the fetch as long as it liked (found in review)
                self.close()
                raise _TooSlow

        def _connect_to(self, address, timeout, source_address=None):
            """socket.create_connection, with the name looked up within the deadline (see
            _resolve) and the addresses it gives judged by the fetch's `guard`."""
            host, port = address
            infos = _resolve(host, port, self.deadline)
            if not self.proxied:  # through a proxy, the proxy connects to the feed's host
                self.guard.check(host, [info[4][0] for info in infos])
            error: OSError = OSError(f"no address for {host}")
            for info in infos:
                left = self.deadline - time.monotonic()
                if left <= 0:
                    raise _TooSlow
                wait = min(timeout, left) if isinstance(timeout, (int, float)) else left
                try:
                    return socket.create_connection(info[4][:2], wait, source_address)
                except OSError as e:
                    error = e
            raise error

        def _expire(self):
            sock = self.sock  # None while the connection is still being made: its own
            if sock is not None:  # timeout bounds that
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

        def close(self):
            if self.timer is not None:
                self.timer.cancel()
            super().close()

    return Expiring


_EXPIRING_HTTP = _expiring(http.client.HTTPConnection)
_EXPIRING_HTTPS = _expiring(http.client.HTTPSConnection)


def _connection(cls, req, deadline: float, guard: _Guard):
    """The connection class of `req`, bound to the fetch's deadline and guard. Through a
    proxy, the connection's own host is the proxy's, which the environment names, not the
    feed: the guard judges the host of the request's address then, when it is an IP
    address (a name, the proxy looks up)."""
    proxied = req.has_proxy() or bool(getattr(req, "_tunnel_host", None))
    if proxied:
        host = urlsplit(req.full_url).hostname or ""
        guard.check(host, [host] if _ip(host) is not None else [])
    return functools.partial(cls, deadline=deadline, guard=guard, proxied=proxied)


class _DeadlineHttp(urllib.request.HTTPHandler):
    def __init__(self, deadline: float, guard: _Guard):
        super().__init__()
        self.deadline, self.guard = deadline, guard

    def http_open(self, req):
        return self.do_open(_connection(_EXPIRING_HTTP, req, self.deadline, self.guard), req)


class _DeadlineHttps(urllib.request.HTTPSHandler):
    def __init__(self, deadline: float, guard: _Guard):
        super().__init__()
        self.deadline, self.guard = deadline, guard

    def https_open(self, req):
        return self.do_open(_connection(_EXPIRING_HTTPS, req, self.deadline, self.guard), req,
                            context=self._context)


def _opener(deadline: float, guard: _Guard | None = None):
    """urlopen's opener (proxies from the environment, http and https) with http(s)
    redirects only, connections shut when the fetch's `deadline` passes, and no redirect
    from a public host to an internal address (`guard`)."""
    guard = guard or _Guard()
    return urllib.request.build_opener(_HttpRedirects(guard), _DeadlineHttp(deadline, guard),
                                       _DeadlineHttps(deadline, guard))


def _ip(host: str):
    """`host` as an IP address (an IPv4 address an IPv6 one maps, as that), or None."""
    try:
        ip = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None
    return ip.ipv4_mapped or ip if ip.version == 6 else ip


def _internal(host: str) -> bool:
    """Whether `host` (an address a name gave) is no address of the public internet:
    loopback, private, link-local (169.254.169.254, where clouds serve their machines'
    credentials), shared, reserved or unspecified. What is no IP address counts as one."""
    ip = _ip(host)
    return ip is None or not ip.is_global


class _Guard:
    """Where one fetch may connect. A feed on a public host may redirect anywhere on the
    internet, but not inside the network the fetch runs on (CI's, the cloud's metadata
    service): a feed an entry lists would make the draft ask those for what an outsider's
    server chose, a request forgery. A feed the entry lists on an internal address itself
    (a server on this machine or the network) is followed wherever it redirects."""

    def __init__(self):
        self.public: bool | None = None  # whether the feed's own host is public; None: unseen
        self.target = ""  # the address last redirected to, as shown in a message

    def check(self, host: str, addresses: list[str]) -> None:
        internal = [a for a in addresses if _internal(a)]
        if self.public is None:  # the first connection: the feed's own host
            self.public = not internal
        elif self.public and internal:
            raise _InternalRedirect(self.target or _shown_url(host), internal[0])


class _TooSlow(Exception):
    """The deadline of the whole fetch passed."""


def _read_body(resp, max_bytes: int, deadline: float) -> bytes:
    """The body, read a chunk at a time (`read1`: what has come, not a full buffer, which
    a slow server would take its time to fill); _TooBig past `max_bytes`, _TooSlow once
    the `deadline` (time.monotonic) has passed, the headers' time included."""
    chunks: list[bytes] = []
    size = 0
    while True:
        if time.monotonic() > deadline:
            raise _TooSlow
        chunk = resp.read1(CHUNK)
        if not chunk:
            if time.monotonic() >= deadline:  # the connection was shut at the deadline: the
                raise _TooSlow  # body is cut, not whole (read as a malformed feed before)
            return b"".join(chunks)
        chunks.append(chunk)
        size += len(chunk)
        if size > max_bytes:
            raise _TooBig(size)


def _fallback(url: str, cached: bytes | None, ctype: str, why: str) -> Fetched:
    why = shown(why)  # the reason of a status line, an answer that is no HTTP: the server's
    if cached is None:
        return Fetched(url, "failed", None, message=why)
    return Fetched(url, "stale", cached, ctype, message=f"{why}; using the cached copy")
