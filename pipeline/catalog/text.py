"""Reading an entry's Markdown body line by line, as an editor sees it.

Fenced code blocks, indented code blocks, HTML comments (except the
no-cite marker) and inline code spans are left out, so a link or a number in
an example command is not taken for a claim. An indented line is code only
where CommonMark says so: the text of a nested list item or of an item's
second paragraph is prose.
"""

from __future__ import annotations

import bisect
import functools
import html
import re
import unicodedata
from collections.abc import Iterable, Iterator

from .. import cmark
from ..config import COLLECTIONS
from .model import Entry

# A line that opens or closes fenced code: the fence, then the rest of the line.
_FENCE_LINE = re.compile(r"^ {0,3}(`{3,}|~{3,})(.*)$", re.MULTILINE)
_INLINE_CODE = re.compile(r"(`+)(?:(?!\1).)+?\1")
LINK_RE = re.compile(r"\]\(\s*<?(/[^)\s>#?]*)([#?][^)\s>]*)?>?(?:\s+\"[^\"]*\")?\s*\)")
REF_DEF_RE = re.compile(r"^ {0,3}\[[^\]]+\]:\s*<?(/(?:(?<=</)(?:[^<>\n\\]|\\.)*+(?=>)"
                        r"|(?<!</)[^\s#?]*))([#?]\S*)?")
# The text before a group's first `@` takes no `@`: the match is found in one pass (with
# `[^\[\]]*@`, a long line of `@`s after a `[` took quadratic time: 71 s at 240 KB).
CITE_GROUP_RE = re.compile(r"\[([^\[\]@]*@[^\[\]]*)\]")
# A key as Pandoc reads one (letters of any case, digits, `_`, inner punctuation), so that
# `[@SRC-X]` or `[@doe:2020]` is a citation that names no source, reported, not text left
# as written; an id may end in `-`, as the schemas allow.
CITE_KEY_RE = re.compile(r"(?:^|[\s;\[-])@([A-Za-z0-9_](?:[\w:.#$%&+?<>~/-]*[\w-])?)")
# A group of one key and nothing else, `@key` (most groups): CITE_KEY_RE finds that key
# alone in it, at its second character (see _cite_keys).
_ONE_CITE_KEY_RE = re.compile(r"@[A-Za-z0-9_](?:[\w:.#$%&+?<>~/-]*[\w-])?")
# The start of a citation group its line does not close: Pandoc would read it on the next
# line, the page shows it as written.
CITE_UNCLOSED_RE = re.compile(r"\[[^\[\]\n@]*@[A-Za-z0-9_][^\[\]\n]*$", re.MULTILINE)
NO_CITE_RE = re.compile(r"<!--\s*no-cite\b[^>]*-->")
# The same two kept within one line: searched over a whole body (prose_text), they find
# what they find on each line, in the same order.
CITE_GROUP_IN_LINE_RE = re.compile(r"\[([^\[\]\n@]*@[^\[\]\n]*)\]")
NO_CITE_IN_LINE_RE = re.compile(r"<!--[^\S\n]*no-cite\b[^>\n]*-->")
# White space within a link, where CommonMark allows one line break (a destination or a
# title on the next line: `[the term](` then `/glossary/awq)`); never a blank line.
_WS = r"[^\S\n]*(?:\n[^\S\n]*)?"
# A link's title, after its destination: in double quotes, single quotes or parentheses,
# a backslash escaping one of them inside, over lines but not a blank one (CommonMark; the
# page shows a link with any of them).
_TITLE_BREAK = r"\\?\n(?![^\S\n]*\n)"
_TITLE_ITSELF = (r"(?:[^\S\n]+|[^\S\n]*\n[^\S\n]*)"
                 rf"""(?:"(?:[^"\\\n]|\\.|{_TITLE_BREAK})*"|'(?:[^'\\\n]|\\.|{_TITLE_BREAK})*'"""
                 rf"|\((?:[^()\\\n]|\\.|{_TITLE_BREAK})*\))")
_TITLE = rf"(?:{_TITLE_ITSELF})?{_WS}"
# A character of an inline link's destination, never the `]` of a `](`, which starts the
# next link (and a destination's `(` is balanced in CommonMark). A search tries every `](`:
# a destination that could run on through the next ones would read to the end of the line
# from each (quadratic: a body of 8,000 `[[[[x](](](` took two minutes to validate);
# stopped there, a try reads no further than the next `](`. Then the character class.
_NO_NEXT = r"|\](?!\()"
# Runs of them, taken whole (possessive: what follows a destination never starts with a
# character of it, so nothing is given back): a run of plain characters at a time is as
# fast as the character class alone was, where one alternative per character took 70 %
# longer over the corpus's links.
# A backslash escapes the character after it (ASCII punctuation: `\)` is a `)` of the path,
# no end of the link, `\(` one that opens no pair); taken with it, but for a `]` (see
# _NO_NEXT) or white space, before which it is a backslash alone.
_ESCAPE = r"\\[^\s\]]?"
# A `(` is one of a balanced pair (CommonMark: `[a](/wiki/Foo_(bar))` links to
# `/wiki/Foo_(bar)`, and `[a](/x(y)` is no link), 8 deep; a `#` or `?` inside is the
# path's (see _unescaped). A pattern for each depth, the deepest inside: Python's patterns
# have no recursion. cmark takes them 32 deep (one deeper is no link), but each level
# makes the patterns that hold them slower to compile, in every process that imports this
# module (32: 15 ms, 8: 6.6 ms); a link 9 to 32 deep is read as none, left to the page.
_PARENS = r"\((?:[^()\s>\]\\]++|" + _ESCAPE + r")*+\)"
for _ in range(7):
    _PARENS = rf"\((?:[^()\s>\]\\]++|{_ESCAPE}|{_PARENS})*+\)"
# A `<` or a `>` in them is the destination's (`[a](/glossary/awq>)` links to
# `/glossary/awq%3E`): one in angle brackets is read by the patterns of that form below.
_PATH_RUN = rf"(?:[^()\s#?\]\\]++|{_ESCAPE}|{_PARENS}{_NO_NEXT})*+"  # a path's, up to `#` or `?`
_AFTER_PATH_RUN = rf"(?:[^()\s\]\\]++|{_ESCAPE}|{_PARENS}{_NO_NEXT})*+"  # an anchor's or a query's
# A destination in angle brackets, `[a](</glossary/awq>)`: anything to the `>` but a line
# break, `<` or `>` (escaped, they are in it), spaces and all (`</glossary/a b>` links to
# `/glossary/a%20b`); one the line does not close, `[a](</glossary/awq)`, is no link. Read
# whole, its fragment with it (_unescaped splits them); stopped at a `](`, as above.
_ANGLE_RUN = r"(?:[^<>\n\\\]]++|\\[^\n]|\](?!\())*+"
_ANGLE_PATH_RUN = r"(?:[^<>\n\\\]#?]++|\\[^\n]|\](?!\())*+"  # up to `#` or `?`
_HOST_RUN = rf"(?:[^/\\\s)>#?\]]++{_NO_NEXT})++"
_PAGE_CHAR = rf"(?:[^\s<>\]]{_NO_NEXT})"
# White space in them is ASCII's, as CommonMark's (`re.ASCII`): a no-break space is part of
# a destination (`[a](/glossary/awq<no-break space>)` links to `/glossary/awq%C2%A0`, a 404).
# A site path starts with one slash: `//host/path` (or `/\host`) is another host's URL,
# which a browser reads as `https://host/path`.
# (Which form, told by the character before the path's `/`.)
_LINK_AFTER = (rf"{_WS}<?(/(?![/\\])(?:(?<=</){_ANGLE_RUN}(?=>)|(?<!</){_PATH_RUN}))"
               rf"([#?]{_AFTER_PATH_RUN})?>?{_TITLE}\)")
_LINK_IN_LINE_RE = re.compile(rf"\]\({_LINK_AFTER}", re.ASCII)
_REF_DEF_IN_LINE_RE = re.compile(rf"^ {{0,3}}\[[^\]\n]+\]:{_WS}<?(/(?![/\\])"
                                 r"(?:(?<=</)(?:[^<>\n\\]|\\.)*+(?=>)|(?<!</)[^\s#?]*))([#?]\S*)?",
                                 re.MULTILINE | re.ASCII)
# _LINK_IN_LINE_RE, or else a `](` alone (no group): its search finds the same links, and
# every other `](` where the search for a link of another kind can start (see
# _internal_links; a `](` cannot start a link to a site path and one of another kind).
_LINK_OR_OTHER_IN_LINE_RE = re.compile(rf"\]\((?:{_LINK_AFTER}|)", re.ASCII)
# The same two for a link written as an absolute http(s) URL: its scheme and host, then its
# path (none for `https://host`), then a fragment or query. The origin is as a browser
# reads it (affiliates.classify.normalise_url, which the build's renderer follows):
# `https://host`, and also `//host`, `https:/host`, `https:\\host`, `\\host`.
_ORIGIN = r"((?:https?:[/\\]*|[/\\]{2})[^/\\\s)>#?]+)"
_ORIGIN_RE = re.compile(_ORIGIN[1:-1], re.IGNORECASE)
_URL_LINK_IN_LINE_RE = re.compile(rf"\]\({_WS}(?!<)((?:https?:[/\\]*|[/\\]{{2}}){_HOST_RUN})"
                                  rf"([/\\]{_PATH_RUN})?([#?]{_AFTER_PATH_RUN})?{_TITLE}\)",
                                  re.IGNORECASE | re.ASCII)
# The same in angle brackets (see _ANGLE_RUN): searched for in a body with a `<` alone.
_URL_ANGLE_LINK_IN_LINE_RE = re.compile(
    rf"\]\({_WS}<((?:https?:[/\\]*|[/\\]{{2}}){_HOST_RUN})([/\\]{_ANGLE_PATH_RUN})?"
    rf"([#?]{_ANGLE_RUN})?>{_TITLE}\)", re.IGNORECASE | re.ASCII)
_ANGLE_OPEN_RE = re.compile(rf"\]\({_WS}<")
_URL_REF_DEF_IN_LINE_RE = re.compile(rf"^ {{0,3}}\[[^\]\n]+\]:{_WS}<?{_ORIGIN}"
                                     r"([/\\][^\s>#?]*)?([#?]\S*)?",
                                     re.MULTILINE | re.IGNORECASE | re.ASCII)
# The same two for a link neither to a site path nor to a URL with a scheme: to a part of
# the page itself (`#kernels`), or relative to the page's address (`awq`, `../tools/vllm`).
# A definition is one only when nothing but a title follows (`[^3]: A review.` is text).
_NOT_SITE_OR_URL = r"<?((?![A-Za-z][\w+.-]*:|/|\\[/\\])[^\s<>]+?)>?"  # `\\host`: a URL
# A link's destination is read as cmark reads it (page_links decodes it): in angle brackets,
# anything but a line break, `<` or `>` (escaped, they are in it); else not starting with
# `<`, up to white space, its parentheses balanced, an escaped one none of a pair (`[a](awq\\))` links to `awq)`,
# `[a](foo(bar))` to `foo(bar)`, and `[a](foo(bar)` is no link).
_PAGE_LINK_IN_LINE_RE = re.compile(
    rf"\]\({_WS}<?((?![A-Za-z][\w+.-]*:|/|\\[/\\])"
    rf"(?:(?<=<)(?:[^<>\n\\]++|\\[^\n])+(?=>)"
    rf"|(?<!<)(?!<)(?:[^()\s\\\]]++|\\\S|{_PARENS}{_NO_NEXT})++))>?{_TITLE}\)", re.ASCII)
_PAGE_REF_DEF_IN_LINE_RE = re.compile(rf"^ {{0,3}}\[[^\]\n]+\]:[^\S\n]*{_NOT_SITE_OR_URL}{_TITLE}$",
                                      re.MULTILINE | re.ASCII)
# Raw HTML as CommonMark reads it in a paragraph (an open tag, spec 6.6): `<`, a tag name,
# attributes each after white space (a name, then maybe `=` and a value: unquoted, in single
# or in double quotes), white space, maybe `/`, and `>`; never across a blank line. Each
# part is matched where the last one ended, so a search takes time in line with the text.
_TAG_NAME_RE = re.compile(r"<([A-Za-z][A-Za-z0-9-]*)")
_ATTRIBUTE_RE = re.compile(r"""\s+([A-Za-z_:][A-Za-z0-9_.:-]*)"""
                           r"""(?:\s*=\s*(?:([^\s"'=<>`]+)|'([^']*)'|"([^"]*)"))?""")
_TAG_END_RE = re.compile(r"\s*/?>")
_BLANK_LINE_RE = re.compile(r"\n[ \t]*\n")
# Elements whose content the page holds as text or not at all (the sanitiser drops script
# and style with what they hold; the others hold text): from one to its end tag, a tag is
# no tag and a URL no link. One with no end tag is taken for none (in a link's title, it
# is text): what follows it is confirmed against the page (see _html_links).
_NOT_MARKUP = frozenset({"script", "style", "textarea", "title", "xmp", "noscript", "iframe",
                         "noembed", "noframes"})
# A character reference in an attribute's value as a browser decodes it: a named one only
# with its `;` (the old names without one are left alone before `=` or a letter or digit,
# as in `?a=1&region=eu`; taking them all apart from that is not worth it for a URL).
_ATTRIBUTE_REFERENCE_RE = re.compile(r"&(?:#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[A-Za-z][A-Za-z0-9]*;)")
_SCHEME_RE = re.compile(r"[A-Za-z][\w+.-]*:")
# An autolink to an absolute http(s) URL, `<https://host/path#x>` (CommonMark: no space, `<`
# or `>` inside; `\<` is not one): its scheme and host, path, fragment or query, as above.
# A site path in angle brackets, `</glossary/awq>`, is no autolink (it has no scheme).
_URL_AUTOLINK_IN_LINE_RE = re.compile(r"<(https?://[^/\s<>#?]+)(/[^\s<>#?]*)?"
                                      r"([#?][^\s<>]*)?>", re.IGNORECASE)


def prose_lines(entry: Entry) -> Iterator[tuple[int, str]]:
    """(file line, text) of every body line outside code, inline code blanked.

    Worked out once per entry and kept on it (validate's rules read them several times).
    """
    lines = entry.__dict__.get("prose_lines")
    if lines is None:
        lines = entry.__dict__["prose_lines"] = list(_prose_lines(entry))
    return iter(lines)


def prose_text(entry: Entry) -> str:
    """The body with its code as spaces (see prose_lines): the same length, line by
    line, so an offset in it is one in the body. A body with no code is itself."""
    text = entry.__dict__.get("prose_text")
    if text is None:
        text = entry.body
        if has_code(text):
            text = _fenced_blanked(text)
            if text is None:
                text = _prose_lines_text(entry)
        entry.__dict__["prose_text"] = text
    return text


def _prose_lines_text(entry: Entry) -> str:
    """prose_text from prose_lines: every line not among them as spaces."""
    lines = [" " * len(line) for line in entry.body_lines]
    first = entry.body_line
    for n, prose in prose_lines(entry):
        lines[n - first] = prose
    return "\n".join(lines)


def _fenced_blanked(body: str) -> str | None:
    """prose_text of a body whose only code is fenced blocks and code spans each on one
    line (most bodies with code), made a stretch at a time, not a line at a time (52 ->
    10 µs a body of the corpus's); None for any other: an indented line, an HTML
    comment, a backtick no span on its line takes (prose_lines tells those)."""
    if body.rfind("\n    ") >= 0 or body.startswith("    ") or "\t" in body \
            or ("<" in body and _has_comment(body)):  # (rfind: see has_code)
        return None
    pieces = []
    at = 0
    for start, end in _fenced_spans(body):
        pieces.append(_spans_blanked(body[at:start]))
        pieces.append("\n".join([" " * len(line) for line in body[start:end].split("\n")]))
        at = end
    pieces.append(_spans_blanked(body[at:]))
    if any("`" in piece for piece in pieces[::2]):
        return None  # a span may run over the lines of its paragraph
    return "".join(pieces)


def _spans_blanked(text: str) -> str:
    """`text` with its code spans as spaces: each within a line (_INLINE_CODE takes no
    line break), so the same as each line's, one at a time."""
    if "`" not in text:
        return text
    return _INLINE_CODE.sub(lambda mm: " " * len(mm.group(0)), text)


class Positions:
    """The (line, column from 1) of offsets in a text, asked in the order they come: each
    counts the lines between the offset asked before and this one, so many offsets cost
    one pass over the text (counting from the start for each, 20,000 footnote marks took
    ten seconds). An offset before the last starts again from the top."""

    def __init__(self, text: str, first_line: int = 1):
        self.text, self.first_line = text, first_line
        self.line, self.at, self.line_start = first_line, 0, 0

    def __call__(self, offset: int) -> tuple[int, int]:
        if offset < self.at:
            self.line, self.at, self.line_start = self.first_line, 0, 0
        newlines = self.text.count("\n", self.at, offset)
        if newlines:
            self.line += newlines
            self.line_start = self.text.rfind("\n", self.at, offset) + 1
        self.at = offset
        return self.line, offset - self.line_start + 1


def has_code(body: str) -> bool:
    """Whether a body may hold code or an HTML comment: a backtick, a tilde fence, an
    indented line, `<!--`. Most bodies hold none, and then every line is prose as it stands."""
    # (a character first: found by memchr, 0.1 µs a body of 4 KB, where a longer text
    # takes 2 to 3 µs, and most bodies hold no `~`, tab or `<`; a line break and spaces
    # looked for from the end: CPython's backward search tests the needle's first
    # character, a line break, rarer than its last, a space, which the forward one
    # tests, 2.9 -> 1.7 µs a body of 4 KB; `<!--` from its `<`s, see _find)
    return ("`" in body or ("~" in body and "~~~" in body) or body.rfind("\n    ") >= 0
            or ("\t" in body and "\n\t" in body)
            or ("<" in body and _has_comment(body))
            or body.startswith(("    ", "\t")))


def _has_comment(body: str) -> bool:
    """Whether a body holds an HTML comment other than no-cite markers (the usual one,
    which stays: a body holding only those is prose as it stands, at no cost).
    Each `<!--` is tried as a marker where the one before ended: one that is none, or
    one inside a marker, is another comment (one pass, where counting them and finding
    the markers took two)."""
    at = _find(body, "<!--")
    while at >= 0:
        marker = NO_CITE_RE.match(body, at)
        if marker is None or body.find("<!--", at + 4, marker.end()) >= 0:
            return True
        at = _find(body, "<!--", marker.end())
    return False


def _find(text: str, needle: str, at: int = 0) -> int:
    """text.find(needle, at), for a needle whose first character is rare in prose (`<!--`,
    `` ``` ``): that character found by memchr, the needle tested there; after 8 that are
    not the needle's, the search for it. CPython's search for the needle tests its last
    character, common in prose (`-`, and a backtick shares a space's bit of its filter):
    1 to 2 µs a body of 4 KB, where most bodies hold one or two `<`, a fence six backticks."""
    first = needle[0]
    for _ in range(31):
        at = text.find(first, at)
        if at < 0 or text.startswith(needle, at):
            return at
        at += 1
    return text.find(needle, at)


def _prose_lines(entry: Entry) -> Iterable[tuple[int, str]]:
    first = entry.body_line
    lines = entry.body_lines
    if not has_code(entry.body):
        return enumerate(lines, first)
    prose = _code_blanked(lines, first, entry.body)
    if "<!--" in entry.body and _has_comment(entry.body):
        return _comments_blanked(list(prose), len(lines), first)
    return prose


_COMMENT_RE = re.compile(r"<!--.*?-->", re.S)


def _comments_blanked(prose: list[tuple[int, str]], count: int,
                      first: int) -> list[tuple[int, str]]:
    """The prose lines with HTML comments (which no reader sees) as spaces, but for the
    no-cite marker: a citation or a link commented out is not checked."""
    lines = [""] * count  # a code line stands as an empty one
    for n, line in prose:
        lines[n - first] = line
    text = "\n".join(lines)
    if "-->" not in text:
        return prose

    def blank(m: re.Match) -> str:
        return m.group(0) if NO_CITE_RE.fullmatch(m.group(0)) else _SPACES_RE.sub(" ", m.group(0))

    lines = _COMMENT_RE.sub(blank, text).split("\n")
    return [(n, lines[n - first]) for n, _ in prose]


_SPACES_RE = re.compile(r"[^\n]")


def _code_blanked(lines: list[str], first: int, body: str) -> Iterator[tuple[int, str]]:
    if "\n    " in body or "\n\t" in body or body.startswith(("    ", "\t")):
        # An indented line is code, or the text of a list item (a link, a claim, a
        # citation, as the page shows them): cmark, which renders the page, tells.
        code = cmark.code_block_lines(body)
    else:
        code = _fenced(body) if "```" in body or "~~~" in body else ()
    out: dict[int, str] = {}
    left = []  # lines with a backtick no code span on the line took
    for i, line in enumerate(lines):
        if i in code:
            continue
        if "`" in line:
            line = _INLINE_CODE.sub(lambda mm: " " * len(mm.group(0)), line)
            if "`" in line:
                left.append(i)
        out[i] = line
    if left:  # a code span may run over the lines of its paragraph, links and all
        out.update(_spans_across_lines(lines, left, body))
    for i, line in out.items():
        yield first + i, line


# A code span over lines (in one paragraph: see _spans_across_lines), as CommonMark reads
# one: a whole run of backticks, to the next run of as many (a run with none is text).
_INLINE_CODE_ACROSS = re.compile(r"(?<!`)(`+)(?!`).+?(?<!`)\1(?!`)", re.S)


def _spans_across_lines(lines: list[str], left: list[int], body: str) -> dict[int, str]:
    """{line index: line with code as spaces} of each paragraph of more than one line that
    holds one of the lines `left` (cmark tells the paragraphs): `` `a `` on one line and
    ``[b](/x)` `` on the next are one code span, and the page has no link."""
    out: dict[int, str] = {}
    at = 0
    for start, end in cmark.paragraph_lines(body):
        while at < len(left) and left[at] < start:
            at += 1
        if at == len(left) or left[at] > end or start == end:
            continue
        text = _INLINE_CODE_ACROSS.sub(lambda mm: _SPACES_RE.sub(" ", mm.group(0)),
                                       "\n".join(lines[start:end + 1]))
        out.update(enumerate(text.split("\n"), start))
    return out


def _fenced(body: str) -> set[int]:
    """Indexes of the body lines that open, hold or close a fenced code block.

    Only the lines that look like a fence are looked at, found by one search of
    the body: a fence opens at one, and closes at the first later one of the
    same character, at least as long, with nothing after it (or never).
    """
    out: set[int] = set()
    opened: tuple[int, str] | None = None  # (line index, fence)
    at, line_no = 0, 0
    for m in _fence_lines(body):
        line_no += body.count("\n", at, m.start())
        at = m.start()
        fence = m.group(1)
        if opened is None:
            opened = (line_no, fence)
        elif fence[0] == opened[1][0] and len(fence) >= len(opened[1]) and not m.group(2).strip():
            out.update(range(opened[0], line_no + 1))
            opened = None
    if opened is not None:  # never closed: code to the end
        out.update(range(opened[0], body.count("\n") + 1))
    return out


def _fenced_spans(body: str) -> list[tuple[int, int]]:
    """(start, end) offsets of each fenced code block of the body, from the start of the
    line that opens it to the end of the line that closes it (or of the body), as _fenced
    tells its lines."""
    out = []
    opened: tuple[int, str] | None = None  # (offset, fence)
    for m in _fence_lines(body):
        fence = m.group(1)
        if opened is None:
            opened = (m.start(), fence)
        elif fence[0] == opened[1][0] and len(fence) >= len(opened[1]) and not m.group(2).strip():
            out.append((opened[0], m.end()))
            opened = None
    if opened is not None:  # never closed: code to the end
        out.append((opened[0], len(body)))
    return out


def _fence_lines(body: str) -> Iterator[re.Match]:
    """_FENCE_LINE.finditer(body), tried only at the lines that hold three backticks or
    tildes (searched for: a MULTILINE `^` tries every character, 18 µs a body of 4 KB;
    the tildes only in a body with a `~`, found by memchr, where the search for `~~~`
    read the whole of most bodies, which have none: 2.5 µs a body of 4 KB)."""
    ticks, tildes = _find(body, "```"), body.find("~~~") if "~" in body else -1
    while ticks >= 0 or tildes >= 0:
        at = ticks if tildes < 0 or 0 <= ticks < tildes else tildes
        m = _FENCE_LINE.match(body, body.rfind("\n", 0, at) + 1)
        if m is not None:
            yield m
        end = body.find("\n", at)
        if end < 0:
            return
        if 0 <= ticks < end:
            ticks = _find(body, "```", end)
        if 0 <= tildes < end:
            tildes = body.find("~~~", end)


def internal_links(entry: Entry) -> Iterator[tuple[int, int, str, str]]:
    """(line, column, site path, anchor) of every Markdown link to a site path: a
    line's inline links in order, then its reference definition (`[label]: /path`).

    Worked out once per entry and kept on it, like prose_lines (validate keeps it
    between its passes: see validate.CARRIED)."""
    links = entry.__dict__.get("internal_links")
    if links is None:
        links = entry.__dict__["internal_links"] = _internal_links(entry)
    return iter(links)


def _internal_links(entry: Entry) -> list[tuple[int, int, str, str]]:
    if _defines(entry):
        found = _links_and_definitions(entry, _LINK_IN_LINE_RE, _REF_DEF_IN_LINE_RE)
    else:
        # the search for links to a site path also finds each other `](` (where a link of
        # another kind may start) and those inside a link (in its title): with none, the
        # text holds no link page_links looks for, and it need not search (2 to 3 µs a
        # body of 4 KB, most of which link to site paths alone)
        others: list[int] = []
        found = _not_in_html_blocks(entry, _inline_links(
            _link_text(entry), entry.body_line, _LINK_OR_OTHER_IN_LINE_RE, others))
        entry.__dict__["other_links_may_open"] = bool(others)
    links = [(line, column, *_unescaped(path, anchor)) for line, column, path, anchor in found]
    hrefs = html_links(entry)
    html_paths = [(line, column, *_path_and_anchor(href)) for line, column, href
                  in hrefs if _is_site_path(href)] if hrefs else []
    if "&" in prose_text(entry):  # (as _encoded_links asks first: most bodies hold none)
        html_paths += [(line, column, *_path_and_anchor(decoded)) for line, column, decoded
                       in _encoded_links(entry) if _is_site_path(decoded)]
    return sorted(links + html_paths) if html_paths else links


def _encoded_links(entry: Entry) -> list[tuple[int, int, str]]:
    """(line, column, destination as a browser reads it) of each Markdown link whose
    destination starts with a character reference (`[AWQ](&#x2F;glossary/awq)`: cmark
    decodes it, and the page links to /glossary/awq; it was taken for a relative path
    named `&`, found in review)."""
    if "&" not in prose_text(entry):
        return []
    return [(line, column, html.unescape(destination)) for line, column, destination
            in _links(entry, _PAGE_LINK_IN_LINE_RE, _PAGE_REF_DEF_IN_LINE_RE)
            if destination.startswith("&")]


def html_links(entry: Entry) -> list[tuple[int, int, str]]:
    """(line, column, destination) of every link written as raw HTML in the prose,
    `<a href="...">` (character references decoded, as a browser reads it), in order, that
    the page has: the column is that of the destination. Worked out once per entry and
    kept on it."""
    links = entry.__dict__.get("html_links")
    if links is None:
        links = entry.__dict__["html_links"] = _html_links(entry)
    return links


def _html_links(entry: Entry) -> list[tuple[int, int, str]]:
    text = prose_text(entry)
    if not _a_tag_may_open(text):
        return []
    found, where = [], Positions(text, entry.body_line)
    for _, _, name, attributes in open_tags(text):
        if name != "a" or "href" not in attributes:
            continue
        href, start = attributes["href"]
        start += len(href) - len(href.lstrip(_HTML_SPACE))  # where the URL starts
        found.append((*where(start), attribute_value(href).strip(_HTML_SPACE)))
    if found:  # only what the page links to: not a tag written in a link's title, in an
        # image's description, or otherwise shown as text
        from ..publish.markdown import page_hrefs  # the renderer and sanitiser the build uses

        linked = {href.strip(_HTML_SPACE) for href in page_hrefs(entry.body)}
        found = [link for link in found if link[2] in linked]
    return found


def _a_tag_may_open(text: str) -> bool:
    """Whether `text` holds `<a` or `<A`: found from its `<`s (memchr; the bodies with one
    hold a few), where a search for `<a` took 9 µs a body of 4 KB (`a` is everywhere)."""
    at = text.find("<")
    while at >= 0:
        if text[at + 1:at + 2] in ("a", "A"):
            return True
        at = text.find("<", at + 1)
    return False


_HTML_SPACE = " \t\n\f\r"  # what a browser strips from either end of a URL


def attribute_value(raw: str) -> str:
    """An attribute's value as written, with its character references decoded as a browser
    decodes them there (see _ATTRIBUTE_REFERENCE_RE)."""
    if "&" not in raw:
        return raw
    return _ATTRIBUTE_REFERENCE_RE.sub(lambda m: html.unescape(m.group(0)), raw)


def open_tags(text: str) -> list[tuple[int, int, str, dict[str, tuple[str, int]]]]:
    """(start, end, name in lower case, {attribute name: (value, where it starts)}) of each
    raw HTML open tag in `text`, as CommonMark reads one; not one escaped (`\\<a`), or
    inside an element whose content the page holds as text (see _NOT_MARKUP): such an
    element is given as one tag, from its start tag to its end tag."""
    out = []
    at = 0
    closes: dict[str, tuple[int, int]] = {}  # name -> (searched from, its end tag's end or -1)
    while True:
        start = text.find("<", at)
        if start < 0:
            return out
        at = start + 1
        m = _TAG_NAME_RE.match(text, start)
        if m is None or _escaped(text, start):
            continue
        attributes: dict[str, tuple[str, int]] = {}
        end = m.end()
        while True:
            closing = _TAG_END_RE.match(text, end)
            if closing is not None:
                end = closing.end()
                break
            a = _ATTRIBUTE_RE.match(text, end)
            if a is None:
                end = -1
                break
            group = next((g for g in (2, 3, 4) if a.group(g) is not None), None)
            attributes.setdefault(a.group(1).lower(),
                                  (a.group(group), a.start(group)) if group else ("", a.end()))
            end = a.end()
        if end < 0 or _BLANK_LINE_RE.search(text, start, end):
            continue
        name = m.group(1).lower()
        if name in _NOT_MARKUP:  # to its end tag, when it has one
            close = _end_tag(text, name, end, closes)
            if close >= 0:
                end = close
        out.append((start, end, name, attributes))
        at = end


def _end_tag(text: str, name: str, at: int, known: dict[str, tuple[int, int]]) -> int:
    """Where the first end tag of `name` after `at` ends, or -1; `known` keeps the last
    search of each name, which holds for any later `at` before what it found (so many
    start tags with none after them cost one search, not one each)."""
    searched, found = known.get(name, (-1, -1))
    if 0 <= searched <= at and (found < 0 or at < found):
        return found
    m = re.compile(rf"</{name}[\s>]", re.IGNORECASE).search(text, at)
    known[name] = (at, m.end() if m else -1)
    return known[name][1]


def _escaped(text: str, at: int) -> bool:
    """Whether the character at `at` follows an odd number of backslashes."""
    n = at
    while n and text[n - 1] == "\\":
        n -= 1
    return (at - n) % 2 == 1


def _is_site_path(href: str) -> bool:
    return href.startswith("/") and not href.startswith(("//", "/\\"))


# What cmark reads in a link's destination, in one pass from the left: a backslash before
# ASCII punctuation (the character itself: `/glossary/a\\_b` links to `/glossary/a_b`) and a
# character reference with its `;` (`/glossary/aw&#113;` links to `/glossary/awq`).
_DESTINATION_ESCAPE_RE = re.compile(r"\\([!-/:-@\[-`{-~])|&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}"
                                    r"|[A-Za-z][A-Za-z0-9]{1,31});")


def _unescaped(path: str, anchor: str) -> tuple[str, str]:
    """A Markdown link's path and anchor as written (as the patterns split them) -> as the
    page links to them: escapes and references read, then split again (`&#35;` is a `#`, a
    `#` in parentheses is not the path's end)."""
    if "\\" not in path and "&" not in path and "(" not in path and "\\" not in anchor \
            and "&" not in anchor and "#" not in path and "?" not in path:
        return path, anchor  # most links (a `#` in the path: one in angle brackets)
    return _path_and_anchor(_DESTINATION_ESCAPE_RE.sub(_unescape, path + anchor))


def _unescape(m: re.Match) -> str:
    """What an escape or a character reference _DESTINATION_ESCAPE_RE found stands for."""
    return m.group(1) or html.unescape(m.group(0))


def _path_and_anchor(destination: str) -> tuple[str, str]:
    """A destination's path, and its fragment or query with what follows (`/a#b` ->
    (`/a`, `#b`)), as the Markdown link patterns give them."""
    cut = min((i for i in (destination.find("#"), destination.find("?")) if i >= 0),
              default=len(destination))
    return destination[:cut], destination[cut:]


def site_links(entry: Entry, base_url: str) -> list[tuple[int, int, str, str, str]]:
    """(line, column, site path, anchor, origin) of every Markdown link to a page of the
    site, in the order of the lines: those internal_links finds (origin "") and those
    written as an absolute URL on the site's own domain, the host of `base_url` with or
    without `www.` (`https://local-ai-catalog.org/glossary/awq`: origin is the scheme and
    host as written; the home page's path is `/`), in a link, a reference definition, an
    autolink (`<https://local-ai-catalog.org/glossary/awq>`) or bare in the text (which
    GitHub's autolink extension links). Another domain is not the site.

    Worked out once per entry and `base_url` and kept on it, like internal_links (read
    by references_of and again by check_references; validate keeps it between its
    passes: see validate.CARRIED). The list is shared: not to be changed."""
    kept = entry.__dict__.get("site_links")
    if kept is not None and kept[0] == base_url:
        return kept[1]
    links = _site_links(entry, base_url)
    entry.__dict__["site_links"] = (base_url, links)
    return links


def _site_links(entry: Entry, base_url: str) -> list[tuple[int, int, str, str, str]]:
    links = [(*link, "") for link in internal_links(entry)]
    host = site_host(base_url)
    if not host:
        return links
    body = entry.body.lower()
    if host not in body:
        return links  # most bodies: no URL on the site's domain to look at
    found = _links(entry, _URL_LINK_IN_LINE_RE, _URL_REF_DEF_IN_LINE_RE)
    if "<" in body and _ANGLE_OPEN_RE.search(body):  # `[a](<https://host/path>)`
        angled = _not_in_html_blocks(entry, _inline_links(
            _link_text(entry), entry.body_line, _URL_ANGLE_LINK_IN_LINE_RE))
        if angled:
            found = sorted(found + angled)
    if "<http" in body:  # an autolink, unless it is a link's `](<https://...>)` (found)
        seen = {(line, column) for line, column, *_ in found}
        found += [link for link in _autolinks(entry) if link[:2] not in seen]
    # a URL written bare, which GitHub's autolink extension makes a link of (the build's
    # renderer has it): one not found above as a link, a definition or an autolink, nor
    # in a link's destination relative to the page (`[a](www.host/x)`, see page_links)
    taken = {(line, column): len("".join(written)) for line, column, *written in found}
    taken.update(((line, column + i), len(destination) - i)
                 for line, column, destination in page_links(entry)
                 for i in range(len(destination)))
    found = [(line, column, origin, *_unescaped(path, anchor))
             for line, column, origin, path, anchor in found]
    found += _bare_urls(entry, host, taken)
    # a `\\` in the path stays: cmark writes it `%5C`, and the page links to
    # `/glossary%5Cawq`, no page of the site (one that starts the path is read as `/`)
    found = [(line, column, origin, path[:1].replace("\\", "/") + path[1:], anchor)
             for line, column, origin, path, anchor in found]
    for line, column, href in html_links(entry):  # `<a href="https://host/path">`
        m = _ORIGIN_RE.match(href)  # `//host/path` too
        if m is not None:  # where a browser reads a `\\` of the path as `/`
            path, anchor = _path_and_anchor(href[m.end():])
            found.append((line, column, m.group(0), path.replace("\\", "/"), anchor))
    own = [(line, column, path or "/", anchor, origin)
           for line, column, origin, path, anchor in found if _origin_host(origin) == host]
    return sorted(links + own) if own else links


def page_links(entry: Entry) -> list[tuple[int, int, str]]:
    """(line, column, destination) of every Markdown link, in the order of the lines, that
    is neither to a site path nor to a URL with a scheme: to a part of the page itself
    (`#kernels`), or relative to the page's address (`awq`, `../tools/vllm.md#setup`).
    Worked out once per entry and kept on it, like internal_links."""
    links = entry.__dict__.get("page_links")
    if links is None:
        internal_links(entry)  # its search tells whether a link of another kind may open
        if entry.__dict__.get("other_links_may_open", True):
            links = _links(entry, _PAGE_LINK_IN_LINE_RE, _PAGE_REF_DEF_IN_LINE_RE)
        else:
            links = []
        if links and any("\\" in link[2] or "&" in link[2] for link in links):
            # decoded, as the page has it: `[step one](#step\\_1)` links to `#step_1`
            # (a reference can make a site path of it: `&#x2F;glossary/awq`, see
            # _encoded_links)
            links = [(line, column, decoded) for line, column, destination in links
                     if not (decoded := _DESTINATION_ESCAPE_RE.sub(_unescape, destination))
                     .startswith(("/", "\\")) and not _SCHEME_RE.match(decoded)]
        hrefs = html_links(entry)
        relative = [link for link in hrefs
                    if link[2] and not link[2].startswith(("/", "\\\\", "\\/"))
                    and not _SCHEME_RE.match(link[2])] if hrefs else []
        if relative:
            links = sorted(links + relative)
        entry.__dict__["page_links"] = links
    return links


def relative_target(collection: str, destination: str) -> str | None:
    """The entry id a link relative to a page of `collection` likely means: the
    `<collection>/<slug>` its path ends with (`../tools/vllm`, `tools/vllm.md`), else a
    slug of the same collection (`awq`); None for a part of the page itself (`#kernels`,
    `?tab=1`)."""
    path = destination.split("#", 1)[0].split("?", 1)[0]
    if not path:
        return None
    parts = path.removesuffix(".md").rstrip("/").split("/")
    if len(parts) >= 2 and parts[-2] in COLLECTIONS:
        return f"{parts[-2]}/{parts[-1]}"
    return f"{collection}/{parts[-1]}"


@functools.lru_cache(maxsize=16)  # asked for each entry, of the one `base_url` of a run
def site_host(base_url: str) -> str:
    """The host a link to our own site names: `base_url`'s, in lower case, without `www.`."""
    return _bare_host(base_url.split("://", 1)[-1].split("/", 1)[0])


def _origin_host(origin: str) -> str:
    """The host of an origin as written (`https://www.host`, `//host`, `https:/host`), as
    `site_host` gives it."""
    scheme = _SCHEME_RE.match(origin)
    return _bare_host(origin[scheme.end() if scheme else 0:].lstrip("/\\"))


def _bare_host(host: str) -> str:
    host = host.lower()
    return host[4:] if host.startswith("www.") else host


# A line an HTML block may start (CommonMark 4.6): `<` and a letter, `/`, `?` or `!` first,
# after any markers of the block quotes and list items around it. Only a body with one is
# given to cmark to tell which lines are in an HTML block (see html_block_lines).
_MAYBE_HTML_BLOCK_RE = re.compile(r"[ \t>*+\-0-9.)]*<[A-Za-z/?!]")


def _a_line_starts(text: str, lead: re.Pattern) -> bool:
    """Whether `lead` (the marks of block quotes and list items, then `<` and more) matches
    at the start of a line of `text`. Only the lines with a `<` are tried, each at its
    first one (no mark is a `<`): 0.6 µs a body of 2.4 KB with a no-cite marker, where a
    MULTILINE search for `^` tried every character in 7."""
    at = text.find("<")
    while at >= 0:
        if lead.match(text, text.rfind("\n", 0, at) + 1):
            return True
        end = text.find("\n", at)
        if end < 0:
            return False
        at = text.find("<", end)
    return False


def html_block_lines(entry: Entry) -> frozenset[int]:
    """The file lines of the body in an HTML block (`<div>` and what follows it up to a
    blank line, a comment...): raw HTML, where `[AWQ](/glossary/awq)`, a reference
    definition, an autolink or a bare URL is text on the page, no link. Worked out once
    per entry and kept on it."""
    lines = entry.__dict__.get("html_block_lines")
    if lines is None:
        blocks = _html_blocks(entry)  # most bodies: none, and no set made of a generator
        lines = entry.__dict__["html_block_lines"] = frozenset(
            entry.body_line + first + i for first, held in blocks
            for i in range(held.count("\n") + (not held.endswith("\n")))) if blocks else _NONE
    return lines


_NONE: frozenset[int] = frozenset()


def _html_blocks(entry: Entry) -> list[tuple[int, str]]:
    """cmark.html_blocks of the body as built (see built_body), kept on the entry; none
    asked of cmark when no line could start one."""
    blocks = entry.__dict__.get("html_blocks")
    if blocks is None:
        blocks = []
        # the body as written first: building it (about 10 µs with a no-cite marker) only
        # removes markers, which leaves no line that can start a block where none could
        if _a_line_starts(entry.body, _MAYBE_HTML_BLOCK_RE):
            body = built_body(entry)
            if _a_line_starts(body, _MAYBE_HTML_BLOCK_RE):
                blocks = cmark.html_blocks(body)
        entry.__dict__["html_blocks"] = blocks
    return blocks


def built_body(entry: Entry) -> str:
    """The body as the build gives it to cmark, as far as its blocks go: without its
    no-cite markers, which the build removes first (publish.markdown.MarkedBody), so a
    line that starts with one is no HTML block but the paragraph the page shows, links
    and all. The same lines as the body."""
    body = entry.body
    if "no-cite" not in body or not NO_CITE_IN_LINE_RE.search(prose_text(entry)):
        return body
    from ..publish.markdown import MarkedBody

    return MarkedBody(entry).markdown({})  # no number: each citation stays as written


# What of a line after an HTML comment a reader does not see: other comments (one left
# open runs to the end of the line), tags.
_UNSEEN_RE = re.compile(r"<!--.*?(?:-->|$)|<[^>]*>")
# A line that may start with a comment, after the marks of block quotes and list items.
_COMMENT_FIRST_RE = re.compile(r"[ \t>*+\-0-9.)]*<!--")


def text_after_comments(entry: Entry) -> list[tuple[int, int, str]]:
    """(file line, column, the text) of each line that ends an HTML block started by a
    comment (`<!-- note --> See [AWQ](/glossary/awq).`) and holds text after the
    comment's end: raw HTML, which the page shows as written, brackets and asterisks and
    all. Not a no-cite marker, which the build removes first (see built_body)."""
    if "<!--" not in entry.body or not _a_line_starts(entry.body, _COMMENT_FIRST_RE):
        return []  # most bodies: no line starts with a comment
    out = []
    for first, held in _html_blocks(entry):
        if not held.lstrip(" ").startswith("<!--"):
            continue  # another kind of block: `<div>` and the lines up to a blank one
        for i, line in enumerate(held.split("\n")):
            end = line.find("-->")  # the block ends on the first line that has one
            if end < 0:
                continue
            rest = line[end + 3:]
            if _UNSEEN_RE.sub("", rest).strip():
                n = first + i
                written = NO_CITE_IN_LINE_RE.sub(lambda m: " " * len(m.group(0)),
                                                 entry.body_lines[n])
                at = written.find("-->") + 3
                at += len(written[at:]) - len(written[at:].lstrip())
                out.append((entry.body_line + n, at + 1, rest.strip()))
            break
    return out


def _not_in_html_blocks(entry: Entry, found: list[tuple]) -> list[tuple]:
    """`found` (line first) without what stands in an HTML block, which the page shows as
    written (see html_block_lines)."""
    html_lines = html_block_lines(entry) if found else frozenset()
    return [f for f in found if f[0] not in html_lines] if html_lines else found


def _links(entry: Entry, inline: re.Pattern, definition: re.Pattern) -> list[tuple]:
    """(line, column, the pattern's groups, a missing one as "") of each inline link and
    reference definition of the prose the patterns match, in the order of the lines; not
    one in an HTML block, where the page shows it as text."""
    if _defines(entry):
        return _links_and_definitions(entry, inline, definition)
    return _not_in_html_blocks(entry, _inline_links(_link_text(entry), entry.body_line, inline))


def _link_text(entry: Entry, every_quote: bool = False) -> str:
    """prose_text as the link readers read it: with the marks of block quotes (`> `) as
    spaces, so that a link's destination or title on the next line of a quote (`> See
    [AWQ](` then `> /glossary/awq)`), a reference definition in a quote (`> [awq]:
    /glossary/awq`) and a URL right after the mark (`>https://host/x`) are read as the page
    reads them. Not the marks of a line that ends a paragraph above it, which the page
    does not run on into the quote; `every_quote`: those too, for what no line runs on
    into (a reference definition, a bare URL): `Intro.` then `> [awq]: /glossary/typo`
    starts a quote all the same, and the page links to /glossary/typo (its definition was
    not read: no error; found in review). Worked out once per entry and kept on it; a body
    with no line starting with `>` (most) is prose_text itself."""
    key = "quoted_text" if every_quote else "link_text"
    text = entry.__dict__.get(key)
    if text is None:
        text = prose_text(entry)
        if _a_quote_starts(text):
            text = _quote_marks_blanked(text, every_quote)
        entry.__dict__[key] = text
    return text


def _a_quote_starts(text: str) -> bool:
    """Whether a line of `text` starts with `>` (after up to three spaces): found from its
    `>`s, as _a_line_starts finds `<`s (most bodies have none at a line's start)."""
    at = text.find(">")
    while at >= 0:
        if not at or text[at - 1] == "\n":
            return True
        if text[at - 1] == " ":  # (most `>` end a tag or a comment, `-->`: not looked at)
            start = text.rfind("\n", 0, at) + 1
            if at - start <= 3 and text.startswith(" " * (at - start), start):
                return True
        at = text.find(">", at + 1)
    return False


_QUOTE_MARKS_RE = re.compile(r"(?: {0,3}>[ ]?)+")


def _quote_marks_blanked(text: str, every: bool = False) -> str:
    """`text` with the block quote marks at the start of its lines as spaces (see
    _link_text; `every`: after a paragraph's line too): the same length, line by line."""
    lines = text.split("\n")
    joins = True  # the line before is blank, or quoted: the marks of this one are blanked
    for i, line in enumerate(lines):
        m = _QUOTE_MARKS_RE.match(line)
        if m is not None and (joins or every):
            lines[i] = " " * m.end() + line[m.end():]
        joins = m is not None or not line.strip()
    return "\n".join(lines)


def _defines(entry: Entry) -> bool:
    """_may_define of the prose, asked by each reader of links: kept on the entry."""
    defines = entry.__dict__.get("defines")
    if defines is None:
        defines = entry.__dict__["defines"] = _may_define(prose_text(entry))
    return defines


def _may_define(text: str) -> bool:
    """Whether `text` holds `]:`, which a reference definition needs. Its first `:`s are
    found by memchr and the character before each looked at (most bodies hold none or a
    few, where a search for `]:` took 3.4 µs a body of 4 KB); after 16, the search."""
    at = text.find(":")
    for _ in range(31):
        if at < 0:
            return False
        if at and text[at - 1] == "]":
            return True
        at = text.find(":", at + 1)
    return at >= 0 and "]:" in text[at - 1:]


def _inline_links(text: str, first: int, inline: re.Pattern,
                  others: list[int] | None = None) -> list[tuple]:
    """_links of a text with no reference definition: (line, column, the pattern's groups)
    of each inline link, lines counted from `first` as Positions counts them, in the loop
    (most bodies: a call a link cost as much as the search).

    With `others`, `inline` is _LINK_OR_OTHER_IN_LINE_RE: where it matches a `](` alone,
    or a link with another `](` in it (in its title), is added to `others`."""
    found: list[tuple] = []
    if "](" not in text:
        return found
    brackets = _OpenBrackets(text)
    count, rfind = text.count, text.rfind
    line, at, line_start = first, 0, 0
    for m in inline.finditer(text):
        start = m.start()
        if others is not None and (m.lastindex is None
                                   or text.find("](", start + 2, m.end()) >= 0):
            others.append(start)
            if m.lastindex is None:
                continue
        if start and text[start - 1] == "\\" and _escaped(text, start) or not brackets(start):
            continue  # as in _links_and_definitions
        offset = m.start(1)
        newlines = count("\n", at, offset)
        if newlines:
            line += newlines
            line_start = rfind("\n", at, offset) + 1
        at = offset
        found.append((line, offset - line_start + 1, *m.groups("")))
    return found


def _links_and_definitions(entry: Entry, inline: re.Pattern,
                           definition: re.Pattern) -> list[tuple]:
    """_links of a text that may hold reference definitions."""
    found = []  # (line index, 0 for a link or 1 for a definition, column, groups)
    for kind, pattern, needle in ((0, inline, "]("), (1, definition, "]:")):
        text = _link_text(entry, every_quote=bool(kind))  # (the same length, line by line)
        if needle not in text:
            continue
        where, brackets = Positions(text, 0), _OpenBrackets(text)
        for m in pattern.finditer(text):
            if not kind and (_escaped(text, m.start()) or not brackets(m.start())):
                continue  # `\](`, `\[a](b)` or `x](b)`: no link, text (a release note's
                # `\[a\](b)`, a smiley's `:](`)
            line, column = where(m.start(1))
            found.append((line, kind, column, tuple(g or "" for g in m.groups())))
    if found and found[-1][1]:  # a definition after a link: in the order of the lines
        found.sort(key=lambda f: f[:3])
    first = entry.body_line
    return _not_in_html_blocks(entry, [(first + line, column, *groups)
                                       for line, _, column, groups in found])


class _OpenBrackets:
    """How many `[` are open at an offset: unescaped, not closed by a `]`, in its paragraph
    (a `[` opens a link on a later line of its paragraph, `[the` on one, `term](/path)` on
    the next; a blank line, as code is in prose_text, ends it). With none, the `]` there
    opens no link (`x](/path)`, `[a](](/path)` whose `[` the first `]` closed, or
    `\\[text](/path)`): text, as the page shows it. With one, a URL there is no autolink
    (cmark's autolink extension links none inside brackets: in `[https://host/x](/y)` the
    text is no link, only `/y` is). Offsets are asked in the order they come, like
    Positions: the brackets between the one asked before and this one are counted once, so
    the `]` of every link on a line cost one pass over it (reading back to the line's
    start from each, 4,000 `x](b)` on a line took ten seconds).

    A link inside a link's text makes the `[` before it open no link (CommonMark: links do
    not nest): in `[a [b](/y) c](/x)` the page links to /y, and `c](/x)` is text. An
    image's `![` is not so closed, and an image closes none. So is a reference link to a
    label the text defines, `[text][label]`, `[label][]` or `[label]`: in
    `[[AWQ][awq] kernels](/x)` the page links to awq's definition, and `kernels](/x)` is text."""

    _BRACKET = re.compile(r"[\[\]]")
    _BLANK_LINE = re.compile(r"\n[ \t]*\n")

    def __init__(self, text: str):
        self.text, self.at = text, 0
        self.openers: list[int] = []  # where each open `[` is
        self.dead_before = 0  # a link's `[` before this opens no link: a link came after it
        self.labels: set[str] | None = None  # those the text defines, when first asked

    @property
    def open(self) -> int:
        return len(self.openers)

    def __call__(self, end: int) -> int:
        text = self.text
        since = end - 200 if end - 200 > self.at else self.at
        opener = text.rfind("[", since, end)  # since the last asked
        if opener > 0 and text[opener - 1] != "\\" or opener == 0:
            between = text[opener + 1:end]
            if "]" not in between and "\n" not in between and "\\" not in between:
                return 1  # the usual link, `[text](`: the nearest `[`, not escaped, is open
                # (found by a search, not the pass below, which a later call makes from
                # where the last one stopped: the state stays right; and a link closed
                # none of them: there is none between)
        if self.open_at(end) and self._closed(self.openers[-1]):
            return 0
        return self.open

    def open_at(self, end: int) -> int:
        """The count, by the pass alone (where the usual answer is none, a bare URL's)."""
        text, at, self.at = self.text, self.at, end
        openers = self.openers
        if text.find("\n", at, end) >= 0:  # a blank line closes them: count after the last
            for blank in self._BLANK_LINE.finditer(text, at, end):
                openers.clear()
                at = blank.end()
        for m in self._BRACKET.finditer(text, at, end):
            if _escaped(text, m.start()):
                continue
            if m.group() == "[":
                openers.append(m.start())
            elif openers:  # a `]` closes the last `[` still open; with none, nothing
                opener = openers.pop()
                if openers and not self._closed(opener) and not self._image(opener) \
                        and (_ANY_LINK_RE.match(text, m.start())
                             or self._reference(opener, m.start())):
                    self.dead_before = opener  # a link, inside the text of those open
        return len(openers)

    def _reference(self, opener: int, close: int) -> bool:
        """Whether the `]` at `close`, which closes the `[` at `opener`, ends a reference
        link to a label the text defines: the label in brackets right after it, or (with
        none, or `[]`) the text between the two, as cmark looks it up."""
        text = self.text
        if self.labels is None:  # worked out once, for the first text in brackets in
            # another's (rare): the labels of the definitions, as _label_key reads them
            self.labels = {_label_key(m.group(1)) for m in _DEFINED_LABEL_RE.finditer(text)} \
                if "]:" in text else set()
        if not self.labels:
            return False
        label = _LINK_LABEL_RE.match(text, close + 1)
        if label is not None and label.group(1).strip():
            return _label_key(label.group(1)) in self.labels
        # (a label is 999 characters at most: a longer text is none, and is not read, so
        # that brackets nested thousands deep are not read again at each `]`)
        return close - opener <= 1000 and _label_key(text[opener + 1:close]) in self.labels

    def _image(self, opener: int) -> bool:
        return opener > 0 and self.text[opener - 1] == "!" and not _escaped(self.text, opener - 1)

    def _closed(self, opener: int) -> bool:
        """Whether the `[` at `opener` opens no link, a link having come after it."""
        return opener < self.dead_before and not self._image(opener)


# A link label (CommonMark: no unescaped bracket, at most 999 characters), after a link's
# text, and one a reference definition defines, at the start of a line.
_LINK_LABEL_RE = re.compile(r"\[((?:[^\[\]\\]|\\.){0,999})\]", re.S)
_DEFINED_LABEL_RE = re.compile(r"^ {0,3}\[((?:[^\[\]\\]|\\.){1,999})\]:", re.M | re.S)


def _label_key(label: str) -> str:
    """A link label as cmark matches it with a definition's: case and runs of white space
    aside."""
    return " ".join(label.casefold().split())


def _autolinks(entry: Entry) -> list[tuple]:
    """(line, column, origin, path, anchor) of each autolink to an http(s) URL in the prose,
    `<https://host/path>`, the column that of its URL, as `_links` gives them."""
    text = prose_text(entry)
    found, where = [], Positions(text, entry.body_line)
    for m in _URL_AUTOLINK_IN_LINE_RE.finditer(text):
        if m.start() and text[m.start() - 1] == "\\":  # `\<`: text (no look-behind, which
            continue  # would make the search try every character)
        found.append((*where(m.start(1)), *(g or "" for g in m.groups())))
    return _not_in_html_blocks(entry, found)


# A URL GitHub's autolink extension links, written bare, as cmark-gfm's finds one:
# `https://host/...` after anything but a letter (which it takes for part of the scheme:
# `xhttps://` is none, `_https://..._` in italics is one), `www.host/...` (in lower case)
# only first or after white space or one of `*_~(` (`"www.host/x"` is text); up to ASCII
# white space or `<` (a no-break space is part of the URL), then ended as the extension
# ends it (see _bare_end). Its start is searched first: where the extension links none
# (inside brackets), it reads on from there, and may find one within (`[https://host/x]`
# then `https://host/y`, with no space between, is text then a link).
# (The first letter first, a character class, and then what may stand before it: searched
# for so, a start is found five times faster than with the look-behind first.)
_BARE_URL_START_RE = re.compile(r"[hHw](?:(?<=[hH])(?<![A-Za-z].)[tT][tT][pP][sS]?://"
                                r"|(?<=w)(?<![^ \t\n\v\f\r*_~(].)ww\.)")
_BARE_URL_REST_RE = re.compile(r"[^ \t\n\v\f\r<]*")
# An inline link, any destination (see _OpenBrackets).
_ANY_LINK_RE = re.compile(rf"\]\({_WS}(?:<[^<>\n]*>|(?:[^\s()\\<]++|\\\S|{_PARENS})*+)"
                          rf"{_TITLE}\)", re.ASCII)
# An inline link with a title, any destination: a URL in its title is text on the page (the
# link's tooltip), no link of its own.
_TITLED_LINK_RE = re.compile(rf"\]\({_WS}(?:<[^<>\n]*>|(?:[^\s()\\<]++|\\\S|{_PARENS})*+)"
                             rf"({_TITLE_ITSELF}){_WS}\)", re.ASCII)
_TRAILING = "?!.,:*_~'\""
_TRAILING_REFERENCE_RE = re.compile(r"&[A-Za-z]+;$")


def _bare_urls(entry: Entry, host: str, taken: dict[tuple[int, int], int]) -> list[tuple]:
    """(line, column, origin, path, anchor) of each bare URL on `host` (with or without
    `www.`) in the prose, as `_links` gives them; none in what `taken` gives the (line,
    column) and length of, a link's destination, which is no text (what follows the link
    may hold one)."""
    text = _link_text(entry, every_quote=True)
    found, where = [], Positions(text, entry.body_line)
    tags = [tag[:2] for tag in open_tags(text)] if "<" in text else []
    brackets = _OpenBrackets(text) if "[" in text else None
    at, titles = 0, None
    while m := _BARE_URL_START_RE.search(text, at):
        start, at = m.start(), m.end()
        if tags and _in_tag(tags, start):
            continue  # an attribute's value (`<a href="https://...">`): no autolink there
        if brackets and brackets.open_at(start):
            continue  # a link's text (`[https://host/x](/y)`), or `[see https://host/x]`
        length = taken.get(where(start))
        if length is not None:
            at = max(at, start + length)
            continue
        url = _bare_end(text[start:_BARE_URL_REST_RE.match(text, at).end()])
        at = max(at, start + len(url))
        if brackets:  # a `[` in the URL is part of it (`https://host/a[1`), no bracket
            brackets.at = at
        www = url.startswith("www.")  # `www.host/x`, which may hold `https://` further on
        scheme, _, rest = ("http", "", url) if www else url.partition("://")
        name, slash, after = rest.partition("/")
        if _bare_host(name) != host:
            continue
        if titles is None:  # worked out for the first URL on the site's domain
            titles = _link_titles(text)
        if titles and _in_tag(titles, start):  # a link's title (`[a](/x "see https://host/y")`):
            at = titles[bisect.bisect_right(titles, (start, float("inf"))) - 1][1]
            continue  # text, and the URL ends with it (what follows the link may be one)
        path, anchor = f"/{after}" if slash else "", ""
        for mark in "?#":
            if mark in path:
                path, _, tail = path.partition(mark)
                anchor = mark + tail + anchor
                break
        origin = name if www else f"{scheme}://{name}"
        found.append((*where(start), origin, path, anchor))
    return _not_in_html_blocks(entry, found)


def _link_titles(text: str) -> list[tuple[int, int]]:
    """(start, end) of the title of each inline link in `text` that has one, in order."""
    if "](" not in text:
        return []
    found, brackets = [], _OpenBrackets(text)
    for m in _TITLED_LINK_RE.finditer(text):
        if not _escaped(text, m.start()) and brackets(m.start()):
            found.append(m.span(1))
    return found


def _in_tag(tags: list[tuple], at: int) -> bool:
    """Whether `at` is inside one of `tags` (open_tags)."""
    i = bisect.bisect_right(tags, (at, float("inf"))) - 1
    return i >= 0 and tags[i][0] < at < tags[i][1]


def _bare_end(url: str) -> str:
    """Where GitHub's autolink extension ends a bare URL: before trailing punctuation, a
    `)` that closes no `(` of the URL, and a `;` (with what looks like a character
    reference it ends, `&amp;`: a URL before `; it explains` or `&amp;` is no less a link
    to its page)."""
    while url:
        if url[-1] in _TRAILING:
            url = url[:-1]
        elif url[-1] == ";":
            reference = _TRAILING_REFERENCE_RE.search(url)
            url = url[:reference.start() if reference else -1]
        elif url[-1] == ")" and url.count(")") > url.count("("):
            url = url[:-1]
        else:
            break
    return url


def citations(entry: Entry) -> Iterator[tuple[int, int, str]]:
    """(line, column, source id) of every Pandoc citation `[@id]` in the body.

    Its search is made once per entry and kept on it (see internal_links); the lines and
    columns are worked out when they are read, once (see cited_ids, citations_of)."""
    found = entry.__dict__.get("citations")
    if found is None:
        found = _scan_citations(entry)
    if type(found) is list:
        return iter(found)
    return _placed_kept(entry, found)


def _placed_kept(entry: Entry, groups: tuple) -> Iterator[tuple[int, int, str]]:
    """citations of an entry whose groups alone were kept: placed when first read (not
    when asked: validate's first pass asks so as to carry them), then kept."""
    found = entry.__dict__["citations"] = _placed(entry, groups, None) if groups else []
    yield from found


def cited_ids(entry: Entry) -> set[str]:
    """The ids the body's citations name (those of `citations`), without their places."""
    found = entry.__dict__.get("citations")
    if found is None:
        found = _scan_citations(entry)
    if type(found) is list:
        return {sid for _, _, sid in found}
    return {sid for _, _, keys in found for sid in keys}


def citations_of(entry: Entry, ids: set[str] | frozenset[str]) -> list[tuple[int, int, str]]:
    """The `citations` of the body that name one of `ids`, in order: the lines and columns
    of those alone worked out (a check reports a few of an entry's citations, most
    none, and counting the lines of all of them was a fifth of their search)."""
    if not ids:
        return []
    found = entry.__dict__.get("citations")
    if found is None:
        found = _scan_citations(entry)
    if type(found) is list:
        return [c for c in found if c[2] in ids]
    return _placed(entry, found, ids)


def _placed(entry: Entry, groups: tuple, ids: set[str] | frozenset[str] | None) -> list:
    """(line, column, id) of each key of `groups` (cite_groups), of those naming one of
    `ids` (all with None): Positions' counting, inline, from the line break before each
    group (most groups end a line, the next one on a later line)."""
    text = prose_text(entry)
    count, rfind = text.count, text.rfind
    line_no, at, line_start = entry.body_line, 0, 0
    read: dict[str, list[tuple[int, str]]] = {}
    out: list[tuple[int, int, str]] = []
    add = out.append
    for start, end, keys in groups:
        if ids is not None and ids.isdisjoint(keys):
            continue
        last = rfind("\n", at, start)
        if last >= 0:
            line_no += count("\n", at, last) + 1
            line_start = last + 1
        at = start
        if len(keys) == 1 and end - start == len(keys[0]) + 3:
            add((line_no, start - line_start + 2, keys[0]))  # `[@key]` (most): its `@`
            continue  # (a group's one key and its `@` are all of a text so long)
        cited = text[start + 1:end - 1]
        offsets = read.get(cited)
        if offsets is None:
            offsets = read[cited] = _cite_keys(cited)[1]
        column = start - line_start  # of the `[` in the line, from 0
        out += [(line_no, column + offset, key) for offset, key in offsets
                if ids is None or key in ids]
    return out


def cite_groups(entry: Entry) -> list[tuple[int, int, tuple[str, ...]]]:
    """(start, end, source ids) of every citation group of the body outside code,
    `[@a; @b]`, offsets in the body: what the page's citations are made from
    (publish.markdown.MarkedBody). Found with `citations`, in the same search, and kept."""
    groups = entry.__dict__.get("cite_groups")
    if groups is None:
        kept = entry.__dict__.get("citations")
        if type(kept) is tuple:  # carried between validate's passes: the groups themselves
            groups = entry.__dict__["cite_groups"] = list(kept)
        else:
            _scan_citations(entry)
            groups = entry.__dict__["cite_groups"]
    return groups


def _scan_citations(entry: Entry) -> tuple:
    """Find the body's citation groups (cite_groups) and keep them on the entry: as they
    are under `cite_groups`, and as a tuple under `citations`, whose places are worked out
    when read (a citation's line and column cost as much as finding its group, and most
    are never reported). The keys of each group's text are read once (an entry cites its
    few sources again and again: `[@readme-16]` ten times)."""
    text = prose_text(entry)
    groups: list[tuple[int, int, tuple[str, ...]]] = []
    if "@" in text:
        read: dict[str, tuple[str, ...]] = {}
        groups = [(g.start(), g.end(), read[c] if (c := g[1]) in read else _read_keys(read, c))
                  for g in CITE_GROUP_IN_LINE_RE.finditer(text)]
    found = entry.__dict__["citations"] = tuple(groups)
    entry.__dict__["cite_groups"] = groups
    return found


def _read_keys(read: dict[str, tuple[str, ...]], cited: str) -> tuple[str, ...]:
    """The keys of a group's text (as _cite_keys gives them), kept in `read`."""
    if _ONE_CITE_KEY_RE.fullmatch(cited):
        keys = read[cited] = (cited[1:],)
    else:
        keys = read[cited] = tuple(k.group(1) for k in CITE_KEY_RE.finditer(cited))
    return keys


def _cite_keys(cited: str) -> tuple[tuple[str, ...], list[tuple[int, str]]]:
    """(its keys, [(offset of each in the group, from its `[`, key)]) of a citation group's
    text, as CITE_KEY_RE finds them; a group of one key, `@key`, without the search of
    each (1 µs a group)."""
    if _ONE_CITE_KEY_RE.fullmatch(cited):
        key = cited[1:]
        return (key,), [(2, key)]
    ks = list(CITE_KEY_RE.finditer(cited))
    return tuple(k.group(1) for k in ks), [(k.start(1) + 1, k.group(1)) for k in ks]


def path_to_id(path: str) -> str | None:
    """`/glossary/awq` or `/glossary/awq/` -> `glossary/awq`; other paths -> None."""
    path = path.strip("/")  # neither part empty: one `/`, which is then inside
    return path if path.count("/") == 1 else None


def source_refs(data, path: tuple = ()) -> list[tuple[tuple, str]]:
    """(path, id) of every front-matter `source:` field, in order (not those inside a
    `sources:` list, which are the entry's own sources, not citations of them)."""
    out: list[tuple[tuple, str]] = []
    if isinstance(data, (dict, list)):
        _walk_front_matter(data, path, True, out, [], [], [])
    return out


# What one walk of an entry's front matter finds, kept on the entry under these names
# (see front_matter_found); the walks of each of its readers cost a cold build 3 %:
# - source_refs: (path, id) of every `source:` field, as source_refs gives them;
# - front_matter_urls: every http(s) URL value, in order (the page's paid links);
# - front_matter_texts: (path, text) of every value that is or may hold a URL, in order
#   (the affiliate checks take the URLs from them: affiliates.links.find_links);
# - front_matter_dates: every value that may read as an ISO date (cache.summarize);
# - front_matter_plain: whether every mapping has text keys (entry_json.plain_keys).
FRONT_MATTER_FOUND = ("source_refs", "front_matter_urls", "front_matter_texts",
                      "front_matter_dates", "front_matter_plain")
_HTTP = ("https://", "http://")


def front_matter_found(entry: Entry, name: str):
    """One of FRONT_MATTER_FOUND of the entry's front matter, all worked out in one walk
    and kept on it (see internal_links); validate carries those its checks read."""
    found = entry.__dict__.get(name)
    if found is None:
        data = entry.data
        sources: list = []
        urls: list = []
        texts: list = []
        dates: list = []
        plain = True
        if isinstance(data, (dict, list)):
            plain = _walk_front_matter(data, (), True, sources, urls, texts, dates)
        elif isinstance(data, str):
            if data.startswith(_HTTP):
                urls.append(data)
            if 7 <= len(data) <= 40 and data[:4].isdigit():
                dates.append(data)
        entry.__dict__.update(zip(FRONT_MATTER_FOUND, (sources, urls, texts, dates, plain)))
        found = entry.__dict__[name]
    return found


def front_matter_sources(entry: Entry) -> list[tuple[tuple, str]]:
    """source_refs of the entry's front matter, worked out once per entry and kept on it
    (see front_matter_found): the page's source list, validate's summary and the
    citation checks each read them."""
    return front_matter_found(entry, "source_refs")


def _walk_front_matter(data: dict | list, path: tuple, sourced: bool, sources: list,
                       urls: list, texts: list, dates: list) -> bool:
    """Fill the lists of FRONT_MATTER_FOUND from `data` at `path`; -> whether every
    mapping in it has text keys. `sourced`: not inside a `sources:` field.

    A string is told by its type first (isinstance only for the others: a third of the
    values), the values with no `:` (most) spared the tests of a URL's `:/`, and a date's
    first character by comparisons, not a slice (a digit, ASCII's or another's, is below
    `:` or above `\\x7f`): 15.0 -> 12.9 µs an entry of the corpus's. (The walk was two
    loops, a mapping's and a list's, for 0.7 µs more: not worth the copy.)"""
    plain = True
    is_dict = isinstance(data, dict)
    for k, v in data.items() if is_dict else enumerate(data):
        if is_dict and type(k) is not str:
            plain = False
        if type(v) is str or isinstance(v, str):
            if sourced and k == "source":
                sources.append(((*path, k), v))
            if ":" in v:  # what may be or hold a URL (most values hold no `:`)
                if v.startswith(_HTTP):  # no date: neither of the other two tests is needed
                    urls.append(v)
                    texts.append(((*path, k), v))
                    continue
                # `ww.` in any case: the text has a `w.` or a `W.` first (cheaper than lower())
                if ":/" in v or ":\\" in v or ("." in v and ("w." in v or "W." in v)
                                               and "ww." in v.lower()):
                    texts.append(((*path, k), v))
            elif "." in v and ("w." in v or "W." in v) and "ww." in v.lower():
                texts.append(((*path, k), v))
            if (v < ":" or v >= "\x80") and v[:4].isdigit() and 7 <= len(v) <= 40:
                dates.append(v)
        elif isinstance(v, (dict, list)):
            if not _walk_front_matter(v, (*path, k), sourced and k != "sources", sources,
                                      urls, texts, dates):
                plain = False
    return plain


_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))


def title_key(title: str) -> str:
    """What makes two titles the same to a reader: Unicode's compatibility form (an `é`
    typed as one character or as `e` and an accent), case, runs of white space, and
    characters nobody sees (a zero-width space, a soft hyphen) aside."""
    if title.isascii():  # most titles: no other form, nothing invisible
        return " ".join(title.casefold().split())
    return " ".join(unicodedata.normalize("NFKC", title).translate(_INVISIBLE)
                    .casefold().split())
