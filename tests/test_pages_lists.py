"""The lists every page repeats (the header's sections, the footer's pages) and those of an
entry page (breadcrumb, references, backlinks) are functions (pages.py), not template
loops: the same bytes as the loops they replaced, which these tests keep in the site's
own environment to compare with."""

from __future__ import annotations

import os

import jinja2
from hypothesis import given, settings, strategies as st
from markupsafe import Markup, escape

from pipeline.publish.links import TYPED
from pipeline.publish.pages import Site

# The loops as the templates had them, lines and whitespace control as they were.
LOOPS = {
    "sections": """{% for item in nav.sections %}
      <a href="{{ item.url }}"{% if path == item.url %} aria-current="page"{% elif path.startswith(item.url ~ "/") %} aria-current="true"{% endif %}>{{ item.name }}</a>
{% endfor %}
""",
    "pages": """{% for item in nav.pages %}
      <a href="{{ item.url }}"{% if path == item.url %} aria-current="page"{% endif %}>{{ item.title }}</a>
{% endfor %}
""",
    "breadcrumb": """{% for crumb in doc.breadcrumb %}
    <li>{% if not loop.first %}<span class="sep" aria-hidden="true">/</span> {% endif %}{% if crumb.url %}<a href="{{ crumb.url }}">{{ crumb.title }}</a>{% else %}<span aria-current="page">{{ crumb.title }}</span>{% endif %}</li>
{% endfor %}
""",
    "references": """{% for field, heading in doc.reference_headings.items() if doc.references[field] %}
  <section class="references references-{{ field|replace('_', '-') }}" aria-labelledby="ref-{{ field }}">
    <h2 id="ref-{{ field }}">{{ heading }}</h2>
    <ul>
{% for item in doc.references[field] %}
      <li><a href="{{ item.url }}">{{ item.label }}</a></li>
{% endfor %}
    </ul>
  </section>
{% endfor %}
""",
    "backlinks": """{% for item in doc.backlinks %}
      <li><a href="{{ item.url }}">{{ item.title }}</a> <span class="muted">{{ singular[item.collection] }}</span></li>
{% endfor %}
""",
}
CALLS = {
    "sections": "{{ section_links(nav, path) }}",
    "pages": "{{ page_links(nav, path) }}",
    "breadcrumb": "{{ breadcrumb(doc.breadcrumb) }}",
    "references": "{{ reference_sections(doc) }}",
    "backlinks": "{{ backlinks(doc.backlinks) }}",
}

NAV = {
    "sections": [{"collection": "models", "name": "Models", "url": "/models"},
                 {"collection": "tools", "name": "Tools & <more>", "url": "/tools"},
                 {"collection": "glossary", "name": "Glossary", "url": "/glossary"}],
    "pages": [{"title": "About \"us\"", "url": "/pages/about"},
              {"title": "Trust & <safety>", "url": "/pages/trust"}],
}
DOC = {
    "breadcrumb": [{"title": "Home", "url": "/"}, {"title": "Models & <co>", "url": "/models"},
                   {"title": 'Llama "3"'}, {"url": ""}, {"title": None, "url": "/x?a=1&b=2"}],
    "references": {"related": [{"url": "/hardware/a", "label": "A <b>"},
                               {"url": "/hardware/b&c"}],
                   "guides": [], "see_also": [{"label": "no url"}]},
    "reference_headings": dict(TYPED),  # and "errors", which the references lack
    "backlinks": [{"url": "/guides/g", "title": "G & g", "collection": "guides"},
                  {"url": "/x", "title": "X", "collection": "unknown"},
                  {"title": 3, "collection": "models"}],
}


def both(catalog, settings_of, name: str, **context) -> tuple[str, str]:
    env = Site(settings_of(catalog)).env
    return (env.from_string(LOOPS[name]).render(**context),
            env.from_string(CALLS[name]).render(**context))


def test_header_and_footer_links_are_those_of_the_loops(catalog, settings_of):
    for path in ("/", "/models", "/models/llama", "/modelsx/y", "/tools/a/b", "/pages/about",
                 "/pages/trust/x", "/search"):
        for name in ("sections", "pages"):
            loops, calls = both(catalog, settings_of, name, nav=NAV, path=path)
            assert calls == loops, (name, path)
    assert 'href="/models" aria-current="true">' in both(catalog, settings_of, "sections",
                                                         nav=NAV, path="/models/llama")[1]
    for name in ("sections", "pages"):
        assert both(catalog, settings_of, name, nav={"sections": [], "pages": []},
                    path="/") == ("", "")


def test_entry_page_lists_are_those_of_the_loops(catalog, settings_of):
    for name in ("breadcrumb", "references", "backlinks"):
        loops, calls = both(catalog, settings_of, name, doc=DOC)
        assert calls == loops, name
        assert loops  # each shows something here
        empty = {**DOC, "breadcrumb": [], "backlinks": [], "references": {}}
        assert both(catalog, settings_of, name, doc=empty) == ("", "")
    references = both(catalog, settings_of, "references", doc=DOC)[1]
    assert '<a href="/hardware/b&amp;c"></a>' in references  # escaped; a missing key: nothing
    assert "references-see-also" in references and "references-guides" not in references


def test_page_body_in_one_pass_is_the_body_as_before():
    """page_body rewrites its tags in one pass of a pattern; the same as the replacements
    it made one tag at a time."""
    from pipeline.publish.pages import page_body

    def before(html: str) -> str:
        if "<h1>" in html:
            html = html.replace("<h1>", "<h2>").replace("</h1>", "</h2>")
        if "<table>" not in html:
            return html
        return (html.replace("<table>", '<div class="table-scroll"><table>')
                .replace("</table>", "</table></div>"))

    for html in ("", "<p>no table</p>", "<h1>A</h1>\n<table><tr><td>1</td></tr></table>\n"
                 "<h2>B</h2><table></table><h1>C</h1>", "<p>&lt;table&gt; &lt;h1&gt;</p>",
                 "<h10>x</h10><tables><thead></thead>", "<table><table></table></table>"):
        assert page_body(html) == before(html), html
    assert page_body("<h1>A</h1>") == "<h2>A</h2>"


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["<h1>", "</h1>", "<table>", "</table>", "<h10>", "<tables>",
                                 "</h2>", "<", "/", "h1", "table", ">", "x", "é"]), max_size=12))
def test_page_body_finds_the_tags_the_pattern_it_had_found(pieces):
    """page_body's pattern names each tag after its `<` (a faster pattern): it finds the
    tags `</?(?:h1|table)>` found, whatever stands around them."""
    import re

    from pipeline.publish.pages import _page_body_tag, page_body

    html = "".join(pieces)
    assert page_body(html) == re.compile(r"</?(?:h1|table)>").sub(_page_body_tag, html)


def test_output_escape_is_escape_as_text():
    """`{{ }}` in a page escapes as markupsafe's `escape` would, as text: a helper's
    Markup is kept as it is (without making a new Markup of it), anything else escaped."""
    from markupsafe import Markup, escape

    from pipeline.publish.pages import _output_escape

    class Html:
        def __html__(self):
            return "<i>x</i>"

    for value in ("a <b> & \"c\"", Markup("<b>kept</b>"), 1500, 2.5, None, True, Html(),
                  Markup("&amp;"), "", Markup("")):
        assert str(_output_escape(value)) == str(escape(value)), value


def test_site_calls_and_contexts_are_jinjas(catalog, settings_of):
    """The site's environment calls a plain function directly and makes a page's context
    from a flat copy of its globals (pages._Context, _Template): the same output as
    Jinja's own, for every kind of callable and for globals a template or the page's
    values override."""
    import jinja2
    import pytest

    site = Site(settings_of(catalog))
    mine = site.env
    stock = jinja2.Environment(loader=mine.loader, autoescape=True, trim_blocks=True,
                               lstrip_blocks=True, keep_trailing_newline=True)

    @jinja2.pass_context
    def who(context, suffix=""):
        return f"{context.get('name')}{suffix}"

    @jinja2.pass_environment
    def env_kind(environment):
        return environment.autoescape

    @jinja2.pass_eval_context
    def escaping(eval_ctx):
        return eval_ctx.autoescape

    class Callable:
        def __call__(self, x):
            return f"<{x}>"

    class ContextCallable:
        @jinja2.pass_context
        def __call__(self, context):
            return context.get("name")

    def stops():
        raise StopIteration

    def keywords(a, b="b", **more):
        return f"{a}{b}{sorted(more)}"

    def shown(x):
        return f"<{x}>"

    names = {"who": who, "env_kind": env_kind, "escaping": escaping, "call": Callable(),
             "context_call": ContextCallable(), "stops": stops, "keywords": keywords,
             "shown": shown, "name": "global & name"}
    for env in (mine, stock):
        env.globals.update(names)
    source = ("{{ who() }} {{ who('!') }} {{ env_kind() }} {{ escaping() }} {{ call(1) }} "
              "{{ context_call() }} [{{ stops() }}] {{ keywords(1, c=2) }} {{ shown('&') }} "
              "{{ missing_thing is defined }} {{ name }}{% set name = 'set' %} {{ who() }}"
              "{% for i in [1, 2] %}{{ who(i) }}{{ shown(loop.index) }}{% endfor %}"
              "{% macro mac(x) %}({{ who(x) }}){% endmacro %}{{ mac(3) }}"
              "{% block b %}{{ who('b') }}{% endblock %}")
    for variables in ({}, {"name": "page <name>"}, {"shown": repr}):
        for template_globals in (None, {"name": "template's", "shown": who}):
            got = mine.from_string(source, globals=template_globals).render(**variables)
            want = stock.from_string(source, globals=template_globals).render(**variables)
            assert got == want, (variables, template_globals)
    page = "{% extends 'base.html' %}{% block main %}{{ who() }}{% endblock %}"
    for path in ("/", "/models/x", "/digests"):
        assert (mine.from_string(page).render(path=path, name="n")
                == stock.from_string(page).render(**{**mine.globals, "path": path, "name": "n"}))
    with pytest.raises(jinja2.UndefinedError):
        mine.from_string("{{ nothing() }}").render()


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), st.integers(), st.booleans(), st.floats(), st.none(),
                 st.builds(Markup, st.text()), st.lists(st.integers(), max_size=2)))
def test_text_and_field_escape_as_escape(value):
    """`_text` and `_field` (a str or an int without `escape`'s Markup) give the text
    `{{ value }}` shows; a key a dict lacks shows as nothing."""
    from pipeline.publish.pages import _field, _text

    assert _text(value) == str(escape(value))
    assert _field({"k": value}, "k") == str(escape(value))
    assert _field({"other": value}, "k") == ""


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.none(), st.integers(), st.sampled_from(
    ["https://paid.example/x?a=1&b=2", "http://free.example/<y>", "HTTPS://Paid.example/x",
     "javascript:alert(1)", "/local", ""]), st.text()),
       st.one_of(st.text(), st.integers()), st.booleans())
def test_link_html_is_out_link(url, text, paid):
    """The sources' and facts' links (`_link_html`, text) are out_link's (a Markup)."""
    from pipeline.publish.pages import _link_html, out_link

    affiliate = {"links": [{"url": "https://paid.example/x?a=1&b=2", "program": "p"}]
                 if paid else [], "rel": "sponsored <x>", "label": "(paid & link)"}
    html = _link_html(url, text, affiliate, "source-1")
    assert type(html) is str
    # a link for an http(s) URL whatever its case, as it was (URLs as written looked at first)
    assert html.startswith("<a ") == (isinstance(url, str)
                                      and url.lower().startswith(("https://", "http://")))
    assert out_link(url, text, affiliate, "source-1") == Markup(html)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([b"0", b"7", b"9", b"12345678901234567", b"-", b"\xd9\xa3",
                                 b"a", b"\xff", b'"', b"1" * 19]), max_size=40).map(b"".join))
def test_a_long_number_is_found_as_the_regular_expression_finds_it(data):
    """_loads reads a text with a run of 19 digits with the standard library: the run is
    found as re.search(rb"\\d{19}") found it (ASCII digits only, anywhere)."""
    import re

    from pipeline.publish.lists import _long_number

    assert _long_number(data) == bool(re.search(rb"\d{19}", data))


# Paths and URLs from a few parts, so that pages share (or nearly share) a section.
_PARTS = st.sampled_from(["models", "tools", "pages", "a", "models.x", ""])
_PATHS = st.lists(_PARTS, max_size=3).map(lambda parts: "/" + "/".join(parts))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(_PATHS, st.sampled_from(["Models", "A & <b>"])), max_size=4),
       st.lists(st.tuples(_PATHS, st.sampled_from(["About", "Trust & <safety>"])), max_size=3),
       st.lists(_PATHS, min_size=1, max_size=8))
def test_header_and_footer_links_kept_for_a_navigation_are_those_of_each_path(
        sections, pages, paths):
    """section_links and page_links make their links once for the pages that show the
    same (those of a section); for any navigation (some URLs of two parts) and pages in
    any order, the links of each page are those made for its path alone."""
    from pipeline.publish.pages import _page_links, _section_links, page_links, section_links

    nav = {"sections": [{"collection": "c", "name": name, "url": url} for url, name in sections],
           "pages": [{"title": title, "url": url} for url, title in pages]}
    for path in paths * 2:
        assert section_links(nav, path) == _section_links(nav, path), path
        assert page_links(nav, path) == _page_links(nav, path), path
    changed = {"sections": nav["sections"][:1], "pages": nav["pages"][1:]}  # a new build's
    for path in paths:
        assert section_links(changed, path) == _section_links(changed, path), path


@settings(max_examples=200, deadline=None)
@given(st.lists(st.fixed_dictionaries(
    {"title": st.sampled_from(["G & g", "G"])},
    optional={"url": st.sampled_from(["/guides/g", "/x?a=1&b=2"]),
              "collection": st.sampled_from(["guides", "models", "unknown"])}), max_size=6),
       st.lists(st.sampled_from([None, 3, 1, True, 1.0, ["list"]]), max_size=3))
def test_backlinks_kept_by_what_they_show_are_those_made_each_time(items, titles):
    """A backlink's item is made once for each (url, title, collection) in a process: the
    same as made for each page, also for a title that is no text (1 and True, equal as
    keys, show as themselves)."""
    from pipeline.publish.pages import SINGULAR, _field, backlinks

    def each_time(items):
        return "".join(
            f'      <li><a href="{_field(item, "url")}">{_field(item, "title")}</a> '
            f'<span class="muted">{_field(SINGULAR, item.get("collection"))}</span></li>\n'
            for item in items)

    items = items + [{"url": "/y", "title": title} for title in titles]
    for _ in range(2):
        assert backlinks(items) == each_time(items)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from(["related", "see_also", "guides"]), st.lists(
    st.fixed_dictionaries({}, optional={
        "url": st.sampled_from(["/guides/g", "/x?a=1&b=2", 1, True]),
        "label": st.sampled_from(["G & g", "term: G", 1, True, None])}), max_size=4),
    max_size=3),
       st.sampled_from([dict(TYPED), {"related": "Related <terms>", "guides": 1},
                        {"see_also": True, "related": "Related terms"}]))
def test_reference_sections_kept_by_what_they_show_are_those_made_each_time(references,
                                                                          headings):
    """A reference's item and a section's head are made once for what they show (text;
    any other value each time): the same as made for each page."""
    from pipeline.publish.pages import _field, _text, reference_sections

    def each_time(doc):
        out = []
        for field, heading in doc["reference_headings"].items():
            items = doc["references"].get(field)
            if not items:
                continue
            out.append(f'  <section class="references references-'
                       f'{_text(field.replace("_", "-"))}" aria-labelledby="ref-{_text(field)}">'
                       f'\n    <h2 id="ref-{_text(field)}">{_text(heading)}</h2>\n    <ul>\n')
            out += [f'      <li><a href="{_field(item, "url")}">{_field(item, "label")}</a>'
                    "</li>\n" for item in items]
            out.append("    </ul>\n  </section>\n")
        return "".join(out)

    doc = {"references": references, "reference_headings": headings}
    for _ in range(2):
        assert reference_sections(doc) == each_time(doc)


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_a_helpers_markup_is_markups_own(html):
    """The helpers make their Markup with `_markup` (str's constructor): the same object,
    of the same type, as Markup(html); a page keeps it as it is (`_output_escape`)."""
    from pipeline.publish.pages import _markup, _output_escape

    made = _markup(html)
    assert type(made) is Markup and made == Markup(html) and str(made) == html
    assert _output_escape(made) is made


# An entry page's header, disclosure, verdict, offers and corrections as the template had
# them (lines and whitespace control as they were), and its head's canonical link.
SECTIONS = """{% macro old_disclosure(affiliate) %}
  <aside class="disclosure" role="note" aria-label="Affiliate disclosure">
    <p><strong>Paid links.</strong> {{ affiliate.disclosure }}</p>
{% for statement in affiliate.statements %}
    <p>{{ statement }}</p>
{% endfor %}
  </aside>
{%- endmacro %}
  <header class="entry-header">
    <p class="kind">{{ singular[doc.collection] }}</p>
    <h1>{{ doc.title }}</h1>
{% if doc.summary %}
    <p class="summary">{{ doc.summary }}</p>
{% endif %}
    <p class="meta">
      By {{ people(doc.authors) }}{% if doc.reviewed_by %}, reviewed by {{ people(doc.reviewed_by) }}{% endif %}.
      Published <time datetime="{{ doc.published }}">{{ doc.published }}</time>{% if doc.updated and doc.updated != doc.published %}, updated <time datetime="{{ doc.updated }}">{{ doc.updated }}</time>{% endif %}.
    </p>
  </header>
{% if doc.affiliate.has_links %}
{{ old_disclosure(doc.affiliate) }}
{% endif %}
{% if doc.verdict %}
  <section class="verdict verdict-{{ doc.verdict.rating }}" aria-labelledby="verdict-heading">
    <h2 id="verdict-heading" aria-label="Verdict: {{ ratings[doc.verdict.rating] }}">Verdict: <span class="rating rating-{{ doc.verdict.rating }}">{{ ratings[doc.verdict.rating] }}</span></h2>
    <p>{{ doc.verdict.text }}</p>
    <p class="verdict-by">{% if doc.verdict.by.url %}<a href="{{ doc.verdict.by.url }}">{{ doc.verdict.by.title }}</a>{% else %}{{ doc.verdict.by.title }}{% endif %}, <time datetime="{{ doc.verdict.date }}">{{ doc.verdict.date }}</time></p>
  </section>
{% endif %}
|
{% if doc.offers %}
  <section class="offers" aria-labelledby="offers-heading">
    <h2 id="offers-heading">Where to buy</h2>
    <ul>
{% for offer in doc.offers %}
      <li>{{ out_link(offer.url, offer.merchant, doc.affiliate, "offer-" ~ loop.index) }}{% if offer.note %} <span class="muted">{{ offer.note }}</span>{% endif %}</li>
{% endfor %}
    </ul>
  </section>
{% endif %}
|
{% if doc.corrections %}
  <section class="corrections" aria-labelledby="corrections-heading">
    <h2 id="corrections-heading">Corrections</h2>
    <ul>
{% for c in doc.corrections %}
      <li><time datetime="{{ c.date }}">{{ c.date }}</time>: {{ c.text }}</li>
{% endfor %}
    </ul>
  </section>
{% endif %}
|
<link rel="canonical" href="{{ site.base_url.rstrip('/') ~ doc.url }}">
"""
SECTION_CALLS = """{{ entry_header(doc) }}{% if doc.affiliate.has_links %}
{{ disclosure(doc.affiliate) }}
{% endif %}
{{ verdict(doc.verdict) }}|
{{ offers(doc) }}|
{{ corrections(doc.corrections) }}|
<link rel="canonical" href="{{ site_url }}{{ doc.url }}">
"""

_TEXT = st.one_of(st.text(max_size=8), st.sampled_from(["a <b> & \"c\" 'd'", "2026-10-02",
                                                        "https://x.example/?a=1&b=2"]))
_VALUE = st.one_of(_TEXT, st.none(), st.integers(), st.booleans(), st.floats(width=16))
_CARDS = st.lists(st.fixed_dictionaries({"title": _VALUE, "url": st.one_of(st.none(), _TEXT)}),
                  max_size=3)
_PAID = "https://paid.example/x?a=1&b=2"
_DOCS = st.fixed_dictionaries(
    {"url": _TEXT.map(lambda t: f"/{t}"), "authors": _CARDS, "reviewed_by": _CARDS,
     "verdict": st.one_of(st.none(), st.fixed_dictionaries(
         {"by": st.fixed_dictionaries({"title": _VALUE}, optional={"url": st.one_of(
             st.none(), _TEXT)})},
         optional={"rating": st.one_of(st.sampled_from(["recommended", "situational",
                                                        "avoid"]), _VALUE),
                   "text": _VALUE, "date": _VALUE})),
     "affiliate": st.fixed_dictionaries(
         {"has_links": st.booleans(), "disclosure": st.one_of(st.none(), _TEXT),
          "statements": st.lists(_VALUE, max_size=2),
          "links": st.lists(st.just({"url": _PAID, "program": "p"}), max_size=1),
          "label": _TEXT, "rel": _TEXT}),
     "offers": st.lists(st.fixed_dictionaries({}, optional={
         "url": st.one_of(st.sampled_from([_PAID, "http://free.example/<y>",
                                           "javascript:alert(1)"]), _VALUE),
         "merchant": _VALUE, "note": _VALUE}), max_size=3),
     "corrections": st.lists(st.fixed_dictionaries({}, optional={"date": _VALUE,
                                                                   "text": _VALUE}),
                             max_size=3)},
    optional={"collection": st.sampled_from(["models", "glossary", "authors", "unknown"]),
              "title": _VALUE, "summary": _VALUE, "published": _VALUE, "updated": _VALUE})


def test_entry_page_sections_are_those_of_the_template_lines(catalog, settings_of):
    """An entry page's header, verdict, offers, corrections and affiliate disclosure are
    functions (pages.py), and its canonical link is the site's address made once: the
    same bytes as the template's lines they replaced, for any values, hostile text, keys
    that are missing and values that are not text included."""
    env = Site(settings_of(catalog)).env
    lines, calls = env.from_string(SECTIONS), env.from_string(SECTION_CALLS)

    @settings(max_examples=400, deadline=None)
    @given(_DOCS)
    def same(doc):
        assert calls.render(doc=doc) == lines.render(doc=doc)

    same()
    doc = {"url": "/models/x", "title": "<T>", "collection": "models", "published": "2026-01-02",
           "updated": "2026-03-04", "authors": [{"title": "A & B", "url": "/authors/a"}],
           "reviewed_by": [], "verdict": None, "offers": [], "corrections": [],
           "affiliate": {"has_links": False}}
    shown = calls.render(doc=doc)
    assert shown == lines.render(doc=doc)
    assert "<h1>&lt;T&gt;</h1>" in shown and '<a href="/authors/a">A &amp; B</a>' in shown


def test_a_page_encoded_piece_by_piece_is_the_page_encoded(catalog, settings_of):
    """Site.render and entry_page encode each piece a template gives and join the bytes
    (pages._rendered): the bytes of the whole page encoded, for any text, ASCII or not;
    a text that UTF-8 cannot hold (a lone surrogate) fails as it did."""
    import pytest

    from pipeline.publish.pages import _rendered

    env = Site(settings_of(catalog)).env
    template = env.from_string("<title>{{ a }} · {{ b }}</title>\n"
                               "{% for x in xs %}<li>{{ x }}</li>{% endfor %}{{ a|length }}")

    @settings(max_examples=300, deadline=None)
    @given(st.text(), st.text(alphabet=st.characters(max_codepoint=0x2FF)),
           st.lists(st.text(), max_size=4))
    def same(a, b, xs):
        context = {"a": a, "b": b, "xs": xs}
        assert _rendered(template, dict(context)) == template.render(**context).encode("utf-8")

    same()
    for bad in ("\ud800", "x\udfff"):
        with pytest.raises(UnicodeEncodeError):
            _rendered(template, {"a": bad, "b": "", "xs": []})
    with pytest.raises(jinja2.UndefinedError):  # Jinja's own errors, as from render
        _rendered(env.from_string("{{ nothing() }}"), {})


@given(st.dictionaries(st.sampled_from(["glossary/a", "glossary/a-b", "glossary/ab", "models/a",
                                        "models/b", "tools/a-1", "tools/a.b", "tools/a/b"]),
                       st.sampled_from(["2026-01-01", "2026-01-02", "2025-12-31"])),
       st.integers(0, 9))
def test_the_newest_entries_are_the_feeds_and_the_home_pages(updated, count):
    """One sort gives the feed's newest (by `updated`, then URL) and the home page's (by
    `updated`, then id), as each sort did."""
    from pipeline.publish.lists import _newest

    facts = {i: {"updated": day} for i, day in updated.items()}
    published = sorted(facts)
    by_url = sorted(published, key=lambda i: (facts[i]["updated"], f"/{i}"), reverse=True)
    by_id = sorted(published, key=lambda i: (facts[i]["updated"], i), reverse=True)
    assert _newest(facts, published, count) == by_url[:count] == by_id[:count]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from([0, 1]), st.integers(0, 40), st.integers(0, 40)),
                max_size=8))
def test_spans_read_from_files_opened_once_are_those_read_each_alone(tmp_path_factory, spans):
    from pipeline.publish.lists import _span_bytes
    from pipeline.publish.output import Span

    folder = tmp_path_factory.mktemp("spans")
    paths = [folder / "a", folder / "b"]
    paths[0].write_bytes(bytes(range(32)))
    paths[1].write_bytes(b"{}" * 9)
    opened: dict = {}
    for n, start, length in spans:
        span = Span(str(paths[n]), start, start + length)
        with open(span.path, "rb") as f:  # as each was read
            f.seek(span.start)
            alone = f.read(span.end - span.start)
        assert _span_bytes(span, opened) == alone
    assert len(opened) == len({n for n, _, _ in spans})
    for fd in opened.values():
        os.close(fd)


_FACT = st.one_of(st.none(), st.fixed_dictionaries(
    {"title": st.sampled_from(["A", "B"]), "status": st.sampled_from(["published", "draft"])}))


@given(st.sets(st.sampled_from(["glossary", "models"])),
       st.dictionaries(st.sampled_from(["glossary/a", "glossary/b", "models/a", "tools/a"]),
                       st.tuples(_FACT, _FACT)))
def test_the_collections_moved_are_those_of_every_entry_looked_at(moved, changes):
    """The collections whose lists change, found without looking at every changed entry,
    are those found by looking at each."""
    from pipeline.publish.lists import _moved
    from pipeline.publish.plan import signature

    old = {i: before for i, (before, _) in changes.items() if before is not None}
    facts = {i: now for i, (_, now) in changes.items() if now is not None}
    every = moved | {i.split("/", 1)[0] for i in changes
                     if signature(old.get(i)) != signature(facts.get(i))}
    assert _moved(moved, set(changes), old, facts) == every
    assert _moved(moved, set(changes), old, facts) is not moved


@settings(max_examples=400, deadline=None)
@given(st.lists(st.fixed_dictionaries({}, optional={
    "number": st.one_of(st.integers(1, 20), _TEXT), "accessed": _VALUE,
    "url": st.one_of(st.sampled_from([_PAID, "HTTPS://Up.example/<x>", "http://a.example/?a&b",
                                      "javascript:alert(1)", Markup("https://m.example/&")]),
                     _VALUE),
    "title": _VALUE, "publisher": _VALUE, "quote": _VALUE,
    "archive_url": st.one_of(st.sampled_from([_PAID, "https://archive.example/x"]), _VALUE)}),
    max_size=4), st.booleans())
def test_source_items_are_those_made_by_the_links_helper(sources, paid):
    """source_items makes a source's plain link itself (most are) and its item in one
    f-string: the same as each item made with _link_html, as it was, for any values."""
    from pipeline.publish.pages import _field, _link_html, _text, source_items

    def before(doc):
        affiliate, out = doc["affiliate"], []
        for s in doc["sources"]:
            number, accessed = _field(s, "number"), _field(s, "accessed")
            item = (f'      <li id="source-{number}" value="{number}">\n        '
                    f'{_link_html(s.get("url"), s.get("title", ""), affiliate, f"source-{number}")}')
            if s.get("publisher"):
                item += f', {_text(s["publisher"])}'
            item += f'. Accessed <time datetime="{accessed}">{accessed}</time>.'
            if s.get("archive_url"):
                archive = _link_html(s["archive_url"], "Archived copy", affiliate,
                                     f"archive-{number}")
                item += f' {archive}.'
            if s.get("quote"):
                item += f'        <blockquote>{_text(s["quote"])}</blockquote>\n'
            out.append(item + "      </li>")
        return "\n".join(out)

    doc = {"sources": sources, "affiliate": {
        "links": [{"url": _PAID, "program": "p"}] if paid else [], "label": "Paid <link>",
        "rel": "sponsored nofollow"}}
    made = source_items(doc)
    assert type(made) is Markup and made == before(doc)
