"""Front matter in the shape editors write it, read line by line without libyaml.

Almost every entry's front matter is block YAML of one shape: `key: value`
lines, nested mappings and lists by indentation, `- item` and `- key: value`
items, single-line plain or quoted scalars. For that shape a line is enough
to know what it is, and reading lines takes a quarter less time than
composing libyaml's node tree and building values from it (0.28 against
0.37 ms an entry on the benchmark corpus; parsing an entry went from 0.48 to
0.385 ms).

`load` reads that shape and nothing else: it returns None at the first line
it is not sure of (a multi-line or block scalar, a flow collection, a
comment after a value, an anchor, a tag, an escape, a duplicate key, odd
indentation, a character libyaml refuses, a number that is not finite, ...) and the caller reads the
whole text with libyaml (yamlpos), which also words every error. What it
returns is what yamlpos returns for the same text: the same values of the
same types (plain scalars are resolved by PyYAML's own resolver) and the
same positions; tests/test_yamlfast.py compares the two on generated
catalogs and on every odd case listed above.
"""

from __future__ import annotations

import re

from yaml.nodes import ScalarNode

# A key as front matter writes them; any other key (quoted, with spaces, `<<`, `? x`) is
# left to libyaml. Keys are text, whatever they look like (yamlpos keeps key_node.value).
_KEY = re.compile(r"([A-Za-z_][A-Za-z0-9_-]*):(?: +|$)")
# Quoted scalars on one line, with nothing but spaces after them (no escape: for libyaml).
_DOUBLE = re.compile(r'"([^"\\]*)" *')
_SINGLE = re.compile(r"'((?:[^']|'')*)' *")
# Characters that make libyaml stop ("special characters are not allowed"), tabs (which
# indentation may not use), line breaks other than \n (which libyaml counts as lines,
# see yamlpos._load_odd) and a byte-order mark: all for libyaml.
_ODD = re.compile("[^\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd"
                  "\U00010000-\U0010ffff]")
# The bytes of the ASCII characters _ODD does not match (see odd).
_ASCII_PLAIN = bytes(range(0x20, 0x7f)) + b"\n"
_MAX_DEPTH = 40  # deeper is rare and for yamlpos, which refuses what is too deep


class _Unsure(Exception):
    """Not a shape this reader knows: libyaml reads the text."""


def load(text: str, first_line: int, resolve, construct, firsts: frozenset) -> tuple | None:
    """(data, positions) as yamlpos.load gives them, or None when libyaml must read `text`.

    `resolve(value)`: the implicit tag of a plain scalar; `construct`: tag -> function of
    a ScalarNode, for the tags other than str (a tag it lacks: None, for libyaml);
    `firsts`: the first characters of every plain scalar `resolve` may not take for text.
    """
    if odd(text):
        return None
    lines = []  # (file line, indentation, content) of each line that holds something
    for n, line in enumerate(text.split("\n"), first_line):
        content = line.lstrip(" ")
        if content and content[0] != "#":
            lines.append((n, len(line) - len(content), content.rstrip(" ")))
    if not lines or lines[0][1] != 0:
        return None
    reader = _Reader(lines, resolve, construct, firsts)
    try:
        data, at = reader.node(0, 0, ())
    except _Unsure:
        return None
    if at != len(lines):
        return None
    return data, reader.positions


def odd(text: str) -> bool:
    """Whether `text` holds a character of _ODD: for ASCII, a deletion of the bytes of
    the others (1.4 µs a front matter, where the search took 4.7)."""
    if text.isascii():
        return bool(text.encode().translate(None, _ASCII_PLAIN))
    return _ODD.search(text) is not None


class _Reader:
    def __init__(self, lines: list, resolve, construct, firsts: frozenset):
        self.lines = lines
        self.resolve = resolve
        self.firsts = firsts
        self.construct = construct
        self.positions: dict[tuple, tuple[int, int]] = {}

    def node(self, i: int, indent: int, path: tuple):
        """The block node whose first line is line i (at `indent`); -> (value, next line)."""
        if len(path) > _MAX_DEPTH:
            raise _Unsure
        content = self.lines[i][2]
        if content[0] == "-" and (len(content) == 1 or content[1] == " "):
            return self.sequence(i, indent, path)
        if _KEY.match(content):
            return self.mapping(i, indent, path)
        raise _Unsure  # a scalar on a line of its own, `? key`, a directive, ...

    def mapping(self, i: int, indent: int, path: tuple):
        lines, positions, scalar = self.lines, self.positions, self.scalar
        firsts = self.firsts
        out: dict = {}
        count = len(lines)
        while i < count:
            line_no, at, content = lines[i]
            if at != indent:
                if at > indent:
                    raise _Unsure  # a scalar's next line, or indentation libyaml refuses
                break
            colon = content.find(":")
            key = content[:colon]
            if colon < 1 or not (key.isascii() and (key[0].isalpha() or key[0] == "_")
                                 and key.replace("-", "_").isidentifier()):
                raise _Unsure  # not `key:`, or a key to be read by libyaml
            if key in out:
                raise _Unsure  # libyaml's reading says where the first one is
            sub = (*path, key)
            positions[sub] = (line_no, indent + 1)
            i += 1
            if colon + 1 < len(content):
                text = content[colon + 1:]
                if text[0] != " ":
                    raise _Unsure  # `key:value` is one plain scalar: for libyaml
                text = text.lstrip(" ")
                # most values are plain text, for which no function of ours is called
                if text[0] not in firsts and text[0] not in _SPECIAL_START \
                        and ": " not in text and " #" not in text and text[-1] != ":":
                    out[key] = text
                else:
                    out[key] = scalar(text, line_no, indent + len(content) - len(text), sub)
            elif i < count and lines[i][1] > indent:
                out[key], i = self.node(i, lines[i][1], sub)
            elif i < count and lines[i][1] == indent and lines[i][2][0] == "-" \
                    and (len(lines[i][2]) == 1 or lines[i][2][1] == " "):
                out[key], i = self.sequence(i, indent, sub)  # a list beside its key
            else:
                out[key] = None
        return out, i

    def sequence(self, i: int, indent: int, path: tuple):
        lines, positions = self.lines, self.positions
        items: list = []
        count = len(lines)
        while i < count:
            line_no, at, content = lines[i]
            if at != indent:
                if at > indent:
                    raise _Unsure
                break
            if content[0] != "-" or len(content) < 3 or content[1] != " ":
                if content[0] == "-" and len(content) == 1:
                    raise _Unsure  # an empty item, or one on the lines below
                break  # the next key of a mapping around a list beside its key
            rest = content[2:].lstrip(" ")
            column = indent + len(content) - len(rest)
            sub = (*path, len(items))
            positions[sub] = (line_no, column + 1)
            if (rest[0] == "-" and (len(rest) == 1 or rest[1] == " ")) or _KEY.match(rest):
                lines[i] = (line_no, column, rest)  # the item's node starts at its column
                item, i = self.node(i, column, sub)
            else:
                item = self.scalar(rest, line_no, column, sub)
                i += 1
            items.append(item)
        return items, i

    def scalar(self, text: str, line_no: int, column: int, path: tuple):
        """The value written as `text`, which starts at `column` (from 0) of line `line_no`."""
        first = text[0]
        if first == '"':
            m = _DOUBLE.fullmatch(text)
            if m is None:
                raise _Unsure  # an escape, a comment after it, or more lines
            return m.group(1)
        if first == "'":
            m = _SINGLE.fullmatch(text)
            if m is None:
                raise _Unsure
            return m.group(1).replace("''", "'")
        if first == "[":
            return self.flow(text, line_no, column, path)
        if text == "{}":
            return {}
        if not _PLAIN.fullmatch(text):
            raise _Unsure
        return self.plain(text)

    def plain(self, text: str):
        tag = self.resolve(text) if text[0] in self.firsts else _STR
        if tag == _STR:
            return text
        if tag == _TIMESTAMP:
            return text  # dates stay text (yamlpos)
        if tag == _INT and text.isdigit() and text.isascii() and (text[0] != "0" or text == "0"):
            return int(text)
        fn = self.construct.get(tag)
        if fn is None:
            raise _Unsure  # libyaml's reading refuses it, and says where
        try:
            return fn(ScalarNode(tag, text))
        except ValueError:
            raise _Unsure from None  # `.nan`, `.inf`: refused by libyaml's reading, at its place

    def flow(self, text: str, line_no: int, column: int, path: tuple):
        """`[a, b, c]` of plain words (ids, tags, numbers) on one line; anything else
        (quotes, nesting, a comment, a trailing comma) is for libyaml."""
        if text == "[]":
            return []
        if not _FLOW.fullmatch(text):
            raise _Unsure
        items = []
        positions = self.positions
        for m in _FLOW_ITEM.finditer(text, 1):
            positions[(*path, len(items))] = (line_no, column + m.start() + 1)
            items.append(self.plain(m.group(0)))
        return items


_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
# A plain scalar on one line: its first character is no indicator (flow, comment, anchor,
# alias, tag, block scalar, directive, reserved), nor `-`, `?`, `:` before a space; no
# `: ` or ` #` inside it (a mapping, a comment); no `:` at its end.
_PLAIN = re.compile(r"""(?:[^\[\]{}#&*!|>%@`,'"?:\- ]|[?:-](?! |$))(?:[^:#]++|:(?! )|(?<! )#)*+(?<!:)""")
# What a plain scalar may not start with, and `-?:`, which may start one (`-1`): for
# `scalar` to look at closely.
_SPECIAL_START = frozenset("[]{}#&*!|>%@`,'\"?:-")
# A flow sequence of words: letters, digits and `_ . / -` (no indicator, no space inside).
_WORD = r"[A-Za-z0-9_][A-Za-z0-9_./-]*"
_FLOW = re.compile(rf"\[ *{_WORD}(?: *, *{_WORD})* *\]")
_FLOW_ITEM = re.compile(_WORD)
