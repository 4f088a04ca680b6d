"""What a published page needs, and collisions between entries."""

from __future__ import annotations

import re

from ..catalog.text import title_key
from ..config import COLLECTIONS
from ..diagnostics import rule
from ..textchars import has_words
from . import Context, check

_DAY_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
PUBLISHED_KEYS = ("published", "summary")  # what PUBLISHED_FIELDS asks of a published entry
PUBLISHED_FIELDS = rule(
    "published-fields",
    "error",
    "A published entry has a `published` date and a `summary`.",
    """
    Once `status: published`, an entry shows its first publication date and a
    one-sentence summary (used in lists, search results, feeds and the digest).
    A summary of spaces only (`"\\u00a0"`) or invisible characters is none.
    Drafts may leave them out.
    """,
    example="status: published\n(no summary:)     <- add `summary: One sentence.`",
    hint="add the missing key (a summary with words) before publishing",
)
UPDATED_BEFORE_PUBLISHED = rule(
    "updated-before-published",
    "warning",
    "An entry's `updated` date is not before its `published` date.",
    """
    `updated` records the entry's last meaningful update, which comes after its
    first publication: an earlier one is a typo (often the month and day
    swapped, or the year), and the page and the feed would tell readers the
    entry was updated before it was published. Often it is a date left from
    the draft: set it when the entry is published, or remove it. A warning: the
    entry is published with the dates as written (`--strict` fails on it). A sent
    digest's `updated` before its date stops the build, since no validate run
    reads digests.
    """,
    example="published: 2026-03-10\nupdated: 2026-01-03     <- before it was published",
    hint="write the date of the last update, on or after `published`, or remove "
    "`updated` to take it from git",
)
TITLE_DUPLICATE = rule(
    "title-duplicate",
    "error",
    "No two entries of a collection share a title.",
    """
    Two entries with the same title in one collection are indistinguishable in
    lists and search results, and usually mean the same thing was written
    twice. Merge them, or make the titles say how they differ.
    """,
    example="entries/tools/vllm.md and entries/tools/vllm-server.md both titled 'vLLM'",
    hint="merge the two entries or make their titles distinct",
)
REDIRECT_COLLISION = rule(
    "redirect-collision",
    "error",
    "A `redirect_from` id is in a collection, not a live entry, and claimed by one entry only.",
    """
    `redirect_from` lists old ids that should redirect to this entry. An old id
    that is still an entry would hide that page behind a redirect; an old id
    claimed by two entries cannot redirect to both. An old id outside the
    collections (`glosary/old-awq`) was never a page of the site: its redirect
    would never be used, and it is usually a typo.
    """,
    example="redirect_from: [tools/vllm]     <- entries/tools/vllm.md still exists",
    hint="remove the old id from redirect_from, or retire/rename the entry it names",
)


REDIRECT_LOOP = rule(
    "redirect-loop",
    "error",
    "The `redirect_from` lists of retired entries lead to a page, not back where they began.",
    """
    A retired entry may list old ids in `redirect_from`, and its own id may be
    another's old id: when they name each other, each old address would
    redirect to the other for ever. The build refuses such a loop; validate
    reports it first, at each `redirect_from` item of the loop, so a pull
    request does not pass with it.
    """,
    example="entries/glossary/a.md (retired): redirect_from: [glossary/b]\n"
    "entries/glossary/b.md (retired): redirect_from: [glossary/a]     <- a -> b -> a",
    hint="remove one of the old ids from redirect_from, so the old ids lead to one live page",
)


def _has_words(value: str) -> bool:
    """textchars.has_words of a value that is not empty: one that starts with a visible
    ASCII character, nearly all, has words without a look-up of each character's
    Unicode category (a summary's took 1 µs, two thirds of the check of an entry)."""
    return "!" <= value[0] <= "~" or has_words(value)


def _loop(entries) -> tuple[set[str], str]:
    """(the ids of a redirect loop made by the entries' redirect_from lists, the build's
    words for it), or (empty, "") without one: the build's own planning, without git's
    renames (which the build adds)."""
    from ..publish.redirects import RedirectLoopError, plan_redirects

    try:
        plan_redirects({e.id: e.status for e in entries.values()},
                       {e.id: e.data.get("redirect_from") for e in entries.values()
                        if e.data.get("redirect_from")}, [])
    except RedirectLoopError as e:
        return set(e.cycle), str(e)
    return set(), ""


def _claims(entries) -> tuple[dict, dict, dict]:
    """({(collection, folded title): [(id, file)]}, {old id: [(id, file)]}, {title: its
    title_key}) of a catalog: who has which title, who claims which old id, and the
    folded titles, made once (an entry's title is looked up again when it is checked)."""
    titles: dict[tuple[str, str], list] = {}
    redirects: dict[str, list] = {}
    keys: dict[str, str] = {}
    for entry in entries.values():
        title = entry.data.get("title")
        if isinstance(title, str) and entry.status != "retired":
            key = keys.get(title)
            if key is None:
                key = keys[title] = title_key(title)
            titles.setdefault((entry.collection, key), []).append((entry.id, entry.file))
        rf = entry.data.get("redirect_from")
        if isinstance(rf, list):
            for old in rf:
                if isinstance(old, str):
                    redirects.setdefault(old, []).append((entry.id, entry.file))
    return titles, redirects, keys


def shared_values(entries) -> dict:
    """What check_publishing shares between the chunks of entries a process checks
    (Context.shared), made once for all of validate's workers from the entries'
    stand-ins and sent with them: the titles and old ids more than one entry has (all
    the check looks for is another entry with its target's), and the redirect loop.
    Each worker made them whole from the same stand-ins: 4 to 5 ms a worker on the
    2,000 entries of the benchmark corpus; made here, about 3 ms once, and a few KB to
    send."""
    titles, redirects, _ = _claims(entries)
    return {"publishing-claims": ({k: v for k, v in titles.items() if len(v) > 1},
                                  {k: v for k, v in redirects.items() if len(v) > 1}, {}),
            "redirect-loop": _loop(entries)}


@check
def check_publishing(ctx: Context):
    entries = ctx.catalog.entries
    # once per run, not per chunk of entries checked (see Context.shared)
    titles, redirects, keys = ctx.shared("publishing-claims", lambda: _claims(entries))
    loop, loop_message = ctx.shared("redirect-loop", lambda: _loop(entries))
    for entry in ctx.targets():
        if entry.is_published:
            for key in PUBLISHED_KEYS:
                value = entry.data.get(key)
                if not value:
                    line, col = entry.pos(("status",))
                    yield PUBLISHED_FIELDS(entry.file, line, col,
                                           f"published entry has no `{key}`", entry=entry.id)
                elif isinstance(value, str) and not _has_words(value):
                    # `summary: "\u00a0"` passed, and lists, feed and search showed none
                    line, col = entry.pos((key,))
                    yield PUBLISHED_FIELDS(entry.file, line, col,
                                           f"published entry's `{key}` is only spaces or "
                                           "invisible characters", entry=entry.id)
        published, updated = entry.data.get("published"), entry.data.get("updated")
        if (isinstance(published, str) and isinstance(updated, str)
                and _DAY_RE.fullmatch(published) and _DAY_RE.fullmatch(updated)
                and updated < published):  # the schema reports a date of another shape
            line, col = entry.pos(("updated",))
            yield UPDATED_BEFORE_PUBLISHED(entry.file, line, col,
                                           f"`updated: {updated}` is before `published: "
                                           f"{published}`", entry=entry.id)
        title = entry.data.get("title") if titles else None  # none shared by two: none to fold
        if isinstance(title, str) and entry.status != "retired":
            key = keys.get(title)
            same = titles.get((entry.collection, title_key(title) if key is None else key), [])
            if len(same) > 1:
                others = ", ".join(sorted(file for eid, file in same if eid != entry.id))
                line, col = entry.pos(("title",))
                yield TITLE_DUPLICATE(entry.file, line, col,
                                      f"title '{title}' is also the title of {others}",
                                      entry=entry.id)
        rf = entry.data.get("redirect_from")
        if isinstance(rf, list):
            for i, old in enumerate(rf):
                if not isinstance(old, str):
                    continue
                line, col = entry.pos(("redirect_from", i))
                if entry.id in loop and old in loop:
                    yield REDIRECT_LOOP(entry.file, line, col, loop_message, entry=entry.id)
                    continue
                collection = old.split("/", 1)[0]
                if "/" in old and collection not in COLLECTIONS:  # no slash: the schema says
                    yield REDIRECT_COLLISION(
                        entry.file, line, col,
                        f"redirect_from '{old}' is in no collection: '{collection}' is not "
                        f"one of {', '.join(COLLECTIONS)}", entry=entry.id,
                        hint="check the collection of the old id, or remove it")
                    continue
                if old in entries and entries[old].status != "retired":
                    yield REDIRECT_COLLISION(entry.file, line, col,
                                             f"redirect_from '{old}' is a live entry "
                                             f"({entries[old].file})", entry=entry.id)
                claimants = sorted(file for eid, file in redirects.get(old, [])
                                   if eid != entry.id)  # in path order, cached or not
                if claimants:
                    yield REDIRECT_COLLISION(entry.file, line, col,
                                             f"redirect_from '{old}' is also claimed by "
                                             + ", ".join(claimants), entry=entry.id)
