"""`pipeline digest draft`: the scripted month, re-drafts that keep every editor word."""

from __future__ import annotations

import re

import pytest
import yaml

from conftest import commit_all
from pipeline.digest.document import Document, fingerprint, parse
from pipeline.digest.merge import merge
from pipeline.digest.sections import Item, Section
from test_changes import CORRECTION, at, edit, scripted_month
from test_feeds import feed_server, with_feeds  # noqa: F401  (a fixture)

DIGEST = "digests/2026-10.md"


@pytest.fixture
def month(repo, feed_server):  # noqa: F811
    with_feeds(repo, feed_server, ollama=None)
    commit_all(repo, "Feeds", at("2026-09-02"))
    scripted_month(repo)
    edit(repo, "tools/ollama", "repository:",
         f"feeds:\n- {feed_server.url('ollama-releases.rss')}\nrepository:")
    return repo


def draft(cli, root, *args):
    r = cli(root, "digest", "draft", "2026-10", *args)
    assert r.exit_code == 0, r.output
    return r, (root / DIGEST).read_text(encoding="utf-8")


def front(text: str) -> dict:
    return yaml.safe_load(text.split("---\n")[1])


def block(text: str, section: str) -> str:
    m = re.search(rf"<!-- pipeline:begin {section} .*?<!-- pipeline:end {section} -->", text, re.S)
    return m.group(0)


def test_first_draft_has_exactly_the_months_news(month, cli):
    r, text = draft(cli, month)
    assert "Wrote digests/2026-10.md" in r.output
    meta = front(text)
    assert meta == {"month": "2026-10", "subject": "What changed in local AI: October 2026",
                    "preheader": meta["preheader"], "status": "draft", "deleted": []}
    new = block(text, "new-entries")
    assert "## New in the catalog" in new
    assert "- **[Ollama](/tools/ollama)** (tool): Run open models with one command." in new
    assert "**[GPTQ](/glossary/gptq)** (glossary)" in new  # a September draft published now
    assert "GGUF" not in text  # still a draft at the end of October
    assert "awq" not in new  # a rename is not news
    verdicts = block(text, "verdicts")
    assert ("- **[vLLM](/tools/vllm)**: recommended → **situational**. "
            "Best for serving many users; heavy for one.") in verdicts
    assert "Ollama" not in verdicts  # its verdict changed in November
    corrections = block(text, "corrections")
    assert f"**[Ollama](/tools/ollama)** (2026-10-20): {CORRECTION}" in corrections
    releases = block(text, "releases")
    assert "[v0.11.2](https://github.com/vllm-project/vllm/releases/tag/v0.11.2) (2026-10-21)" in releases
    assert r"[v0.12.5 \[with\] \*stars\* \<and\> brackets]" in releases  # escaped for Markdown
    assert "v0.11.0" not in releases and "v0.12.6" not in releases  # September, November
    assert "<script" not in text and "javascript:" not in text
    assert block(text, "new-benchmarks").count("\n") == 1  # an empty block: markers only


def test_second_draft_keeps_every_editor_word(month, cli):
    _, text = draft(cli, month)
    edited = (text
              .replace("# TODO: the headline, one line on what mattered in October 2026",
                       "# Ollama arrives and vLLM gets a sober verdict")
              .replace("- **[vLLM](/tools/vllm)**: recommended",
                       "- **[vLLM](/tools/vllm)** (we ran it for a month): recommended")
              .replace("## Verdict changes\n", "## What we changed our minds about\n")
              .replace("<!-- pipeline:end releases -->",
                       "<!-- pipeline:end releases -->\n\nThanks for reading. See you in November."))
    ollama = re.search(r"<!-- pipeline:item new-entries/tools/ollama \w+ -->\n.*\n", edited).group(0)
    edited = edited.replace(ollama, "")  # the editor deletes this item
    edited = edited.replace("(glossary): Post-training quantization.\n",
                            "(glossary): Post-training quantization.\nAn editor's line inside a block.\n")
    (month / DIGEST).write_text(edited, encoding="utf-8")
    r, again = draft(cli, month)
    assert "Previous version: .digest-backups/2026-10.1.md" in r.output
    assert (month / ".digest-backups/2026-10.1.md").read_text(encoding="utf-8") == edited
    for words in ("# Ollama arrives and vLLM gets a sober verdict",
                  "(we ran it for a month)", "## What we changed our minds about",
                  "Thanks for reading. See you in November.",
                  "An editor's line inside a block."):
        assert words in again
    assert front(again)["deleted"] == ["new-entries/tools/ollama"]
    assert "new-entries/tools/ollama" not in again.split("---\n", 2)[2]
    assert again == edited.replace("deleted: []", "deleted: [new-entries/tools/ollama]").replace(
        'drafted="glossary/gptq tools/ollama"', 'drafted="glossary/gptq"')
    r, third = draft(cli, month)
    assert "is up to date" in r.output and third == again
    assert not (month / ".digest-backups/2026-10.2.md").exists()


def test_generated_items_follow_the_history(month, cli):
    _, text = draft(cli, month)
    edit(month, "tools/vllm", "Best for serving many users; heavy for one.",
         "Best for serving many users.")
    edit(month, "glossary/gptq", "status: published", "status: review")
    commit_all(month, "Late October", at("2026-10-30"))
    r, again = draft(cli, month)
    assert "1 updated" in r.output and "1 dropped" in r.output
    assert "situational**. Best for serving many users.\n" in again
    assert "GPTQ" not in again  # unpublished again, and the item was not edited


def test_a_deleted_item_comes_back_only_when_its_id_leaves_the_list(month, cli):
    _, text = draft(cli, month)
    vllm = re.search(r"<!-- pipeline:item verdicts/tools/vllm \w+ -->\n.*\n", text).group(0)
    (month / DIGEST).write_text(text.replace(vllm, ""), encoding="utf-8")
    _, again = draft(cli, month)
    assert front(again)["deleted"] == ["verdicts/tools/vllm"] and "situational" not in again
    (month / DIGEST).write_text(again.replace("deleted: [verdicts/tools/vllm]", "deleted: []"),
                                encoding="utf-8")
    _, restored = draft(cli, month)
    assert "**[vLLM](/tools/vllm)**: recommended" in restored


def test_a_block_the_editor_removed_stays_removed(month, cli):
    _, text = draft(cli, month)
    (month / DIGEST).write_text(text.replace(block(text, "releases") + "\n", ""), encoding="utf-8")
    _, again = draft(cli, month)
    assert "releases" in front(again)["deleted"] and "Upstream releases" not in again


def test_offline_draft_uses_the_cached_feeds(month, cli, feed_server):  # noqa: F811
    cli(month, "feeds", "fetch")
    feed_server.requests.clear()
    _, text = draft(cli, month, "--offline")
    assert feed_server.requests == [] and "v0.11.2" in text


def test_unreachable_feeds_do_not_stop_the_draft(month, cli, feed_server):  # noqa: F811
    feed_server.failing = True
    r, text = draft(cli, month)
    assert "warning: feed" in r.output and "HTTP 500" in r.output
    # at the line where the entry names the feed (it named the entry alone)
    lines = (month / "entries/tools/vllm.md").read_text(encoding="utf-8").split("\n")
    n, url = next((n, row.split("- ", 1)[1].strip()) for n, row in enumerate(lines, 1)
                  if row.lstrip().startswith("- http"))
    assert (f"entries/tools/vllm.md:{n}:{lines[n - 1].index(url) + 1}: warning: feed {url} "
            "(tools/vllm): ") in r.output, r.output
    assert "Upstream releases" not in text and "Ollama" in text


@pytest.mark.parametrize("damage, message", [
    (lambda t: t.replace("<!-- pipeline:end verdicts -->\n", ""), "begins inside block 'verdicts'"),
    (lambda t: t.replace("<!-- pipeline:begin corrections", "<!-- pipeline:begin corections"),
     "end of block 'corrections' that was never begun"),
    (lambda t: t.replace("<!-- pipeline:item verdicts/tools/vllm", "<!-- pipeline:item  verdicts"),
     "a damaged pipeline marker"),
    (lambda t: t.replace("status: draft", "status: [draft"),
     "front matter: invalid YAML: a list opened with `[` is never closed"),
])
def test_a_damaged_file_gets_a_message_with_its_line(month, cli, damage, message):
    """At its line and column, as the digest's other messages are (the column was left
    out, and an editor's tools go to `file:line:column`)."""
    _, text = draft(cli, month)
    (month / DIGEST).write_text(damage(text), encoding="utf-8")
    r = cli(month, "digest", "draft", "2026-10")
    assert r.exit_code == 1 and message in r.output and "Traceback" not in r.output
    assert re.search(r"digests/2026-10\.md:\d+:\d+: ", r.output)


def test_a_sent_digest_is_not_redrafted(month, cli):
    _, text = draft(cli, month)
    (month / DIGEST).write_text(text.replace("status: draft", "status: sent"), encoding="utf-8")
    r = cli(month, "digest", "draft", "2026-10")
    assert r.exit_code == 2 and "went out already" in r.output


def test_a_bad_month_is_a_usage_error(repo, cli):
    r = cli(repo, "digest", "draft", "2026-13")
    assert r.exit_code == 2 and "not a month" in r.output


def _doc(body: str) -> Document:
    return parse(f"---\nmonth: '2026-10'\ndeleted: []\n---\n{body}", "d.md")


def test_merge_inserts_new_items_in_generated_order_after_edited_ones():
    a, b, c = (Item(k, f"- {k}\n") for k in ("tools/a", "tools/b", "tools/c"))
    doc = _doc(f"<!-- pipeline:begin verdicts {fingerprint('')} -->\n<!-- pipeline:end verdicts -->\n")
    merge(doc, [Section("verdicts", "Verdicts", (a, c))])
    text = doc.render().replace("- tools/c\n", "- tools/c, as the editor says\n")
    doc = parse(text, "d.md")
    stats = merge(doc, [Section("verdicts", "Verdicts", (a, b, c))])
    assert stats.added == ["verdicts/tools/b"] and stats.kept == ["verdicts/tools/c"]
    body = doc.render()
    assert body.index("- tools/a") < body.index("- tools/b") < body.index("as the editor says")
    assert 'drafted="tools/a tools/b tools/c"' in body


def test_a_blank_line_the_editor_put_between_items_stays():
    """Blank lines are no edit of an item's words (its fingerprint ignores them), so the
    item was refreshed, and the editor's blank line (a loose list) went (found in
    review)."""
    a, b = Item("tools/a", "- tools/a\n"), Item("tools/b", "- tools/b\n")
    doc = _doc(f"<!-- pipeline:begin verdicts {fingerprint('')} -->\n<!-- pipeline:end verdicts -->\n")
    merge(doc, [Section("verdicts", "Verdicts", (a, b))])
    spaced = doc.render().replace("- tools/a\n", "- tools/a\n\n")
    doc = parse(spaced, "d.md")
    stats = merge(doc, [Section("verdicts", "Verdicts", (Item("tools/a", "- tools/a, new\n"), b))])
    assert stats.updated == ["verdicts/tools/a"]
    assert "- tools/a, new\n\n<!-- pipeline:item verdicts/tools/b " in doc.render()
    doc = parse(doc.render(), "d.md")
    stats = merge(doc, [Section("verdicts", "Verdicts", (Item("tools/a", "- tools/a, new\n"), b))])
    assert stats.updated == [] and stats.kept == []


def test_benchmarks_and_errors_have_their_own_sections(repo, cli):
    from conftest import write_entry

    write_entry(repo, "errors/cuda-oom", {"title": "CUDA out of memory", "status": "published",
                                          "summary": "The GPU ran out of VRAM.", "authors": ["ana"],
                                          "published": "2026-10-05"})
    write_entry(repo, "benchmarks/vllm-4090", {"title": "vLLM on an RTX 4090",
                                               "status": "published", "summary": "Tokens per second.",
                                               "authors": ["ana"], "published": "2026-10-05"})
    write_entry(repo, "authors/cy", {"title": "Cy", "status": "published", "summary": "Writer.",
                                     "authors": ["cy"], "published": "2026-10-05"})
    commit_all(repo, "KB and a benchmark", at("2026-10-05"))
    _, text = draft(cli, repo)
    assert "**[CUDA out of memory](/errors/cuda-oom)**: The GPU ran out" in block(text, "errors-kb")
    assert "[vLLM on an RTX 4090](/benchmarks/vllm-4090)" in block(text, "new-benchmarks")
    assert "CUDA" not in block(text, "new-entries") and "Cy" not in text  # authors are no news


def test_a_digest_that_is_not_utf8_is_named_with_its_line(repo, cli):
    (repo / "digests").mkdir()
    (repo / DIGEST).write_bytes(b"---\nmonth: '2026-10'\n---\nCaf\xe9\n")
    for args in (("draft", "2026-10"), ("render", "2026-10", "--out", str(repo / "out"))):
        r = cli(repo, "digest", *args)
        assert r.exit_code in (1, 2) and "Traceback" not in r.output
    r = cli(repo, "digest", "draft", "2026-10")
    said = "digests/2026-10.md:4:4: not UTF-8: byte 0xe9 cannot be decoded; save the file as"
    assert said in r.output
    (repo / DIGEST).write_bytes(b"# October\n\nCaf\xe9\n")  # an archive: the build says the same
    r = cli(repo, "build", "--out", str(repo / "site"))
    assert said.replace(":4:4:", ":3:4:") in r.output


@pytest.mark.parametrize("newline", [b"\n", b"\r\n", b"\r"])
def test_a_bad_byte_in_a_digest_is_at_the_editors_line_and_column(newline):
    """Only `\n` was counted, so in a digest with old-Mac line endings (a lone CR) every bad
    byte was on line 1; after a byte-order mark the byte named was another one (found in
    review). The entry loader's count: lines as the editor's, columns in characters."""
    from pipeline.digest.document import DigestError, decode

    data = b"\xef\xbb\xbf" + b"---\nmonth: '2026-10'\n---\nD\xc3\xa9j\xc3\xa0 Caf\xe9\n".replace(
        b"\n", newline)
    with pytest.raises(DigestError, match=r"^digests/2026-10.md:4:9: not UTF-8: byte 0xe9 "):
        decode(data, "digests/2026-10.md")


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_a_control_character_in_a_digest_is_refused_alike_everywhere(newline, catalog, cli):
    """The build refused a digest with an ESC in its body, adding "save the file as UTF-8",
    which it was; draft and render read it and wrote the ESC raw into the e-mail (found in
    review). All three name it at its line and column, in the entry loader's words."""
    from pipeline.digest.document import DigestError, decode

    text = "---\nmonth: '2026-10'\nsubject: S\n---\n\nCafé \x1b[31mred\n".replace(
        "\n", newline)
    said = "digests/2026-10.md:6:6: holds the invisible control character U+001B (ESC)"
    with pytest.raises(DigestError, match=re.escape(said)):
        decode(b"\xef\xbb\xbf" + text.encode(), "digests/2026-10.md")
    (catalog / "digests").mkdir()
    (catalog / "digests/2026-10.md").write_bytes(text.encode())
    r = cli(catalog, "build", "--out", str(catalog / "out"))
    assert r.exit_code != 0 and said in r.output and "UTF-8" not in r.output
    r = cli(catalog, "digest", "render", "2026-10", "--out", str(catalog / "mail"))
    assert r.exit_code != 0 and said in r.output and not (catalog / "mail").exists()


def test_a_correction_is_listed_even_when_the_months_net_change_is_nil(repo, cli):
    edit(repo, "tools/vllm", "Best for many users.", "Best for few users.")
    commit_all(repo, "Oops", at("2026-10-02"))
    edit(repo, "tools/vllm", "Best for few users.", "Best for many users.")
    commit_all(repo, "Put it back\n\nCorrection: the verdict said few users; it is many.",
               at("2026-10-03"))
    _, text = draft(cli, repo)
    assert "**[vLLM](/tools/vllm)** (2026-10-03): the verdict said few users; it is many." in text


def test_a_rename_later_in_the_month_keeps_deleted_items_deleted_and_edited_ones_single(
        repo, cli):
    """Item ids start with their entry's id: after a rename, the deleted item came back
    and the edited one was there twice (found in review)."""
    from conftest import MINI, git, write_entry

    for slug, title in (("d", "Dee"), ("n", "Enn")):
        write_entry(repo, f"tools/{slug}", {**MINI["tools/vllm"], "title": title})
    commit_all(repo, "Two tools", at("2026-10-03"))
    _, text = draft(cli, repo)
    d_item = re.search(r"<!-- pipeline:item new-entries/tools/d \w+ -->\n.*\n", text).group(0)
    text = text.replace(d_item, "").replace("- **[Enn](/tools/n)**", "- **[Enn](/tools/n)**, ours")
    (repo / DIGEST).write_text(text, encoding="utf-8")
    _, text = draft(cli, repo)
    assert front(text)["deleted"] == ["new-entries/tools/d"]
    for slug in ("d", "n"):
        git(repo, "mv", f"entries/tools/{slug}.md", f"entries/tools/{slug}-renamed.md")
    commit_all(repo, "Rename both", at("2026-10-20"))
    _, again = draft(cli, repo)
    new = block(again, "new-entries")
    assert front(again)["deleted"] == ["new-entries/tools/d-renamed"]
    assert "Dee" not in new
    assert new.count("Enn") == 1 and "Enn](/tools/n)**, ours" in new
    assert "pipeline:item new-entries/tools/n-renamed " in new


def test_a_correction_git_does_not_read_is_a_warning_of_the_draft(month, cli):
    edit(month, "tools/vllm", "heavy for one", "heavy for a single user")
    commit_all(month, "Fix vLLM\n\nCorrection: it is heavy for a single user.\n\n"
               "* Another commit of the squashed pull request", at("2026-10-25"))
    r, text = draft(cli, month)
    assert "warning: commit" in r.output and "line 3 of its message" in r.output
    assert "heavy for a single user" not in block(text, "corrections")  # what it warns of


def test_a_month_before_any_commit_is_refused(repo, cli):
    """git ignores `--before=@<seconds>` below 100,000,000 (1973-03-03) and answered HEAD:
    `digest draft 1926-10` wrote an empty digest instead of an error (found in review)."""
    for month in ("1926-10", "1969-12"):
        r = cli(repo, "digest", "draft", month, "--offline")
        assert r.exit_code == 2, (month, r.output)
        assert f"Error: '{month}' is out of range: months run from 1970-01" in r.output
        assert not (repo / "digests" / f"{month}.md").exists()
    for month, end in (("1970-01", "1970-02-01"), ("1973-02", "1973-03-01")):
        r = cli(repo, "digest", "draft", month, "--offline")
        assert r.exit_code == 2 and f"no commit before {end}: the history starts later" in r.output
        assert not (repo / "digests" / f"{month}.md").exists()


def test_an_edited_release_item_does_not_take_the_id_of_a_release_the_editor_deleted():
    """An item the editor edited, whose release its feed no longer keys as before, took
    the id of the one release it links to, even when the editor had deleted that one:
    the file then held an item under an id `deleted:` lists (found by the re-draft
    fuzzer, a release re-keyed by its feed, deleted, and linked to from an edited one)."""
    new = Item("tools/a/k2", "- [v2](https://x.org/v2)\n")
    body = (f"<!-- pipeline:begin releases {fingerprint('')} drafted=\"tools/a/k1 tools/a/k2\" -->\n"
            f"<!-- pipeline:item releases/tools/a/k1 {fingerprint('- v1')} -->\n"
            "- v1, and what the editor says of [v2](https://x.org/v2)\n"
            "<!-- pipeline:end releases -->\n")
    doc = parse(f"---\nmonth: '2026-10'\ndeleted: [releases/tools/a/k2]\n---\n{body}", "d.md")
    stats = merge(doc, [Section("releases", "Releases", (new,))],
                  rekey=lambda item_id, text: "releases/tools/a/k2")
    assert stats.kept == ["releases/tools/a/k1"] and stats.added == []
    assert doc.deleted == ["releases/tools/a/k2"]
    assert "<!-- pipeline:item releases/tools/a/k1 " in doc.render()
    assert "releases/tools/a/k2 " not in doc.render()


def test_a_feed_lists_its_newest_releases_only_and_the_draft_says_how_many_it_left(month, cli):
    """A feed with 500 nightly builds in the month put 500 items into the digest (found in
    review 23): the draft lists the newest `digest.releases_per_feed` of each feed, names
    each feed it left releases of, and never removes an item the file holds."""
    first, text = draft(cli, month)  # the default, 10: both of vLLM's October releases
    assert "v0.11.1" in block(text, "releases") and "left out" not in first.output
    settings = month / "pipeline.toml"
    settings.write_text(settings.read_text(encoding="utf-8")
                        + "\n[digest]\nreleases_per_feed = 1\n", encoding="utf-8")
    again, text = draft(cli, month)
    assert "v0.11.1" in block(text, "releases"), text  # in the file: it stays
    assert "left out" not in again.output
    (month / DIGEST).unlink()
    fresh, text = draft(cli, month)
    releases = block(text, "releases")
    assert "v0.11.2" in releases and "v0.11.1" not in releases, releases
    assert ("vllm-releases.atom (tools/vllm): 1 of its 2 releases of 2026-10 left out; the "
            "digest lists the 1 newest of each feed (digest.releases_per_feed in "
            "pipeline.toml)") in fresh.output, fresh.output


def _withdraw_vllms_verdict(repo):
    p = repo / "entries/tools/vllm.md"
    text = p.read_text(encoding="utf-8")
    p.write_text(re.sub(r"verdict:\n(  .*\n)+", "", text), encoding="utf-8")


def test_a_withdrawn_verdict_is_news_in_the_draft_and_the_email(repo, cli, tmp_path):
    """Found in review: `pipeline changes` showed `verdict recommended -> none`, the digest
    left it out; a reader who bought on the verdict is to hear it is gone."""
    _withdraw_vllms_verdict(repo)
    commit_all(repo, "vLLM: withdraw the verdict until we test 0.12", at("2026-10-04"))
    _, text = draft(cli, repo)
    assert "- **[vLLM](/tools/vllm)**: verdict withdrawn, was recommended." in block(
        text, "verdicts")
    (repo / DIGEST).write_text(text.replace(
        "# TODO: the headline, one line on what mattered in October 2026", "# October"),
        encoding="utf-8")
    r = cli(repo, "digest", "render", "2026-10", "--out", str(tmp_path / "mail"))
    assert r.exit_code == 0, r.output
    for name in ("email.txt", "email.html"):  # the text wrapped at its width
        assert "verdict withdrawn, was recommended" in " ".join(
            (tmp_path / "mail" / name).read_text().split())


@pytest.mark.parametrize("retire", [
    lambda repo: edit(repo, "tools/vllm", "status: published", "status: retired"),
    lambda repo: (repo / "entries/tools/vllm.md").unlink()], ids=["retired", "deleted"])
def test_a_verdict_gone_with_its_entry_is_not_listed(repo, cli, retire):
    """Only entries published at the end of the month are listed (docs/digest.md)."""
    _withdraw_vllms_verdict(repo)
    retire(repo)
    commit_all(repo, "vLLM goes", at("2026-10-04"))
    _, text = draft(cli, repo)
    assert "vLLM" not in block(text, "verdicts")
