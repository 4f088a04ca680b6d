"""`pipeline changes`: an entry deleted, restored by a revert and renamed within the month
is the rename it is, not an entry removed and another added."""

from __future__ import annotations

import json

from conftest import MINI, commit_all, git, write_entry
from test_changes import at, edit
from test_changes_review17 import kinds
from test_changes_review21 import draft
from test_digest import block
from pipeline.config import load_settings
from pipeline.history import gitio
from pipeline.history.changes import changes_in_period


def revert(root, day: str) -> None:
    git(root, "revert", "--no-edit", "HEAD",
        env={"GIT_AUTHOR_DATE": at(day), "GIT_COMMITTER_DATE": at(day)})


def test_deleted_restored_by_a_revert_then_renamed_is_one_rename(repo, cli):
    """Found in review: the deletion broke the chain of renames, so the month read as
    glossary/awq removed and glossary/awq-method added (a new entry in the digest),
    though the two trees pair them and the file that came back was the same."""
    git(repo, "rm", "-q", "entries/glossary/awq.md")
    commit_all(repo, "Delete AWQ", at("2026-10-03"))
    revert(repo, "2026-10-04")
    git(repo, "mv", "entries/glossary/awq.md", "entries/glossary/awq-method.md")
    commit_all(repo, "Rename AWQ", at("2026-10-05"))
    cs = changes_in_period(load_settings(repo), "2026-10-01", "2026-11-01")
    assert kinds(cs) == {"glossary/awq-method": ("renamed", "glossary/awq")}
    r = cli(repo, "changes", "--since", "2026-10-01", "--until", "2026-11-01")
    assert "renamed   glossary/awq-method (was glossary/awq)" in r.output
    assert "removed" not in r.output and "added" not in r.output
    assert "awq-method" not in block(draft(cli, repo), "new-entries")


def test_renamed_deleted_and_restored_is_still_the_rename(repo):
    git(repo, "mv", "entries/glossary/awq.md", "entries/glossary/awq-method.md")
    commit_all(repo, "Rename AWQ", at("2026-10-02"))
    git(repo, "rm", "-q", "entries/glossary/awq-method.md")
    commit_all(repo, "Delete it", at("2026-10-03"))
    revert(repo, "2026-10-04")
    cs = changes_in_period(load_settings(repo), "2026-10-01", "2026-11-01")
    assert kinds(cs) == {"glossary/awq-method": ("renamed", "glossary/awq")}


def test_another_file_under_the_deleted_id_then_renamed_is_still_no_rename(repo):
    """Only the very file deleted undoes the deletion: one written anew (here a close
    copy, which the two trees pair) is another entry."""
    git(repo, "rm", "-q", "entries/glossary/awq.md")
    commit_all(repo, "Delete AWQ", at("2026-10-03"))
    write_entry(repo, "glossary/awq", {**MINI["glossary/awq"], "title": "AWQ again"})
    commit_all(repo, "Another AWQ", at("2026-10-04"))
    git(repo, "mv", "entries/glossary/awq.md", "entries/glossary/awq-method.md")
    commit_all(repo, "Rename it", at("2026-10-05"))
    assert [t.status for t in gitio.diff_trees(load_settings(repo), "HEAD~3", "HEAD")] == ["R"]
    cs = changes_in_period(load_settings(repo), "2026-10-01", "2026-11-01")
    assert kinds(cs) == {"glossary/awq": ("removed", None),
                         "glossary/awq-method": ("added", None)}


def test_an_entry_restored_by_a_revert_keeps_its_history_and_its_old_ids(repo, tmp_path):
    """Found in review: an entry deleted by mistake and restored by `git revert` started
    a new history: its old id's redirect was gone (the old links 404), its created date
    was the revert's and its corrections were lost. Read again from the cache (the
    deletion in it) or from the whole history, it goes on."""
    from pipeline.history.log import entry_history, renamed_ids
    from pipeline.publish.build import build

    git(repo, "mv", "entries/glossary/awq.md", "entries/glossary/awq-method.md")
    edit(repo, "tools/vllm", "- glossary/awq", "- glossary/awq-method")
    commit_all(repo, "Rename AWQ", at("2026-09-05"))
    p = repo / "entries/glossary/awq-method.md"
    p.write_text(p.read_text(encoding="utf-8").replace("Text.", "Text, fixed."), encoding="utf-8")
    fix = commit_all(repo, "Fix\n\nCorrection: AWQ is 4-bit.", at("2026-09-10"))
    git(repo, "rm", "-q", "entries/glossary/awq-method.md")
    commit_all(repo, "Delete AWQ", at("2026-10-03"))
    settings = load_settings(repo)
    assert "glossary/awq-method" not in entry_history(settings)  # cached with the deletion
    revert(repo, "2026-10-04")
    for _ in range(2):  # from the cache, then from the whole history
        h = entry_history(settings)["glossary/awq-method"]
        assert (h.created, h.updated) == ("2026-09-01", "2026-10-04")
        assert [p.id for p in h.previous_ids] == ["glossary/awq"]
        assert [c.commit for c in h.corrections] == [fix]
        assert renamed_ids(settings) == {"glossary/awq": "glossary/awq-method"}
        (repo / ".pipeline-cache/history.json").unlink()
    build(settings, tmp_path / "out")
    assert ("/glossary/awq  /glossary/awq-method  301"
            in (tmp_path / "out" / "_redirects").read_text())


def test_another_file_under_a_deleted_id_starts_a_new_history(repo):
    git(repo, "rm", "-q", "entries/glossary/awq.md")
    commit_all(repo, "Delete AWQ", at("2026-10-03"))
    write_entry(repo, "glossary/awq", {**MINI["glossary/awq"], "title": "AWQ again"})
    commit_all(repo, "Another AWQ", at("2026-10-04"))
    from pipeline.history.log import entry_history

    assert entry_history(load_settings(repo))["glossary/awq"].created == "2026-10-04"


SECOND = "2026-10-05T10:00:00+00:00"  # a rebased branch: every commit in one second


def test_a_correction_made_after_a_rename_in_the_same_second_stays_with_its_entry(repo):
    """Found in review: the renames "made after" a correction were those of its second or
    later, so a correction of a new glossary/awq, written after the old one was renamed
    to awq-method in the same second (a rebase), was listed as awq-method's."""
    git(repo, "mv", "entries/glossary/awq.md", "entries/glossary/awq-method.md")
    edit(repo, "tools/vllm", "- glossary/awq", "- glossary/awq-method")
    commit_all(repo, "Rename AWQ", SECOND)
    write_entry(repo, "glossary/awq", {**MINI["glossary/awq"], "title": "AWQ two"}, "New.\n")
    commit_all(repo, "Another AWQ", SECOND)
    edit(repo, "glossary/awq", "New.", "New, fixed.")
    commit_all(repo, "Fix\n\nCorrection: the new one was wrong.", SECOND)
    cs = changes_in_period(load_settings(repo), "2026-10-01", "2026-11-01")
    assert [(c.entry, c.text) for c in cs.corrections] == [
        ("glossary/awq", "the new one was wrong.")]


def test_a_correction_made_before_a_rename_in_the_same_second_follows_it(repo):
    edit(repo, "glossary/awq", "Text.", "Text, fixed.")
    commit_all(repo, "Fix\n\nCorrection: AWQ is 4-bit.", SECOND)
    git(repo, "mv", "entries/glossary/awq.md", "entries/glossary/awq-method.md")
    edit(repo, "tools/vllm", "- glossary/awq", "- glossary/awq-method")
    commit_all(repo, "Rename AWQ", SECOND)
    write_entry(repo, "glossary/awq", {**MINI["glossary/awq"], "title": "AWQ two"}, "New.\n")
    commit_all(repo, "Another AWQ", SECOND)
    cs = changes_in_period(load_settings(repo), "2026-10-01", "2026-11-01")
    assert [(c.entry, c.text) for c in cs.corrections] == [
        ("glossary/awq-method", "AWQ is 4-bit.")]


def test_a_start_beside_the_end_is_named_with_where_they_parted(repo, cli):
    """Found in review: `--from` a branch not merged into `--to` listed the entries only
    the branch had as removed, without a word that the two had parted."""
    base = git(repo, "rev-parse", "HEAD").strip()
    git(repo, "checkout", "-q", "-b", "side")
    write_entry(repo, "glossary/gptq", {**MINI["glossary/awq"], "title": "GPTQ"}, "GPTQ.\n")
    commit_all(repo, "Add GPTQ", at("2026-10-03"))
    git(repo, "checkout", "-q", "main")
    write_entry(repo, "glossary/gguf", {**MINI["glossary/awq"], "title": "GGUF"}, "GGUF.\n")
    commit_all(repo, "Add GGUF", at("2026-10-04"))
    r = cli(repo, "changes", "--from", "side", "--to", "main")
    assert r.exit_code == 0
    assert (f"warning: side ({git(repo, 'rev-parse', 'side').strip()[:12]}) is not an "
            "ancestor of main") in r.stderr
    assert f"For what main changed since they parted: --from {base[:12]} --to main" in r.stderr
    assert "removed   glossary/gptq" in r.stdout  # the two trees, as documented
    r = cli(repo, "changes", "--from", "side", "--to", "main", "--format", "json")
    assert json.loads(r.stdout)["parted"] == base
    r = cli(repo, "changes", "--from", base, "--to", "main")
    assert r.stderr == "" and "removed" not in r.stdout
