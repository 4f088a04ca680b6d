"""plan_pages' helpers against the plain computations they replace."""

from __future__ import annotations

from hypothesis import given, settings, strategies as st

from pipeline.publish.plan import _incoming
from pipeline.publish.render import outgoing_ids

IDS = [f"{c}/{s}" for c in ("glossary", "models", "tools") for s in ("a", "ab", "b", "a-b")]


def _plain_incoming(facts: dict, published: list[str], targets: set[str]) -> dict:
    """{target: the published entries that link to it, in order}, as it was worked out."""
    return {t: [s for s in published if t in outgoing_ids(facts[s])] for t in targets}


@settings(max_examples=400, deadline=None, derandomize=True)
@given(st.dictionaries(st.sampled_from(IDS + ["pages/gone"]),
                       st.lists(st.sampled_from(IDS + ["pages/gone"]), unique=True)),
       st.sets(st.sampled_from(IDS)), st.sampled_from([1, 17]))
def test_incoming_and_the_links_read_are_the_plain_ones(links, targets, spread):
    # `spread` 17: more targets than the quick test's 16, a cold build's case
    targets = targets | ({f"models/x{n}" for n in range(spread)} if spread > 16 else set())
    facts = {i: {"outgoing": " ".join(sorted(out))} for i, out in links.items()}
    published = sorted(facts)
    ids = {i: i for i in facts}
    incoming, read = _incoming(facts, published, targets, ids)
    assert incoming == _plain_incoming(facts, published, targets)
    for source, named in read.items():
        assert named == outgoing_ids(facts[source])
        assert all(n is ids[n] for n in named if n in ids)  # the facts' own strings
    assert len(targets) <= 16 or set(read) == set(published)


_FACT = st.one_of(st.none(), st.fixed_dictionaries({
    "title": st.sampled_from(["A", "B"]), "status": st.sampled_from(["published", "draft"]),
    "outgoing": st.lists(st.sampled_from(IDS), unique=True).map(lambda o: " ".join(sorted(o))),
    "credits": st.lists(st.sampled_from(IDS[:3]), unique=True)}))


@settings(max_examples=400, deadline=None, derandomize=True)
@given(st.dictionaries(st.sampled_from(IDS), st.tuples(_FACT, _FACT)))
def test_the_pages_affected_are_those_the_plain_sets_find(changes):
    """`_affected`, which tests an entry's links as text before it splits them, finds the
    pages the plain sets found."""
    from types import SimpleNamespace

    from pipeline.publish.plan import _affected, _published_links, signature

    old = {i: before for i, (before, _) in changes.items() if before is not None}
    facts = {i: now for i, (_, now) in changes.items() if now is not None}
    published = sorted(i for i, f in facts.items() if f["status"] == "published")
    b = SimpleNamespace(old={"facts": old}, facts=facts, changed=set(changes),
                        published=published)
    plain, shown = set(), set()
    for i in changes:
        before, now = _published_links(old.get(i)), _published_links(facts.get(i))
        plain |= before ^ now
        if signature(old.get(i)) != signature(facts.get(i)):
            shown.add(i)
            plain |= before | now
    plain |= {i for i in published if not shown.isdisjoint(outgoing_ids(facts[i]))
              or not shown.isdisjoint(facts[i]["credits"])}
    assert _affected(b) == plain
