"""Re-drafting a digest (review 17): a kept item keeps its heading, a digest with no
`status:` is an archive that went out, and a file's line endings and BOM are its own."""

from __future__ import annotations

import codecs
import re
import shutil

import pytest

from conftest import commit_all
from test_changes import at, edit, scripted_month
from test_feeds import feed_server, with_feeds  # noqa: F401  (a fixture)

DIGEST = "digests/2026-10.md"


def draft(cli, root, *args):
    r = cli(root, "digest", "draft", "2026-10", *args)
    assert r.exit_code == 0, r.output
    return r, (root / DIGEST).read_text(encoding="utf-8")


def block(text: str, section: str) -> str:
    m = re.search(rf"<!-- pipeline:begin {section} .*?<!-- pipeline:end {section} -->", text, re.S)
    return m.group(0)


def before_block(text: str, section: str) -> str:
    """The text from the start up to the block's begin marker."""
    return text[:text.index(f"<!-- pipeline:begin {section} ")]


@pytest.fixture
def month(repo):
    scripted_month(repo)
    return repo


@pytest.fixture
def fed(repo, feed_server):  # noqa: F811
    with_feeds(repo, feed_server, ollama=None)
    commit_all(repo, "Feeds", at("2026-09-02"))
    scripted_month(repo)
    return repo


# 1. an item kept as edited keeps its block's heading

def test_an_edited_verdict_item_keeps_its_heading_when_the_change_is_reverted(month, cli):
    _, text = draft(cli, month, "--offline")
    assert "## Verdict changes" in block(text, "verdicts")
    mine = "- **[vLLM](/tools/vllm)**: recommended → **situational**. We ran it for a month."
    text = re.sub(r"- \*\*\[vLLM\]\(/tools/vllm\)\*\*: recommended → \*\*situational\*\*\..*\n",
                  mine + "\n", text)
    (month / DIGEST).write_text(text, encoding="utf-8")
    edit(month, "tools/vllm", "rating: situational", "rating: recommended")
    commit_all(month, "Revert vLLM's verdict", at("2026-10-28"))
    r, again = draft(cli, month, "--offline")
    assert "1 kept as edited" in r.output
    verdicts = block(again, "verdicts")
    assert mine in verdicts
    assert verdicts.index("## Verdict changes") < verdicts.index(mine)
    # not under the heading of the section before it
    assert "## Verdict changes" not in before_block(again, "verdicts")
    # and the next draft, with nothing new, leaves it so
    r, third = draft(cli, month, "--offline")
    assert "is up to date" in r.output and third == again


def test_an_edited_release_item_keeps_its_heading_when_its_feed_fails(fed, cli, feed_server):  # noqa: F811
    _, text = draft(cli, fed)
    releases = block(text, "releases")
    assert "## Upstream releases" in releases and "v0.11.2" in releases
    line = next(ln for ln in releases.splitlines() if "v0.11.2" in ln)
    mine = line + " Worth the upgrade."
    (fed / DIGEST).write_text(text.replace(line, mine), encoding="utf-8")
    shutil.rmtree(fed / ".pipeline-cache")  # no cached copy to fall back on
    feed_server.failing = True
    r, again = draft(cli, fed)
    assert "warning: feed" in r.output and "1 kept as edited" in r.output
    releases = block(again, "releases")
    # the untouched item stays too: the failed feed cannot say the month has it no more
    assert mine in releases and "v0.11.1" in releases and "0 dropped" in r.output
    assert releases.index("## Upstream releases") < releases.index(mine)


def test_an_edited_release_item_keeps_its_heading_when_its_feed_is_not_cached(fed, cli):
    _, text = draft(cli, fed)
    line = next(ln for ln in block(text, "releases").splitlines() if "v0.11.2" in ln)
    mine = line + " Worth the upgrade."
    (fed / DIGEST).write_text(text.replace(line, mine), encoding="utf-8")
    shutil.rmtree(fed / ".pipeline-cache")
    r, again = draft(cli, fed, "--offline")  # the feed is not in the cache
    assert "not in the cache" in r.output and "1 kept as edited" in r.output
    releases = block(again, "releases")
    assert mine in releases and "v0.11.1" in releases and "0 dropped" in r.output
    assert releases.index("## Upstream releases") < releases.index(mine)


# 2. no `status:` line: an archive that went out, as the build reads it

def test_a_digest_without_status_is_not_redrafted(month, cli):
    _, text = draft(cli, month, "--offline")
    archive = text.replace("status: draft\n", "").replace(
        "# TODO: the headline, one line on what mattered in October 2026", "# October, sent")
    (month / DIGEST).write_text(archive, encoding="utf-8")
    before = (month / DIGEST).read_bytes()
    r = cli(month, "digest", "draft", "2026-10", "--offline")
    assert r.exit_code == 2, r.output  # refused as a digest sent is
    assert DIGEST in r.output and "status: draft" in r.output and "Traceback" not in r.output
    assert (month / DIGEST).read_bytes() == before
    assert not (month / ".digest-backups").exists()
    # with `status: draft` added back, it is drafted again
    (month / DIGEST).write_text(text, encoding="utf-8")
    r = cli(month, "digest", "draft", "2026-10", "--offline")
    assert r.exit_code == 0 and "up to date" in r.output


# 3. line endings and the BOM are the file's

@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_a_crlf_digest_with_nothing_new_is_left_alone(month, cli, newline):
    """An old Mac's file (lone CR) was refused as having no front matter, though the
    build reads it (found in review)."""
    _, text = draft(cli, month, "--offline")
    crlf = text.replace("\n", newline).encode("utf-8")
    (month / DIGEST).write_bytes(crlf)
    r = cli(month, "digest", "draft", "2026-10", "--offline")
    assert r.exit_code == 0, r.output
    assert "is up to date" in r.output
    assert (month / DIGEST).read_bytes() == crlf
    assert not (month / ".digest-backups").exists()


@pytest.mark.parametrize("bom, newline", [(b"", "\r\n"), (codecs.BOM_UTF8, "\r\n"),
                                          (b"", "\r")])
def test_a_real_write_keeps_crlf_and_the_bom(month, cli, bom, newline):
    _, text = draft(cli, month, "--offline")
    vllm = re.search(r"<!-- pipeline:item verdicts/tools/vllm .*?\n.*?\n", text).group(0)
    edited = text.replace(vllm, "")  # the editor deletes the item: the draft records it
    data = bom + edited.replace("\n", newline).encode("utf-8")
    (month / DIGEST).write_bytes(data)
    r = cli(month, "digest", "draft", "2026-10", "--offline")
    assert r.exit_code == 0, r.output
    assert "Wrote" in r.output
    out = (month / DIGEST).read_bytes()
    assert out != data
    assert out.startswith(codecs.BOM_UTF8) == bool(bom)
    ends = newline.encode()  # every line ends as the file's did
    assert out.count(ends) > 0 and out.replace(ends, b"").count(b"\n") == 0 \
        and out.replace(ends, b"").count(b"\r") == 0
    assert b"deleted: [verdicts/tools/vllm]" in out
    assert list((month / ".digest-backups").iterdir())[0].read_bytes() == data
    # a draft after it, with nothing new, leaves it alone
    r = cli(month, "digest", "draft", "2026-10", "--offline")
    assert "is up to date" in r.output and (month / DIGEST).read_bytes() == out


def test_an_lf_digest_stays_lf(month, cli):
    _, text = draft(cli, month, "--offline")
    vllm = re.search(r"<!-- pipeline:item verdicts/tools/vllm .*?\n.*?\n", text).group(0)
    (month / DIGEST).write_bytes(text.replace(vllm, "").encode("utf-8"))
    r = cli(month, "digest", "draft", "2026-10", "--offline")
    assert "Wrote" in r.output
    out = (month / DIGEST).read_bytes()
    assert b"\r" not in out and not out.startswith(codecs.BOM_UTF8)
