"""A rename that changes only the case of an entry's file or collection folder (`git mv
entries/glossary/awq.md entries/glossary/AWQ.md`, and back): the entry goes on, with its
created date, corrections and old ids; the name in other case, never valid, redirects
nothing and is named by no hint."""

from __future__ import annotations

import pytest

from conftest import commit_all, git
from pipeline.config import load_settings
from pipeline.history.changes import changes_between
from pipeline.history.log import entry_history, renamed_ids
from pipeline.publish.build import build
from pipeline.publish.git_history import read_git_data


def _correct(repo):
    p = repo / "entries/glossary/awq.md"
    p.write_text(p.read_text(encoding="utf-8").replace("Text.", "Text, fixed."),
                 encoding="utf-8")
    return commit_all(repo, "Fix AWQ\n\nCorrection: the text was wrong.",
                      "2026-09-05T12:00:00")


@pytest.mark.parametrize("other", ["entries/glossary/AWQ.md", "entries/Glossary/awq.md"])
def test_a_rename_in_other_case_and_back_keeps_the_history(repo, tmp_path, other):
    _correct(repo)
    git(repo, "mv", "entries/glossary/awq.md" if "AWQ" in other else "entries/glossary",
        other if "AWQ" in other else "entries/Glossary")
    commit_all(repo, "Other case", "2026-10-02T12:00:00")
    assert "R100" in git(repo, "show", "--name-status", "-M", "--format=", "HEAD")
    git(repo, "mv", other if "AWQ" in other else "entries/Glossary",
        "entries/glossary/awq.md" if "AWQ" in other else "entries/glossary")
    commit_all(repo, "Named again", "2026-10-03T12:00:00")
    settings = load_settings(repo)
    awq = entry_history(settings)["glossary/awq"]
    assert (awq.created, awq.updated) == ("2026-09-01", "2026-10-03")
    assert [c.text for c in awq.corrections] == ["the text was wrong."]
    assert all(p.id == p.id.lower() for p in awq.previous_ids)  # never from the other name
    build(settings, tmp_path / "out")
    assert (tmp_path / "out/_redirects").read_text().splitlines()[1:] == []
    # a month whose start has the name in other case: the entry is not new, nor removed
    cs = changes_between(settings, "HEAD~1", "HEAD")
    assert [(c.kind, c.entry) for c in cs.changes] == [("renamed", "glossary/awq")]
    assert not cs.changes[0].published_now


def test_an_old_id_still_leads_to_the_entry_renamed_in_other_case_and_back(repo):
    _correct(repo)
    git(repo, "mv", "entries/glossary/awq.md", "entries/glossary/awq-method.md")
    commit_all(repo, "Rename AWQ", "2026-09-10T12:00:00")
    git(repo, "mv", "entries/glossary/awq-method.md", "entries/glossary/AWQ-Method.md")
    commit_all(repo, "Other case", "2026-10-02T12:00:00")
    settings = load_settings(repo)
    # meanwhile no hint sends a link to the name no entry may have
    assert renamed_ids(settings) == {}
    assert read_git_data(settings).renames == []
    git(repo, "mv", "entries/glossary/AWQ-Method.md", "entries/glossary/awq-method.md")
    commit_all(repo, "Named again", "2026-10-03T12:00:00")
    h = entry_history(settings)["glossary/awq-method"]
    assert h.created == "2026-09-01" and len(h.corrections) == 1
    assert renamed_ids(settings) == {"glossary/awq": "glossary/awq-method"}
    assert {old for old, new, _d in read_git_data(settings).renames if old != new} \
        == {"glossary/awq"}
