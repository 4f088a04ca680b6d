"""The loader that keeps each plain scalar's tag gives the tags PyYAML's safe loader gives,
the first time and every time after."""

from __future__ import annotations

import yaml
from hypothesis import given, settings, strategies as st

from pipeline.catalog import yamlpos

SCALARS = ["1", "-7", "0x1F", "0o17", "1_000", "3.5", ".inf", "-.Inf", ".nan", "1e3", "true",
           "False", "yes", "No", "on", "OFF", "y", "~", "null", "", "2026-10-02",
           "2026-10-02T10:00:00Z", "2026-1-2", "v1.2", "1.2.3", "12:30", "=", "<<", "0", "-",
           "x" * 70, "1" * 70, "'1'", '"true"', "2026-10-02 # a comment", "a b c"]


def _tags(node) -> list:
    if isinstance(node, yaml.ScalarNode):
        return [(node.value, node.tag)]
    if isinstance(node, yaml.MappingNode):
        return [node.tag] + [t for k, v in node.value for t in _tags(k) + _tags(v)]
    return [node.tag] + [t for item in node.value for t in _tags(item)]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(SCALARS), min_size=1, max_size=6))
def test_every_scalar_gets_the_safe_loaders_tag_each_time(values):
    text = "".join(f"k{i}: {v}\n" for i, v in enumerate(values)) + "l: [" + ", ".join(
        v for v in values if v and not v.startswith(("'", '"', "=")) and "#" not in v) + "]\n"
    try:
        expected = _tags(yaml.compose(text, Loader=yamlpos._Loader))
    except yaml.YAMLError:
        return
    for _ in range(2):  # the second time from what the first kept
        assert _tags(yaml.compose(text, Loader=yamlpos._Composer)) == expected


def test_what_is_kept_stays_small():
    long = "z" * (yamlpos._RESOLVED_LEN + 1)
    yamlpos.load(f"a: {long}\n")
    assert long not in yamlpos._RESOLVED
    yamlpos.load("a: 12\n")
    assert yamlpos._RESOLVED["12"] == "tag:yaml.org,2002:int"
