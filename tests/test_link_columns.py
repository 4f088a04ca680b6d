"""The line and column of a problem in a body, wherever it stands: in block quotes one to
three deep, in list items (`-`, `*`, `1.`, `10)`) on their first line, their indented
lines and their lazy ones (no marks at all), after tabs, wide characters, code spans,
with CRLF line ends. Columns count characters (docs/cli.md), from the line's first, its
`>` marks and all.

validate reads the body as written, and placed them right; cmark-gfm's places of links
and images (`cmark.links_and_images`, which the digest's warnings read) were off on a
paragraph's later lines: its column there is the paragraph's own plus the offset in the
line's text, as if each line had the first's marks (`> a` then, lazily, `b [x](/y)`:
column 5, not 3; a list item's line indented deeper: 3, not 6); it counted a paragraph's
lines from the reference definitions it started with; it placed a link whose words run
over lines on the line they end on; and counted no line break after a `\\` or in a link's
destination (found in review)."""

from __future__ import annotations

import itertools
import json
import shutil

import pytest

from conftest import MINI, REPO, write_entry
from pipeline import cmark
from test_digest_render import HEADLINE, drafted, edit_digest  # noqa: F401

# (the mistake, the part of it its diagnostic's column points at, the rule)
MISTAKES = {
    "link": ("[x](/glossary/nope)", "/glossary/nope", "link-unresolved"),
    "cite": ("[@nokey]", "@nokey", "cite-unresolved"),
    "claim": ("runs 30% faster", "30%", "claim-uncited"),
    "shortener": ("[buy](https://amzn.to/abc)", "https://amzn.to/abc", "affiliate-shortener"),
}
# what stands before it on its line
BEFORE = ["", "a 日本語 😀 b ", "tab\there ", "`co` de "]


def contexts():
    """(name, a body with `{M}` where the mistake goes)."""
    for depth in (1, 2, 3):
        marks = "> " * depth
        yield f"quote{depth}", f"{marks}Intro words\n{marks}{{M}}\n"
        yield f"quote{depth}-tight", f"{'>' * depth}Intro words\n{'>' * depth}{{M}}\n"
        yield f"quote{depth}-lazy", f"{marks}Intro words\n{{M}}\n"
        yield f"quote{depth}-first", f"{marks}{{M}}\n"
    for marker in ("-", "*", "1.", "10)"):
        pad = " " * (len(marker) + 1)
        yield f"item{marker}", f"{marker} Intro words\n{pad}{{M}}\n"
        yield f"item{marker}-lazy", f"{marker} Intro words\n{{M}}\n"
        yield f"item{marker}-deeper", f"{marker} Intro words\n{pad}   {{M}}\n"
        yield f"item{marker}-first", f"{marker} {{M}}\n"
        yield f"item{marker}-tab", f"{marker}\tIntro words\n\t{{M}}\n"
        yield f"quote-item{marker}", f"> {marker} Intro words\n> {pad}{{M}}\n"
        yield f"quote-item{marker}-lazy", f"> {marker} Intro words\n{{M}}\n"
        yield f"item-quote{marker}", f"{marker} > Intro words\n{pad}> {{M}}\n"
        yield f"item-quote{marker}-lazy", f"{marker} > Intro words\n{pad}{{M}}\n"
    yield "quote-tab", "> Intro\n>\t{M}\n"
    yield "paragraph", "Intro words\n{M}\n"
    yield "paragraph-indented", "Intro words\n   {M}\n"
    yield "after-fence", "```\ncode\n```\n\n> Intro words\n> {M}\n"
    yield "after-indented-code", "    code\n\n> Intro words\n> {M}\n"
    yield "after-span-over-lines", "> Intro `a\n> b` {M}\n"


CASES = list(itertools.product(contexts(), MISTAKES.items(), BEFORE, (False, True)))


def _expected(body: str, part: str) -> tuple[int, int]:
    """(index of the line, column from 1 in characters) of `part` in `body`."""
    lines = body.split("\n")
    at = next(i for i, line in enumerate(lines) if part in line)
    return at, lines[at].index(part) + 1


def test_validate_places_each_problem_at_its_first_character(catalog, cli):
    """Every case in one catalog, an entry each, one `validate --format json`."""
    shutil.copy(REPO / "pipeline.toml", catalog / "pipeline.toml")  # with the programs
    (catalog / "data").mkdir()
    shutil.copy(REPO / "data/affiliates.yaml", catalog / "data/affiliates.yaml")
    expected, names = {}, {}
    for n, ((name, context), (_, (mistake, part, rule)), before, crlf) in enumerate(CASES):
        body = context.replace("{M}", before + mistake)
        path = write_entry(catalog, f"glossary/case-{n}",
                           {**MINI["glossary/awq"], "title": f"Case {n}"}, body)
        text = path.read_text(encoding="utf-8")
        if crlf:
            path.write_bytes(text.replace("\n", "\r\n").encode("utf-8"))
        line, column = _expected(body, part)
        body_line = text.count("\n") - body.count("\n") + 1  # the file line of its first
        expected[f"entries/glossary/case-{n}.md"] = (rule, body_line + line, column)
        names[f"entries/glossary/case-{n}.md"] = (name, mistake, before, crlf)
    r = cli(catalog, "validate", "--format", "json")
    found = {}
    for d in json.loads(r.output)["diagnostics"]:
        if d["file"] in expected and d["rule"] == expected[d["file"]][0]:
            found.setdefault(d["file"], []).append((d["rule"], d["line"], d["column"]))
    wrong = {names[f]: (found.get(f), want) for f, want in expected.items()
             if found.get(f) != [want]}
    assert not wrong


LINK = "[x](/glossary/nope)"


@pytest.mark.parametrize("context", [c for _, c in contexts()])
def test_cmark_places_a_link_as_written_in_any_block(context):
    for before, crlf in itertools.product(BEFORE, (False, True)):
        body = context.replace("{M}", before + LINK)
        if crlf:
            body = body.replace("\n", "\r\n")
        line, column = _expected(body, LINK)
        assert [place[1:3] for place in cmark.links_and_images(body)] == [(line, column)], \
            (before, crlf)


@pytest.mark.parametrize("body, places", [
    # reference definitions first: cmark counts the paragraph's lines from them
    ("[a]: /x\n[b]: /z\nc\n[b](/y)\n", [(3, 1)]),
    ("> [a]: /x\nlazy [b](/y) ![i](/i.png)\n", [(1, 6), (1, 14)]),
    # words over lines: cmark places the link where they end
    ("[a\nb](/y) [z](/w)\n", [(0, 1), (1, 8)]),
    ("> x [a\n> b](/y) [z](/w)\n", [(0, 5), (1, 10)]),
    ("x ![a\nb](/y.png)\n", [(0, 3)]),
    # a line break cmark counts not
    ("a\\\n[z](/w)\n", [(1, 1)]),
    ("> a\\\n> b\\\n> c [z](/w)\n", [(2, 5)]),
    ('[a](/y\n"t") [z](/w)\n', [(0, 1), (1, 6)]),
    # a URL written bare (the autolink extension's own columns)
    ("b https://x.org/y []\n", [(0, 3)]),
    ("> a\nb https://x.org/y []\n", [(1, 3)]),
    # a `>` too deep to open a block quote is text; a table in a quote; a heading over lines
    ("- a\n      > [x](/y)\n", [(1, 9)]),
    ("> | a | b |\n> |---|---|\n> | x | [x](/y) |\n", [(2, 9)]),
    ("> a\n> b [x](/y)\n> ---\n", [(1, 5)]),
    ("> a\n*b [![i](/i.png)](/y)*\n", [(1, 4), (1, 5)]),
])
def test_cmark_places_put_right(body, places):
    assert [place[1:3] for place in cmark.links_and_images(body)] == places


def test_the_digests_warnings_stand_at_the_link_on_a_lazy_line(drafted, cli, tmp_path):  # noqa: F811
    """A link to `tel:` and an image with no alt text on lazy lines of a block quote and
    of a list item: the render's warnings named a column two or three to the right."""
    edit_digest(drafted, (f"# {HEADLINE}\n", f"# {HEADLINE}\n\n> Call us,\nor [ring](tel:123) "
                          "us.\n\n1. A chart\n![](/c.png) of it.\n"))
    r = cli(drafted, "digest", "render", "2026-10", "--out", str(tmp_path / "out"))
    assert r.exit_code == 0, r.output
    lines = (drafted / "digests/2026-10.md").read_text(encoding="utf-8").split("\n")
    for needle, warning in (("[ring]", "a link to `tel:`"), ("![](/c.png)", "an image with no")):
        at = next(i for i, line in enumerate(lines) if needle in line)
        assert f"digests/2026-10.md:{at + 1}:{lines[at].index(needle) + 1}: warning: {warning}" \
            in r.output, r.output
