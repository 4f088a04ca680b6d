"""Each rule of validate: one test that it fires, one that it stays quiet on good input."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from hypothesis import given, settings as hyp_settings, strategies as st

from conftest import MINI, REPO, write_entry
from pipeline.config import load_settings
from pipeline.validate import validate


def run(root, **kw):
    return validate(load_settings(root), today=dt.date(2026, 11, 27), **kw)


def rules_of(result):
    return sorted({d.rule for d in result.diagnostics})


def entry(entry_id, **changes):
    data = dict(MINI[entry_id])
    for k, v in changes.items():
        if v is None:
            data.pop(k, None)
        else:
            data[k] = v
    return data


def test_clean_catalog_has_no_diagnostics(catalog):
    r = run(catalog)
    assert r.diagnostics == []
    assert r.exit_code() == 0


# --- rule fires: (description, how to break the minimal catalog, rule, file, line)
def _bad_schema(root):
    write_entry(root, "tools/vllm", entry("tools/vllm", verdict={
        "rating": "great", "text": "x", "date": "2026-01-10", "by": "ana"}))


def _typo_key(root):
    write_entry(root, "tools/vllm", entry("tools/vllm", sumary="typo"))


def _bad_date(root):
    write_entry(root, "tools/vllm", entry("tools/vllm", published="2026-02-30"))


def _ref_unresolved(root):
    write_entry(root, "tools/vllm", entry("tools/vllm", related=["glossary/awk"]))


def _ref_collection(root):
    write_entry(root, "tools/vllm", entry("tools/vllm", related=["tools/vllm"]))


def _link_unresolved(root):
    write_entry(root, "tools/vllm", entry("tools/vllm"), "Intro.\n\nSee [AWQ](/glossary/awk).\n")


def _link_unpublished(root):
    write_entry(root, "glossary/awq", entry("glossary/awq", status="draft"))


def _author_unknown(root):
    write_entry(root, "tools/vllm", entry("tools/vllm", reviewed_by=["nobody"]))


def _cite_unresolved(root):
    write_entry(root, "tools/vllm", entry("tools/vllm"), "Fast [@nope].\n")


def _source_unused(root):
    write_entry(root, "tools/vllm", entry("tools/vllm", sources=[
        {"id": "paper", "url": "https://arxiv.org/abs/2309.06180", "title": "PagedAttention",
         "accessed": "2026-10-01"}]))


def _source_duplicate(root):
    src = {"id": "paper", "url": "https://arxiv.org/abs/2309.06180", "title": "P",
           "accessed": "2026-10-01"}
    write_entry(root, "tools/vllm", entry("tools/vllm", sources=[src, dict(src, title="Q")]),
                "Fast [@paper].\n")


def _accessed_future(root):
    src = {"id": "paper", "url": "https://arxiv.org/abs/2309.06180", "title": "P",
           "accessed": "2027-01-01"}
    write_entry(root, "tools/vllm", entry("tools/vllm", sources=[src]), "Fast [@paper].\n")


def _claim_uncited(root):
    write_entry(root, "tools/vllm", entry("tools/vllm"),
                "Intro line.\n\nIt serves 2,000 tok/s on one card.\n")


def _published_fields(root):
    write_entry(root, "tools/vllm", entry("tools/vllm", summary=None))


def _published_summary_of_spaces(root):
    write_entry(root, "tools/vllm", entry("tools/vllm", summary="\u00a0\u200b "))


def _updated_before_published(root):
    write_entry(root, "tools/vllm", entry("tools/vllm", updated="2025-01-10"))


def _title_duplicate(root):
    write_entry(root, "tools/vllm-copy", entry("tools/vllm"))


def _redirect_collision(root):
    write_entry(root, "tools/vllm", entry("tools/vllm", redirect_from=["authors/ben"]))


def _file_name(root):
    write_entry(root, "tools/Bad_Name", entry("tools/vllm", title="Other"))


def _front_matter(root):
    (root / "entries/tools/vllm.md").write_text("title: vLLM\n", encoding="utf-8")


def _yaml_syntax(root):
    (root / "entries/tools/vllm.md").write_text('---\ntitle: "vLLM\nstatus: x\n---\n')


def _yaml_dup(root):
    (root / "entries/tools/vllm.md").write_text("---\ntitle: a\nstatus: draft\ntitle: b\n---\n")


def _yaml_alias(root):
    (root / "entries/tools/vllm.md").write_text(
        "---\ntitle: a\nauthors: &a [ana]\nreviewed_by: *a\n---\n")


def _yaml_comment(root):
    path = root / "entries/tools/vllm.md"
    path.write_text(path.read_text().replace("title: vLLM", "title: vLLM #1", 1))


def _encoding(root):
    (root / "entries/tools/vllm.md").write_bytes(b"---\ntitle: caf\xe9\n---\n")


def _symlink(root):
    (root / "entries/tools/evil.md").symlink_to("/etc/hostname")


# (breaker, rule, file, the text on the line it must point at; None: no line)
BREAKS = [
    (_bad_schema, "schema", "entries/tools/vllm.md", "rating: great"),
    (_typo_key, "schema", "entries/tools/vllm.md", "sumary: typo"),
    (_bad_date, "schema", "entries/tools/vllm.md", "published: '2026-02-30'"),
    (_ref_unresolved, "ref-unresolved", "entries/tools/vllm.md", "- glossary/awk"),
    (_ref_collection, "ref-collection", "entries/tools/vllm.md", "- tools/vllm"),
    (_link_unresolved, "link-unresolved", "entries/tools/vllm.md", "See [AWQ](/glossary/awk)."),
    (_link_unpublished, "link-unpublished", "entries/tools/vllm.md", "- glossary/awq"),
    (_author_unknown, "author-unknown", "entries/tools/vllm.md", "- nobody"),
    (_cite_unresolved, "cite-unresolved", "entries/tools/vllm.md", "Fast [@nope]."),
    (_source_unused, "source-unused", "entries/tools/vllm.md", "- id: paper"),
    (_source_duplicate, "source-duplicate", "entries/tools/vllm.md", ("- id: paper", 2)),
    (_accessed_future, "source-accessed-future", "entries/tools/vllm.md", "accessed: '2027-01-01'"),
    (_claim_uncited, "claim-uncited", "entries/tools/vllm.md", "It serves 2,000 tok/s on one card."),
    (_published_fields, "published-fields", "entries/tools/vllm.md", "status: published"),
    (_published_summary_of_spaces, "published-fields", "entries/tools/vllm.md", "summary:"),
    (_updated_before_published, "updated-before-published", "entries/tools/vllm.md",
     "updated: '2025-01-10'"),
    (_title_duplicate, "title-duplicate", "entries/tools/vllm-copy.md", "title: vLLM"),
    (_redirect_collision, "redirect-collision", "entries/tools/vllm.md", "- authors/ben"),
    (_file_name, "file-name", "entries/tools/Bad_Name.md", None),
    (_front_matter, "front-matter", "entries/tools/vllm.md", "title: vLLM"),
    (_yaml_syntax, "yaml-syntax", "entries/tools/vllm.md", 'title: "vLLM'),  # the open quote
    (_yaml_dup, "yaml-duplicate-key", "entries/tools/vllm.md", "title: b"),
    (_yaml_alias, "yaml-alias", "entries/tools/vllm.md", "authors: &a [ana]"),
    (_yaml_comment, "yaml-comment", "entries/tools/vllm.md", "title: vLLM #1"),
    (_encoding, "file-encoding", "entries/tools/vllm.md", "title: caf"),
    (_symlink, "file-symlink", "entries/tools/evil.md", None),
]


def line_of(root, file, text):
    """The 1-based line of the file holding `text` (after the front matter for body text)."""
    if text is None:
        return 0
    nth = 1
    if isinstance(text, tuple):
        text, nth = text
    raw = (root / file).read_bytes().decode("utf-8", "replace").splitlines()
    matches = [i + 1 for i, line in enumerate(raw) if line.strip().startswith(text)]
    assert matches, f"{text!r} not in {file}"
    return matches[-1] if text == "---" else matches[nth - 1]



@pytest.mark.parametrize("breaker,rule,file,text", BREAKS, ids=[b[1] + ":" + b[0].__name__ for b in BREAKS])
def test_rule_fires_with_file_and_line(catalog, cli, breaker, rule, file, text):
    breaker(catalog)
    line = line_of(catalog, file, text)
    r = cli(catalog, "validate", "--format", "json")
    doc = json.loads(r.output)
    hits = [d for d in doc["diagnostics"] if d["rule"] == rule]
    assert hits, doc["diagnostics"]
    assert hits[0]["file"] == file
    assert hits[0]["line"] == line, hits[0]
    if hits[0]["severity"] == "error":
        assert r.exit_code == 1
    else:
        assert r.exit_code == 0
        assert cli(catalog, "validate", "--strict").exit_code == 1


# --- rule stays quiet on good input of the same shape
def test_quiet_cited_claims_and_marker(catalog):
    src = {"id": "paper", "url": "https://arxiv.org/abs/2309.06180", "title": "P",
           "accessed": "2026-10-01"}
    write_entry(catalog, "tools/vllm", entry("tools/vllm", sources=[src]), """\
        It serves 2,000 tok/s on one card [@paper].
        A 7B model at 4 bpw needs about 3.5 GB. <!-- no-cite: worked example -->
        It is 2x faster than before. [@paper]

        ```sh
        vllm serve model --gpu-memory-utilization 0.9  # 90% of 24 GB
        ```

        Use `--max-model-len 8192` for 8 GB cards, see [AWQ](/glossary/awq#kernels).
        """)
    write_entry(catalog, "glossary/awq", MINI["glossary/awq"], "## Kernels\n")  # its #kernels
    r = run(catalog)
    # only the last sentence: "8 GB" stands outside the code span and has no citation
    assert rules_of(r) == ["claim-uncited"]
    assert [d.line for d in r.diagnostics] == [
        line_of(catalog, "entries/tools/vllm.md", "Use `--max-model-len")]


def test_quiet_drafts_need_no_summary_and_claims_are_not_checked(catalog):
    write_entry(catalog, "tools/vllm", entry("tools/vllm", status="draft", summary=None,
                                             published=None), "It does 50 tok/s.\n")
    assert run(catalog).diagnostics == []


def test_quiet_bibliography_citation_and_redirect_of_retired(catalog):
    (catalog / "data").mkdir()
    (catalog / "data/bibliography.yaml").write_text(
        "sources:\n  - id: vllm-paper\n    url: https://arxiv.org/abs/2309.06180\n"
        "    title: PagedAttention\n    accessed: 2026-10-01\n", encoding="utf-8")
    write_entry(catalog, "tools/vllm", entry("tools/vllm", redirect_from=["tools/old-vllm"]),
                "Uses paged attention [@vllm-paper].\n")
    assert run(catalog).diagnostics == []


def test_without_a_shared_bibliography_an_unresolved_citation_says_so(catalog):
    """The likelier cause is named (found in review: a missing data/bibliography.yaml
    gave only 'cites no known source', once a citation)."""
    write_entry(catalog, "glossary/awq", {**MINI["glossary/awq"]}, "A method [@shared].\n")
    (msg,) = [d.message for d in run(catalog).diagnostics if d.rule == "cite-unresolved"]
    assert msg == ("[@shared] cites no known source (data/bibliography.yaml, the shared "
                   "bibliography, does not exist)")
    (catalog / "data").mkdir()
    (catalog / "data/bibliography.yaml").write_text(
        "sources:\n  - id: other\n    url: https://example.org/\n    title: O\n"
        "    accessed: 2026-10-01\n")
    assert "[@shared] cites no known source" in [d.message for d in run(catalog).diagnostics]


def test_bibliography_source_never_cited_is_reported(catalog):
    (catalog / "data").mkdir()
    (catalog / "data/bibliography.yaml").write_text(
        "sources:\n  - id: lonely\n    url: https://example.org/\n"
        "    title: Lonely\n    accessed: 2026-10-01\n", encoding="utf-8")
    r = run(catalog)
    assert [(d.rule, d.file, d.line) for d in r.diagnostics] == [
        ("source-unused", "data/bibliography.yaml", 2)]


def test_crlf_and_bom_are_clean(catalog):
    p = catalog / "entries/tools/vllm.md"
    p.write_bytes(b"\xef\xbb\xbf" + p.read_bytes().replace(b"\n", b"\r\n"))
    assert run(catalog).diagnostics == []


def test_symlink_inside_catalog_is_read(catalog):
    (catalog / "entries/glossary/awq-alias.md").symlink_to(catalog / "entries/glossary/awq.md")
    r = run(catalog)
    assert "file-symlink" not in rules_of(r)
    assert "title-duplicate" in rules_of(r)  # it was read, as a second entry


def test_links_that_lead_nowhere_and_files_that_are_not_files_are_refused(catalog):
    """A link loop, a dangling link and a named pipe each get a problem of their own, and
    the check goes on (a loop was a traceback and a pipe hung it, found in review)."""
    import os

    glossary = catalog / "entries/glossary"
    (glossary / "loop.md").symlink_to("loop.md")
    (glossary / "gone.md").symlink_to(catalog / "nowhere.md")
    os.mkfifo(glossary / "pipe.md")
    (catalog / "elsewhere").mkdir()
    (catalog / "entries/models").symlink_to(catalog / "elsewhere")
    r = run(catalog)
    found = {(d.rule, d.file): d.message for d in r.diagnostics}
    assert "symbolic link to the folder" in found.pop(("file-symlink", "entries/models"))
    assert "leads to no file" in found[("file-symlink", "entries/glossary/loop.md")]
    assert "leads to no file" in found[("file-symlink", "entries/glossary/gone.md")]
    assert "not a regular file" in found[("file-unreadable", "entries/glossary/pipe.md")]
    assert len(found) == 3


def test_a_file_that_cannot_be_read_is_a_problem_not_a_crash(catalog, monkeypatch):
    """(Simulated: the tests may run as root, who reads any file.)"""
    from pipeline import validate as validate_module

    real_open = open

    def refusing(path, *args, **kw):
        if str(path).endswith("glossary/awq.md"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kw)

    monkeypatch.setattr(validate_module, "open", refusing, raising=False)
    real_read = validate_module.read_bytes  # how a file to parse is read

    def refusing_read(path, *size):
        if str(path).endswith("glossary/awq.md"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_read(path, *size)

    monkeypatch.setattr(validate_module, "read_bytes", refusing_read)
    r = run(catalog, cache=False, jobs=1)
    assert ("file-unreadable", "entries/glossary/awq.md",
            "cannot be read: Permission denied; it was not read") in \
        [(d.rule, d.file, d.message) for d in r.diagnostics]
    assert r.exit_code() == 1


def test_a_collection_without_its_schema_is_an_error_for_each_entry(catalog):
    """Its entries went unchecked, and passed (found in review)."""
    (catalog / "schemas/glossary.schema.json").unlink()
    write_entry(catalog, "glossary/vram", "---\ntitle: 5\nstatus: bogus\n---\nText.\n")
    r = run(catalog)
    found = {(d.rule, d.file, d.line) for d in r.diagnostics if d.rule == "schema"}
    assert found == {("schema", "entries/glossary/awq.md", 1),
                     ("schema", "entries/glossary/vram.md", 1)}
    assert "schemas/glossary.schema.json is missing" in r.diagnostics[0].message


def test_severity_override_from_settings(catalog):
    _claim_uncited(catalog)
    with open(catalog / "pipeline.toml", "a", encoding="utf-8") as f:
        f.write('\n[checks.overrides]\n' if False else "")
    text = (catalog / "pipeline.toml").read_text()
    text = text.replace("[checks]\n", '[checks]\nclaim-uncited = "error"\n')
    (catalog / "pipeline.toml").write_text(text)
    r = run(catalog)
    assert [d.severity for d in r.diagnostics] == ["error"]
    # a rule of the fixed contract is never turned off (test_config_settings)
    text = text.replace("[checks]\n", '[checks]\ntitle-duplicate = "off"\n')
    (catalog / "pipeline.toml").write_text(text)
    _title_duplicate(catalog)
    assert [d.rule for d in run(catalog).diagnostics] == ["claim-uncited"]


def test_paths_limit_reporting(catalog):
    _ref_unresolved(catalog)
    assert run(catalog, paths=[str(catalog / "entries/glossary")]).diagnostics == []
    assert rules_of(run(catalog, paths=[str(catalog / "entries/tools/vllm.md")])) == ["ref-unresolved"]


def test_table_header_is_no_claim_but_rows_are(catalog):
    src = {"id": "paper", "url": "https://arxiv.org/abs/2309.06180", "title": "P",
           "accessed": "2026-10-01"}
    write_entry(catalog, "tools/vllm", entry("tools/vllm", sources=[src]), """\
        Intro [@paper].

        | Card | Holds at 4-5 bpw |
        |---|---|
        | 24 GB card | a 32B model [@paper] |
        | 16 GB card | a 14B model |
        """)
    r = run(catalog)
    assert [(d.rule, d.line) for d in r.diagnostics] == [
        ("claim-uncited", line_of(catalog, "entries/tools/vllm.md", "| 16 GB card"))]


def test_every_unknown_key_is_reported_at_its_line(catalog):
    """Two typos, two problems: the editor need not fix one to see the next (review)."""
    write_entry(catalog, "tools/vllm", entry("tools/vllm", sumary="x", tgas=["a"],
                                             verdict={**MINI["tools/vllm"]["verdict"],
                                                      "txt": "y", "bye": "z"}))
    lines = (catalog / "entries/tools/vllm.md").read_text(encoding="utf-8").split("\n")
    found = [(d.line, d.message.split(" (allowed")[0]) for d in run(catalog).diagnostics
             if d.rule == "schema"]

    def line_of(start):
        return next(i + 1 for i, line in enumerate(lines) if line.startswith(start))

    assert found == sorted([
        (line_of("sumary:"), "unknown key 'sumary': did you mean `summary`?"),
        (line_of("tgas:"), "unknown key 'tgas': did you mean `tags`?"),
        (line_of("  txt:"), "unknown key 'txt' in verdict: did you mean `text`?"),
        (line_of("  bye:"), "unknown key 'bye' in verdict: did you mean `by`?")])


def test_an_uncited_claim_is_reported_where_its_number_is(catalog):
    """The line and column of the number itself, not of the sentence's start, nor of an
    earlier digit on the line (found in review)."""
    body = ("The RTX 4090 is a card that, in our tests,\n"
            "runs about 4 GB of weights at 120 tok/s on average.\n\n"
            "Short line one. Another sentence that wraps\n"
            "over lines and says 50% more.\n\n"
            "- Qwen 2.5 needs 5 GB here.\n\n"
            "| `4 GB` | 7 GB |\n")
    path = write_entry(catalog, "glossary/awq", MINI["glossary/awq"], body)
    lines = path.read_text(encoding="utf-8").split("\n")

    def at(text, needle):
        n = next(i for i, line in enumerate(lines) if line.startswith(text))
        return n + 1, lines[n].index(needle) + 1

    found = [(d.line, d.column, d.message.split("'")[1]) for d in run(catalog).diagnostics
             if d.rule == "claim-uncited"]
    assert found == [(*at("runs about", "4 GB"), "4 GB"), (*at("over lines", "50%"), "50%"),
                     (*at("- Qwen", "5 GB"), "5 GB"), (*at("| `4 GB`", "7 GB"), "7 GB")]


def test_a_price_in_another_currency_is_an_uncited_claim(catalog):
    """`$1,599` warned, `USD 1599`, `€1,500` or `1.599 €` did not (found in review); a
    price cited in its sentence, or a word with a currency's letters, is no problem."""
    body = ("It costs USD 1599 here. In Germany €1,500. In France 1.599 € at most.\n\n"
            "In the UK £999 [@paper]. CUDA 12 and EURO 5 are no prices.\n")
    write_entry(catalog, "glossary/awq", MINI["glossary/awq"], body)
    found = [d.message.split("'")[1] for d in run(catalog).diagnostics
             if d.rule == "claim-uncited"]
    assert found == ["USD 1599", "€1,500", "1.599 €"]


def test_a_citation_after_a_code_block_does_not_cover_the_claim_before_it(catalog):
    """A fenced block interrupts a paragraph, on the page as in CommonMark: the lines
    around it were read as one paragraph, and the citation after the block silenced the
    uncited claim before it (found in review)."""
    body = ("It needs about 5 GB, for example\n```sh\nllama-cli -m model.gguf\n```\n"
            "as the notes say [@paper].\n")
    path = write_entry(catalog, "glossary/awq", MINI["glossary/awq"], body)
    found = [(d.line, d.message.split("'")[1]) for d in run(catalog).diagnostics
             if d.rule == "claim-uncited"]
    assert found == [(line_of(catalog, path.relative_to(catalog).as_posix(), "It needs"),
                      "5 GB")]


def test_text_in_an_html_comment_is_not_checked(catalog):
    """No reader sees it: a citation, a link or a claim commented out is no problem, and
    the no-cite marker still works (found in review)."""
    body = ("Intro.\n\n<!--\nEditor note: the old draft said 50% faster,\n"
            "see [old page](/glossary/removed-term) and [@old-source].\n-->\n\n"
            "Inline <!-- [@gone] --> text. A 7B model needs 4 GB. <!-- no-cite: example -->\n")
    write_entry(catalog, "glossary/awq", MINI["glossary/awq"], body)
    assert run(catalog).diagnostics == []
    write_entry(catalog, "glossary/awq", MINI["glossary/awq"], body.replace(" <!-- no-cite: example -->", ""))
    assert rules_of(run(catalog)) == ["claim-uncited"]


def test_a_no_cite_marker_covers_its_own_sentence_only(catalog):
    """Written one sentence a line, a marker at the end of a line also let the next
    line's claim through (found in review)."""
    body = ("A 7B model at 4 bpw needs about 3.5 GB. <!-- no-cite: worked example -->\n"
            "The same model runs at 250 tok/s on a 4090.\n")
    write_entry(catalog, "glossary/awq", MINI["glossary/awq"], body)
    found = [(d.line, d.message.split("'")[1]) for d in run(catalog).diagnostics
             if d.rule == "claim-uncited"]
    lines = (catalog / "entries/glossary/awq.md").read_text(encoding="utf-8").split("\n")
    assert found == [(lines.index("The same model runs at 250 tok/s on a 4090.") + 1,
                      "250 tok/s")]


def test_links_to_the_home_page_and_collection_indexes_are_pages(catalog):
    """The build writes the home page and each collection's index (`/glossary`), served
    without `.html` (found in review: a link to /glossary was 'no such entry' and blocked
    the build); a path under a collection that names no entry is still reported."""
    write_entry(catalog, "tools/vllm", entry("tools/vllm"),
                "See [terms](/glossary), [tools](/tools/), [home](/), [search](/search)\n"
                "and [the list][l].\n\n[l]: /glossary#top\n")
    assert run(catalog).diagnostics == []
    write_entry(catalog, "tools/vllm", entry("tools/vllm"), "See [x](/glossary/awq/more).\n")
    assert [(d.rule, d.message) for d in run(catalog).diagnostics] == [
        ("link-unresolved", "link to /glossary/awq/more: no such entry")]


def test_redirect_from_an_id_outside_the_collections_is_refused(catalog):
    """It would become a 301 that no old page ever had (found in review: `foo/bar` and a
    typo such as `glosary/old-awq` validated and went into _redirects)."""
    write_entry(catalog, "glossary/awq", entry(
        "glossary/awq", redirect_from=["foo/bar", "glossary/old-awq", "glosary/old-awq"]))
    r = run(catalog)
    known = "glossary, models, hardware, tools, benchmarks, errors, guides, pages, authors"
    assert [(d.rule, d.line, d.message) for d in r.diagnostics] == [
        ("redirect-collision", line_of(catalog, "entries/glossary/awq.md", "- foo/bar"),
         f"redirect_from 'foo/bar' is in no collection: 'foo' is not one of {known}"),
        ("redirect-collision", line_of(catalog, "entries/glossary/awq.md", "- glosary/old-awq"),
         f"redirect_from 'glosary/old-awq' is in no collection: 'glosary' is not one of {known}"),
    ]
    assert r.exit_code() == 1


@pytest.mark.parametrize("sentence", [
    "AWQ is 2x faster, i.e. 40 tok/s on a 4090 [@awq-paper].",
    "AWQ needs 5 GB vs. 6 GB for GPTQ [@awq-paper].",
    "Marlin reaches 40 tok/s (e.g. on a 4090) [@awq-paper].",
])
def test_an_abbreviation_does_not_end_a_cited_sentence(catalog, sentence):
    """Its full stop cut the sentence, and the citation fell in the next one (review)."""
    data = {**MINI["glossary/awq"], "sources": [{"id": "awq-paper", "title": "AWQ",
                                                 "url": "https://arxiv.org/abs/2306.00978",
                                                 "accessed": "2026-01-10"}]}
    write_entry(catalog, "glossary/awq", data, sentence + "\n")
    assert run(catalog).diagnostics == []


def test_citations_no_source_could_have_are_reported_not_left_as_text(catalog):
    """`[@SRC-X]` and a group its line does not close cited nothing and said nothing; the
    page showed them as written (found in review)."""
    body = "Fast [@SRC-X].\n\nSlow [@gone;\n@other] today.\n"
    path = write_entry(catalog, "glossary/awq", MINI["glossary/awq"], body)
    lines = path.read_text(encoding="utf-8").split("\n")
    found = [(d.line, d.column, d.message) for d in run(catalog).diagnostics
             if d.rule == "cite-unresolved"]
    fast, slow = lines.index("Fast [@SRC-X]."), lines.index("Slow [@gone;")
    assert [(line, col) for line, col, _ in found] == [(fast + 1, 7), (slow + 1, 6)]
    assert "[@SRC-X] cites no known source" in found[0][2]
    assert "not closed on its line" in found[1][2]


def test_a_reference_fine_in_one_entry_is_judged_again_in_another(catalog):
    """What the reference check remembers of a value it had nothing to say about (once a
    run, for the entries that write it again) holds only for the same field and the same
    status: a draft may refer to a draft, a published entry may not; a glossary term fits
    `related`, not `see_also`."""
    write_entry(catalog, "glossary/gptq", {**MINI["glossary/awq"], "title": "GPTQ",
                                            "status": "draft"})
    write_entry(catalog, "tools/a-draft", entry("tools/vllm", title="A", status="draft",
                                                related=["glossary/gptq"]))
    write_entry(catalog, "tools/b-published", entry("tools/vllm", title="B",
                                                    related=["glossary/gptq"]))
    write_entry(catalog, "tools/c-see", entry("tools/vllm", title="C",
                                              see_also=["glossary/awq"]))
    for jobs in (1, 2):
        found = sorted((d.rule, d.entry) for d in run(catalog, cache=False, jobs=jobs).diagnostics)
        assert found == [("link-unpublished", "tools/b-published"),
                         ("ref-collection", "tools/c-see")], jobs


@pytest.mark.parametrize("group", ["[@]", "[@ ]", "[@  ]", "[@\t]", "[ @ ]", "[^3]"])
def test_a_group_with_no_source_id_is_reported_however_it_is_spaced(catalog, group):
    """`[@  ]` (two spaces) and `[@<tab>]` name no source either: they went unreported,
    the page showing them as written, while `[@ ]` was."""
    path = write_entry(catalog, "glossary/awq", MINI["glossary/awq"],
                       f"Fast {group} here [@src].\n")
    line = path.read_text(encoding="utf-8").split("\n").index(f"Fast {group} here [@src].")
    found = [(d.line, d.column, d.message) for d in run(catalog).diagnostics
             if d.rule == "cite-unresolved" and "[@src]" not in d.message]
    assert [(at, col) for at, col, _ in found] == [(line + 1, 6)]
    assert f"'{group}'" in found[0][2]


@hyp_settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["glossary", "tools"]),
                          st.text(alphabet="aAé\u0301e \u00a0\u200b\u00adﬁ", max_size=5),
                          st.sampled_from(["draft", "published", "retired"])), max_size=8))
def test_the_titles_folded_once_group_entries_as_title_key_does(titles):
    """`_claims` folds each title once and the check looks it up again: the groups and
    the lookups are those of title_key, called for every entry."""
    from pipeline.cache import stub
    from pipeline.catalog.text import title_key
    from pipeline.checks.publishing import _claims

    entries = {}
    for n, (collection, title, status) in enumerate(titles):
        entries[f"{collection}/t{n}"] = stub(f"entries/{collection}/t{n}.md", (
            f"{collection}/t{n}", collection, f"t{n}", {"title": title, "status": status}))
    groups, _, keys = _claims(entries)
    expected: dict = {}
    for e in entries.values():
        if e.status != "retired":
            expected.setdefault((e.collection, title_key(e.data["title"])), []).append(
                (e.id, e.file))
    assert groups == expected
    assert all(keys[t] == title_key(t) for _, t, status in titles if status != "retired")


_IDS = [f"{c}/{s}" for c in ("glossary", "tools") for s in ("a", "b", "c")]


@hyp_settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["A", "a", "B", "b "]),
                          st.sampled_from(["draft", "published", "retired"]),
                          st.lists(st.sampled_from(_IDS + ["tools/old", "glosary/x"]),
                                   max_size=3)),
                min_size=len(_IDS), max_size=len(_IDS)))
def test_the_claims_made_once_for_the_workers_say_what_each_worker_made_says(written):
    """validate's workers check with what publishing.shared_values made from the stand-ins
    (only what two entries share): the same diagnostics as those made whole in the
    worker, for titles shared, old ids claimed twice or live, and redirect loops."""
    from pipeline.cache import stub
    from pipeline.catalog.model import Catalog
    from pipeline.checks import Context
    from pipeline.checks.publishing import check_publishing, shared_values

    entries = {}
    for entry_id, (title, status, redirect_from) in zip(_IDS, written):
        collection, slug = entry_id.split("/")
        entries[entry_id] = stub(f"entries/{entry_id}.md", (entry_id, collection, slug, {
            "title": title, "status": status, "redirect_from": redirect_from}))
    settings = load_settings(REPO)

    def said(extras):
        ctx = Context(catalog=Catalog(entries=entries), settings=settings,
                      today=dt.date(2026, 11, 27), extras=extras)
        return [d.to_dict() for d in check_publishing(ctx)]

    assert said(shared_values(entries)) == said({})


@hyp_settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(["[", "]", "^", "@", "a", "_", " ", "\t", "\n", ";", "[@a",
                                 "[^3]", "[@ ]", "x@y", "é"]), max_size=14).map("".join))
def test_one_search_finds_the_marks_and_the_unclosed_groups_the_two_found(text):
    """citations._unclosed finds footnote marks, groups naming no source and groups their
    line does not close in one search: what each expression finds searched alone."""
    from pipeline.catalog.model import Entry
    from pipeline.catalog.text import CITE_UNCLOSED_RE, prose_text
    from pipeline.checks.citations import _NOT_CITATIONS_RE, _unclosed

    entry = Entry(id="glossary/x", collection="glossary", slug="x", file="x.md", data={},
                  body=text, body_line=1)
    text = prose_text(entry)  # as the check reads it: code as spaces
    marks = [m.start() for m in _NOT_CITATIONS_RE.finditer(text)]
    unclosed = [m.start() for m in CITE_UNCLOSED_RE.finditer(text)] if "@" in text else []
    starts = [(m.count("\n"), m) for m in (text[:s] for s in marks + unclosed)]
    assert [(d.line, d.column) for d in _unclosed(entry)] == [
        (n + 1, len(before) - before.rfind("\n")) for n, before in starts]


@hyp_settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(["[", "]", "^", "@", "a", "_", " ", "\t", "\n", "\r", ";",
                                 "\u00a0", "\x0b", "[@a", "[^3]", "[@ ]", "x@y", "é", "(",
                                 "[@a]", "[t](/x)"]), max_size=14).map("".join))
def test_the_one_search_with_possessive_runs_matches_what_the_two_searches_match(text):
    """_NOT_OR_UNCLOSED_RE, whose runs give nothing back, matches, start and end, what
    _NOT_CITATIONS_RE and CITE_UNCLOSED_RE match searched alone (the messages quote it)."""
    from pipeline.catalog.text import CITE_UNCLOSED_RE
    from pipeline.checks.citations import _NOT_CITATIONS_RE, _NOT_OR_UNCLOSED_RE

    alone = sorted(m.span() for r in (_NOT_CITATIONS_RE, CITE_UNCLOSED_RE)
                   for m in r.finditer(text))
    assert [m.span() for m in _NOT_OR_UNCLOSED_RE.finditer(text)] == alone


@hyp_settings(max_examples=2000, deadline=None)
@given(st.text(min_size=1, max_size=6))
def test_publishings_quick_test_of_words_is_has_words(value):
    """check_publishing tells a value that starts with a visible ASCII character has words
    without has_words: the two never disagree."""
    from pipeline.checks.publishing import _has_words
    from pipeline.textchars import has_words

    assert _has_words(value) == has_words(value)
    assert _has_words(" " + value) == has_words(" " + value)
