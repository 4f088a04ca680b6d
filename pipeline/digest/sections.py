"""The generated sections of a digest, from a month's change set and feed items (pure).

Only what readers can open is listed: entries published at the end of the
month. Each item links to its entry's page (a site path such as
`/tools/vllm`; rendering makes it absolute).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..catalog.model import Entry
from ..feeds.parse import FeedItem
from ..history.changes import Change, ChangeSet
from ..mdtext import md_escape

SECTIONS = (  # (id, heading), in the order they appear in a new draft
    ("new-entries", "New in the catalog"),
    ("verdicts", "Verdict changes"),
    ("new-benchmarks", "New benchmarks"),
    ("errors-kb", "When it doesn't work: new in the errors KB"),
    ("corrections", "Corrections"),
    ("releases", "Upstream releases"),
)
HEADINGS = dict(SECTIONS)
NOT_NEWS = ("authors",)  # collections whose new entries are not news for readers
OWN_SECTION = {"benchmarks": "new-benchmarks", "errors": "errors-kb"}  # their own sections
LABELS = {"glossary": "glossary", "models": "model", "hardware": "hardware", "tools": "tool",
          "guides": "buyer guide", "pages": "page"}
EXCERPT = 160  # characters of a release's notes shown in the digest
TITLE = 120  # characters of a release's title shown in the digest (a feed's may be any length)



@dataclass(frozen=True)
class Item:
    key: str  # unique in its section; starts with the entry id it is about
    text: str  # Markdown, ending with a newline


@dataclass(frozen=True)
class Section:
    id: str
    heading: str
    items: tuple[Item, ...]

    @property
    def head(self) -> str:
        return f"## {self.heading}\n\n" if self.items else ""


def entry_of(item_id: str) -> str | None:
    """The entry an item is about: `verdicts/tools/vllm` -> `tools/vllm`."""
    parts = item_id.split("/")
    return "/".join(parts[1:3]) if len(parts) >= 3 else None


def _link(c: Change | Entry) -> str:
    return f"**[{md_escape(c.title)}](/{c.entry if isinstance(c, Change) else c.id})**"


def _summary(c: Change) -> str:
    s = c.new.data.get("summary") if c.new else None
    return f": {md_escape(s)}" if isinstance(s, str) and s.strip() else ""


def _new_item(c: Change) -> Item:
    label = LABELS.get(c.collection)
    return Item(c.entry, f"- {_link(c)}{f' ({label})' if label else ''}{_summary(c)}\n")


def _verdict_item(c: Change) -> Item:
    old, new = c.verdict.old or {}, c.verdict.new or {}
    if new.get("rating") is None:  # withdrawn: news to a reader who bought on it
        return Item(c.entry, f"- {_link(c)}: verdict withdrawn, was "
                             f"{md_escape(old.get('rating'))}.\n")
    # the history is read unchecked: a rating is escaped like any other text
    was, now = old.get("rating"), md_escape(new.get("rating"))
    rating = f"{md_escape(was)} → **{now}**" if was else f"new verdict: **{now}**"
    text = new.get("text")
    tail = f" {md_escape(text)}" if isinstance(text, str) else ""
    return Item(c.entry, f"- {_link(c)}: {rating}.{tail}\n")


def cut(text: str, limit: int) -> str:
    """`text` cut to `limit` characters at a word's end, with an ellipsis when cut: a
    feed's text is copied into an e-mail, whose size is capped (Gmail clips it)."""
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0] + " …"


def _release_item(i: FeedItem, title: str) -> Item:
    name = md_escape(cut(i.title, TITLE))
    release = f"[{name}]({i.link})" if i.link else name
    notes = cut(i.summary_text, EXCERPT)
    tail = f": {md_escape(notes)}" if notes else ""
    return Item(f"{i.entry}/{i.key}",
                f"- **[{md_escape(title)}](/{i.entry})** {release} ({i.date}){tail}\n")


def generate(
    changes: ChangeSet, releases: list[FeedItem], titles: dict[str, str], corrected: dict[str, Entry]
) -> list[Section]:
    """Every section with its items, in SECTIONS order.

    `releases` are the month's feed items of published tools; `titles` maps
    their entry ids to titles. `corrected` holds the corrected entries as they
    are at the end of the month (a correction is listed when its entry is
    published then).
    """
    items: dict[str, list[Item]] = {sid: [] for sid, _ in SECTIONS}
    for c in changes.changes:
        if c.new is None or not c.new.is_published:
            continue
        if c.published_now and c.collection not in NOT_NEWS:
            sid = OWN_SECTION.get(c.collection, "new-entries")
            items[sid].append(_new_item(c))
        elif c.verdict and c.verdict.rating_changed:  # a new, changed or withdrawn rating
            items["verdicts"].append(_verdict_item(c))
    for k in changes.corrections:
        e = corrected.get(k.entry)
        if e is None or not e.is_published:
            continue
        items["corrections"].append(Item(
            f"{k.entry}/{k.commit[:12]}",
            f"- {_link(e)} ({k.date}): {md_escape(k.text)}\n"))
    for r in releases:
        items["releases"].append(_release_item(r, titles.get(r.entry, r.entry)))
    return [Section(sid, heading, tuple(items[sid])) for sid, heading in SECTIONS]
