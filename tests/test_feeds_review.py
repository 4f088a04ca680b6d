"""Release feeds (review): a redraft keeps releases a feed no longer lists, a page that is
no feed never replaces the cached one, ids a feed repeats, a whole-fetch timeout, plain-text
notes, the lines of malformed feeds and redirects to other schemes. Real feeds, parsed by
feedparser, served by a local HTTP server; real git repositories."""

from __future__ import annotations

import re
import time

import pytest

from conftest import commit_all
from test_changes import at
from test_feeds import feed_server, with_feeds  # noqa: F401  (a fixture)

DIGEST = "digests/2026-10.md"


def atom(*entries: tuple[str, str], ids: dict[str, str] | None = None) -> bytes:
    """An Atom feed of releases (tag, ISO date), newest first as GitHub lists them; `ids`
    gives a tag another id than its own."""
    ids = ids or {}
    items = "".join(
        f"<entry><id>{ids.get(tag, 'tag:github.com,2008:Repository/1/' + tag)}</id>"
        f"<updated>{day}T12:00:00Z</updated>"
        f'<link rel="alternate" type="text/html" href="https://github.com/o/r/releases/tag/{tag}"/>'
        f"<title>{tag}</title><content type=\"html\">&lt;p&gt;Notes of {tag}.&lt;/p&gt;</content>"
        "</entry>" for tag, day in entries)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<feed xmlns="http://www.w3.org/2005/Atom"><id>urn:releases</id>'
            "<title>Releases</title><updated>2026-11-02T12:00:00Z</updated>"
            f"{items}</feed>\n").encode()


def draft(cli, root, *args):
    r = cli(root, "digest", "draft", "2026-10", *args)
    assert r.exit_code == 0, r.output
    return r, (root / DIGEST).read_text(encoding="utf-8")


def releases(text: str) -> str:
    m = re.search(r"<!-- pipeline:begin releases .*?<!-- pipeline:end releases -->", text, re.S)
    return m.group(0)


@pytest.fixture
def fed(repo, feed_server):  # noqa: F811
    """tools/vllm, published since September, reads /rel.atom (served as set by a test)."""
    feed_server.served["rel.atom"] = (atom(("v2", "2026-10-20"), ("v1", "2026-10-05")),
                                      "application/atom+xml")
    with_feeds(repo, feed_server, vllm=("rel.atom",), ollama=None)
    commit_all(repo, "Feeds", at("2026-09-02"))
    return repo


# 1. a release the feed no longer lists stays in the redrafted digest

def test_a_release_the_feed_no_longer_lists_stays_in_the_redraft(fed, cli, feed_server):  # noqa: F811
    """GitHub's releases.atom keeps the newest ten releases: a redraft later in the month
    dropped the older ones for good, as if they were reverted changes (found in review)."""
    _, text = draft(cli, fed)
    assert "[v1](" in releases(text) and "[v2](" in releases(text)
    feed_server.served["rel.atom"] = (atom(("v3", "2026-11-01"), ("v2", "2026-10-20")),
                                      "application/atom+xml")
    r, again = draft(cli, fed)
    assert "0 dropped" in r.output and "1 kept that the feeds no longer list" in r.output
    assert "[v1](" in releases(again) and "[v2](" in releases(again)
    assert "[v3](" not in again  # November's
    r, third = draft(cli, fed)
    assert "is up to date" in r.output and third == again


def test_a_release_stays_when_its_feed_fails_with_no_cached_copy(fed, cli, feed_server):  # noqa: F811
    import shutil

    _, text = draft(cli, fed)
    shutil.rmtree(fed / ".pipeline-cache")
    feed_server.failing = True
    r, again = draft(cli, fed)
    assert "HTTP 500" in r.output and "0 dropped" in r.output
    assert releases(again) == releases(text)


def test_a_release_the_feed_dates_outside_the_month_now_is_dropped(fed, cli, feed_server):  # noqa: F811
    """What the feed still lists, it still dates: a release re-dated into November goes (an
    untouched one; one the editor edited stays)."""
    _, text = draft(cli, fed)
    v2 = next(ln for ln in releases(text).splitlines() if "[v2](" in ln)
    (fed / DIGEST).write_text(text.replace(v2, v2 + " Ours."), encoding="utf-8")
    feed_server.served["rel.atom"] = (atom(("v2", "2026-11-03"), ("v1", "2026-11-02")),
                                      "application/atom+xml")
    r, again = draft(cli, fed)
    assert "1 dropped" in r.output and "1 kept as edited" in r.output
    assert "[v1](" not in again and v2 + " Ours." in releases(again)


def test_a_release_of_a_tool_unpublished_in_the_month_is_dropped(fed, cli, feed_server):  # noqa: F811
    from test_digest_renames import _status

    _, text = draft(cli, fed)
    assert "[v1](" in releases(text)
    feed_server.served["rel.atom"] = (atom(("v3", "2026-11-01")), "application/atom+xml")
    _status(fed, "tools/vllm", "status: published", "status: draft")
    commit_all(fed, "Unpublish vLLM", at("2026-10-25"))
    r, again = draft(cli, fed)
    assert "[v1](" not in again and "[v2](" not in again and "2 dropped" in r.output


# 2. a page that is no feed (HTML, an empty 200) never replaces the cached feed

HTML = (b"<!DOCTYPE html>\n<html><head><title>Sign in</title></head>"
        b"<body><p>Sign in to continue</p></body></html>\n")
XHTML = b"<html><head><title>Sign in</title></head><body><p>Sign in</p></body></html>"


@pytest.mark.parametrize("body, served, why", [
    (HTML, "text/html; charset=utf-8",
     "not an RSS or Atom feed (an HTML page, served as text/html; charset=utf-8)"),
    (XHTML, "text/html", "not an RSS or Atom feed (an HTML page, served as text/html)"),
    (b"", "application/atom+xml", "not an RSS or Atom feed (the response is empty, served as "
     "application/atom+xml)"),
    (b'{"version": "https://jsonfeed.org/version/1.1", "items": []}\n', "application/json",
     "not an RSS or Atom feed (JSON (a JSON Feed is not read"),
    (None, "application/atom+xml",
     "not an RSS or Atom feed (gzip-compressed bytes, served as application/atom+xml)"),
], ids=["html", "xhtml", "empty", "json", "gzip"])
def test_a_body_with_no_feed_in_it_is_refused(body, served, why):
    """feedparser reads a well-formed HTML page, or nothing at all, as a feed with no
    items (no bozo, `version` ''): an error page served with 200 emptied the feed
    (found in review)."""
    import gzip

    from pipeline.feeds.parse import parse_feed

    if body is None:
        body = gzip.compress(atom(("v1", "2026-10-05")))
    items, problem = parse_feed(body, "https://x/f", "tools/x", served)
    assert items == [] and problem.startswith(why), problem


@pytest.mark.parametrize("body, why", [
    (HTML, "not an RSS or Atom feed (an HTML page, served as text/html; charset=utf-8)"),
    (b"", "not an RSS or Atom feed (the response is empty, served as text/html; charset=utf-8)"),
    (b"<feed xmlns='http://www.w3.org/2005/Atom'><title>cut off", "malformed feed"),
], ids=["html", "empty", "cut-off"])
def test_a_page_that_is_no_feed_keeps_the_cached_copy(catalog, feed_server, cli, body, why):  # noqa: F811
    from pipeline.config import load_settings
    from pipeline.feeds import collect

    good = atom(("v2", "2026-10-20"), ("v1", "2026-10-05"))
    feed_server.served["rel.atom"] = (good, "application/atom+xml")
    with_feeds(catalog, feed_server, vllm=("rel.atom",), ollama=None)
    settings = load_settings(catalog)
    assert [r.status for r in collect(settings).results] == ["fetched"]
    feed_server.served["rel.atom"] = (body, "text/html; charset=utf-8")
    (result,) = collect(settings).results
    assert result.status == "stale" and [i.title for i in result.items] == ["v1", "v2"]
    assert result.problem.startswith(why) and result.problem.endswith("; using the cached copy")
    (offline,) = collect(settings, offline=True).results  # the cache holds the good copy
    assert offline.status == "cached" and [i.title for i in offline.items] == ["v1", "v2"]
    r = cli(catalog, "feeds", "fetch")
    assert r.exit_code == 0 and "stale" in r.output and feed_server.url("rel.atom") in r.output


def test_a_page_that_is_no_feed_with_nothing_cached_is_a_problem(catalog, feed_server, cli):  # noqa: F811
    feed_server.served["rel.atom"] = (HTML, "text/html")
    with_feeds(catalog, feed_server, vllm=("rel.atom",), ollama=None)
    r = cli(catalog, "feeds", "fetch")
    assert r.exit_code == 1, r.output  # no feed could be read
    assert "malformed" in r.output and feed_server.url("rel.atom") in r.output
    assert "not an RSS or Atom feed (an HTML page, served as text/html); skipped" in r.output
    assert "Traceback" not in r.output
    assert not list((catalog / ".pipeline-cache" / "feeds").glob("*.body"))


# 3. items that share an id are each listed

def _rss(*items: tuple[str, str, str]) -> bytes:
    """An RSS feed whose items (title, link, RFC 822 date) all have the guid `latest`."""
    body = "".join(
        f"<item><title>{t}</title><link>{link}</link>"
        '<guid isPermaLink="false">latest</guid>'
        f"<pubDate>{d}</pubDate><description>Notes of {t}.</description></item>"
        for t, link, d in items)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
            "<title>Releases</title><link>https://e.org</link><description>d</description>"
            f"{body}</channel></rss>\n").encode()


def _no_ids(*items: tuple[str, str, str]) -> bytes:
    """An RSS feed of items (title, link, RFC 822 date) with no guid: named by their links."""
    body = "".join(f"<item><title>{t}</title><link>{link}</link><pubDate>{d}</pubDate>"
                   "</item>" for t, link, d in items)
    return ('<?xml version="1.0"?>\n<rss version="2.0"><channel><title>R</title>'
            f"<link>https://e.org</link><description>d</description>{body}</channel></rss>"
            ).encode()


def test_items_that_share_an_id_are_each_listed_with_a_warning(catalog, feed_server):  # noqa: F811
    """Two items with `<guid isPermaLink="false">latest</guid>` got one key, and the
    draft kept one of them: a release was lost (found in review)."""
    import hashlib

    from pipeline.config import load_settings
    from pipeline.feeds import collect
    from pipeline.feeds.parse import parse_feed

    feed = _rss(("v3", "https://e.org/v3", "Tue, 20 Oct 2026 10:00:00 GMT"),
                ("v2", "https://e.org/v2", "Mon, 12 Oct 2026 10:00:00 GMT"),
                ("v1", "https://e.org/v1", "Mon, 05 Oct 2026 10:00:00 GMT"))
    items, problem = parse_feed(feed, "https://e.org/feed", "tools/x")
    assert problem is None and [i.title for i in items] == ["v1", "v2", "v3"]
    keys = {i.title: i.key for i in items}
    assert len(set(keys.values())) == 3
    # each is named by its link too, not by where it stands or which others are listed
    # (keyed by its link and that name now, as every release is whose link is its own:
    # parse.release_key; the keys it had, which digests drafted before know it by, are its
    # `former`)
    by_link = hashlib.sha256(b"release\ne.org/v1").hexdigest()
    by_id = hashlib.sha256(b"latest\nhttps://e.org/v1").hexdigest()
    assert keys["v1"] == by_link[:8] + by_id[:8]
    assert items[0].former == (by_link[:10], by_id[:10])
    window, _ = parse_feed(_rss(("v2", "https://e.org/v2", "Mon, 12 Oct 2026 10:00:00 GMT"),
                                ("v1", "https://e.org/v1", "Mon, 05 Oct 2026 10:00:00 GMT")),
                           "https://e.org/feed", "tools/x")
    assert {i.title: i.key for i in window} == {"v1": keys["v1"], "v2": keys["v2"]}
    again, _ = parse_feed(feed, "https://e.org/moved", "tools/x")
    assert {i.title: i.key for i in again} == keys  # keys do not hang on the feed's address
    # the same link twice still makes two keys
    twice = _rss(("a", "https://e.org/r", "Mon, 05 Oct 2026 10:00:00 GMT"),
                 ("b", "https://e.org/r", "Mon, 05 Oct 2026 10:00:00 GMT"),
                 ("b", "https://e.org/r", "Mon, 05 Oct 2026 10:00:00 GMT"))
    items, _ = parse_feed(twice, "https://e.org/feed", "tools/x")
    assert len({i.key for i in items}) == 3

    feed_server.served["latest.rss"] = (feed, "application/rss+xml")
    with_feeds(catalog, feed_server, vllm=("latest.rss",), ollama=None)
    (result,) = collect(load_settings(catalog)).results
    assert result.status == "fetched" and len(result.items) == 3
    assert result.problem.startswith("3 items share the id 'latest'; each is listed")


def test_a_draft_lists_each_release_of_a_feed_that_repeats_an_id(repo, feed_server, cli):  # noqa: F811
    feed_server.served["latest.rss"] = (
        _rss(("v2", "https://e.org/v2", "Mon, 12 Oct 2026 10:00:00 GMT"),
             ("v1", "https://e.org/v1", "Mon, 05 Oct 2026 10:00:00 GMT")),
        "application/rss+xml")
    with_feeds(repo, feed_server, vllm=("latest.rss",), ollama=None)
    commit_all(repo, "Feeds", at("2026-09-02"))
    r, text = draft(cli, repo)
    assert "[v1](https://e.org/v1)" in releases(text) and "[v2](https://e.org/v2)" in releases(text)
    assert "warning: feed" in r.output and "2 items share the id 'latest'" in r.output


# 4. the timeout is for the whole fetch, not for each read

def test_a_feed_that_trickles_in_runs_out_of_time(tmp_path, catalog, feed_server, cli):  # noqa: F811
    """The timeout was urllib's, for each read of the socket: a server sending a byte a
    little faster than that never tripped it, and one feed could hold the fetch (and the
    draft) for as long as it liked (found in review)."""
    from pipeline.feeds.fetch import FeedCache, fetch

    got = fetch(feed_server.url("trickle"), FeedCache(tmp_path / "cache"), timeout=0.5)
    assert got.status == "failed" and got.data is None
    assert got.message == "cannot fetch: no complete answer within 0.5 s"
    # the status line and headers too: urllib reads them under its per-read timeout, and
    # a server trickling them held the fetch for as long as they took (found in review)
    got = fetch(feed_server.url("trickle-headers"), FeedCache(tmp_path / "cache"), timeout=0.5)
    assert got.status == "failed" and got.data is None
    assert got.message == "cannot fetch: no complete answer within 0.5 s"
    # the fetch hung up in the headers, at its deadline, not after reading them all
    for _ in range(200):
        if "trickle-headers" in feed_server.sent and feed_server.requests:
            break
        time.sleep(0.05)
    assert 0 < feed_server.sent["trickle-headers"] < 200, feed_server.sent
    with_feeds(catalog, feed_server, vllm=("trickle",), ollama=None)
    r = cli(catalog, "feeds", "fetch", "--timeout", "0.5")
    assert r.exit_code == 1 and feed_server.url("trickle") in r.output
    assert "no complete answer within 0.5 s" in r.output and "Traceback" not in r.output


# 5. notes in plain text are words as they are

def test_notes_in_plain_text_keep_what_looks_like_a_tag():
    """`<summary type="text">Strip &lt;think&gt; blocks</summary>` was read as HTML, and
    `<think>` went as a tag (found in review); HTML notes are still sanitised."""
    from pipeline.digest.sections import _release_item
    from pipeline.feeds.parse import parse_feed

    def entry(n: int, notes: str) -> str:
        return (f"<entry><id>urn:{n}</id><title>v{n}</title><updated>2026-10-0{n}T09:00:00Z"
                f"</updated><link href='https://e.org/v{n}'/>{notes}</entry>")

    feed = ('<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
            "<title>r</title><id>urn:r</id><updated>2026-10-21T09:00:00Z</updated>"
            + entry(1, '<summary type="text">Strip &lt;think&gt; blocks &amp; more</summary>')
            + entry(2, "<summary>Parse &lt;tool_call&gt; tags</summary>")  # text by default
            + entry(3, '<content type="text">Keep &lt;b&gt;</content>'
                    '<summary type="html">&lt;p&gt;other&lt;/p&gt;</summary>')
            + entry(4, '<summary type="html">&lt;p&gt;Strip &lt;b&gt;bold&lt;/b&gt;'
                    '&lt;script&gt;x()&lt;/script&gt;&lt;/p&gt;</summary>')
            + "</feed>").encode()
    items, problem = parse_feed(feed, "https://e.org/f", "tools/x")
    assert problem is None
    notes = {i.title: i for i in items}
    assert notes["v1"].summary_text == "Strip <think> blocks & more"
    assert notes["v1"].summary_html == "Strip &lt;think&gt; blocks &amp; more"
    assert notes["v2"].summary_text == "Parse <tool_call> tags"
    assert notes["v3"].summary_text == "Keep <b>"
    assert notes["v4"].summary_text == "Strip bold" and "<b>bold</b>" in notes["v4"].summary_html
    assert "script" not in notes["v4"].summary_html
    assert r"Strip \<think\> blocks \& more" in _release_item(notes["v1"], "X").text


# 6. malformed feeds at their own line, once; redirects to http(s) only

BROKEN = (b'<feed xmlns="http://www.w3.org/2005/Atom">\n  <title>A broken feed</title>\n'
          b"  <entry>\n    <title>v1.0</title>\n    <updated>2026-10-10T00:00:00Z</updated>\n"
          b"  </entri>\n</feed>\n")  # `</entri>` on line 6


@pytest.mark.parametrize("head", [b"", b"\xef\xbb\xbf", b'<?xml version="1.0"?>\n',
                                  b'\xef\xbb\xbf<?xml version="1.0" encoding="utf-8"?>\n'],
                         ids=["bare", "bom", "declared", "bom-declared"])
def test_a_malformed_feed_is_reported_at_its_own_line_once(head):
    """feedparser gives a document with no XML declaration one, on a line of its own: the
    line said was one past the feed's, and the message said where twice ("at line 7:
    <unknown>:7:4: mismatched tag"; found in review)."""
    from pipeline.feeds.parse import parse_feed

    line = 6 + head.count(b"\n")
    _, problem = parse_feed(head + BROKEN, "https://x/f", "tools/x")
    assert problem == f"malformed feed at line {line}: mismatched tag"


def test_a_redirect_to_ftp_is_not_followed(tmp_path, feed_server):  # noqa: F811
    """urllib's redirect handler follows `ftp://` (found in review): the fetch went on to
    an FTP server the feed's server named."""
    import socket

    from pipeline.feeds.fetch import FeedCache, fetch

    with socket.socket() as ftp:  # where the redirect points: no connection may come
        ftp.bind(("127.0.0.1", 0))
        ftp.listen(1)
        ftp.setblocking(False)
        target = f"ftp://127.0.0.1:{ftp.getsockname()[1]}/releases.atom"
        feed_server.redirects["moved.atom"] = target
        got = fetch(feed_server.url("moved.atom"), FeedCache(tmp_path / "cache"), timeout=1)
        with pytest.raises(BlockingIOError):
            ftp.accept()
    assert got.status == "failed" and got.data is None
    assert got.message == (f"cannot fetch: redirected to {target}, which is not an http(s) "
                           "address (only http and https redirects are followed)")
    # a redirect to http is followed as before
    feed_server.redirects["here.atom"] = feed_server.url("vllm-releases.atom")
    assert fetch(feed_server.url("here.atom"), FeedCache(tmp_path / "cache")).status == "fetched"


def test_an_edited_release_keeps_its_item_when_a_newer_one_repeats_its_id(repo, feed_server,  # noqa: F811
                                                                         cli):
    """Keyed by feed order, v2 put first took v1's key: the redraft showed the editor's v1
    and v1 again, and no v2 (found in review)."""
    feed_server.served["latest.rss"] = (
        _rss(("v1", "https://e.org/v1", "Mon, 05 Oct 2026 10:00:00 GMT")), "application/rss+xml")
    with_feeds(repo, feed_server, vllm=("latest.rss",), ollama=None)
    commit_all(repo, "Feeds", at("2026-09-02"))
    _, text = draft(cli, repo)
    v1 = next(ln for ln in releases(text).splitlines() if "[v1](" in ln)
    (repo / DIGEST).write_text(text.replace(v1, v1 + " Ours."), encoding="utf-8")
    feed_server.served["latest.rss"] = (
        _rss(("v2", "https://e.org/v2", "Mon, 12 Oct 2026 10:00:00 GMT"),
             ("v1", "https://e.org/v1", "Mon, 05 Oct 2026 10:00:00 GMT")), "application/rss+xml")
    _, again = draft(cli, repo)
    block = releases(again)
    assert block.count("[v1](") == 1 and v1 + " Ours." in block and block.count("[v2](") == 1


def test_a_release_of_a_moved_feed_without_ids_is_not_listed_twice(repo, feed_server,  # noqa: F811
                                                                  cli):
    """Items with no id are named by their feed's address: after the tool's feed moved, the
    release was held under its old key and listed again under the new (found in review)."""
    v1 = ("v1", "https://e.org/v1", "Mon, 05 Oct 2026 10:00:00 GMT")
    feed_server.served["old.rss"] = (_no_ids(v1), "application/rss+xml")
    feed_server.served["new.rss"] = (_no_ids(v1), "application/rss+xml")
    with_feeds(repo, feed_server, vllm=("old.rss",), ollama=None)
    commit_all(repo, "Feeds", at("2026-09-02"))
    _, text = draft(cli, repo)
    assert releases(text).count("[v1](") == 1
    with_feeds(repo, feed_server, vllm=("new.rss",), ollama=None)
    commit_all(repo, "The feed moved", at("2026-10-10"))
    _, again = draft(cli, repo)
    assert releases(again).count("[v1](") == 1


V1 = ("v1", "https://e.org/v1", "Mon, 05 Oct 2026 10:00:00 GMT")
V2 = ("v2", "https://e.org/v2", "Mon, 12 Oct 2026 10:00:00 GMT")
V3 = ("v3", "https://e.org/v3", "Tue, 20 Oct 2026 10:00:00 GMT")


def _item_line(text: str, tag: str) -> str:
    return next(ln for ln in releases(text).splitlines() if f"[{tag}](" in ln)


@pytest.mark.parametrize("editor", ["edits v1", "deletes v1", "edits v2", "does nothing"])
def test_a_shared_id_stays_with_its_release_as_the_feeds_window_moves(repo, feed_server, cli,  # noqa: F811
                                                                      editor):
    """Keyed "the oldest in the feed keeps the id's key", v2 inherited v1's key once v1
    left the feed, and with it the editor's edit or deletion of v1 (found in review)."""
    feed_server.served["latest.rss"] = (_rss(V2, V1), "application/rss+xml")
    with_feeds(repo, feed_server, vllm=("latest.rss",), ollama=None)
    commit_all(repo, "Feeds", at("2026-09-02"))
    _, text = draft(cli, repo)
    if editor == "edits v1":
        text = text.replace(_item_line(text, "v1"), _item_line(text, "v1") + " Ours.")
    elif editor == "edits v2":
        text = text.replace(_item_line(text, "v2"), _item_line(text, "v2") + " Ours.")
    elif editor == "deletes v1":
        lines = text.splitlines(keepends=True)
        i = next(k for k, ln in enumerate(lines) if "[v1](" in ln)
        del lines[i - 1:i + 1]  # the item with its marker line
        text = "".join(lines)
    (repo / DIGEST).write_text(text, encoding="utf-8")
    feed_server.served["latest.rss"] = (_rss(V3, V2), "application/rss+xml")
    _, again = draft(cli, repo)
    block = releases(again)
    assert block.count("[v2](") == 1 and block.count("[v3](") == 1
    assert block.count("[v1](") == (0 if editor == "deletes v1" else 1)
    if editor.startswith("edits"):
        assert block.count(" Ours.") == 1 and _item_line(again, editor[-2:]).endswith(" Ours.")


def test_a_release_keyed_by_its_id_alone_is_found_by_its_link_once_the_id_is_shared(
        repo, feed_server, cli):  # noqa: F811
    """Drafted while it was the only one, v1 has the id's key; once v2 shares the id, both
    are named by their links too, and the edited v1 is found again by its link."""
    feed_server.served["latest.rss"] = (_rss(V1), "application/rss+xml")
    with_feeds(repo, feed_server, vllm=("latest.rss",), ollama=None)
    commit_all(repo, "Feeds", at("2026-09-02"))
    _, text = draft(cli, repo)
    (repo / DIGEST).write_text(text.replace(_item_line(text, "v1"),
                                            _item_line(text, "v1") + " Ours."), encoding="utf-8")
    feed_server.served["latest.rss"] = (_rss(V2, V1), "application/rss+xml")
    _, again = draft(cli, repo)
    block = releases(again)
    assert block.count("[v1](") == 1 and block.count("[v2](") == 1
    assert _item_line(again, "v1").endswith(" Ours.")


def test_an_edited_release_of_a_moved_feed_without_ids_is_not_listed_twice(repo, feed_server,  # noqa: F811
                                                                          cli):
    feed_server.served["old.rss"] = (_no_ids(V1), "application/rss+xml")
    feed_server.served["new.rss"] = (_no_ids(V1), "application/rss+xml")
    with_feeds(repo, feed_server, vllm=("old.rss",), ollama=None)
    commit_all(repo, "Feeds", at("2026-09-02"))
    _, text = draft(cli, repo)
    (repo / DIGEST).write_text(text.replace(_item_line(text, "v1"),
                                            _item_line(text, "v1") + " Ours."), encoding="utf-8")
    with_feeds(repo, feed_server, vllm=("new.rss",), ollama=None)
    commit_all(repo, "The feed moved", at("2026-10-10"))
    _, again = draft(cli, repo)
    assert releases(again).count("[v1](") == 1 and _item_line(again, "v1").endswith(" Ours.")


@pytest.mark.parametrize("drafted_between", [True, False])
def test_a_deleted_release_of_a_moved_feed_without_ids_stays_deleted(repo, feed_server,  # noqa: F811
                                                                     cli, drafted_between):
    """Items with no id are named by their feed's address: once the tool's feed moved, the
    release the editor deleted came back under its new key, whether a draft had recorded
    the deletion before the move or not (found in review 22)."""
    feed_server.served["old.rss"] = (_no_ids(V2, V1), "application/rss+xml")
    feed_server.served["new.rss"] = (_no_ids(V2, V1), "application/rss+xml")
    with_feeds(repo, feed_server, vllm=("old.rss",), ollama=None)
    commit_all(repo, "Feeds", at("2026-09-02"))
    _, text = draft(cli, repo)
    lines = text.splitlines(keepends=True)
    i = next(k for k, ln in enumerate(lines) if "[v1](" in ln)
    del lines[i - 1:i + 1]  # the item with its marker line
    (repo / DIGEST).write_text("".join(lines), encoding="utf-8")
    if drafted_between:
        r, _ = draft(cli, repo)
        assert "1 newly recorded as deleted" in r.output
    with_feeds(repo, feed_server, vllm=("new.rss",), ollama=None)
    commit_all(repo, "The feed moved", at("2026-10-10"))
    r, again = draft(cli, repo)
    block = releases(again)
    assert "[v1](" not in block and block.count("[v2](") == 1
    assert "0 new" in r.output
    # and it stays deleted once the old address is no longer the month's
    r, third = draft(cli, repo)
    assert "[v1](" not in releases(third)


def test_thousands_of_identical_items_are_keyed_in_one_pass(monkeypatch):
    """Each of N items with one id, link, date and title looked for its number from 2 up:
    N²/2 look-ups, minutes for a feed of tiny identical items within the size cap (found
    in review). The numbers, and so the keys, are what they were."""
    import hashlib

    from pipeline.feeds import parse
    from pipeline.feeds.parse import parse_feed

    looked = []

    class Counted(set):
        def __contains__(self, name):
            looked.append(name)
            return super().__contains__(name)

    real = parse._Keys.__init__

    def counted(self, *args):
        real(self, *args)
        self.taken = Counted()

    monkeypatch.setattr(parse._Keys, "__init__", counted)
    n = 2000
    same = ("v", "https://e.org/r", "Mon, 05 Oct 2026 10:00:00 GMT")
    items, problem = parse_feed(_rss(*[same] * n), "https://e.org/feed", "tools/x")
    assert problem is None and len({i.key for i in items}) == n
    assert len(looked) < 5 * n
    base = "latest\nhttps://e.org/r\n2026-10-05\nv"
    expected = {hashlib.sha256(s.encode()).hexdigest()[:8] * 2 for s in (
        "latest\nhttps://e.org/r", base, *(f"{base}\n{k}" for k in range(2, n)))}
    assert {i.key for i in items} == expected


def test_a_servers_words_reach_the_terminal_without_control_characters(catalog, feed_server,  # noqa: F811
                                                                       cli):
    """A status line's reason and a Content-Type are the server's words, and were printed
    as they came: an escape sequence in them cleared the editor's terminal or set its
    title (found in review). Their control characters are shown escaped; a redirect to
    `file:` or `data:` is refused like one to `ftp:`, naming the address the same way."""
    feed_server.served["page.atom"] = (b"<html><body>Sign in</body></html>",
                                       "text/html\x1b]0;pwned\x07")
    feed_server.errors["gone.atom"] = (500, "\x1b[2J\x9b31m oops")
    feed_server.redirects["away.atom"] = "file:///etc/passwd\x1b[31m"
    feed_server.redirects["data.atom"] = "data:text/plain,x"
    with_feeds(catalog, feed_server, vllm=("page.atom", "gone.atom", "away.atom", "data.atom"),
               ollama=None)
    r = cli(catalog, "feeds", "fetch")
    assert not re.search(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]", r.output), r.output
    assert "(an HTML page, served as text/html\\x1b]0;pwned\\x07)" in r.output
    assert "HTTP 500 \\x1b[2J\\x9b31m oops" in r.output
    assert ("cannot fetch: redirected to file:///etc/passwd%1B[31m, which is not an http(s) "
            "address (only http and https redirects are followed)") in r.output
    assert "cannot fetch: redirected to data:text/plain,x, which is not an http(s)" in r.output


def test_a_redirect_loop_is_one_line_naming_the_last_address(tmp_path, feed_server):  # noqa: F811
    """urllib's message for a loop ran over three lines ("HTTP 302 The HTTP server
    returned a redirect error that would lead to an infinite loop.\\nThe last 30x error
    message was:\\nFound") and named no address."""
    from pipeline.feeds.fetch import FeedCache, fetch

    feed_server.redirects["a.atom"] = feed_server.url("b.atom")
    feed_server.redirects["b.atom"] = feed_server.url("a.atom")
    got = fetch(feed_server.url("a.atom"), FeedCache(tmp_path / "cache"))
    assert got.status == "failed"
    assert got.message.startswith("cannot fetch: more than 10 redirects, or a loop (the "
                                  f"last from {feed_server.url('')}")
    assert "\n" not in got.message


def test_a_connection_made_after_the_deadline_is_not_read(tmp_path, feed_server, monkeypatch):  # noqa: F811
    """The deadline's timer shuts the connection's socket; one still being made then (a
    slow answer to the handshake, a slow name lookup) had none to shut, and a server that
    then trickled its status line and headers held the fetch for as long as it took: 6 s
    past a timeout of 0.5 s here, hours for a byte every few seconds (found in review)."""
    import socket

    from pipeline.feeds.fetch import FeedCache, fetch

    real = socket.create_connection

    def slow(*args, **kwargs):  # the connection is made past the fetch's deadline
        time.sleep(0.7)
        return real(*args, **kwargs)

    monkeypatch.setattr(socket, "create_connection", slow)
    got = fetch(feed_server.url("trickle-headers"), FeedCache(tmp_path / "cache"), timeout=0.5)
    assert got.status == "failed" and got.data is None
    assert got.message == "cannot fetch: no complete answer within 0.5 s"
    assert feed_server.paths() == []  # nothing was asked of it, let alone read


def test_a_name_lookup_that_hangs_is_given_up_at_the_deadline(tmp_path, monkeypatch):
    """A name lookup has no timeout of its own, and was made inside the fetch: a resolver
    that did not answer held `feeds fetch` and the draft in CI past any deadline (found in
    review). The lookup is left behind at the deadline, and the feed said to be late."""
    import socket
    import threading

    from pipeline.feeds.fetch import FeedCache, fetch

    real = socket.getaddrinfo
    release, finished = threading.Event(), threading.Event()

    def hanging(host, *args, **kwargs):
        if host != "releases.hangs.example":
            return real(host, *args, **kwargs)
        release.wait(5)  # a resolver that does not answer (until the test is over)
        finished.set()
        raise socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution")

    monkeypatch.setattr(socket, "getaddrinfo", hanging)
    try:
        got = fetch("http://releases.hangs.example/feed.atom", FeedCache(tmp_path / "cache"),
                    timeout=0.3)
        abandoned = not finished.is_set()  # the fetch returned with the lookup still going
    finally:
        release.set()
    assert got.status == "failed" and got.data is None
    assert got.message == ("cannot fetch: no complete answer within 0.3 s (the name lookup "
                           "of releases.hangs.example was still going)")
    assert abandoned


def test_a_public_feed_is_not_followed_to_an_internal_address(tmp_path, feed_server,  # noqa: F811
                                                             monkeypatch):
    """A feed on a public host that redirects to a loopback, private or link-local address
    (the cloud's metadata service at 169.254.169.254) was followed: the draft in CI asked
    the inside of its network for what an outsider's server chose (found in review). A
    feed listed at an internal address itself is followed as before (the other tests)."""
    import socket

    from pipeline.feeds import fetch as fetching
    from pipeline.feeds.fetch import FeedCache, fetch

    real_internal, real_lookup = getattr(fetching, "_internal", None), socket.getaddrinfo
    # the feed server (127.0.0.1) stands for a public host; only it
    monkeypatch.setattr(fetching, "_internal", lambda host: host != "127.0.0.1"
                        and real_internal(host), raising=False)
    monkeypatch.setattr(socket, "getaddrinfo", lambda host, *args, **kwargs: real_lookup(
        "127.0.0.2" if host == "metadata.inside.example" else host, *args, **kwargs))
    with socket.socket() as inside:  # where the redirects point: no connection may come
        inside.bind(("127.0.0.2", 0))
        inside.listen(1)
        inside.setblocking(False)
        port = inside.getsockname()[1]
        for target, address in [(f"http://127.0.0.2:{port}/latest/meta-data/", "127.0.0.2"),
                                (f"http://metadata.inside.example:{port}/x", "127.0.0.2"),
                                ("http://169.254.169.254/latest/meta-data/", "169.254.169.254")]:
            feed_server.redirects["moved.atom"] = target
            got = fetch(feed_server.url("moved.atom"), FeedCache(tmp_path / "cache"), timeout=2)
            assert got.status == "failed" and got.data is None
            assert got.message == (f"cannot fetch: redirected to {target}, an internal address "
                                   f"({address}: loopback, private or link-local); a feed on a "
                                   "public host is not followed there")
        with pytest.raises(BlockingIOError):
            inside.accept()
    # to a public address, a redirect is followed as before
    feed_server.redirects["here.atom"] = feed_server.url("vllm-releases.atom")
    assert fetch(feed_server.url("here.atom"), FeedCache(tmp_path / "cache")).status == "fetched"
    assert real_internal("::ffff:169.254.169.254") and real_internal("10.1.2.3")
    assert real_internal("127.0.0.1") and not real_internal("140.82.112.3")


def test_a_fetched_feed_is_parsed_once(catalog, feed_server, monkeypatch):  # noqa: F811
    """A fetch parsed a new body to judge it before caching it, and `collect` parsed the
    same bytes again to read its items: twice the time on every feed (found in review).
    The items are the same; a feed read from the cache is parsed once too."""
    import feedparser

    from pipeline.config import load_settings
    from pipeline.feeds import collect

    with_feeds(catalog, feed_server, ollama=None)
    settings = load_settings(catalog)
    real, parsed = feedparser.parse, []
    monkeypatch.setattr(feedparser, "parse", lambda data, *a, **k: parsed.append(data) or
                        real(data, *a, **k))
    first = collect(settings)
    assert [r.status for r in first.results] == ["fetched"] and len(parsed) == 1
    parsed.clear()
    again = collect(settings, offline=True)
    assert [r.status for r in again.results] == ["cached"] and len(parsed) == 1
    assert again.items == first.items and len(first.items) == 3
