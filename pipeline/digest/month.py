"""A digest's month: `YYYY-MM`, its first day and the first day of the next."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import UsageError

_MONTH_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
# The first month a git history can hold: commits are dated from 1970 on (a month before
# read as empty, and an empty digest was written).
FIRST = (1970, 1)
NAMES = ("January", "February", "March", "April", "May", "June", "July", "August",
         "September", "October", "November", "December")  # not the locale's


@dataclass(frozen=True)
class Month:
    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> "Month":
        m = _MONTH_RE.match(str(text))
        if not m:
            raise UsageError(f"'{text}' is not a month: write YYYY-MM, e.g. 2026-10")
        year, month = int(m.group(1)), int(m.group(2))
        if (year, month) < FIRST or (year, month) == (9999, 12):  # a month must end on a date
            raise UsageError(f"'{text}' is out of range: months run from {FIRST[0]}-{FIRST[1]:02d}"
                             " (no commit is older) to 9999-11")
        return cls(year, month)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def first_day(self) -> str:
        return f"{self}-01"

    @property
    def next_first_day(self) -> str:
        y, m = (self.year + 1, 1) if self.month == 12 else (self.year, self.month + 1)
        return f"{y:04d}-{m:02d}-01"

    @property
    def name(self) -> str:
        """`October 2026`."""
        return f"{NAMES[self.month - 1]} {self.year}"
