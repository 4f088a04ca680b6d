"""Incremental builds give exactly what a build from scratch gives, after any kind of change.

A rebuild renders only the entries whose files changed; the pages that show
them (backlinks, titles, bylines, redirects, git dates) are made again from
the previous output's JSON. Each test compares the tree an incremental
build leaves with a fresh build (`use_cache=False`) of the same files.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from conftest import commit_all, git, write_entry
from pipeline import validate as validate_module
from pipeline.cache import ValidateCache
from pipeline.catalog.loader import load_catalog
from pipeline.checks.references import STAND_IN_IDS
from pipeline.config import load_settings
from pipeline.publish import pool, render
from pipeline.publish.build import ValidationFailed, build
from pipeline.publish.markdown import page_ids
from pipeline.publish.parts import Inputs
from pipeline.validate import validate
from test_build import tree
from test_publish_catalog import base, make_exl2_catalog


@pytest.fixture
def exl2(tmp_path) -> Path:
    return make_exl2_catalog(tmp_path / "exl2")


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


def indexed(out: Path, entry_id: str) -> dict:
    """The search index's record of an entry."""
    index = json.loads((out / "search-index.json").read_text(encoding="utf-8"))
    return next(e for e in index["entries"] if e["id"] == entry_id)


def assert_same_as_fresh(root: Path, out: Path, tmp_path: Path, **kw):
    """Build `root` incrementally into `out`, and from scratch elsewhere: same bytes."""
    result = build(load_settings(root), out, **kw)
    fresh = tmp_path / f"fresh-{len(list(tmp_path.glob('fresh-*')))}"
    build(load_settings(root), fresh, use_cache=False, **kw)
    assert tree(out) == tree(fresh)
    return result


CHANGES = [
    # a body link: the linked entry's "what links here" changes
    ("entries/glossary/gptq.md", "See [EXL2](/glossary/exl2).",
     "See [EXL2](/glossary/exl2) and [GGUF](/glossary/gguf)."),
    # a title shown on other pages (typed references, backlinks, collection lists)
    ("entries/tools/tabbyapi.md", "title: TabbyAPI", "title: Tabby API"),
    # an author's name, shown in the bylines of the entries they wrote or reviewed
    ("entries/authors/lead-editor.md", "title: Lena Lead", "title: Lena Leader"),
    # an old id that now redirects here: its previous_ids and the redirect files
    ("entries/glossary/awq.md", "title: AWQ",
     "title: AWQ\nredirect_from:\n- glossary/activation-aware"),
]


@pytest.mark.parametrize("jobs", [1, 2])
def test_every_kind_of_change_gives_what_a_fresh_build_gives(exl2, tmp_path, monkeypatch, jobs):
    monkeypatch.setattr(pool, "MIN_PARALLEL", 1 if jobs > 1 else pool.MIN_PARALLEL)
    out = tmp_path / "out"
    build(load_settings(exl2), out, jobs=jobs)
    for rel, old, new in CHANGES:
        edit(exl2 / rel, old, new)
        result = assert_same_as_fresh(exl2, out, tmp_path, jobs=jobs)
        assert result.rendered == 1, rel  # only the changed file; the others from their JSON
    # a new entry that links to EXL2, then its removal
    write_entry(exl2, "glossary/exl3", base("EXL3", "The next format.",
                                            category="Formats & quantization",
                                            related=["glossary/exl2"]),
                "Like [EXL2](/glossary/exl2).\n")
    assert_same_as_fresh(exl2, out, tmp_path, jobs=jobs)
    assert "glossary/exl3" in [c["id"] for c in json.loads(
        (out / "glossary/exl2.json").read_text())["backlinks"]]
    (exl2 / "entries/glossary/exl3.md").unlink()
    assert_same_as_fresh(exl2, out, tmp_path, jobs=jobs)
    assert not (out / "glossary/exl3.json").exists()
    # a retired entry drops an old id that reached AWQ through it: AWQ's previous_ids change
    write_entry(exl2, "glossary/awq-old", {
        "title": "AWQ (old)", "status": "retired", "authors": ["tools-editor"],
        "category": "Formats & quantization", "redirect_from": ["glossary/awq-older"]})
    edit(exl2 / "entries/glossary/awq.md", "- glossary/activation-aware",
         "- glossary/activation-aware\n- glossary/awq-old")
    assert_same_as_fresh(exl2, out, tmp_path, jobs=jobs)
    edit(exl2 / "entries/glossary/awq-old.md", "redirect_from:\n- glossary/awq-older\n", "")
    assert_same_as_fresh(exl2, out, tmp_path, jobs=jobs)
    assert json.loads((out / "glossary/awq.json").read_text())["previous_ids"] == [
        "glossary/activation-aware", "glossary/awq-old"]
    # the search index knows them too (AWQ's file did not change: its record did)
    assert indexed(out, "glossary/awq")["previous_ids"] == [
        "glossary/activation-aware", "glossary/awq-old"]
    # nothing changed: nothing is made, and both trees end up the same
    again = assert_same_as_fresh(exl2, out, tmp_path, jobs=jobs)
    assert again.rendered == 0
    assert tree(out) == tree(tmp_path / ".out.spare")


def test_unpublishing_an_entry_takes_it_off_every_list(exl2, tmp_path):
    out = tmp_path / "out"
    write_entry(exl2, "glossary/exl3", base("EXL3", "The next format.",
                                            category="Formats & quantization"), "Soon.\n")
    build(load_settings(exl2), out)
    edit(exl2 / "entries/glossary/exl3.md", "status: published", "status: review")
    result = assert_same_as_fresh(exl2, out, tmp_path)
    assert result.entries == 13
    assert b"exl3" not in (out / "search-index.json").read_bytes()
    assert b"exl3" not in (out / "glossary.json").read_bytes()


def test_a_file_changed_in_the_output_is_made_again_not_trusted(exl2, tmp_path):
    out = tmp_path / "out"
    build(load_settings(exl2), out)
    build(load_settings(exl2), out)
    page = out / "glossary/exl2.json"
    page.write_bytes(page.read_bytes().replace(b"EXL2", b"EXL-two"))
    # the page shows TabbyAPI's title: it must be made again, and its JSON cannot be used
    edit(exl2 / "entries/tools/tabbyapi.md", "title: TabbyAPI", "title: Tabby API")
    result = assert_same_as_fresh(exl2, out, tmp_path)
    assert result.rendered == 2  # TabbyAPI, and EXL2 from its file
    (out / "search-index.json").write_bytes(b"{}")
    edit(exl2 / "entries/glossary/gguf.md", "GGUF is a term.", "GGUF is a file format.")
    assert_same_as_fresh(exl2, out, tmp_path)  # the previous index is not spliced


def test_an_edit_that_keeps_the_size_and_mtime_is_noticed(exl2, tmp_path):
    out = tmp_path / "out"
    path = exl2 / "entries/glossary/gguf.md"
    build(load_settings(exl2), out)
    stat = path.stat()
    edit(path, "GGUF is a term.", "GGUF is a form.")  # same size
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # same mtime too
    assert_same_as_fresh(exl2, out, tmp_path)
    assert b"GGUF is a form." in (out / "glossary/gguf.html").read_bytes()


def test_a_commit_updates_dates_and_corrections_without_a_file_change(repo, tmp_path):
    out = tmp_path / "out"
    path = repo / "entries/tools/vllm.md"
    edit(path, "Text.", "Text, corrected.")
    build(load_settings(repo), out)
    assert json.loads((out / "tools/vllm.json").read_text())["corrections"] == []
    commit_all(repo, "Fix the vLLM claim\n\nCorrection: the old text overstated batching.",
               "2026-09-15T10:00:00")  # the working tree does not change
    result = assert_same_as_fresh(repo, out, tmp_path)
    assert result.rendered == 0
    doc = json.loads((out / "tools/vllm.json").read_text())
    assert (doc["updated"], [c["text"] for c in doc["corrections"]]) == (
        "2026-09-15", ["the old text overstated batching."])
    git(repo, "mv", "entries/glossary/awq.md", "entries/glossary/awq-method.md")
    edit(repo / "entries/tools/vllm.md", "glossary/awq", "glossary/awq-method")
    commit_all(repo, "Rename AWQ", "2026-09-20T10:00:00")
    assert_same_as_fresh(repo, out, tmp_path)
    assert json.loads((out / "glossary/awq-method.json").read_text())["previous_ids"] == [
        "glossary/awq"]
    assert indexed(out, "glossary/awq-method")["previous_ids"] == ["glossary/awq"]
    assert "previous_ids" not in indexed(out, "tools/vllm")  # none: left out


@pytest.mark.parametrize("big", [False, True])
def test_a_catalog_with_errors_is_refused_however_much_there_is_to_render(
        exl2, tmp_path, monkeypatch, big):
    """Little to render: validate runs beside the rendering; much: before it, in the
    build's workers (rendering as it parses)."""
    monkeypatch.setattr(pool, "MIN_PARALLEL", 1 if big else pool.MIN_PARALLEL)
    monkeypatch.setattr(validate_module, "PER_WORKER", 1 if big else validate_module.PER_WORKER)
    out, spare = tmp_path / "out", tmp_path / ".out.spare"
    build(load_settings(exl2), out)
    build(load_settings(exl2), out)
    before = (tree(out), tree(spare))
    edit(exl2 / "entries/glossary/awq.md", "category: Formats & quantization",
         "category: Nonsense")
    with pytest.raises(ValidationFailed, match="error schema: category: 'Nonsense'"):
        build(load_settings(exl2), out)
    assert (tree(out), tree(spare)) == before  # nothing was written, not even in the spare
    edit(exl2 / "entries/glossary/awq.md", "category: Nonsense",
         "category: Formats & quantization")
    assert_same_as_fresh(exl2, out, tmp_path)


def test_a_cold_big_build_of_a_catalog_with_errors_is_refused_from_the_lent_workers(
        exl2, tmp_path, monkeypatch):
    """Validate parses in the build's workers and renders there: its errors still stop
    the build before anything is written, and the workers and spill files go."""
    monkeypatch.setattr(pool, "MIN_PARALLEL", 1)
    monkeypatch.setattr(validate_module, "PER_WORKER", 1)
    lent = []
    real_lend = pool.Pool.lend
    monkeypatch.setattr(pool.Pool, "lend", lambda self, *a: lent.append(a[0]) or
                        real_lend(self, *a))
    real_make_parts = render.make_parts

    def fragile(entry, inputs):  # an entry too broken to render: validation says why
        if entry.id == "glossary/awq":
            raise ValueError("cannot render this")
        return real_make_parts(entry, inputs)

    monkeypatch.setattr(render, "make_parts", fragile)
    edit(exl2 / "entries/glossary/awq.md", "category: Formats & quantization",
         "category: Nonsense")
    out = tmp_path / "out"
    with pytest.raises(ValidationFailed, match="error schema: category: 'Nonsense'"):
        build(load_settings(exl2), out, jobs=2)
    assert lent == [2]
    assert not out.exists() and not (tmp_path / ".out.spare").exists()
    assert list((exl2 / ".pipeline-cache/build").glob("spill-*")) == []


def test_a_big_cold_build_keeps_the_page_ids_its_rendering_found(exl2, tmp_path,
                                                                 monkeypatch):
    """A big cold build renders each entry as validate parses it and keeps the ids its
    page got (headings, numbered sources) for link-anchor, instead of working them out
    again: they are the ids validate works out alone, and its fragments are checked
    against them."""
    monkeypatch.setattr(pool, "MIN_PARALLEL", 1)
    monkeypatch.setattr(validate_module, "PER_WORKER", 1)
    edit(exl2 / "entries/glossary/gptq.md", "See [EXL2](/glossary/exl2).",
         "See [EXL2](/glossary/exl2#when-to-use-it), [its sources](/glossary/exl2#source-1)"
         " and [this](/glossary/exl2#no-such-part).")
    settings = load_settings(exl2)
    build(settings, tmp_path / "out", jobs=2, use_cache=False)
    kept = {r.id: r.entry[3][STAND_IN_IDS] for r in ValidateCache.open(settings).records.values()
            if r.entry}
    catalog, bibliography = load_catalog(settings)[0], Inputs(settings).bibliography
    assert kept == {i: page_ids(e, bibliography) for i, e in catalog.entries.items()}
    assert "when-to-use-it" in kept["glossary/exl2"] and "source-1" in kept["glossary/exl2"]
    anchors = [d.message for d in validate(settings).diagnostics if d.rule == "link-anchor"]
    assert anchors == ["link to /glossary/exl2#no-such-part: the page has no element with "
                       "the id 'no-such-part'"]


def test_a_refused_big_build_keeps_no_ids_a_citation_to_no_source_changed(exl2, tmp_path,
                                                                         monkeypatch):
    """A heading that cites no known source keeps `[@nosuch]` as text on the page, so its
    rendered id has it too; page_ids drops every citation. The build is refused, but the
    cache it saved must hold page_ids' ids (found in review): validate then reported a
    link to `#when-to-use-it` as missing, until the entry changed."""
    monkeypatch.setattr(pool, "MIN_PARALLEL", 1)
    monkeypatch.setattr(validate_module, "PER_WORKER", 1)
    edit(exl2 / "entries/glossary/exl2.md", "## When to use it", "## When to use it [@nosuch]")
    settings = load_settings(exl2)
    with pytest.raises(ValidationFailed, match="cite-unresolved"):
        build(settings, tmp_path / "out", jobs=2, use_cache=False)
    edit(exl2 / "entries/glossary/gptq.md", "See [EXL2](/glossary/exl2).",
         "See [EXL2](/glossary/exl2#when-to-use-it).")
    rules = [(d.rule, d.message) for d in validate(settings).diagnostics]
    assert rules == [(d.rule, d.message) for d in validate(settings, cache=False).diagnostics]
    assert not [r for r in rules if r[0] == "link-anchor"]
