"""Which pages a build makes, and how: links both ways, redirects, navigation.

An entry whose file changed is rendered again. Any other published entry's
page is made again from its previous JSON when what it shows of other
entries changed: its backlinks, the title or publication of an entry it
links to or credits, its git history, the old ids that redirect to it. All
its pages are made again when the templates or the navigation changed.
Otherwise the spare keeps (or takes from the live tree) the files it has.
"""

from __future__ import annotations

from ..config import COLLECTIONS
from . import redirects
from .git_history import NO_HISTORY
from .links import COLLECTION_NAMES, card
from .render import COPY, DOC, HELD, PAGE, outgoing_ids
from .run import Run


def signature(fact: dict | None):
    """What other pages show of an entry: its title, and whether it is published."""
    return None if fact is None else (fact["title"], fact["status"] == "published")


def _published_links(fact: dict | None) -> set[str]:
    return set(outgoing_ids(fact)) if fact and fact["status"] == "published" else set()


def _affected(b: Run) -> set[str]:
    """Ids whose page must be made again because of what changed in other entries: their
    backlinks changed, or an entry they show changed its title or publication."""
    old, facts = b.old["facts"], b.facts
    out: set[str] = set()
    shown = set()
    for i in b.changed:
        before, now = _published_links(old.get(i)), _published_links(facts.get(i))
        out |= before ^ now  # their "what links here"
        if signature(old.get(i)) != signature(facts.get(i)):
            shown.add(i)
            out |= before | now  # they show this entry among their backlinks
    if shown:  # the pages that show them: links, bylines
        few = len(shown) <= 16
        for i in b.published:
            fact = facts[i]
            links = fact["outgoing"]
            # a quick test of the text first, as in _incoming: most show none of them
            if (not (few and not any(s in links for s in shown))
                    and not shown.isdisjoint(links.split())
                    or not shown.isdisjoint(fact["credits"])):
                out.add(i)
    return out


def plan_pages(b: Run) -> tuple[list[tuple], dict]:
    """Plan redirects and decide how each page is made.

    -> (tasks for render.write_entries, the context they share).
    """
    facts, old, tree = b.facts, b.old, b.tree
    b.published = published = sorted([i for i, f in facts.items() if f["status"] == "published"])
    b.plan = redirects.plan_redirects(
        {i: f["status"] for i, f in facts.items()},
        {i: f["redirect_from"] for i, f in facts.items() if "redirect_from" in f},
        b.git["renames"], b.prefix)
    b.previous = previous = b.plan.previous_ids()
    b.site.set_nav(_nav(facts, published))
    b.site_changed = old["site"] != b.site.fingerprint
    histories, old_histories = b.git["histories"], old["git"].get("histories", {})
    records, affected = b.records, None
    kinds, same = {}, []
    for i in published:
        if i in records:
            kinds[i] = HELD
            continue
        if affected is None:  # not needed when every page is rendered again (a cold build)
            affected = _affected(b)
        if ("item" not in facts[i] or i in affected
                or b.git_moved and histories.get(i) != old_histories.get(i)
                or previous.get(i) != old["previous"].get(i)):
            kinds[i] = DOC
        elif b.site_changed:
            kinds[i] = PAGE
        else:
            same.append(i)
    for rel in tree.keep_same([f"{i}.{ext}" for i in same for ext in ("json", "html")]):
        kinds[rel.rsplit(".", 1)[0]] = COPY  # the spare does not have the live file
    # one string object per id, shared by the tasks that name it (the facts' keys): a
    # share of tasks is pickled for its worker, and pickle writes an object it has seen
    # once as a reference (their ids, written in full each time: 564 -> 221 KB of tasks
    # on 1,000 entries)
    ids = dict(zip(facts, facts))
    incoming, links = _incoming(facts, published, set(kinds), ids)
    # the kinds of the published entries are in their (sorted) order; a copied one's
    # comes after them
    tasks = [(ids.get(i, i), kind, incoming[i], histories.get(i, NO_HISTORY),
              previous.get(i, []), links[i] if i in links else _named(facts[i], ids),
              facts[i]["plain"]) for i, kind in (sorted(kinds.items()) if same else kinds.items())]
    needed: set[str] = set()  # the cards pages show
    for task in tasks:
        needed.update(task[2])
        needed.update(task[5])
    needed.intersection_update(published)
    cards = {i: card(i, facts[i]["title"]) for i in needed}
    people = {i: {"id": i, "title": f["title"],
                  "url": f"/{i}" if f["status"] == "published" else None}
              for i, f in facts.items() if i.startswith("authors/")}
    return tasks, {"cards": cards, "people": people, "nav": b.site.nav}


def _named(fact: dict, ids: dict[str, str]) -> list[str]:
    """outgoing_ids(fact), each the facts' own string for its id when there is one."""
    found = fact["outgoing"].split()
    return [*map(ids.get, found, found)]


def _incoming(facts: dict, published: list[str], targets: set[str], ids: dict[str, str]
              ) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """({target: the published entries that link to it, sorted}, {entry: `_named`} of
    each entry it read the links of)."""
    incoming: dict[str, list[str]] = {i: [] for i in targets}
    links: dict[str, list[str]] = {}
    if len(targets) <= 16:
        for source in published:
            out = facts[source]["outgoing"]
            if not any(t in out for t in targets):
                continue  # a quick test of the text first: most entries link to none of them
            for target in out.split():
                if target in incoming:
                    incoming[target].append(source)
        return incoming, links
    get = incoming.get
    for source in published:
        links[source] = out = _named(facts[source], ids)
        for target in out:
            sources = get(target)
            if sources is not None:
                sources.append(source)
    return incoming, links


def _nav(facts: dict, published: list[str]) -> dict:
    """The header's sections (collections with published entries) and, for the footer,
    the first page of each site section (about, trust...) by `nav_order`. No counts:
    a new entry must not change every page."""
    present = {i.split("/", 1)[0] for i in published}
    sections = [{"collection": c, "name": COLLECTION_NAMES[c], "url": f"/{c}"}
                for c in COLLECTIONS if c in present and c not in ("pages", "authors")]
    first: dict[str, tuple] = {}
    for i in published:
        if i.startswith("pages/"):
            order, section = facts[i]["nav"]
            rank = (order, facts[i]["title"], f"/{i}")
            first[section] = min(first.get(section, rank), rank)
    pages = [{"title": title, "url": url} for _, title, url in sorted(first.values())]
    return {"sections": sections, "pages": pages}
