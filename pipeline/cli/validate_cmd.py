"""`pipeline validate`, `explain`, `new` and `schema-docs`."""

from __future__ import annotations

import sys

import click

from .. import __version__
from ..config import COLLECTIONS
from ..diagnostics import RULES
from ..fileio import write_atomic
from ..report import ReportOptions, get_reporters
from . import _tell, get_settings, main, wants_color, write_out


@main.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(sorted(get_reporters())), default="text",
              show_default=True, help="How to print the problems.")
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option("--changed-since", metavar="REV",
              help="Check only entries changed since REV (e.g. origin/main) and those whose "
              "references they could break, and the data files (bibliography, affiliate "
              "programs); every entry when the settings, a schema or a data file changed. "
              "With PATHS, their entries are checked too: both sets, never fewer than "
              "either alone.")
@click.option("--color/--no-color", default=None,
              help="Colour the text output (default: on a terminal, unless NO_COLOR is set).")
def validate(paths, fmt, strict, changed_since, color):
    """Check entries against the schemas, references, citations and policy.

    Exit status: 0 no errors (warnings alone pass), 1 errors found (or warnings,
    with --strict), 2 usage or settings error.

    \b
    Example:
      pipeline validate
      pipeline validate entries/glossary/exl2.md --format json
      pipeline validate --changed-since origin/main --format github
    """
    from ..progress import progress
    from ..validate import validate as run

    settings = get_settings()
    with progress("Checking entries", fmt=fmt) as bar:
        result = run(settings, paths=list(paths) or None, changed_since=changed_since,
                     strict=strict, progress=bar)
    reporter = get_reporters()[fmt]()
    use_color = wants_color() if color is None else color
    text = reporter.render(result, ReportOptions(color=use_color and fmt == "text",
                                                 tool_version=__version__, root=settings.root))
    if getattr(reporter, "utf8", False):
        write_out(text, utf8=True)
    else:  # escapes where the terminal's encoding cannot show a character (`\xf6`)
        sys.stdout.write(text)
    extra = getattr(reporter, "after", None)
    if extra and (trouble := extra(result)):
        _tell(f"warning: {trouble}")
    sys.exit(result.exit_code(strict))


@main.command()
@click.argument("rule_id", required=False)
def explain(rule_id):
    """Explain a rule: what it checks, why, and an example.

    Without RULE_ID, list every rule.

    \b
    Example:
      pipeline explain claim-uncited
    """
    import difflib

    from ..checks import load_checks
    from ..diagnostics import CONTRACT
    from ..errors import PipelineError

    load_checks()
    try:  # the catalog's own severities, when run in one ([checks] in pipeline.toml)
        overrides = get_settings().checks
    except PipelineError:
        overrides = {}

    def severity(r) -> str:
        given = overrides.get(r.id)
        return r.severity if given in (None, r.severity) else f"{given} here, {r.severity} by default"

    if rule_id is not None and not rule_id.strip():
        raise click.UsageError("an empty rule id names no rule (`pipeline explain` lists them)")
    if not rule_id:
        for r in sorted(RULES.values(), key=lambda r: r.id):
            click.echo(f"{r.id:28} {overrides.get(r.id, r.severity):8} {r.summary}")
        return
    r = RULES.get(rule_id)
    if r is None:  # `CLAIM-UNCITED`, `claim_uncited`: the rule meant, as a suggestion
        close = difflib.get_close_matches(rule_id.strip().lower().replace("_", "-"),
                                          list(RULES), n=1)
        hint = f"; did you mean {close[0]}?" if close else ""
        raise click.UsageError(f"no rule '{rule_id}'{hint} (`pipeline explain` lists them)")
    fixed = ", part of the fixed contract" if r.id in CONTRACT else ""
    click.echo(f"{r.id} ({severity(r)}{fixed})\n\n{r.summary}\n\n{r.explanation}\n")
    if r.example:
        click.echo("Example:\n" + "\n".join("  " + line for line in r.example.splitlines()) + "\n")
    if r.hint:
        click.echo(f"Fix: {r.hint}")


@main.command()
@click.argument("collection", type=click.Choice(COLLECTIONS))
@click.argument("slug")
@click.option("--title", required=True, help="The entry's title.")
@click.option("--author", help="Your author slug (default: the first author of the catalog).")
def new(collection, slug, title, author):
    """Create a draft entry that passes validation, from the collection's schema.

    \b
    Example:
      pipeline new glossary flash-attention --title "FlashAttention" --author lead-editor
    """
    from ..catalog.loader import load_catalog
    from ..scaffold import new_entry
    from ..schemas import SchemaSet

    settings = get_settings()
    schemas = SchemaSet.load(settings.path("schemas"))
    catalog, _ = load_catalog(settings)
    path = new_entry(settings, schemas, catalog, collection, slug, title, author)
    click.echo(f"Created {path.relative_to(settings.root)} (status: draft). Fill in the TODOs.")


@main.command("schema-docs")
@click.option("--write", is_flag=True, help="Write docs/schema-reference.md instead of printing.")
@click.option("--check", is_flag=True, help="Exit 1 if docs/schema-reference.md is out of date.")
def schema_docs(write, check):
    """Print the editors' field reference generated from the schemas.

    \b
    Example:
      pipeline schema-docs --write
    """
    from ..schemadoc import render
    from ..schemas import SchemaSet

    if write and check:
        raise click.UsageError("--write and --check do different things; give one of them")
    settings = get_settings()
    schemas = SchemaSet.load(settings.path("schemas"))
    missing = [c for c in COLLECTIONS if schemas.schema_for(c) is None]
    if missing:  # the reference would leave those collections out without a word
        raise click.UsageError(
            f"no schema for {', '.join(missing)} in {settings.paths.schemas}/ "
            f"({missing[0]}.schema.json): the reference would leave {'it' if len(missing) == 1 else 'them'} out")
    text = render(schemas)
    target = settings.root / "docs" / "schema-reference.md"
    if check:
        name = target.relative_to(settings.root).as_posix()
        if target.is_dir():  # "missing; run --write" sent the editor to a second error
            click.echo(f"{name} is a folder, not the reference; move the folder away, then "
                       "run `pipeline schema-docs --write`", err=True)
            sys.exit(1)
        if not target.is_file():
            click.echo(f"{name} is missing; run `pipeline schema-docs --write`", err=True)
            sys.exit(1)
        raw = target.read_bytes()
        try:
            current = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            from ..catalog.loader import bad_byte

            line, column, byte = bad_byte(e)
            click.echo(f"{name}:{line}:{column}: not UTF-8 (byte 0x{byte:02x}), so it is out of "
                       "date; run `pipeline schema-docs --write`", err=True)
            sys.exit(1)
        if current != text:
            click.echo(f"{name} is out of date; run `pipeline schema-docs --write`", err=True)
            sys.exit(1)
        click.echo("docs/schema-reference.md is up to date.")
        return
    if write:
        write_atomic(target, text)
        click.echo(f"Wrote {target.relative_to(settings.root)}")
    else:
        click.echo(text, nl=False)
