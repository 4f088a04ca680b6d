"""Refreshing the generated blocks of a digest without losing a word of the editor's (pure).

For each block of the file and the freshly generated section with its id:

- an item whose text the editor changed (its fingerprint no longer matches)
  is kept exactly as it is, wherever it stands;
- an unchanged item is replaced by its new text, or dropped when the month
  no longer produces it (a change that was reverted), unless `held` says its
  source may just no longer show it (a release gone from a feed that keeps only
  the latest ones): then it stays as it is;
- an item the last draft wrote (`drafted`) that is gone from the file was
  deleted by the editor: its id goes into the front matter's `deleted:`
  list, and no draft brings it back until the id is taken out of that list;
- new items are inserted in generated order after the items that precede them.

A whole block the editor removed counts as a deleted section (its id is
recorded too). Text outside blocks is never looked at.

Items move only within their block (docs/digest.md): an item found in another
block (its id does not start with the block's) stops the merge with its line,
before anything changes; it would otherwise be dropped there and recorded as
deleted from its own block.
"""

from __future__ import annotations

from collections.abc import Callable

from dataclasses import dataclass, field

from .document import EMPTY, Block, DigestError, Document, Segment, fingerprint
from .sections import Section


@dataclass
class MergeStats:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # edited by the editor: left as they are
    dropped: list[str] = field(default_factory=list)  # no longer generated and not edited
    held: list[str] = field(default_factory=list)  # no longer generated, but may still be news
    deleted: list[str] = field(default_factory=list)  # newly seen as deleted by the editor
    # (file line and column of its begin marker, block id, the items added) of each block
    # with no `drafted` list where the draft added items: it cannot tell them from items
    # deleted
    unlisted: list[tuple[int, int, str, list[str]]] = field(default_factory=list)


def merge(doc: Document, sections: list[Section],
          renames: dict[str, str] | None = None,
          taken: dict[str, str] | None = None,
          held: Callable[[str, str], bool] | None = None,
          rekey: Callable[[str, str], str | None] | None = None) -> MergeStats:
    """Refresh `doc`'s blocks from `sections` in place; what happened, by item id.

    `renames`: entry ids renamed since the last draft -> their ids now. An item's id
    starts with the id of its entry, so the items, the drafted keys and the deleted
    ids the file holds follow first: an item the editor edited stays one item, and
    one deleted stays deleted, when its entry is renamed later in the month.

    `taken`: the same for old ids another entry holds now, where an item may be about
    either: it follows the rename only when the month's news has an item under the
    new id and none under the old one (`verdicts/tools/a` when `tools/a` was renamed
    and a new entry, which has no verdict change, took its id).

    `held(item id, its text)`: whether an untouched item the sections no longer hold
    stays as it is all the same, because its source cannot say the month no longer has
    it (a release gone from a feed that lists only the latest, or a feed that failed).
    Asked with the ids as renamed.

    `rekey(item id, its text)`: the id a fresh item has now for an item of the file
    whose id the month no longer produces (a release whose feed keys it anew: its key
    hangs on its id, and on its link once another item shares the id), or None. The
    item takes that id, edited or not, with its drafted key, before anything is
    compared: the editor's words stay with the release they are about, once. An id the
    editor deleted is not taken: the item keeps its own."""
    _check_places(doc)
    _check_drafted(doc)
    if taken:
        fresh = {f"{s.id}/{item.key}" for s in sections for item in s.items}
        _follow_renames(doc, taken, lambda old, new: new in fresh and old not in fresh)
    if renames:
        _follow_renames(doc, renames)
    stats = MergeStats()
    deleted = list(doc.deleted)
    blocks = doc.blocks()
    if rekey is not None:
        for section in sections:
            if section.id in blocks:
                _rekey(blocks[section.id], section, rekey, deleted)
    for section in sections:
        block = blocks.get(section.id)
        if block is None:
            if section.id not in deleted:
                deleted.append(section.id)
                stats.deleted.append(section.id)
            continue
        _merge_block(block, section, deleted, stats, held)
    if deleted != doc.deleted:
        doc.set_deleted(deleted)
    return stats


def _rekey(block: Block, section: Section, rekey: Callable[[str, str], str | None],
           deleted: list[str]) -> None:
    """Give each item of `block` the id `rekey` finds for it, but never an id the editor
    deleted: the item then stood in the file under an id `deleted:` lists (a release the
    editor deleted once its feed keyed it anew, linked to from an item they edited)."""
    fresh = {f"{section.id}/{item.key}" for item in section.items}
    present = {s.id for s in block.segments}
    prefix = section.id + "/"
    for i, seg in enumerate(block.segments):
        if seg.id in fresh:
            continue
        new = rekey(seg.id, seg.text)
        if new is None or new in present or new in deleted or not new.startswith(prefix):
            continue
        block.segments[i] = Segment(new, seg.mark, seg.text, seg.line, seg.column)
        present.discard(seg.id)
        present.add(new)
        old_key, new_key = seg.id[len(prefix):], new[len(prefix):]
        block.drafted = [new_key if k == old_key else k for k in block.drafted]


def _check_places(doc: Document) -> None:
    """Every item stands in its own block: a DigestError at the first that does not."""
    blocks = doc.blocks()
    for block in blocks.values():
        for seg in block.segments:
            if seg.id.startswith(block.section + "/"):
                continue
            owner = seg.id.partition("/")[0]
            back = (f"move it, with its marker line, back into block '{owner}', or, "
                    if owner in blocks else "")
            raise DigestError(
                f"{doc.file or 'the digest'}:{seg.line}:{seg.column}: item '{seg.id}' stands "
                f"in block '{block.section}', but items can move only within their own block "
                f"('{owner}'); {back}to keep its words here, move them outside the blocks "
                "and delete the marker line")


def _check_drafted(doc: Document) -> None:
    """Every block with items, or with the heading a draft wrote, carries its `drafted`
    list: a DigestError at the first begin marker that lost it. A draft writes it on
    every block but one it left bare (no item, no heading of its own: the editor may
    write there); without it, the items the editor deleted from the block came back. No
    draft ever wrote its heading without an item under it: such a block is one the editor
    emptied of its items and of the list (found in review 23: every item came back). A
    block with no item and the editor's own heading is let be without one: a draft
    before the list was always written left one so, and such a digest stays as it was
    (what the draft adds to it is named in its output: MergeStats.unlisted)."""
    file = doc.file or "the digest"
    for block in doc.blocks().values():
        if block.listed or not (block.segments or _drafted_head(block)):
            continue
        raise DigestError(
            f"{file}:{block.line}:{block.column}: the begin marker of block "
            f"'{block.section}' has lost its `drafted=\"...\"`, the items the last draft wrote (without it, the items you "
            "deleted from the block would come back); restore it as the last draft wrote "
            f"it (`git diff {file}` shows the line as last committed), or, if you deleted "
            "no item of the block, end the line with ` drafted=\"\" -->`; nothing was "
            "written")


def _drafted_head(block: Block) -> bool:
    """Whether a block holds the heading a draft wrote, untouched (or its heading was
    deleted), or a head that still starts with that heading's line: a draft wrote one
    only over items. An item whose marker line the editor deleted joins the head, under
    the draft's heading: taken for a heading of the editor's once the other items and
    the list were deleted too, the block got the deleted items back (found in review
    23). The draft's head is its heading line and a blank line, which its fingerprint
    (`mark`) is blind to."""
    if block.mark == EMPTY:
        return False
    if not block.head_edited or not block.head.strip():
        return True
    first = next(line for line in block.head.split("\n") if line.strip())
    return fingerprint(first) == block.mark


def _renamed_key(key: str, renames: dict[str, str]) -> str:
    """An item key (`tools/vllm`, `tools/vllm/<release>`) with its entry id renamed."""
    collection, _, rest = key.partition("/")
    slug, sep, tail = rest.partition("/")
    new = renames.get(f"{collection}/{slug}")
    return f"{new}{sep}{tail}" if new else key


def _follow_renames(doc: Document, renames: dict[str, str],
                    wanted: Callable[[str, str], bool] | None = None) -> None:
    """Rename the entry ids of the items, drafted keys and deleted ids of `doc`; with
    `wanted`, only where wanted(old item id, new item id)."""
    def moved(section: str, key: str) -> str:
        new = _renamed_key(key, renames)
        if wanted is None or new == key or wanted(f"{section}/{key}", f"{section}/{new}"):
            return new
        return key

    def moved_id(item_id: str) -> str:
        return item_id.partition("/")[0] + "/" + moved(*item_id.split("/", 1)) \
            if "/" in item_id else item_id

    blocks = doc.blocks().values()
    # the ids an item, a drafted key or a deleted id of a renamed entry moves onto now:
    # an entry renamed onto the id of one deleted in the month (whose items are there)
    ids = [*(f"{b.section}/{k}" for b in blocks for k in b.drafted),
           *(s.id for b in blocks for s in b.segments), *doc.deleted]
    came = {moved_id(i) for i in ids if moved_id(i) != i}
    for block in blocks:
        prefix = block.section + "/"
        block.drafted = list(dict.fromkeys(moved(block.section, k) for k in block.drafted))
        segments = [Segment(prefix + moved(block.section, s.id[len(prefix):]), s.mark,
                            s.text, s.line, s.column) if s.id.startswith(prefix) else s
                    for s in block.segments]
        block.segments = _one_per_id(segments, [new.id != old.id
                                                for old, new in zip(block.segments, segments)])
    # Likewise the deleted entry's deleted item: what the editor deleted was about another
    # entry, and hid the renamed one's item for good; the renamed entry's own stays, but
    # for an id where an item of the other the editor edited stands: that item stands for
    # the id (the renamed entry's is not added beside it), and is not listed as deleted.
    standing = {s.id for b in blocks for s in b.segments if s.edited}
    deleted = list(dict.fromkeys(moved_id(i) for i in doc.deleted
                                 if (moved_id(i) != i and moved_id(i) not in standing)
                                 or (moved_id(i) == i and i not in came)))
    if deleted != doc.deleted:
        doc.set_deleted(deleted)


def _one_per_id(segments: list[Segment], moved: list[bool]) -> list[Segment]:
    """The items of a block with one item per id, where a rename brought an item onto the
    id of another (an entry renamed onto the id of one deleted in the month): the items
    the editor edited under it are joined, in their order, under the first one's marker;
    an untouched one goes when an edited one is there, else the one that moved stays (the
    renamed entry's: the other's entry is gone, and left, it was refreshed into a second
    copy of the renamed one's). Two markers of one id are refused (document.parse)."""
    groups: dict[str, list[tuple[Segment, bool]]] = {}
    for seg, came in zip(segments, moved):
        groups.setdefault(seg.id, []).append((seg, came))
    out = []
    for seg in segments:
        group = groups[seg.id]
        edited = [s for s, _ in group if s.edited]
        if len(group) == 1:
            out.append(seg)
        elif edited and seg is edited[0]:
            text = "".join(t if t.endswith("\n") else t + "\n" for t in
                           (s.text for s in edited[:-1])) + edited[-1].text
            out.append(Segment(seg.id, seg.mark, text, seg.line, seg.column))
        elif not edited and seg is next((s for s, came in group if came), group[0][0]):
            out.append(seg)
    return out


def _spaced_as(old: str, new: str) -> str:
    """`new` with the blank lines `old` had after it: the editor's blank line between two
    items (a loose list) is no edit of the item's words, and stays."""
    core = new.rstrip("\n")
    return core + "\n" * max(len(old) - len(old.rstrip("\n")), len(new) - len(core))


def _merge_block(block: Block, section: Section, deleted: list[str], stats: MergeStats,
                 held: Callable[[str, str], bool] | None = None) -> None:
    generated = {f"{section.id}/{item.key}": item.text for item in section.items}
    present = {s.id for s in block.segments}
    for key in block.drafted:
        item_id = f"{section.id}/{key}"
        if item_id not in present and item_id not in deleted:
            deleted.append(item_id)
            stats.deleted.append(item_id)
    segments: list[Segment] = []
    for seg in block.segments:
        if seg.edited:
            segments.append(seg)
            stats.kept.append(seg.id)
        elif seg.id in generated and seg.id not in deleted:
            text = _spaced_as(seg.text, generated[seg.id])
            if text != seg.text:
                stats.updated.append(seg.id)
            segments.append(Segment(seg.id, fingerprint(text), text))
        elif seg.id not in deleted and held is not None and held(seg.id, seg.text):
            segments.append(seg)
            stats.held.append(seg.id)
        else:
            stats.dropped.append(seg.id)
    order = list(generated)
    added = len(stats.added)
    for i, item_id in enumerate(order):
        if item_id in present or item_id in deleted:
            continue
        before = set(order[:i])
        at = max((j + 1 for j, s in enumerate(segments) if s.id in before), default=0)
        segments.insert(at, Segment(item_id, fingerprint(generated[item_id]), generated[item_id]))
        stats.added.append(item_id)
    if (not block.listed and block.head_edited and not block.segments
            and len(stats.added) > added):
        # a block of the editor's heading and no list of what the last draft wrote (a
        # digest drafted before it was always written): what it adds may have been deleted
        stats.unlisted.append((block.line, block.column, section.id, stats.added[added:]))
    block.segments = segments
    if not block.head_edited:  # while any item stands in it (one kept as edited when
        # the month no longer produces the section, too), the block keeps its heading
        block.head = (section.head or f"## {section.heading}\n\n") if segments else ""
        block.mark = fingerprint(block.head)
    prefix = section.id + "/"
    block.drafted = [s.id[len(prefix):] if s.id.startswith(prefix) else s.id for s in segments]
