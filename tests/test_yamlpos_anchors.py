"""Front matter with anchors or aliases is refused; the quick test that spares most front
matter the look at YAML's events never misses one."""

from __future__ import annotations

import pytest
import yaml
from hypothesis import given, settings, strategies as st

from pipeline.catalog import yamlpos

PIECES = ["a", "b: ", "- ", "&x ", "*x", "&", "*", " ", "\n", "\n  ", ":", ",", "[", "]", "{",
          "}", '"', "'", "Q&A", "R & D", "u?a=1&b=2", "!!str ", "? ", "x", "1", "#", "\t"]


@settings(max_examples=5000, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=16).map("".join))
def test_every_anchor_or_alias_is_seen_by_the_quick_test(text):
    try:
        events = list(yaml.parse(text, Loader=yamlpos._Loader))
    except yaml.YAMLError:
        return  # not YAML: compose reports it, anchors or not
    if any(getattr(e, "anchor", None) is not None for e in events):
        assert yamlpos._MAYBE_ANCHOR.search(text), text


@pytest.mark.parametrize("text", ["a: &x 1\nb: *x\n", "- &a 1\n- 2\n", "a: [&x 1, *x]\n",
                                  "a: {b: &c 1}\n", "a: !!str &x v\n"])
def test_anchors_and_aliases_are_refused_with_their_place(text):
    with pytest.raises(yamlpos.YamlProblem, match="not allowed") as e:
        yamlpos.load(text, first_line=2)
    assert e.value.kind == "alias" and e.value.line >= 2


def test_an_ampersand_in_text_is_no_anchor():
    data, _ = yamlpos.load("category: Training & optimization\nurl: https://x.org/?a=1&b=2\n"
                           "title: Q&A *not* an alias\n")
    assert data["category"] == "Training & optimization" and data["title"].startswith("Q&A")
