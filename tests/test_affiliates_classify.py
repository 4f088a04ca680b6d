"""Classification of real link shapes of each network, and look-alikes that are not affiliate links."""

from __future__ import annotations

import json
import re
from dataclasses import replace

import pytest
from hypothesis import given, settings, strategies as st

from conftest import REPO
from pipeline.affiliates import classify
from pipeline.affiliates.programs import parse_programs


@pytest.fixture(scope="module")
def programs():
    schema = json.loads((REPO / "schemas/affiliates.schema.json").read_text())
    found, problems = parse_programs("data/affiliates.yaml",
                                     (REPO / "data/affiliates.yaml").read_bytes(), schema)
    assert problems == []
    return found


AFFILIATE = [
    # Amazon Associates, US store (ours: localaicat-20)
    ("https://www.amazon.com/dp/B0BJFRT43X?tag=localaicat-20", "amazon", "localaicat-20", True),
    # found in review: the mobile store, and the old form with its `ref=nosim` step
    ("https://m.amazon.com/dp/B0BJFRT43X?tag=other-20", "amazon", "other-20", False),
    ("https://www.amazon.com/exec/obidos/ASIN/B0BJFRT43X/other-20/ref=nosim", "amazon",
     "other-20", False),
    ("https://www.amazon.com/exec/obidos/ASIN/B0BJFRT43X/ref=nosim/localaicat-20", "amazon",
     "localaicat-20", True),
    ("https://www.amazon.com/NVIDIA-GeForce-RTX-4090/dp/B0BJFRT43X/ref=sr_1_3?crid=2X&keywords=rtx"
     "&tag=localaicat-20&linkCode=ll1", "amazon", "localaicat-20", True),
    ("https://amazon.com/gp/product/B0BJFRT43X/?th=1&tag=localaicat-20", "amazon", "localaicat-20", True),
    ("https://smile.amazon.com/dp/B0BJFRT43X?tag=localaicat-20", "amazon", "localaicat-20", True),
    ("http://www.amazon.com/exec/obidos/ASIN/0385602642/localaicat-20", "amazon", "localaicat-20", True),
    ("www.amazon.com/dp/B0BJFRT43X?tag=localaicat-20", "amazon", "localaicat-20", True),
    ("https://www.amazon.com/dp/B0BJFRT43X?tag=localaicat-21", "amazon", "localaicat-21", False),
    ("https://www.amazon.com/dp/B0BJFRT43X?tag=LocalAICat-20", "amazon", "LocalAICat-20", False),
    # Amazon's other stores: separate programs, no id of ours yet
    ("https://www.amazon.co.uk/dp/B0BJFRT43X?tag=localaicat-21", "amazon-intl", "localaicat-21", False),
    ("https://www.amazon.de/dp/B0BJFRT43X?tag=someone-21", "amazon-intl", "someone-21", False),
    ("https://www.amazon.co.jp/dp/B0BJFRT43X?tag=someone-22", "amazon-intl", "someone-22", False),
    # Impact: tracking domains, a store's goto. domain, and a copied irclickid
    ("https://bestbuy.7tiv.net/c/123456/614286/10014?prodsku=6521430&u=https%3A%2F%2Fwww.bestbuy.com",
     "impact", "123456", False),
    ("https://dell.sjv.io/c/3356510/1179936/17038", "impact", "3356510", False),
    ("https://goto.walmart.com/c/2003851/565706/9383?veh=aff&sourceid=imp_000011112222333344",
     "impact", "2003851", False),
    ("https://www.bestbuy.com/site/nvidia-geforce-rtx-4090/6521430.p?skuId=6521430&irclickid=Wx2RaB"
     "c9OxyNT3SUaM", "impact", "Wx2RaBc9OxyNT3SUaM", False),
    # CJ: click-<PID>-<AID> on its domains, and deep links
    ("https://www.anrdoezrs.net/click-100357191-13858438", "cj", "100357191", False),
    ("https://www.tkqlhce.com/click-8336032-14341532?url=https%3A%2F%2Fwww.newegg.com", "cj", "8336032", False),
    ("http://www.jdoqocy.com/click-5463217-10595483", "cj", "5463217", False),
    ("https://www.dpbolvw.net/click-7251228-15082548", "cj", "7251228", False),
    ("https://www.kqzyfj.com/click-1234567-10000000", "cj", "1234567", False),
    ("https://www.anrdoezrs.net/links/7251228/type/dlg/sid/x/https://www.malwarebytes.com/", "cj",
     "7251228", False),
    # Rakuten
    ("https://click.linksynergy.com/deeplink?id=AbCdEf12345&mid=2149&murl=https%3A%2F%2Fwww.x.com",
     "rakuten", "AbCdEf12345", False),
    ("http://click.linksynergy.com/fs-bin/click?id=AbCdEf12345&offerid=111111.10000000&type=3&subid=0",
     "rakuten", "AbCdEf12345", False),
    # ShareASale: u= or U=, on r.cfm, u.cfm and m-pr.cfm
    ("https://www.shareasale.com/r.cfm?b=654321&u=123456&m=12345&urllink=&afftrack=main",
     "shareasale", "123456", False),
    ("http://www.shareasale.com/r.cfm?B=02&U=654321&M=01&urllink=www.x.com%2Fp%3FID%3D6",
     "shareasale", "654321", False),
    ("https://shareasale.com/m-pr.cfm?merchantID=1&userID=123456&productID=9&u=123456",
     "shareasale", "123456", False),
    # Awin: deep links, banners, awclick, product feed links
    ("https://www.awin1.com/cread.php?awinmid=1234&awinaffid=9999&ued=https%3A%2F%2Fwww.x.com",
     "awin", "9999", False),
    ("https://www.awin1.com/cread.php?s=574669&v=1234&q=281365&r=9999", "awin", "9999", False),
    ("https://www.awin1.com/awclick.php?mid=1234&id=9999", "awin", "9999", False),
    ("http://www.awin1.com/pclick.php?p=3455893129&a=45628&m=6767", "awin", "45628", False),
    # Partnerize
    ("https://prf.hn/click/camref:1011l3gKy/pubref:rtx/destination:https://www.x.com/p",
     "partnerize", "1011l3gKy", False),
    ("https://apple.prf.hn/click/camref:1000lb9j/creativeref:1011l1", "partnerize", "1000lb9j", False),
    # eBay Partner Network
    ("https://www.ebay.com/itm/123456789012?mkevt=1&mkcid=1&mkrid=711-53200-19255-0&campid=5338000000"
     "&toolid=10001&customid=rtx", "ebay", "5338000000", False),
    ("https://rover.ebay.com/rover/1/711-53200-19255-0/1?icep_id=114&ipn=icep&toolid=20004"
     "&campid=5337000000&mpre=https%3A%2F%2Fwww.ebay.com", "ebay", "5337000000", False),
    ("https://www.ebay.co.uk/itm/123?mkevt=1&mkcid=1&mkrid=710-53481-19255-0&campid=5338000001",
     "ebay", "5338000001", False),
    # Skimlinks, Sovrn
    ("https://go.skimresources.com/?id=114047X1572903&xs=1&url=https%3A%2F%2Fwww.x.com",
     "skimlinks", "114047X1572903", False),
    ("https://go.redirectingat.com/?id=114047X1572903&url=https%3A%2F%2Fwww.x.com",
     "skimlinks", "114047X1572903", False),
    ("https://redirect.viglink.com/?key=a1b2c3d4&u=https%3A%2F%2Fwww.x.com", "sovrn", "a1b2c3d4", False),
    # B&H: path form and query form
    ("https://www.bhphotovideo.com/c/product/1141525-REG/b_w_1081478_77mm.html/BI/5562/KBID/6400",
     "bh", "5562", False),
    ("https://www.bhphotovideo.com/c/product/1141525-REG/b_w.html?BI=5562&KBID=6400", "bh", "5562",
     False),
]


@pytest.mark.parametrize("url,program,tracking,ours", AFFILIATE)
def test_real_affiliate_links(programs, url, program, tracking, ours):
    c = classify(url, programs)
    assert (c.program, c.tracking_id, c.ours, c.shortener) == (program, tracking, ours, False)
    assert c.is_affiliate


SHORTENERS = [
    ("https://amzn.to/3xYzAbc", "amazon"),
    ("https://amzn.eu/d/5AbCdEf", "amazon-intl"),
    ("https://bestbuy.7tiv.net/qnRGAo", "impact"),
    ("https://shrsl.com/4ud5g", "shareasale"),
    ("https://tidd.ly/3J1KeV2", "awin"),
    ("https://ebay.us/m/edWc1H", "ebay"),
    ("https://fave.co/2KcKhuz", "skimlinks"),
    ("https://sovrn.co/1oztrlh", "sovrn"),
    ("https://bhpho.to/4aIiFJf", "bh"),
    ("https://geni.us/RTX4090", "geniuslink"),
    ("https://bit.ly/3abcDEF", None),
    ("https://tinyurl.com/rtx4090", None),
    ("https://a.co/d/0abcDEF", None),
]


@pytest.mark.parametrize("url,program", SHORTENERS)
def test_shorteners_hide_the_destination(programs, url, program):
    c = classify(url, programs)
    assert c.shortener and c.program == program and c.tracking_id is None and not c.ours


NOT_AFFILIATE = [
    "https://www.amazon.com/dp/B0BJFRT43X",  # untagged product link
    "https://www.amazon.com/dp/B0BJFRT43X?tag=",  # empty tag
    "https://www.amazon.com/dp/B0BJFRT43X?th=1&psc=1&linkCode=ll1",
    "https://aws.amazon.com/ec2/instance-types/g5/?tag=localaicat-20",  # AWS, not the store
    "https://developer.amazon.com/docs/alexa/?tag=someone-20",
    "https://web.archive.org/web/20240101000000/https://www.amazon.com/dp/B0BJFRT43X?tag=someone-20",
    "https://github.com/ggerganov/llama.cpp/releases?tag=b3000",  # ?tag= elsewhere
    "https://huggingface.co/TheBloke/Llama-2-7B-GGUF?tag=q4",
    "https://amazon.com.evil.example/dp/B0BJFRT43X?tag=someone-20",  # look-alike host
    "https://notamazon.com/dp/B0BJFRT43X?tag=someone-20",
    "https://www.amazon.jobs/en/?tag=someone-20",
    "https://www.bestbuy.com/site/nvidia-geforce-rtx-4090/6521430.p?skuId=6521430",
    "https://www.ebay.com/itm/123456789012",
    "https://www.ebay.com/itm/123456789012?campid=",
    "https://www.bhphotovideo.com/c/product/1141525-REG/b_w_1081478_77mm.html",
    "https://www.anrdoezrs.net/",
    "https://www.shareasale.com/info/",
    "https://www.shareasale.com/r.cfm?b=654321&m=12345",  # no affiliate id
    "https://www.awin1.com/",
    "https://prf.hn/",
    "https://click.linksynergy.com/",
    "https://go.notskimresources.com/?id=114047X1572903",
    "https://www.newegg.com/p/N82E16814137632",
    "https://ebay.example.com/?campid=5338000000",
    "mailto:editors@local-ai-catalog.org",
    "not a url",
    "",
]


@pytest.mark.parametrize("url", NOT_AFFILIATE)
def test_look_alikes_are_not_affiliate_links(programs, url):
    c = classify(url, programs)
    assert not c.is_affiliate and not c.shortener and c.tracking_id is None


def test_a_link_class_carries_the_program_rules(programs):
    amazon = classify("https://www.amazon.com/dp/B0BJFRT43X?tag=localaicat-20", programs)
    assert amazon.program_name == "Amazon Associates" and not amazon.allows_email
    assert amazon.required_statement == "As an Amazon Associate I earn from qualifying purchases."
    ebay = classify("https://www.ebay.com/itm/1?mkevt=1&mkcid=1&campid=5338000000", programs)
    assert ebay.program == "ebay" and ebay.allows_email and ebay.required_statement is None
    plain = classify("https://vllm.ai/", programs)
    assert plain.allows_email and plain.required_statement is None and plain.program_name is None


def test_the_click_id_of_someone_else_is_never_ours(programs):
    impact = replace(programs.get("impact"), our_ids=frozenset({"1234567", "Wx2RaB"}))
    mine = replace(programs, programs=tuple(impact if p.id == "impact" else p
                                            for p in programs.programs))
    assert classify("https://dell.sjv.io/c/1234567/1179936/17038", mine).ours
    c = classify("https://www.bestbuy.com/site/x/6521430.p?irclickid=Wx2RaB", mine)
    assert c.program == "impact" and c.click_id and not c.ours


def test_specific_shapes_win_over_the_catch_all(programs):
    url = "https://www.amazon.com/dp/B0BJFRT43X?tag=localaicat-20&irclickid=abc"
    assert classify(url, programs).program == "amazon"


_URL_PIECES = ["http://", "https://", "HTTPS://", "ftp://", "www.", "WWW.", "Example.COM", "a-b",
               "x.", ".", "/", "?", "#", "q=1", ":8080", "user@", "[::1]", " ", "\t", "%41",
               "é", "_", "", "amazon.com", "tag=ours-20", "\\", "\u017f", "\u212a"]


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(_URL_PIECES), max_size=8).map("".join))
def test_the_quick_host_is_the_host_urlsplit_gives(url):
    """url_host reads simple URLs itself: the same host as the full parse, for any URL."""
    from pipeline.affiliates.classify import _host, url_host

    assert url_host(url) == _host(url)[0]


class _EveryShape:
    """The programs, with no quick test: classify tries every shape on every URL."""

    def __init__(self, programs):
        self.shapes, self.shortener_re = programs.shapes, programs.shortener_re
        self.redirectors, self.redirector_re = programs.redirectors, programs.redirector_re

    def may_match(self, url, host):
        return True

    def is_redirector(self, host):
        return self.redirector_re.match(host) is not None


_LINK_PIECES = ["https://", "http://", "www.", "amazon.com", "amzn.to", "dell.sjv.io", "goto.",
                "bestbuy.com", "example.org", "/dp/B0BJFRT43X", "/c/1234567/1179936/17038",
                "/Ab3d", "?", "&", "tag=localaicat-20", "irclickid=Wx2", "#", "x", "/",
                "google.com", "/url", "q=https://amzn.to/x"]


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(_LINK_PIECES), max_size=7).map("".join))
def test_the_quick_test_changes_no_class(programs, url):
    """Most links stop at Programs.may_match; it stops none that a shape would claim. What
    it remembers of a host asked about before (the second time) changes nothing either,
    nor does the quick making of an unclaimed link's class: the same fields as LinkClass's
    own __init__ gives, equal, with the same hash."""
    truth = classify(url, _EveryShape(programs))
    for _ in range(2):
        found = classify(url, programs)
        assert found == truth and vars(found) == vars(truth) and hash(found) == hash(truth)


def test_a_catch_all_shape_that_reads_the_path_is_tried_without_a_query(programs):
    from pipeline.publish.affiliate import PaidLinks

    impact = programs.get("impact")
    by_path = replace(impact.links[-1], path_id=re.compile(r"^/r/(\w+)"), params=())
    mine = replace(programs, programs=(*[p for p in programs.programs if p.id != "impact"],
                                       replace(impact, links=(*impact.links[:-1], by_path))))
    assert mine.catch_all == "any" and programs.catch_all == "query"
    url = "https://shop.example/r/partner42"
    assert classify(url, mine).tracking_id == "partner42"
    assert classify(url, programs).program is None
    assert PaidLinks(mine).is_affiliate(url) and not PaidLinks(programs).is_affiliate(url)


# A host written with `%xx` escapes or full-width letters: a browser decodes and maps it
# (WHATWG URL), so it is the store's or the shortener's (found in review: these passed as
# no paid link and no shortener, and reached readers unlabelled).
DISGUISED = [
    ("https://www.%61mazon.com/dp/B0ENC?tag=localaicat-20", "amazon", False),
    ("https://www.amazon.c%6Fm/dp/B0ENC?tag=localaicat-20", "amazon", False),
    ("https://www.\uff41\uff4d\uff41\uff5a\uff4f\uff4e.com/dp/B0FW?tag=localaicat-20", "amazon", False),
    ("https://www.%EF%BD%81mazon.com/dp/B0FW?tag=localaicat-20", "amazon", False),  # as cmark writes it
    ("https://amzn%2Eto/3xYzAbc", "amazon", True),
    ("https://bit%2Ely/abc", None, True),
    # a long s, `ſ`, is an `s` to IDNA (a browser opens geni.us), not to str.lower(), which
    # the quick reading of a host used: these passed as no paid link and no shortener
    ("https://geni.u\u017f/3xYzAbc", "geniuslink", True),
    ("https://www.amazon.e\u017f/dp/B0ENC?tag=someone-21", "amazon-intl", False),
    ("https://\u017fhareasale.com/r.cfm?u=123&m=456", "shareasale", False),
]


@pytest.mark.parametrize("url,program,shortener", DISGUISED)
def test_a_host_in_escapes_or_full_width_letters_is_the_one_a_browser_opens(
        programs, url, program, shortener):
    c = classify(url, programs)
    assert (c.program, c.shortener) == (program, shortener)
    assert c.is_affiliate or shortener


@pytest.mark.parametrize("url,written,value", [
    ("https://www.amazon.com/dp/B0BJFRT43X?TAG=localaicat-20", "TAG", "localaicat-20"),
    ("https://www.amazon.com/dp/B0BJFRT43X?th=1&Tag=localaicat-20", "Tag", "localaicat-20"),
    ("https://www.amazon.de/dp/B0BJFRT43X?TAG=someone-21", "TAG", "someone-21"),
])
def test_a_tracking_parameter_in_another_case_is_no_paid_link_but_is_told(programs, url,
                                                                           written, value):
    """`?TAG=localaicat-20` was taken for an untagged store link, with nothing said: Amazon
    reads `tag` as written (the programs file: case matters), so the link pays no one and
    is no paid link, but the editor most likely meant our tag (found in review)."""
    c = classify(url, programs)
    assert not c.is_affiliate and not c.ours and c.tracking_id is None
    assert c.miscased[1:] == (written, "tag", value) and c.miscased[0].startswith("Amazon")


def test_a_parameter_the_program_lists_in_both_cases_is_its_tracking_id(programs):
    c = classify("https://www.shareasale.com/r.cfm?U=123&m=45", programs)
    assert c.program == "shareasale" and c.tracking_id == "123" and c.miscased is None
    for url in ("https://www.amazon.com/dp/B0BJFRT43X?TAG=x&tag=localaicat-20",  # tag wins
                "https://www.amazon.com/dp/B0BJFRT43X?TAG=",  # no value
                "https://github.com/ggerganov/llama.cpp/releases?TAG=b3000",  # no program's
                "https://www.bestbuy.com/site/x/6521430.p?IRCLICKID=Wx2RaB"):  # a click id
        assert classify(url, programs).miscased is None, url


def test_a_miscased_tag_through_a_link_wrapper_is_told_with_the_wrapper(programs):
    c = classify("https://www.google.com/url?q=https%3A%2F%2Fwww.amazon.com%2Fdp%2FB0%3FTAG%3D"
                 "localaicat-20", programs)
    assert not c.is_affiliate and c.miscased[1] == "TAG" and c.via == "google.com"


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(_LINK_PIECES), max_size=7).map("".join))
def test_a_link_the_host_test_passes_over_has_nothing_to_say(programs, url):
    """may_be_claimed, which the affiliate check asks first, says False only of a URL whose
    class has no program, no shortener and no tracking parameter in another case."""
    from pipeline.affiliates.classify import may_be_claimed
    from pipeline.affiliates.report import notable

    if not may_be_claimed(url, programs):
        assert not notable(classify(url, programs))



@settings(max_examples=1500, deadline=None)
@given(st.lists(st.lists(st.sampled_from(_LINK_PIECES), max_size=7).map("".join), max_size=6))
def test_the_host_test_kept_for_a_url_is_the_one_worked_out(programs, urls):
    """may_be_claimed keeps its answer for each URL of the programs asked last (a build
    asks it for the page's paid links, then for its affiliate checks): asked again, or of
    other programs in between, it gives what the host test works out, and a page's paid
    links (PaidLinks, which asks it first) are those classify finds."""
    from pipeline.affiliates.classify import may_be_claimed, url_host
    from pipeline.publish.affiliate import PaidLinks

    every = _EveryShape(programs)
    catch_all = replace(programs, programs=tuple(
        replace(p, links=tuple(replace(s, hosts=("*",), host_re=re.compile(".*"))
                               for s in p.links)) for p in programs.programs))
    for url in urls * 2:
        for mine in (programs, catch_all, programs):
            host = url_host(url)
            assert may_be_claimed(url, mine) == (bool(host) and mine.may_match(url, host))
    paid, again = PaidLinks(programs), PaidLinks(programs)
    for url in urls:
        want = classify(url, every)
        assert paid.classify(url) == (want if want.is_affiliate else None)
    assert paid.summary(urls) == again.summary(urls)

@settings(max_examples=1500, deadline=None)
@given(st.lists(st.lists(st.sampled_from(_LINK_PIECES), max_size=6).map("".join), max_size=5),
       st.lists(st.sampled_from(_LINK_PIECES + [" ", "\n", "[a](", ")", "<", ">", "_", "\\"]),
                max_size=12).map("".join))
def test_the_notable_links_are_those_of_classified_links(programs, values, body):
    """notable_links, which places and classifies only the links its host test keeps, gives
    the pairs of classified_links with something to say, in its order."""
    from pipeline.affiliates import classified_links
    from pipeline.affiliates.report import notable, notable_links
    from pipeline.catalog.model import Entry

    def entry() -> Entry:
        return Entry(id="hardware/x", collection="hardware", slug="x", file="x.md",
                     data={"offers": [{"url": v, "note": f"see {v}"} for v in values],
                           "homepage": values[0] if values else "x"}, body=body,
                     body_line=9, positions={("offers", i, k): (2 + i, 3 if k == "url" else 5)
                                             for i in range(len(values)) for k in ("url", "note")})

    assert notable_links(entry(), programs) == [
        (link, c) for link, c in classified_links(entry(), programs) if notable(c)]


def _plain_host_module():
    import importlib

    return importlib.import_module("pipeline.affiliates.classify")  # not the function


def test_the_plain_host_s_classes_take_what_ignorecase_took():
    """_PLAIN_HOST, written without re.IGNORECASE, takes in each place of its scheme and
    host every character, and only those, that the expression with it took."""
    classes = {"h": "[Hh]", "t": "[Tt]", "p": "[Pp]", "s": r"[Ss\u017f]",
               "[a-z0-9.-]": r"[A-Za-z0-9.\-\u0130\u0131\u017f\u212a]"}
    assert _plain_host_module()._PLAIN_HOST.pattern == (
        "".join(classes[c] for c in "http") + classes["s"] + "?://(" + classes["[a-z0-9.-]"]
        + r"+)(?=[/?#]|\Z)")
    everything = "".join(map(chr, range(0x110000)))
    for old, ours in classes.items():
        assert (re.findall(ours, everything)
                == re.findall(old, everything, re.IGNORECASE)), (old, ours)


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.sampled_from(["http", "HTTPS", "httpſ", "hTtp", "://", ":/", "a", "K",
                                 "İ", "ı", "é", ".", "-", "/", "?", "#", " ", "_", "s", "K"]),
                max_size=8).map("".join))
def test_the_plain_host_is_what_ignorecase_read(url):
    """_PLAIN_HOST reads the host the expression with re.IGNORECASE read, or none as it."""
    old = re.compile(r"https?://([a-z0-9.-]+)(?=[/?#]|\Z)", re.IGNORECASE).match(url)
    new = _plain_host_module()._PLAIN_HOST.match(url)
    assert (old and old.group(1)) == (new and new.group(1))
