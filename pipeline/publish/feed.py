"""`/feed.xml`: an Atom feed of new and updated entries and of the monthly digests."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from ..cache import iso_day
from ..catalog import yamlpos
from ..catalog.loader import decode
from ..config import Settings
from ..digest.month import Month
from ..errors import PipelineError, UsageError
from ..textchars import has_words
from .xmltext import xml_attr, xml_text

FEED_SIZE = 50  # the most recent items
_MONTH_RE = re.compile(r"^(\d{4})-(\d{2})\.md$")
# A name meant as a month and mistyped (`2026-1.md`, `26-10.md`, `2026_10.md`): it would
# never be published, drafted or rendered. Other files (a README) are not digests.
_NEAR_MONTH_RE = re.compile(r"^\d{2,4}[-_ .]\d{1,2}\.md$")


@dataclass(frozen=True)
class FeedItem:
    url: str  # site path
    title: str
    published: str  # YYYY-MM-DD
    updated: str
    summary: str
    category: str  # the collection, or "digest"
    authors: tuple[str, ...] = ()
    # its Atom id when not its URL (atom_ids): the site path it is made of, or a `tag:` URI
    id_path: str = ""


def entry_item(item: dict, authors: list[str], id_path: str = "") -> FeedItem:
    """A published entry's feed item, from its collection item and its authors' names."""
    return FeedItem(url=item["url"], title=item["title"], published=item["published"],
                    updated=item["updated"], summary=item["summary"] or "",
                    category=item["id"].split("/", 1)[0], authors=tuple(authors),
                    id_path="" if id_path == item["url"] else id_path)


def atom_ids(base_url: str, first: dict, published, date_of=lambda entry_id: "") \
        -> dict[str, str]:
    """{published entry's id: its feed item's Atom id}, for each one whose Atom id is not its
    URL. An Atom id never changes (a feed reader takes an item with another id for a new
    one): an entry keeps the URL it was created at, renamed since, while it was the first
    entry created there; an entry created at an id an earlier one had (the earlier one
    renamed, a draft, retired: every status counts) gets a `tag:` URI (RFC 4151) of the
    site's host, the date git first saw it and the id it was created at, which no URL can
    be and which does not change when it is renamed or the earlier one's status changes.

    `first`: git_history.first_ids (git_history.GitData.first: deleted entries too, under
    names no entry has, which count in places and tag numbers and get no id); `published`: every
    published entry's id; `date_of(id)`: its `published` date, the date of the tag of one
    git does not have yet (not committed) made at the first id of an entry renamed or
    deleted since."""
    host = (urlsplit(base_url).hostname or "localhost").lower()
    out, tags, seen = {}, {}, {}
    for entry_id, (first_id, created, place) in sorted(first.items(), key=lambda f: (
            f[1][0], f[1][2])):
        if place:  # numbered after the earlier ones of its id and day, every status counted
            key = (created, first_id)
            seen[key] = seen.get(key, 0) + 1
            tags[entry_id] = _tag(host, created, first_id, seen[key])
        elif entry_id in published:
            out[entry_id] = f"/{first_id}"
    taken = {first_id for first_id, _created, place in first.values() if place == 0}
    for entry_id in sorted(published):
        if entry_id in tags:
            out[entry_id] = tags[entry_id]
        elif entry_id not in first and entry_id in taken:  # not in git yet
            date = iso_day(str(date_of(entry_id) or "")) or "1970-01-01"
            key = (date, entry_id)
            seen[key] = seen.get(key, 0) + 1
            out[entry_id] = _tag(host, date, entry_id, seen[key])
    return out


def _tag(host: str, date: str, first_id: str, count: int) -> str:
    """`tag:example.org,2026-09-05:glossary/flash-attn`, `...:2` for the second of one day."""
    return f"tag:{host},{date}:{first_id}" + (f":{count}" if count > 1 else "")


# Statuses of a digest not sent yet (docs/digest.md: draft, then ready, then sent).
_UNSENT = ("draft", "review", "ready")


def sent_digests(settings: Settings) -> list[tuple[FeedItem, Path]]:
    """One item per `digests/YYYY-MM.md` sent (status `sent`, in any case, or none in an
    archive written by hand; another status than draft, review or ready stops the build),
    oldest first, with its file: under its `subject`, with its `preheader` as
    the summary (`title` and `summary` in such an archive; without either, its first
    paragraph, shortened). Its date is the front
    matter's `published` (or `date`), else the first day after its month, when a digest
    goes out; an `updated` before it stops the build, at its line (validate warns of an
    entry's: updated-before-published). Its page is `/digests/YYYY-MM` (publish.digests)."""
    folder = settings.path("digests")
    items = []
    for path in sorted(folder.glob("*.md")) if folder.is_dir() else []:
        file = os.path.relpath(path, settings.root).replace(os.sep, "/")
        m = _MONTH_RE.match(path.name)
        if not m:
            if _NEAR_MONTH_RE.match(path.name):
                raise PipelineError(f"{file}: a digest's file is named after its month, "
                                    "YYYY-MM.md (2026-01.md): rename it")
            continue
        month = _month(path.name, file)
        data, where, body = _front_matter(path, file)
        status = str(data.get("status", "sent")).strip().lower()
        if status in _UNSENT:
            continue  # a ready digest is not public until it is sent (found in review)
        if status != "sent":  # `redy` published a digest not sent yet
            raise PipelineError(f"{file}: status: {data['status']!r} is not a digest's status: "
                                "write draft, review, ready or sent (only a sent digest is "
                                "published)")
        _check_sent(data, where, file, month)
        after = month.next_first_day
        # a digest's front matter is the editor's, unchecked: a date with a time of day
        # ("2026-12-02 10:30:00"), or none that reads as a date, must not break the feed
        date = iso_day(str(data.get("published") or data.get("date") or "")) or after
        updated = iso_day(str(data.get("updated") or "")) or date
        if updated < date:  # validate warns of an entry's (updated-before-published)
            given = "published" if data.get("published") else "date" if data.get(
                "date") else None
            raise PipelineError(
                f"{file}:{_place(where, 'updated')}: `updated: {updated}` is "
                "before " + (f"`{given}: {date}`" if given else
                             f"{date}, the first day after its month, when a digest goes out")
                + ": write the date of its last update, on or after that, or remove "
                "`updated`")
        title = data.get("subject") or data.get("title") or f"What changed in local AI: {month}"
        items.append((FeedItem(url=f"/digests/{month}", title=" ".join(str(title).split()),
                               published=date,
                               updated=updated,
                               summary=_summary(data, body),
                               category="digest"), path))
    return items


def _check_sent(data: dict, where: dict, file: str, month: Month) -> None:
    """Refuse what `digest render` refuses in a digest's front matter, now that it is
    published: a subject or summary that is not text (a list showed as "['a', 'b']"),
    a month other than its file's."""
    for key in ("subject", "title", "preheader", "summary"):
        if data.get(key) is not None and not isinstance(data[key], str):
            raise PipelineError(f"{file}:{_place(where, key)}: `{key}:` must be text, "
                                f"not {data[key]!r}")
    if "month" in data and str(data["month"]) != str(month):
        raise PipelineError(f"{file}:{_place(where, 'month')}: front matter says month "
                            f"{data['month']}, the file name says {month}")


def _place(where: dict, key: str) -> str:
    """`line:column` of front-matter key `key` (`where`: yamlpos.load's positions), as
    `digest render` names it; `1:1`, the front matter's start, when it has no such key."""
    line, column = where.get((key,), (1, 1))
    return f"{line}:{column}"


def _month(name: str, file: str) -> Month:
    """The month a digest file is named after; a name that is no month (`2026-13.md`)
    stops the build, naming the file: it could never be drafted or rendered."""
    try:
        return Month.parse(name[:-3])
    except UsageError as e:
        raise PipelineError(f"{file}: {e}; a digest's file is named YYYY-MM.md after its "
                            "month: rename it") from None


def _front_matter(path: Path, file: str) -> tuple[dict, dict, str]:
    """A digest's front matter, the positions of its keys (yamlpos.load) and its body; {}
    for a file with none (an archive written by hand), all of whose text is its body.

    Front matter that cannot be read stops the build, at its line and column, in the words
    of `pipeline digest draft` and `render` (digest.document's split and not_key_value):
    read as empty, a draft would be taken for a digest sent and published in the feed.
    `file`: its name in messages."""
    from ..digest import document  # only when there is a digest (0.02 s of imports)

    text, problem = decode(file, path.read_bytes())
    if problem:
        raise PipelineError(f"{file}:{problem.line}:{problem.column}: {problem.message}; "
                            f"{problem.hint}")
    split = document.split(text, file, archive=True)
    if split is None:
        return {}, {}, text
    front, body = split[0], "\n".join(split[1])
    try:
        data, where = yamlpos.load(front, first_line=2)
    except yamlpos.YamlProblem as e:
        raise PipelineError(f"{file}:{e.line}:{e.column}: front matter: {e.message}") from None
    if data is None:
        return {}, {}, body
    if not isinstance(data, dict):
        raise document.not_key_value(front, file)
    return data, where, body


# An entry's summary is at most this long (schemas/common.schema.json).
SUMMARY_LIMIT = 300


def _summary(data: dict, body: str) -> str:
    """A digest's summary: its `preheader` (`summary` in an archive written by hand), the
    first of them with words (one of spaces or invisible characters only was taken, and
    the summary shown empty), else `_first_words` of its body."""
    for key in ("preheader", "summary"):
        text = " ".join(str(data.get(key) or "").split())
        if has_words(text):
            return text
    return _first_words(body)


def _first_words(body: str) -> str:
    """The summary of a digest whose front matter gives none (an archive written by
    hand): its first paragraph as plain text, cut at a word's end to an entry summary's
    length; "" for a body with none. Empty, the feed item's summary showed blank."""
    if not body.strip():
        return ""
    from ..digest.markdown import first_paragraph
    from ..digest.sections import cut

    return cut(first_paragraph(body), SUMMARY_LIMIT)


def _time(date: str) -> str:
    return f"{date}T00:00:00Z"


def _atom_id(base: str, item: FeedItem) -> str:
    path = item.id_path or item.url
    return path if path.startswith("tag:") else base + path


def atom_feed(settings: Settings, items: list[FeedItem]) -> bytes:
    """The newest FEED_SIZE items by update date (ties by path), newest first."""
    base = settings.site.base_url.rstrip("/")
    chosen = sorted(items, key=lambda i: (i.updated, i.url), reverse=True)[:FEED_SIZE]
    updated = chosen[0].updated if chosen else "1970-01-01"
    site = settings.site
    out = [
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang={xml_attr(site.language)}>',
        f"  <title>{xml_text(site.name)}</title>",
        "  <subtitle>New and updated entries, and the monthly digest.</subtitle>",
        f"  <id>{xml_text(base)}/</id>",
        "  <link rel=\"self\" type=\"application/atom+xml\" "
        f"href={xml_attr(base + '/feed.xml')}/>",
        f"  <link rel=\"alternate\" type=\"text/html\" href={xml_attr(base + '/')}/>",
        f"  <updated>{_time(updated)}</updated>",
        f"  <author><name>{xml_text(site.name)}</name></author>",
    ]
    for item in chosen:
        url = base + item.url
        out += [
            "  <entry>",
            f"    <id>{xml_text(_atom_id(base, item))}</id>",
            f"    <title>{xml_text(item.title)}</title>",
            f"    <link rel=\"alternate\" type=\"text/html\" href={xml_attr(url)}/>",
            f"    <published>{_time(item.published)}</published>",
            f"    <updated>{_time(item.updated)}</updated>",
            *(f"    <author><name>{xml_text(a)}</name></author>" for a in item.authors),
            f"    <category term={xml_attr(item.category)}/>",
            f"    <summary>{xml_text(item.summary)}</summary>",
            "  </entry>",
        ]
    out.append("</feed>")
    return ("\n".join(out) + "\n").encode("utf-8")
