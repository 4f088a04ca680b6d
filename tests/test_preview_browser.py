"""The EXL2 preview page as a reader sees it, in headless Chromium (Playwright).

It runs on a catalog shaped like the shipped one (always) and on the shipped
catalog itself (once `entries/glossary/exl2.md` exists and the catalog
validates). A screenshot of each goes to test-artifacts/.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from conftest import REPO, unavailable
from pipeline.config import load_settings
from pipeline.publish.build import ValidationFailed
from pipeline.publish.serve import PreviewServer
from test_publish_catalog import make_exl2_catalog

pytestmark = pytest.mark.usefixtures("chromium_here")  # skipped here, failed on CI
HEADINGS = {"related": "Related terms", "see_also": "See also", "guides": "Buyer guides",
            "errors": "When it doesn't work"}
SINGULAR = {"tools": "tool", "models": "model", "hardware": "hardware", "benchmarks": "benchmark",
            "pages": "page"}


def front_matter(root: Path, entry_id: str) -> dict:
    text = (root / "entries" / f"{entry_id}.md").read_text(encoding="utf-8")
    return yaml.safe_load(text.split("\n---", 1)[0].removeprefix("---\n"))


def expected_lists(root: Path) -> dict[str, list[str]]:
    """What each typed list must show, from the source files (not from the build)."""
    exl2 = front_matter(root, "glossary/exl2")
    out = {}
    for field in HEADINGS:
        labels = []
        for target in exl2.get(field, []):
            title = front_matter(root, target)["title"]
            collection = target.split("/")[0]
            labels.append(f"{SINGULAR[collection]}: {title}" if field == "see_also" else title)
        out[field] = labels
    return out


@pytest.fixture(params=["exl2-shaped catalog", "shipped catalog"])
def preview(request, tmp_path):
    """(catalog root, a running PreviewServer) for the catalog named by the parameter."""
    if request.param == "shipped catalog":
        if not (REPO / "entries/glossary/exl2.md").exists():
            unavailable("entries/glossary/exl2.md is not written yet")
        root = request.getfixturevalue("shipped")
    else:
        root = make_exl2_catalog(tmp_path / "exl2")
    server = PreviewServer(load_settings(root), tmp_path / "out", port=0,
                           watcher=lambda paths, stop, ready: iter(()))
    try:
        from pipeline.publish.build import build

        build(server.settings, server.out_dir)
    except ValidationFailed as e:
        server.close()
        unavailable(f"the shipped catalog does not validate yet ({e.result.errors} errors); "
                    "tests/test_publish_catalog.py covers the same page shape")
    server.start()
    yield root, server, request.param
    server.close()


def test_the_exl2_page_shows_what_a_reader_needs(preview, page):
    root, server, name = preview
    page.goto(server.url + "/glossary/exl2")
    assert "EXL2" in page.title()
    assert page.locator("h1").inner_text() == "EXL2"
    category = front_matter(root, "glossary/exl2")["category"]
    crumbs = page.locator("nav.breadcrumb")
    assert " ".join(crumbs.inner_text().split()) == f"Glossary / {category} / EXL2"
    assert crumbs.locator("a").all_inner_texts() == ["Glossary", category]
    verdict = page.locator("section.verdict")
    assert verdict.is_visible() and "verdict:" in verdict.inner_text().lower()
    assert page.locator("div.body p").first.is_visible()
    assert page.locator("section.sources li").count() >= 1
    for field, labels in expected_lists(root).items():
        section = page.locator(f"section.references-{field.replace('_', '-')}")
        assert section.locator("h2").inner_text() == HEADINGS[field]
        assert section.is_visible()
        assert section.locator("li a").all_inner_texts() == labels
        for href in section.locator("li a").evaluate_all("els => els.map(e => e.href)"):
            assert page.request.get(href).status == 200, href
    shots = REPO / "test-artifacts"
    shots.mkdir(exist_ok=True)
    page.screenshot(path=str(shots / f"preview-exl2-{name.split()[0]}.png"), full_page=True)


def test_a_reference_link_takes_the_reader_to_its_page(preview, page):
    root, server, _ = preview
    page.goto(server.url + "/glossary/exl2")
    link = page.locator("section.references-see-also li a").first
    label, href = link.inner_text(), link.get_attribute("href")
    link.click()
    page.wait_for_load_state()
    assert page.url == server.url + href
    assert label.split(": ", 1)[1] == page.locator("h1").inner_text()
    page.go_back()
    page.locator("section.references-related li a", has_text="AWQ").click()
    page.wait_for_load_state()
    assert page.url == server.url + "/glossary/awq"
    assert page.locator("h1").inner_text() == "AWQ"
    crumbs = " ".join(page.locator("nav.breadcrumb").inner_text().split())
    assert crumbs.startswith("Glossary / ") and crumbs.endswith(" / AWQ")


def test_client_side_search_finds_the_entry(preview, page):
    _, server, _ = preview
    page.goto(server.url + "/search?q=exl2")
    results = page.locator("#search-results li a")
    results.first.wait_for()
    assert "EXL2" in results.all_inner_texts()
    page.locator("#search-input").fill("zzzz-no-such-thing")
    assert "No entry matches" in page.locator("#search-status").inner_text()
    page.locator("#search-input").fill("EXL2")
    page.locator("#search-results li a", has_text="EXL2").first.click()
    page.wait_for_load_state()
    assert page.url == server.url + "/glossary/exl2"

