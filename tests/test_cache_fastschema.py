"""The compiled schema fast path agrees with jsonschema on every instance it decides."""

from __future__ import annotations

import copy
import random
import re
import sys

import pytest
from hypothesis import given, settings, strategies as st

from conftest import REPO
from pipeline.catalog.loader import parse_files, read_folder
from pipeline.config import load_settings
from pipeline.fastschema import Compiler, FastSchemaSet, Unsupported, Unsure
from pipeline.schemas import SchemaSet

sys.path.insert(0, str(REPO / "benchmarks"))
import generate  # noqa: E402

ODD_VALUES = [None, 0, 1.5, -3, True, "", "x" * 500, "2026-02-30", "2026-13-01", "20261001",
              "not a url", "http://exa mple.org", "https://example.org/ok", "ftp://x.org/",
              [], ["a", "a"], ["a", 1], [{"id": "x"}], {}, {"rating": "great"}, "published",
              "recommended", "glossary/awq", "Glossary/AWQ", 1.0, float("inf"), "tools/vllm"]


def paths(value, path=()):
    yield path
    if isinstance(value, dict):
        for k, v in value.items():
            yield from paths(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from paths(v, (*path, i))


def mutate(data, rng):
    data = copy.deepcopy(data)
    path = rng.choice(list(paths(data))[1:])
    parent = data
    for step in path[:-1]:
        parent = parent[step]
    roll = rng.random()
    if roll < 0.2 and isinstance(parent, dict):
        del parent[path[-1]]
    elif roll < 0.3 and isinstance(parent, dict):
        parent[path[-1] + "x"] = parent[path[-1]]  # a typo'd key
    elif roll < 0.4 and isinstance(parent, list):
        parent.append(copy.deepcopy(parent[path[-1]]))  # a duplicate item
    else:
        parent[path[-1]] = copy.deepcopy(rng.choice(ODD_VALUES))
    return data


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    root = generate.generate(tmp_path_factory.mktemp("fast") / "cat", 120, seed=3)
    settings = load_settings(root)
    entries, _ = parse_files(read_folder(settings))
    return settings, entries


def test_fast_and_jsonschema_agree_on_valid_and_broken_front_matter(corpus):
    settings, entries = corpus
    slow = SchemaSet.load(settings.path("schemas"))
    fast = FastSchemaSet.load(settings.path("schemas"))
    assert {e.collection for e in entries} <= set(fast._fast)  # every collection compiles
    rng = random.Random(5)
    decided = invalid = 0
    for n in range(4000):
        entry = entries[n % len(entries)]
        data = entry.data if n < len(entries) else mutate(entry.data, rng)
        truth = slow.validator(entry.collection).is_valid(data)
        try:
            verdict = fast._fast[entry.collection].check(data)
        except Unsure:
            continue
        decided += 1
        invalid += not truth
        assert verdict == truth, (entry.id, data)
    assert decided > 3500 and invalid > 1500


def test_an_invalid_entry_gets_jsonschemas_errors(corpus):
    settings, entries = corpus
    fast = FastSchemaSet.load(settings.path("schemas"))
    slow = SchemaSet.load(settings.path("schemas"))
    entry = next(e for e in entries if e.collection == "hardware")
    data = {**entry.data, "kind": "toaster", "sumary": "typo"}
    errors = [e.message for e in fast.validator("hardware").iter_errors(data)]
    assert errors == [e.message for e in slow.validator("hardware").iter_errors(data)]
    assert errors and list(fast.validator("hardware").iter_errors(entry.data)) == []


def test_unknown_keywords_leave_the_schema_to_jsonschema():
    with pytest.raises(Unsupported):
        Compiler({"x": {"$id": "x", "patternProperties": {"^a": {}}}}).compile_document(
            {"$id": "x", "patternProperties": {"^a": {}}})
    fast = FastSchemaSet(folder=None, documents={"x": {"$id": "https://e.org/x",
                                                       "prefixItems": [{"type": "string"}]}})
    assert fast._fast == {}


@pytest.mark.parametrize("const", [True, False])
def test_boolean_consts_are_compiled_and_agree_with_jsonschema(const):
    """`const: true` (the affiliate programs' `shortener`) takes only true, not 1 or 1.0."""
    import jsonschema

    schema = {"type": "object", "properties": {"flag": {"const": const}}}
    check = Compiler({"x": schema}).compile_document(schema)
    slow = jsonschema.Draft202012Validator(schema)
    for value in [*ODD_VALUES, False, 0, 0.0, "true", [True]]:
        assert check({"flag": value}) == slow.is_valid({"flag": value}), value


def test_a_valid_programs_file_is_read_without_jsonschema():
    """The programs file goes through its compiled schema first: reading the shipped one
    imports no jsonschema (60 ms of every command that reads it)."""
    import subprocess

    code = ("import sys; from pathlib import Path; from pipeline.config import load_settings; "
            "from pipeline.affiliates.programs import load_programs; "
            f"p = load_programs(load_settings(Path({str(REPO)!r}))); "
            "print(len(p.programs), 'jsonschema' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert int(out[0]) > 0 and out[1] == "False"


def test_the_reference_fields_are_found_without_referencing():
    """What refers to other entries is read from the schemas by following their `$ref`
    pointers directly: no `referencing` (with attrs, 40 ms of every command that reads
    the schemas) until jsonschema is wanted."""
    import subprocess

    code = ("import sys; from pathlib import Path; from pipeline.fastschema import FastSchemaSet; "
            f"s = FastSchemaSet.load(Path({str(REPO / 'schemas')!r})); "
            "n = sum(len(s.ref_fields(c)) for c in ('models', 'guides', 'glossary')); "
            "s.validator('models'); print(n, 'referencing' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert int(out[0]) > 0 and out[1] == "False"


def test_a_ref_the_pointer_lookup_cannot_follow_goes_through_referencing():
    """An anchor (`#name`) is resolved as jsonschema resolves it."""
    from pipeline.schemas import SchemaSet

    doc = {"$id": "https://e.org/a.schema.json",
           "$defs": {"ids": {"$anchor": "ids", "type": "array", "items": {"type": "string"}}},
           "properties": {"x": {"$ref": "#ids"}, "y": {"$ref": "#/$defs/ids"}}}
    schemas = SchemaSet(folder=None, documents={"a": doc})
    assert schemas.resolve(doc["properties"]["x"], doc) == (doc["$defs"]["ids"], doc)
    assert schemas.resolve(doc["properties"]["y"], doc) == (doc["$defs"]["ids"], doc)


_URI_PIECES = ["https://", "http://", "example.org", "a-b.c", ":8080", ":", "/", "/path", "?",
               "q=1", "&", "#", "frag", "%20", "%2", "%zz", " ", "[", "]", "@", "user", "é",
               "\\", "|", "{", "~", "'", "(", ")", "!", "$", "*", "+", ",", ";", "=", "^", "`"]


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(_URI_PIECES), max_size=8).map("".join))
def test_the_quick_uri_test_agrees_with_rfc3986(url):
    """A plain http(s) URL is passed without importing rfc3986-validator (15 ms); whatever
    the quick pattern passes, rfc3986's rule passes too, and the check says what it says."""
    from rfc3986_validator import validate_rfc3986

    from pipeline.fastschema import _PLAIN_URI, _uri_check

    full = bool(validate_rfc3986(url, rule="URI"))
    if _PLAIN_URI.fullmatch(url):
        assert full, url
    assert _uri_check()(url) == full


# The quick pattern as RFC 3986 writes it, a branch a character: what the faster form of it
# must match, neither more nor less.
_PCHAR = r"(?:[A-Za-z0-9\-._~!$&'()*+,;=:@]|%[0-9A-Fa-f]{2})"
_PLAIN_URI_GRAMMAR = re.compile(rf"https?://[A-Za-z0-9.-]+(?::[0-9]*)?(?:/{_PCHAR}*)*"
                                rf"(?:\?(?:{_PCHAR}|[/?])*)?(?:#(?:{_PCHAR}|[/?])*)?")


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(_URI_PIECES + ["//", "%41", "%4", "?#", "#?"]), max_size=10)
       .map("".join))
def test_the_quick_uri_pattern_is_the_grammar_s(url):
    """_PLAIN_URI reads runs of a character class where the grammar reads a character at a
    time: the same URLs match."""
    from pipeline.fastschema import _PLAIN_URI

    assert bool(_PLAIN_URI.fullmatch(url)) == bool(_PLAIN_URI_GRAMMAR.fullmatch(url))


@settings(max_examples=2000, deadline=None)
@given(st.one_of(st.from_regex(_PLAIN_URI_GRAMMAR, fullmatch=True),
                 st.lists(st.sampled_from(_URI_PIECES + ["//", "%41", "?#", "#?"]), max_size=10)
                 .map("".join)),
       st.sampled_from(["^https?://", "^https?:", "^http", "^https://", "e\\.org", None]))
def test_a_plain_url_is_passed_by_one_match_as_its_pattern_and_format_pass_it(url, pattern):
    """A `format: uri` string that _PLAIN_URI matches is passed without its pattern's test
    when the pattern is one of _PLAIN_URI_PATTERNS, which every such URL matches: the
    compiled check says what jsonschema says, with those patterns and others."""
    import jsonschema

    from pipeline.fastschema import _PLAIN_URI, _PLAIN_URI_PATTERNS
    from pipeline.schemas import ecma_regex

    if _PLAIN_URI.fullmatch(url):
        assert all(ecma_regex(p).search(url) for p in _PLAIN_URI_PATTERNS), url
    schema = {"type": "object", "properties": {"u": {
        "type": "string", "format": "uri", **({"pattern": pattern} if pattern else {})}}}
    check = Compiler({"x": schema}).compile_document(schema)
    slow = jsonschema.Draft202012Validator(schema,
                                           format_checker=jsonschema.FormatChecker())
    assert check({"u": url}) == slow.is_valid({"u": url}), (url, pattern)


def test_a_long_url_that_goes_wrong_at_its_end_is_refused_at_once():
    """_PLAIN_URI's runs of characters inside a repeat, `(?:[...]+|%XX)*`, could be cut into
    runs in exponentially many ways, each tried before a URL that goes wrong at its end
    was refused: a path of 22 characters then a space took 0.23 s, one of 40 would have
    taken hours, in validate, for a URL an editor mistyped. In a process of its own, so
    that a return of the old pattern fails the test instead of hanging the suite."""
    import subprocess
    import sys

    script = """
from pipeline.fastschema import _PLAIN_URI, _uri_check
for tail in (" x", "%4", "?a b", "#a b", "/ x"):
    for part in ("a" * 60, "a/" * 60, "%41a" * 30):
        url = "https://example.com/" + part + tail
        assert _PLAIN_URI.fullmatch(url) is None, url
        assert _PLAIN_URI.fullmatch(url[:-len(tail)] or url) is not None, url
print("done")
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          timeout=300)
    assert (done.returncode, done.stdout.strip()) == (0, "done"), done.stderr[-500:]


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-5, 5) | st.floats(allow_nan=False)
    | st.sampled_from([v for v in ODD_VALUES if isinstance(v, str)]) | st.text(max_size=6),
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(st.sampled_from(["id", "rating", "text", "url", "title", "x"]), inner,
                      max_size=3),
    max_leaves=8)


@pytest.fixture(scope="module")
def both(corpus):
    settings, entries = corpus
    fast = FastSchemaSet.load(settings.path("schemas"))
    slow = SchemaSet.load(settings.path("schemas"))
    by_collection = {}
    for e in entries:
        by_collection.setdefault(e.collection, e)
    return fast, slow, sorted(by_collection.values(), key=lambda e: e.id)


@settings(max_examples=1500, deadline=None)
@given(st.data())
def test_the_generated_checks_agree_with_jsonschema_on_any_value_anywhere(both, data):
    """The schemas compiled to Python source (one function a schema, its keywords written
    out inline) say what jsonschema says of any JSON value put at any place of an entry's
    front matter: a key of its collection's schema, an item of one of its lists, a key of
    one of its mappings, or a key it does not know."""
    fast, slow, samples = both
    entry = data.draw(st.sampled_from(samples))
    front = copy.deepcopy(entry.data)
    places = [p for p in paths(front)][1:]
    place = data.draw(st.sampled_from(places))
    value = data.draw(_JSON)
    parent = front
    for step in place[:-1]:
        parent = parent[step]
    if data.draw(st.booleans()) and isinstance(parent, dict):
        parent[data.draw(st.sampled_from([*fast.documents[entry.collection]["properties"],
                                          "sumary"]))] = value
    else:
        parent[place[-1]] = value
    try:
        verdict = fast._fast[entry.collection].check(front)
    except Unsure:
        return
    assert verdict == slow.validator(entry.collection).is_valid(front), front


def test_what_a_pattern_passed_is_remembered_for_that_pattern_only():
    """The texts a pattern or a date passed are remembered (by pattern and format), and
    only that: another schema with the same pattern still tests its own length, a text
    that failed fails again, and a date the calendar lacks is never remembered."""
    doc = {"$id": "https://e.org/a", "type": "object", "properties": {
        "any": {"type": "string", "pattern": "^a+$"},
        "short": {"type": "string", "pattern": "^a+$", "maxLength": 2},
        "day": {"type": "string", "format": "date"}}}
    check = Compiler({"a": doc}).compile_document(doc)
    for _ in range(2):
        assert check({"any": "aaa"}) and not check({"short": "aaa"}) and check({"short": "aa"})
        assert not check({"any": "b"}) and not check({"short": "ab"})
        assert check({"day": "2026-02-28"}) and not check({"day": "2026-02-30"})
