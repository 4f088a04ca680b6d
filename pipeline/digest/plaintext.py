"""A plain-text e-mail from the digest's HTML: laid out for reading, not tag-stripped.

Headings are underlined, list items get a dash (or their number) and a
hanging indent (a nested list's items start under their parent's words),
paragraphs are wrapped at 72 columns of a terminal (see `wrap`), quotes get `> `
and code four columns of indent (both under the words of a list item holding
them; code an item begins with goes under its bullet, on lines of its own),
struck-out words are written `~~so~~`, a `<br>` breaks the line (in a table's cell
or a heading it is a space), a table's rows stay together as `| a | b |` with a rule under the
header row (a row too wide
for a line is a line per cell, `header: words`, all after a `|`; every row is,
when the header row is too wide, and the header row goes), and each link's
address follows its words in angle brackets (unless the words are the address;
a `mailto:` link gives its address). Long addresses are never broken.
"""

from __future__ import annotations

import unicodedata
from html.parser import HTMLParser
from urllib.parse import unquote

WIDTH = 72
BLOCKS = {"p", "li", "h1", "h2", "h3", "h4", "blockquote", "pre", "tr", "hr"}
UNDERLINE = {"h1": "=", "h2": "-"}
_ONE_LINE = (["tr"], ["h1"], ["h2"], ["h3"], ["h4"])  # blocks whose `<br>` is a space
BREAK = "\x00"  # a `<br>` among the words (cmark turns any NUL of the Markdown into U+FFFD)
# a space of a paid link's label (`(paid link)`), which no line break may split: "(paid" at
# the end of a line and "link)" on the next is no label (a control character that is no
# white space to str.split, as U+001F would be)
GLUE = "\x02"
# begins and ends a paid link's label, and takes no column: CJK words may break between
# two ideographs, a label written in them (`（広告リンク）`) not
NOBREAK = "\x03"


class _Text(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        # paragraphs, each with its group: the number of its top-level list (or of its
        # table, negative), 0 for none; a group's paragraphs are not set apart
        self.out: list[tuple[str, int]] = []
        self.list_no = 0  # counts top-level lists; 0 outside lists
        self.tables = 0  # counts tables
        self.cells = 0  # the cells of the table row being read
        self.header_row = False  # it has a `<th>`
        self.row: list[str] = []  # the words of each cell of the row read so far
        self.cell_at = 0  # where in words the cell being read starts
        self.header: list[str] = []  # the words of the table's header cells
        self.wide = False  # the table's header row is too wide for a line
        # such a header row as a line per cell, and its lead: written only if no row follows
        # (each row, a line per cell, names the header of each)
        self.held: tuple[str, str] | None = None
        self.words: list[str] = []  # the paragraph being read
        self.lists: list[list] = []  # [kind, counter, bullet not written yet] per open list
        self.quotes: list[int] = []  # per open quote: how many lists were open around it
        self.pre = 0
        self.block: list[str] = []
        self.link: tuple[str, int] | None = None  # (href, index in words where it starts)
        self.spans: list[bool] = []  # per open <span>: is it a paid link's label

    # paragraph handling
    def _flush(self) -> None:
        text = "".join(self.words)
        self.words = []
        if self.pre:
            body = text.strip("\n")
        else:
            lines = [" ".join(line.split()) for line in text.split(BREAK)]
            body = "\n".join(lines).strip("\n")
        if not body:
            return
        tag = self.block[-1] if self.block else "p"
        in_item = bool(self.lists) and "li" in self.block
        lead, hang = self._indents(in_item)
        if tag == "tr" and self.header_row and columns(lead + body) > WIDTH:
            self.wide, self.held = True, (self._record(lead, hang, names=False), lead)
            return
        if tag == "tr" and not self.header_row and (self.wide or columns(lead + body) > WIDTH):
            if self.held:  # its lead holds the bullet of an item the table begins
                lead, self.held = self.held[1], None
            self.out.append((self._record(lead, hang), -self.tables))
            return
        if self.pre:  # set off by four columns from the words it stands under
            para = "\n".join(hang + "    " + line for line in body.split("\n"))
            if lead != hang:  # an item's bullet on a line of its own: `-     code` read
                para = f"{lead.rstrip()}\n{para}"  # as code indented in the Markdown
        else:
            para = wrap(body, WIDTH, lead, hang)  # each line of a `<br>` wrapped on its own
        para = para.replace(GLUE, " ").replace(NOBREAK, "")
        if tag == "tr" and self.header_row:
            para = f"{para}\n{hang}{'-' * min(columns(body), WIDTH - len(hang))}"
        if tag in UNDERLINE:  # as long as the heading's longest line (of one wrapped)
            longest = max(columns(line) for line in para.split("\n")) - len(hang)
            para = f"{para}\n{hang}{UNDERLINE[tag] * min(longest, WIDTH - len(hang))}"
        elif tag in ("h3", "h4"):
            para = para.upper()
        group = self.list_no if tag == "li" else -self.tables if tag == "tr" else 0
        self.out.append((para, group))

    def _record(self, lead: str, hang: str, names: bool = True) -> str:
        """A table row too wide for a line: a line per cell, `header: words`, the row's
        first after `| `, the others under it, so that the row still reads as one (wrapped
        at 72 columns, its cells ran onto lines of their own, out of the table). Every row
        of a table whose header row is too wide is so (the header's continuation line
        was unindented, and rows under it in columns would have nothing to line up with)."""
        lines = []
        for i, cell in enumerate(self.row):
            words = " ".join(cell.replace(BREAK, " ").split())
            name = self.header[i] if names and i < len(self.header) else ""
            lines.append(wrap(f"{name}: {words}" if name and words else name or words or "-",
                              WIDTH, f"{hang}|   " if i else f"{lead}| ", f"{hang}|     "))
        return "\n".join(lines).replace(GLUE, " ").replace(NOBREAK, "")

    @staticmethod
    def _bullet(kind: list) -> str:
        return f"{kind[1]}. " if kind[0] == "ol" else "- "

    def _indents(self, in_item: bool) -> tuple[str, str]:
        """(first line's, other lines') lead of a paragraph: the indent of each open list's
        items (two columns under `- `, three under `1. `) and a `> ` for each open quote,
        in the order they hold each other (a quote in an item sits under the item's
        words, an item of a list in a quote after the `> `). An item's first paragraph
        gets its bullet; in a loose list (`<li><p>`) the item's further paragraphs only
        the hanging indent, as the HTML shows them under the item."""
        lead = hang = ""
        lists = self.lists if in_item else self.lists[:-1]
        for depth, kind in enumerate(lists):
            quotes = "> " * self.quotes.count(depth)
            bullet = self._bullet(kind)
            first = in_item and kind is self.lists[-1] and kind[2]
            lead += quotes + (bullet if first else " " * len(bullet))
            hang += quotes + " " * len(bullet)
        if in_item:
            self.lists[-1][2] = False
        quotes = "> " * self.quotes.count(len(lists))
        return lead + quotes, hang + quotes

    def handle_starttag(self, tag, attrs):
        if tag in ("ul", "ol"):
            self._flush()
            if not self.lists:
                self.list_no += 1
            self.lists.append([tag, _start(attrs) - 1 if tag == "ol" else 0, False])
        elif tag == "li" and self.lists:
            self._flush()
            self.lists[-1][1] += 1
            self.lists[-1][2] = True
            self.block.append("li")
        elif tag == "blockquote":
            self._flush()
            self.quotes.append(len(self.lists))
        elif tag == "pre":
            self._flush()
            self.pre += 1
            self.block.append("pre")
        elif tag == "hr":
            self._flush()
            self.out.append(("-" * 20, 0))
        elif tag in BLOCKS:
            self._flush()
            self.block.append(tag)
            if tag == "tr":
                self.cells, self.header_row, self.row = 0, False, []
        elif tag == "br":  # in a table's cell, a space: the row stays one line; in a
            # heading too, so that its underline is under all of it (under its last line
            # only, the lines before it read as a paragraph of their own: found in review)
            self.words.append("\n" if self.pre else " " if self.block[-1:] in _ONE_LINE
                              else BREAK)
        elif tag == "del":
            self.words.append("~~")
        elif tag == "table":
            self._flush()
            self.tables += 1
            self.header, self.wide, self.held = [], False, None
        elif tag in ("td", "th"):
            self.words.append("| " if not self.cells else " | ")
            self.cells += 1
            self.header_row = self.header_row or tag == "th"
            self.cell_at = len(self.words)
        elif tag == "a":
            self.link = (dict(attrs).get("href") or "", len(self.words))
        elif tag == "span":
            self.spans.append("paid-label" in (dict(attrs).get("class") or "").split())
            if self.spans[-1]:
                self.words.append(NOBREAK)

    def handle_endtag(self, tag):
        if tag == "span" and self.spans:
            if self.spans.pop():
                self.words.append(NOBREAK)
        elif tag == "a" and self.link:
            href, start = self.link
            self.link = None
            words = " ".join("".join(self.words[start:]).split())
            if href.startswith("mailto:"):  # the address, not the scheme or a ?subject=
                href = unquote(href[7:].split("?", 1)[0])
            if href and href != words:
                self.words.append(f" <{href}>")
        elif tag == "del":
            self.words.append("~~")
        elif tag in ("ul", "ol"):
            self._flush()
            if self.lists:
                self.lists.pop()
        elif tag == "blockquote":
            self._flush()
            if self.quotes:
                self.quotes.pop()
        elif tag == "table":
            self._flush()
            if self.held:  # a header row alone
                self.out.append((self.held[0], -self.tables))
            self.wide, self.held = False, None
        elif tag in ("td", "th"):
            self.row.append("".join(self.words[self.cell_at:]))
        elif tag == "tr" and self.cells:
            self.words.append(" |")
            if self.header_row:
                self.header = [" ".join(cell.replace(BREAK, " ").split()) for cell in self.row]
            self._flush()
            if self.block:
                self.block.pop()
        elif tag in BLOCKS or tag == "li":
            self._flush()
            if tag == "pre":
                self.pre = max(self.pre - 1, 0)
            if self.block:
                self.block.pop()

    def handle_data(self, data):
        self.words.append(data.replace(" ", GLUE) if any(self.spans) else data)


def columns(text: str) -> int:
    """The columns a terminal gives `text`: two for a wide character (CJK, most emoji),
    none for a combining mark; an underline as long as `len` fell short of such words."""
    return sum(_width(c) for c in text)


def _width(c: str) -> int:
    if unicodedata.combining(c) or c == NOBREAK:
        return 0
    return 2 if unicodedata.east_asian_width(c) in "WF" else 1


# CJK punctuation no line may start with (a closing bracket, a stop, a comma), or end with
# (an opening bracket): a break between two ideographs moves to the next place it may go
NO_LINE_START = set("、。，．：；？！）」』】〉》〕｝・ー々〜"
                    "ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ")
NO_LINE_END = set("（「『【〈《〔｛")


def _pieces(word: str) -> list[str]:
    """`word` cut where a line may break inside it: between two wide characters (CJK text
    runs on without spaces and may break between any two ideographs), none of them a
    bracket or stop that must stay with its neighbour (nor an emoji's skin tone). An
    address stays whole, and a paid link's label."""
    if "://" in word or "@" in word or word.startswith("<"):
        return [word]
    pieces, start, before, label = [], 0, "", False
    for i, c in enumerate(word):
        if c == NOBREAK:
            label = not label
            continue
        if (before and not label and _width(before) == _width(c) == 2
                and before not in NO_LINE_END and c not in NO_LINE_START
                and not "\U0001f3fb" <= c <= "\U0001f3ff"):
            pieces.append(word[start:i])
            start = i
        before = c
    return pieces + [word[start:]]


def wrap(text: str, width: int = WIDTH, lead: str = "", hang: str = "") -> str:
    """`text` filled into lines of at most `width` terminal columns (see `columns`), the
    first after `lead`, the others after `hang`, each line of it on its own (as a `<br>`
    breaks it). Words are never broken, an address never, so such a word longer than a
    line runs past it; CJK text breaks between two ideographs where a line is full.
    (textwrap counts characters: a line of CJK words ran to twice the width.)"""
    out = []
    for n, source in enumerate(text.split("\n")):
        indent, line, used, lines = hang if n else lead, "", 0, []
        for word in source.split():
            for k, piece in enumerate(_pieces(word)):
                gap = " " if line and not k else ""
                size = columns(gap + piece)
                if line and columns(indent) + used + size > width:
                    lines.append(indent + line)
                    indent, line, used, gap, size = hang, "", 0, "", columns(piece)
                line, used = line + gap + piece, used + size
        if line:
            lines.append(indent + line)
        out.append("\n".join(lines))
    return "\n".join(out)


def _start(attrs) -> int:
    """The number of an `<ol>`'s first item (`1. ` unless the Markdown began elsewhere)."""
    start = dict(attrs).get("start") or ""
    return int(start) if start.isdigit() else 1


def html_to_text(fragment: str) -> str:
    """Plain text of an HTML fragment, paragraphs separated by blank lines."""
    parser = _Text()
    parser.feed(fragment)
    parser.close()
    parser._flush()
    text, last = "", 0
    for para, group in parser.out:
        text += ("\n" if group and group == last else "\n\n" if text else "") + para
        last = group
    return text + "\n"
