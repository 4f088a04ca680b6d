"""The command as a shell runs it: output a terminal cannot encode, a reader that stops
reading, Ctrl-C and NO_COLOR (found in review; each ran in a real process)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

from conftest import MINI, REPO, write_entry


def pipeline(root, *args, env=None, **kw):
    e = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "pipeline", "--root", str(root), *args],
                          env=e, capture_output=True, **kw)


def test_a_character_the_terminal_cannot_encode_is_escaped_not_a_traceback(catalog):
    write_entry(catalog, "glossary/awq", {**MINI["glossary/awq"], "title": "AWQ → fast"},
                "A claim [@nöpe].\n")
    for encoding in ("ascii", "latin-1"):
        for fmt in ("text", "github"):
            r = pipeline(catalog, "validate", "--format", fmt,
                         env={"PYTHONIOENCODING": encoding})
            out = r.stdout.decode(encoding)
            assert r.returncode == 1 and b"Traceback" not in r.stderr, (encoding, fmt, r.stderr)
            assert "cite-unresolved" in out
            assert ("n\\xf6pe" if encoding == "ascii" else "nöpe") in out


def test_json_and_sarif_are_utf8_json_whatever_the_terminals_encoding(catalog):
    """Under PYTHONIOENCODING=ascii the escape written for `ö` (`\\xf6`) made the JSON and
    SARIF output invalid JSON (found in review); a file's name that is not UTF-8 stopped
    SARIF with a traceback. They are UTF-8, a lone surrogate as its JSON escape."""
    write_entry(catalog, "glossary/awq", {**MINI["glossary/awq"], "title": "AWQ → fast"},
                "A claim [@nöpe].\n")
    write_entry(catalog, "tools/x\udcffy", {**MINI["tools/vllm"], "title": "X"})
    for encoding in ("ascii", "latin-1", "utf-8"):
        for fmt in ("json", "sarif"):
            r = pipeline(catalog, "validate", "--format", fmt,
                         env={"PYTHONIOENCODING": encoding})
            assert r.returncode == 1 and b"Traceback" not in r.stderr, (encoding, fmt, r.stderr)
            text = r.stdout.decode("utf-8")
            assert "nöpe" in text and json.loads(text), (encoding, fmt)
    assert "entries/tools/x%FFy.md" in [
        loc["physicalLocation"]["artifactLocation"]["uri"]
        for res in json.loads(r.stdout)["runs"][0]["results"] for loc in res["locations"]]


def test_a_reader_that_stops_reading_ends_the_command_quietly(catalog):
    for args in (["explain"], ["--help"], ["validate", "--help"]):
        read, write = os.pipe()
        os.close(read)  # the reader is gone before a word is written (`| head -0`): no race
        try:
            r = subprocess.run([sys.executable, "-m", "pipeline", "--root", str(catalog), *args],
                               stdout=write, stderr=subprocess.PIPE)
        finally:
            os.close(write)
        assert r.returncode == 141, (args, r.stderr)
        assert r.stderr == b""  # not "Error: Broken pipe", the exit status of a settings error


def test_ctrl_c_exits_130_not_the_status_of_problems_found(catalog):
    """Ctrl-C printed "Aborted!" and exited 1: "problems found" to a script or CI."""
    proc = subprocess.Popen(
        [sys.executable, "-c", "import time, pipeline.cli as c\n"
         "@c.main.command(name='wait')\n"
         "def wait():\n"
         "    print('waiting', flush=True)\n"
         "    time.sleep(60)\n"
         "c.main()\n", "--root", str(catalog), "wait"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout.readline() == b"waiting\n"  # inside a command: Click's to handle
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 130 and err.strip() == b"Interrupted.", err


def test_no_color_turns_the_colours_off_on_a_terminal(catalog):
    """NO_COLOR (no-color.org) was ignored: escapes in a terminal that asked for none."""
    write_entry(catalog, "tools/vllm", {**MINI["tools/vllm"], "related": ["glossary/awk"]})
    script = ("import pty, os, sys\n"
              "pid, fd = pty.fork()\n"
              "if pid == 0:\n"
              "    os.execv(sys.executable, [sys.executable, '-m', 'pipeline', '--root', "
              f"{str(catalog)!r}, 'validate'])\n"
              "out = b''\n"
              "while True:\n"
              "    try:\n"
              "        chunk = os.read(fd, 65536)\n"
              "    except OSError:\n"
              "        break\n"
              "    if not chunk:\n"
              "        break\n"
              "    out += chunk\n"
              "os.waitpid(pid, 0)\n"
              "sys.stdout.buffer.write(out)\n")
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    on = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True).stdout
    off = subprocess.run([sys.executable, "-c", script], env={**env, "NO_COLOR": "1"},
                         capture_output=True).stdout
    assert b"ref-unresolved" in on and b"ref-unresolved" in off
    assert b"\x1b[" in on and b"\x1b[" not in off


def test_an_error_with_nowhere_to_be_written_keeps_its_exit_status(tmp_path):
    """With stderr a closed pipe (`2>&1 | true`), a settings error exited 1, "problems
    found", because its message could not be written (found in review)."""
    read, write = os.pipe()
    os.close(read)
    try:
        r = subprocess.run([sys.executable, "-m", "pipeline", "--root", str(tmp_path / "none"),
                            "validate"], stdout=write, stderr=write)
    finally:
        os.close(write)
    assert r.returncode == 2


def test_ctrl_c_while_the_command_starts_is_no_traceback(catalog):
    """Ctrl-C in the first tenth of a second, while the CLI's modules load, printed a
    traceback of the import under way (found in review). The signal is stood in for by
    an import that raises KeyboardInterrupt, as Python raises it then."""
    script = ("import builtins\n"
              "real = builtins.__import__\n"
              "def stopped(name, *args, **kw):\n"
              "    if name == 'click':\n"
              "        raise KeyboardInterrupt\n"
              "    return real(name, *args, **kw)\n"
              "builtins.__import__ = stopped\n"
              "from pipeline.__main__ import run\n"
              "run()\n")
    r = subprocess.run([sys.executable, "-c", script, "--root", str(catalog), "validate"],
                       capture_output=True)
    assert (r.returncode, r.stderr) == (130, b"Interrupted.\n")


def test_the_command_is_the_launcher():
    """The installed `pipeline` script starts through it, as `python -m pipeline` does."""
    import tomllib

    from conftest import REPO

    scripts = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts == {"pipeline": "pipeline.__main__:run"}


def test_the_json_of_changes_and_the_affiliate_report_is_utf8_too(repo, shipped):
    """`changes` and `affiliates report` wrote their JSON through the terminal's encoding,
    as validate did: `→` became `\\u2192`, `é` `\\xe9`, which is no JSON (found in review)."""
    write_entry(repo, "glossary/awq", {**MINI["glossary/awq"], "title": "AWQ → fast"})
    subprocess.run(["git", "-c", "user.name=T", "-c", "user.email=t@example.org", "commit",
                    "-qam", "Retitle"], cwd=repo, check=True,
                   env={**os.environ, "GIT_AUTHOR_DATE": "2026-09-02T12:00:00",
                        "GIT_COMMITTER_DATE": "2026-09-02T12:00:00"})
    card = shipped / "entries/hardware/nvidia-rtx-4090.md"
    text = card.read_text(encoding="utf-8")
    card.write_text(text.replace("tag=localaicat-20", "tag=localaicat-20&note=caf%C3%A9", 1),
                    encoding="utf-8")
    for root, args, said in (
            (repo, ["changes", "--since", "2026-09-01", "--until", "2026-10-01"], "AWQ → fast"),
            (shipped, ["affiliates", "report"], "café")):
        for encoding in ("ascii", "latin-1"):
            r = pipeline(root, *args, "--format", "json", env={"PYTHONIOENCODING": encoding})
            assert r.returncode == 0, r.stderr
            text = r.stdout.decode("utf-8")
            assert said in text and json.loads(text), (args, encoding)


def test_the_cli_loads_without_the_checks_so_git_starts_sooner():
    """`pipeline build` forks git's walk once the CLI is loaded: the checks load after,
    beside it, with the build (the catalog's loader, which the walk loads too, just
    before the fork: see the next test)."""
    code = ("import sys; import pipeline.cli; "
            "print(sorted({'pipeline.checks', 'pipeline.catalog'} & sys.modules.keys()))")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                         text=True, check=True).stdout.strip()
    assert out == "[]"


def test_the_catalogs_loader_is_loaded_before_gits_walk_is_forked(catalog, tmp_path):
    """Both the build and git's walk (history.gitio) load the catalog's loader (and the
    YAML library): loaded once, before the walk's child is forked, not in each process."""
    code = ("import sys; import pipeline.publish.git_history as g; "
            "g.start_warming = lambda settings: print('pipeline.catalog.loader' in sys.modules)"
            " or (lambda: None); "
            "from pipeline.cli import main; "
            f"main(['--root', {str(catalog)!r}, 'build', '--jobs', '2', '--out', "
            f"{str(tmp_path / 'out')!r}])")
    r = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[0] == "True"
