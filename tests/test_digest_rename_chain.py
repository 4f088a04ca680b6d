"""Digest drafts follow an entry's renames to keep what the editor did to its items, but
not through a deletion (found in review): an entry renamed, then deleted, and another
added later under the renamed id is another entry, whose items the editor never saw."""

from __future__ import annotations

from conftest import commit_all, git, write_entry
from test_changes import at
from test_digest import DIGEST, block, draft

QAT = {"title": "QAT", "status": "published", "summary": "Quantization-aware training.",
       "authors": ["ana"], "published": "2026-10-05", "category": "Formats & quantization"}
OTHER = {"title": "QAT, the old way", "status": "published", "summary": "Another term.",
         "authors": ["ana"], "published": "2026-10-20", "category": "Formats & quantization"}


def test_an_item_deleted_for_an_entry_renamed_then_deleted_does_not_hide_a_new_one(repo, cli):
    write_entry(repo, "glossary/qat", QAT)
    commit_all(repo, "Add QAT", at("2026-10-05"))
    _, text = draft(cli, repo, "--offline")
    assert "QAT" in block(text, "new-entries")
    lines = text.split("\n")
    at_item = next(i for i, line in enumerate(lines) if "pipeline:item new-entries/glossary/qat" in line)
    del lines[at_item:at_item + 2]  # the editor deletes the item (its marker and its line)
    (repo / DIGEST).write_text("\n".join(lines), encoding="utf-8")
    _, text = draft(cli, repo, "--offline")
    assert "new-entries/glossary/qat" in text.split("---\n")[1]  # in `deleted:`
    git(repo, "mv", "entries/glossary/qat.md", "entries/glossary/qat-old.md")
    commit_all(repo, "Rename QAT", at("2026-10-10"))
    git(repo, "rm", "-q", "entries/glossary/qat-old.md")
    commit_all(repo, "Remove the old QAT", at("2026-10-12"))
    write_entry(repo, "glossary/qat-old", OTHER)
    commit_all(repo, "Another entry", at("2026-10-20"))
    _, text = draft(cli, repo, "--offline")
    assert "QAT, the old way" in block(text, "new-entries")
