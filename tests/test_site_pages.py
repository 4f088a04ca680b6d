"""The preview's pages that are not entries, as search engines read them: a description, a
canonical address, `noindex` where a page is no content of its own, and the home page and
the collection indexes in the sitemap with a date taken from the catalog."""

from __future__ import annotations

import json
import re
from pathlib import Path
from xml.etree import ElementTree

from conftest import MINI, commit_all, write_entry
from pipeline.config import load_settings
from pipeline.publish.build import build
from test_build import tree

BASE = "https://local-ai-catalog.org"
NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def head(page: Path) -> str:
    return page.read_text(encoding="utf-8").split("</head>", 1)[0]


def sitemap(out: Path) -> dict[str, str | None]:
    root = ElementTree.fromstring((out / "sitemap.xml").read_bytes())
    return {u.findtext("s:loc", namespaces=NS): u.findtext("s:lastmod", namespaces=NS)
            for u in root.findall("s:url", NS)}


def test_every_page_that_is_not_an_entry_says_what_it_is_and_where(repo, tmp_path):
    """Home, collection, search, digests and gone pages had no description and no
    canonical link, and /search and /gone could be indexed (found in review)."""
    out = tmp_path / "out"
    build(load_settings(repo), out)
    pages = {"index.html": "/", "glossary.html": "/glossary", "tools.html": "/tools",
             "models.html": "/models", "search.html": "/search", "gone.html": "/gone",
             "digests.html": "/digests"}
    for name, path in pages.items():
        text = head(out / name)
        descriptions = re.findall(r'<meta name="description" content="([^"]+)">', text)
        assert len(descriptions) == 1 and len(descriptions[0]) > 40, name
        assert re.findall(r'<link rel="canonical" href="([^"]+)">', text) == [BASE + path], name
        noindex = '<meta name="robots" content="noindex">' in text
        assert noindex == (name in ("search.html", "gone.html")), name
    assert "1 entry in Local AI Catalog." in head(out / "tools.html")
    assert "0 entries in Local AI Catalog." in head(out / "models.html")
    # an entry's page keeps its own (its summary), and is indexed
    entry = head(out / "tools/vllm.html")
    assert '<meta name="description" content="A serving engine.">' in entry
    assert f'<link rel="canonical" href="{BASE}/tools/vllm">' in entry
    assert "noindex" not in entry


def test_the_home_page_and_collection_indexes_are_in_the_sitemap(repo, tmp_path):
    """Only entries and digests were listed (found in review). Each index is dated by the
    newest entry it lists; an empty collection's index is left out."""
    write_entry(repo, "glossary/gptq", {**MINI["glossary/awq"], "title": "GPTQ"})
    commit_all(repo, "Add GPTQ", "2026-09-10T12:00:00")
    path = repo / "entries/tools/vllm.md"
    path.write_text(path.read_text().replace("Text.", "Text, longer."))
    commit_all(repo, "Edit vLLM", "2026-09-15T12:00:00")
    out = tmp_path / "out"
    build(load_settings(repo), out)
    dates = sitemap(out)
    assert {loc: d for loc, d in dates.items() if loc.count("/") == 3} == {
        f"{BASE}/": "2026-09-15", f"{BASE}/authors": "2026-09-01",
        f"{BASE}/glossary": "2026-09-10", f"{BASE}/tools": "2026-09-15"}
    assert f"{BASE}/models" not in dates  # nothing published there
    assert dates[f"{BASE}/glossary/gptq"] == "2026-09-10"
    # a later commit moves the dates; the incremental build gives what a fresh one does
    path = repo / "entries/glossary/awq.md"
    path.write_text(path.read_text().replace("Text.", "Text, edited."))
    commit_all(repo, "Edit AWQ", "2026-09-20T12:00:00")
    build(load_settings(repo), out)
    dates = sitemap(out)
    assert (dates[f"{BASE}/"], dates[f"{BASE}/glossary"], dates[f"{BASE}/tools"]) == (
        "2026-09-20", "2026-09-20", "2026-09-15")
    fresh = tmp_path / "fresh"
    build(load_settings(repo), fresh, use_cache=False)
    assert tree(out) == tree(fresh)


def test_a_heading_the_body_wrote_as_h1_is_no_second_title_of_the_page(catalog, tmp_path):
    """`# Setup` in a body made a second h1 on the entry's page, beside its title (found in
    review): on the page it is an h2, as a digest's is; the JSON keeps the body as
    written, for a front end to place."""
    write_entry(catalog, "tools/vllm", MINI["tools/vllm"],
                "# Setup\n\nText.\n\nInstall\n=======\n\n<h1>Raw</h1>\n\n## Kernels\n\nMore.\n")
    out = tmp_path / "out"
    build(load_settings(catalog), out)
    page = (out / "tools/vllm.html").read_text(encoding="utf-8")
    assert re.findall(r"<h1[ >].*?</h1>", page) == ["<h1>vLLM</h1>"]
    body = page.split('<div class="body">', 1)[1].split("</div>", 1)[0]
    assert re.findall(r"<h\d[^>]*>[^<]*", body) == [
        "<h2>Setup", "<h2>Install", "<h2>Raw", '<h2 id="kernels">Kernels']
    doc = json.loads((out / "tools/vllm.json").read_text(encoding="utf-8"))
    assert doc["body_html"].count("<h1>") == 3
