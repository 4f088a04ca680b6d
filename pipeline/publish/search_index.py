"""`/search-index.json`: what the client-side search looks through.

`{"entries": [record, ...], "version": 1}`, records sorted by id. It is the
biggest file the build writes (every entry's plain text), and a record
depends only on its entry's own file, but for its old ids (`previous_ids`,
from other entries' redirects and git: `lists` puts them in): each record is
serialised once, when its entry is rendered, and the file is put together
from the records' bytes; an unchanged record is taken from the previous file.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

from ..catalog.model import Entry
from .serialize import json_bytes

HEAD = b'{"entries":['
SEPARATOR = b","
TAIL = b'],"version":1}\n'


def record_bytes(entry: Entry, text: str) -> bytes:
    """An entry's record (its text is the body as plain text), as it stands in the file."""
    data = entry.data
    get = data.get
    record = {  # the keys in their order in the file (orjson sorts them the quicker)
        "collection": entry.collection,
        "id": entry.id,
        "summary": get("summary") or "",
        "tags": get("tags") or [],
        "text": text,
        "title": entry.title,
        "url": entry.url_path,
    }
    aka = get("aka")
    if aka:
        record["aka"] = aka
    message = get("message")  # an error as the reader sees it: what they paste
    if message and isinstance(message, str):
        record["message"] = message
    return json_bytes(record, newline=False)


def search_index(pieces: list) -> Iterator:
    """The file's bytes, in chunks: `pieces` are record_bytes sorted by id, or runs of
    consecutive records of a file written by this function (output.Span)."""
    yield HEAD
    for n, piece in enumerate(pieces):
        if n:
            yield SEPARATOR
        yield piece
    yield TAIL


def record_spans(path: str, lengths: list[int]) -> list[tuple[int, int]] | None:
    """(start, end) of each record of a file written by `search_index`, given their lengths
    in order; None when the file does not have that shape."""
    expected = len(HEAD) + sum(lengths) + len(SEPARATOR) * max(len(lengths) - 1, 0) + len(TAIL)
    with open(path, "rb") as f:
        if os.fstat(f.fileno()).st_size != expected or f.read(len(HEAD)) != HEAD:
            return None
        f.seek(expected - len(TAIL))
        if f.read() != TAIL:
            return None
    out, at = [], len(HEAD)
    for length in lengths:
        out.append((at, at + length))
        at += length + len(SEPARATOR)
    return out
