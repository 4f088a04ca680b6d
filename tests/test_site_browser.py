"""The preview's search page and layout as a reader uses them, in headless Chromium.

A small real catalog is built and served by `pipeline serve`'s server; the
browser finds the snippets, presses the keys and measures the boxes a reader
would.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import MINI, write_entry
from pipeline.config import load_settings
from pipeline.publish.build import build
from pipeline.publish.serve import PreviewServer
from test_publish_catalog import make_exl2_catalog

pytestmark = pytest.mark.usefixtures("chromium_here")  # skipped here, failed on CI

# Each of "½", "ﬁ" and "…" folds (NFKD) to more characters than it is: "1⁄2", "fi", "...".
DRIFT = "Ratios like ½ and ligatures like ﬁ make folding longer… " * 20
RATIOS_BODY = (DRIFT + "Then the zanzibarword shows where it really is in the text. "
               + "Words after it, and more words after those. " * 6 + "\n")


def add_entries(root: Path) -> None:
    write_entry(root, "glossary/ratios", {
        **MINI["glossary/awq"], "title": "Ratios", "summary": "Fractions in prose."},
        RATIOS_BODY)


def serving(root: Path, out: Path):
    """A PreviewServer of the catalog's build (watching nothing), while the generator
    runs: the body of the fixtures below."""
    server = PreviewServer(load_settings(root), out, port=0,
                           watcher=lambda paths, stop, ready: iter(()))
    try:
        build(server.settings, server.out_dir)
        server.start()
        yield server
    finally:
        server.close()


@pytest.fixture
def served(catalog, tmp_path):
    """(catalog, a PreviewServer of its build)."""
    add_entries(catalog)
    for server in serving(catalog, tmp_path / "out"):
        yield catalog, server


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

    # found by half of the query's words, its first not among them: the snippet is cut
    # around the first word it has (around the first word, it was none: found in review)
    page.locator("#search-input").fill("quokkaword zanzibarword")
    page.locator("#search-status", has_text="at least half of them").wait_for()
    assert page.locator("#search-results li p.snippet").all_inner_texts() \
        == ["…" + text[at - 60:at + 100].strip() + "…"]


OOM = ("torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB. "
       'GPU 0 has a total capacity of 23.64 GiB; model "llama3.1" not found')


def test_the_error_as_the_reader_sees_it_finds_its_page(catalog, tmp_path, page):
    """An error's message, shown on its page under "The error as you see it", was not in
    the search index: pasting it (or a line of it) into the search box found nothing
    unless the body happened to quote it whole (found in review)."""
    write_entry(catalog, "errors/oom", {
        "title": "Out of memory", "status": "published", "summary": "The GPU ran out.",
        "authors": ["ana"], "published": "2026-01-10", "message": OOM},
        "Lower the context length, or load a smaller quant.\n")
    for server in serving(catalog, tmp_path / "out"):
        page.goto(server.url + "/search")
        wait_for_the_index(page)
        for query in (OOM, "Tried to allocate 2.00 GiB", 'model "llama3.1" not found',
                      "OUTOFMEMORYERROR"):
            page.locator("#search-input").fill(query)
            assert page.locator("#search-status").inner_text() == "1 entry matches.", query
            assert page.locator("#search-results li > a").all_inner_texts() == ["Out of memory"]


def test_an_error_pasted_with_numbers_of_its_own_still_finds_its_page(catalog, tmp_path, page):
    """The reader's error has its own sizes and names ("20.00 MiB", "llama3"): every word
    had to match, so pasting it found nothing (found in review). Entries with at least half
    of the words are shown then, most first, and the status says so."""
    write_entry(catalog, "errors/oom", {
        "title": "Out of memory", "status": "published", "summary": "The GPU ran out.",
        "authors": ["ana"], "published": "2026-01-10", "message": OOM},
        "Lower the context length, or load a smaller quant.\n")
    pasted = ("torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 20.00 MiB. "
              "GPU 0 has a total capacity of 7.79 GiB")
    for server in serving(catalog, tmp_path / "out"):
        page.goto(server.url + "/search")
        wait_for_the_index(page)
        page.locator("#search-input").fill(pasted)
        assert page.locator("#search-status").inner_text().startswith(
            f"No entry matches every word of “{pasted}”. ")
        assert page.locator("#search-results li > a").first.inner_text() == "Out of memory"
        page.locator("#search-input").fill("zanzibar quokka")  # no word anywhere
        assert page.locator("#search-status").inner_text() == "No entry matches “zanzibar quokka”."
        assert page.locator("#search-results li").count() == 0


def test_characters_whose_fold_has_capitals_are_found_in_any_case(catalog, tmp_path, page):
    """Text was lower-cased before NFKD, which makes capitals of some characters: "㎓" is
    "GHz" and "™" is "TM", so neither `ghz` nor `GHz` found a page that wrote "㎓", and
    typing "㎓" found nothing (found in review)."""
    write_entry(catalog, "glossary/clock", {
        **MINI["glossary/awq"], "title": "Clock", "summary": "How fast a chip ticks."},
        "A boost clock of 2.5 ㎓ on the Radeon™ card.\n")
    for server in serving(catalog, tmp_path / "out"):
        page.goto(server.url + "/search")
        wait_for_the_index(page)
        for query in ("ghz", "GHz", "2.5 ㎓", "radeontm", "RadeonTM", "Radeon™"):
            page.locator("#search-input").fill(query)
            assert page.locator("#search-results li > a").all_inner_texts() == ["Clock"], query
        assert page.locator("#search-results li p.snippet").inner_text() \
            == "A boost clock of 2.5 ㎓ on the Radeon™ card."


def wait_for_the_index(page) -> None:
    """search.js has loaded the index and shown what it found (or asks for words)."""
    page.locator("#search-status").filter(has_not_text="Loading").wait_for()


def titles_found(page, query: str) -> list[str]:
    """The titles listed for `query`, typed into the search page's box, in their order."""
    page.locator("#search-input").fill(query)
    return page.locator("#search-results li > a").all_inner_texts()


def glossary_term(root: Path, slug: str, title: str, summary: str, body: str = "Text.\n",
                  **more) -> None:
    write_entry(root, f"glossary/{slug}", {
        **MINI["glossary/awq"], "title": title, "summary": summary, **more}, body)


def test_a_title_holding_the_query_as_typed_comes_first_the_shortest_first(catalog, tmp_path,
                                                                           page):
    """`rtx 4090` listed "Llama 3.1 8B EXL2 with ExLlamaV2 on RTX 4090" (whose summary and
    tags say RTX 4090 too) above "NVIDIA GeForce RTX 4090": an exact title counted only for
    a query of one word, and titles were ordered alphabetically (found in review)."""
    glossary_term(catalog, "bench", "Llama 3.1 8B EXL2 with ExLlamaV2 on RTX 4090",
                  "Figures on one RTX 4090.", tags=["rtx-4090"])
    glossary_term(catalog, "card", "NVIDIA GeForce RTX 4090", "A 24 GB card.")
    glossary_term(catalog, "apart", "RTX cards", "Which RTX to buy: the 4090 or a 3090.")
    glossary_term(catalog, "exact", "RTX 4090", "The card, in short.")
    for server in serving(catalog, tmp_path / "out"):
        page.goto(server.url + "/search")
        wait_for_the_index(page)
        assert titles_found(page, "rtx 4090") == [
            "RTX 4090", "NVIDIA GeForce RTX 4090",
            "Llama 3.1 8B EXL2 with ExLlamaV2 on RTX 4090", "RTX cards"]
        assert titles_found(page, "RTX  4090 ")[:1] == ["RTX 4090"]


def test_whole_words_and_the_query_as_typed_come_before_parts_of_words(catalog, tmp_path,
                                                                       page):
    """`pen name` found "open" and ranked it like the word: the entry that says "is a pen
    name" came last, below titles that had "pen" inside a word or the words apart (found
    in review)."""
    glossary_term(catalog, "open", "Open-weight names",
                  "This is a list of the names open models go by.")
    glossary_term(catalog, "pen", "Pen", "Is a name a good idea?")
    glossary_term(catalog, "maya", "Maya", "An editor.",
                  "Maya is a pen name used by a member of our staff.\n")
    for server in serving(catalog, tmp_path / "out"):
        page.goto(server.url + "/search")
        wait_for_the_index(page)
        assert titles_found(page, "pen name") == ["Maya", "Pen", "Open-weight names"]
        assert titles_found(page, "is a pen name") == ["Maya", "Pen", "Open-weight names"]


def test_a_phrase_in_quotes_is_found_as_typed(catalog, tmp_path, page):
    """`"out of memory"` kept the quotes as parts of its first and last words, and found
    nothing (found in review). A phrase in quotes is one term, found as typed (case and
    accents aside); a quote left open only separates words."""
    glossary_term(catalog, "oom", "Allocation", "When a card is full.",
                  "The GPU ran out of memory while loading.\n")
    glossary_term(catalog, "bandwidth", "Bandwidth", "Out of all the specs, memory speed.")
    for server in serving(catalog, tmp_path / "out"):
        page.goto(server.url + "/search")
        wait_for_the_index(page)
        for query in ('"out of memory"', '"RAN  OUT of mémory"', "\u201cout of Memory\u201d",
                      'gpu "out of memory"'):
            assert titles_found(page, query) == ["Allocation"], query
            assert page.locator("#search-status").inner_text() == "1 entry matches.", query
        assert page.locator("#search-results li p.snippet").inner_text() \
            == "The GPU ran out of memory while loading."
        assert titles_found(page, '"of memory') == ["Allocation", "Bandwidth"]
        assert titles_found(page, '"memory out"') == []


def test_an_entry_is_found_by_its_id_path_or_address_first(catalog, tmp_path, page):
    """`glossary/exl2`, `/glossary/exl2` or the entry's address found only the pages whose
    text wrote it, and a slug or part of a path found nothing: ids and paths are in the
    index but were not searched (found in review)."""
    glossary_term(catalog, "exl2", "EXL2", "A weight format.")
    glossary_term(catalog, "exl2-vs-gguf", "EXL2 or GGUF", "Which one to pick.",
                  "See /glossary/exl2 for the format and glossary/exl2 for more.\n")
    for server in serving(catalog, tmp_path / "out"):
        page.goto(server.url + "/search")
        wait_for_the_index(page)
        for query in ("glossary/exl2", "/glossary/exl2", " Glossary/EXL2/ ",
                      "https://local-ai-catalog.org/glossary/exl2.html#kernels",
                      server.url + "/glossary/exl2"):
            assert titles_found(page, query)[0] == "EXL2", query
        for query in ("exl2-vs-gguf", "glossary/vs-gguf", "/glossary/exl2-vs"):
            assert titles_found(page, query) == ["EXL2 or GGUF"], query


def test_an_entry_is_found_by_an_old_id_or_path_it_redirects_from(catalog, tmp_path, page):
    """A reader searching the name they remember (`glossary/kv-cache`, the old slug) after
    the entry was renamed found nothing: old ids were not in the index (found in
    review). They are, and an old id, path or slug finds the entry as its own do."""
    glossary_term(catalog, "key-value-cache", "Key-value cache", "What attention keeps.",
                  redirect_from=["glossary/kv-cache"])
    glossary_term(catalog, "paged", "Paged attention", "Memory in pages.",
                  "It splits the kv-cache into blocks.\n")
    for server in serving(catalog, tmp_path / "out"):
        page.goto(server.url + "/search")
        wait_for_the_index(page)
        for query in ("glossary/kv-cache", "/glossary/kv-cache", " Glossary/KV-Cache ",
                      server.url + "/glossary/kv-cache.html"):
            assert titles_found(page, query)[0] == "Key-value cache", query
        assert titles_found(page, "glossary/kv-cache") == ["Key-value cache"]
        # the old slug counts as the current one does: as part of the path
        assert sorted(titles_found(page, "kv-cache")) == ["Key-value cache", "Paged attention"]
        assert titles_found(page, "glossary/kv") == ["Key-value cache"]


def test_a_paid_link_tells_a_screen_reader_it_is_paid(tmp_path, page):
    """A screen reader moving through the links heard "Amazon" alone: the "(paid link)"
    after it was no part of the link (found in review). The label stays visible after
    the link, and is the link's description."""
    from playwright.sync_api import expect  # here: without it, the module is skipped

    for server in serving(make_exl2_catalog(tmp_path / "exl2"), tmp_path / "out"):
        page.goto(server.url + "/guides/best-gpu-for-local-ai")
        paid = page.locator('a[rel~="sponsored"]')
        assert paid.count() == 2  # in the body and under "Where to buy"
        for n in range(2):
            expect(paid.nth(n)).to_have_accessible_description("(paid link)")
            label = paid.nth(n).locator("xpath=following-sibling::*[1]")
            expect(label).to_have_class("paid-label")
            expect(label).to_have_text("(paid link)")
            expect(label).to_be_visible()
        ids = page.locator("[id]").evaluate_all("els => els.map(e => e.id)")
        assert len(ids) == len(set(ids))


# The name an element gives what it labels (its aria-label, else its text) as a browser
# that exposes rendered text reads it (WebKit: `text-transform` included).
RENDERED_NAME = """label => {
  if (label.getAttribute("aria-label")) return label.getAttribute("aria-label");
  const walker = document.createTreeWalker(label, NodeFilter.SHOW_TEXT);
  let out = "";
  while (walker.nextNode()) {
    const t = getComputedStyle(walker.currentNode.parentElement).textTransform;
    const text = walker.currentNode.data;
    out += t === "uppercase" ? text.toUpperCase() : t === "lowercase" ? text.toLowerCase() : text;
  }
  return out.replace(/\\s+/g, " ").trim();
}"""


OUTLINE = """() => [...document.querySelectorAll("main h1, main h2, main h3, main h4")]
  .map(h => [Number(h.tagName[1]), h.textContent.trim()])"""
LOOK = """el => { const s = getComputedStyle(el);
  return ["fontSize", "fontWeight", "lineHeight", "marginTop", "marginBottom", "color",
          "textTransform", "letterSpacing"].map(k => s[k]); }"""


@pytest.mark.parametrize("path, labels", [
    ("/errors/quantization-quality-loss", ["The error as you see it"]),
    ("/tools/exllamav2", ["Install"])])
def test_the_labels_of_an_entrys_facts_are_headings_that_look_as_they_did(
        tmp_path, page, path, labels):
    """"The error as you see it", "Install", "Reproduce it" and "Versions" looked like
    headings but were paragraphs: a screen reader's list of headings skipped them (found
    in review). They are h2 (the body's `##`, after the title's h1: no level skipped),
    and look as the paragraphs did."""
    for server in serving(make_exl2_catalog(tmp_path / "exl2"), tmp_path / "out"):
        page.goto(server.url + path)
        for label in labels:
            assert page.get_by_role("heading", level=2, name=label, exact=True).count() == 1
            shown = page.locator("main h2.label", has_text=label)
            assert shown.evaluate(RENDERED_NAME) == label  # not "THE ERROR AS YOU SEE IT"
        outline = page.evaluate(OUTLINE)
        assert outline[0][0] == 1 and [t for n, t in outline if t in labels] == labels
        assert all(b <= a + 1 for (a, _), (b, _) in zip(outline, outline[1:])), outline
        heading = page.locator("main h2.label").first
        heading.evaluate("""h => { const p = document.createElement("p");  // as it was
          p.className = "label"; p.textContent = h.textContent; h.after(p); }""")
        assert heading.evaluate(LOOK) == page.locator("main p.label").evaluate(LOOK)


def test_the_verdict_is_named_in_normal_case_and_still_looks_upper_case(tmp_path, page):
    """The verdict's section was labelled by its heading, which is upper case by its
    style alone: a browser that names it by the text as shown said "VERDICT:
    SITUATIONAL" (a screen reader spells or shouts it; found in review). The heading is
    named "Verdict: Situational", as written, and looks as it did."""
    from playwright.sync_api import expect  # here: without it, the module is skipped

    for server in serving(make_exl2_catalog(tmp_path / "exl2"), tmp_path / "out"):
        page.goto(server.url + "/glossary/exl2")
        section = page.locator("section.verdict")
        by = page.locator("#" + section.get_attribute("aria-labelledby"))
        assert by.evaluate(RENDERED_NAME) == "Verdict: Situational"
        expect(page.get_by_role("region", name="Verdict: Situational")).to_have_count(1)
        heading = section.locator("h2#verdict-heading")
        expect(heading).to_have_accessible_name("Verdict: Situational")
        assert heading.inner_text() == "VERDICT: SITUATIONAL"  # as the reader sees it


def test_a_query_typed_before_the_index_is_here_waits_for_it(served, page):
    """Typing while the index was still on its way (seconds, for a big catalog's) said
    "No entry matches", and typing after it failed to load said so over the failure
    (found in review): nothing had been looked through."""
    _, server = served
    held = []
    page.route("**/search-index.json", lambda route: held.append(route))
    page.goto(server.url + "/search")
    page.locator("#search-input").fill("ratios")
    assert page.locator("#search-status").inner_text() == "Loading the index…"
    assert page.locator("#search-results li").count() == 0
    held[0].continue_()
    page.locator("#search-status", has_text="1 entry matches.").wait_for()
    assert page.locator("#search-results li > a").all_inner_texts() == ["Ratios"]
    page.unroute("**/search-index.json")
    page.route("**/search-index.json", lambda route: route.fulfill(status=503, body=""))
    page.goto(server.url + "/search?q=awq")
    failed = "The search index could not be loaded (HTTP 503)."
    page.locator("#search-status", has_text=failed).wait_for()
    page.locator("#search-input").fill("ratios")
    assert page.locator("#search-status").inner_text() == failed


def test_without_javascript_the_search_page_says_so_and_loads_nothing(served, browser):
    """Without JavaScript the page said "Loading the index…" for good, above the note that
    search needs JavaScript (found in review)."""
    _, server = served
    context = browser.new_context(java_script_enabled=False)
    tab = context.new_page()
    tab.goto(server.url + "/search?q=awq")
    main = tab.locator("main").inner_text()
    assert "needs JavaScript" in main
    assert "Loading" not in main
    context.close()


def test_enter_in_the_search_box_keeps_the_page_the_results_and_the_focus(served, page,
                                                                         browser):
    """Enter submitted the form: the page loaded again, and the focus left the box for the
    top of the page (found in review). The query goes into the address instead."""
    _, server = served
    page.goto(server.url + "/search")
    wait_for_the_index(page)
    page.evaluate("window.sameDocument = true")
    box = page.locator("#search-input")
    box.click()
    page.keyboard.type("awq")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    assert page.evaluate("window.sameDocument") is True  # no new page
    assert page.evaluate("document.activeElement.id") == "search-input"
    assert page.url == server.url + "/search?q=awq"
    assert "AWQ" in page.locator("#search-results li a").all_inner_texts()
    assert page.locator(".site-search input").input_value() == "awq"
    # the address is one to share: opened anew, it shows the same results
    other = browser.new_page()
    other.goto(page.url)
    other.locator("#search-results li a", has_text="AWQ").wait_for()
    assert other.locator("#search-input").input_value() == "awq"
    other.close()


def test_the_header_box_shows_the_query_and_searches_on_the_page(served, page):
    """The header's box stayed empty on /search?q=... (found in review)."""
    _, server = served
    page.goto(server.url + "/search?q=vllm")
    page.locator("#search-results li a", has_text="vLLM").wait_for()
    header = page.locator(".site-search input")
    assert header.input_value() == "vllm"
    page.evaluate("window.sameDocument = true")
    header.fill("ratios")
    header.press("Enter")
    page.wait_for_load_state()
    assert page.evaluate("window.sameDocument") is True
    assert page.evaluate("document.activeElement.name") == "q"
    assert page.evaluate("document.activeElement.closest('form').className") == "site-search"
    assert page.locator("#search-results li a").all_inner_texts() == ["Ratios"]
    assert page.locator("#search-input").input_value() == "ratios"
    assert page.url == server.url + "/search?q=ratios"
    # from any other page, the header's box goes to the search page with the query
    page.goto(server.url + "/tools/vllm")
    assert page.locator(".site-search input").input_value() == ""
    page.locator(".site-search input").fill("awq")
    page.locator(".site-search input").press("Enter")
    page.wait_for_url(server.url + "/search?q=awq")
    page.locator("#search-results li a", has_text="AWQ").wait_for()
    assert page.locator(".site-search input").input_value() == "awq"


def test_the_two_search_boxes_have_names_of_their_own(served, page):
    """Both boxes of the search page were called "Search the catalog" (found in review)."""
    _, server = served
    page.goto(server.url + "/search")
    boxes = page.get_by_role("searchbox")
    assert boxes.count() == 2
    names = [page.evaluate("""el => el.getAttribute("aria-label")""", boxes.nth(i).element_handle())
             for i in range(2)]
    assert sorted(names) == ["Search terms", "Search the catalog"]
    for name in names:
        assert page.get_by_role("searchbox", name=name, exact=True).count() == 1
    assert page.get_by_role("search", name="Site search", exact=True).count() == 1
    assert page.get_by_role("search", name="Search", exact=True).count() == 1


def contrast(first: str, second: str) -> float:
    """WCAG 2's contrast ratio of two opaque CSS colours as Chromium computes them
    (`rgb(r, g, b)`)."""
    def luminance(css: str) -> float:
        channels = [int(c) / 255 for c in css[css.index("(") + 1:-1].split(",")[:3]]
        r, g, b = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
                   for c in channels]
        return 0.2126 * r + 0.7152 * g + 0.0722 * b
    light, dark = sorted([luminance(first), luminance(second)], reverse=True)
    return (light + 0.05) / (dark + 0.05)


BOX_COLOURS = """box => ({
  placeholder: getComputedStyle(box, "::placeholder").color,
  opacity: getComputedStyle(box, "::placeholder").opacity,
  inside: getComputedStyle(box).backgroundColor,
  edge: getComputedStyle(box).borderTopColor,
  edgeWidth: getComputedStyle(box).borderTopWidth,
  around: getComputedStyle(box.closest("header, main")).backgroundColor,
})"""


def test_the_search_boxes_can_be_seen_and_their_placeholder_read(served, page):
    """The placeholder, the only visible label of either box, was Chromium's grey on the
    boxes' wash, 4.3:1 (text needs 4.5:1); their edge was 1.3:1 against the page (a
    control's needs 3:1): the header's box all but vanished (found in review)."""
    _, server = served
    page.goto(server.url + "/search")
    for box in page.get_by_role("searchbox").all():
        got = box.evaluate(BOX_COLOURS)
        assert got["opacity"] == "1"
        assert contrast(got["placeholder"], got["inside"]) >= 4.5, got
        assert got["edgeWidth"] != "0px" and contrast(got["edge"], got["around"]) >= 3, got
        assert contrast(got["edge"], got["inside"]) >= 3, got


CURRENT = """() => Object.fromEntries([...document.querySelectorAll("header a, footer a")]
  .filter(a => a.hasAttribute("aria-current"))
  .map(a => [a.textContent, a.getAttribute("aria-current")]))"""


@pytest.mark.parametrize("path, current", [
    ("/glossary", {"Glossary": "page"}), ("/glossary/awq", {"Glossary": "true"}),
    ("/tools", {"Tools": "page"}), ("/digests", {"Monthly digests": "page"}), ("/", {})])
def test_the_link_to_the_page_itself_says_it_is_the_current_page(served, page, path,
                                                                   current):
    """On a section's index the header's link to it was aria-current="true", as on the
    section's entries: a screen reader said "current", not "current page", and the
    footer's link to the digests said nothing on the digests' page (found in review)."""
    _, server = served
    page.goto(server.url + path)
    assert page.evaluate(CURRENT) == current


@pytest.mark.parametrize("path", ["/tools/vllm", "/glossary", "/search"])
def test_the_first_tab_offers_a_way_past_the_header(served, page, path):
    """A reader on the keyboard went through the brand, every section and the header's
    search box on each page before reaching it (found in review). The first Tab stop,
    seen only when focused, leads into the page's main part."""
    _, server = served
    page.goto(server.url + path)
    skip = page.get_by_role("link", name="Skip to content")
    assert not skip.is_visible() or skip.bounding_box()["y"] + skip.bounding_box()["height"] <= 0
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    assert skip.bounding_box()["y"] >= 0  # shown while it has the focus
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('main') !== null")
    assert page.evaluate("document.activeElement.closest('header') === null")


IDS = ["quantization_backend_name", "kernel_launch_configuration", "tokens_per_second_measured",
       "memory_bandwidth_gigabytes", "context_length_maximum", "driver_version_required"]
WIDE_TABLE = ("| " + " | ".join(IDS) + " |\n" + "|---" * len(IDS) + "|\n"
              + "| " + " | ".join(f"{i}_value" for i in IDS) + " |\n")
TABLES_BODY = (
    "| Format | What it is |\n|---|---|\n"
    "| EXL2 | A weight format that mixes bit widths inside one model, so that it lands on any "
    "average number of bits per weight a card's memory allows. |\n\n"
    + WIDE_TABLE + "\n| VRAM | Holds |\n|---|---|\n| 24 GB | 32B models |\n")


@pytest.fixture
def tables(catalog, tmp_path):
    """A PreviewServer of a catalog with a page of tables (prose, wide, narrow), and a
    digest with a wide table."""
    write_entry(catalog, "glossary/tables", {
        **MINI["glossary/awq"], "title": "Tables", "summary": "Two tables."}, TABLES_BODY)
    (catalog / "digests").mkdir()
    (catalog / "digests/2026-08.md").write_text(f"# August\n\n{WIDE_TABLE}", encoding="utf-8")
    yield from serving(catalog, tmp_path / "out")


BOXES = """() => {
  const box = el => { const r = el.getBoundingClientRect(); return [r.left, r.right]; };
  const tables = [...document.querySelectorAll(".body table")];
  const scroller = tables[tables.length > 1 ? 1 : 0].parentElement;
  return {page: document.documentElement.scrollWidth, viewport: window.innerWidth,
          body: box(document.querySelector(".body")),
          rows: tables.map(t => box(t.querySelector("tr"))),
          wide: box(scroller), wideScroll: scroller.scrollWidth,
          wideClient: scroller.clientWidth};
}"""


@pytest.mark.parametrize("path", ["/glossary/tables", "/digests/2026-08"])
def test_a_wide_table_scrolls_in_its_box_on_a_phone(tables, browser, path):
    """A table of many columns made the whole page scroll sideways at 360 px (found in
    review)."""
    page = browser.new_page(viewport={"width": 360, "height": 800})
    page.goto(tables.url + path)
    got = page.evaluate(BOXES)
    assert got["page"] <= got["viewport"] == 360  # the page itself never scrolls sideways
    assert got["body"][1] <= 360 and got["wide"][1] <= got["body"][1] + 0.5
    assert got["wideScroll"] > got["wideClient"]  # the table does, in its box
    wide = 1 if path == "/glossary/tables" else 0
    scroller = page.locator(".body table").nth(wide).locator("xpath=..")  # its box
    scroller.evaluate("box => { box.scrollLeft = box.scrollWidth; }")
    assert scroller.evaluate("box => box.scrollLeft") > 0
    last = scroller.locator("th").last.bounding_box()
    assert last["x"] + last["width"] <= got["wide"][1] + 0.5  # its last column can be read
    page.screenshot(path=str(_shots() / f"preview-tables-360{path.replace('/', '-')}.png"),
                    full_page=True)
    page.close()


@pytest.mark.parametrize("path, crumbs", [
    ("/glossary/tables", "Glossary / Formats & quantization / Tables"),
    ("/digests/2026-08", "Digests / August 2026")])
def test_the_breadcrumb_reads_the_same_on_every_page(tables, page, path, crumbs):
    """A digest's breadcrumb showed "Digests August 2026", its two steps with no "/"
    between them as an entry's has (found in review); a screen reader still hears the
    list's items, not the separators."""
    page.goto(tables.url + path)
    trail = page.get_by_role("navigation", name="Breadcrumb")
    assert " ".join(trail.inner_text().split()) == crumbs
    assert page.evaluate("""() => [...document.querySelectorAll(".breadcrumb .sep")]
        .every(s => s.getAttribute("aria-hidden") === "true")""")
    assert trail.locator("li:last-child [aria-current=page]").inner_text() \
        == crumbs.split(" / ")[-1]


def test_tables_keep_filling_the_column_on_a_desktop(tables, browser):
    """Each table's rows span the column as before (a table made a block would shrink to
    its text), and the wide one scrolls inside it."""
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    page.goto(tables.url + "/glossary/tables")
    got = page.evaluate(BOXES)
    assert got["page"] <= 1100
    left, right = got["body"]
    for row in (got["rows"][0], got["rows"][2]):  # prose, and a narrow one
        assert abs(row[0] - left) < 0.5 and abs(row[1] - right) < 0.5, row
    assert got["wide"][0] >= left - 0.5 and got["wide"][1] <= right + 0.5
    assert got["wideScroll"] > got["wideClient"]
    # the JSON's body stays the sanitised HTML, without the page's boxes
    doc = json.loads((tables.out_dir / "glossary/tables.json").read_text(encoding="utf-8"))
    assert "table-scroll" not in doc["body_html"] and doc["body_html"].count("<table>") == 3
    page.close()


LONG = "Averyveryveryveryveryveryveryveryveryveryveryveryveryveryveryverylongword"
LONG_BODY = (
    "Read https://github.com/casper-hansen/AutoAWQ/blob/main/docs/a/very/long/path/to/"
    "a/file/README-deprecation-notice.md first, then set `CUDA_VISIBLE_DEVICES_AND_A_VERY_"
    "LONG_IDENTIFIER_THAT_NEVER_ENDS_AT_ALL=0` and read on.\n")


@pytest.fixture
def long_shipped_words(shipped, tmp_path):
    """A PreviewServer of the shipped catalog with words wider than a phone: a term's
    title and body, and a value of a card's table of specs."""
    awq = shipped / "entries/glossary/awq.md"
    text = awq.read_text(encoding="utf-8").replace("title: AWQ\n", f"title: {LONG}\n", 1)
    awq.write_text(text.replace("\n---\n", f"\n---\n{LONG_BODY}\n", 1), encoding="utf-8")
    card = shipped / "entries/hardware/nvidia-rtx-4090.md"
    card.write_text(card.read_text(encoding="utf-8").replace(
        "value: GDDR6X,", f"value: GDDR6X-{LONG},", 1), encoding="utf-8")
    yield from serving(shipped, tmp_path / "out")


@pytest.mark.parametrize("path", ["/glossary/awq", "/glossary", "/hardware/nvidia-rtx-4090"])
def test_a_word_wider_than_a_phone_never_widens_the_page(long_shipped_words, browser, path):
    """A title of one long word, a bare URL or a long identifier in the text, a long value
    in a table of specs: each made the whole page scroll sideways at 360 px (found in
    review)."""
    page = browser.new_page(viewport={"width": 360, "height": 800})
    page.goto(long_shipped_words.url + path)
    assert page.evaluate("document.documentElement.scrollWidth") == 360
    if path == "/glossary/awq":
        assert LONG in page.locator("h1").inner_text().replace("\n", "")
        page.screenshot(path=str(_shots() / "preview-long-words-360.png"), full_page=True)
    page.close()


def _shots() -> Path:
    from conftest import REPO

    folder = REPO / "test-artifacts"
    folder.mkdir(exist_ok=True)
    return folder


LONG_URL = "https://huggingface.co/example/Llama-3.1-70B-Instruct-GPTQ/tree/main/" + "a" * 60
LONG_TITLE = "Supercalifragilisticexpialidociousquantizationformatname"


@pytest.fixture
def long_words(catalog, tmp_path):
    """A PreviewServer of a catalog with a page of words wider than a phone: a title
    (in the breadcrumb, the index, another page's reference list), a bare URL in the
    body, a source titled by its URL; and a digest with the URL."""
    write_entry(catalog, "glossary/long", {
        **MINI["glossary/awq"], "title": LONG_TITLE, "summary": "Long words.",
        "sources": [{"id": "src", "url": LONG_URL, "title": LONG_URL,
                     "accessed": "2026-01-10"}]},
        f"The files are at {LONG_URL} [@src], next to the zanzibarword{'z' * 50}.\n")
    write_entry(catalog, "tools/vllm", {**MINI["tools/vllm"],
                                        "related": ["glossary/awq", "glossary/long"]})
    (catalog / "digests").mkdir()
    (catalog / "digests/2026-08.md").write_text(f"# August\n\nThe files: {LONG_URL}\n",
                                                encoding="utf-8")
    yield from serving(catalog, tmp_path / "out")


@pytest.mark.parametrize("path", ["/glossary/long", "/glossary", "/tools/vllm",
                                  "/digests/2026-08", "/search?q=zanzibarword"])
def test_a_word_wider_than_a_phone_breaks_instead_of_widening_the_page(long_words, browser,
                                                                      path):
    """A bare URL, a long title or a source titled by its URL made the whole page scroll
    sideways at 360 px (found in review)."""
    page = browser.new_page(viewport={"width": 360, "height": 800})
    page.goto(long_words.url + path)
    if path.startswith("/search"):
        page.locator("#search-results li p.snippet").wait_for()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    for text in (LONG_TITLE, LONG_URL, "zanzibarword"):  # whatever of it the page shows
        for box in page.get_by_text(text).all():
            if box.is_visible():
                right = box.evaluate("el => el.getBoundingClientRect().right")
                assert right <= 360 - 15, (text, right)  # inside the column's margin
    page.close()


@pytest.fixture
def shipped_site(shipped, tmp_path):
    """A PreviewServer of the shipped catalog's build."""
    yield from serving(shipped, tmp_path / "out")


PAGE_FACTS = """() => ({
  links: [...document.querySelectorAll("a[href]")].map(a => a.href),
  ids: [...document.querySelectorAll("[id]")].map(e => e.id),
  h1: document.querySelectorAll("h1").length,
  wide: document.documentElement.scrollWidth - document.documentElement.clientWidth,
})"""


def test_a_reader_on_a_phone_meets_no_broken_link_error_or_sideways_page(shipped_site,
                                                                         browser):
    """Every page of the shipped catalog's preview, reached by following links from the
    home and search pages at 360 px: each internal link (bodies, reference lists,
    backlinks, breadcrumbs, indexes, citations' #source-N, heading anchors) leads to a
    page that is there and to an element it has; no page logs an error or fails a
    request (each asked for /favicon.ico, a 404, found in review), none scrolls
    sideways, each has one h1."""
    from urllib.parse import unquote, urldefrag, urlsplit

    base = shipped_site.url
    page = browser.new_page(viewport={"width": 360, "height": 800})
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}")
            if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: problems.append(f"script error: {e}"))
    page.on("requestfailed", lambda r: problems.append(f"failed: {r.url}"))
    page.on("response", lambda r: problems.append(f"{r.status}: {r.url}")
            if r.status >= 400 else None)
    todo, facts, fragments = ["/search", "/"], {}, []  # no link leads to the search page
    while todo:
        path = todo.pop()
        if path in facts:
            continue
        if "." in path.rsplit("/", 1)[-1]:  # a file (the feed): there, not read as a page
            status = page.request.get(base + path).status
            if status != 200:
                problems.append(f"{status}: {path}")
            facts[path] = None
            continue
        page.goto(base + path)
        if path in ("/", "/search"):  # the icon comes after the page; search.js's index
            page.wait_for_load_state("networkidle")
        facts[path] = got = page.evaluate(PAGE_FACTS)
        if got["wide"] > 0 or got["h1"] != 1:
            problems.append(f"{path}: {got['wide']} px sideways, {got['h1']} h1")
        for link in got["links"]:
            url, fragment = urldefrag(link)
            if not url.startswith(base):
                continue
            target = urlsplit(url).path
            todo.append(target)
            if fragment:
                fragments.append((path, target, unquote(fragment)))
    page.close()
    for source, target, fragment in fragments:
        if facts[target] is not None and fragment not in facts[target]["ids"]:
            problems.append(f"{source}: a link to {target}#{fragment}, which has no such id")
    assert not problems
    index = json.loads((shipped_site.out_dir / "search-index.json").read_text(encoding="utf-8"))
    assert {e["url"] for e in index["entries"]} <= set(facts)  # every entry was reached


@pytest.fixture
def cited_and_digest(catalog, tmp_path):
    """A PreviewServer of a catalog with citations with words, and a sent digest whose
    links go to places on its page (a heading of the layout's id `main` among them)."""
    sources = [{"id": i, "url": f"https://example.org/{i}", "title": f"Paper {i}",
                "accessed": "2026-01-10"} for i in ("a", "b")]
    write_entry(catalog, "glossary/cited", {**MINI["glossary/awq"], "title": "Cited",
                                             "sources": sources},
                "Two [see @a, p. 3]. Pages [@a, pp. 33-35]. Both [see @a; also @b, ch. 2, "
                "and the appendix on page 117].\n")
    (catalog / "digests").mkdir()
    filler = "".join(f"Paragraph {i} of the month.\n\n" for i in range(30))
    (catalog / "digests/2026-09.md").write_text(
        "---\nmonth: \"2026-09\"\nsubject: September\nstatus: sent\npublished: 2026-10-02\n"
        f"---\n\n# News\n\nSee [the corrections](#corrections) and [more](#corrections-1)."
        f"\n\n{filler}## Main\n\n{filler}## Corrections\n\n{filler}## Corrections\n\n{filler}",
        encoding="utf-8")
    yield from serving(catalog, tmp_path / "out")


def test_citations_with_words_and_a_digests_places_as_a_reader_meets_them(cited_and_digest,
                                                                          browser):
    """Review 23 looked at the citations with words (`[see @a, p. 3]`) and the digest
    page's heading ids in Chromium: on a phone the citations wrap without widening the
    page, each number is a link named by its number to its source; a link to a place in
    the digest leads to its heading, at the top, and no two ids are the same."""
    page = browser.new_page(viewport={"width": 320, "height": 700})
    page.goto(cited_and_digest.url + "/glossary/cited")
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    cites = page.locator("sup.cite")
    assert cites.all_inner_texts() == ["[see 1, p. 3]", "[1, pp. 33-35]",
                                       "[see 1; also 2, ch. 2, and the appendix on page 117]"]
    for link in cites.locator("a").all():
        assert page.locator(link.get_attribute("href")).count() == 1
        assert link.inner_text() in ("1", "2")  # its name, inside the citation's words
    page.get_by_role("link", name="2", exact=True).click()
    assert page.locator(".sources li:target").inner_text().startswith("Paper b")
    page.goto(cited_and_digest.url + "/digests/2026-09")
    ids = page.evaluate("[...document.querySelectorAll('[id]')].map(e => e.id)")
    assert len(ids) == len(set(ids)) and {"main", "main-1", "corrections-1"} <= set(ids)
    for name, place in (("the corrections", "corrections"), ("more", "corrections-1")):
        page.goto(cited_and_digest.url + "/digests/2026-09")
        page.get_by_role("link", name=name, exact=True).click()
        page.wait_for_url(f"**#{place}")
        top = page.evaluate("document.elementFromPoint(100, 10).closest('h2, h3')?.id")
        assert top == place
    page.close()
