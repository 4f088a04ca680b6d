"""What each page is made of that depends only on the entry's own file.

The rendered body, the numbered sources, the entries it links to and its
affiliate links are a pure function of the entry's bytes and the
catalog-wide `Inputs` (bibliography, affiliate programs, schemas, settings,
the tool's version and code). When none of those changed, an entry whose
file did not change is never parsed or rendered again.
"""

from __future__ import annotations

from functools import cached_property

from ..catalog.loader import parse_bibliography
from ..catalog.model import Entry
from ..catalog.text import front_matter_found
from ..config import Settings
from ..affiliates.links import keep_rendered_hrefs
from .affiliate import PaidLinks
from .links import outgoing
from .markdown import MarkedBody, number_sources, render_body, source_ids
from .serialize import digest, tool_fingerprint


class Inputs:
    """Everything besides an entry's own bytes that its parts depend on; read when an
    entry is rendered, but fingerprinted (by the files' bytes) for every build."""

    def __init__(self, settings: Settings):
        self.settings = settings
        files = [settings.path("bibliography"), settings.path("affiliates"),
                 *sorted(settings.path("schemas").glob("*.schema.json"))]
        self.fingerprint = digest(tool_fingerprint(), settings.fingerprint,
                                  *(f"{p.name}\n".encode() + (p.read_bytes() if p.is_file()
                                                              else b"-") for p in files))

    @cached_property
    def bibliography(self) -> dict:
        path = self.settings.path("bibliography")
        data = path.read_bytes() if path.is_file() else None
        return parse_bibliography(self.settings.paths.bibliography, data)[0]

    @cached_property
    def paid(self) -> PaidLinks:
        return PaidLinks.load(self.settings)

    @cached_property
    def schemas(self):
        from ..schemas import SchemaSet  # only when an entry is rendered

        return SchemaSet.load(self.settings.path("schemas"))


def _source_urls(sources: list[dict]) -> list[str]:
    return [s[key] for s in sources for key in ("url", "archive_url")
            if isinstance(s.get(key), str)]


def make_parts(entry: Entry, inputs: Inputs) -> tuple[dict, str, tuple[str, ...] | None]:
    """(parts, the body's plain text, the ids of the page that depend on the entry:
    what markdown.page_ids works out for validate without rendering). The ids are None
    when a citation names no source: the page shows it as written, in a heading's id
    too, where page_ids (and the page once the source is there) has none."""
    marked = MarkedBody(entry)
    cited = marked.cited_ids()
    sources = number_sources(entry, cited, inputs.bibliography)
    paid = inputs.paid
    body = render_body(entry, sources, paid.is_affiliate, rel=paid.rel, label=paid.label,
                       marked=marked, base_url=inputs.settings.site.base_url)
    keep_rendered_hrefs(entry, body.hrefs)  # for the affiliate checks: not rendered again
    return {
        "body_html": body.html,
        "sources": sources,
        "outgoing": outgoing(entry, inputs.schemas, body.site_paths),
        # the numbered sources (shared ones too) are links of the page: out_link draws them
        "affiliate": paid.summary([*body.links, *front_matter_found(entry, "front_matter_urls"),
                                   *_source_urls(sources)]),
    }, body.text, (*body.ids, *source_ids(len(sources))) \
        if {s["id"] for s in sources}.issuperset(cited) else None
