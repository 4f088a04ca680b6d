"""`pipeline changes`: a scripted month on a real repository, through the real CLI."""

from __future__ import annotations

import json

import pytest

from conftest import MINI, commit_all, git, write_entry
from pipeline.config import load_settings
from pipeline.history import gitio
from pipeline.history.changes import changes_between, changes_in_period

OLLAMA = {"title": "Ollama", "status": "published", "summary": "Run open models with one command.",
          "authors": ["ana"], "published": "2026-10-03",
          "repository": "https://github.com/ollama/ollama",
          "verdict": {"rating": "recommended", "text": "The easiest start on Linux.",
                      "date": "2026-10-03", "by": "ana"}}
GPTQ = {"title": "GPTQ", "status": "draft", "summary": "Post-training quantization.",
        "authors": ["ana"], "category": "Formats & quantization"}
GGUF = {"title": "GGUF", "status": "draft", "summary": "llama.cpp's file format.",
        "authors": ["ana"], "category": "Formats & quantization"}
CORRECTION = "the verdict said Linux only; Ollama runs on macOS and Windows too."


def at(day: str) -> str:
    return f"{day}T10:00:00+00:00"


def edit(root, entry_id, old, new):
    p = root / "entries" / f"{entry_id}.md"
    text = p.read_text(encoding="utf-8")
    assert old in text
    p.write_text(text.replace(old, new), encoding="utf-8")


def scripted_month(root) -> dict[str, str]:
    """On the minimal repo (2026-09-01): a September draft, October's changes, one November change.

    October 2026: tools/ollama added (published); tools/vllm's verdict goes
    recommended -> situational; glossary/awq renamed to glossary/awq-quantization
    with the reference in tools/vllm updated; a correction of tools/ollama;
    glossary/gptq (a September draft) published; glossary/gguf added as a draft.
    November: glossary/gguf published and Ollama's verdict changed.
    """
    shas = {}
    write_entry(root, "glossary/gptq", GPTQ)
    shas["september"] = commit_all(root, "Draft GPTQ", at("2026-09-15"))
    write_entry(root, "tools/ollama", OLLAMA)
    shas["new"] = commit_all(root, "Add Ollama", at("2026-10-03"))
    edit(root, "tools/vllm", "rating: recommended", "rating: situational")
    edit(root, "tools/vllm", "Best for many users.", "Best for serving many users; heavy for one.")
    shas["verdict"] = commit_all(root, "vLLM: situational", at("2026-10-08"))
    git(root, "mv", "entries/glossary/awq.md", "entries/glossary/awq-quantization.md")
    edit(root, "glossary/awq-quantization", "category:", "redirect_from:\n- glossary/awq\ncategory:")
    edit(root, "tools/vllm", "- glossary/awq", "- glossary/awq-quantization")
    shas["rename"] = commit_all(root, "Rename AWQ", at("2026-10-12"))
    edit(root, "glossary/gptq", "status: draft", "status: published\npublished: '2026-10-15'")
    shas["publish"] = commit_all(root, "Publish GPTQ", at("2026-10-15"))
    edit(root, "tools/ollama", "The easiest start on Linux.",
         "The easiest start on Linux, macOS and Windows.")
    shas["correction"] = commit_all(root, f"Fix Ollama's platforms\n\nCorrection: {CORRECTION}",
                                    at("2026-10-20"))
    write_entry(root, "glossary/gguf", GGUF)
    shas["draft"] = commit_all(root, "Draft GGUF", at("2026-10-25"))
    edit(root, "glossary/gguf", "status: draft", "status: published\npublished: '2026-11-02'")
    edit(root, "tools/ollama", "rating: recommended", "rating: situational")
    shas["november"] = commit_all(root, "November", at("2026-11-02"))
    return shas


@pytest.fixture
def month(repo):
    return repo, scripted_month(repo)


def by_entry(data: dict) -> dict:
    return {c["entry"]: c for c in data["changes"]}


def test_json_has_exactly_the_months_changes(month, cli):
    root, shas = month
    r = cli(root, "changes", "--since", "2026-10-01", "--until", "2026-11-01", "--format", "json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    assert data["from"] == shas["september"] and data["to"] == shas["draft"]
    changes = by_entry(data)
    assert sorted(changes) == ["glossary/awq-quantization", "glossary/gguf", "glossary/gptq",
                               "tools/ollama", "tools/vllm"]
    assert changes["tools/ollama"]["kind"] == "added"
    assert changes["glossary/gguf"] == {"kind": "added", "entry": "glossary/gguf",
                                        "title": "GGUF", "status": "draft"}
    rename = changes["glossary/awq-quantization"]
    assert rename["kind"] == "renamed" and rename["previous"] == "glossary/awq"
    assert [f["field"] for f in rename["fields"]] == ["redirect_from"]
    vllm = changes["tools/vllm"]
    assert vllm["kind"] == "modified"
    assert vllm["verdict_change"] == {
        "old": {"rating": "recommended", "text": "Best for many users."},
        "new": {"rating": "situational", "text": "Best for serving many users; heavy for one."},
        "rating_changed": True}
    related = next(f for f in vllm["fields"] if f["field"] == "related")
    assert related == {"field": "related", "old": ["glossary/awq"],
                       "new": ["glossary/awq-quantization"]}
    gptq = changes["glossary/gptq"]
    assert gptq["status_change"] == {"old": "draft", "new": "published"}
    assert data["corrections"] == [{"entry": "tools/ollama", "commit": shas["correction"],
                                    "date": "2026-10-20", "text": CORRECTION}]


def test_text_and_markdown_formats(month, cli):
    root, _ = month
    text = cli(root, "changes", "--since", "2026-10-01", "--until", "2026-11-01").output
    assert "renamed   glossary/awq-quantization (was glossary/awq)" in text
    assert "verdict recommended -> situational" in text
    assert "status draft -> published" in text
    assert CORRECTION in text
    assert "situational -> " not in text  # November's Ollama change is not October's
    md = cli(root, "changes", "--since", "2026-10-01", "--until", "2026-11-01",
             "--format", "markdown").output
    assert "## Renamed (1)" in md and "## Added (3)" not in md and "## Added (2)" in md
    # the ids in code, the words in text: `x (was y)` read as one id
    assert "- `glossary/awq-quantization` (was `glossary/awq`) AWQ\n" in md
    assert "## Corrections" in md


def test_revisions_instead_of_dates(month, cli):
    root, shas = month
    r = cli(root, "changes", "--from", shas["draft"], "--format", "json")
    data = json.loads(r.output)
    assert data["to"] == shas["november"]
    assert by_entry(data)["glossary/gguf"]["status_change"] == {"old": "draft",
                                                               "new": "published"}
    assert by_entry(data)["tools/ollama"]["verdict_change"]["rating_changed"] is True
    assert data["corrections"] == []


def test_a_rename_is_one_change_even_with_edits(repo):
    git(repo, "mv", "entries/tools/vllm.md", "entries/tools/vllm-engine.md")
    edit(repo, "tools/vllm-engine", "title: vLLM", "title: vLLM engine")
    sha = commit_all(repo, "Rename vLLM", at("2026-10-02"))
    cs = changes_between(load_settings(repo), "HEAD~1", sha)
    assert [(c.kind, c.entry, c.previous) for c in cs.changes] == [
        ("renamed", "tools/vllm-engine", "tools/vllm")]
    assert [(f.field, f.old, f.new) for f in cs.changes[0].fields] == [
        ("title", "vLLM", "vLLM engine")]


def test_removed_and_broken_entries(repo):
    (repo / "entries/glossary/awq.md").unlink()
    (repo / "entries/tools/vllm.md").write_text("no front matter\n", encoding="utf-8")
    commit_all(repo, "Break things", at("2026-10-02"))
    cs = changes_between(load_settings(repo), "HEAD~1", "HEAD")
    kinds = {c.entry: c for c in cs.changes}
    assert kinds["glossary/awq"].kind == "removed" and kinds["glossary/awq"].title == "AWQ"
    broken = kinds["tools/vllm"]
    assert broken.kind == "modified" and broken.new is None
    assert broken.problems == ["entries/tools/vllm.md:1: no front matter: the first line must be "
                               f"`---` (at {cs.end[:12]}, the end)"]


def test_an_entry_broken_at_the_start_and_published_before_it_broke_is_not_news(repo):
    """Its status at the start is that of its last revision that parsed: published, so
    fixing the file is no news (it was announced as new; found in review).
    tests/test_history_gaps.py has a draft broken and then published, which is news."""
    (repo / "entries/glossary/awq.md").write_text("---\ntitle: [broken\n---\n")
    start = commit_all(repo, "Broken", at("2026-09-15"))
    write_entry(repo, "glossary/awq", MINI["glossary/awq"])
    commit_all(repo, "Fixed and published", at("2026-10-02"))
    (change,) = changes_between(load_settings(repo), start, "HEAD").changes
    assert change.kind == "modified" and not change.published_now
    assert change.problems[0].endswith(f"(at {start[:12]}, the start)")


def test_a_period_before_the_history_counts_everything_as_added(repo):
    cs = changes_in_period(load_settings(repo), "2026-08-01", "2026-10-01")
    assert cs.start is None and {c.kind for c in cs.changes} == {"added"}
    assert len(cs.changes) == len(MINI)


def test_only_changed_blobs_are_parsed(month, monkeypatch):
    root, _ = month
    parsed = []
    import pipeline.history.changes as mod

    real = mod.parse_entry
    monkeypatch.setattr(mod, "parse_entry", lambda p, d, x: parsed.append(p) or real(p, d, x))
    changes_in_period(load_settings(root), "2026-10-01", "2026-11-01")
    assert sorted(set(parsed)) == ["entries/glossary/awq-quantization.md", "entries/glossary/awq.md",
                                   "entries/glossary/gguf.md", "entries/glossary/gptq.md",
                                   "entries/tools/ollama.md", "entries/tools/vllm.md"]


@pytest.mark.parametrize("args, message", [
    ((), "say where to start"),
    (("--since", "2026-13-01"), "'2026-13-01' is not a date"),
    (("--since", "2026-10-01", "--until", "2026-09-01"), "is not after"),
    (("--since", "2026-10-01", "--from", "HEAD"), "not both"),
    (("--from", "nope"), "unknown revision 'nope'"),
    # empty, they read as not given: `--to ""` quietly meant HEAD (found in review)
    (("--from", "HEAD", "--to", ""), "--to is empty; give a revision"),
    (("--from", ""), "--from is empty; give a revision"),
    (("--since", "2026-10-01", "--until", ""), "--until is empty; give a date YYYY-MM-DD"),
])
def test_usage_errors_are_plain(repo, cli, args, message):
    r = cli(repo, "changes", *args)
    assert r.exit_code == 2 and message in r.output and "Traceback" not in r.output


def test_a_shallow_clone_says_how_to_fix_it(month, cli, tmp_path):
    root, _ = month
    clone = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", root.as_uri(), str(clone))
    assert gitio.is_shallow(gitio.open_repo(load_settings(clone)))
    r = cli(clone, "changes", "--since", "2026-10-01", "--until", "2026-11-01")
    assert r.exit_code == 2
    assert "shallow clone" in r.output and "fetch-depth: 0" in r.output
    assert "Traceback" not in r.output
    r = cli(clone, "changes", "--from", "HEAD~3")
    assert r.exit_code == 2 and "fetch-depth: 0" in r.output


def test_a_correction_follows_a_chain_of_renames_inside_the_period(repo):
    git(repo, "mv", "entries/glossary/awq.md", "entries/glossary/awq-method.md")
    commit_all(repo, "Rename once", at("2026-10-02"))
    edit(repo, "glossary/awq-method", "A quantization method.", "A 4-bit quantization method.")
    commit_all(repo, "Fix\n\nCorrection: AWQ is 4-bit.", at("2026-10-03"))
    git(repo, "mv", "entries/glossary/awq-method.md", "entries/glossary/activation-aware.md")
    commit_all(repo, "Rename twice", at("2026-10-04"))
    cs = changes_in_period(load_settings(repo), "2026-10-01", "2026-11-01")
    assert [(c.kind, c.entry, c.previous) for c in cs.changes] == [
        ("renamed", "glossary/activation-aware", "glossary/awq")]
    assert [(k.entry, k.text) for k in cs.corrections] == [("glossary/activation-aware",
                                                            "AWQ is 4-bit.")]


def test_a_correction_from_a_branch_begun_before_a_rename_follows_the_rename(repo):
    """The branch still had the old file; main renamed it before the merge. The
    correction was put on the dead old id and dropped from the digest and the entry's
    history (found in review)."""
    from pipeline.history.log import entry_history

    git(repo, "checkout", "-q", "-b", "fix")
    commit_all(repo, "Work in progress", at("2026-09-10"))
    git(repo, "checkout", "-q", "main")
    git(repo, "mv", "entries/glossary/awq.md", "entries/glossary/awq-method.md")
    commit_all(repo, "Rename on main", at("2026-09-25"))
    git(repo, "checkout", "-q", "fix")
    edit(repo, "glossary/awq", "A quantization method.", "A 4-bit quantization method.")
    commit_all(repo, "Fix\n\nCorrection: AWQ is 4-bit.", at("2026-10-02"))
    git(repo, "checkout", "-q", "main")
    git(repo, "merge", "-q", "--no-ff", "fix", "-m", "Merge fix",
        env={"GIT_AUTHOR_DATE": at("2026-10-05"), "GIT_COMMITTER_DATE": at("2026-10-05")})
    settings = load_settings(repo)
    cs = changes_in_period(settings, "2026-10-01", "2026-11-01")
    assert [(k.entry, k.text) for k in cs.corrections] == [("glossary/awq-method",
                                                            "AWQ is 4-bit.")]
    assert [c.text for c in entry_history(settings)["glossary/awq-method"].corrections] == [
        "AWQ is 4-bit."]


def test_a_correction_of_a_deleted_entry_is_not_carried_to_a_new_one_of_its_name(repo):
    from pipeline.history.log import entry_history

    edit(repo, "glossary/awq", "A quantization method.", "A 4-bit quantization method.")
    commit_all(repo, "Fix\n\nCorrection: AWQ is 4-bit.", at("2026-09-20"))
    (repo / "entries/glossary/awq.md").unlink()
    commit_all(repo, "Delete", at("2026-10-01"))
    write_entry(repo, "glossary/awq", {**MINI["glossary/awq"], "title": "AWQ reborn"})
    commit_all(repo, "Another entry of that name", at("2026-10-05"))
    h = entry_history(load_settings(repo))["glossary/awq"]
    assert (h.created, h.corrections) == ("2026-10-05", [])


def test_a_rename_then_a_rewrite_is_one_rename(repo):
    """Start and end trees alone are too unlike for git to pair: the rename is read
    from its own commit (it read as removed plus added, found in review)."""
    git(repo, "mv", "entries/glossary/awq.md", "entries/glossary/awq-method.md")
    commit_all(repo, "Rename", at("2026-10-02"))
    write_entry(repo, "glossary/awq-method", {**MINI["glossary/awq"], "title": "AWQ method"},
                "Rewritten from the first word to the last, " * 20 + "\n")
    commit_all(repo, "Rewrite", at("2026-10-10"))
    cs = changes_in_period(load_settings(repo), "2026-10-01", "2026-11-01")
    assert [(c.kind, c.entry, c.previous) for c in cs.changes] == [
        ("renamed", "glossary/awq-method", "glossary/awq")]
    assert [f.field for f in cs.changes[0].fields] == ["title", "body"]


def test_a_rename_and_a_new_entry_under_the_old_name(repo):
    """Read backwards before (the old id modified, the renamed one added)."""
    git(repo, "mv", "entries/glossary/awq.md", "entries/glossary/awq-method.md")
    commit_all(repo, "Rename", at("2026-10-04"))
    write_entry(repo, "glossary/awq", {**MINI["glossary/awq"], "title": "AWQ, the new one",
                                       "summary": "Another entry."}, "Different.\n")
    commit_all(repo, "A new entry takes the name", at("2026-10-05"))
    cs = changes_in_period(load_settings(repo), "2026-10-01", "2026-11-01")
    assert sorted((c.kind, c.entry, c.previous, c.title) for c in cs.changes) == [
        ("added", "glossary/awq", None, "AWQ, the new one"),
        ("renamed", "glossary/awq-method", "glossary/awq", "AWQ")]
    assert cs.changes[0].new.title == "AWQ, the new one"


def test_the_history_cache_and_a_full_walk_agree_on_a_name_reused_the_same_day(repo):
    """A corrected entry deleted and another added under its name on the same day: the
    walk from the cache and a full walk disagreed on whose correction it was (found in
    review). Corrections on the line now come with their commit, as the entry is then."""
    from pipeline.history.log import entry_history

    settings = load_settings(repo)
    edit(repo, "glossary/awq", "A quantization method.", "A 4-bit quantization method.")
    commit_all(repo, "Fix\n\nCorrection: AWQ is 4-bit.", "2026-10-05T09:00:00+00:00")
    assert [c.text for c in entry_history(settings)["glossary/awq"].corrections] == [
        "AWQ is 4-bit."]  # and the cache holds it
    (repo / "entries/glossary/awq.md").unlink()
    commit_all(repo, "Delete", "2026-10-05T10:00:00+00:00")
    write_entry(repo, "glossary/awq", {**MINI["glossary/awq"], "title": "AWQ reborn"})
    commit_all(repo, "Another entry of that name", "2026-10-05T11:00:00+00:00")
    from_cache = entry_history(settings)["glossary/awq"].corrections
    (repo / ".pipeline-cache/history.json").unlink()
    assert from_cache == entry_history(settings)["glossary/awq"].corrections == []


def test_a_correction_renaming_and_rewriting_an_entry_is_one_correction(repo):
    """Renamed and rewritten in one commit (git reads a deletion and an addition), with
    `redirect_from` saying it is a rename: the correction was listed twice, the second
    time for the old id, which no longer exists (found in review)."""
    git(repo, "rm", "-q", "entries/glossary/awq.md")
    write_entry(repo, "glossary/awq-method", {**MINI["glossary/awq"], "title": "AWQ method",
                                              "redirect_from": ["glossary/awq"]},
                "Rewritten from the first word to the last, " * 20 + "\n")
    commit_all(repo, "Rename and rewrite\n\nCorrection: AWQ is 4-bit.", at("2026-10-02"))
    cs = changes_in_period(load_settings(repo), "2026-10-01", "2026-11-01")
    assert [(c.kind, c.entry, c.previous) for c in cs.changes] == [
        ("renamed", "glossary/awq-method", "glossary/awq")]
    assert [(k.entry, k.text) for k in cs.corrections] == [("glossary/awq-method",
                                                            "AWQ is 4-bit.")]


def test_a_correction_in_the_merge_of_a_rename_and_a_rewrite_is_one_correction(repo):
    """The merge's diff against main reads the branch's rename, then rewrite, as a
    deletion and an addition: its trailer was listed for the old id too."""
    git(repo, "checkout", "-q", "-b", "pr")
    git(repo, "mv", "entries/glossary/awq.md", "entries/glossary/awq-method.md")
    commit_all(repo, "Rename", at("2026-10-02"))
    write_entry(repo, "glossary/awq-method", {**MINI["glossary/awq"], "title": "AWQ method"},
                "Rewritten from the first word to the last, " * 20 + "\n")
    commit_all(repo, "Rewrite", at("2026-10-03"))
    git(repo, "checkout", "-q", "main")
    git(repo, "merge", "-q", "--no-ff", "pr", "-m", "Merge pr\n\ncorrection: AWQ is 4-bit.",
        env={"GIT_AUTHOR_DATE": at("2026-10-05"), "GIT_COMMITTER_DATE": at("2026-10-05")})
    cs = changes_in_period(load_settings(repo), "2026-10-01", "2026-11-01")
    assert [(c.kind, c.entry) for c in cs.changes] == [("renamed", "glossary/awq-method")]
    assert [(k.entry, k.text) for k in cs.corrections] == [("glossary/awq-method",
                                                            "AWQ is 4-bit.")]
