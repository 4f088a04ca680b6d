"""`/sitemap.xml`: every published entry with the date it last changed, and the digests
sent with their `updated` date."""

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
