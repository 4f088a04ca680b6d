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

The commonest lines take the fewest steps: `key: plain text`, `- item`, a quoted value
with no escape, and `- key: value`; a key seen before needs no check, and a plain value
that must be resolved (a date, a number, `No`) is kept by its text. The paths and places
of positions are shared between texts as they are read (see _PATHS), found rather than
made: no tuple is made for a key or a place seen before.
"""

from __future__ import annotations

import re

from yaml.nodes import ScalarNode

# A key as front matter writes them; any other key (quoted, with spaces, `<<`, `? x`) is
# left to libyaml. Keys are text, whatever they look like (yamlpos keeps key_node.value).
_KEY = re.compile(r"([A-Za-z_][A-Za-z0-9_-]*):(?: +|$)")
# The keys _KEY matched before: a line `key: ...` of one of them is one _KEY matches, told
# without the match (0.2 µs, where the match took 0.4; `- key: value` items, mostly).
_KEYS: set[str] = set()
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


def load(text: str, first_line: int, resolve, construct, firsts: frozenset,
         plain: bool = False) -> tuple | None:
    """(data, positions) as yamlpos.load gives them, or None when libyaml must read `text`.

    `resolve(value)`: the implicit tag of a plain scalar; `construct`: tag -> function of
    a ScalarNode, for the tags other than str (a tag it lacks: None, for libyaml);
    `firsts`: the first characters of every plain scalar `resolve` may not take for text.
    The positions' paths and places are shared with every text read before (see share).
    `plain`: `text` is known to hold printable ASCII and `\n` alone, none of them odd.
    """
    if first_line < 1 or not plain and odd(text):
        return None  # (lines before the first: places are shared by line, from 1)
    lines = []  # (file line, indentation, content) of each line that holds something
    for n, line in enumerate(text.split("\n"), first_line):
        content = line.lstrip(" ")
        if content and content[0] != "#":
            lines.append((n, len(line) - len(content), content.rstrip(" ")))
    if not lines or lines[0][1] != 0:
        return None
    reader = _Reader(lines, resolve, construct, firsts, "#" not in text)
    try:
        data, at = reader.node(0, 0, ())
    except _Unsure:
        return None
    if at != len(lines):
        return None
    return data, reader.positions


def _key_line(text: str) -> bool:
    """Whether `text` starts with a key as _KEY reads them, kept in _KEYS when it does."""
    m = _KEY.match(text)
    if m is None:
        return False
    if len(_KEYS) < _SHARED_MAX:
        _KEYS.add(m.group(1))
    return True


def odd(text: str) -> bool:
    """Whether `text` holds a character of _ODD: for ASCII, a deletion of the bytes of
    the others (1.4 µs a front matter, where the search took 4.7)."""
    if text.isascii():
        return bool(text.encode().translate(None, _ASCII_PLAIN))
    return _ODD.search(text) is not None


# The paths and places of positions, shared between texts: the front matter of entries of
# a collection has the same keys, and places repeat. A path's children by key or index,
# and each column's places by line, are found without making a tuple; what is made is
# kept in _PATHS and _PLACES, which `share` takes the positions libyaml read to.
_PATHS: dict[tuple, tuple] = {}
_PLACES: dict[tuple, tuple] = {}
_CHILDREN: dict[tuple, dict] = {}  # path -> {key or index: the child's path}
_COLUMNS: dict[int, list] = {}  # column -> [None, (1, column), (2, column), ...]
_SHARED_MAX = 200_000  # paths or places, at most (pathological input: stop sharing)
_LINES_MAX = 5_000  # places by line kept for lines up to this one
_COLUMNS_MAX = 500  # and for columns up to this one


def share(positions: dict) -> dict:
    """The same positions, with equal paths and places shared between texts (see _PATHS):
    a third off an entry's memory on a big catalog. For positions libyaml read."""
    paths, places = _PATHS, _PLACES
    if len(paths) > _SHARED_MAX or len(places) > _SHARED_MAX:
        return positions
    return {paths.setdefault(k, k): places.setdefault(v, v) for k, v in positions.items()}


def _children(path: tuple) -> dict:
    kids = _CHILDREN.get(path)
    if kids is None:
        kids = {}
        if len(_CHILDREN) < _SHARED_MAX:
            _CHILDREN[path] = kids
    return kids


def _child(kids: dict, path: tuple, key) -> tuple:
    """(*path, key), shared (kids: _children(path))."""
    sub = (*path, key)
    if len(_PATHS) < _SHARED_MAX:
        sub = kids[key] = _PATHS.setdefault(sub, sub)
    return sub


def _column(column: int) -> list:
    """The shared places of `column`, by line (index) up to _LINES_MAX."""
    places = _COLUMNS.get(column)
    if places is None:
        places = [None]
        if column <= _COLUMNS_MAX:
            _COLUMNS[column] = places
    return places


def _place(places: list, line: int, column: int) -> tuple:
    """(line, column), shared (places: _column(column)): for a line past the list's end."""
    if line > _LINES_MAX or column > _COLUMNS_MAX or len(_PLACES) >= _SHARED_MAX:
        return line, column
    for n in range(len(places), line + 1):
        place = (n, column)
        places.append(_PLACES.setdefault(place, place))
    return places[line]


# A plain scalar's value by its text, for those `resolve` is asked about (dates, numbers,
# words such as `No` or `Training`): they repeat from one entry to the next.
_VALUES: dict[tuple, dict] = {}  # (resolve, construct's id) -> {text: value}
_VALUES_MAX = 50_000  # texts kept, at most; each at most _VALUE_LEN characters
_VALUE_LEN = 64
_NONE = object()


class _Reader:
    def __init__(self, lines: list, resolve, construct, firsts: frozenset,
                 hashless: bool = False):
        self.lines = lines
        self.hashless = hashless  # the text holds no `#`: no value holds a comment
        self.resolve = resolve
        self.firsts = firsts
        self.construct = construct
        self.positions: dict[tuple, tuple[int, int]] = {}
        # what a plain value that is text at once may not start with
        self.stops = _STOPS.get(firsts) or _STOPS.setdefault(firsts, firsts | _SPECIAL_START)
        key = (resolve, id(construct))
        self.values = _VALUES.get(key) or _VALUES.setdefault(key, {})
        # what `mapping` and `sequence` take at each call, got at once
        self.state = lines, self.positions, self.stops, self.values, hashless

    def node(self, i: int, indent: int, path: tuple):
        """The block node whose first line is line i (at `indent`); -> (value, next line)."""
        if len(path) > _MAX_DEPTH:
            raise _Unsure
        content = self.lines[i][2]
        if content[0] == "-" and (len(content) == 1 or content[1] == " "):
            return self.sequence(i, indent, path)
        head, colon, _ = content.partition(": ")
        if colon and head in _KEYS or _key_line(content):
            return self.mapping(i, indent, path)
        raise _Unsure  # a scalar on a line of its own, `? key`, a directive, ...

    def mapping(self, i: int, indent: int, path: tuple):
        lines, positions, stops, values, hashless = self.state
        # (the shared children and places of a path and column seen before, got at once)
        kids = _CHILDREN.get(path) or _children(path)
        places = _COLUMNS.get(indent + 1) or _column(indent + 1)
        out: dict = {}
        count = len(lines)
        while i < count:
            line_no, at, content = lines[i]
            if at != indent:
                if at > indent:
                    raise _Unsure  # a scalar's next line, or indentation libyaml refuses
                break
            key, spaced, text = content.partition(": ")
            if not spaced:  # `key:` alone, else not `key: ` (`key:value` is a scalar)
                if content[-1] != ":":
                    raise _Unsure
                key = content[:-1]
            sub = kids.get(key)  # a key read before is one this reader takes
            if sub is None:
                if not (key and key.isascii() and (key[0].isalpha() or key[0] == "_")
                        and key.replace("-", "_").isidentifier()):
                    raise _Unsure  # a key to be read by libyaml, or none
                sub = _child(kids, path, key)
            key = sub[-1]  # the key its path holds: one string for both, for marshal too
            if key in out:
                raise _Unsure  # libyaml's reading says where the first one is
            try:
                positions[sub] = places[line_no]
            except IndexError:
                positions[sub] = _place(places, line_no, indent + 1)
            i += 1
            if spaced:
                first = text[0]
                if first == " ":
                    text = text.lstrip(" ")
                    first = text[0]
                # most values are plain text, for which no function of ours is called
                if first not in stops and (":" not in text or ": " not in text
                                           and text[-1] != ":") \
                        and (hashless or " #" not in text):
                    out[key] = text
                # and the next commonest, as `scalar` reads them: a quoted value with no
                # escape, and a plain one read before (a date, a number)
                elif first == '"' and text[-1] == '"' and text != '"' \
                        and '"' not in (inner := text[1:-1]) and "\\" not in inner:
                    out[key] = inner
                elif first != "'" and first != "[" and first != '"' \
                        and (value := values.get(text, _NONE)) is not _NONE:
                    out[key] = value
                else:
                    out[key] = self.scalar(text, line_no, indent + len(content) - len(text),
                                           sub)
            elif i < count and lines[i][1] > indent:
                _, at, below = lines[i]
                if below[0] == "-" and (len(below) == 1 or below[1] == " ") \
                        and len(sub) <= _MAX_DEPTH:
                    out[key], i = self.sequence(i, at, sub)  # as `node` reads it
                else:
                    out[key], i = self.node(i, at, sub)
            elif i < count and lines[i][1] == indent and lines[i][2][0] == "-" \
                    and (len(lines[i][2]) == 1 or lines[i][2][1] == " "):
                out[key], i = self.sequence(i, indent, sub)  # a list beside its key
            else:
                out[key] = None
        return out, i

    def sequence(self, i: int, indent: int, path: tuple):
        lines, positions, stops, _, hashless = self.state
        kids = _CHILDREN.get(path) or _children(path)
        # the places of an item written `- item`, one space after its dash: most are
        spaced = _COLUMNS.get(indent + 3) or _column(indent + 3)
        items: list = []
        count = len(lines)
        while i < count:
            line_no, at, content = lines[i]
            if at != indent:
                if at > indent:
                    raise _Unsure
                break
            if content[:2] != "- ":  # (a line holds no space at its end: `- x` or longer)
                if content == "-":
                    raise _Unsure  # an empty item, or one on the lines below
                break  # the next key of a mapping around a list beside its key
            rest = content[2:]
            if rest[0] == " ":
                rest = rest.lstrip(" ")
                column = indent + len(content) - len(rest)
                places = _COLUMNS.get(column + 1) or _column(column + 1)
            else:
                column, places = indent + 2, spaced
            index = len(items)
            sub = kids.get(index) or _child(kids, path, index)
            try:
                positions[sub] = places[line_no]
            except IndexError:
                positions[sub] = _place(places, line_no, column + 1)
            first = rest[0]
            if first not in stops and ":" not in rest and (hashless or " #" not in rest):
                item = rest  # most items: plain text
                i += 1
            elif ":" not in rest:
                if first == "-" and (len(rest) == 1 or rest[1] == " "):
                    lines[i] = (line_no, column, rest)  # the item's node starts at its column
                    item, i = self.node(i, column, sub)
                else:
                    item = self.scalar(rest, line_no, column, sub)
                    i += 1
            elif (cut := rest.partition(": "))[1] and cut[0] in _KEYS or _key_line(rest):
                # `- key: value`, the commonest item but a word
                if len(sub) > _MAX_DEPTH:
                    raise _Unsure
                lines[i] = (line_no, column, rest)  # the item's mapping starts at its column
                item, i = self.mapping(i, column, sub)
            elif first == "-" and (len(rest) == 1 or rest[1] == " "):
                lines[i] = (line_no, column, rest)
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
            if text.find('"', 1) == len(text) - 1 and "\\" not in text:
                return text[1:-1]  # most quoted values: no escape, nothing after them
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
        value = self.values.get(text, _NONE)
        if value is not _NONE:
            return value
        if not _PLAIN.fullmatch(text):
            raise _Unsure
        value = self.plain(text)
        if len(text) <= _VALUE_LEN and len(self.values) < _VALUES_MAX:
            self.values[text] = value
        return value

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
        positions, kids = self.positions, _children(path)
        for m in _FLOW_ITEM.finditer(text, 1):
            index, at = len(items), column + m.start() + 1
            places = _column(at)
            sub = kids.get(index) or _child(kids, path, index)
            positions[sub] = places[line_no] if line_no < len(places) \
                else _place(places, line_no, at)
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
_STOPS: dict[frozenset, frozenset] = {}  # firsts -> firsts | _SPECIAL_START
# A flow sequence of words: letters, digits and `_ . / -` (no indicator, no space inside).
_WORD = r"[A-Za-z0-9_][A-Za-z0-9_./-]*"
_FLOW = re.compile(rf"\[ *{_WORD}(?: *, *{_WORD})* *\]")
_FLOW_ITEM = re.compile(_WORD)
