"""pipeline.toml read as editors write it: a mistyped folder or rule id, an encoding, a BOM."""

from __future__ import annotations

import pytest

from conftest import REPO


def _settings(catalog, old: str, new: str) -> None:
    toml = catalog / "pipeline.toml"
    text = toml.read_text(encoding="utf-8")
    assert old in text
    toml.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize("command", [("validate",), ("build",)])
def test_a_mistyped_entries_folder_is_exit_2_naming_it(catalog, cli, command):
    _settings(catalog, 'entries = "entries"', 'entries = "entires"')
    r = cli(catalog, *command)
    assert r.exit_code == 2, r.output
    assert "pipeline.toml:10: paths.entries: entries folder" in r.output
    assert "entires does not exist" in r.output
    assert "Checked 0 entries" not in r.output and not (catalog / "dist").exists()


def test_a_settings_file_that_is_not_utf8_is_named_with_its_line(catalog, cli):
    (catalog / "pipeline.toml").write_bytes(b'[site]\nname = "Caf\xe9"\n')
    r = cli(catalog, "validate")
    assert r.exit_code == 2
    assert "pipeline.toml:2:12: not UTF-8: byte 0xe9 cannot be decoded; save the file as UTF-8" in r.output


@pytest.mark.parametrize("newline", [b"\n", b"\r\n", b"\r"])
def test_a_bad_byte_in_the_settings_is_at_the_editors_line_and_column(catalog, cli, newline):
    """Only `\n` was counted, so with old-Mac line endings (a lone CR) every bad byte was
    on line 1, and the column was never said (found in review); the entry loader's count."""
    text = b'\xef\xbb\xbf# Caf\xc3\xa9\n[site]\nname = "Caf\xe9"\n'.replace(b"\n", newline)
    (catalog / "pipeline.toml").write_bytes(text)
    r = cli(catalog, "validate")
    assert r.exit_code == 2 and "pipeline.toml:3:12: not UTF-8: byte 0xe9 cannot be decoded" in r.output


def test_a_byte_order_mark_is_read_past(catalog, cli, settings_of):
    toml = catalog / "pipeline.toml"
    toml.write_bytes(b"\xef\xbb\xbf" + toml.read_bytes().replace(b"Local AI Catalog", b"Caf\xc3\xa9", 1))
    r = cli(catalog, "validate")
    assert r.exit_code == 0, r.output
    assert settings_of(catalog).site.name == "Caf\u00e9"


def test_an_unknown_rule_id_is_exit_2_with_the_closest_one(catalog, cli):
    _settings(catalog, "[checks]\n", '[checks]\nclaim-uncitd = "error"\n')
    r = cli(catalog, "validate")
    assert r.exit_code == 2
    assert "unknown rule checks.claim-uncitd; did you mean claim-uncited?" in r.output


def test_every_rule_id_can_be_set(catalog, cli):
    """Rules registered outside pipeline.checks (the loader's, the programs file's) too."""
    _settings(catalog, "[checks]\n", '[checks]\nclaim-uncited = "error"\nyaml-tag = "error"\n'
              'affiliate-programs = "error"\n')
    r = cli(catalog, "validate")
    assert r.exit_code == 0, r.output


@pytest.mark.parametrize("setting, says", [
    ('affiliate-shortener = "off"', 'checks.affiliate-shortener = "off": affiliate-shortener '
     "holds the content model's fixed contract, so it stays an error"),
    ('schema = "warning"', "so it stays an error"),
    ('link-unresolved = "warning"', "so it stays an error"),
    ('claim-uncited = "off"', "so it can be raised to an error, not turned off"),
    # a file that does not load is no entry: turned off, it went unchecked without a word
    ('yaml-duplicate-key = "off"', "so it stays an error"),
    ('yaml-tag = "warning"', "so it stays an error"),
    ('file-symlink = "off"', "so it stays an error"),
])
def test_a_rule_of_the_fixed_contract_is_never_turned_off_or_lowered(catalog, cli, setting,
                                                                    says):
    """A pull request carries its own pipeline.toml: `affiliate-shortener = "off"` let an
    amzn.to link through validate and into the build (found in review)."""
    _settings(catalog, "[checks]\n", f"[checks]\n{setting}\n")
    r = cli(catalog, "validate")
    assert r.exit_code == 2 and says in r.output, r.output


def test_other_rules_can_still_be_lowered_or_turned_off(catalog, cli):
    _settings(catalog, "[checks]\n", '[checks]\ntitle-duplicate = "off"\n'
              'correction-unread = "off"\nclaim-uncited = "error"\n')
    assert cli(catalog, "validate").exit_code == 0


def test_a_misspelt_forbidden_collection_is_refused(catalog, cli):
    """It turned the affiliate policy off for the collection meant (found in review)."""
    _settings(catalog, '"glossary",', '"glosary",')
    r = cli(catalog, "validate")
    assert r.exit_code == 2
    assert ("affiliates.forbidden_collections: 'glosary' is not a collection; "
            "did you mean 'glossary'?") in r.output


@pytest.mark.parametrize("value, says", [
    ("0", "digest.releases_per_feed must be 1 or more"),
    ('"10"', "digest.releases_per_feed must be a whole number"),
])
def test_a_digest_releases_per_feed_that_lists_none_is_refused(catalog, cli, value, says):
    toml = catalog / "pipeline.toml"
    toml.write_text(toml.read_text(encoding="utf-8") + f"\n[digest]\nreleases_per_feed = {value}\n",
                    encoding="utf-8")
    r = cli(catalog, "validate")
    assert r.exit_code == 2 and says in r.output, r.output


@pytest.mark.parametrize("url", ["local-ai-catalog.org", "/", "https://", "ftp://x.org",
                                 "https://x.org/catalog", "https://x.org/?a=b"])
def test_a_base_url_that_is_not_a_site_root_is_refused(catalog, cli, url):
    """`local-ai-catalog.org` made `<loc>local-ai-catalog.org/authors/...` (found in review)."""
    _settings(catalog, 'base_url = "https://local-ai-catalog.org"', f'base_url = "{url}"')
    r = cli(catalog, "validate")
    assert r.exit_code == 2 and "site.base_url must be the site's absolute address" in r.output


@pytest.mark.parametrize("url", ["http://localhost:8000", "https://www.x.org/"])
def test_a_base_url_with_a_port_or_a_final_slash_is_fine(catalog, cli, url):
    _settings(catalog, 'base_url = "https://local-ai-catalog.org"', f'base_url = "{url}"')
    assert cli(catalog, "validate").exit_code == 0


def test_a_base_url_scheme_in_capitals_is_fine(catalog, cli):
    _settings(catalog, 'base_url = "https://local-ai-catalog.org"',
              'base_url = "HTTPS://Local-AI-Catalog.org"')
    assert cli(catalog, "validate").exit_code == 0


# the line of the shipped settings that says where paid links may not be
SHIPPED_POLICY = next(line for line in (REPO / "pipeline.toml").read_text(encoding="utf-8")
                      .split("\n") if line.startswith("forbidden_collections ="))


def _line_of(catalog, text):
    lines = (catalog / "pipeline.toml").read_text(encoding="utf-8").split("\n")
    return next(i for i, line in enumerate(lines, 1) if line.startswith(text))


@pytest.mark.parametrize("old, new, said", [
    ('name = "Local AI Catalog"', 'nmae = "Local AI Catalog"',
     "unknown option site.nmae; did you mean site.name?"),
    ('name = "Local AI Catalog"', "name = 3", "site.name must be text (in quotes), not 3"),
    ('name = "Local AI Catalog"', 'name = "Local\\u001b[1m AI"',
     "site.name holds the invisible character U+001B (ESC) written as an escape"),
    ('postal_address = "Local', 'postal_address = "\\b Local',
     "email.postal_address holds the invisible character U+0008"),
    ('language = "en"', 'language = "en\\" x"', "site.language must be a language tag"),
    ('digests = "digests"', 'digests = "/tmp/x"', "paths.digests = '/tmp/x' is an absolute path"),
    (SHIPPED_POLICY,
     'forbidden_collections = "glossary"', "affiliates.forbidden_collections must be a list"),
    (SHIPPED_POLICY,
     'forbidden_collections = ["glosary"]', "'glosary' is not a collection; did you mean"),
    ("# claim-uncited = \"error\"", 'claim-uncitd = "error"', "unknown rule checks.claim-uncitd"),
    ("# claim-uncited = \"error\"", 'claim-uncited = "loud"',
     "checks.claim-uncited must be one of error, warning, off, not 'loud'"),
    ('entries = "entries"', 'entries = "entires"', "paths.entries: entries folder"),
])
def test_a_settings_problem_names_its_line(catalog, cli, old, new, said):
    """Only TOML's own syntax errors had a line: an option of the wrong name, type or value
    named the file alone, and "str" is Python's word, not an editor's (found in review)."""
    _settings(catalog, old, new)
    line = _line_of(catalog, new)
    r = cli(catalog, "validate")
    assert r.exit_code == 2 and "Traceback" not in r.output, r.output
    assert f"pipeline.toml:{line}: " in r.output and said in r.output, r.output


def test_a_section_that_is_not_a_table_names_its_line(catalog, cli):
    toml = catalog / "pipeline.toml"
    toml.write_text("site = 3\n" + toml.read_text(encoding="utf-8").replace(
        "[site]\n", "[sitex]\n"), encoding="utf-8")
    r = cli(catalog, "validate")
    assert r.exit_code == 2 and "pipeline.toml:1: [site] must be a table of options" in r.output
    toml.write_text(toml.read_text(encoding="utf-8").replace("site = 3\n", ""), encoding="utf-8")
    r = cli(catalog, "validate")
    line = _line_of(catalog, "[sitex]")
    assert f"pipeline.toml:{line}: unknown section [sitex]; did you mean [site]?" in r.output


def test_a_dotted_option_names_its_line(catalog, cli):
    (catalog / "pipeline.toml").write_text('# settings\nsite.name = 3\n', encoding="utf-8")
    r = cli(catalog, "validate")
    assert r.exit_code == 2 and "pipeline.toml:2: site.name must be text" in r.output


def test_a_missing_schema_folder_names_the_setting(catalog, cli):
    _settings(catalog, 'schemas = "schemas"', 'schemas = "schema"')
    r = cli(catalog, "validate")
    assert r.exit_code == 2 and "paths.schemas in pipeline.toml" in r.output


def test_toml_syntax_errors_inline_tables_and_subtables_name_their_line(catalog, cli):
    toml = catalog / "pipeline.toml"
    good = toml.read_text(encoding="utf-8")
    toml.write_text(good.replace('name = "Local AI Catalog"',
                                 'name = "Local AI Catalog"\nname = "Again"'), encoding="utf-8")
    r = cli(catalog, "validate")
    line = _line_of(catalog, 'name = "Again"')
    assert r.exit_code == 2 and f"pipeline.toml:{line}:" in r.output  # not "(at line N...)"
    assert "(at line" not in r.output
    toml.write_text(good.replace("[site]\n", "[site]\nstray = {\n"), encoding="utf-8")
    r = cli(catalog, "validate")
    assert r.exit_code == 2 and "pipeline.toml:" in r.output and "(at line" not in r.output
    toml.write_text("site = {name = 3}\n", encoding="utf-8")
    assert "pipeline.toml:1: site.name must be text" in cli(catalog, "validate").output
    toml.write_text('[site]\nname = "X"\n\n[site.extra]\nx = 1\n', encoding="utf-8")
    assert "pipeline.toml:4: unknown option site.extra" in cli(catalog, "validate").output


@pytest.mark.parametrize("text, line", [
    ('[site]\nname = """A\nlanguage = see below\n"""\nlanguage = "not a tag!"\n', 5),
    ('["site"]\nlanguage = "not a tag!"\n', 2),
    ('[ site ]\nname = "X"\nlanguage = "not a tag!"\n', 3),
    ('site . language = "not a tag!"\n', 1),
    ("[site]\n'language' = \"not a tag!\"\n", 2),
])
def test_a_settings_problem_is_found_at_its_line_however_the_toml_is_written(catalog, cli,
                                                                             text, line):
    """Found in review: a line inside a multi-line string was read as a key, and quoted or
    spaced names had no line."""
    (catalog / "pipeline.toml").write_text(text, encoding="utf-8")
    r = cli(catalog, "validate")
    assert r.exit_code == 2 and f"pipeline.toml:{line}: site.language must be" in r.output


def test_a_settings_problem_names_the_file_as_seen_from_the_current_folder(catalog, cli,
                                                                          monkeypatch):
    """docs/settings.md quotes `pipeline.toml:5: ...`; the message gave the full path."""
    _settings(catalog, 'name = "Local AI Catalog"', "name = 3")
    monkeypatch.chdir(catalog)
    line = _line_of(catalog, "name = 3")
    r = cli(catalog, "validate")
    assert r.output.startswith(f"Error: pipeline.toml:{line}: site.name must be text"), r.output
