"""A link or reference to an entry's old id, the entry renamed in git without a
`redirect_from`: validate (and a build) said only "no such entry"; `digest render` said
where the entry went. Now validate says it too, from git, when the report is made."""

from __future__ import annotations

import datetime as dt
import json

from conftest import MINI, commit_all, git, write_entry
from pipeline.config import load_settings
from pipeline.validate import validate


def found(root, **kw):
    return [(d.rule, d.message, d.hint) for d in
            validate(load_settings(root), today=dt.date(2026, 11, 27), **kw).diagnostics]


def messages(root, **kw):
    return [m for _, m, _ in found(root, **kw)]


def rename(root, old, new, when="2026-10-12T12:00:00"):
    git(root, "mv", f"entries/{old}.md", f"entries/{new}.md")
    commit_all(root, f"Rename {old} to {new}", when)


def refer_to(root, entry_id, body_link=None):
    """tools/vllm refers to `entry_id` in `related`, and links to `body_link` if given."""
    write_entry(root, "tools/vllm", {**MINI["tools/vllm"], "related": [entry_id]},
                f"See [it]({body_link}).\n" if body_link else "Text.\n")


def test_a_link_and_a_reference_to_an_old_id_name_the_id_it_was_renamed_to(repo):
    rename(repo, "glossary/awq", "glossary/awq-method")
    refer_to(repo, "glossary/awq", "/glossary/awq#kernels")
    assert found(repo) == [
        ("ref-unresolved", "related.0: 'glossary/awq' is not an entry; glossary/awq was "
         "renamed to glossary/awq-method: write glossary/awq-method",
         "write glossary/awq-method, the id its entry has had since it was renamed"),
        ("link-unresolved", "link to /glossary/awq: no such entry; glossary/awq was renamed "
         "to glossary/awq-method: link to /glossary/awq-method#kernels",
         "link to /glossary/awq-method#kernels, the id its entry has had since it was "
         "renamed"),
    ]


def test_a_full_url_keeps_its_origin(repo):
    rename(repo, "glossary/awq", "glossary/awq-method")
    refer_to(repo, "glossary/awq-method", "https://local-ai-catalog.org/glossary/awq")
    assert messages(repo) == [
        "link to https://local-ai-catalog.org/glossary/awq: no such entry; glossary/awq was "
        "renamed to glossary/awq-method: link to "
        "https://local-ai-catalog.org/glossary/awq-method"]


def test_a_chain_of_renames_names_the_last_id(repo):
    rename(repo, "glossary/awq", "glossary/awq-method")
    rename(repo, "glossary/awq-method", "glossary/awq-quantization", "2026-10-20T12:00:00")
    refer_to(repo, "glossary/awq", "/glossary/awq-method")
    assert messages(repo) == [
        "related.0: 'glossary/awq' is not an entry; glossary/awq was renamed to "
        "glossary/awq-quantization: write glossary/awq-quantization",
        "link to /glossary/awq-method: no such entry; glossary/awq-method was renamed to "
        "glossary/awq-quantization: link to /glossary/awq-quantization"]


def test_an_entry_renamed_then_deleted_gives_no_hint(repo):
    rename(repo, "glossary/awq", "glossary/awq-method")
    (repo / "entries/glossary/awq-method.md").unlink()
    commit_all(repo, "Drop AWQ", "2026-10-20T12:00:00")
    refer_to(repo, "glossary/awq", "/glossary/awq")
    assert messages(repo) == ["related.0: 'glossary/awq' is not an entry",
                              "link to /glossary/awq: no such entry"]


def test_a_rename_to_a_draft_says_so(repo):
    rename(repo, "glossary/awq", "glossary/awq-method")
    write_entry(repo, "glossary/awq-method", {**MINI["glossary/awq"], "status": "draft"})
    refer_to(repo, "glossary/awq-method", "/glossary/awq")
    assert "link to /glossary/awq: no such entry; glossary/awq was renamed to " \
           "glossary/awq-method, which is a draft: link to /glossary/awq-method" \
           in messages(repo)


def test_no_git_repository_no_shallow_history_no_hint_and_no_error(catalog, tmp_path):
    (catalog / "entries/glossary/awq.md").rename(catalog / "entries/glossary/awq-method.md")
    refer_to(catalog, "glossary/awq", "/glossary/awq")
    plain = ["related.0: 'glossary/awq' is not an entry", "link to /glossary/awq: no such entry"]
    assert messages(catalog) == plain  # not a git repository
    git(catalog, "init", "-q", "-b", "main")
    commit_all(catalog, "One commit", "2026-10-12T12:00:00")
    clone = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{catalog}", str(clone))
    assert messages(clone) == plain  # a shallow clone: no history to read


def test_the_cache_holds_no_hint_a_later_commit_changes(repo):
    rename(repo, "glossary/awq", "glossary/awq-method")
    refer_to(repo, "glossary/awq", "/glossary/awq")
    assert "renamed to glossary/awq-method: link to /glossary/awq-method" in messages(repo)[1]
    rename(repo, "glossary/awq-method", "glossary/awq-quantization", "2026-10-20T12:00:00")
    assert messages(repo) == messages(repo, cache=False) == [
        "related.0: 'glossary/awq' is not an entry; glossary/awq was renamed to "
        "glossary/awq-quantization: write glossary/awq-quantization",
        "link to /glossary/awq: no such entry; glossary/awq was renamed to "
        "glossary/awq-quantization: link to /glossary/awq-quantization"]


def test_git_is_not_asked_when_nothing_names_no_entry(repo, monkeypatch):
    from pipeline.history import log

    def refuse(settings):
        raise AssertionError("git read for a catalog without a link to no entry")

    monkeypatch.setattr(log, "renamed_ids", refuse)
    assert found(repo) == [] and found(repo) == []  # cold, then warm


def test_the_json_report_and_the_build_say_it(repo, cli):
    rename(repo, "glossary/awq", "glossary/awq-method")
    refer_to(repo, "glossary/awq-method", "/glossary/awq")
    result = cli(repo, "validate", "--format", "json")
    [d] = json.loads(result.output)["diagnostics"]
    assert d["message"].endswith("renamed to glossary/awq-method: link to /glossary/awq-method")
    assert d["hint"].startswith("link to /glossary/awq-method, ")
    result = cli(repo, "build")
    assert result.exit_code != 0
    assert "glossary/awq was renamed to glossary/awq-method" in result.output


def test_an_entry_whose_status_is_unknown_is_named_without_its_status(repo):
    """Found in review: the entry to name instead was said to be in its status whatever
    it was, so a mistyped one read "renamed to glossary/awq-method, which is publshed"
    (and "an old id of ..., which is publshed"), as if that were a state; the entry's own
    file has the status's error."""
    rename(repo, "glossary/awq", "glossary/awq-method")
    write_entry(repo, "glossary/awq-method", {**MINI["glossary/awq"], "status": "publshed",
                                              "redirect_from": ["glossary/quant"]})
    refer_to(repo, "glossary/quant", "/glossary/awq")
    said = [m for m in messages(repo) if "awq-method" in m]
    assert said == [
        "related.0: 'glossary/quant' is not an entry; it is an old id of glossary/awq-method "
        "(its redirect_from lists it): write glossary/awq-method",
        "link to /glossary/awq: no such entry; glossary/awq was renamed to "
        "glossary/awq-method: link to /glossary/awq-method"]


def test_an_old_id_two_entries_were_renamed_from_names_where_its_redirect_goes(repo):
    """Found in review: glossary/awq renamed to awq-method, a new glossary/awq later
    renamed to awq-two: the hint named whichever entry git's histories listed last
    (awq-two), while the site's redirect, the earliest rename's, takes /glossary/awq to
    awq-method: the reader following the old link lands there."""
    from pipeline.history.log import renamed_ids
    from pipeline.publish.git_history import read_git_data
    from pipeline.publish.redirects import plan_redirects

    rename(repo, "glossary/awq", "glossary/awq-method")
    write_entry(repo, "glossary/awq", MINI["glossary/awq"])
    commit_all(repo, "A new AWQ", "2026-10-15T12:00:00")
    rename(repo, "glossary/awq", "glossary/awq-two", "2026-10-20T12:00:00")
    # the later entry's history first, as a dict may list it
    write_entry(repo, "glossary/awq-two", {**MINI["glossary/awq"], "title": "AWQ two"})
    commit_all(repo, "Edit AWQ two", "2026-10-21T12:00:00")
    refer_to(repo, "glossary/awq-method", "/glossary/awq")
    settings = load_settings(repo)
    data = read_git_data(settings)
    plan = plan_redirects({"glossary/awq-method": "published", "glossary/awq-two": "published"},
                          {}, data.renames)
    assert plan.moved["glossary/awq"] == "glossary/awq-method"
    assert renamed_ids(settings)["glossary/awq"] == "glossary/awq-method"
    assert messages(repo) == [
        "link to /glossary/awq: no such entry; glossary/awq was renamed to "
        "glossary/awq-method: link to /glossary/awq-method"]


def test_two_renames_of_an_old_id_on_one_day_go_by_commit_order_not_by_id(repo, tmp_path):
    """Found in review: glossary/awq renamed to awq-v2 in the morning, a new glossary/awq
    renamed to awq-method in the afternoon: the earliest rename was the one whose new id
    sorted first on that day (awq-method), so /glossary/awq led to the afternoon's entry
    and the hint named it, while the morning's rename came first in git."""
    from pipeline.history.log import renamed_ids
    from pipeline.publish.build import build

    rename(repo, "glossary/awq", "glossary/awq-v2", "2026-10-12T08:00:00")
    write_entry(repo, "glossary/awq", {**MINI["glossary/awq"], "title": "AWQ method"})
    commit_all(repo, "A new AWQ", "2026-10-12T10:00:00")
    rename(repo, "glossary/awq", "glossary/awq-method", "2026-10-12T14:00:00")
    refer_to(repo, "glossary/awq-v2", "/glossary/awq")
    commit_all(repo, "Link", "2026-10-13T12:00:00")
    settings = load_settings(repo)
    for _ in range(2):  # read from git, then from the history cache
        assert renamed_ids(settings)["glossary/awq"] == "glossary/awq-v2"
    assert messages(repo) == [
        "link to /glossary/awq: no such entry; glossary/awq was renamed to "
        "glossary/awq-v2: link to /glossary/awq-v2"]
    refer_to(repo, "glossary/awq-v2")  # the link fixed: the build's redirect agrees
    build(settings, tmp_path / "out")
    assert "/glossary/awq  /glossary/awq-v2  301" in (tmp_path / "out" / "_redirects").read_text()


def test_a_relative_link_or_a_path_in_the_wrong_case_to_an_old_id_names_the_new_one(repo):
    """Found in review: a site path to an old id said where its entry went, but a link
    relative to the page naming it (`../glossary/awq`, `awq`) only said to write a site
    path, and `/Glossary/AWQ` (the old id in the wrong case) said nothing of it."""
    rename(repo, "glossary/awq", "glossary/awq-method")
    write_entry(repo, "glossary/gptq", {**MINI["glossary/awq"], "title": "GPTQ"},
                "See [a](../glossary/awq), [b](awq#kernels), [c](awq.md) and "
                "[d](/glossary/AWQ) [e](/Glossary/awq#kernels).\n")
    relative = ("a relative path, which leads elsewhere depending on the address the page "
                "is served at")
    assert [d for d in found(repo) if d[0] == "link-unresolved"] == [
        ("link-unresolved", f"link to ../glossary/awq: {relative}; glossary/awq was renamed "
         "to glossary/awq-method: link to /glossary/awq-method",
         "link to /glossary/awq-method, the id its entry has had since it was renamed"),
        ("link-unresolved", f"link to awq: {relative}; glossary/awq was renamed to "
         "glossary/awq-method: link to /glossary/awq-method#kernels",
         "link to /glossary/awq-method#kernels, the id its entry has had since it was "
         "renamed"),
        ("link-unresolved", "link to awq.md: a file path, which the site has no page for; "
         "glossary/awq was renamed to glossary/awq-method: link to /glossary/awq-method",
         "link to /glossary/awq-method, the id its entry has had since it was renamed"),
        ("link-unresolved", "link to /glossary/AWQ: no such entry; glossary/awq was renamed "
         "to glossary/awq-method: link to /glossary/awq-method",
         "link to /glossary/awq-method, the id its entry has had since it was renamed"),
        ("link-unresolved", "link to /Glossary/awq: there is no collection 'Glossary'; "
         "glossary/awq was renamed to glossary/awq-method: link to "
         "/glossary/awq-method#kernels",
         "link to /glossary/awq-method#kernels, the id its entry has had since it was "
         "renamed"),
    ]
