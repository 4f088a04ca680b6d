"""`pipeline changes` and the digest on histories the first-parent walk misread (found in review):
renames made on a merged branch or declared by `redirect_from`, an old id reused, two
corrections worded alike, an entry broken at the start of the month."""

from __future__ import annotations

import re

from conftest import MINI, commit_all, git, write_entry
from test_changes import at, edit
from pipeline.config import load_settings
from pipeline.history.changes import changes_between, changes_in_period

BATCHING = {"title": "Continuous batching", "status": "published",
            "summary": "Serving many requests at once.", "authors": ["ana"],
            "published": "2026-09-05", "category": "Serving"}
TPS = {"title": "Tokens per second", "status": "published", "summary": "A speed measure.",
       "authors": ["ana"], "published": "2026-09-05", "category": "Serving"}
REWRITTEN = "Rewritten from the first word to the last, " * 20 + "\n"


def merge(repo, branch, day, message="Merge"):
    env = {"GIT_AUTHOR_DATE": at(day), "GIT_COMMITTER_DATE": at(day)}
    git(repo, "merge", "-q", "--no-ff", branch, "-m", message, env=env)


def kinds(cs):
    return sorted((c.kind, c.entry, c.previous) for c in cs.changes)


def new_in_catalog(text: str) -> str:
    return re.search(r"<!-- pipeline:begin new-entries .*?<!-- pipeline:end new-entries -->",
                     text, re.S).group(0)


def test_a_rename_on_a_branch_merged_with_a_merge_commit_is_one_rename(repo, cli):
    write_entry(repo, "glossary/continuous-batching", BATCHING, "Batching, continuously.\n")
    commit_all(repo, "Add batching", at("2026-09-05"))
    git(repo, "checkout", "-q", "-b", "rename")
    git(repo, "mv", "entries/glossary/continuous-batching.md", "entries/glossary/batching.md")
    commit_all(repo, "Rename", at("2026-10-03"))
    write_entry(repo, "glossary/batching", {**BATCHING, "title": "Batching",
                                            "redirect_from": ["glossary/continuous-batching"]},
                REWRITTEN)
    commit_all(repo, "Rewrite", at("2026-10-04"))
    git(repo, "checkout", "-q", "main")
    merge(repo, "rename", "2026-10-05")
    cs = changes_in_period(load_settings(repo), "2026-10-01", "2026-11-01")
    assert kinds(cs) == [("renamed", "glossary/batching", "glossary/continuous-batching")]
    assert not cs.changes[0].published_now
    r = cli(repo, "digest", "draft", "2026-10", "--offline")
    assert r.exit_code == 0, r.output
    text = (repo / "digests/2026-10.md").read_text(encoding="utf-8")
    assert "Batching" not in new_in_catalog(text)


def test_a_rename_on_a_merged_branch_without_redirect_from_is_one_rename(repo):
    """Not declared in the file: only the branch's own commits tell."""
    write_entry(repo, "glossary/continuous-batching", BATCHING, "Batching, continuously.\n")
    commit_all(repo, "Add batching", at("2026-09-05"))
    git(repo, "checkout", "-q", "-b", "rename")
    git(repo, "mv", "entries/glossary/continuous-batching.md", "entries/glossary/batching.md")
    commit_all(repo, "Rename", at("2026-10-03"))
    write_entry(repo, "glossary/batching", {**BATCHING, "title": "Batching"}, REWRITTEN)
    commit_all(repo, "Rewrite", at("2026-10-04"))
    git(repo, "checkout", "-q", "main")
    merge(repo, "rename", "2026-10-05")
    cs = changes_in_period(load_settings(repo), "2026-10-01", "2026-11-01")
    assert kinds(cs) == [("renamed", "glossary/batching", "glossary/continuous-batching")]


def test_a_rename_and_a_rewrite_in_one_commit_declared_by_redirect_from(repo):
    git(repo, "mv", "entries/glossary/awq.md", "entries/glossary/awq-method.md")
    write_entry(repo, "glossary/awq-method", {**MINI["glossary/awq"], "title": "AWQ method",
                                              "redirect_from": ["glossary/awq"]}, REWRITTEN)
    commit_all(repo, "Rename and rewrite", at("2026-10-02"))
    cs = changes_in_period(load_settings(repo), "2026-10-01", "2026-11-01")
    assert kinds(cs) == [("renamed", "glossary/awq-method", "glossary/awq")]
    (change,) = cs.changes
    assert not change.published_now
    assert sorted(f.field for f in change.fields) == ["body", "redirect_from", "title"]


def test_a_correction_of_a_new_entry_under_a_renamed_entrys_old_id_stays_with_it(repo):
    write_entry(repo, "glossary/tokens-per-second", TPS)
    commit_all(repo, "Add TPS", at("2026-09-05"))
    git(repo, "mv", "entries/glossary/tokens-per-second.md", "entries/glossary/tps.md")
    commit_all(repo, "Rename", at("2026-10-02"))
    write_entry(repo, "glossary/tokens-per-second", {**TPS, "title": "Tokens per second, again",
                                                     "summary": "Another page."}, "Other.\n")
    commit_all(repo, "A new page takes the name", at("2026-10-03"))
    edit(repo, "glossary/tokens-per-second", "Another page.", "Another page, corrected.")
    commit_all(repo, "Fix\n\nCorrection: the new page was wrong.", at("2026-10-04"))
    cs = changes_in_period(load_settings(repo), "2026-10-01", "2026-11-01")
    assert [(k.entry, k.text) for k in cs.corrections] == [
        ("glossary/tokens-per-second", "the new page was wrong.")]


def test_a_correction_before_the_rename_still_follows_it(repo):
    write_entry(repo, "glossary/tokens-per-second", TPS)
    commit_all(repo, "Add TPS", at("2026-09-05"))
    edit(repo, "glossary/tokens-per-second", "A speed measure.", "A throughput measure.")
    commit_all(repo, "Fix\n\nCorrection: it measures throughput.", at("2026-10-02"))
    git(repo, "mv", "entries/glossary/tokens-per-second.md", "entries/glossary/tps.md")
    commit_all(repo, "Rename", at("2026-10-03"))
    write_entry(repo, "glossary/tokens-per-second", {**TPS, "summary": "Another."}, "Other.\n")
    commit_all(repo, "A new page takes the name", at("2026-10-04"))
    cs = changes_in_period(load_settings(repo), "2026-10-01", "2026-11-01")
    assert [(k.entry, k.text) for k in cs.corrections] == [
        ("glossary/tps", "it measures throughput.")]


def test_two_corrections_worded_alike_in_two_commits_are_both_listed(repo):
    from pipeline.history.log import entry_history

    edit(repo, "tools/vllm", "A serving engine.", "A serving engine for GPUs.")
    first = commit_all(repo, "Fix\n\nCorrection: a typo.", at("2026-10-02"))
    edit(repo, "tools/vllm", "Text.", "Text, fixed.")
    second = commit_all(repo, "Fix again\n\nCorrection: a typo.", at("2026-10-09"))
    settings = load_settings(repo)
    cs = changes_in_period(settings, "2026-10-01", "2026-11-01")
    assert [(k.entry, k.commit) for k in cs.corrections] == [("tools/vllm", first),
                                                             ("tools/vllm", second)]
    assert [c.commit for c in entry_history(settings)["tools/vllm"].corrections] == [first, second]


def test_two_corrections_worded_alike_on_two_merged_branches_are_both_listed(repo):
    """Each merge repeats its own branch's trailer: one correction per pull request."""
    from pipeline.history.log import entry_history

    merges = []
    for n, (day, old, new) in enumerate([("2026-10-02", "A serving engine.", "A GPU engine."),
                                         ("2026-10-09", "Text.", "Text, fixed.")]):
        git(repo, "checkout", "-q", "-b", f"fix{n}")
        edit(repo, "tools/vllm", old, new)
        commit_all(repo, "Fix\n\nCorrection: a typo.", at(day))
        git(repo, "checkout", "-q", "main")
        merge(repo, f"fix{n}", day, "Merge pull request\n\nFix\n\nCorrection: a typo.")
        merges.append(git(repo, "rev-parse", "HEAD").strip())
    settings = load_settings(repo)
    cs = changes_in_period(settings, "2026-10-01", "2026-11-01")
    assert [(k.entry, k.commit) for k in cs.corrections] == [("tools/vllm", m) for m in merges]
    assert [c.commit for c in entry_history(settings)["tools/vllm"].corrections] == merges


def test_an_entry_broken_since_it_was_added_is_news_when_fixed_and_published(repo):
    """Never online before (tests/test_changes.py has one published before it broke)."""
    write_entry(repo, "glossary/tps", "---\ntitle: [broken\n---\n")
    start = commit_all(repo, "Broken from the first", at("2026-09-15"))
    write_entry(repo, "glossary/tps", TPS)
    commit_all(repo, "Fixed and published", at("2026-10-02"))
    (change,) = changes_between(load_settings(repo), start, "HEAD").changes
    assert change.kind == "modified" and change.published_now


def test_an_entry_broken_at_the_start_and_a_draft_before_is_news_when_published(repo):
    edit(repo, "glossary/awq", "status: published", "status: draft")
    commit_all(repo, "Back to draft", at("2026-09-10"))
    (repo / "entries/glossary/awq.md").write_text("---\ntitle: [broken\n---\n")
    start = commit_all(repo, "Broken", at("2026-09-15"))
    write_entry(repo, "glossary/awq", MINI["glossary/awq"])
    commit_all(repo, "Fixed and published", at("2026-10-02"))
    (change,) = changes_between(load_settings(repo), start, "HEAD").changes
    assert change.kind == "modified" and change.published_now


def test_corrections_worded_alike_on_two_branches_merged_without_the_trailer(repo):
    """Merge messages without a trailer: the branches' own commits are the corrections,
    both on the entry's page and in the month (the page kept only the first)."""
    from pipeline.history.log import entry_history

    fixes = []
    for n, (day, old, new) in enumerate([("2026-10-02", "A serving engine.", "A GPU engine."),
                                         ("2026-10-09", "Text.", "Text, fixed.")]):
        git(repo, "checkout", "-q", "-b", f"fix{n}")
        edit(repo, "tools/vllm", old, new)
        fixes.append(commit_all(repo, "Fix\n\nCorrection: a typo.", at(day)))
        git(repo, "checkout", "-q", "main")
        merge(repo, f"fix{n}", day)
    settings = load_settings(repo)
    cs = changes_in_period(settings, "2026-10-01", "2026-11-01")
    assert [(k.entry, k.commit) for k in cs.corrections] == [("tools/vllm", f) for f in fixes]
    assert [c.commit for c in entry_history(settings)["tools/vllm"].corrections] == fixes
