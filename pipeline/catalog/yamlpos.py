"""Safe YAML with positions.

Front matter in the shape editors write it is read line by line (yamlfast);
any other text, and every text with a problem, by PyYAML's C parser, which
composes the node tree; we construct plain JSON-like values
from it ourselves so that we can keep the line and column of every key and
list item, refuse duplicate keys (PyYAML accepts them silently), refuse
anchors and aliases (no alias bombs) and keep dates as the text the editor
typed (`2026-10-02`), checked later by the schema's `date` format.
"""

from __future__ import annotations

import re
import unicodedata

import yaml

from ..textchars import INVISIBLE, named
from . import yamlfast

try:  # the C parser: an order of magnitude faster; the pure one is the fallback
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader

PARSER = f"PyYAML {yaml.__version__} {_Loader.__name__}"  # what parses: a cache key part

from yaml.nodes import MappingNode, ScalarNode, SequenceNode

Path = tuple  # a path into the data: keys and list indexes

_RESOLVED: dict[str, str] = {}  # plain scalar -> its implicit tag (see _Composer.resolve)
_RESOLVED_MAX = 50_000  # scalars kept, at most; each at most _RESOLVED_LEN characters
_RESOLVED_LEN = 64


class _Composer(_Loader):
    """The safe loader, with the resolver's work for each node made cheaper (a quarter
    of composing a typical front matter); the same tags.

    - A plain scalar's implicit tag depends on its text alone (the safe loader has no
      path resolvers): short texts (keys, statuses, dates, numbers) repeat from one
      entry to the next, and their tags are kept instead of matched again.
    - With no path resolvers, descending into a node and back out does nothing: the
      parser calls these two for every node, so they do nothing at once.
    """

    def resolve(self, kind, value, implicit, _base=_Loader.resolve):
        if kind is ScalarNode and implicit[0]:
            tag = _RESOLVED.get(value)
            if tag is None:
                tag = _base(self, kind, value, implicit)
                if len(value) <= _RESOLVED_LEN and len(_RESOLVED) < _RESOLVED_MAX:
                    _RESOLVED[value] = tag
            return tag
        return _base(self, kind, value, implicit)

    if not _Loader.yaml_path_resolvers:
        def descend_resolver(self, current_node, current_index):
            pass

        def ascend_resolver(self):
            pass


_resolver = _Composer.__new__(_Composer)  # its `resolve` alone: no parser state is needed
_FIRSTS = frozenset(_Loader.yaml_implicit_resolvers)  # a plain scalar starting otherwise is text


def _resolve(value: str) -> str:
    """The implicit tag of a plain scalar, as the loader resolves it."""
    return _resolver.resolve(ScalarNode, value, (True, False))


class YamlProblem(Exception):
    """A YAML problem at a line and column (1-based, in the YAML text)."""

    def __init__(self, kind: str, message: str, line: int, column: int,
                 hint: str | None = None):
        super().__init__(message)
        self.kind = kind  # "syntax", "duplicate-key", "alias", "tag"
        self.message = message
        self.line = line
        self.column = column
        self.hint = hint  # how to fix this very problem; None: the rule's hint


_constructor = yaml.constructor.SafeConstructor()
_STR = "tag:yaml.org,2002:str"


class NotFinite(ValueError):
    """A float no page can show: `.nan`, `.inf` (any case, any sign), `1.0e+999`."""


def _finite_float(node, _construct=_constructor.construct_yaml_float):
    value = _construct(node)
    if value - value == 0.0:  # false for nan and for either infinity
        return value
    raise NotFinite(node.value)


def _not_finite(text: str, line: int, column: int) -> YamlProblem:
    if "n" in text.lower().replace("inf", ""):
        what = 'is YAML for "not a number"'
    elif "inf" in text.lower():
        what = "is YAML for infinity"
    else:
        what = "is too large to be a number"
    return YamlProblem(
        "syntax", f"`{text}` {what}, which no page can show: write a finite number",
        line, column,
        hint=f"write a number such as 24 or 1.5; if `{text}` is meant as text, put it in quotes",
    )


_SCALARS = {
    "tag:yaml.org,2002:int": _constructor.construct_yaml_int,
    # `.nan`, `.inf` are refused where they are written (pages would show "nan GB")
    "tag:yaml.org,2002:float": _finite_float,
    "tag:yaml.org,2002:bool": _constructor.construct_yaml_bool,
    "tag:yaml.org,2002:null": lambda node: None,
    # Dates and times stay text: the schema checks them, with a position.
    "tag:yaml.org,2002:timestamp": lambda node: node.value,
    # A plain `=`, which YAML 1.1 takes for its "value" key: text to an editor (it was
    # reported as a tag no one wrote, found in review)
    "tag:yaml.org,2002:value": lambda node: node.value,
}


def nearest(positions: dict, path: tuple) -> tuple[int, int]:
    """The position of `path` in `load`'s positions, or of the nearest thing above it that
    has one (a key of the mapping a schema error is about): (1, 1) at worst."""
    while path:
        if path in positions:
            return positions[path]
        path = path[:-1]
    return 1, 1


def _pos(node, first_line: int = 1) -> tuple[int, int]:
    m = node.start_mark
    return m.line + first_line, m.column + 1


# Where an anchor (`&a`) or an alias (`*a`) can stand: at the start of a line or after white
# space, a flow indicator or a colon, and followed by a character a name can start with.
# Most `&` of front matter ("Training & optimization", a URL's query) are not there, and
# then the events need not be read. The character class comes first, the look-behind after
# it, so that the engine skips straight to each `&` or `*`.
_MAYBE_ANCHOR = re.compile(r"[&*](?<![^\s\[{,:][&*])[^\s,\[\]{}]")


# Where an explicit tag (`!x`, `!!str`, `!<...>`, a lone `!`) can stand: where an anchor
# can. Most `!` of front matter ("Wow!", a URL's `#!/`) follow a letter or a mark, and then
# the events need not be read; the node tree cannot tell `!!str x` from `x`, the events can.
_MAYBE_TAG = re.compile(r"!(?<![^\s\[{,:]!)")

_CORE = "tag:yaml.org,2002:"


def _find_refused(text: str, first_line: int) -> YamlProblem | None:
    """The first anchor, alias or explicit tag in `text`, read from events (never expanded).

    A tag is refused on any node, core ones (`!!str`) included: an editor's front matter
    needs none, and a tag on a list or mapping (`!include [a]`) would otherwise pass
    unseen, since only a scalar's tag decides how it is read.
    """
    for event in yaml.parse(text, Loader=_Loader):
        anchor = getattr(event, "anchor", None)
        line, col = event.start_mark.line + first_line, event.start_mark.column + 1
        if anchor is not None:
            what = "alias" if isinstance(event, yaml.AliasEvent) else "anchor"
            return YamlProblem(
                "alias",
                f"YAML {what} '{anchor}' is not allowed; write the value out in full"
                + _meant_as_text(text, event.start_mark.index, anchor),
                line,
                col,
            )
        tag = getattr(event, "tag", None)
        if tag is not None:  # None unless the editor wrote one
            shown = "!!" + tag[len(_CORE):] if tag.startswith(_CORE) else tag
            return YamlProblem(
                "tag", f"YAML tag {shown} is not allowed; write a plain value", line, col
            )
    return None


def _meant_as_text(text: str, at: int, name: str) -> str:
    """What to add to the refusal of the anchor or alias `name` at `at` that starts a value
    on its key's line and has words after it there (`title: *bold* claim`, `title: &co
    text`): an editor's text, not YAML's, which quotes keep as written. "" otherwise (a
    list or a mapping anchored, `deleted: &none []`; an alias alone)."""
    found = _value_on_line(text, at)
    if found is None:
        return ""
    _m, lead, value, start = found
    rest = value[1 + len(name):].strip()
    if start != at or not rest or rest[0] in "[{#|>":
        return ""
    return f"; if {_code(value)} is text, put the whole value in quotes: " + _code(
        lead + _quoted(value))


# `#` after a space, then a character other than a space: a comment that cuts a value
# short where an editor meant the value to go on (`issue #346`); a comment meant as one
# is written `# like this`.
_CUT_HINT = re.compile(r"[ \t]#[^ \t\n]")
_CUT = re.compile(r"[ \t]+#(?=[^ \t\n])")  # at a value's end: the spaces, then that `#`
# What an editor typed after a value that YAML takes for a comment, where the value ends
# (a flow collection's `,`, `]` or `}`) in a list or mapping written between brackets
_FLOW_END = re.compile(r"[,\]}]")
_FLOW_OPEN = (yaml.FlowSequenceStartToken, yaml.FlowMappingStartToken)
_FLOW_CLOSE = (yaml.FlowSequenceEndToken, yaml.FlowMappingEndToken)
# the tokens a value starts with: after a key's `:` or a list's `-`, any other means that
# the value is empty (a comment on its line holds all the editor typed)
_VALUE_STARTS = (yaml.ScalarToken, yaml.BlockMappingStartToken, yaml.BlockSequenceStartToken,
                 yaml.BlockEntryToken, *_FLOW_OPEN)
# the tokens a value follows: a key's `:`, a list's `-`, and in brackets `[`, `{` and `,`
_BEFORE_VALUE = (yaml.ValueToken, yaml.BlockEntryToken, yaml.FlowEntryToken, *_FLOW_OPEN)


def cut_values(text: str, first_line: int = 1) -> list[tuple[int, int, str]]:
    """Plain values that a `#` after a space cuts short, YAML taking the rest of the line
    for a comment: `title: Tips #1` reads `Tips`, `- Tips #1` too, a value run on over
    lines (`summary: A card` then `  for tests (issue #346)`) and an item of a list or a
    mapping between brackets (`[gpu, nvidia #1]`) the same; a value with nothing but such
    a comment (`summary: #1 pick`) reads as empty. Those followed by `#` and a character
    other than a space, as in words (`#1`, `#346)`, `#rust`), not by a comment meant as
    one (`# until review`): (line, column of the `#`, the message, with the line or lines
    to write). [] for text YAML cannot scan (a syntax error is said instead)."""
    if "#" not in text or not _CUT_HINT.search(text):  # most front matter holds no `#`:
        return []  # one memchr (0.1 µs) before the pattern's scan of every space (6 µs)
    found = []
    before = previous = None  # the two tokens before this one
    flow = 0  # how deep in brackets
    try:
        for token in yaml.scan(text, Loader=_Loader):
            if isinstance(token, _FLOW_OPEN):
                flow += 1
            elif isinstance(token, _FLOW_CLOSE):
                flow = max(flow - 1, 0)
            if (isinstance(token, yaml.ScalarToken) and not token.style
                    and isinstance(previous, _BEFORE_VALUE)):
                cut = _cut(text, first_line, token.start_mark.index, token.end_mark.index,
                           token.value, flow, _parent_column(before, previous))
            elif (isinstance(previous, (yaml.ValueToken, yaml.BlockEntryToken))
                    and not isinstance(token, _VALUE_STARTS)):
                cut = _cut(text, first_line, previous.end_mark.index,
                           previous.end_mark.index, None,
                           flow - isinstance(token, _FLOW_CLOSE), -1)
            else:
                cut = None
            if cut is not None:
                found.append(cut)
            before, previous = previous, token
    except yaml.YAMLError:
        return []
    return found


def _parent_column(before, previous) -> int:
    """The column of the key whose `:` (`previous`) or of the list's `-` before a value:
    a line of the value goes on with is indented more. -1 where it cannot be told."""
    if isinstance(previous, yaml.BlockEntryToken):
        return previous.start_mark.column
    if isinstance(previous, yaml.ValueToken) and isinstance(before, yaml.ScalarToken):
        return before.start_mark.column
    return -1


def _cut(text: str, first_line: int, start: int, end: int, reads: str | None, flow: int,
         parent: int) -> tuple[int, int, str] | None:
    """The comment after the plain value from `start` to `end` (reading `reads`; None: an
    empty value, which `start` and `end` are the place of) on the value's last line, if it
    starts with `#` and a character other than a space: (the line and column of the `#`,
    the message). `flow`: the value is between brackets; `parent`: the column of its key
    or its list's `-` (-1: not known)."""
    eol = text.find("\n", end)
    eol = len(text) if eol < 0 else eol
    m = _CUT.match(text, end, eol)
    if m is None:
        return None
    at = m.end() - 1
    if reads is None:  # the value is the comment: in the quotes from its `#` on
        start = end = at
    line_start = text.rfind("\n", 0, at) + 1
    first_start = text.rfind("\n", 0, start) + 1
    comment = text[at:eol].rstrip()
    rest = ""  # what stays after the value in quotes: a flow collection's `,`, `]`, `}`
    if flow:
        stop = _FLOW_END.search(comment)
        if stop is not None:
            comment, rest = comment[:stop.start()].rstrip(), comment[stop.start():]
    after = ""  # more lines of a value the comment broke off (a syntax error then)
    if not flow and parent >= 0 and reads is not None:
        stop = eol
        while stop < len(text):
            nxt = text.find("\n", stop + 1)
            nxt = len(text) if nxt < 0 else nxt
            line = text[stop + 1:nxt]
            body = line.lstrip(" ")
            if not body or body.startswith("#") or len(line) - len(body) <= parent:
                break
            stop = nxt
        after = text[eol:stop].rstrip()
    written = (text[start:end] + text[end:at] + comment + after).split("\n")
    lines = [text[first_start:start] + written[0], *written[1:]]
    quoted = _quoted_lines(lines, len(text[first_start:start]), rest)
    shown = _code(quoted[0]) if len(quoted) == 1 else (
        f"{_code(quoted[0])} … {_code(quoted[-1])}")
    first = text.count("\n", 0, start) + first_line
    whole = "the whole value" if len(quoted) == 1 else (
        f"the whole value, from line {first} to line {first + len(quoted) - 1},")
    said = f"`{text[at:eol].rstrip()}` is a YAML comment, not part of the value, which "
    said += "is empty" if reads is None else f"reads {_code(reads)}"
    message = (f"{said}: if it is part of the value, put {whole} in quotes: {shown}; "
               "if it is a comment, write `# ` with a space after the `#`")
    return first + text.count("\n", start, at), at - line_start + 1, message


def _quoted_lines(lines: list[str], lead: int, rest: str) -> list[str]:
    """The value's `lines` (the first with its key's part, `lead` characters) in the quotes
    YAML reads back as they are written, `rest` after the closing one."""
    value = "\n".join(lines)[lead:]
    if '"' not in value and "\\" not in value:
        value = f'"{value}"'
    else:
        value = "'" + value.replace("'", "''") + "'"
    return (lines[0][:lead] + value + rest).split("\n")


# Line breaks to libyaml, not to an editor (nor to the body's lines, which split at \n):
# text pasted from a PDF or a web page brings them.
_ODD_BREAKS = re.compile("[\x85\u2028\u2029]")
_YAML_BREAKS = re.compile("\r\n|[\r\n\x85\u2028\u2029]")


def load(text: str, first_line: int = 1, share: bool = False,
         plain: bool = False) -> tuple[object, dict[Path, tuple[int, int]]]:
    """Parse one YAML document: (data, positions of every key and list item).

    Raises YamlProblem for syntax errors, duplicate keys, anchors, aliases and
    unknown tags. Lines count from `first_line`, the file line of the text's
    first line (2 for front matter after its opening `---`). `share`: the positions'
    paths and places are shared with other texts' (yamlfast.share), as those of the
    texts yamlfast reads always are (at no cost there). `plain`: the caller knows `text`
    holds printable ASCII and `\n` alone (the loader's _PLAIN_BYTES), which need no
    search for odd characters.
    """
    odd = not plain and not text.isascii()  # ASCII holds none of the characters looked for here
    if odd and (_ODD_INDENT.match(text) or _ODD_INDENT_AFTER.search(text)):
        problem = _odd_indent(text, first_line)
        if problem is not None:
            raise problem
    if odd and _ODD_BREAKS.search(text):  # 5 µs a front matter, and ASCII has none
        data, positions = _load_odd(text, first_line)
    else:
        fast = yamlfast.load(text, first_line, _resolve, _SCALARS, _FIRSTS, plain)
        if fast is not None:
            return fast
        data, positions = _load(text, first_line)
    return data, yamlfast.share(positions) if share else positions


# Characters that look like a space (or like nothing) and that YAML reads as text: one
# before a key, where an editor meant to indent it (text pasted from a web page or a
# word processor), makes the key a new one with that character in its name.
_ODD_SPACES = "\u00a0\u1680\u2000-\u200b\u202f\u205f\u2060\u3000\ufeff"
_ODD_INDENT = re.compile(f"^ *[{_ODD_SPACES}]", re.MULTILINE)
# The same after the first line: its `\n` first, which the search skips to (1.5 µs a front
# matter that is not ASCII, where the search for `^` at every character took 6).
_ODD_INDENT_AFTER = re.compile(f"\n *[{_ODD_SPACES}]")
_ODD_SPACE = re.compile(f"[{_ODD_SPACES}]")


def _odd_indent(text: str, first_line: int) -> YamlProblem | None:
    """A key whose indentation holds a character YAML takes for text (see _ODD_SPACES),
    or a line so indented where YAML stumbles: at that character, named."""
    def problem(at: int) -> YamlProblem:
        char = text[at]
        column = at - text.rfind("\n", 0, at)
        return YamlProblem(
            "syntax", f"invalid YAML: the indentation of this line holds U+{ord(char):04X} "
            f"{unicodedata.name(char, '')} at column {column}, which looks like a space (or "
            "like nothing) but is text to YAML, not indentation: indent with ordinary spaces",
            text.count("\n", 0, at) + first_line, column,
            hint="delete the indentation of the line and type it again with spaces (the "
            "character cannot be seen in most editors)")

    def odd_at(index: int) -> int | None:  # where the odd indentation of index's line is
        start = text.rfind("\n", 0, index) + 1
        m = _ODD_INDENT.match(text, start)
        return m.end() - 1 if m else None

    previous = None
    try:
        for token in yaml.scan(text, Loader=_Loader):
            if (isinstance(token, yaml.ScalarToken) and isinstance(previous, yaml.KeyToken)
                    and not token.style and _ODD_SPACE.match(token.value)
                    and odd_at(token.start_mark.index) == token.start_mark.index):
                return problem(token.start_mark.index)
            previous = token
    except yaml.MarkedYAMLError as e:  # where it stumbles, such a line is the likely cause
        for mark in (e.context_mark, e.problem_mark):
            at = odd_at(mark.index) if mark is not None else None
            if at is not None:
                return problem(at)
    except yaml.YAMLError:
        pass
    return None


def _load_odd(text: str, first_line: int):
    """`load` for a text with line breaks libyaml counts and an editor does not (U+2028,
    U+2029, NEL): its positions are taken back to the editor's lines."""
    starts = [0] + [m.end() for m in _YAML_BREAKS.finditer(text)]  # libyaml's lines

    def fix(line: int, column: int) -> tuple[int, int]:
        at = starts[min(line - first_line, len(starts) - 1)] + column - 1
        return text.count("\n", 0, at) + first_line, at - text.rfind("\n", 0, at)

    try:
        data, positions = _load(text, first_line)
    except YamlProblem as p:
        p.line, p.column = fix(p.line, p.column)
        raise
    return data, {path: fix(*pos) for path, pos in positions.items()}


def _load(text: str, first_line: int) -> tuple[object, dict[Path, tuple[int, int]]]:
    maybe_anchor = ("&" in text or "*" in text) and _MAYBE_ANCHOR.search(text)
    if maybe_anchor or "!" in text and _MAYBE_TAG.search(text):
        try:
            problem = _find_refused(text, first_line)
        except yaml.YAMLError:
            problem = None  # the syntax error is reported by compose below
        if problem:
            raise problem
    try:
        node = yaml.compose(text, Loader=_Composer)
    except yaml.MarkedYAMLError as e:
        raise syntax_problem(e, text, first_line) from None
    except yaml.reader.ReaderError as e:  # a character YAML refuses: where it is, named
        at = e.position
        raise YamlProblem(
            "syntax", f"invalid YAML: the invisible character {named(chr(e.character))} is not "
            "allowed here", text.count("\n", 0, at) + first_line,
            at - text.rfind("\n", 0, at),
            hint="delete it (it is invisible in most editors: retype the text around it)"
        ) from None
    except yaml.YAMLError as e:
        raise YamlProblem("syntax", f"invalid YAML: {' '.join(str(e).split())}", first_line,
                          1) from None
    positions: dict[Path, tuple[int, int]] = {}
    if node is None:
        return None, positions
    seen: set[int] = set()
    try:
        return _build(node, (), positions, seen, first_line), positions
    except _Invisible as e:
        raise _invisible_problem(e.node, text, first_line) from None


# A double-quoted value writes a character YAML refuses typed (textchars.INVISIBLE) with
# an escape (`"\e[31m"`, `"\x01"`, `"\0"`): it is refused where its escape is, as the
# character typed is.
_ESCAPE = re.compile(r"\\(?:x[0-9A-Fa-f]{2}|u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)", re.S)
_NAMED_ESCAPES = {"0": "\0", "a": "\x07", "b": "\x08", "e": "\x1b", "v": "\x0b",
                  "f": "\x0c"}  # those of characters YAML refuses typed


class _Invisible(Exception):
    """A double-quoted scalar whose escapes write a character YAML refuses typed."""

    def __init__(self, node):
        super().__init__()
        self.node = node


def _invisible_problem(node, text: str, first_line: int) -> YamlProblem:
    """The problem of a scalar `_Invisible` refused, at its first escape of a refused
    character (line and column as libyaml counts them, as every position here is)."""
    start = node.start_mark
    index, escape = start.index, ""
    for m in _ESCAPE.finditer(text, start.index, node.end_mark.index):
        written = m.group()
        code = int(written[2:], 16) if written[1] in "xuU" else -1
        char = chr(code) if 0 <= code <= 0x10FFFF else _NAMED_ESCAPES.get(written[1], "")
        if char and INVISIBLE.match(char):
            index, escape = m.start(), written
            break
    before = text[start.index:index]
    breaks = list(_YAML_BREAKS.finditer(before))
    line = start.line + first_line + len(breaks)
    column = (len(before) - breaks[-1].end() + 1) if breaks else start.column + 1 + len(before)
    code = ord(char) if escape else ord(INVISIBLE.search(node.value).group())  # (never)
    written = f"`{escape}` writes" if escape else "this value holds"
    return YamlProblem(
        "syntax", f"invalid YAML: {written} the invisible character {named(chr(code))}, which "
        "no page, feed or e-mail can show", line, column,
        hint="delete the escape (a control character is no text: write the words it "
             "stands for, if any)")


_TAB_HINT = "replace the tab with spaces (set your editor to indent with spaces)"
_KEY_HINT = ("write `key: value` with a space after the colon; a line that goes on with "
             "the value above is indented under its key")


def _quote_hint(quote: str) -> str:
    return f"end the value with {quote} on the line where it starts, or remove the opening {quote}"


def syntax_problem(e: yaml.MarkedYAMLError, text: str, first_line: int) -> YamlProblem:
    """libyaml's complaint in an editor's words, at the place the slip is: where the key
    without `: ` or the quote never closed starts, rather than where libyaml noticed it
    (lines later). Only on the error path: it may read the text again."""
    problem, context = e.problem_mark, e.context_mark
    mark = problem or context

    def at(m) -> tuple[int, int]:
        return (m.line + first_line, m.column + 1) if m else (first_line, 1)

    if e.problem and "exceeded maximum nesting depth" in e.problem:  # libyaml's limit: 1,000
        return YamlProblem("syntax", f"values nested more than {MAX_DEPTH} levels deep",
                           *at(problem), hint=DEPTH_HINT)
    if problem is not None and text[problem.index:problem.index + 1] == "\t":
        return YamlProblem("syntax", "invalid YAML: this line has a tab: indent YAML with "
                           "spaces, not tabs", *at(problem), hint=_TAB_HINT)
    if context is not None and e.context == "while scanning a simple key":
        return YamlProblem("syntax", "invalid YAML: this line has no `: ` after its key: "
                           "write `key: value`", *at(context), hint=_KEY_HINT)
    if context is not None and e.context == "while scanning a quoted scalar":
        quote = text[context.index:context.index + 1] or '"'
        return YamlProblem("syntax", f"invalid YAML: a quoted value is never closed: add the "
                           f"closing `{quote}`", *at(context), hint=_quote_hint(quote))
    if context is not None and problem is not None and e.context in _FLOWS \
            and _never_closed(text, context, problem):
        what, closer = _FLOWS[e.context]
        return YamlProblem("syntax", f"invalid YAML: a {what} opened with "
                           f"`{text[context.index:context.index + 1]}` is never closed: add the "
                           f"closing `{closer}`", *at(context),
                           hint=f"end the {what} with `{closer}` after its last item")
    if problem is not None and e.problem in _MAPPING_HERE:
        glued = _glued_key(text, problem)
        if glued is not None:  # `title:Foo` first, read with the line after as one text
            return YamlProblem("syntax", "invalid YAML: this line has no `: ` after its key: "
                               "write `key: value`", text.count("\n", 0, glued) + first_line,
                               glued - text.rfind("\n", 0, glued), hint=_KEY_HINT)
        ran_on = _runaway_plain(text, problem)
        if ran_on is not None:
            line_start = text.rfind("\n", 0, problem.index) + 1
            indent = len(text[line_start:problem.index]) - len(
                text[line_start:problem.index].lstrip(" "))
            key = text[line_start + indent:problem.index].rstrip()
            above, line = ran_on
            fix = (f"indent `{key}:` as `{above}:` is" if above else
                   f"indent `{key}:` as the keys of its mapping are")
            return YamlProblem(
                "syntax", f"invalid YAML: this line is indented more than "
                f"{f'`{above}:`' if above else 'the list item'} on line {line + first_line}, "
                f"so YAML reads it as more of that value, where `: ` is not allowed: {fix}",
                problem.line + first_line, indent + 1, hint=_INDENT_HINT)
    opened = _runaway_quote(text, problem) if problem is not None else None
    if opened is not None:
        quote = text[opened.start_mark.index]
        ends = text.count("\n", 0, opened.end_mark.index) + first_line  # an editor's line
        return YamlProblem("syntax", f"invalid YAML: a quoted value is never closed: add the "
                           f"closing `{quote}` (as written, it runs on to line {ends})",
                           *at(opened.start_mark), hint=_quote_hint(quote))
    slip = _value_slip(e, text) if problem is not None else None
    if slip is not None:
        message, index, fixed = slip
        return YamlProblem("syntax", f"invalid YAML: {message}: put the whole value in "
                           f"quotes: {_code(fixed)}", text.count("\n", 0, index) + first_line,
                           index - text.rfind("\n", 0, index),
                           hint=_VALUE_HINT)
    slip = _list_slip(e, text) if problem is not None else None
    if slip is not None:
        message, hint = slip
        return YamlProblem("syntax", f"invalid YAML: {message}", *at(problem), hint=hint)
    msg = " ".join(x for x in (e.context, e.problem) if x) or str(e)
    return YamlProblem("syntax", f"invalid YAML: {msg}", *at(mark))


# A line with a key and its value (`title: Re: news`), or a list item (`- Re: news`):
# (everything before the value, the value without the spaces after it)
_KEY_LINE = re.compile(r"( *(?:- +)*[^\s\-?:#\[\]{},&*!|>'\"%@`][^:\n]*?: +)(\S[^\n]*?) *$"
                       r"|( *(?:- +)+)(\S[^\n]*?) *$")
_VALUE_HINT = ("put the whole value in quotes: \"...\", or '...' when it holds \" or \\ "
               "(a ' inside is then written '')")


def _code(text: str) -> str:
    """`text` as Markdown code, in a message: between `` when it holds a backtick."""
    return f"`` {text} ``" if "`" in text else f"`{text}`"


def _quoted(value: str) -> str:
    """`value` in the quotes YAML reads back as it: a comment after it left out, and its
    own quotes around all of it dropped when one inside is a slip (`'It's'`), not the end
    of a quoted word (`"Fast" or "good"`)."""
    value = re.split(r"[ \t]#", value, maxsplit=1)[0].rstrip()
    if len(value) > 2 and value[0] == value[-1] and value[0] in "'\"":
        inner = value[1:-1]
        after = inner.find(value[0]) + 1
        if after and (after == len(inner) or not inner[after].isspace()):
            value = inner
    if '"' not in value and "\\" not in value:
        return f'"{value}"'
    return "'" + value.replace("'", "''") + "'"


def _value_slip(e: yaml.MarkedYAMLError, text: str) -> tuple[str, int, str] | None:
    """A plain value an editor typed on its key's line (or a list item's) that YAML
    cannot read as text: (what is wrong, the index of the value's start, the line with
    the value in quotes), or None when the problem is anything else.

    - `title: Re: news`: a `: ` inside it starts a key where none can be;
    - `title: @handle`, `` `code` ``, `%`: a character no value may start with;
    - `summary: - a`: a list's item on its key's line;
    - `title: 'It's'`, `title: "A" B`, `title: [Draft] notes`: a quoted value, a list or
      a mapping that ends before the rest of the line, which is left over."""
    problem = e.problem_mark
    found = _value_on_line(text, problem.index)
    if found is None:
        return None
    m, lead, value, at = found
    if problem.index < at:
        return None
    fixed = lead + _quoted(value)
    said = e.problem or ""
    if e.context in ("while scanning an alias", "while scanning an anchor") \
            and e.context_mark is not None and e.context_mark.index == at:
        return (f"a value that starts with `{text[at]}` is a YAML "
                f"{e.context.split()[-1]}", at, fixed)
    if said in _MAPPING_HERE and problem.index > at:
        return (f"the value holds `: `, which YAML reads as the start of a key", at, fixed)
    if said == "found character that cannot start any token" and problem.index == at:
        return (f"a value cannot start with {_code(text[at])}, which YAML keeps for itself",
                at, fixed)
    if said == "block sequence entries are not allowed in this context" \
            and problem.index == at and m.group(1) is not None:
        return ("a value cannot start with `- ` on its key's line (a list's items go on "
                "the lines under the key)", at, fixed)
    if said == "did not find expected key" and problem.index > at and value[0] in "'\"[{" \
            and text[problem.index] not in "]},#" and _left_over(text, at, problem.index):
        # (a `]` too many, `"a", "b"` meant as a list: not text run on, see _list_slip)
        what = {"[": "a list, which ends at `]`", "{": "a mapping, which ends at `}`"}.get(
            value[0], f"quoted, which ends at the next `{value[0]}`")
        return (f"a value that starts with `{value[0]}` is {what}, and the rest of the line "
                f"(`{text[problem.index:m.end()].strip()}`) is left over",
                at, fixed)
    return None


_NO_NEXT = ("did not find expected key",  # after a key's value
            "did not find expected '-' indicator")  # after a list item
_CLOSERS = re.compile(r"[\]}](?:[ \t]*[\]}])*")
_QUOTED_ITEM = r"\"(?:[^\"\\]|\\.)*\"|'(?:[^']|'')*'"
_ITEM = re.compile(rf"{_QUOTED_ITEM}|[^,\s][^,]*")  # an item of values with `,` between them
_BRACKETS_HINT = ("write one `]` for each `[` and one `}` for each `{`: a list is "
                  "`[a, b]`, a mapping `{key: value}`")
_ITEMS_HINT = ("write a list on its key's line between `[` and `]` (`tags: [a, b]`), or "
               "one item a line under its key, each after `- `")


def _value_on_line(text: str, index: int) -> tuple[re.Match, str, str, int] | None:
    """The line of `text` at `index` read as a key's line or a list item's: (the match of
    _KEY_LINE, its key's or item's part before the value, the value, the index where the
    value starts), or None when the line is neither."""
    start = text.rfind("\n", 0, index) + 1
    end = text.find("\n", index)
    m = _KEY_LINE.match(text, start, len(text) if end < 0 else end)
    if m is None:
        return None
    lead, value = (m.group(1), m.group(2)) if m.group(1) is not None else m.group(3, 4)
    return m, lead, value, start + len(lead)


def _list_slip(e: yaml.MarkedYAMLError, text: str) -> tuple[str, str] | None:
    """A list or a mapping on its key's line (or a list item's) with a `]` or `}` too many
    after its end (`tags: [a, b]]`), or a quoted value followed by `, ` and more values
    (`tags: "a", "b"`, a list without its brackets): (what is wrong and the line to write,
    the hint), said at the character libyaml stumbled at; None when the problem is
    anything else."""
    problem = e.problem_mark
    if e.problem not in _NO_NEXT:
        return None
    found = _value_on_line(text, problem.index)
    if found is None:
        return None
    m, lead, value, at = found
    char = text[problem.index]
    if problem.index <= at or not _left_over(text, at, problem.index):
        return None
    cut = problem.index - at  # where the value goes wrong, in `value`
    if char in "]}" and value[0] in "[{":
        run = _CLOSERS.match(value, cut).group()
        stray = run.replace(" ", "").replace("\t", "")
        what = {"[": "list", "{": "mapping"}[value[0]]
        said = (f"this `{stray}` closes nothing" if len(stray) == 1 else
                f"these `{stray}` close nothing")
        message = (f"{said}: the {what} opened with `{value[0]}` ends at the "
                   f"`{value[:cut].rstrip()[-1]}` before it")
        after = value[cut + len(run):].strip()
        it = "it" if len(stray) == 1 else "them"
        if after and not after.startswith("#"):
            return f"{message}: remove {it}", _BRACKETS_HINT
        fixed = lead + value[:cut].rstrip() + (f" {after}" if after else "")
        return f"{message}: remove {it}: {_code(fixed)}", _BRACKETS_HINT
    if char == "," and value[0] in "'\"":
        written = re.split(r"[ \t]#", value, maxsplit=1)[0].rstrip().rstrip(",").rstrip()
        items = [item.group().rstrip() for item in _ITEM.finditer(written)]
        quoted = all(re.fullmatch(_QUOTED_ITEM, item) for item in items)
        if m.group(1) is not None:  # on its key's line: the list between brackets
            listed = f"write {_code(f'{lead}[{written}]')}"
        else:  # a list item: one item a line
            indent = lead.rstrip()
            listed = "write each item on a line of its own: " + ", then ".join(
                _code(f"{indent} {item}") for item in items)
        message = ("the quoted value ends before this `,`: values separated by `,` are a "
                   "list only between `[` and `]`")
        if quoted:
            return f"{message}: {listed}", _ITEMS_HINT
        return (f"{message}: if they are a list, {listed}; if it is one text, put the whole "
                f"value in quotes: {_code(lead + _quoted(value))}", _VALUE_HINT)
    return None


def _left_over(text: str, at: int, index: int) -> bool:
    """Whether the quoted value or the flow collection starting at `at` ends right where
    the text left over at `index` starts (on that line: not a quote never closed, which
    took another value's quote for its end)."""
    depth, ended = 0, None
    try:
        for token in yaml.scan(text, Loader=_Loader):
            if token.start_mark.index >= index:
                break
            if token.start_mark.index < at:
                continue
            if isinstance(token, (yaml.FlowSequenceStartToken, yaml.FlowMappingStartToken)):
                depth += 1
            elif isinstance(token, (yaml.FlowSequenceEndToken, yaml.FlowMappingEndToken)):
                depth -= 1
                ended = token.end_mark.index if depth == 0 else None
            elif isinstance(token, yaml.ScalarToken) and depth == 0:
                ended = token.end_mark.index if token.start_mark.index == at else None
    except yaml.YAMLError:
        pass
    return ended is not None and "\n" not in text[at:index]


_FLOWS = {"while parsing a flow sequence": ("list", "]"),
          "while parsing a flow mapping": ("mapping", "}")}


def _never_closed(text: str, opened, problem) -> bool:
    """Whether libyaml, missing the `]` or `}` of the flow collection `opened`, stumbled at
    `problem` because the collection is never closed: the text ends, or a line no deeper
    than the one it opens on (the next key) comes first. A slip inside a collection that
    is closed (a missing comma on an indented line of it) is something else."""
    if not text[problem.index:].strip():
        return True
    if problem.line <= opened.line:
        return False

    def indent(index: int) -> int:
        line = text[text.rfind("\n", 0, index) + 1:]
        return len(line) - len(line.lstrip(" "))

    return indent(problem.index) <= indent(opened.index)


_MAPPING_HERE = ("mapping values are not allowed in this context",  # libyaml
                 "mapping values are not allowed here")  # PyYAML's own scanner
_INDENT_HINT = ("indent a key exactly as the other keys of its mapping; if the line goes on "
                "with the value above, put that whole value in quotes")


# A key with no space after its colon (`vendor:NVIDIA`), not an address (`https://`)
_GLUED = re.compile(r"[A-Za-z_][\w-]*:(?!//)\S")


def _tokens_before(text: str, problem, count: int) -> list:
    """The last `count` tokens libyaml read before the place of `problem` (None for each
    it did not read so many), as far as it can scan: what the explanations of a slip
    look back at."""
    last: list = [None] * count
    try:
        for token in yaml.scan(text, Loader=_Loader):
            if token.start_mark.index >= problem.index:
                break
            last = [*last[1:], token]
    except yaml.YAMLError:
        pass
    return last


def _glued_key(text: str, problem) -> int | None:
    """The index of a `key:value` (no space after the colon) that starts a line (after its
    indentation and any `- `) and that libyaml read, with the lines down to the one of
    `problem` (a `: `), as one plain text: it does so where no mapping is open yet (the
    first line of the front matter, of a list item, of a value under its key), and then
    stumbles at the next key, where nothing is wrong. None when the problem is anything
    else."""
    last = _tokens_before(text, problem, 1)[-1]
    if not isinstance(last, yaml.ScalarToken) or last.style \
            or not last.start_mark.line < last.end_mark.line == problem.line:
        return None
    at = last.start_mark.index
    before = text[text.rfind("\n", 0, at) + 1:at]
    if before.replace("-", " ").strip() or not _GLUED.match(text, at):
        return None
    return at


def _runaway_plain(text: str, problem) -> tuple[str, int] | None:
    """What libyaml took the line of `problem` (a `: `) to go on with: a plain value that
    starts on an earlier line, because the line is indented more than the key of that
    value (`rating: a` then `   text: b`): (that key, or "" for a list item, and the
    0-based line it is on); None when the problem is anything else."""
    last = [t for t in _tokens_before(text, problem, 3) if t is not None]
    if len(last) < 2 or not isinstance(last[-1], yaml.ScalarToken) or last[-1].style:
        return None
    value = last[-1]
    if not value.start_mark.line < value.end_mark.line == problem.line:
        return None
    if isinstance(last[-2], yaml.BlockEntryToken):
        return "", value.start_mark.line
    if (isinstance(last[-2], yaml.ValueToken) and len(last) == 3
            and isinstance(last[-3], yaml.ScalarToken)):
        return last[-3].value, last[-3].start_mark.line
    return None


def _runaway_quote(text: str, problem):
    """The quoted scalar that stops right where libyaml then stumbles, having run on over
    lines: a quote never closed, which took the next quote (another value's opening one)
    for its end. None when the problem is anything else."""
    last = _tokens_before(text, problem, 1)[-1]
    if (isinstance(last, yaml.ScalarToken) and last.style in ('"', "'")
            and last.end_mark.index == problem.index
            and last.start_mark.line < last.end_mark.line == problem.line):
        return last
    return None


# How deep front matter may nest: a real entry nests four levels (a benchmark's results),
# and 900 lists in lists crashed the run with a RecursionError (found in review).
MAX_DEPTH = 50
DEPTH_HINT = ("no field nests lists or mappings this deep: remove the `[`, `{` or `- ` "
              "levels that are not meant to be there")


def _build(node, path: Path, positions: dict, seen: set, first: int):
    if isinstance(node, ScalarNode):
        tag = node.tag
        if tag == _STR:
            if node.style == '"' and INVISIBLE.search(node.value):
                raise _Invisible(node)
            return node.value
        fn = _SCALARS.get(tag)
        if fn is None:
            line, col = _pos(node, first)
            raise YamlProblem("tag", f"YAML tag {tag} is not allowed here", line, col)
        try:
            return fn(node)
        except NotFinite:
            raise _not_finite(node.value, *_pos(node, first)) from None
    if id(node) in seen:  # the C composer shares the node of an alias
        line, col = _pos(node, first)
        raise YamlProblem("alias", "YAML aliases are not allowed", line, col)
    seen.add(id(node))
    if len(path) >= MAX_DEPTH:  # every reader of the data recurses: Python's stack would end
        line, col = _pos(node, first)
        raise YamlProblem("syntax", f"values nested more than {MAX_DEPTH} levels deep", line, col,
                          hint=DEPTH_HINT)
    if isinstance(node, MappingNode):
        out: dict = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                line, col = _pos(key_node, first)
                raise YamlProblem("syntax", "a key must be plain text", line, col)
            key = key_node.value
            if key_node.style == '"' and INVISIBLE.search(key):
                raise _Invisible(key_node)
            if key_node.tag == "tag:yaml.org,2002:merge" or key == "<<" and key_node.style is None:
                line, col = _pos(key_node, first)
                raise YamlProblem("alias", "YAML merge keys (<<) are not allowed", line, col)
            if key in out:
                line, col = _pos(key_node, first)
                seen_at = positions.get((*path, key), (0, 0))[0]
                raise YamlProblem(
                    "duplicate-key",
                    f"duplicate key '{key}' (first at line {seen_at})",
                    line,
                    col,
                )
            sub = (*path, key)
            positions[sub] = _pos(key_node, first)
            out[key] = _build(value_node, sub, positions, seen, first)
        return out
    if isinstance(node, SequenceNode):
        items = []
        for i, item in enumerate(node.value):
            sub = (*path, i)
            positions[sub] = _pos(item, first)
            items.append(_build(item, sub, positions, seen, first))
        return items
    line, col = _pos(node, first)  # pragma: no cover - PyYAML has no other node kinds
    raise YamlProblem("syntax", "unsupported YAML node", line, col)
