"""Links the page has that the reading of the text missed (found in review): the affiliate
checks read an entry's links from its text, as editors write them, and cmark renders the
page as GitHub's Markdown does. Where the two differed, someone else's tracking id or a
shortener passed validate and was published. The links of the rendered page are checked
too, each at the line that names it."""

from __future__ import annotations

import pytest

from conftest import MINI, write_entry
from pipeline.config import load_settings
from pipeline.errors import PipelineError
from pipeline.publish.build import build
from test_affiliates_rules import cat, run  # noqa: F401  (a fixture)

FOREIGN = "www.amazon.com/dp/B0BJFRT43X?tag=other-20"


@pytest.mark.parametrize("written, rule", [
    (f"One: _https://{FOREIGN}_", "affiliate-foreign-tag"),  # GitHub links it after `_`
    (f"Two: [card](https://www\\.{FOREIGN[4:]})", "affiliate-foreign-tag"),  # an escape
    ("Three: [short](https://bit\\.ly/3abcXYZ)", "affiliate-shortener"),
    ("Four: [short](http:bit.ly/3abcXYZ)", "affiliate-shortener"),  # no slashes
    ('Five: <a href="https://www.amazon.com/dp/B0BJFRT43X?th=1\n&tag=other-20">card</a>',
     "affiliate-foreign-tag"),  # an attribute across two lines
    ('Six: https://www.amazon.com/dp/B0BJFRT43X?th="&tag=other-20', "affiliate-foreign-tag"),
    ("[x]: https\\://bit.ly/x\n\nSeven: [x] again", "affiliate-shortener"),  # a definition
    # an address with `%26tag%3D` (no tracking id) read as the same link as the page's
    # `&tag=`, escapes decoded, hid it
    ("Eight: see https://www.amazon.com/dp/B0BJFRT43X?th=1%26tag%3Dother-20 or "
     "[card](https://www\\.amazon.com/dp/B0BJFRT43X?th=1&tag=other-20)", "affiliate-foreign-tag"),
])
def test_a_link_cmark_makes_is_checked_where_it_is_written(cat, written, rule):  # noqa: F811
    body = f"Intro.\n\n{written}\n"
    path = write_entry(cat, "tools/vllm", MINI["tools/vllm"], body)
    first = written.split(":", 1)[0]
    line = path.read_text().split("\n").index(next(
        x for x in path.read_text().split("\n") if x.startswith(first))) + 1
    found = [(d.rule, d.line) for d in run(cat).diagnostics if d.rule.startswith("affiliate")]
    assert (rule, line) in found, found
    with pytest.raises(PipelineError, match=rule):
        build(load_settings(cat), cat.parent / "out")


@pytest.mark.parametrize("short", ["https://bit.ly/3abc", "<https://bit.ly/3abc>",
                                   "[there](<https://bit.ly/3a bc>)"])
def test_links_both_readings_find_are_checked_once(cat, short):  # noqa: F811
    """A destination in brackets with a space (`](<https://bit.ly/3a bc>)`) was reported
    twice: as the page has it, and as read up to its space, `https://bit.ly/3a`."""
    write_entry(cat, "tools/vllm", MINI["tools/vllm"],
                f"See [the card](https://{FOREIGN}) and {short}.\n")
    found = sorted((d.rule, d.message) for d in run(cat).diagnostics)
    assert [rule for rule, _ in found] == ["affiliate-foreign-tag", "affiliate-shortener"]
    assert "bit.ly/3abc" in found[1][1] or "bit.ly/3a bc" in found[1][1]


@pytest.mark.parametrize("written", [
    "A \\*note\\* and [buy](https://bit\\.ly/abc) now.",
    "A note and [buy](https\\://bit.ly/abc) now.",
    "On bit.ly: [buy](//bit\\.ly/abc) now.",
])
def test_a_link_cmark_makes_stands_at_its_urls_start(cat, written):  # noqa: F811
    """As the links the text's reading finds do. The column was the host's, on the line
    with its backslashes taken out: 28 for the first, where its URL starts at 22."""
    write_entry(cat, "tools/vllm", MINI["tools/vllm"], f"Intro.\n\n{written}\n")
    column = written.index("](") + 3
    found = {(d.rule, d.column) for d in run(cat).diagnostics if d.rule.startswith("affiliate")}
    assert found == {("affiliate-shortener", column)}


@pytest.mark.parametrize("href", ["h\tttp:bit.ly/3abcXYZ", "ht\ntp:bit.ly/3abcXYZ",
                                  "/\t/bit.ly/3abcXYZ", "/\r\n/bit.ly/3abcXYZ"])
@pytest.mark.parametrize("before", ["", "See https://docs.vllm.ai/ too. "])
def test_an_href_a_browser_joins_across_a_tab_or_a_line_break_is_checked(cat, href,  # noqa: F811
                                                                         before):
    """A browser drops tabs and line breaks from a URL: `ht<tab>tp:bit.ly/x` is
    http://bit.ly/x, `/<newline>/bit.ly/x` is //bit.ly/x. With no `http`, `//` or the like
    elsewhere the body was not rendered for its links, and even where it was, the page's
    `/<tab>/host` was taken for a site path: the shortener passed validate (found in
    review). It is reported as the browser reads it, on one line."""
    write_entry(cat, "tools/vllm", MINI["tools/vllm"],
                f'Intro.\n\n{before}Buy <a href="{href}">here</a>.\n')
    found = [d for d in run(cat).diagnostics if d.rule.startswith("affiliate")]
    assert [d.rule for d in found] == ["affiliate-shortener"]
    message = found[0].message
    assert "bit.ly/3abcXYZ" in message and not any(c in message for c in "\t\r\n")
