"""`pipeline validate --format github`: annotations, their cap and order, the job summary."""

from __future__ import annotations

import re

import pytest

from conftest import MINI, git, write_entry
from pipeline.checks import load_checks
from pipeline.config import load_settings
from pipeline.diagnostics import RULES, Diagnostic
from pipeline.report.github import (
    BLOCKING_RULES,
    SUMMARY_LIMIT,
    annotation,
    by_importance,
    repository_prefix,
    summary_markdown,
)
from pipeline.validate import ValidationResult, validate

ANNOTATION = re.compile(
    r"^::(error|warning) file=[^,:\r\n]+(,line=[1-9]\d*(,col=[1-9]\d*)?)?,title=[a-z-]+::[^\r\n]+$")
# A file name with every character that needs escaping in a property.
ODD_NAME = "odd%,:\r\nname"


def tool(n: int) -> dict:
    """A published tool entry that refers to a glossary entry that does not exist (an error)."""
    return {**MINI["tools/vllm"], "title": f"Tool {n:02}", "related": [f"glossary/missing-{n:02}"]}


def term(n: int) -> dict:
    """A glossary entry listing a source it never cites (a warning)."""
    return {**MINI["glossary/awq"], "title": f"Term {n:02}", "sources": [
        {"id": "paper", "url": f"https://arxiv.org/abs/2309.{n:05}", "title": "A paper",
         "accessed": "2026-10-01"}]}


@pytest.fixture
def noisy(tmp_path, catalog):
    """The minimal catalog in the `catalog/` folder of a git repository, with 13 errors, 12 warnings."""
    for n in range(1, 13):
        write_entry(catalog, f"tools/t{n:02}", tool(n))
        write_entry(catalog, f"glossary/g{n:02}", term(n))
    # Last in file order, yet it blocks every other check of its file: annotated first.
    write_entry(catalog, f"tools/{ODD_NAME}", {**MINI["tools/vllm"], "title": "Odd"})
    git(tmp_path, "init", "-q", "-b", "main")
    return catalog


@pytest.fixture
def step_summary(tmp_path, monkeypatch):
    path = tmp_path / "step_summary.md"
    path.write_text("Written by an earlier command of the step.\n", encoding="utf-8")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(path))
    return path


def test_annotations_are_capped_ordered_escaped_and_relative_to_the_repository(noisy, cli, step_summary):
    result = validate(load_settings(noisy))
    assert (result.errors, result.warnings) == (13, 12)

    r = cli(noisy, "validate", "--format", "github")

    assert r.exit_code == 1 == result.exit_code()
    lines = r.output.splitlines()
    annotations = [line for line in lines if line.startswith("::")]
    assert all(ANNOTATION.match(line) for line in annotations), annotations
    assert [a.split(" ")[0] for a in annotations] == ["::error"] * 10 + ["::warning"] * 10
    first = {d.rule: d for d in reversed(result.diagnostics) if d.severity == "error"}
    # The blocking problem comes first; `%`, CR, LF, `:` and `,` are escaped in properties, and
    # `%`, CR and LF in the message (whose text comes from the loader).
    odd = first["file-name"]
    message = f"{odd.message}\nhint: {odd.hint}"
    assert "odd%,:\r\nname" in message
    assert annotations[0] == (
        "::error file=catalog/entries/tools/odd%25%2C%3A%0D%0Aname.md,title=file-name::"
        + message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))
    # Then the other errors in file order, with line and column.
    ref = first["ref-unresolved"]
    assert (ref.file, ref.line > 1, ref.column > 1) == ("entries/tools/t01.md", True, True)
    assert not set("%\r\n") & set(ref.message + ref.hint)
    assert annotations[1] == (f"::error file=catalog/entries/tools/t01.md,line={ref.line},"
                              f"col={ref.column},title=ref-unresolved::{ref.message}%0Ahint: {ref.hint}")
    assert [a.split("file=")[1].split(",")[0] for a in annotations[2:10]] == [
        f"catalog/entries/tools/t{n:02}.md" for n in range(2, 10)]
    assert all("title=source-unused" in a for a in annotations[10:])
    # The rest stays in the log as plain lines, one per problem.
    rest = lines[lines.index(next(x for x in lines if x.startswith("Not annotated"))) + 1:-1]
    assert len(rest) == 25 - 20
    assert rest[0].startswith("- catalog/entries/glossary/g11.md:")
    assert lines[-1] == "pipeline validate: 13 errors, 12 warnings in 29 entries."


def test_the_step_summary_holds_every_problem(noisy, cli, step_summary):
    result = validate(load_settings(noisy))
    r = cli(noisy, "validate", "--format", "github")
    assert r.exit_code == 1

    text = step_summary.read_text(encoding="utf-8")
    assert text.startswith("Written by an earlier command of the step.\n## pipeline validate\n")
    assert "**13 errors, 12 warnings**" in text
    rows = [row for row in text.splitlines() if row.startswith("| error") or row.startswith("| warning")]
    assert len(rows) == len(result.diagnostics) == 25
    for d, row in zip(sorted(result.diagnostics, key=lambda d: (d.severity != "error", d.file, d.line)),
                      rows):
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", row)[1:-1]]
        assert cells[:2] == [d.severity, d.rule]
        assert cells[2].replace("\\", "").startswith("catalog/" + d.file.replace("\r\n", "<br>")), cells
    # Markdown and HTML in problems cannot change the table.
    odd = next(row for row in rows if "file-name" in row)
    assert "odd%,:<br>name" in odd and "\\<collection\\>" in odd


def test_a_full_summary_is_cut_below_the_limit_with_a_note(noisy, cli, step_summary):
    step_summary.write_text("x" * (SUMMARY_LIMIT - 3000), encoding="utf-8")
    cli(noisy, "validate", "--format", "github")
    data = step_summary.read_bytes()
    assert len(data) <= SUMMARY_LIMIT
    added = data.decode()[SUMMARY_LIMIT - 3000:]
    shown = added.count("\n| error") + added.count("\n| warning")
    assert 0 < shown < 25
    assert f"**{25 - shown} more problems (" in added
    assert "Run `pipeline validate` to see them all.**" in added


def test_summary_markdown_respects_any_limit():
    diags = [Diagnostic("entries/tools/t.md", n, 1, "schema", "error", "x" * 200) for n in range(1, 200)]
    result = ValidationResult(diagnostics=diags, entries=1)
    for limit in (200, 1000, 5000, 50_000):
        text = summary_markdown(result, "", limit)
        assert len(text.encode()) <= limit
    assert summary_markdown(result, "", 100) == ""
    assert "more problem" not in summary_markdown(result, "", 10**6)


def test_no_problems_no_annotations_and_exit_0(catalog, cli, step_summary):
    r = cli(catalog, "validate", "--format", "github")
    assert r.exit_code == 0
    assert r.output == "pipeline validate: 0 errors, 0 warnings in 4 entries.\n"
    assert step_summary.read_text().endswith("## pipeline validate\n\nChecked 4 entries: no problems.\n")


def test_without_step_summary_nothing_is_written(noisy, cli, monkeypatch, tmp_path):
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    r = cli(noisy, "validate", "--format", "github")
    assert r.exit_code == 1
    assert not list(tmp_path.glob("*.md"))


@pytest.mark.parametrize("where", ["a folder", "missing/summary.md"])
def test_a_summary_that_cannot_be_written_is_a_warning_not_a_failed_run(
        catalog, cli, monkeypatch, tmp_path, where):
    """GITHUB_STEP_SUMMARY naming a folder or a file in no folder printed the results,
    then "Error: ...: Is a directory", and exited 2: a clean run failed for it (found in
    review). The run keeps its exit status; the summary's trouble is a warning."""
    (tmp_path / "a folder").mkdir()
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(tmp_path / where))
    r = cli(catalog, "validate", "--format", "github")
    assert r.exit_code == 0, r.output
    assert r.stdout == "pipeline validate: 0 errors, 0 warnings in 4 entries.\n"
    assert r.stderr.startswith("warning: the job summary was not written: GITHUB_STEP_SUMMARY "
                               f"is {tmp_path / where}: ")
    write_entry(catalog, "tools/t01", tool(1))  # an error: still 1
    assert cli(catalog, "validate", "--format", "github").exit_code == 1


def test_exit_code_is_validates(catalog, cli):
    write_entry(catalog, "glossary/g01", term(1))  # a warning only
    assert cli(catalog, "validate", "--format", "github").exit_code == 0
    assert cli(catalog, "validate", "--format", "github", "--strict").exit_code == 1


def test_repository_prefix(tmp_path, catalog):
    assert repository_prefix(catalog) == ""  # not in a git repository
    git(catalog, "init", "-q")
    assert repository_prefix(catalog) == ""
    sub = tmp_path / "outer"
    (sub / "deep" / "site").mkdir(parents=True)
    git(sub, "init", "-q")
    assert repository_prefix(sub / "deep" / "site") == "deep/site/"


def test_sarif_paths_are_from_the_repository_root(tmp_path, catalog, cli):
    """With the catalog in a folder of its repository, SARIF gave `entries/...`: code
    scanning would point at files that do not exist (found in review)."""
    import json
    import shutil

    site = tmp_path / "repo" / "site"
    shutil.copytree(catalog, site)
    git(tmp_path / "repo", "init", "-q")
    write_entry(site, "glossary/g01", term(1))  # a warning
    doc = json.loads(cli(site, "validate", "--format", "sarif").output)
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in doc["runs"][0]["results"]}
    assert uris == {"site/entries/glossary/g01.md"}


def test_annotation_escaping_exactly():
    d = Diagnostic("a,b:c%d.md", 3, 0, "r:x,y", "warning", "100% sure\r\nnext: a, b", hint="")
    assert annotation(d, "pre/") == (
        "::warning file=pre/a%2Cb%3Ac%25d.md,line=3,title=r%3Ax%2Cy::100%25 sure%0D%0Anext: a, b")
    assert annotation(Diagnostic("f.md", 0, 0, "r", "error", "m")) == "::error file=f.md,title=r::m"


def test_importance_blocking_rules_then_one_per_rule_then_file_order():
    d = lambda f, rule: Diagnostic(f, 1, 1, rule, "error", "m")  # noqa: E731
    diags = [d("a.md", "ref-unresolved"), d("b.md", "ref-unresolved"), d("c.md", "cite-unresolved"),
             d("z.md", "schema"), d("y.md", "yaml-syntax")]
    assert [(x.file, x.rule) for x in by_importance(diags)] == [
        ("y.md", "yaml-syntax"), ("z.md", "schema"), ("a.md", "ref-unresolved"),
        ("c.md", "cite-unresolved"), ("b.md", "ref-unresolved")]


def test_blocking_rules_exist():
    load_checks()
    assert BLOCKING_RULES <= set(RULES)


def test_a_plain_log_line_keeps_its_text_as_written():
    """`'110%' is a quantitative claim` read `'110%25'` in the log (found in review): only
    workflow commands are encoded; a plain line is one line that starts with its path."""
    from pipeline.diagnostics import Diagnostic
    from pipeline.report.github import _plain

    d = Diagnostic("entries/glossary/exl2.md", 86, 12, "claim-uncited", "warning",
                   "'110%' is a quantitative claim,\nwith no citation")
    assert _plain(d, "site/") == ("- site/entries/glossary/exl2.md:86:12: warning claim-uncited: "
                                  "'110%' is a quantitative claim, with no citation")


def test_a_plain_log_line_is_never_a_workflow_command():
    """A file at the repository's root named like a command (`correction-unread` names the
    files a commit touched) printed as a log line was read by GitHub as that command (found
    in review): an annotation, `::add-mask::`, `::stop-commands::`."""
    from pipeline.diagnostics import Diagnostic
    from pipeline.report.github import _plain

    for name in ("::error file=README.md,line=1::Approved", "  ::add-mask::x"):
        d = Diagnostic(name, 0, 0, "correction-unread", "warning", "not read\n::warning::x")
        line = _plain(d, "")
        assert "\n" not in line and not line.lstrip().startswith("::"), line


def test_the_step_summary_holds_a_file_name_that_is_not_utf8(catalog, cli, step_summary):
    """A byte of a file's name that is not UTF-8 stopped the summary with a traceback
    (found in review): UTF-8 cannot hold it, so it is written as an escape."""
    write_entry(catalog, "tools/x\udcffy", {**MINI["tools/vllm"], "title": "X"})
    r = cli(catalog, "validate", "--format", "github")
    assert r.exit_code == 1
    assert "| entries/tools/x\\\\udcffy.md |" in step_summary.read_text(encoding="utf-8")


def test_every_problem_that_stops_a_file_loading_comes_first():
    """`file-unreadable` (a file the system refuses: no permission, a named pipe) hides
    every other check of its entry like `file-encoding`, yet it waited its turn among
    the others and could miss the ten annotations (found in review)."""
    d = lambda f, rule: Diagnostic(f, 1, 1, rule, "error", "m")  # noqa: E731
    diags = [d("a.md", "ref-unresolved"), d("b.md", "cite-unresolved"),
             d("z.md", "file-unreadable")]
    assert [x.file for x in by_importance(diags)] == ["z.md", "a.md", "b.md"]
