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
