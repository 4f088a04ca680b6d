"""The monthly digests sent, as the site publishes them: a page per digest
(`/digests/YYYY-MM`, the address the e-mail and the feed link to), the list of
them (`/digests`), and both as JSON for the front end.

A digest's body is rendered as `pipeline digest render` renders its archive
page (digest.render.archive_html: sanitised, paid links marked and disclosed),
with the site's own layout; a link to an entry that is not published (nor
redirected, nor gone) stops the build at its line. Drafts, and digests ready
but not sent, are never published (feed.sent_digests decides, for the feed
too).
"""

from __future__ import annotations

import re

from ..digest.month import Month
from .feed import FeedItem, sent_digests
from .run import Run
from .serialize import digest, json_bytes

# The page's title is its one h1: the body's headings go one level down (h1 -> h2 ...).
# Sanitised HTML, so a heading tag is exactly `<hN>`, `<hN id="...">` or `</hN>`.
_HEADING = re.compile(r"<(/?)h([1-5])([ >])")


def _lower(m: re.Match) -> str:
    return f"<{m.group(1)}h{int(m.group(2)) + 1}{m.group(3)}"


class Prepared:
    """A sent digest, ready to be put into the spare: its feed item, its list record,
    the key of its page, and how to render its body (once, and only when needed)."""

    def __init__(self, item: FeedItem, record: dict, key: str, render):
        self.item, self.record, self.key = item, record, key
        self.month = record["month"]
        self._render = render
        self._parts: dict | None = None
        self.warnings: list[str] = []  # of the text: its page's (render), or the last build's

    def body(self) -> dict:
        if self._parts is None:
            self._parts, self.warnings = self._render()
        return self._parts


def prepare_digests(b: Run) -> list[Prepared]:
    """Every digest sent, newest first, each checked as its page checks it: called before
    anything is written, so that a link problem refuses the build while the spare is
    still as the last build left it (refused once the spare was being changed, the next
    build wrote every file again). A page whose key the live output already has was made,
    and checked, with the same links: it is not rendered again, and its warnings are the
    ones the last build kept in its state (`digests`: key -> warnings). Given only by the
    build that made the page, they went with the next build (found in review), where
    validate says again the warnings of a file it does not read again."""
    settings, site, tree = b.settings, b.site, b.tree
    paid = b.inputs.paid
    # a digest may link to an entry published, renamed since (a redirect) or retired
    # since (410: an archive keeps its links); not to one that never was
    published, plan = set(b.published), b.plan
    base_url = settings.site.base_url

    def linkable(target: str) -> bool:
        return target in published or target in plan.moved or target in plan.gone

    def status_of(target: str) -> str | None:
        """The status of an entry there but not linkable (a draft), for its message."""
        return (b.facts.get(target) or {}).get("status")

    out = []
    warned = b.old.get("digests") or {}  # the last build's: key -> warnings
    sent = sent_digests(settings)
    if sent:  # rendering a digest's body, only when there is one (0.05 s of imports)
        from ..digest.document import decode
        from ..digest.render import archive_html, entry_links
    for item, path in reversed(sent):  # newest first
        month = item.url.rsplit("/", 1)[1]
        record = {"month": month, "title": item.title, "summary": item.summary,
                  "published": item.published, "updated": item.updated, "url": item.url}
        file = path.relative_to(settings.root).as_posix()
        text = decode(path.read_bytes(), file)
        # what the page's checks depend on besides the file: whether each entry it links
        # to may be linked to (the link checks run only when the page is made again)
        links = sorted({(target, linkable(target))
                        for *_, target in entry_links(text, base_url=base_url)})
        key = digest(site.fingerprint, paid.fingerprint, file, text, repr(links))

        def render(text=text, file=file) -> dict:
            html, note, warnings = archive_html(text, file, paid.programs, linkable, base_url,
                                                status_of)
            return {"html": _HEADING.sub(_lower, html), "affiliate": {
                "has_links": note is not None,
                "disclosure": note.text if note else None,
                "statements": list(note.statements) if note else []}}, warnings

        ready = Prepared(item, record, key, render)
        if tree.live_key(f"digests/{month}.html") != key or key not in warned:
            ready.body()  # checked now, before the spare changes
        else:
            ready.warnings = list(warned[key])
        out.append(ready)
    return out


def write_digests(b: Run, prepared: list[Prepared]) -> list[FeedItem]:
    """Put the pages and JSON of every digest sent (`prepare_digests`), and their list,
    into the spare; -> their feed items, oldest first."""
    site, tree = b.site, b.tree
    listed = [ready.record for ready in prepared]
    for ready in prepared:
        tree.put(f"digests/{ready.month}.html",
                 lambda ready=ready: site.digest_page(
                     ready.item, Month.parse(ready.month).name, ready.body()), ready.key)
        tree.put(f"digests/{ready.month}.json",
                 lambda ready=ready: json_bytes({**ready.record, **ready.body()}),
                 digest(ready.key, "json"))
    tree.put("digests.json", json_bytes({"count": len(listed), "digests": listed}))
    tree.put("digests.html", lambda: site.digests_page(listed),
             digest(site.fingerprint, repr(listed)))
    return [ready.item for ready in reversed(prepared)]
