"""Upstream release feeds of tool entries: fetch with a cache, parse, keep a month's items.

Tool entries list feeds in front matter (`feeds:`, a list of URLs). `collect`
fetches each (or reads the cache when offline), parses it with feedparser and
returns the items with their dates; a feed that fails or is malformed is a
problem in the report, never an exception.
"""

from .collect import FeedReport, FeedResult, collect, items_in_month
from .parse import FeedItem
from .sources import FeedSource, feed_sources

__all__ = [
    "FeedItem",
    "FeedReport",
    "FeedResult",
    "FeedSource",
    "collect",
    "feed_sources",
    "items_in_month",
]
