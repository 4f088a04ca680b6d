"""Writing never loses what someone put there, and a write that fails names the file the
user knows: `build`'s fallback swap, `digest draft`, `new`, `digest render` and
`schema-docs`."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from conftest import REPO, unavailable
from pipeline.config import load_settings
from pipeline.fileio import write_atomic
from pipeline.publish import output
from pipeline.publish.build import build
from pipeline.publish.output import MARKER, OutputError

DIGEST = "digests/2026-10.md"
# A digest with the editor's words and none of the generated blocks, which the next draft
# records as deleted: it writes the file again.
EDITED = ("---\nmonth: '2026-10'\nsubject: 'October'\nstatus: draft\ndeleted: []\n---\n\n"
          "# The editor's headline\n\nThe editor's words.\n")


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def unprivileged(root: Path, *args: str) -> subprocess.CompletedProcess:
    """Run the CLI in a process that file permissions apply to: as root, without the
    capabilities that override them."""
    cmd = [sys.executable, "-m", "pipeline", "--root", str(root), *args]
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            unavailable("running as root without setpriv, file permissions cannot be tested")
        cmd = [setpriv, "--bounding-set", "-dac_override,-dac_read_search", "--", *cmd]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)


# -- build: the swap by two renames -----------------------------------------

@pytest.fixture
def renames_only(monkeypatch):
    """A system without renameat2(RENAME_EXCHANGE): the swap falls back to renames."""
    monkeypatch.setattr(output, "_exchange", lambda a, b: False)


def test_the_fallback_swap_never_removes_a_folder_it_did_not_make(catalog, tmp_path,
                                                                   renames_only):
    out = tmp_path / "site"
    build(load_settings(catalog), out)
    before = tree(out)
    parked = tmp_path / ".site.old"
    parked.mkdir()
    (parked / "notes.md").write_text("notes")
    with pytest.raises(OutputError) as e:
        build(load_settings(catalog), out)
    assert str(parked) in str(e.value) and "was not written by `pipeline build`" in str(e.value)
    assert (parked / "notes.md").read_text() == "notes"
    assert tree(out) == before  # the live output is as it was
    shutil.rmtree(parked)
    build(load_settings(catalog), out)  # once it is out of the way, the build goes through
    assert tree(out) == before and not parked.exists()


@pytest.mark.parametrize("kind", ["empty", "ours"])
def test_the_fallback_swap_reuses_an_empty_or_own_parking_folder(catalog, tmp_path,
                                                                 renames_only, kind):
    out = tmp_path / "site"
    build(load_settings(catalog), out)
    parked = tmp_path / ".site.old"
    parked.mkdir()
    if kind == "ours":  # left by a build interrupted between its two renames
        (parked / MARKER).write_text("ours")
        (parked / "old.html").write_text("old")
    build(load_settings(catalog), out)
    assert not parked.exists() and (out / MARKER).is_file()


def test_a_file_where_the_fallback_parks_the_output_is_refused_and_kept(catalog, tmp_path,
                                                                        renames_only):
    out = tmp_path / "site"
    build(load_settings(catalog), out)
    (tmp_path / ".site.old").write_text("mine")
    with pytest.raises(OutputError, match=r"\.site\.old"):
        build(load_settings(catalog), out)
    assert (tmp_path / ".site.old").read_text() == "mine"


# -- digest draft: what the editor put there --------------------------------

def redraft(cli, root):
    return cli(root, "digest", "draft", "2026-10", "--offline")


def edited_digest(root: Path) -> Path:
    path = root / DIGEST
    path.parent.mkdir(exist_ok=True)
    path.write_text(EDITED, encoding="utf-8")
    return path


def test_a_read_only_digest_is_not_redrafted(repo, cli):
    path = edited_digest(repo)
    path.chmod(0o444)
    r = redraft(cli, repo)
    assert r.exit_code == 2 and "Traceback" not in r.output
    assert f"{DIGEST} is read-only" in r.output
    assert path.read_text(encoding="utf-8") == EDITED
    assert stat.S_IMODE(path.stat().st_mode) == 0o444
    assert not (repo / ".digest-backups").exists()


def test_a_digest_that_is_a_symbolic_link_is_written_where_it_points(repo, cli):
    shared = repo / "shared/2026-10.md"
    shared.parent.mkdir()
    shared.write_text(EDITED, encoding="utf-8")
    (repo / "digests").mkdir()
    (repo / DIGEST).symlink_to("../shared/2026-10.md")
    r = redraft(cli, repo)
    assert r.exit_code == 0, r.output
    assert os.readlink(repo / DIGEST) == "../shared/2026-10.md"  # still the link
    text = shared.read_text(encoding="utf-8")
    assert "The editor's words." in text and "deleted: [new-entries," in text
    assert (repo / ".digest-backups/2026-10.1.md").read_text(encoding="utf-8") == EDITED
    assert [p.name for p in shared.parent.iterdir()] == ["2026-10.md"]  # no temporary file


def test_a_digest_that_is_a_dangling_link_is_refused(repo, cli):
    (repo / "digests").mkdir()
    (repo / DIGEST).symlink_to("../shared/2026-10.md")
    r = redraft(cli, repo)
    assert r.exit_code == 2 and "Traceback" not in r.output
    assert DIGEST in r.output and "symbolic link" in r.output
    assert os.readlink(repo / DIGEST) == "../shared/2026-10.md"
    assert not (repo / "shared").exists()


@pytest.mark.parametrize("status", ["Sent", "SENT", "'sent '"])
def test_a_sent_digest_is_not_redrafted_whatever_the_case(repo, cli, status):
    path = edited_digest(repo)
    text = EDITED.replace("status: draft", f"status: {status}")
    path.write_text(text, encoding="utf-8")
    r = redraft(cli, repo)
    assert r.exit_code == 2 and "went out already" in r.output
    assert path.read_text(encoding="utf-8") == text


# -- pipeline new -----------------------------------------------------------

def test_new_does_not_replace_a_dangling_symbolic_link(catalog, cli):
    link = catalog / "entries/glossary/dang.md"
    link.symlink_to("../../elsewhere/dang.md")
    r = cli(catalog, "new", "glossary", "dang", "--title", "T")
    assert r.exit_code == 2 and "entries/glossary/dang.md already exists" in r.output
    assert os.readlink(link) == "../../elsewhere/dang.md"


# -- failed writes name the file the user knows -----------------------------

def test_a_digests_folder_that_cannot_be_written_is_named_not_a_temporary_file(repo):
    (repo / "digests").mkdir()
    (repo / "digests").chmod(0o555)
    try:
        r = unprivileged(repo, "digest", "draft", "2026-10", "--offline")
    finally:
        (repo / "digests").chmod(0o755)
    assert r.returncode == 2 and "Traceback" not in r.stderr, r.stderr
    assert ".tmp" not in r.stderr
    assert f"{repo / DIGEST}: Permission denied" in r.stderr
    assert "digests" in r.stderr.split("Permission denied", 1)[1]  # what to make writable
    assert list((repo / "digests").iterdir()) == []


def test_a_folder_where_the_digest_goes_is_named_and_kept(repo, cli):
    (repo / DIGEST).mkdir(parents=True)
    (repo / DIGEST / "mine.txt").write_text("mine")
    r = redraft(cli, repo)
    assert r.exit_code in (1, 2) and "Traceback" not in r.output
    assert ".tmp" not in r.output and DIGEST in r.output and "folder" in r.output
    assert (repo / DIGEST / "mine.txt").read_text() == "mine"
    assert os.listdir(repo / "digests") == ["2026-10.md"]


def test_render_into_a_read_only_folder_names_the_file(repo, cli):
    edited_digest(repo)
    assert redraft(cli, repo).exit_code == 0
    out = repo / "out"
    out.mkdir()
    out.chmod(0o555)
    try:
        r = unprivileged(repo, "digest", "render", "2026-10", "--out", str(out))
    finally:
        out.chmod(0o755)
    assert r.returncode == 2 and "Traceback" not in r.stderr, r.stderr
    assert ".tmp" not in r.stderr and f"{out / 'email.html'}: Permission denied" in r.stderr
    assert list(out.iterdir()) == []


def test_write_atomic_names_the_file_when_a_folder_is_in_its_place(tmp_path):
    (tmp_path / "page.html").mkdir()
    with pytest.raises(IsADirectoryError) as e:
        write_atomic(tmp_path / "page.html", "text")
    assert e.value.filename == str(tmp_path / "page.html")
    assert "folder" in e.value.strerror
    assert os.listdir(tmp_path) == ["page.html"]


def test_write_atomic_says_which_file_is_in_the_way_of_a_folder(tmp_path):
    (tmp_path / "a").write_text("mine")
    for target in (tmp_path / "a/b.md", tmp_path / "a/b/c.md"):
        with pytest.raises(OSError) as e:
            write_atomic(target, "text")
        assert e.value.filename == str(target)
        assert f"{tmp_path / 'a'} is a file, not a folder" in e.value.strerror
    assert (tmp_path / "a").read_text() == "mine"


# -- "File exists": what is in the way --------------------------------------

def test_a_file_named_like_the_backups_folder_is_explained(repo, cli):
    path = edited_digest(repo)
    (repo / ".digest-backups").write_text("mine")
    r = redraft(cli, repo)
    assert r.exit_code in (1, 2) and "Traceback" not in r.output
    assert "File exists" not in r.output
    assert ".digest-backups is a file, not a folder" in r.output
    assert (repo / ".digest-backups").read_text() == "mine"
    assert path.read_text(encoding="utf-8") == EDITED  # no backup, so no new draft either


def test_a_digests_setting_naming_a_file_is_explained(repo, cli):
    toml = repo / "pipeline.toml"
    toml.write_text(toml.read_text().replace('digests = "digests"', 'digests = "pipeline.toml"'))
    before = toml.read_bytes()
    r = redraft(cli, repo)
    assert r.exit_code == 2 and "Traceback" not in r.output
    assert "File exists" not in r.output
    assert "paths.digests" in r.output and "pipeline.toml is a file, not a folder" in r.output
    assert toml.read_bytes() == before


# -- schema-docs --check ----------------------------------------------------

def test_schema_docs_check_names_a_reference_that_is_not_utf8(catalog, cli):
    (catalog / "docs").mkdir()
    (catalog / "docs/schema-reference.md").write_bytes(b"# Fields\n\nCaf\xe9\n")
    r = cli(catalog, "schema-docs", "--check")
    assert r.exit_code == 1 and "Traceback" not in r.output
    assert "docs/schema-reference.md" in r.output and "not UTF-8" in r.output
    assert "pipeline schema-docs --write" in r.output


def test_schema_docs_check_names_a_folder_where_the_reference_goes(catalog, cli):
    """A folder there was "missing; run --write", and --write then failed on the folder."""
    (catalog / "docs/schema-reference.md").mkdir(parents=True)
    r = cli(catalog, "schema-docs", "--check")
    assert r.exit_code == 1 and "docs/schema-reference.md is a folder" in r.output
    assert "is missing" not in r.output


@settings(max_examples=80, deadline=None)
@given(st.lists(st.one_of(st.binary(max_size=40),
                          st.tuples(st.integers(0, 99), st.integers(0, 60))), max_size=12),
       st.sampled_from(["kernel", "refused", "refused later"]))
def test_spans_are_written_as_their_bytes_however_the_kernel_copies(tmp_path_factory, chunks,
                                                                    kernel):
    """A file written of bytes and Spans of another file holds their bytes in order,
    whether the kernel copies between the files or refuses (another file system: then
    the spans after the refusal are read, joining the blocks, without asking it again)."""
    import errno

    folder = tmp_path_factory.mktemp("spans")
    source = folder / "source.bin"
    source.write_bytes(bytes(range(100)) + bytes(range(60)))
    data = [c if isinstance(c, bytes) else output.Span(str(source), c[0], c[0] + c[1])
            for c in chunks]
    want = b"".join(c if isinstance(c, bytes) else source.read_bytes()[c.start:c.end]
                    for c in data)
    asked = []
    real = os.copy_file_range

    def copy_file_range(src, dst, count, offset_src=None, *args):
        asked.append(offset_src)
        if kernel == "refused" or (kernel == "refused later" and len(asked) > 1):
            raise OSError(errno.EXDEV, "Invalid cross-device link")
        return real(src, dst, count, offset_src, *args)

    original, os.copy_file_range = os.copy_file_range, copy_file_range
    try:
        stat_ = output.write_file(folder, "out.bin", iter(data), new=True)
    finally:
        os.copy_file_range = original
    assert (folder / "out.bin").read_bytes() == want
    assert stat_[0] == len(want)
    if kernel != "kernel":  # asked again after a refusal: never
        assert len(asked) <= (1 if kernel == "refused" else 2)
    (folder / "out.bin").unlink()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.binary(max_size=40),
                          st.tuples(st.integers(0, 99), st.integers(0, 60))), max_size=12),
       st.integers(1, 80), st.booleans())
def test_chunks_are_written_in_order_whatever_the_size_of_the_blocks(tmp_path_factory,
                                                                    chunks, size, refused):
    """Bytes joined into blocks, a block written when it reaches `size` or before a Span
    the kernel copies, Spans read into the blocks once the kernel refused: the file holds
    the chunks in order and the count is its length."""
    import errno

    folder = tmp_path_factory.mktemp("blocks")
    source = folder / "source.bin"
    source.write_bytes(bytes(range(160)))
    data = [c if isinstance(c, bytes) else output.Span(str(source), c[0], c[0] + c[1])
            for c in chunks]
    want = b"".join(c if isinstance(c, bytes) else bytes(range(160))[c.start:c.end]
                    for c in data)

    def copy_file_range(*args):
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    original = os.copy_file_range
    if refused:
        os.copy_file_range = copy_file_range
    fd = os.open(folder / "out.bin", os.O_WRONLY | os.O_CREAT | os.O_EXCL)
    try:
        assert output._write_chunks(fd, iter(data), size) == len(want)
    finally:
        os.close(fd)
        os.copy_file_range = original
    assert (folder / "out.bin").read_bytes() == want


def test_a_span_past_the_end_of_its_file_is_an_error_however_it_is_copied(tmp_path,
                                                                        monkeypatch):
    import errno

    source = tmp_path / "source.bin"
    source.write_bytes(b"0123456789")
    for refused in (False, True):
        if refused:
            def refuse(*args):
                raise OSError(errno.EXDEV, "Invalid cross-device link")
            monkeypatch.setattr(os, "copy_file_range", refuse)
        spans = [output.Span(str(source), 0, 4), b"-", output.Span(str(source), 8, 14)]
        with pytest.raises(OSError, match="shorter than expected"):
            output.write_file(tmp_path, f"out{refused}.bin", iter(spans), new=True)


@settings(max_examples=80, deadline=None)
@given(st.one_of(st.none(), st.binary(max_size=300)), st.booleans(),
       st.one_of(st.binary(max_size=300), st.lists(st.binary(max_size=60), max_size=6)),
       st.booleans())
def test_a_file_written_holds_its_bytes_whatever_was_there(tmp_path_factory, there, linked,
                                                          data, new):
    """Whatever was at the place (nothing, a longer or a shorter file, one hard-linked
    with the live tree), the file holds the bytes written and nothing after them (a file
    overwritten in place is cut to its new end only when it was longer), the linked
    file is unchanged, and the record is the file's size and mtime."""
    folder = tmp_path_factory.mktemp("write")
    live, path = folder / "live.bin", folder / "spare" / "page.html"
    if there is not None:
        path.parent.mkdir()
        path.write_bytes(there)
        if linked:
            os.link(path, live)
    want = data if isinstance(data, bytes) else b"".join(data)
    record = output.write_file(folder / "spare", "page.html",
                               data if isinstance(data, bytes) else iter(data), new=new)
    assert path.read_bytes() == want
    st_ = os.stat(path)
    assert record == [st_.st_size, st_.st_mtime_ns]
    if there is not None and linked:
        assert live.read_bytes() == there and st_.st_nlink == 1
