"""`pipeline digest draft` and `pipeline digest render`: the monthly e-mail digest."""

from __future__ import annotations

import click

from . import Folder, get_settings, main


@main.group()
def digest():
    """Draft and render the monthly digest (digests/YYYY-MM.md).

    \b
    Example:
      pipeline digest draft 2026-10
      pipeline digest render 2026-10 --out build/digest
    """


@digest.command()
@click.argument("month", metavar="YYYY-MM")
@click.option("--offline", is_flag=True, help="Read release feeds from the cache only.")
def draft(month, offline):
    """Write or refresh digests/YYYY-MM.md from the month's changes and releases.

    Generated blocks are refreshed; the editor's text, edited items and
    deleted items are kept as they are. The previous version is copied to
    .digest-backups/ first.

    \b
    Example:
      pipeline digest draft 2026-10
      pipeline digest draft 2026-10 --offline
    """
    from ..diagnostics import by_place, warning_line
    from ..digest.draft import draft as run, feed_warnings
    from ..history.changes import before_start_warning

    settings = get_settings()
    result = run(settings, month, offline=offline,
                 on_wait=lambda message: click.echo(message, err=True))
    rel = result.path.relative_to(settings.root).as_posix()
    for warning in feed_warnings(result.feeds):
        click.echo(warning_line(warning), err=True)
    if early := before_start_warning(result.changes, "month"):
        click.echo(f"warning: {early}, not in this digest: add them by hand if they are "
                   "news (`pipeline changes` shows them)", err=True)
    for problem in result.unread_corrections:
        click.echo(f"warning: {problem}; add the correction to the digest by hand", err=True)
    for url, entry, left, total in result.capped:
        click.echo(f"feed {url} ({entry}): {left} of its {total} releases of {month} left out; "
                   f"the digest lists the {settings.digest.releases_per_feed} newest of each "
                   "feed (digest.releases_per_feed in pipeline.toml)")
    s = result.stats
    for line, column, block, added in s.unlisted:
        click.echo(f"{rel}:{line}:{column}: warning: block '{block}' has no "
                   "`drafted=\"...\"` list (a digest drafted before it was always written), so the draft cannot "
                   f"tell an item you deleted from it from a new one: it added {len(added)} "
                   f"({', '.join(added)}); delete again any you had deleted (from now on "
                   "they stay deleted)", err=True)
    for w in by_place([*result.front, *result.dropped]):  # as render lists them
        click.echo(warning_line(w), err=True)
    counts = (f"{len(s.added)} new, {len(s.updated)} updated, {len(s.kept)} kept as edited, "
              f"{len(s.dropped)} dropped, {len(s.deleted)} newly recorded as deleted")
    if s.held:  # releases gone from a feed that keeps only the latest, or a feed that failed
        counts += f", {len(s.held)} kept that the feeds no longer list"
    if not result.written:
        click.echo(f"{rel} is up to date ({counts}).")
        return
    click.echo(f"Wrote {rel}: {counts}.")
    if result.backup:
        click.echo(f"Previous version: {result.backup.relative_to(settings.root).as_posix()}")


@digest.command()
@click.argument("month", metavar="YYYY-MM")
@click.option("--out", "out", required=True, type=Folder(),
              help="Folder for email.html, email.txt, email.eml and web.html.")
def render(month, out):
    """Render digests/YYYY-MM.md to the e-mail (HTML, text, .eml) and the web page.

    Needs [email] from, postal_address and unsubscribe_url in pipeline.toml.

    \b
    Example:
      pipeline digest render 2026-10 --out build/digest
    """
    from ..diagnostics import warning_line
    from ..digest.render import render as run

    result = run(get_settings(), month, out)
    for w in result.warnings:
        click.echo(warning_line(w), err=True)
    for name, path in result.files.items():
        click.echo(f"{path}  {result.sizes[name]:,} bytes")
    if result.paid_links:
        click.echo(f"{result.paid_links} paid links kept; the disclosure is at the top.")
