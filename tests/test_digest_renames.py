"""Digest drafts and renames: an old id another entry takes is not followed (found in review)."""

from __future__ import annotations

import re

from conftest import commit_all, write_entry
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
