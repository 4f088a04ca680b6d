"""The history walk's short cuts, held to the ways they replace by property tests: a file's
id remembered by EntryPaths, a day's date remembered by utc_date, State.apply's path
for an entry edited (taken while no deleted id waits to come back), and parse_log's
short path for a commit of one file; the history cache's rows and the Atom ids' first
entries made without loops for the commonest cases; and the walk from the cache of an
earlier commit, held to the walk from no cache."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings as hsettings, strategies as st

from pipeline.config import load_settings
from pipeline.history import gitio
from pipeline.history.log import parse_log
from pipeline.history.state import (Correction, EntryHistory, LogCommit, PreviousId, State,
                                     _history_from_json, _history_json, utc_date)
from pipeline.publish.git_history import first_ids

PIECES = ["entries", "Entries", "glossary", "Glossary", "tools", "awq", "AWQ", "vllm", "a b",
          "x", "-", "/", ".md", ".MD", "data", "sub/dir"]


def test_file_id_remembered_is_file_id_worked_out(repo):
    paths = gitio.EntryPaths(load_settings(repo), gitio.open_repo(load_settings(repo)))

    @hsettings(max_examples=400, deadline=None)
    @given(st.lists(st.sampled_from(PIECES), max_size=7).map("".join))
    def check(path):
        fresh = gitio.EntryPaths.__new__(gitio.EntryPaths)
        fresh.prefix, fresh.folder, fresh._file_ids = paths.prefix, paths.folder, {}
        assert paths.file_id(path) == paths.file_id(path) == fresh._file_id(path)

    check()


@given(st.integers(min_value=-62135596800, max_value=253402300799))
def test_utc_date_remembered_is_the_date_of_the_time(time):
    expected = dt.datetime.fromtimestamp(time, tz=dt.timezone.utc).date().isoformat()
    assert utc_date(time) == expected
    assert utc_date(time) == expected  # asked again: from the day's memo


IDS = ["glossary/awq", "glossary/gptq", "tools/vllm", "glossary/AWQ", "data/x"]
CHANGE = st.one_of(
    st.tuples(st.sampled_from("MAD"), st.none(), st.sampled_from(IDS)),
    st.tuples(st.just("R"), st.sampled_from(IDS), st.sampled_from(IDS)))


@given(st.lists(st.tuples(st.integers(0, 10**9), st.lists(CHANGE, max_size=4)), max_size=12))
def test_apply_edited_entry_path_is_the_general_one(walk):
    """An entry edited while nothing waits in `gone` takes apply's short path; a State with
    one deleted id that never comes back takes the general one for every change."""
    class Paths:  # ids as the file names are: no settings or repository needed
        @staticmethod
        def file_id(path):
            return path if path and path != "data/x" else None

        id = file_id

    short, general = State(), State()
    general.gone["never/back"] = ("0" * 40, None)
    for n, (time, changes) in enumerate(walk):
        commit = LogCommit(f"{n:040d}", time, [], changes)
        short.apply(commit, Paths)
        general.apply(commit, Paths)
    del general.gone["never/back"]
    assert short.histories == general.histories
    assert short.steps == general.steps and short.gone == general.gone


def _parse_log_plainly(out):
    """parse_log as it was written first: every commit's file list in one loop."""
    commits = []
    for record in out.split("\x1e")[1:]:
        head, trailers, rest = record.split("\x1f", 2)
        sha, time, *parents = head.split()
        parts = rest.split("\0")
        changes = []
        i = 1
        while i < len(parts):
            status = parts[i].strip()
            if not status:
                i += 1
                continue
            if status[0] in "RC":
                changes.append((status[0], parts[i + 1], parts[i + 2]))
                i += 3
            else:
                changes.append((status[0], None, parts[i + 1]))
                i += 2
        texts = [t.strip() for t in trailers.split("\x1d") if t.strip()]
        commits.append(LogCommit(sha, int(time), texts, changes, len(parents) > 1))
    return commits


PATH = st.sampled_from(["entries/glossary/awq.md", "entries/tools/vllm.md", "README.md",
                        "data/a b.yaml", "entries/glossary/AWQ.md"])
FILE = st.one_of(st.tuples(st.sampled_from(["M", "A", "D", "T"]), PATH),
                 st.tuples(st.sampled_from(["R100", "R087", "C075"]), PATH, PATH))
SHA = st.sampled_from(["a" * 40, "b" * 40, "c" * 40])
COMMIT = st.tuples(SHA, st.integers(0, 2 * 10**9), st.lists(SHA, max_size=2),
                   st.lists(st.sampled_from(["It is 4-bit.", " x ", "", "a; b"]), max_size=3),
                   st.lists(FILE, max_size=4))


@given(st.lists(COMMIT, max_size=6))
def test_parse_log_is_the_plain_parse(commits):
    """git's `-z --name-status` output for the format of FIRST_PARENT: the first status of a
    commit follows a newline, each field ends with a NUL."""
    out = "".join(f"\x1e{sha} {time} {' '.join(parents)}\x1f" + "\x1d".join(trailers) + "\x1f"
                  + ("\0\n" + "\0".join("\0".join(f) for f in files) + "\0" if files else "")
                  for sha, time, parents, trailers, files in commits)
    assert parse_log(out) == _parse_log_plainly(out)


PREVIOUS = st.lists(st.builds(PreviousId, st.sampled_from(IDS), st.just("2026-09-01"),
                              st.integers(0, 5)), max_size=3)
HISTORY = st.builds(lambda hid, previous, texts: EntryHistory(
    hid, "2026-09-01", "2026-10-01", previous,
    [Correction(f"{n:040d}", "2026-09-02", t, hid) for n, t in enumerate(texts)]),
    st.sampled_from(IDS[:4]), PREVIOUS, st.lists(st.sampled_from(["a", "b; c"]), max_size=2))


@given(HISTORY)
def test_history_json_is_the_plain_one(h):
    """The cache's row of a history and the history read back from it, as the plain loops
    make them whether or not the history has previous ids and corrections."""
    row = [h.id, h.created, h.updated, [list(p) for p in h.previous_ids],
           [[c.commit, c.date, c.text] for c in h.corrections]]
    assert _history_json(h) == row
    assert _history_from_json(row) == EntryHistory(
        h.id, h.created, h.updated, [PreviousId(*p) for p in row[3]],
        [Correction(*c, h.id) for c in row[4]])


def _first_ids_plainly(histories):
    """first_ids as it was written first: every group of entries sorted."""
    by_first = {}
    for h in histories:
        start = h.previous_ids[0] if h.previous_ids else None
        by_first.setdefault(start.id if start else h.id, []).append(
            (start.seq if start else float("inf"), h))
    out = {}
    for first_id, group in by_first.items():
        for place, (_seq, h) in enumerate(sorted(group, key=lambda g: (g[0], g[1].id))):
            if place or h.id != first_id:
                out[h.id] = (first_id, h.created, place)
    return out


@given(st.lists(HISTORY, max_size=6))
def test_first_ids_is_the_plain_one(histories):
    found = first_ids(histories)
    assert found == _first_ids_plainly(histories)
    assert list(found) == list(_first_ids_plainly(histories))  # in the same order


_ENTRY = {"title": "A", "status": "published", "summary": "S.", "authors": ["ana"],
          "published": "2026-01-10", "category": "Inference & serving"}


def _walked(settings):
    """What a walk gives the build: the histories, the deleted entries' rows, the first ids."""
    from pipeline.history import log
    from pipeline.publish.git_history import read_git_data

    state = log.history_state(settings)
    return state.to_json()["histories"], state.dead, read_git_data(settings).first


@pytest.mark.parametrize("seed", range(12))
def test_a_walk_from_the_cache_is_the_walk_from_scratch(repo, seed):
    """After each commit of a random history of adds, edits, deletions, reverts, renames,
    moves out of the entries folder and back, and a move with a new file at its old id
    (ids used again), the walk from the cache of the commit before gives what a walk from
    no cache gives."""
    import random

    from conftest import commit_all, git, write_entry

    rnd = random.Random(seed)
    settings = load_settings(repo)
    cache = settings.path("cache") / "history.json"
    ids = ["glossary/a", "glossary/b", "glossary/c"]
    with open(repo / ".git" / "info" / "exclude", "a", encoding="utf-8") as f:
        f.write(f"/{cache.parent.relative_to(repo).as_posix()}/\n")  # never committed
    for n in range(12):
        date = f"2026-09-{n + 2:02d}T12:00:00"
        there = sorted(i for i in ids if (repo / "entries" / f"{i}.md").exists())
        free = [i for i in ids if i not in there]
        away = sorted(p.name for p in (repo / "attic").glob("*.md"))
        body = f"Text {n}. " + "word " * rnd.choice([3, 150]) + "\n"  # -B breaks no small file
        op = rnd.choice(["add", "edit", "delete", "rename", "out", "in", "move+new", "revert"])
        if op == "revert" and n:
            git(repo, "revert", "--no-commit", "HEAD")  # a deletion undone, byte for byte
        elif op in ("add", "edit") and (free if op == "add" else there):
            write_entry(repo, rnd.choice(free if op == "add" else there), _ENTRY, body)
        elif op == "delete" and there:
            git(repo, "rm", "-q", f"entries/{rnd.choice(there)}.md")
        elif op in ("rename", "move+new") and there and free:
            old = rnd.choice(there)
            git(repo, "mv", f"entries/{old}.md", f"entries/{rnd.choice(free)}.md")
            if op == "move+new":
                write_entry(repo, old, {**_ENTRY, "title": "N"}, "Quite other words. " * 30)
        elif op == "out" and there:
            old = rnd.choice(there)
            (repo / "attic").mkdir(exist_ok=True)  # git takes it away when it is emptied
            git(repo, "mv", f"entries/{old}.md", f"attic/{old.replace('/', '-')}-{n}.md")
        elif op == "in" and away and free:
            git(repo, "mv", f"attic/{rnd.choice(away)}", f"entries/{rnd.choice(free)}.md")
        commit_all(repo, f"{op} {n}", date)
        cached = _walked(settings)
        kept = cache.read_bytes()
        cache.unlink()
        assert cached == _walked(settings), (seed, n, git(repo, "log", "--name-status"))
        cache.write_bytes(kept)
