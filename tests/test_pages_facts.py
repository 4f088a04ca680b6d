"""The facts of an entry page (pages.facts): what the front matter shows, in order,
escaped, linked where it should be."""

from __future__ import annotations

from hypothesis import given, settings, strategies as st

from pipeline.publish.pages import (_UNDEFINED, _citations, _cite_text, _entry_link_text,
                                    _number_text, cite, entry_link, facts, number)


def doc(**front_matter) -> dict:
    return {
        "front_matter": front_matter,
        "affiliate": {"links": [{"url": "https://shop.example/x"}], "rel": "sponsored nofollow",
                      "label": "(paid link)", "has_links": True},
        "linked": {"hardware/rtx": {"url": "/hardware/rtx", "title": "RTX <4090>"}},
        "sources": [{"id": "spec", "number": 1}, {"id": "lab", "number": 2}],
    }


def test_no_facts_is_nothing():
    assert facts(doc()) == ""
    assert facts(doc(kind="", aka=[], specs=[], versions={})) == ""


def test_the_list_of_facts_in_order_escaped():
    html = facts(doc(role="<b>lead</b>", kind="gpu", aka=["A & B", "C"], run_date="2026-01-02"))
    assert html == ('  <dl class="facts">\n'
                    "    <dt>Also called</dt><dd>A &amp; B, C</dd>\n"
                    "    <dt>Kind</dt><dd>gpu</dd>\n"
                    "    <dt>Measured</dt><dd>2026-01-02</dd>\n"
                    "    <dt>Role</dt><dd>&lt;b&gt;lead&lt;/b&gt;</dd>\n"
                    "  </dl>\n")


def test_links_paid_unsafe_published_and_not():
    html = facts(doc(homepage="https://shop.example/x", repository="javascript:alert(1)",
                     hardware=["hardware/rtx", "hardware/<gone>"], model="hardware/rtx"))
    assert ('<dt>Homepage</dt><dd><a href="https://shop.example/x" rel="sponsored nofollow"'
            ' aria-describedby="paid-label_homepage">https://shop.example/x</a>'
            ' <span class="paid-label" id="paid-label_homepage">(paid link)</span></dd>') in html
    assert "<dt>Repository</dt><dd>javascript:alert(1)</dd>" in html  # text, not a link
    assert ('<dt>Hardware</dt><dd><a href="/hardware/rtx">RTX &lt;4090&gt;</a>, '
            "hardware/&lt;gone&gt;</dd>") in html
    assert '<dt>Model</dt><dd><a href="/hardware/rtx">RTX &lt;4090&gt;</a></dd>' in html


def test_commands_and_versions():
    html = facts(doc(message="Error: <x>", command='run "it"',
                     versions={"llama.cpp": "b3000", "CUDA": "12.4", "b": "<1>"}))
    assert '<pre class="error-message"><code>Error: &lt;x&gt;</code></pre>' in html
    assert ('<h2 class="label" aria-label="Reproduce it">Reproduce it</h2>\n'
            "  <pre><code>run &#34;it&#34;</code></pre>") in html
    # sorted by name, whatever its case
    assert ('<p class="versions"><code>b &lt;1&gt;</code> · <code>CUDA 12.4</code> · '
            "<code>llama.cpp b3000</code></p>") in html


def test_versions_whose_names_differ_by_case_come_in_one_order():
    """A page made again from its JSON (keys sorted) listed `CUDA` before `cuda`; made
    from the Markdown, in the order written: an incremental build and a fresh one
    differed (found in review)."""
    written = facts(doc(versions={"cuda": "12.1.1", "CUDA": "driver 530", "os": "Linux"}))
    from_json = facts(doc(versions={"CUDA": "driver 530", "cuda": "12.1.1", "os": "Linux"}))
    assert written == from_json
    assert written.index("<code>CUDA driver 530</code>") < written.index("<code>cuda 12.1.1")


def test_tables_of_specs_results_and_prices():
    html = facts(doc(
        specs=[{"label": "Memory", "value": 24576, "unit": "MB", "source": "spec"},
               {"label": "Slots", "value": 2}],
        results=[{"metric": "Generation", "value": 1500, "unit": "tok/s", "source": "lab"},
                 {"metric": "Prompt", "value": 9, "unit": "tok/s", "measured_by": "us"}],
        prices=[{"kind": "msrp", "amount": 1599, "currency": "USD", "source": "spec",
                 "date": "2026-01-01"},
                {"kind": "street", "amount": 1400, "currency": "USD", "date": "2026-02-01"}]))
    cite1 = '<sup class="cite">[<a href="#source-1">1</a>]</sup>'
    cite2 = '<sup class="cite">[<a href="#source-2">2</a>]</sup>'
    assert f'<tr><th scope="row">Memory</th><td>24,576 MB {cite1}</td></tr>' in html
    assert '<tr><th scope="row">Slots</th><td>2 </td></tr>' in html
    assert f'<tr><th scope="row">Generation</th><td>1,500 tok/s {cite2}</td></tr>' in html
    assert ('<tr><th scope="row">Prompt</th><td>9 tok/s <span class="muted">(measured here)'
            "</span></td></tr>") in html
    assert (f'<tr><th scope="row">MSRP</th><td>1,599 USD {cite1}</td><td>2026-01-01</td></tr>'
            in html)
    assert '<tr><th scope="row">Street</th><td>1,400 USD </td><td>2026-02-01</td></tr>' in html
    assert html.count('<table class="specs">') == 3 and html.count("</table>") == 3


def test_picks():
    html = facts(doc(picks=[{"label": "Best", "entry": "hardware/rtx", "reason": "Fast <b>"},
                            {"label": "Budget", "entry": "hardware/unknown"}]))
    assert html == ('  <ol class="picks">\n'
                    '    <li><span class="pick-label">Best</span> <a href="/hardware/rtx">'
                    "RTX &lt;4090&gt;</a><p>Fast &lt;b&gt;</p></li>\n"
                    '    <li><span class="pick-label">Budget</span> hardware/unknown</li>\n'
                    "  </ol>\n")


def test_prices_are_written_as_money():
    """`amount: 1499.50` showed "1,499.5 USD" and `499.00` "499.0 USD" (found in review)."""
    html = facts(doc(prices=[{"kind": "msrp", "amount": 1499.50, "currency": "USD"},
                             {"kind": "street", "amount": 499.00, "currency": "USD"},
                             {"kind": "used", "amount": 0.5, "currency": "EUR"}]))
    assert "<td>1,499.50 USD </td>" in html and "<td>499 USD </td>" in html
    assert "<td>0.50 EUR </td>" in html


_IDS = st.one_of(st.sampled_from(["spec", "lab", "Spec", ""]), st.none(), st.integers(0, 2),
                 st.booleans())


@settings(max_examples=300, deadline=None)
@given(st.lists(st.fixed_dictionaries({"id": _IDS}, optional={
    "number": st.one_of(st.integers(1, 3), st.text(max_size=2))}), max_size=4),
       st.lists(st.one_of(_IDS, st.just(_UNDEFINED)), max_size=4),
       st.lists(st.one_of(st.integers(), st.floats(), st.booleans(), st.none(),
                          st.text(max_size=3), st.just(_UNDEFINED)), max_size=4),
       st.lists(st.sampled_from(["hardware/rtx", "hardware/<gone>", 3, _UNDEFINED]),
                max_size=3))
def test_the_tables_text_is_that_of_cite_number_and_entry_link(sources, cited, values, ids):
    """facts puts the citations of its tables' rows (made once a page: _citations), their
    numbers and the entries it links to into its HTML as text: the same as `cite`,
    `number` and `entry_link`, for any sources, ids and values."""
    page = {**doc(), "sources": sources}
    citations = _citations(page)
    for source_id in cited:
        try:
            want = str(cite(page, source_id))
        except KeyError:  # a source it cites has no number
            continue
        assert _cite_text(page, source_id, citations) == want, source_id
    for value in values:
        assert _number_text(value) == str(number(value)), value
    for entry_id in ids:
        assert _entry_link_text(page, entry_id) == str(entry_link(page, entry_id)), entry_id


_ROW_KEYS = ["aka", "kind", "vendor", "developer", "released", "license", "platforms",
             "backends", "quantization", "run_date", "role"]
_LINK_KEYS = ["homepage", "repository", "hardware", "model", "tool", "applies_to"]


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(_ROW_KEYS + _LINK_KEYS + ["title", "tags", 3]),
                       st.one_of(st.none(), st.sampled_from(["", 0, [], "x <y>", 2026]),
                                 st.lists(st.sampled_from(["hardware/rtx", "a & b"]),
                                          max_size=2)), max_size=8))
def test_the_list_of_facts_is_that_of_each_key_looked_up(front_matter):
    """facts finds the keys of its list among the front matter's with a set: the list is
    the one each key looked up (`fm.get`) made, for keys present or not, values empty or
    not, and keys of other kinds."""
    from pipeline.publish.pages import (_ENTRY_LINK_FACTS, _FACT_ROWS, _OUT_LINK_FACTS,
                                        _link_html, _text)

    page = doc(**{})
    page["front_matter"] = fm = front_matter

    def before():
        rows = [(label, ", ".join(map(str, fm[key])) if joined else fm[key])
                for key, label, joined in _FACT_ROWS if fm.get(key)]
        if not (rows or any(fm.get(key) for key in _LINK_KEYS)):
            return ""
        out = ['  <dl class="facts">\n']
        out += [f"    <dt>{label}</dt><dd>{_text(value)}</dd>\n" for label, value in rows]
        for key, label in _OUT_LINK_FACTS:
            if fm.get(key):
                out.append(f"  <dt>{label}</dt><dd>"
                           f"{_link_html(fm[key], fm[key], page['affiliate'], key)}</dd>\n")
        for key, label, many in _ENTRY_LINK_FACTS:
            if fm.get(key):
                links = (", ".join([_entry_link_text(page, x) for x in fm[key]]) if many
                         else _entry_link_text(page, fm[key]))
                out.append(f"  <dt>{label}</dt><dd>{links}</dd>\n")
        return "".join(out) + "  </dl>\n"

    try:
        expected = before()
    except Exception as error:  # a value the list cannot show fails as it did
        try:
            facts(page)
        except type(error):
            return
        raise AssertionError("facts did not fail as the lookups did") from error
    assert facts(page) == expected
