"""Fetching one feed over HTTP with a cache: conditional requests, a timeout, a size cap.

The cache is a folder (`.pipeline-cache/feeds/`, never committed) holding, per
feed URL, the last body received and its validators (ETag, Last-Modified,
Content-Type). A second fetch sends `If-None-Match` / `If-Modified-Since`, so
an unchanged feed costs a 304 and no body. When a fetch fails, the cached copy
(if any) is used and the result says so.
"""

from __future__ import annotations

import hashlib
import json
import socket
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from .. import __version__
from ..fileio import write_atomic

TIMEOUT = 10.0  # seconds, per request
MAX_BYTES = 5_000_000  # a feed larger than this is refused
USER_AGENT = f"pipeline/{__version__} (release feeds of a local-AI catalog)"


@dataclass(frozen=True)
class Fetched:
    """The outcome of one fetch.

    `status`: `fetched` (a new body), `not-modified` (304: the cached body),
    `cached` (offline: the cached body), `stale` (the fetch failed: the cached
    body), `failed` (no body at all). `message` says why for the last two.
    """

    url: str
    status: str
    data: bytes | None
    content_type: str = "application/xml"
    message: str = ""


class FeedCache:
    """Bodies and validators of fetched feeds, one pair of files per URL."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)

    def _key(self, url: str) -> str:
        return hashlib.sha256(url.encode("utf-8")).hexdigest()[:32]

    def load(self, url: str) -> tuple[bytes | None, dict]:
        key = self._key(url)
        body, meta = self.folder / f"{key}.body", self.folder / f"{key}.json"
        if not body.is_file() or not meta.is_file():
            return None, {}
        try:
            return body.read_bytes(), json.loads(meta.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None, {}

    def store(self, url: str, data: bytes, meta: dict) -> None:
        key = self._key(url)
        write_atomic(self.folder / f"{key}.body", data)
        write_atomic(self.folder / f"{key}.json",
                     json.dumps({"url": url, **meta}, indent=2, sort_keys=True) + "\n")


def fetch(
    url: str,
    cache: FeedCache,
    *,
    offline: bool = False,
    timeout: float = TIMEOUT,
    max_bytes: int = MAX_BYTES,
) -> Fetched:
    """Fetch `url` (http or https) through `cache`; never raises for network trouble."""
    cached, meta = cache.load(url)
    ctype = meta.get("content_type") or "application/xml"
    if offline:
        if cached is None:
            return Fetched(url, "failed", None, message="offline and not in the cache; "
                           "run `pipeline feeds fetch` once online")
        return Fetched(url, "cached", cached, ctype)
    if not url.startswith(("http://", "https://")):
        return Fetched(url, "failed", None, message="not an http(s) URL")
    headers = {"User-Agent": USER_AGENT, "Accept": "application/atom+xml, application/rss+xml, "
               "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"}
    if cached is not None and meta.get("etag"):
        headers["If-None-Match"] = meta["etag"]
    if cached is not None and meta.get("last_modified"):
        headers["If-Modified-Since"] = meta["last_modified"]
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers),
                                    timeout=timeout) as resp:
            length = resp.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > max_bytes:
                raise _TooBig(int(length))
            data = resp.read(max_bytes + 1)
            if len(data) > max_bytes:
                raise _TooBig(len(data))
            new_meta = {
                "etag": resp.headers.get("ETag") or "",
                "last_modified": resp.headers.get("Last-Modified") or "",
                "content_type": resp.headers.get("Content-Type") or "application/xml",
            }
    except urllib.error.HTTPError as e:
        if e.code == 304 and cached is not None:
            return Fetched(url, "not-modified", cached, ctype)
        return _fallback(url, cached, ctype, f"HTTP {e.code} {e.reason}")
    except _TooBig as e:
        return _fallback(url, cached, ctype, f"larger than the cap of {max_bytes} bytes "
                         f"({e.size} bytes or more)")
    except (urllib.error.URLError, socket.timeout, TimeoutError, ConnectionError, OSError) as e:
        reason = getattr(e, "reason", e)
        if isinstance(reason, (socket.timeout, TimeoutError)):
            reason = f"no answer within {timeout:g} s"
        return _fallback(url, cached, ctype, f"cannot fetch: {reason}")
    cache.store(url, data, new_meta)
    return Fetched(url, "fetched", data, new_meta["content_type"])


class _TooBig(Exception):
    def __init__(self, size: int):
        self.size = size


def _fallback(url: str, cached: bytes | None, ctype: str, why: str) -> Fetched:
    if cached is None:
        return Fetched(url, "failed", None, message=why)
    return Fetched(url, "stale", cached, ctype, message=f"{why}; using the cached copy")
