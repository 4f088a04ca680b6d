"""GitHub Actions workflow commands (annotations). See the Actions issue for the full reporter."""

from __future__ import annotations

from . import ReportOptions, reporter


def _escape_data(s: str) -> str:
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(s: str) -> str:
    return _escape_data(s).replace(":", "%3A").replace(",", "%2C")


@reporter("github")
class GithubReporter:
    def render(self, result, options: ReportOptions) -> str:
        out = []
        for d in result.diagnostics:
            props = f"file={_escape_property(d.file)}"
            if d.line:
                props += f",line={d.line}"
            if d.column:
                props += f",col={d.column}"
            props += f",title={_escape_property(d.rule)}"
            out.append(f"::{d.severity} {props}::{_escape_data(d.message)}")
        return "\n".join(out) + ("\n" if out else "")
