"""Render a digest: `email.html` (MJML), `email.txt`, `email.eml` and `web.html`.

The Markdown is rendered once per medium. In the e-mail, links of affiliate
programs that forbid e-mail (Amazon) are replaced by links to our own entry
page (the item's entry; in the editor's text, the first entry linked in the
same paragraph, else the digest's web page). When paid links remain, the
disclosure stands at the top, before the first of them, and each paid link
carries the label. Templates ship in `pipeline/templates/digest/`; the MJML
and HTML templates are autoescaped, and the Markdown's HTML is sanitised.
"""

from __future__ import annotations

import html as _html
import os
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

import jinja2

from ..catalog import yamlpos
from ..config import Settings
from ..diagnostics import by_place
from ..errors import PipelineError, SettingsError, UsageError
from ..fileio import write_atomic
from ..history import renamed_ids
from ..textchars import INVISIBLE, named
from .document import Block, Document, key_place, parse, read_text, unsendable
from .eml import build_eml, unsubscribe_problem
from .markdown import hrefs, mark_paid, to_html, without_paid_links
from .month import Month
from .plaintext import columns, html_to_text, wrap
from .sections import entry_of

GMAIL_CLIP = 100_000  # bytes; Gmail clips a message whose HTML is larger (about 102 KB)
FILES = ("email.html", "email.txt", "email.eml", "web.html")
_SITE_LINK = re.compile(r"\]\((/[a-z]+/[a-z0-9-]+)[)#\s]")
_PARAGRAPHS = re.compile(r"(\n[ \t]*\n)")


@dataclass
class RenderResult:
    files: dict[str, Path]
    sizes: dict[str, int]
    paid_links: int  # affiliate links left in the e-mail
    warnings: list[str] = field(default_factory=list)


def _env(autoescape: bool) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("pipeline", "templates/digest"),
        autoescape=autoescape,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["columns"] = columns  # the text part's underline of a wide subject
    env.filters["wrap"] = wrap  # its subject and preheader, at 72 terminal columns
    return env


def check_email_settings(settings: Settings) -> None:
    """Refuse to make an e-mail without a sender, a postal address or an HTTPS unsubscribe
    URL, or with one a message cannot carry; each at its line of pipeline.toml."""
    from email.errors import HeaderParseError
    from email.message import EmailMessage

    from ..config import settings_line

    e = settings.email
    missing = [name for name, value in (("from", e.from_), ("postal_address", e.postal_address),
                                        ("unsubscribe_url", e.unsubscribe_url)) if not value.strip()]
    if missing:
        raise SettingsError(
            f"{settings_line(settings, 'email', missing[0])}: [email] {', '.join(missing)} not "
            "set; an e-mail must name its sender, carry the sender's postal address (CAN-SPAM) "
            "and an unsubscribe link. See docs/settings.md.")
    for key, value in (("from", e.from_), ("reply_to", e.reply_to)):
        try:
            if value:
                EmailMessage()["From"] = value
        except (HeaderParseError, ValueError, IndexError) as err:
            raise SettingsError(f"{settings_line(settings, 'email', key)}: [email] {key} is not "
                                f"an address ({err}): write `Name <name@host>` or "
                                "`name@host`") from None
    at = settings_line(settings, "email", "unsubscribe_url")
    if not e.unsubscribe_url.startswith("https://"):
        raise SettingsError(f"{at}: [email] unsubscribe_url must be an https:// URL "
                            f"(List-Unsubscribe one-click needs HTTPS), not {e.unsubscribe_url!r}")
    problem = unsubscribe_problem(e.unsubscribe_url)
    if problem:
        raise SettingsError(f"{at}: [email] unsubscribe_url {problem}")


def _pieces(doc: Document, base: str, fallback: str) -> list[tuple[str, str]]:
    """(Markdown, our page for its links) for every piece of the body, in order."""
    out = []
    for part in doc.parts:
        if isinstance(part, Block):
            out.append((part.head, fallback))
            for seg in part.segments:
                eid = entry_of(seg.id)
                out.append((seg.text, f"{base}/{eid}" if eid else fallback))
            # the end marker ended the block: text right after it is a paragraph of its
            # own, not a lazy continuation of the block's last item (found in review)
            out.append(("\n", fallback))
            continue
        for para in _PARAGRAPHS.split(part):
            m = _SITE_LINK.search(para)
            out.append((para, f"{base}{m.group(1)}" if m else fallback))
    return out


def _key_at(doc: Document, key: str) -> str:
    """`line:column` of front-matter key `key` in the file (see document.key_place);
    `1:1`, the front matter's start, when it has no such key."""
    line, column = key_place(doc.front, key) or (1, 1)
    return f"{line}:{column}"


def _meta_text(doc: Document, key: str, file: str, required: bool) -> tuple[str, str | None]:
    """(the text of front-matter key `key`, its spaces run together; what is wrong with
    it, `file:line:column: ...`, or None)."""
    value = doc.meta.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        return "", (f"{file}:{_key_at(doc, key)}: the front matter needs `{key}:`"
                    if required else None)
    if not isinstance(value, str):
        return "", f"{file}:{_key_at(doc, key)}: `{key}:` must be text"
    invisible = INVISIBLE.search(value)
    if invisible:  # an escape (`"\e"`, `"\x01"`): it went raw into the Subject header
        return "", (f"{file}:{_key_at(doc, key)}: `{key}:` holds the invisible character "
                    f"{named(invisible.group())} written as an escape (such as `\\x01`), "
                    "which no e-mail can show: delete it")
    return " ".join(value.split()), None


@dataclass
class Front:
    """A digest's front matter as render reads it (see `front_matter`)."""
    subject: str
    preheader: str
    refused: list[str]  # what render refuses, each `file:line:column: ...`, in its order
    warnings: list[str]  # what it warns of


def front_matter(doc: Document, file: str, m: Month, programs=None) -> Front:
    """The subject and preheader of a digest, what `digest render` refuses of its front
    matter (a `subject:` missing or not text, a `preheader:` not text, either holding an
    invisible character written as an escape or the address of a paid link of
    `programs`, a `month:` other than the file's, what the build refuses once it is
    sent: see document.unsendable) and what it warns of (a value a `#` cuts short, a
    `status:` that is none of a digest's), each at its place. Render refuses the first;
    `digest draft` warns of them all, in these words (it said nothing of a missing
    subject: found in review), so the two cannot say them apart."""
    subject, no_subject = _meta_text(doc, "subject", file, required=True)
    preheader, no_preheader = _meta_text(doc, "preheader", file, required=False)
    refused = [p for p in (no_subject, no_preheader) if p]
    if str(doc.meta.get("month", m)) != str(m):
        refused.append(f"{file}:{_key_at(doc, 'month')}: front matter says month "
                       f"{doc.meta.get('month')}, the file name says {m}: write `month: {m}`")
    problem = unsendable(doc.front, file)  # as the build would, once it is sent
    said = {p.split(":")[1] for p in refused}
    if problem is not None and str(problem).split(":")[1] not in said:  # an escape said
        refused.append(str(problem))  # above at its key is not said again at its value
    if programs is not None:
        # the inbox shows them, the text part and the page as their first lines, where a
        # mail program makes a link of an address (the subject went unchecked: found in
        # review)
        paid = _paid_test(programs)
        for key, value in (("subject", subject), ("preheader", preheader)):
            try:  # at its key: a value may be written over lines, or quoted
                if value:
                    _no_paid_address_shown(_html.escape(value), programs, paid,
                                           lambda url, key=key: f"{file}:{_key_at(doc, key)}",
                                           f" in its {key}")
            except PipelineError as e:
                refused.append(str(e))
    # a value a `#` cuts short (`subject: Issue #3` goes out as "Issue"), as validate
    # warns of one in an entry (yaml-comment)
    warnings = [f"{file}:{line}:{column}: {message}"
                for line, column, message in yamlpos.cut_values(doc.front, first_line=2)]
    status = doc.meta.get("status")
    if "status" in doc.meta and str(status).strip().lower() not in (
            "draft", "review", "ready", "sent"):
        warnings.append(f"{file}:{_key_at(doc, 'status')}: status: {status!r} is not a "
                        "digest's status: write draft, review, ready or sent (pipeline build "
                        "stops at it)")
    return Front(subject, preheader, refused, warnings)


def _paid_link_problems(body: str, body_line: int, file: str, programs) -> list[str]:
    """The affiliate rules of entries, on the digest's text (`body`, starting at file
    line `body_line`): no shortener (it hides where it goes, and any tracking id), no
    one else's tracking id; each problem at its line, as validate says them."""
    from ..affiliates import classify, links_in_text
    from ..checks.affiliates import link_problems

    return [f"{d.file}:{d.line}:{d.column}: {d.severity} {d.rule}: {d.message}"
            for link in links_in_text(body, file, first_line=body_line,
                                      rendered=True)  # what cmark makes a link of too
            for d in link_problems(link, classify(link.url, programs), None, set())]


def _refuse_links(found: list[str], file: str, then: str) -> None:
    """Refuse the digest for `found` (messages `file:line:column: ...`), all at once and
    in the order of the lines: an editor fixes them in one go, not one kind per run
    (found in review: a shortener hid the links to no entry until it was fixed)."""
    if found:
        found = sorted(found, key=lambda message: [int(n) for n in message.split(":")[1:3]])
        raise PipelineError("\n".join(
            found + [f"{file}: {len(found)} link problem(s); fix them, then {then}"]))


def _as_entry(body: str, body_line: int):
    """A digest's text as an entry's body, for catalog.text's link finders. Its raw HTML
    links are none: the digest's renderer drops raw HTML (digest.markdown), so a link
    written as one never reaches the e-mail or the page."""
    from ..catalog.model import Entry
    from .markdown import footnotes_aside

    # a footnote's definition (`[^1]: /glossary/awq`) is text in the e-mail, no link
    entry = Entry(id="", collection="", slug="", file="", data={}, body=footnotes_aside(body),
                  body_line=body_line)
    entry.__dict__["html_links"] = []  # see catalog.text.html_links
    return entry


def entry_links(body: str, body_line: int = 1,
                base_url: str = "") -> list[tuple[int, int, str, str]]:
    """(line, column, link as written, entry id) of each link of a digest's text to an
    entry, by its site path (`/tools/vllm`) or its full URL on `base_url`'s domain, found
    as validate finds an entry's."""
    from ..catalog.text import path_to_id, site_links
    from ..config import COLLECTIONS

    return [(line, column, origin + path, target)
            for line, column, path, _anchor, origin in site_links(_as_entry(body, body_line),
                                                                   base_url)
            if (target := path_to_id(path)) and target.split("/", 1)[0] in COLLECTIONS]


def entry_link_problems(body: str, body_line: int, file: str, exists,
                        base_url: str = "", renamed=None, status=None) -> list[str]:
    """A digest's links to entries that name none that `exists` (an id -> bool), or that
    are relative to the page's address (`awq`, `../tools/vllm`: they lead elsewhere from
    the e-mail and from /digests/YYYY-MM), each at its line, as validate says them.
    `renamed()` (asked once, when a link names no entry) maps old ids to the ids their
    entries have now: such a link says where the entry went (an item the editor edited
    follows its entry's rename in the draft, its words and links stay as written).
    `status()` (an id -> the status of its entry, or None) tells a link to an entry that
    is there but not published from one to no entry, as validate says it."""
    from ..catalog.text import page_links, path_to_id, site_links
    from ..checks.references import collection_meant, link_meant, rename_note
    from ..config import COLLECTIONS

    # (line, column, origin, path, anchor, what is wrong, the ids it may have been renamed
    # from, a guess at what was meant)
    missing: list[tuple[int, int, str, str, str, str, list, str]] = []
    for line, column, path, anchor, origin in site_links(_as_entry(body, body_line), base_url):
        head = path.strip("/").split("/", 1)[0]
        same = link_meant(path)  # `/Glossary/AWQ`, `/glosary/awq`: the site's paths are
        if head not in COLLECTIONS:  # in lower case, its collections' names as spelt
            # a site page outside the catalog (/search, /digests/...), unless its first part
            # is a collection's name mistyped: a 404 for the reader, as validate says of an
            # entry's link (passed without a word in a digest: found in review)
            meant = collection_meant(head)
            if meant is not None:
                rest = path.strip("/")[len(head):]
                instead = (f"{origin}/{same}" if same and exists(same)
                           else f"{origin}/{meant}{rest}")
                missing.append((line, column, origin, path, anchor,
                                f"there is no collection '{head}'",
                                [] if same and exists(same) else [same],
                                f"; did you mean {instead}?"))
            continue
        target = path_to_id(path)
        if not target or exists(target):
            continue
        if same and exists(same):  # `/tools/VLLM`
            missing.append((line, column, origin, path, anchor, "no such entry", [],
                            f"; did you mean {origin}/{same}?"))
        elif status is not None and isinstance(now_status := status(target), str):
            # `/glossary/x` of a draft: "no such entry" sent the editor looking for a
            # file that is there (found by the review 23 fuzzer)
            missing.append((line, column, origin, path, anchor,
                            f"'{target}' is {now_status}, not published", [], ""))
        else:
            missing.append((line, column, origin, path, anchor, "no such entry",
                            [target, same], ""))
    now = renamed() if any(m[6] for m in missing) and renamed is not None else {}
    found = []
    for line, column, origin, path, anchor, what, olds, guess in missing:
        old = next((o for o in olds if o and now.get(o) and exists(now[o])), None)
        note = (rename_note(old, now[old], f"link to {origin}/{now[old]}{anchor}") if old
                else guess)  # where git's renames took it, in place of a guess
        found.append(f"{file}:{line}:{column}: error link-unresolved: link to {origin}{path}: "
                     f"{what}{note}")
    found += [f"{file}:{line}:{column}: error link-unresolved: link to {destination}: a "
              "relative path, which leads elsewhere from the e-mail and the site; write "
              "the site path, /<collection>/<slug>, or a full URL"
              for line, column, destination in page_links(_as_entry(body, body_line))
              if not destination.startswith("#")]
    return found


def _refuse_out_in_catalog(settings: Settings, out: Path) -> None:
    """The four files go into a folder of their own, not where the catalog keeps its
    files. Every file in the entries folder is taken for an entry: the four written there
    were four `file-name` errors, and the build refused to publish (found in review:
    `--out entries/glossary` was written without a word). At the catalog's root or in
    the digests folder, beside the digests editors write, or among the schemas and the
    data files, `git add -A` committed them (found in review: `--out .`, `--out digests`,
    `--out schemas`, `--out data`)."""
    where = Path(os.path.realpath(os.path.abspath(out)))
    entries = Path(os.path.realpath(settings.path("entries")))
    if where == entries or entries in where.parents:
        raise UsageError(f"--out {out}: every file in {settings.paths.entries.strip('/')}/ is "
                         "taken for an entry, so the four files written there would fail "
                         "validation and stop the build; render into a folder of its own "
                         "(e.g. --out build/digest)")
    digests = Path(os.path.realpath(settings.path("digests")))
    if where == digests or digests in where.parents:
        raise UsageError(f"--out {out}: {settings.paths.digests.strip('/')}/ holds the digests "
                         "editors write, and the four files written there would be committed "
                         "with them; render into a folder of its own (e.g. --out build/digest)")
    # the schemas and the data files' folders: the four files were written among the
    # catalog's inputs without a word, where `git add -A` committed them (found in review 24)
    data = sorted({Path(getattr(settings.paths, name).strip("/")).parent.as_posix()
                   for name in ("bibliography", "affiliates")} - {"."})
    for folder, holds in ([(settings.paths.schemas.strip("/"), "the catalog's schemas")]
                          + [(d, "the catalog's data files") for d in data]):
        inputs = Path(os.path.realpath(settings.root / folder))
        if where == inputs or inputs in where.parents:
            raise UsageError(f"--out {out}: {folder}/ holds {holds}, and the four files "
                             "written there would be committed with them; render into a "
                             "folder of its own (e.g. --out build/digest)")
    if where == Path(os.path.realpath(settings.root)):
        raise UsageError(f"--out {out} is the catalog's own folder, and the four files written "
                         "there would be committed with it; render into a folder of its own "
                         "(e.g. --out build/digest)")


def render(settings: Settings, month: str, out: Path) -> RenderResult:
    """Write the four files of the digest of `month` into folder `out`."""
    from ..affiliates import email_safe_markdown, load_programs

    check_email_settings(settings)
    _refuse_out_in_catalog(settings, out)
    m = Month.parse(month)
    path = settings.path("digests") / f"{m}.md"
    file = path.relative_to(settings.root).as_posix()
    if not path.is_file():
        raise UsageError(f"{file} does not exist; draft it first: pipeline digest draft {m}")
    doc = parse(read_text(path, file), file)
    programs = load_programs(settings)
    front = front_matter(doc, file, m, programs)
    if front.refused:
        raise PipelineError(front.refused[0])
    subject, preheader = front.subject, front.preheader
    entries = settings.path("entries")
    _refuse_links(_paid_link_problems(doc.body, doc.body_line, file, programs)
                  + entry_link_problems(doc.body, doc.body_line, file,
                                        lambda target: (entries / f"{target}.md").is_file(),
                                        settings.site.base_url, lambda: renamed_ids(settings)),
                  file, "render again")
    base = settings.site.base_url.rstrip("/")
    web_url = f"{base}/digests/{m}"
    pieces = _pieces(doc, base, web_url)

    email_md = "".join(email_safe_markdown(md, programs, fb)[0] for md, fb in pieces)
    web_md = "".join(md for md, _ in pieces)
    paid = _paid_test(programs)
    results = {medium: _medium_html(md, base, medium, programs, paid, file, web_url,
                                    (doc.body, doc.body_line))
               for medium, md in (("email", email_md), ("page", web_md))}

    fragment, note, paid_count = results["email"]
    context = {
        "subject": subject, "preheader": preheader, "language": settings.site.language,
        "site_name": settings.site.name, "site_url": base + "/", "month_name": m.name,
        "web_url": web_url, "unsubscribe_url": settings.email.unsubscribe_url,
        "postal_address": settings.email.postal_address, "disclosure": note,
        "disclosure_text": " ".join([note.text, *note.statements]) if note else "",
    }
    html = _mjml(_env(True).get_template("email.mjml.j2").render(
        content=fragment, **{**context, "subject": _SUBJECT}))
    # MJML writes the title into an attribute (aria-label) with its entities decoded, so a
    # `"` in the subject would end the attribute there: the subject goes in afterwards.
    html = html.replace(_SUBJECT, _html.escape(subject, quote=True))
    text = _env(False).get_template("email.txt.j2").render(content=html_to_text(fragment).strip(),
                                                           **context)
    web_fragment, web_note, _ = results["page"]
    # a link to a place of the digest stays on web.html, a same-page `#id`: to the live
    # page's address it led, before the digest is sent, to a page not there yet (found
    # in review 24). The e-mail's go to the page: its headings carry no ids.
    web = _env(True).get_template("web.html.j2").render(
        content=web_fragment.replace(f'href="{_html.escape(web_url)}#', 'href="#'),
        **{**context, "disclosure": web_note})
    if len(html.encode("utf-8")) > GMAIL_CLIP:
        raise PipelineError(f"{file}: the e-mail's HTML is {len(html.encode('utf-8')):,} bytes; "
                            f"Gmail clips messages over about {GMAIL_CLIP:,}. Trim the digest.")
    eml = build_eml(subject=subject, sender=settings.email.from_,
                    reply_to=settings.email.reply_to,
                    unsubscribe_url=settings.email.unsubscribe_url, text=text, html=html)
    data = {"email.html": html.encode("utf-8"), "email.txt": text.encode("utf-8"),
            "email.eml": eml, "web.html": web.encode("utf-8")}
    out = Path(out)
    files = {}
    for name in FILES:
        files[name] = out / name
        write_atomic(files[name], data[name])
    warnings = (front.warnings + _warnings(doc, file)
                + dropped_text(doc.body, doc.body_line, file)
                + fragment_warnings(doc.body, doc.body_line, file, web_fragment, web_url)
                + _unpublished_links(settings, doc.body, doc.body_line, file))
    return RenderResult(files, {k: len(v) for k, v in data.items()}, paid_count,
                        by_place(warnings))


def _unpublished_links(settings: Settings, body: str, body_line: int, file: str) -> list[str]:
    """A warning at each link to an entry that is there but not published (a draft, one in
    review or retired): the e-mail leads readers to a 404 (a 410) unless it is published
    before the digest is sent, and the build refuses the digest once it is sent. Render
    only warns: the entry may be published on the day the digest goes out (found by the
    review 23 fuzzer: render took such a link without a word)."""
    from ..catalog.loader import parse_entry

    entries = settings.path("entries")
    prefix = settings.paths.entries.strip("/")
    statuses: dict[str, str | None] = {}

    def status(target: str) -> str | None:
        if target not in statuses:
            path = entries / f"{target}.md"
            try:
                entry = parse_entry(f"{prefix}/{target}.md", path.read_bytes(), prefix)[0]
            except OSError:
                entry = None
            found = entry.data.get("status") if entry is not None else None
            statuses[target] = found if isinstance(found, str) else None
        return statuses[target]

    def fine(target: str) -> bool:  # no entry there was refused above; published is fine
        return not (entries / f"{target}.md").is_file() or status(target) == "published"

    return [problem.replace(": error link-unresolved: ", ": ", 1)
            + ": readers of the e-mail get no page there until it is published; publish it "
            "before the digest is sent (the build refuses a sent digest's link to it)"
            for problem in entry_link_problems(body, body_line, file, fine,
                                               settings.site.base_url, None, status)
            if ", not published" in problem]


def _paid_test(programs):
    """url -> whether it is a paid link, each URL classified once."""
    from ..affiliates import classify

    known: dict[str, bool] = {}

    def paid(url: str) -> bool:
        if url not in known:
            known[url] = classify(url, programs).is_affiliate
        return known[url]

    return paid


def _where_written(file: str, body: str, body_line: int, url: str) -> str:
    """`file:line:column` of where the digest's text (`body`, from file line `body_line`)
    writes `url` as words a reader sees: its first place that is not a link's destination
    (`](url`, `<url>`, `href="url"`, `]: url`), else its first place; `file` alone when
    the text does not hold it as written (an entity, `&amp;`, in it)."""
    spots = [m.start() for m in re.finditer(re.escape(url), body)]
    words = [i for i in spots if body[max(i - 2, 0):i] not in ("](", "]:", "=\"", "='")
             and body[i - 1:i] not in ("<", "(")]
    if not spots:
        return file
    at = (words or spots)[0]
    return (f"{file}:{body_line + body.count(chr(10), 0, at)}:"
            f"{at - body.rfind(chr(10), 0, at)}")


def _medium_html(md: str, base: str, medium: str, programs, paid, file: str,
                 page_url: str = "", source: tuple[str, int] = ("", 1)):
    """(sanitised HTML, disclosure or None, paid links) of the digest's Markdown in one
    medium: "email" (inline styles; a link whose program forbids e-mail refused, at its
    place in `source`, the digest's text and its first line) or "page". A `#fragment`
    link goes to `page_url` (the digest's web page), or stays as it is."""
    from ..affiliates import classify, disclosure

    def at(url: str) -> str:
        return _where_written(file, source[0], source[1], url)

    fragment = to_html(md, base, email=medium == "email", page_url=page_url)
    links = [classify(u, programs) for u in hrefs(fragment) if paid(u)]
    kept = [c for c in links if not c.allows_email] if medium == "email" else []
    if kept:  # a link the rewrite could not reach (raw HTML): never sent
        raise PipelineError(
            f"{at(kept[0].url)}: the e-mail would keep a link of {kept[0].program}, whose program "
            f"forbids links in e-mail ({kept[0].url}); write it as a Markdown link "
            "[text](url), which the e-mail replaces with our own page, or remove it")
    if medium == "email":
        _no_paid_address_shown(fragment, programs, paid, at)
    note = disclosure(links, programs, medium=medium)
    if note:
        fragment = mark_paid(fragment, paid, note.rel, note.label)
    return fragment, note, len(links)


_TAG_RE = re.compile(r"<[^>]+>")


def _no_paid_address_shown(fragment: str, programs, paid, at, where: str = "") -> None:
    """Refuse an e-mail whose words show the address of a paid link: one whose program
    forbids e-mail anywhere (a link's text written as its URL, whose link now goes to our
    own page; a URL in code), any other outside its own paid link (in code, in the
    preheader, as the words of a link that goes elsewhere). A mail program (and every
    reader of the text part) makes a link of such an address, with no label, no rel
    and, when it is the e-mail's only paid address, no disclosure; someone else's
    tracking id, too (the checks of links skip code). Found in review: for the programs
    that forbid e-mail first, then for all. The words of a paid link itself
    (`<https://...>`) are followed by its label. `at` gives the place of a URL in the
    digest (`digests/2026-10.md:12:8`) that the message starts with."""
    from ..affiliates import classify, links_in_text

    def shown(html_text: str) -> list[str]:  # as a mail program (or GitHub) finds them
        words = _html.unescape(_TAG_RE.sub(" ", html_text))  # the words a reader sees
        return [url for url in (link.url for link in links_in_text(words, "")) if paid(url)]

    for url in shown(fragment):
        c = classify(url, programs)
        if not c.allows_email:
            raise PipelineError(
                f"{at(url)}: the e-mail would show{where} the address of a paid link of "
                f"{c.program}, whose program forbids links in e-mail, as text ({url}): a mail "
                "program makes a link of it; give the link words of its own, [the card](url), "
                "or remove the address")
    for url in shown(without_paid_links(fragment, paid) if "<a" in fragment else fragment):
        c = classify(url, programs)
        whose = "" if c.ours else f", with tracking id '{c.tracking_id}', which is not ours"
        raise PipelineError(
            f"{at(url)}: the e-mail would show{where} the address of a paid link of {c.program}"
            f"{whose}, as text ({url}): a mail program makes a link of it, with no label "
            "and no disclosure; write it as a link, [the card](url), which gets them, or "
            "remove the address")


def archive_html(text: str, file: str, programs, exists,
                 base_url: str = "", status=None) -> tuple[str, object, list[str]]:
    """The body of a sent digest as the site's archive page shows it: sanitised HTML with
    site paths as written (`/tools/vllm`), and the disclosure its paid links need (or
    None). `text` is the digest file's; one without front matter (an archive written by
    hand) is all body. A link problem (a shortener, another's tracking id) is refused at
    its line, as `render` refuses it, and so is a link to an entry that `exists` (an id
    -> bool) says is not there. The warnings `render` gives of the text come third: words
    the page drops with raw HTML, a link to a place no heading has the id of (the build
    published them without a word: found in review)."""
    if text.startswith("---"):
        doc = parse(text, file)
        body, body_line = doc.body, doc.body_line
        md = "".join(md for md, _ in _pieces(doc, "", ""))
    else:  # its links are checked all the same (found in review: a shortener and someone
        md = body = text  # else's tag in an archive written by hand were published)
        body_line = 1
    _refuse_links(_paid_link_problems(body, body_line, file, programs)
                  + entry_link_problems(body, body_line, file, exists, base_url,
                                        status=status), file,
                  "build again")
    fragment, note, _ = _medium_html(md, "", "page", programs, _paid_test(programs), file,
                                     source=(body, body_line))
    return fragment, note, by_place(dropped_text(body, body_line, file)
                                    + fragment_warnings(body, body_line, file, fragment))


# Where the subject goes in the e-mail's HTML (see render): drawn when the process starts,
# so no subject can contain it.
_SUBJECT = f"pipeline-subject-{secrets.token_hex(8)}"

COLOR_SCHEME = ('<meta name="color-scheme" content="light dark">\n'
                '    <meta name="supported-color-schemes" content="light dark">')


def _mjml(source: str) -> str:
    """MJML to HTML, with the colour-scheme tags first in the head (mj-raw reorders them)."""
    import mjml

    result = mjml.mjml_to_html(source)
    if result.errors:
        raise PipelineError("MJML could not render the e-mail: "
                            + "; ".join(map(str, result.errors)))
    html = result.html.replace("<head>", f"<head>\n    {COLOR_SCHEME}", 1)
    head, body = html.split("</head>", 1) if "</head>" in html else (html, None)
    head = _WEB_FONT_RE.sub("", head)
    html = head if body is None else f"{head}</head>{body}"
    return html.rstrip("\n") + "\n"


# The web-font links MJML adds when the e-mail's text names a font it knows (Roboto,
# Lato...), even in a sentence or a release note: each open of the e-mail would tell
# Google who read it (found in review). Only tags in the head, never the text.
_WEB_FONT_RE = re.compile(
    r"\s*<!--\[if !mso\]><!-->\s*(?:<link href=\"https://fonts\.googleapis\.com/[^\"]*\"[^>]*>\s*"
    r"|<style type=\"text/css\">\s*(?:@import url\(https://fonts\.googleapis\.com/[^)]*\);\s*)+"
    r"</style>\s*)+<!--<!\[endif\]-->")


# The scheme of a link's address: one other than http, https or mailto is emptied by
# cmark's safe mode or dropped by the sanitiser, and the link is its words only.
_SCHEME_RE = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")
_KEPT_SCHEMES = ("http", "https", "mailto")


_HEADING_ID_RE = re.compile(r'<h[1-4] id="([^"]*)"')


def fragment_warnings(body: str, body_line: int, file: str, fragment: str,
                      web_url: str = "") -> list[str]:
    """A link to a place in the digest (`#fragment`) that no heading of its page has the
    id of: from the e-mail and the page alike it opens the page at its top. Each at the
    line and column of the first link to it (cmark's: the first line that had `#name`
    anywhere, in code or in words, was not always the link's: found in review).
    `fragment` is the page's HTML, its links to a place made absolute on `web_url` (as
    they are on the site's page, with web_url "")."""
    from ..cmark import links_and_images
    from .markdown import footnotes_aside

    ids = set(_HEADING_ID_RE.findall(fragment))
    out = []
    places: dict[str, tuple[int, int]] | None = None
    for href in dict.fromkeys(hrefs(fragment)):
        if not href.startswith(web_url + "#"):
            continue
        name = unquote(href[len(web_url) + 1:])
        if not name or name in ids:
            continue
        if places is None:  # name -> (line index, column) of the first link to it
            places = {}
            for kind, line, column, destination, _ in links_and_images(footnotes_aside(body)):
                path, hash_, place = destination.partition("#")
                if (kind == "link" and hash_ and unquote(place) not in places
                        and (not path or path.rstrip("/") in (web_url, urlsplit(web_url).path))):
                    places[unquote(place)] = (line, column)
        if name in places:
            where = f"{body_line + places[name][0]}:{places[name][1]}"
        else:  # not expected: the first line that writes it, where it does
            lines = body.split("\n")
            at = next((i for i, row in enumerate(lines) if f"#{name}" in row), 0)
            where = f"{body_line + at}:{lines[at].find(f'#{name}') + 1 or 1}"
        known = ", ".join(f"#{i}" for i in sorted(ids)) or "none"
        out.append(f"{file}:{where}: a link to #{name}, which no heading of the "
                   f"digest has as its id (the headings' ids: {known}): it opens the digest's "
                   "page at its top")
    return out


def _warnings(doc: Document, file: str) -> list[str]:
    """A TODO placeholder left outside the blocks, and each link the e-mail and the page
    show as its words only, each at its line and column (cmark's, for a link: one in code,
    or escaped, `\\[x\\](tel:1)`, is none; a reference link's at its words), and the
    digest's status when it is no status yet or still a draft's (one that is none of a
    digest's is `front_matter`'s)."""
    from ..cmark import links_and_images
    from .markdown import footnotes_aside

    out = []
    line = doc.body_line
    for part in doc.parts:
        text = part if isinstance(part, str) else part.render()
        if isinstance(part, str) and "TODO" in text:
            out += [f"{file}:{line + i}:{row.index('TODO') + 1}: still a TODO placeholder "
                    f"({row.strip()[:60]!r}): write the words it stands for"
                    for i, row in enumerate(text.split("\n")) if "TODO" in row]
        line += text.count("\n")
    for kind, at, column, destination, _ in links_and_images(footnotes_aside(doc.body)):
        scheme = _SCHEME_RE.match(destination)
        if kind == "link" and scheme and scheme.group(1).lower() not in _KEPT_SCHEMES:
            out.append(f"{file}:{doc.body_line + at}:{column}: a link to `{scheme.group(1)}:` "
                       "is no link in the e-mail or on the web, only its words: give it an "
                       "https://, http:// or mailto: address")
    # read as the build reads it (publish.feed): in any case, `review` as `draft`, and a
    # digest with no `status:` as sent (it was told "still `draft`": found in review 23);
    # each at the line of its key, as the front matter's other problems are
    at = f"{file}:{_key_at(doc, 'status')}"
    status = str(doc.meta.get("status", "sent")).strip().lower()
    if "status" not in doc.meta:
        out.append(f"{at}: the front matter has no `status:` line, so pipeline build takes "
                   "the digest for an archive that went out and publishes it; add `status: "
                   "draft` (`ready` once it is edited) if it was not sent")
    elif status in ("draft", "review"):
        out.append(f"{at}: status is still `{status}`; set `status: ready` once it is "
                   "edited")
    return out  # a status that is none of a digest's: see front_matter


# Raw HTML a digest drops, and what of an editor's text goes with it (see dropped_text).
_COMMENT_RE = re.compile(r"<!--.*?(?:-->|\Z)", re.S)
_ANY_TAG_RE = re.compile(r"</?[A-Za-z][^>]*>|<[?!][^>]*>")
_FIRST_TAG_RE = re.compile(r"<([A-Za-z][A-Za-z0-9-]*)")
_IMG_ALT_RE = re.compile(r"""<img\b[^>]*?\balt\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))""",
                         re.I)


def _blank(m: re.Match) -> str:
    """What was matched as spaces, its line ends kept (lines and columns stay)."""
    return re.sub(r"[^\n]", " ", m.group(0))


def _shown(words: str) -> str:
    words = " ".join(_html.unescape(words).split())
    return words if len(words) <= 40 else words[:39] + "…"


def _alts(text: str) -> list[str]:
    return [alt for m in _IMG_ALT_RE.finditer(text)
            if (alt := next((g for g in m.groups() if g is not None), "")).strip()]


def dropped_text(body: str, body_line: int, file: str) -> list[str]:
    """Each place of a digest's text where raw HTML takes an editor's words with it, at its
    line: the e-mail and the page drop raw HTML (digest.markdown), and an HTML block
    (`<div>Important note</div>`, `<details>`, `<p>...` on lines of their own, up to a
    blank line) goes whole, its words too, as does the text after a comment that starts
    a line (`<!-- note --> See ...`: the line is raw HTML, as validate warns of it in an
    entry, markdown-after-comment); an `<img alt="...">` goes with its alt text. Found in
    review: such words went out of the e-mail without a word. The HTML blocks are the
    ones validate finds in an entry's body (catalog.text). A link written as raw HTML,
    `<a href="...">`, keeps its words and loses its link (catalog.text.html_links finds
    it). Tables lose words too (see _table_losses), and images with no alt text (see
    _images_not_shown)."""
    from ..catalog.text import _html_blocks
    from ..cmark import raw_html

    out = _table_losses(body, body_line, file) if "|" in body else []
    if "![" in body:
        out += _images_not_shown(body, body_line, file)
    if "<" not in body:
        return sorted(out, key=lambda message: int(message.split(":")[1]))
    entry = _as_entry(body, body_line)
    lines = body.split("\n")
    for first, held in _html_blocks(entry):
        masked = _ANY_TAG_RE.sub(_blank, _COMMENT_RE.sub(_blank, held))
        alts = _alts(held)
        if not masked.strip() and not alts:
            continue  # a comment of the editor's, a marker, an empty tag: nothing lost
        rows = masked.split("\n")
        at = next((i for i, row in enumerate(rows) if row.strip()), 0)
        if held.lstrip().startswith("<!--"):  # at the words after the comment's end
            row = lines[first + at] if first + at < len(lines) else ""
            column = row.find("-->") + 3 if "-->" in row else 0
            column += len(row[column:]) - len(row[column:].lstrip()) + 1
            out.append(f"{file}:{body_line + first + at}:{column}: the text after the comment "
                       "on this "
                       f"line ('{_shown(masked)}') is dropped from the e-mail and the web page "
                       "with it: a line that starts with an HTML comment is raw HTML; put the "
                       "comment on a line of its own")
            continue
        tag = _FIRST_TAG_RE.search(held)
        what = [f"its words ('{_shown(masked)}')"] if masked.strip() else []
        what += [f"the alt text '{_shown(alt)}'" for alt in alts]
        column = lines[first].find("<") + 1 if first < len(lines) else 0  # its first tag's
        out.append(f"{file}:{body_line + first}:{column or 1}: raw HTML "
                   f"(`<{tag.group(1) if tag else '?'}>`) "
                   f"is dropped from the e-mail and the web page, and {' and '.join(what)} "
                   "with it: write the words as Markdown instead (a paragraph, **bold**, a "
                   "list, a table; an image as ![alt text](address), shown as its alt text)")
    if "<a" in body or "<A" in body:  # the words stay, the link goes (only the HTML
        # blocks' own warning for one in a block)
        from ..catalog.text import html_block_lines, html_links

        del entry.__dict__["html_links"]  # none, for the link checks (see _as_entry)
        in_blocks = html_block_lines(entry)
        out += [f"{file}:{line}:{column}: a link written as raw HTML (`<a href=\"{href}\">`) is "
                "no link in the e-mail or on the web page, only its words: write it as a "
                "Markdown link, [words](address)"
                for line, column, href in html_links(entry) if line not in in_blocks]
    inline = [text for is_inline, text in raw_html(entry.body) if is_inline and _alts(text)]
    if inline:  # each at its line: sought in order, its first line (a tag may run on to
        # the next, after a quote's `>`), in the text with its code blanked (no `<img>` in
        # code is one); taken as a whole line, one on two lines was named at the first
        from ..catalog.text import prose_text

        prose, found = prose_text(entry), 0
        for text in inline:
            at = prose.find(text.split("\n", 1)[0], found)
            found = at + 1 if at >= 0 else found
            column = at - prose.rfind("\n", 0, at) if at >= 0 else 1
            at = prose.count("\n", 0, at) if at >= 0 else 0
            out.append(f"{file}:{body_line + at}:{column}: raw HTML (`<img>`) is dropped from the "
                       f"e-mail and the web page, and its alt text '{_shown(_alts(text)[0])}' "
                       "with it: write the image as Markdown, ![alt text](address), which "
                       "they show as its alt text")
    return sorted(out, key=lambda message: int(message.split(":")[1]))


def _images_not_shown(body: str, body_line: int, file: str) -> list[str]:
    """Each image of a digest's text with no alt text (`![](/c.png)`), at its line and
    column: the e-mail and the page show an image as its alt text (digest.markdown), so
    such an image is not there at all, nor a link whose words it is. Found in review: it
    went out of both without a word."""
    from ..cmark import links_and_images
    from ..textchars import has_words
    from .markdown import footnotes_aside

    return [f"{file}:{body_line + line}:{column}: an image with no alt text (`![]({where})`) "
            "is not shown in the e-mail or on the web page, which show an image as its alt "
            "text: write what it shows between the brackets, ![a chart of ...](address)"
            for kind, line, column, where, words in links_and_images(footnotes_aside(body))
            if kind == "image" and not has_words(words)]


_TABLE_ROW_LIKE_RE = re.compile(r"[ \t>]*\|.*\|[ \t]*$")


def _table_losses(body: str, body_line: int, file: str) -> list[str]:
    """A table's row with more cells than its header row, whose last cells the e-mail and
    the page drop (a `|` in code, `` `x|y` ``, makes a cell: write `\\|`); and rows of a
    table with no delimiter row under its first (`|---|---|`, as many cells), which are no
    table but one paragraph, its rows run together on a line, bars and all. Found in
    review: both went out without a word."""
    from ..cmark import paragraph_lines, table_overflow
    from .markdown import footnotes_aside

    text = footnotes_aside(body)
    out = [f"{file}:{body_line + line}:{column}: this row of the table has more cells than "
           "its header row, and the e-mail and the web page drop what comes after them "
           f"('{_shown(rest)}'): "
           "give the header a cell more, or write a `|` in a cell as `\\|` (in code too)"
           for line, column, rest in table_overflow(text)]
    lines = text.split("\n")
    for first, last in paragraph_lines(text):
        rows = [i for i in range(first, last + 1) if _TABLE_ROW_LIKE_RE.match(lines[i])]
        if len(rows) > 1:
            out.append(f"{file}:{body_line + rows[0]}:{lines[rows[0]].index('|') + 1}: these "
                       f"{len(rows)} rows of bars are no "
                       "table, since no delimiter row of as many cells (`|---|---|`) follows "
                       "the first: the e-mail and the web page show them as one paragraph, "
                       "run together; write the delimiter row under the header row")
    return out
