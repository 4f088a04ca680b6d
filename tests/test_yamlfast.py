"""yamlfast reads front matter line by line: whatever it reads, it reads as libyaml does
(the same values, of the same types, at the same positions), and it leaves everything
else to libyaml (yamlpos), errors included."""

from __future__ import annotations

import math
import random
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from pipeline.catalog import yamlfast, yamlpos

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import generate  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def fast(text: str, first_line: int = 2):
    return yamlfast.load(text, first_line, yamlpos._resolve, yamlpos._SCALARS, yamlpos._FIRSTS)


def slow(text: str, first_line: int = 2):
    """libyaml's reading, or the YamlProblem it raises."""
    try:
        return yamlpos._load(text, first_line)
    except yamlpos.YamlProblem as p:
        return p


def same(a, b) -> bool:
    """Equal values of equal types, keys in the same order (True is not 1, 1 is not 1.0)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    return a == b


def assert_agrees(text: str, first_line: int = 2) -> bool:
    """-> whether yamlfast read `text` (rather than leaving it to libyaml)."""
    got, want = fast(text, first_line), slow(text, first_line)
    if got is None:
        return False
    assert not isinstance(want, yamlpos.YamlProblem), f"libyaml refuses {text!r}: {want}"
    assert same(got[0], want[0]), (text, got[0], want[0])
    assert got[1] == want[1], (text, got[1], want[1])
    return True


def front_matter(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    return text[4:text.find("\n---", 3) + 1]


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> list[str]:
    root = generate.generate(tmp_path_factory.mktemp("yf") / "cat", 300, seed=11)
    return [front_matter(p) for p in sorted((root / "entries").rglob("*.md"))]


def test_a_generated_catalog_is_read_as_libyaml_reads_it(generated):
    read = sum(assert_agrees(text) for text in generated)
    assert read == len(generated)  # all of it in the shape yamlfast knows


def test_the_shipped_catalog_is_read_as_libyaml_reads_it():
    texts = [front_matter(p) for p in sorted((ROOT / "entries").rglob("*.md"))]
    read = sum(assert_agrees(text) for text in texts)
    assert read >= len(texts) // 3  # flow lists of ids and tags are read too


@pytest.mark.parametrize("text", [
    "a: 1\nb: text\n",
    "a: 12\nb: 1.5\nc: true\nd: null\ne: ~\nf: 2026-10-02\ng: Yes\nh: '12'\ni: text\n"
    "j: 1e3\nk: -3\nl: +4\nm: 0x1F\nn: 1_000\no: 017\np: 1:20\nq: -1.5e+3\nr: 2026-10-02 10:00:00\n",
    "tags:\n- a\n- b\nnext: 1\n",  # a list beside its key
    "tags:\n    - a\n    - b\n",
    "s:\n  - id: x\n    url: \"https://e.org/?a=1&b=2#frag\"\n  - id: y\n",
    "- - a\n  - b\n- c\n",
    "- a:\n  - x\n  b: 1\n",
    "a:\n  b:\n    c:\n      d: deep\n",
    "a: 'it''s'\nb: ''\nc: \"\"\nd: \"x\"   \n",
    "a: [x, y-1, z/w, 2, yes, 2026-01-02]\nb: []\nc: {}\nd: [ x ]\n",
    "- [a, b]\n- c\n",
    "# a comment\na: 1\n  # an indented comment\nb: 2\n\n\nc: 3\n",
    "a: it's a \"quote\" | and > and & and *\nb: a#b\nc: x:y\n",
    "t: Über 8 GB — 35 % of it\n",
    "a: 1\nb:\nc:   spaced\n",
    "b-c: 2\n_d: 3\nA9: 4\n",
])
def test_odd_but_known_shapes_are_read_as_libyaml_reads_them(text):
    assert assert_agrees(text)


@pytest.mark.parametrize("text", [
    "a: 1 # a comment\n",
    "a: \"x\" # a comment\n",
    "a: long\n  text on two lines\n",
    "a: |\n  block\n",
    "a: >-\n  folded\n",
    "a: \"with \\\" escape\"\n",
    "a: \"open\n  close\"\n",
    "a: &x 1\nb: *x\n",
    "a: !!str 1\n",
    "<<: {a: 1}\n",
    "a: 1\na: 2\n",
    "a:\n  b: 1\n c: 2\n",
    "a: 1\n  b: 2\n",
    "a:\tb\n",
    "a: b\u2028c: d\n",
    "\ufeffa: 1\n",
    "a: [x, \"y\"]\n",
    "a: [x, [y]]\n",
    "a: {b: 1}\n",
    "a: [x,]\n",
    "a: b: c\n",
    "a: -\n",
    "a:b\n",
    "\"a\": 1\n",
    "a b: 1\n",
    "1: x\n",
    "-a: 1\n",
    "? a\n: b\n",
    "a:\n  plain line\n",
    "-\n- a\n",
    "---\na: 1\n",
    "  a: 1\n",
    "a: %x\n",
    "a: @x\n",
    "a: `x`\n",
    "a: x\x07\n",
    "a: .nan\n",  # refused by libyaml's reading, at its place
    "a: -.Inf\n",
    "a: 1.0e+999\n",
])
def test_what_it_does_not_know_is_left_to_libyaml(text):
    assert fast(text) is None


# Lines as editors write them, and as they mistype them: yamlfast either reads the text as
# libyaml does, or leaves it to libyaml.
_GOOD_KEYS = ["a", "id", "url", "a-b", "x_1", "yes", "null"]
_ODD_KEYS = ["-a", "1", "a b", "<<", "a ", "\"q\"", "é"]
_KEYS = st.one_of(*[st.sampled_from(_GOOD_KEYS)] * 10, st.sampled_from(_ODD_KEYS))
_GOOD_VALUES = [
    "", "text", "two words", "1", "-1", "1.5", "0x1F", "017", "1:20", "yes", "No", "null",
    "~", "2026-10-02", "'q'", "'it''s'", "\"dq\"", "[a, b]", "[]", "{}", "é ü", ".inf",
    ".nan", "+4", "a#b", "x:y", "it's", "a \"b\" c", "https://e.org/a?b=1#c", "50 %",
]
_ODD_VALUES = [
    "\"a\\\"b\"", "[a, \"b\"]", "a # c", "a: b", "a:", "&x a", "*x", "!t a", "|", ">",
    "-", "- a", "?", "%x", "@x", "'open", "\"open", "[open", "a\tb", "[a,]", "{a: 1}",
]
_VALUES = st.one_of(*[st.sampled_from(_GOOD_VALUES)] * 10, st.sampled_from(_ODD_VALUES))


def _block(draw, indent: int, depth: int) -> list[str]:
    """The lines of a mapping or a list at `indent`, nested at most 3 deep."""
    pad, lines = " " * indent, []
    listed = draw(st.booleans())
    for n in range(draw(st.integers(1, 4))):
        if draw(st.integers(0, 9)) == 0:
            lines.append(draw(st.sampled_from(["", f"{pad}# note", "# note"])))
        gap = draw(st.sampled_from([" "] * 6 + ["  ", ""]))
        head = f"{pad}-{gap}" if listed else f"{pad}{draw(_KEYS)}{n}:{gap}"
        nested = depth < 3 and draw(st.integers(0, 2)) == 0
        if listed and nested and draw(st.booleans()):  # `- key: value` and its siblings
            inner = indent + 1 + len(gap)
            block = _block(draw, inner, depth + 1)
            lines.append(head + block[0][inner:])
            lines += block[1:]
        elif nested:
            lines.append(head.rstrip(" "))
            step = draw(st.sampled_from([2, 2, 4, 1, 0]))  # 0: a list beside its key
            lines += _block(draw, indent + step, depth + 1)
        else:
            lines.append(head + draw(_VALUES))
    return lines


@st.composite
def _documents(draw) -> str:
    return "\n".join(_block(draw, 0, 0)) + draw(st.sampled_from(["\n", ""]))


@settings(max_examples=1500, deadline=None)
@given(_documents())
def test_editor_like_text_is_read_as_libyaml_reads_it_or_left_to_it(text):
    assert_agrees(text)


def test_mistyped_generated_front_matter_is_read_as_libyaml_reads_it_or_left_to_it(generated):
    rng = random.Random(5)
    breakers = [" ", "  ", ":", ": ", "-", "- ", "#", " #", "'", "\"", "[", "]", "{", "&", "*",
                "!", "|", ">", "\t", "\\", "?", ","]
    read = 0
    for n in range(3000):
        lines = generated[n % len(generated)].split("\n")
        i = rng.randrange(len(lines))
        line = lines[i]
        at = rng.randrange(len(line) + 1)
        how = rng.randrange(3)
        if how == 0:
            line = line[:at] + rng.choice(breakers) + line[at:]
        elif how == 1:
            line = line[:at] + line[at + 1:]
        else:
            line = " " * rng.randrange(5) + line.lstrip(" ")
        lines[i] = line
        read += assert_agrees("\n".join(lines))
    assert read > 1000  # most mistypes still read as YAML of the known shape


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from("a\n \t\x00\x1f\x7f\x85\xa0\u2028\ufeff\ufffe\U0001f600"
                                        "~"), max_size=12))
def test_the_odd_characters_are_found_alike_in_ascii_and_other_text(text):
    assert yamlfast.odd(text) == (yamlfast._ODD.search(text) is not None)


_PIECE = st.lists(st.sampled_from([*"aN1-.: #\"'\\[]{}&!,|>", " #", ": ", "''"]),
                  max_size=5).map("".join)
_TRICKY = st.one_of(_PIECE.filter(bool), _PIECE.map("a{}".format), st.builds(
    lambda quote, inside, after: f"{quote}{inside}{quote}{after}",
    st.sampled_from("\"'"), _PIECE, st.sampled_from(["", " ", " #", "x", "\""])))


@settings(max_examples=1500, deadline=None)
@given(_TRICKY, _TRICKY)
def test_values_and_items_of_tricky_characters_are_read_as_libyaml_reads_them(a, b):
    """The short cuts for the commonest lines (a plain value, a quoted one, a list item)
    and the values kept from one text to the next read as libyaml does, or leave it."""
    for text in (f"k: {a}\nl:\n  - {b}\n  - {a}\n", f"- {b}\n- k: {a}\n", f"k: {a}\nm: {a}\n"):
        assert_agrees(text)


@settings(max_examples=1500, deadline=None)
@given(_TRICKY, _TRICKY, st.sampled_from(["", " ", "  ", "   "]))
def test_short_cuts_of_a_text_without_hash_or_with_items_spaced_read_as_libyaml_reads(a, b, gap):
    """A text with no `#` is not searched for ` #` in each value (_Reader.hashless), an item
    one space after its dash takes its places from the list's, and a plain item is read
    before the tests of other items: what they read is what libyaml reads, or left to it."""
    for text in (f"k: {a}\nl:\n  -{gap}{b}\n  -{gap}{a}\nm:{gap}{b}\n",
                 f"-{gap}{a}\n- {b}\n-{gap}k: {b}\n  m: {a}\n"):
        assert_agrees(text)
        assert_agrees(text.replace("#", "x"))


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from([*"aZ_-1: #é", ": "]), max_size=6).map("".join), _TRICKY)
def test_a_line_of_a_key_read_before_is_told_as_the_key_pattern_tells_it(key, value):
    """A line or an item `key: ...` of a key read before (yamlfast._KEYS) is a mapping's
    without _KEY's match: read as libyaml reads it, the first time and the next."""
    for text in (f"- {key}: {value}\n", f"{key}: {value}\n", f"- {key}:\n  - x\n",
                 f"{key}:\n- x\n", f"- {key}\n"):
        for _ in range(2):
            assert_agrees(text)
    assert all(yamlfast._KEY.fullmatch(f"{k}:") for k in yamlfast._KEYS)


def test_a_key_is_one_string_in_the_data_and_in_its_path():
    """validate's workers marshal an entry's data and positions together: a key that is
    one object in both is stored once, and read back once (a copy of each key made the
    entries 0.5 % larger and slower to take back)."""
    text = "title: T\nspecs:\n  - label: x\n    value: 1\n"
    fast(text)
    data, positions = fast(text)  # its paths: those of the text read before
    paths = {p: p for p in positions}
    assert all(key is paths[(key,)][0] for key in data)
    assert all(key is paths[("specs", 0, key)][2] for key in data["specs"][0])


@settings(max_examples=1500, deadline=None)
@given(_TRICKY)
def test_a_value_a_mapping_reads_itself_is_what_scalar_reads(a):
    """A mapping reads its commonest values itself (plain text, a quoted value with no
    escape, a value read before): each as `scalar` reads it, or left to libyaml."""
    value = a.strip(" ")
    if not value or value.endswith(":"):
        return  # `k:` alone: no value
    for _ in range(2):  # the second time, a plain value read before
        got = fast(f"k: {value}\n")
        reader = yamlfast._Reader([(2, 0, f"k: {value}")], yamlpos._resolve,
                                  yamlpos._SCALARS, yamlpos._FIRSTS)
        try:
            want = reader.scalar(value, 2, 3, ("k",))
        except yamlfast._Unsure:
            want = None
        if got is not None and want is not None:
            assert same(got[0]["k"], want), (value, got[0], want)
        else:  # what scalar refuses, the mapping takes as libyaml does, or leaves it
            assert_agrees(f"k: {value}\n")


def _lists_below_keys(depth: int, indent: int = 0) -> list[str]:
    """{"k": [..., "x"]} nested `depth` times, each list indented below its key."""
    lines = [" " * indent + "k:"]
    below = indent + 2
    if depth == 1:
        lines.append(" " * below + "- leaf")
    else:
        inner = _lists_below_keys(depth - 1, below + 2)
        lines += [" " * below + "- " + inner[0].lstrip(), *inner[1:]]
    return [*lines, " " * below + "- x"]


@pytest.mark.parametrize("depth", range(17, 24))
def test_lists_below_keys_as_deep_as_allowed_and_deeper_read_as_libyaml_reads_them(depth):
    """A list on the lines below its key is read by the mapping at once, not through
    `node`: as deep as `node` reads one (a path of yamlfast._MAX_DEPTH), deeper left to
    libyaml."""
    text = "\n".join(_lists_below_keys(depth)) + "\n"
    assert assert_agrees(text) == (2 * depth - 1 <= yamlfast._MAX_DEPTH)
