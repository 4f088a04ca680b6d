import json

from hypothesis import given, settings, strategies as st


def test_minimal_catalog_is_clean(catalog, cli):
    r = cli(catalog, "validate", "--format", "json")
    doc = json.loads(r.output)
    assert doc["diagnostics"] == []
    assert doc["summary"] == {"entries": 4, "errors": 0, "warnings": 0}
    assert r.exit_code == 0


def test_front_matter_is_walked_once_per_entry(catalog, monkeypatch):
    """What the readers of an entry's front matter need of it (its `source:` fields, its
    URLs, its dates, whether its keys are text) is found in one walk and kept on it: the
    summary (which bibliography sources it cites, which dates it has) and the citation
    and affiliate checks each walked the whole front matter again."""
    import datetime as dt

    from pipeline.catalog import text
    from pipeline.config import load_settings
    from pipeline.validate import validate

    walks = []
    walk = text._walk_front_matter

    def counting(data, path, *rest):
        if path == ():
            walks.append(id(data))  # the entries stay in memory (one process): ids unique
        return walk(data, path, *rest)

    (catalog / "data").mkdir(exist_ok=True)
    (catalog / "data" / "bibliography.yaml").write_text(
        "sources:\n  - id: shared-spec\n    url: https://example.org/spec\n"
        "    title: A spec\n    accessed: 2026-01-01\n", encoding="utf-8")
    monkeypatch.setattr(text, "_walk_front_matter", counting)
    result = validate(load_settings(catalog), today=dt.date(2026, 11, 27), cache=False, jobs=1)
    assert [d.rule for d in result.diagnostics] == ["source-unused"]  # cited by none
    assert result.entries == 4
    assert len(walks) == len(set(walks)) >= 4  # each front matter once (and the stand-in
    # entry of the catalog-wide checks, which cites what the catalog cites)


def test_what_the_front_matter_walk_finds_is_what_each_reader_found(catalog):
    """The one walk gives each reader what its own walk gave: `source:` fields outside
    `sources:`, http(s) URLs in order, texts that may hold a URL with their paths, the
    values that read as dates, and whether every key is text."""
    from pipeline.cache import _dates
    from pipeline.catalog.model import Entry
    from pipeline.catalog.text import front_matter_found, front_matter_sources

    data = {"title": "T", "cites": [{"source": "a"}, {"source": "b", "n": 2}],
            "sources": [{"id": "own", "source": "not-a-citation", "url": "https://x.org/s"}],
            "homepage": "http://example.org", "note": "see www.example.com today",
            "published": "2026-01-05", "when": "2026-01-05T10:00:00Z", "year": "2026 plans",
            "deep": {"list": ["https://y.org", {"source": "c"}]}, 7: "not text"}
    entry = Entry(id="tools/t", collection="tools", slug="t", file="tools/t.md",
                  data=data, body="", body_line=1)
    assert front_matter_sources(entry) == [(("cites", 0, "source"), "a"),
                                           (("cites", 1, "source"), "b"),
                                           (("deep", "list", 1, "source"), "c")]
    assert front_matter_found(entry, "front_matter_urls") == [
        "https://x.org/s", "http://example.org", "https://y.org"]
    assert front_matter_found(entry, "front_matter_texts") == [
        (("sources", 0, "url"), "https://x.org/s"), (("homepage",), "http://example.org"),
        (("note",), "see www.example.com today"), (("deep", "list", 0), "https://y.org")]
    assert sorted(_dates(entry)) == ["2026-01-05", "2026-01-05"]
    assert front_matter_found(entry, "front_matter_plain") is False


def _plain_walk(data, path=(), sourced=True):
    """What each reader's own walk found, one value at a time: (`source:` fields, URLs,
    texts that may hold a URL, dates, whether every key is text)."""
    found = ([], [], [], [], True)
    items = data.items() if isinstance(data, dict) else enumerate(data)
    for k, v in items:
        if isinstance(data, dict) and not isinstance(k, str):
            found = (*found[:4], False)
        if isinstance(v, str):
            if sourced and k == "source":
                found[0].append(((*path, k), v))
            if v.startswith(("https://", "http://")):
                found[1].append(v)
            if v.startswith(("https://", "http://")) or ":/" in v or ":\\" in v \
                    or "ww." in v.lower():
                found[2].append(((*path, k), v))
            if not v.startswith(("https://", "http://")) and v[:4].isdigit() \
                    and 7 <= len(v) <= 40:
                found[3].append(v)
        elif isinstance(v, (dict, list)):
            inner = _plain_walk(v, (*path, k), sourced and k != "sources")
            for mine, theirs in zip(found[:4], inner[:4]):
                mine.extend(theirs)
            if not inner[4]:
                found = (*found[:4], False)
    return found


_TEXTS = st.lists(st.sampled_from(["http://", "https://", ":", "/", "\\", "w", "W", ".", "ww.",
                                   "WW.", "2026", "-01", "x", " ", "٣", "²", "9", "\x7f", "é"]),
                 max_size=8).map("".join)
_VALUES = st.recursive(
    st.one_of(_TEXTS, st.integers(), st.none()),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.one_of(st.sampled_from(["source", "sources", "url", "t"]),
                                  st.integers(0, 3)), inner, max_size=4)),
    max_leaves=20)


@settings(max_examples=1000, deadline=None)
@given(st.dictionaries(st.sampled_from(["source", "sources", "url", "t", "d"]), _VALUES,
                       max_size=5))
def test_the_front_matter_walk_finds_what_a_plain_walk_finds(data):
    """The one walk tests a value for `:` or `.` before the tests of a URL (most values
    hold neither); it finds what testing each value in full finds."""
    from pipeline.catalog.model import Entry
    from pipeline.catalog.text import FRONT_MATTER_FOUND, front_matter_found

    entry = Entry(id="tools/t", collection="tools", slug="t", file="tools/t.md",
                  data=data, body="", body_line=1)
    assert tuple(front_matter_found(entry, name) for name in FRONT_MATTER_FOUND) == \
        _plain_walk(data)


def test_no_full_collection_between_the_passes_of_one_process(catalog, monkeypatch):
    """With one process, what validate parsed stays live; between its passes (the
    catalog's stand-ins, the catalog-wide diagnostics) no full pass of the cyclic garbage
    collector looks through it all, as none does within them (parallel.InProcess)."""
    import datetime as dt
    import gc

    import pipeline.validate as v
    from pipeline.config import load_settings
    from pipeline.parallel import FULL_COLLECTIONS_AFTER

    seen = []
    made = v._catalog_diagnostics  # between the passes, outside InProcess.call

    def noting(*args):
        seen.append(gc.get_threshold()[2])
        return made(*args)

    monkeypatch.setattr(v, "_catalog_diagnostics", noting)
    before = gc.get_threshold()
    v.validate(load_settings(catalog), today=dt.date(2026, 11, 27), cache=False, jobs=1)
    assert seen == [max(before[2], FULL_COLLECTIONS_AFTER)]
    assert gc.get_threshold() == before
