"""Affiliate programs, link classification, disclosure policy and the independence audit.

The programs come from the catalog's `data/affiliates.yaml` (docs/affiliates.md).
The validate rules that use them live in `pipeline.checks.affiliates`.
"""

from .classify import LinkClass, classify
from .disclosure import Disclosure, disclosure, email_safe_markdown, email_safe_url
from .links import FoundLink, find_links, links_in_text
from .programs import LinkShape, Program, Programs, ProgramsError, load_programs, read_programs
from .render import RENDERERS
from .report import affiliate_report, classified_links

__all__ = [
    "RENDERERS",
    "Disclosure",
    "FoundLink",
    "LinkClass",
    "LinkShape",
    "Program",
    "Programs",
    "ProgramsError",
    "affiliate_report",
    "classified_links",
    "classify",
    "disclosure",
    "email_safe_markdown",
    "email_safe_url",
    "find_links",
    "links_in_text",
    "load_programs",
    "read_programs",
]
