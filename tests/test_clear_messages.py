"""Bad input gets a clear error that names the file and line, never a traceback (found in
review): merge-conflict markers left in an entry or a digest, a digest file named after no
month, a folder named as a data file, a digest's front matter without lines, a repository
with no commit yet, and a broken bibliography that silently shortened the affiliate report."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest

from conftest import git, write_entry
from pipeline.config import load_settings
from pipeline.digest.document import DigestError, parse
from pipeline.errors import PipelineError, UsageError
from pipeline.validate import validate

VRAM = "entries/glossary/vram.md"
CONFLICT = "an unresolved merge conflict"


def run(root):
    return validate(load_settings(root), today=dt.date(2026, 11, 27))


def of_file(result, file):
    return [(d.rule, d.line, d.column) for d in result.diagnostics if d.file == file]


def conflicted(text: str, index: int, ours: list[str], theirs: list[str]) -> str:
    """`text` with line number `index` (0-based) replaced by a conflict between two versions."""
    lines = text.split("\n")
    lines[index:index + 1] = ["<<<<<<< HEAD", *ours, "=======", *theirs, ">>>>>>> branch"]
    return "\n".join(lines)


# -- M1: conflict markers ------------------------------------------------------------------

def test_a_conflict_in_front_matter_is_named_at_its_first_marker(shipped, cli):
    path = shipped / VRAM
    text = path.read_text(encoding="utf-8")
    path.write_text(conflicted(text, 1, ["title: VRAM"], ["title: Video RAM"]), encoding="utf-8")
    r = cli(shipped, "validate")
    assert r.exit_code == 1
    lines = [line.strip() for line in r.output.splitlines() if line.strip().startswith(VRAM + ":")]
    assert len(lines) == 1, r.output
    assert lines[0].startswith(f"{VRAM}:2:1: error front-matter: {CONFLICT}"), r.output
    assert "quote values" not in r.output  # not the YAML hint
    assert "lines 2-6" in lines[0]


def test_a_conflict_in_the_body_is_an_error_at_its_first_marker(shipped):
    path = shipped / VRAM
    text = path.read_text(encoding="utf-8")
    body_at = text.split("\n").index("---", 1) + 2  # 0-based index of a body line
    path.write_text(conflicted(text, body_at, ["Our words."], ["Their words."]),
                    encoding="utf-8")
    r = run(shipped)
    assert of_file(r, VRAM) == [("front-matter", body_at + 1, 1)]
    d = next(d for d in r.diagnostics if d.file == VRAM)
    assert d.severity == "error" and CONFLICT in d.message
    assert "choose between the two versions and remove the markers" in d.message
    assert r.exit_code() == 1


def test_a_conflict_at_the_very_first_line_is_a_conflict_not_missing_front_matter(catalog):
    path = write_entry(catalog, "glossary/awq", {"title": "AWQ"})
    text = path.read_text(encoding="utf-8")
    path.write_text("<<<<<<< HEAD\n" + text + "=======\n" + text + ">>>>>>> other\n",
                    encoding="utf-8")
    r = run(catalog)
    assert of_file(r, "entries/glossary/awq.md") == [("front-matter", 1, 1)]
    assert CONFLICT in r.diagnostics[0].message


def test_a_conflict_in_crlf_file_and_a_diff3_conflict_are_found(catalog):
    path = catalog / "entries/tools/vllm.md"
    text = path.read_text(encoding="utf-8")
    lines = text.split("\n")
    lines[3:3] = ["<<<<<<< HEAD", "||||||| base", "=======", ">>>>>>> theirs"]
    path.write_bytes("\r\n".join(lines).encode("utf-8"))
    assert of_file(run(catalog), "entries/tools/vllm.md") == [("front-matter", 4, 1)]


def test_a_setext_heading_underline_is_no_conflict(catalog):
    write_entry(catalog, "glossary/awq", {**_mini("glossary/awq")},
                "A heading\n=======\n\nText with ======= inside, and\n> a quote.\n")
    assert of_file(run(catalog), "entries/glossary/awq.md") == []


def _mini(entry_id):
    from conftest import MINI

    return dict(MINI[entry_id])


def test_digest_parse_refuses_conflict_markers_at_their_line():
    text = ("---\nmonth: \"2026-11\"\nsubject: S\n---\n\nIntro.\n\n<<<<<<< HEAD\nOurs.\n"
            "=======\nTheirs.\n>>>>>>> branch\n")
    with pytest.raises(DigestError) as e:
        parse(text, "digests/2026-11.md")
    assert str(e.value).startswith(f"digests/2026-11.md:8:1: {CONFLICT} (lines 8-12)")
    # in the front matter too, before YAML complains about it
    text = "---\n<<<<<<< HEAD\nsubject: A\n=======\nsubject: B\n>>>>>>> branch\n---\nBody.\n"
    with pytest.raises(DigestError) as e:
        parse(text, "digests/2026-11.md")
    assert str(e.value).startswith(f"digests/2026-11.md:2:1: {CONFLICT}")
    # a setext heading is no conflict
    doc = parse("---\nsubject: S\n---\nA heading\n=======\n\nText.\n", "digests/2026-11.md")
    assert "=======" in doc.body


def test_digest_render_and_draft_refuse_conflict_markers(shipped, cli, tmp_path):
    digest = shipped / "digests/2026-11.md"
    text = digest.read_text(encoding="utf-8")
    index = text.split("\n").index("This is our first month. Every entry below has a "
                                   "hand-written verdict or")
    broken = conflicted(text, index, ["Ours."], ["Theirs."])
    digest.write_text(broken, encoding="utf-8")
    out = tmp_path / "out"
    r = cli(shipped, "digest", "render", "2026-11", "--out", str(out))
    assert r.exit_code != 0
    assert f"digests/2026-11.md:{index + 1}:1: {CONFLICT}" in r.output
    assert not (out / "email.txt").exists()
    git(shipped, "init", "-q", "-b", "main")
    from conftest import commit_all

    commit_all(shipped, "catalog", "2026-11-20T12:00:00")
    r = cli(shipped, "digest", "draft", "2026-11")
    assert r.exit_code != 0
    assert f"digests/2026-11.md:{index + 1}:1: {CONFLICT}" in r.output
    assert digest.read_text(encoding="utf-8") == broken  # left as it is


@pytest.mark.parametrize("where", ["front matter", "text"])
def test_build_refuses_a_sent_digest_with_conflict_markers(catalog, cli, tmp_path, where):
    (catalog / "digests").mkdir()
    conflict = "<<<<<<< HEAD\n{0}: A\n=======\n{0}: B\n>>>>>>> branch\n"
    if where == "front matter":
        text = "---\nstatus: sent\n" + conflict.format("subject") + "---\nText.\n"
        line = 3
    else:
        text = "---\nstatus: sent\nsubject: S\n---\nText.\n\n" + conflict.format("Words")
        line = 7
    (catalog / "digests/2026-11.md").write_text(text, encoding="utf-8")
    r = cli(catalog, "build", "--out", str(tmp_path / "out"))
    assert r.exit_code == 1, r.output
    assert f"digests/2026-11.md:{line}:1: {CONFLICT}" in r.output
    assert not (tmp_path / "out/digests/2026-11.html").exists()


# -- M3: a digest named after no month -----------------------------------------------------

@pytest.mark.parametrize("name", ["2026-13", "2026-00", "9999-12"])
def test_a_digest_named_after_no_month_stops_the_build_naming_the_file(catalog, cli, tmp_path,
                                                                       name):
    (catalog / "digests").mkdir()
    (catalog / f"digests/{name}.md").write_text(
        "---\nsubject: S\nstatus: sent\n---\nText.\n", encoding="utf-8")
    r = cli(catalog, "build", "--out", str(tmp_path / "out"))
    assert r.exit_code == 1, r.output
    assert f"digests/{name}.md" in r.output and "YYYY-MM" in r.output
    assert "Traceback" not in r.output


def test_sent_digests_names_the_file_of_a_month_that_is_not_one(catalog):
    from pipeline.publish.feed import sent_digests

    (catalog / "digests").mkdir()
    (catalog / "digests/2026-11.md").write_text("---\nstatus: sent\n---\nText.\n")
    assert [i.url for i, _ in sent_digests(load_settings(catalog))] == ["/digests/2026-11"]
    (catalog / "digests/2026-13.md").write_text("---\nstatus: sent\n---\nText.\n")
    with pytest.raises(PipelineError, match=r"^digests/2026-13\.md: .*YYYY-MM"):
        sent_digests(load_settings(catalog))


def test_the_feed_date_of_the_last_digest_of_a_year_is_the_next_january(catalog):
    from pipeline.publish.feed import sent_digests

    (catalog / "digests").mkdir()
    (catalog / "digests/2026-12.md").write_text("---\nstatus: sent\n---\nText.\n")
    [(item, _)] = sent_digests(load_settings(catalog))
    assert item.published == "2027-01-01"


# -- M5: a folder named as a data file -----------------------------------------------------

def _set(root, key, value):
    toml = root / "pipeline.toml"
    text = toml.read_text(encoding="utf-8")
    text, n = re.subn(rf"^{key} = .*$", f'{key} = "{value}"', text, flags=re.M)
    assert n == 1
    toml.write_text(text, encoding="utf-8")
    return next(i + 1 for i, line in enumerate(text.split("\n")) if line.startswith(key + " ="))


@pytest.mark.parametrize("key,rule", [("bibliography", "bibliography"),
                                      ("affiliates", "affiliate-programs")])
def test_a_folder_named_as_a_data_file_is_called_a_folder_at_its_setting(shipped, key, rule):
    line = _set(shipped, key, "data")
    found = [d for d in run(shipped).diagnostics if d.file == "pipeline.toml"]
    assert [(d.rule, d.line, d.column) for d in found] == [(rule, line, 1)]
    assert f"paths.{key} is data, which is a folder, not a file" in found[0].message
    assert "does not exist" not in found[0].message


def test_a_missing_data_file_is_named_at_its_setting_line(shipped):
    line = _set(shipped, "bibliography", "data/bib.yaml")
    found = [d for d in run(shipped).diagnostics if d.file == "pipeline.toml"]
    assert [(d.rule, d.line) for d in found] == [("bibliography", line)]
    assert "does not exist" in found[0].message


# -- M6: smaller ---------------------------------------------------------------------------

@pytest.mark.parametrize("key,written,message", [
    ("subject", "subject: [a, b]", "`subject:` must be text"),
    ("preheader", "preheader: 12", "`preheader:` must be text"),
    ("subject", 'subject: "Hi \\e[1m"', "`subject:` holds the invisible character U+001B"),
    ("preheader", 'preheader: "a\\x00b"', "`preheader:` holds the invisible character U+0000"),
    ("subject", "subject:", "the front matter needs `subject:`"),
    ("subject", 'subject: "  "', "the front matter needs `subject:`"),
    ("month", 'month: "2026-10"', "front matter says month 2026-10"),
])
def test_digest_render_front_matter_errors_have_the_line_of_their_key(shipped, cli, tmp_path,
                                                                      key, written, message):
    digest = shipped / "digests/2026-11.md"
    lines = digest.read_text(encoding="utf-8").split("\n")
    line = next(i for i, ln in enumerate(lines) if ln.startswith(key + ":"))
    lines[line] = written
    digest.write_text("\n".join(lines), encoding="utf-8")
    r = cli(shipped, "digest", "render", "2026-11", "--out", str(tmp_path / "out"))
    assert r.exit_code == 1, r.output
    assert f"digests/2026-11.md:{line + 1}:1: {message}" in r.output


def test_a_missing_subject_is_said_at_the_front_matter(shipped, cli, tmp_path):
    digest = shipped / "digests/2026-11.md"
    text = digest.read_text(encoding="utf-8")
    text = re.sub(r"^subject: .*\n", "", text, count=1, flags=re.M)
    digest.write_text(text, encoding="utf-8")
    r = cli(shipped, "digest", "render", "2026-11", "--out", str(tmp_path / "out"))
    assert r.exit_code == 1, r.output
    assert "digests/2026-11.md:1:1: the front matter needs `subject:`" in r.output


@pytest.mark.parametrize("args", [
    ("changes", "--since", "2026-11-01", "--until", "2026-12-01"),
    ("changes", "--from", "HEAD"),
    ("digest", "draft", "2026-11"),
    ("validate", "--changed-since", "HEAD"),
])
def test_a_repository_with_no_commit_says_so(catalog, cli, args):
    git(catalog, "init", "-q", "-b", "main")
    r = cli(catalog, *args)
    assert r.exit_code == 2, r.output
    assert "the repository has no commit yet" in r.output
    assert "unknown revision" not in r.output


def test_resolve_in_an_empty_repository_is_a_usage_error(catalog):
    from pipeline.history import gitio

    git(catalog, "init", "-q", "-b", "main")
    with pytest.raises(UsageError, match="the repository has no commit yet"):
        gitio.resolve(load_settings(catalog), "HEAD")


def test_resolve_still_refuses_an_unknown_revision(repo):
    from pipeline.history import gitio

    with pytest.raises(UsageError, match="unknown revision 'nope'"):
        gitio.resolve(load_settings(repo), "nope")


def test_affiliates_report_refuses_a_broken_bibliography_naming_it(shipped, cli):
    r = cli(shipped, "affiliates", "report", "--format", "json")
    assert r.exit_code == 0
    # 82 are citations; the bibliography's 17 own rows are listed, not counted
    data = json.loads(r.output)
    assert (data["totals"]["links"], len(data["links"])) == (237, 254)
    bib = shipped / "data/bibliography.yaml"
    lines = bib.read_text(encoding="utf-8").split("\n")
    at = next(i for i, line in enumerate(lines) if line.startswith("    title: "))
    lines[at] += ' "'
    bib.write_text("\n".join(lines), encoding="utf-8")
    r = cli(shipped, "affiliates", "report", "--format", "json")
    assert r.exit_code == 1, r.output
    assert f"data/bibliography.yaml:{at + 1}:" in r.output
    assert "shared sources" in r.output
    assert "Traceback" not in r.output


def test_affiliates_report_refuses_a_folder_named_as_the_bibliography(shipped, cli):
    line = _set(shipped, "bibliography", "data")
    r = cli(shipped, "affiliates", "report")
    assert r.exit_code == 1, r.output
    assert f"pipeline.toml:{line}:1: paths.bibliography is data, which is a folder" in r.output


def test_the_line_of_a_setting_is_found_as_it_is_written(tmp_path):
    from pipeline.catalog.loader import setting_position
    from pipeline.config import Settings

    toml = tmp_path / "pipeline.toml"
    settings = Settings(root=tmp_path)
    toml.write_text('paths.bibliography = "data"\n[site]\nname = "x"\n')
    assert setting_position(settings, "paths", "bibliography") == (1, 1)
    toml.write_text('[site]\nbibliography = "x"\n\n[paths]  # files\n  "bibliography" = "data"\n')
    assert setting_position(settings, "paths", "bibliography") == (5, 3)
    toml.write_text('[site]\npaths.bibliography = "x"\n')  # site.paths.bibliography: not it
    assert setting_position(settings, "paths", "bibliography") == (1, 1)
    toml.unlink()
    assert setting_position(settings, "paths", "bibliography") == (1, 1)


def test_conflict_markers_quoted_in_a_fenced_code_block_are_an_example(shipped):
    """An errors-KB entry about git conflicts quotes them in a fence (found in review:
    refused by a rule that cannot be turned off)."""
    from pipeline.catalog.loader import merge_conflict

    quoted = "Text.\n\n```text\n<<<<<<< HEAD\nours\n=======\ntheirs\n>>>>>>> feature\n```\n"
    assert merge_conflict(quoted) is None
    assert merge_conflict("~~~~\n```\n<<<<<<< HEAD\n~~~~\n") is None  # ``` inside ~~~~
    assert merge_conflict(quoted + "\n<<<<<<< HEAD\nx\n>>>>>>> b\n") == (11, 13)
