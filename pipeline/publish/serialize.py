"""Deterministic bytes for every artifact (JSON with sorted keys, safe to embed in HTML),
content keys, and the build cache's files of plain data."""

from __future__ import annotations

import functools
import gc
import hashlib
import json
import pickle
from pathlib import Path

import orjson

from .. import __version__
from ..fileio import write_atomic

_ENCODE = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode


def json_bytes(value, newline: bool = True) -> bytes:
    """Compact JSON: sorted keys, UTF-8, and `<`, `>`, `&` escaped as \\u003c, \\u003e, \\u0026,
    and a newline at the end (without one for `newline=False`: a piece of a file).

    The escapes keep the text valid JSON while making sure no file ever
    contains a literal `<script` (or any tag), whatever an editor typed.
    Encoded by orjson (a page's JSON in a fifth of the standard library's
    time, the same bytes), which adds the newline (an entry's JSON is 16 KB: no
    copy made for it); a value orjson refuses (an integer over 64 bits, a key
    that is not text) goes through the standard library instead.
    """
    try:
        data = orjson.dumps(value, option=_WITH_NEWLINE if newline else orjson.OPT_SORT_KEYS)
    except TypeError:  # orjson.JSONEncodeError is a TypeError
        data = (_ENCODE(value) + "\n" if newline else _ENCODE(value)).encode("utf-8")
    # (bytes.replace gives the bytes themselves when there is nothing to replace)
    return data.replace(b"&", b"\\u0026").replace(b"<", b"\\u003c").replace(b">", b"\\u003e")


_WITH_NEWLINE = orjson.OPT_SORT_KEYS | orjson.OPT_APPEND_NEWLINE


def digest(*parts: str | bytes) -> str:
    """A short content hash of some text or bytes (128 bits of SHA-256: see
    loader.content_digest)."""
    if len(parts) == 1 and type(parts[0]) is bytes:  # a file's bytes: most calls
        h = hashlib.sha256(parts[0])
        h.update(b"\0")
        return h.hexdigest()[:32]
    h = hashlib.sha256()
    for p in parts:
        h.update(p.encode("utf-8") if isinstance(p, str) else p)
        h.update(b"\0")
    return h.hexdigest()[:32]


@functools.lru_cache(maxsize=1)
def tool_fingerprint() -> str:
    """The tool's version and the text of its code: a code change renders everything again."""
    package = Path(__file__).resolve().parent.parent
    files = sorted(package.rglob("*.py"))
    return digest(__version__, *(f"{p.relative_to(package)}\n" for p in files),
                  *(p.read_bytes() for p in files))


class _PlainUnpickler(pickle.Unpickler):
    def find_class(self, module, name):
        raise pickle.UnpicklingError(f"refusing {module}.{name} in a cache file")


def load_plain(path: Path):
    """Plain data (dicts, lists, tuples, text, numbers) saved by `write_plain`, or None when
    the file is missing or unreadable. A file that names any class is refused, so a
    tampered cache file cannot run code."""
    enabled = gc.isenabled()
    gc.disable()  # plain data makes no cycles: collecting while it loads is wasted time
    try:
        with open(path, "rb") as f:
            return _PlainUnpickler(f).load()
    except (OSError, pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError,
            IndexError, KeyError, MemoryError):
        return None
    finally:
        if enabled:
            gc.enable()


def write_plain(path: Path, data) -> None:
    write_atomic(path, pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL))
