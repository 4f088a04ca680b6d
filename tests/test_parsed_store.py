"""What a cold `pipeline validate` parsed, kept for the build after it (catalog.parsed)."""

from __future__ import annotations

import marshal
import os
import shutil
import time
from pathlib import Path

import pytest

import pipeline.cache as cache_mod
from pipeline import validate as validate_module
from pipeline.cache import FILE_NAME, ValidateCache
from pipeline.catalog import parsed
from pipeline.config import load_settings
from pipeline.publish import pool, render
from pipeline.publish.build import build
from test_build import tree
from test_publish_catalog import make_exl2_catalog


@pytest.fixture
def exl2(tmp_path) -> Path:
    return make_exl2_catalog(tmp_path / "exl2")


def cold_validate(root: Path, monkeypatch):
    monkeypatch.setattr(validate_module, "PER_WORKER", 1)  # two workers for 13 files
    return validate_module.validate(load_settings(root), jobs=2)


def stores(root: Path) -> list[Path]:
    return sorted((root / ".pipeline-cache" / parsed.FOLDER).glob("*parsed-*"))


def refuse_yaml(monkeypatch, marks: Path, allowed: set[str] = frozenset()) -> None:
    """Make the build's reading (in its workers) fail for an entry whose front matter
    it would parse, `allowed` files excepted: each of those leaves a file in `marks`."""
    real = render.parse_entry
    marks.mkdir()

    def from_store_only(rel, data, prefix, front_matter=None, digest=None):
        if front_matter is None:
            if rel not in allowed:
                raise AssertionError(f"{rel}: front matter parsed again")
            (marks / rel.replace("/", " ")).touch()
        return real(rel, data, prefix, front_matter, digest)

    monkeypatch.setattr(render, "parse_entry", from_store_only)
    monkeypatch.setattr(pool, "MIN_PARALLEL", 1)  # the build reads in two workers


def test_a_build_after_a_cold_validate_parses_no_front_matter_again(exl2, tmp_path,
                                                                   monkeypatch):
    plain = tree_of(build(load_settings(exl2), tmp_path / "plain", jobs=1, use_cache=False))
    shutil.rmtree(exl2 / ".pipeline-cache")
    checked = cold_validate(exl2, monkeypatch)
    kept = stores(exl2)
    assert len(kept) == 2  # one a worker
    assert checked.parsed == [str(p) for p in kept]
    assert sum(len(parsed.Stores([p])) for p in kept) == 13
    refuse_yaml(monkeypatch, tmp_path / "marks")
    result = build(load_settings(exl2), tmp_path / "after", jobs=2)
    assert result.rendered == 13
    assert tree_of(result) == plain  # byte for byte what parsing everything gives


def test_an_entry_edited_after_validate_is_parsed_from_its_new_bytes(exl2, tmp_path,
                                                                    monkeypatch):
    cold_validate(exl2, monkeypatch)
    path = exl2 / "entries/glossary/gguf.md"
    path.write_text(path.read_text().replace("title: GGUF", "title: GGUF files"))
    refuse_yaml(monkeypatch, tmp_path / "marks", allowed={"entries/glossary/gguf.md"})
    result = build(load_settings(exl2), tmp_path / "out", jobs=2)
    # validate parses it, in the build's worker that renders it: the build's reading
    # parses nothing (it parsed gguf.md a second time before)
    assert os.listdir(tmp_path / "marks") == []
    assert b"<h1>GGUF files</h1>" in (result.out_dir / "glossary/gguf.html").read_bytes()


def test_stores_that_are_damaged_or_gone_are_passed_over(exl2, tmp_path, monkeypatch):
    plain = tree_of(build(load_settings(exl2), tmp_path / "plain", jobs=1, use_cache=False))
    shutil.rmtree(exl2 / ".pipeline-cache")
    cold_validate(exl2, monkeypatch)
    first, second = stores(exl2)
    first.unlink()
    data = bytearray(second.read_bytes())
    data[len(parsed.MAGIC) + 8:len(parsed.MAGIC) + 40] = b"\xff" * 32  # records garbled
    second.write_bytes(bytes(data))
    monkeypatch.setattr(pool, "MIN_PARALLEL", 1)
    result = build(load_settings(exl2), tmp_path / "out", jobs=2)
    assert tree_of(result) == plain


def test_a_new_cold_run_replaces_the_stores_and_removes_any_left_behind(exl2, monkeypatch):
    cold_validate(exl2, monkeypatch)
    old = stores(exl2)
    folder = exl2 / ".pipeline-cache" / parsed.FOLDER
    (exl2 / ".pipeline-cache/validate.cache").unlink()  # the next run is cold again
    (folder / ".parsed-1-2-3.bin.tmp").write_bytes(b"half")  # a killed writer
    mine = [folder / "parsed-notes.txt", folder / "parsed-1-2.bin", folder / "notes.bin",
            exl2 / ".pipeline-cache" / "parsed-1-2-3.bin"]  # not named as stores are
    for path in mine:
        path.write_text("keep me")
    checked = cold_validate(exl2, monkeypatch)
    new = stores(exl2)
    new = [p for p in new if parsed.is_store_name(p.name)]
    assert len(new) == 2 and not set(old) & set(new)
    assert checked.parsed == [str(p) for p in new]
    assert not (folder / ".parsed-1-2-3.bin.tmp").exists()
    assert all(path.read_text() == "keep me" for path in mine)
    warm = validate_module.validate(load_settings(exl2), jobs=2)  # nothing to parse
    assert warm.parsed == checked.parsed
    assert [p for p in stores(exl2) if parsed.is_store_name(p.name)] == new


HELD_BEFORE_ITS_STORES = """\
import json, os, sys, time
from pathlib import Path
from pipeline import validate
from pipeline.config import load_settings

marks, replace = Path(sys.argv[2]), os.replace

def held(src, dst, *args, **kw):  # each worker waits, its store half written, for "go"
    if os.path.basename(str(src)).startswith(".parsed-"):
        (marks / str(os.getpid())).touch()
        while not (marks / "go").exists():
            time.sleep(0.01)
    return replace(src, dst, *args, **kw)

os.replace = held
validate.PER_WORKER = 1  # two workers for 13 files
print(json.dumps(validate.validate(load_settings(Path(sys.argv[1])), jobs=2).parsed))
"""


def test_two_cold_runs_at_once_leave_each_others_stores(exl2, tmp_path, monkeypatch):
    """The first to end removed the other's stores, half-written ones too: that run's
    cache then listed none, or stores that were gone (found in review)."""
    import json
    import subprocess
    import sys

    marks = tmp_path / "marks"
    marks.mkdir()
    other = subprocess.Popen([sys.executable, "-c", HELD_BEFORE_ITS_STORES, str(exl2),
                              str(marks)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        while len(os.listdir(marks)) < 2:  # both its workers hold a half-written store
            assert other.poll() is None, other.stderr.read()
            time.sleep(0.01)
        half = [p for p in stores(exl2) if p.name.startswith(".")]
        assert len(half) == 2
        cold_validate(exl2, monkeypatch)  # this one ends first
        assert all(p.exists() for p in half)
    finally:
        (marks / "go").touch()
        out, err = other.communicate()
    assert other.returncode == 0 and b"Traceback" not in err, err
    listed = json.loads(out)
    assert len(listed) == 2 and all(os.path.exists(p) for p in listed)
    survivor = ValidateCache.open(load_settings(exl2))  # the other run saved last
    assert survivor.parsed_paths() == listed


def test_stores_the_cache_on_disk_lists_stay(exl2, monkeypatch):
    """A run that saved just after this one, its stores are those the cache lists."""
    cold_validate(exl2, monkeypatch)
    path = exl2 / ".pipeline-cache" / FILE_NAME
    theirs, first = path.read_bytes(), stores(exl2)
    path.unlink()
    save = cache_mod.write_atomic

    def and_another_run_saves(target, data, *args, **kw):
        save(target, data, *args, **kw)
        save(target, theirs)

    monkeypatch.setattr(cache_mod, "write_atomic", and_another_run_saves)
    cold_validate(exl2, monkeypatch)
    survivor = ValidateCache.open(load_settings(exl2))
    assert survivor.parsed_paths() == [str(p) for p in first]
    assert all(p.exists() for p in first)


def test_a_validate_without_its_cache_keeps_nothing(exl2, monkeypatch):
    monkeypatch.setattr(validate_module, "PER_WORKER", 1)
    checked = validate_module.validate(load_settings(exl2), jobs=2, cache=False)
    assert checked.parsed == [] and stores(exl2) == []


# -- the store file --------------------------------------------------------------

def test_a_store_gives_back_what_was_put_and_nothing_else(tmp_path):
    writer = parsed.StoreWriter(tmp_path / "parsed-a.bin")
    writer.put("d0", {"n": float("nan"), "z": -0.0, "big": 2**70, "flag": True, "one": 1})
    writer.put("d1", {"title": "AWQ", "tags": ["a", "b"], "n": 1.5})
    writer.put("d2", {"title": "GGUF"})
    writer.put("d3", {"bad": object()})  # not plain data: left out
    assert not (tmp_path / "parsed-a.bin").exists()  # not before it is closed
    assert writer.close() == tmp_path / "parsed-a.bin"
    store = parsed.Stores([tmp_path / "parsed-a.bin", tmp_path / "parsed-missing.bin"])
    back = store.get("d0")
    assert repr(back) == repr({"n": float("nan"), "z": -0.0, "big": 2**70, "flag": True,
                               "one": 1})  # NaN, -0.0, big integers, True and 1 kept apart
    assert store.get("d1") == {"title": "AWQ", "tags": ["a", "b"], "n": 1.5}
    assert store.get("d2") == {"title": "GGUF"}
    assert store.get("d3") is None and store.get("nope") is None
    assert len(store) == 3
    store.close()


@pytest.mark.parametrize("damage", ["magic", "index offset", "index", "span", "span type",
                                    "record", "a flipped byte"])
def test_a_damaged_store_answers_nothing_wrong(tmp_path, damage):
    path = tmp_path / "parsed-b.bin"
    writer = parsed.StoreWriter(path)
    writer.put("d1", {"title": "AWQ"})
    writer.close()
    data = bytearray(path.read_bytes())
    head = len(parsed.MAGIC) + 8
    at = int.from_bytes(data[len(parsed.MAGIC):head], "little")
    if damage == "magic":
        data[0:1] = b"X"
    elif damage == "index offset":
        data[len(parsed.MAGIC):head] = (len(data) + 5).to_bytes(8, "little")
    elif damage == "index":
        data[at:] = b"\x00garbage"
    elif damage == "span":
        data[at:] = marshal.dumps({"d1": (head, len(data) + 100, b"12345678")})
    elif damage == "span type":
        data[at:] = marshal.dumps({"d1": ("a", "b", b"12345678")})
    elif damage == "record":  # a record that is not a mapping, with its right checksum
        record = marshal.dumps(["not", "a", "mapping"])
        data[head:at] = record
        data[len(parsed.MAGIC):head] = (head + len(record)).to_bytes(8, "little")
        data[head + len(record):] = marshal.dumps(
            {"d1": (head, head + len(record), parsed._check(record))})
    else:  # "AWQ" -> "AWR": still a mapping, but not what was parsed
        i = data.index(b"AWQ", head)
        data[i + 2:i + 3] = b"R"
    path.write_bytes(bytes(data))
    assert parsed.Stores([path]).get("d1") is None


def test_a_store_that_cannot_be_written_is_given_up_quietly(tmp_path):
    (tmp_path / "file").write_text("not a folder")
    writer = parsed.StoreWriter(tmp_path / "file" / "parsed-1-2-3.bin")
    writer.put("d1", {"title": "AWQ"})
    assert writer.close() is None
    assert os.listdir(tmp_path) == ["file"]


def tree_of(result) -> dict[str, bytes]:
    return tree(result.out_dir)
