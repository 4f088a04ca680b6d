"""More gaps found in review: a reference definition whose destination is on the next line,
and an entry renamed with a plain `mv` that git does not pair yet. Each on a real catalog
in a temp folder (and a real git repository for the second)."""

from __future__ import annotations

import shutil

import pytest

from conftest import MINI, commit_all, git, write_entry
from pipeline.affiliates import email_safe_markdown, load_programs
from pipeline.affiliates.audit import git_similar, renames_between
from pipeline.config import load_settings
from pipeline.publish.build import build
from test_affiliates_gaps import found, renamed, report  # noqa: F401  (a fixture)
from test_affiliates_rules import at, cat, run  # noqa: F401  (a fixture)

FOREIGN_PATH = "www.amazon.com/dp/B0N?tag=localaicat-21"


# -- 1. a reference definition with its destination on the next line --------------------

@pytest.mark.parametrize("destination", [
    f"//{FOREIGN_PATH}",
    f"<//{FOREIGN_PATH}>",
    f"//{FOREIGN_PATH} \"the store\"",
    f"&#47;/{FOREIGN_PATH}",
    f"https://{FOREIGN_PATH}",
    f"<https://{FOREIGN_PATH}>",
])
def test_a_destination_on_the_line_after_the_label_is_a_link(cat, destination):
    write_entry(cat, "glossary/awq", MINI["glossary/awq"],
                f"See [the card][buy].\n\n[buy]:\n  {destination}\n")
    path = cat / "entries/glossary/awq.md"
    line, column = at(path, destination)
    column += destination.startswith("<")  # the URL, inside the brackets
    problems = found(run(cat))
    assert [p[:4] for p in problems] == [
        ("affiliate-forbidden-collection", "entries/glossary/awq.md", line, column),
        ("affiliate-foreign-tag", "entries/glossary/awq.md", line, column)]
    rows = [x for x in report(cat)["links"] if x["program"] == "amazon"]
    assert [(x["line"], x["column"], x["tracking_id"]) for x in rows] == [
        (line, column, "localaicat-21")]


@pytest.mark.parametrize("body", [
    f"```\n[buy]:\n//{FOREIGN_PATH}\n```\n",  # code
    f"[buy]:\n\n//{FOREIGN_PATH}\n",  # a blank line: no definition
    f"[buy]:\nSee //{FOREIGN_PATH}\n",  # a paragraph line
    f"Text [buy]:\n//{FOREIGN_PATH}\n",  # not a label alone
])
def test_slashes_after_a_label_that_is_no_definition_are_no_link(cat, body):
    write_entry(cat, "glossary/awq", MINI["glossary/awq"], body)
    assert found(run(cat)) == []
    assert [x for x in report(cat)["links"] if x["program"]] == []


def test_the_page_and_the_email_treat_a_next_line_destination_as_a_paid_link(cat, tmp_path):
    ours = "//www.amazon.com/dp/B0N?tag=localaicat-20"
    body = f"See [the card][buy].\n\n[buy]:\n  {ours}\n"
    write_entry(cat, "tools/vllm", MINI["tools/vllm"], body)
    build(load_settings(cat), tmp_path / "site")
    page = (tmp_path / "site/tools/vllm.html").read_text()
    assert "We earn a commission" in page and "(paid link)" in page
    text, remaining = email_safe_markdown(body, load_programs(load_settings(cat)), "/tools/vllm")
    assert ours not in text and "[buy]:\n  /tools/vllm" in text
    assert not [c for c in remaining if c.is_affiliate]


# -- 2. an entry renamed with a plain `mv`, not added to git yet -------------------------

def _plain_mv(root, old="entries/tools/vllm-engine.md", new="entries/tools/vllm-server.md"):
    shutil.move(root / old, root / new)
    assert git(root, "status", "--short", "--", "entries/tools").split() == [
        "D", old, "??", new]
    return root / new


def test_the_report_does_not_call_a_verdict_moved_with_plain_mv_new(renamed):
    _plain_mv(renamed)
    assert report(renamed, since="2026-10-01")["independence"]["verdict_changes"] == []


def test_verdict_review_is_quiet_for_a_rename_made_with_plain_mv(renamed):
    _plain_mv(renamed)
    base = git(renamed, "rev-parse", "HEAD~1").strip()
    assert found(run(renamed, changed_since=base), "affiliate-verdict") == []


def test_verdict_review_compares_a_plain_mv_with_the_old_version(renamed):
    path = _plain_mv(renamed)
    path.write_text(path.read_text().replace("rating: recommended", "rating: avoid"))
    base = git(renamed, "rev-parse", "HEAD~1").strip()
    problems = found(run(renamed, changed_since=base), "affiliate-verdict")
    assert len(problems) == 1 and "recommended -> avoid" in problems[0][4]
    assert problems[0][1] == "entries/tools/vllm-server.md"


def test_a_new_file_git_would_not_pair_is_a_new_verdict(renamed):
    """Deleting an entry and writing another one is no rename, for git or for us."""
    (renamed / "entries/tools/vllm-engine.md").unlink()
    write_entry(renamed, "tools/sglang", {
        **MINI["tools/vllm"], "title": "SGLang", "summary": "Another engine, fast on one box.",
        "authors": ["ana"], "reviewed_by": ["ana"], "repository": "https://github.com/sgl/sglang",
        "verdict": {"rating": "situational", "text": "Good when the prompts share prefixes.",
                    "date": "2026-10-06", "by": "ana"}},
        "SGLang serves models with a radix cache; it runs on "
        "[this card](https://www.amazon.com/dp/B0BJFRT43X?tag=localaicat-20).\n")
    base = git(renamed, "rev-parse", "HEAD~1").strip()
    problems = found(run(renamed, changed_since=base), "affiliate-verdict")
    assert [p[1] for p in problems] == ["entries/tools/sglang.md"]
    assert "new verdict (situational)" in problems[0][4]


@pytest.mark.parametrize("kept, paired", [(1.0, True), (0.6, True), (0.55, False), (0.2, False)])
def test_a_plain_mv_is_paired_as_git_pairs_it_once_added(renamed, tmp_path, kept, paired):
    """The pairs are the ones git makes after `git add -A` (in a copy of the repository).
    Keeping 60% of the lines keeps 53% of the bytes, 55% of them 49%: git's line is 50%."""
    path = _plain_mv(renamed)
    lines = path.read_text().split("\n")
    cut = round(len(lines) * kept)
    rewritten = [f"Rewritten line {i}." for i in range(cut, len(lines))]
    path.write_text("\n".join(lines[:cut] + rewritten))
    settings = load_settings(renamed)
    head = git(renamed, "rev-parse", "HEAD").strip()
    ours = renames_between(settings, head, None)
    copy = tmp_path / "copy"
    shutil.copytree(renamed, copy)
    git(copy, "add", "-A")
    assert renames_between(load_settings(copy), head, None) == ours
    assert (ours == {"tools/vllm-server": "tools/vllm-engine"}) == paired


@pytest.mark.parametrize("old, new, similar", [
    (b"a\nb\n", b"a\nb\n", 1.0),
    (b"a\r\nb\r\n", b"a\nb\n", 4 / 6),  # a CR before LF is not counted, but is in the size
    (b"line one\nline two\n", b"line one\nline 2\n", 9 / 18),
    (b"x" * 130 + b"\n", b"x" * 128 + b"y\n", 128 / 131),  # 64-byte pieces of a long line
    (b"a\n", b"a\n" * 3, 0.0),  # sizes too far apart
    (b"", b"", 1.0),  # identical, empty too: git pairs them first (found in review)
])
def test_git_similar_counts_as_git_does(old, new, similar):
    assert git_similar(old, new) == pytest.approx(similar)


def test_a_broken_link_beside_a_plain_mv_is_validates_own_problem(renamed):
    """A dangling symlink among the new files stopped validate --changed-since with "No
    such file or directory" and no results (found in review)."""
    path = _plain_mv(renamed)
    path.write_text(path.read_text().replace("rating: recommended", "rating: avoid"))
    (renamed / "entries/tools/zzz.md").symlink_to("nowhere.md")
    base = git(renamed, "rev-parse", "HEAD~1").strip()
    result = run(renamed, changed_since=base)
    assert "affiliate-verdict-review" in [d.rule for d in result.diagnostics]
    assert any(d.file == "entries/tools/zzz.md" for d in result.diagnostics)


def test_a_file_of_the_same_name_is_paired_first_as_git_does(repo, tmp_path):
    """Git (2.33 on) pairs a deleted and a new file of the same name before ranking by
    similarity: tools/x -> models/x, though models/x is more like tools/y (found in
    review: the audit compared the verdict with the wrong entry)."""
    common = [f"common line {i}\n" for i in range(70)]
    xs, ys = [f"x only {i}\n" for i in range(30)], [f"y only {i}\n" for i in range(30)]
    for name, lines in (("x", common + xs), ("y", common + ys)):
        write_entry(repo, f"tools/{name}", "".join(lines))
    commit_all(repo, "Two tools")
    (repo / "entries/tools/x.md").unlink()
    (repo / "entries/tools/y.md").unlink()
    write_entry(repo, "models/x", "".join(common + ys[:24] + xs[:6]))
    head = git(repo, "rev-parse", "HEAD").strip()
    ours = renames_between(load_settings(repo), head, None)
    copy = tmp_path / "copy"
    shutil.copytree(repo, copy)
    git(copy, "add", "-A")
    assert renames_between(load_settings(copy), head, None) == ours == {"models/x": "tools/x"}
