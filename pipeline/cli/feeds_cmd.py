"""`pipeline feeds fetch`: get the upstream release feeds of tool entries into the cache."""

from __future__ import annotations

import sys

import click

from . import get_settings, main


@main.group()
def feeds():
    """Upstream release feeds listed by tool entries (`feeds:` in front matter).

    \b
    Example:
      pipeline feeds fetch
    """


@feeds.command()
@click.option("--offline", is_flag=True, help="Use the cache only; no network.")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=None,
              help="Seconds each feed may take, from the request to its last byte "
              "(default: 10).")
@click.option("--max-bytes", type=click.IntRange(min=1), default=None,
              help="Refuse a feed larger than this many bytes (default: 5,000,000).")
def fetch(offline, timeout, max_bytes):
    """Fetch every feed with conditional requests into .pipeline-cache/feeds/.

    A feed that fails, or answers with no feed (an HTML page, an empty body,
    malformed XML), keeps its cached copy; with none cached it is reported and
    skipped. Exit status is 0 unless no feed could be read at all.

    \b
    Example:
      pipeline feeds fetch
      pipeline feeds fetch --offline      # what the cache holds
    """
    from ..feeds import collect
    from ..feeds.fetch import MAX_BYTES, TIMEOUT
    from ..progress import progress

    with progress("Fetching feeds") as bar:
        report = collect(get_settings(), offline=offline, timeout=timeout or TIMEOUT,
                         max_bytes=max_bytes or MAX_BYTES, progress=bar)
    for r in report.results:
        line = f"{r.status:12} {r.source.entry}  {r.source.url}  ({len(r.items)} items)"
        click.echo(line)
        if r.problem:
            click.echo(f"{'':12} {r.problem}")
    usable = sum(1 for r in report.results if r.items or not r.problem)
    click.echo(f"{len(report.results)} feeds, {len(report.items)} items, "
               f"{len(report.problems)} with problems.")
    if report.results and not usable:
        sys.exit(1)
