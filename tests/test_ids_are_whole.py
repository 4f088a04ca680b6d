"""An entry id is a whole name, never a name and a line break.

Ids go into `_redirects` (one rule per line, fields split by spaces), the
sitemap, the feed and file names. Python's `$` also matches before a newline
that ends the text, so patterns and names were checked as if "glossary/old\\n"
were an id (found in review): schema patterns now read `$` as JSON Schema
(ECMA-262) does, file names must match whole, and ids git's renames give
are checked like file names.
"""

from __future__ import annotations

import json

import pytest

from conftest import commit_all, git, write_entry
from pipeline.config import load_settings
from pipeline.errors import PipelineError
from pipeline.fastschema import FastSchemaSet
from pipeline.publish.build import build
from pipeline.publish.redirects import Redirects, netlify_redirects
from pipeline.schemas import SchemaSet, ecma_regex


def test_a_pattern_dollar_ends_the_text():
    assert ecma_regex("^[a-z]+$").search("awq")
    assert not ecma_regex("^[a-z]+$").search("awq\n")
    assert ecma_regex(r"^a\$[$]$").search("a$$")  # escaped and in a class: a dollar sign
    assert ecma_regex("(^|\\s)sponsored(\\s|$)").search("nofollow sponsored")


def test_both_schema_paths_refuse_an_id_with_a_trailing_newline(catalog):
    data = {"title": "AWQ", "status": "published", "summary": "A method.", "authors": ["ana"],
            "published": "2026-01-10", "category": "Formats & quantization",
            "redirect_from": ["glossary/old-awq\n"]}
    slow = SchemaSet.load(catalog / "schemas").validator("glossary")
    assert [e.message for e in slow.iter_errors(data)] == [
        "'glossary/old-awq\\n' does not match '^[a-z]+/[a-z0-9]+(-[a-z0-9]+)*$'"]
    fast = FastSchemaSet.load(catalog / "schemas").validator("glossary")
    assert not fast.is_valid(data)
    assert fast.is_valid({**data, "redirect_from": ["glossary/old-awq"]})


def test_validate_refuses_it_and_a_file_name_with_a_newline(catalog, cli):
    write_entry(catalog, "glossary/gptq", {
        "title": "GPTQ", "status": "published", "summary": "A method.", "authors": ["ana"],
        "published": "2026-01-10", "category": "Formats & quantization",
        "redirect_from": ["glossary/old-gptq\n"]})
    (catalog / "entries/glossary/nl\n.md").write_text("---\ntitle: X\nstatus: retired\n---\n")
    out = json.loads(cli(catalog, "validate", "--format", "json").output)
    found = {(d["rule"], d["file"]) for d in out["diagnostics"]}
    assert ("schema", "entries/glossary/gptq.md") in found
    assert ("file-name", "entries/glossary/nl\n.md") in found


def test_a_rename_from_a_name_no_entry_could_have_redirects_nothing(repo, tmp_path):
    bad = repo / "entries/glossary/t x  https:\n200!.md"
    (repo / "entries/glossary/awq.md").rename(bad)
    commit_all(repo, "A badly named file", "2026-09-02T12:00:00")
    git(repo, "mv", str(bad.relative_to(repo)), "entries/glossary/awq.md")
    commit_all(repo, "Named again", "2026-09-03T12:00:00")
    out = tmp_path / "out"
    build(load_settings(repo), out)
    rules = (out / "_redirects").read_text()
    assert rules.splitlines()[1:] == []  # only the comment line


def test_the_redirects_file_refuses_an_id_that_is_not_one():
    with pytest.raises(PipelineError, match="not an entry id"):
        netlify_redirects(Redirects(moved={"glossary/old\n  /x": "glossary/awq"}))
    assert netlify_redirects(Redirects(moved={"glossary/old": "glossary/awq"}, gone=["tools/x"])) \
        .decode().splitlines()[1:] == [
            "/glossary/old  /glossary/awq  301", "/glossary/old.html  /glossary/awq.html  301",
            "/glossary/old.json  /glossary/awq.json  301", "/tools/x  /gone  410",
            "/tools/x.html  /gone  410", "/tools/x.json  /gone  410"]
