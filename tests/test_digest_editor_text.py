"""A redraft never loses or breaks what the editor wrote (found in review): comments and
scattered items under `deleted:`, a save made while the draft ran, an item moved into
another block."""

from __future__ import annotations

import importlib
import os
import re

import pytest
import yaml

from pipeline.digest.document import DigestError, parse
from test_digest import DIGEST, block, draft, front, month  # noqa: F401  (a fixture)
from test_feeds import feed_server  # noqa: F401  (a fixture)

draft_module = importlib.import_module("pipeline.digest.draft")  # the package's `draft` is
# the function
IDS = ["errors-kb", "new-benchmarks", "verdicts/tools/vllm"]

# `deleted:` as an editor may write it: comments anywhere, items after a blank line or
# after a comment at column 0, a flow list over several lines
SHAPES = {
    "indented comment, blank line": (
        "deleted:\n  # we skip the errors KB this month\n  - errors-kb\n\n  - new-benchmarks\n"),
    "column-0 comment between items": (
        "deleted:\n- errors-kb\n# nothing to say on benchmarks\n- new-benchmarks\n"),
    "comment after a flow list": "deleted: [errors-kb, new-benchmarks]  # both empty\n",
    "comments on the key and an item": (
        "deleted:  # ours\n  - errors-kb  # empty this month\n  - new-benchmarks\n"),
    "flow list over lines": "deleted: [errors-kb,\n  # one per line\n  new-benchmarks]\n",
}


def comments(text: str) -> list[str]:
    return re.findall(r"#[^\n]*", text)


def item(text: str, item_id: str) -> str:
    return re.search(rf"<!-- pipeline:item {re.escape(item_id)} \w+ -->\n.*\n", text).group(0)


@pytest.mark.parametrize("shape", SHAPES.values(), ids=list(SHAPES))
def test_set_deleted_keeps_every_comment_and_reads_back_the_list(shape):
    doc = parse(f"---\nmonth: '2026-10'\n{shape}status: draft\n---\nBody.\n", "d.md")
    doc.set_deleted(IDS)
    assert yaml.safe_load(doc.front) == {"month": "2026-10", "deleted": IDS, "status": "draft"}
    assert comments(doc.front) == comments(shape)
    assert doc.front.startswith("month: '2026-10'\ndeleted: [")
    assert doc.front.endswith("status: draft\n")
    assert parse(doc.render(), "d.md").deleted == IDS


@pytest.mark.parametrize("fm, line", [
    ("{month: '2026-10', status: draft, deleted: []}\n", "2:1"),  # one flow mapping
    ("month: '2026-10'\ndeleted: &none []\nskipped: *none\n", "3:1"),  # another key shares it
])
def test_set_deleted_refuses_what_it_cannot_rewrite_alone(fm, line):
    doc = parse(f"---\n{fm}---\nBody.\n", "d.md")
    with pytest.raises(DigestError, match=rf"^d\.md:{line}: the draft cannot update `deleted:`"):
        doc.set_deleted(IDS)
    assert doc.front == fm


def test_comments_and_scattered_items_under_deleted_survive_a_redraft(month, cli):  # noqa: F811
    """The reviewer's reproducer: the comment was lost, `- new-benchmarks` was left under
    the new flow list, and the next draft blamed the editor for invalid YAML."""
    _, text = draft(cli, month)
    deleted = SHAPES["indented comment, blank line"]
    edited = text.replace("deleted: []\n", deleted)
    for section in ("errors-kb", "new-benchmarks"):
        edited = edited.replace(block(edited, section) + "\n", "")
    edited = edited.replace(item(edited, "verdicts/tools/vllm"), "")
    (month / DIGEST).write_text(edited, encoding="utf-8")
    r, again = draft(cli, month)
    assert "1 newly recorded as deleted" in r.output
    assert front(again) == {**front(edited), "deleted": IDS}
    assert "  # we skip the errors KB this month\n" in again.split("---\n")[1]
    def outside_verdicts(t):
        return t.split("---\n", 2)[2].replace(block(t, "verdicts"), "")

    assert outside_verdicts(again) == outside_verdicts(edited)
    assert "vLLM" not in block(again, "verdicts")
    r, third = draft(cli, month)
    assert "is up to date" in r.output and third == again


def test_a_front_matter_that_cannot_be_rewritten_safely_stops_the_draft(month, cli):  # noqa: F811
    _, text = draft(cli, month)
    meta = front(text)
    flow = yaml.safe_dump(meta, default_flow_style=True, width=10_000)
    edited = text.replace(text.split("---\n")[1], flow)
    edited = edited.replace(item(edited, "verdicts/tools/vllm"), "")
    (month / DIGEST).write_text(edited, encoding="utf-8")
    r = cli(month, "digest", "draft", "2026-10")
    assert r.exit_code == 1 and "Traceback" not in r.output
    assert f"{DIGEST}:2:1: the draft cannot update `deleted:` safely" in r.output
    assert (month / DIGEST).read_text(encoding="utf-8") == edited
    assert not (month / ".digest-backups").exists()


def _drafted_and_saved(cli, month):
    """Draft October, then delete vLLM's verdict item: -> (the digest's path, the file as
    the editor saves it next, with a headline of theirs)."""
    _, text = draft(cli, month)
    path = month / DIGEST
    path.write_text(text.replace(item(text, "verdicts/tools/vllm"), ""), encoding="utf-8")
    return path, path.read_text(encoding="utf-8").replace(
        "# TODO: the headline, one line on what mattered in October 2026", "# Ollama arrives")


def test_a_save_made_while_drafting_is_not_overwritten(month, cli, monkeypatch):  # noqa: F811
    path, saved = _drafted_and_saved(cli, month)
    collect = draft_module.collect

    def editor_saves_meanwhile(*args, **kw):  # the feeds are fetched after the file is read
        path.write_text(saved, encoding="utf-8")
        return collect(*args, **kw)

    monkeypatch.setattr(draft_module, "collect", editor_saves_meanwhile)
    r = cli(month, "digest", "draft", "2026-10")
    assert r.exit_code == 1 and "Traceback" not in r.output
    assert f"{DIGEST} changed while it was being drafted" in r.output
    assert "run the draft again" in r.output
    assert path.read_text(encoding="utf-8") == saved
    assert not (month / ".digest-backups").exists()
    monkeypatch.setattr(draft_module, "collect", collect)
    _, again = draft(cli, month)
    assert "# Ollama arrives\n" in again and front(again)["deleted"] == ["verdicts/tools/vllm"]


@pytest.mark.parametrize("when", ["backup", "new text"])
def test_a_save_made_just_before_the_write_is_not_overwritten(month, cli, monkeypatch, when):  # noqa: F811
    """The file was compared before the backup and the new text were written (each
    synced to disk): a save then was overwritten, the backup holding the version before
    it (found in review)."""
    path, saved = _drafted_and_saved(cli, month)
    backup, fsync = draft_module._backup, os.fsync
    backed_up = []

    def save() -> None:
        if not path.read_text(encoding="utf-8") == saved:
            path.write_text(saved, encoding="utf-8")

    def backup_then(*args):
        if when == "backup":
            save()
        backed_up.append(backup(*args))
        return backed_up[-1]

    def fsync_then(fd):  # the new text is synced beside the file, after the backup
        fsync(fd)
        if when == "new text" and backed_up:
            save()

    monkeypatch.setattr(draft_module, "_backup", backup_then)
    monkeypatch.setattr(os, "fsync", fsync_then)
    r = cli(month, "digest", "draft", "2026-10")
    assert r.exit_code == 1 and "Traceback" not in r.output
    assert f"{DIGEST} changed while it was being drafted" in r.output
    assert path.read_text(encoding="utf-8") == saved
    assert backed_up and not any((month / ".digest-backups").iterdir())
    assert sorted(p.name for p in month.joinpath("digests").iterdir()) == [path.name]


@pytest.mark.parametrize("edited", [False, True], ids=["unedited", "edited"])
def test_an_item_moved_into_another_block_stops_the_draft_at_its_line(month, cli, edited):  # noqa: F811
    """It was dropped there and recorded as deleted from its own block, silently."""
    _, text = draft(cli, month)
    vllm = item(text, "verdicts/tools/vllm")
    moved = vllm.replace("Best for serving", "Best, we find, for serving") if edited else vllm
    damaged = text.replace(vllm, "").replace("<!-- pipeline:end new-entries -->",
                                             moved + "<!-- pipeline:end new-entries -->")
    (month / DIGEST).write_text(damaged, encoding="utf-8")
    r = cli(month, "digest", "draft", "2026-10")
    assert r.exit_code == 1 and "Traceback" not in r.output
    line = damaged[:damaged.index(moved)].count("\n") + 1
    assert (f"{DIGEST}:{line}:1: item 'verdicts/tools/vllm' stands in block 'new-entries', "
            "but items can move only within their own block") in r.output
    assert "back into block 'verdicts'" in r.output
    assert (month / DIGEST).read_text(encoding="utf-8") == damaged
    assert not (month / ".digest-backups").exists()


def test_items_still_move_freely_within_their_block(month, cli):  # noqa: F811
    _, text = draft(cli, month)
    gptq, ollama = item(text, "new-entries/glossary/gptq"), item(text, "new-entries/tools/ollama")
    swapped = text.replace(gptq + ollama, ollama + gptq)
    assert swapped != text
    (month / DIGEST).write_text(swapped, encoding="utf-8")
    r, again = draft(cli, month)
    assert again.index("tools/ollama") < again.index("glossary/gptq")
    assert "0 dropped, 0 newly recorded as deleted" in r.output


def test_a_draft_started_while_another_runs_waits_for_it(month, cli, monkeypatch):  # noqa: F811
    """Two drafts of one month at once: the second read the file before the first wrote
    it, then stopped, telling the editor they had saved meanwhile (found in review). It
    waits for the first, naming its process, and drafts from the file as the first left
    it; the editor's words written before both stay."""
    import os
    import subprocess
    import sys
    import threading

    from pipeline.config import load_settings

    _, text = draft(cli, month)
    path = month / DIGEST
    edited = text.replace("# TODO: the headline, one line on what mattered in October 2026",
                          "# Ollama arrives")
    path.write_text(edited.replace(item(edited, "verdicts/tools/vllm"), ""), encoding="utf-8")
    go, collect, first = threading.Event(), draft_module.collect, {}

    def held(*args, **kw):  # the first draft reads its feeds until the second is waiting
        go.wait()
        return collect(*args, **kw)

    monkeypatch.setattr(draft_module, "collect", held)
    runner = threading.Thread(target=lambda: first.update(
        result=draft_module.draft(load_settings(month), "2026-10")))
    runner.start()
    try:
        second = subprocess.Popen([sys.executable, "-m", "pipeline", "--root", str(month),
                                   "digest", "draft", "2026-10"],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        said = second.stderr.readline()  # the first line it says (or none, when it ends)
    finally:
        go.set()
        runner.join()
    out, err = second.communicate()
    assert said.startswith(f"Waiting for process {os.getpid()}, which is drafting {DIGEST}; "
                           ), said + err
    assert first["result"].written
    assert second.returncode == 0 and "Traceback" not in err, out + err
    assert out.startswith(f"{DIGEST} is up to date"), out
    final = path.read_text(encoding="utf-8")
    assert "# Ollama arrives\n" in final and front(final)["deleted"] == ["verdicts/tools/vllm"]
