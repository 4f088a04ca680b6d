"""`pipeline serve`'s PreviewServer: closing, and the catalog changing under a rebuild."""

from __future__ import annotations

import selectors
import socketserver
import threading
import urllib.error
import urllib.request

import pytest

from pipeline.config import load_settings
from pipeline.publish import build as build_module
from pipeline.publish.serve import PreviewServer
from test_build_cli import WAIT, _sigterm_serve, fetch, served  # noqa: F401 - a fixture


def test_close_returns_once_the_server_stops_without_waiting_for_a_poll(catalog, tmp_path,
                                                                        monkeypatch):
    """close() waited up to half a second: the server's loop looked for a shutdown only
    every 0.5 s (found in review). It waits for a request or for close(), nothing else:
    no wait of its loop has a timeout."""
    waits: list = []
    for cls in {socketserver._ServerSelector, selectors.DefaultSelector}:
        real = cls.select

        def select(self, timeout=None, real=real):
            waits.append(timeout)
            return real(self, timeout)

        monkeypatch.setattr(cls, "select", select)
    server = PreviewServer(load_settings(catalog), tmp_path / "out", port=0)
    assert server.build()
    server.start()
    try:
        assert fetch(server.url + "/tools/vllm")[0] == 200
    finally:
        server.close()
    loop = server._threads[-1]
    assert not loop.is_alive()
    assert waits and set(waits) == {None}, waits


def test_close_before_the_loop_starts_ends_it_too(catalog, tmp_path):
    """start() then close() at once: the loop's thread may start after close() ran."""
    server = PreviewServer(load_settings(catalog), tmp_path / "out", port=0)
    for target in (server.httpd.shutdown, server.httpd.serve_forever):
        t = threading.Thread(target=target, daemon=True)  # each returns at once
        t.start()
        t.join(WAIT)
        assert not t.is_alive(), target
    server.close()


# `pipeline serve` whose close() says it runs and goes on only once the file named first is
# there, so that a signal can come while it runs.
_HELD_CLOSE = """
import os, sys, threading
from pipeline.publish import serve
real_close, go = serve.PreviewServer.close, sys.argv.pop(1)
def _close(self):
    print("Closing", flush=True)
    while not os.path.exists(go):
        threading.Event().wait(0.05)
    real_close(self)
serve.PreviewServer.close = _close
from pipeline.cli import main
main()
"""


def test_a_signal_while_closing_after_an_error_leaves_the_error_said(catalog, tmp_path):
    """serve refused an --out it did not write, and a Ctrl-C while it closed turned that
    into "Interrupted." and exit status 130: the reason was never said (found in review).
    The error is said, with its exit status; the signal changes nothing."""
    import signal

    (tmp_path / "out").mkdir()
    (tmp_path / "out/notes.txt").write_text("mine")
    go = tmp_path / "go"
    code, rest = _sigterm_serve(["-c", _HELD_CLOSE, str(go)], catalog, tmp_path, "Closing",
                                signum=signal.SIGINT, then=lambda proc: go.touch())
    assert code == 2, rest
    assert "was not written by `pipeline build`" in rest and "Interrupted" not in rest, rest
    assert (tmp_path / "out/notes.txt").read_text() == "mine"


def _removed_when_rendering(monkeypatch, catalog, how) -> None:
    """Once the next rebuild renders its first entry, `how(entries/tools/vllm.md)`: as a
    checkout or a rename does while a rebuild runs."""
    real, done = build_module.prepare, []

    def prepare(state, rel, *args):
        if not done:
            done.append(rel)
            how(catalog / "entries/tools/vllm.md")
        return real(state, rel, *args)

    monkeypatch.setattr(build_module, "prepare", prepare)


@pytest.mark.parametrize("how, then", [
    (lambda path: path.unlink(), "Changed: entries/tools/vllm.md"),
    (lambda path: path.rename(path.with_name("vllm-engine.md")),
     "Changed: entries/tools/vllm-engine.md, entries/tools/vllm.md"),
], ids=["removed", "renamed"])
def test_an_entry_removed_while_a_rebuild_reads_it_is_a_change_not_a_failure(
        served, catalog, monkeypatch, how, then):  # noqa: F811 - the fixture imported
    """A file removed or renamed after the rebuild listed it said "Build failed ...;
    still serving the last good output" with the file's full path and "No such file or
    directory", as if the catalog were broken; the next rebuild, which the watcher
    started, read it as it then was (found in review). It is said as a change."""
    server, events = served
    _removed_when_rendering(monkeypatch, catalog, how)
    path = catalog / "entries/glossary/awq.md"
    path.write_text(path.read_text().replace("Text.", "Edited."))
    assert events.get(timeout=WAIT) == ("change", "Changed: entries/glossary/awq.md")
    assert events.get(timeout=WAIT) == (
        "change", "entries/tools/vllm.md was removed or renamed while the build read it: "
        "the next build reads the catalog as it is then.")
    assert events.get(timeout=WAIT) == ("change", then)


def test_a_page_asked_for_while_the_output_is_swapped_is_answered_old_or_new(
        served, catalog, monkeypatch):  # noqa: F811 - the fixture imported
    """The address was looked up in the output as it was (`/glossary/extra` is
    `glossary/extra.html`) and the file opened in the output a rebuild had just swapped
    in, where the entry is retired: a 404, neither the old page (200) nor the new
    answer (410) (found in review). The request is answered from the new output."""
    from conftest import MINI, write_entry
    from pipeline.publish import serve

    server, events = served
    extra = {**MINI["glossary/awq"], "title": "Extra"}
    write_entry(catalog, "glossary/extra", extra)
    while events.get(timeout=WAIT)[0] != "built":
        pass
    looked_up, swapped = threading.Event(), threading.Event()
    real = serve._Handler.send_head

    def send_head(self):
        if self.path.startswith("/glossary/extra") and not looked_up.is_set():
            looked_up.set()  # routed in the old output; the file is opened once it is swapped
            assert swapped.wait(WAIT)
        return real(self)

    monkeypatch.setattr(serve._Handler, "send_head", send_head)
    answers: list = []
    asking = threading.Thread(target=lambda: answers.append(
        fetch(server.url + "/glossary/extra")[0]))
    asking.start()
    assert looked_up.wait(WAIT)
    write_entry(catalog, "glossary/extra", {"title": "Extra", "status": "retired",
                                            "authors": ["ana"],
                                            "category": "Formats & quantization"})
    while events.get(timeout=WAIT)[0] != "built":
        pass
    swapped.set()
    asking.join(WAIT)
    assert answers == [410]


def test_an_encoded_slash_or_a_dot_segment_leads_where_a_host_resolves_it(
        served):  # noqa: F811 - the fixture imported
    """`/tools%2fvllm` was the page, 200, at an address whose relative links resolve
    against `/` (`%2F%2F` was redirected: only the decoded path was compared), and
    `/tools/../tools/vllm`, which a host resolves to the page, was a 404 (found in review).
    Both lead where the site's host leads; an address that resolves to nothing is a 404
    (`/assets/style.css/..` is no file, whatever the base class makes of it)."""
    server, _ = served
    for path, where in (("/tools%2fvllm", "/tools/vllm"), ("/tools%2Fvllm.json?x=1",
                                                            "/tools/vllm.json?x=1"),
                        ("/glossary%2Factivation-aware", "/glossary/awq"),
                        ("/glossary%2fold-term", "/glossary/old-term"),
                        ("/tools/../tools/vllm", "/tools/vllm"), ("/tools/./vllm", "/tools/vllm"),
                        ("/tools/%2E%2E/tools/vllm", "/tools/vllm"), ("/..", "/"),
                        ("/glossary/activation-aware/../awq", "/glossary/awq")):
        status, _, headers = fetch(server.url + path)
        assert (status, headers.get("Location")) == (301, where), path
    for path in ("/tools%2fnothing", "/assets/style.css/..", "/tools/../.pipeline-build"):
        assert fetch(server.url + path)[0] == 404, path



def test_head_answers_the_headers_of_get_with_the_text_types_charset(
        served):  # noqa: F811 - the fixture imported
    server, _ = served
    for path, kind in (("/tools/vllm", "text/html"), ("/tools/vllm.json", "application/json"),
                       ("/feed.xml", "application/xml"), ("/glossary/old-term", "text/html")):
        request = urllib.request.Request(server.url + path, method="HEAD")
        try:
            with urllib.request.urlopen(request, timeout=10) as resp:
                head, body = dict(resp.headers), resp.read()
        except urllib.error.HTTPError as e:  # the 410
            head, body = dict(e.headers), e.read()
        got = fetch(server.url + path)[2]
        assert body == b"" and head["Content-Type"] == f"{kind}; charset=utf-8", path
        assert {k: v for k, v in head.items() if k != "Date"} == \
            {k: v for k, v in got.items() if k != "Date"}, path
