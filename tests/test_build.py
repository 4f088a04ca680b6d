"""`build()`: refuses invalid catalogs, and is safe, deterministic, atomic and incremental."""

from __future__ import annotations

import os
import pickle
import shutil
from pathlib import Path

import pytest

from click.testing import CliRunner
from hypothesis import given, settings, strategies as st

from conftest import CountingBar, write_entry
from pipeline.cli import main
from pipeline.config import COLLECTIONS, load_settings
from pipeline import validate as validate_module
from pipeline.publish import build as build_module
from pipeline.errors import PipelineError
from pipeline.publish import lists, pages, pool, render
from pipeline.publish import validation as validation_module
from pipeline.publish.build import ValidationFailed, build
from pipeline.publish.output import MARKER, OutputError
from test_publish_catalog import hostile_body, make_exl2_catalog


@pytest.fixture
def exl2(tmp_path) -> Path:
    return make_exl2_catalog(tmp_path / "exl2")


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` (relative path -> bytes)."""
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def run(root: Path, out: Path, **kw):
    return build(load_settings(root), out, **kw)


# -- refusing ---------------------------------------------------------------

def test_a_catalog_with_errors_is_refused_with_the_validate_report(exl2, tmp_path):
    out = tmp_path / "out"
    run(exl2, out)
    before = tree(out)
    path = exl2 / "entries/glossary/awq.md"
    path.write_text(path.read_text().replace("category: Formats & quantization",
                                             "category: Nonsense"))
    with pytest.raises(ValidationFailed) as e:
        run(exl2, out)
    message = str(e.value)
    assert "nothing was published" in message
    assert "entries/glossary/awq.md\n  entries/glossary/awq.md:" in message  # validate's text
    assert "error schema: category: 'Nonsense' is not one of" in message
    assert "Checked 13 entries: 1 error, 0 warnings." in message
    assert tree(out) == before


def _built_then_edited(exl2: Path, out: Path) -> dict[str, bytes]:
    """Build `exl2` into `out`, then append a sentence to every entry -> the output built."""
    run(exl2, out)
    before = tree(out)
    for entry in exl2.glob("entries/*/*.md"):
        entry.write_text(entry.read_text() + "\nEdited.\n")
    return before


def test_a_build_told_to_stop_stops_at_the_next_entry_and_publishes_nothing(
        exl2, tmp_path, monkeypatch):
    """`pipeline serve`'s Ctrl-C reached no rebuild: it ran on in the watcher's thread
    (found in review). With one job, the entry after the stop is where it ends."""
    import threading

    from pipeline.publish.build import BuildStopped

    out = tmp_path / "out"
    before = _built_then_edited(exl2, out)
    stop, real, seen = threading.Event(), build_module.prepare, []

    def prepare_then_stop(state, rel, *args):
        seen.append(rel)
        stop.set()  # as Ctrl-C, while the first entry is rendered
        real(state, rel, *args)

    monkeypatch.setattr(build_module, "prepare", prepare_then_stop)
    with pytest.raises(BuildStopped):
        run(exl2, out, jobs=1, stop=stop)
    assert len(seen) == 1 and tree(out) == before
    assert not list(exl2.glob(".pipeline-cache/build/spill-*"))
    monkeypatch.undo()
    run(exl2, out, jobs=1, stop=threading.Event())  # the folder's lock was let go
    assert "Edited." in (out / "glossary/awq.html").read_text()


def test_a_build_told_to_stop_while_it_checks_stops_at_the_next_chunk(
        exl2, tmp_path, monkeypatch):
    """The stop was seen only once validate's checks were all done (half a second on 3,000
    entries, more on bigger catalogs; found in review): with one job, it is seen before
    each chunk of entries is checked."""
    import threading

    from pipeline.publish.build import BuildStopped

    out = tmp_path / "out"
    before = _built_then_edited(exl2, out)
    stop, real, chunks = threading.Event(), validate_module._check_chunk, []

    def check_then_stop(state, chunk, *args):
        chunks.append(chunk)
        stop.set()  # as Ctrl-C, while the first chunk is checked
        real(state, chunk, *args)

    monkeypatch.setattr(validate_module, "CHUNK", 1)
    monkeypatch.setattr(validate_module, "_check_chunk", check_then_stop)
    with pytest.raises(BuildStopped):
        run(exl2, out, jobs=1, stop=stop)
    assert len(chunks) == 1 and tree(out) == before
    assert not list(exl2.glob(".pipeline-cache/build/spill-*"))


def test_the_output_folder_must_be_a_build_output(catalog, tmp_path):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me")
    with pytest.raises(OutputError, match="was not written by `pipeline build`"):
        run(catalog, mine)
    assert (mine / "notes.txt").read_text() == "keep me"
    with pytest.raises(OutputError, match="holds the catalog"):
        run(catalog, catalog)
    with pytest.raises(OutputError, match="holds the catalog"):
        run(catalog, catalog.parent)
    empty = tmp_path / "empty"
    empty.mkdir()
    run(catalog, empty)
    assert (empty / MARKER).is_file() and (empty / "tools/vllm.html").is_file()


# -- what no output may contain ---------------------------------------------

def test_script_event_handlers_and_javascript_links_reach_no_output_file(exl2, tmp_path):
    write_entry(exl2, "glossary/hostile", {
        "title": "<script>document.title</script> Hostile", "status": "published",
        "summary": "<script src=//evil.example/x.js></script> A summary.",
        "authors": ["tools-editor"], "published": "2026-10-02",
        "category": "Formats & quantization", "aka": ["<script>x</script>"]},
        hostile_body())
    out = tmp_path / "out"
    run(exl2, out)
    files = tree(out)
    assert "glossary/hostile.html" in files and "glossary/hostile.json" in files
    for rel, data in files.items():
        text = data.decode("utf-8").lower()
        for bad in ("alert(", "onerror", "onclick", "onmouseover", "javascript:", "<iframe"):
            assert bad not in text, f"{bad} in {rel}"
        scripts = text.count("<script")
        assert scripts == (1 if rel == "search.html" else 0), rel  # only our search script
    page = files["glossary/hostile.html"].decode()
    # front-matter text is escaped: readers see it as text, browsers never run it
    assert "<h1>&lt;script&gt;document.title&lt;/script&gt; Hostile</h1>" in page
    assert b"\\u003cscript\\u003edocument.title" in files["glossary/hostile.json"]


def test_pages_are_what_jinjas_own_escaping_makes(exl2, tmp_path, monkeypatch):
    """`{{ }}` in pages skips the Markup object Jinja wraps each value in: the pages are
    byte for byte what Jinja's own escaping gives, hostile front matter included."""
    write_entry(exl2, "glossary/hostile", {
        "title": "<b>\"Quoted\" & 'single'</b>", "status": "published",
        "summary": "<script>x</script> 5 < 6 > 4", "authors": ["tools-editor"],
        "published": "2026-10-02", "category": "Formats & quantization", "aka": ["<i>", "&amp;"]},
        "A body.\n")
    fast = tree(run(exl2, tmp_path / "fast", use_cache=False).out_dir)
    monkeypatch.setattr(pages, "_escape_text", None)  # Jinja's own code and escaping
    plain = tree(run(exl2, tmp_path / "plain", use_cache=False).out_dir)
    assert fast == plain
    page = fast["glossary/hostile.html"].decode()
    assert "<h1>&lt;b&gt;&#34;Quoted&#34; &amp; &#39;single&#39;&lt;/b&gt;</h1>" in page


# -- deterministic ----------------------------------------------------------

def test_builds_are_byte_identical_whatever_the_cache_or_the_cores(exl2, tmp_path, monkeypatch):
    first = run(exl2, tmp_path / "a", jobs=1)
    assert first.rendered == 13
    again = run(exl2, tmp_path / "a", jobs=1)
    assert again.rendered == 0
    no_cache = run(exl2, tmp_path / "b", jobs=1, use_cache=False)
    assert no_cache.rendered == 13
    monkeypatch.setattr(pool, "MIN_PARALLEL", 1)  # make even 13 entries use the process pool
    shutil.rmtree(exl2 / ".pipeline-cache")
    pooled = run(exl2, tmp_path / "c", jobs=2)
    assert pooled.rendered == 13
    a, b, c = tree(tmp_path / "a"), tree(tmp_path / "b"), tree(tmp_path / "c")
    assert a == b == c
    assert len(a) == 57  # with the lists of the three collections it has nothing in, and /digests


def test_the_workers_make_the_big_lists_while_this_process_makes_the_others(
        exl2, tmp_path, monkeypatch):
    """With workers, the collection pages and the search index are made there, and the
    output is what one process makes."""
    plain = tree(run(exl2, tmp_path / "plain", jobs=1, use_cache=False).out_dir)
    monkeypatch.setattr(pool, "MIN_PARALLEL", 1)
    shutil.rmtree(exl2 / ".pipeline-cache")
    marks = tmp_path / "marks"
    marks.mkdir()
    real_page, real_index = pages.Site.collection_page, lists.search_index.search_index

    def page(self, collection, items):  # the forked workers inherit these
        (marks / f"{os.getpid()} {collection}.html").touch()
        return real_page(self, collection, items)

    def index(pieces):
        (marks / f"{os.getpid()} {lists.SEARCH_INDEX}").touch()
        return real_index(pieces)

    monkeypatch.setattr(pages.Site, "collection_page", page)
    monkeypatch.setattr(lists.search_index, "search_index", index)
    pooled = tree(run(exl2, tmp_path / "pooled", jobs=2, use_cache=False).out_dir)
    assert pooled == plain
    done = [name.split(" ", 1) for name in os.listdir(marks)]
    assert str(os.getpid()) not in {pid for pid, _ in done}
    assert len({pid for pid, _ in done}) == 2  # shared by both workers
    assert sorted(rel for _, rel in done) == sorted(
        [lists.SEARCH_INDEX] + [f"{c}.html" for c in COLLECTIONS])
    # what the workers wrote is in the output's record: the next build keeps it all
    again = run(exl2, tmp_path / "pooled", jobs=2)
    assert (again.rendered, again.written) == (0, 0)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_list_file_the_system_refuses_is_a_message_whoever_writes_it(exl2, tmp_path,
                                                                       monkeypatch, jobs):
    """A refused write of a list file (here a folder where the collection page goes) is
    an error message, with no traceback, whether this process or a worker wrote it (found
    in review: from a worker it came back as a traceback)."""
    monkeypatch.setattr(pool, "MIN_PARALLEL", 1)
    monkeypatch.setattr(validate_module, "PER_WORKER", 1)
    out = tmp_path / "out"
    build_args = ["--root", str(exl2), "build", "--out", str(out), "--jobs", jobs]
    for _ in range(2):  # the second leaves the spare the third build writes into
        assert CliRunner().invoke(main, build_args).exit_code == 0
    page = tmp_path / ".out.spare" / "glossary.html"
    page.unlink()
    page.mkdir()
    (page / "x").write_text("x")
    awq = exl2 / "entries/glossary/awq.md"
    awq.write_text(awq.read_text().replace("title: AWQ", "title: AWQ two"))
    result = CliRunner().invoke(main, build_args)
    assert result.exit_code == 2, result.output
    assert f"Error: {page}: Is a directory" in result.output
    assert "Traceback" not in result.output


def test_a_big_build_parses_each_file_once_and_gives_the_same_output(exl2, tmp_path,
                                                                       monkeypatch):
    """Validate parses in the build's workers, which render each entry as it is parsed:
    the build's own reading finds them rendered and parses nothing again."""
    plain = run(exl2, tmp_path / "plain", jobs=1, use_cache=False)
    shutil.rmtree(exl2 / ".pipeline-cache")
    monkeypatch.setattr(pool, "MIN_PARALLEL", 1)
    monkeypatch.setattr(validate_module, "PER_WORKER", 1)  # two validate workers for 13 files
    marks = tmp_path / "marks"
    marks.mkdir()
    real_prepare = render.prepare

    def marking_prepare(state, rel, data, entry):
        real_prepare(state, rel, data, entry)
        (marks / f"{os.getpid()} {rel.replace('/', ' ')}").touch()

    def no_second_parse(rel, *args):
        raise AssertionError(f"{rel} parsed a second time")

    def no_second_read(full):
        raise AssertionError(f"{full} read a second time")

    monkeypatch.setattr(build_module, "prepare", marking_prepare)
    monkeypatch.setattr(render, "parse_entry", no_second_parse)
    monkeypatch.setattr(render, "_read", no_second_read)
    fused = run(exl2, tmp_path / "fused", jobs=2)
    assert fused.rendered == plain.rendered == 13
    done = [name.split(" ", 1) for name in os.listdir(marks)]
    assert len({pid for pid, _ in done}) == 2  # in two workers
    assert sorted(rel for _, rel in done) == sorted({rel for _, rel in done})  # once each
    assert len(done) == 13
    assert tree(tmp_path / "fused") == tree(tmp_path / "plain")
    # what the workers put aside (pages' parts, search records) goes with the build
    assert list((exl2 / ".pipeline-cache/build").glob("spill-*")) == []


def _planned_while_validating(monkeypatch) -> list[bool]:
    """Whether validation was under way each time the build planned its pages."""
    validating, planned = [], []
    real_refuse, real_plan = validation_module.refuse_invalid, build_module.plan_pages

    def refuse(*args, **kw):
        validating.append(True)
        try:
            return real_refuse(*args, **kw)
        finally:
            validating.pop()

    def plan(b):
        planned.append(bool(validating))
        return real_plan(b)

    monkeypatch.setattr(validation_module, "refuse_invalid", refuse)
    monkeypatch.setattr(build_module, "plan_pages", plan)
    return planned


def test_a_big_build_plans_its_pages_while_validate_checks_and_the_output_is_the_same(
        exl2, tmp_path, monkeypatch):
    """The workers send what they rendered as validate parsed with the parse's result, so
    this process reads git and plans the pages while they check, not after: the same
    output as when they keep it for the build to ask (`_export` sends nothing)."""
    monkeypatch.setattr(pool, "MIN_PARALLEL", 1)
    monkeypatch.setattr(validate_module, "PER_WORKER", 1)
    planned = _planned_while_validating(monkeypatch)
    early = run(exl2, tmp_path / "early", jobs=2)
    assert planned == [True]
    shutil.rmtree(exl2 / ".pipeline-cache")
    monkeypatch.setattr(build_module, "_export", lambda state: None)
    after = run(exl2, tmp_path / "after", jobs=2)
    assert planned == [True, False]
    assert early.rendered == after.rendered == 13
    assert tree(tmp_path / "early") == tree(tmp_path / "after")
    plain = run(exl2, tmp_path / "plain", jobs=1, use_cache=False)
    assert tree(tmp_path / "early") == tree(tmp_path / "plain") and plain.rendered == 13


def test_an_entry_a_worker_did_not_render_as_it_parsed_is_read_after_validation(
        exl2, tmp_path, monkeypatch):
    """One file the workers could not render while validate parsed it: the build reads it
    once validation has passed, and plans the pages then, with the others as they were
    sent; the same output."""
    plain = run(exl2, tmp_path / "plain", jobs=1, use_cache=False)
    shutil.rmtree(exl2 / ".pipeline-cache")
    monkeypatch.setattr(pool, "MIN_PARALLEL", 1)
    monkeypatch.setattr(validate_module, "PER_WORKER", 1)
    real_prepare = render.prepare

    def all_but_one(state, rel, data, entry):
        if rel != "entries/glossary/gguf.md":
            real_prepare(state, rel, data, entry)

    monkeypatch.setattr(build_module, "prepare", all_but_one)
    planned = _planned_while_validating(monkeypatch)
    mixed = run(exl2, tmp_path / "mixed", jobs=2)
    assert planned == [False]
    assert mixed.rendered == 13
    assert tree(tmp_path / "mixed") == tree(tmp_path / "plain")


def test_a_problem_met_planning_while_validate_checks_comes_after_the_catalogs_errors(
        exl2, tmp_path, monkeypatch):
    monkeypatch.setattr(pool, "MIN_PARALLEL", 1)
    monkeypatch.setattr(validate_module, "PER_WORKER", 1)

    def broken(b):
        raise PipelineError("the plan failed")

    monkeypatch.setattr(build_module, "plan_pages", broken)
    with pytest.raises(PipelineError, match="the plan failed"):
        run(exl2, tmp_path / "out", jobs=2)
    path = exl2 / "entries/glossary/awq.md"
    path.write_text(path.read_text().replace("category: Formats & quantization",
                                             "category: Nonsense"))
    with pytest.raises(ValidationFailed, match="Nonsense"):
        run(exl2, tmp_path / "out", jobs=2)


def _parses_counted_once(monkeypatch) -> list[str]:
    """The files validate parses (listed as it does), and a failure for any the build's
    reading would parse again to render it."""
    parsed = []
    real_parse = validate_module.parse_entry

    def counted(rel, *args, **kw):
        parsed.append(rel)
        return real_parse(rel, *args, **kw)

    def no_second_parse(rel, *args):
        raise AssertionError(f"{rel} parsed a second time")

    monkeypatch.setattr(validate_module, "parse_entry", counted)
    monkeypatch.setattr(render, "parse_entry", no_second_parse)
    return parsed


def test_a_build_with_fewer_files_than_validate_splits_parses_each_once(exl2, tmp_path,
                                                                       monkeypatch):
    """Much to render, too little for validate to fork workers of its own (fewer than two
    PER_WORKER: 256 to 1,499 files on two cores): validate parsed every file in the build's
    process, and the build's workers parsed it all again to render it. Now validate parses
    in the build's workers whatever their number, and each file is parsed once."""
    plain = run(exl2, tmp_path / "plain", jobs=2)  # validation beside: parsed twice
    shutil.rmtree(exl2 / ".pipeline-cache")
    monkeypatch.setattr(pool, "MIN_PARALLEL", 1)  # 13 files: much to render, few to validate
    parsed = _parses_counted_once(monkeypatch)
    fused = run(exl2, tmp_path / "fused", jobs=2)
    assert fused.rendered == plain.rendered == 13
    assert parsed == []  # not in this process: in the two workers
    assert tree(tmp_path / "fused") == tree(tmp_path / "plain")


def test_an_entry_saved_during_a_big_build_is_published_as_validated(exl2, tmp_path,
                                                                      monkeypatch):
    """An editor saves an entry after validate parsed it, while the build runs: the build
    publishes the bytes validate checked (never bytes nobody validated), and the next
    build sees the file changed and publishes the new text."""
    monkeypatch.setattr(pool, "MIN_PARALLEL", 1)
    monkeypatch.setattr(validate_module, "PER_WORKER", 1)
    path = exl2 / "entries/glossary/gguf.md"
    real_prepare = render.prepare

    def saved_meanwhile(state, rel, data, entry):
        real_prepare(state, rel, data, entry)
        if rel == "entries/glossary/gguf.md":
            path.write_text(path.read_text().replace("GGUF is a term.", "GGUF is a format."))

    monkeypatch.setattr(build_module, "prepare", saved_meanwhile)
    out = tmp_path / "out"
    run(exl2, out, jobs=2)
    page = tree(out)["glossary/gguf.html"]
    assert b"GGUF is a term." in page and b"GGUF is a format." not in page
    monkeypatch.setattr(build_module, "prepare", real_prepare)
    again = run(exl2, out, jobs=2)
    assert b"GGUF is a format." in tree(out)["glossary/gguf.html"]
    assert again.rendered == 1


def test_a_one_job_build_parses_each_file_once_and_gives_the_same_output(exl2, tmp_path,
                                                                        monkeypatch):
    """With one job (`--jobs 1`, `pipeline serve`, one core), validate parsed every file
    and the build read and parsed each again to render it: 4,000 parses for 2,000
    entries. Now each entry is rendered in this process as validate parses it, and an
    entry saved after that is published as validated (the next build publishes it)."""
    plain = run(exl2, tmp_path / "plain", jobs=2)  # validation beside, rendering here
    shutil.rmtree(exl2 / ".pipeline-cache")
    parsed = _parses_counted_once(monkeypatch)

    def no_second_read(full):
        raise AssertionError(f"{full} read a second time")

    path = exl2 / "entries/glossary/gguf.md"
    text = path.read_text()
    real_prepare = render.prepare

    def saved_meanwhile(state, rel, data, entry):
        real_prepare(state, rel, data, entry)
        if rel == "entries/glossary/gguf.md":
            path.write_text(text.replace("GGUF is a term.", "GGUF is a format."))

    monkeypatch.setattr(render, "_read", no_second_read)
    monkeypatch.setattr(build_module, "prepare", saved_meanwhile)
    out = tmp_path / "one"
    one = run(exl2, out, jobs=1, use_cache=False)
    assert one.rendered == plain.rendered == 13
    assert sorted(parsed) == sorted(set(parsed)) and len(parsed) == 13
    assert tree(out) == tree(tmp_path / "plain")
    monkeypatch.undo()
    again = run(exl2, out, jobs=1)
    assert b"GGUF is a format." in tree(out)["glossary/gguf.html"]
    assert again.rendered == 1


@pytest.mark.parametrize("jobs", [1, 2])
def test_validate_takes_the_builds_walk_of_the_entries_and_their_stats(exl2, tmp_path,
                                                                       monkeypatch, jobs):
    """A build that validates in this process (one job, or validate parsing in the build's
    workers) walked the entries folder and took every file's stat, and validate's scan
    then did both again: now it takes the build's. The output, the diagnostics and the
    validate cache's records are those of a build where it walked and took them itself."""
    import marshal

    from pipeline import cache as cache_module

    def records():
        raw = (exl2 / ".pipeline-cache/validate.cache").read_bytes()
        return marshal.loads(raw[len(cache_module.MAGIC) + 33:])["records"]

    (exl2 / "entries/glossary/broken.md").symlink_to("/nowhere")  # a refused file too
    monkeypatch.setattr(pool, "MIN_PARALLEL", 1)
    monkeypatch.setattr(validate_module, "PER_WORKER", 1)
    real_share = validate_module.WorkerShare

    def unshared(state, start, scanned=None):  # as before: validate walks on its own
        return real_share(state, start)

    monkeypatch.setattr(build_module, "WorkerShare", unshared)
    with pytest.raises(ValidationFailed) as before:
        run(exl2, tmp_path / "own", jobs=jobs)
    (exl2 / "entries/glossary/broken.md").unlink()
    run(exl2, tmp_path / "own", jobs=jobs)
    own = records()
    shutil.rmtree(exl2 / ".pipeline-cache")
    monkeypatch.undo()
    monkeypatch.setattr(pool, "MIN_PARALLEL", 1)
    monkeypatch.setattr(validate_module, "PER_WORKER", 1)
    stats = []
    real_stat = cache_module.file_stat

    def counted(full):
        stats.append(full)
        return real_stat(full)

    def no_walk(*args, **kw):
        raise AssertionError("validate walked the entries folder again")

    monkeypatch.setattr(validate_module, "walk_folder", no_walk)
    monkeypatch.setattr(cache_module, "file_stat", counted)
    monkeypatch.setattr(build_module, "file_stat", counted)
    (exl2 / "entries/glossary/broken.md").symlink_to("/nowhere")
    with pytest.raises(ValidationFailed) as after:
        run(exl2, tmp_path / "shared", jobs=jobs)
    assert str(after.value) == str(before.value)
    assert "broken.md" in str(after.value)
    (exl2 / "entries/glossary/broken.md").unlink()
    stats.clear()
    run(exl2, tmp_path / "shared", jobs=jobs)
    assert sorted(stats) == sorted(set(stats)) and len(stats) == 13  # each file once
    assert tree(tmp_path / "shared") == tree(tmp_path / "own")
    assert records() == own


@pytest.mark.parametrize("saved", ["category: Nonsense", "category: Formats & quantization"])
def test_an_entry_saved_after_a_small_build_validated_it_is_not_published(
        exl2, tmp_path, monkeypatch, saved):
    """A small build (as `pipeline serve` rebuilds: one job) read the entry files again
    after validate: a save in between was published unchecked, errors and all (found in
    review). Now the build stops, whether or not the new bytes would pass, and the
    previous output stays whole; the next build publishes what was saved, if valid.
    (An entry whose bytes validate found changed is rendered as validate parses it, and
    not read again: this one's stat changed, not its bytes, so it is read again.)"""
    out = tmp_path / "out"
    run(exl2, out, jobs=1)
    before = tree(out)
    path = exl2 / "entries/glossary/awq.md"
    text = path.read_text()
    real = validation_module.refuse_invalid

    def saved_meanwhile(*args, **kw):
        outcome = real(*args, **kw)
        path.write_text(text.replace("category: Formats & quantization", saved)
                        .replace("AWQ is", "AWQ, saved meanwhile, is"))
        return outcome

    path.write_text(text)
    monkeypatch.setattr(validation_module, "refuse_invalid", saved_meanwhile)
    with pytest.raises(PipelineError, match=r"^entries/glossary/awq.md changed while the "
                                            r"build ran, after it was checked; nothing") as e:
        run(exl2, out, jobs=1)
    assert e.value.file == "entries/glossary/awq.md"  # ChangedDuringBuild: serve goes on
    assert tree(out) == before
    monkeypatch.setattr(validation_module, "refuse_invalid", real)
    if saved.endswith("Nonsense"):
        with pytest.raises(ValidationFailed):
            run(exl2, out, jobs=1)
    else:
        run(exl2, out, jobs=1)
        assert b"AWQ, saved meanwhile, is" in tree(out)["glossary/awq.html"]


# -- atomic -----------------------------------------------------------------

def test_an_interrupted_build_leaves_the_previous_output_whole(exl2, tmp_path, monkeypatch):
    out = tmp_path / "out"
    run(exl2, out)
    run(exl2, out)  # now there is a spare tree too
    before = tree(out)
    path = exl2 / "entries/glossary/gguf.md"
    path.write_text(path.read_text().replace("GGUF is a term.", "GGUF is a file format."))
    real_lists = lists.write_lists

    def interrupted(*args):
        raise KeyboardInterrupt  # Ctrl-C after the entry files were written

    monkeypatch.setattr(lists, "write_lists", interrupted)
    with pytest.raises(KeyboardInterrupt):
        run(exl2, out)
    assert tree(out) == before
    monkeypatch.setattr(lists, "write_lists", real_lists)
    result = run(exl2, out)
    fresh = tmp_path / "fresh"
    run(exl2, fresh, use_cache=False)
    assert tree(out) == tree(fresh)  # the half-written spare was not trusted
    assert b"GGUF is a file format." in tree(out)["glossary/gguf.html"]
    assert result.written > 0


def test_an_output_given_as_a_symbolic_link_is_built_where_it_points(exl2, tmp_path):
    """A web root is often a link to the real folder: the build goes there, and the link
    keeps pointing at the newest output (it was swapped away every other build, found
    in review). A link to nothing is refused."""
    site, link = tmp_path / "site", tmp_path / "www"
    run(exl2, site)
    link.symlink_to(site)
    path = exl2 / "entries/glossary/gguf.md"
    for text in ("GGUF is a format.", "GGUF is a file format."):
        path.write_text(path.read_text().replace("GGUF is a term.", text)
                        .replace("GGUF is a format.", text))
        run(exl2, link)
        assert link.is_symlink() and text.encode() in (link / "glossary/gguf.html").read_bytes()
    assert not (tmp_path / ".www.spare").exists()
    dangling = tmp_path / "dangling"
    dangling.symlink_to(tmp_path / "nowhere")
    with pytest.raises(OutputError, match="is a symbolic link to .*nowhere, which is no folder"):
        run(exl2, dangling)


def test_a_file_put_into_the_output_by_something_else_goes(exl2, tmp_path):
    """A .DS_Store or a deploy step's file in the live folder swapped out and back in on
    every other build, never removed (found in review): every build replaces the whole
    folder."""
    out = tmp_path / "out"
    run(exl2, out)
    run(exl2, out)  # now there is a spare too
    (out / ".DS_Store").write_text("x")
    (out / "glossary/notes.txt").write_text("x")
    fresh = tmp_path / "fresh"
    run(exl2, fresh, use_cache=False)
    for _ in range(3):
        run(exl2, out)
        assert tree(out) == tree(fresh)
    assert not (tmp_path / ".out.spare/.DS_Store").exists()
    assert not (tmp_path / ".out.spare/glossary/notes.txt").exists()


def test_a_link_put_into_the_output_by_something_else_goes(exl2, tmp_path):
    """A symbolic link in place of a page made every later build fail ("Too many levels
    of symbolic links"), and one in place of a folder had the build write its pages
    through it, into the folder outside the output it led to (found in review)."""
    out, outside = tmp_path / "out", tmp_path / "outside"
    run(exl2, out)
    run(exl2, out)
    shutil.copytree(out / "glossary", outside / "glossary")
    for page in (outside / "glossary").iterdir():
        page.write_text("not the build's")
    (outside / "page.html").write_text("not the build's")
    (out / "glossary/exl2.html").unlink()
    (out / "glossary/exl2.html").symlink_to(outside / "page.html")
    shutil.rmtree(out / "guides")
    (out / "guides").symlink_to(outside / "glossary")
    shutil.rmtree(out / "tools")
    (out / "tools").symlink_to(outside / "glossary")
    path = exl2 / "entries/glossary/gguf.md"
    fresh = tmp_path / "fresh"
    for text in ("GGUF is a format.", "GGUF is a file format.", "GGUF is a term."):
        path.write_text(path.read_text().replace("GGUF is a term.", text)
                        .replace("GGUF is a format.", text))
        run(exl2, out)
        run(exl2, fresh, use_cache=False)
        assert tree(out) == tree(fresh)
        assert not [p for p in out.rglob("*") if p.is_symlink()]
    assert {p.read_text() for p in outside.rglob("*") if p.is_file()} == {"not the build's"}
    assert not [p for p in (tmp_path / ".out.spare").rglob("*") if p.is_symlink()]


def _fake(page: Path, to: Path) -> None:
    """Write at `to` a file with the size and time of `page` (not its text): to the build it
    looks like the page recorded."""
    st = page.stat()
    to.write_bytes(b"X" * st.st_size)
    os.utime(to, ns=(st.st_atime_ns, st.st_mtime_ns))


def _link_out(page: Path, outside: Path) -> None:
    """Replace `page` with a link to a `_fake` of it in `outside`."""
    _fake(page, outside / page.name)
    page.unlink()
    page.symlink_to(outside / page.name)


@pytest.mark.parametrize("spare", [False, True])
def test_a_page_replaced_by_a_link_is_made_again_not_followed(exl2, tmp_path, spare):
    """The next build took a live page that a symbolic link had replaced through the link:
    hard-linked the file outside the output into the new output (with no spare yet), or
    copied it (from a spare that lacked the page), and a folder's link likewise (found in
    review). Nothing is taken through a link: the pages are made again."""
    out, outside, fresh = tmp_path / "out", tmp_path / "outside", tmp_path / "fresh"
    outside.mkdir()
    run(exl2, out)
    if spare:  # the spare holds another AWQ page than the live tree
        path = exl2 / "entries/glossary/awq.md"
        path.write_text(path.read_text().replace("AWQ is a term.", "AWQ is a word."))
        run(exl2, out)
    for rel in ("glossary/awq.html", "glossary/awq.json", "search-index.json"):
        _link_out(out / rel, outside)
    (outside / "tools").mkdir()
    for page in (out / "tools").iterdir():
        _fake(page, outside / "tools" / page.name)
    shutil.rmtree(out / "tools")
    (out / "tools").symlink_to(outside / "tools")
    run(exl2, out)
    run(exl2, fresh, use_cache=False)
    assert tree(out) == tree(fresh)
    assert not [p for p in out.rglob("*") if p.is_symlink()]
    assert {p.read_bytes().strip(b"X") for p in outside.rglob("*") if p.is_file()} == {b""}
    built = {p.stat().st_ino for p in out.rglob("*")}
    assert not built & {p.stat().st_ino for p in outside.rglob("*")}


def folders(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_dir()}


def test_a_folder_put_into_the_output_by_something_else_goes(exl2, tmp_path):
    """An empty folder, or a folder of folders whose files the build removed, stayed in
    the output for good, swapped out and back in on every other build (found in review):
    the folders are those of a fresh build too."""
    out = tmp_path / "out"
    run(exl2, out)
    run(exl2, out)
    (out / "empty/deeper").mkdir(parents=True)
    (out / ".well-known/acme-challenge").mkdir(parents=True)
    (out / ".well-known/acme-challenge/token").write_text("x")
    fresh = tmp_path / "fresh"
    run(exl2, fresh, use_cache=False)
    for _ in range(3):
        run(exl2, out)
        assert tree(out) == tree(fresh)
        assert folders(out) == folders(fresh)
    assert folders(tmp_path / ".out.spare") == folders(fresh)


def test_the_swap_exchanges_the_folders_in_one_step(exl2, tmp_path):
    out = tmp_path / "out"
    run(exl2, out)
    inode = os.stat(out).st_ino
    run(exl2, out)
    assert os.stat(out).st_ino != inode  # a new folder took the name
    assert os.stat(tmp_path / ".out.spare").st_ino == inode  # the old one is the spare


def test_writing_the_spare_never_changes_the_live_files(exl2, tmp_path):
    out = tmp_path / "out"
    path = exl2 / "entries/glossary/gguf.md"
    original = path.read_text()
    run(exl2, out)
    for n in range(3):  # the first spare is made of hard links to the live files
        before = tree(out)
        path.write_text(original.replace("GGUF is a", f"GGUF ({n}) is a"))
        run(exl2, out)
        assert tree(tmp_path / ".out.spare") == before  # the old live tree, byte for byte
        assert f"GGUF ({n}) is a".encode() in (out / "glossary/gguf.html").read_bytes()


def test_without_renameat2_the_swap_falls_back_to_renames(exl2, tmp_path, monkeypatch):
    from pipeline.publish import output

    monkeypatch.setattr(output, "_exchange", lambda a, b: False)
    out = tmp_path / "out"
    run(exl2, out)
    first = tree(out)
    path = exl2 / "entries/glossary/gguf.md"
    path.write_text(path.read_text().replace("GGUF is a term.", "GGUF is a file format."))
    run(exl2, out)
    assert tree(tmp_path / ".out.spare") == first
    assert b"GGUF is a file format." in (out / "glossary/gguf.html").read_bytes()
    assert not (tmp_path / ".out.old").exists()


# -- incremental ------------------------------------------------------------

def test_unchanged_entries_are_not_rendered_or_written_again(exl2, tmp_path):
    out = tmp_path / "out"
    first = run(exl2, out)
    assert (first.rendered, first.written, first.files) == (13, 57, 57)
    second = run(exl2, out)
    assert (second.rendered, second.written) == (0, 0)  # the spare is filled by hard links
    path = exl2 / "entries/glossary/gguf.md"
    path.write_text(path.read_text().replace("GGUF is a term.", "GGUF is a file format."))
    third = run(exl2, out)
    assert third.rendered == 1
    # its JSON and page, and the search index: nothing else changed
    assert third.written == 3
    assert b"GGUF is a file format." in (out / "glossary/gguf.html").read_bytes()
    fourth = run(exl2, out)
    # the spare held the second build's output: the edit is written into it again
    assert (fourth.rendered, fourth.written) == (0, 3)
    assert tree(out) == tree(out.parent / ".out.spare")


def test_a_live_file_gone_when_the_spare_is_made_is_written_again(exl2, tmp_path):
    """The first spare is made of hard links to the live files, folder by folder: one
    removed by hand meanwhile is not linked, and the build writes it."""
    out = tmp_path / "out"
    first = tree(run(exl2, out).out_dir)
    (out / "glossary/gguf.json").unlink()
    (out / "feed.xml").unlink()  # one at the top of the tree too
    second = run(exl2, out)
    # the entry whose JSON is gone is rendered again (its page's parts came from it)
    assert (second.rendered, second.written) == (1, 2)
    assert tree(out) == first
    assert os.stat(tmp_path / ".out.spare/glossary/exl2.json").st_nlink == 2  # shared
    # every file of the old output but those two was linked: only they were written
    assert second.files - second.written == len(first) - 2


def test_a_title_change_updates_the_pages_that_show_it(exl2, tmp_path):
    out = tmp_path / "out"
    run(exl2, out)
    path = exl2 / "entries/tools/tabbyapi.md"
    path.write_text(path.read_text().replace("title: TabbyAPI", "title: Tabby API"))
    result = run(exl2, out)
    assert result.rendered == 1
    assert b"tool: Tabby API" in (out / "glossary/exl2.html").read_bytes()
    assert b"Tabby API" in (out / "tools.json").read_bytes()


def test_a_template_change_renders_every_page_again(exl2, tmp_path, monkeypatch):
    out = tmp_path / "out"
    run(exl2, out)
    templates = tmp_path / "templates"
    shutil.copytree(pages.TEMPLATES, templates)
    base = templates / "base.html"
    base.write_text(base.read_text().replace("Preview written by", "Preview made by"))
    monkeypatch.setattr(pages, "TEMPLATES", templates)
    result = run(exl2, out)
    assert result.rendered == 0  # bodies do not depend on templates
    html = [rel for rel in tree(out) if rel.endswith(".html")]
    assert all(b"Preview made by" in (out / rel).read_bytes() for rel in html)
    assert result.written == len(html)


def test_an_entry_page_is_the_page_of_its_json(exl2, tmp_path, monkeypatch):
    """An entry page's content key is made of its JSON's (Site.page_key), not of its
    bytes: each page a build makes, from the entry as rendered or from the previous
    output's JSON, is the page made of its document's JSON read back."""
    import json

    from pipeline.publish.links import TYPED
    from pipeline.publish.serialize import json_bytes

    made, entry_page = [], pages.Site.entry_page

    def both(site, doc):
        page = entry_page(site, doc)
        again = {**json.loads(json_bytes(doc)), "reference_headings": dict(TYPED)}
        made.append((doc["id"], page == entry_page(site, again)))
        return page

    monkeypatch.setattr(pages.Site, "entry_page", both)
    out = tmp_path / "out"
    run(exl2, out, jobs=1)
    path = exl2 / "entries/tools/tabbyapi.md"  # pages made again from the previous JSON
    path.write_text(path.read_text().replace("title: TabbyAPI", "title: Tabby API"))
    run(exl2, out, jobs=1)
    assert len(made) > 13 and all(same for _, same in made), made


def test_another_jinja_renders_every_page_again(exl2, tmp_path, monkeypatch):
    """What Jinja and MarkupSafe make of the templates is part of the pages' key: after
    an upgrade, each page is made (and, were it different, written) again."""
    out = tmp_path / "out"
    run(exl2, out)
    run(exl2, out)  # the spare holds the same pages
    installed = pages._installed()
    monkeypatch.setattr(pages, "_installed", lambda: [*installed, "jinja2 upgraded"])
    spare = tmp_path / ".out.spare"  # the live tree once the build swaps it in
    entry_pages = [rel for rel in tree(spare) if rel.endswith(".html") and "/" in rel]
    before = {rel: os.stat(spare / rel).st_mtime_ns for rel in entry_pages}
    run(exl2, out, use_cache=False)
    assert len(entry_pages) == 13
    assert all(os.stat(out / rel).st_mtime_ns != before[rel] for rel in entry_pages)


def test_a_settings_change_invalidates_the_cache(exl2, tmp_path):
    out = tmp_path / "out"
    run(exl2, out)
    toml = exl2 / "pipeline.toml"
    toml.write_text(toml.read_text().replace('name = "Local AI Catalog"', 'name = "Local AI"'))
    result = run(exl2, out)
    assert result.rendered == 13
    assert b"<title>EXL2 \xc2\xb7 Local AI</title>" in (out / "glossary/exl2.html").read_bytes()


def test_a_tampered_cache_is_ignored_and_cannot_run_code(exl2, tmp_path):
    out = tmp_path / "out"
    run(exl2, out)
    shards = sorted((exl2 / ".pipeline-cache/build").rglob("*.pickle"))
    assert shards
    evil = pickle.dumps({"k": os.system})  # a class reference: refused when loading
    for shard in shards:
        shard.write_bytes(evil)
    shutil.rmtree(out)
    shutil.rmtree(tmp_path / ".out.spare", ignore_errors=True)
    result = run(exl2, out)
    assert result.rendered == 13  # every shard was refused, so everything was rendered again
    run(exl2, tmp_path / "fresh", use_cache=False)
    assert tree(out) == tree(tmp_path / "fresh")


def test_build_advances_progress_once_per_stage(catalog, tmp_path):
    from pipeline.config import load_settings
    from pipeline.publish.build import STAGES, build

    bar = CountingBar()
    build(load_settings(catalog), tmp_path / "site", progress=bar)
    assert bar.total == len(STAGES) and bar.done == bar.total


def test_writing_a_file_expected_new_is_safe_when_it_is_there(tmp_path):
    """`new=True` only saves a system call: a file that is there after all is
    overwritten, and one hard-linked with the live tree is replaced, never changed."""
    from pipeline.publish.output import write_file

    live, spare = tmp_path / "live.json", tmp_path / "spare"
    live.write_bytes(b"live page")
    spare.mkdir()
    os.link(live, spare / "a.json")
    assert write_file(spare, "a.json", b"new", new=True)[0] == 3
    assert (live.read_bytes(), (spare / "a.json").read_bytes()) == (b"live page", b"new")
    write_file(spare, "b/c.json", b"in a new folder", new=True)
    write_file(spare, "b/c.json", b"again", new=True)
    assert (spare / "b/c.json").read_bytes() == b"again"


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(st.text("abc.-", min_size=1, max_size=3).filter(
    lambda s: s not in (".", "..")), min_size=1, max_size=3), max_size=8))
def test_the_folders_of_a_tree_are_those_of_its_files(tmp_path_factory, paths):
    """_folder_times finds a file's folder by its last `/` (os.path.dirname did it five
    times slower): the same folders, each with its modification time."""
    from pipeline.publish.output import _folder_times

    root = tmp_path_factory.mktemp("tree")
    rels = []
    for parts in paths:
        rel = "/".join(parts)
        if any(r == rel or r.startswith(rel + "/") or rel.startswith(r + "/") for r in rels):
            continue  # a file where another needs a folder
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(b"")
        rels.append(rel)
    assert _folder_times(root, rels) == {
        folder: os.stat(os.path.join(root, folder)).st_mtime_ns
        for folder in {"", *(os.path.dirname(rel) for rel in rels)}}


def test_what_a_build_puts_aside_goes_with_it_even_when_it_fails(exl2, tmp_path):
    run(exl2, tmp_path / "out", jobs=1)
    path = exl2 / "entries/glossary/awq.md"
    path.write_text(path.read_text().replace("category: Formats & quantization",
                                             "category: Nonsense"))
    with pytest.raises(ValidationFailed):
        run(exl2, tmp_path / "out", jobs=1)
    assert list((exl2 / ".pipeline-cache/build").glob("spill-*")) == []


def test_the_spill_gives_back_what_each_process_put(tmp_path):
    from pipeline.publish.spill import Spill

    spill = Spill(tmp_path / "cache")
    first, second = spill.put(b"page parts"), spill.put(b"search record")
    assert (spill.get(second), spill.get(first)) == (b"search record", b"page parts")
    child = os.fork()
    if child == 0:  # a worker: its own file, readable by the parent once flushed
        code = 1
        try:
            where = spill.put(b"from a worker")
            spill.flush()
            (tmp_path / "where").write_text(f"{where.path}\n{where.start}\n{where.end}")
            code = 0
        finally:
            os._exit(code)
    assert os.waitpid(child, 0)[1] == 0
    path, start, end = (tmp_path / "where").read_text().split("\n")
    assert path != first.path
    from pipeline.publish.output import Span

    assert spill.get(Span(path, int(start), int(end))) == b"from a worker"
    spill.remove()
    assert not Path(spill.folder).exists()


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=64), st.lists(st.binary(max_size=300), max_size=12))
def test_the_spill_says_where_each_put_is_as_its_file_has_it(before, chunks):
    """`put` keeps count of where its file ends instead of asking the file: each span is
    where the bytes went, also after what a file at that place already held (a process
    id used again)."""
    import tempfile

    from pipeline.publish.spill import Spill

    with tempfile.TemporaryDirectory() as folder:
        spill = Spill(Path(folder))
        with open(os.path.join(spill.folder, f"{os.getpid()}.bin"), "wb") as f:
            f.write(before)
        spans = [spill.put(chunk) for chunk in chunks]
        spill.flush()
        at = len(before)
        for chunk, span in zip(chunks, spans):
            assert (span.start, span.end) == (at, at + len(chunk))
            assert spill.get(span) == chunk
            at += len(chunk)
        if spans:
            assert os.path.getsize(spans[0].path) == at
        spill.remove()


_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(),
                    st.floats(allow_nan=False, allow_infinity=False),
                    st.text(st.characters(blacklist_categories=()), max_size=8))
_VALUES = st.recursive(_SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4),
    st.dictionaries(st.one_of(st.text(max_size=6), st.integers(), st.booleans(), st.none()),
                    inner, max_size=4)), max_leaves=20)


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.text(max_size=8), _VALUES, max_size=6), _VALUES, _VALUES,
       st.text(st.characters(blacklist_categories=()), max_size=40))
def test_an_entrys_held_parts_come_back_as_marshal_gives_them(data, sources, affiliate, body):
    """render._hold writes JSON where it can, marshal where it cannot (a key that is not
    text, an integer over 64 bits): what comes back is what marshal gave back, types,
    key order and all (repr tells 1 from 1.0 and True, a list from a tuple)."""
    import marshal
    import tempfile

    from pipeline.publish.render import _held, _hold
    from pipeline.publish.spill import Spill

    parts = {"body_html": body, "sources": sources, "affiliate": affiliate}
    with tempfile.TemporaryDirectory() as folder:
        spill = Spill(Path(folder))
        held = _hold(spill, data, parts)
        spill.flush()
        back = _held(spill, held)
        spill.remove()
    assert repr(back) == repr(marshal.loads(marshal.dumps((body, data, sources, affiliate))))


def test_an_entrys_held_parts_with_a_key_not_text_are_marshalled(tmp_path):
    from pipeline.publish.render import _held, _hold
    from pipeline.publish.spill import Spill

    spill = Spill(tmp_path / "cache")
    parts = {"body_html": "<p>é</p>", "sources": [{"id": "a", "number": 1}], "affiliate": {}}
    for data, marshalled in (({"title": "T", "sizes": {7: "7B"}}, True),
                             ({"title": "T", "n": 2 ** 70}, True),
                             ({"title": "T", "n": 2 ** 63, "x": 1.5, "y": None}, False)):
        held = _hold(spill, data, parts)
        assert (held[1] == 0) is marshalled
        assert _held(spill, held) == ("<p>é</p>", data, parts["sources"], {})
    spill.remove()


def test_a_killed_build_leaves_no_spill_behind_the_next_one(exl2, tmp_path):
    cache = exl2 / ".pipeline-cache/build"
    child = os.fork()
    if child == 0:
        os._exit(0)
    os.waitpid(child, 0)  # a process that is gone, like a build that was killed
    orphan = cache / f"spill-{child}-abc123"
    orphan.mkdir(parents=True)
    (orphan / f"{child}.bin").write_bytes(b"x" * 1000)
    running = cache / f"spill-{os.getpid()}-def456"  # a build running now, elsewhere
    running.mkdir()
    run(exl2, tmp_path / "out", jobs=1)
    assert not orphan.exists() and running.exists()


# -- compiled templates --------------------------------------------------------

def test_compiled_templates_are_kept_between_builds_and_follow_their_source(
        exl2, tmp_path, monkeypatch):
    """The second build compiles no template; an edited template is compiled again (its
    source is checked) and shows; a folder left by another version of the code goes."""
    import jinja2

    site_templates = tmp_path / "templates"
    shutil.copytree(pages.TEMPLATES, site_templates)
    monkeypatch.setattr(pages, "TEMPLATES", site_templates)
    compiled: list[str] = []
    real = jinja2.Environment.compile

    def counting(self, source, name=None, filename=None, raw=False, defer_init=False):
        compiled.append(name)
        return real(self, source, name, filename, raw, defer_init)

    monkeypatch.setattr(jinja2.Environment, "compile", counting)
    folder = exl2 / ".pipeline-cache" / "templates"
    stale = folder / "0123456789abcdef"
    stale.mkdir(parents=True)
    (stale / "__jinja2_x.cache").write_bytes(b"old")

    run(exl2, tmp_path / "a", jobs=1)
    assert "entry.html" in compiled
    assert not stale.exists()
    assert len(list(folder.glob("*/__jinja2_*.cache"))) >= len(set(compiled))

    compiled.clear()
    run(exl2, tmp_path / "b", jobs=1, use_cache=False)
    assert compiled == []
    assert tree(tmp_path / "a") == tree(tmp_path / "b")

    entry = site_templates / "entry.html"
    entry.write_text(entry.read_text().replace("{% block main %}",
                                               "{% block main %}<p>EDITED-TEMPLATE</p>", 1))
    run(exl2, tmp_path / "c", jobs=1, use_cache=False)
    assert compiled == ["entry.html"]
    assert b"EDITED-TEMPLATE" in (tmp_path / "c" / "glossary" / "exl2.html").read_bytes()


def test_a_template_cache_that_cannot_be_written_does_not_stop_a_build(
        exl2, tmp_path, monkeypatch):
    import jinja2

    def refuse(self, bucket):
        raise PermissionError(13, "Permission denied", self.directory)

    monkeypatch.setattr(jinja2.FileSystemBytecodeCache, "dump_bytecode", refuse)
    result = run(exl2, tmp_path / "out", jobs=1)
    assert (result.out_dir / "glossary" / "exl2.html").is_file()
    assert not list((exl2 / ".pipeline-cache" / "templates").glob("*/__jinja2_*"))


def test_the_tasks_name_each_entry_with_one_string_so_a_share_pickles_it_once(
        exl2, tmp_path, monkeypatch):
    """The ids in the page tasks (the entry's, who links to it, what it links to) are the
    facts' own keys: pickled for a worker, each is written once and referred to after.
    Their values are those of the facts, as before."""
    seen = []
    real_plan = build_module.plan_pages

    def plan(b):
        tasks, context = real_plan(b)
        seen.append((b.facts, tasks))
        return tasks, context

    monkeypatch.setattr(build_module, "plan_pages", plan)
    run(exl2, tmp_path / "out", use_cache=False)
    (facts, tasks), = seen
    keys = {i: i for i in facts}
    named = [(i for i in (task[0], *task[2], *task[5])) for task in tasks]
    assert tasks and all(i is keys[i] for ids in named for i in ids if i in keys)
    assert [task[5] for task in tasks] == [render.outgoing_ids(facts[t[0]]) for t in tasks]
    links = sum((task[5] for task in tasks), [])
    assert links and len(links) > len(set(links))  # the corpus links to an entry twice
    assert pickle.loads(pickle.dumps(tasks)) == tasks
