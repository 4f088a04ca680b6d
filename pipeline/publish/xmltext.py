"""Text and attribute values for the XML files (the Atom feed, the sitemap): escaped,
with only the characters XML 1.0 allows.

A control character in a summary or title (a stray ESC pasted from a terminal,
say) is well-formed nowhere in an XML document, and one is enough for a feed
reader to reject the whole feed, so such characters are dropped.
"""

from __future__ import annotations

import re
from xml.sax.saxutils import escape, quoteattr

_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text: str) -> str:
    """`text` escaped for XML content, without the characters XML 1.0 forbids."""
    return escape(_NOT_XML.sub("", text))


def xml_attr(text: str) -> str:
    """`text` as a quoted XML attribute value, without the characters XML 1.0 forbids."""
    return quoteattr(_NOT_XML.sub("", text))
