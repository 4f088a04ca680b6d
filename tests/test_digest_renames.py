"""Digest drafts and renames: an old id another entry takes is not followed (found in review)."""

from __future__ import annotations

import re

import pytest

from conftest import commit_all, git, write_entry
from test_changes import at
from test_digest import DIGEST, block, draft, month  # noqa: F401  (a fixture)
from test_feeds import feed_server  # noqa: F401  (a fixture)

NEW_AWQ = {"title": "AWQ kernels", "status": "published", "summary": "The kernels.",
           "authors": ["ana"], "published": "2026-10-26", "category": "Formats & quantization"}
ITEM = re.compile(r"<!-- pipeline:item new-entries/glossary/awq \w+ -->\n.*\n")


def test_an_item_deleted_for_an_entry_that_took_a_renamed_entrys_id_stays_deleted(month, cli):
    write_entry(month, "glossary/awq", NEW_AWQ)  # awq was renamed on 2026-10-12
    commit_all(month, "New AWQ kernels entry", at("2026-10-26"))
    _, text = draft(cli, month)
    assert ITEM.search(text) and "AWQ kernels" in block(text, "new-entries")
    (month / DIGEST).write_text(ITEM.sub("", text), encoding="utf-8")  # the editor deletes it
    for _ in range(2):
        _, text = draft(cli, month)
        assert "AWQ kernels" not in block(text, "new-entries")
        assert "deleted: [new-entries/glossary/awq]" in text, text[:300]


def test_an_item_edited_for_that_entry_is_listed_once(month, cli):
    write_entry(month, "glossary/awq", NEW_AWQ)
    commit_all(month, "New AWQ kernels entry", at("2026-10-26"))
    _, text = draft(cli, month)
    (month / DIGEST).write_text(text.replace("The kernels.", "The kernels, as we tested them."),
                                encoding="utf-8")
    _, text = draft(cli, month)
    new = block(text, "new-entries")
    assert new.count("AWQ kernels") == 1 and "as we tested them" in new


VERDICT = re.compile(r"<!-- pipeline:item verdicts/tools/vllm \w+ -->\n.*\n")


def _rewritten_as(root, old_id, new_id):
    """`old_id` deleted and `new_id` added with its front matter, `redirect_from` it, and
    a new body: git sees a deletion and an addition, the entry says it is a rename."""
    old = root / "entries" / f"{old_id}.md"
    front, _ = old.read_text(encoding="utf-8").split("\n---\n", 1)
    (root / "entries" / f"{new_id}.md").write_text(
        f"{front}\nredirect_from: [{old_id}]\n---\n"
        + "".join(f"Line {n} of a body written again from scratch.\n" for n in range(80)),
        encoding="utf-8")  # mostly new: git's rename detection does not pair the two
    old.unlink()


def test_an_item_deleted_stays_deleted_when_redirect_from_says_its_entry_was_renamed(month,
                                                                                    cli):
    """`pipeline changes` read it as the rename it is, the draft did not: the verdict item
    the editor had deleted came back under the new id (found in review)."""
    _, text = draft(cli, month)
    assert VERDICT.search(text)
    (month / DIGEST).write_text(VERDICT.sub("", text), encoding="utf-8")
    _, text = draft(cli, month)
    assert "deleted: [verdicts/tools/vllm]" in text
    _rewritten_as(month, "tools/vllm", "tools/vllm-engine")
    commit_all(month, "vLLM: vllm-engine, rewritten", at("2026-10-27"))
    _, text = draft(cli, month)
    assert "vllm-engine" not in block(text, "verdicts")
    assert "deleted: [verdicts/tools/vllm-engine]" in text


def test_an_item_edited_follows_such_a_rename_and_is_listed_once(month, cli):
    _, text = draft(cli, month)
    (month / DIGEST).write_text(text.replace("heavy for one.", "heavy for one, we found."),
                                encoding="utf-8")
    _rewritten_as(month, "tools/vllm", "tools/vllm-engine")
    commit_all(month, "vLLM: vllm-engine, rewritten", at("2026-10-27"))
    _, text = draft(cli, month)
    verdicts = block(text, "verdicts")
    assert verdicts.count("pipeline:item verdicts/") == 1
    assert "pipeline:item verdicts/tools/vllm-engine " in verdicts and "we found" in verdicts


def test_an_item_deleted_stays_deleted_when_a_new_entry_takes_the_renamed_ones_id(month,
                                                                                  cli):
    """vLLM renamed, and a new entry under its old id: the verdict item the editor had
    deleted is about the renamed entry (the new one has no verdict change), and came back
    under the new id (found in review). The new entry's own item is listed."""
    _, text = draft(cli, month)
    (month / DIGEST).write_text(VERDICT.sub("", text), encoding="utf-8")
    draft(cli, month)
    month_git = month / "entries/tools"
    (month_git / "vllm.md").rename(month_git / "vllm-engine.md")
    commit_all(month, "vLLM: vllm-engine", at("2026-10-27"))
    write_entry(month, "tools/vllm", {
        "title": "vLLM, the project", "status": "published", "summary": "The project.",
        "authors": ["ana"], "published": "2026-10-28", "repository": "https://github.com/x/y"})
    commit_all(month, "A new entry takes tools/vllm", at("2026-10-28"))
    _, text = draft(cli, month)
    assert "pipeline:item verdicts/" not in block(text, "verdicts")
    assert "deleted: [verdicts/tools/vllm-engine]" in text
    assert "vLLM, the project" in block(text, "new-entries")


# -- releases follow the catalog at the month's end, not the working tree ---------------

def _status(root, entry_id, old, new):
    p = root / "entries" / f"{entry_id}.md"
    p.write_text(p.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")


def test_releases_of_a_tool_published_only_after_the_month_are_not_listed(month, cli, feed_server):  # noqa: F811
    write_entry(month, "tools/llamacpp", {
        "title": "llama.cpp", "status": "draft", "summary": "Inference in C++.",
        "authors": ["ana"], "repository": "https://github.com/ggml-org/llama.cpp",
        "feeds": [feed_server.url("ollama-releases.rss")]})
    commit_all(month, "Draft llama.cpp", at("2026-10-26"))
    _status(month, "tools/llamacpp", "status: draft", "status: published\npublished: 2026-11-05")
    commit_all(month, "Publish llama.cpp", at("2026-11-05"))
    _, text = draft(cli, month)
    assert "llama.cpp" not in block(text, "releases")
    assert "Ollama" in block(text, "releases")  # the same feed, under a tool published then


def test_releases_of_a_tool_unpublished_after_the_month_are_still_listed(month, cli):
    _status(month, "tools/vllm", "status: published", "status: draft")
    p = month / "entries/tools/vllm.md"
    p.write_text(re.sub(r"feeds:\n(- .*\n)+", "", p.read_text(encoding="utf-8")), encoding="utf-8")
    assert "feeds:" not in p.read_text(encoding="utf-8")
    commit_all(month, "Unpublish vLLM", at("2026-11-06"))
    _, text = draft(cli, month)
    assert "[v0.11.2](" in block(text, "releases")


def test_a_release_deleted_from_the_digest_stays_deleted_when_its_feed_moves(month, cli, feed_server):  # noqa: F811
    """The same feed at a new address (the project moved): its items keep their keys, so
    what the editor deleted or edited holds (found in review)."""
    from test_feeds import FIXTURES

    _, text = draft(cli, month)
    item = re.compile(r"<!-- pipeline:item (releases/tools/vllm/\w+) \w+ -->\n.*v0\.11\.1.*\n")
    deleted = item.search(text).group(1)
    (month / DIGEST).write_text(item.sub("", text), encoding="utf-8")
    draft(cli, month)
    feed_server.served["moved.atom"] = ((FIXTURES / "vllm-releases.atom").read_bytes(),
                                        "application/atom+xml")
    p = month / "entries/tools/vllm.md"
    p.write_text(p.read_text(encoding="utf-8").replace(
        feed_server.url("vllm-releases.atom"), feed_server.url("moved.atom")), encoding="utf-8")
    assert "moved.atom" in p.read_text(encoding="utf-8")
    _, text = draft(cli, month)
    assert "v0.11.1" not in block(text, "releases") and deleted in text
    assert block(text, "releases").count("[v0.11.2]") == 1


def _tool(title: str) -> dict:
    return {"title": title, "status": "published", "summary": f"{title}, the tool.",
            "authors": ["ana"], "published": "2026-10-03"}


@pytest.mark.parametrize("edited", [None, "tools/llamacpp", "tools/llama-cpp", "both"])
def test_an_entry_renamed_onto_the_id_of_one_deleted_is_listed_once(repo, cli, edited):
    """Two entries of one tool added in the month; one deleted, the other renamed to its
    id: the renamed entry's item followed it onto the deleted one's, and the digest listed
    it twice, both refreshed (found in review 22). The deleted entry's item goes, unless
    the editor edited it: then it stands for the id, as the editor left it (two markers
    of one id were refused by the next draft); one edited of each are joined into one."""
    write_entry(repo, "tools/llamacpp", _tool("llama.cpp"))
    write_entry(repo, "tools/llama-cpp", _tool("llama.cpp server"))
    commit_all(repo, "Add llama.cpp twice", at("2026-10-03"))
    _, text = draft(cli, repo)
    summary = {"tools/llamacpp": "llama.cpp, the tool.",
               "tools/llama-cpp": "llama.cpp server, the tool."}
    words = {"tools/llamacpp": "As we tried it.", "tools/llama-cpp": "As we served it."}
    for entry_id in (words if edited == "both" else [edited] if edited else []):
        text = text.replace(summary[entry_id], words[entry_id])
    (repo / DIGEST).write_text(text, encoding="utf-8")
    git(repo, "rm", "-q", "entries/tools/llamacpp.md")
    commit_all(repo, "One entry of llama.cpp is enough", at("2026-10-10"))
    git(repo, "mv", "entries/tools/llama-cpp.md", "entries/tools/llamacpp.md")
    commit_all(repo, "llama.cpp under its usual id", at("2026-10-11"))
    _, text = draft(cli, repo)
    new = block(text, "new-entries")
    assert new.count("<!-- pipeline:item new-entries/tools/llamacpp ") == 1
    generated = "- **[llama.cpp server](/tools/llamacpp)** (tool): llama.cpp server, the tool."
    assert new.count(generated) == (1 if edited is None else 0)
    for entry_id, said in words.items():
        assert new.count(said) == (1 if edited in (entry_id, "both") else 0)
    if edited == "both":  # in the order they stood in
        assert new.index(words["tools/llama-cpp"]) < new.index(words["tools/llamacpp"])
    _, again = draft(cli, repo)
    assert again == text


def _two_llamas_drafted(repo, cli) -> str:
    write_entry(repo, "tools/llamacpp", _tool("llama.cpp"))
    write_entry(repo, "tools/llama-cpp", _tool("llama.cpp server"))
    commit_all(repo, "Add llama.cpp twice", at("2026-10-03"))
    _, text = draft(cli, repo)
    return text


def _rename_onto_the_deleted(repo):
    git(repo, "rm", "-q", "entries/tools/llamacpp.md")
    commit_all(repo, "One entry of llama.cpp is enough", at("2026-10-10"))
    git(repo, "mv", "entries/tools/llama-cpp.md", "entries/tools/llamacpp.md")
    commit_all(repo, "llama.cpp under its usual id", at("2026-10-11"))


LLAMA = re.compile(r"<!-- pipeline:item new-entries/tools/llamacpp \w+ -->\n.*\n")
SERVER = "- **[llama.cpp server](/tools/llamacpp)** (tool): llama.cpp server, the tool."


def test_a_deleted_item_of_an_entry_gone_does_not_hide_the_entry_renamed_onto_its_id(repo,
                                                                                    cli):
    """The editor deleted the item of tools/llamacpp, then that entry was deleted and
    tools/llama-cpp renamed to its id: the renamed entry's item followed it onto an id in
    `deleted:`, and was never listed (found in review 22). That deletion was of another
    entry: the renamed one is listed; a deletion of the renamed entry's own item holds."""
    text = _two_llamas_drafted(repo, cli)
    (repo / DIGEST).write_text(LLAMA.sub("", text), encoding="utf-8")
    _, text = draft(cli, repo)
    assert "deleted: [new-entries/tools/llamacpp]" in text
    _rename_onto_the_deleted(repo)
    _, text = draft(cli, repo)
    assert block(text, "new-entries").count(SERVER) == 1, block(text, "new-entries")
    assert "deleted: []" in text
    _, again = draft(cli, repo)
    assert again == text
    # the editor now deletes the renamed entry's item: it stays deleted, draft after draft
    (repo / DIGEST).write_text(LLAMA.sub("", text), encoding="utf-8")
    for _ in range(2):
        _, text = draft(cli, repo)
        assert "llamacpp" not in block(text, "new-entries")
        assert "deleted: [new-entries/tools/llamacpp]" in text


def test_a_deleted_item_of_the_entry_renamed_stays_deleted_over_the_one_gone(repo, cli):
    text = _two_llamas_drafted(repo, cli)
    both = re.compile(r"<!-- pipeline:item new-entries/tools/llama-?cpp \w+ -->\n.*\n")
    (repo / DIGEST).write_text(both.sub("", text), encoding="utf-8")
    draft(cli, repo)
    _rename_onto_the_deleted(repo)
    _, text = draft(cli, repo)
    assert "llamacpp" not in block(text, "new-entries")
    assert "deleted: [new-entries/tools/llamacpp]" in text


def test_an_edited_item_of_the_entry_gone_is_not_listed_as_deleted_under_its_id(repo, cli):
    """The editor edited the item of tools/llamacpp and deleted that of tools/llama-cpp;
    then the first was deleted and the second renamed onto its id. The edited item stands
    for the id, as documented, but the deletion followed the rename onto the same id:
    `deleted:` listed the id of an item that stood in the file (found by the re-draft
    fuzzer). The renamed entry's item is still not listed."""
    text = _two_llamas_drafted(repo, cli)
    server = re.compile(r"<!-- pipeline:item new-entries/tools/llama-cpp \w+ -->\n.*\n")
    text = server.sub("", text).replace("llama.cpp, the tool.", "As we tried it.")
    (repo / DIGEST).write_text(text, encoding="utf-8")
    _, text = draft(cli, repo)
    assert "deleted: [new-entries/tools/llama-cpp]" in text
    _rename_onto_the_deleted(repo)
    _, text = draft(cli, repo)
    new = block(text, "new-entries")
    assert new.count("<!-- pipeline:item new-entries/tools/llamacpp ") == 1
    assert "As we tried it." in new and SERVER not in new
    assert "deleted: []" in text
    _, again = draft(cli, repo)
    assert again == text
