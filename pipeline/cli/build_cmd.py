"""`pipeline build` and `pipeline serve`."""

from __future__ import annotations

from pathlib import Path

import click

from . import Folder, get_settings, main


def _out_dir(settings, out: Path | None) -> Path:
    return out if out is not None else settings.root / "dist"


def _summary(result, settings) -> str:
    try:
        where = result.out_dir.resolve().relative_to(settings.root)
    except ValueError:
        where = result.out_dir
    lines = [f"Built {result.entries} published "
             f"{'entry' if result.entries == 1 else 'entries'} into {where}/: "
             f"{result.rendered} rendered, {result.entries - result.rendered} from the cache; "
             f"{result.written} of {result.files} files written; "
             f"{result.redirects} redirects, {result.gone} gone."]
    lines += [f"Note: {note}" for note in result.notes]
    return "\n".join(lines)


@main.command()
@click.option("--out", type=Folder(), default=None,
              help="The output folder, replaced as a whole by each build. Default: dist/ in "
              "the catalog.")
@click.option("--jobs", type=click.IntRange(min=1), default=None,
              help="Processes that render pages when there are many (default: 2).")
@click.option("--no-cache", is_flag=True, help="Render every entry again, ignoring the cache.")
@click.option("--timings", is_flag=True, help="Print how long each stage took.")
def build(out, jobs, no_cache, timings):
    """Publish the catalog: JSON, search index, sitemap, feed, redirects and a preview site.

    Refuses to publish when `pipeline validate` finds errors (the previous
    output stays as it was). Only entries whose content changed are rendered
    again.

    Exit status: 0 built, 1 the catalog has errors, 2 usage or settings error
    (an --out that cannot be used: the catalog, a folder inside it that the
    build reads, or a folder the build did not write).

    \b
    Example:
      pipeline build
      pipeline build --out /tmp/site --timings
    """
    from ..progress import progress
    from ..publish.git_history import start_warming
    from ..publish.pool import default_jobs

    settings = get_settings()
    # The catalog's loader (and the YAML library), which both the build and git's walk
    # import: once, before the walk's child is forked, instead of in each process.
    from ..catalog import loader  # noqa: F401
    # git's walk of the history (seconds on a long one) starts before the build's imports,
    # on the core they leave idle; the build joins it when HEAD moved since the last build.
    warming = start_warming(settings) if (jobs or default_jobs()) > 1 else None
    from ..diagnostics import warning_line
    from ..publish.build import build as run

    with progress("Building") as bar:
        result = run(settings, _out_dir(settings, out), jobs=jobs, use_cache=not no_cache,
                     progress=bar, git_warming=warming,
                     on_wait=lambda message: click.echo(message, err=True))
    for w in result.warnings:
        click.echo(warning_line(w), err=True)
    click.echo(_summary(result, settings))
    if timings:
        for stage, seconds in result.seconds.items():
            click.echo(f"  {stage:15} {seconds:8.3f} s")


@main.command()
@click.option("--port", type=click.IntRange(min=0, max=65535), default=8000, show_default=True,
              help="The port on 127.0.0.1.")
@click.option("--out", type=Folder(), default=None,
              help="The output folder to build into and serve. Default: dist/ in the catalog.")
def serve(port, out):
    """Build, serve the preview on 127.0.0.1, and rebuild when an entry changes.

    A rebuild that fails (a validation error, say) is reported here and the
    last good preview stays up. Stop with Ctrl-C. An --out that cannot be
    used, as build says, is a usage error (exit 2).

    \b
    Example:
      pipeline serve --port 8000
      # then open http://127.0.0.1:8000/glossary/exl2
    """
    from ..publish.serve import PreviewServer

    import signal

    stopping = []

    def _stop(signum, frame):  # Ctrl-C, and `kill` (a service manager) as Ctrl-C
        # Only the first: a second one while close() waited for a rebuild to stop ended
        # it with "Interrupted." and 130 (a `kill`, 143), the rebuild cut off mid-write.
        if not stopping:
            stopping.append(signum)
            raise KeyboardInterrupt

    settings = get_settings()
    # From the start: a `kill` during the first build (seconds on a big catalog) ended it
    # with 143, leaving the build's spill folder behind.
    # SIGINT as Python left it (ignored, in a script's background job: kept so)
    signums = (signal.SIGINT, signal.SIGTERM) \
        if signal.getsignal(signal.SIGINT) is signal.default_int_handler else (signal.SIGTERM,)
    previous = {signum: signal.signal(signum, _stop) for signum in signums}
    server, stopped = None, False
    try:
        try:
            server = PreviewServer(settings, _out_dir(settings, out), port=port,
                                   on_event=_echo_event)
            server.watch()  # from the start: a save during the first build is built after it
            server.build()  # a folder that is not a build output is refused here, not served
            click.echo(f"Serving {server.url} (Ctrl-C to stop)")
            server.serve_forever()
        except KeyboardInterrupt:
            stopped = True
        finally:
            # A signal from here on changes nothing: one while close() ran after an error
            # (an --out refused) said "Interrupted." (130) instead of the error itself.
            stopping.append(None)
            if server is not None:
                server.close()  # a rebuild under way stops first: its last word comes before
        if stopped:
            click.echo("Stopped.")
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _echo_event(kind: str, message: str) -> None:
    click.echo(message, err=kind in ("error", "warning"))
