"""The digest's Markdown as safe HTML: cmarkgfm (GitHub flavour), then nh3.

Raw HTML in the Markdown is dropped (cmark's safe mode), the result is
sanitised with nh3, site paths (`/tools/vllm`) become absolute URLs on the
site, and for e-mail each tag gets inline styles (mail clients ignore most
style sheets).
"""

from __future__ import annotations

import html
import re

import cmarkgfm
import nh3

from .document import ANY_MARKER_RE

TAGS = {"a", "b", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "hr", "i",
        "li", "ol", "p", "pre", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul"}
ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}
SCHEMES = {"http", "https", "mailto"}

FONT = "font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;"
EMAIL_STYLES = {  # inline styles of each tag in the e-mail
    "a": {"style": "color:#0b57d0;text-decoration:underline;"},
    "h1": {"style": FONT + "font-size:26px;line-height:1.25;margin:0 0 16px;"},
    "h2": {"style": FONT + "font-size:20px;line-height:1.3;margin:28px 0 10px;"},
    "h3": {"style": FONT + "font-size:17px;line-height:1.3;margin:20px 0 8px;"},
    "p": {"style": "margin:0 0 14px;"},
    "ul": {"style": "margin:0 0 14px;padding:0 0 0 22px;"},
    "ol": {"style": "margin:0 0 14px;padding:0 0 0 22px;"},
    "li": {"style": "margin:0 0 8px;"},
    "blockquote": {"style": "margin:0 0 14px;padding:0 0 0 12px;border-left:3px solid #cccccc;"},
    "code": {"style": "font-family:Menlo,Consolas,monospace;font-size:14px;"},
}

_HREF_RE = re.compile(r'<a href="([^"]*)"([^>]*)>(.*?)</a>', re.S)


def strip_markers(markdown: str) -> str:
    """The Markdown without the pipeline's marker lines."""
    return "".join(line for line in markdown.splitlines(keepends=True)
                   if not ANY_MARKER_RE.match(line.strip()))


def to_html(markdown: str, base_url: str, email: bool = False) -> str:
    """Safe HTML of a Markdown text; site paths made absolute on `base_url` (left as they
    are with base_url "", for a page on the site itself)."""
    raw = cmarkgfm.github_flavored_markdown_to_html(strip_markers(markdown))
    relative = ("rewrite_with_root", base_url.rstrip("/") + "/", "") if base_url else "pass_through"
    return nh3.clean(
        raw,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes=SCHEMES,
        link_rel=None,
        url_relative=relative,
        set_tag_attribute_values=EMAIL_STYLES if email else None,
    ).strip() + "\n"


def hrefs(fragment: str) -> list[str]:
    """The link targets of a sanitised HTML fragment, in order."""
    return [html.unescape(m.group(1)) for m in _HREF_RE.finditer(fragment)]


def mark_paid(fragment: str, is_paid, rel: str, label: str) -> str:
    """Give each paid link `rel` and follow it with the visible label."""

    def one(m: re.Match) -> str:
        href, attrs, text = m.group(1), m.group(2), m.group(3)
        if not is_paid(html.unescape(href)):
            return m.group(0)
        return (f'<a href="{href}" rel="{html.escape(rel)}"{attrs}>{text}</a> '
                f"{html.escape(label)}")

    return _HREF_RE.sub(one, fragment)
