"""`pipeline changes` and the digest draft: ids swapped or freed and taken within the
period are renames, commit by commit, not entries modified into others."""

from __future__ import annotations

from conftest import commit_all, git, write_entry
from test_changes import at, edit
from test_changes_review17 import kinds
from test_digest import block
from pipeline.config import load_settings
from pipeline.history.changes import changes_in_period

SGLANG = {"title": "SGLang", "status": "published", "summary": "A fast serving framework.",
          "authors": ["ana"], "published": "2026-01-10",
          "repository": "https://github.com/sgl-project/sglang",
          "verdict": {"rating": "situational", "text": "Fast, and young.",
                      "date": "2026-01-10", "by": "ana"}}
FIX = "vLLM's summary named the wrong licence."


def with_sglang(root) -> None:
    write_entry(root, "tools/sglang", SGLANG, "SGLang serves models with RadixAttention.\n" * 4)
    commit_all(root, "Add SGLang", at("2026-09-10"))


def mv(root, old: str, new: str, day: str) -> None:
    git(root, "mv", f"entries/{old}.md", f"entries/{new}.md")
    commit_all(root, f"Rename {old} to {new}", at(day))


def swap(root) -> None:
    """tools/vllm and tools/sglang trade ids, one `git mv` a commit."""
    mv(root, "tools/vllm", "tools/tmp", "2026-10-12")
    mv(root, "tools/sglang", "tools/vllm", "2026-10-13")
    mv(root, "tools/tmp", "tools/sglang", "2026-10-14")


def draft(cli, root) -> str:
    r = cli(root, "digest", "draft", "2026-10", "--offline")
    assert r.exit_code == 0, r.output
    return (root / "digests" / "2026-10.md").read_text(encoding="utf-8")


def test_two_ids_swapped_are_two_renames_and_no_verdict_change(repo, cli):
    with_sglang(repo)
    edit(repo, "tools/vllm", "A serving engine.", "A serving engine (Apache 2.0).")
    commit_all(repo, f"vLLM's licence\n\nCorrection: {FIX}", at("2026-10-05"))
    swap(repo)
    cs = changes_in_period(load_settings(repo), "2026-10-01", "2026-11-01")
    assert kinds(cs) == {"tools/sglang": ("renamed", "tools/vllm"),
                         "tools/vllm": ("renamed", "tools/sglang")}
    by_id = {c.entry: c for c in cs.changes}
    assert by_id["tools/sglang"].title == "vLLM" and by_id["tools/vllm"].title == "SGLang"
    assert [f.field for f in by_id["tools/sglang"].fields] == ["summary"]
    assert by_id["tools/vllm"].fields == []
    assert all(c.verdict is None and c.status is None for c in cs.changes)
    # the correction is vLLM's, which is tools/sglang now, not SGLang's
    assert [(c.entry, c.text) for c in cs.corrections] == [("tools/sglang", FIX)]
    r = cli(repo, "changes", "--since", "2026-10-01", "--until", "2026-11-01")
    assert "renamed   tools/sglang (was tools/vllm)" in r.output
    assert "renamed   tools/vllm (was tools/sglang)" in r.output
    assert "verdict" not in r.output
    text = draft(cli, repo)
    assert block(text, "verdicts").count("\n") == 1  # an empty block: markers only
    assert block(text, "new-entries").count("\n") == 1
    assert "**[vLLM](/tools/sglang)** (2026-10-05)" in block(text, "corrections")


def test_a_verdict_changed_before_a_swap_is_the_renamed_entrys(repo, cli):
    with_sglang(repo)
    edit(repo, "tools/vllm", "rating: recommended", "rating: situational")
    commit_all(repo, "vLLM: situational", at("2026-10-05"))
    swap(repo)
    cs = changes_in_period(load_settings(repo), "2026-10-01", "2026-11-01")
    by_id = {c.entry: c for c in cs.changes}
    assert by_id["tools/vllm"].verdict is None
    verdict = by_id["tools/sglang"].verdict
    assert (verdict.old["rating"], verdict.new["rating"]) == ("recommended", "situational")
    verdicts = block(draft(cli, repo), "verdicts")
    assert "- **[vLLM](/tools/sglang)**: recommended → **situational**." in verdicts
    assert "SGLang" not in verdicts


def test_an_entry_renamed_onto_an_id_freed_in_the_month_is_a_rename_not_news(repo, cli):
    with_sglang(repo)
    mv(repo, "tools/vllm", "tools/vllm-engine", "2026-10-12")
    mv(repo, "tools/sglang", "tools/vllm", "2026-10-13")
    cs = changes_in_period(load_settings(repo), "2026-10-01", "2026-11-01")
    assert kinds(cs) == {"tools/vllm": ("renamed", "tools/sglang"),
                         "tools/vllm-engine": ("renamed", "tools/vllm")}
    assert all(c.verdict is None and c.fields == [] for c in cs.changes)
    text = draft(cli, repo)
    assert block(text, "new-entries").count("\n") == 1  # SGLang is not new
    assert block(text, "verdicts").count("\n") == 1


NEW_VLLM = {"title": "vLLM", "status": "published", "summary": "The vLLM project, as a whole.",
            "authors": ["ben"], "published": "2026-10-10",
            "repository": "https://github.com/vllm-project/vllm"}
VLLM_BODY = "".join(f"Note {i}: vLLM pages the KV cache and batches requests as they come.\n"
                    for i in range(12))  # git breaks no file under 400 bytes


def with_long_vllm(root) -> None:
    p = root / "entries" / "tools" / "vllm.md"
    p.write_text(p.read_text(encoding="utf-8") + VLLM_BODY, encoding="utf-8")
    commit_all(root, "vLLM: notes", at("2026-09-10"))


def test_an_entry_renamed_while_a_new_one_takes_its_id_in_one_commit_is_a_rename(repo, cli):
    with_long_vllm(repo)
    edit(repo, "tools/vllm", "A serving engine.", "A serving engine (Apache 2.0).")
    commit_all(repo, f"vLLM's licence\n\nCorrection: {FIX}", at("2026-10-05"))
    edit(repo, "tools/vllm", "rating: recommended", "rating: situational")
    commit_all(repo, "vLLM: situational", at("2026-10-08"))
    git(repo, "mv", "entries/tools/vllm.md", "entries/tools/vllm-server.md")
    write_entry(repo, "tools/vllm", NEW_VLLM, "The project: its engine, its community.\n")
    commit_all(repo, "Split vLLM: the server, and the project", at("2026-10-10"))
    cs = changes_in_period(load_settings(repo), "2026-10-01", "2026-11-01")
    assert kinds(cs) == {"tools/vllm": ("added", None),
                         "tools/vllm-server": ("renamed", "tools/vllm")}
    server = next(c for c in cs.changes if c.entry == "tools/vllm-server")
    assert (server.verdict.old["rating"], server.verdict.new["rating"]) == (
        "recommended", "situational")
    assert [f.field for f in server.fields] == ["summary", "verdict"]
    assert [(c.entry, c.text) for c in cs.corrections] == [("tools/vllm-server", FIX)]
    r = cli(repo, "changes", "--since", "2026-10-01", "--until", "2026-11-01")
    assert "renamed   tools/vllm-server (was tools/vllm)" in r.output
    assert "added     tools/vllm  " in r.output and "modified" not in r.output
    text = draft(cli, repo)
    new = block(text, "new-entries")
    assert "- **[vLLM](/tools/vllm)** (tool): The vLLM project, as a whole." in new
    assert "vllm-server" not in new
    verdicts = block(text, "verdicts")
    assert "- **[vLLM](/tools/vllm-server)**: recommended → **situational**." in verdicts
    assert "(/tools/vllm)" not in verdicts
    assert "**[vLLM](/tools/vllm-server)** (2026-10-05)" in block(text, "corrections")


def test_an_entry_copied_as_a_template_while_its_source_is_edited_is_no_rename(repo):
    with_long_vllm(repo)
    source = (repo / "entries" / "tools" / "vllm.md").read_text(encoding="utf-8")
    (repo / "entries" / "tools" / "sglang.md").write_text(
        source.replace("title: vLLM", "title: SGLang"), encoding="utf-8")
    edit(repo, "tools/vllm", "A serving engine.", "A serving engine (Apache 2.0).")
    commit_all(repo, "SGLang, from vLLM's page", at("2026-10-10"))
    cs = changes_in_period(load_settings(repo), "2026-10-01", "2026-11-01")
    assert kinds(cs) == {"tools/sglang": ("added", None), "tools/vllm": ("modified", None)}
    vllm = next(c for c in cs.changes if c.entry == "tools/vllm")
    assert [f.field for f in vllm.fields] == ["summary"]
