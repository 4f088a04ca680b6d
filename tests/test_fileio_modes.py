"""write_atomic keeps a file's mode; a new file gets the mode `open` would give it."""

from __future__ import annotations

import os
import stat

import pytest

from pipeline.fileio import write_atomic


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def umask():
    """Set the process's umask for one test (each xdist worker is a process of its own)."""
    old = os.umask(0o022)
    yield lambda m: os.umask(m)
    os.umask(old)


@pytest.mark.parametrize("mask, expected", [(0o022, 0o644), (0o027, 0o640), (0o002, 0o664)])
def test_a_new_file_gets_0666_less_the_umask(tmp_path, umask, mask, expected):
    umask(mask)
    write_atomic(tmp_path / "new.md", "text")
    assert mode(tmp_path / "new.md") == expected
    assert [p.name for p in tmp_path.iterdir()] == ["new.md"]  # no temporary file left


@pytest.mark.parametrize("existing", [0o644, 0o664, 0o600, 0o755, 0o444])
def test_an_existing_file_keeps_its_mode(tmp_path, umask, existing):
    path = tmp_path / "old.md"
    path.write_text("before")
    path.chmod(existing)
    write_atomic(path, b"after")
    assert path.read_text() == "after" and mode(path) == existing


def test_a_new_entry_is_readable_by_the_group_and_others(catalog, cli, umask):
    r = cli(catalog, "new", "glossary", "flash-attention", "--title", "FlashAttention",
            "--author", "ana")
    assert r.exit_code == 0, r.output
    assert mode(catalog / "entries/glossary/flash-attention.md") == 0o644
