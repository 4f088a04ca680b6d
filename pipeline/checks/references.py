"""References between entries: front-matter ids, body links, authors."""

from __future__ import annotations

import dataclasses
import difflib
import html
import re
from collections.abc import Callable
from urllib.parse import unquote

from ..catalog.text import page_links, path_to_id, relative_target, site_links
from ..config import COLLECTIONS
from ..diagnostics import rule
from ..schemas import STAR, values_at
from . import Context, check

REF_UNRESOLVED = rule(
    "ref-unresolved",
    "error",
    "Every front-matter reference names an entry that exists.",
    """
    Reference fields (`related`, `see_also`, `guides`, `errors`, `applies_to`,
    a benchmark's `hardware`, `model` and `tool`, a guide's picks) hold entry
    ids, `<collection>/<slug>`. Each must be the id of an entry in `entries/`;
    otherwise the page would show a broken link. An entry's old id, which it
    lists in `redirect_from`, is no entry: it is reported with the id to write
    instead; so is an id git's history says an entry was renamed from (`git mv`,
    without `redirect_from`), with the id it has now (after a chain of renames,
    the last; none for an entry deleted since, or where the history is not there:
    no git repository, a shallow clone). An entry that is there but
    cannot be read, or has a status the schema does not know, is reported in
    its own file only, not in every entry that refers to it. A slug where an
    id belongs (`see_also: [vllm]`) is reported with the id it likely means,
    when one collection the field lists has an entry of that slug
    (`tools/vllm`). A value not of the form of an id (`Glossary/awq`,
    `glossary/awq#kernels`, `tools/vllm/`), or an id where a slug belongs
    (`authors: [authors/ana]`), is one `schema` error, which says what to write.
    """,
    example="see_also: [tools/exllama2]     <- no entries/tools/exllama2.md",
    hint="check the spelling, or create the entry with `pipeline new`",
)
REF_COLLECTION = rule(
    "ref-collection",
    "error",
    "A front-matter reference points into a collection its field allows.",
    """
    Each reference field says which collections it may point to: `related`
    lists glossary terms, `guides` buyer guides, `errors` entries of the errors
    knowledge base, `see_also` tools, models, hardware, benchmarks or pages. A
    reference into another collection would put an entry in the wrong list.
    """,
    example="related: [tools/vllm]     <- related lists glossary terms; use see_also",
    hint="move the reference to the field that lists that collection",
)
LINK_UNRESOLVED = rule(
    "link-unresolved",
    "error",
    "Every body link to a site path `/<collection>/<slug>`, or to its full URL, names an "
    "entry that exists.",
    """
    Internal links in the body are Markdown links to site paths, such as
    `[AWQ](/glossary/awq)` or `[AWQ](/glossary/awq#kernels)`. A link written
    as a full URL on the site's own domain (`[site] base_url` in
    pipeline.toml, with or without `www.`), such as
    `[AWQ](https://local-ai-catalog.org/glossary/awq)`, is checked the same
    way, and so is one a browser completes to it (`//local-ai-catalog.org/...`,
    `https:/local-ai-catalog.org/...`); the same path on another domain is not. The path must be the id of an
    existing entry, or the reader lands on a 404. An entry's old id, which it
    lists in `redirect_from`, leads there through a redirect, and is reported
    all the same, with the entry's path to link to instead; so is an id git's
    history says an entry was renamed from (`git mv` without `redirect_from`:
    `link to /tools/ollama: no such entry; tools/ollama was renamed to
    tools/ollama-app: link to /tools/ollama-app`). A collection's index
    (`/glossary`) and the home page (`/`) are pages the build writes, and may
    be linked to. Other site paths (`/search`, `/newsletter`) are pages
    outside the catalog and are not checked, unless their first part is close
    to a collection's name (`/glosary/awq`): that one is reported, with the
    path it likely meant. A link to a Markdown file by its path, as in a
    repository (`../glossary/awq.md`), has no page on the site, and a link
    relative to the page's address (`awq`, `../tools/vllm`, `www.example.org`)
    leads to a different place depending on the address the page is served at
    (`/glossary/gptq` or `/glossary/gptq/`) and wherever the site's JSON is
    shown: both are reported, with the site path to write instead when the
    path names an entry (or an id git's history says an entry was renamed from,
    as is a site path to it in the wrong case, `/Glossary/AWQ`). A link written as raw HTML, `<a href="/glossary/awq">`,
    is checked like a Markdown link. Markdown inside an HTML block (`<div>` and
    the lines after it up to a blank line) is shown as written, brackets and
    all, and is no link: put a blank line after `<div>` to make it Markdown.
    Nor is a `](` that no `[` of its paragraph opens (`x](/glossary/awq)`), nor the outer
    one of a link in a link's text (links do not nest: in `[the [AWQ](/glossary/awq)
    page](/glossary/x)` only /glossary/awq is a link, and so in `[the [AWQ][awq]
    page](/glossary/x)` when `[awq]` is defined): the page shows it as text. A
    destination is read as the page reads it, escapes (`\\_`, `\\)`), character references
    (`&#113;`), balanced parentheses (`/wiki/Foo_(bar)`) and angle brackets (`</a b>`
    links to `/a%20b`, `/a>` to `/a%3E`) and all. A URL written bare
    is a link where GitHub's autolink extension makes one, which is never inside
    brackets, in a link's title or in code (a code span may run over two lines):
    `[https://local-ai-catalog.org/glossary/awq](/glossary/awq)` is one link, to its
    destination.
    """,
    example="[AWQ](/glossary/awk)     <- no entry glossary/awk",
    hint="check the spelling of the path; it is /<collection>/<slug>",
)
LINK_UNPUBLISHED = rule(
    "link-unpublished",
    "error",
    "A published entry links to no draft, review or retired entry.",
    """
    Only published entries appear on the site. A published page that links or
    refers to a draft, an entry in review, or a retired entry would show a
    broken link. Publish the target first, or remove the link.
    """,
    example="status: published\nsee_also: [tools/new-thing]     <- tools/new-thing is a draft",
    hint="publish the target first, or remove the link until it is",
)
LINK_ANCHOR = rule(
    "link-anchor",
    "warning",
    "A body link's `#fragment` is the id of something on the page it links to.",
    """
    A link may lead to a part of a page: `[AWQ kernels](/glossary/awq#kernels)`,
    or `[setup](#setup)` to a part of the same page. The `#fragment` must be an
    id the page has, or the reader lands at its top: the id of a heading of its
    body (`##` to `####`), of one of its numbered sources (`source-1`,
    `source-2`...), or of a part every entry's page has (`sources-heading`,
    `verdict-heading`, `backlinks-heading`, `main`...). A heading's id is made
    from its words, without citations or markup: letters (of any script) and
    digits in lower case, anything between them one hyphen (`## How it works
    [@src]` -> `how-it-works`, `## Über-großer Speicher` ->
    `über-großer-speicher`); a heading whose id an earlier heading or the page
    already has gets `-1`, `-2`... (a second `## Example` is `example-1`).
    Renaming a heading breaks the links to it: search the catalog for its old
    id. A collection's index page has the ids of its sections: the glossary's
    one per category of its terms (`/glossary#formats-quantization`, the
    category's words as a heading's, taken from the categories its schema
    allows); the other indexes and the home page have none to link to. A
    warning, since the link still leads to the right page.
    """,
    example="[AWQ kernels](/glossary/awq#kernel)     <- its heading `## Kernels` is #kernels",
    hint="link to an id the page has: a heading's words in lower case, joined by hyphens",
)
AUTHOR_UNKNOWN = rule(
    "author-unknown",
    "error",
    "Authors, reviewers and verdict signers are entries in `authors/`.",
    """
    `authors`, `reviewed_by`, `verdict.by` and a benchmark result's
    `measured_by` hold author slugs. Each must have a file
    `entries/authors/<slug>.md`, so readers can see who wrote and who checked.
    """,
    example="authors: [lead-edtor]     <- no entries/authors/lead-edtor.md",
    hint="check the slug, or add the author with `pipeline new authors SLUG`",
)


@check
def check_references(ctx: Context):
    schemas = ctx.shared("schemas", lambda: None)
    if schemas is None:
        return
    entries, broken = ctx.catalog.entries, ctx.catalog.unreadable
    # once per run, not per chunk of entries checked (see Context.shared)
    moves = ctx.shared("redirect-claimants", lambda: _claimants(entries))
    # {(collection, published): for each reference field, the values it holds with nothing
    # to say}: an author or an id is written by many entries, and whether it is fine
    # depends on the field, whether the entry is published and the target's id and
    # status, which stand-ins keep (the same in every chunk), not on the entry's
    # collection: a field alike in several collections (`see_also`, `authors`) shares one
    # set, kept under (field, published)
    fine_values = ctx.shared("reference-fine", dict)
    # {published: the site paths a link (with no `#fragment`) goes to with nothing to
    # say}: the same pages are linked entry after entry (6,969 links of the corpus, 1,293
    # paths), and what a link says depends on its path, whether the entry is published
    # and the target's id and status, which the stand-ins keep
    fine_paths = ctx.shared("reference-fine-links", lambda: {True: set(), False: set()})
    for entry in ctx.targets():
        published = entry.is_published
        data = entry.data
        fields = schemas.ref_fields(entry.collection)
        fine_of = fine_values.get((entry.collection, published))
        if fine_of is None:
            fine_of = fine_values[entry.collection, published] = [
                fine_values.setdefault((field, published), set()) for field in fields]
        for field, fine in zip(fields, fine_of):
            if not field.path or field.path[0] not in data:
                continue  # a reference field not written: no walk of its path
            is_author = field.collections == ("authors",)
            for path, value in _unjudged(data, field.path, fine):
                if not field.fits(value):
                    if bare_slug(field, value):
                        line, col = entry.pos(path)
                        yield _slug_for_id(entry, line, col, path, value, field, entries)
                    continue  # else the schema says what to write: one error, not two
                target = f"authors/{value}" if is_author and "/" not in value else value
                found = entries.get(target)
                if (found is not None and target.split("/", 1)[0] in field.collections
                        and (is_author or not published or found.is_published)):
                    fine.add(value)
                    continue  # the common case: nothing to say, so no position to look up
                if target in broken or (not is_author and target in entries
                                        and not _known_status(entries[target])):
                    continue  # its own file's error says why: one error, where it is
                line, col = entry.pos(path)
                where = ".".join(str(p) for p in path)
                if target not in entries:
                    if is_author:
                        yield AUTHOR_UNKNOWN(entry.file, line, col,
                                             f"{where}: no author '{value}' "
                                             f"(entries/authors/{value}.md)", entry=entry.id)
                    else:
                        moved, hint = _moved(value, moves, entries,
                                             lambda new: f"write {new}")
                        yield REF_UNRESOLVED(entry.file, line, col,
                                             f"{where}: '{value}' is not an entry{moved}",
                                             entry=entry.id, hint=hint)
                    continue
                collection = target.split("/", 1)[0]
                if collection not in field.collections:
                    yield REF_COLLECTION(
                        entry.file, line, col,
                        f"{where}: '{value}' is in {collection}; this field lists "
                        + ", ".join(field.collections), entry=entry.id)
                    continue
                if published and not is_author and not entries[target].is_published:
                    yield LINK_UNPUBLISHED(
                        entry.file, line, col,
                        f"{where}: '{value}' is {entries[target].status}, not published",
                        entry=entry.id)
        yield from _page_links(entry, entries, ctx.catalog.bibliography)
        fine = fine_paths[published]
        for line, col, path, anchor, origin in site_links(entry, ctx.settings.site.base_url):
            if path in fine and "#" not in anchor:
                continue  # said of another link: nothing to say
            if path.startswith("//"):  # `https://our-host//other-host/x`: a 404 of ours
                yield LINK_UNRESOLVED(entry.file, line, col, f"link to {origin}{path}: the "
                                      "site has no page whose path starts with //",
                                      entry=entry.id)
                continue
            target = path_to_id(path)
            head = path.strip("/").split("/", 1)[0]
            if head not in COLLECTIONS or _is_index(path):
                # a site page outside the catalog (/, /newsletter, /search), unless its
                # first part is a collection's name mistyped: a 404 for the reader
                meant = collection_meant(head)
                if meant is None and "#" in anchor and (head in COLLECTIONS or not head):
                    # a collection's index or the home page: a part of it, or its top
                    yield from _missing_index_anchor(entry, line, col,
                                                     f"{origin}{path}{anchor}", head, schemas)
                elif meant is not None:
                    rest = path.strip("/")[len(head):]
                    same = link_meant(path)
                    instead = (f"{origin}/{same}" if same in entries
                               else f"{origin}/{meant}{rest}")
                    yield LINK_UNRESOLVED(
                        entry.file, line, col,
                        f"link to {origin}{path}: there is no collection '{head}'; did you "
                        f"mean {instead}?", entry=entry.id,
                        hint=_hint_to(instead, path) if same in entries else None)
                elif "#" not in anchor:
                    fine.add(path)  # a site page outside the catalog
                continue
            if target in broken or (target in entries
                                    and not _known_status(entries[target])):
                continue  # its own file's error says why
            if target is None or target not in entries:
                same = link_meant(path)
                if same in entries:  # `/glossary/AWQ`: the site's paths are in lower case
                    yield LINK_UNRESOLVED(entry.file, line, col,
                                          f"link to {origin}{path}: no such entry; did you "
                                          f"mean {origin}/{same}?", entry=entry.id,
                                          hint=_hint_to(f"{origin}/{same}", path))
                    continue
                moved, hint = _moved(target, moves, entries,
                                     lambda new: f"link to {origin}/{new}{anchor}")
                yield LINK_UNRESOLVED(entry.file, line, col,
                                      f"link to {origin}{path}: no such entry{moved}",
                                      entry=entry.id, hint=hint)
            elif published and not entries[target].is_published:
                yield LINK_UNPUBLISHED(
                    entry.file, line, col,
                    f"link to {origin}{path}: '{target}' is {entries[target].status}, "
                    "not published",
                    entry=entry.id)
            elif "#" in anchor:
                yield from _missing_anchor(entry, line, col, f"{origin}{path}{anchor}",
                                           entries[target], ctx.catalog.bibliography)
            else:
                fine.add(path)  # the common case: an entry of the catalog, as it should be


def _unjudged(data: dict, path: tuple, fine: set) -> list[tuple[tuple, str]]:
    """(path, value) of each text at a reference field's `path` (values_at's) that is not
    in `fine`, the values said of another entry with nothing to say: most are. A list of
    ids (`see_also`, the commonest path) is read without a generator a step, and no path
    is made for a value found fine (check_references over the 2,000 entries of the
    corpus, one process: 33.9-38.1 -> 29.9-35.1 ms). A value written twice in one list is
    judged twice: found fine both times, or reported both times, as it was before."""
    if len(path) == 2 and path[1] == STAR:
        key = path[0]
        items = data[key]
        if not isinstance(items, list):
            return []
        try:
            if fine.issuperset(items):
                # every item found fine before (`fine` holds only text): one test in C,
                # no pair made; a list holding a mapping goes on to the reading below
                return []
        except TypeError:
            pass
        return [((key, i), value) for i, value in enumerate(items)
                if isinstance(value, str) and value not in fine]
    return [(at, value) for at, value in values_at(data, path)
            if isinstance(value, str) and value not in fine]


_SLUG = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")


def bare_slug(field, value) -> bool:
    """Whether a value of a reference field is an entry's slug where its id belongs
    (`see_also: [vllm]`, meant `tools/vllm`): reported by check_references, which knows
    the entries and can say which id it means, in place of the schema's error."""
    return (isinstance(value, str) and field.collections != ("authors",)
            and _SLUG.fullmatch(value) is not None and not field.fits(value))


def _slug_for_id(entry, line: int, col: int, path: tuple, value: str, field, entries):
    """REF_UNRESOLVED for a slug written where an entry id belongs, with the id it likely
    means: the one collection the field allows that has an entry of that slug."""
    where = ".".join(str(p) for p in path)
    found = [f"{c}/{value}" for c in field.collections if f"{c}/{value}" in entries]
    meant = f"; did you mean `{found[0]}`?" if len(found) == 1 else ""
    return REF_UNRESOLVED(entry.file, line, col,
                          f"{where}: '{value}' is a slug, not an entry id: write "
                          f"`<collection>/<slug>`{meant}", entry=entry.id,
                          hint=f"write {found[0]}" if len(found) == 1 else
                          f"write the entry's id, such as {field.collections[0]}/{value}; "
                          "this field lists " + ", ".join(field.collections))


_STATUSES = frozenset({"draft", "review", "published", "retired"})


def _known_status(entry) -> bool:
    """Whether an entry's status is one the schema allows: a target with a mistyped status
    (`publshed`), or a status of the wrong shape (`[published]`), has its own error, which
    every entry linking to it need not repeat."""
    status = entry.data.get("status")
    return isinstance(status, str) and status in _STATUSES  # a list or mapping: no hash


def collection_meant(head: str) -> str | None:
    """The collection a path's first part is close to (`glosary` -> glossary), if any."""
    if not head or head in COLLECTIONS:
        return None
    close = difflib.get_close_matches(head.lower(), COLLECTIONS, n=1, cutoff=0.8)
    return close[0] if close else None


def link_meant(path: str) -> str | None:
    """The entry id a site path likely means when it names none as written: its
    collection's name spelt right (`/glosary/awq`) and the whole in lower case, as the
    site's paths are (`/Glossary/AWQ` -> glossary/awq); None for a path to no entry's page
    or one that needs no such mending."""
    parts = path.strip("/").split("/")
    if len(parts) != 2 or not all(parts):
        return None
    head = parts[0].lower()
    collection = head if head in COLLECTIONS else collection_meant(head)
    meant = f"{collection}/{parts[1].lower()}" if collection else None
    return meant if meant != f"{parts[0]}/{parts[1]}" else None


def _claimants(entries) -> dict[str, list[str]]:
    """{old id: the ids of the entries whose `redirect_from` lists it, in order}."""
    out: dict[str, list[str]] = {}
    for entry in entries.values():
        rf = entry.data.get("redirect_from")
        if isinstance(rf, list):
            for old in rf:
                if isinstance(old, str):
                    out.setdefault(old, []).append(entry.id)
    return {old: sorted(ids) for old, ids in out.items()}


_STATUS_WORDS = {"draft": "a draft", "review": "in review"}


def _status_note(status) -> str:
    """", which is a draft" (in review, retired) of an entry a link or reference is told to
    name instead, when it is not published; nothing for a published one, or for a status
    the schema does not know (`publshed`: its own file's error says so, and "which is
    publshed" read as if it were a state)."""
    if not isinstance(status, str) or status not in _STATUSES or status == "published":
        return ""
    return f", which is {_STATUS_WORDS.get(status, status)}"


def _moved(old: str | None, moves: dict, entries, instead) -> tuple[str, str | None]:
    """(the words to add to "no such entry", the hint) for an id that is no entry's but
    one's old id, listed in its `redirect_from`: the site redirects it (once that entry
    is published), and the link or reference is to name the entry itself; `instead`
    gives the words that say so of the entry's id (`link to /glossary/awq#kernels`).
    ("", None) for another id."""
    ids = moves.get(old) if old else None
    if not ids:
        return "", None
    if len(ids) > 1:
        return ("; it is an old id of " + " and ".join(ids)
                + " (each lists it in redirect_from)", None)
    new = ids[0]
    note = _status_note(entries[new].status if new in entries else None)
    return (f"; it is an old id of {new} (its redirect_from lists it){note}: {instead(new)}",
            f"{instead(new)}, the entry the old id redirects to, not its old id")


# The words of LINK_UNRESOLVED for a link relative to the page (_page_links) whose path
# names no entry: with_renames puts where git's renames took it in place of the advice.
_FILE_PATH = "a file path, which the site has no page for"
_RELATIVE_PATH = ("a relative path, which leads elsewhere depending on the address the page "
                  "is served at")
_TO_ENTRY_PAGE = "; link to the entry's page, /<collection>/<slug>"
_TO_ANY_PAGE = ("; link to a page by its site path, /<collection>/<slug>, or to another "
                "site by its full URL")
_NOT_AN_ENTRY = re.compile(r"(?P<where>.+?): '(?P<value>.+)' is not an entry", re.DOTALL)
_NO_SUCH_ENTRY = re.compile(r"link to (?P<link>.+): no such entry", re.DOTALL)
_NO_COLLECTION = re.compile(r"(?P<start>link to (?P<link>.+): there is no collection "
                            r"'[^']*'); did you mean .+\?", re.DOTALL)
_RELATIVE_TO_NO_ENTRY = re.compile(
    r"link to (?P<link>.+): (?P<what>" + re.escape(_FILE_PATH) + "|"
    + re.escape(_RELATIVE_PATH) + ")(?:" + re.escape(_TO_ENTRY_PAGE) + "|"
    + re.escape(_TO_ANY_PAGE) + ")", re.DOTALL)


def rename_note(old: str, new: str, instead: str, status=None) -> str:
    """The words a message about a link or reference to `old`, an id git says its entry
    was renamed from, ends with: "; glossary/awq was renamed to glossary/awq-method:
    link to /glossary/awq-method" (`instead`: what to write), with the entry's `status`
    when it is not published. Validate's and the digest's say the same."""
    return f"; {old} was renamed to {new}{_status_note(status)}: {instead}"


def with_renames(diags: list, renamed: Callable[[], dict[str, str]],
                 summary_of: Callable[[str], dict | None],
                 links_of: Callable[[str], tuple[list, list]]) -> list:
    """`diags`, with each reference (REF_UNRESOLVED) and body link (LINK_UNRESOLVED) to an
    id no entry has, that nothing else explains (no `redirect_from` lists it, no case
    mends it), told where git's renames took its entry: "; tools/ollama was renamed to
    tools/ollama-app: link to /tools/ollama-app". A site path in the wrong case
    (`/Tools/Ollama`) is looked up in lower case too; a path relative to the page that
    names an old id (`../tools/ollama`, `ollama`) gets the same words in place of the
    general advice to write a site path.

    Made when the report is, not kept in the cache: where an id went depends on the
    commits, which a later one changes. `renamed()` (old id -> the entry's id now, chains
    followed: history.log.renamed_ids) is asked only when there is such a diagnostic, so
    a catalog without one pays nothing for git; `summary_of(id)` is an entry's summary
    (its status), None for no entry; `links_of(file)` the site links of an entry file,
    and its links relative to the page (catalog.text.site_links, page_links), read
    again for a link's `#fragment`."""
    unexplained = [i for i, d in enumerate(diags)
                   if (d.rule == REF_UNRESOLVED.id and _NOT_AN_ENTRY.fullmatch(d.message))
                   or (d.rule == LINK_UNRESOLVED.id
                       and (_NO_SUCH_ENTRY.fullmatch(d.message)
                            or _NO_COLLECTION.fullmatch(d.message)
                            or _RELATIVE_TO_NO_ENTRY.fullmatch(d.message)))]
    now = renamed() if unexplained else {}
    if not now:
        return diags
    out = list(diags)
    for i in unexplained:
        d = diags[i]
        ref = _NOT_AN_ENTRY.fullmatch(d.message) if d.rule == REF_UNRESOLVED.id else None
        relative = (_RELATIVE_TO_NO_ENTRY.fullmatch(d.message)
                    if d.rule == LINK_UNRESOLVED.id else None)
        message = d.message
        if ref is not None:
            olds, before, after = [ref["value"]], "write ", ""
        elif relative is not None:  # `../glossary/awq`, `awq#kernels`
            found = next((destination for line, column, destination in links_of(d.file)[1]
                          if (line, column) == (d.line, d.column)
                          and destination.partition("#")[0].split("?", 1)[0]
                          == relative["link"]), None)
            if found is None or not d.entry:  # the file changed since it was checked
                continue
            fragment = found.partition("#")[2]
            olds = [relative_target(d.entry.split("/", 1)[0], found)]
            before, after = "link to /", f"#{fragment}" if fragment else ""
            message = f"link to {relative['link']}: {relative['what']}"
        else:
            # `/Glossary/AWQ`: "there is no collection 'Glossary'; did you mean ...?" is
            # told the renamed id in place of the guess
            typo = _NO_COLLECTION.fullmatch(d.message)
            if typo is not None:
                message = typo["start"]
            link = (typo or _NO_SUCH_ENTRY.fullmatch(d.message))["link"]
            found = next(((path, anchor, origin) for line, column, path, anchor, origin
                          in links_of(d.file)[0]
                          if (line, column) == (d.line, d.column) and origin + path == link),
                         None)
            if found is None:  # the file changed since it was checked
                continue
            path, anchor, origin = found
            # `/Glossary/AWQ`: the id in lower case, as the site's paths are, was renamed
            olds = [path_to_id(path), link_meant(path)]
            before, after = f"link to {origin}/", anchor
        old = next((o for o in olds if o and now.get(o)), None)
        new = now.get(old) if old else None
        summary = summary_of(new) if new else None
        if summary is None:  # renamed, then deleted (or not committed yet)
            continue
        instead = f"{before}{new}{after}"
        out[i] = dataclasses.replace(
            d, message=message + rename_note(old, new, instead, summary.get("status")),
            hint=f"{instead}, the id its entry has had since it was renamed")
    return out


def _hint_to(instead: str, path: str) -> str:
    return f"link to {instead}" + ("; site paths are in lower case" if path != path.lower()
                                   else "")


def _page_links(entry, entries, bibliography):
    """For each link that is neither a site path nor a URL: LINK_ANCHOR when it names a
    part of the page itself (`#setup`) that the page lacks; LINK_UNRESOLVED when it is
    relative to the page's address (a Markdown file's path, `../glossary/awq.md`, as in
    a repository, or a page's, `awq`), with the site path to write instead when the
    path names an entry."""
    for line, column, destination in page_links(entry):
        meant = relative_target(entry.collection, destination)
        if meant is None:
            if destination.startswith("#"):
                yield from _missing_anchor(entry, line, column, destination, entry,
                                           bibliography)
            continue
        path, _, fragment = destination.partition("#")
        path = path.split("?", 1)[0]
        if meant in entries:
            instead = f"; link to its page, /{meant}{'#' + fragment if fragment else ''}"
        elif path.endswith(".md"):
            instead = _TO_ENTRY_PAGE
        else:
            instead = _TO_ANY_PAGE
        what = _FILE_PATH if path.endswith(".md") else _RELATIVE_PATH
        yield LINK_UNRESOLVED(entry.file, line, column, f"link to {path}: {what}{instead}",
                              entry=entry.id)


# The key under which a stand-in of an entry (cache.stub), made from its summary in the
# validate cache, holds its page's ids: validate._parse_shard puts them there.
STAND_IN_IDS = "page ids"


def page_ids_of(entry, bibliography: dict) -> tuple[str, ...]:
    """The ids of an entry's page that depend on it (publish.markdown.page_ids: its
    headings', its sources'), worked out once and kept on it; a stand-in has them in
    its data."""
    ids = entry.__dict__.get("page_ids")
    if ids is None:
        ids = entry.data.get(STAND_IN_IDS)
        if not isinstance(ids, tuple):  # a parsed entry (YAML makes no tuple)
            from ..publish.markdown import page_ids

            ids = page_ids(entry, bibliography)
        entry.__dict__["page_ids"] = ids
    return ids


def keep_page_ids(entry, ids: tuple[str, ...]) -> None:
    """Keep on `entry` the ids of its page, as rendering it found them (a build renders
    an entry as validate parses it): `page_ids_of` need not work them out again."""
    entry.__dict__["page_ids"] = ids


def _missing_anchor(entry, line: int, column: int, link: str, target, bibliography):
    """LINK_ANCHOR when the `#fragment` of `link` (decoded as a browser does) is no id of
    the page of `target`."""
    if not link.partition("#")[2]:
        return  # the top of the page
    from ..publish.markdown import PAGE_IDS

    ids = page_ids_of(target, bibliography)
    headings = [i for i in ids if not (i.startswith("source-") and i[7:].isdigit())]
    yield from _no_such_id(entry, line, column, link, ids, PAGE_IDS,
                           ("its headings' ids: ", headings),
                           "its body has no headings (## to ####); link to the page itself")


def _missing_index_anchor(entry, line: int, column: int, link: str, collection: str,
                          schemas):
    """LINK_ANCHOR when the `#fragment` of `link` is no id of the index page of
    `collection` ("": the home page). The glossary's has a section per category of its
    terms: the categories its schema allows are taken for them (one no published term
    has yet has no section, but may be linked to: which terms are published is other
    entries' business, see pipeline.checks)."""
    if not link.partition("#")[2]:
        return  # the top of the page
    from ..publish.pages import LAYOUT_IDS, index_ids

    categories = _categories(schemas) if collection == "glossary" else ()
    if categories is None:
        return  # a schema that lists no categories: no telling which sections there are
    sections = sorted(index_ids(collection, categories) - LAYOUT_IDS)
    yield from _no_such_id(entry, line, column, link, sections, LAYOUT_IDS,
                           ("its sections' ids: ", sections),
                           "the page has no sections; link to the page itself")


def _categories(schemas) -> list[str] | None:
    """The categories the glossary's schema allows its terms (`category`'s enum), or None
    when it lists none."""
    schema = schemas.schema_for("glossary") if schemas is not None else None
    node = (schema or {}).get("properties", {}).get("category")
    if not isinstance(node, dict):
        return None
    node, _ = schemas.resolve(node, schema)
    enum = node.get("enum") if isinstance(node, dict) else None
    return [c for c in enum if isinstance(c, str)] if isinstance(enum, list) else None


def _no_such_id(entry, line: int, column: int, link: str, ids, fixed: frozenset,
                listed: tuple[str, list[str]], none_hint: str):
    """LINK_ANCHOR when the `#fragment` of `link`, decoded as a browser does, is none of
    `ids` and `fixed`, the ids of the page it links to: with the close one it likely
    means, else the ids `listed` names, else `none_hint`."""
    fragment = link.partition("#")[2]
    fragment = unquote(html.unescape(fragment) if "&" in fragment else fragment)
    if fragment in ids or fragment in fixed or fragment.lower() == "top":
        return
    close = difflib.get_close_matches(fragment, [*ids, *sorted(fixed)], n=1, cutoff=0.75)
    words, shown = listed
    if close:
        hint = f"did you mean #{close[0]}?"
    elif shown:
        hint = words + ", ".join(f"#{i}" for i in shown[:5]) + (", ..." if len(shown) > 5
                                                               else "")
    else:
        hint = none_hint
    yield LINK_ANCHOR(entry.file, line, column,
                      f"link to {link}: the page has no element with the id '{fragment}'",
                      entry=entry.id, hint=hint)


def _is_index(path: str) -> bool:
    """Whether a site path is a collection's index page (`/glossary`, `/glossary/`), which
    the build writes as `<collection>.html` and serves without `.html` (found in review:
    such a link was 'no such entry' and blocked the build)."""
    return "/" not in path.strip("/")
