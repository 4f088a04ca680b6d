"""`/search-index.json`: what the client-side search looks through.

`{"entries": [record, ...], "version": 1}`, records sorted by id. It is the
biggest file the build writes (every entry's plain text), and a record
depends only on its entry's own file: each record is serialised once, when
its entry is rendered, and the file is put together from the records'
bytes; an unchanged record is taken from the previous file.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..catalog.model import Entry
from .serialize import json_bytes

HEAD = b'{"entries":['
SEPARATOR = b","
TAIL = b'],"version":1}\n'


def record_bytes(entry: Entry, text: str) -> bytes:
    """An entry's record (its text is the body as plain text), as it stands in the file."""
    data = entry.data
    record = {
        "id": entry.id,
        "url": entry.url_path,
        "collection": entry.collection,
        "title": entry.title,
        "summary": data.get("summary") or "",
        "tags": data.get("tags") or [],
        "text": text,
    }
    aka = data.get("aka")
    if aka:
        record["aka"] = aka
    return json_bytes(record)[:-1]


def search_index(records: list[bytes | memoryview]) -> Iterator[bytes | memoryview]:
    """The file's bytes, in chunks: `records` are record_bytes sorted by id."""
    yield HEAD
    for n, record in enumerate(records):
        if n:
            yield SEPARATOR
        yield record
    yield TAIL


def split_index(data: bytes, lengths: list[int]) -> list[memoryview] | None:
    """The records of a file written by `search_index`, given their lengths in order;
    None when the file does not have that shape."""
    expected = len(HEAD) + sum(lengths) + len(SEPARATOR) * max(len(lengths) - 1, 0) + len(TAIL)
    if len(data) != expected or not data.startswith(HEAD) or not data.endswith(TAIL):
        return None
    view, out, at = memoryview(data), [], len(HEAD)
    for length in lengths:
        out.append(view[at:at + length])
        at += length + len(SEPARATOR)
    return out
