"""The checks of `pipeline validate`: one module per rule family.

A check is a function `check(ctx) -> Iterable[Diagnostic]` registered with
`@check`; it looks at `ctx.targets()` (every entry, or only those a
`--changed-since` run must look at) against the whole catalog. Adding a rule
family is adding one module here and naming it in CHECK_MODULES.

What a check may read, so that `pipeline validate` can keep its results in a
cache (`pipeline.cache`) and recompute only what an edit can change:

- everything of its target entries, the settings, the schemas, `ctx.today`
  (compared with dates written in the front matter, or written into a message
  as YYYY-MM-DD) and the catalog's data files (bibliography, affiliate programs);
- of any other entry, only its id, file, collection, `title`, `status` and
  `redirect_from`, and only for entries the target refers to (front matter or
  body link), that share its title in its collection, or that its
  `redirect_from` names or also claims;
- `ctx.base_catalog` only for entries that differ from their base version.

A check in a module of LOCAL_MODULES reads nothing of other entries at all.
Diagnostics about no entry (`entry=None`) come only from the data files and
from which bibliography sources the entries cite.
"""

from __future__ import annotations

import datetime as _dt
import importlib
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from ..catalog.model import Catalog, Entry
from ..config import Settings
from ..diagnostics import Diagnostic, Rule

CheckFn = Callable[["Context"], Iterable[Diagnostic]]
CHECKS: list[CheckFn] = []

# The rule families, in the order they run.
CHECK_MODULES = (
    "schema",
    "references",
    "citations",
    "claims",
    "publishing",
    "affiliates",
)
# Rule families whose diagnostics for an entry depend on no other entry: after
# another entry changes, only the other families run again.
LOCAL_MODULES = ("schema", "citations", "claims", "affiliates")
# Modules of rules about something other than entries, run by validate itself: the
# commits of a change (`--changed-since`).
OTHER_MODULES = ("commits",)


def check(fn: CheckFn) -> CheckFn:
    """Register a check function."""
    CHECKS.append(fn)
    return fn


@dataclass
class Context:
    """What a check sees: the catalog, the settings, and which entries to report on."""

    catalog: Catalog
    settings: Settings
    today: _dt.date = field(default_factory=_dt.date.today)
    only: set[str] | None = None  # entry ids to report on; None means all
    base_catalog: Catalog | None = None  # the catalog at --changed-since, for history rules
    extras: dict = field(default_factory=dict)  # shared, lazily computed data

    def targets(self) -> Iterator[Entry]:
        if self.only is None:
            yield from self.catalog.entries.values()
        else:
            for entry_id in sorted(self.only):
                e = self.catalog.entries.get(entry_id)
                if e is not None:
                    yield e

    def wants(self, entry_id: str | None) -> bool:
        return self.only is None or entry_id in self.only

    def shared(self, key: str, make: Callable[[], object]):
        """A value computed once per run and shared between checks, and between the chunks
        of entries one process checks (validate.CHUNK): it may read the other entries
        only for what their stand-ins keep (cache.SUMMARY_KEYS, the entry's names and its
        page ids, see references.page_ids_of)."""
        if key not in self.extras:
            self.extras[key] = make()
        return self.extras[key]


_loaded = False


def load_checks() -> list[CheckFn]:
    """Import every check module (registering its rules) and return the checks."""
    global _loaded
    if not _loaded:
        for name in (*CHECK_MODULES, *OTHER_MODULES):
            importlib.import_module(f"{__name__}.{name}")
        _loaded = True
    return CHECKS


def family_rules() -> dict[str, list[Rule]]:
    """{rule family (CHECK_MODULES): the rules its module registers}."""
    load_checks()
    return {name: [r for r in vars(sys.modules[f"{__name__}.{name}"]).values()
                   if isinstance(r, Rule)] for name in CHECK_MODULES}


def families_reporting_errors(overrides: dict[str, str], strict: bool = False) -> frozenset[str]:
    """The rule families (CHECK_MODULES) with a rule that reports errors under the
    settings' `[checks]` (`overrides`), or, with `strict`, errors or warnings: all a
    run needs that refuses errors (a build)."""
    reporting = {"error", "warning"} if strict else {"error"}
    return frozenset(name for name, rules in family_rules().items()
                     if any(overrides.get(r.id, r.severity) in reporting for r in rules))


def family(fn: CheckFn) -> str:
    """The rule family (module name) of a check."""
    return fn.__module__.rsplit(".", 1)[-1]


def is_local(fn: CheckFn) -> bool:
    """Whether a check's diagnostics for an entry depend on that entry alone."""
    return family(fn) in LOCAL_MODULES


def run_checks(ctx: Context, checks: Iterable[CheckFn] | None = None) -> list[Diagnostic]:
    """The diagnostics of every check (or of `checks`) about the entries `ctx` wants."""
    out: list[Diagnostic] = []
    for fn in load_checks() if checks is None else checks:
        out.extend(d for d in fn(ctx) if ctx.wants(d.entry))
    return out
