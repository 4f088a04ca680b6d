"""Sources and citations: every citation resolves, every source is cited (a claim with
no citation is the `claims` family's)."""

from __future__ import annotations

import datetime as _dt
import re

from ..catalog.model import Entry
from ..catalog.text import (Positions, cited_ids, citations_of, front_matter_sources,
                             prose_text)
from ..diagnostics import rule
from . import Context, check

CITE_UNRESOLVED = rule(
    "cite-unresolved",
    "error",
    "Every citation names a source of the entry or of the shared bibliography.",
    """
    A claim cites with Pandoc syntax, `[@source-id]` or `[@a; @b]` (words
    around an id, such as `[see @a, p. 3]`, stay on the page), and a
    front-matter fact names its source with `source: source-id`. The id must be
    one of the entry's `sources` or a source in `data/bibliography.yaml`. A
    group its line does not close (`[@a;` then `@b]` on the next line), a group
    with no id (`[@]`) and a footnote mark (`[^3]`) cite nothing: the page shows
    them as written, so they are reported too. While the shared bibliography
    cannot be read, its own error is reported, not each citation of it.
    """,
    example="Fastest single stream [@exl2-readme].     <- no source with id exl2-readme",
    hint="add the source to `sources:` or fix the id",
)
SOURCE_UNUSED = rule(
    "source-unused",
    "warning",
    "Every source listed is cited at least once.",
    """
    A source in an entry's `sources` that no sentence or front-matter fact
    cites is either a leftover or a claim that lost its citation. Cite it where
    it supports a claim, or remove it. In the shared bibliography, a source that
    no entry cites is reported the same way.
    """,
    example="sources:\n  - id: old-review     <- never cited with [@old-review]",
    hint="cite it with [@id] where it supports a claim, or remove it",
)
SOURCE_DUPLICATE = rule(
    "source-duplicate",
    "error",
    "Source ids are unique within an entry.",
    """
    Two sources of one entry with the same id make every citation of that id
    ambiguous. Give each its own id.
    """,
    example="sources:\n  - id: spec\n  ...\n  - id: spec     <- duplicate",
    hint="rename one of the two sources and the citations that mean it",
)
SOURCE_ACCESSED_FUTURE = rule(
    "source-accessed-future",
    "error",
    "A source's `accessed` date is not in the future.",
    """
    `accessed` records when an editor last read the source. A date in the future
    is a typo (often the month and day swapped), and it would tell readers the
    source was checked when it was not.
    """,
    example="accessed: 2027-10-01     <- later than today",
    hint="write the date you read the source, YYYY-MM-DD",
)
# What editors used to other tools write for a citation: a footnote mark (`[^3]`), which
# the site shows as written, and a group with no id in it (`[@]`, `[@ ]`): one expression,
# which finds what three searches for `[^`, `@]` and `@ ]` missed, `[@  ]` and `[@<tab>]`.
_NOT_CITATIONS_RE = re.compile(r"\[\^[^\]\s]*\]|\[\s*@\s*\]")


# Both at once, in one search of the prose (5.5 -> 3.8 µs a body of the corpus): each `[`
# is tried as one of those, then as the start of a citation its line does not close
# (CITE_UNCLOSED_RE). Neither kind of match can start inside one of the other (an
# unclosed group holds no other bracket; a `[` inside a footnote mark has the mark's `]`
# after it on its line, so it opens no unclosed group), nor both at one `[`, so the
# search finds what the two searches found. A mark ends with its `]`, an unclosed group
# never does. (Its branches all start with `\[`, which
# the regex engine then looks for as a literal: in a group of their own, the marks' took
# it to trying every character, four times the time.)
# Each run of a class is possessive (`*+`): what follows it is a character the class
# refuses (`]`, `@`) or the line's end, so giving characters back never made a match, but
# each `[@id]` and `[text](` was tried again at every character of its run before it
# failed (the search 3.6-3.8 -> 3.0-3.2 µs a body of the corpus). Otherwise
# _NOT_CITATIONS_RE's pattern, then CITE_UNCLOSED_RE's: the two find what it finds.
_NOT_OR_UNCLOSED_RE = re.compile(r"\[\^[^\]\s]*+\]|\[\s*+@\s*+\]"
                                 r"|\[[^\[\]\n@]*+@[A-Za-z0-9_][^\[\]\n]*+$", re.MULTILINE)


def _unclosed(entry: Entry):
    """Footnote marks and groups naming no source (_NOT_CITATIONS_RE), then the citation
    groups their lines do not close (`[@a;` then `@b]` on the next line), which cite
    nothing: the page shows each as written."""
    text = prose_text(entry)
    if "[" not in text:
        return
    where = None
    unclosed = []
    for m in _NOT_OR_UNCLOSED_RE.finditer(text):
        if m.group(0)[-1] != "]":
            unclosed.append(m)
            continue
        if where is None:
            where = Positions(text, entry.body_line)
        line, column = where(m.start())
        found = m.group(0)
        why = (f"'{found}' is a footnote mark, which the site shows as written; cite the "
               "source with [@source-id], and list it under `sources:`" if found[1] == "^"
               else f"'{found}' names no source; write the source's id after the @")
        yield CITE_UNRESOLVED(entry.file, line, column, why, entry=entry.id)
    if unclosed:
        where = Positions(text, entry.body_line)
    for m in unclosed:
        line, column = where(m.start())
        yield CITE_UNRESOLVED(entry.file, line, column,
                              f"citation '{m.group(0).strip()[:40]}' is not closed on its line; "
                              "write each citation [@id] on one line", entry=entry.id)


def _date(value) -> _dt.date | None:
    try:
        return _dt.date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


@check
def check_citations(ctx: Context):
    bib = ctx.catalog.bibliography
    # a bibliography that cannot be read has its own error: a citation of it is not one too
    unread = ctx.catalog.bibliography_unreadable
    used_bib: set[str] = set()
    # with no shared bibliography at all, say so: it is more likely the cause than the id
    why = "" if bib or ctx.settings.path("bibliography").is_file() else (
        f" ({ctx.settings.paths.bibliography}, the shared bibliography, does not exist)")
    for entry in ctx.targets():
        own: dict[str, int] = {}
        for i, source in enumerate(entry.sources()):
            sid = source.get("id")
            if not isinstance(sid, str):
                continue
            if sid in own:  # (its position looked up only then: most ids are not)
                line, col = entry.pos(("sources", i, "id"))
                yield SOURCE_DUPLICATE(entry.file, line, col,
                                       f"source id '{sid}' is used twice in this entry",
                                       entry=entry.id)
            own.setdefault(sid, i)
            accessed = _date(source.get("accessed"))
            if accessed and accessed > ctx.today:
                line, col = entry.pos(("sources", i, "accessed"))
                yield SOURCE_ACCESSED_FUTURE(entry.file, line, col,
                                             f"source '{sid}' accessed {accessed}, after today "
                                             f"({ctx.today})", entry=entry.id)
        yield from _unclosed(entry)
        # the ids first, the places of those reported alone (most entries: none)
        cited = cited_ids(entry)
        unknown = set() if unread else {s for s in cited if s not in own and s not in bib}
        for line, col, sid in citations_of(entry, unknown):
            yield CITE_UNRESOLVED(entry.file, line, col,
                                  f"[@{sid}] cites no known source{why}", entry=entry.id)
        for path, sid in front_matter_sources(entry):
            cited.add(sid)
            if sid not in own and sid not in bib and not unread:
                line, col = entry.pos(path)
                where = ".".join(str(p) for p in path)
                yield CITE_UNRESOLVED(entry.file, line, col,
                                      f"{where}: '{sid}' is no known source{why}",
                                      entry=entry.id)
        used_bib.update(s for s in cited if s not in own)
        for sid, i in own.items():
            if sid not in cited:
                line, col = entry.pos(("sources", i))
                yield SOURCE_UNUSED(entry.file, line, col,
                                    f"source '{sid}' is never cited", entry=entry.id)
    if ctx.only is None and bib:
        # the shared bibliography is checked on full runs only
        file = ctx.catalog.bibliography_file
        for sid, source in bib.items():
            line, col = ctx.catalog.bibliography_positions.get(sid, (1, 1))
            accessed = _date(source.get("accessed"))
            if accessed and accessed > ctx.today:
                yield SOURCE_ACCESSED_FUTURE(file, line, col,
                                             f"source '{sid}' accessed {accessed}, after today")
            if sid not in used_bib:
                yield SOURCE_UNUSED(file, line, col,
                                    f"bibliography source '{sid}' is cited by no entry")
