"""Upstream release feeds: a local HTTP server on 127.0.0.1 serves fixture feeds (no network)."""

from __future__ import annotations

import codecs
import hashlib
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from conftest import MINI, CountingBar, write_entry
from pipeline.config import load_settings
from pipeline.feeds import collect, feed_sources, items_in_month
from pipeline.feeds.fetch import FeedCache, fetch
from pipeline.feeds.parse import parse_feed

FIXTURES = Path(__file__).parent / "fixtures" / "feeds"
LAST_MODIFIED = "Wed, 21 Oct 2026 09:00:00 GMT"
TRICKLE = (b'<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
           b"<title>r</title><id>urn:r</id><updated>2026-10-21T09:00:00Z</updated><entry>"
           b"<title>v1</title><id>urn:1</id><updated>2026-10-21T09:00:00Z</updated></entry>"
           b"</feed>\n")  # some 240 bytes: about 5 s a byte at a time


class _QuietServer(ThreadingHTTPServer):
    """A client that hangs up early (the size cap does) is expected: no traceback on stderr,
    where it would land in the output of whichever test runs next in this process."""

    def handle_error(self, request, client_address):
        pass


class FeedServer:
    """Fixture feeds over HTTP: `.atom` files with an ETag, `.rss` with Last-Modified only;
    `/slow` answers late, `/trickle` sends its body a byte at a time (each well within any
    read timeout, the whole over seconds), `/trickle-headers` its status line and headers
    so (then its body at once), `/big` is large, `/error` is a 500. Requests
    are recorded."""

    def __init__(self):
        self.requests: list[tuple[str, dict]] = []
        self.failing = False
        self.served: dict[str, tuple[bytes, str]] = {}  # name -> (body, Content-Type)
        self.redirects: dict[str, str] = {}  # name -> the Location of a 302
        self.errors: dict[str, tuple[int, str]] = {}  # name -> (status, its reason phrase)
        self.sent: dict[str, int] = {}  # name -> bytes a trickle wrote before the client left
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                server.requests.append((self.path, dict(self.headers)))
                name = self.path.lstrip("/")
                if server.failing or name == "error":
                    return self._send(500, b"oops")
                if name in server.errors:
                    code, reason = server.errors[name]
                    self.send_response(code, reason)
                    self.send_header("Content-Length", "0")
                    return self.end_headers()
                if name in server.redirects:
                    return self._send(302, b"moved", {"Location": server.redirects[name]})
                if name in server.served:
                    body, ctype = server.served[name]
                    return self._send(200, body, {"Content-Type": ctype})
                if name == "slow":
                    time.sleep(2)
                    return self._send(200, (FIXTURES / "vllm-releases.atom").read_bytes())
                if name == "trickle":
                    return self._trickle(TRICKLE)
                if name == "trickle-headers":  # the status line and headers, a byte at a time
                    head = (b"HTTP/1.0 200 OK\r\nContent-Type: application/atom+xml\r\n"
                            + b"X-Padding: " + b"x" * 200 + b"\r\n\r\n")
                    if self._trickle(head, raw=head, name=name):
                        try:  # then the body at once: only the headers were slow
                            self.wfile.write(TRICKLE)
                        except OSError:
                            pass
                    return None
                if name == "big":
                    return self._send(200, b"<feed>" + b" " * 50_000 + b"</feed>")
                file = FIXTURES / name
                if not file.is_file():
                    return self._send(404, b"not found")
                data = file.read_bytes()
                headers = {"Content-Type": "application/atom+xml; charset=utf-8"}
                if name.endswith(".atom"):
                    etag = '"' + hashlib.sha256(data).hexdigest()[:16] + '"'
                    headers["ETag"] = etag
                    if self.headers.get("If-None-Match") == etag:
                        return self._send(304, b"", headers)
                else:
                    headers["Last-Modified"] = LAST_MODIFIED
                    headers["Content-Type"] = "application/rss+xml"
                    if self.headers.get("If-Modified-Since") == LAST_MODIFIED:
                        return self._send(304, b"", headers)
                self._send(200, data, headers)

            def _trickle(self, body, raw=None, name=""):
                """Write `body` (or `raw`, the whole answer) a byte at a time; False once
                the client has gone, and `server.sent[name]` is how much it got."""
                if raw is None:
                    self.send_response(200)
                    self.send_header("Content-Type", "application/atom+xml")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                else:
                    self.close_connection = True
                    body = raw
                for i in range(len(body)):
                    try:
                        self.wfile.write(body[i:i + 1])
                        self.wfile.flush()
                    except OSError:  # the client gave up
                        return False
                    server.sent[name] = i + 1
                    time.sleep(0.02)
                return True

            def _send(self, code, body, headers=None):
                self.send_response(code)
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                if code != 304:
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if code != 304:
                    self.wfile.write(body)

        self.httpd = _QuietServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/{name}"

    def paths(self) -> list[str]:
        return [p for p, _ in self.requests]


@pytest.fixture
def feed_server():
    s = FeedServer()
    s.thread.start()
    yield s
    s.httpd.shutdown()
    s.httpd.server_close()


def with_feeds(root: Path, server: FeedServer, vllm=("vllm-releases.atom",),
               ollama=("ollama-releases.rss",)) -> None:
    """Give tools/vllm (and, unless `ollama` is None, a published tools/ollama) feeds."""
    write_entry(root, "tools/vllm", {**MINI["tools/vllm"], "feeds": [server.url(n) for n in vllm]})
    if ollama is None:
        return
    write_entry(root, "tools/ollama", {
        "title": "Ollama", "status": "published", "summary": "Run open models.",
        "authors": ["ana"], "published": "2026-09-01",
        "repository": "https://github.com/ollama/ollama",
        "verdict": {"rating": "recommended", "text": "Easy.", "date": "2026-09-01", "by": "ana"},
        "feeds": [server.url(n) for n in ollama]})


def test_sources_come_from_tool_entries(catalog, feed_server):
    with_feeds(catalog, feed_server)
    sources = feed_sources(load_settings(catalog))
    assert [(s.entry, s.url.rsplit("/", 1)[1], s.published) for s in sources] == [
        ("tools/ollama", "ollama-releases.rss", True), ("tools/vllm", "vllm-releases.atom", True)]


def test_fetch_caches_then_asks_conditionally(catalog, feed_server):
    with_feeds(catalog, feed_server)
    settings = load_settings(catalog)
    first = collect(settings)
    assert {r.status for r in first.results} == {"fetched"}
    assert (catalog / ".pipeline-cache" / "feeds").is_dir()
    feed_server.requests.clear()
    second = collect(settings)
    assert {r.status for r in second.results} == {"not-modified"}
    headers = dict(feed_server.requests)
    assert headers["/vllm-releases.atom"]["If-None-Match"].startswith('"')
    assert headers["/ollama-releases.rss"]["If-Modified-Since"] == LAST_MODIFIED
    assert second.items == first.items and len(first.items) == 5


def test_items_dates_and_sanitised_html(catalog, feed_server):
    with_feeds(catalog, feed_server)
    items = {i.title: i for i in collect(load_settings(catalog)).items}
    assert "nightly (undated)" not in items  # no date: left out
    assert items["v0.11.2"].date == "2026-10-21"  # published wins over updated
    assert items["v0.11.1"].date == "2026-10-06"  # no published: updated
    assert items["v0.12.5 [with] *stars* <and> brackets"].date == "2026-10-13"
    html = items["v0.11.2"].summary_html
    for bad in ("<script", "onclick", "javascript:", "<img", "tracker.example"):
        assert bad not in html
    assert "<b>prefix caching</b>" in html
    assert items["v0.11.2"].summary_text.startswith("Highlights Faster prefix caching")
    assert 'style=' not in items["v0.12.5 [with] *stars* <and> brackets"].summary_html
    october = items_in_month(list(items.values()), "2026-10")
    assert sorted(i.title for i in october) == ["v0.11.1", "v0.11.2",
                                                "v0.12.5 [with] *stars* <and> brackets"]


def test_a_malformed_feed_is_reported_and_skipped(catalog, feed_server, cli):
    with_feeds(catalog, feed_server, vllm=("broken.atom", "vllm-releases.atom"))
    report = collect(load_settings(catalog))
    bad = [r for r in report.results if r.status == "malformed"]
    assert len(bad) == 1 and "malformed feed at line 7" in bad[0].problem
    assert bad[0].items == () and len(report.items) == 5
    r = cli(catalog, "feeds", "fetch")
    assert r.exit_code == 0, r.output
    assert "malformed" in r.output and "3 feeds, 5 items, 1 with problems." in r.output


def test_offline_reads_only_the_cache(catalog, feed_server, cli):
    with_feeds(catalog, feed_server)
    r = cli(catalog, "feeds", "fetch", "--offline")
    assert r.exit_code == 1 and "not in the cache" in r.output
    assert feed_server.requests == []
    assert cli(catalog, "feeds", "fetch").exit_code == 0
    feed_server.requests.clear()
    r = cli(catalog, "feeds", "fetch", "--offline")
    assert r.exit_code == 0 and r.output.count("cached") == 2
    assert feed_server.requests == []


def test_size_cap_timeout_and_errors_fall_back_to_the_cache(tmp_path, feed_server):
    cache = FeedCache(tmp_path / "cache")
    big = fetch(feed_server.url("big"), cache, max_bytes=1000)
    assert big.status == "failed" and "larger than the cap of 1000 bytes" in big.message
    slow = fetch(feed_server.url("slow"), cache, timeout=0.2)
    assert slow.status == "failed" and "answer within 0.2 s" in slow.message
    url = feed_server.url("vllm-releases.atom")
    assert fetch(url, cache).status == "fetched"
    feed_server.failing = True
    stale = fetch(url, cache)
    assert stale.status == "stale" and "HTTP 500" in stale.message and stale.data
    assert fetch("file:///etc/passwd", cache).status == "failed"


def test_parse_feed_refuses_bozo_and_keeps_good_bytes():
    items, problem = parse_feed((FIXTURES / "broken.atom").read_bytes(), "https://x/f", "tools/x")
    assert items == [] and problem.startswith("malformed feed")
    items, problem = parse_feed((FIXTURES / "vllm-releases.atom").read_bytes(),
                                "https://github.com/vllm-project/vllm/releases.atom", "tools/vllm",
                                "text/plain")
    assert problem is None and [i.title for i in items] == ["v0.11.0", "v0.11.1", "v0.11.2"]
    assert len({i.key for i in items}) == 3


def test_collect_reports_progress_per_feed(tmp_path):
    from pipeline.feeds import collect

    root = tmp_path / "c"
    (root / "entries/tools").mkdir(parents=True)
    (root / "pipeline.toml").write_text("")
    for name in ("a", "b"):
        (root / f"entries/tools/{name}.md").write_text(
            f"---\ntitle: {name}\nfeeds: [https://example.invalid/{name}.atom]\n---\n")

    bar = CountingBar()
    from pipeline.config import load_settings

    collect(load_settings(root), offline=True, progress=bar)
    assert (bar.total, bar.done) == (2, 2)


def test_a_feed_link_cannot_add_markdown_to_a_draft():
    """A release's link goes into the draft as a Markdown link destination: one with white
    space is dropped, and brackets and quotes are percent-encoded, so a feed adds no
    heading, link or block marker of its own."""
    from pipeline.digest.sections import _release_item

    def feed(href: str) -> bytes:
        return ('<?xml version="1.0" encoding="utf-8"?>'
                '<feed xmlns="http://www.w3.org/2005/Atom"><title>r</title><id>urn:r</id>'
                '<updated>2026-10-21T09:00:00Z</updated><entry><title>v1</title><id>urn:1</id>'
                f'<link href="{href}"/><updated>2026-10-21T09:00:00Z</updated></entry>'
                '</feed>').encode()

    phishing = ("https://github.com/o/r/releases/v1)&#10;## Your account is locked&#10;"
                "[Verify now](https://evil.example/phish)&#10;&lt;!-- pipeline:end releases --&gt;")
    (item,), problem = parse_feed(feed(phishing), "https://x/f", "tools/x")
    assert problem is None and item.link == ""
    line = _release_item(item, "X").text
    assert "\n" not in line.rstrip("\n") and "evil.example" not in line

    (item,), _ = parse_feed(feed("https://github.com/o/r/v1)[x](https://evil.example/&quot;"),
                            "https://x/f", "tools/x")
    assert item.link == "https://github.com/o/r/v1%29[x]%28https://evil.example/%22"
    (item,), _ = parse_feed(feed("https://github.com/o/r/releases/tag/v1"), "https://x/f",
                            "tools/x")
    assert item.link == "https://github.com/o/r/releases/tag/v1"


def _rss(title: str, encoding: str = "UTF-8") -> bytes:
    """A one-item RSS feed in `encoding`, which its XML declaration names."""
    return (f'<?xml version="1.0" encoding="{encoding}"?>\n'
            '<rss version="2.0"><channel><title>t</title><link>https://e.org</link>'
            '<description>d</description><item><title>' + title + '</title>'
            '<link>https://e.org/1</link><guid>https://e.org/1</guid>'
            '<pubDate>Mon, 05 Oct 2026 10:00:00 GMT</pubDate>'
            '<description>Faster, much faster.</description></item>'
            '</channel></rss>').encode(encoding)


def test_a_utf8_feed_served_as_text_xml_is_read(catalog, feed_server):
    """`text/xml` with no charset (nginx's default for .xml) implies us-ascii; feedparser
    reads the UTF-8 its declaration names all the same and calls it a (harmless) bozo. Any
    curly quote or dash lost the whole feed as "malformed" (found in review)."""
    feed_server.served["releases.xml"] = (_rss("v2.0 \u201cLisbon\u201d \u2014 fast"), "text/xml")
    with_feeds(catalog, feed_server, vllm=("releases.xml",), ollama=None)
    report = collect(load_settings(catalog))
    assert [r.status for r in report.results] == ["fetched"] and not report.results[0].problem
    assert [i.title for i in report.items] == ["v2.0 \u201cLisbon\u201d \u2014 fast"]


def test_text_xml_does_not_let_a_broken_feed_through():
    """Only the encoding override is forgiven: XML that is not well-formed, and bytes that
    are not in the encoding the feed names (read as a guess, they would be mojibake), are
    still refused."""
    broken = (FIXTURES / "broken.atom").read_bytes()
    items, problem = parse_feed(broken, "https://x/f", "tools/x", "text/xml")
    assert items == [] and problem.startswith("malformed feed at line 7")
    not_utf8 = _rss("v2.0 Lis\u00a0bon").replace("\u00a0".encode(), b"\xff")
    for ctype in ("text/xml", "application/rss+xml"):
        items, problem = parse_feed(not_utf8, "https://x/f", "tools/x", ctype)
        assert items == [] and "parsed as" in problem, ctype
    latin = _rss("v2.0 \u00e9t\u00e9", "ISO-8859-1")  # a declaration other than UTF-8 wins too
    items, problem = parse_feed(latin, "https://x/f", "tools/x", "text/xml")
    assert problem is None and [i.title for i in items] == ["v2.0 \u00e9t\u00e9"]


@pytest.mark.parametrize("served", ["text/xml", "application/rss+xml; charset=utf-8"])
def test_a_utf16_feed_is_read_whatever_charset_it_is_served_with(served):
    """A feed in UTF-16 names its encoding with its byte order mark (or its first bytes),
    which wins over the HTTP charset (RFC 7303); feedparser reads it so. Only a UTF-8 mark
    or an ASCII declaration counted as the feed's own, and a UTF-16 feed served as
    `text/xml` was refused as "malformed" (found in review)."""
    for data in (_rss("v2.0 \u00e9t\u00e9", "UTF-16"),  # with its byte order mark
                 _rss("v2.0 \u00e9t\u00e9", "UTF-16").decode("utf-16").encode("utf-16-be")):
        items, problem = parse_feed(data, "https://x/f", "tools/x", served)
        assert problem is None and [i.title for i in items] == ["v2.0 \u00e9t\u00e9"]
    # a UTF-8 mark on bytes that are not UTF-8 is still refused
    latin = codecs.BOM_UTF8 + _rss("v2.0 \u00e9t\u00e9", "ISO-8859-1").replace(
        b"ISO-8859-1", b"UTF-8")
    items, problem = parse_feed(latin, "https://x/f", "tools/x", served)
    assert items == [] and "parsed as" in problem


@pytest.mark.parametrize("when", ["0000-01-01T00:00:00Z", "9999-12-31T23:59:59-23:59"])
def test_an_item_dated_out_of_any_calendar_is_left_out_not_a_crash(when):
    """`datetime` has no year 0 or 10000: one such item in one upstream feed stopped
    `feeds fetch` and `digest draft` with a traceback, offline too, since the feed was
    cached before it was read (found in review). It counts as undated; the rest stay."""
    feed = ('<?xml version="1.0" encoding="utf-8"?>'
            '<feed xmlns="http://www.w3.org/2005/Atom"><title>r</title><id>urn:r</id>'
            '<updated>2026-10-21T09:00:00Z</updated>'
            f'<entry><title>odd</title><id>urn:1</id><updated>{when}</updated></entry>'
            '<entry><title>v2</title><id>urn:2</id><updated>2026-10-21T09:00:00Z</updated>'
            '</entry></feed>').encode()
    items, problem = parse_feed(feed, "https://x/f", "tools/x")
    assert problem is None
    assert [(i.title, i.date) for i in items] == [("v2", "2026-10-21")]


def test_a_huge_release_title_is_cut_in_the_digest():
    """A feed's title went into the digest whole: one of 200,000 characters made the e-mail
    too big to render (found in review). It is cut like the notes, at a word's end."""
    from pipeline.digest.sections import TITLE, _release_item

    (item,), problem = parse_feed(_rss("A" * 200_000), "https://x/f", "tools/x")
    assert problem is None and len(item.title) == 200_000
    text = _release_item(item, "X").text
    assert f"[{'A' * TITLE} …](https://e.org/1)" in text and len(text) < 400
    words = " ".join(["word"] * 60)  # 299 characters
    (item,), _ = parse_feed(_rss(words), "https://x/f", "tools/x")
    name = _release_item(item, "X").text.split("[")[2].split("]")[0]
    assert name.endswith("word …") and len(name) <= TITLE + 2 and words.startswith(name[:-2])
    (item,), _ = parse_feed(_rss("v1.0 " + "b" * (TITLE - 5)), "https://x/f", "tools/x")
    assert f"[v1.0 {'b' * (TITLE - 5)}](" in _release_item(item, "X").text  # not cut


def test_a_feed_cannot_turn_the_rest_of_a_digest_line_backwards():
    """A release title with a right-to-left override (U+202E) went into the digest as it
    was, and the line's date and notes after it read backwards in the e-mail and on the
    page; a DEL, which XML allows, went in raw (found in review). A feed's words keep
    neither; an editor's right-to-left text is not a feed's."""
    from pipeline.digest.sections import _release_item

    title = "v2.0 \u202e\u2066 \x7fgnitset \u2069\u202c done"
    (item,), problem = parse_feed(_rss(title), "https://x/f", "tools/x")
    assert problem is None and item.title == "v2.0 gnitset done"
    assert item.summary_text == "Faster, much faster."
    html = _rss(title).replace(b"Faster, much faster.", "&lt;p&gt;A \u202e b&lt;/p&gt;".encode())
    (item,), _ = parse_feed(html, "https://x/f", "tools/x")
    assert item.summary_text == "A b"
    line = _release_item(item, "X").text
    assert not any(c in line for c in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\x7f")


def test_the_temporary_files_a_killed_fetch_left_in_the_cache_are_removed(tmp_path):
    """A fetch killed while storing a feed left its temporary files in the feeds' cache
    for good (found in review); an hour old, they are removed when the cache is next
    opened. A fresh one (a live fetch's) and a file not named as ours stay."""
    import os
    import time

    folder = tmp_path / "cache"
    folder.mkdir()
    old = folder / ".ab12.body.0123456789abcdef.tmp"
    fresh = folder / ".cd34.json.fedcba9876543210.tmp"
    other = folder / ".notes.tmp"
    for path in (old, fresh, other):
        path.write_bytes(b"x")
    hours_ago = time.time() - 2 * 3600
    os.utime(old, (hours_ago, hours_ago))
    os.utime(other, (hours_ago, hours_ago))
    FeedCache(folder)
    assert sorted(p.name for p in folder.iterdir()) == sorted([fresh.name, other.name])
