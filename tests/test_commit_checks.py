"""checks/commits.py: `validate --changed-since` warns of corrections git would not read."""

from __future__ import annotations

import json

import pytest

from conftest import commit_all, git, write_entry
from pipeline.history.log import entry_history


def _edit(root, entry_id, old, new):
    p = root / "entries" / f"{entry_id}.md"
    p.write_text(p.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")


def _warnings(cli, root, rev="main"):
    result = cli(root, "validate", "--changed-since", rev, "--format", "json")
    found = json.loads(result.output)["diagnostics"]
    return [d for d in found if d["rule"] == "correction-unread"]


@pytest.fixture
def branch(repo):
    git(repo, "checkout", "-q", "-b", "fix")
    return repo


@pytest.mark.parametrize("message, line", [
    ("Correction: vLLM serves many users", "its subject"),
    ("Fix vLLM\n\nCorrection: it serves many users.\n\nAlso a typo.", "line 3"),
    ("Fix vLLM\nCorrection: it serves many users.", "line 2"),  # no blank line: no trailers
    ("Fix vLLM\n\nCorrection: it serves many users.\nThanks to Ben for spotting it.", "line 3"),
    ("Fix vLLM\n\n  Correction: it serves many users.", "line 3"),  # indented: not a trailer
])
def test_a_correction_git_does_not_read_is_reported_on_the_files(cli, branch, message, line):
    _edit(branch, "tools/vllm", "A serving engine.", "A serving engine for many users.")
    sha = commit_all(branch, message, "2026-10-02T12:00:00+00:00")
    # what the warning says is so: the history has no correction
    from pipeline.config import load_settings
    assert entry_history(load_settings(branch))["tools/vllm"].corrections == []
    found = _warnings(cli, branch)
    assert len(found) == 1, found
    d = found[0]
    assert d["file"] == "entries/tools/vllm.md" and d["severity"] == "warning"
    assert sha[:12] in d["message"] and line in d["message"]


@pytest.mark.parametrize("message", [
    "Fix vLLM\n\nCorrection: it serves many users.",
    "Fix vLLM\n\nCorrection: it serves many users.\nSigned-off-by: Ana <a@example.org>",
    "Correction: subject\n\nCorrection: it serves many users.",  # the trailer is read
    "Fix vLLM\n\nSee the correction: none needed.",  # not a line that starts so
])
def test_a_correction_git_reads_is_not_reported(cli, branch, message):
    _edit(branch, "tools/vllm", "A serving engine.", "A serving engine for many users.")
    commit_all(branch, message, "2026-10-02T12:00:00+00:00")
    assert _warnings(cli, branch) == []


def test_a_correction_that_touches_no_entry_is_reported_on_what_it_touched(cli, branch):
    (branch / "data").mkdir(exist_ok=True)
    (branch / "data" / "notes.txt").write_text("x\n", encoding="utf-8")
    commit_all(branch, "Fix notes\n\nCorrection: the note was wrong.", "2026-10-02T12:00:00+00:00")
    found = _warnings(cli, branch)
    assert [d["file"] for d in found] == ["data/notes.txt"]
    assert "touches no entry" in found[0]["message"]


def test_only_the_commits_of_the_change_are_read(cli, repo):
    _edit(repo, "tools/vllm", "A serving engine.", "A serving engine for many users.")
    commit_all(repo, "Correction: on main already", "2026-10-02T12:00:00+00:00")
    git(repo, "checkout", "-q", "-b", "fix")
    write_entry(repo, "glossary/gptq", {"title": "GPTQ", "status": "draft", "summary": "A method.",
                                        "authors": ["ana"], "category": "Formats & quantization"})
    commit_all(repo, "Add GPTQ", "2026-10-03T12:00:00+00:00")
    assert _warnings(cli, repo) == []  # main..HEAD: the commit on main is not the change's
    assert len(_warnings(cli, repo, "HEAD~2")) == 1


def test_the_rule_can_be_turned_off(cli, branch):
    settings = branch / "pipeline.toml"
    settings.write_text(settings.read_text(encoding="utf-8").replace(
        "[checks]\n", '[checks]\ncorrection-unread = "off"\n'), encoding="utf-8")
    commit_all(branch, "Settings", "2026-10-01T12:00:00+00:00")
    _edit(branch, "tools/vllm", "A serving engine.", "A serving engine for many users.")
    commit_all(branch, "Correction: subject", "2026-10-02T12:00:00+00:00")
    assert _warnings(cli, branch) == []
