"""`pipeline changes`: corrections found as the entry page finds them, renames commit by
commit (not what the two trees suggest), and a shallow clone cut within the period."""

from __future__ import annotations

import pytest

from conftest import MINI, commit_all, git, write_entry
from test_changes import at
from pipeline.config import load_settings
from pipeline.history import gitio
from pipeline.history.changes import changes_between, changes_in_period
from pipeline.history.log import entry_history

BENCH = {"title": "Llama on the RTX 3090", "status": "published",
         "summary": "Tokens per second of Llama 3.1 8B, Q4_K_M, llama.cpp, one RTX 3090.",
         "authors": ["ana"], "published": "2026-01-10", "category": "Benchmarks"}
TEMPLATE_BODY = "".join(f"Line {i} of the benchmark template: setup, method and results.\n"
                        for i in range(30))


def kinds(cs) -> dict[str, tuple[str, str | None]]:
    return {c.entry: (c.kind, c.previous) for c in cs.changes}


def test_a_correction_with_a_space_before_the_colon_is_listed_as_the_page_lists_it(repo, cli):
    p = repo / "entries" / "tools" / "vllm.md"
    p.write_text(p.read_text(encoding="utf-8").replace("Best for many users.",
                                                       "Best for many users, on Linux."),
                 encoding="utf-8")
    sha = commit_all(repo, "Fix vLLM\n\nCorrection : it runs on Linux only.", at("2026-10-05"))
    settings = load_settings(repo)
    page = entry_history(settings)["tools/vllm"].corrections
    assert [c.commit for c in page] == [sha]  # git reads it as a trailer, the page lists it
    cs = changes_in_period(settings, "2026-10-01", "2026-11-01")
    assert [(c.entry, c.commit, c.text) for c in cs.corrections] == [
        ("tools/vllm", sha, page[0].text)]
    r = cli(repo, "changes", "--since", "2026-10-01", "--until", "2026-11-01")
    assert r.exit_code == 0 and "1 correction\n" in r.output


def test_an_entry_added_after_another_was_deleted_in_the_month_is_no_rename(repo, cli):
    write_entry(repo, "benchmarks/llama-3090", BENCH, TEMPLATE_BODY)
    commit_all(repo, "Benchmark", at("2026-09-10"))
    git(repo, "rm", "-q", "entries/benchmarks/llama-3090.md")
    commit_all(repo, "Remove the 3090 benchmark", at("2026-10-02"))
    write_entry(repo, "benchmarks/llama-4090", {**BENCH, "title": "Llama on the RTX 4090"},
                TEMPLATE_BODY.replace("Line 0 ", "Line zero "))
    commit_all(repo, "New benchmark on the 4090", at("2026-10-20"))
    start = git(repo, "rev-parse", "HEAD~2").strip()
    # the two trees alone pair them; commit by commit git sees a deletion, then an addition
    assert [(t.status, t.old_id, t.new_id) for t in gitio.diff_trees(
        load_settings(repo), start, "HEAD")] == [
        ("R", "benchmarks/llama-3090", "benchmarks/llama-4090")]
    cs = changes_in_period(load_settings(repo), "2026-10-01", "2026-11-01")
    assert kinds(cs) == {"benchmarks/llama-3090": ("removed", None),
                         "benchmarks/llama-4090": ("added", None)}
    r = cli(repo, "changes", "--since", "2026-10-01", "--until", "2026-11-01")
    assert "renamed" not in r.output and "was benchmarks/llama-3090" not in r.output


def test_a_tree_rename_declared_by_redirect_from_stays_a_rename(repo):
    write_entry(repo, "benchmarks/llama-3090", BENCH, TEMPLATE_BODY)
    commit_all(repo, "Benchmark", at("2026-09-10"))
    git(repo, "rm", "-q", "entries/benchmarks/llama-3090.md")
    commit_all(repo, "Remove it", at("2026-10-02"))
    write_entry(repo, "benchmarks/llama-4090", {**BENCH, "redirect_from":
                                                ["benchmarks/llama-3090"]}, TEMPLATE_BODY)
    commit_all(repo, "Back under a new id", at("2026-10-20"))
    cs = changes_in_period(load_settings(repo), "2026-10-01", "2026-11-01")
    assert kinds(cs) == {"benchmarks/llama-4090": ("renamed", "benchmarks/llama-3090")}


def test_renamed_then_deleted_then_another_entry_under_the_new_id_is_removed_plus_added(repo):
    git(repo, "mv", "entries/glossary/awq.md", "entries/glossary/awq-old.md")
    commit_all(repo, "Rename AWQ", at("2026-10-02"))
    git(repo, "rm", "-q", "entries/glossary/awq-old.md")
    commit_all(repo, "Drop it", at("2026-10-03"))
    write_entry(repo, "glossary/awq-old", {"title": "Something Else", "status": "published",
                                           "summary": "Another term.", "authors": ["ben"],
                                           "published": "2026-10-04",
                                           "category": "Formats & quantization"},
                "Wholly other text.\n")
    commit_all(repo, "New entry", at("2026-10-04"))
    settings = load_settings(repo)
    start = git(repo, "rev-parse", "HEAD~3").strip()  # the trees alone: no rename either
    assert sorted(t.status for t in gitio.diff_trees(settings, start, "HEAD")) == ["A", "D"]
    cs = changes_in_period(settings, "2026-10-01", "2026-11-01")
    assert kinds(cs) == {"glossary/awq": ("removed", None), "glossary/awq-old": ("added", None)}


def test_a_shallow_clone_cut_within_the_period_is_the_shallow_clone_error(repo, cli, tmp_path):
    commit_all(repo, "September", at("2026-09-20"))
    git(repo, "checkout", "-q", "-b", "feat")
    git(repo, "mv", "entries/glossary/awq.md", "entries/glossary/awq-quant.md")
    commit_all(repo, "Rename", at("2026-09-25"))
    p = repo / "entries" / "glossary" / "awq-quant.md"
    p.write_text(p.read_text(encoding="utf-8").replace("A quantization method.",
                                                       "A weight quantization method."),
                 encoding="utf-8")
    commit_all(repo, "Rewrite\n\nCorrection: awq was wrong.", at("2026-09-26"))
    git(repo, "checkout", "-q", "main")
    p = repo / "entries" / "tools" / "vllm.md"
    p.write_text(p.read_text(encoding="utf-8") + "More.\n", encoding="utf-8")
    commit_all(repo, "October", at("2026-10-02"))
    git(repo, "merge", "-q", "--no-ff", "feat", "-m", "Merge feat",
        env={"GIT_AUTHOR_DATE": at("2026-10-10"), "GIT_COMMITTER_DATE": at("2026-10-10")})
    clone = tmp_path / "shallow"
    # the merge, its parents, theirs: September's commit (the month's start) and the
    # rename, both cut off from their parents
    git(tmp_path, "clone", "-q", "--depth", "3", repo.as_uri(), str(clone))
    settings = load_settings(clone)
    assert gitio.is_shallow(gitio.open_repo(settings))
    with pytest.raises(gitio.ShallowClone, match="before 2026-10-01"):
        changes_in_period(settings, "2026-10-01", "2026-11-01")
    with pytest.raises(gitio.ShallowClone):
        changes_between(settings, "HEAD~1", "HEAD")
    r = cli(clone, "changes", "--since", "2026-10-01", "--until", "2026-11-01")
    assert r.exit_code == 2 and "shallow clone" in r.output and "fetch-depth: 0" in r.output
    # deep enough: the period is all here, and read as in the whole repository
    deeper = tmp_path / "deeper"
    git(tmp_path, "clone", "-q", "--depth", "4", repo.as_uri(), str(deeper))
    got = changes_in_period(load_settings(deeper), "2026-10-01", "2026-11-01")
    want = changes_in_period(load_settings(repo), "2026-10-01", "2026-11-01")
    assert kinds(got) == kinds(want) == {
        "glossary/awq-quant": ("renamed", "glossary/awq"), "tools/vllm": ("modified", None)}


def test_an_entry_broken_at_the_start_then_renamed_and_rewritten_is_one_rename(repo):
    p = repo / "entries" / "glossary" / "awq.md"
    p.write_text(p.read_text(encoding="utf-8").replace("title: AWQ", 'title: "AWQ'),
                 encoding="utf-8")
    commit_all(repo, "Break it", at("2026-09-20"))
    git(repo, "mv", "entries/glossary/awq.md", "entries/glossary/awq-x.md")
    commit_all(repo, "Rename", at("2026-10-02"))
    write_entry(repo, "glossary/awq-x", {**MINI["glossary/awq"], "summary": "Rewritten."},
                "".join(f"New paragraph {i}: nothing like the old text at all.\n"
                        for i in range(40)))
    commit_all(repo, "Fix and rewrite", at("2026-10-03"))
    settings = load_settings(repo)
    start = git(repo, "rev-parse", "HEAD~2").strip()
    assert sorted(t.status for t in gitio.diff_trees(settings, start, "HEAD")) == ["A", "D"]
    cs = changes_in_period(settings, "2026-10-01", "2026-11-01")
    assert kinds(cs) == {"glossary/awq-x": ("renamed", "glossary/awq")}
    (change,) = cs.changes
    assert change.old is None and change.problems  # why its fields are not known
    assert not change.published_now  # it was online (published) before it broke


# Found in review of the fixes above.

def test_a_shallow_clone_cut_at_the_months_start_commit_reads_the_month(repo, tmp_path):
    """The month's start commit is there (cut off from its parents): the month is whole."""
    commit_all(repo, "September", at("2026-09-20"))
    p = repo / "entries" / "tools" / "vllm.md"
    p.write_text(p.read_text(encoding="utf-8") + "More.\n", encoding="utf-8")
    commit_all(repo, "October", at("2026-10-02"))
    git(repo, "mv", "entries/glossary/awq.md", "entries/glossary/awq-q.md")
    commit_all(repo, "Rename", at("2026-10-03"))
    clone = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "3", repo.as_uri(), str(clone))
    settings = load_settings(clone)
    assert gitio.is_shallow(gitio.open_repo(settings))
    got = changes_in_period(settings, "2026-10-01", "2026-11-01")
    want = changes_in_period(load_settings(repo), "2026-10-01", "2026-11-01")
    assert kinds(got) == kinds(want) == {"glossary/awq-q": ("renamed", "glossary/awq"),
                                         "tools/vllm": ("modified", None)}


def test_an_entry_written_under_a_deleted_id_and_renamed_is_no_rename_of_it(repo):
    """Found in review of a fix that took any file put back under a deleted id for the
    deleted entry: another benchmark written there and renamed read as a rename of the
    deleted one, its fields compared with it. (An entry deleted, restored by a revert and
    then renamed is that entry renamed: the file that came back is the one deleted, byte
    for byte; see test_changes_review23.)"""
    write_entry(repo, "benchmarks/llama-3090", BENCH, TEMPLATE_BODY)
    commit_all(repo, "Benchmark", at("2026-09-10"))
    git(repo, "rm", "-q", "entries/benchmarks/llama-3090.md")
    commit_all(repo, "Remove the 3090 benchmark", at("2026-10-02"))
    write_entry(repo, "benchmarks/llama-3090", {**BENCH, "title": "Mistral on the RTX 4090"},
                "Another benchmark altogether.\n")
    commit_all(repo, "Another benchmark", at("2026-10-05"))
    git(repo, "mv", "entries/benchmarks/llama-3090.md", "entries/benchmarks/mistral-4090.md")
    commit_all(repo, "Name it", at("2026-10-06"))
    cs = changes_in_period(load_settings(repo), "2026-10-01", "2026-11-01")
    assert kinds(cs) == {"benchmarks/llama-3090": ("removed", None),
                         "benchmarks/mistral-4090": ("added", None)}


def test_the_markdown_report_keeps_an_editors_words_as_words(repo, cli):
    """A title with a line break and `## x` made a heading of a pull request's comment;
    emphasis and links in titles and corrections passed through (found in review)."""
    write_entry(repo, "glossary/awq", {**MINI["glossary/awq"],
                                       "title": "AWQ *fast*\n## [click](https://evil.example)"},
                "Text.\n")
    commit_all(repo, "Retitle AWQ\n\nCorrection: it was <b>slow</b> & _wrong_", "2026-10-05T12:00:00")
    r = cli(repo, "changes", "--from", "HEAD~1", "--format", "markdown")
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    item = next(line for line in lines if line.startswith("- `glossary/awq`"))
    assert item == ("- `glossary/awq` AWQ \\*fast\\* \\#\\# \\[click\\](https\\://evil.example)")
    assert not any(line.startswith("## [") for line in lines)
    assert any(line.endswith(": it was \\<b\\>slow\\</b\\> \\& \\_wrong\\_") for line in lines)
    text = cli(repo, "changes", "--from", "HEAD~1").output
    assert '"AWQ *fast* ## [click](https://evil.example)"' in text  # one line, as written


def test_a_range_that_runs_backwards_is_refused(repo, cli):
    """`--from HEAD --to HEAD~1` read every change reversed, without a word (found in review)."""
    write_entry(repo, "glossary/gptq", {**MINI["glossary/awq"], "title": "GPTQ"}, "GPTQ.\n")
    commit_all(repo, "Add GPTQ", "2026-10-05T12:00:00")
    r = cli(repo, "changes", "--from", "HEAD", "--to", "HEAD~1")
    assert r.exit_code == 2 and "HEAD comes after HEAD~1" in r.output
    assert "--from HEAD~1 --to HEAD" in r.output
    r = cli(repo, "changes", "--from", "HEAD~1", "--to", "HEAD")
    assert r.exit_code == 0 and "added" in r.output
    assert cli(repo, "changes", "--from", "HEAD", "--to", "HEAD").exit_code == 0
