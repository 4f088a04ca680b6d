"""`pipeline serve`'s PreviewServer: closing, and the catalog changing under a rebuild."""

from __future__ import annotations

import selectors
import socketserver
import threading

from pipeline.config import load_settings
from pipeline.publish.serve import PreviewServer
from test_build_cli import WAIT, fetch


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
