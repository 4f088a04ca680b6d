"""GitHub Actions: annotations for the most important problems, every problem in the job summary.

GitHub shows at most 10 error and 10 warning annotations per step and drops
the rest, so this reporter picks the 10 most important of each severity:

1. problems that keep an entry from being read or checked at all (the file,
   YAML and schema rules in BLOCKING_RULES) before any other, since they hide
   every other check of that entry;
2. the first problem of each rule before the second of any rule, so the ten
   show as many kinds of problem as there are;
3. then file order (file, line, column).

The annotated problems come first in the log, errors then warnings; the others
follow as plain log lines. `after()` appends the complete list as a Markdown
table to $GITHUB_STEP_SUMMARY when it is set, kept under GitHub's 1 MiB limit
with a note of what did not fit. Paths are relative to the repository root,
which may sit above the catalog root. Syntax and escaping follow GitHub's
workflow commands: `::error file=F,line=L,col=C,title=RULE::message`. See docs/github.md.
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

from ..config import Settings
from ..diagnostics import Diagnostic
from ..errors import UsageError
from . import ReportOptions, reporter

MAX_ANNOTATIONS = 10  # per severity and step: GitHub drops the rest
SUMMARY_LIMIT = 1024 * 1024  # bytes of one step's job summary
BLOCKING_RULES = frozenset({
    "file-encoding", "file-name", "file-symlink", "file-unreadable", "front-matter", "yaml-syntax",
    "yaml-duplicate-key", "yaml-alias", "yaml-tag", "bibliography", "schema",
})
_MARKDOWN_SPECIAL = set("\\`*_[]<>&~|@#")


def escape_data(s: str) -> str:
    """A workflow command's message: `%`, CR and LF encoded."""
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(s: str) -> str:
    """A workflow command's property value: also `:` and `,` encoded."""
    return escape_data(s).replace(":", "%3A").replace(",", "%2C")


def annotation(d: Diagnostic, prefix: str = "") -> str:
    """One `::error ...::message` line; `prefix` is the catalog's folder in the repository."""
    props = [f"file={escape_property(prefix + d.file)}"]
    if d.line:
        props.append(f"line={d.line}")
        if d.column:
            props.append(f"col={d.column}")
    props.append(f"title={escape_property(d.rule)}")
    message = d.message + (f"\nhint: {d.hint}" if d.hint else "")
    return f"::{d.severity} {','.join(props)}::{escape_data(message)}"


def _file_order(d: Diagnostic) -> tuple:
    return (d.file, d.line, d.column, d.rule, d.message)


def by_importance(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """The diagnostics, most important first (see the module's docstring)."""
    nth: Counter[str] = Counter()
    keyed = []
    for d in sorted(diagnostics, key=_file_order):
        keyed.append(((d.rule not in BLOCKING_RULES, nth[d.rule], d.file, d.line, d.column), d))
        nth[d.rule] += 1
    return [d for _, d in sorted(keyed, key=lambda kd: kd[0])]


def split_annotated(diagnostics: list[Diagnostic], cap: int = MAX_ANNOTATIONS):
    """(the `cap` most important errors then warnings, the rest in file order)."""
    chosen: list[Diagnostic] = []
    for severity in ("error", "warning"):
        chosen += by_importance([d for d in diagnostics if d.severity == severity])[:cap]
    picked = set(map(id, chosen))
    return chosen, [d for d in sorted(diagnostics, key=_file_order) if id(d) not in picked]


def repository_prefix(root: Path) -> str:
    """The catalog root's folder in its git repository, like `site/` ('' at the top or outside git)."""
    from ..history.gitio import open_repo

    try:
        repo = open_repo(Settings(root=root))
    except UsageError:
        return ""
    rel = Path(root).resolve().relative_to(Path(repo.working_tree_dir).resolve()).as_posix()
    return "" if rel == "." else rel + "/"


def _markdown(text: str) -> str:
    """Text for a table cell: Markdown and HTML characters escaped, line breaks as <br>,
    a byte of a file's name that is not UTF-8 as `\\udcff` (UTF-8 cannot hold it)."""
    text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    escaped = "".join("\\" + c if c in _MARKDOWN_SPECIAL else c for c in text)
    return "<br>".join(escaped.replace("\r\n", "\n").replace("\r", "\n").split("\n"))


def _where(d: Diagnostic, prefix: str) -> str:
    """`file:line:col`, as far as they are known, with the file relative to the repository."""
    line = f":{d.line}" + (f":{d.column}" if d.column else "") if d.line else ""
    return prefix + d.file + line


def _row(d: Diagnostic, prefix: str) -> str:
    message = _markdown(d.message) + (f"<br>hint: {_markdown(d.hint)}" if d.hint else "")
    return f"| {d.severity} | {_markdown(d.rule)} | {_markdown(_where(d, prefix))} | {message} |\n"


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}{'s' * (n != 1)}"


def summary_markdown(result, prefix: str = "", limit: int = SUMMARY_LIMIT) -> str:
    """The job summary: every diagnostic in a table, errors first, at most `limit` UTF-8 bytes."""
    diags = sorted(result.diagnostics, key=lambda d: (d.severity != "error", *_file_order(d)))
    noun = "entry" if result.entries == 1 else "entries"
    head = f"## pipeline validate\n\nChecked {result.entries} {noun}: "
    if not diags:
        text = head + "no problems.\n"
        return text if len(text.encode()) <= limit else ""
    head += (f"**{_plural(result.errors, 'error')}, {_plural(result.warnings, 'warning')}**. "
             f"At most {MAX_ANNOTATIONS} of each are annotated on the files; this table lists all.\n\n"
             "| Severity | Rule | Where | Message |\n| --- | --- | --- | --- |\n")
    reserve = 300  # for the truncation note
    parts, size = [head], len(head.encode())
    for i, d in enumerate(diags):
        row = _row(d, prefix)
        if size + len(row.encode()) + reserve > limit:
            left = diags[i:]
            errors = sum(d.severity == "error" for d in left)
            note = (f"\n**{_plural(len(left), 'more problem')} ({_plural(errors, 'error')}, "
                    f"{_plural(len(left) - errors, 'warning')}) not listed: a job summary holds at "
                    "most 1 MiB. Run `pipeline validate` to see them all.**\n")
            parts.append(note)
            break
        parts.append(row)
        size += len(row.encode())
    text = "".join(parts)
    return text if len(text.encode()) <= limit else ""


def _plain(d: Diagnostic, prefix: str) -> str:
    """A log line that GitHub cannot take for a command: one line, starting with `- `
    (a command is a line starting with `::` after any white space; a file at the
    repository's root may be named `::error ...`), its text as written: `%` is only
    encoded in commands."""
    line = f"- {_where(d, prefix)}: {d.severity} {d.rule}: {d.message}"
    return " ".join(line.splitlines()) if "\n" in line or "\r" in line else line


@reporter("github")
class GithubReporter:
    def __init__(self) -> None:
        self.prefix = ""

    def render(self, result, options: ReportOptions) -> str:
        root = options.root
        self.prefix = repository_prefix(root) if root else ""
        annotated, rest = split_annotated(result.diagnostics)
        out = [annotation(d, self.prefix) for d in annotated]
        if rest:
            out.append(f"Not annotated ({_plural(len(rest), 'more problem')}; GitHub shows "
                       f"{MAX_ANNOTATIONS} errors and {MAX_ANNOTATIONS} warnings per step):")
            out += [_plain(d, self.prefix) for d in rest]
        noun = "entry" if result.entries == 1 else "entries"
        out.append(f"pipeline validate: {_plural(result.errors, 'error')}, "
                   f"{_plural(result.warnings, 'warning')} in {result.entries} {noun}.")
        return "\n".join(out) + "\n"

    def after(self, result) -> str | None:
        """Append the complete list to $GITHUB_STEP_SUMMARY, when GitHub Actions set it.
        A summary that cannot be written (the variable names a folder, or a file in no
        folder) is a warning, returned, not an error: the annotations and the log are out
        already, and the run's exit status is the problems' (it was 2, a usage error,
        failing a clean run: found in review)."""
        target = os.environ.get("GITHUB_STEP_SUMMARY")
        if not target:
            return None
        path = Path(target)
        try:
            used = path.stat().st_size if path.is_file() else 0
            text = summary_markdown(result, self.prefix, SUMMARY_LIMIT - used)
            if text:
                # The runner owns this file and reads what a step appends to it (GitHub's
                # documented contract), so this appends rather than replacing it.
                with path.open("a", encoding="utf-8") as f:
                    f.write(text)
        except OSError as e:
            return (f"the job summary was not written: GITHUB_STEP_SUMMARY is {target}: "
                    f"{e.strerror or e}")
        return None
