"""The benchmark corpus generator makes a valid catalog and a history; the harness measures."""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from conftest import REPO, unavailable
from pipeline.config import COLLECTIONS, load_settings
from pipeline.validate import validate

sys.path.insert(0, str(REPO / "benchmarks"))
import generate  # noqa: E402
import run as bench  # noqa: E402


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True,
                          check=True).stdout


@pytest.fixture(scope="module")
def history(tmp_path_factory) -> Path:
    return generate.generate(tmp_path_factory.mktemp("bench") / "hist", 80, commits=120,
                             months=3, seed=7)


def test_the_catalog_is_valid_and_covers_every_collection(tmp_path):
    root = generate.generate(tmp_path / "cat", 90)
    result = validate(load_settings(root), cache=False)
    assert [d.to_dict() for d in result.diagnostics] == []
    assert result.entries == 90
    counts = Counter(p.parent.name for p in (root / "entries").rglob("*.md"))
    assert set(counts) == set(COLLECTIONS)
    texts = [p.read_text(encoding="utf-8") for p in (root / "entries").rglob("*.md")]
    assert sum(len(t) for t in texts) / len(texts) > 3000  # bodies of about 4 KB
    assert any(f"tag={generate.OUR_TAG}" in t for t in texts)  # affiliate offers
    assert sum("[@" in t for t in texts) > 80  # citations
    assert sum("](/" in t for t in texts) > 40  # body links between entries
    assert "shared-" in (root / "data/bibliography.yaml").read_text(encoding="utf-8")


def test_the_same_seed_gives_the_same_bytes(tmp_path):
    a = generate.generate(tmp_path / "a", 30)
    b = generate.generate(tmp_path / "b", 30)
    files = sorted(p.relative_to(a) for p in a.rglob("*.md"))
    assert files == sorted(p.relative_to(b) for p in b.rglob("*.md"))
    assert all((a / f).read_bytes() == (b / f).read_bytes() for f in files)


def test_the_history_has_its_commits_renames_verdicts_and_corrections(history):
    assert git(history, "rev-list", "--count", "HEAD").strip() == "120"
    assert git(history, "status", "--porcelain").strip() == ""
    log = git(history, "log", "--format=%s%n%b")
    assert "Correction:" in log and "Verdict on" in log and "Publish " in log
    renames = git(history, "log", "-M", "--diff-filter=R", "--name-status", "--format=")
    assert renames.strip().startswith("R")
    dates = git(history, "log", "--format=%cs").split()
    assert dates[-1] == "2024-11-01" and dates[0] >= "2025-01-15"
    result = validate(load_settings(history), cache=False)
    assert [d.to_dict() for d in result.diagnostics] == []
    assert result.entries == 80


def test_the_history_is_packed_as_git_gc_would(history):
    """One pack, its deltas recomputed after fast-import: the newest trees are stored
    whole (fast-import leaves them at the end of delta chains, where a walk of the
    history from HEAD pays for every chain)."""
    counts = dict(line.split(": ") for line in git(history, "count-objects", "-v").splitlines())
    assert counts["count"] == "0" and counts["packs"] == "1"
    trees = "".join(f"HEAD:entries/{c}\n" for c in ("glossary", "models", "benchmarks"))
    found = subprocess.run(["git", "cat-file", "--batch-check=%(objecttype) %(deltabase)"],
                           cwd=history, input=trees, capture_output=True, text=True,
                           check=True).stdout.split("\n")[:-1]
    assert found == ["tree " + "0" * 40] * 3


def test_a_renamed_entry_redirects_and_its_referrers_follow(history):
    line = next(x for x in git(history, "log", "-M", "--diff-filter=R", "--name-status",
                               "--format=").splitlines() if x.startswith("R"))
    old, new = line.split("\t")[1:]
    old_id = old.removeprefix("entries/").removesuffix(".md")
    assert "redirect_from" in git(history, "show", f"HEAD:{new}") or not (history / new).exists()
    assert all(f"/{old_id})" not in p.read_text(encoding="utf-8")
               for p in (history / "entries").rglob("*.md"))


def test_the_harness_measures_a_process(monkeypatch):
    big = [sys.executable, "-c", "import time; x = bytearray(50 * 2**20); x[::4096] = "
           "b'x' * len(x[::4096]); time.sleep(0.3); print('hi')"]
    sample = bench.run(big)
    assert sample.stdout.strip() == "hi"
    assert sample.rss_mib > 50
    assert sample.seconds > 0
    assert sample.pss_mib == 0  # not sampled: a timed run
    monkeypatch.setattr(bench, "SAMPLE_PSS", True)
    assert bench.run(big).pss_mib > 50


def test_timed_runs_are_not_sampled_and_carry_the_peak_of_one_more_run(tmp_path):
    """Sampling the tree's PSS every 20 ms slowed a cold build by a tenth: the runs timed
    are not sampled, and one more run, not timed, gives the peak memory."""
    args = argparse.Namespace(entries=10, commits=0, months=1, work=str(tmp_path / "work"),
                              runs=2, settle=0, idle=0)
    b = bench.Bench(args)
    seen = []

    def make():
        seen.append(bench.SAMPLE_PSS)
        return bench.Sample(float(len(seen)), 1.0, 40.0 if bench.SAMPLE_PSS else 0.0)

    before = []
    samples = b.times(make, before.append)
    assert seen == [False, False, True] and before == [0, 1, 2]
    assert [s.seconds for s in samples] == [1.0, 2.0]  # the sampled run is not timed
    assert [s.pss_mib for s in samples] == [40.0, 40.0]
    assert bench.SAMPLE_PSS is False


def test_the_floor_reads_every_entry(tmp_path):
    root = generate.generate(tmp_path / "cat", 20)
    out = subprocess.run([sys.executable, "-c", bench.FLOOR, str(root)], capture_output=True,
                         text=True, check=True).stdout
    assert float(out) > 0


def test_before_making_files_the_harness_waits_for_the_disk_to_settle(tmp_path, monkeypatch):
    """A probe that finds file creation slow (as after a big deletion) waits and probes
    again; the probes are kept for the table."""
    assert bench.file_creation_us(tmp_path / "probe", count=20) > 0
    assert len(list((tmp_path / "probe").iterdir())) == 20
    args = argparse.Namespace(
        entries=10, commits=0, months=1, work=str(tmp_path / "work"), runs=1, settle=60.0)
    b = bench.Bench(args)
    slow_then_fast = iter([250.0, 90.0, 20.0])
    monkeypatch.setattr(bench, "file_creation_us", lambda folder: next(slow_then_fast))
    naps = []
    monkeypatch.setattr(bench.time, "sleep", naps.append)
    b.settle("build")
    assert b.probes == [("build", 250.0), ("build", 90.0), ("build", 20.0)]
    assert naps == [30, 30]
    b.rows.append(bench.Row("build, full", [], "", "", 1.0))
    assert "microseconds to make a file, before: build 250; build 90; build 20" in b.table()
    args.settle = 0  # probe once, never wait
    monkeypatch.setattr(bench, "file_creation_us", lambda folder: 500.0)
    b.settle("hugo")
    assert b.probes[-1] == ("hugo", 500.0) and naps == [30, 30]


def test_hugo_is_measured_as_is_and_with_dates_from_git(history, tmp_path):
    """Two Hugo rows: the Markdown copied out, and the same site in the corpus's work tree
    with enableGitInfo, whose pages carry each file's last commit date as the build's
    `updated` does; the corpus's git status stays clean."""
    if shutil.which("hugo") is None:
        unavailable("Debian's hugo is not installed (apt-get install hugo)")
    args = argparse.Namespace(entries=80, commits=120, months=3, work=str(tmp_path / "work"),
                              runs=1, settle=0, idle=0)
    b = bench.Bench(args)
    b.corpus = history
    b.measure_hugo()
    assert [r.name for r in b.rows] == ["hugo, same Markdown, minimal templates",
                                        "hugo, the same with git dates (enableGitInfo)"]
    assert all(r.seconds > 0 for r in b.rows)
    assert git(history, "status", "--porcelain").strip() == ""
    page = sorted((history / "entries" / "glossary").glob("*.md"))[0]
    built = tmp_path / "work" / "hugo-git-public-0" / "glossary" / page.stem / "index.html"
    last = git(history, "log", "-1", "--format=%as", "--", str(page.relative_to(history)))
    assert f"Updated {last.strip()}" in built.read_text(encoding="utf-8")
    plain = tmp_path / "work" / "hugo-public-0" / "glossary" / page.stem / "index.html"
    assert plain.is_file()
