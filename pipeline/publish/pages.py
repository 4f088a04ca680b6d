"""The preview site: HTML pages from Jinja2 templates (autoescape on) and static assets.

Every page is a pure function of its data: an entry page of the entry's
document (the same dict as its JSON), an index of its collection's list,
the home page of the collection lists. Templates and assets ship in
`pipeline/templates/site/`.
"""

from __future__ import annotations

import math
import os
import re
import shutil
from collections import ChainMap
from functools import cached_property, partial
from numbers import Number
from pathlib import Path
from types import FunctionType

import jinja2
import jinja2.compiler
import markupsafe
from markupsafe import Markup, escape

from ..config import Settings
from .links import COLLECTION_NAMES, SINGULAR
from .markdown import paid_link
from .serialize import digest, tool_fingerprint

TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "site"
ASSETS = ("style.css", "search.js")  # copied as they are, under /assets/
RATINGS = {"recommended": "Recommended", "situational": "Situational", "avoid": "Avoid"}
# What each collection's index holds, for its meta description (the count and the site's
# name follow).
ABOUT = {
    "glossary": "The terms of local AI, explained with sources",
    "models": "Open models you can run on your own hardware",
    "hardware": "Hardware for running AI locally: specs, prices and verdicts",
    "tools": "Tools for running AI locally: what they do, how to install them, verdicts",
    "benchmarks": "Benchmarks of local AI with the hardware, model and command to reproduce them",
    "errors": "Errors you meet running AI locally, what causes them and how to fix them",
    "guides": "Buyer guides for local AI: picks with the reasons for them",
    "pages": "About the catalog: how it is written, reviewed and funded",
    "authors": "The people who write and review the catalog",
}


_DICT_ATTRIBUTES = frozenset(dir(dict))
# markupsafe's C escaping without the Markup object around it (a Markup costs eight times
# the escaping); the plain `escape` where a markupsafe lacks it.
_escape_text = getattr(markupsafe, "_escape_inner", None)


# A helper's HTML (a str) as a Markup: the same object Markup(html) makes, without
# Markup's own constructor, which asks the text for `__html__` in Python first (three times
# the time; a page makes a dozen).
_markup = partial(str.__new__, Markup)


def _output_escape(value) -> str:
    """`{{ value }}` in a page: escaped text. A page's output is joined into one string,
    so a plain `str` serves where Jinja makes a Markup; what is Markup already (a
    helper's HTML, `|safe`) is kept as it is, exactly as `escape` does (which makes a
    new Markup of it: a page's helpers return a dozen)."""
    if type(value) is str:
        return _escape_text(value)
    return value if type(value) is Markup else escape(value)


def _text(value) -> str:
    """Escaped text of a value, for HTML built in an f-string (see _output_escape). An
    int (a source's number) is its digits, as `escape` has them, without a Markup."""
    if type(value) is str and _escape_text is not None:
        return _escape_text(value)
    if type(value) is int:
        return str(value)
    return str(escape(value))


class _CodeGenerator(jinja2.compiler.CodeGenerator):
    """Jinja's code generator, with `{{ }}` in autoescaped templates escaped by
    `_output_escape`: the same text, a sixth less time per page."""

    def _output_child_pre(self, node, frame, finalize) -> None:
        if _escape_text is None or frame.eval_ctx.volatile or not frame.eval_ctx.autoescape:
            super()._output_child_pre(node, frame, finalize)
            return
        self.write("environment.output_escape(")
        if finalize.src is not None:
            self.write(finalize.src)


class _Context(jinja2.runtime.Context):
    """Jinja's context, calling a plain function (every helper of the pages: `facts`,
    `source_items`, ...) without first asking it, and its `__call__`, whether it wants
    the context, the eval context or the environment (two `hasattr`s each, which cost
    a page more than some of the helpers)."""

    def call(__self, __obj, *args, **kwargs):  # noqa: N805 - as Jinja names them
        if type(__obj) is not FunctionType or "jinja_pass_arg" in __obj.__dict__:
            return super().call(__obj, *args, **kwargs)
        kwargs.pop("_block_vars", None)
        kwargs.pop("_loop_vars", None)
        try:
            return __obj(*args, **kwargs)
        except StopIteration:
            return __self.environment.undefined("value was undefined because a callable "
                                                "raised a StopIteration exception")


class _Template(jinja2.Template):
    """Jinja's template, whose context for a page is made from a plain dict of the
    globals: Jinja copies its ChainMap of them key by key in Python, twice (a tenth of
    an entry page's time)."""

    def new_context(self, vars=None, shared=False, locals=None):
        if shared or locals or not isinstance(self.globals, ChainMap):
            return super().new_context(vars, shared, locals)
        maps = self.globals.maps
        flat = {}
        for mapping in reversed(maps):  # as a ChainMap reads: the first map wins
            flat.update(mapping)
        return self.environment.context_class(self.environment, {**flat, **(vars or {})},
                                              self.name, self.blocks, globals=flat)


class _Environment(jinja2.Environment):
    """Jinja2 with `a.b` looking into dicts first: every page is made of dicts, and the
    default (attribute first, then item) costs more than the rest of a page. A key a
    dict does not have is undefined, as by default, without trying twice (`fm.kind`
    on a page without one), and without making a new Undefined each time."""

    code_generator_class = _CodeGenerator
    context_class = _Context
    template_class = _Template
    output_escape = staticmethod(_output_escape)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._missing: dict[str, jinja2.Undefined] = {}

    def getattr(self, obj, attribute):
        if type(obj) is dict:
            try:
                return obj[attribute]
            except KeyError:
                if attribute not in _DICT_ATTRIBUTES:
                    missing = self._missing.get(attribute)
                    if missing is None:  # says "'dict object' has no attribute ...", as ever
                        missing = self._missing[attribute] = self.undefined(obj={},
                                                                            name=attribute)
                    return missing
        return super().getattr(obj, attribute)


# Small pieces that every entry page shows many times: functions here, not macros, since a
# macro call costs Jinja more than the rest of a line. Values are escaped as `{{ }}` does.

def out_link(url, text, affiliate: dict, where: str) -> Markup:
    """A link that may be paid: paid links get the programs' rel and a visible label,
    which the link names as its description (markdown.paid_link); `where` makes the
    label's id (`paid-label_<where>`) unique on the page. A URL that is not http(s) (a
    `javascript:` one the schema would refuse, should it get here) is no link: its text
    alone."""
    return _markup(_link_html(url, text, affiliate, where))


def _link_html(url, text, affiliate: dict, where: str) -> str:
    """out_link's HTML as text, for the helpers that put it into more HTML."""
    if type(url) is not str or not url.startswith(_WEB):  # most are as written
        if not (isinstance(url, str) and url.lower().startswith(_WEB)):
            return _text(text)
    links = affiliate["links"]  # most pages have none
    if links and any(link.get("url") == url for link in links):
        return paid_link(f'<a href="{_text(url)}" rel="{_text(affiliate["rel"])}"',
                         _text(text), _text(affiliate["label"]), f"paid-label_{where}")
    return f'<a href="{_text(url)}">{_text(text)}</a>'


_WEB = ("https://", "http://")


def number(value) -> Markup:
    """1008 -> 1,008; text and small numbers as they are."""
    if isinstance(value, Number) and not isinstance(value, bool) and value >= 1000:
        return escape(f"{value:,}")
    return escape(value)


def _number_text(value) -> str:
    """number's text, without a Markup (an int or a float, most values, formatted here)."""
    kind = type(value)
    if kind is int or kind is float:
        return f"{value:,}" if value >= 1000 else str(value)
    return str(number(value))


def money(value) -> Markup:
    """An amount as prices are written: 1499.5 -> 1,499.50, 499.0 -> 499, 1499 -> 1,499."""
    if isinstance(value, float) and math.isfinite(value):
        return escape(f"{value:,.0f}" if value.is_integer() else f"{value:,.2f}")
    return number(value)


def source_items(doc: dict) -> Markup:
    """The items of the page's source list (a function: as a loop of the template, a
    quarter of the time of a page). A key a source lacks shows as nothing, as `{{ }}`
    shows an undefined value."""
    affiliate, out = doc["affiliate"], []
    paid = affiliate["links"]  # most pages have none
    for s in doc["sources"]:
        get = s.get
        number, accessed = _field(s, "number"), _field(s, "accessed")
        url, title = get("url"), get("title", "")
        if not paid and type(url) is str and url.startswith(_WEB):  # _link_html's, made here
            link = f'<a href="{_text(url)}">{_text(title)}</a>'
        else:
            link = _link_html(url, title, affiliate, f"source-{number}")
        publisher, archive, quote = get("publisher"), get("archive_url"), get("quote")
        out.append(f'      <li id="source-{number}" value="{number}">\n        {link}'
                   f'{f", {_text(publisher)}" if publisher else ""}'
                   f'. Accessed <time datetime="{accessed}">{accessed}</time>.'
                   f'{_archive(archive, affiliate, number) if archive else ""}'
                   f'{f"        <blockquote>{_text(quote)}</blockquote>{NL}" if quote else ""}'
                   "      </li>")
    return _markup("\n".join(out))


def _archive(url, affiliate: dict, number: str) -> str:
    """A source's link to its archived copy, after its accessed date (see source_items)."""
    return f' {_link_html(url, "Archived copy", affiliate, f"archive-{number}")}.'


NL = "\n"  # (a backslash in an f-string's expression is Python 3.12's)


def _field(d: dict, key: str) -> str:
    """`d[key]` as `_text` escapes it; "" when `d` lacks the key (`{{ }}` of undefined)."""
    value = d.get(key, _ABSENT)
    if type(value) is str and _escape_text is not None:  # most are: _text not called
        return _escape_text(value)
    return "" if value is _ABSENT else _text(value)


_ABSENT = object()


def cite(doc: dict, source_id) -> Markup:
    """The numbered citation of a source of the entry (nothing when it has none)."""
    return _markup("".join(f'<sup class="cite">[<a href="#source-{_text(s["number"])}">'
                           f'{_text(s["number"])}</a>]</sup>'
                           for s in doc["sources"] if s.get("id") == source_id))


def _citations(doc: dict) -> dict[str, str] | None:
    """What `cite` gives for each source id of the entry, as text, for a page whose
    tables cite them row by row (each `cite` goes through all the sources); None when a
    source has an id that is no text, or no number (then `cite` serves)."""
    out: dict[str, str] = {}
    for s in doc["sources"]:
        key, number = s.get("id"), s.get("number", _ABSENT)
        if type(key) is not str or number is _ABSENT:
            return None
        out[key] = (f'{out.get(key, "")}<sup class="cite">[<a href="#source-{_text(number)}">'
                    f'{_text(number)}</a>]</sup>')
    return out


def _cite_text(doc: dict, source_id, citations: dict[str, str] | None) -> str:
    """cite's text, from `citations` (see _citations) when it can."""
    if citations is not None and type(source_id) is str:
        return citations.get(source_id, "")
    return cite(doc, source_id)


def entry_link(doc: dict, entry_id) -> Markup:
    """A link to an entry the page refers to, or its id while it is not published."""
    return _markup(_entry_link_text(doc, entry_id))


def _entry_link_text(doc: dict, entry_id) -> str:
    """entry_link's HTML as text, for the helpers that put it into more HTML."""
    found = doc["linked"].get(entry_id)
    if found:
        return f'<a href="{_text(found["url"])}">{_text(found["title"])}</a>'
    return _text(entry_id)


def people(cards: list[dict]) -> Markup:
    """Authors or reviewers, linked to their pages when published."""
    return _markup(_people_text(cards))


def _people_text(cards: list[dict]) -> str:
    """people's HTML as text, for the helpers that put it into more HTML."""
    return ", ".join([f'<a href="{_text(p["url"])}">{_text(p["title"])}</a>'
                      if p.get("url") else _text(p["title"]) for p in cards])


# An entry page's sections whose every line shows a value of the entry: functions, as the
# lists are (as the template's lines, their lookups, escapes and loops were 9 us of the 24
# that Jinja's own part of a page took). Each is what those lines made, `{{ }}` escaping
# included: a key a value lacks shows as nothing, as `{{ }}` shows an undefined value.

def entry_header(doc: dict) -> Markup:
    """The page's header: the entry's kind, title and summary, its authors and
    reviewers, and when it was published and updated."""
    summary, updated = doc.get("summary"), doc.get("updated")
    out = [f'  <header class="entry-header">\n    <p class="kind">'
           f'{_lookup(SINGULAR, doc.get("collection"))}</p>\n'
           f'    <h1>{_field(doc, "title")}</h1>\n']
    if summary:
        out.append(f'    <p class="summary">{_text(summary)}</p>\n')
    out.append(f'    <p class="meta">\n      By {_people_text(doc.get("authors", ()))}')
    if doc.get("reviewed_by"):
        out.append(f', reviewed by {_people_text(doc["reviewed_by"])}')
    published = _field(doc, "published")
    out.append(f'.\n      Published <time datetime="{published}">{published}</time>')
    if updated and updated != doc.get("published", _UNDEFINED):
        updated = _text(updated)
        out.append(f', updated <time datetime="{updated}">{updated}</time>')
    out.append(".\n    </p>\n  </header>\n")
    return _markup("".join(out))


def verdict(given: dict | None) -> Markup:
    """The verdict's section (nothing when the entry has none): its rating, its text, and
    who gave it when (`by`: an author's card)."""
    if not given:
        return _NOTHING
    rating, by = _field(given, "rating"), given["by"]
    name = _lookup(RATINGS, given.get("rating"))
    who = (f'<a href="{_text(by["url"])}">{_field(by, "title")}</a>' if by.get("url")
           else _field(by, "title"))
    date = _field(given, "date")
    return _markup(
        f'  <section class="verdict verdict-{rating}" aria-labelledby="verdict-heading">\n'
        f'    <h2 id="verdict-heading" aria-label="Verdict: {name}">Verdict: '
        f'<span class="rating rating-{rating}">{name}</span></h2>\n'
        f'    <p>{_field(given, "text")}</p>\n'
        f'    <p class="verdict-by">{who}, <time datetime="{date}">{date}</time></p>\n'
        "  </section>\n")


def disclosure(affiliate: dict) -> Markup:
    """The affiliate disclosure of a page with paid links (an entry's, a digest's): the
    site's text and the statements of the programs its links are in."""
    statements = "".join([f"    <p>{_text(s)}</p>\n" for s in affiliate.get("statements") or ()])
    return _markup('  <aside class="disclosure" role="note" aria-label="Affiliate disclosure">\n'
                   f'    <p><strong>Paid links.</strong> {_field(affiliate, "disclosure")}</p>\n'
                   f"{statements}  </aside>")


def offers(doc: dict) -> Markup:
    """The "Where to buy" section (nothing without offers): a link to each merchant, paid
    ones labelled (out_link), and the offer's note."""
    if not doc.get("offers"):
        return _NOTHING
    out = ['  <section class="offers" aria-labelledby="offers-heading">\n'
           '    <h2 id="offers-heading">Where to buy</h2>\n    <ul>\n']
    affiliate = doc.get("affiliate", _UNDEFINED)
    for n, offer in enumerate(doc["offers"], 1):
        note = offer.get("note")
        note = f' <span class="muted">{_text(note)}</span>' if note else ""
        link = _link_html(offer.get("url"), offer.get("merchant", _UNDEFINED), affiliate,
                          f"offer-{n}")
        out.append(f"      <li>{link}{note}</li>\n")
    out.append("    </ul>\n  </section>\n")
    return _markup("".join(out))


def corrections(items: list[dict]) -> Markup:
    """The "Corrections" section (nothing without corrections): each one's date and text."""
    if not items:
        return _NOTHING
    out = ['  <section class="corrections" aria-labelledby="corrections-heading">\n'
           '    <h2 id="corrections-heading">Corrections</h2>\n    <ul>\n']
    for c in items:
        date = _field(c, "date")
        out.append(f'      <li><time datetime="{date}">{date}</time>: {_field(c, "text")}</li>\n')
    out.append("    </ul>\n  </section>\n")
    return _markup("".join(out))


def _lookup(mapping: dict, key) -> str:
    """`mapping[key]` escaped, as `{{ mapping[key] }}` shows it: nothing for a key it
    lacks (or cannot hold)."""
    try:
        return _text(mapping[key])
    except (TypeError, LookupError):
        return ""


_NOTHING = Markup("")


def section_links(nav: dict, path: str) -> Markup:
    """The header's links to the site's sections, the one the page is in (or is) marked
    as current. Made once for all the pages of a section (an entry's page shows the same
    links as the others of its collection), while `nav` is the navigation pages are
    given (see `_nav_kept`)."""
    if type(path) is not str:
        return _section_links(nav, path)
    kept = _nav_kept(nav)
    cut = path.find("/", 1)
    if cut < 0:  # a section's own page, the home page, search...: a few
        key = path
    elif kept["flat"]:
        # below `/<collection>/`: no section's URL (none has two parts) is the path, and
        # the one the path is below is the path's first part (kept with its slash: not
        # the key of that part's own page)
        key = path[:cut + 1]
    else:
        return _section_links(nav, path)
    html = kept["sections"].get(key)
    if html is None:
        html = kept["sections"][key] = _section_links(nav, path)
    return html


def _nav_kept(nav: dict) -> dict:
    """What section_links and page_links made of `nav`, kept while they are given that
    navigation (a build gives its pages one, which is not changed: set_nav)."""
    kept = _NAV_KEPT[0]
    if kept is None or kept["nav"] is not nav:
        kept = _NAV_KEPT[0] = {
            "nav": nav, "sections": {}, "pages": {},
            "flat": all(isinstance(item.get("url"), str) and "/" not in item["url"][1:]
                        for item in nav["sections"]),
            "urls": {item.get("url") for item in nav["pages"]
                     if isinstance(item.get("url"), str)}}
    return kept


_NAV_KEPT: list[dict | None] = [None]


def _section_links(nav: dict, path: str) -> Markup:
    out = []
    for item in nav["sections"]:
        url = item["url"]
        current = (' aria-current="page"' if path == url
                   else ' aria-current="true"' if path.startswith(f"{url}/") else "")
        out.append(f'      <a href="{_text(url)}"{current}>{_text(item["name"])}</a>\n')
    return _markup("".join(out))


def page_links(nav: dict, path: str) -> Markup:
    """The footer's links to the first page of each site section, the page's own marked:
    made once for the pages that are none of them (see section_links)."""
    if type(path) is not str:
        return _page_links(nav, path)
    kept = _nav_kept(nav)
    key = path if path in kept["urls"] else None
    html = kept["pages"].get(key)
    if html is None:
        html = kept["pages"][key] = _page_links(nav, path)
    return html


def _page_links(nav: dict, path: str) -> Markup:
    out = []
    for item in nav["pages"]:
        current = ' aria-current="page"' if path == item["url"] else ""
        out.append(f'      <a href="{_text(item["url"])}"{current}>{_text(item["title"])}</a>\n')
    return _markup("".join(out))


def breadcrumb(crumbs: list[dict]) -> Markup:
    """The items of an entry page's breadcrumb: links, and the page itself last. A key a
    crumb lacks shows as nothing, as `{{ }}` shows an undefined value."""
    out = []
    for n, crumb in enumerate(crumbs):
        sep = '<span class="sep" aria-hidden="true">/</span> ' if n else ""
        if crumb.get("url"):
            item = f'<a href="{_text(crumb["url"])}">{_field(crumb, "title")}</a>'
        else:
            item = f'<span aria-current="page">{_field(crumb, "title")}</span>'
        out.append(f"    <li>{sep}{item}</li>\n")
    return _markup("".join(out))


def reference_sections(doc: dict) -> Markup:
    """The page's lists of the entries its front matter refers to, one section per field
    that has some, in the order of `reference_headings`. An item (an entry's link, its
    url and label text) and a section's head are made once in a process, as backlinks'
    items are."""
    out, references, kept = [], doc["references"], _REFERENCE_ITEMS
    for field, heading in doc["reference_headings"].items():
        items = references.get(field)
        if not items:
            continue
        plain = type(field) is str and type(heading) is str
        head = kept.get((field, heading)) if plain else None
        if head is None:
            head = (f'  <section class="references references-{_text(field.replace("_", "-"))}" '
                    f'aria-labelledby="ref-{_text(field)}">\n'
                    f'    <h2 id="ref-{_text(field)}">{_text(heading)}</h2>\n    <ul>\n')
            if plain:
                _kept(kept, (field, heading), head)
        out.append(head)
        for item in items:
            try:  # as backlinks looks up a card's keys
                url, label = item["url"], item["label"]
            except KeyError:
                url = label = None
            if type(url) is str and type(label) is str:
                html = kept.get(key := (url, label))
                if html is None:
                    html = _reference_item(item)
                    _kept(kept, key, html)
            else:  # a key it lacks shows as nothing: made each time
                html = _reference_item(item)
            out.append(html)
        out.append("    </ul>\n  </section>\n")
    return _markup("".join(out))


def _reference_item(item: dict) -> str:
    """A reference's item, made (see reference_sections)."""
    return f'      <li><a href="{_field(item, "url")}">{_field(item, "label")}</a></li>\n'


# (url, label) -> a reference's item, (field, heading) -> a section's head (see
# reference_sections)
_REFERENCE_ITEMS: dict[tuple, str] = {}


def backlinks(items: list[dict]) -> Markup:
    """The items of the page's "What links here" list. Each is a card (links.card) that
    many pages list: its item is made once in a process for what it shows, its url,
    title and collection (text; another value, which no card has, is made each time)."""
    out, kept = [], _BACKLINK_ITEMS
    for item in items:
        try:  # a card's keys looked up as a dict's items: a third of the time of `get`s
            url, title, collection = item["url"], item["title"], item["collection"]
        except KeyError:  # a key it lacks shows as nothing: made each time
            out.append(_backlink_item(item))
            continue
        if type(url) is str and type(title) is str and type(collection) is str:
            html = kept.get(key := (url, title, collection))
            if html is None:
                html = _backlink_item(item)
                _kept(kept, key, html)
        else:
            html = _backlink_item(item)
        out.append(html)
    return _markup("".join(out))


def _backlink_item(item: dict) -> str:
    """A backlink's item, made (see backlinks)."""
    return (f'      <li><a href="{_field(item, "url")}">{_field(item, "title")}</a> '
            f'<span class="muted">{_field(SINGULAR, item.get("collection"))}</span></li>\n')


# (url, title, collection) -> a backlink's item (see backlinks)
_BACKLINK_ITEMS: dict[tuple, str] = {}
_ITEMS_KEPT = 8192  # at most, in a process: about 3 MB


def _kept(kept: dict, key, html: str) -> None:
    """Keep `html` at `key` in `kept`, which is emptied once it holds _ITEMS_KEPT."""
    if len(kept) >= _ITEMS_KEPT:
        kept.clear()
    kept[key] = html


# What a page's body changes of the body's HTML (see page_body), found in one pass.
_PAGE_BODY_TAGS = {"<h1>": "<h2>", "</h1>": "</h2>",
                   "<table>": '<div class="table-scroll"><table>', "</table>": "</table></div>"}
# (Each tag written out after its `<`, the same tags as `</?(?:h1|table)>`: re's engine
# goes over a body with it in an eighth less time, measured on the bodies of a corpus.)
_PAGE_BODY_TAG_RE = re.compile(r"<(?:/table|table|h1|/h1)>")


def _page_body_tag(m: re.Match) -> str:
    return _PAGE_BODY_TAGS[m[0]]


def page_body(html: str) -> Markup:
    """A body's sanitised HTML as a page shows it. Each table is in a box that scrolls
    sideways: a table wider than the column (many columns, long names; a phone is 360 px
    wide) scrolls in it, never the page, and a table that fits still fills the column.
    A heading the body wrote as `#` (or `<h1>`) is an h2: the page's title is its one h1.
    The sanitiser keeps no attribute on `<table>` or `<h1>` and writes every `<` of
    text and attribute values as `&lt;`, so each `<table>`, `<h1>` and their ends here
    are tags. The JSON's `body_html` stays as it is. (One pass of a pattern: testing for
    each tag and replacing each with `str.replace` went over the body four times.)"""
    return _markup(_PAGE_BODY_TAG_RE.sub(_page_body_tag, html))


# The facts an entry's front matter may hold, shown as a list of label and value, in order.
_FACT_ROWS = (("aka", "Also called", True), ("kind", "Kind", False),
              ("vendor", "Vendor", False), ("developer", "Developer", False),
              ("released", "Released", False), ("license", "License", False),
              ("platforms", "Platforms", True), ("backends", "Backends", True),
              ("quantization", "Quantization", False), ("run_date", "Measured", False),
              ("role", "Role", False))
_OUT_LINK_FACTS = (("homepage", "Homepage"), ("repository", "Repository"))
_ENTRY_LINK_FACTS = (("hardware", "Hardware", True), ("model", "Model", False),
                     ("tool", "Tool", False), ("applies_to", "Applies to", True))
_LINK_FACT_KEYS = tuple(fact[0] for fact in _OUT_LINK_FACTS + _ENTRY_LINK_FACTS)
_FACT_KEYS = frozenset(fact[0] for fact in _FACT_ROWS) | frozenset(_LINK_FACT_KEYS)
# What `{{ x.key }}` gives for a key a dict lacks: shown as nothing, equal to nothing.
_UNDEFINED = jinja2.Undefined()


def _label(text: str) -> str:
    """A label above facts (text without markup): a heading, upper case by its style,
    named as written."""
    return f'<h2 class="label" aria-label="{text}">{text}</h2>'


def facts(doc: dict) -> Markup:
    """The collection-specific facts of an entry, from its front matter: a list of
    facts, the error message, commands, versions, tables of specs, results and prices,
    a guide's picks. (A function: as a macro, it took a quarter of a page's time.)"""
    fm = doc["front_matter"]
    out: list[str] = []
    # the keys of facts it has, found by a set's C loop over the front matter's keys
    shown = _FACT_KEYS.intersection(fm)
    rows = [(label, ", ".join(map(str, fm[key])) if joined else fm[key])
            for key, label, joined in _FACT_ROWS if key in shown and fm[key]]
    if rows or any(fm[key] for key in _LINK_FACT_KEYS if key in shown):
        out.append('  <dl class="facts">\n')
        out += [f"    <dt>{label}</dt><dd>{_text(value)}</dd>\n" for label, value in rows]
        for key, label in _OUT_LINK_FACTS:
            if fm.get(key):
                link = _link_html(fm[key], fm[key], doc["affiliate"], key)
                out.append(f"  <dt>{label}</dt><dd>{link}</dd>\n")
        for key, label, many in _ENTRY_LINK_FACTS:
            if fm.get(key):
                links = (", ".join([_entry_link_text(doc, x) for x in fm[key]]) if many
                         else _entry_link_text(doc, fm[key]))
                out.append(f"  <dt>{label}</dt><dd>{links}</dd>\n")
        out.append("  </dl>\n")
    # the labels are headings (a screen reader's heading list has them), of the body's
    # level (its `##`), with no id: they never take one of the body's headings'; named
    # as written (upper case is their style: a browser that names them by the text as
    # shown says "THE ERROR AS YOU SEE IT")
    if fm.get("message"):
        out.append(f'  {_label("The error as you see it")}\n'
                   f'  <pre class="error-message"><code>{_text(fm["message"])}</code></pre>\n')
    for key, label in (("install", "Install"), ("command", "Reproduce it")):
        if fm.get(key):
            out.append(f'  {_label(label)}\n  <pre><code>{_text(fm[key])}</code></pre>\n')
    if fm.get("versions"):
        # by name whatever its case, then as written: `cuda` and `CUDA` in one order
        # whether the page is made from the Markdown or from its JSON (keys sorted)
        versions = sorted(fm["versions"].items(), key=lambda kv: (
            (kv[0].lower(), kv[0]) if isinstance(kv[0], str) else kv[0]))
        shown = " · ".join(f"<code>{_text(name)} {_text(version)}</code>"
                           for name, version in versions)
        out.append(f'  {_label("Versions")}\n  <p class="versions">{shown}</p>\n')
    # the sources' citations, made once for the tables' rows
    citations = (_citations(doc) if fm.get("specs") or fm.get("results") or fm.get("prices")
                 else None)
    if fm.get("specs"):
        out.append(_TABLE_HEAD.format("Spec", "Value"))
        for row in fm["specs"]:
            unit = f" {_text(row['unit'])}" if row.get("unit") else ""
            out.append(f'      <tr><th scope="row">{_field(row, "label")}</th>'
                       f'<td>{_number_text(row.get("value", _UNDEFINED))}{unit} '
                       f'{_cite_text(doc, row.get("source", _UNDEFINED), citations)}'
                       "</td></tr>\n")
        out.append(_TABLE_END)
    if fm.get("results"):
        out.append(_TABLE_HEAD.format("Result", "Value"))
        for row in fm["results"]:
            if row.get("source"):
                by = _cite_text(doc, row["source"], citations)
            else:
                by = '<span class="muted">(measured here)</span>' if row.get("measured_by") else ""
            out.append(f'      <tr><th scope="row">{_field(row, "metric")}</th>'
                       f'<td>{_number_text(row.get("value", _UNDEFINED))} {_field(row, "unit")} '
                       f"{by}</td></tr>\n")
        out.append(_TABLE_END)
    if fm.get("prices"):
        out.append('  <table class="specs">\n    <thead><tr><th scope="col">Price</th>'
                   '<th scope="col">Amount</th><th scope="col">Seen</th></tr></thead>\n'
                   "    <tbody>\n")
        for row in fm["prices"]:
            kind = row.get("kind", "")
            kind = "MSRP" if kind == "msrp" else str(kind).capitalize()
            out.append(f'      <tr><th scope="row">{_text(kind)}</th>'
                       f'<td>{money(row.get("amount", _UNDEFINED))} {_field(row, "currency")} '
                       f'{_cite_text(doc, row.get("source", _UNDEFINED), citations)}</td>'
                       f'<td>{_field(row, "date")}</td></tr>\n')
        out.append(_TABLE_END)
    if fm.get("picks"):
        out.append('  <ol class="picks">\n')
        for pick in fm["picks"]:
            reason = f"<p>{_text(pick['reason'])}</p>" if pick.get("reason") else ""
            out.append(f'    <li><span class="pick-label">{_field(pick, "label")}</span> '
                       f'{_entry_link_text(doc, pick.get("entry", _UNDEFINED))}{reason}</li>\n')
        out.append("  </ol>\n")
    return _markup("".join(out))


_TABLE_HEAD = ('  <table class="specs">\n    <thead><tr><th scope="col">{}</th>'
               '<th scope="col">{}</th></tr></thead>\n    <tbody>\n')
_TABLE_END = "    </tbody>\n  </table>\n"


class _BytecodeCache(jinja2.FileSystemBytecodeCache):
    """Jinja's, except that a template it cannot store is simply not stored: a folder
    that is read-only, or removed by a build of another version meanwhile, never
    stops a build."""

    def dump_bytecode(self, bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError:
            pass


def _installed() -> list[str]:
    """The installed Jinja and MarkupSafe, by their files' stats (asking their versions
    costs 20 ms): what makes a page of its templates besides our code."""
    installed = []
    for module in (jinja2, markupsafe):
        st = os.stat(module.__file__)
        installed.append(f"{module.__file__}:{st.st_size}:{st.st_mtime_ns}")
    return installed


def _bytecode_cache(settings: Settings) -> jinja2.BytecodeCache | None:
    """Compiled templates kept between builds (compiling the site's templates takes
    40 ms, a twentieth of a rebuild after one edit), in a folder of the cache named
    after what says how they are compiled: our code (and whether it escapes with
    markupsafe's inner function), and the installed Jinja and MarkupSafe (their files'
    stats: asking their versions costs 20 ms). Jinja checks each template's source.
    Folders named otherwise are removed. None when the cache folder cannot be made (a
    build does not need it)."""
    folder = settings.path("cache") / "templates"
    mine = folder / digest(tool_fingerprint(), str(_escape_text is not None),
                           *_installed())[:16]
    if not mine.is_dir():
        try:
            mine.mkdir(parents=True, exist_ok=True)
        except OSError:
            return None
        for other in folder.iterdir():
            if other != mine:
                shutil.rmtree(other, ignore_errors=True)
    return _BytecodeCache(str(mine))


class Site:
    """The templates and site settings shared by every page, and the navigation
    (`set_nav`) that every page shows."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.nav: dict = {"sections": [], "pages": []}

    @cached_property
    def env(self) -> jinja2.Environment:
        env = _Environment(
            loader=jinja2.FileSystemLoader(str(TEMPLATES)),
            # A build lasts seconds and its Site is made anew by the next one: templates
            # are not looked at again on each page (three stats per page otherwise).
            auto_reload=False,
            autoescape=True,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            bytecode_cache=_bytecode_cache(self.settings),
        )
        env.globals.update(site=self.settings.site, nav=self.nav, ratings=RATINGS,
                           singular=SINGULAR, out_link=out_link, number=number, cite=cite,
                           source_items=source_items, facts=facts,
                           page_body=page_body, section_links=section_links,
                           page_links=page_links, breadcrumb=breadcrumb,
                           reference_sections=reference_sections, backlinks=backlinks,
                           entry_link=entry_link, people=people, entry_header=entry_header,
                           verdict=verdict, disclosure=disclosure, offers=offers,
                           corrections=corrections,
                           # the site's address without its last slash, before the path of
                           # a page's canonical link (made once, not on each page)
                           site_url=self.settings.site.base_url.rstrip("/"))
        # Imported once, not at every page: an import per render costs more than the page.
        env.globals["m"] = env.get_template("macros.html").module
        return env

    def set_nav(self, nav: dict) -> None:
        """{"sections": [{collection, name, url}], "pages": [{title, url}]}"""
        self.nav = nav
        self.__dict__.pop("_page_keys", None)
        if "env" in self.__dict__:
            self.env.globals["nav"] = nav

    @cached_property
    def templates_fingerprint(self) -> str:
        """Changes with a template, an asset, the site settings, the code or the installed
        Jinja and MarkupSafe."""
        files = sorted(p for p in TEMPLATES.rglob("*") if p.is_file())
        return digest(tool_fingerprint(), *(f"{p.name}\n" for p in files),
                      *(p.read_bytes() for p in files), repr(self.settings.site),
                      *_installed())

    @cached_property
    def _page_keys(self) -> str:
        return digest("entry page", self.fingerprint)

    def page_key(self, doc_key: str) -> str:
        """The content key of the entry page of a document whose JSON (serialize.json_bytes,
        of front matter whose mappings have text keys: see entry_json.plain_keys) has the
        content key `doc_key`. The page is a function of that JSON (a page is made from
        the JSON the last build wrote when only the page changes) and of what `fingerprint`
        follows: a key made of both, instead of hashing the page's 13 KB again."""
        return digest(self._page_keys, doc_key)

    @property
    def fingerprint(self) -> str:
        """Changes with the templates (see above) or the navigation."""
        return digest(self.templates_fingerprint, repr(self.nav))

    def warm(self) -> None:
        """Compile the entry template now (before forking workers)."""
        self._entry_template  # noqa: B018 - made here, kept

    @cached_property
    def _entry_template(self) -> jinja2.Template:
        return self.env.get_template("entry.html")

    def render(self, template: str, **context) -> bytes:
        return _rendered(self.env.get_template(template), context)

    def entry_page(self, doc: dict) -> bytes:
        return _rendered(self._entry_template, {"doc": doc, "path": doc["url"]})

    def collection_page(self, collection: str, items: list[dict]) -> bytes:
        return self.render("collection.html", collection=collection,
                           name=COLLECTION_NAMES[collection], about=ABOUT[collection],
                           items=items,
                           groups=_groups(collection, items), path=f"/{collection}")

    def home_page(self, recent: list[dict], counts: dict[str, int]) -> bytes:
        return self.render("home.html", recent=recent, counts=counts, path="/")

    def digest_page(self, item, month_name: str, body: dict) -> bytes:
        """A sent digest's page: `item` its feed item, `body` its sanitised HTML and
        affiliate summary (publish.digests)."""
        return self.render("digest.html", item=item, month_name=month_name, body=body,
                           path=item.url)

    def digests_page(self, items: list[dict]) -> bytes:
        return self.render("digests.html", items=items, path="/digests")

    def search_page(self) -> bytes:
        return self.render("search.html", path="/search")

    def gone_page(self) -> bytes:
        return self.render("gone.html", path="/gone")

    @staticmethod
    def assets() -> dict[str, bytes]:
        return {f"assets/{name}": (TEMPLATES / name).read_bytes() for name in ASSETS}


def _rendered(template: jinja2.Template, context: dict) -> bytes:
    """`template.render(**context).encode("utf-8")`, each piece the template gives encoded
    on its own and the bytes joined: a page's pieces are ASCII but a few small ones (the
    ` · ` of its title and footer), and one character above 127 in the page's 12 KB made
    the whole page take four times as long to encode as ASCII (7 us, a tenth of a page)."""
    context = template.new_context(context)
    try:
        return b"".join(map(_ENCODE, template.root_render_func(context)))
    except Exception:
        template.environment.handle_exception()


_ENCODE = str.encode  # UTF-8


def _groups(collection: str, items: list[dict]) -> list[dict]:
    """Glossary terms grouped by category (as in the breadcrumb); one group elsewhere."""
    if collection != "glossary":
        return [{"name": None, "anchor": None, "items": items}]
    groups: dict[str, list[dict]] = {}
    for item in items:
        groups.setdefault(item.get("category") or "Other", []).append(item)
    return [{"name": name, "anchor": category_anchor(name), "items": groups[name]}
            for name in sorted(groups)]


# The ids the site's layout (base.html) gives every page, whatever it shows.
LAYOUT_IDS = frozenset({"main"})


def index_ids(collection: str, categories) -> frozenset[str]:
    """The ids of a collection's index page (collection.html) or, for "", of the home
    page: the layout's, and on the glossary's, one per section, each a category of its
    terms (see _groups), from `categories`."""
    if collection != "glossary":
        return LAYOUT_IDS
    return LAYOUT_IDS | {category_anchor(c) for c in categories}


def category_anchor(category: str) -> str:
    """`Training & optimization` -> `training-optimization`."""
    return re.sub(r"[^a-z0-9]+", "-", category.lower()).strip("-")
