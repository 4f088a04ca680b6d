"""Gaps found in review: paid shared sources, link forms that escaped detection, repeated
tracking parameters, verdicts of renamed entries. Each on a real catalog in a temp folder."""

from __future__ import annotations

import pytest

from conftest import MINI, commit_all, git, write_entry
from pipeline.affiliates import affiliate_report, classify, load_programs
from pipeline.catalog.loader import load_catalog
from pipeline.config import load_settings
from pipeline.publish.build import build
from test_affiliates_rules import cat, run  # noqa: F401  (a fixture, and validate as of a day)

OURS = "https://www.amazon.com/dp/B0BJFRT43X?tag=localaicat-20"
FOREIGN_PATH = "www.amazon.com/dp/B0N?tag=localaicat-21"

BIB = f"""sources:
  - id: paid-review
    url: {OURS}
    title: A review on a store page
    publisher: Amazon
    accessed: 2026-10-01
"""




def found(result, prefix="affiliate"):
    return [(d.rule, d.file, d.line, d.column, d.message) for d in result.diagnostics
            if d.rule.startswith(prefix)]


def report(root, **kw):
    settings = load_settings(root)
    catalog, _ = load_catalog(settings)
    return affiliate_report(catalog, load_programs(settings), settings=settings, **kw)


# -- 1. a paid link in the shared bibliography ------------------------------------

def test_a_paid_shared_source_cited_in_a_forbidden_collection_is_refused_at_the_citation(cat):
    (cat / "data/bibliography.yaml").write_text(BIB)
    write_entry(cat, "glossary/awq", MINI["glossary/awq"], "Intro.\n\nA claim [@paid-review].\n")
    problems = found(run(cat))
    assert [p[:4] for p in problems] == [
        ("affiliate-forbidden-collection", "entries/glossary/awq.md", 12, 10)]
    assert "paid-review" in problems[0][4] and "glossary" in problems[0][4]


def test_a_paid_shared_source_named_by_a_fact_is_refused_at_that_fact(cat):
    (cat / "data/bibliography.yaml").write_text(BIB)
    bench = {"title": "Bench", "status": "draft", "authors": ["ana"],
             "results": [{"metric": "speed", "value": 1, "unit": "tok/s",
                          "source": "paid-review"}]}
    write_entry(cat, "benchmarks/bench", bench)
    rules = [p[:2] for p in found(run(cat), "affiliate-forbidden")]
    assert rules == [("affiliate-forbidden-collection", "entries/benchmarks/bench.md")]


def test_the_page_citing_a_paid_shared_source_discloses_it(cat, tmp_path):
    (cat / "data/bibliography.yaml").write_text(BIB)
    write_entry(cat, "tools/vllm", MINI["tools/vllm"], "Fast [@paid-review].\n")
    build(load_settings(cat), tmp_path / "site")
    page = (tmp_path / "site/tools/vllm.html").read_text()
    href = OURS.replace("&", "&amp;")
    assert (f'<a href="{href}" rel="sponsored nofollow noopener" '
            'aria-describedby="paid-label_source-1">') in page
    assert '<span class="paid-label" id="paid-label_source-1">(paid link)</span>' in page
    assert "We earn a commission" in page
    assert "As an Amazon Associate I earn from qualifying purchases." in page


def test_the_report_counts_an_entry_citing_a_paid_shared_source(cat):
    (cat / "data/bibliography.yaml").write_text(BIB)
    write_entry(cat, "tools/vllm", MINI["tools/vllm"], "Fast [@paid-review].\n")
    r = report(cat)
    assert r["programs"]["amazon"]["entries"] >= 1
    assert r["totals"]["entries_with_affiliate_links"] == 1
    rows = [x for x in r["links"] if x["entry"] == "tools/vllm" and x["url"] == OURS]
    assert rows and rows[0]["file"] == "entries/tools/vllm.md"
    assert r["independence"]["with_affiliate_links"]["entries"] == 1


# -- 2. link forms that render as links ---------------------------------------------

@pytest.mark.parametrize("body", [
    f"See [the card][r2].\n\n[r2]: //{FOREIGN_PATH}\n",
    f"See [the card](<//{FOREIGN_PATH}>).\n",
    f"See [the card](https&#58;//{FOREIGN_PATH}).\n",
    f'See <a href=//{FOREIGN_PATH}>the card</a>.\n',
])
def test_hidden_link_forms_are_checked_like_the_page_draws_them(cat, body):
    write_entry(cat, "tools/vllm", MINI["tools/vllm"], body)
    problems = found(run(cat))
    assert [p[0] for p in problems] == ["affiliate-foreign-tag"], body
    assert "localaicat-21" in problems[0][4]
    rows = [x for x in report(cat)["links"] if x["program"] == "amazon"]
    assert len(rows) == 1 and rows[0]["tracking_id"] == "localaicat-21"


# -- 3. a tracking parameter given twice -----------------------------------------------

def test_a_repeated_tracking_parameter_with_another_value_is_refused(cat):
    url = f"{OURS}&tag=evil-20"
    assert not classify(url, load_programs(load_settings(cat))).ours
    hardware = {"title": "RTX 4090", "status": "draft", "authors": ["ana"], "kind": "gpu",
                "vendor": "NVIDIA", "offers": [{"merchant": "Amazon", "url": url}]}
    write_entry(cat, "hardware/rtx-4090", hardware)
    problems = found(run(cat))
    assert [p[0] for p in problems] == ["affiliate-foreign-tag"]
    assert "'tag'" in problems[0][4] and "localaicat-20" in problems[0][4] \
        and "evil-20" in problems[0][4]


def test_a_repeated_tracking_parameter_with_the_same_value_is_fine(cat):
    assert classify(f"{OURS}&tag=localaicat-20", load_programs(load_settings(cat))).ours


# -- 4. a verdict of an entry renamed with git mv -------------------------------------

@pytest.fixture
def renamed(cat):
    tool = {**MINI["tools/vllm"], "reviewed_by": ["ana"]}  # no independent reviewer
    write_entry(cat, "tools/vllm", tool, f"Runs on [this card]({OURS}).\n")
    git(cat, "init", "-q", "-b", "main")
    commit_all(cat, "Initial catalog", "2026-09-01T12:00:00")
    git(cat, "mv", "entries/tools/vllm.md", "entries/tools/vllm-engine.md")
    commit_all(cat, "Rename", "2026-10-05T12:00:00")
    return cat


def test_the_report_does_not_call_a_renamed_entrys_verdict_new(renamed):
    changes = report(renamed, since="2026-10-01")["independence"]["verdict_changes"]
    assert changes == []


def test_verdict_review_is_quiet_for_a_renamed_entry(renamed):
    base = git(renamed, "rev-parse", "HEAD~1").strip()
    assert found(run(renamed, changed_since=base), "affiliate-verdict") == []


def test_verdict_review_is_quiet_for_an_uncommitted_rename(renamed):
    git(renamed, "mv", "entries/tools/vllm-engine.md", "entries/tools/vllm-server.md")
    base = git(renamed, "rev-parse", "HEAD~1").strip()
    assert found(run(renamed, changed_since=base), "affiliate-verdict") == []


def test_verdict_review_still_fires_for_a_renamed_entry_whose_verdict_changed(renamed):
    path = renamed / "entries/tools/vllm-engine.md"
    path.write_text(path.read_text().replace("rating: recommended", "rating: avoid"))
    base = git(renamed, "rev-parse", "HEAD~1").strip()
    problems = found(run(renamed, changed_since=base), "affiliate-verdict")
    assert len(problems) == 1 and "recommended -> avoid" in problems[0][4]
