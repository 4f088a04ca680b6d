"""One loader for the working tree and for git trees: bytes in, Entry out.

`read_folder` lists the entry files of a working tree as RawFile values
(path and bytes); `pipeline.history.gitio` does the same for a git tree. Both
go through `parse_entry`, so a catalog at a past revision is just another
Catalog. Bad input is a Diagnostic, never an exception.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

from ..config import COLLECTIONS, SETTINGS_FILE, Paths, Settings
from ..diagnostics import Diagnostic, rule
from ..textchars import INVISIBLE, may_hold_invisible, named
from . import yamlpos
from .model import Catalog, Entry

SLUG_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")  # whole names only: fullmatch
_CLOSING = re.compile(r"^---[ \t]*$", re.MULTILINE)  # the line that closes front matter
# A line meant to close it that does not: YAML's end of document `...` (which Pandoc takes),
# `---` with a comment or other text after it, more or fewer hyphens (`----`, `--`), or dashes a
# word processor made of the hyphens (`—`, `–-`). At the start of a line inside front
# matter, YAML reads the first two as the end of a document or the start of another, and
# the others as a value no key holds: never as what an editor meant.
_DASHES = "\u2013\u2014"  # en and em dash: what autocorrect makes of `--` and `---`
_NEAR_CLOSING = re.compile(r"^(?:\.\.\.(?:[ \t]+#[^\n]*)?|---[ \t]+\S[^\n]*|--(?:--+)?"
                           rf"|[-{_DASHES}]*[{_DASHES}][-{_DASHES}]*)[ \t]*$", re.MULTILINE)
# how such a line starts: one of these is in the text when it has one (a list's `- ` is not);
# a search from each `\n` (1.0 µs a front matter, where str.find of each lead took 2.2: the
# `.` and `-` they end with are common in front matter), the dashes only where there are any
_NEAR_LEADS = ("\n...", "\n--", *(f"\n{h}{d}" for h in ("", "-") for d in _DASHES))
_NEAR_LEAD_ASCII = re.compile(r"\n(?:\.\.\.|--)")
_NEAR_LEAD = re.compile("|".join(map(re.escape, _NEAR_LEADS)))
BOM = b"\xef\xbb\xbf"
# The bytes of most entry files: printable ASCII and `\n`. A file of those alone is its
# text as it stands (no byte-order mark, CR or invisible character to look for: decode's
# work) and its front matter holds no character yamlfast leaves to libyaml (yamlfast.odd):
# one deletion of its bytes tells both (1.7 µs an entry, where decode took 5.7 and
# yamlfast.odd 0.6).
_PLAIN_BYTES = bytes(range(0x20, 0x7F)) + b"\n"

FILE_NAME = rule(
    "file-name",
    "error",
    "An entry file sits at entries/<collection>/<slug>.md with a valid slug.",
    """
    An entry's id comes from its path: `entries/<collection>/<slug>.md`. The
    collection is one of glossary, models, hardware, tools, benchmarks, errors,
    guides, pages, authors; the slug is lowercase ASCII letters, digits and single
    hyphens, at most 80 characters. Anything else in `entries/` (another folder,
    another extension, a capital letter) would never be published.
    """,
    example="entries/Glossary/EXL2.md  ->  entries/glossary/exl2.md",
    hint="rename the file to entries/<collection>/<slug>.md",
)
FILE_ENCODING = rule(
    "file-encoding",
    "error",
    "An entry file is UTF-8 text, with no invisible control character.",
    """
    Entries are UTF-8. A file saved in another encoding (Windows-1252, Latin-1)
    shows wrong characters on the site, so it is refused at the first bad byte.
    A UTF-8 byte-order mark and Windows (CRLF) line endings are accepted.
    A control character (ESC from a terminal's colour codes pasted with its
    output, NUL, backspace, form feed) is refused where it is: no page, feed or
    e-mail can hold one, and nobody sees it in the editor. Tabs are fine.
    """,
    example="a curly quote saved as the single byte 0x92 (Windows-1252)",
    hint="save the file as UTF-8 in your editor",
)
FILE_SYMLINK = rule(
    "file-symlink",
    "error",
    "An entry file is not a link to somewhere outside the catalog.",
    """
    A symbolic link in `entries/` that points outside the catalog is refused and
    never read: the catalog must be reviewable as it stands in git, and a link
    could expose any file of the machine that builds the site.
    """,
    example="entries/pages/passwd.md -> /etc/passwd",
    hint="replace the link with a real file",
)
FILE_UNREADABLE = rule(
    "file-unreadable",
    "error",
    "An entry file is a regular file that can be read.",
    """
    A file in `entries/` that cannot be opened (its permissions) or is no regular
    file (a named pipe, a device) is refused and not read, so one bad file never
    stops or hangs a check of the whole catalog.
    """,
    example="entries/glossary/vram.md     <- chmod 000: permission denied",
    hint="give the file read permission, or replace it with a plain file",
)
FRONT_MATTER = rule(
    "front-matter",
    "error",
    "An entry starts with YAML front matter between two `---` lines, and holds no merge conflict.",
    """
    The first line of an entry is `---`, then YAML front matter, then a line
    `---`, then the Markdown body. Without the opening line the file has no
    front matter; without the closing line the whole file would be read as YAML.
    The closing line is `---` alone: YAML's end of a document `...` (which Pandoc
    takes), `--- # a comment` or other text after it, `----` and `--`, and the
    dash a word processor makes of `---` (`—`, U+2014, or `–`, U+2013) do not
    close it, and are named where they are, with what to write.

    A merge conflict git left in the file, in the front matter or in the body, is
    refused at its first marker line: `<<<<<<< HEAD`, then one version, `=======`,
    the other version and `>>>>>>> branch` (a line `=======` alone elsewhere is a
    Markdown heading's underline, and fine). Such lines quoted in a fenced code
    block (```) or indented by four spaces are an example, and fine.
    """,
    example="---\ntitle: EXL2\nstatus: draft\nauthors: [lead-editor]\n---\nBody text.\n\n"
    "<<<<<<< HEAD        <- an unresolved merge conflict\nOur words.\n=======\n"
    "Their words.\n>>>>>>> branch",
    hint="start the file with a line `---` and close the front matter with another `---`",
)
CONFLICT_HINT = ("keep one of the two versions (or combine them), then delete the marker "
                 "lines `<<<<<<< ...`, `=======` and `>>>>>>> ...`")
YAML_SYNTAX = rule(
    "yaml-syntax",
    "error",
    "The front matter is valid YAML holding a mapping of keys.",
    """
    The front matter must parse as YAML and be a mapping (`key: value` lines).
    The common slips are named where they are: a line without `: ` after its
    key (`vendor:NVIDIA`), a quote never closed (at the opening quote, even
    when the parser only stumbles lines later), a list `[` or mapping `{`
    never closed (at its opening bracket), a tab used for indentation, a
    character that looks like a space but is text to YAML (a no-break space
    pasted from a web page) in the indentation of a key, a key indented more
    than the key above it (which YAML reads as more of that value), a value
    YAML cannot read as text (`title: Re: news`, with `: ` inside it; one that
    starts with `@`, a backtick, `%`, `*`, `&` or `- `; `title: 'It's here'`
    or `[Draft] notes`, where the quotes or the list end before the rest of
    the line), at the value's start, with the line to write instead
    (`title: "Re: news"`); a `]` or `}` too many after a list or mapping that
    is closed (`tags: [a, b]]`), at that character, and quoted values with
    `,` between them where the brackets of a list are missing (`tags: "a",
    "b"`), at the `,`, each with the line to write (`tags: [a, b]`,
    `tags: ["a", "b"]`).
    Other complaints are the parser's, at the place it noticed them; the
    mistake is then often on the line before. A number must be finite: `.nan`
    and `.inf` are refused, since a page would show "nan GB". An invisible
    control character written as an escape in quotes (`"\\e[1m"`, `"\\x01"`,
    `"\\0"`) is refused at the escape: no page, feed or e-mail can show one
    (`\\t`, `\\n` and escapes of visible characters are fine); one typed is
    file-encoding's, wherever in the file it is.
    """,
    example='summary: "EXL2 is fast     <- the closing quote is missing',
    hint="quote values that contain ': ' or start with a special character",
)
YAML_COMMENT = rule(
    "yaml-comment",
    "warning",
    "A `#` meant as part of a value is not read as the start of a comment.",
    """
    In YAML, a `#` after a space starts a comment, to the end of the line: in a
    value written without quotes it cuts the value short without a word,
    `title: Tips #1` reading `Tips` and `title: Slow speed (issue #346)`
    reading `Slow speed (issue`. So in a list's item (`- Tips #1`), on the last
    line of a value that runs on over lines, and in a list or mapping between
    brackets (`tags: [gpu, nvidia #1]`, where the comment takes the `]` too); a
    value that is nothing but such a comment (`summary: #1 pick`) reads as
    empty. Such a `#` followed by a character other than a space, as in words,
    is reported where it is, with the line (or the first and last lines) to
    write: the whole value in quotes (`title: "Tips #1"`, `tags: [gpu,
    "nvidia #1"]`). A comment meant as one is written with a space after its
    `#` (`status: draft  # until review`), and a `#` with no space before it is
    text (`C# tips`).
    """,
    example="title: Tips #1     <- reads `Tips`",
    hint="put the whole value in quotes, or write a comment as `# ` with a space after "
         "the `#`",
)
YAML_DUPLICATE_KEY = rule(
    "yaml-duplicate-key",
    "error",
    "A key appears once in its mapping.",
    """
    YAML parsers silently keep the last of two equal keys, so an editor's first
    value would vanish without a word. A repeated key is an error at the line of
    the second one.
    """,
    example="title: EXL2\ntitle: ExLlamaV2 format   <- duplicate key 'title'",
    hint="keep one of the two keys",
)
YAML_ALIAS = rule(
    "yaml-alias",
    "error",
    "The front matter uses no YAML anchors, aliases or merge keys.",
    """
    Anchors (`&name`), aliases (`*name`) and merge keys (`<<`) make a file hard
    to review and allow 'billion laughs' documents that expand to gigabytes.
    They are refused; write the value out in full.
    """,
    example="authors: &team [lead-editor]\nreviewed_by: *team",
    hint="write the value out in full instead of referring to an anchor",
)
YAML_TAG = rule(
    "yaml-tag",
    "error",
    "The front matter uses no explicit YAML tags.",
    """
    Explicit tags such as `!!python/object` or `!include` are refused: the front
    matter holds plain text, numbers, booleans, dates, lists and mappings only.
    """,
    example="title: !!binary aGVsbG8=",
    hint="remove the tag and write a plain value",
)

_YAML_RULES = {
    "syntax": YAML_SYNTAX,
    "duplicate-key": YAML_DUPLICATE_KEY,
    "alias": YAML_ALIAS,
    "tag": YAML_TAG,
}


@dataclass(frozen=True)
class RawFile:
    """A file as read from disk or git: its path relative to the root, and bytes.

    `data` is None when the file was refused without reading (`problem` says why).
    """

    path: str
    data: bytes | None
    problem: Diagnostic | None = None


def walk_folder(settings: Settings, only: set[str] | None = None):
    """(relative path, full path, problem) of every file under the entries folder, sorted.

    `problem` is a diagnostic for a file that must not be read (a symbolic link
    pointing outside the catalog), else None. Nothing is read here; hidden files
    and folders are skipped, and linked folders are not followed.
    """
    entries_dir = settings.path("entries")
    if not entries_dir.is_dir():
        return
    rel_dir = os.path.relpath(entries_dir, settings.root).replace(os.sep, "/")
    yield from _walk(str(entries_dir), rel_dir, entries_dir.resolve(), only)


def _walk(folder: str, rel_dir: str, real_entries: Path, only: set[str] | None):
    with os.scandir(folder) as it:
        items = sorted((e for e in it if not e.name.startswith(".")), key=lambda e: e.name)
    for e in items:
        if _is_dir(e):
            continue
        rel = f"{rel_dir}/{e.name}"
        if only is not None and rel not in only:
            continue
        problem = None
        if e.is_symlink():
            try:
                target = Path(e.path).resolve(strict=True)
            except (OSError, RuntimeError):  # it leads nowhere, or round in a loop
                problem = FILE_SYMLINK(rel, 0, 0, f"symbolic link to {os.readlink(e.path)} "
                                       "leads to no file; it was not read")
            else:
                if not target.is_relative_to(real_entries) or not target.is_file():
                    problem = FILE_SYMLINK(rel, 0, 0, f"symbolic link to {os.readlink(e.path)} "
                                           "points outside the catalog; it was not read")
        elif not e.is_file():
            problem = FILE_UNREADABLE(rel, 0, 0, "not a regular file (a named pipe, a "
                                      "device...); it was not read")
        yield rel, e.path, problem
    for e in items:
        if not _is_dir(e):
            continue
        rel = f"{rel_dir}/{e.name}"
        if not e.is_symlink():
            yield from _walk(e.path, rel, real_entries, only)
        elif only is None:  # linked folders are not followed, and never in silence
            yield rel, e.path, FILE_SYMLINK(rel, 0, 0, f"symbolic link to the folder "
                                            f"{os.readlink(e.path)}; its files were not read")


def _is_dir(e: os.DirEntry) -> bool:
    """A folder, or a link to one (a link in a loop is neither: it is reported as a file)."""
    try:
        return e.is_dir()
    except OSError:
        return False


def read_folder(settings: Settings, only: set[str] | None = None) -> list[RawFile]:
    """Every file under the entries folder of a working tree, sorted by path.

    `only`, when given, limits the read to those relative paths.
    """
    files: list[RawFile] = []
    for rel, full, problem in walk_folder(settings, only):
        if problem is not None:
            files.append(RawFile(rel, None, problem))
            continue
        try:
            with open(full, "rb") as f:
                files.append(RawFile(rel, f.read()))
        except OSError as e:
            files.append(RawFile(rel, None, unreadable(rel, e)))
    return files


def unreadable(rel: str, error: OSError) -> Diagnostic:
    """The problem of an entry file that could not be read."""
    return FILE_UNREADABLE(rel, 0, 0, f"cannot be read: {error.strerror or error}; "
                           "it was not read")


def content_digest(data: bytes) -> str:
    """The hash that names a file's content (Entry.digest, cache keys): SHA-256, which
    OpenSSL computes with the CPU's SHA instructions where it has them (twice as fast as
    BLAKE2b on the benchmark machine), cut to 128 bits."""
    return hashlib.sha256(data).hexdigest()[:32]


def plain_newlines(text: str) -> str:
    """`text` with its line breaks `\\n`: Windows' CRLF and an old Mac's lone CR too, as
    an editor shows them (entries, digests, the positions of their bytes)."""
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def line_column(text: str, index: int) -> tuple[int, int]:
    """Where an editor sees text[index]: lines end as the text's do (`\\n`, CRLF, or an old
    Mac's lone CR), and columns count characters, as every rule's do."""
    before = plain_newlines(text[:index])
    return before.count("\n") + 1, len(before) - before.rfind("\n")


def bad_byte(error: UnicodeDecodeError) -> tuple[int, int, int]:
    """(line, column, value) of the byte a UTF-8 decoding stopped at, where an editor sees
    it (see line_column: `café` before it is four characters, not five bytes). What
    precedes the byte is valid UTF-8 (after a byte-order mark, which `utf-8-sig` drops
    from `error.object`)."""
    data = error.object
    before = data[:error.start].decode("utf-8")
    return (*line_column(before, len(before)), data[error.start])


INVISIBLE_HINT = "show invisible characters in your editor, and delete it"


def invisible_char(data: bytes, text: str) -> tuple[int, int, str] | None:
    """(line, column, message) of the first character of textchars.INVISIBLE in `text`, the
    UTF-8 `data` decoded (line endings as they are, or made `\\n`), where an editor sees
    it; None when it holds none. The entry loader and the digest reader say the same."""
    if not may_hold_invisible(data):  # about 1 µs an entry
        return None
    m = INVISIBLE.search(text)
    if m is None:
        return None
    return (*line_column(text, m.start()),
            f"holds the invisible control character {named(m.group())}, which no page can "
            "show (a terminal's colour codes pasted with its output, for one)")


def decode(path: str, data: bytes) -> tuple[str | None, Diagnostic | None]:
    """UTF-8 text with a BOM dropped and line endings made `\\n`, and no invisible control
    character (see invisible_char)."""
    text, problem = decode_utf8(path, data)
    if text is None:
        return None, problem
    invisible = invisible_char(data, text)
    if invisible is not None:
        line, col, message = invisible
        return None, FILE_ENCODING(path, line, col, message, hint=INVISIBLE_HINT)
    return text, None


def decode_utf8(path: str, data: bytes) -> tuple[str | None, Diagnostic | None]:
    """UTF-8 text with a BOM dropped and line endings made `\\n`, whatever characters it
    holds: for a reader of words that no page shows as they are (the links of a file
    validate refuses, which the affiliate report lists all the same); see decode."""
    if data.startswith(BOM):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line, col, byte = bad_byte(e)
        return None, FILE_ENCODING(path, line, col, f"not UTF-8: byte 0x{byte:02x} cannot be "
                                   "decoded")
    return plain_newlines(text), None


# A line git writes around a conflict it could not merge: `<<<<<<< HEAD` opens it and
# `>>>>>>> branch` closes it, each at the start of a line, seven characters and a label.
# `=======` between them parts the two versions; alone it is a heading's underline in
# Markdown, so the conflict is found by the other two (nobody writes seven `<` or a quote
# seven levels deep).
_CONFLICT_MARK = re.compile(r"^(?:<{7}|>{7})(?:[ \t].*)?$", re.MULTILINE)
_CONFLICT_END = re.compile(r"^>{7}(?:[ \t].*)?$", re.MULTILINE)


def merge_conflict(text: str, first_line: int = 1) -> tuple[int, int] | None:
    """(first line, last line) of the first merge conflict git left in `text`: from its
    `<<<<<<< ` line to the `>>>>>>> ` line that closes it (or a `>>>>>>> ` line left
    alone); None when there is none. Lines count from `first_line`."""
    if not _holds(text, "<<<<<<<") and not _holds(text, ">>>>>>>"):
        return None  # most files
    m = _CONFLICT_MARK.search(text)
    while m is not None and _in_fence(text, m.start()):
        m = _CONFLICT_MARK.search(text, m.end())  # quoted in a code block: an example
    if m is None:
        return None
    end = _CONFLICT_END.search(text, m.end()) if m.group().startswith("<") else None
    first = text.count("\n", 0, m.start()) + first_line
    last = text.count("\n", m.start(), end.start()) + first if end else first
    return first, last


def _holds(text: str, mark: str) -> bool:
    """`mark in text`, for a mark of one character repeated: its first 16 characters are
    found by memchr, and the mark looked for at each (most files hold few `<` or `>`, where
    the search of a mark took 1.6 µs a file of 6 KB, each); after 16, the search."""
    char = mark[0]
    at = text.find(char)
    for _ in range(16):
        if at < 0:
            return False
        if text.startswith(mark, at):
            return True
        at = text.find(char, at + 1)
    return at >= 0 and text.find(mark, at) >= 0


_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})", re.MULTILINE)


def _in_fence(text: str, at: int) -> bool:
    """Whether offset `at` is inside a fenced code block (CommonMark: a fence of three or
    more backticks or tildes, closed by one of the same character at least as long)."""
    opened = None
    for m in _FENCE.finditer(text, 0, at):
        fence = m.group(1)
        if opened is None:
            opened = fence
        elif fence[0] == opened[0] and len(fence) >= len(opened):
            opened = None
    return opened is not None


def conflict_message(lines: tuple[int, int]) -> str:
    """What `merge_conflict`'s finding is, in an editor's words."""
    first, last = lines
    where = f"lines {first}-{last}" if last > first else f"line {first}"
    return (f"an unresolved merge conflict ({where}): choose between the two versions and "
            "remove the markers")


FALSE_CLOSE_HINT = "close the front matter with a line `---` and nothing else on it"


def false_close(text: str, start: int, end: int) -> tuple[int, str] | None:
    """(line, message) of the first line of text[start:end] meant to close front matter
    that does not: YAML's end of document `...` (Pandoc takes it), `---` with a comment
    or other text after it, `----`, or dashes a word processor made of `---` (`—`); None
    when there is none. Lines count from 1 at the text's start."""
    leads = _NEAR_LEAD_ASCII if text.isascii() else _NEAR_LEAD  # the others are dashes
    if leads.search(text, start - 1, end) is None:
        return None  # most front matter: 1 µs, where the search of each line took 6
    m = _NEAR_CLOSING.search(text, start, end)
    if m is None:
        return None
    line = text.count("\n", 0, m.start()) + 1
    written = m.group().rstrip()
    if written.startswith("..."):
        return line, (f"`{written}` does not close the front matter (it ends a YAML "
                      "document; front matter closes with `---`): write `---` instead")
    if not written.startswith("---") or written.startswith("----"):
        dashes = " and ".join(f"U+{ord(c):04X}" for c in sorted(set(written) & set(_DASHES)))
        what = (f"{dashes} is a dash, not a hyphen (a word processor makes one of `---`)"
                if dashes else f"{len(written)} hyphens are not three")
        return line, (f"`{written}` does not close the front matter: {what}; write `---`, "
                      "three hyphens, alone on the line")
    return line, (f"`{written}` does not close the front matter: write `---` alone on the "
                  "line (a comment or other text goes on a line of its own above it)")


def split_front_matter(path: str, text: str) -> tuple[str, str, int] | Diagnostic:
    """(front matter text, body, body's first line) or a diagnostic."""
    if not (text.startswith("---\n") or text.rstrip(" \t") == "---" or text.startswith("---")
            and text.split("\n", 1)[0].rstrip() == "---"):
        return FRONT_MATTER(path, 1, 1, "no front matter: the first line must be `---`")
    start = text.index("\n") + 1 if "\n" in text else len(text)
    close = first_close(text, start)
    if close is None:  # no close, or a line before it may be a slip
        close = closing(text, start)
        slip = false_close(text, start, close[0] if close else len(text))
        if slip is not None:  # before the close, if any (a `---` of the body is a rule)
            return FRONT_MATTER(path, slip[0], 1, slip[1], hint=FALSE_CLOSE_HINT)
    if close is None:
        return FRONT_MATTER(path, 1, 1, "front matter is never closed: add a line `---` after it")
    body_line = text.count("\n", 0, close[0]) + 2
    return text[start:close[0]], text[close[1] + 1:], body_line


def first_close(text: str, start: int) -> tuple[int, int] | None:
    """`closing(text, start)` when the first line from offset `start` (after a `\\n`) that
    false_close looks at is the one that closes front matter, so that no line before it
    can be a slip; else None, for closing and false_close to tell. Most front matter: one
    search, where closing's and false_close's took two (2.3 µs a front matter, 1.1 now)."""
    if start < 1 or text[start - 1] != "\n":
        return None
    lead = (_NEAR_LEAD_ASCII if text.isascii() else _NEAR_LEAD).search(text, start - 1)
    if lead is None or not text.startswith("\n---", at := lead.start()):
        return None
    end = text.find("\n", at + 4)
    if end < 0:
        end = len(text)
    return (at + 1, end) if not text[at + 4:end].strip(" \t") else None


def closing(text: str, start: int) -> tuple[int, int] | None:
    """(start, end) of the first line that closes front matter (_CLOSING) at or after
    offset `start`, the start of a line; None when there is none. Found by looking for
    `\\n---` (0.5 µs a front matter, where the search of _CLOSING's `^` took 5)."""
    at = start - 1
    if at < 0 or text[at] != "\n":
        return _closing_search(text, start)
    while (at := text.find("\n---", at)) >= 0:
        end = text.find("\n", at + 4)
        if end < 0:
            end = len(text)
        if not text[at + 4:end].strip(" \t"):
            return at + 1, end
        at = end
    return None


def _closing_search(text: str, start: int) -> tuple[int, int] | None:
    m = _CLOSING.search(text, start)
    return m.span() if m else None


def parse_entry(
    path: str, data: bytes, entries_prefix: str = "entries", front_matter: dict | None = None,
    digest: str | None = None, share_positions: bool = True,
) -> tuple[Entry | None, list[Diagnostic]]:
    """Parse one entry file. Never raises for bad input: problems are diagnostics.

    `front_matter`: what parsing these very bytes' front matter gave before (see
    `parsed`); the YAML is then not parsed again, and the entry has no positions.
    `digest`: `content_digest(data)`, when the caller has it already.
    `share_positions`: share its positions' paths and places with other entries' (see
    yamlfast.share); not worth its time for an entry that is marshalled right away
    (validate's workers), whose copy shares nothing, where libyaml reads its front
    matter (yamlfast shares them always: it costs nothing there).
    """
    diags: list[Diagnostic] = []
    rel = path[len(entries_prefix) + 1 :] if path.startswith(entries_prefix + "/") else path
    parts = rel.split("/")
    if len(parts) != 2 or not parts[1].endswith(".md"):
        return None, [FILE_NAME(path, 0, 0, "not an entry: entry files are "
                                f"{entries_prefix}/<collection>/<slug>.md")]
    collection, name = parts
    slug = name[:-3]
    entry_id = f"{collection}/{slug}"
    if collection not in COLLECTIONS:
        return None, [FILE_NAME(path, 0, 0, f"unknown collection '{collection}' "
                                f"(known: {', '.join(COLLECTIONS)})")]
    if not SLUG_RE.fullmatch(slug) or len(slug) > 80:
        diags.append(FILE_NAME(path, 0, 0, f"'{slug}' is not a valid slug: lowercase letters, "
                               "digits and single hyphens, at most 80 characters",
                               entry=entry_id))
    plain = not data.translate(None, _PLAIN_BYTES)
    text, problem = (data.decode("ascii"), None) if plain else decode(path, data)
    if problem:
        return None, [*diags, _with_entry(problem, entry_id)]
    conflict = merge_conflict(text)
    if conflict is not None:  # before YAML, which would stumble on it lines later
        return None, [*diags, FRONT_MATTER(path, conflict[0], 1, conflict_message(conflict),
                                           entry=entry_id, hint=CONFLICT_HINT)]
    split = split_front_matter(path, text)
    if isinstance(split, Diagnostic):
        return None, [*diags, _with_entry(split, entry_id)]
    fm, body, body_line = split
    # text, whether the YAML is read here or was before (`front_matter`)
    diags += [YAML_COMMENT(path, line, column, message, entry=entry_id)
              for line, column, message in yamlpos.cut_values(fm, first_line=2)]
    if front_matter is not None:
        return Entry(id=entry_id, collection=collection, slug=slug, file=path,
                     data=front_matter, body=body, body_line=body_line,
                     digest=digest or content_digest(data)), diags
    try:
        values, positions = yamlpos.load(fm, first_line=2, share=share_positions, plain=plain)
    except yamlpos.YamlProblem as p:
        return None, [*diags, _YAML_RULES[p.kind](path, p.line, p.column, p.message,
                                                  entry=entry_id, hint=p.hint)]
    if values is None:
        values = {}
    if not isinstance(values, dict):
        return None, [*diags, YAML_SYNTAX(path, 2, 1, "front matter must be a mapping of "
                                          "`key: value` lines", entry=entry_id)]
    entry = Entry(
        id=entry_id,
        collection=collection,
        slug=slug,
        file=path,
        data=values,
        body=body,
        body_line=body_line,
        positions=positions,
        digest=digest or content_digest(data),
    )
    return entry, diags


def _with_entry(d: Diagnostic, entry_id: str) -> Diagnostic:
    from dataclasses import replace

    return replace(d, entry=entry_id)


def parse_files(
    files: list[RawFile], entries_prefix: str = "entries"
) -> tuple[list[Entry], list[Diagnostic]]:
    """Parse every RawFile; refused files give their problem."""
    entries: list[Entry] = []
    diags: list[Diagnostic] = []
    for f in files:
        if f.data is None:
            if f.problem:
                diags.append(f.problem)
            continue
        entry, problems = parse_entry(f.path, f.data, entries_prefix)
        diags.extend(problems)
        if entry is not None:
            entries.append(entry)
    return entries, diags


BIBLIOGRAPHY = rule(
    "bibliography",
    "error",
    "The shared bibliography file parses and each source has a unique id.",
    """
    `data/bibliography.yaml` holds sources any entry may cite. It must parse as
    YAML (same rules as front matter: no duplicate keys, no aliases) and hold
    `sources:`, a list of sources with unique ids. Its schema is
    `schemas/bibliography.schema.json`.
    """,
    example="sources:\n  - id: ftc-endorsement-guides\n    url: https://www.ftc.gov/...\n"
    "    title: FTC Endorsement Guides\n    accessed: 2026-10-01",
    hint="fix the file at the given line",
)


def parse_bibliography(path: str, data: bytes | None):
    """(sources by id, positions by id, raw data, positions, diagnostics)."""
    if data is None:
        return {}, {}, None, {}, []
    text, problem = decode(path, data)
    if problem:
        return {}, {}, None, {}, [problem]
    try:
        values, positions = yamlpos.load(text)
    except yamlpos.YamlProblem as p:
        return {}, {}, None, {}, [_YAML_RULES[p.kind](path, p.line, p.column, p.message,
                                                      hint=p.hint)]
    sources: dict[str, dict] = {}
    where: dict[str, tuple[int, int]] = {}
    diags: list[Diagnostic] = []
    items = values.get("sources") if isinstance(values, dict) else None
    if not isinstance(items, list):
        return {}, {}, values, positions, [
            BIBLIOGRAPHY(path, 1, 1, "expected `sources:` with a list of sources")]
    for i, s in enumerate(items):
        if not isinstance(s, dict) or not isinstance(s.get("id"), str):
            continue  # the schema reports it
        line, col = positions.get(("sources", i), (1, 1))
        if s["id"] in sources:
            diags.append(BIBLIOGRAPHY(path, line, col, f"duplicate source id '{s['id']}' "
                                      f"(first at line {where[s['id']][0]})"))
            continue
        sources[s["id"]] = s
        where[s["id"]] = (line, col)
    return sources, where, values, positions, diags


def setting_position(settings: Settings, section: str, key: str) -> tuple[int, int]:
    """(line, column) of option `section.key` in the settings file, as an editor wrote it
    (`key = ...` under `[section]`, or `section.key = ...` before any table); (1, 1) when
    it is not found there."""
    try:
        text = (settings.root / SETTINGS_FILE).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return 1, 1
    name = rf'(?:{re.escape(key)}|"{re.escape(key)}"|\'{re.escape(key)}\')'
    in_table = re.compile(rf"([ \t]*){name}[ \t]*=")
    dotted = re.compile(rf'([ \t]*)(?:{re.escape(section)}|"{re.escape(section)}")[ \t]*\.'
                        rf"[ \t]*{name}[ \t]*=")
    table = ""
    for n, line in enumerate(text.split("\n"), 1):
        stripped = line.strip()
        if stripped.startswith("["):  # a table's header: `[paths]`, `[paths]  # comment`
            table = ("[[" if stripped.startswith("[[")
                     else stripped[1:].split("]", 1)[0].strip().strip("\"'"))
            continue
        m = (in_table if table == section else dotted if table == "" else None)
        if m is not None and (found := m.match(line)):
            return n, len(found.group(1)) + 1
    return 1, 1


def data_file_problem(settings: Settings, option: str, make, why: str,
                      missing: str | None) -> Diagnostic | None:
    """The problem with the data file `[paths] option` names, at the option's line in the
    settings file, made with `make` (a rule): a folder, or something else that is no
    file; or no file at all, when `missing` (what to do then) is given. `why` says what
    is lost without the file. None when there is no problem."""
    path = settings.path(option)
    name = getattr(settings.paths, option)
    if path.is_file():
        return None
    default = getattr(Paths, option)
    if path.is_dir():
        state, fix = "is a folder, not a file", f"name the file itself, such as {default}"
    elif path.exists() or path.is_symlink():
        state, fix = "is not a regular file (a broken link, a named pipe...)", \
            "name a plain file"
    elif missing is not None:
        state, fix = "does not exist", missing
    else:
        return None
    line, column = setting_position(settings, "paths", option)
    return make(SETTINGS_FILE, line, column,
                f"paths.{option} is {name}, which {state}: {why}; {fix}",
                hint=f"correct `{option} = ...` under [paths] in {SETTINGS_FILE} "
                "(see docs/settings.md)")


def read_bibliography(settings: Settings) -> tuple[bytes | None, list[Diagnostic]]:
    """The shared bibliography's bytes (None when there is none), and the problem of the
    settings with it (see data_file_problem)."""
    path = settings.path("bibliography")
    # A missing default one is loud anyway: every citation of it is unresolved.
    named = settings.paths.bibliography != Paths.bibliography
    problem = data_file_problem(settings, "bibliography", BIBLIOGRAPHY,
                                "every citation of a shared source would be unresolved",
                                "restore it, or correct the setting" if named else None)
    return (path.read_bytes() if problem is None and path.is_file() else None,
            [problem] if problem else [])


def load_catalog(
    settings: Settings, files: list[RawFile] | None = None, bibliography: bytes | None = None
) -> tuple[Catalog, list[Diagnostic]]:
    """The catalog of a working tree (or of the given files), with loading problems."""
    if files is None:
        files = read_folder(settings)
        bib_path = settings.path("bibliography")
        bibliography = bib_path.read_bytes() if bib_path.is_file() else None
    entries, diags = parse_files(files, settings.paths.entries.strip("/"))
    bib_file = settings.paths.bibliography
    sources, where, _, _, bib_diags = parse_bibliography(bib_file, bibliography)
    loaded = {e.id: e for e in entries}
    catalog = Catalog(
        entries=loaded,
        bibliography=sources,
        bibliography_positions=where,
        bibliography_file=bib_file,
        unreadable=frozenset(i for i in map(file_id, {d.file for d in diags})
                             if i is not None and i not in loaded),
    )
    return catalog, diags + bib_diags


def file_id(path: str) -> str | None:
    """The id an entry file would have, `<collection>/<slug>` of `.../<collection>/<slug>.md`."""
    parts = path[:-3].split("/") if path.endswith(".md") else []
    return "/".join(parts[-2:]) if len(parts) >= 2 else None
