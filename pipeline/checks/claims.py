"""Quantitative claims: a number in a published body cites its source in its sentence;
and what an HTML comment, such as the no-cite marker, does to the text after it.

A family of its own: its rules are warnings unless the settings raise them, and
a build, which refuses errors only, does not run it then (validate's
`errors_only`).
"""

from __future__ import annotations

import bisect
import functools
import re

from ..catalog.model import Entry
from ..catalog.text import CITE_GROUP_RE, NO_CITE_RE, prose_text, text_after_comments
from ..diagnostics import rule
from . import Context, check

CLAIM_UNCITED = rule(
    "claim-uncited",
    "warning",
    "A quantitative claim in a published body cites a source in its sentence.",
    """
    A sentence of a published body that states a number with a unit or a
    percentage (tok/s, GB, %, 10 percent, W, ms, bpw, 2x, ×2, 1.2 million...) or
    a price ($1,599, €1,500, $1.5 million, $5k, $2B, €3bn, 1 500 €, 1.599,99 €,
    1.299,- €, USD 1599, 1,200 EUR, C$1,299, AU$1,560, ₹79,999, Rs. 1,299, 1,299
    Rs., 12 990 kr, kr. 1.299, Fr. 900, Fr 900, 900 Fr., 999 dollars: a
    currency's symbol, code, abbreviation or name before the number or after it,
    its thousands apart by commas, full stops, spaces or apostrophes, CHF 1'299)
    carries a citation `[@id]` in the same sentence. A range (10-20%, 10%-20%,
    10x-20x, 1 200–1 500 €, 1 200 – 1 500 euros, $1,200-$1,500, 10 to 20%,
    between $1,200 and $1,500) is one claim; a year before a spaced dash starts
    none (2024 - 40% faster: '40%'). The message quotes the whole amount, or
    range; the full stop of `Rs.`, `kr.` or `Fr.` before a number ends no
    sentence, unless it is that of one after its price's number (12 990 kr. 5
    shops sell it...). The codes read are those of the stores' currencies (USD,
    EUR, GBP, JPY, CHF, CNY, AUD, CAD, NZD, INR, SEK, NOK, DKK, PLN, CZK, HUF,
    KRW, TWD, HKD, SGD, BRL, MXN, ZAR, and RMB); so are the full-width symbols
    (￥1,299) and 円, 元, 원 after the number. When a sentence needs none (a worked
    example, a definition), end it with the visible marker `<!-- no-cite: reason
    -->`: it stays in the Markdown for reviewers and never reaches readers.
    """,
    example="EXL2 runs 10-25% faster per stream than AWQ.     <- cite it: ... [@exl2-bench].\n"
    "A 7B model at 4 bpw needs about 3.5 GB. <!-- no-cite: worked example -->",
    hint="add [@source-id] to the sentence, or mark it <!-- no-cite: reason -->",
)

MARKDOWN_AFTER_COMMENT = rule(
    "markdown-after-comment",
    "warning",
    "A body line that starts with an HTML comment has no text after it.",
    """
    In CommonMark a line that starts with an HTML comment starts a block of
    raw HTML, which ends on the line where the comment ends: the words after
    the comment on that line are not Markdown, and the page shows them as
    typed, a link's brackets and parentheses, `*emphasis*` and all. Put the
    comment at the end of its sentence, as the no-cite marker goes (`... 3.5
    GB. <!-- no-cite: worked example -->`), or on a line of its own. A no-cite
    marker is removed before the page is made, so one that starts a line does
    no harm.
    """,
    example="<!-- editor: check --> See [AWQ](/glossary/awq).     <- shown as typed",
    hint="put the comment at the end of the sentence, or on a line of its own",
)

# The currencies an editor of this catalog writes a price in. Its prices are those of the
# stores its hardware is sold in, as the sources print them: US dollars mostly, then the
# other stores of the affiliate programs (Amazon's: Canada, Mexico, Brazil, the UK, the
# euro area, Sweden, Poland, India, Japan, Singapore, Australia...) and the currencies
# editors quote next to them (Swiss francs, Chinese yuan, the Nordic crowns, Korean won,
# Taiwan and Hong Kong dollars...). A code that is an English word in capitals (ALL, TOP,
# TRY, CUP) is left out: `TOP 10` is no price. `RMB`, the yuan's name as English sources
# print it (`RMB 1,299`), is read as a code.
_CODES = ("USD", "EUR", "GBP", "JPY", "CHF", "CNY", "AUD", "CAD", "NZD", "INR", "SEK", "NOK",
          "DKK", "PLN", "CZK", "HUF", "KRW", "TWD", "HKD", "SGD", "BRL", "MXN", "ZAR", "RMB")
_CODE = "(?:" + "|".join(_CODES) + ")"
# A currency symbol: `$`, `¢`, `£`, `¥` and the block of currency symbols (`€`, `₹`, `₩`...),
# and the full-width forms Japanese, Chinese and Korean sources print (`￥1,299`, `＄`, `￡`,
# `￦`: none was read).
_SYMBOL = "[$¢£¥\u20a0-\u20c0\uff04\uffe0\uffe1\uffe5\uffe6]"
# A thousands separator written as a space, as French and German editors write it (and their
# word processors: a no-break space, a thin space or a narrow no-break space).
_SPACE = "[ \u00a0\u2009\u202f]"
# A thousands separator written as an apostrophe, as the Swiss write it (`CHF 1'299`, and
# their word processors `1’299`): read as 'CHF 1' and '299 CHF' (found in review).
_APOSTROPHE = "['\u2019]"
# No cents, as German and Austrian shops print it: `1.299,- €`, `999,– €` (were no claims).
_NO_CENTS = r",[-–](?!\d)"
# A price's number after its first digit, when its thousands are separated by spaces, full
# stops or apostrophes (`1 500`, `1.500.000`, `1'299`; its decimals after a comma or a full
# stop: `1.599,99 €`, or none: `1.299,- €`), read 20 groups at most (see below).
_GROUPED = (r"\d{0,2}(?:(?:" + _SPACE + r"\d{3}){1,20}|(?:\.\d{3}){1,20}|(?:" + _APOSTROPHE
            + r"\d{3}){1,20})(?!\d)(?:[.,]\d+|" + _NO_CENTS + ")?")
# A price's number: grouped so, or digits and commas with decimals after a full stop; a comma
# after it is the sentence's (`$1,299, in Europe` was quoted as '$1,299,').
_AMOUNT = r"(?:\d" + _GROUPED + r"|\d[\d,]{0,60}(?<!,)(?:\.\d+)?)"
# What follows a price's number: a currency's symbol or code, or the Nordic `kr`, Polish `zł`,
# the yen's, yuan's and won's characters (`1,299円`, `1299元`, `1,290,000원`: none was read).
# A currency in words after the number (`999 dollars`, `1,299 euros`, `500 Euro`, `12 990
# kronor`: were no claims).
_CURRENCY_WORDS = r"(?i:dollars?|euros?|pounds?|yen|yuan|rupees?|francs?|kronor|kroner)\b"
# The rupee and the franc in letters after the number (`1,299 Rs.`, `900 Fr.`, `900 SFr.`:
# were no claims); a `Fr` before a time of day is a Friday (`8 Fr 9:00`, see _FR).
_AFTER = ("(?:" + _SYMBOL + "|" + _CODE + r"\b|kr\b|Rs\b|S?Fr\b(?!\s?\d{1,2}:)|zł(?!\w)|[円元원]|"
          + _CURRENCY_WORDS + ")")
# A `kr.`, `Rs.`, `Fr.` or `SFr.` written after a price's number, with a space or none
# (`12 990 kr.`, `900 Fr.`, `12kr.`; not after a model's, `S24 kr. 5.999`): its full stop
# may end a sentence (`It costs 12 990 kr. 5 shops sell it.`), so it starts no price.
# Tested at the full stop.
_STOP_AFTER_ITS_NUMBER = (
    "(?:" + "|".join(r"(?<=\d%s%s\.)" % (space, c) for space in (r"\s", "")
                     for c in ("(?:kr|Rs|Fr)", "SFr")) + ")"
    + "".join(r"(?<![^\W\d_]\d{%d}%s%s\.)" % (n, space, c) for n in range(1, 5)
              for space in (r"\s", "") for c in ("(?:kr|Rs|Fr)", "SFr")))
# `Fr` with no full stop before a time of day or a date is a Friday (`Fr 9:00`, `Fr 13
# October`, `Fr 13.10.`), not a franc (a date was quoted as a price: found in review).
_MONTH = r"(?:Jan|Feb|M[aä]r|Apr|Ma[iy]|Jun|Jul|Aug|Sep|O[ck]t|Nov|De[cz])"
_FR = (r"(?:\.(?!" + _STOP_AFTER_ITS_NUMBER + r")|(?!\s?\d{1,2}(?!\d)(?::|\.(?:0?[1-9]|1[0-2])\."
       r"|\.?\s" + _MONTH + ")))")
# What comes before a price's number: a symbol, a country's dollar (`C$`), a code, the Nordic
# `kr` or `kr.`, the rupee in letters (`Rs`, `Rs.`), the Swiss franc's `Fr.`, `Fr` or `SFr.`
# (the full stop of none after its price's number).
_STOP = r"(?:\.(?!" + _STOP_AFTER_ITS_NUMBER + "))?"
_BEFORE = (r"(?:" + _SYMBOL + r"|[A-Z]{1,3}\$|" + _CODE + r"|kr" + _STOP + "|Rs" + _STOP + "|Fr"
           + _FR + "|SFr" + _STOP + ")")
# A range written in words: `10 to 20%`, `$1,200 to $1,500`; `and` after a `between` before
# the range's first amount (`between $1,200 and $1,500`), as a group of QUANT_RE tells (each
# was quoted at its first amount, or its second: found in review). After white space.
def _words(between: str) -> str:
    return r"to\s|(?(" + between + r")and\s|(?!))"


# A year, and a spaced dash or words after it before a figure of three digits at most: no
# range, but an aside (`2024 - 40% faster` was quoted as '2024 - 40%', `in 2023 to 40%` as
# '2023 to 40%'). A year before a figure of four (`1900 - 2100 MHz`) is a range's start, its
# thousands apart or not (`1990 - 2.490 €`, `1990 - 2 490 €` were quoted as '2.490 €': found
# in review); a figure that starts with 0 is none (`2024 - 0.125 GB`).
# Tested after the dash or the words, once taken (before them, it took a tenth of the
# pattern's time: every number is followed by a test for a dash).
_YEAR = r"(?<![\d,.'\u2019])(?:19|20)\d\d"
_THOUSANDS_AFTER = "(?:" + _SPACE + "|[.,]|" + _APOSTROPHE + r")\d{3}"


def _no_year_before(dash: str) -> str:
    return (r"(?!(?<=" + _YEAR + dash + r")(?:0|\d{1,3}(?!\d|" + _THOUSANDS_AFTER + ")))")


# The dash between the two amounts of a range (`10-20%`, `1 200–1 500 €`, `$1,200–1,500`):
# a hyphen, or an en dash with no space around it (a spaced one is mostly an aside: `in
# 2024 – 40% faster`), or words...
def _dash(between: str) -> str:
    return (r"(?:-(?!\s)|–|-\s" + _no_year_before(r"-\s") + r"|\s(?:-\s"
            + _no_year_before(r"\s-\s") + "|-" + _no_year_before(r"\s-") + r"|to\s"
            + _no_year_before(r"\sto\s") + "|(?(" + between + r")and\s"
            + _no_year_before(r"\sand\s") + "|(?!))))")


# ... or either dash, spaced or not, between two prices each written with its currency.
def _dash_prices(between: str) -> str:
    return r"(?:[-–]\s?|\s(?:[-–]\s?|" + _words(between) + "))"


# A spaced en dash before a price with its currency after it (`1 200 – 1 500 euros`: was
# quoted as '1 500 euros'), when no year is before it.
_SPACED_EN_DASH = r"\s–\s" + _no_year_before(r"\s–\s")
# Those of a number's range, whose `between` is QUANT_RE's group of that name.
_DASH = _dash("between")
_DASH_PRICES = _dash_prices("between")
# A price with its currency after its number, and the range to a second such price
# (`1 200 € – 1 500 €`).
_PRICE_AFTER = _AFTER + "(?:" + _DASH_PRICES + _AMOUNT + r"\s?" + _AFTER + ")?"
# Millions, billions... of a price written with its currency before it (`$1.5 million`,
# `$5k`, `$2B`, `€3bn`, `$1.5M`: were quoted as '$1.5', '$5', '$2', '€3', '$1.5').
_MAGNITUDE = r"(?:(?:\s?(?i:million|billion|trillion|bn)|[kKmMBT]|mn|tn)\b)?"
# The second amount of a range of prices written with their currency before them
# (`$1,200 – $1,500`, `$1,200–1,500`); its `between` is QUANT_RE's group `between_p`.
_TO = ("(?:" + _dash_prices("between_p") + _BEFORE + r"\s?" + _AMOUNT + _MAGNITUDE + "|"
       + _dash("between_p") + _AMOUNT + _MAGNITUDE + ")?")
# A number's digits and commas are read 60 at a time at most, its groups 20 at a time:
# `1,1,1,...` (a start after each comma) read to the end of the run from each start,
# quadratic (8,000 of them: 6.4 s); a longer number is still found, from a later start.
_NUMBER = r"[\d,]{0,60}(?:\.\d+)?"  # a number's digits and commas after its first digit
# A number of millions, billions or trillions (`1.2 million users`: was no claim; `1.5
# million euros`, a price) is a claim.
# A range of percentages or factors, each written with its sign (`10%-20%`, `10x-20x`; the
# latter was quoted as '20x', the former as '10%'), is one claim.
_UNIT = (r"(?:%(?:" + _DASH + r"\d" + _NUMBER + r"\s?%)?|[x×](?:" + _DASH + r"\d" + _NUMBER
         + r"[x×])?(?![\w-])|tok/s|tokens?/s|t/s|tokens per second|[KMGT]i?B(?:/s)?(?![\w])"
         r"|W(?![\w])|watts?\b|ms\b|bpw\b|GHz\b|MHz\b|TFLOPS\b|TOPS\b|" + _PRICE_AFTER +
         r"|(?i:percent|per cent|percentage points?)\b|(?i:million|billion|trillion)\b(?:\s"
         + _AFTER + ")?)")
# A number with a unit, a percentage or a price, not inside a word or a version number.
# A price is in any of the usual forms: a currency's symbol or code before the number or
# after it (`$1,599`, `€1,500`, `USD 1599`, `1.599 €`, `1,200 EUR`: only `$` before it was
# found, in review), a dollar named by its country (`C$1,299`, `CA$`, `AU$`, `US$`: the
# capitals before `$`), `kr 1 299`; its thousands separated by commas, full stops or spaces
# (`1 500 €` was read as '500 €', and `1.500.000 €` not at all: found in review); a currency
# in letters before it (`Rs. 1,299`, `kr. 1.299`, `Fr. 900`, `SFr 900`: none was read; `Fr
# 900`, with no full stop, was left out, where `SFr 900` was not: found in review); a range
# of them, one claim
# (`1 200–1 500 €` was quoted as '1 500 €', `$1,200-$1,500` as '$1,200'), its dash a word
# (`$1,200 to $1,500`; `between $1,200 and $1,500`: the optional group `between`, tested by a
# look-behind after a number's first digit, or `between_p` after the first character of a
# price's currency, lets the range take the `and`; tested at every candidate, before its
# branch, it cost 6 %. `between_p` was tested after the whole currency, one to four
# characters back, and then took `between a $1,200 and $1,500` for a range: found in review).
# The pattern starts with one character class (the look-behinds come after it): the regex
# engine then skips to the next character that may start a claim with a quick test of each
# character, instead of trying every branch at every position. That class is a superset of
# what starts one (ASCII digits, `$`, capitals, `k`, and every character past ASCII), all
# ranges, which the engine tests with a bitmap: with `\d` in it (a digit of any script,
# `٣`), the engine asked the Unicode database about every letter of the text, and finding
# the claims of a body of the corpus took 54 µs (39 now).
# Which branch applies depends on that first character, and each branch's look-behind
# keeps exactly what starts it: a digit of any script (a price with its symbol or code
# after it, or a number with its unit), a capital (a country's dollar or a currency's
# code, tested by the look-behind after its three letters; `Rs`, `Fr.`, `SFr`, each
# tested by the look-behind after what follows its capital: most capitals start a sentence,
# and fail at once), a currency symbol, a `k`, a `×`.
# A factor written before its number and a comparison (`×2 faster`: was no claim); `2×`,
# after it, is a unit. Not a `×` and a number alone: `PCIe 4.0 ×16` is a slot's lanes.
_TIMES = (r"\d{1,60}(?:\.\d+)?(?=\s(?:faster|slower|quicker|cheaper|dearer|more|less|fewer"
          r"|higher|lower|better|worse|larger|smaller|bigger|longer|shorter|as|the)\b)")
# (15 KB of pattern: compiled when first asked for, see `__getattr__`)
_QUANT = (
    r"[0-9$A-Zk\x80-\xff\u0660-\u33ff\ua000-\uabff\ud7a4-\U0010ffff](?<![\w.].)"
    r"(?:(?<=\d)(?:(?<=n\s\d)(?<=[Bb]etween\s\d)(?P<between>))?(?:" + _GROUPED
    + "(?:" + _DASH + r"\d(?:" + _GROUPED + "|" + _NUMBER + ")|" + _SPACED_EN_DASH + _AMOUNT
    + r")?\s?" + _PRICE_AFTER
    + "|" + _NUMBER + "(?:" + _DASH + r"\d(?:" + _GROUPED + r"\s?" + _PRICE_AFTER + "|" + _NUMBER
    + r"\s?" + _UNIT + ")|" + _SPACED_EN_DASH + _AMOUNT + r"\s?" + _PRICE_AFTER + r"|\s?" + _UNIT
    + "|(?<=,)" + _NO_CENTS[1:] + r"\s?" + _PRICE_AFTER + "))"
    r"|(?:(?<=[Bb]etween\s.)(?P<between_p>))?(?:(?<=[A-Z])(?:[A-Z]{0,2}\$|[A-Z]{2}(?<=" + "|".join(_CODES) + r")|s(?<=Rs)" + _STOP
    + "|r(?<=Fr)" + _FR + "|Fr(?<=SFr)" + _STOP + r")|(?<=" + _SYMBOL + r")|(?<=k)r" + _STOP + ")"
    r"\s?" + _AMOUNT + _MAGNITUDE + _TO + "|(?<=×)" + _TIMES + ")"
)


@functools.cache
def _quant_re() -> re.Pattern:
    return re.compile(_QUANT)


def __getattr__(name: str):
    """`QUANT_RE`, compiled on first use: 25 ms, which every process that imports the
    checks paid (a build, which runs no claim check, and a warm validate)."""
    if name == "QUANT_RE":
        return _quant_re()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


_ORDERED_ITEM = re.compile(r"\d+[.)] ")
# Where a sentence ends: its full stop (kept in the sentence), then an optional closing
# quote or bracket and white space, before more text. Starting with the full stop (not a
# look-behind) lets the engine skip to the next one.
# An abbreviation's full stop ("i.e.", "e.g.", "vs.", "cf.", "approx.") ends no sentence:
# a claim cited after one was taken for uncited (found in review).
# The look-behinds come after the full stop, so the pattern still starts with it.
# Nor does the full stop of a currency's abbreviation before its price's number (`Rs. 1,299`,
# `kr. 1.299`, `Fr. 900`): the price is one claim, in one sentence. That of a `kr.` (or
# `Rs.`, `Fr.`, `SFr.`) after its price's number does, before a digit as before a capital:
# `It costs 12 990 kr. 5 shops sell it at 11 000 kr. [@s]` was one sentence, its first
# claim taken for cited (found in review); QUANT_RE reads no `kr.` so written as a price's
# start.
_SENTENCE_END = re.compile(r"[.!?](?<!(?i:\b(?:i\.e|e\.g)\.))(?<!(?i:\b(?:vs|cf)\.))"
                           r"(?<!(?i:\bapprox\.))(?!(?<=Rs\.|kr\.|Fr\.)(?!"
                           + _STOP_AFTER_ITS_NUMBER + r")\s\d)"
                           r"[\"')\]]?\s+(?=\S)")


def _sentences(entry: Entry, having: re.Pattern, cited: re.Pattern | None = None):
    """(line, text, first match of `having`, line of the match, its column) of each
    sentence of each prose paragraph (headings left out) where `having` is found; `line`
    is where the sentence starts.

    A paragraph is a run of prose lines; a blank line, a line of code (as blank in
    prose_text: a fenced block interrupts a paragraph, as on the page), a heading or a table
    row ends one, and a list item (`- `, `* `, `+ `, `1. `, `1) `) starts a new one.
    A table row other than a header or a delimiter row is a claim of its own.

    Each paragraph is searched once: a match never spans two sentences (they start after white
    space and end before it), so the first match inside a sentence's stretch of
    its paragraph is the first match in the sentence. For QUANT_RE that holds
    because the only `.` it takes is a decimal point or that of a currency's
    `Rs.`, `kr.` or `Fr.` before a number (no sentence end) and it ends on no white
    space (tests/test_quant_pattern.py checks it); a pattern for which it does
    not hold must not be given here.

    With `cited` (_CITED_AFTER), a paragraph where each match is followed by a citation
    in its sentence, as `cited` tells from where the match ends, is left out: none of
    its sentences is uncited."""
    text = prose_text(entry)  # made by the first pass, and kept
    lines = entry.body_lines if text is entry.body else text.split("\n")
    first_line = entry.body_line
    texts: list[str] = []  # the paragraph's lines, stripped
    start = 0  # the index of its first line (its lines follow each other)
    for i, line in enumerate(lines):
        stripped = line.strip()
        first = stripped[:1]
        if not first or first == "#":
            if texts:
                yield from _claims_in(lines, start, texts, first_line, having, cited)
                texts = []
            continue
        if first == "|":
            if texts:
                yield from _claims_in(lines, start, texts, first_line, having, cited)
                texts = []
            following = lines[i + 1].strip() if i + 1 < len(lines) else ""
            is_header = following.startswith("|") and set(following) <= set("|-: ")
            if not is_header and not set(stripped) <= set("|-: "):
                found = having.search(stripped)
                if found:  # a table row is its own claim
                    lead = len(line) - len(line.lstrip())
                    line_no = first_line + i
                    yield line_no, stripped, found, line_no, lead + found.start() + 1
            continue
        if not texts:
            start = i
        elif ((first in "-*+" and stripped[1:2] == " ")
              or (first.isdecimal() and _ORDERED_ITEM.match(stripped))):
            # an item starts a paragraph
            yield from _claims_in(lines, start, texts, first_line, having, cited)
            texts = []
            start = i
        texts.append(stripped)
    if texts:
        yield from _claims_in(lines, start, texts, first_line, having, cited)


def _claims_in(lines: list[str], start: int, texts: list[str], first_line: int,
               having: re.Pattern, cited: re.Pattern | None = None):
    """_sentences for one paragraph: its lines stripped (`texts`), lines[start:] of the
    body's, whose first is on line `first_line` of the file. Their numbers, and what
    was stripped from their starts, are worked out for a sentence given only (made for
    each line, they were a fifth of the loop over lines)."""
    text = " ".join(texts) + " "
    if cited is not None:
        # Most claims of a catalog are cited after them, before their sentence ends: a
        # paragraph whose claims all are is told by a search from each claim to the
        # citation after it, and from there to the next claim (the claims before that
        # citation are in its sentence too), without a sentence found (a match object
        # for each sentence end and claim, a call for each sentence: half the check).
        # No match takes a `]` or a `>`: none runs over the end of the citation, and the
        # first found after it is finditer's next one there (test_quant_pattern.py).
        m = having.search(text)
        while m is not None:
            after = cited.match(text, m.end())
            if after is None:
                break
            m = having.search(text, after.end())
        else:
            return
    found = list(having.finditer(text))
    if not found:
        return
    offsets = [0]  # where each line starts in `text`
    for t in texts[:-1]:
        offsets.append(offsets[-1] + len(t) + 1)
    start_line = start
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
            line = lines[start_line + n]
            yield (first_line + start_line + bisect.bisect_right(offsets, start) - 1, s,
                   found[k], first_line + start_line + n,
                   len(line) - len(line.lstrip()) + at - offsets[n] + 1)


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


# A citation group or a no-cite marker after a claim, in its sentence: from where the
# claim ends, text with no end of a sentence in it (a `.`, `!` or `?` before white space,
# or before a closing quote or bracket and white space: every place _SENTENCE_END may end
# one, and more) and no `>`, then a group with no `.`, `!`, `?` or `>` in it or a marker
# with none before its `-->`. A claim so followed is cited: the group or the marker is in
# the claim's sentence, whole, so CITE_GROUP_RE or NO_CITE_RE finds it there. Without
# the `>`: a claim inside an HTML comment written after a full stop goes, with the
# comment, to the sentence before, and a group after the comment does not. A citation
# before the claim tells nothing (one written after a full stop belongs to the sentence
# before); the paragraph's sentences are found then, as for any claim not so followed.
_CITED_AFTER = re.compile(r"(?:[^.!?>]|[.!?](?![\"')\]]?\s))*?"
                          r"(?:\[[^\[\]@.!?>]*@[^\[\].!?>]*\]|<!--\s*no-cite\b[^>.!?]*-->)")


def uncited_claims(entry: Entry):
    """(line, column, the number) of each uncited quantitative claim."""
    for _, sentence, m, line, col in _sentences(entry, _quant_re(), _CITED_AFTER):
        if CITE_GROUP_RE.search(sentence) or NO_CITE_RE.search(sentence):
            continue
        yield line, col, m.group(0)


@check
def check_claims(ctx: Context):
    for entry in ctx.targets():
        if "<!--" in entry.body:
            for line, col, text in text_after_comments(entry):
                shown = text if len(text) <= 40 else text[:39] + "…"
                yield MARKDOWN_AFTER_COMMENT(
                    entry.file, line, col,
                    f"the text after the comment on this line ('{shown}') is not Markdown: "
                    "a line that starts with an HTML comment is raw HTML, shown as typed",
                    entry=entry.id)
        if entry.is_published:
            for line, col, number in uncited_claims(entry):
                yield CLAIM_UNCITED(entry.file, line, col,
                                    f"'{number}' is a quantitative claim with no citation "
                                    "in its sentence", entry=entry.id)
