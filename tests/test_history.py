"""pipeline.history.log: created/updated dates, renames and corrections from one git log pass."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import commit_all, git, write_entry
from pipeline.config import load_settings
from pipeline.errors import UsageError
from pipeline.history import gitio
from pipeline.history.log import Correction, PreviousId, Rename, entry_history, renames
from pipeline.history.state import head_of

REPO = Path(__file__).resolve().parents[1]
GPTQ = {"title": "GPTQ", "status": "published", "summary": "A quantization method.",
        "authors": ["ana"], "published": "2026-02-01", "category": "Formats & quantization"}


def _edit(root, entry_id, old, new):
    p = root / "entries" / f"{entry_id}.md"
    p.write_text(p.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")


@pytest.fixture
def history(repo):
    """The minimal repo (2026-09-01) plus renames, an edit, a correction and a merge."""
    _edit(repo, "tools/vllm", "A serving engine.", "A fast serving engine.")
    commit_all(repo, "Edit vLLM", "2026-09-10T12:00:00+00:00")
    git(repo, "mv", "entries/glossary/awq.md", "entries/glossary/awq-quant.md")
    commit_all(repo, "Rename AWQ", "2026-09-20T12:00:00+00:00")
    _edit(repo, "glossary/awq-quant", "A quantization method.", "A 4-bit quantization method.")
    commit_all(repo, "Fix AWQ\n\nCorrection: AWQ is 4-bit, not 8-bit.\nSigned-off-by: Ana <a@example.org>",
               "2026-10-02T12:00:00+00:00")
    git(repo, "mv", "entries/glossary/awq-quant.md", "entries/glossary/activation-aware.md")
    commit_all(repo, "Rename AWQ again", "2026-10-05T12:00:00+00:00")
    # A side branch with a correction inside, merged with a merge commit.
    git(repo, "checkout", "-q", "-b", "side")
    write_entry(repo, "glossary/gptq", GPTQ)
    commit_all(repo, "Add GPTQ", "2026-10-06T12:00:00+00:00")
    _edit(repo, "tools/vllm", "A fast serving engine.", "A fast serving engine for many users.")
    commit_all(repo, "Fix vLLM summary\n\ncorrection: it serves many users, not one.",
               "2026-10-07T12:00:00+00:00")
    git(repo, "checkout", "-q", "main")
    env = {"GIT_AUTHOR_DATE": "2026-10-09T12:00:00+00:00",
           "GIT_COMMITTER_DATE": "2026-10-09T12:00:00+00:00"}
    git(repo, "merge", "-q", "--no-ff", "-m", "Merge side", "side", env=env)
    return repo


def test_created_updated_and_previous_ids(history):
    h = entry_history(load_settings(history))
    awq = h["glossary/activation-aware"]
    assert awq.created == "2026-09-01"
    assert awq.updated == "2026-10-05"
    assert awq.previous_ids == [PreviousId("glossary/awq", "2026-09-20", 0),
                                PreviousId("glossary/awq-quant", "2026-10-05", 1)]
    assert "glossary/awq" not in h and "glossary/awq-quant" not in h
    # Changes that arrive by a merge count at the merge (first-parent history).
    assert h["glossary/gptq"].created == "2026-10-09"
    assert h["tools/vllm"].updated == "2026-10-09"
    assert h["authors/ana"].created == h["authors/ana"].updated == "2026-09-01"
    assert h["tools/vllm"].previous_ids == []


def test_corrections_follow_renames_and_merged_branches(history):
    h = entry_history(load_settings(history))
    awq = h["glossary/activation-aware"].corrections
    assert [(c.date, c.text, c.entry) for c in awq] == [
        ("2026-10-02", "AWQ is 4-bit, not 8-bit.", "glossary/activation-aware")]
    assert awq[0].commit == git(history, "log", "-1", "--format=%H", "--grep=Fix AWQ").strip()
    vllm = h["tools/vllm"].corrections
    assert [c.text for c in vllm] == ["it serves many users, not one."]
    assert isinstance(vllm[0], Correction)
    assert h["glossary/gptq"].corrections == []


def test_renames_lists_each_step_oldest_first(history):
    assert renames(load_settings(history)) == [
        Rename("glossary/awq", "glossary/awq-quant", "2026-09-20"),
        Rename("glossary/awq-quant", "glossary/activation-aware", "2026-10-05"),
    ]


def test_history_at_an_older_revision(history):
    h = entry_history(load_settings(history), "HEAD~2")  # before the second rename
    assert set(h) >= {"glossary/awq-quant", "tools/vllm"}
    assert "glossary/activation-aware" not in h
    assert h["glossary/awq-quant"].updated == "2026-10-02"


def test_a_file_deleted_and_added_again_starts_a_new_history(repo):
    (repo / "entries/glossary/awq.md").unlink()
    commit_all(repo, "Remove AWQ", "2026-09-05T12:00:00+00:00")
    write_entry(repo, "glossary/awq", {**GPTQ, "title": "AWQ"})
    commit_all(repo, "AWQ again", "2026-09-07T12:00:00+00:00")
    assert entry_history(load_settings(repo))["glossary/awq"].created == "2026-09-07"


def test_uncommitted_entries_are_absent_and_unknown_revisions_refused(repo):
    write_entry(repo, "glossary/gptq", GPTQ)
    settings = load_settings(repo)
    assert "glossary/gptq" not in entry_history(settings)
    with pytest.raises(UsageError, match="unknown revision 'nope'"):
        entry_history(settings, "nope")


def test_a_shallow_clone_is_refused_with_the_fix(history, tmp_path):
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "1", history.as_uri(), str(clone))
    settings = load_settings(clone)
    with pytest.raises(gitio.ShallowClone, match="fetch-depth: 0"):
        entry_history(settings)


def test_a_parent_a_shallow_clone_lacks_is_the_shallow_clone_message(history, tmp_path, cli):
    """`HEAD~1` in a clone of depth 1: git has no such commit, though the commit object
    names it (GitPython read it from there and git failed later, a traceback, found in
    review)."""
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "1", history.as_uri(), str(clone))
    with pytest.raises(gitio.ShallowClone, match="fetch-depth: 0"):
        gitio.resolve(load_settings(clone), "HEAD~1")
    r = cli(clone, "validate", "--changed-since", "HEAD~1")
    assert r.exit_code == 2 and "fetch-depth: 0" in r.output
    assert gitio.resolve(load_settings(history), "HEAD~1").hexsha == \
        git(history, "rev-parse", "HEAD~1").strip()
    with pytest.raises(UsageError, match="unknown revision '--output=x'"):
        gitio.resolve(load_settings(history), "--output=x")


def test_a_repository_git_refuses_stops_every_command_with_gits_advice(history, cli, tmp_path,
                                                                      monkeypatch):
    """A repository owned by another user (common in CI containers): git refuses it.
    The build went on as if there were no history, dropping dates, corrections and
    redirects, and other commands said 'unknown revision HEAD' (found in review)."""
    monkeypatch.setenv("GIT_TEST_ASSUME_DIFFERENT_OWNER", "1")  # git's own switch for this
    for args in (("build", "--out", str(tmp_path / "out")),
                 ("validate", "--changed-since", "HEAD"),
                 ("changes", "--from", "HEAD", "--to", "HEAD")):
        r = cli(history, *args)
        assert r.exit_code == 2, args
        assert "dubious ownership" in r.output and "safe.directory" in r.output, args
    assert not (tmp_path / "out").exists()


def _watch_logs(monkeypatch) -> list[list[str]]:
    """Every `git log` run from here on, however it is run: through GitPython, or through
    gitio.long_log (the long walks, whose output goes through a file)."""
    import git as gitpython

    from pipeline.history import log as log_module

    logs: list[list[str]] = []
    real_execute, real_long_log = gitpython.cmd.Git.execute, gitio.long_log

    def execute(self, command, **kw):
        if "log" in command:
            logs.append(list(command))
        return real_execute(self, command, **kw)

    def long_log(repo, *args):
        logs.append(["git", "log", *args])
        return real_long_log(repo, *args)

    monkeypatch.setattr(gitpython.cmd.Git, "execute", execute)
    monkeypatch.setattr(gitio, "long_log", long_log)
    monkeypatch.setattr(log_module, "long_log", long_log)
    return logs


def test_long_log_gives_what_gitpython_gives(history):
    """The same text as `repo.git.log(...)` (whose output comes through a pipe), and
    git's own error as a GitCommandError."""
    import git as gitpython

    repo = gitio.open_repo(load_settings(history))
    args = ("--first-parent", "--name-status", "-M", "-z", "--format=%x1e%H %ct%x1f%B%x1f")
    assert gitio.long_log(repo, *args) == repo.git.log(*args)
    assert gitio.long_log(repo, "--format=%s", "-1") == repo.git.log("--format=%s", "-1")
    with pytest.raises(gitpython.GitCommandError, match="nope"):
        gitio.long_log(repo, "nope")


def test_many_entries_take_one_log_pass(repo, monkeypatch):
    for i in range(300):
        write_entry(repo, f"glossary/term-{i}", {**GPTQ, "title": f"Term {i}"})
    commit_all(repo, "Many terms", "2026-09-03T12:00:00+00:00")
    logs = _watch_logs(monkeypatch)
    h = entry_history(load_settings(repo))
    assert len(h) == 304 and h["glossary/term-299"].created == "2026-09-03"
    assert len(logs) == 1  # whatever the entries; a linear history's walk has the corrections


def test_a_second_walk_for_corrections_only_when_branches_were_merged(repo, history,
                                                                      monkeypatch):
    """A merge may bring commits off the first-parent line (a correction inside a pull
    request): then the commits with a Correction trailer are walked on every parent."""
    from pipeline.history import log as log_module

    logs = _watch_logs(monkeypatch)
    settings = load_settings(history)
    merged = _as_tuples(settings)
    assert len(logs) == 2
    # a linear history: the first-parent walk's trailers are exactly what the second walk finds
    (history / ".pipeline-cache/history.json").unlink()
    git(history, "checkout", "-q", "-b", "linear", "HEAD~1")  # before the merge
    git(history, "rebase", "-q", "side")  # the side branch's commits on the line, no merge
    logs.clear()
    linear = entry_history(settings)
    assert len(logs) == 1
    assert [c.text for h in linear.values() for c in h.corrections] != []
    (history / ".pipeline-cache/history.json").unlink()
    monkeypatch.setattr(log_module.LogCommit, "merge", property(lambda self: True))
    walked = entry_history(settings)  # as if merges were there: the second walk
    assert {k: v.corrections for k, v in walked.items()} == \
        {k: v.corrections for k, v in linear.items()}
    assert merged  # (the merged history itself is checked by the tests above)


def _as_tuples(settings):
    h = entry_history(settings)
    return {k: (v.created, v.updated, v.previous_ids, v.corrections) for k, v in h.items()}, \
        renames(settings)


def test_the_cache_reads_only_new_commits_and_agrees_with_a_full_walk(history, monkeypatch):
    settings = load_settings(history)
    entry_history(settings)  # fills .pipeline-cache/history.json
    assert (history / ".pipeline-cache/history.json").is_file()
    git(history, "mv", "entries/glossary/gptq.md", "entries/glossary/gptq-method.md")
    commit_all(history, "Rename GPTQ\n\nCorrection: GPTQ is one-shot.", "2026-11-02T12:00:00+00:00")
    (history / "entries/authors/ben.md").unlink()
    commit_all(history, "Ben leaves", "2026-11-03T12:00:00+00:00")
    ranges = _watch_logs(monkeypatch)
    incremental = _as_tuples(settings)
    assert all(any(".." in a for a in c) for c in ranges) and len(ranges) == 1  # no merge
    (history / ".pipeline-cache/history.json").unlink()
    assert incremental == _as_tuples(settings)
    h = entry_history(settings)
    assert "authors/ben" not in h
    assert h["glossary/gptq-method"].previous_ids == [PreviousId("glossary/gptq", "2026-11-02", 2)]
    assert [c.text for c in h["glossary/gptq-method"].corrections] == ["GPTQ is one-shot."]
    assert h["glossary/gptq-method"].created == "2026-10-09"


def test_a_broken_cache_means_a_full_walk(history):
    settings = load_settings(history)
    expected = _as_tuples(settings)
    cache = history / ".pipeline-cache/history.json"
    for junk in ("{not json", '{"version": 1, "key": "entries", "sha": "x", "histories": 3}'):
        cache.write_text(junk, encoding="utf-8")
        assert _as_tuples(settings) == expected


def test_a_merge_that_repeats_its_branchs_correction_lists_it_once(repo):
    """GitHub's merge message "pull request title and description" copies a one-commit
    pull request's trailer: one correction on the page and in the month (found in review)."""
    from pipeline.history.changes import changes_in_period

    text = "the summary said it runs on CPUs only."
    git(repo, "checkout", "-q", "-b", "fix")
    _edit(repo, "tools/vllm", "A serving engine.", "A serving engine for GPUs.")
    commit_all(repo, f"Fix vLLM summary\n\nCorrection: {text}", "2026-10-26T12:00:00+00:00")
    git(repo, "checkout", "-q", "main")
    env = {"GIT_AUTHOR_DATE": "2026-10-27T12:00:00+00:00",
           "GIT_COMMITTER_DATE": "2026-10-27T12:00:00+00:00"}
    git(repo, "merge", "-q", "--no-ff", "fix", "-m",
        f"Merge pull request #12 from ana/fix\n\nFix vLLM summary\n\nCorrection: {text}", env=env)
    settings = load_settings(repo)
    page = entry_history(settings)["tools/vllm"].corrections
    assert [(c.date, c.text) for c in page] == [("2026-10-27", text)]
    month = changes_in_period(settings, "2026-10-01", "2026-11-01").corrections
    assert [(c.entry, c.date, c.text) for c in month] == [("tools/vllm", "2026-10-27", text)]


def test_the_walk_from_head_without_the_git_library_is_the_librarys(history):
    """The build walks from HEAD as `head_of` reads it, without GitPython: the same
    histories and the same cache as the walk through the library (merge, corrections)."""
    settings = load_settings(history)
    through_library = entry_history(settings)
    cache_file = settings.path("cache") / "history.json"
    saved = cache_file.read_text(encoding="utf-8")
    cache_file.unlink()
    head = head_of(settings)
    assert head is not None and head.sha == git(history, "rev-parse", "HEAD").strip()
    assert entry_history(settings, "HEAD", head) == through_library
    assert cache_file.read_text(encoding="utf-8") == saved


def test_head_of_is_none_where_the_library_says_why(history, tmp_path):
    shutil.copytree(history, tmp_path / "plain", ignore=shutil.ignore_patterns(".git"))
    assert head_of(load_settings(tmp_path / "plain")) is None  # not in a repository
    shutil.copytree(tmp_path / "plain", tmp_path / "empty")
    git(tmp_path / "empty", "init", "-q", "-b", "main")
    assert head_of(load_settings(tmp_path / "empty")) is None  # no commit yet
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{history}", "shallow")
    assert head_of(load_settings(tmp_path / "shallow")) is None


def test_a_build_reads_the_history_without_importing_the_git_library(repo):
    code = ("import sys; from pathlib import Path; from pipeline.config import load_settings; "
            "from pipeline.publish.git_history import read_git_data; "
            f"data = read_git_data(load_settings(Path({str(repo)!r}))); "
            "print(len(data.histories), 'git' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert done.stdout.split() == [str(len(entry_history(load_settings(repo)))), "False"]
