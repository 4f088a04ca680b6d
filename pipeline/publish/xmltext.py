"""Text and attribute values for the XML files (the Atom feed, the sitemap): escaped,
with only the characters XML 1.0 allows.

A control character in a summary or title (a stray ESC pasted from a terminal,
say) is well-formed nowhere in an XML document, and one is enough for a feed
reader to reject the whole feed, so such characters are dropped.
"""

from __future__ import annotations

import re

_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


# xml.sax.saxutils's escape and quoteattr, written out: importing that module imports
# urllib.request, and with it http.client, email and ssl (about 12 ms of CPU in every
# build, for three replace calls). A test holds them to saxutils's.
def escape(data: str) -> str:
    return data.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")


def quoteattr(data: str) -> str:
    data = escape(data).replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#9;")
    if '"' not in data:
        return f'"{data}"'
    if "'" not in data:
        return f"'{data}'"
    return '"' + data.replace('"', "&quot;") + '"'


def xml_text(text: str) -> str:
    """`text` escaped for XML content, without the characters XML 1.0 forbids."""
    return escape(_NOT_XML.sub("", text))


def xml_attr(text: str) -> str:
    """`text` as a quoted XML attribute value, without the characters XML 1.0 forbids."""
    return quoteattr(_NOT_XML.sub("", text))
