"""The history walk's short cuts, held to the ways they replace by property tests: a file's
id remembered by EntryPaths."""

from __future__ import annotations

from hypothesis import given, settings as hsettings, strategies as st

from pipeline.config import load_settings
from pipeline.history import gitio

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
