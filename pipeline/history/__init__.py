"""The catalog's git history: revisions by date, tree diffs, renames, corrections."""

from __future__ import annotations

# Kept light: no git library is imported here.

from ..errors import UsageError

# The trailer that records a correction in a commit message (`Correction: ...`).
TRAILER = "Correction"


def git_refusal(stderr: str) -> UsageError | None:
    """The error to stop with when git refuses to work in the repository at all (a
    repository owned by another user, "dubious ownership", as in many CI containers),
    with git's own advice; None for any other failure. Going on would read the
    history as empty: dates, corrections and renames would silently go."""
    if "dubious ownership" not in stderr and "safe.directory" not in stderr:
        return None
    lines = [line.strip() for line in stderr.strip().splitlines() if line.strip()]
    advice = next((line for line in lines if line.startswith("git config")), "")
    return UsageError(lines[0].removeprefix("fatal: ") + (f"; git's advice: {advice}"
                                                         if advice else ""))


def renamed_ids(settings) -> dict[str, str]:
    """Old id -> the id its entry has now, from git's renames (log.renamed_ids), with git
    read only when this is called: validate and the digest's render ask only when a link
    names no entry, so that a run without one imports no git library and runs no git."""
    from .log import renamed_ids as read

    return read(settings)
