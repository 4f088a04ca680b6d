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
