"""Docs cannot drift: the generated pages must match what the code says now."""

import subprocess
import sys

import pytest

from conftest import REPO


@pytest.mark.parametrize("page", ["docs/cli.md", "docs/rules.md"])
def test_generated_page_is_current(page):
    r = subprocess.run([sys.executable, "-m", "cogapp", "--check", "--verbosity=0", page],
                       cwd=REPO, capture_output=True, text=True)
    assert r.returncode == 0, f"{page} is out of date: run `.venv/bin/cog -r {page}`\n{r.stdout}{r.stderr}"


def test_every_rule_is_documented_with_an_example():
    from pipeline.checks import load_checks
    from pipeline.diagnostics import RULES

    load_checks()
    text = (REPO / "docs/rules.md").read_text(encoding="utf-8")
    for rule in RULES.values():
        assert f"## {rule.id}\n" in text
        assert rule.example, f"rule {rule.id} has no example"


def test_readme_and_help_say_what_validate_exits_with(catalog, cli):
    """Warnings alone exit 0, and 1 only with --strict: README and `validate --help` said
    '1 problems found' (found in review)."""
    import re

    def stated(text):
        said = re.search(r"Exit status: (.*?)\.\n\n", text, re.S).group(1)
        return " ".join(said.replace("`", "").split())

    readme = stated((REPO / "README.md").read_text(encoding="utf-8"))
    assert readme == stated(cli(catalog, "validate", "--help").output)
    assert readme == ("0 no errors (warnings alone pass), 1 errors found (or warnings, with "
                      "--strict), 2 usage or settings error")


def test_the_json_output_is_documented_as_it_is(catalog, cli):
    """docs/cli.md shows `validate --format json`: the same keys in the same order."""
    import json
    import re

    from conftest import MINI, write_entry

    text = (REPO / "docs/cli.md").read_text(encoding="utf-8")
    shown = json.loads(re.search(r"\*\*`--format json`\*\*.*?```json\n(.*?)```", text, re.S)[1])
    write_entry(catalog, "tools/vllm", dict(MINI["tools/vllm"], related=["glossary/nope"]))
    doc = json.loads(cli(catalog, "validate", "--format", "json").output)
    assert list(doc) == list(shown)
    assert list(doc["diagnostics"][0]) == list(shown["diagnostics"][0])
    assert list(doc["summary"]) == list(shown["summary"])
    for key in (*shown["diagnostics"][0], "summary.entries"):
        assert re.search(rf"^\| [^|]*`{re.escape(key)}`", text, re.M), key
