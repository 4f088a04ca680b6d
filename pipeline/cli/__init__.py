"""The thin Click layer: parse arguments, call the library, print, exit.

Each command group lives in its own module below; they register themselves
on `main` when imported at the bottom of this file. Library errors
(PipelineError), and files or folders the system refuses (OSError), become a message
and an exit code here, in one place.
"""

from __future__ import annotations

import atexit
import gc
import os
import sys
from pathlib import Path

import click

from .. import __version__
from ..config import Settings, load_settings
from ..errors import PipelineError


# As the process ends, Python looks through every object still alive once more for
# cyclic garbage, with nothing to gain: the memory goes back with the process. After a
# cold build of 10,000 entries that pass took 50 to 60 ms of the 80 ms of exiting, on
# one core. Frozen objects are not looked at.
atexit.register(gc.freeze)


# The exit status of a command stopped by Ctrl-C (128 + SIGINT), as a shell's: not 1,
# which says "problems found", nor 2, a usage or settings error.
INTERRUPTED = 130
# The exit status of a command whose reader went away (`pipeline explain | head -1`):
# 128 + SIGPIPE, as a program the signal stops.
PIPE_CLOSED = 141


def _tolerant_output() -> None:
    """Write what a terminal's encoding cannot show as escapes (`\xf6`), not a traceback:
    under PYTHONIOENCODING=ascii or latin-1, a title with `ö` or `→` stopped validate
    with UnicodeEncodeError, read by CI as "problems found" (found in review)."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(errors="backslashreplace")
        except (AttributeError, ValueError, OSError):  # not a text file of the system's
            pass


def write_out(text: str, utf8: bool = False) -> None:
    """A command's output on stdout; `utf8`: as UTF-8 bytes whatever the terminal's
    encoding, for JSON (RFC 8259 says UTF-8) and SARIF, where the escapes that stand in
    for what another encoding cannot hold (`\\xe4`) are no JSON. A lone surrogate (a
    file's name that is not UTF-8) stands only in a JSON string, where `\\udcff` is its
    JSON escape."""
    if utf8 and hasattr(sys.stdout, "buffer"):
        sys.stdout.flush()
        sys.stdout.buffer.write(text.encode("utf-8", "backslashreplace"))
        sys.stdout.buffer.flush()
    else:
        click.echo(text, nl=False)


def _silence_stdout() -> None:
    """The reader stopped reading: nothing more to say, and nothing written at exit (a
    flush) may fail again."""
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


def _tell(message: str) -> None:
    """An error message on stderr; none when stderr is gone (`2>&1 | true`), where the
    exit status still says what happened (it said 1, "problems found", before)."""
    try:
        click.echo(message, err=True)
    except OSError:
        pass


class Folder(click.Path):
    """A folder option: no file, read as a Path, and never empty. An empty value
    (`--out "$OUT"` with OUT unset) was taken for the current folder: `digest render`
    wrote its four files there, `build` named the catalog as the folder refused."""

    def __init__(self) -> None:
        super().__init__(file_okay=False, path_type=Path)

    def convert(self, value, param, ctx):
        if isinstance(value, str) and value == "":
            leave = "" if param is not None and param.required else ", or leave the option out"
            self.fail(f"it is empty; give a folder{leave}", param, ctx)
        return super().convert(value, param, ctx)


class PipelineGroup(click.Group):
    def main(self, *args, **kwargs):
        _tolerant_output()
        return super().main(*args, **kwargs)

    def make_context(self, *args, **kwargs):
        try:  # `pipeline --help | head -1`: the help is written while the arguments are read
            return super().make_context(*args, **kwargs)
        except BrokenPipeError:
            _silence_stdout()
            sys.exit(PIPE_CLOSED)

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except PipelineError as e:
            _tell(f"Error: {e}")
            ctx.exit(e.exit_code)
        except KeyboardInterrupt:
            _tell("Interrupted.")
            ctx.exit(INTERRUPTED)
        except BrokenPipeError:  # the reader stopped reading (`| head`)
            _silence_stdout()
            ctx.exit(PIPE_CLOSED)
        except OSError as e:  # a file or folder the system refused: say which, no traceback
            where = f"{e.filename}: " if e.filename else ""
            _tell(f"Error: {where}{e.strerror or e}")
            ctx.exit(2)


@click.group(cls=PipelineGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="pipeline")
@click.option(
    "--root",
    type=Folder(),
    default=None,
    help="The catalog folder (holding pipeline.toml). Default: found by walking up "
    "from the current folder, like git.",
)
@click.pass_context
def main(ctx: click.Context, root: Path | None) -> None:
    """Check, diff, draft and publish the local-AI catalog.

    Editors write entries as Markdown with YAML front matter in
    entries/<collection>/<slug>.md; pipeline checks them, tells what changed
    in a month, drafts the monthly digest and builds the site's files.

    \b
    Example:
      pipeline validate                  # check the whole catalog
      pipeline explain claim-uncited     # what a rule means, with an example
      pipeline --root ~/catalog build    # build the site from another folder
    """
    ctx.ensure_object(dict)
    ctx.obj["root"] = root


def get_settings(ctx: click.Context | None = None) -> Settings:
    """The catalog's settings, loaded once per invocation."""
    ctx = ctx or click.get_current_context()
    obj = ctx.find_root().ensure_object(dict)
    if "settings" not in obj:
        obj["settings"] = load_settings(obj.get("root"))
    return obj["settings"]


def is_terminal(stream=None) -> bool:
    stream = stream or sys.stdout
    return hasattr(stream, "isatty") and stream.isatty()


def wants_color(stream=None) -> bool:
    """Colour by default: on a terminal, unless NO_COLOR is set to anything (no-color.org)."""
    return is_terminal(stream) and not os.environ.get("NO_COLOR")


# Command modules register themselves on `main`.
from . import (  # noqa: E402,F401
    affiliates_cmd,
    build_cmd,
    changes_cmd,
    digest_cmd,
    feeds_cmd,
    validate_cmd,
)
