"""What a page or an e-mail with affiliate links must say, and the e-mail link rule.

FTC: the disclosure is clear, conspicuous and close to the links, seen before
them (a footer is not enough), in e-mail too. Programs add their own required
statement (Amazon's "As an Amazon Associate I earn from qualifying
purchases."). Programs that forbid e-mail (Amazon) lose their links in the
digest: each is replaced by a link to our own page. See docs/affiliates.md.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .classify import LinkClass, classify
from .links import rewrite_urls
from .programs import Programs

MEDIA = ("page", "email")


@dataclass(frozen=True)
class Disclosure:
    text: str  # our sentence, shown before the first paid link
    statements: tuple[str, ...]  # the programs' required statements, in programs-file order
    label: str  # the visible label after each paid link, e.g. "(paid link)"
    rel: str  # the rel attribute of each paid link, e.g. "sponsored nofollow noopener"
    programs: tuple[str, ...]  # ids of the programs whose links are present


def disclosure(link_classes: Iterable[LinkClass], programs: Programs,
               medium: str = "page") -> Disclosure | None:
    """The disclosure for a page (or, with medium="email", an e-mail); None without paid links."""
    if medium not in MEDIA:
        raise ValueError(f"medium must be one of {', '.join(MEDIA)}")
    present = {c.program for c in link_classes if c.is_affiliate}
    if not present:
        return None
    ordered = [p for p in programs.programs if p.id in present]
    statements: list[str] = []
    for p in ordered:
        if p.required_statement and p.required_statement not in statements:
            statements.append(p.required_statement)
    w = programs.wording
    return Disclosure(text=w.email_text if medium == "email" else w.text,
                      statements=tuple(statements), label=w.label, rel=w.rel,
                      programs=tuple(p.id for p in ordered))


def email_safe_url(url: str, programs: Programs, fallback_url: str) -> str:
    """`url`, or `fallback_url` (our own page) when its program forbids links in e-mail."""
    c = classify(url, programs)
    return fallback_url if c.is_affiliate and not c.allows_email else url


def email_safe_markdown(text: str, programs: Programs,
                        fallback_url: str) -> tuple[str, list[LinkClass]]:
    """A Markdown text with every link of a program that forbids e-mail replaced by
    `fallback_url`, and the classes of the links that remain (for `disclosure`)."""
    remaining: list[LinkClass] = []

    def replace(url: str) -> str:
        safe = email_safe_url(url, programs, fallback_url)
        remaining.append(classify(safe, programs))
        return safe

    return rewrite_urls(text, replace), remaining
