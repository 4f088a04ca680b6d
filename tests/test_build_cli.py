"""`pipeline build` and `pipeline serve` through the real CLI and a real HTTP server."""

from __future__ import annotations

import json
import queue
import threading
import urllib.error
import urllib.request
from contextlib import contextmanager

import pytest

from conftest import MINI, write_entry
from pipeline.config import load_settings
from pipeline.publish.serve import PreviewServer, poll_changes, watch_changes

WAIT = 60  # seconds to wait for a rebuild event before failing (never an assertion on time)


def test_build_prints_a_summary_and_writes_dist(catalog, cli):
    r = cli(catalog, "build")
    assert r.exit_code == 0, r.output
    assert r.output.splitlines()[0] == (
        "Built 4 published entries into dist/: 4 rendered, 0 from the cache; "
        "39 of 39 files written; 0 redirects, 0 gone.")  # 12: empty collections; 2: /digests
    assert "Note: not in a git repository" in r.output
    assert (catalog / "dist/tools/vllm.json").is_file()
    again = cli(catalog, "build", "--timings")
    assert "0 rendered, 4 from the cache; 0 of 39 files written" in again.output
    assert "render bodies" in again.output and " s\n" in again.output


def test_build_refuses_an_invalid_catalog_with_exit_1(catalog, cli, tmp_path):
    write_entry(catalog, "tools/vllm", {**MINI["tools/vllm"], "related": ["glossary/awk"]})
    out = tmp_path / "site"
    r = cli(catalog, "build", "--out", str(out))
    assert r.exit_code == 1
    assert r.output.startswith("Error: the catalog has validation errors; nothing was published")
    assert ("entries/tools/vllm.md:12:3: error ref-unresolved: related.0: 'glossary/awk' is not "
            "an entry") in r.output
    assert "Traceback" not in r.output
    assert not out.exists()


def test_build_will_not_replace_a_folder_it_did_not_write(catalog, cli, tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs/index.md").write_text("mine")
    r = cli(catalog, "build", "--out", str(tmp_path / "docs"))
    assert r.exit_code == 2 and "was not written by `pipeline build`" in r.output
    assert (tmp_path / "docs/index.md").read_text() == "mine"


@pytest.mark.parametrize("command", ["build", "serve"])
def test_an_unusable_out_folder_is_a_usage_error_not_a_catalog_with_errors(
        catalog, cli, tmp_path, monkeypatch, command):
    """`--out .`, `--out entries/x` or a folder of someone else's exited 1, as a catalog
    with validation errors does: CI could not tell the two apart, while the documented
    exit status of a usage error is 2 (found in review)."""
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs/index.md").write_text("mine")
    monkeypatch.chdir(catalog)
    for out, said in [(".", "holds the catalog"), ("entries/x", "which the build reads"),
                      (str(tmp_path / "docs"), "was not written by `pipeline build`")]:
        r = cli(catalog, command, "--out", out, *(["--port", "0"] if command == "serve" else []))
        assert (r.exit_code, said in r.output, "Traceback" in r.output) == (2, True, False), \
            r.output
    assert not (catalog / "entries/x").exists()


def fetch(url: str, headers: dict | None = None) -> tuple[int, str, dict]:
    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(urllib.request.Request(url, headers=headers or {}), timeout=10) as resp:
            return resp.status, resp.read().decode(), dict(resp.headers)
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode(), dict(e.headers)


@pytest.fixture
def served(catalog, tmp_path):
    """A PreviewServer on a free port, watching the catalog; events go to a queue."""
    events: queue.Queue = queue.Queue()
    write_entry(catalog, "glossary/old-term", {
        "title": "Old term", "status": "retired", "authors": ["ana"],
        "category": "Formats & quantization"})
    write_entry(catalog, "glossary/awq", {**MINI["glossary/awq"],
                                          "redirect_from": ["glossary/activation-aware"]})
    server = PreviewServer(load_settings(catalog), tmp_path / "out", port=0,
                           on_event=lambda kind, msg: events.put((kind, msg)))
    assert server.build()
    assert events.get_nowait()[0] == "built"
    server.start()
    assert server.watching.wait(WAIT)
    yield server, events
    server.close()


def test_serve_answers_like_the_site(served):
    server, _ = served
    status, body, _ = fetch(server.url + "/tools/vllm")
    assert status == 200 and "<h1>vLLM</h1>" in body
    assert fetch(server.url + "/")[0] == 200
    assert fetch(server.url + "/glossary")[1].count('href="/glossary/awq"') == 1
    assert json.loads(fetch(server.url + "/tools/vllm.json")[1])["title"] == "vLLM"
    status, _, headers = fetch(server.url + "/glossary/activation-aware")
    assert (status, headers["Location"]) == (301, "/glossary/awq")
    status, body, _ = fetch(server.url + "/glossary/old-term")
    assert status == 410 and "This page was retired" in body
    assert fetch(server.url + "/glossary/nothing")[0] == 404
    assert server.httpd.server_address[0] == "127.0.0.1"


def test_serve_rebuilds_when_an_entry_changes(served, catalog):
    server, events = served
    path = catalog / "entries/tools/vllm.md"
    path.write_text(path.read_text().replace("Text.", "Freshly edited text."))
    kind, message = events.get(timeout=WAIT)
    assert (kind, message) == ("change", "Changed: entries/tools/vllm.md")
    kind, message = events.get(timeout=WAIT)
    assert kind == "built" and "1 rendered" in message
    assert "Freshly edited text." in fetch(server.url + "/tools/vllm")[1]


def test_serve_keeps_the_last_good_output_when_a_rebuild_fails(served, catalog):
    server, events = served
    path = catalog / "entries/tools/vllm.md"
    path.write_text(path.read_text().replace("status: published", "status: publishd"))
    assert events.get(timeout=WAIT)[0] == "change"
    kind, message = events.get(timeout=WAIT)
    assert kind == "error" and "still serving the last good output" in message
    assert "error schema: status: 'publishd' is not one of" in message
    assert fetch(server.url + "/tools/vllm")[0] == 200


@pytest.mark.parametrize("error, said", [
    (PermissionError(13, "Permission denied", "entries/tools/vllm.md"),
     ["entries/tools/vllm.md: Permission denied"]),
    (AttributeError("'str' object has no attribute 'get'"),
     ["An error in pipeline itself (AttributeError: 'str' object has no attribute 'get', "
      "at tests/test_build_cli.py:"]),
], ids=["a file the system refuses", "an error of pipeline's own"])
def test_serve_keeps_watching_when_a_rebuild_fails_unexpectedly(served, catalog, monkeypatch,
                                                                error, said):
    """The system refusing a file (OSError), or a defect in pipeline itself, ended the
    watcher thread: the preview stayed up but never rebuilt again, and nothing said so
    (found in review, twice). Each is reported; the next save rebuilds."""
    from pipeline.publish import serve as serve_module

    server, events = served
    real_build = serve_module.build
    failures = [error]

    def fails_once(*args, **kw):
        if failures:
            raise failures.pop()
        return real_build(*args, **kw)

    monkeypatch.setattr(serve_module, "build", fails_once)
    path = catalog / "entries/tools/vllm.md"
    path.write_text(path.read_text().replace("Text.", "First save."))
    assert events.get(timeout=WAIT)[0] == "change"
    kind, message = events.get(timeout=WAIT)
    assert kind == "error" and "still serving the last good output" in message
    assert all(words in message for words in said), message
    path.write_text(path.read_text().replace("First save.", "Second save."))
    assert events.get(timeout=WAIT)[0] == "change"
    assert events.get(timeout=WAIT)[0] == "built"
    assert "Second save." in fetch(server.url + "/tools/vllm")[1]


def test_serve_refuses_a_folder_that_is_not_a_build_output(catalog, tmp_path, cli,
                                                           monkeypatch):
    """It used to report the refusal as a failed build and serve the folder anyway
    (with `--out .`, the catalog and its .git; found in review)."""
    from pipeline.publish.serve import PreviewServer as Server

    def served_anyway(self):
        raise AssertionError("served a folder that is not a build output")

    monkeypatch.setattr(Server, "serve_forever", served_anyway)  # never blocks the test
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me")
    r = cli(catalog, "serve", "--port", "0", "--out", str(mine))
    assert r.exit_code != 0 and "Serving" not in r.output
    assert "was not written by `pipeline build`" in r.output and "Traceback" not in r.output
    assert (mine / "notes.txt").read_text() == "keep me"


def test_an_output_folder_the_system_refuses_is_an_error_not_a_traceback(catalog, cli):
    r = cli(catalog, "build", "--out", "/proc/pipeline-cannot-write-here")
    assert r.exit_code == 2
    assert r.output.startswith("Error: ") and "Traceback" not in r.output


def test_serve_on_a_busy_port_is_a_clear_error(served, catalog, cli):
    server, _ = served
    port = str(server.httpd.server_address[1])
    r = cli(catalog, "serve", "--port", port, "--out", str(catalog / "elsewhere"))
    assert r.exit_code == 2
    assert f"cannot serve on 127.0.0.1:{port}" in r.output and "--port" in r.output
    assert "Traceback" not in r.output


@contextmanager
def watching(watch, folder, **kw):
    """Run a watcher (watch_changes or poll_changes) over `folder` in a thread, ready;
    -> the queue its changes go to. Stopped and joined at the end."""
    stop, ready = threading.Event(), threading.Event()
    found: queue.Queue = queue.Queue()

    def collect():
        for changed in watch([folder], stop, ready=ready, **kw):
            found.put(changed)

    t = threading.Thread(target=collect, daemon=True)
    t.start()
    assert ready.wait(WAIT)
    try:
        yield found
    finally:
        stop.set()
        t.join(timeout=WAIT)


def test_polling_notices_changes_without_watchfiles(tmp_path):
    folder = tmp_path / "entries"
    folder.mkdir()
    (folder / "a.md").write_text("one")
    with watching(poll_changes, folder, interval=0.05) as found:
        (folder / "a.md").write_text("two, longer")
        assert found.get(timeout=WAIT) == {str(folder / "a.md")}


def test_watch_changes_uses_watchfiles_when_installed(tmp_path):
    pytest.importorskip("watchfiles")
    folder = tmp_path / "entries"
    folder.mkdir()
    with watching(watch_changes, folder) as found:
        (folder / "b.md").write_text("new")
        assert found.get(timeout=WAIT) == {str(folder / "b.md")}


def test_serve_answers_400_to_a_nul_in_the_path(served):
    """Found in review: `/%00` dropped the connection and printed a traceback."""
    server, _ = served
    assert fetch(server.url + "/%00")[0] == 400
    assert fetch(server.url + "/glossary/%00")[0] == 400
    # an encoded surrogate, which no file name has: a traceback too (found in review)
    assert fetch(server.url + "/%ed%a0%80")[0] == 400
    assert fetch(server.url + "/glossary/%ED%BF%BF.json")[0] == 400
    assert fetch(server.url + "/tools/vllm")[0] == 200


def test_serve_names_the_methods_it_answers(served):
    """POST, PUT, OPTIONS... answered 501 "Unsupported method" (found in review): a method
    that would change a page gets 405 and OPTIONS 204, both with the methods answered."""
    import http.client

    server, _ = served
    for method, want in (("POST", 405), ("PUT", 405), ("DELETE", 405), ("PATCH", 405),
                         ("OPTIONS", 204)):
        conn = http.client.HTTPConnection("127.0.0.1", server.httpd.server_address[1],
                                          timeout=10)
        conn.request(method, "/tools/vllm", body=b"" if method != "OPTIONS" else None)
        resp = conn.getresponse()
        assert (resp.status, resp.getheader("Allow"), resp.read()) == \
            (want, "GET, HEAD, OPTIONS", b""), method
        conn.close()
    conn = http.client.HTTPConnection("127.0.0.1", server.httpd.server_address[1], timeout=10)
    conn.request("POST", "/tools/vllm", body=b"", headers={"Host": "attacker.example"})
    assert conn.getresponse().status == 421
    conn.close()


def test_serve_gives_the_page_back_after_an_undo(served, catalog):
    """The build keeps a file that did not change, with its old time: after an undo, the
    page came back with a time older than the browser's copy, which `If-Modified-Since`
    kept (304) (found in review). The ETag is the file's own."""
    server, events = served
    path = catalog / "entries/tools/vllm.md"
    original = path.read_text()
    path.write_text(original.replace("Text.", "Edited for a moment."))
    while events.get(timeout=WAIT)[0] != "built":
        pass
    status, body, headers = fetch(server.url + "/tools/vllm")
    assert status == 200 and "Edited for a moment." in body
    seen = {k: headers[v] for k, v in (("If-None-Match", "ETag"),
                                       ("If-Modified-Since", "Last-Modified")) if v in headers}
    assert fetch(server.url + "/tools/vllm", seen)[0] == 304
    path.write_text(original)  # undone
    while events.get(timeout=WAIT)[0] != "built":
        pass
    status, body, _ = fetch(server.url + "/tools/vllm", seen)
    assert status == 200 and "Edited for a moment." not in body


def test_serve_answers_conditions_and_ranges_as_http_says(served):
    """`If-None-Match: *` (any file there is) was answered 200 with the whole page; a tag
    is compared whole, weak or not, among others listed (RFC 9110 13.1.2). A Range is
    ignored: the whole page, as a 200 with its length, never a part."""
    server, _ = served
    url = server.url + "/tools/vllm"
    status, page, headers = fetch(url)
    tag = headers["ETag"]
    for method in ("GET", "HEAD"):
        for condition in ("*", tag, f"W/{tag}", f'"other", {tag}'):
            request = urllib.request.Request(url, method=method,
                                             headers={"If-None-Match": condition})
            with pytest.raises(urllib.error.HTTPError) as answer:
                urllib.request.urlopen(request, timeout=10)
            assert (answer.value.code, answer.value.headers["ETag"]) == (304, tag), condition
            assert answer.value.headers["Cache-Control"] == "no-cache"
    for condition in (tag[:-1] + '0"', tag.strip('"')):
        assert fetch(url, {"If-None-Match": condition})[:2] == (200, page)
    assert fetch(server.url + "/tools/nothing", {"If-None-Match": "*"})[0] == 404
    status, body, headers = fetch(url, {"Range": "bytes=0-9"})
    assert (status, body, "Content-Range" in headers) == (200, page, False)
    assert headers["Content-Length"] == str(len(page.encode()))


def test_serve_answers_410_without_the_outputs_gone_page(served):
    """With gone.html removed from the output by hand, a retired id's address printed a
    traceback and the connection closed with no answer (found in review): it is still a
    410."""
    server, _ = served
    (server.out_dir / "gone.html").unlink()
    status, body, _ = fetch(server.url + "/glossary/old-term")
    assert status == 410 and "retired" in body


def test_serve_stays_in_the_output_and_answers_for_itself_only(served, tmp_path):
    """Found in review: a link in the output to a folder outside it was followed, a folder
    was listed, and a request naming any host was answered (DNS rebinding)."""
    server, _ = served
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("not the site's")
    (server.out_dir / "escape").symlink_to(outside)
    assert fetch(server.url + "/escape/secret.txt")[0] == 404
    assert fetch(server.url + "/escape/")[0] == 404
    assert fetch(server.url + "/assets/")[0] == 404  # no listing
    (server.out_dir / "assets/index.html").symlink_to(outside / "secret.txt")
    for path in ("/assets/", "/assets"):  # a folder's index.html, a link out (found in review)
        status, body, _ = fetch(server.url + path)
        assert status == 404 and "not the site's" not in body, path
    assert fetch(server.url + "/tools/vllm", {"Host": "attacker.example"})[0] == 421
    status, _, headers = fetch(server.url + "/tools/vllm", {"Host": "localhost:8000"})
    assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert fetch(server.url + "/tools/vllm.json")[2]["Content-Type"] == \
        "application/json; charset=utf-8"
    status, _, headers = fetch(server.url + "/glossary/activation-aware?from=digest")
    assert (status, headers["Location"]) == (301, "/glossary/awq?from=digest")


def _built(events) -> str:
    """The message of the next build, after the change events before it."""
    while True:
        kind, message = events.get(timeout=WAIT)
        if kind != "change":
            return message


def _saved_by_rename(path, text: str) -> None:
    """As many editors save: a new file, renamed over the old one."""
    tmp = path.with_name(path.name + ".tmp-save")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def test_serve_rebuilds_with_the_settings_as_saved_each_time(served, catalog):
    """Found in review: pipeline.toml edited was rebuilt with the old settings, and after
    one save that renamed a new file over it, its changes were never seen again."""
    server, events = served
    toml = catalog / "pipeline.toml"
    original = toml.read_text(encoding="utf-8")
    assert 'base_url = "https://local-ai-catalog.org"' in original
    for n, base in enumerate(["https://preview.example.org", "https://local-ai-catalog.org",
                              "https://second.example.org"]):
        _saved_by_rename(toml, original.replace("https://local-ai-catalog.org", base))
        assert "Built after the change" in _built(events), n
        assert f"<loc>{base}/tools/vllm</loc>" in fetch(server.url + "/sitemap.xml")[1], n


def test_serve_watches_a_folder_made_after_it_started(served, catalog):
    server, events = served
    assert not (catalog / "digests").exists()
    (catalog / "digests").mkdir()
    (catalog / "digests/2026-09.md").write_text("# September\n\nAn archive.\n")
    assert "Built after the change" in _built(events)
    assert "An archive." in fetch(server.url + "/digests/2026-09")[1]
    (catalog / "digests/2026-09.md").write_text("# September\n\nAn archive, edited.\n")
    assert "Built after the change" in _built(events)
    assert "An archive, edited." in fetch(server.url + "/digests/2026-09")[1]


def test_serve_rebuilds_after_a_commit(repo, tmp_path):
    """Dates, renames and corrections come from git: a commit changed what the site
    shows (a renamed entry's redirect), and the preview did not know (found in review)."""
    from conftest import commit_all, git

    write_entry(repo, "glossary/gptq", {**MINI["glossary/awq"], "title": "GPTQ"})
    commit_all(repo, "Add GPTQ", "2026-09-02T12:00:00")
    events: queue.Queue = queue.Queue()
    server = PreviewServer(load_settings(repo), tmp_path / "out", port=0,
                           on_event=lambda kind, msg: events.put((kind, msg)))
    assert server.build()
    events.get_nowait()
    server.start()
    try:
        assert server.watching.wait(WAIT)
        git(repo, "mv", "entries/glossary/gptq.md", "entries/glossary/gptq-format.md")
        _built(events)
        assert fetch(server.url + "/glossary/gptq")[0] == 404  # not committed: no redirect
        git(repo, "commit", "-q", "-m", "Rename GPTQ")
        kind, message = events.get(timeout=WAIT)
        assert (kind, message) == ("change", "Changed: git's HEAD (a commit, a checkout)")
        assert "Built after the change" in _built(events)
        status, _, headers = fetch(server.url + "/glossary/gptq")
        assert (status, headers["Location"]) == (301, "/glossary/gptq-format")
    finally:
        server.close()


def test_serve_says_when_there_is_nothing_to_serve_yet(catalog, tmp_path):
    write_entry(catalog, "tools/vllm", {**MINI["tools/vllm"], "status": "publishd"})
    events: list = []
    server = PreviewServer(load_settings(catalog), tmp_path / "out", port=0,
                           on_event=lambda kind, msg: events.append((kind, msg)))
    try:
        assert not server.build()
    finally:
        server.close()
    (kind, message), = events
    assert kind == "error" and "there is nothing to serve yet" in message
    assert "last good output" not in message


def test_serve_says_a_save_during_a_build_is_read_by_the_next(served, monkeypatch):
    """It said "build again", while serve builds again by itself (found in review)."""
    from pipeline.errors import ChangedDuringBuild
    from pipeline.publish import serve

    server, events = served

    def saved_meanwhile(*args, **kw):
        raise ChangedDuringBuild("entries/tools/vllm.md changed while the build ran, ...: "
                                 "build again", "entries/tools/vllm.md")

    monkeypatch.setattr(serve, "build", saved_meanwhile)
    assert not server.build()
    assert events.get(timeout=WAIT) == ("change", "entries/tools/vllm.md was saved while the "
                                                  "build read it: the next build reads it as saved.")


def _sigterm_serve(command: list[str], catalog, tmp_path, once: str, signum=None,
                   serving=None, then=None) -> tuple[int, str]:
    """Start `pipeline serve` (`command`: the Python arguments before the CLI's), send it
    SIGTERM (or `signum`) once a line starts with `once`, and give its exit code and what
    it printed after that line; `serving()` is called when it says it serves, `then(proc)`
    right after the signal (what it reads of the output is not given back)."""
    import os
    import signal
    import subprocess
    import sys

    from conftest import REPO

    signum = signal.SIGTERM if signum is None else signum

    proc = subprocess.Popen(
        [sys.executable, *command, "--root", str(catalog), "serve", "--port", "0", "--out",
         str(tmp_path / "out")], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True, env={**os.environ, "PYTHONPATH": str(REPO)})
    watchdog = threading.Timer(WAIT, proc.kill)  # a line that never comes fails the test
    watchdog.start()
    try:
        lines = []
        for line in proc.stdout:
            lines.append(line)
            if line.startswith(once):
                break
            if serving is not None and line.startswith("Serving http://127.0.0.1:"):
                serving()
        assert lines and lines[-1].startswith(once), lines
        proc.send_signal(signum)
        if then is not None:
            then(proc)
        rest, _ = proc.communicate(timeout=WAIT)
    finally:
        watchdog.cancel()
        if proc.poll() is None:
            proc.kill()
    return proc.returncode, rest


def test_serve_stops_on_sigterm_as_on_ctrl_c(catalog, tmp_path):
    """A service manager's `kill` ended it without a word (found in review)."""
    code, rest = _sigterm_serve(["-m", "pipeline"], catalog, tmp_path,
                                "Serving http://127.0.0.1:")
    assert code == 0, rest
    assert "Stopped." in rest and "Traceback" not in rest
    assert (tmp_path / "out/index.html").is_file()


# `pipeline serve` whose first build stops in its first stage, as a long one does, until
# the signal comes: it says so on stdout, and the test signals then (no sleep to guess).
_SLOW_FIRST_BUILD = """
import sys, threading
from pipeline.publish import build
def _scan_slowly(*args):
    print("Building...", flush=True)
    threading.Event().wait()
build._scan = _scan_slowly
from pipeline.cli import main
main()
"""


def test_serve_stops_on_sigterm_during_its_first_build_too(catalog, tmp_path):
    """Its SIGTERM handler came only after the first build: a `kill` meanwhile ended it
    with 143, and the build's spill folder stayed (found in review)."""
    code, rest = _sigterm_serve(["-c", _SLOW_FIRST_BUILD], catalog, tmp_path, "Building...")
    assert code == 0, rest
    assert "Stopped." in rest and "Traceback" not in rest and "Serving" not in rest
    assert not (tmp_path / "out").exists()
    assert not list(catalog.glob(".pipeline-cache/build/spill-*"))  # the build cleaned up


def _edit_every_entry(catalog) -> None:
    for entry in catalog.glob("entries/*/*.md"):
        with open(entry, "a", encoding="utf-8") as f:
            f.write("\nEdited while serving.\n")


def test_serve_builds_a_save_made_as_soon_as_it_says_it_serves(catalog, tmp_path):
    """"Serving" was printed before the watcher started: a save right then (or during the
    first build) was never seen, and the preview stayed stale for good (found in review)."""
    code, rest = _sigterm_serve(["-m", "pipeline"], catalog, tmp_path,
                                "Built after the change: ",
                                serving=lambda: _edit_every_entry(catalog))
    assert code == 0 and "Traceback" not in rest, rest
    assert "Edited while serving." in (tmp_path / "out/tools/vllm.html").read_text("utf-8")


# `pipeline serve` whose rebuilds (one job: validate parses here, and `prepare` renders each
# entry as it is parsed) take a second an entry, saying so, as a big catalog's take seconds.
_SLOW_REBUILD = """
import threading
from pipeline.publish import build
real = build.prepare
def _prepare_slowly(state, rel, *args):
    print(f"Rendering {rel}", flush=True)
    threading.Event().wait(1)
    real(state, rel, *args)
build.prepare = _prepare_slowly
from pipeline.cli import main
main()
"""


def test_ctrl_c_during_a_rebuild_stops_it_and_leaves_the_live_output_whole(catalog, tmp_path):
    """Ctrl-C printed "Stopped." and the rebuild in the watcher's thread ran on (its "Built
    after the change" came after it), for up to 5 s, when Python's exit cut it off
    mid-write (found in review). It stops at the next entry; "Stopped." is its last word."""
    import signal

    code, rest = _sigterm_serve(["-c", _SLOW_REBUILD], catalog, tmp_path, "Rendering ",
                                signum=signal.SIGINT,
                                serving=lambda: _edit_every_entry(catalog))
    assert code == 0, rest
    assert rest.splitlines()[-1:] == ["Stopped."], rest
    assert "Built" not in rest and "Traceback" not in rest and "Error" not in rest
    page = (tmp_path / "out/tools/vllm.html").read_text(encoding="utf-8")
    assert "vLLM" in page and "Edited while serving." not in page  # the last good output
    assert not list(catalog.glob(".pipeline-cache/build/spill-*"))  # the build cleaned up


# As _SLOW_REBUILD, but each entry is rendered only once the file named first is there, and
# it says when it starts closing.
_HELD_REBUILD = """
import os, sys, threading
from pipeline.publish import build, serve
real, real_close, go = build.prepare, serve.PreviewServer.close, sys.argv.pop(1)
def _prepare_when_told(state, rel, *args):
    print(f"Rendering {rel}", flush=True)
    while not os.path.exists(go):
        threading.Event().wait(0.05)
    real(state, rel, *args)
def _close(self):
    print("Closing", flush=True)
    real_close(self)
build.prepare = _prepare_when_told
serve.PreviewServer.close = _close
from pipeline.cli import main
main()
"""


@pytest.mark.parametrize("again", ["SIGINT", "SIGTERM"])
def test_a_second_ctrl_c_while_a_rebuild_stops_is_not_an_abort(catalog, tmp_path, again):
    """A second Ctrl-C while serve waited for its rebuild to stop ended it with Click's
    "Aborted!" and exit status 1, and a `kill` then with 143, the rebuild cut off (found in
    review). The first signal stops it; any later one waits with it."""
    import signal

    go = tmp_path / "go"

    def signal_again_while_closing(proc):
        for line in proc.stdout:
            if line.startswith("Closing"):
                break
        proc.send_signal(getattr(signal, again))  # while close() waits for the rebuild
        go.touch()  # which goes on, to the next entry, where it stops

    code, rest = _sigterm_serve(["-c", _HELD_REBUILD, str(go)], catalog, tmp_path,
                                "Rendering ", signum=signal.SIGINT,
                                serving=lambda: _edit_every_entry(catalog),
                                then=signal_again_while_closing)
    assert code == 0, rest
    assert rest.splitlines() == ["Stopped."], rest
    page = (tmp_path / "out/tools/vllm.html").read_text(encoding="utf-8")
    assert "vLLM" in page and "Edited while serving." not in page  # the last good output
    assert not list(catalog.glob(".pipeline-cache/build/spill-*"))  # the build cleaned up


def test_serve_redirects_an_old_ids_page_and_json_too(served):
    """`/glossary/activation-aware.html` and `.json` answered 404 (found in review)."""
    server, _ = served
    for suffix in (".html", ".json"):
        status, _, headers = fetch(server.url + f"/glossary/activation-aware{suffix}")
        assert (status, headers["Location"]) == (301, f"/glossary/awq{suffix}")
    assert fetch(server.url + "/glossary/old-term.html")[0] == 410
    assert fetch(server.url + "/glossary/awq.json")[0] == 200


def test_serve_lets_no_browser_keep_a_redirect_or_a_410(served):
    """A 301 without Cache-Control is kept by a browser for good: after a rename undone,
    the old id, live again, still led to the new one, and Chromium looped
    (ERR_TOO_MANY_REDIRECTS) once that redirected back (found in review)."""
    server, _ = served
    for path in ("/glossary/activation-aware", "/glossary/activation-aware.json",
                 "/glossary/old-term", "/glossary/old-term.html"):
        status, _, headers = fetch(server.url + path)
        assert status in (301, 410) and headers.get("Cache-Control") == "no-cache", path


def test_watch_changes_sees_saves_in_a_folder_removed_and_made_again(tmp_path):
    """`rm -r entries` and a restore (or a checkout that removes and writes the folder)
    took the watch with the old folder: no save after it was seen (found in review)."""
    pytest.importorskip("watchfiles")
    import shutil

    folder = tmp_path / "entries"
    (folder / "glossary").mkdir(parents=True)
    (folder / "glossary/a.md").write_text("one")
    with watching(watch_changes, folder) as found:
        shutil.rmtree(folder)
        (folder / "glossary").mkdir(parents=True)
        (folder / "glossary/a.md").write_text("restored")
        seen: set[str] = set()
        while str(folder / "glossary/a.md") not in seen:
            seen |= found.get(timeout=WAIT)
        for attempt in range(WAIT // 2):  # the folder made again is watched: a save is seen
            (folder / "glossary/b.md").write_text(f"saved after, {attempt}")
            try:
                if str(folder / "glossary/b.md") in found.get(timeout=2):
                    break
            except queue.Empty:
                continue
        else:
            pytest.fail("a save in the folder made again was never seen")


def test_serve_redirects_an_address_with_extra_slashes_to_the_one_without(served):
    """`/glossary//activation-aware` (a link badly joined) was a 404 where the address with
    one slash is a 301, and `/tools/vllm/` served the page at the address with the slash,
    against which its relative links resolve wrongly (found in review): as on the site's
    host, the address without the slashes is where it leads."""
    server, _ = served
    for path, where in (("/tools/vllm/", "/tools/vllm"), ("/tools/vllm.json/", "/tools/vllm.json"),
                        ("/tools//vllm", "/tools/vllm"), ("/tools/", "/tools"),
                        ("/glossary//activation-aware", "/glossary/awq"),
                        ("/glossary/activation-aware/", "/glossary/awq"),
                        ("/glossary//activation-aware.json", "/glossary/awq.json"),
                        ("/tools/vllm/?from=digest", "/tools/vllm?from=digest"),
                        ("/tools%2F%2Fvllm", "/tools/vllm")):
        status, _, headers = fetch(server.url + path)
        assert (status, headers.get("Location")) == (301, where), path
        assert headers.get("Cache-Control") == "no-cache", path
    assert fetch(server.url + "/tools/vllm")[0] == 200
    assert fetch(server.url + "/")[0] == 200
    assert fetch(server.url + "/tools/nothing/")[0] == 404
    assert fetch(server.url + "/glossary/old-term/")[2].get("Location") == "/glossary/old-term"


def test_serve_answers_404_for_the_outputs_dot_files(served):
    """The build's marker was served at `/.pipeline-build`, which the site, on Netlify
    (it deploys no dot-file), does not have (found in review)."""
    server, _ = served
    assert (server.out_dir / ".pipeline-build").is_file()
    for path in ("/.pipeline-build", "/%2Epipeline-build", "/assets/.hidden"):
        assert fetch(server.url + path)[0] == 404, path
    (server.out_dir / "assets/.hidden").write_text("not the site's")
    assert fetch(server.url + "/assets/.hidden")[0] == 404
    assert fetch(server.url + "/assets/style.css")[0] == 200


@pytest.mark.parametrize("sent", [b"", b"GET /tools/vllm HTTP/1.1\r\n"],
                         ids=["nothing", "half a request"])
def test_serve_closes_a_connection_that_stays_silent(served, monkeypatch, sent):
    """An idle connection held a thread for as long as its client kept it open: stuck
    clients piled threads up (found in review). It is closed after `timeout` seconds."""
    import socket

    from pipeline.publish import serve

    assert serve._Handler.timeout == 30
    monkeypatch.setattr(serve._Handler, "timeout", 0.2)
    server, _ = served
    with socket.create_connection(server.httpd.server_address, timeout=WAIT) as sock:
        sock.sendall(sent)
        try:
            left = sock.recv(1024)  # b"" once the server closes it
        except TimeoutError:
            left = None
    assert left == b""
    assert fetch(server.url + "/tools/vllm")[0] == 200
