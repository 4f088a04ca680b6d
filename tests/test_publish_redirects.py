"""Redirects: redirect_from and git renames, chains collapsed, loops refused, retired = 410."""

from __future__ import annotations

import json
import shutil

import pytest

from conftest import MINI, commit_all, git, write_entry
from pipeline.config import load_settings
from pipeline.publish.build import build
from pipeline.publish.redirects import (RedirectLoopError, netlify_redirects, plan_redirects,
                                        redirects_json)


def cat(**entries) -> tuple[dict, dict]:
    """(statuses, redirect_from) by id from {id: (status, redirect_from)}."""
    statuses, olds = {}, {}
    for key, (status, rf) in entries.items():
        eid = key.replace("__", "/").replace("_", "-")
        statuses[eid] = status
        if rf:
            olds[eid] = rf
    return statuses, olds


def test_redirect_from_gives_301_and_retired_entries_410():
    c = cat(tools__vllm=("published", ["tools/vllm-server"]), tools__old=("retired", None),
            tools__older=("retired", None), tools__new=("published", ["tools/older"]))
    r = plan_redirects(*c, [])
    assert r.moved == {"tools/vllm-server": "tools/vllm", "tools/older": "tools/new"}
    assert r.gone == ["tools/old"]  # a retired entry that redirects is not gone
    assert redirects_json(r) == {
        "redirects": [{"from": f"/tools/older{x}", "to": f"/tools/new{x}", "status": 301}
                      for x in ("", ".html", ".json")]
        + [{"from": f"/tools/vllm-server{x}", "to": f"/tools/vllm{x}", "status": 301}
           for x in ("", ".html", ".json")],
        "gone": [{"path": f"/tools/old{x}", "status": 410} for x in ("", ".html", ".json")]}
    assert netlify_redirects(r).decode().splitlines()[1:] == [
        "/tools/older  /tools/new  301", "/tools/older.html  /tools/new.html  301",
        "/tools/older.json  /tools/new.json  301",
        "/tools/vllm-server  /tools/vllm  301", "/tools/vllm-server.html  /tools/vllm.html  301",
        "/tools/vllm-server.json  /tools/vllm.json  301",
        "/tools/old  /gone  410", "/tools/old.html  /gone  410", "/tools/old.json  /gone  410"]


def test_chains_collapse_to_one_hop():
    c = cat(tools__c=("published", ["tools/b"]))
    r = plan_redirects(*c, [("tools/a", "tools/b", "2026-01-01")])
    assert r.moved == {"tools/a": "tools/c", "tools/b": "tools/c"}
    assert r.previous_ids() == {"tools/c": ["tools/a", "tools/b"]}


def test_a_live_entry_is_never_redirected_and_dead_ends_are_left_out():
    c = cat(tools__a=("published", None), tools__d=("draft", ["tools/x"]),
            tools__r=("retired", ["tools/y"]))
    r = plan_redirects(*c, [("tools/a", "tools/z", "2026-01-01")])
    assert r.moved == {}
    assert r.gone == ["tools/r", "tools/y"]  # a chain ending at a retired entry is gone too


def test_loops_are_refused_with_the_hops_that_make_them():
    c = cat(tools__live=("published", None))
    with pytest.raises(RedirectLoopError) as e:
        plan_redirects(*c, [("tools/a", "tools/b", "2026-01-01"),
                           ("tools/b", "tools/a", "2026-02-01")])
    msg = str(e.value)
    assert "redirect loop: tools/a -> tools/b -> tools/a" in msg
    assert "renamed in git on 2026-01-01" in msg and "renamed in git on 2026-02-01" in msg


def test_renames_in_git_become_redirects_and_previous_ids(repo, tmp_path):
    write_entry(repo, "glossary/flash-attn", {
        "title": "FlashAttention", "status": "published", "summary": "Fast attention.",
        "authors": ["ana"], "published": "2026-01-10", "category": "Inference & serving"})
    commit_all(repo, "Add flash-attn", "2026-09-02T12:00:00")
    git(repo, "mv", "entries/glossary/flash-attn.md", "entries/glossary/flash-attention.md")
    commit_all(repo, "Rename", "2026-09-03T12:00:00")
    git(repo, "mv", "entries/glossary/flash-attention.md", "entries/glossary/flashattention.md")
    commit_all(repo, "Rename again", "2026-09-04T12:00:00")
    out = tmp_path / "out"
    result = build(load_settings(repo), out)
    assert result.redirects == 2
    data = json.loads((out / "redirects.json").read_text())
    assert data["redirects"] == [
        {"from": f"/glossary/{old}{x}", "to": f"/glossary/flashattention{x}", "status": 301}
        for old in ("flash-attention", "flash-attn") for x in ("", ".html", ".json")]
    doc = json.loads((out / "glossary/flashattention.json").read_text())
    assert doc["previous_ids"] == ["glossary/flash-attention", "glossary/flash-attn"]
    assert "/glossary/flash-attn  /glossary/flashattention  301" in (out / "_redirects").read_text()


def test_a_loop_stops_the_build_with_a_clear_message(catalog, cli, tmp_path):
    write_entry(catalog, "tools/a", {**MINI["tools/vllm"], "title": "A", "status": "retired",
                                     "redirect_from": ["tools/b"]})
    write_entry(catalog, "tools/b", {**MINI["tools/vllm"], "title": "B", "status": "retired",
                                     "redirect_from": ["tools/a"]})
    r = cli(catalog, "build", "--out", str(tmp_path / "out"))
    assert r.exit_code == 1
    assert "redirect loop: tools/a -> tools/b -> tools/a" in r.output
    assert "Traceback" not in r.output
    assert not (tmp_path / "out").exists()


def test_validate_reports_the_loop_the_build_would_refuse(catalog, cli):
    """The pull-request check (validate) passed it, and the deploy build was the first to
    fail (found in review)."""
    write_entry(catalog, "tools/a", {**MINI["tools/vllm"], "title": "A", "status": "retired",
                                     "redirect_from": ["tools/b"]})
    write_entry(catalog, "tools/b", {**MINI["tools/vllm"], "title": "B", "status": "retired",
                                     "redirect_from": ["tools/a"]})
    r = cli(catalog, "validate", "--format", "json")
    found = [(d["rule"], d["file"]) for d in json.loads(r.output)["diagnostics"]]
    assert r.exit_code == 1
    assert sorted(found) == [("redirect-loop", "entries/tools/a.md"),
                             ("redirect-loop", "entries/tools/b.md")]
    write_entry(catalog, "tools/b", {**MINI["tools/vllm"], "title": "B", "status": "retired"})
    assert cli(catalog, "validate").exit_code == 0


def test_a_drafts_redirect_from_does_not_undo_a_renames_redirect():
    """A draft's claim of an old id took the place of the git rename that led it to a
    published entry, and the old address went from 301 to 404 (found in review)."""
    c = cat(glossary__epsilon=("published", None), glossary__zeta=("review", ["glossary/delta"]))
    r = plan_redirects(*c, [("glossary/delta", "glossary/epsilon", "2026-01-01")])
    assert r.moved == {"glossary/delta": "glossary/epsilon"}


def test_a_draft_at_an_old_id_leaves_its_redirect_until_it_is_published():
    """A new draft (or an entry in review) at an id an entry was renamed from took away
    the old address's 301: it answered 404 while nothing was published there. It
    redirects until the new entry is published; no chain goes on through the draft."""
    c = cat(glossary__awq=("published", None), glossary__kv_cache=("draft", None),
            glossary__kv_store=("review", None), glossary__key_value_cache=("published", None))
    renames = [("glossary/kv-cache", "glossary/key-value-cache", "2026-01-01"),
               ("glossary/kv-store", "glossary/key-value-cache", "2026-01-02"),
               ("glossary/awq-old", "glossary/kv-cache", "2026-01-03")]
    r = plan_redirects(*c, renames)
    assert r.moved == {"glossary/kv-cache": "glossary/key-value-cache",
                       "glossary/kv-store": "glossary/key-value-cache"}
    assert r.gone == []  # awq-old leads to a draft: left out, as before
    c[0]["glossary/kv-cache"] = "published"
    assert plan_redirects(*c, renames).moved == {"glossary/awq-old": "glossary/kv-cache",
                                                 "glossary/kv-store": "glossary/key-value-cache"}


def test_a_new_draft_at_a_renamed_entrys_old_id_keeps_the_old_address_working(repo, tmp_path):
    write_entry(repo, "glossary/kv-cache", {
        "title": "KV cache", "status": "published", "summary": "Keys and values kept.",
        "authors": ["ana"], "published": "2026-01-10", "category": "Inference & serving"})
    commit_all(repo, "Add kv-cache", "2026-09-02T12:00:00")
    git(repo, "mv", "entries/glossary/kv-cache.md", "entries/glossary/key-value-cache.md")
    commit_all(repo, "Rename", "2026-09-03T12:00:00")
    write_entry(repo, "glossary/kv-cache", {
        "title": "KV cache (the paper)", "status": "draft", "summary": "Not yet.",
        "authors": ["ana"], "category": "Inference & serving"})
    commit_all(repo, "A draft at the old id", "2026-09-04T12:00:00")
    out = tmp_path / "out"
    build(load_settings(repo), out)
    assert (out / "_redirects").read_text().splitlines()[1:] == [
        "/glossary/kv-cache  /glossary/key-value-cache  301",
        "/glossary/kv-cache.html  /glossary/key-value-cache.html  301",
        "/glossary/kv-cache.json  /glossary/key-value-cache.json  301"]
    assert not (out / "glossary/kv-cache.json").exists()
    assert json.loads((out / "glossary/key-value-cache.json").read_text())["previous_ids"] == [
        "glossary/kv-cache"]


def _loop_of_three(catalog, last: str):
    for me, old in (("la", "lb"), ("lb", "lc"), ("lc", last)):
        write_entry(catalog, f"tools/{me}", {**MINI["tools/vllm"], "title": me.upper(),
                                             "status": "retired",
                                             "redirect_from": [f"tools/{old}"]})


@pytest.mark.parametrize("first, then", [("la", "old-lc"), ("old-lc", "la")])
def test_a_loop_of_three_is_seen_warm_as_cold(catalog, cli, first, then):
    """A change of lc's redirect_from ends (or closes) the loop la -> lc -> lb -> la: la's
    result stayed as cached, reported (or not) as before (found in review)."""
    def found(*args):
        doc = json.loads(cli(catalog, "validate", "--format", "json", *args).output)
        return sorted((d["rule"], d["file"]) for d in doc["diagnostics"])

    _loop_of_three(catalog, first)
    found()  # the cache holds the first state
    _loop_of_three(catalog, then)
    warm = found()
    shutil.rmtree(catalog / ".pipeline-cache")
    assert warm == found()
    assert len(warm) == (3 if then == "la" else 0)


def test_changed_since_sees_the_whole_loop(repo, cli):
    _loop_of_three(repo, "old-lc")
    commit_all(repo, "No loop")
    _loop_of_three(repo, "la")
    doc = json.loads(cli(repo, "validate", "--changed-since", "HEAD", "--format", "json").output)
    assert sorted(d["file"] for d in doc["diagnostics"] if d["rule"] == "redirect-loop") == [
        "entries/tools/la.md", "entries/tools/lb.md", "entries/tools/lc.md"]


def test_an_old_ids_page_file_and_json_redirect_on_netlify_as_in_serve(repo, tmp_path):
    """`_redirects` and redirects.json named only `/glossary/kv-cache`, so on Netlify
    `/glossary/kv-cache.json` (a front end's address) and `.html` were 404 after a rename,
    while `pipeline serve` answered them with 301 (found in review). A chain of renames
    collapses for every address; a retired entry's addresses all answer 410."""
    from pipeline.publish.serve import PreviewServer
    from test_build_cli import fetch

    write_entry(repo, "glossary/kv-cache", {
        "title": "KV cache", "status": "published", "summary": "Keys and values kept.",
        "authors": ["ana"], "published": "2026-01-10", "category": "Inference & serving"})
    write_entry(repo, "glossary/old-term", {
        "title": "Old term", "status": "retired", "authors": ["ana"],
        "category": "Formats & quantization"})
    commit_all(repo, "Add kv-cache", "2026-09-02T12:00:00")
    git(repo, "mv", "entries/glossary/kv-cache.md", "entries/glossary/kv-store.md")
    commit_all(repo, "Rename", "2026-09-03T12:00:00")
    git(repo, "mv", "entries/glossary/kv-store.md", "entries/glossary/key-value-cache.md")
    commit_all(repo, "Rename again", "2026-09-04T12:00:00")
    out = tmp_path / "out"
    result = build(load_settings(repo), out)
    assert (result.redirects, result.gone) == (2, 1)  # ids, not addresses
    rules = (out / "_redirects").read_text().splitlines()[1:]
    assert rules == [
        "/glossary/kv-cache  /glossary/key-value-cache  301",
        "/glossary/kv-cache.html  /glossary/key-value-cache.html  301",
        "/glossary/kv-cache.json  /glossary/key-value-cache.json  301",
        "/glossary/kv-store  /glossary/key-value-cache  301",
        "/glossary/kv-store.html  /glossary/key-value-cache.html  301",
        "/glossary/kv-store.json  /glossary/key-value-cache.json  301",
        "/glossary/old-term  /gone  410",
        "/glossary/old-term.html  /gone  410",
        "/glossary/old-term.json  /gone  410"]
    data = json.loads((out / "redirects.json").read_text())
    assert [f"{r['from']}  {r['to']}  {r['status']}" for r in data["redirects"]] \
        + [f"{g['path']}  /gone  {g['status']}" for g in data["gone"]] == rules
    # every redirect leads to a file of the output, in one hop
    for r in data["redirects"]:
        target = r["to"] if r["to"].endswith((".html", ".json")) else r["to"] + ".html"
        assert (out / target.lstrip("/")).is_file(), r
        assert r["to"] not in {x["from"] for x in data["redirects"]}
    # the preview answers every rule exactly as the files say
    server = PreviewServer(load_settings(repo), out, port=0,
                           watcher=lambda paths, stop, ready: iter(()))
    server.start()
    try:
        for line in rules:
            old, new, status = line.split("  ")
            got, body, headers = fetch(server.url + old)
            assert got == int(status), line
            if got == 301:
                assert headers["Location"] == new, line
            else:
                assert "This page was retired" in body, line
    finally:
        server.close()
    # the same bytes from scratch, and from the cache
    again = tmp_path / "again"
    build(load_settings(repo), again, use_cache=False)
    for name in ("_redirects", "redirects.json"):
        assert (again / name).read_bytes() == (out / name).read_bytes()


def test_a_loop_is_still_refused_before_any_address_is_written():
    c = cat(tools__live=("published", None))
    with pytest.raises(RedirectLoopError):
        plan_redirects(*c, [("tools/a", "tools/b", "2026-01-01"),
                           ("tools/b", "tools/c", "2026-02-01"),
                           ("tools/c", "tools/a", "2026-03-01")])


def _feed_ids(out) -> dict[str, str]:
    """{item link: Atom id} of a built feed, as feedparser reads it."""
    import feedparser

    parsed = feedparser.parse((out / "feed.xml").read_bytes())
    assert not parsed.bozo
    return {e.link: e.id for e in parsed.entries}


def test_a_renamed_entry_keeps_its_atom_id_so_readers_do_not_show_it_as_new(repo, tmp_path):
    """The feed's id of an entry was its URL: renamed, it was a new item to every feed
    reader (found in review). It is now the URL it was created at, while no other entry
    has that id; an old id taken again by a new entry goes to that entry."""
    base = load_settings(repo).site.base_url.rstrip("/")
    write_entry(repo, "glossary/flash-attn", {
        "title": "FlashAttention", "status": "published", "summary": "Fast attention.",
        "authors": ["ana"], "published": "2026-01-10", "category": "Inference & serving"})
    commit_all(repo, "Add flash-attn", "2026-09-02T12:00:00")
    out = tmp_path / "out"
    build(load_settings(repo), out)
    assert _feed_ids(out)[f"{base}/glossary/flash-attn"] == f"{base}/glossary/flash-attn"
    git(repo, "mv", "entries/glossary/flash-attn.md", "entries/glossary/flash-attention.md")
    commit_all(repo, "Rename", "2026-09-03T12:00:00")
    git(repo, "mv", "entries/glossary/flash-attention.md", "entries/glossary/flashattention.md")
    commit_all(repo, "Rename again", "2026-09-04T12:00:00")
    build(load_settings(repo), out)
    ids = _feed_ids(out)
    assert ids[f"{base}/glossary/flashattention"] == f"{base}/glossary/flash-attn"
    assert f"{base}/glossary/flash-attn" not in ids  # no item at the old address
    # a new entry at the first id: the renamed one keeps its id for good, and the new
    # one's is a tag (it was the renamed one's URL turned into its own: an id changed)
    write_entry(repo, "glossary/flash-attn", {
        "title": "Flash attention (the paper)", "status": "published", "summary": "A paper.",
        "authors": ["ana"], "published": "2026-09-05", "category": "Inference & serving"})
    commit_all(repo, "A new entry at the old id", "2026-09-05T12:00:00")
    build(load_settings(repo), out)
    ids = _feed_ids(out)
    assert ids[f"{base}/glossary/flashattention"] == f"{base}/glossary/flash-attn"
    host = base.split("://", 1)[1]
    assert ids[f"{base}/glossary/flash-attn"] == f"tag:{host},2026-09-05:glossary/flash-attn"
    assert len(set(ids.values())) == len(ids)


def test_the_first_entry_at_an_id_keeps_it_and_later_ones_get_tags():
    from pipeline.publish.feed import atom_ids
    from pipeline.publish.git_history import first_ids
    from pipeline.history.state import EntryHistory, PreviousId

    def h(entry_id, created, *previous):
        return EntryHistory(entry_id, created, created,
                            [PreviousId(old, created, seq) for old, seq in previous])

    # a created first and renamed to b (seq 0); c made at a and renamed (seq 1); d at a now
    first = first_ids([h("glossary/c", "2026-09-04", ("glossary/a", 1)),
                       h("glossary/b", "2026-09-02", ("glossary/a", 0)),
                       h("glossary/d", "2026-09-06"), h("glossary/x", "2026-09-01")])
    assert first == {"glossary/b": ("glossary/a", "2026-09-02", 0),
                     "glossary/c": ("glossary/a", "2026-09-04", 1)}
    base = "https://Example.org:8080"
    everyone = {"glossary/b", "glossary/c", "glossary/x"}
    assert atom_ids(base, first, everyone) == {
        "glossary/b": "/glossary/a", "glossary/c": "tag:example.org,2026-09-04:glossary/a"}
    # b retired, or a draft: c's id stays what it was
    assert atom_ids(base, first, {"glossary/c"}) == {
        "glossary/c": "tag:example.org,2026-09-04:glossary/a"}
    # two later entries of one day at one id: told apart, counted whatever their status
    first["glossary/e"] = ("glossary/a", "2026-09-04", 2)
    assert atom_ids(base, first, {"glossary/e"}) == {
        "glossary/e": "tag:example.org,2026-09-04:glossary/a:2"}
    # one not committed yet at a renamed entry's first id: a tag of its `published` date
    assert atom_ids(base, {"glossary/b": ("glossary/a", "2026-09-02", 0)},
                    {"glossary/a", "glossary/b"}, lambda i: "2026-10-01") == {
        "glossary/b": "/glossary/a", "glossary/a": "tag:example.org,2026-10-01:glossary/a"}



_ENTRY = {"title": "A", "status": "published", "summary": "S.", "authors": ["ana"],
          "published": "2026-01-10", "category": "Inference & serving"}


def _site_with_a(repo) -> tuple[str, str]:
    """The site's address and host, in `repo` once a first commit added glossary/a."""
    write_entry(repo, "glossary/a", _ENTRY)
    commit_all(repo, "Add a", "2026-09-02T12:00:00")
    base = load_settings(repo).site.base_url.rstrip("/")
    return base, base.split("://", 1)[1]


def test_a_deleted_entry_keeps_its_place_so_no_id_moves_to_another(repo, tmp_path):
    """Only the entries whose files were in git counted (found in review): deleting the
    file of the first entry at an id gave its URL to the next one (a reader took the new
    entry for the deleted one), and deleting a later one of a day took the `:2` of the
    next. A deleted entry keeps its place: no other entry's id changes."""
    base, host = _site_with_a(repo)
    out = tmp_path / "out"
    git(repo, "mv", "entries/glossary/a.md", "entries/glossary/b.md")
    commit_all(repo, "Rename a to b", "2026-09-03T12:00:00")
    # two more entries made at a on one day, the first of them renamed to c
    write_entry(repo, "glossary/a", {**_ENTRY, "title": "C"}, "Another text.\n")
    commit_all(repo, "A new a", "2026-09-04T10:00:00")
    git(repo, "mv", "entries/glossary/a.md", "entries/glossary/c.md")
    commit_all(repo, "Rename a to c", "2026-09-04T11:00:00")
    write_entry(repo, "glossary/a", {**_ENTRY, "title": "D"}, "A third text.\n")
    commit_all(repo, "A third a", "2026-09-04T12:00:00")
    build(load_settings(repo), out)
    before = _feed_ids(out)
    assert before[f"{base}/glossary/b"] == f"{base}/glossary/a"
    assert before[f"{base}/glossary/c"] == f"tag:{host},2026-09-04:glossary/a"
    assert before[f"{base}/glossary/a"] == f"tag:{host},2026-09-04:glossary/a:2"
    git(repo, "rm", "-q", "entries/glossary/b.md", "entries/glossary/c.md")
    commit_all(repo, "Delete b and c", "2026-09-05T12:00:00")
    build(load_settings(repo), out)
    assert _feed_ids(out)[f"{base}/glossary/a"] == before[f"{base}/glossary/a"]
    build(load_settings(repo), tmp_path / "again", use_cache=False)  # the same from scratch
    assert _feed_ids(tmp_path / "again")[f"{base}/glossary/a"] == before[f"{base}/glossary/a"]


def test_an_entry_written_at_a_deleted_ones_id_gets_its_own(repo, tmp_path):
    """A new file at the id of an entry deleted took the deleted one's URL as its Atom id
    (found in review): readers took it for the old entry. It gets a tag; a deletion undone
    (the file back as it was) is the same entry, which keeps its URL."""
    base, host = _site_with_a(repo)
    out = tmp_path / "out"
    git(repo, "rm", "-q", "entries/glossary/a.md")
    commit_all(repo, "Delete a", "2026-09-03T12:00:00")
    git(repo, "revert", "--no-edit", "HEAD", env={"GIT_COMMITTER_DATE": "2026-09-04T12:00:00"})
    build(load_settings(repo), out)
    assert _feed_ids(out)[f"{base}/glossary/a"] == f"{base}/glossary/a"
    git(repo, "rm", "-q", "entries/glossary/a.md")
    commit_all(repo, "Delete a again", "2026-09-05T12:00:00")
    write_entry(repo, "glossary/a", {**_ENTRY, "title": "C"}, "Other text entirely.\n")
    commit_all(repo, "A new a", "2026-09-06T12:00:00")
    build(load_settings(repo), out)
    assert _feed_ids(out)[f"{base}/glossary/a"] == f"tag:{host},2026-09-06:glossary/a"


def test_an_entry_moved_out_of_the_entries_folder_keeps_its_place(repo, tmp_path):
    """A file moved out of the entries folder (`git mv entries/glossary/a.md attic/`) left
    no row, as a deletion does (found in review): a new file at its id took its URL as
    its Atom id. It counts as deleted, from the cache and from scratch alike, and moved
    back as it went (the move undone) it is the same entry, which keeps its URL."""
    base, host = _site_with_a(repo)
    build(load_settings(repo), tmp_path / "cached")  # the cache at a commit before the move
    (repo / "attic").mkdir()
    git(repo, "mv", "entries/glossary/a.md", "attic/a.md")
    commit_all(repo, "Move a out", "2026-09-03T12:00:00")
    git(repo, "mv", "attic/a.md", "entries/glossary/a.md")
    commit_all(repo, "Move a back", "2026-09-04T12:00:00")
    for out, cache in (("cached", True), ("scratch", False)):
        build(load_settings(repo), tmp_path / out, use_cache=cache)
        assert _feed_ids(tmp_path / out)[f"{base}/glossary/a"] == f"{base}/glossary/a", out
    git(repo, "mv", "entries/glossary/a.md", "attic/a.md")
    commit_all(repo, "Move a out again", "2026-09-05T12:00:00")
    build(load_settings(repo), tmp_path / "cached")
    write_entry(repo, "glossary/a", {**_ENTRY, "title": "C"}, "Other text entirely.\n")
    commit_all(repo, "A new a", "2026-09-06T12:00:00")
    for out, cache in (("cached", True), ("scratch", False)):
        build(load_settings(repo), tmp_path / out, use_cache=cache)
        assert _feed_ids(tmp_path / out)[f"{base}/glossary/a"] == \
            f"tag:{host},2026-09-06:glossary/a", out


def test_an_entry_deleted_under_its_id_in_other_case_keeps_its_place(repo, tmp_path):
    """A file renamed to its id in other case (`glossary/A.md`, which validate refuses) and
    then deleted kept no place among the entries created at its id, counted only under a
    name in lower case (found in review): a new file at the id took its URL."""
    base, host = _site_with_a(repo)
    git(repo, "mv", "entries/glossary/a.md", "entries/glossary/A.md")
    commit_all(repo, "Rename a to A", "2026-09-03T12:00:00")
    git(repo, "rm", "-q", "entries/glossary/A.md")
    commit_all(repo, "Delete A", "2026-09-04T12:00:00")
    write_entry(repo, "glossary/a", {**_ENTRY, "title": "C"}, "Other text entirely.\n")
    commit_all(repo, "A new a", "2026-09-06T12:00:00")
    build(load_settings(repo), tmp_path / "out")
    assert _feed_ids(tmp_path / "out")[f"{base}/glossary/a"] == \
        f"tag:{host},2026-09-06:glossary/a"


def test_a_deleted_entry_counts_for_one_not_committed_yet_at_its_id():
    """A file not committed yet at a deleted entry's id: a tag of its `published` date, as at
    a renamed entry's (the deleted one's URL is its own)."""
    from pipeline.publish.feed import atom_ids
    from pipeline.publish.git_history import first_ids

    first = first_ids([], [("glossary/a", "glossary/a", "2026-09-02", 0.5)])
    assert first == {"glossary/a deleted 0": ("glossary/a", "2026-09-02", 0)}
    assert atom_ids("https://example.org", first, {"glossary/a"}, lambda i: "2026-10-01") == {
        "glossary/a": "tag:example.org,2026-10-01:glossary/a"}


def test_a_move_and_a_new_file_at_its_old_id_in_one_commit(repo, tmp_path):
    """`git mv a b` and a new `a` in one commit read as a changed and b added (found in
    review): b's Atom id became its new URL and the new a took b's. The walk tells the
    rename as `rename_steps(rewrites=True)` does: b keeps its id, the new a gets a tag,
    and /glossary/a is no redirect (an entry is there)."""
    base = load_settings(repo).site.base_url.rstrip("/")
    host = base.split("://", 1)[1]
    out = tmp_path / "out"
    # git's break detection leaves a file under 400 bytes alone: a body long enough
    write_entry(repo, "glossary/a", _ENTRY, "Some body text, long enough to be broken.\n" * 20)
    commit_all(repo, "Add a", "2026-09-02T12:00:00")
    git(repo, "mv", "entries/glossary/a.md", "entries/glossary/b.md")
    write_entry(repo, "glossary/a", {**_ENTRY, "title": "C"}, "Other text entirely.\n")
    commit_all(repo, "Move a to b, a new a", "2026-09-04T12:00:00")
    build(load_settings(repo), out)
    ids = _feed_ids(out)
    assert ids[f"{base}/glossary/b"] == f"{base}/glossary/a"
    assert ids[f"{base}/glossary/a"] == f"tag:{host},2026-09-04:glossary/a"
    from pipeline.history.log import entry_history

    histories = entry_history(load_settings(repo))
    assert histories["glossary/b"].created == "2026-09-02"
    assert histories["glossary/a"].created == "2026-09-04"
    assert "/glossary/a" not in (out / "_redirects").read_text()


def _renamed_away(repo, out) -> tuple[str, dict]:
    """`glossary/a` published, renamed to `glossary/b` and built into `out`: (the site's
    base URL, a's front matter)."""
    base = load_settings(repo).site.base_url.rstrip("/")
    entry = {"title": "A", "status": "published", "summary": "S.", "authors": ["ana"],
             "published": "2026-01-10", "category": "Inference & serving"}
    write_entry(repo, "glossary/a", entry)
    commit_all(repo, "Add a", "2026-09-02T12:00:00")
    git(repo, "mv", "entries/glossary/a.md", "entries/glossary/b.md")
    commit_all(repo, "Rename a to b", "2026-09-03T12:00:00")
    build(load_settings(repo), out)
    return base, entry


def test_a_draft_at_a_renamed_entrys_old_id_leaves_its_atom_id_as_it_was(repo, tmp_path):
    """A draft made at a renamed entry's first id (or made there and renamed in turn) was
    counted as taking that id: the renamed entry's Atom id changed to its URL, and feed
    readers showed it again as a new item (found in review). A draft has no item in the
    feed, so the published entry keeps its id."""
    out = tmp_path / "out"
    base, entry = _renamed_away(repo, out)
    before = _feed_ids(out)
    assert before[f"{base}/glossary/b"] == f"{base}/glossary/a"
    write_entry(repo, "glossary/a", {**entry, "title": "A again", "status": "draft"})
    commit_all(repo, "A draft at a", "2026-09-04T12:00:00")
    build(load_settings(repo), out)
    assert _feed_ids(out) == before
    git(repo, "mv", "entries/glossary/a.md", "entries/glossary/c.md")
    commit_all(repo, "Rename the draft to c", "2026-09-05T12:00:00")
    build(load_settings(repo), out)
    assert _feed_ids(out) == before


@pytest.mark.parametrize("moved_to", ["glossary/c", None])
def test_a_draft_at_an_old_id_published_later_leaves_the_renamed_ones_id(repo, tmp_path,
                                                                         moved_to):
    """A draft made at a renamed entry's first id (renamed in turn, or left there), then
    published: both entries counted as created at that id, neither kept it, and the
    renamed one's Atom id turned into its URL, a new item to every reader (found in
    review). The first entry at an id keeps it for good; the later one's is a tag of the
    day git first saw it. An incremental build gives the same feed as a cold one."""
    from test_build import tree

    out = tmp_path / "out"
    base, entry = _renamed_away(repo, out)
    write_entry(repo, "glossary/a", {**entry, "title": "A again", "status": "draft"})
    commit_all(repo, "A draft at a", "2026-09-04T12:00:00")
    build(load_settings(repo), out)
    if moved_to:
        git(repo, "mv", "entries/glossary/a.md", f"entries/{moved_to}.md")
        commit_all(repo, "Rename the draft", "2026-09-05T12:00:00")
        build(load_settings(repo), out)
    now = moved_to or "glossary/a"
    write_entry(repo, now, {**entry, "title": "A again"})
    commit_all(repo, "Publish it", "2026-09-06T12:00:00")
    build(load_settings(repo), out)
    ids = _feed_ids(out)
    assert ids[f"{base}/glossary/b"] == f"{base}/glossary/a"
    assert ids[f"{base}/{now}"] == f"tag:{base.split('://', 1)[1]},2026-09-04:glossary/a"
    fresh = tmp_path / "fresh"
    build(load_settings(repo), fresh, use_cache=False)
    assert tree(out) == tree(fresh)
