"""`pipeline serve`: the preview on 127.0.0.1, rebuilt when the catalog changes.

Pages are served the way the site serves them: `/glossary/exl2` from
`glossary/exl2.html`, old ids redirected (301) and retired ones answered
with 410, from the build's `redirects.json`. Changes are noticed with
`watchfiles` when it is installed, else by polling modification times.
A failed rebuild is reported and the last good output stays up.
"""

from __future__ import annotations

import io
import json
import os
import posixpath
import re
import selectors
import stat
import threading
import traceback
from collections.abc import Callable, Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

from ..config import Settings
from ..diagnostics import warning_line
from ..errors import ChangedDuringBuild, PipelineError, UsageError
from .build import BuildStopped, build
from .output import OutputError

# (kind: "built" | "warning" | "error" | "change" | "wait", message)
Event = Callable[[str, str], None]
CATALOG_SUFFIXES = (".md", ".yaml", ".yml", ".json", ".toml")


# Text types name their encoding: every file the build writes is UTF-8.
_TEXT_TYPES = {".html": "text/html", ".json": "application/json", ".xml": "application/xml",
               ".css": "text/css", ".js": "text/javascript", ".txt": "text/plain", "": "text/plain"}


class _Swapped(Exception):
    """The output was swapped by a rebuild while a request was answered from it."""


def _none_match(header: str | None, tag: str) -> bool:
    """Whether an If-None-Match header matches a file's entity `tag` (RFC 9110 13.1.2):
    `*` matches any file there is (it was answered 200, a page downloaded again that the
    client only wanted if missing; found in review), else one of the tags listed, weak
    (`W/`) or not, compared whole (not as a part of the header's text)."""
    if header is None:
        return False
    if header.strip() == "*":
        return True
    return tag in re.findall(r'(?:W/)?("[^"]*")', header)


class _Handler(SimpleHTTPRequestHandler):
    """Static files with the site's pretty URLs, redirects and 410s.

    Only files inside the output (a link out of it is not followed), never a folder's
    listing; each file is read whole before it is sent (a rebuild may change the folder
    a slow response reads from), with an ETag of the file itself (the build keeps a file
    that did not change, with its old time: after an undo, `If-Modified-Since` kept the
    browser's newer, wrong page). Requests naming another host are refused (a page of
    another site, through DNS rebinding, could read the preview). A connection idle for
    `timeout` seconds is closed: each held a thread for as long as its client kept it
    open, and a stuck client piled them up (found in review)."""

    timeout = 30  # seconds a connection may stay silent (StreamRequestHandler's setting)

    def __init__(self, *args, out_dir: str, **kwargs):
        self.root = os.path.realpath(out_dir)
        super().__init__(*args, directory=out_dir, **kwargs)

    def log_message(self, format, *args):  # noqa: A002 - the signature of the base class
        pass

    def _host_ok(self) -> bool:
        host = self.headers.get("Host")
        if host is None:  # HTTP/1.0 without one: it came to this address
            return True
        name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        if name.lower() in ("127.0.0.1", "localhost", "[::1]"):
            return True
        self.send_error(421, "Misdirected request: this preview answers for 127.0.0.1 only")
        return False

    def send_head(self):
        """The file of self.path (already routed), read whole; None when answered."""
        path = self.translate_path(self.path)
        if self._swapped():  # routed in the output as it was: route again in the new one
            raise _Swapped
        if os.path.isdir(path):
            path = os.path.join(path, "index.html")  # no listing of a folder
        try:  # the file itself, wherever links lead: a folder's index.html that was a link
            path = os.path.realpath(path)  # out of the output was followed (found in review)
        except ValueError:  # `%ed%a0%80`, a surrogate: no file has one (it printed a traceback)
            self.send_error(400, "Bad request: the path is not UTF-8")
            return None
        if path != self.root and not path.startswith(self.root + os.sep):
            self.send_error(404, "File not found")  # a link out of the output
            return None
        try:
            with open(path, "rb") as f:
                st = os.fstat(f.fileno())
                body = f.read()
        except OSError:
            if self._swapped():  # swapped in after the check above: route again
                raise _Swapped from None
            self.send_error(404, "File not found")
            return None
        tag = f'"{st.st_ino:x}-{st.st_size:x}-{st.st_mtime_ns:x}"'
        if _none_match(self.headers.get("If-None-Match"), tag):
            self.send_response(304)
            self.send_header("ETag", tag)
            self.send_header("Cache-Control", "no-cache")  # what the 200 would have said
            self.end_headers()
            return None
        ext = os.path.splitext(path)[1].lower()
        kind = _TEXT_TYPES.get(ext)
        self.send_response(200)
        self.send_header("Content-Type", f"{kind}; charset=utf-8" if kind else self.guess_type(path))
        self.send_header("Content-Length", str(len(body)))
        self.send_header("ETag", tag)
        self.send_header("Cache-Control", "no-cache")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        return io.BytesIO(body)

    def _rules(self) -> tuple[dict[str, str], set[str]]:
        try:
            data = json.loads(Path(self.directory, "redirects.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}, set()
        return ({r["from"]: r["to"] for r in data.get("redirects", [])},
                {g["path"] for g in data.get("gone", [])})

    def _redirect(self, location: str) -> None:
        self.send_response(301)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        # A browser keeps a 301 without it for good: after an undone rename the old
        # id, live again, still went to the new one (a loop once that redirects back)
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()

    def _route(self) -> bool:
        """Answer redirects and 410s, or point self.path at the file; False when answered.

        An address with a trailing slash or doubled slashes is redirected to the one
        without, as the site's host does (`/glossary//old-id` was a 404 where
        `/glossary/old-id` is a 301, and `/tools/vllm/` served the page at an address
        its relative links would resolve against wrongly; found in review), and so is one
        with an encoded slash (`/tools%2fvllm`) or with `.` or `..` segments, which a host
        resolves (RFC 3986 5.2.4) where a browser has not (`/tools/../tools/vllm` was a
        404, as if it named a dot-file); a file or
        folder whose name starts with a dot (`.pipeline-build`) is not the site's: Netlify
        does not deploy one (but `.well-known`)."""
        self._tree = _folder_id(Path(self.directory))  # which output is routed in
        url = urlsplit(self.path)
        asked = unquote(url.path)
        if "\0" in asked:  # no file has one (the server printed a traceback, found in review)
            self.send_error(400, "Bad request: a NUL character in the path")
            return False
        query = f"?{url.query}" if url.query else ""
        canonical = "/" + posixpath.normpath("/" + asked).strip("/")
        # `/tools%2fvllm` decodes to the page's path, but a browser resolves the page's
        # relative links against `/`: it was answered 200 there (found in review)
        tidy = quote(canonical) if canonical != asked or "%2f" in url.path.lower() else None
        path = canonical
        if any(part.startswith(".") and part != ".well-known" for part in path.split("/")):
            self.send_error(404, "File not found")
            return False
        moved, gone = self._rules()
        stem, ext = os.path.splitext(path)
        if ext in (".html", ".json") and path not in moved and (stem in moved or stem in gone):
            path, suffix = stem, ext  # an old id's page or JSON: as the id itself, kept
        else:
            suffix = ""
        if path in moved:  # in one hop, whatever slashes the address had
            self._redirect(moved[path] + suffix + query)
            return False
        if tidy is not None and (path in gone or self._page(path)):
            self._redirect(tidy + query)
            return False
        if tidy is not None:  # leads nowhere: not the file the base class would find by
            # dropping a `..` (`/assets/style.css/..` served the stylesheet)
            self.send_error(404, "File not found")
            return False
        if path in gone:
            try:
                body = Path(self.directory, "gone.html").read_bytes()
            except OSError:  # removed from the output by hand: a traceback, and the
                # connection dropped without an answer (found in review)
                body = b"<!doctype html>\n<title>Gone</title>\n<p>This page was retired.</p>\n"
            self.send_response(410)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-cache")  # 410 too is cacheable by default
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
            return False
        if path == "/":
            self.path = "/index.html"
        elif not os.path.splitext(path)[1] and os.path.isfile(
                os.path.join(self.directory, path.lstrip("/") + ".html")):
            self.path = path + ".html"
        return True

    def _page(self, path: str) -> bool:
        """Whether `path` (no trailing slash) names a file of the output, as served."""
        file = os.path.join(self.directory, path.lstrip("/"))
        return path == "/" or os.path.isfile(file) or (
            not os.path.splitext(path)[1] and os.path.isfile(file + ".html"))

    def _swapped(self) -> bool:
        return _folder_id(Path(self.directory)) != self._tree

    def _answer(self, send: Callable[[], None]) -> None:
        """Route and send, in one output: a rebuild swaps the new output in at any time,
        and an address looked up in the old one (`/glossary/x` is `glossary/x.html`) was
        answered 404 from the new one, where the entry had been retired (a 410) or
        renamed (a 301) (found in review). Routed again when the output was swapped
        meanwhile; the file is read whole, from one output, before anything is sent."""
        if not self._host_ok():
            return
        asked = self.path
        for _ in range(3):  # three rebuilds during one lookup: answered as the last one
            self.path = asked
            try:
                if self._route():
                    send()
                return
            except _Swapped:
                continue
        self.send_error(503, "Service unavailable: the preview is being rebuilt; reload")

    def do_GET(self):  # noqa: N802 - the name http.server calls
        self._answer(super().do_GET)

    def do_HEAD(self):  # noqa: N802
        self._answer(super().do_HEAD)

    def _methods(self, status: int) -> None:
        """The methods the preview answers: OPTIONS is told them (204), a method that would
        change a page gets 405 with them (both answered 501, "Unsupported method")."""
        if self._host_ok():
            self.send_response(status)
            self.send_header("Allow", "GET, HEAD, OPTIONS")
            if status != 204:  # a 204 has no length: it has no body
                self.send_header("Content-Length", "0")
            self.send_header("Connection", "close")
            self.end_headers()

    def do_OPTIONS(self):  # noqa: N802
        self._methods(204)

    def do_POST(self):  # noqa: N802
        self._methods(405)

    do_PUT = do_DELETE = do_PATCH = do_POST  # noqa: N815


class _Server(ThreadingHTTPServer):
    """A threading HTTP server whose shutdown() returns as soon as its loop ends: the
    base class looks for a shutdown every half second, so each close() waited up to
    half a second for it (found in review). Here the loop waits on the listening
    socket and on a pipe that shutdown() writes to, and on nothing else."""

    def __init__(self, *args, **kwargs):
        # before the socket is bound: a port in use calls server_close(), which closes them
        self._wake_read, self._wake_write = os.pipe()
        self._closing = False
        self._loop_done = threading.Event()
        self._loop_done.set()  # no loop runs yet
        super().__init__(*args, **kwargs)

    def serve_forever(self, poll_interval=None):  # noqa: ARG002 - nothing is polled
        self._loop_done.clear()
        try:
            if self._closing:  # shut down before it started (a thread started late)
                return
            with selectors.DefaultSelector() as selector:
                selector.register(self, selectors.EVENT_READ)
                selector.register(self._wake_read, selectors.EVENT_READ)
                while not self._closing:
                    ready = selector.select()
                    if self._closing:
                        break
                    if any(key.fileobj is self for key, _ in ready):
                        self._handle_request_noblock()
                    self.service_actions()
        finally:
            self._loop_done.set()

    def shutdown(self):
        """Stop serve_forever() and wait for it to return (at once when none runs)."""
        self._closing = True
        try:
            os.write(self._wake_write, b"x")
        except OSError:  # closed already: server_close() ran
            pass
        self._loop_done.wait()

    def server_close(self):
        super().server_close()
        for fd in (self._wake_read, self._wake_write):
            try:
                os.close(fd)
            except OSError:
                pass
        self._wake_read = self._wake_write = -1

    def handle_error(self, request, client_address):
        """A reader who went away mid-response (a tab closed) is no error to print."""
        import sys

        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)


def watched_paths(settings: Settings) -> list[Path]:
    """What a rebuild depends on: entries, digests, schemas, data files and the settings,
    whether there yet or not (a `digests/` made later is watched from then on), and git's
    record of where HEAD went (a commit: dates, renames and corrections come from git)."""
    return [settings.path("entries"), settings.path("digests"), settings.path("schemas"),
            settings.path("bibliography"), settings.path("affiliates"),
            settings.root / "pipeline.toml", *git_files(settings)]


def git_files(settings: Settings) -> list[Path]:
    """The files git changes when HEAD moves (a commit, a checkout, a merge, a reset)."""
    try:
        from ..history.gitio import open_repo

        folder = Path(open_repo(settings).git_dir)
    except Exception:  # noqa: BLE001 - not in a repository, or no git: nothing to watch
        return []
    return [folder / "HEAD", folder / "logs" / "HEAD"]


def _snapshot(paths: list[Path]) -> dict[str, tuple[int, int]]:
    out = {}
    for base in paths:
        walker = os.walk(base) if base.is_dir() else [(str(base.parent), [], [base.name])]
        for dirpath, _, files in walker:
            for name in files:
                full = os.path.join(dirpath, name)
                try:
                    st = os.stat(full)
                except OSError:
                    continue
                out[full] = (st.st_mtime_ns, st.st_size)
    return out


def poll_changes(paths: list[Path], stop: threading.Event, interval: float = 0.5,
                 ready: threading.Event | None = None) -> Iterator[set[str]]:
    """Sets of changed files, found by comparing modification times; `ready` is set once
    changes are being looked for."""
    before = _snapshot(paths)
    if ready is not None:
        ready.set()
    while not stop.wait(interval):
        after = _snapshot(paths)
        changed = {p for p in before.keys() | after.keys() if before.get(p) != after.get(p)}
        before = after
        if changed:
            yield changed


def watch_changes(paths: list[Path], stop: threading.Event,
                  ready: threading.Event | None = None) -> Iterator[set[str]]:
    """Sets of changed files, from watchfiles when installed, else by polling.

    watchfiles watches the folders there at the start; a single file (a data file, the
    settings) is looked at by its name every half second, and so is a folder not there
    yet (`digests/`, made later), file by file: an editor's save that writes a new file
    and renames it over the old one left a watch on the old file, which never changed
    again (found in review). A watched folder removed or replaced is watched again as
    it is then (a folder made later is still looked at file by file)."""
    try:
        import watchfiles
    except ImportError:
        yield from poll_changes(paths, stop, ready=ready)
        return
    pending: set[str] = set()
    while not stop.is_set():
        ids = {p: _folder_id(p) for p in paths}
        folders = [p for p in paths if ids[p] is not None]
        if not folders:
            if pending:
                yield pending
            yield from poll_changes(paths, stop, ready=ready)
            return
        others = [p for p in paths if p not in folders]
        before = _snapshot(others)
        # An empty set comes after each quiet half second: the first one says the watcher runs.
        for changes in watchfiles.watch(*folders, stop_event=stop, debounce=300,
                                        rust_timeout=500, yield_on_timeout=True,
                                        raise_interrupt=False):
            if ready is not None:
                ready.set()
            after = _snapshot(others)
            changed = {path for _, path in changes} | {
                p for p in before.keys() | after.keys() if before.get(p) != after.get(p)}
            before = after
            # A watched folder removed (and made again, maybe with the same inode: a
            # checkout, `rm -r` and a restore) took its watch with it, and no save was seen again (found in review): the
            # watch starts again on what is there now, and its files count as changed
            # once it runs (a save meanwhile is not missed).
            removed = {path for kind, path in changes if kind == watchfiles.Change.deleted}
            gone = [p for p in folders if str(p) in removed or _folder_id(p) != ids[p]]
            if gone:
                pending |= changed | set(_snapshot(gone))
                break
            changed |= pending
            pending = set()
            if changed:
                yield changed
        else:
            return


def _folder_id(path: Path) -> tuple[int, int] | None:
    """Which folder is at path (device, inode); None when none is."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino) if stat.S_ISDIR(st.st_mode) else None


class PreviewServer:
    """Build, serve and rebuild; `serve_forever()` for the CLI, `start()`/`close()` for tests."""

    def __init__(self, settings: Settings, out_dir: Path, port: int = 8000,
                 on_event: Event | None = None, watcher=watch_changes):
        self.settings = settings
        self.out_dir = Path(os.path.abspath(out_dir))
        self.on_event = on_event or (lambda kind, message: None)
        self.watcher = watcher
        self.stop = threading.Event()
        self.watching = threading.Event()  # set once changes are being watched
        self._serving = threading.Event()  # rebuilds wait for it: the first build is done
        self.builds = 0  # successful builds so far
        try:
            self.httpd = _Server(("127.0.0.1", port),
                                             partial(_Handler, out_dir=str(self.out_dir)))
        except OSError as e:
            raise UsageError(f"cannot serve on 127.0.0.1:{port}: {e.strerror}; "
                             "choose another port with --port") from None
        self.httpd.daemon_threads = True
        self._threads: list[threading.Thread] = []
        self._watcher: threading.Thread | None = None
        self._serving_http = False  # serve_forever ran or runs

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def _failed(self, reason: str) -> str:
        if (self.out_dir / "index.html").is_file():
            return f"Build failed{reason}; still serving the last good output."
        return (f"Build failed{reason}; there is nothing to serve yet: fix the problem and "
                "save, and the preview is built.")

    def build(self, reason: str = "", jobs: int | None = None) -> bool:
        """Build once, with the settings as the file has them now (a change to
        pipeline.toml was rebuilt with the old ones); report the outcome through
        on_event. True when it succeeded."""
        try:
            from ..config import load_settings

            self.settings = load_settings(self.settings.root)
        except PipelineError as e:
            self.on_event("error", f"{self._failed(reason)}\n{e}")
            return False
        try:
            result = build(self.settings, self.out_dir, jobs=jobs, stop=self.stop,
                           on_wait=lambda message: self.on_event("wait", message))
        except BuildStopped:  # close(): the live output stays as it was, nothing to say
            return False
        except OutputError:  # not a build output: nothing a save fixes, nothing to serve
            raise
        except ChangedDuringBuild as e:  # saved meanwhile: the watcher has seen it
            self.on_event("change", f"{e.file} was saved while the build read it: the "
                          "next build reads it as saved.")
            return False
        except FileNotFoundError as e:
            moved = self._moved_away(e.filename)
            if moved is None:
                self.on_event("error", f"{self._failed(reason)}\n{e.filename}: {e.strerror}")
            else:  # removed or renamed meanwhile, as git does: the watcher has seen it
                self.on_event("change", f"{moved} was removed or renamed while the build "
                              "read it: the next build reads the catalog as it is then.")
            return False
        except (PipelineError, OSError) as e:  # the watcher goes on: the next save may fix it
            detail = f"{e.filename}: {e.strerror}" if isinstance(e, OSError) and e.filename \
                else str(e)
            self.on_event("error", f"{self._failed(reason)}\n{detail}")
            return False
        except Exception as e:  # noqa: BLE001 - a defect of pipeline's own: say where, and
            # go on watching (an uncaught one ended the watcher, rebuilds stopped unseen)
            frame = traceback.extract_tb(e.__traceback__)[-1]
            where = os.path.relpath(frame.filename, os.path.dirname(os.path.dirname(
                os.path.dirname(os.path.abspath(__file__)))))
            self.on_event("error", f"{self._failed(reason)}\n"
                          f"An error in pipeline itself ({type(e).__name__}: {e}, "
                          f"at {where}:{frame.lineno}); please report it, with the change "
                          "that caused it.")
            return False
        self.builds += 1
        for w in result.warnings:
            self.on_event("warning", warning_line(w))
        self.on_event("built", f"Built{reason}: {result.entries} entries, {result.rendered} "
                      f"rendered, {result.written} files written.")
        return True

    def _moved_away(self, filename) -> str | None:
        """The catalog's name of a watched file a build found missing, when it is gone
        now (removed or renamed after the build listed it: a checkout, a rename, an
        editor's save by rename); None for anything else. It said "Build failed" and
        named the file by its full path, and the rebuild that followed built it fine
        (found in review)."""
        if not isinstance(filename, (str, os.PathLike)) or os.path.lexists(filename):
            return None
        full = os.path.abspath(filename)
        for base in watched_paths(self.settings):
            if full == str(base) or full.startswith(str(base) + os.sep):
                return os.path.relpath(full, self.settings.root)
        return None

    def _watch(self) -> None:
        git = {str(p) for p in git_files(self.settings)}
        for changed in self.watcher(watched_paths(self.settings), self.stop, ready=self.watching):
            # an editor's temporary and backup files are not the catalog
            names = sorted(os.path.relpath(p, self.settings.root) for p in changed
                           if p.endswith(CATALOG_SUFFIXES) and p not in git)
            if git & changed:
                names.append("git's HEAD (a commit, a checkout)")
            if not names:
                continue
            self._serving.wait()  # a save during the first build: built after it
            if self.stop.is_set():  # closing: a change seen meanwhile is not built
                return
            shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3
                                            else "")
            self.on_event("change", f"Changed: {shown}")
            # In-process, one job: forking beside the server's threads is not safe.
            try:
                self.build(reason=" after the change", jobs=1)
            except OutputError as e:  # the folder was replaced meanwhile: say so, go on
                self.on_event("error", f"Build failed after the change: {e}")

    def watch(self) -> None:
        """Start watching, before the first build: a save while it ran, or right after
        "Serving" was printed (the watcher started only then), was never built (found in
        review). What it sees is built once serving starts."""
        if self._watcher is None:
            self._watcher = threading.Thread(target=self._watch, daemon=True)
            self._watcher.start()
            self._threads.append(self._watcher)
            while not self.watching.wait(0.1) and self._watcher.is_alive():
                pass

    def start(self) -> None:
        """Serve and watch in background threads."""
        self.watch()
        self._serving.set()
        self._serving_http = True
        t = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        t.start()
        self._threads.append(t)

    def serve_forever(self) -> None:
        self.watch()
        self._serving.set()
        self._serving_http = True
        self.httpd.serve_forever()

    def close(self) -> None:
        """Stop serving and watching; a rebuild under way stops at its next stage, entry
        or chunk of checks (it ran on for seconds, and Python's exit cut it off mid-write)."""
        self.stop.set()
        self._serving.set()  # a watcher waiting for it ends
        if self._serving_http:  # serve_forever ran (or runs): shutdown() waits for it to return
            self.httpd.shutdown()
        self.httpd.server_close()
        for t in self._threads:
            t.join(timeout=5)
