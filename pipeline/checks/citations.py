"""Sources and citations: every citation resolves, every source is cited."""

from __future__ import annotations

import bisect
import datetime as _dt
import re

from ..catalog.model import Entry
from ..catalog.text import (CITE_GROUP_RE, CITE_UNCLOSED_RE, NO_CITE_RE, citations, source_refs,
                            prose_lines, prose_text)
from ..diagnostics import rule
from . import Context, check

CITE_UNRESOLVED = rule(
    "cite-unresolved",
    "error",
    "Every citation names a source of the entry or of the shared bibliography.",
    """
    A claim cites with Pandoc syntax, `[@source-id]` or `[@a; @b]`, and a
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
CLAIM_UNCITED = rule(
    "claim-uncited",
    "warning",
    "A quantitative claim in a published body cites a source in its sentence.",
    """
    A sentence of a published body that states a number with a unit or a
    percentage (tok/s, GB, %, 10 percent, $, W, ms, bpw, 2x...) carries a citation
    `[@id]` in the same sentence. When a sentence needs none (a worked example,
    a definition), end it with the visible marker `<!-- no-cite: reason -->`:
    it stays in the Markdown for reviewers and never reaches readers.
    """,
    example="EXL2 runs 10-25% faster per stream than AWQ.     <- cite it: ... [@exl2-bench].\n"
    "A 7B model at 4 bpw needs about 3.5 GB. <!-- no-cite: worked example -->",
    hint="add [@source-id] to the sentence, or mark it <!-- no-cite: reason -->",
)

_UNIT = (r"(?:%|[x×](?![\w-])|tok/s|tokens?/s|t/s|tokens per second|[KMGT]i?B(?:/s)?(?![\w])"
         r"|W(?![\w])|watts?\b|ms\b|bpw\b|GHz\b|MHz\b|TFLOPS\b|TOPS\b|USD\b"
         r"|(?i:percent|per cent|percentage points?)\b)")
# A number with a unit, a percentage or a dollar amount, not inside a word or a version
# number. The pattern starts with one character class (the look-behind comes after it):
# the regex engine then skips to the next `$` or digit with a quick test of each
# character, instead of trying every branch at every position. Which branch applies
# depends on that first character.
QUANT_RE = re.compile(
    r"[\d$](?<![\w.].)(?:(?<=\$)\s?\d[\d,]*(?:\.\d+)?"
    r"|(?<=\d)[\d,]*(?:\.\d+)?(?:\s?-\s?\d[\d,]*(?:\.\d+)?)?\s?" + _UNIT + ")"
)
_ORDERED_ITEM = re.compile(r"\d+[.)] ")
# Where a sentence ends: its full stop (kept in the sentence), then an optional closing
# quote or bracket and white space, before more text. Starting with the full stop (not a
# look-behind) lets the engine skip to the next one.
# An abbreviation's full stop ("i.e.", "e.g.", "vs.", "cf.", "approx.") ends no sentence:
# a claim cited after one was taken for uncited (found in review).
# The look-behinds come after the full stop, so the pattern still starts with it.
_SENTENCE_END = re.compile(r"[.!?](?<!(?i:\b(?:i\.e|e\.g)\.))(?<!(?i:\b(?:vs|cf)\.))"
                           r"(?<!(?i:\bapprox\.))[\"')\]]?\s+(?=\S)")


def _sentences(entry: Entry, having: re.Pattern):
    """(line, text, first match of `having`, line of the match, its column) of each
    sentence of each prose paragraph (headings left out) where `having` is found; `line`
    is where the sentence starts.

    A paragraph is a run of prose lines; a blank line, a heading or a table row
    ends one, and a list item (`- `, `* `, `+ `, `1. `, `1) `) starts a new one.
    A table row other than a header or a delimiter row is a claim of its own.

    Each paragraph is searched once: a match never spans two sentences (they start after white
    space and end before it), so the first match inside a sentence's stretch of
    its paragraph is the first match in the sentence. For QUANT_RE that holds
    because the only `.` it takes is a decimal point and it ends on no white
    space (tests/test_quant_pattern.py checks it); a pattern for which it does
    not hold must not be given here."""
    lines = list(prose_lines(entry))
    numbers: list[int] = []  # the paragraph's file lines
    texts: list[str] = []  # and their text, stripped
    leads: list[int] = []  # and how much was stripped from their start
    for i, (line_no, line) in enumerate(lines):
        stripped = line.strip()
        first = stripped[:1]
        if not first or first == "#":
            if texts:
                yield from _claims_in(numbers, texts, leads, having)
                numbers, texts, leads = [], [], []
            continue
        if first == "|":
            if texts:
                yield from _claims_in(numbers, texts, leads, having)
                numbers, texts, leads = [], [], []
            following = lines[i + 1][1].strip() if i + 1 < len(lines) else ""
            is_header = following.startswith("|") and set(following) <= set("|-: ")
            if not is_header and not set(stripped) <= set("|-: "):
                found = having.search(stripped)
                if found:  # a table row is its own claim
                    lead = len(line) - len(line.lstrip())
                    yield line_no, stripped, found, line_no, lead + found.start() + 1
            continue
        if texts and ((first in "-*+" and stripped[1:2] == " ")
                      or (first.isdecimal() and _ORDERED_ITEM.match(stripped))):
            yield from _claims_in(numbers, texts, leads, having)  # an item starts a paragraph
            numbers, texts, leads = [], [], []
        numbers.append(line_no)
        texts.append(stripped)
        leads.append(len(line) - len(line.lstrip()))
    if texts:
        yield from _claims_in(numbers, texts, leads, having)


def _claims_in(numbers: list[int], texts: list[str], leads: list[int], having: re.Pattern):
    """_sentences for one paragraph: its lines' numbers, stripped texts and what was
    stripped from their starts."""
    text = " ".join(texts) + " "
    found = list(having.finditer(text))
    if not found:
        return
    offsets = [0]  # where each line starts in `text`
    for t in texts[:-1]:
        offsets.append(offsets[-1] + len(t) + 1)
    merged: list[list] = []  # [start, end, text] of each sentence
    pos = 0
    for m in _SENTENCE_END.finditer(text):
        _add_sentence(merged, text, pos, m.start() + 1)  # the full stop ends the sentence
        pos = m.end()
    _add_sentence(merged, text, pos, len(text))
    k = 0
    for start, end, s in merged:
        while k < len(found) and found[k].start() < start:
            k += 1
        if k < len(found) and found[k].start() < end:
            at = found[k].start()
            n = bisect.bisect_right(offsets, at) - 1  # the line the match is on
            yield (numbers[bisect.bisect_right(offsets, start) - 1], s, found[k], numbers[n],
                   leads[n] + at - offsets[n] + 1)


def _add_sentence(merged: list[list], text: str, start: int, end: int) -> None:
    s = text[start:end]
    # a citation or a no-cite marker written after the full stop belongs before it; what
    # follows it is the next sentence (a marker at the end of a line is not the next
    # line's too: found in review)
    if merged and (s.startswith("[@") or s.startswith("<!--")):
        cut = start + _ATTACHED.match(s).end()
        merged[-1][1] = cut
        merged[-1][2] += " " + text[start:cut].rstrip()
        if not text[cut:end].strip():
            merged[-1][1] = end
            return
        start, s = cut, text[cut:end]
    merged.append([start, end, s])


# What `_add_sentence` gives back to the sentence before: citations and markers, in a row.
_ATTACHED = re.compile(r"(?:(?:\[[^\[\]@]*@[^\[\]]*\]|<!--.*?-->|\[@|<!--)\s*)+", re.S)


def uncited_claims(entry: Entry):
    """(line, column, the number) of each uncited quantitative claim."""
    for _, sentence, m, line, col in _sentences(entry, QUANT_RE):
        if CITE_GROUP_RE.search(sentence) or NO_CITE_RE.search(sentence):
            continue
        yield line, col, m.group(0)


# What editors used to other tools write for a citation: a footnote mark (`[^3]`), which
# the site shows as written, and a group with no id in it (`[@]`, `[@ ]`).
_NOT_CITATIONS_RE = re.compile(r"\[\^[^\]\s]*\]|\[\s*@\s*\]")


def _not_citations(entry: Entry):
    text = prose_text(entry)
    if "[^" not in text and "@]" not in text and "@ ]" not in text:
        return  # the usual case, found without a scan
    for m in _NOT_CITATIONS_RE.finditer(text):
        line = entry.body_line + text.count("\n", 0, m.start())
        column = m.start() - (text.rfind("\n", 0, m.start()) + 1) + 1
        found = m.group(0)
        why = (f"'{found}' is a footnote mark, which the site shows as written; cite the "
               "source with [@source-id], and list it under `sources:`" if found[1] == "^"
               else f"'{found}' names no source; write the source's id after the @")
        yield CITE_UNRESOLVED(entry.file, line, column, why, entry=entry.id)


def _unclosed(entry: Entry):
    """A citation group that its line does not close (`[@a;` then `@b]` on the next line)
    cites nothing: the page shows it as written."""
    yield from _not_citations(entry)
    text = prose_text(entry)
    if "[" not in text or "@" not in text:
        return
    for m in CITE_UNCLOSED_RE.finditer(text):
        line = entry.body_line + text.count("\n", 0, m.start())
        column = m.start() - (text.rfind("\n", 0, m.start()) + 1) + 1
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
            line, col = entry.pos(("sources", i, "id"))
            if sid in own:
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
        cited: set[str] = set()
        yield from _unclosed(entry)
        for line, col, sid in citations(entry):
            cited.add(sid)
            if sid not in own and sid not in bib and not unread:
                yield CITE_UNRESOLVED(entry.file, line, col,
                                      f"[@{sid}] cites no known source{why}", entry=entry.id)
        for path, sid in source_refs(entry.data):
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
        if entry.is_published:
            for line, col, number in uncited_claims(entry):
                yield CLAIM_UNCITED(entry.file, line, col,
                                    f"'{number}' is a quantitative claim with no citation "
                                    "in its sentence", entry=entry.id)
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
