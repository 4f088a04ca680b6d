"""Affiliate links on published pages: which links are paid, and what the page must say.

Classification and wording come from `pipeline.affiliates` (the programs
file). A quick host test in front of `classify` keeps the build fast: most
links (sources, repositories) belong to no program's host and are not
looked at further.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterable

from ..affiliates import classify, disclosure, load_programs
from ..affiliates.classify import may_be_claimed
from ..config import Settings


def _canonical(value) -> str:
    """`repr(value)`, but with the items of a set sorted: a frozenset's order (a program's
    `our_ids`) changes from one process to the next, and with it a key made of its repr,
    so a sent digest was written again by every build."""
    if isinstance(value, (set, frozenset)):
        return "{" + ", ".join(sorted(map(_canonical, value))) + "}"
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return type(value).__name__ + "(" + ", ".join(
            f"{f.name}={_canonical(getattr(value, f.name))}" for f in dataclasses.fields(value)) + ")"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(map(_canonical, value)) + "]"
    return repr(value)


class PaidLinks:
    """The catalog's affiliate programs, asked one URL at a time."""

    def __init__(self, programs):
        self.programs = programs
        self.rel = programs.wording.rel or "sponsored nofollow noopener"
        self.label = programs.wording.label or "(paid link)"
        self.fingerprint = hashlib.blake2b(_canonical(programs).encode(),
                                           digest_size=16).hexdigest()
        self._classes: dict[str, object] = {}

    @classmethod
    def load(cls, settings: Settings) -> "PaidLinks":
        return cls(load_programs(settings))

    def classify(self, url: str):
        c = self._classes.get(url)
        if c is None:
            # `classify`'s quick test first, without making a class for the many links
            # that stop there (a URL with no host is no paid link either); kept, as the
            # affiliate checks of the page ask it again
            c = classify(url, self.programs) if may_be_claimed(url, self.programs) else None
            self._classes[url] = c if c is not None and c.is_affiliate else False
            c = self._classes[url]
        return c or None

    def is_affiliate(self, url: str) -> bool:
        return self.classify(url) is not None

    def summary(self, urls: Iterable[str]) -> dict:
        """Affiliate metadata of a page whose links are `urls`."""
        paid = []
        for url in dict.fromkeys(urls):
            c = self.classify(url)
            if c is not None:
                paid.append(c)
        d = disclosure(paid, self.programs) if paid else None
        return {
            "has_links": bool(paid),
            "disclosure": d.text if d else None,
            "statements": list(d.statements) if d else [],
            "links": [{"url": c.url, "program": c.program} for c in paid],
            "label": self.label,
            "rel": self.rel,
        }
