"""`pipeline validate` as a library function: settings in, ValidationResult out."""

from __future__ import annotations

import datetime as _dt
import os
from dataclasses import dataclass, field
from pathlib import Path

from .catalog.loader import load_catalog
from .catalog.model import Catalog
from .catalog.text import internal_links, path_to_id
from .checks import Context, run_checks
from .config import Settings
from .diagnostics import Diagnostic
from .errors import UsageError
from .schemas import SchemaSet, values_at


@dataclass
class ValidationResult:
    diagnostics: list[Diagnostic]
    entries: int  # entries checked
    catalog: Catalog | None = field(default=None, repr=False)

    @property
    def errors(self) -> int:
        return sum(1 for d in self.diagnostics if d.severity == "error")

    @property
    def warnings(self) -> int:
        return sum(1 for d in self.diagnostics if d.severity == "warning")

    def exit_code(self, strict: bool = False) -> int:
        if self.errors or (strict and self.warnings):
            return 1
        return 0

    def summary(self) -> dict:
        return {"entries": self.entries, "errors": self.errors, "warnings": self.warnings}


def apply_severities(diags: list[Diagnostic], overrides: dict[str, str], strict: bool = False):
    out = []
    for d in diags:
        sev = overrides.get(d.rule, d.severity)
        if sev == "off":
            continue
        if strict and sev == "warning":
            sev = "error"
        out.append(d if sev == d.severity else d.with_severity(sev))
    return sorted(out, key=lambda d: (d.file, d.line, d.column, d.rule, d.message))


def references_of(entry, schemas: SchemaSet) -> set[str]:
    """Every entry id an entry refers to, in front matter or body links."""
    out: set[str] = set()
    for fld in schemas.ref_fields(entry.collection):
        for _, value in values_at(entry.data, fld.path):
            if isinstance(value, str):
                out.add(value if "/" in value else f"{fld.collections[0]}/{value}")
    for _, _, path, _ in internal_links(entry):
        target = path_to_id(path)
        if target:
            out.add(target)
    return out


def _selected(settings: Settings, catalog: Catalog, paths: list[str]) -> set[str]:
    """Entry ids of the files or folders named on the command line."""
    root = settings.root
    wanted: list[str] = []
    for p in paths:
        full = Path(p)
        full = full if full.is_absolute() else Path(os.getcwd()) / full
        try:
            rel = full.resolve().relative_to(root).as_posix()
        except ValueError:
            raise UsageError(f"{p} is not inside the catalog at {root}") from None
        wanted.append(rel.rstrip("/"))
    ids = set()
    for e in catalog.entries.values():
        if any(e.file == w or e.file.startswith(w + "/") or w in ("", ".") for w in wanted):
            ids.add(e.id)
    return ids


def validate(
    settings: Settings,
    paths: list[str] | None = None,
    changed_since: str | None = None,
    today: _dt.date | None = None,
    strict: bool = False,
) -> ValidationResult:
    """Check the catalog; report on everything, on `paths`, or on what changed since a revision."""
    schemas = SchemaSet.load(settings.path("schemas"))
    catalog, load_diags = load_catalog(settings)
    only: set[str] | None = None
    if paths:
        only = _selected(settings, catalog, paths)
    if changed_since:
        from .history.gitio import changed_entry_ids

        changed, gone = changed_entry_ids(settings, changed_since)
        touched = changed | gone
        only = (only or set()) | {i for i in changed if i in catalog.entries}
        for e in catalog.entries.values():
            if e.id not in only and references_of(e, schemas) & touched:
                only.add(e.id)
    base_catalog = None
    if changed_since:
        from .history.gitio import read_tree

        files, bib = read_tree(settings, changed_since)
        base_catalog, _ = load_catalog(settings, files=files, bibliography=bib)
    ctx = Context(catalog=catalog, settings=settings, today=today or _dt.date.today(), only=only,
                  base_catalog=base_catalog)
    ctx.extras["schemas"] = schemas
    diags = run_checks(ctx)
    if only is not None:
        files = {catalog.entries[i].file for i in only if i in catalog.entries}
        load_diags = [d for d in load_diags if d.file in files or d.entry in only
                      or (changed_since and d.entry is None)]
    diags = apply_severities(load_diags + diags, settings.checks, strict)
    count = len(catalog.entries) if only is None else len(only)
    return ValidationResult(diagnostics=diags, entries=count, catalog=catalog)
