"""Entries, the catalog, and loading them from a folder or a git tree."""

from .loader import RawFile, load_catalog, parse_entry, parse_files, read_folder
from .model import Catalog, Entry

__all__ = [
    "Catalog",
    "Entry",
    "RawFile",
    "load_catalog",
    "parse_entry",
    "parse_files",
    "read_folder",
]
