"""Disclosure wording and statements, and the e-mail rule: links of programs that forbid e-mail go."""

from __future__ import annotations

import shutil

import pytest

from conftest import REPO
from pipeline.affiliates import (
    classify,
    disclosure,
    email_safe_markdown,
    email_safe_url,
    load_programs,
)
from pipeline.config import load_settings

AMAZON = "https://www.amazon.com/dp/B0BJFRT43X?tag=localaicat-20"
AMAZON_UK = "https://www.amazon.co.uk/dp/B0BJFRT43X?tag=someone-21"
EBAY = "https://www.ebay.com/itm/123456789012?mkevt=1&mkcid=1&campid=5338000000"
PAGE = "https://local-ai-catalog.org/hardware/rtx-4090"


@pytest.fixture
def programs(catalog):
    (catalog / "data").mkdir(exist_ok=True)
    shutil.copy(REPO / "data/affiliates.yaml", catalog / "data/affiliates.yaml")
    return load_programs(load_settings(catalog))


def classes(programs, *urls):
    return [classify(u, programs) for u in urls]


def test_a_page_with_amazon_links_gets_our_sentence_and_amazons_statement(programs):
    d = disclosure(classes(programs, AMAZON, "https://vllm.ai/"), programs)
    assert d.text == ("We earn a commission if you buy through the paid links on this page; "
                      "it never influences our verdicts.")
    assert d.statements == ("As an Amazon Associate I earn from qualifying purchases.",)
    assert (d.label, d.rel, d.programs) == ("(paid link)", "sponsored nofollow noopener", ("amazon",))


def test_statements_are_not_repeated_and_follow_the_programs_file(programs):
    d = disclosure(classes(programs, EBAY, AMAZON_UK, AMAZON), programs)
    assert d.programs == ("amazon", "amazon-intl", "ebay")
    assert d.statements == ("As an Amazon Associate I earn from qualifying purchases.",)


def test_no_disclosure_without_paid_links(programs):
    assert disclosure(classes(programs, "https://vllm.ai/", "https://www.amazon.com/dp/B0"), programs) is None
    assert disclosure([], programs) is None


def test_email_wording_and_editors_can_change_it(catalog, programs):
    assert disclosure(classes(programs, EBAY), programs, medium="email").text.endswith(
        "paid links in this e-mail; it never influences our verdicts.")
    path = catalog / "data/affiliates.yaml"
    path.write_text(path.read_text().replace("label: (paid link)", "label: (ad)"))
    assert disclosure(classes(programs, EBAY), load_programs(load_settings(catalog))).label == "(ad)"
    with pytest.raises(ValueError):
        disclosure(classes(programs, EBAY), programs, medium="fax")


def test_email_safe_url_replaces_programs_that_forbid_email(programs):
    assert email_safe_url(AMAZON, programs, PAGE) == PAGE
    assert email_safe_url("https://amzn.to/3xYzAbc", programs, PAGE) == PAGE
    assert email_safe_url(AMAZON_UK, programs, PAGE) == PAGE
    assert email_safe_url(EBAY, programs, PAGE) == EBAY
    assert email_safe_url("https://www.amazon.com/dp/B0BJFRT43X", programs, PAGE) == \
        "https://www.amazon.com/dp/B0BJFRT43X"


def test_email_rewrite_of_a_digest_keeps_code_and_tells_what_remains(programs):
    text = (f"New: [RTX 4090]({AMAZON}) and [used]({EBAY}).\n\n"
            f"```\ncurl {AMAZON}\n```\n")
    safe, remaining = email_safe_markdown(text, programs, PAGE)
    assert safe == (f"New: [RTX 4090]({PAGE}) and [used]({EBAY}).\n\n```\ncurl {AMAZON}\n```\n")
    d = disclosure(remaining, programs, medium="email")
    assert d.programs == ("ebay",) and d.statements == ()
    safe, remaining = email_safe_markdown(f"Only [Amazon]({AMAZON}).\n", programs, PAGE)
    assert AMAZON not in safe and disclosure(remaining, programs, medium="email") is None
