"""Every feed of the catalog, fetched (or read from the cache) and parsed."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..config import Settings
from .fetch import MAX_BYTES, TIMEOUT, FeedCache, Fetched, fetch
from .parse import FeedItem, read_feed
from .sources import FeedSource, feed_sources


@dataclass(frozen=True)
class FeedResult:
    """What happened to one feed: the fetch status, its items, and a problem if any."""

    source: FeedSource
    status: str  # fetched | not-modified | cached | stale | failed | malformed
    items: tuple[FeedItem, ...] = ()
    problem: str = ""


@dataclass
class FeedReport:
    results: list[FeedResult] = field(default_factory=list)

    @property
    def items(self) -> list[FeedItem]:
        """Every item of every usable feed, sorted by date, entry and title."""
        out = [i for r in self.results for i in r.items]
        return sorted(out, key=lambda i: (i.date, i.entry, i.title, i.key))

    @property
    def problems(self) -> list[FeedResult]:
        return [r for r in self.results if r.problem]


def cache_of(settings: Settings) -> FeedCache:
    return FeedCache(settings.path("cache") / "feeds")


def collect(
    settings: Settings,
    *,
    offline: bool = False,
    timeout: float = TIMEOUT,
    max_bytes: int = MAX_BYTES,
    progress=None,
    sources: list[FeedSource] | None = None,
) -> FeedReport:
    """Fetch and parse the feeds of every tool entry (each URL once), or of `sources`.

    Offline, only the cache is read. A failed fetch falls back to the cached
    copy; a malformed feed is reported and skipped; nothing here raises.
    """
    cache = cache_of(settings)
    report = FeedReport()
    fetched: dict[str, Fetched] = {}
    sources = list(feed_sources(settings) if sources is None else sources)
    if progress is not None:
        progress.total = len(sources)
    for source in sources:
        if progress is not None:
            progress.advance()
        if source.url not in fetched:
            fetched[source.url] = fetch(source.url, cache, offline=offline, timeout=timeout,
                                        max_bytes=max_bytes)
        got = fetched[source.url]
        if got.data is None:
            problem = got.message + ("; skipped" if got.status == "malformed" else "")
            if got.bad_url and source.where:  # the entry's fault: say where to fix it
                problem = f"{source.where}: {problem}"
            report.results.append(FeedResult(source, got.status, problem=problem))
            continue
        items, why, warnings = read_feed(got.data, source.url, source.entry, got.content_type,
                                         parsed=got.parsed)
        if why:
            report.results.append(FeedResult(source, "malformed", problem=f"{why}; skipped"))
            continue
        report.results.append(FeedResult(source, got.status, tuple(items),
                                         "; ".join([*filter(None, [got.message]), *warnings])))
    return report


def items_in_month(items: list[FeedItem], month: str) -> list[FeedItem]:
    """The items dated in `month` (`YYYY-MM`)."""
    return [i for i in items if i.date.startswith(month + "-")]
