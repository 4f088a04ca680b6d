"""Plain text set in Markdown: escaped so that it reads as the same words, no more."""

from __future__ import annotations

import re

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~!&])")
# GitHub's Markdown makes a link of a bare address; an escaped `:` or `.` stops it (the
# text reads the same). An e-mail address cannot be stopped so: it stays a mailto link.
# Wherever it stands: GitHub's links `x_https://...` and `_www.` too.
_BARE_LINK = re.compile(r"(?i)(https?|ftp)(:)(?=//)|(www)(\.)")


def md_escape(text: str) -> str:
    """Plain text made safe to stand in Markdown, on one line (no accidental links,
    emphasis, headings or tables): a release note's `https://...` stays text, not a link
    no check looked at; a title with a line break and `## x` stays one line of words."""
    escaped = _MD_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))
    return _BARE_LINK.sub(lambda m: f"{m.group(1) or m.group(3)}\\{m.group(2) or m.group(4)}",
                          escaped)
