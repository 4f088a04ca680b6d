"""`/sitemap.xml`: every published entry with the date it last changed, the home page and
each collection's index with the newest such date of what they list, and the digests sent
with their `updated` date."""

from __future__ import annotations

from .xmltext import xml_text


def sitemap(base_url: str, pages: list[tuple[str, str | None]]) -> bytes:
    """`pages` are (site path, lastmod date or None); drafts and retired entries are never given."""
    base = base_url.rstrip("/")
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for path, lastmod in sorted(pages):
        lines.append(f"  <url><loc>{xml_text(base + path)}</loc>"
                     + (f"<lastmod>{xml_text(lastmod)}</lastmod>" if lastmod else "") + "</url>")
    lines.append("</urlset>")
    return ("\n".join(lines) + "\n").encode("utf-8")


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
