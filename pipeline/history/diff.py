"""The difference between two versions of one entry, field by field (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..catalog.model import Entry

BODY = "body"  # the pseudo-field that stands for the Markdown body


@dataclass(frozen=True)
class FieldChange:
    """A front-matter key (or `body`) whose value differs; None stands for absent."""

    field: str
    old: Any
    new: Any


@dataclass(frozen=True)
class VerdictChange:
    """The verdict before and after, as {"rating", "text"} (None: no verdict)."""

    old: dict | None
    new: dict | None

    @property
    def rating_changed(self) -> bool:
        return (self.old or {}).get("rating") != (self.new or {}).get("rating")


def _verdict(entry: Entry) -> dict | None:
    v = entry.data.get("verdict")
    if not isinstance(v, dict):
        return None
    return {"rating": v.get("rating"), "text": v.get("text")}


def field_changes(old: Entry, new: Entry) -> list[FieldChange]:
    """Every front-matter key whose value differs, sorted by key, then the body."""
    out = [
        FieldChange(k, old.data.get(k), new.data.get(k))
        for k in sorted(set(old.data) | set(new.data), key=str)
        if old.data.get(k) != new.data.get(k)
    ]
    if old.body != new.body:
        out.append(FieldChange(BODY, old.body, new.body))
    return out


def verdict_change(old: Entry, new: Entry) -> VerdictChange | None:
    """The verdict's rating or text changed (dates and signer alone do not count)."""
    a, b = _verdict(old), _verdict(new)
    return None if a == b else VerdictChange(a, b)
