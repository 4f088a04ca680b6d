"""Which month a change belongs to, on non-linear and unusual histories (review 22)."""

from __future__ import annotations

import json

import git as gitpython

from conftest import commit_all, git, write_entry
from test_changes import at, edit
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


def rebased_keeping_dates(repo) -> dict[str, str]:
    """November's first commit on main, then a pull request rebased onto it with
    `--committer-date-is-author-date` (its commit dated in October) and pushed: the
    last commit before November 1 on the first-parent line is now the pull request's."""
    shas = {}
    edit(repo, "tools/vllm", "rating: recommended", "rating: situational")
    shas["november"] = commit_all(repo, "vLLM: situational", at("2026-11-02"))
    write_entry(repo, "glossary/term-1", term(1))
    shas["rebased"] = commit_all(repo, "Add a term", at("2026-10-20"))
    return shas


def test_commits_of_the_month_before_its_start_are_a_warning(repo, cli):
    """A commit dated earlier than its parent moves the month's start to it: November's
    own verdict change read as October's, and `changes` and the draft of November said
    nothing of it. Both now name the commits they leave out, and `changes` says how to
    list them."""
    shas = rebased_keeping_dates(repo)
    r = cli(repo, "changes", "--since", "2026-11-01", "--until", "2026-12-01")
    assert r.exit_code == 0 and "0 entries" in r.stdout  # what the dates pick, as documented
    assert (f"warning: 1 commit dated 2026-11-01 or later comes before the period's start on "
            f"the first-parent line: {shas['november'][:12]} (2026-11-02, 'vLLM: situational')"
            ) in r.stderr
    assert f"--from {shas['november'][:12]}^ --to {shas['rebased'][:12]}" in r.stderr
    listed = cli(repo, "changes", "--from", f"{shas['november'][:12]}^",
                 "--to", shas["rebased"][:12])
    assert "verdict recommended -> situational" in listed.stdout
    r = cli(repo, "changes", "--since", "2026-11-01", "--format", "json")
    assert json.loads(r.stdout)["before_start"] == [
        {"commit": shas["november"], "date": "2026-11-02", "subject": "vLLM: situational"}]
    r = cli(repo, "digest", "draft", "2026-11", "--offline")
    assert r.exit_code == 0
    assert f"before the month's start on the first-parent line: {shas['november'][:12]}" \
        in r.stderr and "not in this digest: add them by hand" in r.stderr


def test_a_history_whose_dates_only_go_forward_has_no_such_warning(repo, cli):
    edit(repo, "tools/vllm", "rating: recommended", "rating: situational")
    commit_all(repo, "vLLM: situational", at("2026-11-02"))
    r = cli(repo, "changes", "--since", "2026-11-01", "--until", "2026-12-01",
            "--format", "json")
    assert "warning" not in r.stderr and "before_start" not in json.loads(r.stdout)
    r = cli(repo, "digest", "draft", "2026-11", "--offline")
    assert r.exit_code == 0 and "warning" not in r.stderr


def test_when_the_first_commit_is_left_out_the_way_to_list_it_works(catalog, cli):
    """The first commit of the repository dated in the month, the next one before it: the
    warning said `--from <first>^`, a revision that does not exist (found in review).
    It now says `--to`, which lists everything up to there as added."""
    git(catalog, "init", "-q", "-b", "main")
    commit_all(catalog, "Initial catalog", at("2026-11-02"))
    write_entry(catalog, "glossary/term-1", term(1))
    last = commit_all(catalog, "Add a term", at("2026-10-20"))
    r = cli(catalog, "changes", "--since", "2026-11-01", "--until", "2026-12-01")
    assert f"to list them: --to {last[:12]}" in r.stderr and "^" not in r.stderr, r.stderr
    listed = cli(catalog, "changes", "--to", last[:12])
    assert listed.exit_code == 0, listed.output
    assert "tools/vllm" in listed.stdout and "glossary/term-1" in listed.stdout
