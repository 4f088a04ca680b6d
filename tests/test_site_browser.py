"""The preview's search page and layout as a reader uses them, in headless Chromium.

A small real catalog is built and served by `pipeline serve`'s server; the
browser finds the snippets, presses the keys and measures the boxes a reader
would.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import CHROMIUM, MINI, write_entry
from pipeline.config import load_settings
from pipeline.publish.build import build
from pipeline.publish.serve import PreviewServer

pytestmark = pytest.mark.usefixtures("chromium_here")  # skipped here, failed on CI

# Each of "½", "ﬁ" and "…" folds (NFKD) to more characters than it is: "1⁄2", "fi", "...".
DRIFT = "Ratios like ½ and ligatures like ﬁ make folding longer… " * 20
RATIOS_BODY = (DRIFT + "Then the zanzibarword shows where it really is in the text. "
               + "Words after it, and more words after those. " * 6 + "\n")


def add_entries(root: Path) -> None:
    write_entry(root, "glossary/ratios", {
        **MINI["glossary/awq"], "title": "Ratios", "summary": "Fractions in prose."},
        RATIOS_BODY)


@pytest.fixture
def served(catalog, tmp_path):
    """(catalog, a PreviewServer of its build)."""
    add_entries(catalog)
    server = PreviewServer(load_settings(catalog), tmp_path / "out", port=0,
                           watcher=lambda paths, stop, ready: iter(()))
    build(server.settings, server.out_dir)
    server.start()
    yield catalog, server
    server.close()


@pytest.fixture(scope="module")
def browser(chromium_here):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                              args=["--no-sandbox", "--disable-background-networking",
                                    "--disable-gpu"])
        yield b
        b.close()


@pytest.fixture
def page(browser):
    tab = browser.new_page(viewport={"width": 1100, "height": 900})
    yield tab
    tab.close()


def indexed_text(server, entry_id: str) -> str:
    index = json.loads((server.out_dir / "search-index.json").read_text(encoding="utf-8"))
    return next(e["text"] for e in index["entries"] if e["id"] == entry_id)


def test_a_snippet_is_cut_around_the_match_after_characters_that_fold_longer(served, page):
    """The match was found in the folded text and cut from the original at the same
    offset: each "½", "ﬁ" or "…" before it moved the snippet further away, until the
    word was not in it at all (found in review)."""
    _, server = served
    text = indexed_text(server, "glossary/ratios")
    at = text.index("zanzibarword")
    assert at > 600  # 100 characters of drift before it
    page.goto(server.url + "/search?q=ZanzibarWord")
    snippet = page.locator("#search-results li p.snippet")
    snippet.wait_for()
    assert snippet.inner_text() == "…" + text[at - 60:at + 100].strip() + "…"
    # a match that is the fold of one character: "fi" is "ﬁ" (after "½", which folds longer)
    page.locator("#search-input").fill("fi")
    page.locator("#search-status", has_text="1 entry matches.").wait_for()
    ligature = text.index("ﬁ")
    assert page.locator("#search-results li p.snippet").inner_text() \
        == text[:ligature + 100].strip() + "…"
