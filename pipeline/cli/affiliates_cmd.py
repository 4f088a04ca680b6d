"""`pipeline affiliates report` and `pipeline affiliates classify`."""

from __future__ import annotations

import click

from . import get_settings, main, write_out

_DATE = click.DateTime(formats=["%Y-%m-%d"])


@main.group()
def affiliates():
    """Affiliate links: the report, the independence audit, and what a URL is.

    Programs, our tracking ids and the disclosure wording live in
    data/affiliates.yaml (see docs/affiliates.md).

    \b
    Example:
      pipeline affiliates report
      pipeline affiliates classify "https://www.amazon.com/dp/B0BJFRT43X?tag=localaicat-20"
    """


@affiliates.command()
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv", "markdown"]),
              default="table", show_default=True,
              help="table for people; json and csv list every link; markdown is the figures "
              "of the site's \"How we make money\" page.")
@click.option("--since", type=_DATE, metavar="YYYY-MM-DD",
              help="List verdict changes on pages with affiliate links from this day on (git).")
@click.option("--until", type=_DATE, metavar="YYYY-MM-DD",
              help="End of the period, exclusive, as in `pipeline changes` (default: up to the "
              "working tree, as a day after today is).")
def report(fmt, since, until):
    """Every link of the catalog, counts per program, and the independence audit.

    Lists every URL of every entry (also entries that fail validation) and
    of every digest with its program, tracking id and whether the id is
    ours; counts links per program; and splits the ratings of published verdicts between pages with
    and without affiliate links.

    \b
    Example:
      pipeline affiliates report
      pipeline affiliates report --format json > affiliates.json
      pipeline affiliates report --format markdown --since 2026-10-01 --until 2026-11-01
    """
    from ..affiliates import RENDERERS, affiliate_report, load_programs
    from ..catalog.loader import load_catalog

    settings = get_settings()
    programs = load_programs(settings)
    catalog, _ = load_catalog(settings)
    data = affiliate_report(catalog, programs, since=since.date() if since else None,
                            until=until.date() if until else None, settings=settings)
    write_out(RENDERERS[fmt](data), utf8=fmt == "json")


@affiliates.command()
@click.argument("urls", nargs=-1, required=True)
def classify(urls):
    """Tell which program each URL belongs to, its tracking id, and whether it is ours.

    \b
    Example:
      pipeline affiliates classify "https://amzn.to/3xYzAbc" "https://aws.amazon.com/?tag=x"
    """
    from ..affiliates import classify as classify_url
    from ..affiliates import load_programs
    from ..affiliates.render import shown

    programs = load_programs(get_settings())
    for url in urls:
        c = classify_url(url, programs)
        if c.is_affiliate and c.shortener:
            what = f"{c.program_name}, shortener (destination hidden)"
        elif c.is_affiliate and c.repeated is not None:  # which value counts is the program's
            name, values = c.repeated
            what = (f"{c.program_name}, tracking parameter {name!r} given more than once, "
                    f"with different values ({shown(', '.join(values))}) (NOT ours)")
        elif c.is_affiliate and c.click_id:
            what = (f"{c.program_name}, click id {shown(c.tracking_id)} of someone else's visit "
                    "(NOT ours)")
        elif c.is_affiliate:
            what = (f"{c.program_name}, tracking id {shown(c.tracking_id)} "
                    f"({'ours' if c.ours else 'NOT ours'})")
        elif c.miscased is not None:
            program, written, reads, value = c.miscased
            what = (f"not an affiliate link: {program} reads its tracking parameter as "
                    f"{reads!r}, not {written!r}, so {written}={shown(value)} pays no one")
        else:
            what = "shortener of no program (destination hidden)" if c.shortener else \
                "not an affiliate link"
        if c.via:
            what += f", through the {c.via} link wrapper"
        click.echo(f"{shown(url)}\n  {what}")
