"""`pipeline new` writes a draft that validates, or nothing, and never replaces a file
(found in review: each case below wrote a draft that failed validation, or replaced
another run's file)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from conftest import MINI, write_entry
from pipeline.config import load_settings
from pipeline.validate import validate


def refused(cli, catalog, *args):
    r = cli(catalog, "new", *args)
    assert r.exit_code == 2, r.output
    assert "Traceback" not in r.output
    return r.output


@pytest.mark.parametrize("title, message", [
    ("AWQ", "entries/glossary/awq.md already has the title 'AWQ'; give"),
    ("  awq ", "entries/glossary/awq.md already has the title 'AWQ', the same as 'awq' in "
     "lists and search; give"),  # its own spelling, not the one given
    ("x" * 141, "the title is 141 characters long; at most 140"),
    ("two\n## lines", "the title holds a line break"),
    ("caf\udce9", "bytes that are not UTF-8"),
    ("tab\there", "a control character"),
    ("one\u2028two", "a line break"),  # Unicode's line separator: a line break too
    ("Awq\u200b", "already has the title"),  # a zero-width space nobody sees
])
def test_a_title_the_draft_could_not_pass_validation_with_is_refused(catalog, cli, title,
                                                                    message):
    assert message in refused(cli, catalog, "glossary", "new-one", "--title", title)
    assert not (catalog / "entries/glossary/new-one.md").exists()


def test_the_same_title_in_another_collection_or_a_retired_entry_is_fine(catalog, cli):
    write_entry(catalog, "glossary/old", {**MINI["glossary/awq"], "title": "Old",
                                          "status": "retired"})
    assert cli(catalog, "new", "tools", "awq", "--title", "AWQ").exit_code == 0
    assert cli(catalog, "new", "glossary", "old-again", "--title", "Old").exit_code == 0
    assert validate(load_settings(catalog)).diagnostics == []


def test_an_old_id_another_entry_redirects_from_is_refused(catalog, cli):
    write_entry(catalog, "glossary/awq", {**MINI["glossary/awq"],
                                          "redirect_from": ["glossary/activation-aware"]})
    out = refused(cli, catalog, "glossary", "activation-aware", "--title", "Activation aware")
    assert "glossary/activation-aware is an old id of another entry (entries/glossary/awq.md" in out
    assert not (catalog / "entries/glossary/activation-aware.md").exists()


def test_a_catalog_without_authors_asks_for_one_first(catalog, cli):
    shutil.rmtree(catalog / "entries")  # a new catalog: every entry names its authors
    (catalog / "entries").mkdir()
    out = refused(cli, catalog, "glossary", "gptq", "--title", "GPTQ")
    assert "no author yet" in out and "pipeline new authors SLUG" in out
    assert cli(catalog, "new", "authors", "cy", "--title", "Cy").exit_code == 0
    assert cli(catalog, "new", "glossary", "gptq", "--title", "GPTQ").exit_code == 0
    assert validate(load_settings(catalog)).diagnostics == []


def test_an_entry_that_must_name_one_the_catalog_lacks_is_refused(catalog, cli):
    """A benchmark names its hardware and model: `hardware/todo` named no entry."""
    out = refused(cli, catalog, "benchmarks", "b1", "--title", "B1")
    assert "`hardware` must name a hardware entry, `model` a models entry, and the catalog " \
        "has none yet" in " ".join(out.split())
    assert "pipeline new hardware SLUG" in out
    assert not (catalog / "entries/benchmarks/b1.md").exists()


def test_every_entry_the_catalog_lacks_is_named_at_once(catalog, cli):
    """Only the first was named: the editor made a hardware entry, to be told of the model,
    then of the tool."""
    (catalog / "entries/tools/vllm.md").unlink()  # the minimal catalog's only one of the three
    out = refused(cli, catalog, "benchmarks", "b1", "--title", "B1")
    assert ("`hardware` must name a hardware entry, `model` a models entry, `tool` a tools "
            "entry, and the catalog has none yet: create them first (pipeline new hardware "
            "SLUG --title TITLE; pipeline new models SLUG --title TITLE; pipeline new tools "
            "SLUG --title TITLE)") in " ".join(out.split())


def test_runs_at_once_make_one_file_and_replace_none(catalog):
    """Twelve runs at once printed "Created" five times; four of those files were replaced."""
    env = {**os.environ}
    procs = [subprocess.Popen([sys.executable, "-m", "pipeline", "--root", str(catalog), "new",
                               "glossary", "race", "--title", f"Race {i}"], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
             for i in range(12)]
    results = [(i, p.wait(), p.stdout.read().decode()) for i, p in enumerate(procs)]
    made = [i for i, code, out in results if code == 0]
    assert len(made) == 1 and all(code == 2 for i, code, _ in results if i not in made)
    text = (catalog / "entries/glossary/race.md").read_text(encoding="utf-8")
    assert f"title: Race {made[0]}\n" in text
    assert [p.name for p in (catalog / "entries/glossary").iterdir()
            if p.name.startswith(".")] == []  # no temporary file left


def test_create_new_refuses_a_name_taken_and_leaves_it_as_it_was(tmp_path):
    from pipeline.fileio import create_new

    path = tmp_path / "a.md"
    create_new(path, "first\n")
    with pytest.raises(FileExistsError):
        create_new(path, "second\n")
    assert path.read_text() == "first\n" and sorted(os.listdir(tmp_path)) == ["a.md"]


def test_titles_a_reader_cannot_tell_apart_are_the_same_title(catalog):
    """The rule compared `strip().casefold()`: `Café` typed as one character and as `e`
    with an accent, or with two spaces, were two titles (found in review)."""
    write_entry(catalog, "glossary/cafe-1", {**MINI["glossary/awq"], "title": "Caf\u00e9 latte"})
    write_entry(catalog, "glossary/cafe-2", {**MINI["glossary/awq"], "title": "CAFE\u0301  latte"})
    found = [(d.rule, d.file) for d in validate(load_settings(catalog)).diagnostics]
    assert found == [("title-duplicate", "entries/glossary/cafe-1.md"),
                     ("title-duplicate", "entries/glossary/cafe-2.md")]
