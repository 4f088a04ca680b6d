"""cmark-gfm, the CommonMark parser of the site's pages, through cmarkgfm's C bindings.

One parser for everything that must read a body as a page shows it: the
bodies rendered to HTML (publish/markdown.py), and which lines of a body are
code (catalog/text.py), where an indented line may be code or the text of a
list item, as only a CommonMark parser can tell.

cmarkgfm's own `markdown_to_html_with_extensions` never frees the document
tree nor the HTML it returns: about 40 KB per body, so a worker rendering
5,000 entries grew by 200 MB. Here a body is parsed into cmark's arena (its
own allocator): its nodes and buffers, and the HTML or XML rendered from
them, are cut from blocks pushed for the body and all freed at once after the
text is copied out, not allocated and freed one by one (a third of the time
cmark took on a body of the benchmark corpus). The arena's functions and
`cmark_render_xml` are not in those bindings; ctypes reaches them in the same
loaded library.
"""

from __future__ import annotations

import ctypes
import os
import re
import threading
from html import unescape

from cmarkgfm import _cmark
from cmarkgfm.cmark import Options

EXTENSIONS = ["table", "strikethrough", "autolink", "tasklist"]
OPTIONS = Options.CMARK_OPT_UNSAFE  # raw HTML kept: the caller sanitises
# cmarkgfm.github_flavored_markdown_to_html's (the digest's): raw HTML omitted, tagfilter
GITHUB_EXTENSIONS = ["table", "autolink", "tagfilter", "strikethrough", "tasklist"]
GITHUB_OPTIONS = Options.CMARK_OPT_GITHUB_PRE_LANG
# A code block of cmark's XML; text in XML is escaped, so no body can write one.
_CODE_BLOCK_RE = re.compile(r'<code_block sourcepos="(\d+):\d+-(\d+):\d+"')
# An HTML block of cmark's XML, and what it holds: its lines are counted from that, as the
# end of its sourcepos is one line short for a block its end condition closes (a comment).
_HTML_BLOCK_RE = re.compile(r'<html_block sourcepos="(\d+):[^>]*(?<!/)>(.*?)</html_block>', re.S)
# Any raw HTML node of cmark's XML, inline or block, with what it holds (none when empty).
_RAW_HTML_RE = re.compile(r"<(html_inline|html_block)\b[^>]*?(?:/>|>(.*?)</\1>)", re.S)


class _Cmark:
    def __init__(self):
        lib, ffi = _cmark.lib, _cmark.ffi
        lib.cmark_gfm_core_extensions_ensure_registered()
        self.extensions = [lib.cmark_find_syntax_extension(name.encode()) for name in EXTENSIONS]
        self.github_extensions = [lib.cmark_find_syntax_extension(name.encode())
                                  for name in GITHUB_EXTENSIONS]
        so = ctypes.CDLL(_cmark.__file__)
        self.render_xml = so.cmark_render_xml
        self.render_xml.argtypes, self.render_xml.restype = [ctypes.c_void_p, ctypes.c_int], \
            ctypes.c_void_p
        self.lib, self.address = lib, lambda p: int(ffi.cast("uintptr_t", p))
        self.string = ffi.string
        # the arena: one global stack of blocks in the library, so one thread at a time
        so.cmark_get_arena_mem_allocator.restype = ctypes.c_void_p
        self.arena = so.cmark_get_arena_mem_allocator()
        self.arena_parser = so.cmark_parser_new_with_mem
        self.arena_parser.argtypes, self.arena_parser.restype = [ctypes.c_int, ctypes.c_void_p], \
            ctypes.c_void_p
        self.push, self.pop = so.cmark_arena_push, so.cmark_arena_pop
        self.push.argtypes, self.push.restype = [], None
        self.pop.argtypes, self.pop.restype = [], ctypes.c_int
        # (its first block made now and kept, with this parser, never used: a pop frees
        # the blocks pushed after it; with none, the pop would free the first too)
        self.arena_parser(OPTIONS, self.arena)
        self.parser = lambda address: ffi.cast("cmark_parser *", address)
        self.lock = threading.Lock()
        # a child forked while another thread held it would wait for it forever (the
        # blocks of that thread's body, if any, stay pushed in the child: a few KB)
        os.register_at_fork(after_in_child=self._forked)

    def _forked(self) -> None:
        self.lock = threading.Lock()

    def _parsed(self, markdown: str, options: int, render, extensions=None) -> str:
        """What `render` (given the parser and the document) makes of `markdown`, parsed
        and rendered in blocks of the arena pushed for it, all freed by the pop (the
        parser, the document and what `render` copies out of cmark's output with them)."""
        lib = self.lib
        text = markdown.encode("utf-8")
        with self.lock:
            self.push()
            try:
                parser = self.parser(self.arena_parser(options, self.arena))
                for extension in extensions or self.extensions:
                    lib.cmark_parser_attach_syntax_extension(parser, extension)
                lib.cmark_parser_feed(parser, text, len(text))
                return render(parser, lib.cmark_parser_finish(parser))
            finally:
                self.pop()

    def html(self, markdown: str) -> str:
        def render(parser, root) -> str:
            out = self.lib.cmark_render_html(root, OPTIONS,
                                             self.lib.cmark_parser_get_syntax_extensions(parser))
            return self.string(out).decode("utf-8")

        return self._parsed(markdown, OPTIONS, render)

    def github_html(self, markdown: str) -> str:
        def render(parser, root) -> str:
            out = self.lib.cmark_render_html(root, GITHUB_OPTIONS,
                                             self.lib.cmark_parser_get_syntax_extensions(parser))
            return self.string(out).decode("utf-8")

        return self._parsed(markdown, GITHUB_OPTIONS, render, self.github_extensions)

    def xml(self, markdown: str) -> str:
        def render(parser, root) -> str:
            out = self.render_xml(self.address(root), OPTIONS | Options.CMARK_OPT_SOURCEPOS)
            return ctypes.string_at(out).decode("utf-8")

        return self._parsed(markdown, OPTIONS | Options.CMARK_OPT_SOURCEPOS, render)


_CMARK = _Cmark()


def html(markdown: str) -> str:
    """CommonMark with GitHub tables, strikethrough, autolinks and task lists, as HTML
    (raw HTML kept: the caller sanitises)."""
    return _CMARK.html(markdown)


def github_html(markdown: str) -> str:
    """`cmarkgfm.github_flavored_markdown_to_html(markdown)`: GitHub's extensions with the
    tag filter, raw HTML omitted (the digest's Markdown), parsed in the arena and under
    its lock as every parse here. Not cmarkgfm's own function: cmark-gfm's table extension
    pushes and pops the library's one arena around each table it reads, whatever the
    parser's allocator; once the arena exists (this module made it), a parse outside the
    lock popped blocks another thread's parse was using (a crash), and its table rows were
    left unfreed (about 0.9 KB a table), besides the document and HTML cmarkgfm's function
    never frees."""
    return _CMARK.github_html(markdown)


def code_block_lines(markdown: str) -> set[int]:
    """Indexes (0-based) of the lines of `markdown` that open, hold or close a code block,
    fenced or indented, wherever it stands (in a list item, a block quote)."""
    out: set[int] = set()
    for m in _CODE_BLOCK_RE.finditer(_CMARK.xml(markdown)):
        out.update(range(int(m.group(1)) - 1, int(m.group(2))))
    return out


def html_blocks(markdown: str) -> list[tuple[int, str]]:
    """(index of its first line, 0-based; its text, without the marks of the block quotes
    and list items around it) of each HTML block of `markdown`, wherever it stands, in
    order: raw HTML, where a Markdown link, a reference definition or an autolink is text
    (`<div>` then `[AWQ](/glossary/awq)` on the next line, before a blank line, shows the
    brackets). Its lines are counted from its text (see _HTML_BLOCK_RE)."""
    return [(int(m.group(1)) - 1, unescape(m.group(2)))
            for m in _HTML_BLOCK_RE.finditer(_CMARK.xml(markdown))]


def raw_html(markdown: str) -> list[tuple[bool, str]]:
    """(inline?, text as written) of each piece of raw HTML of `markdown`, in the order of
    the text: what cmark's safe mode writes `<!-- raw HTML omitted -->` for, one each."""
    return [(m.group(1) == "html_inline", unescape(m.group(2) or ""))
            for m in _RAW_HTML_RE.finditer(_CMARK.xml(markdown))]



# A row of a table in cmark's XML (the header too), and the end of each of its cells: what
# a row holds past its last cell (a cell more than the header has) is not in it.
_TABLE_ROW_RE = re.compile(r'<table_(row|header) sourcepos="(\d+):\d+-\d+:(\d+)">(.*?)'
                           r"</table_\1>", re.S)
_CELL_END_RE = re.compile(r'<table_cell sourcepos="\d+:(\d+)-\d+:(\d+)"')
_PARAGRAPH_RE = re.compile(r'<paragraph sourcepos="(\d+):\d+-(\d+):\d+"')


def table_overflow(markdown: str) -> list[tuple[int, int, str]]:
    """(index of its line, 0-based; the column, 1-based, in characters, where what it holds
    past the header's cells starts; that, as written) of
    each row of a GitHub table with more cells than its header row: GitHub drops them
    (`| 1 | 2 | 3 |` under `| a | b |` shows `1` and `2`), a `|` in code (`` `x|y` ``) makes
    one more cell too. Columns of cmark's XML count bytes."""
    if "|" not in markdown:
        return []
    lines = markdown.split("\n")
    out = []
    for m in _TABLE_ROW_RE.finditer(_CMARK.xml(markdown)):
        line, end = int(m.group(2)) - 1, int(m.group(3))
        # a row with fewer cells than the header is given empty ones, at column 0: no text
        cells = [c for c in _CELL_END_RE.findall(m.group(4)) if c[1] != "0"]
        written = lines[line].encode("utf-8")
        start = int(cells[-1][1]) if cells else 0
        rest = written[start:end].decode("utf-8", "replace")
        rest = rest.strip().removeprefix("|")
        if rest.endswith("|") and not rest.endswith("\\|"):
            rest = rest[:-1]
        if rest.strip(" \t|"):
            words = rest.strip()
            at = len(written[:start].decode("utf-8", "replace"))  # in characters
            out.append((line, lines[line].find(words, at) + 1, words))
    return out


def paragraph_lines(markdown: str) -> list[tuple[int, int]]:
    """(first, last) index (0-based) of the lines of each paragraph of `markdown`."""
    return [(int(m.group(1)) - 1, int(m.group(2)) - 1)
            for m in _PARAGRAPH_RE.finditer(_CMARK.xml(markdown))]


# A link or an image of cmark's XML: where it starts, where it goes, and whether it holds
# anything (an image with no alt text is written `<image ... />`); and the tags that open
# and close one, to find its end (a link's words may hold an image).
_LINK_OR_IMAGE_RE = re.compile(r'<(link|image) sourcepos="(\d+):(\d+)-[^"]*" '
                               r'destination="([^"]*)" title="[^"]*"( />|>)')
_LINK_OR_IMAGE_TAG_RE = re.compile(r"<(/?)(?:link|image)\b[^>]*?(/?)>")
_ANY_XML_TAG_RE = re.compile(r"<[^>]*>")
# A node of cmark's XML with a place: its first line and column, its last line.
_PLACED_RE = re.compile(r'<([a-z_]+) sourcepos="(\d+):(\d+)-(\d+):\d+"')
_LAST_LINE_RE = re.compile(r'sourcepos="\d+:\d+-(\d+):')
# The blocks whose text is inline, links and all; and the first character of a link or an
# image as written (a line as cmark counts its columns is bytes, or text when ASCII).
_INLINE_HOLDERS = ("<paragraph ", "<heading ", "<table_cell ")
_OPENERS = ("[", "!", "<", b"[", b"!", b"<")


def links_and_images(markdown: str) -> list[tuple[str, int, int, str, str]]:
    """(kind, "link" or "image"; index of its line, 0-based; its column, 1-based, in
    characters; its destination as cmark reads it, entities decoded; its words, an image's
    alt text, as plain text) of each link and image of `markdown` (a reference link at the
    place of its words), in the order of the text.

    cmark's own places of them are put right (see _placed): on a paragraph's later line
    it gives the paragraph's column plus the offset in the line's text, as if the line
    had the first one's marks of block quotes and list items (`> a` then, lazily, `b
    [x](/y)`: column 5, not 3); it counts the lines from the reference definitions the
    paragraph started with; it places a link whose words run over lines on the line they
    end on; and counts no line break in a link's destination or after a `\\`."""
    if "]" not in markdown:
        return []
    xml = _CMARK.xml(markdown)
    lines = markdown.split("\n")
    defines = ":" in markdown and "]:" in markdown  # (`:` first: one character)
    out = []
    for m in _LINK_OR_IMAGE_RE.finditer(xml):
        words = ""
        line, column = int(m.group(2)), int(m.group(3))
        if m.group(5) == ">":  # the text it holds, up to its own end
            depth = 1
            for tag in _LINK_OR_IMAGE_TAG_RE.finditer(xml, m.end()):
                depth += -1 if tag.group(1) else 0 if tag.group(2) else 1
                if not depth:
                    held = xml[m.end():tag.start()]
                    words = " ".join(unescape(_ANY_XML_TAG_RE.sub(" ", held)).split())
                    if "break />" in held:  # words over lines: cmark places it where they
                        # end; they start after its `[` (`![`)
                        first = _PLACED_RE.match(xml, xml.find("<", m.end()))
                        if first is not None and int(first.group(2)) < line:
                            line = int(first.group(2))
                            column = int(first.group(3)) - (2 if m.group(1) == "image" else 1)
                    break
        destination = unescape(m.group(4))
        bare = words if words and words in destination else ""  # a URL written bare may be
        line, column = _placed(xml, m.start(), line, column, bare, lines, defines)
        out.append((m.group(1), line, column, destination, words))
    return out


def _placed(xml: str, at: int, line: int, column: int, bare: str, lines: list[str],
            defines: bool) -> tuple[int, int]:
    """cmark's line (from 1) and column (in bytes) of a link at `at` in its XML -> the
    index of its line (from 0) and its column in characters (see links_and_images);
    `bare`, its words when they may be a URL written bare (they are in its destination)."""
    # its block: the nearest node before it a level less indented (cmark's XML indents
    # each level by two spaces; text in it has no `<`), or that one's, up to one of inline
    # text (a link may be inside emphasis, an image inside a link)
    indent, parent = at - xml.rfind("\n", 0, at) - 1, at
    while True:
        indent -= 2
        if indent < 0:  # not expected: cmark's place
            return line - 1, _column(_written(lines, line), column - 1)
        parent = xml.rfind("\n" + " " * indent + "<", 0, parent) + 1 + indent
        if xml.startswith(_INLINE_HOLDERS, parent):
            break
    block = _PLACED_RE.match(xml, parent)
    first, start, last = int(block.group(2)), int(block.group(3)), int(block.group(4))
    if defines and line < last and lines[first - 1].lstrip(" \t>").startswith("["):
        # reference definitions first (`[r]: /x` then the text): cmark counts the lines
        # from them, and its last is short of the block's by as many
        end = xml.find(f"</{block.group(1)}>", block.end())
        inline_last = max(map(int, _LAST_LINE_RE.findall(xml, block.end(), end)), default=last)
        line += last - inline_last
    offset = column - start  # in the text of its line, as cmark reads it
    written = _written(lines, line)
    at = _text_start(written, line == first, start, offset) + offset
    # a line break cmark did not count (a `\\` at the end of a line, a link's destination
    # or title over lines): its columns run on from the line before
    while written[at:at + 1] not in _OPENERS and line < last:
        text = len(written) - _text_start(written, line == first, start, 0)
        if offset <= text:
            break
        offset -= text + 1
        line, written = line + 1, _written(lines, line + 1)
        at = _text_start(written, False, start, offset) + offset
    if bare and written[at:at + 1] not in _OPENERS:  # a URL written bare: the autolink
        # extension's columns are its own; its words are the URL as written
        url = bare if type(written) is str else bare.encode("utf-8")
        near = written.find(url)
        while near >= 0 and abs(near - at) > 1:
            later = written.find(url, near + 1)
            if later < 0 or abs(later - at) > abs(near - at):
                break
            near = later
        at = near if near >= 0 else at
    return line - 1, _column(written, at)


def _written(lines: list[str], line: int) -> str | bytes:
    """The line (from 1) of `lines` as cmark counts its columns: in bytes (as itself when
    it is ASCII, most lines)."""
    if line > len(lines):
        return ""
    text = lines[line - 1]
    return text if text.isascii() else text.encode("utf-8")


def _column(written: str | bytes, at: int) -> int:
    """The column (from 1, in characters) of the byte `at` of a line _written gave."""
    return at + 1 if type(written) is str else len(written[:at].decode("utf-8", "replace")) + 1


def _text_start(written: str | bytes, first: bool, column: int, offset: int) -> int:
    """Where the text of a paragraph's line starts in it (from 0): at the paragraph's
    column on its first line; else after the marks of block quotes, a list item's
    indentation and leading white space, or from a `>` of those when the character
    `offset` after that opens no link (`- a` then `      > [b](/c)`: too deep to start a
    block quote, the `>` is text)."""
    if first:
        return column - 1
    lead = len(written) - len(written.lstrip(" \t>" if type(written) is str else b" \t>"))
    if written[lead + offset:lead + offset + 1] in _OPENERS:
        return lead
    mark = ">" if type(written) is str else b">"
    return next((j for j in range(lead - 1, -1, -1) if written[j:j + 1] == mark
                 and written[j + offset:j + offset + 1] in _OPENERS), lead)
