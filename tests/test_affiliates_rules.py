"""The affiliate rules of validate: each fires at its file and line, and stays quiet on good input."""

from __future__ import annotations

import datetime as dt
import re
import shutil

import pytest

from conftest import MINI, REPO, commit_all, git, write_entry
from pipeline.config import load_settings
from pipeline.validate import validate

OURS = "https://www.amazon.com/dp/B0BJFRT43X?tag=localaicat-20"
FOREIGN = "https://www.amazon.com/dp/B0BJFRT43X?tag=localaicat-21"
UNTAGGED = "https://www.amazon.com/dp/B0BJFRT43X"

HARDWARE = {"title": "RTX 4090", "status": "draft", "authors": ["ana"], "kind": "gpu",
            "vendor": "NVIDIA"}


@pytest.fixture
def cat(catalog):
    """The minimal catalog of conftest, with the shipped programs file."""
    (catalog / "data").mkdir(exist_ok=True)
    shutil.copy(REPO / "data/affiliates.yaml", catalog / "data/affiliates.yaml")
    # the shipped settings, which name it; paid links are allowed on tools here (the
    # shipped policy forbids them there too): these tests put them on tools/vllm
    (catalog / "pipeline.toml").write_text(re.sub(
        r"(?m)^forbidden_collections = .*$", POLICY,
        (REPO / "pipeline.toml").read_text(encoding="utf-8")), encoding="utf-8")
    return catalog


POLICY = 'forbidden_collections = ["benchmarks", "errors", "glossary"]'


def run(root, **kw):
    return validate(load_settings(root), today=dt.date(2026, 11, 27), **kw)


def at(path, needle, nth=0):
    """(line, column) of the nth occurrence of `needle` in a file."""
    hits = [(i + 1, line.index(needle) + 1) for i, line in enumerate(path.read_text().split("\n"))
            if needle in line]
    return hits[nth]


def found(result, prefix="affiliate"):
    return [(d.rule, d.file, d.line, d.column) for d in result.diagnostics if d.rule.startswith(prefix)]


def test_the_minimal_catalog_with_programs_is_clean(cat):
    assert run(cat).diagnostics == []


def test_foreign_tag_fires_in_body_and_front_matter(cat):
    write_entry(cat, "hardware/rtx-4090",
                {**HARDWARE, "offers": [{"merchant": "Amazon", "url": FOREIGN}]},
                f"Intro.\n\nBuy [here]({FOREIGN}).\n")
    r = run(cat)
    f = cat / "entries/hardware/rtx-4090.md"
    assert found(r) == [("affiliate-foreign-tag", "entries/hardware/rtx-4090.md", *at(f, "url: ")),
                        ("affiliate-foreign-tag", "entries/hardware/rtx-4090.md", *at(f, FOREIGN, 1))]
    assert "tracking id 'localaicat-21', which is not ours" in r.diagnostics[0].message
    assert r.diagnostics[0].message.startswith("offers.0.url: Amazon Associates link")
    assert r.exit_code() == 1


def test_foreign_tag_fires_in_a_nested_list_item_and_an_items_second_paragraph(cat):
    """Lines indented four spaces there are text on the page, not code (found in review)."""
    write_entry(cat, "hardware/rtx-4090", HARDWARE,
                f"Intro.\n\n- Where to buy\n    - [here]({FOREIGN})\n\n    Or [there]({FOREIGN}).\n\n"
                f"Code:\n\n    curl {FOREIGN}\n")
    f = cat / "entries/hardware/rtx-4090.md"
    assert found(run(cat)) == [
        ("affiliate-foreign-tag", "entries/hardware/rtx-4090.md", *at(f, FOREIGN, 0)),
        ("affiliate-foreign-tag", "entries/hardware/rtx-4090.md", *at(f, FOREIGN, 1))]


def test_foreign_tag_quiet_for_our_tag_and_untagged_links(cat):
    write_entry(cat, "hardware/rtx-4090",
                {**HARDWARE, "offers": [{"merchant": "Amazon", "url": OURS}]},
                f"Buy [here]({UNTAGGED}) or on AWS https://aws.amazon.com/ec2/?tag=someone-20.\n")
    assert found(run(cat)) == []


def test_a_copied_click_id_is_foreign(cat):
    write_entry(cat, "hardware/rtx-4090", HARDWARE,
                "See https://www.bestbuy.com/site/x/6521430.p?skuId=6521430&irclickid=Wx2RaB.\n")
    r = run(cat)
    f = cat / "entries/hardware/rtx-4090.md"
    assert found(r) == [("affiliate-foreign-tag", "entries/hardware/rtx-4090.md",
                         *at(f, "https://www.bestbuy"))]
    assert "click id of someone else's visit" in r.diagnostics[0].message


def test_bibliography_sources_are_checked_on_full_runs(cat):
    (cat / "data/bibliography.yaml").write_text(
        "sources:\n  - id: card\n    url: https://tinyurl.com/rtx4090\n    title: Card\n"
        "    accessed: 2026-10-01\n  - id: shop\n    url: " + FOREIGN + "\n    title: Shop\n"
        "    accessed: 2026-10-01\n")
    write_entry(cat, "tools/vllm", MINI["tools/vllm"], "Fast [@card; @shop].\n")
    r = run(cat)
    assert found(r) == [("affiliate-shortener", "data/bibliography.yaml", 2, 5),
                        ("affiliate-foreign-tag", "data/bibliography.yaml", 6, 5)]
    assert r.diagnostics[1].message.startswith("sources.shop.url: Amazon Associates link")
    assert found(run(cat, paths=[str(cat / "entries/tools/vllm.md")])) == []


def test_shortener_fires_for_program_and_generic_shorteners(cat):
    write_entry(cat, "hardware/rtx-4090", HARDWARE,
                "Buy <https://amzn.to/3xYzAbc>.\n\nOr https://bit.ly/3abcDEF today.\n")
    r = run(cat)
    f = cat / "entries/hardware/rtx-4090.md"
    assert found(r) == [("affiliate-shortener", "entries/hardware/rtx-4090.md", *at(f, "https://amzn.to")),
                        ("affiliate-shortener", "entries/hardware/rtx-4090.md", *at(f, "https://bit.ly"))]
    assert "amzn.to (Amazon Associates) is a link shortener" in r.diagnostics[0].message
    assert "full link" in r.diagnostics[0].hint


def test_shortener_quiet_for_full_links(cat):
    write_entry(cat, "hardware/rtx-4090", HARDWARE, f"Buy [here]({OURS}); see https://bitly.example/x.\n")
    assert found(run(cat)) == []


def test_forbidden_collection_fires_for_any_affiliate_url_of_the_entry(cat):
    write_entry(cat, "glossary/awq", {**MINI["glossary/awq"], "sources": [
        {"id": "shop", "url": OURS, "title": "Shop", "accessed": "2026-10-01"}]},
        "AWQ [@shop].\n")
    r = run(cat)
    assert found(r) == [("affiliate-forbidden-collection", "entries/glossary/awq.md",
                         *at(cat / "entries/glossary/awq.md", "url: "))]
    assert "in glossary, where affiliate links are not allowed" in r.diagnostics[0].message


def test_links_written_as_browsers_forgive_them_are_checked_too(cat):
    """`//host`, `https:/host`, backslashes and entities reach the same page a browser
    opens: validate reads them as that URL (found in review)."""
    write_entry(cat, "glossary/awq", MINI["glossary/awq"],
                "A [a](//www.amazon.com/dp/B0BJFRT43X?tag=localaicat-20).\n\n"
                "B [b](https:/www.amazon.com/dp/B0BJFRT43X?tag=localaicat-20).\n\n"
                "C [c](https:\\\\www.amazon.com/dp/B0BJFRT43X?tag=localaicat-20).\n\n"
                "D [d](https://www.amazon.com/dp/B0BJFRT43X?tag&#61;localaicat-21).\n")
    f = cat / "entries/glossary/awq.md"
    assert found(run(cat)) == [
        ("affiliate-forbidden-collection", "entries/glossary/awq.md", *at(f, "//www")),
        ("affiliate-forbidden-collection", "entries/glossary/awq.md", *at(f, "https:/www")),
        ("affiliate-forbidden-collection", "entries/glossary/awq.md", *at(f, "https:\\\\")),
        ("affiliate-forbidden-collection", "entries/glossary/awq.md", *at(f, "https://www")),
        ("affiliate-foreign-tag", "entries/glossary/awq.md", *at(f, "https://www"))]


def test_forbidden_collection_quiet_for_untagged_links_and_when_the_policy_allows(cat):
    write_entry(cat, "glossary/awq", MINI["glossary/awq"], f"See [the card]({UNTAGGED}).\n")
    assert found(run(cat)) == []
    write_entry(cat, "glossary/awq", MINI["glossary/awq"], f"See [the card]({OURS}).\n")
    assert [f[0] for f in found(run(cat))] == ["affiliate-forbidden-collection"]
    toml = cat / "pipeline.toml"
    toml.write_text(toml.read_text().replace('["benchmarks", "errors", "glossary"]', '["errors"]'))
    assert found(run(cat)) == []


def test_programs_file_problems_name_the_file_and_line(cat):
    path = cat / "data/affiliates.yaml"
    good = path.read_text()
    path.write_text(good.replace("our_ids: [localaicat-20]", "our_ids: localaicat-20"))
    r = run(cat)
    line = good.split("\n").index("    our_ids: [localaicat-20]") + 1
    assert found(r) == [("affiliate-programs", "data/affiliates.yaml", line, 5)]
    assert r.diagnostics[0].message == ("programs.0.our_ids should be a list, not "
                                        "'localaicat-20'")
    path.write_text(good.replace("path_id: ^/click-(\\d+)-\\d+", "path_id: ^/click-(\\d+-\\d+"))
    assert [f[0] for f in found(run(cat))] == ["affiliate-programs"]
    path.write_text("disclosure: [\n")
    r = run(cat)
    assert found(r) == [("affiliate-programs", "data/affiliates.yaml", 2, 1)]


def test_programs_file_problems_are_said_in_the_words_of_the_entries_schema_check(cat):
    """jsonschema's own words ("None is not of type 'string'", "Additional properties are
    not allowed ('lable', 'txt' were unexpected)") reached editors (found in review)."""
    path = cat / "data/affiliates.yaml"
    good = path.read_text()
    path.write_text(good.replace("  label: (paid link)\n", "  label:\n  lable: x\n  txt: y\n"))
    lines = good.split("\n")
    at = lines.index("  label: (paid link)") + 1
    r = run(cat)
    assert [(d.line, d.column, d.message) for d in r.diagnostics] == [
        (at, 3, "disclosure.label is empty; write text"),
        (at + 1, 3, "unknown key 'lable' in disclosure: did you mean `label`? (allowed: "
                    "email_text, label, rel, text) (see docs/affiliates.md)"),
        (at + 2, 3, "unknown key 'txt' in disclosure: did you mean `text`? (allowed: "
                    "email_text, label, rel, text) (see docs/affiliates.md)")]


def test_a_data_file_named_in_the_settings_that_is_not_there_is_an_error(cat):
    """A typo in paths.affiliates turned every affiliate rule off, and the build then
    published paid links with no disclosure (found in review); the same for the
    bibliography. A catalog that names neither and has neither is fine, as documented."""
    toml = cat / "pipeline.toml"
    base = toml.read_text()
    toml.write_text(base.replace('affiliates = "data/affiliates.yaml"',
                                 'affiliates = "data/affiliate.yaml"')
                    .replace('bibliography = "data/bibliography.yaml"',
                             'bibliography = "data/bib.yaml"'))
    found = {(d.rule, d.file): d.message for d in run(cat).diagnostics}
    assert "paths.affiliates is data/affiliate.yaml, which does not exist" in \
        found[("affiliate-programs", "pipeline.toml")]
    assert "paths.bibliography is data/bib.yaml, which does not exist" in \
        found[("bibliography", "pipeline.toml")]
    # named in the settings (as the shipped ones name it), the programs file must be there:
    # deleting it turned every affiliate rule off (found in review). (A missing bibliography
    # is loud anyway: every citation of it is unresolved.)
    toml.write_text(base)
    (cat / "data/affiliates.yaml").unlink()
    assert [d.rule for d in run(cat).diagnostics] == ["affiliate-programs"]
    toml.write_text(base.replace('affiliates = "data/affiliates.yaml"\n', ""))
    assert run(cat).diagnostics == []  # a catalog with no affiliate program


def test_programs_file_duplicate_ids_and_path_id_without_a_group(cat):
    path = cat / "data/affiliates.yaml"
    good = path.read_text()
    path.write_text(good.replace("  - id: amazon-intl\n", "  - id: amazon\n")
                    .replace("path_id: ^/click/camref:([^/]+)", "path_id: ^/click/camref:[^/]+"))
    lines = good.split("\n")
    r = run(cat)
    assert found(r) == [
        ("affiliate-programs", "data/affiliates.yaml", lines.index("  - id: amazon-intl") + 1, 5),
        ("affiliate-programs", "data/affiliates.yaml",
         lines.index("        path_id: ^/click/camref:([^/]+)") + 1, 9)]
    assert "program id 'amazon' is used twice (first at line" in r.diagnostics[0].message
    assert "exactly one group" in r.diagnostics[1].message


def test_every_problem_of_the_programs_file_is_reported_in_one_run(cat, cli):
    """A schema error hid the file's other problems (an expression that is no regular
    expression, an id used twice): validate reported the later line only, and the editor
    fixed the file one run at a time (found in review)."""
    path = cat / "data/affiliates.yaml"
    good = path.read_text()
    path.write_text(good.replace("    path: ^/url$\n", "    path: ^/url($\n")
                    .replace("  - id: amazon-intl\n", "  - id: amazon\n")
                    .replace("      - hosts: [amazon.com, ", "      - hosts: [www.amazon.com, ", 1))
    lines = good.split("\n")
    wanted = [("affiliate-programs", "data/affiliates.yaml", lines.index(line) + 1, column)
              for line, column in [("    path: ^/url$", 5),
                                   ("      - hosts: [amazon.com, smile.amazon.com, m.amazon.com]",
                                    17),
                                   ("  - id: amazon-intl", 5)]]
    r = run(cat)
    assert found(r) == wanted
    assert ["not a valid regular expression" in r.diagnostics[0].message,
            "without `www.`" in r.diagnostics[1].message,
            "is used twice" in r.diagnostics[2].message] == [True, True, True]
    # a command that needs the programs says each problem on a line of its own
    out = cli(cat, "affiliates", "classify", "https://amzn.to/x")
    assert out.exit_code == 1 and "3 problems in the programs file" in out.output
    assert [f"data/affiliates.yaml:{w[2]}:{w[3]}:" in out.output.split("\n")[i + 1]
            for i, w in enumerate(wanted)] == [True, True, True]


def test_programs_file_refuses_a_host_with_www(cat):
    """A link's host is matched without its `www.`, so a shape listing `www.amazon.com`
    matched no link at all: every Amazon link went out as no affiliate link, unlabelled
    and undisclosed, while the schema's own words said `www.` was not allowed (found in
    review)."""
    path = cat / "data/affiliates.yaml"
    good = path.read_text()
    path.write_text(good.replace("      - hosts: [amazon.com, ", "      - hosts: [www.amazon.com, ", 1))
    line = good.split("\n").index("      - hosts: [amazon.com, smile.amazon.com, m.amazon.com]") + 1
    r = run(cat)
    assert found(r) == [("affiliate-programs", "data/affiliates.yaml", line, 17)]
    assert "'www.amazon.com' should be a lowercase host name without `www.`" in \
        r.diagnostics[0].message


def test_a_host_in_capitals_is_suggested_in_lower_case(cat):
    """`Amazon.com` got "did you mean `amazon-com`?", another host (found in review)."""
    path = cat / "data/affiliates.yaml"
    path.write_text(path.read_text().replace("      - hosts: [amazon.com, ",
                                             "      - hosts: [Amazon.com, ", 1))
    message = run(cat).diagnostics[0].message
    assert message.endswith("did you mean `amazon.com`?"), message


@pytest.mark.parametrize("written", ["www.amazon.com", "Amazon.com/"])
def test_a_host_with_www_or_a_slash_is_suggested_as_the_host(cat, written):
    """`www.amazon.com`, refused since hosts are written without `www.`, was told "did you
    mean `www-amazon-com`?" (and `Amazon.com/` `amazon-com`), hosts of no one (found in
    review)."""
    path = cat / "data/affiliates.yaml"
    path.write_text(path.read_text().replace("      - hosts: [amazon.com, ",
                                             f"      - hosts: ['{written}', ", 1))
    message = run(cat).diagnostics[0].message
    assert message.endswith("did you mean `amazon.com`?"), message


def test_programs_file_problem_when_a_shape_mixes_params_and_shortener(cat):
    path = cat / "data/affiliates.yaml"
    path.write_text(path.read_text().replace("      - hosts: [geni.us]\n        shortener: true",
                                             "      - hosts: [geni.us]\n        shortener: true\n"
                                             "        params: [id]"))
    r = run(cat)
    assert [d.message for d in r.diagnostics] and all(
        "exactly one of `params`, `path_id` or `shortener: true`" in d.message for d in r.diagnostics)


def test_without_a_programs_file_nothing_is_an_affiliate_link(catalog):
    write_entry(catalog, "glossary/awq", MINI["glossary/awq"], f"See https://amzn.to/3x and {FOREIGN}.\n")
    assert found(run(catalog)) == []


# --- affiliate-verdict-review, against the base of a pull request
TOOL_BODY = f"vLLM serves models.\n\nRuns well on [this card]({OURS}).\n"


@pytest.fixture
def history(cat):
    git(cat, "init", "-q", "-b", "main")
    write_entry(cat, "tools/vllm", MINI["tools/vllm"], TOOL_BODY)
    commit_all(cat, "Initial catalog", "2026-09-01T12:00:00")
    return cat


def _change_verdict(root, body=TOOL_BODY, **changes):
    data = {**MINI["tools/vllm"], **changes}
    data["verdict"] = {**MINI["tools/vllm"]["verdict"], "rating": "situational",
                       "date": "2026-10-02"}
    write_entry(root, "tools/vllm", data, body)


def test_verdict_review_fires_when_only_authors_reviewed(history):
    _change_verdict(history, reviewed_by=["ana"])
    r = run(history, changed_since="HEAD")
    assert found(r) == [("affiliate-verdict-review", "entries/tools/vllm.md",
                         *at(history / "entries/tools/vllm.md", "verdict:"))]
    assert "verdict changed (recommended -> situational)" in r.diagnostics[0].message
    assert "(amazon)" in r.diagnostics[0].message


def test_verdict_review_fires_for_a_new_entry_with_paid_links_and_no_reviewer(history):
    write_entry(history, "hardware/rtx-4090", {
        **HARDWARE, "offers": [{"merchant": "Amazon", "url": OURS}],
        "verdict": {"rating": "recommended", "text": "Fast.", "date": "2026-10-02", "by": "ana"}})
    r = run(history, changed_since="HEAD")
    assert [(f[0], f[1]) for f in found(r)] == [("affiliate-verdict-review",
                                                 "entries/hardware/rtx-4090.md")]
    assert "new verdict (recommended)" in r.diagnostics[0].message


def test_verdict_review_quiet_with_an_independent_reviewer(history):
    _change_verdict(history, reviewed_by=["ben"])
    assert found(run(history, changed_since="HEAD")) == []


def test_the_verdict_signer_may_be_the_independent_reviewer(history):
    write_entry(history, "hardware/rtx-4090", {
        **HARDWARE, "offers": [{"merchant": "Amazon", "url": OURS}], "reviewed_by": ["ben"],
        "verdict": {"rating": "recommended", "text": "Fast.", "date": "2026-10-02", "by": "ben"}})
    assert found(run(history, changed_since="HEAD")) == []


def test_verdict_review_quiet_without_affiliate_links_or_without_a_verdict_change(history):
    _change_verdict(history, body=f"vLLM serves models on [this card]({UNTAGGED}).\n",
                    reviewed_by=["ana"])
    assert found(run(history, changed_since="HEAD")) == []
    write_entry(history, "tools/vllm", {**MINI["tools/vllm"], "reviewed_by": ["ana"]},
                TOOL_BODY + "\nMore text.\n")
    assert found(run(history, changed_since="HEAD")) == []


def test_verdict_review_only_runs_against_a_base(history):
    _change_verdict(history, reviewed_by=["ana"])
    assert found(run(history)) == []


def test_the_shipped_catalog_is_clean_of_affiliate_rules(shipped):
    assert found(run(shipped)) == []


def test_a_broken_programs_file_is_reported_against_a_base_and_when_named(history):
    """`--changed-since` (a pull request) and `validate data/affiliates.yaml` see the
    programs file's problems; validating one entry by name does not."""
    path = history / "data/affiliates.yaml"
    good = path.read_text()
    path.write_text(good.replace("our_ids: [localaicat-20]", "our_ids: localaicat-20"))
    line = good.split("\n").index("    our_ids: [localaicat-20]") + 1
    wanted = [("affiliate-programs", "data/affiliates.yaml", line, 5)]
    assert found(run(history, changed_since="HEAD")) == wanted
    assert found(run(history, paths=[str(path)])) == wanted
    assert found(run(history, paths=[str(history / "entries/tools/vllm.md")])) == []
    path.write_text(good)
    assert found(run(history, changed_since="HEAD")) == []


def test_urls_written_in_front_matter_texts_are_checked_too(cat):
    """A summary, a verdict or an offer's note may hold a URL, which the digest makes a
    live link: the rules apply there too (found in review)."""
    write_entry(cat, "hardware/rtx-4090", {
        **HARDWARE, "summary": f"Cheapest at {FOREIGN} this week.",
        "offers": [{"merchant": "Amazon", "url": OURS, "note": "or https://amzn.to/3xYzAbc"}]})
    f = cat / "entries/hardware/rtx-4090.md"
    assert found(run(cat)) == sorted([
        ("affiliate-foreign-tag", "entries/hardware/rtx-4090.md", *at(f, "summary:")),
        ("affiliate-shortener", "entries/hardware/rtx-4090.md", *at(f, "note:"))],
        key=lambda d: (d[2], d[3]))


def test_a_build_parses_the_programs_file_once(cat, tmp_path, monkeypatch):
    """The build reads the programs for its pages, the affiliate checks and the catalog's
    own checks read them again: the file is parsed once, and parsed again once changed."""
    from pipeline.affiliates import programs
    from pipeline.publish.build import build

    parsed = []
    parse = programs.parse_programs

    def counting(*args):
        parsed.append(args[0])
        return parse(*args)

    monkeypatch.setattr(programs, "_last", None, raising=False)  # none read before
    monkeypatch.setattr(programs, "parse_programs", counting)
    build(load_settings(cat), tmp_path / "out", jobs=1)
    assert parsed == ["data/affiliates.yaml"]
    assert run(cat, cache=False).diagnostics == []
    assert parsed == ["data/affiliates.yaml"]
    path = cat / "data/affiliates.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("  - id: amazon", "  - id: amazon\n"
                                                             "    id: amazon", 1),
                    encoding="utf-8")
    assert found(run(cat, cache=False), "affiliate-programs")  # read again: now a problem
    assert len(parsed) == 2


def test_a_tracking_parameter_in_another_case_is_a_warning_and_no_paid_link(cat):
    """`?TAG=localaicat-20` passed as an untagged link, said nothing, and earned nothing:
    Amazon reads `tag` (found in review). It is told at its line; the page, the e-mail and
    the report treat it as what it is, no paid link."""
    from pipeline.affiliates import (affiliate_report, classify, disclosure, email_safe_url,
                                     load_programs)
    from pipeline.catalog.loader import load_catalog

    miscased = "https://www.amazon.com/dp/B0BJFRT43X?TAG=localaicat-20"
    write_entry(cat, "hardware/rtx-4090",
                {**HARDWARE, "offers": [{"merchant": "Amazon", "url": miscased}]},
                f"Buy [here]({miscased}).\n")
    r = run(cat)
    f = cat / "entries/hardware/rtx-4090.md"
    assert found(r) == [("affiliate-tag-case", "entries/hardware/rtx-4090.md", *at(f, "url: ")),
                        ("affiliate-tag-case", "entries/hardware/rtx-4090.md",
                         *at(f, miscased, 1))]
    assert r.diagnostics[0].severity == "warning" and r.exit_code() == 0
    assert r.diagnostics[1].message == (
        f"{miscased} gives 'TAG=localaicat-20', but Amazon Associates reads its tracking "
        "parameter as 'tag', in that case: this link pays no one and is not shown as a paid "
        "link; write 'tag=localaicat-20' if it is meant to be one")
    programs = load_programs(load_settings(cat))
    assert disclosure([classify(miscased, programs)], programs) is None
    assert email_safe_url(miscased, programs, "https://example.org/hardware/rtx-4090") == miscased
    report = affiliate_report(load_catalog(load_settings(cat))[0], programs)
    assert [(row["program"], row["tracking_id"]) for row in report["links"]
            if row["url"] == miscased] == [(None, None), (None, None)]
    # a digest is refused with it, as with the other link problems: the editor fixes it
    from pipeline.digest.render import _paid_link_problems
    assert [m.split(": ")[1] for m in _paid_link_problems(
        f"Buy [it]({miscased}).\n", 3, "digests/2026-10.md", programs)] == \
        ["warning affiliate-tag-case"]
