"""SARIF 2.1.0, for GitHub code scanning and other SARIF viewers."""

from __future__ import annotations

import json
import os
from pathlib import Path
from urllib.parse import quote

from ..diagnostics import RULES
from . import ReportOptions, reporter
from .github import repository_prefix

_LEVEL = {"error": "error", "warning": "warning"}
# pipeline's docs/rules.md, with a section (`## rule-id`) for each rule
RULES_DOC = Path(__file__).resolve().parents[2] / "docs" / "rules.md"


def rules_doc(root: Path | None) -> str:
    """docs/rules.md's path in the git repository of the catalog at `root`, as a URI
    reference (`docs/rules.md`); '' when it is not in that repository (pipeline
    installed from elsewhere), or outside git."""
    from ..config import Settings
    from ..errors import UsageError
    from ..history.gitio import open_repo

    if root is None or not RULES_DOC.is_file():
        return ""
    try:
        top = Path(open_repo(Settings(root=root)).working_tree_dir).resolve()
        return quote(RULES_DOC.relative_to(top).as_posix())
    except (UsageError, ValueError):
        return ""


def help_uri(doc: str, rule_id: str) -> str:
    """The absolute URL of a rule's section of docs/rules.md (`doc`, see rules_doc) as
    GitHub shows the file at the commit GitHub Actions checked (SARIF's helpUri is an
    absolute URI, RFC 3986, so a path in the repository cannot be one); '' elsewhere."""
    server, repo, sha = (os.environ.get(k, "") for k in
                         ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_SHA"))
    if not (doc and server.startswith("https://") and repo and sha):
        return ""
    return f"{server.rstrip('/')}/{repo}/blob/{sha}/{doc}#{rule_id}"


@reporter("sarif")
class SarifReporter:
    utf8 = True  # see pipeline.report

    def render(self, result, options: ReportOptions) -> str:
        used = sorted({d.rule for d in result.diagnostics})
        index = {r: i for i, r in enumerate(used)}
        rules_md = rules_doc(options.root) if used else ""
        rules = []
        for rid in used:
            r = RULES.get(rid)
            text = ((r.explanation + ("\n\nExample:\n" + r.example if r.example else ""))
                    if r else rid)
            if r and rules_md:  # its section, in the repository, wherever the results are read
                text += f"\n\nDocumentation: {rules_md}#{rid}"
            rule = {
                "id": rid,
                "shortDescription": {"text": r.summary if r else rid},
                "fullDescription": {"text": r.explanation if r else rid},
                "help": {"text": text},
                "defaultConfiguration": {"level": _LEVEL.get(r.severity, "warning") if r else "warning"},
            }
            if r and (uri := help_uri(rules_md, rid)):
                rule["helpUri"] = uri
            rules.append(rule)
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
                # No informationUri, and a helpUri only in GitHub Actions (see help_uri):
                # pipeline has no published documentation to point to (its docs are files
                # of its repository; the site is the catalog's, at the settings' base_url).
                # It said https://local-ai-catalog.org/methodology, a page no catalog has
                # there (that page is /pages/methodology, about benchmarks), whatever the
                # settings.
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
