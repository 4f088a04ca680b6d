"""Heading ids and the search text of a rendered body (found in review):

- a heading's citation went into its id (`## Capacity per card [@x]` -> `capacity-per-card-1`),
  which changed whenever the sources were numbered again;
- non-ASCII headings lost their letters (`Über-großer Speicher` -> `ber-gro-er-speicher`,
  a Japanese heading -> `section`);
- two headings could share an id (`Example`, `Example`, `Example 1`);
- the search text lost real spaces before punctuation ("means `:latest`" -> "means:latest").

validate computes the same ids (`heading_ids`) to check links' fragments: they must be
the ids the build writes.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings, strategies as st

from pipeline.catalog.loader import parse_entry
from pipeline.publish.markdown import (PAGE_IDS, MarkedBody, heading_ids, heading_slug,
                                       number_sources, page_ids, render_body)

BIB = {"shared": {"id": "shared", "url": "https://example.org/shared", "title": "Shared",
                  "accessed": "2026-10-01"}}
ID_RE = re.compile(r'<h[2-4] id="([^"]*)"')


def entry(body: str, sources=("a", "b")):
    fm = "---\ntitle: T\nstatus: published\nsources:\n" + "".join(
        f"  - {{id: {s}, url: 'https://example.org/{s}', title: S {s}, accessed: 2026-10-01}}\n"
        for s in sources)
    e, diags = parse_entry("entries/glossary/t.md", (fm + "---\n" + body).encode())
    assert e is not None, diags
    return e


def render(body: str, **kw):
    e = entry(body)
    marked = MarkedBody(e)
    return render_body(e, number_sources(e, marked.cited_ids(), BIB), marked=marked, **kw)


def ids(body: str, **kw) -> list[str]:
    return ID_RE.findall(render(body, **kw).html)


# A citation inside a URL makes the build render the body again with its citations as HTML
# (markdown.render_body): ids must not depend on which way it went.
AS_HTML = "\n\n[x](https://example.org/[@a])\n"


@pytest.mark.parametrize("tail", ["", AS_HTML])
def test_a_citation_is_not_part_of_a_heading_id(tail):
    body = ("## Capacity per card [@b]\n\n## Speed [@a; @b] and size\n\n"
            "## See [the docs [@a]](https://example.org/docs)\n" + tail)
    assert ids(body) == ["capacity-per-card", "speed-and-size", "see-the-docs"]
    assert '<h2 id="capacity-per-card">Capacity per card <sup class="cite">' in render(body).html


def test_the_id_stays_when_the_sources_are_numbered_again():
    before = ids("## Capacity per card [@b]\n")
    after = ids("First [@a].\n\n## Capacity per card [@b]\n")  # b is now source 2
    assert before == after == ["capacity-per-card"]


def test_a_paid_link_label_is_not_part_of_a_heading_id():
    body = "## Buy [it](https://shop.example/x?tag=y) here\n"
    html = render(body, is_affiliate=lambda url: "shop.example" in url).html
    assert ID_RE.findall(html) == ["buy-it-here"] and "(paid link)" in html


@pytest.mark.parametrize("text,slug", [
    ("Über-großer Speicher", "über-großer-speicher"),
    ("量子化とは", "量子化とは"),
    ("Квантование весов", "квантование-весов"),
    ("हिन्दी भाषा", "हिन्दी-भाषा"),  # combining vowel signs are part of the word
    ("Café, naïve & co.", "café-naïve-co"),
    ("x² ≥ 4 — 🚀 fast", "x²-4-fast"),
    # ASCII headings keep the ids they had
    ("When to use it", "when-to-use-it"),
    ("Kernels & speed", "kernels-speed"),
    ("C++ / CUDA_kernels (v2.1)", "c-cuda-kernels-v2-1"),
    ("  --Trim--  ", "trim"),
    ("!!!", "section"),
    ("🚀", "section"),
])
def test_heading_slug(text, slug):
    assert heading_slug(text) == slug


def test_non_ascii_headings_keep_their_letters():
    assert ids("#### Über-großer Speicher\n\n## 量子化とは\n") == ["über-großer-speicher",
                                                                 "量子化とは"]


@pytest.mark.parametrize("headings,expected", [
    (["Example", "Example", "Example 1"], ["example", "example-1", "example-1-1"]),
    (["Example 1", "Example", "Example"], ["example-1", "example", "example-2"]),
    (["Sources heading", "Sources heading 1"], ["sources-heading-1", "sources-heading-1-1"]),
    (["Source 1", "Verdict heading", "Main"], ["source-1-1", "verdict-heading-1", "main-1"]),
    (["Ref: related", "Ref errors"], ["ref-related-1", "ref-errors-1"]),
    # a second "Source" would be source-1, the first source's id: its numbers are the list's
    (["Source", "Source", "Source"], ["source", "source-section-1", "source-section-2"]),
    # headings of other names keep the ids they had
    (["Search results", "Ref: foo"], ["search-results", "ref-foo"]),
])
def test_every_id_of_a_page_is_unique_and_none_is_the_pages_own(headings, expected):
    got = ids("".join(f"## {h}\n\n" for h in headings))
    assert got == expected


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["Example", "Example 1", "example-1", "Source", "Source 1",
                                 "Source 2", "Sources heading", "Sources heading 1", "Main",
                                 "Main 1", "Section", "", "Ref related", "!!"]),
                max_size=12))
def test_ids_are_unique_whatever_the_headings(headings):
    got = ids("".join(f"## {h}\n\n" for h in headings))
    assert len(got) == len(headings) and len(set(got)) == len(got)
    assert not any(i in PAGE_IDS or re.fullmatch(r"source-\d+", i) for i in got)


# -- validate's ids are the build's ----------------------------------------------------

TRICKY = """\
Intro [@a].

## Capacity per card [@b]

## `vllm serve` *and* **friends**

## [AWQ](/glossary/awq) & [GPTQ][gptq]

## ![logo](logo.png) Logo

Setext heading [@a]
-------------------

Setext heading
---

Title one
=========

# One (h1: no id)

##### Five (h5: no id)

### Über-großer Speicher ###

#### 量子化

> ## Quoted heading

- ## Listed heading

```
## Not a heading
```

    ## Indented code

<!--
## Commented out
-->

<h3>Raw <em>heading</em></h3>

<h2 class="x" id="evil">Raw with attributes</h2>

## Entities &amp; escapes \\# &lt;x&gt; &copy;

## <span>Inline</span> raw <script>alert(1)</script>html

## Example

## Example

## Example 1

## Source 1

## Sources heading

## A very long heading that goes on [@a; @b]

[gptq]: /glossary/gptq
"""


@pytest.mark.parametrize("body", [TRICKY, TRICKY + AS_HTML, "No headings.\n", "",
                                  "## Only [@shared]\n"])
def test_validate_finds_the_ids_the_build_writes(body):
    e = entry(body)
    written = ids(body)
    assert heading_ids(e) == written
    assert render(body).ids == written  # what a build keeps for validate
    if body.startswith("Intro"):
        assert written[:4] == ["capacity-per-card", "vllm-serve-and-friends", "awq-gptq",
                               "logo"]
        assert "not-a-heading" not in written and "commented-out" not in written
        assert {"quoted-heading", "listed-heading", "raw-heading",
                "über-großer-speicher", "量子化"} <= set(written)


# Lines that make headings, or keep them from being ones, in any order: validate reads
# plain ATX headings from their lines alone, and any other body whole, as the build does.
LINES = ["## A", "## A [@a]", "## [@a] A", "Para text [@b].", "", "---", "- - -", "===",
         "Setext", "> ## Quoted", "> quote", "- ## Listed", "2. ## Numbered", "- item",
         "  continued", "```", "~~~", "    ## Indented", "\t## Tab", "  ## Two spaces",
         "<h3>Raw</h3>", "<div>", "</div>", "<!-- no-cite: x -->", "<!--", "-->",
         "Text <!-- no-cite: y -->", "## Marked <!-- no-cite: z -->", "[r]: /glossary/x",
         "## [R]", "## [R][r]", "## `c` *e* **s**", "#### Über-groß", "##### Five", "# One",
         "| a | b |", "|---|---|", "## Example", "## Example 1", "## Source", "## Source 1",
         "## Sources heading", "## café & co ##", "##", "## A\\", "text\\"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(LINES), max_size=16))
def test_validate_finds_the_ids_the_build_writes_whatever_the_lines(lines):
    body = "\n".join(lines) + "\n"
    assert heading_ids(entry(body)) == ids(body) == render(body).ids


def test_page_ids_are_the_headings_and_the_numbered_sources():
    e = entry("## Kernels [@a]\n\nShared [@shared].\n", sources=("a", "b"))
    assert page_ids(e, BIB) == ("kernels", "source-1", "source-2", "source-3")
    assert {"main", "sources-heading", "verdict-heading", "ref-related"} <= PAGE_IDS


# -- the search text ------------------------------------------------------------------

@pytest.mark.parametrize("tail", ["", AS_HTML])
def test_search_text_keeps_real_spaces_and_drops_those_of_citations(tail):
    body = ("`latest` means `:latest` ; really ! (see [@a]) A claim [@a]. Another [@a; @b], "
            "and [@b] more.\n\nA last one [@b]\n" + tail)
    text = render(body).text
    assert text.startswith("latest means :latest ; really ! (see) A claim. Another, and more. "
                           "A last one")


HEADING_HTML_PIECES = ["<h2>", "</h2>", "<h3>", "</h3>", "<h4>", "</h4>", "<h1>", "</h5>",
                       "<h2 id=\"x\">", "</h", "<", ">", "Example", "Source", "source 1",
                       "<em>", "</em>", "&amp;", "&lt;", "é", "\n", " ", "<sup class=\"cite\">",
                       "</sup>", "\ue000", "main"]


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.sampled_from(HEADING_HTML_PIECES), max_size=30).map("".join),
       st.booleans())
def test_ids_are_given_as_one_substitution_of_each_heading_gives_them(fragment, preset):
    """_heading_ids (one split, each heading's slug worked out once in a process) gives
    what a substitution of `<h([2-4])>(.*?)</h\\1>`, a slug made for each, gives."""
    from pipeline.publish.markdown import (_BASE_SLUGS, _heading_ids, _heading_text,
                                           _id_maker)

    ids = ["preset", ""] if preset else None

    def reference() -> tuple[str, list[str]]:
        make, given = _id_maker(), []
        if ids is not None:
            rest, made = iter(ids), make
            make = lambda inner: next(rest, None) or made(inner)  # noqa: E731

        def heading(m):
            given.append(make(m[2]))
            return f'<h{m[1]} id="{given[-1]}">{m[2]}</h{m[1]}>'

        return re.sub(r"<h([2-4])>(.*?)</h\1>", heading, fragment, flags=re.S), given

    for _ in range(2):  # the second time, from the slugs kept
        given: list[str] = []
        assert (_heading_ids(fragment, ids, given), given) == reference()
    assert all(heading_slug(_heading_text(inner)) == base
               for inner, base in _BASE_SLUGS.items())


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.sampled_from(["Overview", "Overview 1", "Overview-1-1", "Source", "Source 1",
                                 "Source 1 2", "Source section 1", "Sources", "Main",
                                 "Verdict heading", "Ref related", "Section", "!", "é"]),
                max_size=12))
def test_each_heading_takes_the_first_id_free_on_the_page(words):
    """_id_maker (a heading whose slug is free taken as it is, without the count of its
    slug) gives each heading its slug, or the first of `-1`, `-2`... free, on the page
    and among the source list's ids, as a plain count would."""
    from pipeline.publish.markdown import _id_maker

    used: list[str] = []
    for text in words:
        base = heading_slug(text)
        stem, n, slug = "source-section" if base == "source" else base, 0, base
        while slug in used or slug in PAGE_IDS or re.fullmatch(r"source-\d+", slug):
            n += 1
            slug = f"{stem}-{n}"
        used.append(slug)
    make = _id_maker()
    assert [make(text) for text in words] == used
