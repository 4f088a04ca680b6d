"""The CLI: --root, help texts, explain, new, schema-docs, output formats, exit codes."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from pipeline.cli import main
from pipeline.config import load_settings
from pipeline.validate import validate
from conftest import REPO, write_entry, MINI


def test_root_is_found_by_walking_up(catalog, monkeypatch):
    monkeypatch.chdir(catalog / "entries" / "tools")
    r = CliRunner().invoke(main, ["validate"])
    assert r.exit_code == 0, r.output
    assert "Checked 4 entries: no problems." in r.output


def test_no_settings_file_is_exit_2_with_a_message(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    r = CliRunner().invoke(main, ["validate"])
    assert r.exit_code == 2
    assert "no pipeline.toml found" in r.output
    assert "Traceback" not in r.output


def test_bad_settings_name_the_option(catalog, cli):
    (catalog / "pipeline.toml").write_text('[site]\nnmae = "x"\n')
    r = cli(catalog, "validate")
    assert r.exit_code == 2
    assert "unknown option site.nmae" in r.output


def test_a_language_that_is_no_language_tag_is_refused(catalog, cli):
    """site.language goes into pages' and e-mails' lang attributes."""
    (catalog / "pipeline.toml").write_text('[site]\nlanguage = "en\\" onload=\\"x"\n')
    r = cli(catalog, "validate")
    assert r.exit_code == 2
    assert "site.language must be a language tag" in r.output
    (catalog / "pipeline.toml").write_text('[site]\nlanguage = "pt-BR"\n')
    assert cli(catalog, "validate").exit_code == 0


def test_new_refuses_what_would_not_validate(catalog, cli):
    """The help promises a draft that validates: an empty title and an author with no
    entry were written anyway (found in review)."""
    r = cli(catalog, "new", "glossary", "x", "--title", " ")
    assert r.exit_code == 2 and "the title is empty" in r.output
    r = cli(catalog, "new", "glossary", "x", "--title", "X", "--author", "nobody-here")
    assert r.exit_code == 2 and "no author 'nobody-here'" in r.output and "ana, ben" in r.output
    assert not (catalog / "entries/glossary/x.md").exists()
    assert cli(catalog, "new", "authors", "cy", "--title", "Cy", "--author", "cy").exit_code == 0


def test_a_month_out_of_range_is_named(catalog, cli):
    for month in ("9999-12", "0000-05"):
        r = cli(catalog, "digest", "draft", month, "--offline")
        assert r.exit_code == 2 and "out of range" in r.output, month


def test_a_month_that_has_not_begun_is_not_drafted(repo, cli):
    """It read as an empty month and was written as one (found in review)."""
    import datetime as dt

    from pipeline.digest.draft import draft
    from pipeline.errors import UsageError

    with pytest.raises(UsageError, match="2026-12 has not begun yet"):
        draft(load_settings(repo), "2026-12", offline=True, today=dt.date(2026, 11, 30))
    assert not (repo / "digests/2026-12.md").exists()
    draft(load_settings(repo), "2026-11", offline=True, today=dt.date(2026, 11, 30))
    assert (repo / "digests/2026-11.md").exists()


def test_every_command_has_help_with_an_example():
    runner = CliRunner()

    def walk(group, prefix):
        for name, cmd in group.commands.items():
            yield [*prefix, name], cmd
            if hasattr(cmd, "commands"):
                yield from walk(cmd, [*prefix, name])

    names = list(walk(main, []))
    assert len(names) >= 4
    for args, _ in names:
        r = runner.invoke(main, [*args, "--help"])
        assert r.exit_code == 0, args
        assert "Example" in r.output, f"`pipeline {' '.join(args)} --help` has no example"


def test_explain_every_rule_and_unknown_rule(catalog, cli):
    listing = cli(catalog, "explain").output
    assert "claim-uncited" in listing and "schema" in listing
    r = cli(catalog, "explain", "claim-uncited")
    assert "no-cite" in r.output and "Example:" in r.output
    r = CliRunner().invoke(main, ["explain", "nope"])
    assert r.exit_code == 2


@pytest.mark.parametrize("typed", ["CLAIM-UNCITED", "claim_uncited", " Claim-Uncited "])
def test_explain_suggests_the_rule_meant_whatever_its_case(catalog, cli, typed):
    """An id in capitals or with underscores got no "did you mean" (found in review)."""
    r = cli(catalog, "explain", typed)
    assert r.exit_code == 2 and "did you mean claim-uncited?" in r.output


def test_explain_refuses_an_empty_rule_id(catalog, cli):
    """`explain ""` (an unset variable in a script) listed every rule, as if none was asked."""
    r = cli(catalog, "explain", "")
    assert r.exit_code == 2 and "an empty rule id" in r.output


def test_new_writes_a_valid_skeleton_and_never_overwrites(catalog, cli):
    for collection, slug in [("tools", "exllamav2"), ("glossary", "gptq"), ("hardware", "rtx-4090"),
                             ("models", "llama"), ("benchmarks", "b1"), ("guides", "best-gpu"),
                             ("errors", "oom"), ("pages", "about"), ("authors", "cy")]:
        r = cli(catalog, "new", collection, slug, "--title", f"T {slug}", "--author", "ana")
        assert r.exit_code == 0, r.output
        assert (catalog / "entries" / collection / f"{slug}.md").is_file()
    result = validate(load_settings(catalog))
    assert result.diagnostics == [], [d.message for d in result.diagnostics]
    path = catalog / "entries/tools/exllamav2.md"
    path.write_text(path.read_text() + "editor words\n")
    r = cli(catalog, "new", "tools", "exllamav2", "--title", "Again")
    assert r.exit_code == 2 and "already exists" in r.output
    assert path.read_text().endswith("editor words\n")


def test_schema_reference_page_is_up_to_date():
    r = CliRunner().invoke(main, ["--root", str(REPO), "schema-docs", "--check"])
    assert r.exit_code == 0, r.output


def test_schema_docs_check_fails_when_a_schema_changes(catalog, cli):
    (catalog / "docs").mkdir()
    assert cli(catalog, "schema-docs", "--write").exit_code == 0
    assert cli(catalog, "schema-docs", "--check").exit_code == 0
    p = catalog / "schemas/tools.schema.json"
    doc = json.loads(p.read_text())
    doc["properties"]["stars"] = {"type": "integer", "description": "GitHub stars"}
    p.write_text(json.dumps(doc))
    assert cli(catalog, "schema-docs", "--check").exit_code == 1


def test_schema_docs_refuses_to_leave_a_collection_out_or_to_guess_what_was_meant(catalog, cli):
    """Found in review: without tools.schema.json the reference dropped tools and exited 0
    (so --write published it); --write --check ignored --write; --check with no docs
    folder said "out of date"."""
    r = cli(catalog, "schema-docs", "--check")
    assert r.exit_code == 1 and "docs/schema-reference.md is missing" in r.output
    r = cli(catalog, "schema-docs", "--write", "--check")
    assert r.exit_code == 2 and "give one of them" in r.output
    (catalog / "schemas/tools.schema.json").unlink()
    r = cli(catalog, "schema-docs", "--write")
    assert r.exit_code == 2 and "no schema for tools in schemas/" in r.output
    assert not (catalog / "docs").exists()


def test_text_format_groups_by_file_with_hint_and_summary(catalog, cli):
    write_entry(catalog, "tools/vllm", dict(MINI["tools/vllm"], related=["glossary/nope"]))
    r = cli(catalog, "validate")
    assert r.exit_code == 1
    lines = r.output.splitlines()
    assert lines[0] == "entries/tools/vllm.md"
    assert lines[1].startswith("  entries/tools/vllm.md:") and "error ref-unresolved" in lines[1]
    assert lines[2].startswith("    hint: ")
    assert lines[-1] == "Checked 4 entries: 1 error, 0 warnings."
    assert "\x1b[" not in r.output  # no colour when not on a terminal


def test_the_summary_counts_an_entry_whose_front_matter_does_not_parse(catalog, cli,
                                                                       monkeypatch):
    """"Checked 4 entries" of five files, one of them with broken YAML (found in review)."""
    write_entry(catalog, "glossary/broken", "---\ntitle: [unclosed\n---\nText.\n")
    r = cli(catalog, "validate")
    assert r.output.splitlines()[-1] == "Checked 5 entries: 1 error, 0 warnings.", r.output
    doc = json.loads(cli(catalog, "validate", "--format", "json").output)
    assert doc["summary"] == {"entries": 5, "errors": 1, "warnings": 0}
    monkeypatch.chdir(catalog)
    assert cli(catalog, "validate", "entries/glossary/broken.md").output.splitlines()[-1] \
        == "Checked 1 entry: 1 error, 0 warnings."
    assert cli(catalog, "validate", "entries/glossary/awq.md").output.splitlines()[-1] \
        == "Checked 1 entry: no problems."


def test_json_format_shape(catalog, cli):
    write_entry(catalog, "tools/vllm", dict(MINI["tools/vllm"], related=["glossary/nope"]))
    doc = json.loads(cli(catalog, "validate", "--format", "json").output)
    assert set(doc) == {"diagnostics", "summary"}
    assert set(doc["diagnostics"][0]) == {"rule", "severity", "entry", "file", "line", "column",
                                          "message", "hint"}
    assert doc["diagnostics"][0]["entry"] == "tools/vllm"


def test_sarif_format_is_2_1_0(catalog, cli):
    write_entry(catalog, "tools/vllm", dict(MINI["tools/vllm"], related=["glossary/nope"]))
    plain = json.loads(cli(catalog, "validate", "--format", "json").output)["diagnostics"][0]
    doc = json.loads(cli(catalog, "validate", "--format", "sarif").output)
    assert doc["version"] == "2.1.0"
    run = doc["runs"][0]
    assert run["tool"]["driver"]["rules"][0]["id"] == "ref-unresolved"
    loc = run["results"][0]["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"] == "entries/tools/vllm.md"
    assert loc["region"] == {"startLine": plain["line"], "startColumn": plain["column"]}


def test_sarif_has_what_2_1_0_requires_and_no_url_that_leads_nowhere(catalog, cli,
                                                                     monkeypatch):
    """The driver's informationUri was https://local-ai-catalog.org/methodology, a page
    the site has at /pages/methodology (and another catalog has at another domain, or
    not at all), found in review; a whole-file problem is on line 1, column 1 or none."""
    for name in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_SHA"):
        monkeypatch.delenv(name, raising=False)
    write_entry(catalog, "tools/vllm", dict(MINI["tools/vllm"], related=["glossary/nope"]))
    write_entry(catalog, "glossary/broken", "---\ntitle: [unclosed\n---\nText.\n")
    (catalog / "entries/glossary/notes.txt").write_text("not an entry\n")
    doc = json.loads(cli(catalog, "validate", "--format", "sarif").output)
    assert doc["version"] == "2.1.0" and doc["$schema"].startswith("https://")
    run, = doc["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "pipeline"
    rules = [r["id"] for r in driver["rules"]]
    assert len(run["results"]) == 3
    for result in run["results"]:
        assert rules[result["ruleIndex"]] == result["ruleId"] and result["message"]["text"]
        region = result["locations"][0]["physicalLocation"]["region"]
        assert region["startLine"] >= 1 and region.get("startColumn", 1) >= 1, result

    def uri_keys(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key.endswith("Uri"):
                    yield key
                yield from uri_keys(value)
        elif isinstance(node, list):
            for value in node:
                yield from uri_keys(value)

    assert list(uri_keys(doc)) == []


def test_sarif_rules_point_at_their_section_of_docs_rules_md(repo, cli, monkeypatch):
    """A rule's helpUri was left out: code scanning showed no link to the rule's docs.
    In GitHub Actions it is the rule's section of docs/rules.md as GitHub shows the file
    at the commit checked (SARIF asks for an absolute URI); the help names the section
    in the repository wherever it is read."""
    import pipeline.report.sarif as sarif

    (repo / "docs").mkdir()
    (repo / "docs/rules.md").write_text("## ref-unresolved\n", encoding="utf-8")
    monkeypatch.setattr(sarif, "RULES_DOC", repo / "docs/rules.md")
    write_entry(repo, "tools/vllm", dict(MINI["tools/vllm"], related=["glossary/nope"]))
    for name in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_SHA"):
        monkeypatch.delenv(name, raising=False)
    rule, = json.loads(cli(repo, "validate", "--format", "sarif").output)["runs"][0][
        "tool"]["driver"]["rules"]
    assert "helpUri" not in rule  # no absolute URL known outside GitHub Actions
    assert rule["help"]["text"].endswith("\n\nDocumentation: docs/rules.md#ref-unresolved")
    monkeypatch.setenv("GITHUB_SERVER_URL", "https://github.com")
    monkeypatch.setenv("GITHUB_REPOSITORY", "acme/catalog")
    monkeypatch.setenv("GITHUB_SHA", "0123abc")
    rule, = json.loads(cli(repo, "validate", "--format", "sarif").output)["runs"][0][
        "tool"]["driver"]["rules"]
    assert rule["helpUri"] == ("https://github.com/acme/catalog/blob/0123abc/docs/rules.md"
                               "#ref-unresolved")


def test_sarif_counts_characters_and_encodes_file_names(catalog, cli):
    """Found in review: SARIF's columns are UTF-16 units unless the run says otherwise, so
    each emoji before a problem moved it one column; `a b.md` is no URI."""
    from urllib.parse import unquote

    write_entry(catalog, "tools/a b", dict(MINI["tools/vllm"], title="A B"),
                "😀 漢字 [x](/glossary/nope)\n")
    plain = json.loads(cli(catalog, "validate", "--format", "json").output)["diagnostics"]
    run = json.loads(cli(catalog, "validate", "--format", "sarif").output)["runs"][0]
    assert run["columnKind"] == "unicodeCodePoints"
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in run["results"]]
    assert "entries/tools/a%20b.md" in uris and [unquote(u) for u in uris] == [
        d["file"] for d in plain]


def test_the_text_format_keeps_one_problem_a_line(catalog, cli):
    """A title with a newline in it split its problem over two lines (found in review)."""
    for entry_id in ("tools/vllm", "tools/vllm-2"):
        write_entry(catalog, entry_id, dict(MINI["tools/vllm"], title="Dup\nline"))
    out = cli(catalog, "validate").output
    dup = [line for line in out.splitlines() if "title-duplicate" in line]
    assert len(dup) == 2 and all("Dup\\nline" in line for line in dup), out


def test_the_text_format_keeps_a_file_name_on_its_line(catalog, cli):
    """A file's name with a line break, ESC or a byte that is not UTF-8 broke the text
    format's lines or acted on the terminal (found in review): written as escapes."""
    for name in ("a\nb", "c\rd", "e\x1b[2Jf", "g\udcffh"):
        write_entry(catalog, f"tools/{name}", dict(MINI["tools/vllm"], title=name))
    lines = cli(catalog, "validate").output.splitlines()
    for shown in ("a\\nb", "c\\rd", "e\\x1b[2Jf", "g\\udcffh"):
        file = f"entries/tools/{shown}.md"
        assert file in lines and f"  {file}: error file-name: " in "\n".join(lines), lines
    assert not any(c in "".join(lines) for c in "\r\x1b\udcff")


def test_changed_since_checks_changed_entries_and_their_referrers(repo, cli):
    from conftest import commit_all

    # break nothing in vllm itself, but retire the term it references
    write_entry(repo, "glossary/awq", dict(MINI["glossary/awq"], status="retired"))
    r = cli(repo, "validate", "--changed-since", "HEAD", "--format", "json")
    doc = json.loads(r.output)
    assert {(d["rule"], d["entry"]) for d in doc["diagnostics"]} == {("link-unpublished", "tools/vllm")}
    assert doc["summary"]["entries"] == 2
    commit_all(repo, "retire awq")
    r = cli(repo, "validate", "--changed-since", "HEAD", "--format", "json")
    assert json.loads(r.output)["summary"]["entries"] == 0



def _cite_a_shared_source(repo):
    """glossary/awq cites `shared`, a source of the shared bibliography, committed; ->
    the bibliography's path."""
    from conftest import commit_all

    (repo / "data").mkdir(exist_ok=True)
    bib = repo / "data/bibliography.yaml"
    bib.write_text("sources:\n  - id: shared\n    url: https://example.org/s\n"
                   "    title: Shared\n    accessed: 2026-10-01\n")
    write_entry(repo, "glossary/awq", MINI["glossary/awq"], "A method [@shared].\n")
    commit_all(repo, "cite a shared source")
    return bib

def test_changed_since_checks_every_entry_when_a_catalog_wide_input_changed(repo, cli):
    """The settings, a schema or a data file changed since the base: every entry may
    break, so every entry is checked (the pull-request check passed while the build on
    main then refused, found in review)."""
    from conftest import commit_all

    bib = _cite_a_shared_source(repo)
    assert json.loads(cli(repo, "validate", "--changed-since", "HEAD", "--format", "json")
                      .output)["summary"]["entries"] == 0
    bib.write_text(bib.read_text().replace("id: shared", "id: shared-x"))
    doc = json.loads(cli(repo, "validate", "--changed-since", "HEAD", "--format", "json").output)
    assert doc["summary"]["entries"] == 4
    assert ("cite-unresolved", "glossary/awq") in {(d["rule"], d["entry"])
                                                  for d in doc["diagnostics"]}
    commit_all(repo, "rename the source")
    schema = repo / "schemas/glossary.schema.json"
    schema.write_text(schema.read_text().replace('"title"', '"title" ', 1))
    assert json.loads(cli(repo, "validate", "--changed-since", "HEAD", "--format", "json")
                      .output)["summary"]["entries"] == 4


def test_changed_since_with_paths_checks_both(repo, cli, monkeypatch):
    """PATHS beside --changed-since add their entries to the change's: an entry named is
    checked though unchanged, a change's referrer though not named, and a change of a
    catalog-wide input still checks every entry (naming a file narrowed it to that file
    and the change's entries, and a broken citation passed, found in review)."""
    monkeypatch.chdir(repo)
    write_entry(repo, "glossary/awq", dict(MINI["glossary/awq"], status="retired"))
    doc = json.loads(cli(repo, "validate", "--changed-since", "HEAD", "entries/authors/ana.md",
                         "--format", "json").output)
    assert doc["summary"]["entries"] == 3  # ana named; awq changed; vllm refers to it
    assert {(d["rule"], d["entry"]) for d in doc["diagnostics"]} == {
        ("link-unpublished", "tools/vllm")}
    bib = _cite_a_shared_source(repo)
    bib.write_text(bib.read_text().replace("id: shared", "id: shared-x"))
    r = cli(repo, "validate", "--changed-since", "HEAD", "entries/tools/vllm.md", "--format",
            "json")
    doc = json.loads(r.output)
    assert r.exit_code == 1 and doc["summary"]["entries"] == 4
    assert ("cite-unresolved", "glossary/awq") in {(d["rule"], d["entry"])
                                                  for d in doc["diagnostics"]}


def test_a_path_that_does_not_exist_is_an_error_not_a_pass(catalog, cli, monkeypatch):
    monkeypatch.chdir(catalog)
    r = cli(catalog, "validate", "entries/glosary/awq.md")
    assert r.exit_code == 2 and "entries/glosary/awq.md: no such file or folder" in r.output
    assert cli(catalog, "validate", "entries/glossary/awq.md").exit_code == 0


@pytest.mark.parametrize("named, why", [
    ("pipeline.toml", "neither an entry nor a data file"),
    ("docs", "neither an entry nor a data file"),
    ("digests", "`pipeline digest render`"),
])
def test_a_path_holding_nothing_validate_checks_is_an_error_not_a_pass(
        catalog, cli, monkeypatch, named, why):
    """`validate pipeline.toml` (or docs/) said "Checked 0 entries: no problems." and
    exited 0: naming a file is never a silent pass."""
    monkeypatch.chdir(catalog)
    if named != "pipeline.toml":
        (catalog / named).mkdir(exist_ok=True)
    r = cli(catalog, "validate", named)
    assert r.exit_code == 2 and f"{named}: validate would check nothing there" in r.output
    assert why in r.output
    for fine in ("entries", "entries/glossary", "."):
        assert cli(catalog, "validate", fine).exit_code == 0, fine


@pytest.mark.parametrize("target, message", [
    ("gone.md", "leads to no file"),  # was: "Checked 0 entries: no problems.", exit 0
    ("/etc/hostname", "points outside the catalog"),  # was: "not inside the catalog"
    ("awq.md", None),  # was: the problems of awq.md, under its name
])
def test_a_named_link_is_checked_as_the_file_it_is(catalog, cli, monkeypatch, target, message):
    """Naming an entry file that is a symbolic link checked where the link leads, not the
    file: a dangling one passed, one leading outside was refused as a wrong argument."""
    monkeypatch.chdir(catalog)
    (catalog / "entries/glossary/alias.md").symlink_to(target)
    r = cli(catalog, "validate", "entries/glossary/alias.md", "--format", "json")
    found = [(d["file"], d["rule"], d["message"]) for d in json.loads(r.output)["diagnostics"]]
    assert r.exit_code == 1 and {f for f, _, _ in found} == {"entries/glossary/alias.md"}
    if message:
        assert [(rule, message in m) for _, rule, m in found] == [("file-symlink", True)]
    else:  # read, as an entry of its own with awq.md's title
        assert [rule for _, rule, _ in found] == ["title-duplicate"]


def test_changed_since_unknown_revision_is_exit_2(repo, cli):
    r = cli(repo, "validate", "--changed-since", "no-such-rev")
    assert r.exit_code == 2 and "unknown revision" in r.output


def test_changed_since_an_empty_revision_is_exit_2(repo, cli):
    """`--changed-since ""` (a CI variable that was not set) quietly checked the whole
    catalog and passed or failed on it (found in review): it names no commit."""
    r = cli(repo, "validate", "--changed-since", "")
    assert r.exit_code == 2 and "--changed-since: an empty revision names no commit" in r.output
    assert "Checked" not in r.output


@pytest.mark.parametrize("args, advice", [
    (["digest", "render", "2026-10", "--out", ""], "give a folder\n"),
    (["build", "--out", ""], "give a folder, or leave the option out"),
    (["serve", "--out", ""], "give a folder, or leave the option out"),
])
def test_an_empty_out_folder_is_exit_2_and_writes_nothing(catalog, cli, monkeypatch, args, advice):
    """`--out "$OUT"` with OUT unset was taken for the current folder: `digest render`
    wrote its four files there, `build` said the catalog's folder was refused."""
    monkeypatch.chdir(catalog)
    before = sorted(p.name for p in catalog.iterdir())
    r = cli(catalog, *args)
    assert r.exit_code == 2 and "'--out': it is empty; " + advice in r.output
    assert "holds the catalog" not in r.output
    assert sorted(p.name for p in catalog.iterdir()) == before


def test_an_empty_root_is_exit_2(catalog, monkeypatch):
    monkeypatch.chdir(catalog)
    r = CliRunner().invoke(main, ["--root", "", "validate"])
    assert r.exit_code == 2 and "'--root': it is empty" in r.output
    assert "Checked" not in r.output


def test_exiting_skips_the_last_look_for_cyclic_garbage():
    """What is alive when a command ends is frozen, so Python's last collection at exit
    has nothing to look through (a cycle with a finaliser is the witness: collected, it
    would print). Without pipeline.cli imported, the same cycle is collected."""
    import subprocess
    import sys

    script = ("import sys\n{import}\n"
              "class C:\n    def __del__(self): print('collected', flush=True)\n"
              "a = C(); a.me = a; del a\n")
    for imported, expected in (("import pipeline.cli", ""), ("", "collected\n")):
        done = subprocess.run([sys.executable, "-c", script.format(**{"import": imported})],
                              capture_output=True, text=True, check=True)
        assert done.stdout == expected


def test_explain_says_the_catalogs_severity_the_contract_and_the_closest_rule(catalog, cli):
    """explain gave the default severity whatever [checks] said, never said which rules are
    of the fixed contract (docs/rules.md does), and had no "did you mean" (found in review)."""
    toml = catalog / "pipeline.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace(
        '# claim-uncited = "error"', 'claim-uncited = "error"'), encoding="utf-8")
    r = cli(catalog, "explain", "claim-uncited")
    assert r.output.startswith(
        "claim-uncited (error here, warning by default, part of the fixed contract)\n")
    assert cli(catalog, "explain", "link-anchor").output.startswith("link-anchor (warning)\n")
    listing = cli(catalog, "explain").output.splitlines()
    assert next(x for x in listing if x.startswith("claim-uncited")).split()[1] == "error"
    r = cli(catalog, "explain", "claim-uncitd")
    assert r.exit_code == 2 and "did you mean claim-uncited?" in r.output
