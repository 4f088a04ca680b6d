"""The build publishes the digests sent: /digests/YYYY-MM (the page the e-mail and the
feed link to), /digests, and both as JSON."""

from __future__ import annotations

import json
import re
from pathlib import Path

import shutil

import feedparser
import pytest

from conftest import MINI, REPO, write_entry

from pipeline.config import load_settings
from pipeline.errors import PipelineError
from pipeline.publish.build import build

SENT = """---
month: "2026-09"
subject: "What changed in September"
preheader: "Two new tools,
  and a correction."
status: sent
published: 2026-10-02
---

# Two new tools

See [vLLM](/tools/vllm) and [the card](https://www.amazon.com/dp/B0BG9D8HM3?tag=localaicat-20).
<script>alert(1)</script><img src=x onerror=alert(2)> [click](javascript:alert(3))

## Corrections

None this month.
"""


def built(root: Path, out: Path) -> Path:
    build(load_settings(root), out)
    return out


@pytest.fixture
def with_digests(catalog):
    (catalog / "data").mkdir()
    shutil.copy(REPO / "data/affiliates.yaml", catalog / "data/affiliates.yaml")
    (catalog / "digests").mkdir()
    (catalog / "digests/2026-09.md").write_text(SENT)
    (catalog / "digests/2026-08.md").write_text("# August\n\nAn archive written by hand.\n")
    (catalog / "digests/2026-10.md").write_text("---\nstatus: ready\nsubject: Soon\n---\nNot yet.\n")
    (catalog / "digests/2026-11.md").write_text("---\nstatus: draft\n---\nNot yet.\n")
    return catalog


def test_every_digest_sent_has_a_page_where_the_feed_links(with_digests, tmp_path):
    out = built(with_digests, tmp_path / "out")
    feed = feedparser.parse((out / "feed.xml").read_bytes())
    links = sorted(e.link for e in feed.entries if "/digests/" in e.link)
    assert links == ["https://local-ai-catalog.org/digests/2026-08",
                     "https://local-ai-catalog.org/digests/2026-09"]
    for link in links:  # served as /digests/2026-09 (serve and Netlify add .html)
        assert (out / (link.removeprefix("https://local-ai-catalog.org/") + ".html")).is_file()
    sitemap = (out / "sitemap.xml").read_text()
    assert ("<loc>https://local-ai-catalog.org/digests/2026-09</loc>"
            "<lastmod>2026-10-02</lastmod>") in sitemap
    assert "/digests/2026-10" not in sitemap and "/digests/2026-11" not in sitemap
    # ready and draft digests are not public
    assert sorted(p.name for p in (out / "digests").iterdir()) == [
        "2026-08.html", "2026-08.json", "2026-09.html", "2026-09.json"]


def test_a_digest_page_has_the_site_layout_one_h1_and_its_disclosure(with_digests, tmp_path):
    page = (built(with_digests, tmp_path / "out") / "digests/2026-09.html").read_text()
    assert re.findall(r"<h1>(.*?)</h1>", page) == ["What changed in September"]
    # each heading carries the id a link to a place in the digest names (found in review 23)
    assert '<h2 id="two-new-tools">Two new tools</h2>' in page
    assert '<h3 id="corrections">Corrections</h3>' in page
    assert '<a href="/digests">Digests</a>' in page and 'class="site-header"' in page
    assert '<a href="/tools/vllm">vLLM</a>' in page  # site paths stay on the site
    assert ('rel="sponsored nofollow noopener">the card</a> '
            '<span class="paid-label">(paid link)</span>') in page
    assert 'class="disclosure"' in page and "Amazon Associate" in page
    assert '<link rel="canonical" href="https://local-ai-catalog.org/digests/2026-09">' in page
    assert 'content="Two new tools, and a correction."' in page
    lowered = page.lower()
    assert "<script>alert" not in lowered and "onerror" not in lowered
    assert "javascript:" not in lowered


def test_the_digests_list_and_json_are_newest_first(with_digests, tmp_path):
    out = built(with_digests, tmp_path / "out")
    listed = json.loads((out / "digests.json").read_text())
    assert listed["count"] == 2
    assert [d["month"] for d in listed["digests"]] == ["2026-09", "2026-08"]
    assert listed["digests"][0] == {
        "month": "2026-09", "title": "What changed in September",
        "summary": "Two new tools, and a correction.", "published": "2026-10-02",
        "updated": "2026-10-02", "url": "/digests/2026-09"}
    one = json.loads((out / "digests/2026-09.json").read_text())
    assert one["affiliate"]["has_links"] is True and "<script" not in one["html"]
    assert json.loads((out / "digests/2026-08.json").read_text())["affiliate"] == {
        "has_links": False, "disclosure": None, "statements": []}
    page = (out / "digests.html").read_text()
    assert page.index("/digests/2026-09") < page.index("/digests/2026-08")
    assert "2 digests sent." in page


def test_with_no_digest_sent_the_list_says_so(catalog, tmp_path):
    out = built(catalog, tmp_path / "out")
    assert json.loads((out / "digests.json").read_text()) == {"count": 0, "digests": []}
    assert "No digest has been sent yet." in (out / "digests.html").read_text()


def test_a_digest_with_a_link_problem_stops_the_build_at_its_line(with_digests, tmp_path):
    out = built(with_digests, tmp_path / "out")
    before = (out / "digests/2026-09.html").read_bytes()
    path = with_digests / "digests/2026-09.md"
    path.write_text(SENT + "\nShort: [x](https://bit.ly/abc)\n")
    with pytest.raises(PipelineError) as e:
        built(with_digests, out)
    assert str(e.value).startswith("digests/2026-09.md:19:12: error affiliate-shortener")
    assert "then build again" in str(e.value)
    assert (out / "digests/2026-09.html").read_bytes() == before  # the output stays whole


def test_an_archive_written_by_hand_has_its_links_checked_too(with_digests, tmp_path):
    """Without front matter, a shortener and someone else's tag were published, labelled
    and disclosed as our paid links (found in review)."""
    (with_digests / "digests/2026-08.md").write_text(
        "# August\n\nDeals: [a card](https://amzn.to/3xYzAbc) and\n"
        "[another](https://www.amazon.com/dp/B0X?tag=someone-20).\n")
    with pytest.raises(PipelineError) as e:
        built(with_digests, tmp_path / "out")
    assert str(e.value).split("\n")[:2] == [
        "digests/2026-08.md:3:17: error affiliate-shortener: amzn.to (Amazon Associates) is a "
        "link shortener: it hides where https://amzn.to/3xYzAbc goes",
        "digests/2026-08.md:4:11: error affiliate-foreign-tag: Amazon Associates link with "
        "tracking id 'someone-20', which is not ours"]
    assert not (tmp_path / "out/digests/2026-08.html").exists()


def test_an_edited_digest_is_published_again_and_only_it(with_digests, tmp_path):
    out = built(with_digests, tmp_path / "out")
    august = (out / "digests/2026-08.html").stat().st_ino
    path = with_digests / "digests/2026-09.md"
    path.write_text(SENT.replace("None this month.", "One, in the vLLM entry."))
    built(with_digests, out)
    assert "One, in the vLLM entry." in (out / "digests/2026-09.html").read_text()
    assert "One, in the vLLM entry." in (out / "digests/2026-09.json").read_text()
    assert (out / "digests/2026-08.html").stat().st_ino == august


def test_a_digest_linking_to_no_entry_stops_the_build_at_its_line(with_digests, tmp_path):
    """A sent digest linked to /glossary/does-not-exist, in the e-mail and on the site
    (found in review). A link to an entry retired or renamed since is an archive's right:
    the site answers it (410, 301)."""
    path = with_digests / "digests/2026-09.md"
    path.write_text(SENT + "\nSee [gone](/glossary/does-not-exist) and [AWQ](/glossary/awq).\n")
    with pytest.raises(PipelineError) as e:
        built(with_digests, tmp_path / "out")
    assert str(e.value).startswith("digests/2026-09.md:19:12: error link-unresolved: "
                                   "link to /glossary/does-not-exist: no such entry")
    awq = with_digests / "entries/glossary/awq.md"
    awq.write_text(awq.read_text().replace("status: published", "status: retired"))
    vllm = with_digests / "entries/tools/vllm.md"
    vllm.write_text(vllm.read_text().replace("related:\n- glossary/awq\n", ""))
    path.write_text(SENT + "\nSee [AWQ](/glossary/awq), retired since.\n")
    page = (built(with_digests, tmp_path / "out") / "digests/2026-09.html").read_text()
    assert '<a href="/glossary/awq">AWQ</a>' in page


def test_a_digest_linking_to_a_draft_says_it_is_a_draft_not_no_entry(with_digests, tmp_path):
    """A sent digest's link to an entry that is there as a draft was refused as "no such
    entry" (found by the review 23 fuzzer): the editor looked for a file that is there.
    It is refused as validate says it of an entry's link."""
    write_entry(with_digests, "glossary/gptq", {**MINI["glossary/awq"], "title": "GPTQ",
                                                "status": "draft"})
    path = with_digests / "digests/2026-09.md"
    path.write_text(SENT + "\nSee [GPTQ](/glossary/gptq).\n")
    with pytest.raises(PipelineError) as e:
        built(with_digests, tmp_path / "out")
    assert str(e.value).startswith("digests/2026-09.md:19:12: error link-unresolved: link to "
                                   "/glossary/gptq: 'glossary/gptq' is draft, not published\n")


def test_a_digest_page_from_the_cache_is_checked_again_when_an_entry_it_links_goes(
        with_digests, tmp_path):
    """The page of an unchanged digest is carried from the last build; the entry it links
    to deleted since, its link would have gone unchecked."""
    path = with_digests / "digests/2026-09.md"
    path.write_text(SENT + "\nSee [AWQ](/glossary/awq).\n")
    # another term, so that the header's sections (and so every page) stay the same
    write_entry(with_digests, "glossary/gptq", {**MINI["glossary/awq"], "title": "GPTQ"})
    out = built(with_digests, built(with_digests, tmp_path / "out"))  # both trees hold it
    vllm = with_digests / "entries/tools/vllm.md"
    vllm.write_text(vllm.read_text().replace("related:\n- glossary/awq\n", ""))
    (with_digests / "entries/glossary/awq.md").unlink()
    with pytest.raises(PipelineError, match=r"^digests/2026-09.md:19:\d+: error link-unresolved"):
        built(with_digests, out)


def test_a_digest_refused_leaves_the_spare_as_it_was(with_digests, tmp_path):
    """The digests' links were checked while the spare was being changed: refused there,
    the spare was known to be half made, and the next build, with the link fixed, wrote
    every file again (found in review). They are checked before anything is written."""
    path = with_digests / "digests/2026-09.md"
    write_entry(with_digests, "glossary/gptq", {**MINI["glossary/awq"], "title": "GPTQ"})
    out = built(with_digests, built(with_digests, tmp_path / "out"))  # both trees made
    spare = tmp_path / ".out.spare"
    before = {p: p.stat().st_mtime_ns for p in spare.rglob("*") if p.is_file()}
    path.write_text(SENT + "\nSee [gone](/glossary/does-not-exist).\n")
    with pytest.raises(PipelineError, match="link to /glossary/does-not-exist: no such entry"):
        built(with_digests, out)
    assert {p: p.stat().st_mtime_ns for p in spare.rglob("*") if p.is_file()} == before
    path.write_text(SENT + "\nSee [GPTQ](/glossary/gptq).\n")
    result = build(load_settings(with_digests), out)
    assert result.written == 2  # the digest's page and JSON
    assert "/glossary/gptq" in (out / "digests/2026-09.html").read_text()


@pytest.mark.parametrize("status, published", [("Sent", True), ("SENT ", True),
                                                ("Draft", False), ("Ready", False)])
def test_a_digests_status_is_read_whatever_its_case(with_digests, tmp_path, status, published):
    """`status: Ready` was published as sent, while digest draft read `Sent` as sent."""
    path = with_digests / "digests/2026-09.md"
    path.write_text(SENT.replace("status: sent", f"status: '{status}'"))
    out = built(with_digests, tmp_path / "out")
    assert (out / "digests/2026-09.html").exists() is published


def test_a_digest_with_an_unknown_status_stops_the_build(with_digests, tmp_path):
    """A typo (`redy`) published a digest not sent yet."""
    path = with_digests / "digests/2026-09.md"
    path.write_text(SENT.replace("status: sent", "status: redy"))
    with pytest.raises(PipelineError, match=r"^digests/2026-09.md: status: 'redy' is not a "
                                            r"digest's status: write draft, review, ready or sent"):
        built(with_digests, tmp_path / "out")


@pytest.mark.parametrize("link, where", [
    ("[x](https://local-ai-catalog.org/glossary/nothere)", "19:10: error link-unresolved: "
     "link to https://local-ai-catalog.org/glossary/nothere: no such entry"),
    ("[x](awq)", "19:10: error link-unresolved: link to awq: a relative path"),
    ("[x](../tools/vllm)", "19:10: error link-unresolved: link to ../tools/vllm: a relative"),
])
def test_a_digest_link_as_a_full_url_or_a_relative_path_is_checked(with_digests, tmp_path,
                                                                   link, where):
    """Only /collection/slug links were checked; a full URL on our domain to no entry,
    or a relative link (on /digests/2026-09, `awq` is /digests/awq), was published
    (found in review)."""
    path = with_digests / "digests/2026-09.md"
    path.write_text(SENT + f"\nSee: {link}.\n")
    with pytest.raises(PipelineError) as e:
        built(with_digests, tmp_path / "out")
    assert str(e.value).startswith(f"digests/2026-09.md:{where}"), str(e.value)


@pytest.mark.parametrize("front, says", [
    ('subject: "What changed in September"', "subject: [a, b]"),
    ('preheader: "Two new tools,\n  and a correction."', "preheader: {a: 1}"),
    ('month: "2026-09"', 'month: "2026-08"'),
])
def test_a_sent_digests_front_matter_is_checked_as_render_checks_it(with_digests, tmp_path,
                                                                     front, says):
    """A list as subject was published as the page's title, "['a', 'b']"; a month other
    than the file's went by without a word (found in review)."""
    path = with_digests / "digests/2026-09.md"
    path.write_text(SENT.replace(front, says))
    with pytest.raises(PipelineError, match=r"^digests/2026-09.md:\d+:1: "):
        built(with_digests, tmp_path / "out")


@pytest.mark.parametrize("text, says", [
    ('---\nmonth: "2026-09"\nsubject: S\n...\n\nIntro.\n', "4:1: `...` does not close"),
    ('---\nmonth: "2026-09"\nsubject: S\n\nIntro.\n', "1:1: the front matter is never closed"),
    ("---\n  just text\n---\nIntro.\n", "2:3: the front matter must be `key: value` lines"),
    ('---\nmonth: "2026-09"\n<<<<<<< HEAD\nsubject: S\n=======\nsubject: T\n>>>>>>> x\n---\n'
     "Intro.\n", "3:1: an unresolved merge conflict (lines 3-7)"),
    ("# September\n\n<<<<<<< HEAD\nOurs.\n=======\nTheirs.\n>>>>>>> x\n",
     "3:1: an unresolved merge conflict (lines 3-7)"),
    ("----\nsubject: S\n---\nIntro.\n", "1:1: a digest starts with front matter"),
])
def test_a_digests_front_matter_is_refused_where_and_as_render_refuses_it(
        with_digests, tmp_path, text, says):
    """The build said these at a line only (the never-closed one at `:1:`, the one that is
    not `key: value` lines always at `:2:`), and in other words than `digest draft` and
    `render`, which name line and column: it says what they say, with the digest's reader."""
    from pipeline.digest.document import DigestError, parse

    (with_digests / "digests/2026-09.md").write_text(text)
    with pytest.raises(PipelineError) as e:
        built(with_digests, tmp_path / "out")
    assert str(e.value).startswith(f"digests/2026-09.md:{says}"), str(e.value)
    with pytest.raises(DigestError) as rendered:
        parse(text, "digests/2026-09.md")
    assert str(e.value) == str(rendered.value)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("name", ["2026-9.md", "26-09.md", "2026_09.md"])
def test_a_digest_file_whose_name_is_a_mistyped_month_stops_the_build(with_digests, tmp_path,
                                                                      name):
    """`2026-9.md` was skipped without a word: never published, drafted or rendered."""
    (with_digests / "digests" / name).write_text(SENT)
    with pytest.raises(PipelineError, match=rf"^digests/{name}: a digest's file is named "
                                            r"after its month, YYYY-MM.md"):
        built(with_digests, tmp_path / "out")


def test_other_files_beside_the_digests_are_left_alone(with_digests, tmp_path):
    (with_digests / "digests/README.md").write_text("How we write the digest.\n")
    assert (built(with_digests, tmp_path / "out") / "digests/2026-09.html").exists()


def test_the_programs_fingerprint_is_the_same_in_every_process(with_digests):
    """A program with several tracking ids: `our_ids` is a set, whose order (and repr)
    changes with the process's hash seed, and the fingerprint was made of that repr, so
    every build wrote a sent digest's page and JSON again (found in review)."""
    import os
    import subprocess
    import sys

    path = with_digests / "data/affiliates.yaml"
    path.write_text(path.read_text().replace(
        "our_ids: [localaicat-20]", "our_ids: [localaicat-20, localaicat2-20, cat3-20, c4-20]"))
    code = ("import sys; from pathlib import Path; from pipeline.config import load_settings; "
            "from pipeline.publish.affiliate import PaidLinks; "
            "print(PaidLinks.load(load_settings(Path(sys.argv[1]))).fingerprint)")
    seen = {subprocess.run([sys.executable, "-c", code, str(with_digests)], check=True,
                           capture_output=True, text=True,
                           env={**os.environ, "PYTHONHASHSEED": str(seed),
                                "PYTHONPATH": str(REPO)}).stdout for seed in range(6)}
    assert len(seen) == 1 and len(seen.pop().strip()) == 32


def test_an_archive_written_by_hand_is_summed_up_by_its_first_paragraph(with_digests):
    """Found in review: an archive with no front matter (no preheader, no summary) was in
    the feed with an empty `<summary></summary>`, which feed readers show as a blank; its
    first paragraph, as plain text and cut as long as an entry's summary may be, is it."""
    from pipeline.publish.feed import atom_feed, sent_digests

    words = " ".join(["word"] * 100)
    (with_digests / "digests/2026-07.md").write_text(
        f"---\nstatus: sent\n---\n# July\n\n**Long** [text](/tools/vllm) &amp; {words}\n")
    settings = load_settings(with_digests)
    items = {item.url: item for item, _ in sent_digests(settings)}
    assert items["/digests/2026-08"].summary == "An archive written by hand."
    assert items["/digests/2026-09"].summary == "Two new tools, and a correction."
    july = items["/digests/2026-07"].summary
    assert july.startswith("Long text & word word") and july.endswith(" …")
    assert len(july) <= 302  # an entry summary's 300 characters, " …"
    feed = atom_feed(settings, list(items.values())).decode()
    assert "<summary>An archive written by hand.</summary>" in feed
    assert "<summary></summary>" not in feed


def test_an_archive_is_summed_up_by_its_first_paragraph_with_words(with_digests, tmp_path):
    """Found in review: an archive whose first paragraph is only a space (`&nbsp;`, an
    empty `*&nbsp;*`, a zero-width space) had an empty summary in the feed and in the
    site's JSON; so had one whose preheader is only spaces. The first paragraph with
    words is the summary."""
    for month, body in (("2026-06", "&nbsp;\n\n*&ensp;*\n\n&#8203;\n\nJune's news.\n"),
                        ("2026-07", "# July\n\n**&nbsp;**\n\n- a list\n\nJuly's news.\n")):
        (with_digests / f"digests/{month}.md").write_text(body)
    (with_digests / "digests/2026-05.md").write_text(
        "---\nstatus: sent\npreheader: \"\\u00a0\\u200b\"\n---\n&nbsp;\n\nMay's news.\n")
    out = built(with_digests, tmp_path / "out")
    feed = feedparser.parse((out / "feed.xml").read_bytes())
    summaries = {e.link.rsplit("/", 1)[1]: e.summary for e in feed.entries if "/digests/" in e.link}
    expected = {"2026-05": "May's news.", "2026-06": "June's news.", "2026-07": "July's news."}
    assert {m: summaries[m] for m in expected} == expected
    listed = json.loads((out / "digests.json").read_text())["digests"]
    assert {d["month"]: d["summary"] for d in listed if d["month"] in expected} == expected
    for month, summary in expected.items():
        assert json.loads((out / f"digests/{month}.json").read_text())["summary"] == summary


def test_a_digest_updated_before_it_was_published_stops_the_build(with_digests):
    """Found in review: a digest's `updated` earlier than its `published` was shown in the
    feed as it was; validate warns of an entry's (updated-before-published), and the build
    refuses a digest's, at the line of `updated`."""
    from pipeline.publish.feed import sent_digests

    path = with_digests / "digests/2026-09.md"
    path.write_text(SENT.replace("published: 2026-10-02\n",
                                 "published: 2026-10-02\nupdated: 2026-09-20\n"))
    with pytest.raises(PipelineError) as e:
        sent_digests(load_settings(with_digests))
    assert str(e.value).startswith("digests/2026-09.md:8:1: `updated: 2026-09-20` is before "
                                   "`published: 2026-10-02`")
    (with_digests / "digests/2026-09.md").write_text(
        "---\nupdated: 2026-08-20\n---\n# September\n\nText.\n")
    with pytest.raises(PipelineError, match=r"^digests/2026-09\.md:2:1: `updated: 2026-08-20` "
                       r"is before 2026-10-01, the first day after its month"):
        sent_digests(load_settings(with_digests))
    path.write_text(SENT.replace("published: 2026-10-02\n",
                                 "published: 2026-10-02\nupdated: 2026-10-02\n"))
    assert [i.updated for i, _ in sent_digests(load_settings(with_digests))
            if i.url == "/digests/2026-09"] == ["2026-10-02"]


def test_a_sent_digests_warnings_are_the_builds_too(with_digests, cli):
    """A sent digest linking to a place no heading has the id of, or whose raw HTML drops
    words, was published without a word, where `digest render` warns (found in review
    23): the build warns the same, at its line, and publishes it all the same."""
    text = SENT.replace("None this month.\n", "None this month; see [above](#no-such-place).\n"
                        "\n<div>Important note</div>\n")
    (with_digests / "digests/2026-09.md").write_text(text)
    lines = text.split("\n")
    r = cli(with_digests, "build")
    assert r.exit_code == 0, r.output
    at = next(i for i, line in enumerate(lines) if "#no-such-place" in line)
    at = f"{at + 1}:{lines[at].index('[above]') + 1}"
    assert (f"digests/2026-09.md:{at}: warning: a link to #no-such-place, which no heading of "
            "the digest has as its id (the headings' ids: #corrections, #two-new-tools)"
            in r.output)
    at = next(i for i, line in enumerate(lines) if "<div>" in line) + 1
    assert (f"digests/2026-09.md:{at}:1: warning: raw HTML (`<div>`) is dropped from the e-mail "
            "and the web page, and its words ('Important note')" in r.output)
    assert (with_digests / "dist/digests/2026-09.html").is_file()


def test_a_sent_digests_warnings_are_said_by_every_build(with_digests, cli, monkeypatch):
    """The warnings of a sent digest were said only by the build that made its page: the
    next build, which left the page as it was, said nothing of them, though nothing was
    fixed (found in review 23). Each build says them, as validate says again the warnings
    of a file it does not read again; the page is not rendered again for it."""
    import pipeline.digest.render as digest_render

    text = SENT.replace("None this month.\n", "None this month; see [above](#no-such-place).\n"
                        "\n<div>Important note</div>\n")
    (with_digests / "digests/2026-09.md").write_text(text)
    first = cli(with_digests, "build")
    assert first.exit_code == 0, first.output
    said = [line for line in first.output.splitlines() if ": warning: " in line]
    assert len([w for w in said if "#no-such-place" in w or "Important" in w]) == 2, said

    def not_again(*args, **kwargs):
        raise AssertionError("the page was rendered again")

    monkeypatch.setattr(digest_render, "archive_html", not_again)
    again = cli(with_digests, "build")
    assert again.exit_code == 0, again.output
    assert [line for line in again.output.splitlines() if ": warning: " in line] == said
    monkeypatch.undo()
    (with_digests / "digests/2026-09.md").write_text(SENT)  # fixed: said no more
    for _ in range(2):
        fixed = cli(with_digests, "build")
        assert fixed.exit_code == 0, fixed.output
        assert "#no-such-place" not in fixed.output and "Important" not in fixed.output
        assert "`<script>`" in fixed.output  # SENT's own, said each time
