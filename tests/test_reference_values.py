"""The values at a schema's reference fields, and the entries a page links to, found the
quick way agree with the plain way."""

from __future__ import annotations

from hypothesis import given, settings, strategies as st

from conftest import REPO
from pipeline.catalog.model import Entry
from pipeline.catalog.text import path_to_id
from pipeline.config import COLLECTIONS
from pipeline.publish import links
from pipeline.schemas import STAR, SchemaSet, values_at, values_under

KEYS = ["related", "see_also", "picks", "entry", "by", STAR]
JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-2, 2) | st.sampled_from(["a", "glossary/x", ""]),
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(st.sampled_from(KEYS), inner, max_size=3),
    max_leaves=12)


@settings(max_examples=2000, deadline=None)
@given(JSON, st.lists(st.sampled_from(KEYS), max_size=3).map(tuple))
def test_values_under_are_the_values_at_the_path(data, path):
    assert values_under(data, path) == [v for _, v in values_at(data, path)]


def _plain_outgoing(entry, schemas, site_paths):
    out = set()
    for fld in schemas.ref_fields(entry.collection):
        if fld.collections != ("authors",):
            out.update(v for _, v in values_at(entry.data, fld.path) if isinstance(v, str))
    for path in site_paths:
        target = path_to_id(path)
        if target and target.split("/", 1)[0] in COLLECTIONS:
            out.add(target)
    out.discard(entry.id)
    return sorted(out)


SCHEMAS = SchemaSet.load(REPO / "schemas")
PATHS = ["/glossary/awq", "/glossary/awq/", "/nope/x", "/tools/vllm", "/", "//", "/a/b/c",
         "/guides/x", "/glossary/t", "glossary/awq", "/Glossary/awq"]


@settings(max_examples=1000, deadline=None)
@given(st.sampled_from(["glossary", "benchmarks", "guides", "authors"]),
       st.dictionaries(st.sampled_from(["related", "see_also", "authors", "model", "picks",
                                        "hardware", "verdict"]), JSON, max_size=4),
       st.lists(st.sampled_from(PATHS), max_size=4), st.integers(0, 3))
def test_outgoing_is_what_the_plain_walk_finds(collection, data, site_paths, kept):
    links._TARGETS_KEPT = kept + 1  # the paths a process remembers, full and emptied
    try:
        entry = Entry(id=f"{collection}/t", collection=collection, slug="t", file="t.md",
                      data=data, body="", body_line=1)
        for _ in range(2):  # asked again: the paths remembered give the same
            assert links.outgoing(entry, SCHEMAS, site_paths) == \
                _plain_outgoing(entry, SCHEMAS, site_paths)
    finally:
        links._TARGETS_KEPT = 4096
        links._TARGETS.clear()


TARGETS = {"glossary/awq": "published", "glossary/gguf": "draft", "tools/vllm": "publshed",
           "guides/x": "published"}
LINKS = ["/glossary/awq", "/glossary/awq#x", "/glossary/gguf", "/glossary/gguf/", "/tools/vllm",
         "/guides/x", "/guides/x#setup", "/glosary/awq", "/Glossary/AWQ", "/nope/x", "/",
         "/#top", "/glossary", "/glossary#x", "/newsletter", "//host/x", "/glossary/none"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.lists(st.sampled_from(LINKS), max_size=4)),
                min_size=1, max_size=5))
def test_links_judged_once_a_run_say_what_each_judged_alone_says(pages):
    """check_references remembers, a run long, the site paths a link goes to with nothing
    to say: what it says of the pages checked together is what it says of each alone."""
    from pipeline.catalog.model import Catalog
    from pipeline.checks import Context
    from pipeline.checks.references import check_references
    from pipeline.config import Settings

    def page(n, published, paths):
        return Entry(id=f"guides/p{n}", collection="guides", slug=f"p{n}", file=f"p{n}.md",
                     data={"status": "published" if published else "draft"},
                     body="".join(f"See [it]({p}).\n" for p in paths), body_line=1)

    entries = {i: Entry(id=i, collection=i.split("/")[0], slug=i.split("/")[1], file=f"{i}.md",
                        data={"status": s, "title": i}, body="Text.\n", body_line=1)
               for i, s in TARGETS.items()}
    entries.update({e.id: e for e in (page(n, *p) for n, p in enumerate(pages))})
    catalog = Catalog(entries=entries, bibliography={})
    settings = Settings(root=REPO, given=frozenset())

    def said(only):
        ctx = Context(catalog=catalog, settings=settings, only=only,
                      extras={"schemas": SCHEMAS})
        return [(d.rule, d.entry, d.line, d.message) for d in check_references(ctx)
                if ctx.wants(d.entry)]

    ids = [f"guides/p{n}" for n in range(len(pages))]
    assert said(set(ids)) == [d for i in ids for d in said({i})]


VALUES = ["glossary/awq", "glossary/gguf", "tools/vllm", "guides/x", "vllm", "awq", "ana",
          "authors/ana", "nobody", "Glossary/awq", "glossary/none", 3, None]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["glossary", "guides", "hardware", "benchmarks"]),
                          st.booleans(),
                          st.dictionaries(st.sampled_from(["related", "see_also", "authors",
                                                           "reviewed_by", "guides"]),
                                          st.lists(st.sampled_from(VALUES), max_size=4),
                                          max_size=3)),
                min_size=1, max_size=5))
def test_reference_values_judged_once_a_run_say_what_each_judged_alone_says(pages):
    """check_references remembers, a run long, the values a reference field holds with
    nothing to say, one set for a field alike in several collections, and reads a list of
    ids in one step: what it says of entries of several collections checked together
    (a value twice in a list too) is what it says of each alone, in the same order."""
    from pipeline.catalog.model import Catalog
    from pipeline.checks import Context
    from pipeline.checks.references import check_references
    from pipeline.config import Settings

    entries = {i: Entry(id=i, collection=i.split("/")[0], slug=i.split("/")[1], file=f"{i}.md",
                        data={"status": s, "title": i}, body="Text.\n", body_line=1)
               for i, s in {**TARGETS, "authors/ana": "published"}.items()}
    for n, (collection, published, refs) in enumerate(pages):
        entries[f"{collection}/p{n}"] = Entry(
            id=f"{collection}/p{n}", collection=collection, slug=f"p{n}", file=f"p{n}.md",
            data={"status": "published" if published else "draft", **refs}, body="",
            body_line=1, positions={(k, i): (2 + i, 3) for k in refs for i in range(4)})
    catalog = Catalog(entries=entries, bibliography={})
    settings = Settings(root=REPO, given=frozenset())

    def said(only):
        ctx = Context(catalog=catalog, settings=settings, only=only,
                      extras={"schemas": SCHEMAS})
        return [(d.rule, d.entry, d.line, d.column, d.message) for d in check_references(ctx)
                if ctx.wants(d.entry)]

    ids = [f"{c}/p{n}" for n, (c, _, _) in enumerate(pages)]
    assert said(set(ids)) == [d for i in sorted(ids) for d in said({i})]


@settings(max_examples=2000, deadline=None)
@given(st.dictionaries(st.sampled_from(["see_also", "verdict"]), JSON, max_size=2),
       st.sampled_from([("see_also", STAR), ("verdict", "by"), ("see_also",)]),
       st.sets(st.sampled_from(["a", "glossary/x", "", "b"])))
def test_values_not_yet_fine_are_those_of_the_plain_walk(data, path, fine):
    """_unjudged, which tells a list of ids all found fine by one test, gives the values at
    the path (values_at's) not in `fine`, in order."""
    from pipeline.checks.references import _unjudged

    if path[0] not in data:
        return  # check_references asks only of a field written
    assert _unjudged(data, path, fine) == [(at, v) for at, v in values_at(data, path)
                                           if isinstance(v, str) and v not in fine]
