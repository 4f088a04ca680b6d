"""SARIF 2.1.0, for GitHub code scanning and other SARIF viewers."""

from __future__ import annotations

import json
from urllib.parse import quote

from ..diagnostics import RULES
from . import ReportOptions, reporter
from .github import repository_prefix

_LEVEL = {"error": "error", "warning": "warning"}


@reporter("sarif")
class SarifReporter:
    utf8 = True  # see pipeline.report

    def render(self, result, options: ReportOptions) -> str:
        used = sorted({d.rule for d in result.diagnostics})
        index = {r: i for i, r in enumerate(used)}
        rules = []
        for rid in used:
            r = RULES.get(rid)
            rules.append({
                "id": rid,
                "shortDescription": {"text": r.summary if r else rid},
                "fullDescription": {"text": r.explanation if r else rid},
                "help": {"text": (r.explanation + ("\n\nExample:\n" + r.example if r.example else ""))
                         if r else rid},
                "defaultConfiguration": {"level": _LEVEL.get(r.severity, "warning") if r else "warning"},
            })
        results = []
        # paths from the repository's root, as code scanning reads them (the catalog may
        # live in a folder of its repository, as the github reporter knows too)
        prefix = repository_prefix(options.root) if options.root else ""
        for d in result.diagnostics:
            region = {"startLine": max(d.line, 1)}
            if d.column:
                region["startColumn"] = d.column
            results.append({
                "ruleId": d.rule,
                "ruleIndex": index[d.rule],
                "level": _LEVEL.get(d.severity, "warning"),
                "message": {"text": d.message + (f" (hint: {d.hint})" if d.hint else "")},
                "locations": [{"physicalLocation": {
                    # a URI reference: `a b.md`, `x#y.md`, `p%41.md` percent-encoded, and
                    # the bytes of a name that is not UTF-8 as they are on disk (0xff: %FF)
                    "artifactLocation": {"uri": quote(prefix + d.file, errors="surrogateescape"),
                                         "uriBaseId": "%SRCROOT%"},
                    "region": region,
                }}],
            })
        doc = {
            "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
            "version": "2.1.0",
            "runs": [{
                # No informationUri, and no helpUri on the rules: pipeline has no published
                # documentation to point to (its docs are files of its repository; the site
                # is the catalog's, at the settings' base_url). It said
                # https://local-ai-catalog.org/methodology, a page no catalog has there
                # (that page is /pages/methodology, about benchmarks), whatever the settings.
                "tool": {"driver": {
                    "name": "pipeline",
                    "version": options.tool_version,
                    "rules": rules,
                }},
                "results": results,
                # columns count characters (code points), as editors and the other formats
                # do; SARIF's default is UTF-16 code units, one more for each emoji
                "columnKind": "unicodeCodePoints",
            }],
        }
        return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
