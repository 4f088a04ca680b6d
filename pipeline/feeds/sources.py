"""Which feeds to follow: the `feeds:` lists of tool entries in the working tree."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..catalog.loader import parse_files, read_folder
from ..config import Settings

COLLECTION = "tools"


@dataclass(frozen=True)
class FeedSource:
    """One feed URL of one entry; `where` is the place it is written, `file:line:column`
    ('' when not known), which a problem of the URL itself is reported at."""

    entry: str
    title: str
    url: str
    published: bool
    where: str = field(default="", compare=False)


def feed_sources(settings: Settings) -> list[FeedSource]:
    """Every (entry, feed URL) pair of the tool entries, sorted by entry and URL.

    Only the tools folder is read; values that are not http(s) URLs are left
    out (the schema check reports them).
    """
    folder = settings.path("entries") / COLLECTION
    if not folder.is_dir():
        return []
    rel = f"{settings.paths.entries.strip('/')}/{COLLECTION}"
    wanted = {f"{rel}/{p.name}" for p in folder.glob("*.md")}
    entries, _ = parse_files(read_folder(settings, only=wanted), settings.paths.entries.strip("/"))
    return sources_of(entries)


def sources_of(entries) -> list[FeedSource]:
    """The (entry, feed URL) pairs of some tool entries, sorted by entry and URL."""
    out = []
    for e in entries:
        urls = e.data.get("feeds")
        if e.collection != COLLECTION or not isinstance(urls, list):
            continue
        for i, url in enumerate(urls):
            if isinstance(url, str) and url.startswith(("http://", "https://")):
                line, column = e.pos(("feeds", i))
                where = f"{e.file}:{line}:{column}" if e.file else ""
                out.append(FeedSource(e.id, e.title, url, e.is_published, where))
    return sorted(dict.fromkeys(out), key=lambda s: (s.entry, s.url))  # each URL once
