"""`json_bytes`: the bytes of every JSON artifact, the same whichever encoder made them."""

from __future__ import annotations

import hashlib
import json

from hypothesis import given, settings, strategies as st

from pipeline.publish.serialize import digest, json_bytes


def stdlib(value) -> bytes:
    """What the standard library writes, with the same escapes: the reference."""
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
    return (text + "\n").encode("utf-8")


SCALARS = (st.none() | st.booleans() | st.integers(-2**63, 2**63 - 1) | st.text()
           | st.sampled_from([0.5, 1599.0, -2.25, 3.75, 0.1, 1000.0, 24.0]))
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4)
                      | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=30)


@settings(max_examples=400, deadline=None)
@given(VALUES)
def test_the_bytes_are_the_standard_librarys(value):
    assert json_bytes(value) == stdlib(value)
    assert json_bytes(value, newline=False) == stdlib(value)[:-1]  # a piece of a file


def test_values_the_fast_encoder_refuses_go_through_the_standard_library():
    for value in ({"price": 10**30}, {2024: "year as a key"}, [{"b": 1, "a": -(2**70)}]):
        assert json_bytes(value) == stdlib(value)
        assert json_bytes(value, newline=False) == stdlib(value)[:-1]


def test_no_tag_ever_reaches_a_file_even_inside_text():
    data = json_bytes({"body_html": "<script>alert(1)</script> & <b>"})
    assert b"<" not in data and b">" not in data and b"&" not in data
    assert json.loads(data) == {"body_html": "<script>alert(1)</script> & <b>"}


def digest_of_parts(*parts) -> str:
    """The content hash as `digest` defines it for any number of parts: the reference."""
    h = hashlib.sha256()
    for p in parts:
        h.update(p.encode("utf-8") if isinstance(p, str) else p)
        h.update(b"\0")
    return h.hexdigest()[:32]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.binary() | st.text(), max_size=3))
def test_a_digest_of_one_files_bytes_is_that_of_any_parts(parts):
    assert digest(*parts) == digest_of_parts(*parts)
    assert digest(bytearray(b"x")) == digest_of_parts(b"x")  # not bytes itself: the loop
