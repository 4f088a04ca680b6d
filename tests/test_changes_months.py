"""Which month a change belongs to, on non-linear and unusual histories (review 22)."""

from __future__ import annotations

import git as gitpython

from conftest import commit_all, git, write_entry
from test_changes import at
from pipeline.config import load_settings
from pipeline.history.changes import changes_in_period


def term(i: int) -> dict:
    return {"title": f"Term {i}", "status": "published", "summary": "A term.",
            "authors": ["ana"], "published": "2026-09-20", "category": "Formats & quantization"}


def git_commands(monkeypatch) -> list[list[str]]:
    """The git commands run through GitPython from now on."""
    commands: list[list[str]] = []
    real = gitpython.cmd.Git.execute

    def execute(self, command, **kw):
        commands.append(list(command))
        return real(self, command, **kw)

    monkeypatch.setattr(gitpython.cmd.Git, "execute", execute)
    return commands


def removal_with_correction(repo, commands: list, n: int) -> tuple[int, int]:
    """(git commands run, corrections listed) for the month of a commit that removes
    `n` entries with a `Correction:` trailer."""
    for i in range(n):
        write_entry(repo, f"glossary/term-{i}", term(i))
    commit_all(repo, "Add terms", at("2026-09-20"))
    for i in range(n):
        git(repo, "rm", "-q", f"entries/glossary/term-{i}.md")
    commit_all(repo, "Remove the terms\n\nCorrection: they were never terms of the field.",
               at("2026-10-05"))
    before = len(commands)
    cs = changes_in_period(load_settings(repo), "2026-10-01", "2026-11-01")
    return len(commands) - before, len(cs.corrections)


def test_a_correction_removing_many_entries_reads_the_end_once(repo, tmp_path_factory,
                                                               monkeypatch):
    """Whether each corrected id exists at the end was one read of the tree per id (two
    git commands each): 250 entries removed by a correction took 7 s. One read now."""
    import shutil

    other = tmp_path_factory.mktemp("other") / "catalog"
    shutil.copytree(repo, other)
    commands = git_commands(monkeypatch)
    few, listed_few = removal_with_correction(repo, commands, 3)
    many, listed_many = removal_with_correction(other, commands, 40)
    assert (listed_few, listed_many) == (3, 40)  # each entry the correction touched
    assert many == few
