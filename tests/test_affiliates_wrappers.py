"""A paid link or a shortener written through a link wrapper (`google.com/url?q=...`) is
found, checked and labelled like the address it carries (found in review: it passed as
no paid link at all, someone else's tag included)."""

from __future__ import annotations

import json
import re
import shutil
from urllib.parse import quote

import pytest

from conftest import REPO, write_entry
from pipeline.affiliates import classify
from pipeline.config import load_settings
from pipeline.publish.build import build
from test_affiliates_classify import programs  # noqa: F401  (the shipped programs)
from test_affiliates_rules import HARDWARE, at, found, run
from test_publish_catalog import make_exl2_catalog

OURS = "https://www.amazon.com/dp/B0BJFRT43X?tag=localaicat-20"
FOREIGN = "https://www.amazon.com/dp/B0BJFRT43X?tag=someone-20"


def wrapped(url: str) -> str:
    return f"https://www.google.com/url?sa=t&q={quote(url, safe='')}&usg=x"


@pytest.mark.parametrize("url, program, tracking, ours, via", [
    (wrapped(FOREIGN), "amazon", "someone-20", False, "google.com"),
    (wrapped(OURS), "amazon", "localaicat-20", True, "google.com"),
    # the carried address unencoded, another Google, another parameter
    (f"https://www.google.com/url?q={FOREIGN}", "amazon", "someone-20", False, "google.com"),
    (f"https://www.google.co.uk/url?url={quote(OURS, safe='')}", "amazon", "localaicat-20",
     True, "google.co.uk"),
    # wrapped twice: the outer wrapper is named
    ("https://l.facebook.com/l.php?u=" + quote(wrapped(FOREIGN), safe=""), "amazon",
     "someone-20", False, "l.facebook.com"),
    ("https://duckduckgo.com/l/?uddg=" + quote(OURS, safe=""), "amazon", "localaicat-20", True,
     "duckduckgo.com"),
    ("https://eur01.safelinks.protection.outlook.com/?url=" + quote(FOREIGN, safe="")
     + "&data=05", "amazon", "someone-20", False, "eur01.safelinks.protection.outlook.com"),
])
def test_a_paid_link_inside_a_wrapper_is_that_paid_link(programs, url, program, tracking,
                                                         ours, via):
    c = classify(url, programs)
    assert (c.program, c.tracking_id, c.ours, c.via, c.url) == (program, tracking, ours, via, url)


def test_a_shortener_inside_a_wrapper_is_a_shortener(programs):
    c = classify(wrapped("https://bit.ly/3abc"), programs)
    assert (c.shortener, c.program, c.via) == (True, None, "google.com")
    c = classify(wrapped("https://amzn.to/3abc"), programs)
    assert (c.shortener, c.program, c.via) == (True, "amazon", "google.com")


@pytest.mark.parametrize("url", [
    wrapped("https://example.org/page"),  # an honest wrapper: nothing paid inside
    wrapped("https://www.amazon.com/dp/B0BJFRT43X"),  # untagged
    f"https://www.google.com/search?q={quote(FOREIGN, safe='')}",  # a search, not a wrapper
    "https://www.google.com/url?q=",  # nothing carried
])
def test_what_a_wrapper_carries_decides_and_other_pages_of_its_host_are_not_wrappers(
        programs, url):
    c = classify(url, programs)
    assert (c.is_affiliate, c.shortener, c.via) == (False, False, "")


def test_wrappers_inside_one_another_stop_being_unwrapped(programs):
    url = FOREIGN
    for _ in range(5):
        url = wrapped(url)
    assert classify(url, programs).tracking_id == "someone-20"
    # a sixth is not followed, and what it hides is refused as a shortener would be: it
    # passed as no paid link, unlabelled on the page (found in review)
    c = classify(wrapped(url), programs)
    assert (c.is_affiliate, c.shortener, c.via) == (False, True, "google.com")


def test_a_wrapper_carrying_several_addresses_is_the_worst_of_them(programs):
    """The first value passed: `q=<honest>&q=<someone's tag>` had no error (found in review)."""
    honest = quote("https://example.org/", safe="")
    for url in (f"https://www.google.com/url?q={honest}&q={quote(FOREIGN, safe='')}",
                f"https://www.google.com/url?q={honest}&url={quote(FOREIGN, safe='')}",
                f"https://www.google.com/url?q={quote(OURS, safe='')}&url={quote(FOREIGN, safe='')}"):
        c = classify(url, programs)
        assert (c.tracking_id, c.ours, c.via) == ("someone-20", False, "google.com"), url
    both = f"https://www.google.com/url?q={honest}&url={quote(OURS, safe='')}"
    assert classify(both, programs).ours is True  # ours, labelled: better than nothing


def test_a_host_that_only_looks_like_googles_is_no_wrapper(programs):
    c = classify(f"https://google.evil.example/url?q={quote(OURS, safe='')}", programs)
    assert (c.is_affiliate, c.via) == (False, "")


@pytest.mark.parametrize("host", ["google.com.vn", "google.co.id", "google.gr", "google.de",
                                  "news.google.com"])
def test_googles_country_domains_are_wrappers(programs, host):
    """A list of some of them left google.com.vn, google.co.id and the rest out: a foreign
    tag behind them passed, and our paid link stayed in the e-mail (found in review)."""
    c = classify(f"https://www.{host}/url?q={quote(FOREIGN, safe='')}", programs)
    assert (c.tracking_id, c.via) == ("someone-20", host.removeprefix("www."))


@pytest.fixture
def cat(catalog):
    (catalog / "data").mkdir(exist_ok=True)
    shutil.copy(REPO / "data/affiliates.yaml", catalog / "data/affiliates.yaml")
    shutil.copy(REPO / "pipeline.toml", catalog / "pipeline.toml")
    return catalog


def test_validate_reports_someone_elses_tag_and_a_shortener_inside_a_wrapper(cat):
    write_entry(cat, "hardware/rtx-4090",
                {**HARDWARE, "offers": [{"merchant": "Amazon", "url": wrapped(FOREIGN)}]},
                f"Intro.\n\nBuy [here]({wrapped('https://bit.ly/3abc')}).\n")
    r = run(cat)
    f = cat / "entries/hardware/rtx-4090.md"
    assert found(r) == [("affiliate-foreign-tag", "entries/hardware/rtx-4090.md", *at(f, "url: ")),
                        ("affiliate-shortener", "entries/hardware/rtx-4090.md",
                         *at(f, "https://www.google.com", 1))]
    foreign, shortener = (d.message for d in r.diagnostics if d.rule.startswith("affiliate"))
    assert foreign.startswith("offers.0.url: through the google.com link wrapper, Amazon "
                              "Associates link with tracking id 'someone-20', which is not ours")
    assert shortener.startswith("through the google.com link wrapper, bit.ly is a link shortener")


def test_a_link_through_too_many_wrappers_is_refused_as_hidden(cat):
    url = OURS
    for _ in range(6):
        url = wrapped(url)
    write_entry(cat, "hardware/rtx-4090", HARDWARE, f"Buy [here]({url}).\n")
    r = run(cat)
    assert [rule for rule, *_ in found(r)] == ["affiliate-shortener"]
    assert "goes through link wrappers inside one another (google.com), too many to follow" \
        in r.diagnostics[0].message


def test_a_wrapped_paid_link_in_a_collection_without_paid_links_is_refused(cat):
    write_entry(cat, "glossary/awq", {"title": "AWQ", "status": "draft", "authors": ["ana"],
                                      "category": "Formats & quantization"},
                f"See [a card]({wrapped(OURS)}).\n")
    assert [rule for rule, *_ in found(run(cat))] == ["affiliate-forbidden-collection"]


def test_a_page_labels_a_wrapped_paid_link_and_discloses_before_it(tmp_path):
    root = make_exl2_catalog(tmp_path / "exl2")
    guide = root / "entries/guides/best-gpu-for-local-ai.md"
    text = guide.read_text(encoding="utf-8")
    ours = re.search(r"https://www\.amazon\.com/dp/B0BG9Z3K2R\?tag=[\w-]+", text).group(0)
    # the body's only paid link, and the offer, both written through Google's wrapper
    guide.write_text(text.replace(ours, wrapped(ours)), encoding="utf-8")
    out = tmp_path / "out"
    build(load_settings(root), out)
    doc = json.loads((out / "guides/best-gpu-for-local-ai.json").read_text(encoding="utf-8"))
    assert doc["affiliate"]["has_links"] is True
    assert [link["program"] for link in doc["affiliate"]["links"]] == ["amazon"]
    page = (out / "guides/best-gpu-for-local-ai.html").read_text(encoding="utf-8")
    paid = [m for m in re.finditer(r"<a [^>]*>", page) if "google.com/url" in m.group(0)]
    assert len(paid) == 2  # in the body and under "Where to buy"
    assert page.index('class="disclosure"') < paid[0].start()
    for m in paid:
        assert 'rel="sponsored nofollow noopener"' in m.group(0)
        assert re.match(r' <span class="paid-label" id="paid-label_[a-z0-9-]+">\(paid link\)',
                        page[m.end():].split("</a>", 1)[1])


def test_a_wrapper_with_a_bad_expression_is_a_problem_at_its_line(cat):
    path = cat / "data/affiliates.yaml"
    good = path.read_text()
    path.write_text(good.replace("    path: ^/url$\n", "    path: ^/url($\n"))
    r = run(cat)
    line = good.split("\n").index("    path: ^/url$") + 1
    assert found(r) == [("affiliate-programs", "data/affiliates.yaml", line, 5)]
    assert "path: not a valid regular expression" in r.diagnostics[0].message
