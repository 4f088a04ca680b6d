"""The data of the catalog: Entry, Source and Catalog."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

Position = tuple[int, int]


@dataclass
class Entry:
    """One entry file, parsed. Positions are 1-based lines and columns in the file."""

    id: str  # "<collection>/<slug>"
    collection: str
    slug: str
    file: str  # relative to the catalog root, forward slashes
    data: dict  # front matter as JSON-like values; dates are "YYYY-MM-DD" text
    body: str
    body_line: int  # the file line of the body's first line
    positions: dict[tuple, Position] = field(default_factory=dict, repr=False)
    digest: str = ""  # a hash of the file's bytes

    def pos(self, path: tuple | list = ()) -> Position:
        """Line and column of a front-matter key or list item, or of its nearest parent."""
        path = tuple(path)
        while path:
            p = self.positions.get(path)
            if p:
                return p
            path = path[:-1]
        return (1, 1)

    @property
    def title(self) -> str:
        return str(self.data.get("title", self.slug))

    @property
    def status(self) -> str:
        return str(self.data.get("status", "draft"))

    @property
    def is_published(self) -> bool:
        return self.data.get("status") == "published"  # as `status`, without making text

    @property
    def url_path(self) -> str:
        return f"/{self.id}"

    @cached_property
    def body_lines(self) -> list[str]:
        return self.body.split("\n")

    def sources(self) -> list[dict]:
        s = self.data.get("sources")
        return [x for x in s if isinstance(x, dict)] if isinstance(s, list) else []


@dataclass
class Catalog:
    """Every entry by id, the shared bibliography and the problems found loading them."""

    entries: dict[str, Entry]
    bibliography: dict[str, dict] = field(default_factory=dict)
    bibliography_positions: dict[str, Position] = field(default_factory=dict)
    bibliography_file: str = ""
    # ids of entry files that are there but could not be read (their own errors say why):
    # a reference to one is not reported again, as if the file were missing
    unreadable: frozenset = frozenset()
    bibliography_unreadable: bool = False  # the shared bibliography is there but unread

    def __contains__(self, entry_id: str) -> bool:
        return entry_id in self.entries

    def get(self, entry_id: str) -> Entry | None:
        return self.entries.get(entry_id)

    def in_collection(self, collection: str) -> list[Entry]:
        return [e for e in self.entries.values() if e.collection == collection]

    def __len__(self) -> int:
        return len(self.entries)
