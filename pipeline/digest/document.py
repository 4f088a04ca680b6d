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

from ..errors import PipelineError
from .sections import HEADINGS

BEGIN_RE = re.compile(r'^<!-- pipeline:begin ([a-z0-9-]+) ([0-9a-f]{8})(?: drafted="([^"]*)")? -->$')
ITEM_RE = re.compile(r"^<!-- pipeline:item (\S+) ([0-9a-f]{8}) -->$")
END_RE = re.compile(r"^<!-- pipeline:end ([a-z0-9-]+) -->$")
ANY_MARKER_RE = re.compile(r"^<!-- pipeline:(begin|item|end)\b")


class DigestError(PipelineError):
    """The digest file cannot be read; the message names the file and line."""


def fingerprint(text: str) -> str:
    """A short hash of a text, blind to trailing spaces and blank lines around it."""
    norm = "\n".join(line.rstrip() for line in text.strip("\n").split("\n")).strip("\n")
    return hashlib.sha256(norm.encode("utf-8")).hexdigest()[:8]


@dataclass
class Segment:
    """One generated item: its id, the fingerprint it was written with, its text."""

    id: str
    mark: str
    text: str

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

    @property
    def head_edited(self) -> bool:
        return fingerprint(self.head) != self.mark

    def render(self) -> str:
        drafted = f' drafted="{" ".join(self.drafted)}"' if self.drafted else ""
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
        """Rewrite only the `deleted:` key of the front matter (the rest stays as typed)."""
        self.meta["deleted"] = list(ids)
        value = yaml.safe_dump(list(ids), default_flow_style=True, width=10_000).strip()
        lines = self.front.split("\n")
        out, skipping, done = [], False, False
        for line in lines:
            if skipping and (line.startswith((" ", "\t", "-")) and line.strip()):
                continue
            skipping = False
            if line.startswith("deleted:") and not done:
                out.append(f"deleted: {value}")
                skipping, done = True, True
                continue
            out.append(line)
        if not done:
            out.insert(len(out) - 1 if out and out[-1] == "" else len(out), f"deleted: {value}")
        self.front = "\n".join(out)


def read_text(path, file: str) -> str:
    """A digest file's text; a file that is not UTF-8 is a DigestError at its line."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        raise DigestError(f"{file}:{line}: not UTF-8 (byte 0x{data[e.start]:02x}); "
                          "save the file as UTF-8") from None


def parse(text: str, file: str) -> Document:
    """Parse a digest file; a broken marker or front matter is a DigestError at its line."""
    text = text.replace("\r\n", "\n")
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != "---":
        raise DigestError(f"{file}:1: a digest starts with front matter: a first line `---`")
    try:
        close = next(i for i in range(1, len(lines)) if lines[i].rstrip() == "---")
    except StopIteration:
        raise DigestError(f"{file}:1: the front matter is never closed with a line `---`") from None
    front = "\n".join(lines[1:close]) + "\n"
    try:
        meta = yaml.safe_load(front) or {}
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        line = mark.line + 2 if mark else 2
        raise DigestError(f"{file}:{line}: the front matter is not valid YAML: "
                          f"{getattr(e, 'problem', e)}") from None
    if not isinstance(meta, dict):
        raise DigestError(f"{file}:2: the front matter must be `key: value` lines")
    deleted = meta.get("deleted")
    if deleted is not None and not (isinstance(deleted, list)
                                    and all(isinstance(x, str) for x in deleted)):
        line = next((i + 1 for i in range(1, close) if lines[i].startswith("deleted:")), 2)
        raise DigestError(f"{file}:{line}: `deleted:` must be a list of block and item ids, "
                          "such as [releases, verdicts/tools/vllm]; the next draft keeps it "
                          "up to date")
    body = lines[close + 1:]
    return Document(front, meta, _parse_body(body, file, close + 2), close + 2)


def _parse_body(lines: list[str], file: str, first: int) -> list:
    parts: list = []
    free: list[str] = []
    block: Block | None = None
    target: list[str] = []
    begun = 0
    begins: list[tuple[str, int]] = []  # (block id, line) of every block
    n = len(lines)
    for i, line in enumerate(lines):
        nl = "\n" if i < n - 1 else ""
        where = f"{file}:{first + i}"
        stripped = line.strip()
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
            block = Block(m.group(1), m.group(2), "", (m.group(3) or "").split())
            target, begun = [], first + i
            begins.append((block.section, begun))
        elif m := ITEM_RE.match(stripped):
            if not block:
                raise DigestError(f"{where}: item marker outside a block; delete the line "
                                  "or restore the block's begin marker")
            _close(block, target)
            block.segments.append(Segment(m.group(1), m.group(2), ""))
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
        raise DigestError(f"{file}:{begun}: block '{block.section}' is never ended; restore "
                          f"the line `<!-- pipeline:end {block.section} -->`")
    if free:
        parts.append("".join(free))
    _check_ids(begins, file)
    return parts


def _check_ids(begins: list[tuple[str, int]], file: str) -> None:
    """Every block is a known section, once (a mistyped id would lose the block's items)."""
    seen: dict[str, int] = {}
    for section, line in begins:
        if section not in HEADINGS:
            close = difflib.get_close_matches(section, HEADINGS, n=1)
            hint = f"did you mean '{close[0]}'? " if close else ""
            raise DigestError(f"{file}:{line}: unknown block '{section}'; {hint}the blocks are "
                              f"{', '.join(HEADINGS)}; fix the id in its begin and end lines")
        if section in seen:
            raise DigestError(f"{file}:{line}: block '{section}' appears twice (first at line "
                              f"{seen[section]}); move its items into one block and delete "
                              "the other's begin and end lines")
        seen[section] = line


def _close(block: Block, lines: list[str]) -> None:
    text = "".join(lines)
    if block.segments:
        block.segments[-1].text = text
    else:
        block.head = text
