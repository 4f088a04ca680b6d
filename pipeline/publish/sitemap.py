"""`/sitemap.xml`: every published entry with the date it last changed, the home page and
each collection's index with the newest such date of what they list, and the digests sent
with their `updated` date.

A sitemap holds at most 50,000 URLs and 50 MB (sitemaps.org); a search engine refuses a
bigger one whole. Beyond that, `sitemap.xml` is a sitemap index of `sitemap-1.xml`,
`sitemap-2.xml`..., each within both limits, so its address stays the one to submit."""

from __future__ import annotations

from .xmltext import xml_text

MAX_URLS = 50_000
MAX_BYTES = 50 * 1024 * 1024
_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n'
_NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'


def sitemaps(base_url: str, pages: list[tuple[str, str | None]]) -> dict[str, bytes]:
    """{file: bytes}: `sitemap.xml` listing `pages` (site path, lastmod date or None; drafts
    and retired entries are never given), or, when they do not fit in one sitemap, a
    sitemap index there (each sitemap with the newest lastmod it lists) and the sitemaps
    it names."""
    base = base_url.rstrip("/")
    pages = sorted(pages)
    if len(pages) <= MAX_URLS:
        data = _one_urlset(base, pages)
        if len(data) <= MAX_BYTES:
            return {"sitemap.xml": data}
    room = MAX_BYTES - len(_urlset([]))
    parts: list[list[bytes]] = [[]]
    newest: list[str | None] = [None]
    size = 0
    for path, lastmod in pages:
        row = _element("url", base + path, lastmod)
        if parts[-1] and (len(parts[-1]) == MAX_URLS or size + len(row) > room):
            parts.append([])
            newest.append(None)
            size = 0
        parts[-1].append(row)
        size += len(row)
        newest[-1] = max(filter(None, (newest[-1], lastmod)), default=None)
    if len(parts) == 1:
        return {"sitemap.xml": _urlset(parts[0])}
    files = {f"sitemap-{n}.xml": _urlset(rows) for n, rows in enumerate(parts, 1)}
    files["sitemap.xml"] = (f"{_HEAD}<sitemapindex {_NS}>\n".encode()
                            + b"".join(_element("sitemap", f"{base}/sitemap-{n}.xml", date)
                                       for n, date in enumerate(newest, 1))
                            + b"</sitemapindex>\n")
    return files


def _element(tag: str, url: str, lastmod: str | None) -> bytes:
    return (f"  <{tag}><loc>{xml_text(url)}</loc>"
            + (f"<lastmod>{xml_text(lastmod)}</lastmod>" if lastmod else "")
            + f"</{tag}>\n").encode("utf-8")


def _one_urlset(base: str, pages: list[tuple[str, str | None]]) -> bytes:
    """`_urlset` of every page's `_element("url", ...)`, escaped and encoded all at once
    (an element at a time, 2 µs a page, most of the sitemap's time)."""
    locs = _xml_texts([base + path for path, _ in pages])
    dates = _xml_texts([lastmod or "" for _, lastmod in pages])
    rows = [f"  <url><loc>{loc}</loc><lastmod>{date}</lastmod></url>\n" if lastmod
            else f"  <url><loc>{loc}</loc></url>\n"
            for loc, date, (_, lastmod) in zip(locs, dates, pages)]
    return f"{_HEAD}<urlset {_NS}>\n{''.join(rows)}</urlset>\n".encode("utf-8")


def _xml_texts(texts: list[str]) -> list[str]:
    """[xml_text(t) for t in texts]: in one call on their lines when none holds a line
    break (xml_text keeps line breaks as they are)."""
    joined = "\n".join(texts)
    if joined.count("\n") != len(texts) - 1:
        return [xml_text(t) for t in texts]
    return xml_text(joined).split("\n") if texts else []


def _urlset(rows: list[bytes]) -> bytes:
    return f"{_HEAD}<urlset {_NS}>\n".encode() + b"".join(rows) + b"</urlset>\n"


def index_pages(by_collection: dict[str, list[str]], lastmod: dict[str, str | None]
                ) -> list[tuple[str, str | None]]:
    """The home page and the index of each collection with published entries
    (`by_collection`: their ids), each with the newest `lastmod` of the entries it lists
    (the home page lists them all): a date of the catalog, never of the build."""
    def newest(ids) -> str | None:
        return max((d for d in (lastmod[i] for i in ids) if d), default=None)

    pages = [("/", newest(lastmod))]
    pages += [(f"/{c}", newest(ids)) for c, ids in sorted(by_collection.items()) if ids]
    return pages
