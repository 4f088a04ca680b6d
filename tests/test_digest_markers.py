"""A mistyped block id, a block or an item twice, or a bad `deleted:` stops the draft with
file and line, and the file is left exactly as the editor wrote it."""

from __future__ import annotations

import re
import shutil

import pytest

from conftest import REPO

from test_digest import month  # noqa: F401  (a fixture)
from test_feeds import feed_server  # noqa: F401  (a fixture)

DIGEST = "digests/2026-10.md"
NOTE = "A sentence of the editor's, in the corrections block.\n"


@pytest.fixture
def drafted(repo, cli):
    """A first draft of October, its corrections block holding the editor's words."""
    r = cli(repo, "digest", "draft", "2026-10")
    assert r.exit_code == 0, r.output
    path = repo / DIGEST
    text = path.read_text(encoding="utf-8")
    assert "<!-- pipeline:end corrections -->" in text and "deleted: []" in text
    path.write_text(text.replace("<!-- pipeline:end corrections -->",
                                 NOTE + "<!-- pipeline:end corrections -->"), encoding="utf-8")
    return repo


def line_of(text: str, needle: str) -> int:
    """The line where (the first) `needle` ends."""
    return text[:text.index(needle) + len(needle)].count("\n") + 1


def place_of(text: str, needle: str) -> str:
    """`line:column` of the marker or key on the line where (the first) `needle` ends."""
    end = text.index(needle) + len(needle)
    line = text[text.rfind("\n", 0, end - 1) + 1:]
    return f"{line_of(text, needle)}:{len(line) - len(line.lstrip()) + 1}"


def refused(cli, root, damage, needle: str):
    """Damage the draft, draft again: the message's `file:line:column:` (the marker's or
    the key's) and that nothing changed."""
    path = root / DIGEST
    text = damage(path.read_text(encoding="utf-8"))
    path.write_text(text, encoding="utf-8")
    r = cli(root, "digest", "draft", "2026-10")
    assert r.exit_code == 1, r.output
    assert path.read_text(encoding="utf-8") == text
    assert not (root / ".digest-backups").exists()
    assert f"{DIGEST}:{place_of(text, needle)}: " in r.output
    return r.output


def test_a_mistyped_block_id_is_named_with_the_closest_one(drafted, cli):
    out = refused(cli, drafted, lambda t: t.replace(" corrections ", " correction "),
                  "<!-- pipeline:begin correction ")
    assert "unknown block 'correction'; did you mean 'corrections'?" in out


def test_a_block_twice_is_refused_at_the_second(drafted, cli):
    def twice(text):
        m = re.search(r"<!-- pipeline:begin verdicts .*?<!-- pipeline:end verdicts -->\n", text,
                      re.S)
        return text + "Again:\n" + m.group(0)

    out = refused(cli, drafted, twice, "Again:\n<!-- pipeline:begin verdicts ")
    assert "block 'verdicts' appears twice (first at line" in out


@pytest.mark.parametrize("value", ["releases", "{releases: true}", "[[releases]]", "[1]",
                                   "\n  releases: x"])
def test_a_deleted_list_that_is_no_list_of_ids_is_refused(drafted, cli, value):
    out = refused(cli, drafted, lambda t: t.replace("deleted: []", f"deleted: {value}"),
                  "deleted:")
    assert "`deleted:` must be a list of block and item ids" in out


def test_a_well_formed_digest_is_still_drafted(drafted, cli):
    path = drafted / DIGEST
    path.write_text(path.read_text(encoding="utf-8").replace("deleted: []",
                                                             "deleted:\n- releases"),
                    encoding="utf-8")
    r = cli(drafted, "digest", "draft", "2026-10")
    assert r.exit_code == 0, r.output
    text = path.read_text(encoding="utf-8")
    assert NOTE in text and "deleted:\n- releases\n" in text


def test_an_indented_marker_is_refused_at_its_column(drafted, cli):
    """Each message about a marker gave the line alone; an editor's tools go to
    `file:line:column`, as the digest's other messages give it."""
    out = refused(cli, drafted, lambda t: t.replace(" corrections ", " correction ").replace(
        "<!-- pipeline:begin correction ", "   <!-- pipeline:begin correction "),
                  "   <!-- pipeline:begin correction ")
    assert ":4: unknown block 'correction'" in out


def test_front_matter_that_is_no_yaml_is_refused_at_its_column(drafted, cli):
    """Front matter that is no YAML at the column where YAML stopped (the second `]`)."""
    path = drafted / DIGEST
    text = path.read_text(encoding="utf-8").replace("deleted: []", "deleted: [a, b]]")
    path.write_text(text, encoding="utf-8")
    r = cli(drafted, "digest", "draft", "2026-10")
    assert r.exit_code == 1 and path.read_text(encoding="utf-8") == text
    at = f"{DIGEST}:{line_of(text, 'deleted:')}:{len('deleted: [a, b]') + 1}"
    assert f"{at}: front matter: invalid YAML" in r.output, r.output


# An editor's slips in a digest's front matter, typed in place of `deleted: []` (line 6):
# (what was typed, `line:column` of the slip, what the message says there)
YAML_SLIPS = [
    ("deleted: [a", "6:10", "invalid YAML: a list opened with `[` is never closed: add the "
     "closing `]`"),
    ('deleted: "a', "6:10", 'invalid YAML: a quoted value is never closed: add the closing `"`'),
    ("deleted: 'a\nnote: 'x'", "6:10", "invalid YAML: a quoted value is never closed: add the "
     "closing `'` (as written, it runs on to line 7)"),
    ("deleted: []\n\tnote: x", "7:1", "invalid YAML: this line has a tab: indent YAML with "
     "spaces, not tabs"),
    ("deleted: []\nnote x\nmore: y", "7:1", "invalid YAML: this line has no `: ` after its "
     "key: write `key: value`"),
    ("deleted: []\nnote: a\n  more: b", "8:3", "invalid YAML: this line is indented more than "
     "`note:` on line 7, so YAML reads it as more of that value, where `: ` is not allowed: "
     "indent `more:` as `note:` is"),
    ("deleted: []\nnote:\n  a: 1\n\u00a0 b: 2", "9:1", "invalid YAML: the indentation of this "
     "line holds U+00A0 NO-BREAK SPACE at column 1"),
    ("deleted: []\nsubject: twice", "7:1", "duplicate key 'subject' (first at line 3)"),
    ("deleted: []\nnote: Re: news", "7:7", "invalid YAML: the value holds `: `, which YAML "
     'reads as the start of a key: put the whole value in quotes: `note: "Re: news"`'),
]


@pytest.mark.parametrize("typed, at, words", YAML_SLIPS)
def test_a_yaml_slip_is_explained_where_it_is_by_draft_render_and_build(month, cli, tmp_path,
                                                                          typed, at, words):
    """Said with PyYAML's words at the place it stopped reading (lines later, or the line
    after the front matter), where validate (of an entry) and the build (of a sent digest)
    say what to write at the place of the slip; a key twice passed the draft and render
    (the second one read) and stopped the build alone (found in review)."""
    r = cli(month, "digest", "draft", "2026-10")
    assert r.exit_code == 0, r.output
    path = month / DIGEST
    text = path.read_text(encoding="utf-8")
    assert line_of(text, "deleted: []") == 6 and line_of(text, "subject:") == 3
    text = text.replace("deleted: []", typed, 1)
    path.write_text(text, encoding="utf-8")
    where = f"{DIGEST}:{at}: front matter: {words}"
    r = cli(month, "digest", "draft", "2026-10")
    assert r.exit_code == 1 and where in r.output, r.output
    assert path.read_text(encoding="utf-8") == text and not (month / ".digest-backups").exists()
    r = cli(month, "digest", "render", "2026-10", "--out", str(tmp_path / "out"))
    assert r.exit_code == 1 and where in r.output, r.output
    path.write_text(text.replace("status: draft", "status: sent", 1), encoding="utf-8")
    r = cli(month, "build", "--out", str(tmp_path / "site"))
    assert r.exit_code == 1 and where in r.output, r.output


def test_a_yaml_slip_after_an_alias_is_explained_where_it_is(drafted, cli):
    """An anchor and an alias are a draft's to keep (the build's reader refuses them): a
    slip after them is explained all the same."""
    path = drafted / DIGEST
    text = path.read_text(encoding="utf-8").replace(
        "deleted: []", "deleted: &none []\nskipped: *none\nnote: [a")
    path.write_text(text, encoding="utf-8")
    r = cli(drafted, "digest", "draft", "2026-10")
    assert r.exit_code == 1 and path.read_text(encoding="utf-8") == text
    assert (f"{DIGEST}:{line_of(text, 'note:')}:7: front matter: invalid YAML: a list opened "
            "with `[` is never closed: add the closing `]`") in r.output, r.output


# What the build refuses in a sent digest's front matter and a draft keeps: (typed in
# place of `deleted: []` on line 6, `line:column` of the refusal, its words)
UNSENDABLE = [
    ("deleted: &none []\nskipped: *none", "6:10", "YAML anchor 'none' is not allowed"),
    ("deleted: []\nnote: !!str x", "7:7", "YAML tag !!str is not allowed"),
    ('deleted: []\nnote: "a\\eb"', "7:9", "invalid YAML: `\\e` writes the invisible "
     "character U+001B (ESC)"),
]


@pytest.mark.parametrize("typed, at, words", UNSENDABLE)
def test_render_refuses_what_the_build_refuses_once_the_digest_is_sent(drafted, cli, tmp_path,
                                                                       typed, at, words):
    """The draft keeps an anchor, an alias (set_deleted rewrites `deleted: *name`), a tag
    and an escaped invisible character; render made the e-mail all the same, and the editor
    learnt of it when the site's build failed after sending (found in review). Render now
    refuses it where the build does, in its words."""
    path = drafted / DIGEST
    text = path.read_text(encoding="utf-8").replace("deleted: []", typed, 1)
    path.write_text(text, encoding="utf-8")
    where = f"{DIGEST}:{at}: front matter: {words}"
    r = cli(drafted, "digest", "draft", "2026-10")
    assert r.exit_code == 0, r.output
    r = cli(drafted, "digest", "render", "2026-10", "--out", str(tmp_path / "out"))
    assert r.exit_code == 1 and where in r.output, r.output
    assert "Traceback" not in r.output and not (tmp_path / "out").exists()
    sent = path.read_text(encoding="utf-8").replace("status: draft", "status: sent", 1)
    path.write_text(sent, encoding="utf-8")
    r = cli(drafted, "build", "--out", str(tmp_path / "site"))
    assert r.exit_code == 1 and where in r.output, r.output


def test_render_warns_of_a_subject_a_comment_cuts_short(drafted, cli, tmp_path):
    """`subject: Issue #10 is out` went out as "Issue", without a word (found in review):
    warned of at the `#`, as validate warns of an entry's value (yaml-comment)."""
    path = drafted / DIGEST
    text = re.sub(r"^subject: .*$", "subject: Issue #10 is out", path.read_text(
        encoding="utf-8"), count=1, flags=re.M)
    path.write_text(text, encoding="utf-8")
    r = cli(drafted, "digest", "render", "2026-10", "--out", str(tmp_path / "out"))
    assert r.exit_code == 0, r.output
    assert (f"{DIGEST}:{line_of(text, 'subject:')}:16: warning: `#10 is out` is a YAML "
            "comment, not part of the value, which reads `Issue`") in r.output, r.output


@pytest.mark.parametrize("line, said", [
    ("subject: Issue #10 is out", ":16: warning: `#10 is out` is a YAML comment, not part of "
                                  "the value, which reads `Issue`"),
    ("status: redy", ":1: warning: status: 'redy' is not a digest's status: write draft, "
                     "review, ready or sent (pipeline build stops at it)"),
    ("month: 2026-09", ":1: warning: front matter says month 2026-09, the file name says "
                       "2026-10"),
    ("status: Ready", None), ("status: review", None)])
def test_draft_warns_of_the_front_matter_as_render_does(drafted, cli, line, said):
    """`subject: Issue #10 is out` (read `Issue`), `status: redy` (the build stops at it)
    and a `month:` other than the file's drafted again without a word, render alone
    saying them (found in review): an editor drafts, edits and drafts again before
    render. The draft says them at their keys' places, in render's words."""
    path = drafted / DIGEST
    key = line.partition(":")[0]
    text = re.sub(rf"^{key}: .*$", line, path.read_text(encoding="utf-8"), count=1,
                  flags=re.M)
    path.write_text(text, encoding="utf-8")
    r = cli(drafted, "digest", "draft", "2026-10", "--offline")
    assert r.exit_code == 0 and "is up to date" in r.output, r.output
    warned = [w for w in r.output.splitlines() if " warning: " in w]
    if said is None:
        assert warned == [], r.output
    else:
        assert len(warned) == 1 and warned[0].startswith(
            f"{DIGEST}:{line_of(text, line)}{said}"), r.output
    assert path.read_text(encoding="utf-8") == text


EBAY = "https://www.ebay.com/itm/1234567890?campid=5338000000"


@pytest.mark.parametrize("key, line, said", [
    ("subject", None, "the front matter needs `subject:`"),
    ("subject", "subject: [a, b]", "`subject:` must be text"),
    ("subject", 'subject: ""', "the front matter needs `subject:`"),
    ("preheader", "preheader: 12", "`preheader:` must be text"),
    ("subject", 'subject: "Hi \\e[1m"', "`subject:` holds the invisible character U+001B"),
    ("preheader", 'preheader: "a\\x01b"', "`preheader:` holds the invisible character "
                                             "U+0001"),
    ("subject", f'subject: "Deals: {EBAY}"', "the e-mail would show in its subject the "
                                             "address of a paid link of ebay"),
    ("preheader", f"preheader: Deals {EBAY}", "the e-mail would show in its preheader the "
                                              "address of a paid link of ebay")])
def test_draft_warns_of_the_front_matter_render_refuses(drafted, cli, tmp_path, key, line,
                                                        said):
    """A `subject:` deleted or not text, or a subject or preheader holding an escaped
    control character or a paid link's address: drafted again "up to date" without a
    word, render alone refusing them (found in review). The draft says each at its
    key, in render's words, and that render refuses it."""
    shutil.copytree(REPO / "data", drafted / "data", dirs_exist_ok=True)  # the programs
    path = drafted / DIGEST
    text = path.read_text(encoding="utf-8")
    if line is None:
        text = re.sub(rf"^{key}: .*\n", "", text, count=1, flags=re.M)
    else:
        text = re.sub(rf"^{key}: .*$", lambda _: line, text, count=1, flags=re.M)
    path.write_text(text, encoding="utf-8")
    at = f"{DIGEST}:{line_of(text, line) if line else 1}:1"
    r = cli(drafted, "digest", "draft", "2026-10", "--offline")
    assert r.exit_code == 0 and "is up to date" in r.output, r.output
    warned = [w for w in r.output.splitlines() if " warning: " in w]
    assert len(warned) == 1 and warned[0].startswith(f"{at}: warning: {said}"), r.output
    assert warned[0].endswith(" (digest render refuses it)"), r.output
    assert path.read_text(encoding="utf-8") == text
    r = cli(drafted, "digest", "render", "2026-10", "--out", str(tmp_path / "out"))
    assert r.exit_code == 1, r.output
    assert warned[0].replace(" warning:", "", 1).removesuffix(
        " (digest render refuses it)") in r.output, r.output


@pytest.mark.parametrize("typed", ["<!--pipeline:begin", "<!-- Pipeline:begin",
                                   "<!--  pipeline: begin", "<!-- PIPELINE:BEGIN"])
def test_a_marker_typed_another_way_is_refused_as_damaged(drafted, cli, typed):
    """Taken for text, an item marker went with the item before it, which was then kept
    as edited, and its own item was recorded as deleted for good (found in review)."""
    def retyped(text):
        assert "<!-- pipeline:begin corrections " in text
        return text.replace("<!-- pipeline:begin corrections ", f"{typed} corrections ")

    out = refused(cli, drafted, retyped, typed)
    assert "a damaged pipeline marker" in out


def test_an_item_twice_is_refused_at_the_second_by_draft_render_and_build(month, cli,
                                                                         tmp_path):
    """An item reordered by copy and paste, the original left: the draft kept both and
    refreshed both, and the digest listed the entry twice (found in review 22)."""
    r = cli(month, "digest", "draft", "2026-10")
    assert r.exit_code == 0, r.output
    first = "<!-- pipeline:item new-entries/tools/ollama "

    def twice(text):
        item = re.search(rf"{first}\w+ -->\n.*\n", text).group(0)
        head = "## New in the catalog\n\n"
        assert head in text
        return text.replace(head, head + item, 1)

    path = month / DIGEST
    text = twice(path.read_text(encoding="utf-8"))
    second = text.index(first, text.index(first) + 1)
    path.write_text(text, encoding="utf-8")
    where = (f"{DIGEST}:{text[:second].count(chr(10)) + 1}:1: item 'new-entries/tools/ollama' "
             f"appears twice (first at line {line_of(text, first)})")
    r = cli(month, "digest", "draft", "2026-10")
    assert r.exit_code == 1 and where in r.output, r.output
    assert path.read_text(encoding="utf-8") == text and not (month / ".digest-backups").exists()
    r = cli(month, "digest", "render", "2026-10", "--out", str(tmp_path / "out"))
    assert r.exit_code == 1 and where in r.output, r.output
    path.write_text(text.replace("status: draft", "status: sent"), encoding="utf-8")
    r = cli(month, "build", "--out", str(tmp_path / "site"))
    assert r.exit_code == 1 and where in r.output, r.output


BEGIN_NEW = re.compile(r'(<!-- pipeline:begin new-entries \w+) drafted="[^"]*"( -->)')


def test_a_begin_marker_that_lost_its_drafted_list_is_refused(month, cli):
    """`drafted="..."` removed from a begin marker was taken for an empty list: the items
    the editor had deleted from the block came back with the next draft (found in review
    22)."""
    r = cli(month, "digest", "draft", "2026-10")
    assert r.exit_code == 0, r.output
    ollama = re.compile(r"<!-- pipeline:item new-entries/tools/ollama \w+ -->\n.*\n")

    def damage(text):
        assert ollama.search(text) and BEGIN_NEW.search(text)
        return BEGIN_NEW.sub(r"\1\2", ollama.sub("", text))

    out = refused(cli, month, damage, "<!-- pipeline:begin new-entries ")
    assert ("the begin marker of block 'new-entries' has lost its `drafted=\"...\"`" in out
            and 'drafted="" -->' in out)
    # said on purpose (no item of the block deleted), an empty list is taken as it says
    path = month / DIGEST
    path.write_text(re.sub(r"(<!-- pipeline:begin new-entries \w+)( -->)", r'\1 drafted=""\2',
                           path.read_text(encoding="utf-8")), encoding="utf-8")
    r = cli(month, "digest", "draft", "2026-10")
    assert r.exit_code == 0, r.output
    assert ollama.search(path.read_text(encoding="utf-8"))


def test_a_block_left_with_only_its_edited_heading_keeps_an_empty_drafted_list():
    """Without items, a block was written with no `drafted`; with text in it (a heading of
    the editor's), that now reads as a list removed: it is written `drafted=""`."""
    from pipeline.digest.document import fingerprint, parse
    from pipeline.digest.merge import merge
    from pipeline.digest.sections import Item, Section

    doc = parse(f"---\ndeleted: []\n---\n<!-- pipeline:begin verdicts {fingerprint('')} -->\n"
                "<!-- pipeline:end verdicts -->\n", "d.md")
    merge(doc, [Section("verdicts", "Verdicts", (Item("tools/a", "- tools/a\n"),))])
    text = doc.render().replace("## Verdicts\n", "## What we now think\n")
    doc = parse(text, "d.md")
    merge(doc, [Section("verdicts", "Verdicts", ())])  # the month no longer has it
    text = doc.render()
    assert ('drafted="" -->\n## What we now think\n' in text
            and "pipeline:item" not in text), text
    doc = parse(text, "d.md")
    merge(doc, [Section("verdicts", "Verdicts", ())])
    assert doc.render() == text


def test_a_digest_drafted_before_the_list_was_always_written_is_still_drafted():
    """A draft before e27b9d6 left a block with only the editor's heading, and no item,
    without `drafted`; refusing it as a list removed (found in review) stopped every
    such digest after an upgrade, with advice ("restore it") for a line that never had
    one."""
    from pipeline.digest.document import fingerprint, parse
    from pipeline.digest.merge import merge
    from pipeline.digest.sections import Section

    mark = fingerprint("## Verdicts\n\n")
    old = (f"---\ndeleted: []\n---\n<!-- pipeline:begin verdicts {mark} -->\n"
           "## What we now think\n<!-- pipeline:end verdicts -->\n")
    doc = parse(old, "d.md")
    merge(doc, [Section("verdicts", "Verdicts", ())])
    assert 'drafted="" -->\n## What we now think\n' in doc.render()


def test_a_block_emptied_of_its_items_and_of_its_drafted_list_is_refused(month, cli):
    """All the items of a block deleted, and `drafted="..."` with them: let be as a block
    with no item (session 22), it got every deleted item back on the next draft (found
    in review 23). No draft writes its heading over no item: the editor emptied it."""
    r = cli(month, "digest", "draft", "2026-10")
    assert r.exit_code == 0, r.output
    items = re.compile(r"<!-- pipeline:item new-entries/\S+ \w+ -->\n.*\n")

    def damage(text):
        assert items.search(text) and BEGIN_NEW.search(text)
        return BEGIN_NEW.sub(r"\1\2", items.sub("", text))

    out = refused(cli, month, damage, "<!-- pipeline:begin new-entries ")
    assert "the begin marker of block 'new-entries' has lost its `drafted=\"...\"`" in out


def test_a_block_whose_head_took_an_item_and_lost_its_list_is_refused(month, cli):
    """One item's marker line deleted (its text joined the block's head, under the draft's
    heading), then the other items and `drafted="..."`: the block was taken for one of the
    editor's own heading, and the deleted items came back (found in review 23). A head
    that still starts with the draft's heading line is the draft's: refused."""
    r = cli(month, "digest", "draft", "2026-10")
    assert r.exit_code == 0, r.output
    marker = re.compile(r"<!-- pipeline:item new-entries/\S+ \w+ -->\n")
    items = re.compile(r"<!-- pipeline:item new-entries/\S+ \w+ -->\n.*\n")

    def damage(text):
        first = marker.search(text)
        assert first and "## New in the catalog\n" in text and BEGIN_NEW.search(text)
        text = text[:first.start()] + text[first.end():]  # its words join the head
        return BEGIN_NEW.sub(r"\1\2", items.sub("", text))

    out = refused(cli, month, damage, "<!-- pipeline:begin new-entries ")
    assert "the begin marker of block 'new-entries' has lost its `drafted=\"...\"`" in out


def test_what_a_draft_adds_to_a_block_with_no_drafted_list_is_named(month, cli):
    """A digest drafted before the list was always written (a block of the editor's
    heading, no item, no list) is drafted, but what the draft adds there may be items
    the editor deleted: the output names them, at the block's line."""
    r = cli(month, "digest", "draft", "2026-10")
    assert r.exit_code == 0, r.output
    path = month / DIGEST
    text = path.read_text(encoding="utf-8")
    begin = BEGIN_NEW.search(text)
    end = text.index("<!-- pipeline:end new-entries -->")
    old = f"{begin.group(1)}{begin.group(2)}\n## What is new\n"  # as an old draft left it
    path.write_text(text[:begin.start()] + old + text[end:], encoding="utf-8")
    r = cli(month, "digest", "draft", "2026-10")
    assert r.exit_code == 0, r.output
    line = line_of(path.read_text(encoding="utf-8"), "<!-- pipeline:begin new-entries ")
    assert (f"{DIGEST}:{line}:1: warning: block 'new-entries' has no `drafted=\"...\"` list"
            in r.output), r.output
    assert "new-entries/tools/ollama" in r.output.split("has no `drafted")[1]
    r = cli(month, "digest", "draft", "2026-10")  # listed now: said once
    assert r.exit_code == 0 and "drafted" not in r.output, r.output
