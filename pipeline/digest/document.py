"""The digest file: front matter, the editor's text, and marked generated blocks.

A digest (`digests/YYYY-MM.md`) is front matter between `---` lines, then
Markdown. What the pipeline generates stands in blocks:

    <!-- pipeline:begin verdicts 1f0c3a9e drafted="tools/vllm" -->
    ## Verdict changes

    <!-- pipeline:item verdicts/tools/vllm 5b2e77d0 -->
    - **[vLLM](/tools/vllm)**: situational → recommended. …
    <!-- pipeline:end verdicts -->

Each `item` marker starts one item (its text runs to the next marker); the
text between `begin` and the first item is the block's head (its heading).
The hex after an id is a fingerprint of the text as generated: when the text
no longer matches it, the editor changed it, and a new draft keeps it as is.
`drafted` lists the items the last draft wrote, so an item the editor deleted
is noticed and recorded in the front matter's `deleted:` list. Everything
outside blocks belongs to the editor and is never touched.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from dataclasses import dataclass, field

import yaml

from ..catalog import yamlpos
from ..catalog.loader import (INVISIBLE_HINT, conflict_message, decode_utf8, false_close,
                              invisible_char, merge_conflict, plain_newlines)
from ..errors import PipelineError
from .sections import HEADINGS

BEGIN_RE = re.compile(r'^<!-- pipeline:begin ([a-z0-9-]+) ([0-9a-f]{8})(?: drafted="([^"]*)")? -->$')
ITEM_RE = re.compile(r"^<!-- pipeline:item (\S+) ([0-9a-f]{8}) -->$")
END_RE = re.compile(r"^<!-- pipeline:end ([a-z0-9-]+) -->$")
# What an editor's typing may make of a marker (`<!--pipeline:item`, `<!-- Pipeline:item`):
# refused as damaged, where taken for text it was lost with its item's words
ANY_MARKER_RE = re.compile(r"^<!--\s*pipeline\s*:\s*(begin|item|end)\b", re.IGNORECASE)


class DigestError(PipelineError):
    """The digest file cannot be read; the message names the file and line."""


def fingerprint(text: str) -> str:
    """A short hash of a text, blind to trailing spaces and blank lines around it."""
    norm = "\n".join(line.rstrip() for line in text.strip("\n").split("\n")).strip("\n")
    return hashlib.sha256(norm.encode("utf-8")).hexdigest()[:8]


EMPTY = fingerprint("")  # the mark of a block's head the draft left empty


@dataclass
class Segment:
    """One generated item: its id, the fingerprint it was written with, its text."""

    id: str
    mark: str
    text: str
    line: int = 0  # file line of its marker (0: not read from a file)
    column: int = 1  # file column of its marker

    @property
    def edited(self) -> bool:
        return fingerprint(self.text) != self.mark

    def render(self) -> str:
        return f"<!-- pipeline:item {self.id} {self.mark} -->\n{self.text}"


@dataclass
class Block:
    """A generated section: its head (the heading) and items."""

    section: str
    mark: str  # fingerprint of the head as generated
    head: str
    drafted: list[str] = field(default_factory=list)  # item keys the last draft wrote
    segments: list[Segment] = field(default_factory=list)
    line: int = 0  # file line of its begin marker (0: not read from a file)
    column: int = 1  # file column of its begin marker
    listed: bool = True  # whether its begin marker carries `drafted="..."`

    @property
    def head_edited(self) -> bool:
        return fingerprint(self.head) != self.mark

    def render(self) -> str:
        # left out only of a block the draft left bare (no item, no heading written by it):
        # one missing elsewhere was removed (merge)
        drafted = (f' drafted="{" ".join(self.drafted)}"'
                   if self.drafted or self.segments or self.mark != EMPTY else "")
        return (f"<!-- pipeline:begin {self.section} {self.mark}{drafted} -->\n{self.head}"
                + "".join(s.render() for s in self.segments)
                + f"<!-- pipeline:end {self.section} -->\n")


@dataclass
class Document:
    """A parsed digest: front matter (text and values) and the body's parts in order."""

    front: str  # the front matter's lines, without the `---` lines
    meta: dict
    parts: list  # str (the editor's text) or Block
    body_line: int = 1  # file line of the body's first line
    file: str = ""  # the file's name in messages (`digests/2026-10.md`)

    def blocks(self) -> dict[str, Block]:
        return {p.section: p for p in self.parts if isinstance(p, Block)}

    @property
    def body(self) -> str:
        """The text after the front matter, as it is written to the file."""
        return "".join(p.render() if isinstance(p, Block) else p for p in self.parts)

    def render(self) -> str:
        return f"---\n{self.front}---\n{self.body}"

    @property
    def deleted(self) -> list[str]:
        d = self.meta.get("deleted") or []
        return [str(x) for x in d] if isinstance(d, list) else []

    def set_deleted(self, ids: list[str]) -> None:
        """Rewrite only the value of the `deleted:` key (the rest stays as typed).

        The value's exact span comes from the YAML node's marks; it is written as one
        flow list (`deleted: [a, b]`), and every comment the editor wrote inside it stays:
        one on the key's line stays there, the others follow on their own lines, as they
        were indented. When the span cannot be rewritten so that the front matter reads
        back the same but for the new list, it is a DigestError at its line and nothing
        changes."""
        front = "" if not self.front.strip() else (
            self.front if self.front.endswith("\n") else self.front + "\n")
        ids = [str(i) for i in ids]
        new = _with_deleted(front, ids, self.file or "the digest")
        self.front = new
        self.meta["deleted"] = list(ids)


def _flow(ids: list[str]) -> str:
    return yaml.safe_dump(ids, default_flow_style=True, width=1 << 30).strip()


def _with_deleted(front: str, ids: list[str], file: str) -> str:
    """`front` with the `deleted:` value set to `ids` (see Document.set_deleted)."""
    def refuse(line: int, why: str, column: int = 0) -> DigestError:
        return DigestError(f"{file}:{line + 2}:{column + 1}: the draft cannot update `deleted:` safely: "
                           f"{why}; write the front matter as `key: value` lines, and `deleted:` "
                           "as `deleted: [id, id]` or with one `- id` line per id under it, "
                           "then draft again (nothing was written)")

    try:
        root = yaml.compose(front)
        old = yaml.safe_load(front) or {}
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        raise refuse(mark.line if mark else 0, "the front matter is not valid YAML",
                     mark.column if mark else 0) from None
    if root is not None and not (isinstance(root, yaml.MappingNode) and not root.flow_style):
        raise refuse(root.start_mark.line, "the front matter is not a list of `key: value` lines",
                     root.start_mark.column)
    pairs = [(k, v) for k, v in (root.value if root is not None else [])
             if isinstance(k, yaml.ScalarNode) and k.value == "deleted"]
    if len(pairs) > 1:
        raise refuse(pairs[1][0].start_mark.line,
                     f"`deleted:` appears twice (first at line {pairs[0][0].start_mark.line + 2})",
                     pairs[1][0].start_mark.column)
    if not pairs:
        col = root.value[0][0].start_mark.column if root is not None and root.value else 0
        new = f"{front}{' ' * col}deleted: {_flow(ids)}\n"
        where, where_col = front.count("\n"), col
    else:
        key, value = pairs[0]
        where, where_col = key.start_mark.line, key.start_mark.column
        start = key.end_mark.index
        end = value.end_mark.index
        if value.start_mark.index < start:  # `deleted: *name`: the marks are the anchor's
            end = next(t.end_mark.index for t in yaml.scan(front)
                       if t.start_mark.index >= start and isinstance(t, yaml.AliasToken))
        elif isinstance(value, yaml.SequenceNode) and not value.flow_style and value.value:
            end = value.value[-1].end_mark.index  # a block list's own end is the next key
        if not (end and front[end - 1] == "\n"):
            eol = front.find("\n", end)
            end = len(front) if eol < 0 else eol + 1
        comments = _comments(front, start, end)
        if comments is None:
            raise refuse(where, "its value holds more than the list and comments", where_col)
        inline = [c for c in comments if c[0] == where]
        lines = [f"{lead}{text}\n" for line, lead, text in comments if line != where]
        new = (front[:start] + f": {_flow(ids)}" + "".join(f"  {t}" for _, _, t in inline)
               + "\n" + "".join(lines) + front[end:])
    try:
        back = yaml.safe_load(new)
    except yaml.YAMLError:
        back = None
    if back != {**old, "deleted": ids}:
        raise refuse(where, "rewriting it would change other front matter", where_col)
    return new


def _comments(front: str, start: int, end: int) -> list[tuple[int, str, str]] | None:
    """The comments in front[start:end] as (line, indentation, text): what lies between
    the YAML tokens there. None when something else does (no token of the value)."""
    tokens = sorted((t.start_mark.index, t.end_mark.index) for t in yaml.scan(front)
                    if start <= t.start_mark.index and t.end_mark.index <= end
                    and t.end_mark.index > t.start_mark.index)
    found = []
    i = start
    for t_start, t_end in [*tokens, (end, end)]:
        while i < t_start:
            ch = front[i]
            if ch == "#":
                eol = front.find("\n", i, end)
                eol = end if eol < 0 else eol
                if eol > t_start:
                    return None
                bol = front.rfind("\n", 0, i) + 1
                first = bol + len(front[bol:i]) - len(front[bol:i].lstrip(" \t"))
                found.append((front.count("\n", 0, i), front[bol:first],
                              front[i:eol].rstrip()))
                i = eol
            elif ch in " \t\r\n":
                i += 1
            else:
                return None
        i = max(i, t_end)
    return found


def read_text(path, file: str) -> str:
    """A digest file's text; a file that is not UTF-8 is a DigestError at its line."""
    return decode(path.read_bytes(), file)


def decode(data: bytes, file: str) -> str:
    """A digest file's bytes as text; bytes that are not UTF-8, or an invisible control
    character (an ESC of a terminal's colour codes), are a DigestError at their line."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:  # said as the build says it (feed._front_matter)
        problem = decode_utf8(file, data)[1]
        raise DigestError(f"{file}:{problem.line}:{problem.column}: {problem.message}; "
                          f"{problem.hint}") from None
    invisible = invisible_char(data, text)  # as the build's digest feed refuses it
    if invisible is not None:
        line, column, message = invisible
        raise DigestError(f"{file}:{line}:{column}: {message}; {INVISIBLE_HINT}")
    return text


def split(text: str, file: str, archive: bool = False) -> tuple[str, list[str], int] | None:
    """(the front matter's text, without its `---` lines; the body's lines; the file line
    of the body's first) of a digest file's text, with `\n` line breaks. A merge conflict
    anywhere, a first line that is not `---`, and front matter never closed (or closed by
    a line that does not, such as `...`) are a DigestError at their line and column.
    `archive`: a text that does not start with `---` (an archive written by hand, which
    the build publishes, all of it body) is None, not a DigestError (feed.sent_digests)."""
    conflict = merge_conflict(text)
    if conflict is not None:  # before YAML and the markers, which would stumble on it later
        raise DigestError(f"{file}:{conflict[0]}:1: {conflict_message(conflict)} (the lines "
                          "`<<<<<<< ...`, `=======` and `>>>>>>> ...`)")
    if archive and not text.startswith("---"):
        return None
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != "---":
        raise DigestError(f"{file}:1:1: a digest starts with front matter: a first line `---`")
    close = next((i for i in range(1, len(lines)) if lines[i].rstrip() == "---"), None)
    slip = false_close(text, len(lines[0]) + 1,
                       len(text) if close is None else sum(len(x) + 1 for x in lines[:close]))
    if slip is not None:
        raise DigestError(f"{file}:{slip[0]}:1: {slip[1]}")
    if close is None:
        raise DigestError(f"{file}:1:1: the front matter is never closed with a line `---`")
    return "\n".join(lines[1:close]) + "\n", lines[close + 1:], close + 2


def not_key_value(front: str, file: str) -> DigestError:
    """The error of front matter (`front`, as `split` gives it) that YAML reads as
    something other than `key: value` lines (a list, a text), at where that starts."""
    try:
        mark = yaml.compose(front).start_mark
        line, column = mark.line + 2, mark.column + 1
    except (yaml.YAMLError, AttributeError):  # read by another reader than YAML's own
        line, column = 2, 1
    return DigestError(f"{file}:{line}:{column}: the front matter must be `key: value` lines")


def yaml_error(problem: yamlpos.YamlProblem, file: str) -> DigestError:
    """A YAML problem of the front matter (`yamlpos`: its line and column are the file's)
    in the words the build and `validate` give it, at the place the editor's slip is."""
    return DigestError(f"{file}:{problem.line}:{problem.column}: front matter: {problem.message}")


def read_front(front: str, file: str):
    """The values of the front matter (`front`, as `split` gives it). What the build's
    reader of a sent digest refuses (feed._front_matter: yamlpos.load) is a DigestError
    in its words and at its place: YAML that is not valid (a `[` or a quote never closed,
    a tab, a line indented as more of the value above), a key twice (YAML would keep the
    second without a word), a key indented with a no-break space. Anchors, aliases and
    tags are a draft's to keep (set_deleted rewrites `deleted: *name`), and an invisible
    character written as an escape is render's to refuse (`unsendable`; at its key, for
    `subject:` and `preheader:`): the values are read as YAML reads them."""
    try:
        yamlpos.load(front, first_line=2)
    except yamlpos.YamlProblem as p:
        if p.kind not in ("alias", "tag") and "the invisible character" not in p.message:
            raise yaml_error(p, file) from None
    try:
        return yaml.safe_load(front)
    except yaml.MarkedYAMLError as e:  # after an anchor or a tag, where yamlpos.load stopped
        raise yaml_error(yamlpos.syntax_problem(e, front, 2), file) from None
    except yaml.YAMLError as e:  # pragma: no cover - PyYAML marks its syntax errors
        raise DigestError(f"{file}:2:1: front matter: invalid YAML: "
                          f"{' '.join(str(e).split())}") from None


def unsendable(front: str, file: str) -> DigestError | None:
    """What the build's reader of a sent digest refuses (feed._front_matter: yamlpos.load)
    and `read_front` leaves to a draft (an anchor, an alias, a tag; an invisible character
    written as an escape, under any key), in the build's words and at its place: `digest
    render` refuses it, so that an editor learns of it before the digest is sent, not when
    the site's build fails after. None when the build reads the front matter."""
    try:
        yamlpos.load(front, first_line=2)
    except yamlpos.YamlProblem as p:
        return yaml_error(p, file)
    return None


def parse(text: str, file: str) -> Document:
    """Parse a digest file; a broken marker or front matter is a DigestError at its line."""
    front, body, body_line = split(plain_newlines(text), file)
    meta = read_front(front, file) or {}
    if not isinstance(meta, dict):
        raise not_key_value(front, file)
    deleted = meta.get("deleted")
    if deleted is not None and not (isinstance(deleted, list)
                                    and all(isinstance(x, str) for x in deleted)):
        line, column = key_place(front, "deleted") or (2, 1)
        raise DigestError(f"{file}:{line}:{column}: `deleted:` must be a list of block and item ids, "
                          "such as [releases, verdicts/tools/vllm]; the next draft keeps it "
                          "up to date")
    return Document(front, meta, _parse_body(body, file, body_line), body_line, file)


def key_place(front: str, key: str) -> tuple[int, int] | None:
    """(file line, column) of the front matter's key `key` (`front` is the text between
    the `---` lines, the file's line 1 being the first `---`): of two, the last, which is
    the one YAML reads. None when it has no such key (or does not compose)."""
    try:
        root = yaml.compose(front)
    except yaml.YAMLError:
        return None
    keys = [k.start_mark for k, _ in (root.value if isinstance(root, yaml.MappingNode) else ())
            if isinstance(k, yaml.ScalarNode) and k.value == key]
    return (keys[-1].line + 2, keys[-1].column + 1) if keys else None


def _parse_body(lines: list[str], file: str, first: int) -> list:
    parts: list = []
    free: list[str] = []
    block: Block | None = None
    target: list[str] = []
    begun = 0
    begun_col = 1
    begins: list[tuple[str, int, int]] = []  # (block id, line, column) of every block
    items: dict[str, int] = {}  # item id -> line of its first marker
    n = len(lines)
    for i, line in enumerate(lines):
        nl = "\n" if i < n - 1 else ""
        stripped = line.strip()
        col = len(line) - len(line.lstrip()) + 1  # the marker's, where an editor goes to
        where = f"{file}:{first + i}:{col}"
        if not ANY_MARKER_RE.match(stripped):
            (target if block else free).append(line + nl)
            continue
        if m := BEGIN_RE.match(stripped):
            if block:
                raise DigestError(f"{where}: block '{m.group(1)}' begins inside block "
                                  f"'{block.section}' (line {begun}); restore the line "
                                  f"`<!-- pipeline:end {block.section} -->` above it")
            if free:
                parts.append("".join(free))
                free = []
            block = Block(m.group(1), m.group(2), "", (m.group(3) or "").split(),
                          line=first + i, column=col, listed=m.group(3) is not None)
            target, begun, begun_col = [], first + i, col
            begins.append((block.section, begun, col))
        elif m := ITEM_RE.match(stripped):
            if not block:
                raise DigestError(f"{where}: item marker outside a block; delete the line "
                                  "or restore the block's begin marker")
            if m.group(1) in items:  # a copy kept with its marker: listed, and refreshed, twice
                raise DigestError(f"{where}: item '{m.group(1)}' appears twice (first at line "
                                  f"{items[m.group(1)]}); keep one: delete the other's marker "
                                  "line and its text (to keep words of both, write them under "
                                  "one marker)")
            items[m.group(1)] = first + i
            _close(block, target)
            block.segments.append(Segment(m.group(1), m.group(2), "", first + i, col))
            target = []
        elif m := END_RE.match(stripped):
            if not block or m.group(1) != block.section:
                raise DigestError(f"{where}: end of block '{m.group(1)}' that was never begun; "
                                  "delete the line or restore the begin marker")
            _close(block, target)
            parts.append(block)
            block, target = None, []
        else:
            raise DigestError(f"{where}: a damaged pipeline marker: `{stripped}`; restore it "
                              "as the last draft wrote it (see docs/digest.md)")
    if block:
        raise DigestError(f"{file}:{begun}:{begun_col}: block '{block.section}' is never ended; restore "
                          f"the line `<!-- pipeline:end {block.section} -->`")
    if free:
        parts.append("".join(free))
    _check_ids(begins, file)
    return parts


def _check_ids(begins: list[tuple[str, int, int]], file: str) -> None:
    """Every block is a known section, once (a mistyped id would lose the block's items)."""
    seen: dict[str, int] = {}
    for section, line, column in begins:
        if section not in HEADINGS:
            close = difflib.get_close_matches(section, HEADINGS, n=1)
            hint = f"did you mean '{close[0]}'? " if close else ""
            raise DigestError(f"{file}:{line}:{column}: unknown block '{section}'; {hint}the blocks are "
                              f"{', '.join(HEADINGS)}; fix the id in its begin and end lines")
        if section in seen:
            raise DigestError(f"{file}:{line}:{column}: block '{section}' appears twice (first at line "
                              f"{seen[section]}); move its items into one block and delete "
                              "the other's begin and end lines")
        seen[section] = line


def _close(block: Block, lines: list[str]) -> None:
    text = "".join(lines)
    if block.segments:
        block.segments[-1].text = text
    else:
        block.head = text
