"""`pipeline changes`: what changed in the catalog between two dates or revisions."""

from __future__ import annotations

import click

from ..errors import UsageError
from . import get_settings, main, write_out


@main.command()
@click.option("--since", metavar="YYYY-MM-DD", help="Start date (00:00 UTC, included).")
@click.option("--until", metavar="YYYY-MM-DD", help="End date (00:00 UTC, excluded). Default: now.")
@click.option("--from", "start", metavar="REV",
              help="Start revision (instead of --since). Without it, --to REV lists "
                   "everything at REV as added.")
@click.option("--to", "end", metavar="REV", help="End revision (instead of --until). Default: HEAD.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text",
              show_default=True, help="How to print the change set.")
def changes(since, until, start, end, fmt):
    """Show what changed between two dates or revisions (a diff of two trees).

    Dates pick the last commit before that day on the first-parent history
    of the current branch; renames count once; `Correction:` trailers are
    listed as corrections.

    \b
    Example:
      pipeline changes --since 2026-10-01 --until 2026-11-01
      pipeline changes --from v1.0 --to HEAD --format json
    """
    from ..history.changes import (before_start_warning, changes_between, changes_in_period,
                                   parted_warning)
    from ..history.report import render_changes

    for name, value, what in (("--since", since, "a date YYYY-MM-DD"),
                              ("--until", until, "a date YYYY-MM-DD"),
                              ("--from", start, "a revision"), ("--to", end, "a revision")):
        if value == "":  # read as not given, it quietly meant HEAD or now
            raise UsageError(f"{name} is empty; give {what}, or leave the option out")
    settings = get_settings()
    if (since or until) and (start or end):
        raise UsageError("give dates (--since/--until) or revisions (--from/--to), not both")
    if since:
        result = changes_in_period(settings, since, until)
        if early := before_start_warning(result):
            from ..history.gitio import has_parent

            first = result.before_start[-1].sha[:12]
            since_first = f"--from {first}^ " if has_parent(settings, first) else ""  # else
            # the repository's first commit: everything up to --to is new
            click.echo(f"warning: {early} and are not listed here; to list them: "
                       f"{since_first}--to {result.end[:12]}", err=True)
    elif until:
        raise UsageError("--until needs --since")
    elif start or end:
        result = changes_between(settings, start, end or "HEAD")
        if start and (parted := parted_warning(result, start, end or "HEAD")):
            click.echo(f"warning: {parted}", err=True)
    else:
        raise UsageError("say where to start: --since YYYY-MM-DD or --from REV (or --to REV "
                         "alone: everything at REV)")
    write_out(render_changes(result, fmt), utf8=fmt == "json")
