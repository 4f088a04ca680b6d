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
import unicodedata

INVISIBLE = re.compile("[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd"
                       "\U00010000-\U0010ffff]")

# The bytes of most of a file, none of them INVISIBLE: printable ASCII, tab, line breaks.
_PLAIN_ASCII = bytes(range(0x20, 0x7f)) + b"\t\n\r"
# The UTF-8 of INVISIBLE's characters: C0 controls but tab and line breaks, DEL, C1
# controls but NEL, U+FFFE and U+FFFF (no surrogate is valid UTF-8).
_INVISIBLE_UTF8 = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]|\xc2[\x80-\x84\x86-\x9f]"
                             rb"|\xef\xbf[\xbe\xbf]")


def may_hold_invisible(data: bytes) -> bool:
    """Whether the UTF-8 `data` may hold a character of INVISIBLE (never False when it
    does). Only its bytes that are not plain ASCII are searched: few in most files, so an
    entry of 4 KB takes about 1 µs, where a search of every byte took 30. Deleting the
    plain bytes joins no two characters into one: a character of more than one byte is
    all bytes of 0x80 and up."""
    rest = data.translate(None, _PLAIN_ASCII)
    return bool(rest) and _INVISIBLE_UTF8.search(rest) is not None


_NAMES = {"\x00": "NUL", "\x07": "bell", "\x08": "backspace", "\x0b": "vertical tab",
          "\x0c": "form feed", "\x1b": "ESC", "\x7f": "DEL"}


def named(char: str) -> str:
    """How every message names an invisible character: `U+001B (ESC)`, `U+0001`."""
    name = _NAMES.get(char)
    return f"U+{ord(char):04X}" + (f" ({name})" if name else "")


def has_words(text: str) -> bool:
    """Whether `text` shows anything: a letter, digit, mark of punctuation or symbol, not
    only spaces (`\xa0` too) and invisible characters (a zero-width space)."""
    return any(unicodedata.category(char)[0] in "LNPS" for char in text)
