"""Links with a `#fragment`, and links relative to the page (found in review):
`[a](/glossary/awq#no-such-heading)` and `[d](#no-such-id)` passed validate and shipped
broken; `[b](tools/vllm)` and `[b](../tools/nonexistent)` too, though where they lead
depends on the address the page is served at."""

from __future__ import annotations

import datetime as dt
import json

import pytest

import pipeline.validate as validate_mod
from conftest import MINI, write_entry
from pipeline.config import load_settings
from pipeline.validate import validate
from test_link_forms import at, vllm

SITE = "https://local-ai-catalog.org"
AWQ = {**MINI["glossary/awq"],
       "sources": [{"id": "awq-paper", "url": "https://arxiv.org/abs/2306.00978",
                    "title": "AWQ", "accessed": "2026-01-01"}]}
AWQ_BODY = """\
AWQ keeps the salient weights [@awq-paper].

## Kernels [@awq-paper]

## Über-großer Speicher

How `fast` *it* is
------------------

## Kernels
"""


def run(root, **kw):
    return validate(load_settings(root), today=dt.date(2026, 11, 27), **kw)


def found(root, **kw):
    return [(d.rule, d.severity, d.line, d.column, d.message, d.hint)
            for d in run(root, **kw).diagnostics]


@pytest.fixture
def awq(catalog):
    write_entry(catalog, "glossary/awq", AWQ, AWQ_BODY)
    return catalog


GOOD = ["/glossary/awq#kernels", "/glossary/awq#kernels-1", "/glossary/awq#über-großer-speicher",
        "/glossary/awq#%C3%BCber-gro%C3%9Fer-speicher", "/glossary/awq#how-fast-it-is",
        "/glossary/awq#source-1", "/glossary/awq#sources-heading", "/glossary/awq#main",
        "/glossary/awq#top", "/glossary/awq#", "/glossary/awq?from=x#kernels",
        f"{SITE}/glossary/awq#kernels", "#verdict-heading", "#main"]


def test_fragments_the_page_has_pass(awq):
    vllm(awq, "".join(f"See [it]({url}).\n" for url in GOOD))
    assert found(awq) == []


@pytest.mark.parametrize("url,shown,hint", [
    ("/glossary/awq#no-such-heading", "/glossary/awq#no-such-heading",
     "its headings' ids: #kernels, #über-großer-speicher, #how-fast-it-is, #kernels-1"),
    ("/glossary/awq#kernel", "/glossary/awq#kernel", "did you mean #kernels?"),
    ("/glossary/awq#kernels-2", "/glossary/awq#kernels-2", "did you mean #kernels-1?"),
    ("/glossary/awq#Kernels", "/glossary/awq#Kernels", "did you mean #kernels?"),
    ("/glossary/awq#source-2", "/glossary/awq#source-2", "did you mean #source-1?"),
    # the id the build gave that heading before it kept the letters of every script
    ("/glossary/awq#ber-gro-er-speicher", "/glossary/awq#ber-gro-er-speicher",
     "did you mean #über-großer-speicher?"),
    ("/glossary/awq#how-fast-is-it", "/glossary/awq#how-fast-is-it",
     "did you mean #how-fast-it-is?"),
    (f"{SITE}/glossary/awq#nope", f"{SITE}/glossary/awq#nope",
     "its headings' ids: #kernels, #über-großer-speicher, #how-fast-it-is, #kernels-1"),
])
def test_a_fragment_the_page_lacks_is_a_warning_at_the_link(awq, url, shown, hint):
    path = vllm(awq, f"Intro.\n\nSee [AWQ]({url}) for more.\n")
    line, column = at(path, url)
    message = f"link to {shown}: the page has no element with the id '{shown.split('#')[1]}'"
    assert found(awq) == [("link-anchor", "warning", line, column, message, hint)]
    assert run(awq).exit_code() == 0


def test_a_fragment_of_the_page_itself_and_a_reference_definition(awq):
    path = vllm(awq, "## Setup\n\nSee [setup](#setup), [the verdict](#verdict-heading) and "
                     "[d](#no-such-id).\n\nAlso [AWQ][a].\n\n[a]: /glossary/awq#nope\n")
    ds = found(awq)
    assert [d[:4] for d in ds] == [("link-anchor", "warning", *at(path, "#no-such-id")),
                                   ("link-anchor", "warning", *at(path, "/glossary/awq#nope"))]
    assert ds[0][4:] == ("link to #no-such-id: the page has no element with the id "
                         "'no-such-id'", "its headings' ids: #setup")


def test_a_page_without_headings_says_so(catalog):
    path = vllm(catalog, "See [AWQ](/glossary/awq#kernels).\n")
    ((rule, _, line, column, _, hint),) = found(catalog)
    assert (rule, line, column) == ("link-anchor", *at(path, "/glossary/awq#kernels"))
    assert hint == "its body has no headings (## to ####); link to the page itself"


def test_code_and_comments_are_not_links(awq):
    vllm(awq, "Run `[x](/glossary/awq#nope)`.\n\n```\n[x](#nope)\n```\n\n"
              "<!-- [x](/glossary/awq#nope) -->\n")
    assert found(awq) == []


def test_ids_come_from_every_kind_of_heading(catalog):
    write_entry(catalog, "glossary/awq", MINI["glossary/awq"],
                "Setext\n---\n\n> ## Quoted\n\n- ### In a list\n\n<h4>Raw</h4>\n\n"
                "## `code` & [link](/tools/vllm) ![img](x.png)\n\n##### Five\n\n# One\n")
    ids = ["setext", "quoted", "in-a-list", "raw", "code-link"]
    vllm(catalog, "".join(f"[x](/glossary/awq#{i})\n" for i in [*ids, "five", "one"]))
    got = [d.message for d in run(catalog).diagnostics if d.rule == "link-anchor"]
    assert got == [f"link to /glossary/awq#{i}: the page has no element with the id '{i}'"
                   for i in ("five", "one")]


# -- the cache ---------------------------------------------------------------------------

def test_a_changed_heading_of_the_target_is_seen_with_the_cache(awq):
    vllm(awq, "See [AWQ](/glossary/awq#kernels).\n")
    assert found(awq) == []  # and the cache is written
    (awq / "entries/glossary/awq.md").write_text(
        (awq / "entries/glossary/awq.md").read_text(encoding="utf-8")
        .replace("## Kernels", "## Fast kernels"), encoding="utf-8")
    warm = found(awq)
    assert [d[0] for d in warm] == ["link-anchor"] and warm == found(awq, cache=False)
    (awq / "entries/glossary/awq.md").write_text(
        (awq / "entries/glossary/awq.md").read_text(encoding="utf-8")
        .replace("## Fast kernels", "## Kernels"), encoding="utf-8")
    assert found(awq) == []


def test_an_unchanged_target_keeps_its_ids_in_the_cache(awq):
    """Only the linking entry changes: the target is not parsed again, its ids come from
    its record (the stand-in of the other entries, cache.stub)."""
    path = vllm(awq, "Intro.\n")
    assert found(awq) == []
    path.write_text(path.read_text(encoding="utf-8").replace(
        "Intro.", "See [a](/glossary/awq#how-fast-it-is) and [b](/glossary/awq#nope)."),
        encoding="utf-8")
    warm = found(awq)
    assert [(d[0], d[4]) for d in warm] == [
        ("link-anchor", "link to /glossary/awq#nope: the page has no element with the id "
                        "'nope'")]
    assert warm == found(awq, cache=False)


def test_worker_processes_see_the_same_ids(awq, monkeypatch):
    """Each worker parses half the files; the other half are stand-ins with their ids."""
    for n in range(8):
        write_entry(awq, f"glossary/term-{n}", {**MINI["glossary/awq"], "title": f"Term {n}"},
                    f"## Part {n}\n\nSee [AWQ](/glossary/awq#kernels) and "
                    f"[term](/glossary/term-{(n + 1) % 8}#part-{(n + 1) % 8}), "
                    f"[bad](/glossary/term-{(n + 3) % 8}#part-{n}).\n")
    serial = found(awq, cache=False, jobs=1)
    monkeypatch.setattr(validate_mod, "PER_WORKER", 1)
    assert found(awq, cache=False, jobs=2) == serial
    assert len(serial) == 8 and {d[0] for d in serial} == {"link-anchor"}


# -- links relative to the page -----------------------------------------------------------

RELATIVE = "a relative path, which leads elsewhere depending on the address the page is served at"


def test_a_relative_link_is_reported_with_the_site_path_to_write(awq):
    path = vllm(awq, "See [b](tools/vllm), [c](../glossary/awq#kernels), [d](vllm) and "
                     "[e](../tools/nonexistent).\n\n[w](www.example.org) ![i](chart.png)\n\n"
                     "[r]: sglang\n")
    ds = [(d.rule, d.severity, d.line, d.column, d.message) for d in run(awq).diagnostics]
    other = "; link to a page by its site path, /<collection>/<slug>, or to another site " \
            "by its full URL"
    assert ds == [
        ("link-unresolved", "error", *at(path, "tools/vllm)"),
         f"link to tools/vllm: {RELATIVE}; link to its page, /tools/vllm"),
        ("link-unresolved", "error", *at(path, "../glossary/awq#kernels"),
         f"link to ../glossary/awq: {RELATIVE}; link to its page, /glossary/awq#kernels"),
        ("link-unresolved", "error", *at(path, "vllm) and"),
         f"link to vllm: {RELATIVE}; link to its page, /tools/vllm"),
        ("link-unresolved", "error", *at(path, "../tools/nonexistent"),
         f"link to ../tools/nonexistent: {RELATIVE}{other}"),
        ("link-unresolved", "error", *at(path, "www.example.org"),
         f"link to www.example.org: {RELATIVE}{other}"),
        ("link-unresolved", "error", *at(path, "chart.png"),
         f"link to chart.png: {RELATIVE}{other}"),
        ("link-unresolved", "error", *at(path, "sglang"),
         f"link to sglang: {RELATIVE}{other}")]


@pytest.mark.parametrize("body", [
    "## Set up\n\nSee [it](#set\\-up).\n",
    "See [it](<#verdict\\-heading>).\n",
    "See [it](#verdict-heading(x).\n",
    "See [it](awq(x).\n",
])
def test_a_link_to_a_part_of_the_page_is_read_as_the_page_reads_it(awq, body):
    """An escape is the character (the page links to `#set-up`, which it has), and a
    destination's parentheses are balanced: `[it](#verdict-heading(x).` is no link. The
    first was reported as `link to #set\\-up: the page has no element with the id
    'set\\-up'`, the others as links to `#verdict-heading(x` and `awq(x`."""
    vllm(awq, body)
    assert found(awq) == []


@pytest.mark.parametrize("written, shown", [
    ("[b](../tools/no\\_such)", "../tools/no_such"),
    ("[b](no-such(int4))", "no-such(int4)"),
    ("[b](no-such\\))", "no-such)"),
    ("[b][r]\n\n[r]: no\\_such", "no_such"),
])
def test_a_relative_link_is_reported_as_the_page_links_it(awq, written, shown):
    """validate named `../tools/no\\_such`, `no-such(int4` and `no-such\\`, which no
    page links to."""
    path = vllm(awq, f"See {written}\n")
    other = "; link to a page by its site path, /<collection>/<slug>, or to another site " \
            "by its full URL"
    destination = written.split("](")[-1].split("]: ")[-1].removesuffix(")")
    assert [(d.rule, d.line, d.column, d.message) for d in run(awq).diagnostics] == [
        ("link-unresolved", *at(path, destination), f"link to {shown}: {RELATIVE}{other}")]


def test_links_that_are_not_relative_paths_pass(awq):
    vllm(awq, "[a](/glossary/awq) [b](https://example.org/x) [c](mailto:a@example.org) "
              "[d](#verdict-heading) [e](?tab=1) [f]() [g](<https://example.org/y>) "
              "`[h](tools/x)` <https://example.org/z> [i](HTTPS://example.org)\n")
    assert found(awq) == []


def test_the_hint_follows_the_entry_it_names_with_the_cache(awq):
    vllm(awq, "See [new](tools/new-tool).\n")
    assert found(awq)[0][4].endswith("or to another site by its full URL")
    write_entry(awq, "tools/new-tool", {**MINI["tools/vllm"], "title": "New tool",
                                        "related": []})
    warm = found(awq)
    assert warm[0][4].endswith("link to its page, /tools/new-tool")
    assert warm == found(awq, cache=False)


def test_explain_and_json(awq, cli):
    vllm(awq, "See [AWQ](/glossary/awq#nope).\n")
    r = cli(awq, "validate", "--format", "json")
    (d,) = json.loads(r.output)["diagnostics"]
    assert (d["rule"], d["severity"], r.exit_code) == ("link-anchor", "warning", 0)
    r = cli(awq, "explain", "link-anchor")
    assert r.exit_code == 0 and "#fragment" in r.output
