"""A rename made on a branch merged with a merge commit, when the merge's diff against its
first parent reads as a deletion and an addition (the branch rewrote the file after the
rename): still a rename in the entry's history, its redirects and `renames()`."""

from __future__ import annotations

import json

import pytest

from conftest import commit_all, git, write_entry
from test_changes import at
from pipeline.config import load_settings
from pipeline.history import log
from pipeline.history.log import PreviousId, Rename, entry_history, renames
from pipeline.publish.build import build

BATCHING = {"title": "Continuous batching", "status": "published",
            "summary": "Serving many requests at once.", "authors": ["ana"],
            "published": "2026-09-05", "category": "Inference & serving"}
REWRITTEN = "Rewritten from the first word to the last, " * 20 + "\n"
OLD, NEW = "glossary/continuous-batching", "glossary/batching"


def mv(repo, old: str, new: str) -> None:
    git(repo, "mv", f"entries/{old}.md", f"entries/{new}.md")


def merge(repo, branch: str, day: str) -> str:
    env = {"GIT_AUTHOR_DATE": at(day), "GIT_COMMITTER_DATE": at(day)}
    git(repo, "merge", "-q", "--no-ff", branch, "-m", f"Merge {branch}", env=env)
    return git(repo, "rev-parse", "HEAD").strip()


def first_parent_diff(repo) -> list[str]:
    out = git(repo, "diff", "--name-status", "-M", "HEAD^1", "HEAD", "--", "entries/")
    return sorted(line.split("\t")[0][0] + " " + line.split("\t")[-1]
                  for line in out.splitlines())


@pytest.fixture
def merged(repo):
    """The entry is added on main, renamed then rewritten on a branch, merged on 2026-10-05."""
    write_entry(repo, OLD, BATCHING, "Batching, continuously.\n")
    commit_all(repo, "Add batching", at("2026-09-05"))
    git(repo, "checkout", "-q", "-b", "rename")
    mv(repo, OLD, NEW)
    commit_all(repo, "Rename", at("2026-10-03"))
    write_entry(repo, NEW, {**BATCHING, "title": "Batching"}, REWRITTEN)
    commit_all(repo, "Rewrite", at("2026-10-04"))
    git(repo, "checkout", "-q", "main")
    merge(repo, "rename", "2026-10-05")
    # the gap itself: the merge's diff has no rename to follow
    assert first_parent_diff(repo) == [f"A entries/{NEW}.md", f"D entries/{OLD}.md"]
    return repo


def test_the_rename_keeps_the_history_and_gives_the_old_id(merged):
    settings = load_settings(merged)
    h = entry_history(settings)
    assert OLD not in h
    assert h[NEW].created == "2026-09-05"  # not the merge's date
    assert h[NEW].updated == "2026-10-05"
    assert h[NEW].previous_ids == [PreviousId(OLD, "2026-10-05", 0)]
    assert renames(settings) == [Rename(OLD, NEW, "2026-10-05")]


def test_the_build_redirects_the_old_id(merged, tmp_path):
    out = tmp_path / "out"
    build(load_settings(merged), out)
    data = json.loads((out / "redirects.json").read_text())
    assert {"from": f"/{OLD}", "to": f"/{NEW}", "status": 301} in data["redirects"]


def test_a_chain_of_renames_on_the_branch_is_one_step_at_the_merge(repo):
    """The id in between was never on the first-parent line: no redirect from it."""
    write_entry(repo, OLD, BATCHING, "Batching, continuously.\n")
    commit_all(repo, "Add batching", at("2026-09-05"))
    git(repo, "checkout", "-q", "-b", "rename")
    mv(repo, OLD, "glossary/cb")
    commit_all(repo, "Rename", at("2026-10-02"))
    mv(repo, "glossary/cb", NEW)
    commit_all(repo, "Rename again", at("2026-10-03"))
    write_entry(repo, NEW, {**BATCHING, "title": "Batching"}, REWRITTEN)
    commit_all(repo, "Rewrite", at("2026-10-04"))
    git(repo, "checkout", "-q", "main")
    merge(repo, "rename", "2026-10-05")
    h = entry_history(load_settings(repo))
    assert h[NEW].created == "2026-09-05"
    assert h[NEW].previous_ids == [PreviousId(OLD, "2026-10-05", 0)]


def test_a_deletion_and_an_unrelated_addition_stay_what_they_are(repo):
    git(repo, "checkout", "-q", "-b", "swap")
    git(repo, "rm", "-q", "entries/glossary/awq.md")
    commit_all(repo, "Remove AWQ", at("2026-10-02"))
    write_entry(repo, NEW, BATCHING, REWRITTEN)
    commit_all(repo, "Add batching", at("2026-10-03"))
    git(repo, "checkout", "-q", "main")
    merge(repo, "swap", "2026-10-05")
    settings = load_settings(repo)
    h = entry_history(settings)
    assert "glossary/awq" not in h
    assert h[NEW].created == "2026-10-05" and h[NEW].previous_ids == []
    assert renames(settings) == []


def test_the_cache_read_since_an_older_revision_gives_the_same(merged):
    settings = load_settings(merged)
    entry_history(settings, "HEAD^1")  # the cache now holds the state before the merge
    h = entry_history(settings)
    assert h[NEW].created == "2026-09-05"
    assert h[NEW].previous_ids == [PreviousId(OLD, "2026-10-05", 0)]


def count_git_logs(monkeypatch) -> list[tuple[str, ...]]:
    calls: list[tuple[str, ...]] = []
    real = log.long_log

    def counting(repo, *args):
        calls.append(args)
        return real(repo, *args)

    monkeypatch.setattr(log, "long_log", counting)
    monkeypatch.setattr("pipeline.history.gitio.long_log", counting)
    return calls


def test_a_history_without_merges_is_one_git_log(repo, monkeypatch):
    write_entry(repo, OLD, BATCHING, "Batching, continuously.\n")
    commit_all(repo, "Add batching", at("2026-09-05"))
    git(repo, "rm", "-q", "entries/glossary/awq.md")
    mv(repo, OLD, NEW)
    write_entry(repo, NEW, {**BATCHING, "title": "Batching"}, REWRITTEN)
    commit_all(repo, "Rename, rewrite and remove", at("2026-10-03"))
    calls = count_git_logs(monkeypatch)
    entry_history(load_settings(repo))
    assert len(calls) == 1


def test_a_merge_without_a_deletion_and_an_addition_costs_no_more(merged, monkeypatch):
    """Past the merge that renamed: merges that only edit or only add ask nothing more
    than the walk and the corrections' (read from the cache since the renaming merge)."""
    settings = load_settings(merged)
    entry_history(settings)
    git(merged, "checkout", "-q", "-b", "more")
    write_entry(merged, "glossary/tps", {**BATCHING, "title": "TPS"})
    commit_all(merged, "Add TPS", at("2026-10-06"))
    git(merged, "checkout", "-q", "main")
    merge(merged, "more", "2026-10-07")
    calls = count_git_logs(monkeypatch)
    assert entry_history(settings)["glossary/tps"].created == "2026-10-07"
    assert len(calls) == 2  # the first-parent walk and the corrections' walk


def test_a_correction_on_the_branch_before_the_rename_reaches_the_entry(repo):
    write_entry(repo, OLD, BATCHING, "Batching, continuously.\n")
    commit_all(repo, "Add batching", at("2026-09-05"))
    git(repo, "checkout", "-q", "-b", "rename")
    write_entry(repo, OLD, BATCHING, "Batching, continuously, and well.\n")
    fix = commit_all(repo, "Fix\n\nCorrection: it batches well.", at("2026-10-02"))
    mv(repo, OLD, NEW)
    commit_all(repo, "Rename", at("2026-10-03"))
    write_entry(repo, NEW, {**BATCHING, "title": "Batching"}, REWRITTEN)
    commit_all(repo, "Rewrite", at("2026-10-04"))
    git(repo, "checkout", "-q", "main")
    merge(repo, "rename", "2026-10-05")
    (c,) = entry_history(load_settings(repo))[NEW].corrections
    assert (c.commit, c.text, c.entry) == (fix, "it batches well.", NEW)


def test_a_cache_written_before_the_fix_is_rebuilt(merged, monkeypatch):
    """The old state lacks the rename, and the next calls only read commits after it."""
    from pipeline.history import history_cache

    settings = load_settings(merged)
    with monkeypatch.context() as m:
        m.setattr(log, "merged_renames", lambda settings, merge, paths: merge)
        m.setattr(history_cache, "VERSION", history_cache.VERSION - 1)
        assert entry_history(settings)[NEW].previous_ids == []
    assert entry_history(settings)[NEW].previous_ids == [PreviousId(OLD, "2026-10-05", 0)]


def test_a_file_deleted_on_the_branch_after_its_rename_is_not_followed(repo):
    """The branch renamed the entry, deleted it, and added another under the new name:
    that one is new, with no redirect from the old id (found in review: a rename was
    made up, because the branch's deletion was not read)."""
    write_entry(repo, OLD, BATCHING, "Batching, continuously.\n")
    commit_all(repo, "Add batching", at("2026-09-05"))
    git(repo, "checkout", "-q", "-b", "redo")
    mv(repo, OLD, NEW)
    commit_all(repo, "Rename", at("2026-10-02"))
    git(repo, "rm", "-q", f"entries/{NEW}.md")
    commit_all(repo, "Delete", at("2026-10-03"))
    write_entry(repo, NEW, {**BATCHING, "title": "Batching"}, REWRITTEN)
    commit_all(repo, "Another entry", at("2026-10-04"))
    git(repo, "checkout", "-q", "main")
    merge(repo, "redo", "2026-10-05")
    history = entry_history(load_settings(repo))[NEW]
    assert (history.created, history.previous_ids) == ("2026-10-05", [])
    assert OLD not in entry_history(load_settings(repo))


def test_a_correction_on_a_branch_goes_to_the_entry_it_corrected_not_an_earlier_one(repo):
    """September: the entry is renamed away and a new one takes its id. October: a branch
    corrects the new one while main renames it, then the branch is merged. The correction
    was followed through the oldest rename of the id, to the entry renamed away in
    September, in `changes`, the digest and that entry's history (found in review)."""
    from pipeline.history.changes import changes_in_period

    write_entry(repo, OLD, BATCHING, "Batching, continuously.\n")
    commit_all(repo, "Add batching", at("2026-08-20"))
    mv(repo, OLD, "glossary/batching-legacy")
    commit_all(repo, "The old one, renamed away", at("2026-09-01"))
    write_entry(repo, OLD, {**BATCHING, "title": "Batching, new"}, "The new entry.\n")
    commit_all(repo, "A new entry takes the id", at("2026-09-02"))
    git(repo, "checkout", "-q", "-b", "fix")
    write_entry(repo, OLD, {**BATCHING, "title": "Batching, new"}, "The new entry, fixed.\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "Fix it\n\nCorrection: the new entry's first line was wrong.",
        env={"GIT_AUTHOR_DATE": at("2026-10-08"), "GIT_COMMITTER_DATE": at("2026-10-08")})
    git(repo, "checkout", "-q", "main")
    mv(repo, OLD, NEW)
    commit_all(repo, "Rename the new one", at("2026-10-05"))
    merge(repo, "fix", "2026-10-10")
    settings = load_settings(repo)
    cs = changes_in_period(settings, "2026-10-01", "2026-11-01")
    assert [(c.entry, c.text) for c in cs.corrections] == [
        (NEW, "the new entry's first line was wrong.")]
    h = entry_history(settings)
    assert [c.text for c in h[NEW].corrections] == ["the new entry's first line was wrong."]
    assert h["glossary/batching-legacy"].corrections == []
