"""Body links written as absolute URLs to the site's own domain (`[site] base_url`) are
checked like links written as site paths: `[AWQ](https://local-ai-catalog.org/glossary/awk)`
was not checked at all, and a typo shipped a 404."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from conftest import MINI, write_entry
from pipeline.config import load_settings
from pipeline.validate import validate

SITE = "https://local-ai-catalog.org"  # base_url in pipeline.toml, which `catalog` copies


def run(root, **kw):
    return validate(load_settings(root), today=dt.date(2026, 11, 27), **kw)


def found(root):
    return [(d.rule, d.line, d.column, d.message) for d in run(root).diagnostics]


def body_line(path, text):
    """The 1-based line of the file that holds `text`, and the column where it starts."""
    lines = path.read_text(encoding="utf-8").split("\n")
    (n,) = [i for i, line in enumerate(lines) if text in line]
    return n + 1, lines[n].index(text) + 1


@pytest.mark.parametrize("url,shown", [
    (f"{SITE}/glossary/awk", f"{SITE}/glossary/awk"),
    ("http://local-ai-catalog.org/glossary/awk", "http://local-ai-catalog.org/glossary/awk"),
    ("https://www.local-ai-catalog.org/glossary/awk/",
     "https://www.local-ai-catalog.org/glossary/awk/"),
    (f"{SITE}/glossary/awk#kernels", f"{SITE}/glossary/awk"),
    (f"{SITE}/glossary/awk?ref=digest#kernels", f"{SITE}/glossary/awk"),
    ("HTTPS://Local-AI-Catalog.org/glossary/awk", "HTTPS://Local-AI-Catalog.org/glossary/awk"),
])
def test_an_absolute_link_to_no_entry_is_reported_where_it_is(catalog, url, shown):
    path = write_entry(catalog, "tools/vllm", MINI["tools/vllm"], f"Intro.\n\nSee [AWQ]({url}).\n")
    line, column = body_line(path, url)
    assert found(catalog) == [("link-unresolved", line, column,
                               f"link to {shown}: no such entry")]


def test_the_cli_reports_it_with_file_line_and_column(catalog, cli):
    url = f"{SITE}/glossary/awk"
    path = write_entry(catalog, "tools/vllm", MINI["tools/vllm"], f"Intro.\n\nSee [AWQ]({url}).\n")
    r = cli(catalog, "validate", "--format", "json")
    (d,) = json.loads(r.output)["diagnostics"]
    assert (d["rule"], d["file"], d["line"], d["column"]) == (
        "link-unresolved", "entries/tools/vllm.md", *body_line(path, url))
    assert d["hint"] == "check the spelling of the path; it is /<collection>/<slug>"
    assert r.exit_code == 1


def test_a_reference_definition_is_checked_too(catalog):
    url = f"{SITE}/glossary/awk"
    path = write_entry(catalog, "tools/vllm", MINI["tools/vllm"],
                       f"See [AWQ][awq].\n\n[awq]: {url} \"AWQ\"\n")
    assert found(catalog) == [("link-unresolved", *body_line(path, url),
                               f"link to {url}: no such entry")]


def test_a_mistyped_collection_gets_the_url_it_likely_meant(catalog):
    url = f"{SITE}/glosary/awq#kernels"
    path = write_entry(catalog, "tools/vllm", MINI["tools/vllm"], f"See [AWQ]({url}).\n")
    assert found(catalog) == [(
        "link-unresolved", *body_line(path, url),
        f"link to {SITE}/glosary/awq: there is no collection 'glosary'; "
        f"did you mean {SITE}/glossary/awq?")]


def test_a_published_entry_may_not_link_a_draft_by_its_url(catalog):
    write_entry(catalog, "glossary/awq", {**MINI["glossary/awq"], "status": "draft"})
    url = f"{SITE}/glossary/awq"
    path = write_entry(catalog, "tools/vllm", {**MINI["tools/vllm"], "related": []},
                       f"See [AWQ]({url}).\n")
    assert found(catalog) == [("link-unpublished", *body_line(path, url),
                               f"link to {url}: 'glossary/awq' is draft, not published")]


def test_good_links_and_pages_outside_the_catalog_are_not_reported(catalog):
    """A link to an entry that is there, and pages of the site that are no entries (the
    home page, a collection's index, search, the feed, the newsletter, the digests), as
    for site paths; an e-mail address is no page; a link in code is code."""
    write_entry(catalog, "tools/vllm", MINI["tools/vllm"],
                f"See [AWQ]({SITE}/glossary/awq), [again](https://www.local-ai-catalog.org"
                f"/glossary/awq/#kernels), [home]({SITE}), [home]({SITE}/),\n"
                f"[terms]({SITE}/glossary), [search]({SITE}/search?q=awq), "
                f"[feed]({SITE}/feed.xml), [digest]({SITE}/digests/2026-11),\n"
                f"[unsubscribe]({SITE}/newsletter/unsubscribe), [the list][l] and\n"
                "[write](mailto:editors@local-ai-catalog.org).\n\n"
                f"In code: `[x]({SITE}/glossary/nope)`.\n\n[l]: {SITE}/tools#top\n")
    write_entry(catalog, "glossary/awq", MINI["glossary/awq"], "## Kernels\n")  # its #kernels
    assert run(catalog).diagnostics == []


@pytest.mark.parametrize("url", [
    "https://example.com/glossary/awk",
    "https://local-ai-catalog.org.example.com/glossary/awk",
    "https://docs.local-ai-catalog.org/glossary/awk",
    "https://notlocal-ai-catalog.org/glossary/awk",
    "https://web.archive.org/web/2026/https://local-ai-catalog.org/glossary/awk",
])
def test_the_same_path_on_another_domain_is_not_checked(catalog, url):
    write_entry(catalog, "tools/vllm", MINI["tools/vllm"], f"See [AWQ]({url}).\n")
    assert run(catalog).diagnostics == []


def test_the_domain_is_the_one_the_settings_name(catalog):
    toml = catalog / "pipeline.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace(
        f'base_url = "{SITE}"', 'base_url = "https://catalog.example/"'), encoding="utf-8")
    write_entry(catalog, "tools/vllm", MINI["tools/vllm"],
                f"See [AWQ]({SITE}/glossary/awk) and\n"
                "[AWQ](https://catalog.example/glossary/awk).\n")
    assert [m for _, _, _, m in found(catalog)] == [
        "link to https://catalog.example/glossary/awk: no such entry"]


def test_the_cache_checks_it_again_when_its_target_changes(catalog):
    """As for a site-path link: a cached result of the linking entry does not hold once
    the entry it links to is no longer published."""
    write_entry(catalog, "tools/vllm", {**MINI["tools/vllm"], "related": []},
                f"See [AWQ]({SITE}/glossary/awq).\n")
    assert run(catalog).diagnostics == []
    write_entry(catalog, "glossary/awq", {**MINI["glossary/awq"], "status": "draft"})
    assert [d.rule for d in run(catalog, cache=False).diagnostics] == ["link-unpublished"]
    assert [d.rule for d in run(catalog).diagnostics] == ["link-unpublished"]


def test_the_build_makes_them_site_paths_and_counts_them_as_links(catalog, tmp_path):
    """The preview stays on itself, and the entry linked to lists the page among its
    backlinks, as for a link written as a site path."""
    from pipeline.publish.build import build

    write_entry(catalog, "tools/vllm", {**MINI["tools/vllm"], "related": []},
                f"See [AWQ](https://www.Local-AI-Catalog.org/glossary/awq#kernels) and "
                f"[the home page]({SITE}), not [a mirror](https://local-ai-catalog.org.example"
                f"/glossary/awq) or [a port]({SITE}:8443/glossary/awq).\n")
    out = tmp_path / "out"
    build(load_settings(catalog), out)
    page = (out / "tools/vllm.html").read_text()
    assert '<a href="/glossary/awq#kernels">AWQ</a>' in page
    assert '<a href="/">the home page</a>' in page
    assert 'href="https://local-ai-catalog.org.example/glossary/awq"' in page
    assert f'href="{SITE}:8443/glossary/awq"' in page
    awq = json.loads((out / "glossary/awq.json").read_text())
    assert "tools/vllm" in [card["id"] for card in awq["backlinks"]]


@pytest.mark.parametrize("url", [
    "//local-ai-catalog.org/glossary/awk",
    "https:/local-ai-catalog.org/glossary/awk",
    "https:\\\\local-ai-catalog.org/glossary/awk",
    "/\\local-ai-catalog.org/glossary/awk",
    "\\\\www.local-ai-catalog.org/glossary/awk#kernels",
])
def test_a_url_a_browser_reads_as_ours_is_checked_as_written(catalog, url):
    """`//host/path` and the other ways of writing a URL a browser completes to
    `https://host/path` (as the build does when it makes them site paths): a typo in one
    passed validate, and the page linked to a 404. `//host` was even read as a site
    path whose first part is no collection, a page outside the catalog."""
    path = write_entry(catalog, "tools/vllm", MINI["tools/vllm"], f"See [AWQ]({url}).\n")
    shown = url.split("#")[0]
    assert found(catalog) == [("link-unresolved", *body_line(path, url),
                               f"link to {shown}: no such entry")]
    write_entry(catalog, "tools/vllm", MINI["tools/vllm"], f"See [AWQ][a].\n\n[a]: {url}\n")
    assert [d.rule for d in run(catalog).diagnostics] == ["link-unresolved"]
    write_entry(catalog, "tools/vllm", MINI["tools/vllm"], f'See <a href="{url}">AWQ</a>.\n')
    assert [d.rule for d in run(catalog).diagnostics] == ["link-unresolved"]


def test_such_a_url_to_an_entry_that_is_there_passes_and_is_a_backlink(catalog, tmp_path):
    from pipeline.publish.build import build

    write_entry(catalog, "glossary/awq", MINI["glossary/awq"], "## Kernels\n")
    write_entry(catalog, "tools/vllm", {**MINI["tools/vllm"], "related": []},
                "See [AWQ](//local-ai-catalog.org/glossary/awq#kernels), "
                "[again](https:/local-ai-catalog.org/glossary/awq) and "
                "[elsewhere](//example.com/glossary/awk).\n")
    assert run(catalog).diagnostics == []
    out = tmp_path / "out"
    build(load_settings(catalog), out)
    page = (out / "tools/vllm.html").read_text()
    assert '<a href="/glossary/awq#kernels">AWQ</a>' in page
    awq = json.loads((out / "glossary/awq.json").read_text())
    assert "tools/vllm" in [card["id"] for card in awq["backlinks"]]


def test_a_path_of_ours_that_starts_with_two_slashes_stays_on_our_site(catalog):
    """`https://local-ai-catalog.org//www.amazon.com/dp/X?tag=someone-20` was made the
    site path `//www.amazon.com/...`, which a browser reads as Amazon's URL: a paid link
    with someone else's tag reached the page past the affiliate checks, with no label and
    no disclosure (found in review). It stays whole, a page of ours the site does not
    have, and validate says so."""
    from pipeline.catalog.loader import parse_entry
    from pipeline.publish.markdown import render_body

    url = f"{SITE}//www.amazon.com/dp/B0BJFRT43X?tag=someoneelse-20"
    path = write_entry(catalog, "tools/vllm", {**MINI["tools/vllm"], "related": []},
                       f"See [a]({url}).\n")
    assert found(catalog) == [("link-unresolved", *body_line(path, url),
                               f"link to {SITE}//www.amazon.com/dp/B0BJFRT43X: the site has "
                               "no page whose path starts with //")]
    entry = parse_entry("entries/tools/vllm.md", path.read_bytes(), "entries")[0]
    body = render_body(entry, [], base_url=SITE)
    assert f'<a href="{url.replace("&", "&amp;")}">a</a>' in body.html
    assert "href=\"//" not in body.html and body.site_paths == []
