"""`pipeline affiliates report`: every link, counts per program, the independence audit, formats."""

from __future__ import annotations

import csv
import io
import json
import shutil

import pytest

from conftest import MINI, REPO, commit_all, git, write_entry
from pipeline.affiliates import affiliate_report, load_programs
from pipeline.catalog.loader import load_catalog
from pipeline.config import load_settings

OURS = "https://www.amazon.com/dp/B0BJFRT43X?tag=localaicat-20"
FOREIGN = "https://www.amazon.com/dp/B0BJFRT43X?tag=someone-20"
EBAY = "https://www.ebay.com/itm/123456789012?mkevt=1&mkcid=1&campid=5338000000"


def verdict(rating, date, text="Fast on one card."):
    return {"rating": rating, "text": text, "date": date, "by": "ana"}


def hardware(rating, date):
    return {"title": "RTX 4090", "status": "published", "summary": "A GPU.", "authors": ["ana"],
            "reviewed_by": ["ben"], "published": "2026-09-01", "kind": "gpu", "vendor": "NVIDIA",
            "offers": [{"merchant": "Amazon", "url": OURS}], "verdict": verdict(rating, date)}


def tool(entry_id, rating, date, **extra):
    return {**MINI["tools/vllm"], "title": entry_id.split("/")[1], "verdict": verdict(rating, date),
            **extra}


@pytest.fixture
def repo(catalog):
    """A catalog with a history: verdicts change in October and in November."""
    (catalog / "data").mkdir(exist_ok=True)
    shutil.copy(REPO / "data/affiliates.yaml", catalog / "data/affiliates.yaml")
    git(catalog, "init", "-q", "-b", "main")
    write_entry(catalog, "tools/vllm", tool("tools/vllm", "recommended", "2026-09-01"),
                f"Runs on [this card]({OURS}).\n")
    write_entry(catalog, "tools/ollama", tool("tools/ollama", "situational", "2026-09-01"),
                "See https://ollama.com/.\n")
    write_entry(catalog, "hardware/rtx-4090", hardware("recommended", "2026-09-01"))
    commit_all(catalog, "Initial catalog", "2026-09-01T12:00:00")
    write_entry(catalog, "tools/vllm", tool("tools/vllm", "situational", "2026-10-05"),
                f"Runs on [this card]({OURS}).\n")
    write_entry(catalog, "tools/ollama", tool("tools/ollama", "avoid", "2026-10-05"),
                "See https://ollama.com/.\n")
    commit_all(catalog, "October verdicts", "2026-10-05T12:00:00")
    write_entry(catalog, "hardware/rtx-4090", hardware("avoid", "2026-11-03"))
    commit_all(catalog, "November verdict", "2026-11-03T12:00:00")
    return catalog


def report(root, **kw):
    settings = load_settings(root)
    catalog, _ = load_catalog(settings)
    return affiliate_report(catalog, load_programs(settings), settings=settings, **kw)


def test_every_link_is_listed_with_its_program(repo):
    r = report(repo)
    by_url = {(x["entry"], x["url"]): x for x in r["links"]}
    assert set(by_url) == {("hardware/rtx-4090", OURS), ("tools/ollama", "https://ollama.com/"),
                           ("tools/vllm", OURS), ("tools/vllm", "https://github.com/vllm-project/vllm"),
                           ("tools/ollama", "https://github.com/vllm-project/vllm")}
    offer = by_url[("hardware/rtx-4090", OURS)]
    assert (offer["field"], offer["where"], offer["program"], offer["ours"]) == (
        "offers.0.url", "front matter", "amazon", True)
    text = (repo / offer["file"]).read_text().split("\n")
    assert OURS in text[offer["line"] - 1]
    assert by_url[("tools/ollama", "https://ollama.com/")]["program"] is None


def test_counts_per_program_and_totals(repo):
    r = report(repo)
    assert r["programs"]["amazon"] == {"name": "Amazon Associates", "links": 2, "ours": 2,
                                       "foreign": 0, "shorteners": 0, "entries": 2,
                                       "digests": 0}
    assert r["programs"]["ebay"]["links"] == 0
    assert r["totals"] == {"links": 5, "affiliate_links": 2, "shorteners": 0, "entries": 6,
                           "entries_with_affiliate_links": 2, "digests": 0,
                           "digests_with_affiliate_links": 0}


def test_links_of_entries_that_fail_validation_are_listed(repo):
    write_entry(repo, "tools/broken", "---\ntitle: [unclosed\n---\nBuy https://amzn.to/3xYzAbc\n")
    write_entry(repo, "hardware/bad", {"title": "Bad", "status": "draft", "authors": ["nobody"],
                                      "offers": [{"merchant": "eBay", "url": EBAY}]})
    r = report(repo)
    rows = {x["file"]: x for x in r["links"] if x["file"] in ("entries/tools/broken.md",
                                                               "entries/hardware/bad.md")}
    assert rows["entries/tools/broken.md"]["where"] == "file"
    assert rows["entries/tools/broken.md"]["line"] == 4
    assert (rows["entries/tools/broken.md"]["program"], rows["entries/tools/broken.md"]["shortener"]) == (
        "amazon", True)
    assert rows["entries/hardware/bad.md"]["program"] == "ebay"
    assert r["programs"]["ebay"] == {"name": "eBay Partner Network", "links": 1, "ours": 0,
                                     "foreign": 1, "shorteners": 0, "entries": 1,
                                     "digests": 0}


def test_links_of_an_entry_with_a_control_character_are_listed(repo):
    """validate refuses a file with an ESC in its body (file-encoding) before its front
    matter is read, and the report, which reads such a file as plain text, read it with
    the same refusal: its links were left out of the counts without a word (found in
    review)."""
    write_entry(repo, "tools/vllm", tool("tools/vllm", "situational", "2026-10-05"),
                f"Runs on [this card]({OURS}).\n\n\x1b[32mINFO\x1b[0m ready\n")
    r = report(repo)
    rows = [x for x in r["links"] if x["file"] == "entries/tools/vllm.md"]
    line = (repo / "entries/tools/vllm.md").read_text().split(OURS)[0].count("\n") + 1
    assert ("file", line, OURS) in [(x["where"], x["line"], x["url"]) for x in rows]
    assert r["programs"]["amazon"]["links"] == 2


def test_bibliography_sources_are_listed(repo):
    (repo / "data/bibliography.yaml").write_text(
        "sources:\n  - id: shop\n    url: " + OURS + "\n    title: Shop\n    accessed: 2026-10-01\n")
    rows = [x for x in report(repo)["links"] if x["file"] == "data/bibliography.yaml"]
    assert [(x["line"], x["where"], x["field"], x["program"], x["entry"]) for x in rows] == [
        (2, "bibliography", "sources.shop.url", "amazon", None)]


def test_ratings_split_between_pages_with_and_without_affiliate_links(repo):
    ind = report(repo)["independence"]
    assert ind["with_affiliate_links"] == {"entries": 2, "ratings": {
        "recommended": 0, "situational": 1, "avoid": 1}}
    assert ind["without_affiliate_links"] == {"entries": 1, "ratings": {
        "recommended": 0, "situational": 0, "avoid": 1}}
    assert ind["period"] == {"since": None, "until": None} and ind["verdict_changes"] == []


def test_verdict_changes_in_a_period_only_on_affiliate_pages(repo):
    changes = report(repo, since="2026-10-01", until="2026-11-01")["independence"]["verdict_changes"]
    assert [(c["entry"], c["kind"], c["old_rating"], c["new_rating"], c["date"], c["programs"],
             c["independent_reviewers"]) for c in changes] == [
        ("tools/vllm", "changed", "recommended", "situational", "2026-10-05", ["amazon"], ["ben"])]
    changes = report(repo, since="2026-10-01")["independence"]["verdict_changes"]
    assert [(c["entry"], c["new_rating"]) for c in changes] == [("hardware/rtx-4090", "avoid"),
                                                               ("tools/vllm", "situational")]
    assert report(repo, since="2026-11-04")["independence"]["verdict_changes"] == []
    new = report(repo, since="2026-08-01", until="2026-09-02")["independence"]["verdict_changes"]
    assert {(c["entry"], c["kind"]) for c in new} == {("tools/vllm", "new"), ("hardware/rtx-4090", "new")}


def test_cli_formats(repo, cli):
    r = cli(repo, "affiliates", "report", "--format", "json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    assert data == report(repo)
    assert cli(repo, "affiliates", "report", "--format", "json").output == r.output  # deterministic

    rows = list(csv.DictReader(io.StringIO(cli(repo, "affiliates", "report", "--format", "csv").output)))
    assert len(rows) == 5 and {x["program"] for x in rows} == {"amazon", ""}
    assert {x["ours"] for x in rows if x["program"]} == {"yes"}

    table = cli(repo, "affiliates", "report", "--since", "2026-10-01").output
    assert "2 affiliate links in 2 entries; 5 links in all (6 entries)." in table
    assert "Amazon Associates  2      2     0" in table
    assert "entries/tools/vllm.md: recommended -> situational (2026-10-05; reviewed by ben)" in table

    md = cli(repo, "affiliates", "report", "--format", "markdown", "--since", "2026-10-01",
             "--until", "2026-11-01").output
    assert "Of the 3 published pages with a verdict, 2 carry affiliate links." in md
    assert "| With affiliate links | 2 | 0 (0%) | 1 (50%) | 1 (50%) |" in md
    assert "| Without affiliate links | 1 | 0 (0%) | 0 (0%) | 1 (100%) |" in md
    assert ("New or changed verdicts on pages with affiliate links, from 2026-10-01 until "
            "2026-11-01: 1.") in md
    assert "- [vllm](/tools/vllm): recommended → situational (2026-10-05), reviewed by ben" in md


def test_csv_runs_no_formula_in_a_spreadsheet(repo, cli):
    """A tracking id is the URL's own text, decoded: `?tag=%3DHYPERLINK(...)` put a live
    formula into the CSV, which a spreadsheet ran on opening it."""
    bad = ("https://www.amazon.com/dp/B0?tag=%3DHYPERLINK%28%22http://evil%22%2C%22a%2Cb%22%29",
           "https://www.amazon.com/dp/B1?tag=@SUM(1)", "https://www.amazon.com/dp/B2?tag=-2%2B3",
           "https://www.amazon.com/dp/B3?tag=%2Bx", "https://www.amazon.com/dp/B4?tag=a%0Ab")
    write_entry(repo, "tools/ollama", tool("tools/ollama", "avoid", "2026-10-05"),
                " ".join(f"[{i}]({u})" for i, u in enumerate(bad)) + "\n")
    rows = list(csv.DictReader(io.StringIO(cli(repo, "affiliates", "report", "--format", "csv").output)))
    ids = {x["url"]: x["tracking_id"] for x in rows if x["entry"] == "tools/ollama" and x["program"]}
    assert [ids[u] for u in bad] == ["'=HYPERLINK(\"http://evil\",\"a,b\")", "'@SUM(1)", "'-2+3",
                                     "'+x", "a\nb"]
    assert all(x["url"].startswith("https://") for x in rows)
    assert cli(repo, "affiliates", "report", "--format", "json").output.count('"=HYPERLINK(') == 1


def test_cli_errors_are_messages_not_tracebacks(repo, cli, catalog):
    r = cli(repo, "affiliates", "report", "--until", "2026-11-01")
    assert r.exit_code == 2 and "--until needs --since" in r.output
    r = cli(repo, "affiliates", "report", "--since", "2026-10-01", "--until", "2026-10-01")
    assert r.exit_code == 2 and "is not after --since" in r.output
    r = cli(repo, "affiliates", "report", "--since", "2026-13-01")
    assert r.exit_code == 2 and "2026-13-01" in r.output
    shutil.rmtree(repo / ".git")
    r = cli(repo, "affiliates", "report", "--since", "2026-10-01")
    assert r.exit_code == 2 and "not inside a git repository" in r.output
    (repo / "data/affiliates.yaml").write_text("programs: [\n")
    r = cli(repo, "affiliates", "report")
    assert r.exit_code == 1 and "data/affiliates.yaml:2:1" in r.output
    assert "Traceback" not in r.output


def test_a_tracking_id_with_a_line_break_or_an_escape_stays_on_its_line(repo, cli):
    """A tracking id is the link's query text, decoded: `%0A` broke the table's line in two,
    and `%1B[2J` reached the terminal as an escape sequence, which cleared its screen."""
    url = "https://www.amazon.com/dp/B0?tag=x%0Ay%1B%5B2Jz"
    write_entry(repo, "tools/ollama", tool("tools/ollama", "avoid", "2026-10-05"),
                f"[a]({url})\n")
    table = cli(repo, "affiliates", "report", color=True).output
    line = next(x for x in table.splitlines() if "tools/ollama.md" in x)
    assert "x\\ny\\x1b[2Jz" in line and line.endswith(url) and "\x1b" not in table
    out = cli(repo, "affiliates", "classify", url, color=True).output
    assert out == f"{url}\n  Amazon Associates, tracking id x\\ny\\x1b[2Jz (NOT ours)\n"
    data = json.loads(cli(repo, "affiliates", "report", "--format", "json").output)
    assert "x\ny\x1b[2Jz" in {x["tracking_id"] for x in data["links"]}  # the data as it is


def test_classify_command(repo, cli):
    r = cli(repo, "affiliates", "classify", OURS, FOREIGN, "https://geni.us/x", "https://vllm.ai/")
    assert r.exit_code == 0
    assert r.output.split("\n")[1::2] == [
        "  Amazon Associates, tracking id localaicat-20 (ours)",
        "  Amazon Associates, tracking id someone-20 (NOT ours)",
        "  Geniuslink, shortener (destination hidden)",
        "  not an affiliate link"]


def test_classify_says_why_a_link_with_our_id_or_a_click_id_is_not_ours(repo, cli):
    """`tag=localaicat-20&tag=other-20` was "tracking id localaicat-20 (NOT ours)", our
    own id said not to be ours; a visitor's click id was a "tracking id" (review)."""
    r = cli(repo, "affiliates", "classify", f"{OURS}&tag=other-20",
            "https://www.bestbuy.com/site/x/6521430.p?irclickid=Wx2RaB")
    assert r.exit_code == 0
    assert r.output.split("\n")[1::2] == [
        "  Amazon Associates, tracking parameter 'tag' given more than once, with different "
        "values (localaicat-20, other-20) (NOT ours)",
        "  Impact (Best Buy and other stores), click id Wx2RaB of someone else's visit "
        "(NOT ours)"]


def test_verdict_changes_are_those_of_published_pages(repo):
    """A draft's verdict was listed as new on a page with affiliate links, and the
    Markdown the site includes linked to a page that does not exist; when the entry was
    published with that verdict, nothing was listed, since the verdict had not changed
    (found in review). A verdict is now new on the page when its entry is published."""
    draft = {**hardware("avoid", "2026-11-10"), "title": "RTX 5090", "status": "draft"}
    write_entry(repo, "hardware/rtx-5090", draft)
    commit_all(repo, "Draft with a verdict", "2026-11-10T12:00:00")
    write_entry(repo, "hardware/rtx-5090", {**draft, "status": "published"})
    commit_all(repo, "Publish it", "2026-12-05T12:00:00")
    november = report(repo, since="2026-11-01", until="2026-12-01")["independence"]
    assert [c["entry"] for c in november["verdict_changes"]] == ["hardware/rtx-4090"]
    december = report(repo, since="2026-12-01")["independence"]["verdict_changes"]
    assert [(c["entry"], c["kind"], c["old_rating"], c["new_rating"]) for c in december
            if c["entry"] == "hardware/rtx-5090"] == [("hardware/rtx-5090", "new", None, "avoid")]


def test_markdown_escapes_the_verdict_date_and_ratings(repo, cli):
    """The title and the reviewers were escaped in the Markdown the site includes as is,
    the verdict's date and ratings were not: an entry failing validation (the report
    lists it all the same) put a link of its own on the "How we make money" page."""
    date = "2026-10-05](https://evil.example/) [x"
    write_entry(repo, "tools/vllm", tool("tools/vllm", "situational *bought*", date),
                f"Runs on [this card]({OURS}).\n")
    md = cli(repo, "affiliates", "report", "--format", "markdown", "--since", "2026-11-04").output
    assert ("- [vllm](/tools/vllm): situational → situational \\*bought\\* "
            "(2026-10-05\\](https://evil.example/) \\[x), reviewed by ben") in md


def test_every_shared_source_an_entry_cites_is_listed_for_it(repo):
    """The docs promise, for each entry, the URLs of the shared sources it cites; only the
    paid ones were listed, so a tool reading the JSON did not see the others among the
    entry's links (found in review)."""
    (repo / "data/bibliography.yaml").write_text(
        "sources:\n  - id: shop\n    url: " + OURS + "\n    title: Shop\n    accessed: 2026-10-01\n"
        "  - id: paper\n    url: https://example.org/paper\n    title: Paper\n"
        "    accessed: 2026-10-01\n")
    write_entry(repo, "tools/ollama", tool("tools/ollama", "avoid", "2026-10-05"),
                "Slow [@paper], sold [@shop].\n")
    r = report(repo)
    rows = [(x["field"], x["line"], x["program"]) for x in r["links"]
            if x["entry"] == "tools/ollama" and x["where"] == "citation"]
    assert rows == [("sources.paper.url", 19, None), ("sources.shop.url", 19, "amazon")]
    # vllm, rtx-4090, the citation: the bibliography's own row is listed, not counted
    assert r["programs"]["amazon"]["links"] == 3
    assert r["totals"]["links"] == 6


def test_the_figures_count_in_words_and_say_when_a_side_is_too_small_to_mean_much():
    """"1 entries", "1 carry", and shares of one page ("1 (100%)") given as if they meant
    as much as shares of hundreds (found in review)."""
    from pipeline.affiliates.render import render_markdown, render_table

    side = {"entries": 1, "ratings": {"recommended": 1, "situational": 0, "avoid": 0}}
    many = {"entries": 40, "ratings": {"recommended": 20, "situational": 10, "avoid": 10}}
    ind = {"with_affiliate_links": side, "without_affiliate_links": many,
           "period": {"since": None, "until": None}, "verdict_changes": [],
           "counted": "published entries with a verdict"}
    md = render_markdown({"independence": ind})
    assert md.startswith("Of the 41 published pages with a verdict, 1 carries affiliate links.")
    assert "With 1 page on one side, these shares say little" in md
    ind["with_affiliate_links"] = {**many, "entries": 25}
    assert "say little" not in render_markdown({"independence": ind})
    table = render_table({"totals": {"affiliate_links": 1, "entries_with_affiliate_links": 1,
                                     "links": 1, "entries": 1},
                          "links": [], "programs": {}, "independence": ind})
    assert table.startswith("1 affiliate link in 1 entry; 1 link in all (1 entry).")


def test_counts_are_of_pages_and_digests_not_of_the_bibliography(repo, cli):
    """The shared bibliography was counted as an entry of each program with a paid source
    in it (and its source counted once more beside each citation), while the digests,
    e-mails sent with paid links and published at /digests/YYYY-MM, were left out of the
    report altogether (found in review). Counted now: what readers see."""
    (repo / "data/bibliography.yaml").write_text(
        "sources:\n  - id: shop\n    url: " + OURS + "\n    title: Shop\n    accessed: 2026-10-01\n")
    write_entry(repo, "tools/ollama", tool("tools/ollama", "avoid", "2026-10-05"),
                "Sold [@shop].\n")
    (repo / "digests").mkdir()
    (repo / "digests/2026-10.md").write_text(
        "---\nmonth: 2026-10\nsubject: October\nstatus: sent\n---\n"
        f"Buy [the card]({EBAY}) or [this one]({FOREIGN}).\n")
    r = report(repo)
    rows = [(x["file"], x["line"], x["where"], x["program"]) for x in r["links"]
            if x["file"] == "digests/2026-10.md"]
    assert rows == [("digests/2026-10.md", 6, "digest", "ebay"),
                    ("digests/2026-10.md", 6, "digest", "amazon")]
    assert r["programs"]["amazon"] == {"name": "Amazon Associates", "links": 4, "ours": 3,
                                       "foreign": 1, "shorteners": 0, "entries": 3,
                                       "digests": 1}
    assert r["programs"]["ebay"]["digests"] == 1 and r["programs"]["ebay"]["entries"] == 0
    assert (r["totals"]["digests"], r["totals"]["digests_with_affiliate_links"]) == (1, 1)
    table = cli(repo, "affiliates", "report").output
    assert "5 affiliate links in 3 entries and 1 digest;" in table
    assert "data/bibliography.yaml:2" in table  # still listed, at its line


def test_no_verdict_change_of_the_period_escapes_the_audit(repo, cli):
    """The period's verdicts were judged at its end only: a verdict changed and changed
    back, one changed while the page carried a paid link added and removed within the
    period, or one changed in the commit that removed the page's paid links, was in no
    period's list (found in review). Every state published in the period counts now."""
    plain = "See https://ollama.com/.\n"
    steps = [("tools/ollama", tool("tools/ollama", "avoid", "2026-10-05"), f"[Buy]({OURS}).\n"),
             ("tools/ollama", tool("tools/ollama", "situational", "2026-12-03"),
              f"[Buy]({OURS}).\n"),
             ("tools/ollama", tool("tools/ollama", "situational", "2026-12-03"), plain),
             ("tools/vllm", tool("tools/vllm", "recommended", "2026-12-05"),
              f"Runs on [this card]({OURS}).\n"),
             ("tools/vllm", tool("tools/vllm", "situational", "2026-12-06"),
              f"Runs on [this card]({OURS}).\n"),
             ("hardware/rtx-4090", {**hardware("recommended", "2026-12-07"), "offers": []}, "")]
    for day, (entry_id, data, body) in enumerate(steps, start=2):
        write_entry(repo, entry_id, data, body or "Text.\n")
        commit_all(repo, f"Step {day}", f"2026-12-{day:02}T12:00:00")
    changes = report(repo, since="2026-12-01", until="2027-01-01")["independence"][
        "verdict_changes"]
    assert [(c["entry"], c["old_rating"], c["new_rating"], c["programs"]) for c in changes] == [
        ("hardware/rtx-4090", "avoid", "recommended", ["amazon"]),
        ("tools/ollama", "avoid", "situational", ["amazon"]),
        ("tools/vllm", "situational", "recommended", ["amazon"]),
        ("tools/vllm", "recommended", "situational", ["amazon"])]
    assert all(len(c["commit"]) == 40 for c in changes)
    # and up to the working tree: its change is the last state
    write_entry(repo, "tools/vllm", tool("tools/vllm", "avoid", "2026-12-20"),
                f"Runs on [this card]({OURS}).\n")
    changes = report(repo, since="2026-12-01")["independence"]["verdict_changes"]
    assert [(c["old_rating"], c["new_rating"], c["commit"]) for c in changes
            if c["entry"] == "tools/vllm"][-1] == ("situational", "avoid", None)
    assert len(changes) == 5


def test_the_audit_reads_the_period_in_one_walk_and_says_what_each_commit_compared(
        repo, monkeypatch):
    """Each commit of the period was compared with the one before by `changes_between`, a
    few git calls each: a month of 800 commits on the benchmark catalog took 36 s (found
    in review). Now one `git log` gives the commits' changes and only the entry files
    they touched are read; `changes_between` is asked only where git's diff of a commit
    is not what it reads (a merge, a commit adding an entry while modifying another),
    and every commit lists the rows comparing each with the one before gave."""
    from pipeline.affiliates import report as report_module
    from pipeline.history import changes

    plain = "See https://ollama.com/.\n"
    (repo / "data/bibliography.yaml").write_text(
        "sources:\n  - id: shop\n    url: https://example.org/shop\n    title: Shop\n"
        "    accessed: 2026-10-01\n")
    commit_all(repo, "A shared source", "2026-11-20T12:00:00")
    (repo / "entries/tools/vllm.md").rename(repo / "entries/tools/vllm-engine.md")
    write_entry(repo, "tools/vllm-engine", tool("tools/vllm-engine", "avoid", "2026-12-02"),
                f"Runs on [this card]({OURS}).\n")
    commit_all(repo, "Rename vllm, with a new verdict", "2026-12-02T12:00:00")
    (repo / "notes.txt").write_text("Not an entry.\n")
    commit_all(repo, "Notes", "2026-12-03T12:00:00")
    write_entry(repo, "tools/ollama", tool("tools/ollama", "recommended", "2026-12-04"),
                "Sold [@shop].\n")
    commit_all(repo, "Ollama cites the shop", "2026-12-04T12:00:00")
    (repo / "data/bibliography.yaml").write_text(
        "sources:\n  - id: shop\n    url: " + OURS + "\n    title: Shop\n"
        "    accessed: 2026-10-01\n")
    commit_all(repo, "The shop is paid now", "2026-12-05T12:00:00")
    write_entry(repo, "tools/ollama", tool("tools/ollama", "avoid", "2026-12-06"),
                "Sold [@shop].\n")
    write_entry(repo, "tools/llama-cpp", tool("tools/llama-cpp", "avoid", "2026-12-06"),
                f"[Buy]({OURS}).\n")
    added = commit_all(repo, "Add llama.cpp, ollama avoided", "2026-12-06T12:00:00")
    git(repo, "checkout", "-q", "-b", "branch")
    write_entry(repo, "tools/llama-cpp", tool("tools/llama-cpp", "situational", "2026-12-07"),
                f"[Buy]({OURS}).\n")
    commit_all(repo, "On a branch", "2026-12-07T12:00:00")
    git(repo, "checkout", "-q", "main")
    write_entry(repo, "tools/ollama", tool("tools/ollama", "situational", "2026-12-08"), plain)
    commit_all(repo, "Ollama without the shop", "2026-12-08T12:00:00")
    at = {"GIT_AUTHOR_DATE": "2026-12-09T12:00:00", "GIT_COMMITTER_DATE": "2026-12-09T12:00:00"}
    git(repo, "merge", "-q", "--no-ff", "-m", "Merge branch", "branch", env=at)
    merge = git(repo, "rev-parse", "HEAD").strip()

    asked = []
    real = changes.changes_between

    def counted(settings, start, end, **kw):
        asked.append(end)
        return real(settings, start, end, **kw)

    monkeypatch.setattr(changes, "changes_between", counted)
    got = report(repo, since="2026-12-01", until="2027-01-01")["independence"]["verdict_changes"]
    assert sorted(asked) == sorted([added, merge])
    # as comparing every commit with the one before it reads them
    asked.clear()
    monkeypatch.setattr(report_module, "_line_changes", lambda *a: ({}, {}))
    everyone = report(repo, since="2026-12-01", until="2027-01-01")["independence"][
        "verdict_changes"]
    assert len(asked) == 6 and got == everyone  # the notes touched no entry
    assert [(c["entry"], c["old_rating"], c["new_rating"], c["programs"]) for c in got] == [
        ("tools/llama-cpp", None, "avoid", ["amazon"]),
        ("tools/llama-cpp", "avoid", "situational", ["amazon"]),
        ("tools/ollama", "recommended", "avoid", ["amazon"]),
        ("tools/ollama", "avoid", "situational", ["amazon"]),
        ("tools/vllm-engine", "situational", "avoid", ["amazon"])]


def test_the_working_tree_is_compared_with_the_entries_it_changed_only(repo, monkeypatch):
    """Up to the working tree, the whole catalog was read at HEAD to compare each entry
    with its committed state: 6 s and 86 MB on the benchmark catalog (found in review).
    Only the entries git finds changed are read there now, under their id, the id they
    were renamed from and their `redirect_from` ids, with the same rows."""
    from pipeline.history import gitio

    def whole_tree(*a, **kw):
        raise AssertionError("the whole catalog was read at HEAD")

    monkeypatch.setattr(gitio, "read_tree", whole_tree)
    write_entry(repo, "tools/ollama", tool("tools/ollama", "avoid", "2026-12-02"),
                f"[Buy]({OURS}).\n")
    commit_all(repo, "Ollama sold", "2026-12-02T12:00:00")
    (repo / "entries/tools/vllm.md").unlink()  # a plain mv, with a new verdict
    write_entry(repo, "tools/vllm-engine", tool("tools/vllm-engine", "avoid", "2026-12-20"),
                f"Runs on [this card]({OURS}).\n")
    write_entry(repo, "tools/ollama-two", tool(  # ollama, rewritten under a new id
        "tools/ollama-two", "recommended", "2026-12-20", redirect_from=["tools/ollama"],
        summary="Another text altogether, so that git pairs nothing."), f"[Buy]({OURS}).\n")
    (repo / "entries/tools/ollama.md").unlink()
    write_entry(repo, "hardware/rtx-5090", {**hardware("situational", "2026-12-20"),
                                            "title": "RTX 5090"})
    changes = report(repo, since="2026-12-01")["independence"]["verdict_changes"]
    assert [(c["entry"], c["kind"], c["old_rating"], c["new_rating"], c["commit"])
            for c in changes] == [
        ("hardware/rtx-5090", "new", None, "situational", None),
        ("tools/ollama-two", "changed", "avoid", "recommended", None),
        ("tools/vllm-engine", "changed", "situational", "avoid", None)]


def test_a_period_in_the_future_is_a_usage_error(repo, cli):
    """`--since 2099-01-01` reported "none" with exit 0, and listed an uncommitted verdict
    change as made in 2099 (found in review): a period that has not begun is refused."""
    write_entry(repo, "tools/ollama", tool("tools/ollama", "avoid", "2026-11-20"),
                f"Now on [this card]({OURS}).\n")
    r = cli(repo, "affiliates", "report", "--since", "2099-01-01")
    assert r.exit_code == 2 and "Traceback" not in r.output
    assert "--since 2099-01-01 is in the future" in r.output
    r = cli(repo, "affiliates", "report", "--since", "2099-01-01", "--until", "2099-02-01")
    assert r.exit_code == 2 and "--since 2099-01-01 is in the future" in r.output
    # a period that ends in the future runs to the working tree: not refused
    assert cli(repo, "affiliates", "report", "--since", "2026-10-01",
               "--until", "2099-01-01").exit_code == 0


def test_a_period_that_ends_after_today_runs_to_the_working_tree(repo, cli):
    """`--until <a day to come>` left out the working tree's changes, which a report with
    no `--until` lists (found in review 24): a period ending after today holds today, and
    so the working tree; one that ended does not."""
    write_entry(repo, "tools/vllm", tool("tools/vllm", "avoid", "2026-11-20"),
                f"Runs on [this card]({OURS}).\n")
    open_ended = report(repo, since="2026-11-01")["independence"]["verdict_changes"]
    assert [(c["entry"], c["new_rating"], c["commit"]) for c in open_ended][-1] == (
        "tools/vllm", "avoid", None)
    assert report(repo, since="2026-11-01", until="2099-01-01")["independence"][
        "verdict_changes"] == open_ended
    r = cli(repo, "affiliates", "report", "--format", "json", "--since", "2026-11-01",
            "--until", "2099-01-01")
    assert r.exit_code == 0 and json.loads(r.output)["independence"]["verdict_changes"] == \
        open_ended
    ended = report(repo, since="2026-11-01", until="2026-11-15")["independence"]
    assert [(c["entry"], c["commit"] is None) for c in ended["verdict_changes"]] == [
        ("hardware/rtx-4090", False)]
