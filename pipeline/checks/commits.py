"""The commits of a change: corrections git would not read.

Not a check of entries: `pipeline validate --changed-since REV` runs it on the
commits of `REV..HEAD` (what a pull request adds), so that a correction is
never silently folded in. git reads a `Correction:` line as a trailer only in
the message's last paragraph, after its subject and a blank line; anywhere
else, the correction is listed neither on the page nor in the digest.
"""

from __future__ import annotations

import re

from ..config import Settings
from ..diagnostics import Diagnostic, rule
from ..history import TRAILER  # history.log, with the git library, only when it runs

CORRECTION_UNREAD = rule(
    "correction-unread",
    "warning",
    "A commit's `Correction:` line is a trailer of a commit that touches an entry.",
    """
    A correction is listed on the corrected page and in the digest only when
    git reads its line as a trailer: a `Token: text` line in the last paragraph
    of the commit message, after the subject and a blank line. A `Correction:`
    subject line, or one followed by more paragraphs, is not read (GitHub's
    squash merges write each commit of the pull request as a paragraph of the
    message, so a trailer of an inner commit is lost there too). A correction
    in a commit that touches no entry corrects nothing. `pipeline validate
    --changed-since REV` checks the commits of `REV..HEAD`; reported on the
    files the commit touched. Amend or reword the commit before it is merged.
    """,
    example="Correction: the 4090 has 24 GB     <- the subject: not a trailer\n\n"
    "Fix the bandwidth\n\nCorrection: it is 717 GB/s.\n\nAlso fix a typo.     "
    "<- the trailer is not in the last paragraph",
    hint="reword the commit (`git commit --amend`, `git rebase -i`) so that the "
    "`Correction:` line is in its last paragraph",
)

_LINE_RE = re.compile(rf"[ \t]*{TRAILER}[ \t]*:", re.IGNORECASE)


def commit_diagnostics(settings: Settings, rev: str) -> list[Diagnostic]:
    """Warnings about the corrections of the commits of `rev..HEAD` that git does not
    read, or that correct no entry, on the files each commit touched."""
    return [CORRECTION_UNREAD(file, 0, 0, message)
            for files, message in unread_corrections(settings, f"{rev}..HEAD")
            for file in files]


def unread_corrections(settings: Settings, revs: str) -> list[tuple[list[str], str]]:
    """(files touched, what is wrong) of each commit of `revs` (a revision or a range)
    whose correction git does not read, or which corrects no entry; newest first.
    A commit that touches nothing in the catalog is left out."""
    from ..history.log import correction_lines

    out = []
    for commit in correction_lines(settings, revs):
        short = commit.sha[:12]
        files = commit.entry_files or commit.files
        if not files:
            continue  # touches nothing in the catalog: not the catalog's correction
        unread = _unread(commit)
        if unread:
            where = "its subject" if unread[0] == 1 else f"line {unread[0]} of its message"
            message = (f"commit {short} ({commit.subject!r}): the `{TRAILER}:` line at "
                       f"{where} is not a trailer git reads, so the correction is listed "
                       "neither on the page nor in the digest")
        elif commit.trailers and not commit.entry_files:
            message = (f"commit {short} ({commit.subject!r}) has a `{TRAILER}:` trailer but "
                       "touches no entry: it corrects nothing a reader sees")
        else:
            continue
        out.append((files, message))
    return out


def _unread(commit) -> list[int]:
    """Line numbers of the message's `Correction:` lines that git does not read: the
    subject (unless a trailer is read besides), any line before the last paragraph,
    and those of a last paragraph git does not take for trailers (prose among them)."""
    lines = [n for n, text in enumerate(commit.lines, 1) if _LINE_RE.match(text)]
    last = commit.last_paragraph  # 1: one paragraph, the subject's, and no trailers
    in_last = [n for n in lines if n > 1 and n >= last > 1]
    unread = [n for n in lines if (n == 1 and not commit.trailers)
              or (n > 1 and (last == 1 or n < last))]
    if len(commit.trailers) < len(in_last):
        unread += in_last[len(commit.trailers):]
    return sorted(unread)
