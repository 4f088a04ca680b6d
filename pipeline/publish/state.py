"""What a build knew of the catalog, kept for the next build into the same folder.

The state is plain data: catalog-wide values ({"inputs", "site",
"previous", "digests"}), git's histories (`git`), and per entry its file's stat and
digest (`files`) and its fact (`facts`). The catalog-wide values travel in
the output folder's manifest; git and each collection are saved apart, and
a build rewrites only the parts that changed (an edit rewrites one
collection's part). Each part carries a random token, and the manifest
names the tokens of the parts that describe its live tree, so parts left by
an interrupted build are never mixed in.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..config import COLLECTIONS
from .serialize import load_plain, write_plain

VERSION = 4  # 4: git's renames in commit order (they were by id)
GIT = "git"
PARTS = (GIT, *COLLECTIONS)
_APART = ("git", "files", "facts")  # what is not saved with the manifest


def load_state(folder: Path, main) -> dict | None:
    """The state whose catalog-wide values are `main` (as `save_state` returned them), or
    None when a part is missing or not the one named there."""
    tokens = main.get("tokens") if isinstance(main, dict) else None
    if main is None or main.get("version") != VERSION or not isinstance(tokens, dict):
        return None
    state = {**main, "files": {}, "facts": {}}
    for name in PARTS:
        part = load_plain(folder / f"{name}.pickle")
        if not isinstance(part, dict) or part.get("token") != tokens.get(name):
            return None
        if name == GIT:
            state["git"] = part["git"]
        else:
            state["files"].update(part["files"])
            state["facts"].update(part["facts"])
    return state


def save_state(folder: Path, state: dict, before: dict | None, changed: set[str],
               prefix: str) -> dict:
    """Write the parts of `state` named in `changed` (GIT, collections), or every part when
    `before` (what the last save returned) does not name them all; -> the catalog-wide
    values with the tokens of all parts, to keep in the manifest."""
    tokens = dict((before or {}).get("tokens") or {})
    everything = set(tokens) != set(PARTS)
    files: dict[str, dict] = {c: {} for c in COLLECTIONS}
    facts: dict[str, dict] = {c: {} for c in COLLECTIONS}
    cut = len(prefix) + 1
    for rel, value in state["files"].items():
        files[rel[cut:].split("/", 1)[0]][rel] = value
    for entry_id, fact in state["facts"].items():
        facts[entry_id.split("/", 1)[0]][entry_id] = fact
    for name in PARTS:
        if everything or name in changed:
            tokens[name] = os.urandom(8).hex()
            part = {"git": state["git"]} if name == GIT else {"files": files[name],
                                                              "facts": facts[name]}
            write_plain(folder / f"{name}.pickle", {**part, "token": tokens[name]})
    return {**{k: v for k, v in state.items() if k not in _APART}, "version": VERSION,
            "tokens": tokens}
