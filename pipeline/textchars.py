"""Characters that no text shown to readers may hold.

YAML refuses them typed into a file (yaml.reader.Reader.NON_PRINTABLE: the control
characters but tab, line breaks and NEL, and U+FFFE, U+FFFF), and so does TOML; an
escape still writes them (`"\\e[31m"`, `"\\x01"`, `"\\u0000"`). No page, feed or e-mail
header can hold one: an Atom feed with one is not XML, a Subject line with one is
malformed, a page with one is an HTML parse error. Where an editor's value could carry
one, it is refused at its line, as the character typed is.
"""

from __future__ import annotations

import re

INVISIBLE = re.compile("[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd"
                       "\U00010000-\U0010ffff]")
