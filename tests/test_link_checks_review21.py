"""Body links that lead nowhere, or not where they seem to, as the reviewers of the link
checks found them (review 21)."""

from __future__ import annotations

import datetime as dt

from conftest import MINI, write_entry
from pipeline.config import load_settings
from pipeline.validate import validate


def run(root, **kw):
    return validate(load_settings(root), today=dt.date(2026, 11, 27), **kw)


def found(root, **kw):
    return [(d.rule, d.message, d.hint) for d in run(root, **kw).diagnostics]


def vllm(catalog, body):
    return write_entry(catalog, "tools/vllm", MINI["tools/vllm"], body)


def test_a_path_in_upper_case_gets_the_entry_it_names_in_lower_case(catalog):
    """`/Glossary/AWQ` was told "did you mean /glossary/AWQ?" (only the collection in lower
    case: a 404 too), and `/glossary/AWQ` only "no such entry"."""
    vllm(catalog, "See [a](/Glossary/AWQ) and [b](/glossary/AWQ#kernels).\n")
    assert found(catalog) == [
        ("link-unresolved", "link to /Glossary/AWQ: there is no collection 'Glossary'; did "
         "you mean /glossary/awq?", "link to /glossary/awq; site paths are in lower case"),
        ("link-unresolved", "link to /glossary/AWQ: no such entry; did you mean "
         "/glossary/awq?", "link to /glossary/awq; site paths are in lower case"),
    ]


def test_a_mistyped_collection_names_the_entry_without_a_word_of_case(catalog):
    vllm(catalog, "See [a](/glosary/awq) and [b](/glosary/gptq).\n")
    rule_hint = "check the spelling of the path; it is /<collection>/<slug>"
    assert found(catalog) == [
        ("link-unresolved", "link to /glosary/awq: there is no collection 'glosary'; did you "
         "mean /glossary/awq?", "link to /glossary/awq"),
        ("link-unresolved", "link to /glosary/gptq: there is no collection 'glosary'; did "
         "you mean /glossary/gptq?", rule_hint),
    ]


def test_the_cache_drops_the_suggestion_when_the_entry_goes(catalog):
    write_entry(catalog, "tools/vllm", {**MINI["tools/vllm"], "related": []},
                "See [b](/glossary/AWQ).\n")  # no other word of glossary/awq
    assert [m for _, m, _ in found(catalog)] == [
        "link to /glossary/AWQ: no such entry; did you mean /glossary/awq?"]
    (catalog / "entries" / "glossary" / "awq.md").unlink()  # tools/vllm stays as it was
    assert found(catalog) == [("link-unresolved", "link to /glossary/AWQ: no such entry",
                               "check the spelling of the path; it is /<collection>/<slug>")]


def awq_moved_from(catalog, *old, status="published"):
    write_entry(catalog, "glossary/awq", {**MINI["glossary/awq"], "status": status,
                                          "redirect_from": list(old)})


def test_a_link_to_an_old_id_names_the_entry_it_moved_to(catalog):
    """`glossary/awq` lists `glossary/activation-aware` in `redirect_from`: a link to the
    old id was "no such entry", as if nothing were there."""
    awq_moved_from(catalog, "glossary/activation-aware")
    vllm(catalog, "See [a](/glossary/activation-aware#kernels).\n")
    assert found(catalog) == [(
        "link-unresolved", "link to /glossary/activation-aware: no such entry; it is an old "
        "id of glossary/awq (its redirect_from lists it): link to /glossary/awq#kernels",
        "link to /glossary/awq#kernels, the entry the old id redirects to, not its old id")]


def test_a_reference_to_an_old_id_names_the_entry_it_moved_to(catalog):
    awq_moved_from(catalog, "glossary/activation-aware")
    write_entry(catalog, "tools/vllm", {**MINI["tools/vllm"],
                                        "related": ["glossary/activation-aware"]})
    assert found(catalog) == [(
        "ref-unresolved", "related.0: 'glossary/activation-aware' is not an entry; it is an "
        "old id of glossary/awq (its redirect_from lists it): write glossary/awq",
        "write glossary/awq, the entry the old id redirects to, not its old id")]


def test_an_old_id_of_a_draft_says_what_the_entry_is(catalog):
    awq_moved_from(catalog, "glossary/activation-aware", status="draft")
    write_entry(catalog, "tools/vllm", {**MINI["tools/vllm"], "related": []},
                "See [a](/glossary/activation-aware).\n")
    assert [m for _, m, _ in found(catalog)] == [
        "link to /glossary/activation-aware: no such entry; it is an old id of glossary/awq "
        "(its redirect_from lists it), which is a draft: link to /glossary/awq"]


def test_the_cache_follows_the_old_id_as_it_is_listed_and_dropped(catalog):
    write_entry(catalog, "tools/vllm", {**MINI["tools/vllm"], "related": []},
                "See [a](/glossary/activation-aware).\n")
    assert [m for _, m, _ in found(catalog)] == [
        "link to /glossary/activation-aware: no such entry"]
    awq_moved_from(catalog, "glossary/activation-aware")  # tools/vllm stays as it was
    assert found(catalog) == found(catalog, cache=False)
    assert "old id of glossary/awq" in found(catalog)[0][1]
    awq_moved_from(catalog)
    assert [m for _, m, _ in found(catalog)] == [
        "link to /glossary/activation-aware: no such entry"]


def anchors(root):
    return [(d.message, d.hint) for d in run(root).diagnostics if d.rule == "link-anchor"]


def test_a_fragment_on_a_collection_index_is_checked(catalog):
    """`[x](/glossary#nope)` passed: the reader lands at the top of the index."""
    vllm(catalog, "See [a](/glossary#nope), [b](/glossary/#formats-quantisation), "
         "[c](/tools#verdict-heading) and [d](/#nope).\n")
    sections = ("#formats-quantization, #hardware-memory, #inference-serving, "
                "#models-architecture, #training-optimization")
    assert anchors(catalog) == [
        ("link to /glossary#nope: the page has no element with the id 'nope'",
         f"its sections' ids: {sections}"),
        ("link to /glossary/#formats-quantisation: the page has no element with the id "
         "'formats-quantisation'", "did you mean #formats-quantization?"),
        ("link to /tools#verdict-heading: the page has no element with the id "
         "'verdict-heading'", "the page has no sections; link to the page itself"),
        ("link to /#nope: the page has no element with the id 'nope'",
         "the page has no sections; link to the page itself"),
    ]


def test_the_ids_an_index_has_pass(catalog):
    vllm(catalog, "See [a](/glossary#formats-quantization), [b](/glossary#main), "
         "[c](/tools#main), [d](/glossary#top), [e](/#main) and "
         "[f](https://local-ai-catalog.org/glossary#hardware-memory).\n")
    assert anchors(catalog) == []


def test_the_ids_taken_for_an_index_are_those_its_page_has(catalog, tmp_path):
    """What the check takes for the ids of the glossary's index and another's is what the
    build writes (collection.html in base.html)."""
    import re

    from pipeline.checks.references import _categories
    from pipeline.publish.build import build
    from pipeline.publish.pages import index_ids
    from pipeline.schemas import SchemaSet

    write_entry(catalog, "glossary/gptq", {**MINI["glossary/awq"], "title": "GPTQ",
                                           "category": "Hardware & memory"})
    out = tmp_path / "out"
    build(load_settings(catalog), out)
    allowed = _categories(SchemaSet.load(catalog / "schemas"))
    glossary = set(re.findall(r' id="([^"]+)"', (out / "glossary.html").read_text()))
    assert glossary == {"main", "formats-quantization", "hardware-memory"}
    assert glossary <= index_ids("glossary", allowed)
    assert set(re.findall(r' id="([^"]+)"', (out / "tools.html").read_text())) \
        == index_ids("tools", allowed)
    assert set(re.findall(r' id="([^"]+)"', (out / "index.html").read_text())) \
        == index_ids("", allowed)


def test_a_link_after_a_no_cite_marker_that_starts_its_line_is_checked(catalog):
    """The build removes no-cite markers before cmark reads the body: the line is a
    paragraph on the page, its link a link. Validate read the marker as an HTML block
    and checked none of the line's links: a 404 shipped."""
    vllm(catalog, "Intro.\n\n<!-- no-cite: worked example --> See [AWQ](/glossary/awk) "
         "and *this*.\n")
    assert [(r, m) for r, m, _ in found(catalog)] == [
        ("link-unresolved", "link to /glossary/awk: no such entry")]


def test_the_page_has_that_link(catalog, tmp_path):
    from pipeline.publish.build import build

    vllm(catalog, "Intro.\n\n<!-- no-cite: worked example --> See [AWQ](/glossary/awq) "
         "and *this*.\n")
    out = tmp_path / "out"
    build(load_settings(catalog), out)
    assert '<a href="/glossary/awq">AWQ</a> and <em>this</em>' \
        in (out / "tools/vllm.html").read_text()


def after_comments(root):
    return [(d.line, d.column, d.message) for d in run(root).diagnostics
            if d.rule == "markdown-after-comment"]


def at(path, text):
    """(line, column) of `text` in the file (it must be there once)."""
    lines = path.read_text(encoding="utf-8").split("\n")
    (n,) = [i for i, line in enumerate(lines) if text in line]
    return n + 1, lines[n].index(text) + 1


def test_text_after_a_comment_that_starts_its_line_is_warned_of(catalog):
    """The line is raw HTML to CommonMark: the page shows its link and emphasis as typed,
    and nothing told the editor."""
    path = vllm(catalog, "Intro.\n\n<!-- editor: check --> See [GGUF](/glossary/gguf) and "
                "*that*.\n\n- An item.\n- <!-- a\n  long note --> Its text, and more of "
                "it than the message shows.\n")
    assert after_comments(catalog) == [
        (*at(path, "See [GGUF]"), "the text after the comment on this line ('See "
         "[GGUF](/glossary/gguf) and *that*.') is not Markdown: a line that starts with an "
         "HTML comment is raw HTML, shown as typed"),
        (*at(path, "Its text"), "the text after the comment on this line ('Its text, and "
         "more of it than the messa…') is not Markdown: a line that starts with an HTML "
         "comment is raw HTML, shown as typed"),
    ]


def test_a_comment_alone_on_its_line_or_after_a_sentence_is_fine(catalog):
    vllm(catalog, "Intro.\n\n<!-- a note -->\nSee [GGUF](/glossary/gguf).\n\n"
         "A 7B model at 4 bpw needs about 3.5 GB. <!-- no-cite: worked example -->\n\n"
         "<!-- no-cite: worked example --> A 7B model at 4 bpw needs about 3.5 GB.\n\n"
         "<!-- one --> <!-- two --> <br>\n\n```\n<!-- code --> *as typed*\n```\n")
    assert after_comments(catalog) == []
