"""What the build emits: entry and collection JSON, search index, sitemap, feed, git data."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from xml.etree import ElementTree

import feedparser
import pytest
from hypothesis import given, settings, strategies as st

from conftest import MINI, REPO, commit_all, write_entry
from pipeline.config import load_settings
from pipeline.errors import PipelineError
from pipeline.publish.build import build
from pipeline.publish.serialize import json_bytes
from test_publish_catalog import make_exl2_catalog


def built(root: Path, tmp_path: Path) -> Path:
    out = tmp_path / "out"
    build(load_settings(root), out)
    return out


def read_json(path: Path):
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture
def exl2_out(tmp_path):
    return built(make_exl2_catalog(tmp_path / "exl2"), tmp_path)


def test_entry_json_has_the_typed_references_resolved_with_titles(exl2_out):
    doc = read_json(exl2_out / "glossary/exl2.json")
    refs = doc["references"]
    assert [i["title"] for i in refs["related"]] == ["Quantization", "AWQ", "GPTQ", "GGUF"]
    assert [i["label"] for i in refs["see_also"]] == ["tool: ExLlamaV2", "tool: TabbyAPI"]
    assert refs["guides"] == [{
        "id": "guides/best-gpu-for-local-ai", "title": "Best GPU for local AI",
        "url": "/guides/best-gpu-for-local-ai", "collection": "guides",
        "label": "Best GPU for local AI"}]
    assert [i["url"] for i in refs["errors"]] == ["/errors/quantization-quality-loss",
                                                  "/errors/gguf-tokenizer-mismatch"]
    assert doc["reference_headings"] == {"related": "Related terms", "see_also": "See also",
                                         "guides": "Buyer guides",
                                         "errors": "When it doesn't work"}
    # what it links to (its typed references among them), as the cold build rendered it
    linked = doc["linked"]
    assert list(linked) == sorted(linked) and {i["id"] for r in refs.values() for i in r} <= set(
        linked)
    assert all(card["url"] == f"/{i}" for i, card in linked.items())


def test_entry_json_has_body_sources_breadcrumb_verdict_and_dates(exl2_out):
    doc = read_json(exl2_out / "glossary/exl2.json")
    assert doc["id"] == "glossary/exl2" and doc["url"] == "/glossary/exl2"
    crumbs = [c["title"] for c in doc["breadcrumb"]]
    assert crumbs == ["Glossary", "Training & optimization", "EXL2"]
    assert [(s["number"], s["id"]) for s in doc["sources"]] == [(1, "exllamav2-readme"),
                                                                (2, "gptq-paper")]
    assert '<a href="#source-2">2</a>' in doc["body_html"]
    assert doc["verdict"]["by"] == {"id": "authors/lead-editor", "title": "Lena Lead",
                                    "url": "/authors/lead-editor"}
    assert (doc["published"], doc["updated"], doc["updated_from"]) == (
        "2026-10-02", "2026-10-02", "published")
    assert doc["affiliate"]["has_links"] is False and doc["affiliate"]["disclosure"] is None
    assert doc["front_matter"]["aka"] == ["ExLlamaV2 format"]


def test_entry_documents_and_search_records_are_made_in_their_files_key_order(
        tmp_path, monkeypatch):
    """orjson sorts a dict whose keys come in order in a third of the time: the document
    and the record are made in sorted order, and the files are what sorting gives."""
    from pipeline.publish import render
    made = []
    for name in ("entry_document", "record_bytes"):
        monkeypatch.setattr(render, name, lambda *a, _f=getattr(render, name), _n=name: (
            made.append((_n, a, _f(*a))) or made[-1][2]))
    root = make_exl2_catalog(tmp_path / "exl2")
    out = tmp_path / "out"
    build(load_settings(root), out, jobs=1)
    docs = [(a[0], r) for n, a, r in made if n == "entry_document"]
    records = [(a[0], r) for n, a, r in made if n == "record_bytes"]
    assert docs and len(docs) == len(records)
    for entry, doc in docs:
        assert list(doc) == sorted(doc)
        assert (out / f"{entry.id}.json").read_bytes() == json_bytes(doc)
    for entry, record in records:
        keys = list(json.loads(record))
        assert keys == sorted(keys)
        assert record in (out / "search-index.json").read_bytes()


def test_backlinks_come_from_front_matter_and_body_links_but_not_bylines(exl2_out):
    back = [c["id"] for c in read_json(exl2_out / "glossary/exl2.json")["backlinks"]]
    assert "glossary/quantization" in back  # related: in front matter
    assert "glossary/awq" in back  # a body link only
    assert "errors/gguf-tokenizer-mismatch" in back
    assert "glossary/exl2" not in back
    author = read_json(exl2_out / "authors/lead-editor.json")
    assert author["backlinks"] == []  # reviewed_by and verdict.by are credits, not links


def test_affiliate_pages_disclose_before_the_first_paid_link(exl2_out):
    doc = read_json(exl2_out / "guides/best-gpu-for-local-ai.json")
    aff = doc["affiliate"]
    assert aff["has_links"] is True and aff["disclosure"].startswith("We earn a commission")
    assert aff["statements"] == ["As an Amazon Associate I earn from qualifying purchases."]
    assert [link["program"] for link in aff["links"]] == ["amazon"]
    assert doc["offers"][0]["paid"] is True
    page = (exl2_out / "guides/best-gpu-for-local-ai.html").read_text()
    paid = [m for m in re.finditer(r"<a [^>]*>", page) if "amazon.com" in m.group(0)]
    assert len(paid) == 2  # in the body and under "Where to buy"
    assert page.index('class="disclosure"') < paid[0].start()
    assert page.index("As an Amazon Associate") < paid[0].start()
    for m in paid:
        assert 'rel="sponsored nofollow noopener"' in m.group(0)
        label = re.match(r' <span class="paid-label" id="([^"]+)">\(paid link\)</span>',
                         page[m.end():].split("</a>", 1)[1])
        assert label and f'aria-describedby="{label.group(1)}"' in m.group(0)
    assert "Where to buy" in page
    plain = (exl2_out / "glossary/exl2.html").read_text()
    assert 'class="disclosure"' not in plain and "sponsored" not in plain


def test_collection_json_search_index_and_home(exl2_out):
    glossary = read_json(exl2_out / "glossary.json")
    assert glossary["count"] == 5 and glossary["name"] == "Glossary"
    assert [e["title"] for e in glossary["entries"]] == ["AWQ", "EXL2", "GGUF", "GPTQ",
                                                         "Quantization"]
    assert glossary["entries"][1]["rating"] == "situational"
    index = read_json(exl2_out / "search-index.json")
    exl2 = next(e for e in index["entries"] if e["id"] == "glossary/exl2")
    assert set(exl2) == {"id", "url", "collection", "title", "summary", "tags", "text", "aka"}
    assert "fastest single stream" in exl2["text"] and "<p>" not in exl2["text"]
    assert exl2["tags"] == ["quantization", "nvidia"]
    assert len(index["entries"]) == 13
    home = (exl2_out / "index.html").read_text()
    assert '<a href="/glossary">Glossary</a> <span class="muted">5</span>' in home


def test_every_collection_has_its_list_even_with_nothing_published(catalog, tmp_path):
    """A collection with nothing published had no `/<collection>.json`: a front end got a
    404, and one came when a collection's last entry was unpublished (found in review)."""
    from pipeline.config import COLLECTIONS

    out = tmp_path / "out"
    build(load_settings(catalog), out)
    for collection in COLLECTIONS:
        assert (out / f"{collection}.html").is_file(), collection
    errors = read_json(out / "errors.json")
    assert (errors["count"], errors["entries"], errors["collection"]) == (0, [], "errors")
    assert read_json(out / "tools.json")["count"] == 1
    path = catalog / "entries/tools/vllm.md"
    path.write_text(path.read_text().replace("status: published", "status: draft"))
    build(load_settings(catalog), out)  # incremental: the list goes empty, it stays
    assert (read_json(out / "tools.json")["count"], read_json(out / "tools.json")["entries"]) \
        == (0, [])
    assert "0 entries." in (out / "tools.html").read_text()


def test_sitemap_lists_published_entries_only(catalog, tmp_path):
    for status in ("draft", "review", "retired"):
        write_entry(catalog, f"glossary/{status}-term", {
            "title": f"{status} term", "status": status, "authors": ["ana"],
            "category": "Formats & quantization"})
    out = built(catalog, tmp_path)
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    root = ElementTree.fromstring((out / "sitemap.xml").read_bytes())
    locs = [u.findtext("s:loc", namespaces=ns) for u in root.findall("s:url", ns)]
    # the entries, with the home page and the indexes of the collections that list them
    assert locs == [f"https://local-ai-catalog.org/{i}" for i in sorted(
        [*MINI, "", "authors", "glossary", "tools"])]
    assert not list(out.rglob("*-term.*"))  # no JSON or page for them either
    assert read_json(out / "redirects.json")["gone"] == [
        {"path": f"/glossary/retired-term{x}", "status": 410} for x in ("", ".html", ".json")]


def test_a_sitemap_too_big_for_one_file_becomes_a_sitemap_index(catalog, tmp_path,
                                                                 monkeypatch):
    """sitemap.xml listed every page in one file, whatever their number: past 50,000 URLs
    (or 50 MB) a search engine refuses it whole. Past either limit it is a sitemap index
    of sitemaps that keep within both, and the parts go when they fit in one again."""
    from pipeline.publish import sitemap

    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    base = "https://local-ai-catalog.org"
    one = ElementTree.fromstring((built(catalog, tmp_path) / "sitemap.xml").read_bytes())
    every = [(u.findtext("s:loc", namespaces=ns), u.findtext("s:lastmod", namespaces=ns))
             for u in one.findall("s:url", ns)]
    assert len(every) == 8  # the four entries, the home page, three collections
    monkeypatch.setattr(sitemap, "MAX_URLS", 3)
    out = built(catalog, tmp_path)
    index = ElementTree.fromstring((out / "sitemap.xml").read_bytes())
    assert index.tag == "{http://www.sitemaps.org/schemas/sitemap/0.9}sitemapindex"
    parts = [(s.findtext("s:loc", namespaces=ns), s.findtext("s:lastmod", namespaces=ns))
             for s in index.findall("s:sitemap", ns)]
    assert [loc for loc, _ in parts] == [f"{base}/sitemap-{n}.xml" for n in (1, 2, 3)]
    listed = []
    for loc, lastmod in parts:
        urls = ElementTree.fromstring((out / loc.removeprefix(base + "/")).read_bytes())
        rows = [(u.findtext("s:loc", namespaces=ns), u.findtext("s:lastmod", namespaces=ns))
                for u in urls.findall("s:url", ns)]
        assert 1 <= len(rows) <= 3 and lastmod == max(d for _, d in rows)
        listed += rows
    assert listed == every
    monkeypatch.setattr(sitemap, "MAX_URLS", 50_000)
    monkeypatch.setattr(sitemap, "MAX_BYTES", 250)  # the 50 MB, in small: two URLs a file
    files = sitemap.sitemaps(base, [(f"/{i}", None) for i in MINI])
    assert sorted(files) == ["sitemap-1.xml", "sitemap-2.xml", "sitemap.xml"]
    assert max(len(files[f"sitemap-{n}.xml"]) for n in (1, 2)) <= 250
    monkeypatch.setattr(sitemap, "MAX_BYTES", 50 * 1024 * 1024)
    out = built(catalog, tmp_path)
    assert sorted(p.name for p in out.glob("sitemap*")) == ["sitemap.xml"]
    assert ElementTree.fromstring((out / "sitemap.xml").read_bytes()).tag.endswith("urlset")


def test_control_characters_never_make_the_feed_or_sitemap_invalid(catalog, tmp_path):
    """One control character in a summary made feed.xml ill-formed, and feed readers
    refuse such a feed whole (found in review); XML 1.0 has no way to write them. The
    feed drops them, whatever text reaches it."""
    from pipeline.publish.feed import FeedItem, atom_feed

    item = FeedItem(url="/tools/vllm", title="vLLM\x1b[31m", published="2026-01-10",
                    updated="2026-01-10", summary="CTRL\x01\x1b[31m\x0c\ufffe end",
                    category="tools", authors=("Ana\x00",))
    feed = atom_feed(load_settings(catalog), [item])
    parsed = feedparser.parse(feed)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert [e.summary for e in parsed.entries] == ["CTRL[31m end"]
    ElementTree.fromstring(feed)
    ElementTree.fromstring((built(catalog, tmp_path) / "sitemap.xml").read_bytes())


def test_a_control_character_written_as_an_escape_is_refused_at_its_line(catalog, tmp_path):
    """An escape (`"\\e[31m"`: YAML refuses the character typed) put it in every page,
    the JSON and the search index, and raw into the pages' HTML (found in review): the
    build refuses the entry at the escape, and nothing is published."""
    write_entry(catalog, "tools/vllm", {**MINI["tools/vllm"], "title": "vLLM\x1b[31m"})
    out = tmp_path / "out"
    with pytest.raises(PipelineError) as e:
        build(load_settings(catalog), out)
    assert ("entries/tools/vllm.md:2:13: error yaml-syntax: invalid YAML: `\\e` writes the "
            "invisible character U+001B") in str(e.value)
    assert not out.exists()


def test_feed_and_sitemap_text_is_escaped_as_saxutils_escapes_it():
    """xmltext's own escape and quoteattr give what xml.sax.saxutils's give."""
    from xml.sax.saxutils import escape, quoteattr

    from pipeline.publish.xmltext import xml_attr, xml_text

    for text in ["", "plain", "a & b < c > d", "&amp; already", "say \"hi\"", "it's",
                 "both \" and '", "line\nbreak\r\ttab", "<'\"&>", "\x1bESC and é"]:
        kept = text.replace("\x1b", "")
        assert xml_text(text) == escape(kept), text
        assert xml_attr(text) == quoteattr(kept), text


def test_the_feed_and_sitemap_import_no_url_library():
    """Escaping their text imports no xml.sax.saxutils, which imports urllib.request and
    with it http.client, email and ssl: 12 ms of CPU in every build."""
    import subprocess
    import sys

    code = ("import sys; import pipeline.publish.build, pipeline.publish.feed, "
            "pipeline.publish.sitemap; print('urllib.request' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                         text=True, check=True).stdout.split()
    assert out == ["False"]


def test_a_digest_date_with_a_time_of_day_keeps_the_feed_valid(catalog, tmp_path):
    """`published: 2026-12-02 10:30:00` made `<updated>2026-12-02 10:30:00T00:00:00Z`
    (found in review); a date that reads as none falls back to the next month's first day."""
    (catalog / "digests").mkdir()
    (catalog / "digests/2026-09.md").write_text(
        "---\ntitle: September\npublished: 2026-10-02 10:30:00\nupdated: soon\n---\nBody.\n")
    (catalog / "digests/2026-08.md").write_text(
        "---\ntitle: August\npublished: not a date\n---\nBody.\n")
    feed = (built(catalog, tmp_path) / "feed.xml").read_text()
    assert "<updated>2026-10-02T00:00:00Z</updated>" in feed
    assert "<published>2026-09-01T00:00:00Z</published>" in feed
    assert "10:30" not in feed and "soon" not in feed and "not a date" not in feed
    assert feedparser.parse(feed.encode()).bozo == 0


def test_feed_is_valid_atom_with_entries_and_digests(catalog, tmp_path):
    (catalog / "digests").mkdir()
    (catalog / "digests/2026-09.md").write_text(
        "---\ntitle: What changed in September\nsummary: Two new tools.\n"
        "published: 2026-10-01\n---\nBody.\n")
    (catalog / "digests/2026-10.md").write_text("---\nstatus: draft\n---\nNot yet.\n")
    out = built(catalog, tmp_path)
    parsed = feedparser.parse((out / "feed.xml").read_bytes())
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.feed.title == "Local AI Catalog"
    titles = [e.title for e in parsed.entries]
    assert titles[0] == "What changed in September"  # the newest first
    assert set(titles[1:]) == {"Ana Editor", "Ben Reviewer", "AWQ", "vLLM"}
    digest = parsed.entries[0]
    assert digest.link == "https://local-ai-catalog.org/digests/2026-09"
    assert digest.summary == "Two new tools." and digest.updated.startswith("2026-10-01")


@pytest.mark.parametrize("front, where", [
    ('status: draft\nsubject: "What changed: 2026-11\n', "digests/2026-11.md:3:10: front matter: invalid YAML: a quoted value is never closed"),
    ("status: draft\nsubject: [broken\n", "digests/2026-11.md:"),
    ("- status: draft\n", "digests/2026-11.md:2:1: the front matter must be `key: value` lines"),
])
def test_a_digest_whose_front_matter_cannot_be_read_stops_the_build(catalog, tmp_path,
                                                                    front, where):
    """Read as empty, a draft with a YAML slip was taken for a digest sent and published
    in the feed (found in review): the build stops at its line, and writes nothing."""
    (catalog / "digests").mkdir()
    (catalog / "digests/2026-11.md").write_text(f"---\n{front}---\nNot yet.\n")
    with pytest.raises(PipelineError) as e:
        built(catalog, tmp_path)
    assert str(e.value).startswith(where), str(e.value)
    assert not (tmp_path / "out").exists()


def test_a_digest_archive_without_front_matter_is_listed_as_sent(catalog, tmp_path):
    (catalog / "digests").mkdir()
    (catalog / "digests/2026-09.md").write_text("# September\n\nBody.\n")
    (catalog / "digests/2026-10.md").write_text("---\nstatus: draft\n")  # never closed
    with pytest.raises(PipelineError, match=r"^digests/2026-10.md:1:1: .*never closed"):
        built(catalog, tmp_path)
    (catalog / "digests/2026-10.md").unlink()
    parsed = feedparser.parse((built(catalog, tmp_path) / "feed.xml").read_bytes())
    assert [e.title for e in parsed.entries if "/digests/" in e.link] == [
        "What changed in local AI: 2026-09"]


def test_dates_and_corrections_come_from_git(repo, tmp_path):
    path = repo / "entries/tools/vllm.md"
    path.write_text(path.read_text().replace("Text.", "Text, corrected."))
    commit_all(repo, "Fix the vLLM claim\n\nCorrection: the old text overstated batching.",
               "2026-09-15T10:00:00")
    out = built(repo, tmp_path)
    doc = read_json(out / "tools/vllm.json")
    assert (doc["updated"], doc["updated_from"]) == ("2026-09-15", "git")
    assert [(c["date"], c["text"]) for c in doc["corrections"]] == [
        ("2026-09-15", "the old text overstated batching.")]
    page = (out / "tools/vllm.html").read_text()
    assert "Corrections" in page and "the old text overstated batching." in page
    assert "<lastmod>2026-09-15</lastmod>" in (out / "sitemap.xml").read_text()
    awq = read_json(out / "glossary/awq.json")
    assert (awq["updated"], awq["updated_from"]) == ("2026-09-01", "git")


def test_a_git_walk_started_before_the_build_is_joined_and_changes_nothing(repo, tmp_path,
                                                                         monkeypatch):
    """The CLI starts git's walk before it imports the build; the build waits for it and
    its output is the one a build that walked git itself makes."""
    from pipeline.publish.git_history import start_warming

    path = repo / "entries/tools/vllm.md"
    path.write_text(path.read_text().replace("Text.", "Text, corrected."))
    commit_all(repo, "Fix\n\nCorrection: overstated.", "2026-09-15T10:00:00")
    plain = built(repo, tmp_path / "plain")
    shutil.rmtree(repo / ".pipeline-cache")
    settings = load_settings(repo)
    waited = []
    join = start_warming(settings)

    def warming():
        waited.append(True)
        join()

    # this process may not walk git: what the build knows of it, the child's walk found
    from pipeline.history import log

    def no_walk(*args):
        raise AssertionError("the build walked git itself")

    monkeypatch.setattr(log, "parse_log", no_walk)
    build(settings, tmp_path / "early", git_warming=warming)
    assert waited == [True]
    files = sorted(p.relative_to(plain) for p in plain.rglob("*") if p.is_file())
    assert files and all((plain / f).read_bytes() == (tmp_path / "early" / f).read_bytes()
                         for f in files)
    assert read_json(tmp_path / "early/tools/vllm.json")["corrections"][0]["text"] == "overstated."


def test_a_history_cache_of_head_is_read_without_the_git_library(repo, tmp_path,
                                                                 monkeypatch):
    """Once the history cache holds HEAD (the warming child wrote it), the build takes
    the histories from it without opening the repository with GitPython (whose import
    alone costs about 60 ms), and builds what a build that read git builds."""
    path = repo / "entries/tools/vllm.md"
    path.write_text(path.read_text().replace("Text.", "Text, corrected."))
    commit_all(repo, "Fix\n\nCorrection: overstated.", "2026-09-15T10:00:00")
    plain = built(repo, tmp_path / "plain")  # fills .pipeline-cache/history.json at HEAD
    from pipeline.history import gitio

    def no_repo(*args):
        raise AssertionError("the build opened the repository with GitPython")

    monkeypatch.setattr(gitio, "open_repo", no_repo)
    build(load_settings(repo), tmp_path / "cached", use_cache=False, jobs=1)
    files = sorted(p.relative_to(plain) for p in plain.rglob("*") if p.is_file())
    assert files and all((plain / f).read_bytes() == (tmp_path / "cached" / f).read_bytes()
                         for f in files)
    assert read_json(tmp_path / "cached/tools/vllm.json")["corrections"][0]["text"] \
        == "overstated."


def test_a_history_cache_of_another_commit_is_not_taken_for_head(repo, tmp_path):
    """A commit after the cached one: the build reads git (the new commit's correction
    is there), not the cache."""
    built(repo, tmp_path / "before")
    path = repo / "entries/tools/vllm.md"
    path.write_text(path.read_text().replace("Text.", "Text, corrected."))
    commit_all(repo, "Fix\n\nCorrection: overstated.", "2026-09-15T10:00:00")
    build(load_settings(repo), tmp_path / "after", use_cache=False, jobs=1)
    assert read_json(tmp_path / "after/tools/vllm.json")["corrections"][0]["text"] \
        == "overstated."


def test_front_matter_updated_wins_over_git(repo, tmp_path):
    write_entry(repo, "glossary/awq", {**MINI["glossary/awq"], "updated": "2026-08-20"})
    commit_all(repo, "Set updated", "2026-09-20T10:00:00")
    out = built(repo, tmp_path)
    doc = read_json(out / "glossary/awq.json")
    assert (doc["updated"], doc["updated_from"]) == ("2026-08-20", "front matter")
    # the sitemap says when the page last changed, which git knows
    assert ("glossary/awq</loc><lastmod>2026-09-20</lastmod>"
            in (out / "sitemap.xml").read_text())


def test_outside_git_dates_come_from_front_matter(catalog, tmp_path):
    result = build(load_settings(catalog), tmp_path / "out")
    assert result.notes == ["not in a git repository: dates come from front matter"]
    doc = read_json(tmp_path / "out/tools/vllm.json")
    assert (doc["updated"], doc["updated_from"], doc["corrections"]) == (
        "2026-01-10", "published", [])


def test_the_feed_reads_a_digest_as_draft_writes_it_and_only_once_sent(catalog, tmp_path):
    """Digests have `subject`, `preheader` and `status: draft | ready | sent`: the feed
    read none of them, and listed a `ready` digest not sent yet (found in review)."""
    (catalog / "digests").mkdir()
    for month, status in (("2026-10", "sent"), ("2026-11", "ready"), ("2026-12", "draft")):
        (catalog / f"digests/{month}.md").write_text(
            f'---\nmonth: "{month}"\nsubject: "What changed: {month}"\n'
            f'preheader: "News of {month}."\nstatus: {status}\n---\nBody.\n')
    parsed = feedparser.parse((built(catalog, tmp_path) / "feed.xml").read_bytes())
    digests = [e for e in parsed.entries if "/digests/" in e.link]
    assert [(e.title, e.summary) for e in digests] == [("What changed: 2026-10",
                                                         "News of 2026-10.")]
    assert digests[0].published.startswith("2026-11-01")


_SITEMAP_PIECES = ["a", "/", "-", "&", "<", ">", "é", "\n", "\x01", "\ufffe", "2026-01-0", " "]


@settings(max_examples=500, deadline=None, derandomize=True)
@given(st.lists(st.sampled_from(_SITEMAP_PIECES), max_size=6).map("".join),
       st.lists(st.tuples(st.lists(st.sampled_from(_SITEMAP_PIECES), max_size=8).map("".join),
                          st.one_of(st.none(), st.lists(st.sampled_from(_SITEMAP_PIECES),
                                                        max_size=4).map("".join))),
                max_size=12, unique_by=lambda page: page[0]))
def test_a_sitemap_in_one_file_is_made_of_the_elements_of_its_pages(base, pages):
    """The sitemap of one file is escaped and encoded at once: the same bytes as its pages'
    elements made one at a time, as the parts of a sitemap index are, whatever they hold
    (markup, control characters, line breaks, text that is no date, no date)."""
    from pipeline.publish import sitemap

    pages = [(f"/{path}", lastmod) for path, lastmod in pages]
    rows = [sitemap._element("url", base.rstrip("/") + path, lastmod)
            for path, lastmod in sorted(pages)]
    assert sitemap.sitemaps(base, pages) == {"sitemap.xml": sitemap._urlset(rows)}
