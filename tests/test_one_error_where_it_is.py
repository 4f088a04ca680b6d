"""One mistake, one error, in the file that holds it: an entry (or the bibliography) that
cannot be read, or has a mistyped status, is not reported again in every entry that
refers to it (found in review: one duplicate key gave 12 errors in 10 other files, each
saying a file that is there is 'not an entry', and told editors to create it)."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from conftest import Scanned, write_entry
from pipeline.config import load_settings
from pipeline.validate import validate


def run(root, **kw):
    return validate(load_settings(root), today=dt.date(2026, 11, 27), **kw)


def found(result) -> list[tuple[str, str]]:
    return sorted((d.file, d.rule) for d in result.diagnostics)


def refer_to_awq(root, n: int = 3) -> None:
    for i in range(n):
        write_entry(root, f"glossary/term-{i}", {
            "title": f"Term {i}", "status": "published", "summary": "A term.",
            "authors": ["ana"], "published": "2026-01-10", "category": "Formats & quantization",
            "related": ["glossary/awq"]}, "See [AWQ](/glossary/awq).\n")


@pytest.mark.parametrize("cache", [False, True])
def test_an_unreadable_entry_is_one_error_in_its_own_file(catalog, cache):
    refer_to_awq(catalog)
    assert run(catalog, cache=cache).diagnostics == []
    path = catalog / "entries/glossary/awq.md"
    good = path.read_text()
    path.write_text(good.replace("title: AWQ", "title: AWQ\ntitle: AWQ again"))  # duplicate key
    assert [f for f, _ in found(run(catalog, cache=cache))] == ["entries/glossary/awq.md"]
    # the file goes: now every reference to it is broken, in the files that hold them
    path.unlink()
    rules = found(run(catalog, cache=cache))
    assert ("entries/glossary/term-0.md", "ref-unresolved") in rules
    assert ("entries/glossary/term-0.md", "link-unresolved") in rules
    assert ("entries/tools/vllm.md", "ref-unresolved") in rules
    assert len(rules) == 7  # three terms twice, vllm once
    path.write_text(good.replace("title: AWQ", "title: AWQ\ntitle: AWQ again"))
    assert [f for f, _ in found(run(catalog, cache=cache))] == ["entries/glossary/awq.md"]
    path.write_text(good)
    assert run(catalog, cache=cache).diagnostics == []


def test_a_mistyped_status_is_one_error_not_one_per_link(catalog):
    refer_to_awq(catalog)
    path = catalog / "entries/glossary/awq.md"
    path.write_text(path.read_text().replace("status: published", "status: publshed"))
    assert found(run(catalog)) == [("entries/glossary/awq.md", "schema")]
    path.write_text(path.read_text().replace("status: publshed", "status: draft"))
    rules = found(run(catalog))
    assert ("entries/glossary/term-0.md", "link-unpublished") in rules and len(rules) == 7


def test_an_unreadable_bibliography_is_one_error_not_one_per_citation(catalog):
    (catalog / "data").mkdir(exist_ok=True)
    bib = catalog / "data/bibliography.yaml"
    bib.write_text("sources:\n  - id: shared-paper\n    title: A paper\n"
                   "    url: https://example.org/paper\n    accessed: 2026-01-01\n")
    write_entry(catalog, "glossary/cited", {
        "title": "Cited", "status": "published", "summary": "A term.", "authors": ["ana"],
        "published": "2026-01-10", "category": "Formats & quantization"},
        "A fact [@shared-paper]. Another [@shared-paper].\n")
    assert run(catalog).diagnostics == []
    bib.write_text(bib.read_text().replace("  - id:", "  -\tid:"))  # a tab
    assert [f for f, _ in found(run(catalog))] == ["data/bibliography.yaml"]
    bib.write_text("sources:\n  - id: other-paper\n    title: B\n    url: https://e.org/b\n"
                   "    accessed: 2026-01-01\n")
    rules = found(run(catalog))
    assert rules.count(("entries/glossary/cited.md", "cite-unresolved")) == 2


def test_a_link_into_a_mistyped_collection_is_reported(catalog):
    write_entry(catalog, "glossary/term-0", {
        "title": "Term 0", "status": "published", "summary": "A term.", "authors": ["ana"],
        "published": "2026-01-10", "category": "Formats & quantization"},
        "See [AWQ](/glosary/awq#kernels), [search](/search) and [news](/newsletter).\n")
    (d,) = run(catalog).diagnostics
    assert (d.rule, d.file, d.line, d.column) == ("link-unresolved", "entries/glossary/term-0.md",
                                                  d.line, 11)
    assert d.message == ("link to /glosary/awq: there is no collection 'glosary'; did you "
                         "mean /glossary/awq?")


def test_a_footnote_mark_or_an_empty_group_is_not_taken_for_a_citation(catalog):
    """`reviewers[^3]` with a `[^3]:` definition, or `[@]`, passed in silence: the page
    shows them as written and the claim is uncited (found in review)."""
    write_entry(catalog, "glossary/term-0", {
        "title": "Term 0", "status": "published", "summary": "A term.", "authors": ["ana"],
        "published": "2026-01-10", "category": "Formats & quantization"},
        "Loved by reviewers[^3], and by users [@ ].\n\n[^3]: A review.\n\n"
        "A regex in code, `[^a-z]`, is code.\n")
    ds = sorted((d.line, d.column, d.message) for d in run(catalog).diagnostics)
    assert [d[:2] for d in ds] == [(10, 19), (10, 38), (12, 1)]
    assert ds[0][2].startswith("'[^3]' is a footnote mark, which the site shows as written")
    assert ds[1][2] == "'[@ ]' names no source; write the source's id after the @"
    assert all(d.rule == "cite-unresolved" for d in run(catalog).diagnostics)


@pytest.mark.parametrize("between, each", [("\n\n", "Fact {i}.[^{i}] Then [@a; {i}"),
                                           (" ", "Fact {i}.[^{i}]")])  # one long line
def test_many_footnote_marks_are_placed_in_one_pass(catalog, monkeypatch, between, each):
    """Each footnote mark or unclosed citation had its line counted from the body's start
    and its column searched back to its line's: 20,000 marks took ten seconds."""
    from pipeline.checks import citations
    prose = citations.prose_text
    monkeypatch.setattr(citations, "prose_text", lambda entry: Scanned(prose(entry)))
    body = between.join(each.format(i=i) for i in range(1000)) + "\n"
    write_entry(catalog, "glossary/term-0", {
        "title": "Term 0", "status": "published", "summary": "A term.", "authors": ["ana"],
        "published": "2026-01-10", "category": "Formats & quantization"}, body)
    Scanned.looked = 0
    ds = [d for d in run(catalog).diagnostics if d.rule == "cite-unresolved"]
    assert Scanned.looked < 4 * len(body)  # from the start, each: 1,000 times the body
    expected = []
    for m in re.finditer(r"\[\^|\[@", body):
        line = 10 + body.count("\n", 0, m.start())
        expected.append((line, m.start() - body.rfind("\n", 0, m.start())))
    assert sorted((d.line, d.column) for d in ds) == sorted(expected)


def test_a_link_to_a_markdown_file_is_reported_with_the_page_to_link(catalog):
    """`[AWQ](../glossary/awq.md)`, as on GitHub, passed validate and was a broken link on
    the page (found in review). Code stays code; a site path or a URL is not a file path."""
    write_entry(catalog, "glossary/term-0", {
        "title": "Term 0", "status": "published", "summary": "A term.", "authors": ["ana"],
        "published": "2026-01-10", "category": "Formats & quantization"},
        "See [AWQ](../glossary/awq.md#kernels), [AWQ](awq.md) and [x](nothing.md).\n\n"
        "Not these: [readme](https://github.com/o/r/README.md), `[a](b.md)`, "
        "[AWQ](/glossary/awq).\n")
    ds = [(d.rule, d.line, d.column, d.message) for d in run(catalog).diagnostics]
    assert ds == [
        ("link-unresolved", 10, 11, "link to ../glossary/awq.md: a file path, which the site "
         "has no page for; link to its page, /glossary/awq#kernels"),
        ("link-unresolved", 10, 46, "link to awq.md: a file path, which the site has no page "
         "for; link to its page, /glossary/awq"),
        ("link-unresolved", 10, 62, "link to nothing.md: a file path, which the site has no "
         "page for; link to the entry's page, /<collection>/<slug>")]


def _vllm_with(root, old: str, new: str) -> None:
    path = root / "entries/tools/vllm.md"
    path.write_text(path.read_text().replace(old, new, 1))


@pytest.mark.parametrize("written, meant", [
    ("Glossary/awq", "glossary/awq"), ("glossary/awq#kernels", "glossary/awq"),
    ("/glossary/awq/", "glossary/awq")])
def test_a_reference_not_of_the_form_of_an_id_is_one_error_saying_what_to_write(
        catalog, written, meant):
    # found in review: a `ref-unresolved` "is not an entry" (and create it with `pipeline
    # new`) and a `schema` error at the same column; the schema's says the form and the id
    _vllm_with(catalog, "- glossary/awq", f"- '{written}'")
    diags = run(catalog).diagnostics
    assert [(d.rule, d.line, d.column) for d in diags] == [("schema", 12, 3)], diags
    assert diags[0].message.endswith(f"did you mean `{meant}`?")


def test_see_also_a_directory_like_id_is_one_error(catalog):
    _vllm_with(catalog, "related:\n- glossary/awq", "see_also:\n- tools/vllm/")
    diags = run(catalog).diagnostics
    assert [d.rule for d in diags] == ["schema"]
    assert diags[0].message.endswith("did you mean `tools/vllm`?")


@pytest.mark.parametrize("old, new, where", [("- ana", "- authors/ana", "authors.0"),
                                             ("  by: ana", "  by: authors/ana", "verdict.by")])
def test_an_author_id_where_a_slug_belongs_is_told_the_slug(catalog, old, new, where):
    _vllm_with(catalog, old, new)
    diags = run(catalog).diagnostics
    assert [d.rule for d in diags] == ["schema"]
    assert diags[0].message.startswith(f"{where}: 'authors/ana' should be")
    assert diags[0].message.endswith("did you mean `ana`?")


def test_an_unknown_author_id_is_one_error(catalog):
    _vllm_with(catalog, "- ana", "- authors/lead-editor")
    diags = run(catalog).diagnostics
    assert [d.rule for d in diags] == ["schema"]
    assert diags[0].message.endswith("did you mean `lead-editor`?")


@pytest.mark.parametrize("cache", [False, True])
def test_a_slug_where_an_id_belongs_is_told_the_id_of_the_entry_it_names(catalog, cache):
    _vllm_with(catalog, "related:\n- glossary/awq", "see_also:\n- vllm")
    diags = run(catalog, cache=cache).diagnostics
    assert [(d.rule, d.line, d.column) for d in diags] == [("ref-unresolved", 12, 3)]
    assert diags[0].message == ("see_also.0: 'vllm' is a slug, not an entry id: write "
                                "`<collection>/<slug>`; did you mean `tools/vllm`?")
    # no entry of that slug in a collection see_also lists: no guess
    write_entry(catalog, "models/vllm", {"title": "V", "status": "draft", "authors": ["ana"]})
    diags = run(catalog, cache=cache).diagnostics
    assert [d.message for d in diags if d.rule == "ref-unresolved"] == [
        "see_also.0: 'vllm' is a slug, not an entry id: write `<collection>/<slug>`"]
