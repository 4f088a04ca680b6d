"""claim-uncited's quantity pattern, written for speed, finds what its plain form finds."""

from __future__ import annotations

import re

from hypothesis import given, settings, strategies as st

from pipeline.checks.citations import _SENTENCE_END, _UNIT, QUANT_RE

# The plain form: the look-behind first. The engine then tries it at every position.
PLAIN = re.compile(
    r"(?<![\w.])(?:\$\s?\d[\d,]*(?:\.\d+)?"
    r"|\d[\d,]*(?:\.\d+)?(?:\s?-\s?\d[\d,]*(?:\.\d+)?)?\s?" + _UNIT + ")"
)
# The plain form of a sentence end: the white space after a full stop (and a closing quote).
PLAIN_END = re.compile(r"(?<=[.!?])[\"')\]]?\s+(?=\S)")
PIECES = ["1", "24", "3.5", "1,000", "$", "$ ", " ", ".", "-", " - ", "%", "x", "×", "GB",
          "GiB/s", "MB", "W", "watts", "ms", "bpw", "GHz", "tok/s", "tokens/s", "t/s",
          "tokens per second", "TFLOPS", "USD", "a", "v", "_", "é", "\n", "(", "[@s]"]


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=14).map("".join))
def test_the_fast_pattern_finds_the_same_claims(text):
    assert [m.span() for m in QUANT_RE.finditer(text)] == \
        [m.span() for m in PLAIN.finditer(text)]


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(PIECES + ["!", "?", ". ", "! ", '." ', ".) ", "..", "?!", ")",
                                          '"', "]", "\t", "a. b"]), max_size=14).map("".join))
def test_the_fast_sentence_end_finds_the_same_boundaries(text):
    """_SENTENCE_END takes the full stop too (so the engine can skip to one): each of its
    matches is the plain form's, one character earlier."""
    assert [(m.start() + 1, m.end()) for m in _SENTENCE_END.finditer(text)] == \
        [m.span() for m in PLAIN_END.finditer(text)]


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(PIECES + ["!", "?", ". ", "! ", '." ', ".) "]), max_size=14)
       .map("".join))
def test_no_claim_spans_two_sentences(text):
    """What claim-uncited relies on to search a paragraph once: a sentence boundary is
    never inside a match (see citations._sentences)."""
    for m in QUANT_RE.finditer(text):
        assert not _SENTENCE_END.search(m.group(0)), m.group(0)


def test_some_claims_and_some_non_claims():
    found = [m.group(0) for m in QUANT_RE.finditer(
        "It runs at 35 tok/s, 2x faster, costs $1,299 and draws 450 W; v1.5 GB and "
        "a4 GB are not claims, nor is 3 apples.")]
    assert found == ["35 tok/s", "2x", "$1,299", "450 W"]
