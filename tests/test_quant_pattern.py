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
PIECES = ["1", "24", "3.5", "1,000", "$", "$ ", " ", ".", "-", " - ", "%", "x", "×", "GB",
          "GiB/s", "MB", "W", "watts", "ms", "bpw", "GHz", "tok/s", "tokens/s", "t/s",
          "tokens per second", "TFLOPS", "USD", "a", "v", "_", "é", "\n", "(", "[@s]"]


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=14).map("".join))
def test_the_fast_pattern_finds_the_same_claims(text):
    assert [m.span() for m in QUANT_RE.finditer(text)] == \
        [m.span() for m in PLAIN.finditer(text)]


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
