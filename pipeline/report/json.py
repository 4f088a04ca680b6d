"""JSON for tools: every diagnostic and a summary."""

from __future__ import annotations

import json

from . import ReportOptions, reporter


@reporter("json")
class JsonReporter:
    utf8 = True  # see pipeline.report

    def render(self, result, options: ReportOptions) -> str:
        doc = {
            "diagnostics": [d.to_dict() for d in result.diagnostics],
            "summary": result.summary(),
        }
        return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
