"""The history walk's short cuts, held to the ways they replace by property tests: a file's
id remembered by EntryPaths, a day's date remembered by utc_date, and State.apply's path
for an entry edited (taken while no deleted id waits to come back)."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings as hsettings, strategies as st

from pipeline.config import load_settings
from pipeline.history import gitio
from pipeline.history.state import LogCommit, State, utc_date

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
