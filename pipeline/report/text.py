"""Text for people: grouped by file, with hints and a summary line."""

from __future__ import annotations

from itertools import groupby

from ..textchars import INVISIBLE
from . import ReportOptions, reporter

_COLORS = {"error": "\x1b[31m", "warning": "\x1b[33m", "dim": "\x1b[2m", "bold": "\x1b[1m"}
_RESET = "\x1b[0m"


def one_line(text: str) -> str:
    """`text` on one line, every character that would break it or act on a terminal
    written as an escape: a line break (in a title, or a file's name) as `\\n`, ESC as
    `\\x1b`, a byte of a name that is not UTF-8 as `\\udcff`."""
    text = text.replace("\r", "\\r").replace("\n", "\\n")
    return INVISIBLE.sub(lambda m: m[0].encode("unicode_escape").decode("ascii"), text)


@reporter("text")
class TextReporter:
    def render(self, result, options: ReportOptions) -> str:
        def c(text: str, style: str) -> str:
            return f"{_COLORS[style]}{text}{_RESET}" if options.color else text

        lines: list[str] = []
        for file, group in groupby(result.diagnostics, key=lambda d: d.file):
            # one problem a line: a newline in a message (a title's) or in a file's name
            # is shown as \n, and a terminal is given no control character to act on
            file = one_line(file)
            lines.append(c(file, "bold"))
            for d in group:
                where = f"{file}:{d.line}:{d.column}" if d.line else file
                lines.append(f"  {where}: {c(d.severity, d.severity)} {d.rule}: "
                             f"{one_line(d.message)}")
                if d.hint:
                    lines.append(c(f"    hint: {one_line(d.hint)}", "dim"))
            lines.append("")
        s = result.summary()
        noun = "entry" if s["entries"] == 1 else "entries"
        verdict = "no problems" if not result.diagnostics else (
            f"{s['errors']} error{'s' * (s['errors'] != 1)}, "
            f"{s['warnings']} warning{'s' * (s['warnings'] != 1)}"
        )
        lines.append(f"Checked {s['entries']} {noun}: {verdict}.")
        return "\n".join(lines) + "\n"
