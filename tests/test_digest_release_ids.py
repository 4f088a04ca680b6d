"""A release whose feed gives it a new id (a GUID changed when it was edited or
re-published, or when the feed moved from http to https) is the same release: the
editor's deletion and edits of its item stay with it. Two releases stay two."""

from __future__ import annotations

import re

import pytest

from conftest import commit_all
from pipeline.feeds.parse import parse_feed
from test_changes import at
from test_digest import DIGEST, block, draft, front
from test_feeds import feed_server, with_feeds  # noqa: F401  (a fixture)

RSS = "application/rss+xml"


def rss(*items: tuple[str, str, str, str]) -> bytes:
    """An RSS feed of items (title, link, guid, RFC 822 date)."""
    body = "".join(f"<item><title>{t}</title><link>{link}</link><guid>{guid}</guid>"
                   f"<pubDate>{d}</pubDate><description>Notes of {t}.</description></item>"
                   for t, link, guid, d in items)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
            "<title>Releases</title><link>https://e.org</link><description>d</description>"
            f"{body}</channel></rss>\n").encode()


V1 = ("v1", "https://e.org/releases/v1", "Mon, 05 Oct 2026 10:00:00 GMT")
V2 = ("v2", "https://e.org/releases/v2", "Mon, 12 Oct 2026 10:00:00 GMT")


def feed(*items) -> bytes:
    return rss(*((t, link, guid, d) for (t, link, d), guid in items))


@pytest.fixture
def fed(repo, feed_server):  # noqa: F811
    """tools/vllm, published since September, reads /rel.rss (served as a test sets it)."""
    feed_server.served["rel.rss"] = (feed((V2, "urn:a:2"), (V1, "urn:a:1")), RSS)
    with_feeds(repo, feed_server, vllm=("rel.rss",), ollama=None)
    commit_all(repo, "Feeds", at("2026-09-02"))
    return repo


def item(text: str, title: str) -> re.Match:
    return re.search(rf"<!-- pipeline:item (releases/\S+) \w+ -->\n- .*\[{title}\].*\n", text)


def key_of(feed_server, title: str) -> str:  # noqa: F811
    """The key the served feed gives the release `title`."""
    items, _ = parse_feed(feed_server.served["rel.rss"][0], feed_server.url("rel.rss"),
                          "tools/vllm")
    return next(i.key for i in items if i.title == title)


def delete_v1_edit_v2(root, text: str) -> str:
    text = text.replace(item(text, "v1").group(0), "")
    text = text.replace("Notes of v2.", "Notes of v2, which the editor read.")
    (root / DIGEST).write_text(text, encoding="utf-8")
    return text


@pytest.mark.parametrize("anew", [
    # a GUID changed when the release was edited or re-published
    lambda: feed((V2, "urn:a:2-edited"), (V1, "urn:a:1-edited")),
    # the feed moved to https, its GUIDs (and links) with it
    lambda: rss(*((t, link.replace("https:", "http:"), link.replace("https:", "http:"), d)
                  for t, link, d in (V2, V1))),
], ids=["new-guid", "scheme"])
def test_a_release_with_a_new_id_stays_deleted_and_edited_once(fed, cli, feed_server, anew):  # noqa: F811
    """Keyed by its id, a release the editor deleted came back as a new item when its feed
    gave it a new id, and one edited was listed twice (found in review)."""
    _, text = draft(cli, fed)
    delete_v1_edit_v2(fed, text)
    _, text = draft(cli, fed)
    deleted = front(text)["deleted"]
    feed_server.served["rel.rss"] = (anew(), RSS)
    r, again = draft(cli, fed)
    assert "0 new" in r.output and "1 kept as edited" in r.output, r.output
    releases = block(again, "releases")
    assert "[v1]" not in releases and releases.count("[v2]") == 1, releases
    assert "Notes of v2, which the editor read." in releases
    # the deletion is of the release as the feed keys it now (release_key)
    assert front(again)["deleted"] == [f"releases/tools/vllm/{key_of(feed_server, 'v1')}"]
    assert len(deleted) == 1


def test_releases_that_share_a_link_stay_two(fed, cli, feed_server):  # noqa: F811
    """A feed whose items all link to one page (a changelog) tells them apart by their
    ids: deleting one hides no other, and a new release is added."""
    page = "https://e.org/changelog"
    feed_server.served["rel.rss"] = (rss(("v2", page, "urn:a:2", V2[2]),
                                         ("v1", page, "urn:a:1", V1[2])), RSS)
    _, text = draft(cli, fed)
    assert item(text, "v1") and item(text, "v2")
    (fed / DIGEST).write_text(text.replace(item(text, "v1").group(0), ""), encoding="utf-8")
    feed_server.served["rel.rss"] = (rss(("v3", page, "urn:a:3", "Tue, 20 Oct 2026 10:00:00 GMT"),
                                         ("v2", page, "urn:a:2", V2[2]),
                                         ("v1", page, "urn:a:1", V1[2])), RSS)
    r, again = draft(cli, fed)
    assert "1 new" in r.output and "1 newly recorded as deleted" in r.output, r.output
    assert item(again, "v3") and item(again, "v2") and not item(again, "v1")
    # and releases with links of their own are two, whatever their ids
    feed_server.served["rel.rss"] = (feed((V2, "latest"), (V1, "latest")), RSS)
    (fed / DIGEST).unlink()
    _, text = draft(cli, fed)
    assert item(text, "v1") and item(text, "v2")


def test_a_digest_drafted_with_the_ids_keys_keeps_its_items(fed, cli, feed_server):  # noqa: F811
    """A digest drafted before releases were keyed by their links has them under the keys
    of their ids: its items, edits and deletions are still theirs."""
    _, text = draft(cli, fed)
    items, _ = parse_feed(feed_server.served["rel.rss"][0], feed_server.url("rel.rss"),
                          "tools/vllm")
    for i in items:  # as the draft before wrote it: the key of its id
        text = text.replace(i.key, i.former[-1])
    delete_v1_edit_v2(fed, text)
    r, again = draft(cli, fed)
    assert "0 new" in r.output and "1 kept as edited" in r.output, r.output
    # known now by the key of its link and id (release_key)
    assert front(again)["deleted"] == [f"releases/tools/vllm/{key_of(feed_server, 'v1')}"]
    assert "[v1]" not in block(again, "releases") and block(again, "releases").count("[v2]") == 1
    # an item edited there is found by its link when the feed moves to http (its ids too)
    feed_server.served["rel.rss"] = (rss(*((t, link.replace("https:", "http:"),
                                           link.replace("https:", "http:"), d)
                                          for t, link, d in (V2, V1))), RSS)
    r, again = draft(cli, fed)
    assert "1 kept as edited" in r.output and block(again, "releases").count("[v2]") == 1, again


def test_a_release_whose_link_becomes_shared_stays_deleted(fed, cli, feed_server):  # noqa: F811
    """A release drafted alone under its changelog's link was keyed by that link; when a
    second release of the feed linked there too, both were keyed by their ids, and the
    one the editor had deleted came back as a new item (found in review)."""
    page = "https://e.org/changelog"
    feed_server.served["rel.rss"] = (rss(("v1", page, "urn:a:1", V1[2])), RSS)
    _, text = draft(cli, fed)
    assert item(text, "v1")
    (fed / DIGEST).write_text(text.replace(item(text, "v1").group(0), ""), encoding="utf-8")
    feed_server.served["rel.rss"] = (rss(("v2", page, "urn:a:2", V2[2]),
                                         ("v1", page, "urn:a:1", V1[2])), RSS)
    r, again = draft(cli, fed)
    assert "1 new," in r.output, r.output
    assert item(again, "v2") and not item(again, "v1"), again


@pytest.mark.parametrize("moved", [
    lambda link: link.replace("/releases/", "/releases/tag/"),  # GitHub's other address
    lambda link: link + "?utm_source=rss",  # a tracking query added
], ids=["path", "query"])
def test_a_release_with_a_new_link_stays_deleted_and_edited_once(fed, cli, feed_server, moved):  # noqa: F811
    """Keyed by its link alone, a release whose feed changed its link (its id kept) was
    another release: the one the editor deleted came back, and the one edited was listed
    twice (found in review). Known by its link and its id, it is the same; and once the
    draft knows its new link, it is the same when its id changes next."""
    _, text = draft(cli, fed)
    delete_v1_edit_v2(fed, text)
    draft(cli, fed)
    feed_server.served["rel.rss"] = (feed(((V2[0], moved(V2[1]), V2[2]), "urn:a:2"),
                                          ((V1[0], moved(V1[1]), V1[2]), "urn:a:1")), RSS)
    for step in ("link", "id"):
        r, again = draft(cli, fed)
        assert "0 new" in r.output and "1 kept as edited" in r.output, (step, r.output)
        releases = block(again, "releases")
        assert "[v1]" not in releases and releases.count("[v2]") == 1, (step, releases)
        assert "Notes of v2, which the editor read." in releases
        assert front(again)["deleted"] == [f"releases/tools/vllm/{key_of(feed_server, 'v1')}"]
        feed_server.served["rel.rss"] = (feed(((V2[0], moved(V2[1]), V2[2]), "urn:b:2"),
                                              ((V1[0], moved(V1[1]), V1[2]), "urn:b:1")), RSS)


def test_a_digest_drafted_with_the_ids_keys_survives_new_ids(fed, cli, feed_server):  # noqa: F811
    """A digest drafted while releases were known by their ids kept them under those keys
    for good: when the feed gave them new ids later, the release the editor deleted came
    back (found in review). A draft now learns their links, which outlast the ids."""
    _, text = draft(cli, fed)
    items, _ = parse_feed(feed_server.served["rel.rss"][0], feed_server.url("rel.rss"),
                          "tools/vllm")
    for i in items:  # as a draft of then wrote it: the key of its id
        text = text.replace(i.key, i.former[-1])
    delete_v1_edit_v2(fed, text)
    draft(cli, fed)
    feed_server.served["rel.rss"] = (feed((V2, "urn:a:2-edited"), (V1, "urn:a:1-edited")), RSS)
    r, again = draft(cli, fed)
    assert "0 new" in r.output and "1 kept as edited" in r.output, r.output
    releases = block(again, "releases")
    assert "[v1]" not in releases and releases.count("[v2]") == 1, releases
    assert front(again)["deleted"] == [f"releases/tools/vllm/{key_of(feed_server, 'v1')}"]


def test_two_feeds_of_a_tool_announcing_one_release_give_one_item(fed, cli, feed_server):  # noqa: F811
    """A tool's GitHub releases and its blog that link to one release announce one
    release: it is listed once, as the feed that dates it first gives it (the one read
    last gave it, whatever its date)."""
    blog = rss(("Version 1 is out", V1[1], "urn:blog:1", "Sun, 04 Oct 2026 10:00:00 GMT"))
    feed_server.served["blog.rss"] = (blog, RSS)
    with_feeds(fed, feed_server, vllm=("rel.rss", "blog.rss"), ollama=None)
    commit_all(fed, "Blog", at("2026-09-03"))
    r, text = draft(cli, fed)
    releases = block(text, "releases")
    assert releases.count(V1[1]) == 1, releases
    assert "[Version 1 is out]" in releases and "(2026-10-04)" in releases, releases
    # the feed that dates it first, whichever is read first
    feed_server.served["blog.rss"] = (rss(("Version 1 is out", V1[1], "urn:blog:1",
                                           "Tue, 06 Oct 2026 10:00:00 GMT")), RSS)
    _, text = draft(cli, fed)
    releases = block(text, "releases")
    assert releases.count(V1[1]) == 1 and "[v1]" in releases and "(2026-10-05)" in releases


def test_a_link_that_moves_to_the_next_release_hides_it_not(fed, cli, feed_server):  # noqa: F811
    """A feed that links its newest release to `/releases/latest` moves that link to the
    next release: keyed by its link alone, the new release took the key of the one the
    editor deleted, and was hidden for good (found in review). The deleted one is known by
    its id, which stays with it."""
    latest = "https://e.org/releases/latest"
    feed_server.served["rel.rss"] = (rss(("v1", latest, "urn:a:1", V1[2])), RSS)
    _, text = draft(cli, fed)
    (fed / DIGEST).write_text(text.replace(item(text, "v1").group(0), ""), encoding="utf-8")
    draft(cli, fed)
    feed_server.served["rel.rss"] = (rss(("v2", latest, "urn:a:2", V2[2]),
                                         ("v1", V1[1], "urn:a:1", V1[2])), RSS)
    r, again = draft(cli, fed)
    assert "1 new," in r.output, r.output
    assert item(again, "v2") and not item(again, "v1"), again
    assert front(again)["deleted"] == [f"releases/tools/vllm/{key_of(feed_server, 'v1')}"]


@pytest.mark.parametrize("edited", [False, True], ids=["untouched", "edited"])
def test_an_id_passed_on_to_the_next_release_keeps_the_item(fed, cli, feed_server,  # noqa: F811
                                                            edited):
    """A feed listing its newest release alone with one id for each (`<guid>latest</guid>`)
    gives the next release half of the last one's key: taken for the release the file's
    item was, the new release replaced it, and the last one was gone from the digest (its
    item untouched) or the new one never listed (its item edited; found in review). An item
    dated another day is another release's."""
    feed_server.served["rel.rss"] = (rss(("v1", V1[1], "latest", V1[2])), RSS)
    _, text = draft(cli, fed)
    if edited:
        text = text.replace("Notes of v1.", "Notes of v1, which the editor read.")
        (fed / DIGEST).write_text(text, encoding="utf-8")
    feed_server.served["rel.rss"] = (rss(("v2", V2[1], "latest", V2[2])), RSS)
    r, again = draft(cli, fed)
    assert "1 new," in r.output, r.output
    assert item(again, "v1") and item(again, "v2"), again
    assert ("Notes of v1, which the editor read." in again) is edited
