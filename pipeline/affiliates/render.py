"""The affiliate report as text: table (people), JSON, CSV, Markdown (the site's figures).

Pure functions from the report dict to a string; the same report gives the
same bytes.
"""

from __future__ import annotations

import csv
import io
import json
import re

from ..textchars import INVISIBLE
from .audit import RATINGS

CSV_COLUMNS = ("entry", "file", "line", "column", "where", "field", "url", "program",
               "tracking_id", "ours", "shortener")
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#&])")
# A spreadsheet runs a cell that begins with one of these as a formula: a tracking id is
# the URL's own text, decoded (`?tag=%3DHYPERLINK(...)` gives `=HYPERLINK(...)`), so any
# editor, or a pasted link, could put one in the CSV (found in review).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


_UNSHOWABLE = re.compile(f"[\\t\\n\\r\\x85\\u2028\\u2029]|{INVISIBLE.pattern}")


def shown(text: str) -> str:
    """Text from a link (a tracking id is its query text, decoded) as one line a terminal
    shows as it is: a line break or a control character as its escape (`\\n`, `\\x1b`).
    `?tag=a%0Ab%1B%5B2J` broke the table's line in two and cleared the screen."""
    return _UNSHOWABLE.sub(lambda m: repr(m.group())[1:-1], text)


def _columns(rows: list[list[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]


def _yes(value: bool) -> str:
    return "yes" if value else "no"


def render_json(report: dict) -> str:
    return json.dumps(report, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _csv_cell(value) -> str | int:
    """A cell's text, with a leading `'` where a spreadsheet would read a formula (the
    advice of OWASP's "CSV Injection"): the spreadsheet shows the text, it runs nothing."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _yes(value)
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def render_csv(report: dict) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in report["links"]:
        writer.writerow([_csv_cell(row[k]) for k in CSV_COLUMNS])
    return out.getvalue()


def _split_rows(ind: dict) -> list[list[str]]:
    rows = [["", "entries", *RATINGS]]
    for key, label in (("with_affiliate_links", "with affiliate links"),
                       ("without_affiliate_links", "without affiliate links")):
        side = ind[key]
        rows.append([label, str(side["entries"]), *(str(side["ratings"][r]) for r in RATINGS)])
    return rows


def _period(ind: dict) -> str:
    p = ind["period"]
    return f"from {p['since']} until {p['until']}" if p["until"] else f"since {p['since']}"


def render_table(report: dict) -> str:
    t = report["totals"]
    paid = [r for r in report["links"] if r["program"] or r["shortener"]]
    digests = (f" and {_n(t['digests_with_affiliate_links'], 'digest')}"
               if t.get("digests") else "")
    lines = [f"{_n(t['affiliate_links'], 'affiliate link')} in "
             f"{_n(t['entries_with_affiliate_links'], 'entry', 'entries')}{digests}; "
             f"{_n(t['links'], 'link')} in all ({_n(t['entries'], 'entry', 'entries')}"
             f"{', ' + _n(t['digests'], 'digest') if t.get('digests') else ''}).", ""]
    if paid:
        rows = [["file:line", "program", "tracking id", "ours", "shortener", "url"]]
        rows += [[shown(f"{r['file']}:{r['line']}"), r["program"] or "-",
                  shown(r["tracking_id"] or "-"), _yes(r["ours"]), _yes(r["shortener"]),
                  shown(r["url"])] for r in paid]
        lines += _columns(rows) + [""]
    used = {k: v for k, v in report["programs"].items() if v["links"]}
    if used:
        rows = [["program", "links", "ours", "foreign", "shorteners", "entries", "digests"]]
        rows += [[v["name"], *(str(v.get(k, 0)) for k in ("links", "ours", "foreign",
                                                           "shorteners", "entries", "digests"))]
                 for v in used.values()]
        lines += _columns(rows) + [""]
    ind = report["independence"]
    lines += [f"Independence ({ind['counted']}):"] + _columns(_split_rows(ind))
    if ind["period"]["since"]:
        changes = ind["verdict_changes"]
        lines += ["", f"New or changed verdicts on pages with affiliate links, {_period(ind)}: "
                  f"{len(changes) or 'none'}"]
        for c in changes:
            reviewers = ", ".join(c["independent_reviewers"]) or "NO independent reviewer"
            lines.append(f"  {c['file']}: {c['old_rating'] or '(new)'} -> {c['new_rating']} "
                         f"({c['date']}; reviewed by {reviewers})")
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", str(text))


def _share(n: int, total: int) -> str:
    return f"{n} ({round(100 * n / total)}%)" if total else "0"


# Below this many pages on either side, the page says the shares mean little.
SMALL_SAMPLE = 20


def _n(count: int, one: str, many: str | None = None) -> str:
    """`1 entry`, `2 entries`."""
    return f"{count} {one if count == 1 else many or one + 's'}"


def render_markdown(report: dict) -> str:
    """The figures of the "How we make money" page, as Markdown the site can include."""
    ind = report["independence"]
    with_, without = ind["with_affiliate_links"], ind["without_affiliate_links"]
    total = with_["entries"] + without["entries"]
    carry = "carries" if with_["entries"] == 1 else "carry"
    lines = [f"Of the {_n(total, 'published page')} with a verdict, {with_['entries']} {carry} "
             "affiliate links. This is how their verdicts compare with the pages that carry "
             "none:", "",
             "| | Pages | " + " | ".join(r.capitalize() for r in RATINGS) + " |",
             "|---|---:|" + "---:|" * len(RATINGS)]
    for side, label in ((with_, "With affiliate links"), (without, "Without affiliate links")):
        lines.append(f"| {label} | {side['entries']} | "
                     + " | ".join(_share(side["ratings"][r], side["entries"]) for r in RATINGS)
                     + " |")
    fewest = min(with_["entries"], without["entries"])
    if fewest < SMALL_SAMPLE:
        lines += ["", f"With {_n(fewest, 'page')} on one side, these shares say little: one "
                  "verdict more or less moves them by "
                  f"{'all of it' if fewest <= 1 else f'{100 / fewest:.0f} points'}."]
    if ind["period"]["since"]:
        changes = ind["verdict_changes"]
        lines += ["", f"New or changed verdicts on pages with affiliate links, {_period(ind)}: "
                  f"{len(changes) or 'none'}."]
        if changes:
            lines.append("")
        for c in changes:
            what = (f"{_md(c['old_rating'])} → {_md(c['new_rating'])}" if c["kind"] == "changed"
                    else f"new verdict: {_md(c['new_rating'])}")
            reviewers = ", ".join(c["independent_reviewers"]) or "no independent reviewer"
            lines.append(f"- [{_md(c['title'])}](/{c['entry']}): {what} ({_md(c['date'])}), "
                         f"reviewed by {_md(reviewers)}")
    return "\n".join(lines) + "\n"


RENDERERS = {"table": render_table, "json": render_json, "csv": render_csv,
             "markdown": render_markdown}
