"""What the stages of one build share (see build.py)."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..config import Settings
from .output import OutputTree
from .pages import Site
from .parts import Inputs
from .redirects import Redirects


@dataclass
class Run:
    """What the stages of a build share. `old` is the state the last build saved with the
    live tree:

    {"inputs": fingerprint, "site": fingerprint of the pages, "files": {entry
    file: "size:mtime:ctime:inode:digest"}, "facts": {entry id: fact}, "git":
    {"head", "note", "histories", "renames", "first"}, "previous": {id: old ids},
    "digests": {key of a sent digest's page: its warnings}}.
    """

    settings: Settings
    tree: OutputTree
    inputs: Inputs
    site: Site
    old: dict = field(default_factory=dict)
    items: list = field(default_factory=list)  # (file, full path, known digest, stat) to read
    files: dict = field(default_factory=dict)  # the new "files"
    facts: dict = field(default_factory=dict)  # the new "facts"
    git: dict = field(default_factory=dict)  # the new "git"
    git_moved: bool = True  # HEAD is not where the last build saw it
    git_warming: object = None  # waits for the git walk the caller started (start_warming)
    scanned: int = 0  # when the scan started (time.time_ns())
    changed: set = field(default_factory=set)  # ids whose file changed, appeared or went
    records: dict = field(default_factory=dict)  # entry id -> (Span in the spill, length, digest)
    # of its new search record
    owner: dict = field(default_factory=dict)  # entry id -> the worker that rendered it
    published: list = field(default_factory=list)  # sorted ids
    plan: Redirects | None = None
    previous: dict = field(default_factory=dict)  # published id -> old ids redirected to it
    moved: set = field(default_factory=set)  # collections whose list changed
    site_changed: bool = True
    touched: set = field(default_factory=set)  # parts of the state that changed (state.py)
    digests: list = field(default_factory=list)  # the digests sent (digests.prepare_digests)

    @property
    def prefix(self) -> str:
        return self.settings.paths.entries.strip("/")

    def entry_id(self, rel: str) -> str:
        return rel[len(self.prefix) + 1:-3]
