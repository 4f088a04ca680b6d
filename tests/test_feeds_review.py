"""Release feeds (review): a redraft keeps releases a feed no longer lists, a page that is
no feed never replaces the cached one, ids a feed repeats, a whole-fetch timeout, plain-text
notes, the lines of malformed feeds and redirects to other schemes. Real feeds, parsed by
feedparser, served by a local HTTP server; real git repositories."""

from __future__ import annotations

import re

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
