"""Affiliate links: foreign tracking ids, shorteners, forbidden collections, verdict review.

Links are recognised with the programs file (`pipeline.affiliates`); it is
read once per run and its own problems are reported as `affiliate-programs`.
"""

from __future__ import annotations

from ..affiliates import Programs, classify, read_programs
from ..affiliates.report import notable_links, paid_sources
from ..affiliates.links import bibliography_links
from ..affiliates.audit import (earlier_entry, independent_reviewers, renames_between,
                                verdict_changed, verdict_of)
from ..diagnostics import rule
from . import Context, check

FOREIGN_TAG = rule(
    "affiliate-foreign-tag",
    "error",
    "An affiliate link carries one of our tracking ids.",
    """
    A link that a program of `data/affiliates.yaml` recognises (an Amazon link
    with `tag=`, an Impact, CJ, Awin... tracking link) must carry a tracking id
    listed under that program's `our_ids`. Any other id is a typo, a link copied
    from another site, or a hijacked tag: the commission would go to someone
    else while our disclosure says it is ours. A store page carrying another
    visitor's click id (Impact's `irclickid`) is refused for the same reason,
    and so is a link giving its tracking parameter twice with different values
    (`tag=localaicat-20&tag=other-20`): the program may credit either.
    A store link without any tracking id is not an affiliate link and is fine.
    Sources of the shared bibliography are checked too, on full runs.
    """,
    example="https://www.amazon.com/dp/B0BJFRT43X?tag=localaicat-21     <- ours is localaicat-20",
    hint="use our tracking id (see our_ids in data/affiliates.yaml), or link without one",
)
SHORTENER = rule(
    "affiliate-shortener",
    "error",
    "No link goes through a shortener that hides its destination.",
    """
    Shortened links (amzn.to, geni.us, bhpho.to, bit.ly, tinyurl.com and the
    other hosts in `data/affiliates.yaml`) hide where they go and which tracking
    id they carry, so neither reviewers nor this check can audit them, and
    readers cannot see that a link is paid. Write the full link instead.
    """,
    example="[RTX 4090](https://amzn.to/3xYzAbc)     <- use https://www.amazon.com/dp/ASIN?tag=localaicat-20",
    hint="replace it with the full link it redirects to (with our tracking id if it is a paid link)",
)
TAG_CASE = rule(
    "affiliate-tag-case",
    "warning",
    "A link gives a program's tracking parameter in the case the program reads.",
    """
    A program reads its tracking parameter as its documentation writes it:
    Amazon reads `tag`, not `TAG` or `Tag` (`data/affiliates.yaml` lists each
    program's parameters, and case matters there, as it does to the program).
    A store link carrying `?TAG=localaicat-20` is therefore no paid link: it
    earns nothing, and it is not labelled, disclosed or replaced in the e-mail
    as one. It is most likely our tag mistyped. Write the parameter as the
    program reads it (and the link is then a paid link, with all that goes with
    it), or drop it.
    """,
    example="https://www.amazon.com/dp/B0BJFRT43X?TAG=localaicat-20     <- write tag=localaicat-20",
    hint="write the tracking parameter in the program's case (tag=...), or drop it",
)
FORBIDDEN_COLLECTION = rule(
    "affiliate-forbidden-collection",
    "error",
    "Collections whose policy forbids them carry no affiliate links.",
    """
    Editorial policy keeps some collections free of paid links, those the
    `[affiliates] forbidden_collections` setting in pipeline.toml lists: in the
    shipped settings every collection but hardware and guides, as the catalog
    tells its readers (without the setting: benchmarks, errors and glossary).
    Readers come to them for explanations, measurements and fixes, and a paid
    link there would look like the answer depends on it. This covers
    every URL of the entry: body, offers and sources alike, and the sources of
    the shared bibliography it cites (`[@id]` or a fact's `source:`), reported
    at the citation since its page lists them.
    """,
    example="entries/glossary/gguf.md: [buy](https://www.amazon.com/dp/B0?tag=localaicat-20)",
    hint="link the store page without a tracking id, or move the offer to a hardware or guide page",
)
VERDICT_REVIEW = rule(
    "affiliate-verdict-review",
    "error",
    "A verdict that changes on a page with affiliate links has an independent reviewer.",
    """
    Checked with `pipeline validate --changed-since REV` (the base of a pull
    request). When an entry carrying affiliate links gets a new verdict, or its
    verdict's rating or text changes from REV, `reviewed_by` must name someone
    who is not one of its `authors`: whoever put the paid links on the page
    does not get the last word on its verdict. This is how we keep the promise
    that paid links never influence a verdict.
    """,
    example="authors: [ana]\nreviewed_by: [ana]     <- ana wrote it; add another reviewer\n"
    "verdict:\n  rating: avoid     <- was recommended",
    hint="ask an editor who did not write the entry to review it, and add them to reviewed_by",
)


def _programs(ctx: Context) -> tuple[Programs, list]:
    return ctx.shared("affiliate-programs", lambda: read_programs(ctx.settings))


def link_problems(link, c, collection: str | None, forbidden: set[str]):
    """The problems of one found link (`link`) of class `c`: a shortener, someone else's
    tracking id, a paid link in a collection that forbids them. Also the digest's."""
    if link.where == "citation":
        # A shared source the entry cites, at the citation: judged under the entry's
        # collection; its shortener or foreign id is reported once, at its own line.
        if c.is_affiliate and collection in forbidden:
            _, sid, key = link.path
            yield FORBIDDEN_COLLECTION(
                link.file, link.line, link.column,
                f"cites '{sid}' of the shared bibliography, whose {key} {link.url} is a "
                f"paid link ({c.program_name}): the page lists it, and {collection} "
                "allows no affiliate links",
                entry=link.entry)
        return
    where = f"{link.field}: " if link.field else ""
    if c.shortener and c.via and c.via == c.host:  # wrappers in wrappers, too deep to follow
        yield SHORTENER(link.file, link.line, link.column,
                        f"{where}{link.url} goes through link wrappers inside one another "
                        f"({c.via}), too many to follow: where it leads is hidden; link to "
                        "the address itself", entry=link.entry)
        return
    if c.via:  # `google.com/url?q=<paid link>`: say what the wrapper hides
        where = f"{where}through the {c.via} link wrapper, "
    if c.shortener:
        owner = f" ({c.program_name})" if c.program_name else ""
        yield SHORTENER(link.file, link.line, link.column,
                        f"{where}{c.host}{owner} is a link shortener: it hides where "
                        f"{link.url} goes", entry=link.entry)
    elif c.is_affiliate and not c.ours:
        if c.repeated is not None:
            name, values = c.repeated
            message = (f"{where}{c.program_name} link gives its tracking parameter '{name}' "
                       f"more than once, with different values ({', '.join(values)}): "
                       "the program may credit any of them")
        elif c.click_id:
            message = (f"{where}{link.url} carries the click id of someone else's visit "
                       f"({c.program_name}): it credits that click, not us")
        else:
            message = (f"{where}{c.program_name} link with tracking id '{c.tracking_id}', "
                       "which is not ours")
        yield FOREIGN_TAG(link.file, link.line, link.column, message, entry=link.entry)
    if c.miscased is not None:
        program, written, reads, value = c.miscased
        yield TAG_CASE(link.file, link.line, link.column,
                       f"{where}{link.url} gives '{written}={value}', but {program} reads "
                       f"its tracking parameter as '{reads}', in that case: this link pays "
                       f"no one and is not shown as a paid link; write '{reads}={value}' "
                       "if it is meant to be one", entry=link.entry)
    if c.is_affiliate and collection in forbidden:
        yield FORBIDDEN_COLLECTION(link.file, link.line, link.column,
                                   f"{where}{c.program_name} link in {collection}, where "
                                   "affiliate links are not allowed", entry=link.entry)


def _renamed(ctx: Context) -> dict[str, str]:
    """{id now: id at the base revision} of the entries renamed since (read once a run)."""
    rev = getattr(ctx.base_catalog.entries, "rev", None)  # validate's _EntriesAt (--changed-since)
    return ctx.shared("affiliate-renames",
                      lambda: renames_between(ctx.settings, rev, None) if rev else {})


def _review_problem(ctx: Context, entry, paid: list[str]):
    old = earlier_entry(ctx.base_catalog, entry)
    if old is None:  # new, or renamed since the base revision (git mv, no redirect_from)
        old = earlier_entry(ctx.base_catalog, entry, _renamed(ctx))
    if not verdict_changed(old, entry) or independent_reviewers(entry):
        return None
    before, now = verdict_of(old), verdict_of(entry)
    what = (f"verdict changed ({before.get('rating')} -> {now.get('rating')})" if before
            else f"new verdict ({now.get('rating')})")
    line, col = entry.pos(("verdict",))
    return VERDICT_REVIEW(entry.file, line, col,
                          f"{what} on a page with affiliate links ({', '.join(paid)}) since "
                          "the base revision: reviewed_by names nobody but its authors",
                          entry=entry.id)


@check
def check_affiliates(ctx: Context):
    programs, problems = _programs(ctx)
    yield from problems
    if not programs.programs and not programs.shorteners:
        return
    forbidden = set(ctx.settings.affiliates.forbidden_collections)
    # the shared sources that are paid links: their citations are links of the citing pages
    paid_bib = ctx.shared("affiliate-paid-sources",
                          lambda: paid_sources(ctx.catalog.bibliography, programs))
    for entry in ctx.targets():
        pairs = notable_links(entry, programs, paid_bib)  # the links with something to say
        for link, c in pairs:
            yield from link_problems(link, c, entry.collection, forbidden)
        paid = sorted({c.program for _, c in pairs if c.is_affiliate})
        if ctx.base_catalog is not None and paid:
            problem = _review_problem(ctx, entry, paid)
            if problem:
                yield problem
    if ctx.only is None:  # the shared bibliography is checked on full runs only
        for link in bibliography_links(ctx.catalog):
            yield from link_problems(link, classify(link.url, programs), None, forbidden)
