"""validate finds a body's links with regular expressions; the page is rendered by
cmark-gfm. Where the two disagreed, validate reported a link the page shows as text (a
false error) or passed one the reader clicks to a 404 (found by the differential test at
the end of this file, which compares the two on bodies made of a link's pieces)."""

from __future__ import annotations

import datetime as dt
import html
import re
from urllib.parse import unquote, urlsplit

import pytest
from hypothesis import given, settings, strategies as st

from conftest import MINI, write_entry
from pipeline import cmark
from pipeline.catalog.model import Entry
from pipeline.catalog.text import site_links
from pipeline.config import load_settings
from pipeline.publish.markdown import page_hrefs
from pipeline.validate import validate

SITE = "https://local-ai-catalog.org"  # base_url in pipeline.toml, which `catalog` copies


def found(root):
    return [(d.rule, d.message) for d in validate(load_settings(root),
                                                   today=dt.date(2026, 11, 27)).diagnostics]


def vllm(catalog, body):
    return write_entry(catalog, "tools/vllm", MINI["tools/vllm"], body)


@pytest.mark.parametrize("body", [
    "A smiley x](/glossary/nope) is no link.\n",
    "[a](](/glossary/nope): the first `]` closed the `[`.\n",
    "[a] ](/glossary/nope)\n",
    "An [open bracket\n\nthen a paragraph](/glossary/nope).\n",
    "```\n[code\n```\nthen](/glossary/nope)\n",
])
def test_a_bracket_no_bracket_opens_is_no_link(catalog, body):
    """`x](/glossary/nope)` with no `[` before it in its paragraph is text on the page: it
    was reported as a broken link (a `[` was looked for on its line only, and only an
    escaped one counted)."""
    vllm(catalog, body)
    assert found(catalog) == []


@pytest.mark.parametrize("body", [
    "[the\nterm](/glossary/nope)\n",
    "[a [b] c](/glossary/nope)\n",
    "[x](/glossary/awq) and [y](/glossary/nope)\n",
    "x](b) [y](/glossary/nope)\n",
])
def test_a_link_its_bracket_opens_is_still_checked(catalog, body):
    vllm(catalog, body)
    assert found(catalog) == [("link-unresolved", "link to /glossary/nope: no such entry")]


@pytest.mark.parametrize("body", [
    f"See [{SITE}/glossary/awq]({SITE}/glossary/awq).\n",
    "See [www.local-ai-catalog.org/glossary/awq](/glossary/awq).\n",
    f"See [the\n{SITE}/glossary/awq page](/glossary/awq).\n",
    f"Noted [{SITE}/glossary/nope].\n",
])
def test_a_url_in_a_links_text_is_no_link(catalog, body):
    """A link whose text is a URL, `[https://host/glossary/awq](https://host/glossary/awq)`:
    the URL in its text was taken for a bare one GitHub's autolink extension links, read
    on through `](...)`, and reported as `link to https://host/glossary/awq](https://...):
    no such entry`. The extension links no URL inside brackets: the page shows it as text."""
    vllm(catalog, body)
    assert found(catalog) == []
