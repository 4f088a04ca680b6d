"""The validate cache: a cached run gives exactly the diagnostics of a cold run."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import time
import types

import pytest
from hypothesis import given, settings as hyp_settings, strategies as st

import pipeline.cache as cache_mod
from conftest import REPO, commit_all, git, write_entry
from pipeline.cache import FILE_NAME, ValidateCache
from pipeline.config import load_settings
from pipeline.diagnostics import Diagnostic
from pipeline.validate import validate

TODAY = dt.date(2026, 11, 27)

GPTQ_BODY = """\
GPTQ quantizes weights one layer at a time [@gptq-paper].
It is about 20% faster than the naive method.
See [AWQ](/glossary/awq) and the [shared notes](/glossary/awq#kernels) [@shared-a].
"""
BIBLIOGRAPHY = """\
sources:
  - id: shared-a
    url: https://example.org/a
    title: Shared A
    accessed: 2026-01-01
  - id: shared-b
    url: https://example.org/b
    title: Shared B
    accessed: 2026-12-01
"""


def gptq(**changes) -> dict:
    data = {"title": "GPTQ", "status": "published", "summary": "A quantization method.",
            "authors": ["ana"], "published": "2026-01-10", "category": "Formats & quantization",
            "related": ["glossary/awq", "glossary/draft-term"],
            "sources": [{"id": "gptq-paper", "url": "https://arxiv.org/abs/2210.17323",
                         "title": "GPTQ", "accessed": "2026-12-15"},
                        {"id": "unused", "url": "https://example.org/u", "title": "Unused",
                         "accessed": "2026-01-01"}]}
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def problems(catalog):
    """The minimal catalog plus entries that break many rules (and the data files)."""
    (catalog / "data").mkdir()
    (catalog / "data" / "bibliography.yaml").write_text(BIBLIOGRAPHY, encoding="utf-8")
    shutil.copy(REPO / "data" / "affiliates.yaml", catalog / "data" / "affiliates.yaml")
    write_entry(catalog, "glossary/gptq", gptq(), GPTQ_BODY)
    write_entry(catalog, "glossary/draft-term", {
        "title": "Draft term", "status": "draft", "authors": ["ana"],
        "category": "Formats & quantization"})
    write_entry(catalog, "tools/sglang", {
        "title": "vLLM", "status": "published", "summary": "A serving engine.",
        "authors": ["ben"], "published": "2026-02-01", "repository": "https://github.com/x/y",
        "redirect_from": ["tools/vllm", "tools/sg-old"],
        "verdict": {"rating": "great", "text": "Fast.", "date": "2026-02-01", "by": "ghost"}},
        "Try it with [vLLM](/tools/vllm) or [missing](/tools/nope).\n")
    write_entry(catalog, "hardware/rtx-4090", {
        "title": "RTX 4090", "status": "published", "summary": "A GPU.", "authors": ["ana"],
        "published": "2026-03-01", "kind": "gpu", "vendor": "NVIDIA",
        "offers": [{"merchant": "Amazon",
                    "url": "https://www.amazon.com/dp/B0BJFRT43X?tag=someone-else-20"}],
        "verdict": {"rating": "recommended", "text": "Fast.", "date": "2026-03-01", "by": "ana"}})
    write_entry(catalog, "glossary/broken", "---\ntitle: [unclosed\n---\nBody.\n")
    write_entry(catalog, "glossary/Bad_Name", {"title": "Bad", "status": "draft",
                                               "authors": ["ana"], "category": "x"})
    return catalog


def run(root, today=TODAY, **kw):
    return validate(load_settings(root), today=today, **kw)


def same_as_cold(root, today=TODAY, **kw):
    """Run with the cache and without; assert they agree; return the diagnostics."""
    warm = run(root, today, **kw)
    cold = run(root, today, cache=False, **kw)
    assert [d.to_dict() for d in warm.diagnostics] == [d.to_dict() for d in cold.diagnostics]
    assert warm.entries == cold.entries
    return [(d.rule, d.file) for d in warm.diagnostics]


def rules(diags) -> set[str]:
    return {r for r, _ in diags}


def edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_the_problem_catalog_has_problems_of_every_kind(problems):
    found = rules(same_as_cold(problems))
    assert {"claim-uncited", "link-unpublished", "title-duplicate", "redirect-collision",
            "source-unused", "source-accessed-future", "schema", "author-unknown",
            "link-unresolved", "yaml-syntax", "file-name", "affiliate-foreign-tag"} <= found


def test_a_second_run_reuses_the_cache_and_agrees(problems):
    first = same_as_cold(problems)
    assert (problems / ".pipeline-cache" / FILE_NAME).is_file()
    assert same_as_cold(problems) == first


def test_edits_that_change_other_entries_results(problems):
    entries = problems / "entries"
    same_as_cold(problems)
    # a body edit: the uncited claim is cited now
    edit(entries / "glossary/gptq.md", "naive method.", "naive method [@gptq-paper].")
    assert ("claim-uncited", "entries/glossary/gptq.md") not in same_as_cold(problems)
    # the draft a published entry refers to is published: link-unpublished goes away
    edit(entries / "glossary/draft-term.md", "status: draft",
         "status: published\nsummary: A term.\npublished: '2026-04-01'")
    assert "link-unpublished" not in rules(same_as_cold(problems))
    # ... and a referenced entry is retired: link-unpublished on the referrers
    edit(entries / "glossary/awq.md", "status: published", "status: retired")
    after = same_as_cold(problems)
    assert ("link-unpublished", "entries/glossary/gptq.md") in after
    assert ("link-unpublished", "entries/tools/vllm.md") in after
    # a title change removes a duplicate; another creates one
    edit(entries / "tools/sglang.md", "title: vLLM", "title: SGLang")
    assert "title-duplicate" not in rules(same_as_cold(problems))
    edit(entries / "glossary/draft-term.md", "title: Draft term", "title: gptq")
    assert ("title-duplicate", "entries/glossary/gptq.md") in same_as_cold(problems)
    # an entry disappears: the references to it break
    (entries / "tools/vllm.md").unlink()
    after = same_as_cold(problems)
    assert ("link-unresolved", "entries/tools/sglang.md") in after
    assert ("redirect-collision", "entries/tools/sglang.md") not in after
    # a new entry claims the same old id as another one
    write_entry(problems, "tools/other", {
        "title": "Other", "status": "draft", "authors": ["ana"],
        "repository": "https://github.com/x/z", "redirect_from": ["tools/sg-old"]})
    assert ("redirect-collision", "entries/tools/sglang.md") in same_as_cold(problems)
    # a rename of the file
    os.rename(entries / "tools/other.md", entries / "tools/other-renamed.md")
    same_as_cold(problems)
    # an author disappears
    (entries / "authors/ben.md").unlink()
    assert ("author-unknown", "entries/tools/sglang.md") in same_as_cold(problems)


def test_the_bibliography_sources_cited_by_the_catalog(problems):
    same_as_cold(problems)
    gptq_md = problems / "entries/glossary/gptq.md"
    edit(gptq_md, "[@shared-a]", "")
    assert ("source-unused", "data/bibliography.yaml") in same_as_cold(problems)
    edit(gptq_md, "naive method.", "naive method [@shared-a; @shared-b].")
    assert "data/bibliography.yaml" not in {f for r, f in same_as_cold(problems)
                                            if r == "source-unused"}
    edit(problems / "data/bibliography.yaml", "2026-12-01", '"20261201"')
    assert ("source-accessed-future", "data/bibliography.yaml") in same_as_cold(problems)
    later = dt.date(2026, 12, 5)
    assert ("source-accessed-future", "data/bibliography.yaml") not in same_as_cold(
        problems, today=later)
    edit(problems / "data/bibliography.yaml", '"20261201"', "2026-01-02")
    assert ("source-accessed-future", "data/bibliography.yaml") not in same_as_cold(problems)


@pytest.mark.parametrize("accessed", ["2026-12-15", "20261215"])
def test_results_follow_the_day(problems, accessed):
    edit(problems / "entries/glossary/gptq.md", "2026-12-15", accessed)
    assert ("source-accessed-future", "entries/glossary/gptq.md") in same_as_cold(problems)
    # a day later the source is still in the future, but the message names the day
    assert ("source-accessed-future", "entries/glossary/gptq.md") in same_as_cold(
        problems, today=dt.date(2026, 11, 28))
    later = dt.date(2026, 12, 20)
    assert ("source-accessed-future", "entries/glossary/gptq.md") not in same_as_cold(
        problems, today=later)
    assert ("source-accessed-future", "entries/glossary/gptq.md") in same_as_cold(problems)


def test_bad_input_comes_and_goes(problems):
    broken = problems / "entries/glossary/broken.md"
    same_as_cold(problems)
    write_entry(problems, "glossary/broken", {
        "title": "Broken no more", "status": "draft", "authors": ["ana"],
        "category": "Formats & quantization"})
    assert ("yaml-syntax", "entries/glossary/broken.md") not in same_as_cold(problems)
    broken.write_bytes(b"---\ntitle: caf\xe9\n---\n")
    assert ("file-encoding", "entries/glossary/broken.md") in same_as_cold(problems)


def test_an_edit_that_keeps_size_and_mtime_is_seen(problems):
    path = problems / "entries/glossary/gptq.md"
    same_as_cold(problems)
    st = path.stat()
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("status: published", "status: published"[:-1] + "X"),
                    encoding="utf-8")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert path.stat().st_size == st.st_size
    assert ("schema", "entries/glossary/gptq.md") in same_as_cold(problems)


def test_an_edit_in_the_clock_tick_of_a_long_runs_read_is_seen(problems, monkeypatch):
    """A file is trusted by its stat unless it changed close to when the cache last knew
    it; that moment was the cache's save, the end of the run, not when the files were
    looked at. On 10,000 entries (5 s), a save in the clock tick of the file's read (a
    file system with whole-second times: HFS+, FAT, SMB) keeps the stat: the edit was
    never seen, run after run (found in review). Here the rest of the run takes a minute,
    and the file system shows the edited file with its stat of before."""
    path = problems / "entries/glossary/gptq.md"
    ahead = time.time_ns() + 30 * 10**9
    os.utime(path, ns=(ahead, ahead))  # saved just as the run looks at it
    clock, real_scan, real_stat, seen = {"shift": 0}, ValidateCache.scan, cache_mod.file_stat, {}
    monkeypatch.setattr(cache_mod, "time", types.SimpleNamespace(
        time_ns=lambda: time.time_ns() + clock["shift"]))

    def slow_scan(self, files):
        found = real_scan(self, files)
        clock["shift"] = 60 * 10**9  # the checks take a minute
        return found

    monkeypatch.setattr(ValidateCache, "scan", slow_scan)
    monkeypatch.setattr(cache_mod, "file_stat",
                        lambda full: seen.setdefault(full, real_stat(full)))
    same_as_cold(problems)
    edit(path, "status: published", "status: publishedX"[:-2] + "X")
    assert ("schema", "entries/glossary/gptq.md") in same_as_cold(problems)


def test_selections_agree_with_cold_runs(problems):
    same_as_cold(problems)
    same_as_cold(problems, paths=[str(problems / "entries/glossary")])
    edit(problems / "entries/glossary/awq.md", "status: published", "status: draft")
    same_as_cold(problems, paths=[str(problems / "entries/tools/vllm.md")])
    same_as_cold(problems)


def test_changed_since_agrees_with_a_cold_run(problems):
    git(problems, "init", "-q", "-b", "main")
    commit_all(problems, "Initial", "2026-09-01T12:00:00")
    same_as_cold(problems)
    edit(problems / "entries/glossary/awq.md", "status: published", "status: draft")
    edit(problems / "entries/hardware/rtx-4090.md", "rating: recommended", "rating: avoid")
    diags = same_as_cold(problems, changed_since="HEAD")
    assert ("link-unpublished", "entries/glossary/gptq.md") in diags
    assert ("affiliate-verdict-review", "entries/hardware/rtx-4090.md") in diags
    # the history rule does not stick to the entry in a later full run
    full = same_as_cold(problems)
    assert ("affiliate-verdict-review", "entries/hardware/rtx-4090.md") not in full


def test_a_changed_since_run_leaves_no_stale_result_in_the_cache(problems):
    """An entry changed against the revision keeps no results of that run; what it had
    from before is stale once another entry it refers to goes (found in review)."""
    git(problems, "init", "-q", "-b", "main")
    commit_all(problems, "Initial", "2026-09-01T12:00:00")
    edit(problems / "entries/tools/vllm.md", "A serving engine.", "A fast serving engine.")
    same_as_cold(problems)  # vllm's results, with glossary/awq there, are in the cache
    (problems / "entries/glossary/awq.md").unlink()
    diags = same_as_cold(problems, changed_since="HEAD")
    assert ("ref-unresolved", "entries/tools/vllm.md") in diags
    assert ("ref-unresolved", "entries/tools/vllm.md") in same_as_cold(problems)


def test_changed_since_reports_a_changed_file_that_no_longer_loads(problems):
    git(problems, "init", "-q", "-b", "main")
    commit_all(problems, "Initial", "2026-09-01T12:00:00")
    write_entry(problems, "glossary/new-term", '---\ntitle: "unclosed\n---\nBody.\n')
    edit(problems / "entries/glossary/awq.md", "title: AWQ", 'title: "AWQ')
    diags = same_as_cold(problems, changed_since="HEAD")
    assert ("yaml-syntax", "entries/glossary/new-term.md") in diags
    assert ("yaml-syntax", "entries/glossary/awq.md") in diags
    assert ("yaml-syntax", "entries/glossary/broken.md") not in diags  # not changed


def test_worker_processes_give_the_same_results(problems, monkeypatch):
    import pipeline.validate as v

    serial = run(problems, cache=False, jobs=1)
    monkeypatch.setattr(v, "PER_WORKER", 2)
    parallel = run(problems, cache=False, jobs=2)
    assert [d.to_dict() for d in parallel.diagnostics] == [d.to_dict() for d in serial.diagnostics]
    assert parallel.catalog is not None and set(parallel.catalog.entries) == set(
        serial.catalog.entries)


def test_workers_check_with_the_affiliate_programs_parsed_before_they_start(
        problems, monkeypatch, tmp_path):
    """The programs file is parsed once, before the workers are forked, not again in
    each of them: the same diagnostics as one process, with its programs, makes."""
    import pipeline.affiliates.programs as programs
    import pipeline.validate as v

    (problems / "data/affiliates.yaml").write_text(
        (problems / "data/affiliates.yaml").read_text() + "unknown_key: 1\n")
    serial = run(problems, cache=False, jobs=1)
    assert "affiliate-programs" in {d.rule for d in serial.diagnostics}
    where = tmp_path / "parsed-in"
    real = programs.parse_programs

    def parse(*args, **kw):
        with open(where, "a") as f:
            f.write(f"{os.getpid()}\n")
        return real(*args, **kw)

    monkeypatch.setattr(programs, "parse_programs", parse)
    monkeypatch.setattr(programs, "_last", None)
    monkeypatch.setattr(v, "PER_WORKER", 2)
    parallel = run(problems, cache=False, jobs=2)
    assert [d.to_dict() for d in parallel.diagnostics] == [d.to_dict() for d in serial.diagnostics]
    assert where.read_text().split() == [str(os.getpid())]


def test_workers_check_with_the_claims_made_once_before_they_start(
        problems, monkeypatch, tmp_path):
    """Who has which title and claims which old id, and the redirect loop, are made once
    from the stand-ins and sent to the workers, not made again in each of them: the same
    diagnostics as one process makes."""
    import pipeline.checks.publishing as publishing
    import pipeline.validate as v

    serial = run(problems, cache=False, jobs=1)
    assert {"title-duplicate", "redirect-collision"} <= {d.rule for d in serial.diagnostics}
    where = tmp_path / "made-in"
    real = publishing._claims

    def claims(entries):
        with open(where, "a") as f:
            f.write(f"{os.getpid()}\n")
        return real(entries)

    monkeypatch.setattr(publishing, "_claims", claims)
    monkeypatch.setattr(v, "PER_WORKER", 2)
    parallel = run(problems, cache=False, jobs=2)
    assert [d.to_dict() for d in parallel.diagnostics] == [d.to_dict() for d in serial.diagnostics]
    # here (and for the catalog's diagnostics, on their one stand-in), in no worker
    assert set(where.read_text().split()) == {str(os.getpid())}


def test_the_catalog_diagnostics_made_while_workers_check_are_those_made_after(
        problems, monkeypatch, tmp_path):
    """The diagnostics about no entry (the bibliography's) are made while the workers
    check the entries, from what the first pass found cited: the same as one process
    makes them after its checks, reported and kept in the cache alike."""
    import pipeline.validate as v

    alone = tmp_path / "alone"
    shutil.copytree(problems, alone, symlinks=True)
    serial = run(alone, jobs=1)
    monkeypatch.setattr(v, "PER_WORKER", 2)
    parallel = run(problems, jobs=2)
    assert [d.to_dict() for d in parallel.diagnostics] == [d.to_dict() for d in serial.diagnostics]
    assert {"source-unused", "source-accessed-future"} <= {
        d.rule for d in parallel.diagnostics if d.entry is None}
    kept = ValidateCache.open(load_settings(problems)).catalog
    assert kept is not None and kept == ValidateCache.open(load_settings(alone)).catalog
    assert same_as_cold(problems) == same_as_cold(alone)  # and used as it was kept


@pytest.mark.parametrize("jobs", [1, 2])
def test_checking_a_chunk_at_a_time_gives_the_same_results(problems, monkeypatch, jobs):
    """Entries are checked CHUNK at a time (the others stand in with their summaries): a
    title or an old id two entries share is found whichever chunks they are in."""
    import pipeline.validate as v

    whole = run(problems, cache=False, jobs=1)
    monkeypatch.setattr(v, "CHUNK", 1)
    monkeypatch.setattr(v, "PER_WORKER", 2)
    chunked = run(problems, cache=False, jobs=jobs)
    assert [d.to_dict() for d in chunked.diagnostics] == [d.to_dict() for d in whole.diagnostics]
    assert {"title-duplicate", "redirect-collision"} <= {d.rule for d in chunked.diagnostics}


def test_the_catalog_of_a_cached_run_is_whole(problems):
    same_as_cold(problems)
    result = run(problems)
    assert result.catalog.entries["glossary/gptq"].body.startswith("GPTQ quantizes")


# -- a cache that is damaged or stale is rebuilt, never trusted --------------------

def poison(root):
    """Plant a diagnostic in the cache that no check would make; return it."""
    settings = load_settings(root)
    store = ValidateCache.open(settings)
    record = store.records["entries/glossary/awq.md"]
    planted = ("entries/glossary/awq.md", 1, 1, "schema", "error", "planted", "", "glossary/awq")
    record.results["schema"] = (planted,)
    store.dirty = True
    store.save()
    return "planted"


def messages(root):
    return {d.message for d in run(root).diagnostics}


def test_poison_shows_that_the_cache_is_used(problems):
    run(problems)
    assert poison(problems) in messages(problems)


@pytest.mark.parametrize("damage", ["truncate", "garble", "empty", "not-marshal"])
def test_a_damaged_cache_is_rebuilt(problems, damage):
    cold = same_as_cold(problems)
    path = problems / ".pipeline-cache" / FILE_NAME
    poison(problems)
    raw = path.read_bytes()
    if damage == "truncate":
        path.write_bytes(raw[: len(raw) // 2])
    elif damage == "garble":
        path.write_bytes(raw[:-40] + bytes(b ^ 0x5A for b in raw[-40:]))
    elif damage == "empty":
        path.write_bytes(b"")
    else:
        payload = b"not marshal data at all"
        path.write_bytes(cache_mod.MAGIC + cache_mod._checksum(payload).encode() + b"\n" + payload)
    assert "planted" not in messages(problems)
    assert same_as_cold(problems) == cold
    assert ValidateCache.open(load_settings(problems)).records  # written again, sound


def test_a_record_of_the_wrong_shape_is_not_trusted(problems):
    import marshal

    run(problems)
    path = problems / ".pipeline-cache" / FILE_NAME
    raw = path.read_bytes()
    data = marshal.loads(raw[len(cache_mod.MAGIC) + 33:])
    data["records"]["entries/glossary/awq.md"] = ("too", "short")
    payload = marshal.dumps(data)
    path.write_bytes(cache_mod.MAGIC + cache_mod._checksum(payload).encode() + b"\n" + payload)
    assert ValidateCache.open(load_settings(problems)).records == {}
    same_as_cold(problems)


@pytest.mark.parametrize("change", ["schema", "settings", "version", "bibliography",
                                    "affiliates", "code"])
def test_a_stale_cache_is_not_trusted(problems, change, monkeypatch):
    run(problems)
    poison(problems)
    if change == "schema":
        edit(problems / "schemas/glossary.schema.json", '"Formats & quantization"',
             '"Formats & quantization", "Other"')
    elif change == "settings":
        edit(problems / "pipeline.toml", '# claim-uncited = "error"', 'claim-uncited = "error"')
    elif change == "version":
        monkeypatch.setattr(cache_mod, "__version__", "999.0")
    elif change == "bibliography":
        edit(problems / "data/bibliography.yaml", "Shared A", "Shared A, revised")
    elif change == "affiliates":
        with open(problems / "data/affiliates.yaml", "a", encoding="utf-8") as f:
            f.write("\n# a comment\n")
    else:
        monkeypatch.setattr(cache_mod, "FORMAT", cache_mod.FORMAT + 1)
    assert "planted" not in messages(problems)
    same_as_cold(problems)


def test_no_cache_neither_reads_nor_writes(problems):
    run(problems, cache=False)
    assert not (problems / ".pipeline-cache").exists()
    run(problems)
    poison(problems)
    assert "planted" not in {d.message for d in run(problems, cache=False).diagnostics}


def test_an_unwritable_cache_folder_is_no_error(problems):
    (problems / ".pipeline-cache").write_text("a file where the folder should be")
    first = same_as_cold(problems)
    assert same_as_cold(problems) == first


def test_a_named_file_that_does_not_load_is_reported(problems):
    named = [str(problems / "entries/glossary/broken.md")]
    assert ("yaml-syntax", "entries/glossary/broken.md") in same_as_cold(problems, paths=named)


def test_a_bibliography_source_cited_only_in_code_is_unused(problems):
    same_as_cold(problems)
    edit(problems / "entries/glossary/gptq.md", "[@shared-a]", "`[@shared-a]`")
    assert ("source-unused", "data/bibliography.yaml") in same_as_cold(problems)


def test_a_packed_entry_comes_back_whole(problems):
    """A worker keeps what it parsed as bytes between its passes (validate._Packed)."""
    from pipeline.catalog.loader import load_catalog
    from pipeline.validate import _Packed

    from pipeline.catalog.text import citations, internal_links

    entries = load_catalog(load_settings(problems))[0].entries.values()
    packed = _Packed()
    for entry in entries:
        carried = {"citations": list(citations(entry)), "internal_links": list(internal_links(entry))}
        packed.put(entry, carried)
    assert any(e.positions for e in entries) and any(e.body for e in entries)
    assert any(e.__dict__["citations"] for e in entries)
    assert any(e.__dict__["internal_links"] for e in entries)
    for entry in entries:
        assert entry.id in packed
        back = packed.pop(entry.id)
        assert back == entry
        # what was worked out comes back with it, as it was (not worked out again)
        for name in ("citations", "internal_links"):
            assert back.__dict__[name] == entry.__dict__[name]
        assert entry.id not in packed


def test_an_entry_packed_emptied_comes_back_as_one_packed_as_it_is(problems):
    """A worker empties the entry it packs (_Packed.put(..., emptied=True): it drops it
    after): what comes back is what a copy packed as it is gives, carried values too."""
    import copy

    from pipeline.catalog.loader import load_catalog
    from pipeline.catalog.text import citations, front_matter_found, prose_text, site_links
    from pipeline.validate import CARRIED, _Packed

    entries = list(load_catalog(load_settings(problems))[0].entries.values())
    as_is, emptied = _Packed(), _Packed()
    for entry in entries:
        citations(entry), prose_text(entry), site_links(entry, "")
        front_matter_found(entry, "front_matter_texts")
        carried = {n: entry.__dict__[n] for n in CARRIED if n in entry.__dict__}
        as_is.put(copy.deepcopy(entry), copy.deepcopy(carried))
        emptied.put(entry, carried, emptied=True)
        assert entry.__dict__ == {}
    for entry_id in sorted(as_is._at):
        one, other = as_is.pop(entry_id), emptied.pop(entry_id)
        assert one == other and one.__dict__ == other.__dict__
    assert not as_is._at and not emptied._at


def test_a_packed_entry_libyaml_read_comes_back_with_its_positions_shared():
    """A packed entry's positions are kept aside as they are (_Packed), not marshalled:
    those of a front matter libyaml reads (flow lists, block text: not yamlfast's) are
    shared with other entries' too, as yamlfast's are, and come back as they were."""
    from pipeline.catalog import yamlfast
    from pipeline.catalog.loader import parse_entry
    from pipeline.validate import _Packed

    text = ("---\ntitle: A\nstatus: draft\nrelated: [glossary/awq, tools/vllm]\n"
            "summary: |\n  two\n  lines\n---\nBody.\n")
    packed = _Packed()
    for slug in ("a", "b"):
        entry, _ = parse_entry(f"entries/glossary/{slug}.md", text.encode())
        assert entry.positions[("related", 1)] == (4, 25)
        assert all(yamlfast._PATHS.get(p) is p for p in entry.positions)
        kept = dict(entry.positions)
        packed.put(entry, {}, emptied=True)
        back = packed.pop(f"glossary/{slug}")
        assert back.positions == kept and list(back.positions) == list(kept)


def test_a_cached_file_that_cannot_be_read_again_is_a_problem_not_a_crash(problems, monkeypatch):
    """chmod 000 on a cached entry (root reads it anyway: the refusal is simulated)."""
    same_as_cold(problems)
    target = problems / "entries/glossary/gptq.md"
    edit(target, "A quantization method.", "A quantization method!")
    real_open = open

    def refusing(file, *args, **kw):
        if str(file) == str(target):
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kw)

    monkeypatch.setattr(cache_mod, "open", refusing, raising=False)
    import pipeline.validate as v
    monkeypatch.setattr(v, "open", refusing, raising=False)
    real_read = v.read_bytes  # how a file to parse is read (open's errors: tested below)

    def refusing_read(path, *size):
        if str(path) == str(target):
            raise PermissionError(13, "Permission denied", str(path))
        return real_read(path, *size)

    monkeypatch.setattr(v, "read_bytes", refusing_read)
    found = [(d.rule, d.file) for d in run(problems).diagnostics]
    assert ("file-unreadable", "entries/glossary/gptq.md") in found


def test_entries_sharing_a_title_are_named_in_path_order_cached_or_not(problems):
    """The cached run's catalog holds the known entries first: the messages listed the
    others in that order, not the cold run's (found in review)."""
    awq = (problems / "entries/glossary/awq.md").read_text(encoding="utf-8")
    (problems / "entries/glossary/zz.md").write_text(awq, encoding="utf-8")
    same_as_cold(problems)
    (problems / "entries/glossary/aa.md").write_text(awq, encoding="utf-8")
    same_as_cold(problems)


@pytest.mark.parametrize("title", ["AWQ", "A new term"])
def test_changed_since_reports_the_entries_a_new_entry_collides_with(problems, title):
    """A new entry at an id another entry claims in redirect_from, or with another's
    title: the other entry's problem is reported too, as a full run does (review)."""
    edit(problems / "entries/glossary/awq.md", "status: published",
         "status: published\nredirect_from: [glossary/old-awq]")
    git(problems, "init", "-q", "-b", "main")
    commit_all(problems, "Initial", "2026-09-01T12:00:00")
    awq = (problems / "entries/glossary/awq.md").read_text(encoding="utf-8")
    new = awq.replace("title: AWQ", f"title: {title}").replace(
        "redirect_from: [glossary/old-awq]\n", "")
    (problems / "entries/glossary/old-awq.md").write_text(new, encoding="utf-8")
    diags = same_as_cold(problems, changed_since="HEAD")
    assert ("redirect-collision", "entries/glossary/awq.md") in diags
    if title == "AWQ":
        assert ("title-duplicate", "entries/glossary/awq.md") in diags


def test_the_bibliography_is_checked_against_its_schema_and_no_bad_url_is_a_link(problems, cli,
                                                                                  tmp_path):
    """Nothing ran schemas/bibliography.schema.json: a `javascript:` URL of a shared
    source was published as a link (found in review)."""
    bib = problems / "data" / "bibliography.yaml"
    bib.write_text(BIBLIOGRAPHY.replace("https://example.org/a", "javascript:alert(1)")
                   + "  - id: Bad_Id\n    url: https://example.org/c\n    title: C\n"
                   "    accessed: someday\n    extra: 1\n", encoding="utf-8")
    lines = bib.read_text(encoding="utf-8").split("\n")

    def line_of(text):
        return next(i + 1 for i, line in enumerate(lines) if text in line)

    found = [(d.line, d.message) for d in run(problems).diagnostics if d.rule == "bibliography"]
    assert [line for line, _ in found] == sorted([line_of("javascript:"), line_of("Bad_Id"),
                                                  line_of("someday"), line_of("extra: 1")])
    assert same_as_cold(problems).count(("bibliography", "data/bibliography.yaml")) == 4
    from pipeline.publish.pages import out_link
    assert out_link("javascript:alert(1)", "A", {"links": []}, "homepage") == "A"
    assert out_link(" javascript:x", "<b>", {"links": []}, "homepage") == "&lt;b&gt;"
    assert 'href="https://x.org/"' in out_link("https://x.org/", "x", {"links": []}, "homepage")


# -- what a killed run leaves -------------------------------------------------------

KILLED_WHILE_SAVING = """\
import os, sys
replace = os.replace

def held(src, dst, *args, **kw):  # the cache is written whole: hold before its rename
    if os.path.basename(str(src)).startswith(".validate.cache."):
        print("saving", flush=True)
        sys.stdin.read()
    return replace(src, dst, *args, **kw)

os.replace = held
from pipeline.cli import main
main()
"""


def test_a_run_killed_while_saving_leaves_no_temporary_file_for_good(catalog, cli):
    """`kill -9` while the cache was saved left `.validate.cache.<hex>.tmp` (several MB on
    a big catalog) for good (found in review); a later run removes it once no live run
    can be writing it, and nothing of another name."""
    import signal
    import subprocess
    import sys

    folder = catalog / ".pipeline-cache"
    run = subprocess.Popen([sys.executable, "-c", KILLED_WHILE_SAVING, "--root", str(catalog),
                            "validate"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE)
    try:
        assert run.stdout.readline() == b"saving\n", run.stderr.read()
    finally:
        run.send_signal(signal.SIGKILL)
        run.wait()
        run.stdout.close(), run.stderr.close(), run.stdin.close()
    [left] = folder.glob(".validate.cache.*.tmp")
    assert not (folder / FILE_NAME).exists()
    others = [folder / ".validate.cache.notes.tmp", folder / ".validate.cache.0123456789abcdef",
              folder / "validate.cache.0123456789abcdef.tmp", folder / "drafts" / left.name]
    (folder / "drafts").mkdir()
    for path in others:
        path.write_text("not the pipeline's")
    assert cli(catalog, "validate").exit_code == 0
    assert left.exists()  # it may be a live run's: another run may be saving right now
    hour_ago = time.time() - 3601
    for path in [left, *others]:
        os.utime(path, (hour_ago, hour_ago))
    assert cli(catalog, "validate").exit_code == 0
    assert not left.exists()
    assert all(path.read_text() == "not the pipeline's" for path in others)


def _ids_by_values_under(entry, schemas) -> set[str]:
    """references_of's front-matter ids as it found them before its lookup of lists."""
    from pipeline.schemas import values_under

    out: set[str] = set()
    for fld in schemas.ref_fields(entry.collection):
        for value in values_under(entry.data, fld.path):
            if isinstance(value, str):
                out.update([value] if "/" in value else
                           (f"{c}/{value}" for c in fld.collections))
    return out


_REF_SCHEMAS = None


def _ref_schemas():
    global _REF_SCHEMAS
    if _REF_SCHEMAS is None:
        from pipeline.fastschema import FastSchemaSet

        _REF_SCHEMAS = FastSchemaSet.load(REPO / "schemas")
    return _REF_SCHEMAS


_STEPS = ["authors", "reviewed_by", "related", "verdict", "by", "results", "measured_by",
          "picks", "entry", "model", "tool", "hardware", "applies_to", "*", "title"]
_LEAF = st.one_of(st.none(), st.integers(-2, 2), st.sampled_from(
    ["awq", "glossary/awq", "tools/vllm", "", "/", "lead-editor", "a/b/c", "*"]))
_VALUES = st.recursive(_LEAF, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(_STEPS), inner, max_size=4)),
    max_leaves=12)


@hyp_settings(max_examples=400, deadline=None)
@given(collection=st.sampled_from(["authors", "benchmarks", "errors", "glossary", "guides",
                                   "hardware", "models", "pages", "tools"]),
       data=st.dictionaries(st.sampled_from(_STEPS), _VALUES, max_size=8))
def test_references_of_finds_the_ids_values_under_finds(collection, data):
    """references_of reads a list of ids (`related: [...]`) as a lookup: the ids are
    those values_under finds, whatever the front matter holds."""
    from pipeline.catalog.model import Entry
    from pipeline.validate import references_of

    entry = Entry(id=f"{collection}/x", collection=collection, slug="x",
                  file=f"entries/{collection}/x.md", data=data, body="", body_line=1)
    schemas = _ref_schemas()
    assert references_of(entry, schemas) == _ids_by_values_under(entry, schemas)


_LINKED_PATHS = ["/glossary/awq", "/Glossary/AWQ", "/glosary/awq", "/glossary/awq/", "/tools",
                 "/", "/a/b/c", "/glossary/Awq", "/authors/x#y", "/pages/about"]


@hyp_settings(max_examples=300, deadline=None, derandomize=True)
@given(st.lists(st.lists(st.sampled_from(_LINKED_PATHS), max_size=5), min_size=1, max_size=4),
       st.integers(min_value=1, max_value=3))
def test_references_of_finds_the_ids_each_link_names_afresh(bodies, kept):
    """references_of keeps the ids a site path refers to (validate._LINKED, emptied when
    full): each entry's are those path_to_id and link_meant give for its links afresh."""
    import pipeline.validate as v
    from pipeline.catalog.model import Entry
    from pipeline.catalog.text import path_to_id, site_links
    from pipeline.checks.references import link_meant

    v._LINKED.clear()
    old = v._LINKED_KEPT
    v._LINKED_KEPT = kept  # a memo that fills up and starts again
    try:
        for _ in range(2):  # the memo empty, then holding these paths
            for paths in bodies:
                body = "".join(f"See [x]({p}).\n" for p in paths)
                entry = Entry(id="glossary/x", collection="glossary", slug="x",
                              file="entries/glossary/x.md", data={}, body=body, body_line=1)
                afresh = set()
                for link in site_links(entry, ""):
                    target = path_to_id(link[2])
                    if target:
                        afresh.add(target)
                        afresh.update([link_meant(link[2])] if link_meant(link[2]) else [])
                assert v.references_of(entry, _ref_schemas()) == afresh
    finally:
        v._LINKED_KEPT = old
        v._LINKED.clear()


def _plan_eagerly(records, by_id, targets, facts, always, day, local, catalog_wide,
                  wanted=None):
    """cache.plan as it was, working out every record's dependencies first."""
    full, catalog_only = set(), set()
    local_wanted = local if wanted is None else local & wanted
    wide_wanted = catalog_wide if wanted is None else catalog_wide & wanted
    skipped = (local | catalog_wide) - (local_wanted | wide_wanted)
    for entry_id, path in by_id.items():
        r = records[path]
        hit = bool(facts) and not facts.isdisjoint(r.dependencies())
        if entry_id not in targets:
            if hit:
                for family in catalog_wide:
                    r.results.pop(family, None)
            continue
        if hit and (entry_id in always or not skipped.isdisjoint(catalog_wide)):
            for family in catalog_wide:
                r.results.pop(family, None)
        known = r.results.keys()
        if entry_id in always or not local_wanted <= known or not r.dated_ok(day):
            full.add(entry_id)
            for family in skipped:
                r.results.pop(family, None)
        elif hit or not wide_wanted <= known:
            catalog_only.add(entry_id)
    return full, catalog_only


_FAMILIES = ("schema", "references", "citations", "claims", "publishing", "affiliates")
_IDS = ["glossary/a", "glossary/b", "tools/c", "tools/d"]
_RECORD = st.fixed_dictionaries({
    "results": st.dictionaries(st.sampled_from(_FAMILIES), st.just(()), max_size=6),
    "refs": st.lists(st.sampled_from(_IDS + ["glossary/gone"]), max_size=3),
    "summary": st.fixed_dictionaries({}, optional={
        "title": st.sampled_from(["A", "a ", "B"]),
        "redirect_from": st.lists(st.sampled_from(["glossary/old", "tools/c"]), max_size=2)}),
    "checked_on": st.sampled_from(["", "2026-01-01", "2026-01-02"]),
    "dates": st.lists(st.sampled_from(["2025-12-31", "2026-01-02", "2026-02-01"]), max_size=2)})


@hyp_settings(max_examples=400, deadline=None)
@given(made=st.lists(_RECORD, min_size=len(_IDS), max_size=len(_IDS)),
       targets=st.sets(st.sampled_from(_IDS)), always=st.sets(st.sampled_from(_IDS)),
       facts=st.sets(st.sampled_from([("id", "glossary/a"), ("id", "glossary/gone"),
                                      ("title", "glossary", "a"), ("claim", "glossary/old"),
                                      cache_mod.REDIRECTS])),
       wanted=st.one_of(st.none(), st.frozensets(st.sampled_from(_FAMILIES))))
def test_plan_works_out_dependencies_only_where_they_matter(made, targets, always, facts,
                                                            wanted):
    """plan skips the dependencies of a record with no results (a cold run's): the plan
    and what it leaves of the results are those of working them all out."""
    from pipeline.cache import Record, plan

    def records():
        return {f"entries/{i}.md": Record(
            stat=(), digest="", entry=(i, i.split("/")[0], i.split("/")[1], dict(m["summary"])),
            refs=tuple(m["refs"]), dates=tuple(m["dates"]), checked_on=m["checked_on"],
            results=dict(m["results"])) for i, m in zip(_IDS, made)}

    by_id = {i: f"entries/{i}.md" for i in _IDS}
    local = frozenset(("schema", "citations", "claims", "affiliates"))
    wide = frozenset(("references", "publishing"))
    now, then = records(), records()
    assert plan(now, by_id, targets, facts, always, "2026-01-02", local, wide, wanted) \
        == _plan_eagerly(then, by_id, targets, facts, always, "2026-01-02", local, wide, wanted)
    assert {p: r.results for p, r in now.items()} == {p: r.results for p, r in then.items()}


@hyp_settings(max_examples=200, deadline=None)
@given(made=st.lists(_RECORD, min_size=len(_IDS), max_size=len(_IDS)),
       targets=st.sets(st.sampled_from(_IDS)),
       wanted=st.one_of(st.none(), st.frozensets(st.sampled_from(_FAMILIES))))
def test_a_cold_run_needs_no_changed_facts(made, targets, wanted):
    """With no records saved, ValidateCache.changes gives no facts: the plan of new
    records (no results, never checked) is the same with every fact they hold."""
    from pipeline.cache import Record, plan

    def records():
        return {f"entries/{i}.md": Record(
            stat=(), digest="", entry=(i, i.split("/")[0], i.split("/")[1], dict(m["summary"])),
            refs=tuple(m["refs"]), dates=tuple(m["dates"])) for i, m in zip(_IDS, made)}

    by_id = {i: f"entries/{i}.md" for i in _IDS}
    fresh = [(p, p, (), None) for p in records()]
    cold = ValidateCache(None, "")
    assert cold.changes(records(), fresh) == set()
    every = ValidateCache(None, "")
    every.records = {"entries/x/y.md": Record(stat=(), digest="")}  # one saved: worked out
    now = records()
    facts = every.changes(now, fresh)
    assert facts
    local = frozenset(("schema", "citations", "claims", "affiliates"))
    wide = frozenset(("references", "publishing"))
    assert plan(records(), by_id, targets, set(), set(), "2026-01-02", local, wide, wanted) \
        == plan(now, by_id, targets, facts, set(), "2026-01-02", local, wide, wanted)


@hyp_settings(max_examples=60, deadline=None, derandomize=True)
@given(st.binary(max_size=300) | st.integers(0, 3).map(lambda n: os.urandom((1 << 16) * n + n)))
def test_a_file_is_read_as_open_reads_it(tmp_path_factory, data):
    """validate.read_bytes, which reads an entry file without a file object, against
    open().read(): the same bytes, empty, short or past its chunks of 64 KiB."""
    from pipeline.validate import read_bytes

    path = tmp_path_factory.mktemp("read") / "x.md"
    path.write_bytes(data)
    with open(path, "rb") as f:
        assert read_bytes(str(path)) == f.read() == data
    # with the size its stat gave, as validate reads a file the scan found: the same,
    # and the same when the file has grown or shrunk since
    for size in {len(data), len(data) + 1, max(0, len(data) - 1), 0, len(data) // 2}:
        assert read_bytes(str(path), size) == data


def test_a_file_that_cannot_be_read_is_reported_as_open_reports_it(tmp_path):
    """A folder where an entry file was, or a file gone: the same problem as open()'s."""
    from pipeline.catalog.loader import unreadable
    from pipeline.validate import read_bytes

    (tmp_path / "folder.md").mkdir()
    for name in ("folder.md", "gone.md"):
        found = []
        for read in (read_bytes, lambda p: open(p, "rb").read()):  # noqa: SIM115
            with pytest.raises(OSError) as e:
                read(str(tmp_path / name))
            found.append(unreadable(name, e.value).to_dict())
        assert found[0] == found[1]


def test_the_collector_is_back_after_each_chunk(problems, monkeypatch):
    """The cyclic garbage collector is off while a chunk of entries is checked
    (validate._collected_after), and back on after it, a failing check too; one the
    caller turned off stays off. A cycle the checks make is collected after."""
    import gc
    import weakref

    import pipeline.validate as v

    class Node:
        pass

    enabled, cycles = [], []
    real = v._check_chunk

    def spying(*args):
        enabled.append(gc.isenabled())
        cycle = Node()
        cycle.me = cycle
        cycles.append(weakref.ref(cycle))
        return real(*args)

    monkeypatch.setattr(v, "_check_chunk", spying)
    monkeypatch.setattr(v, "CHUNK", 2)
    diags = [d.to_dict() for d in run(problems, cache=False, jobs=1).diagnostics]
    assert gc.isenabled() and len(enabled) > 1 and not any(enabled)
    gc.collect()
    assert not any(ref() for ref in cycles)
    monkeypatch.setattr(v, "_check_chunk", real)
    monkeypatch.setattr(v, "CHUNK", 1000)
    assert diags == [d.to_dict() for d in run(problems, cache=False, jobs=1).diagnostics]
    with pytest.raises(ZeroDivisionError), v._collected_after():
        1 / 0
    assert gc.isenabled()
    gc.disable()
    try:
        with v._collected_after():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def _rglob_sources(top) -> list[tuple[str, str]]:
    """What the cache key read first: sorted(rglob), as paths relative to the package."""
    return [(p.relative_to(top).as_posix(), str(p)) for p in sorted(top.rglob("*.py"))]


_NAMES = st.sampled_from(["a", "a_b", "a-b", "a.b", "B", ".h", "a.py", "z.py", ".py"])


@hyp_settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(_NAMES, min_size=1, max_size=3), max_size=8),
       st.booleans())
def test_the_package_sources_are_those_rglob_finds_in_its_order(paths, linked):
    """The cache key hashes the package's `*.py` files found by one os.walk: the same
    names, in the same order, as `sorted(Path.rglob("*.py"))`, which it read before."""
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        top = Path(folder) / "pkg"
        top.mkdir()
        for parts in paths:
            *dirs, name = parts
            at = top.joinpath(*dirs)
            if at.exists() and not at.is_dir():
                continue
            try:
                at.mkdir(parents=True, exist_ok=True)
                if not (at / name).exists():
                    (at / name).write_text("x")
            except (FileExistsError, NotADirectoryError):
                continue  # a file where a folder was to be
        if linked:
            (top / "linked.py").symlink_to(top, target_is_directory=True)
        original = cache_mod._PACKAGE
        cache_mod._PACKAGE = top
        try:
            assert cache_mod._package_sources() == _rglob_sources(top)
        finally:
            cache_mod._PACKAGE = original
    assert cache_mod._package_sources() == _rglob_sources(cache_mod._PACKAGE)


DATE_PIECES = ["2026", "-", "01", "12", "31", "02-29", "T", "10:00", ":00", "Z", "+01:00", ".5",
               " ", "W01", "x", "0"]


@hyp_settings(max_examples=300, deadline=None, derandomize=True)
@given(st.lists(st.lists(st.sampled_from(DATE_PIECES), max_size=8).map("".join), max_size=12),
       st.integers(min_value=1, max_value=4))
def test_the_dates_summarised_are_those_each_text_reads_as(texts, kept):
    """summarize's dates come from a memo of what each text read as (cache._DAYS, emptied
    when full): they are what iso_day makes of every text afresh, interned, and the
    record's are those sorted, once each."""
    import sys

    from pipeline.catalog.model import Entry

    cache_mod._DAYS.clear()
    old = cache_mod._DAYS_KEPT
    cache_mod._DAYS_KEPT = kept  # a memo that fills up and starts again, again and again
    try:
        for _ in range(2):  # the memo empty, then holding these texts
            entry = Entry(id="tools/t", collection="tools", slug="t", file="tools/t.md",
                          data={f"k{i}": t for i, t in enumerate(texts)}, body="",
                          body_line=1)
            # the texts the front matter's walk takes for dates, each read afresh
            found = [cache_mod.iso_day(t) for t in texts if t[:4].isdigit() and 7 <= len(t) <= 40]
            found = [d for d in found if d]
            days = cache_mod._dates(entry)
            assert days == found
            assert all(d is sys.intern(d) for d in days)
            record = cache_mod.summarize(entry, set(), set(), [], (0, 0, 0, 0))
            assert record.dates == tuple(sorted({sys.intern(d) for d in found}))
    finally:
        cache_mod._DAYS_KEPT = old
        cache_mod._DAYS.clear()


@hyp_settings(max_examples=200, deadline=None, derandomize=True)
@given(st.lists(st.builds(
    Diagnostic, file=st.text(max_size=5), line=st.integers(0, 9), column=st.integers(0, 9),
    rule=st.sampled_from(["link-unresolved", "schema"]),
    severity=st.sampled_from(["error", "warning"]), message=st.text(max_size=8),
    hint=st.text(max_size=4), entry=st.one_of(st.none(), st.text(max_size=5))), max_size=4))
def test_rows_are_each_diagnostics_fields_in_order(diags):
    """cache.rows (by attrgetter) stores each diagnostic as the tuple of its fields, in
    their order, as it did field by field; diagnostics() makes them back."""
    from dataclasses import fields

    stored = cache_mod.rows(diags)
    assert stored == tuple(tuple(getattr(d, f.name) for f in fields(Diagnostic))
                           for d in diags)
    assert cache_mod.diagnostics(stored) == diags


_BIB = {"smith-2020": {}, "smith": {}, "jones_2021": {}, "a.b": {}}
_CITE_PIECES = st.sampled_from([
    "[@", "@", "smith-2020", "smith", "jones_2021", "jones\\_2021", "a.b", "other", "\\@",
    "; ", "]", " ", "\n", "`", "```\n", "    ", "<!-- ", "-->", "<!-- no-cite -->", "&#64;",
    "x", "-", "[see @", "{", "}", "\t", "[@smith]", "[@smith-2020; @a.b]", "[@jones\\_2021]",
    "[@jones_2021, p. 3]", "[-@smith]", "`[@smith]`", "<!-- [@a.b] -->", "[@smith-2020x]",
    "[@&#64;smith]", "[@other]"])


@hyp_settings(max_examples=300, deadline=None, derandomize=True)
@given(st.lists(_CITE_PIECES, max_size=30).map("".join),
       st.lists(st.sampled_from(["smith", "jones_2021", "other", "a.b"]), max_size=2),
       st.lists(st.sampled_from(["smith-2020", "smith", "a.b", "other"]), max_size=2))
def test_the_sources_an_entry_cites_from_the_bibliography_as_before(body, own, cites):
    """validate.cited_from_bibliography reads the body's citations as they are, without
    the search of the body for `@<id>` of a bibliography id that came first: the same
    sources as with it (escaped ids, ids that start others', code, comments), on bodies
    made of a citation's pieces."""
    import re

    from pipeline.catalog.loader import parse_entry
    from pipeline.catalog.text import citations, front_matter_sources
    from pipeline.validate import cited_from_bibliography

    def before(entry):
        mention = re.compile("@(?:" + "|".join(
            re.escape(i) for i in sorted(_BIB, key=len, reverse=True)) + ")")
        cited = {sid for _, sid in front_matter_sources(entry)}
        if mention.search(entry.body):
            cited.update(sid for _, _, sid in citations(entry))
        own_ids = {s["id"] for s in entry.sources() if isinstance(s.get("id"), str)}
        return {sid for sid in cited if sid in _BIB and sid not in own_ids}

    front = "title: T\nstatus: draft\n"
    if own:
        front += "sources:\n" + "".join(f"  - id: {i}\n    title: S\n" for i in own)
    if cites:
        front += "cites:\n" + "".join(f"  - source: {i}\n" for i in cites)
    entry, _ = parse_entry("entries/glossary/t.md", f"---\n{front}---\n{body}".encode())
    assert entry is not None
    assert cited_from_bibliography(entry, _BIB) == before(entry)
    assert cited_from_bibliography(entry, {}) == set()


@hyp_settings(max_examples=200, deadline=None, derandomize=True)
@given(st.sets(st.text(st.sampled_from("ab/-é"), max_size=6)))
def test_a_records_ids_are_sorted_and_interned_as_before(strings):
    """cache._interned sorts a set's strings and then interns them: the same tuple as
    interning them, making a set and sorting it, each string the interned one."""
    import sys

    from pipeline.cache import _interned

    made = _interned({"".join(list(s)) for s in strings})  # not the interned ones
    assert made == tuple(sorted(set(map(sys.intern, strings))))
    assert all(s is sys.intern(s) for s in made)


def test_a_stand_in_is_the_entry_its_fields_name():
    """cache.stub gives Entry's fields by position: the same entry as by their names (a
    field added or moved in Entry would otherwise shift them)."""
    from pipeline.cache import stub
    from pipeline.catalog.model import Entry

    summary = {"title": "AWQ", "status": "published"}
    assert stub("entries/glossary/awq.md", ("glossary/awq", "glossary", "awq", summary)) == \
        Entry(id="glossary/awq", collection="glossary", slug="awq",
              file="entries/glossary/awq.md", data=summary, body="", body_line=1)


@hyp_settings(max_examples=50, deadline=None, derandomize=True)
@given(st.lists(st.sampled_from(["prose_text", "citations", "body_lines", "site_links",
                                 "front_matter_plain", "x"]), unique=True))
def test_what_was_worked_out_from_an_entry_is_forgotten_its_fields_kept(names):
    """validate._forget_derived drops every name that is not one of Entry's fields (found
    by a set's difference), and keeps the fields as they were."""
    from pipeline.catalog.model import Entry
    from pipeline.validate import _forget_derived

    entry = Entry(id="glossary/awq", collection="glossary", slug="awq", file="f", data={},
                  body="b", body_line=3, positions={("title",): (2, 1)}, digest="d")
    fields = dict(entry.__dict__)
    entry.__dict__.update({n: [n] for n in names})
    _forget_derived(entry)
    assert entry.__dict__ == fields


_REF_VALUES = st.one_of(st.sampled_from(["vllm", "tools/vllm", "awq", "ana", "a/b/c", ""]),
                        st.integers(0, 2), st.none())
_REF_MAPPINGS = st.dictionaries(st.sampled_from(["by", "entry", "x"]), _REF_VALUES, max_size=2)
_REF_DATA = st.dictionaries(
    st.sampled_from(["authors", "reviewed_by", "related", "see_also", "tool", "model",
                     "hardware", "verdict", "picks", "errors", "guides", "title"]),
    st.one_of(_REF_VALUES, st.lists(_REF_VALUES | _REF_MAPPINGS, max_size=3), _REF_MAPPINGS),
    max_size=6)


@hyp_settings(max_examples=300, deadline=None, derandomize=True)
@given(st.sampled_from(["glossary", "benchmarks", "tools", "hardware", "guides", "authors"]),
       _REF_DATA | st.lists(_REF_VALUES, max_size=2))
def test_the_ids_an_entry_refers_to_in_its_front_matter_as_each_place_reads(collection, data):
    """validate.references_of reads each place of a collection's schemas from a plan made
    once (the key of a list of ids, the `<collection>/` a slug is given): the ids of
    reading every place with schemas.values_under, as before, on front matter of every
    shape (lists, single values, mappings, numbers, ids and slugs)."""
    from pipeline.catalog.model import Entry
    from pipeline.fastschema import FastSchemaSet
    from pipeline.schemas import values_under
    from pipeline.validate import references_of

    schemas = FastSchemaSet.load(REPO / "schemas")
    expected = set()
    for fld in schemas.ref_fields(collection):
        for value in values_under(data, fld.path):
            if isinstance(value, str):
                expected.update([value] if "/" in value
                                else [f"{c}/{value}" for c in fld.collections])
    entry = Entry(id=f"{collection}/t", collection=collection, slug="t",
                  file=f"entries/{collection}/t.md", data=data, body="Text.\n", body_line=3)
    assert references_of(entry, schemas) == expected


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_checked_entry_has_a_result_for_each_family_found_or_not(problems, monkeypatch, jobs):
    """The check pass stores, for each entry checked, every family it ran on it: () where
    it found nothing (kept as it is, not made from an empty list each time), its
    diagnostics' rows where it found some; a warm run reports them as a cold one."""
    import pipeline.validate as v
    from pipeline.checks import CHECK_MODULES

    monkeypatch.setattr(v, "PER_WORKER", 1)
    cold = run(problems, jobs=jobs)
    records = ValidateCache.open(load_settings(problems)).records
    found = 0
    for record in records.values():
        if record.entry is None:
            continue
        assert list(record.results) == list(v.CATALOG_FAMILIES) + list(v.LOCAL_MODULES)
        assert set(record.results) == set(CHECK_MODULES)
        for stored in record.results.values():
            assert type(stored) is tuple and all(type(row) is tuple for row in stored)
            found += len(stored)
    assert found
    assert [d.to_dict() for d in run(problems, jobs=jobs).diagnostics] == \
        [d.to_dict() for d in cold.diagnostics]
