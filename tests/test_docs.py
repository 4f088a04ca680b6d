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


def test_the_limits_the_docs_state_are_the_codes():
    """A limit said in words is the constant the code uses: the search page showed its
    first 50 results, which docs/build.md never said, and described its search twice,
    the second time without the path; the affiliates figures' note on a small side went
    unsaid (found in review)."""
    import re

    from pipeline.affiliates.render import SMALL_SAMPLE
    from pipeline.digest.eml import MAX_UNSUBSCRIBE_URL
    from pipeline.digest.plaintext import WIDTH
    from pipeline.digest.render import GMAIL_CLIP
    from pipeline.feeds.fetch import MAX_BYTES, TIMEOUT
    from pipeline.publish import feed, sitemap
    from pipeline.report.github import MAX_ANNOTATIONS

    def says(page, *phrases):
        text = " ".join((REPO / page).read_text(encoding="utf-8").split())
        for phrase in phrases:
            assert phrase in text, f"{page} does not say {phrase!r}"

    search = (REPO / "pipeline/templates/site/search.js").read_text(encoding="utf-8")
    shown = int(re.search(r"var LIMIT = (\d+);", search)[1])
    says("docs/build.md", f'It shows the first {shown} ("Showing the first {shown}.")',
         f"the {feed.FEED_SIZE} most recently updated items",
         f"at most {sitemap.MAX_URLS:,} URLs and {sitemap.MAX_BYTES // 2**20} MB",
         f"cut at a word to {feed.SUMMARY_LIMIT} characters")
    assert (REPO / "docs/build.md").read_text(encoding="utf-8").count(
        "The search page finds the entries") == 0, "the search is described once"
    says("docs/digest.md", f"a {TIMEOUT:g}-second timeout", f"a {MAX_BYTES // 10**6} MB cap",
         f"{WIDTH} columns", f"under {GMAIL_CLIP // 1000} KB")
    says("docs/github.md", f"at most {MAX_ANNOTATIONS} error and {MAX_ANNOTATIONS} warning")
    says("docs/affiliates.md", f"a side has fewer than {SMALL_SAMPLE} pages")
    says("docs/settings.md", f"at most {MAX_UNSUBSCRIBE_URL} characters")


def test_the_library_signature_in_build_md_is_builds():
    """docs/build.md gives the library function behind `pipeline build`; it lacked the
    keyword-only mark and `on_wait`, added today (found in review)."""
    import inspect
    import re

    from pipeline.publish.build import build

    text = " ".join((REPO / "docs/build.md").read_text(encoding="utf-8").split())
    shown = re.search(r"`pipeline\.publish\.build\.build\((.*?)\) -> BuildResult`", text)[1]
    said = []
    for p in inspect.signature(build).parameters.values():
        if p.kind is p.KEYWORD_ONLY and "*" not in said:
            said.append("*")
        said.append(p.name + ("" if p.default is p.empty else f"={p.default!r}"))
    assert shown == ", ".join(said)


def test_every_link_between_the_docs_leads_somewhere():
    """Each `[..](x.md#part)` of README.md and docs/ names a file that is there and, with a
    fragment, one of its headings (GitHub's ids: lower case, punctuation dropped, spaces
    as hyphens). Code blocks, inline code and comments (cog's) are examples, not links."""
    import re

    def outside_code_blocks(page):
        lines, fence = [], False
        text = re.sub(r"<!--.*?-->", "", page.read_text(encoding="utf-8"), flags=re.S)
        for line in text.splitlines():
            if line.lstrip().startswith("```"):
                fence = not fence
            elif not fence:
                lines.append(line)
        return "\n".join(lines)

    def ids(page):
        seen: dict[str, int] = {}
        for heading in re.findall(r"^#{1,6} (.+)$", outside_code_blocks(page), re.M):
            slug = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
            seen[slug] = seen.get(slug, -1) + 1
            yield slug if not seen[slug] else f"{slug}-{seen[slug]}"

    pages = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
    broken = []
    for page in pages:
        prose = re.sub(r"`[^`\n]*`", "", outside_code_blocks(page))
        for target in re.findall(r"\]\(([^)\s]+)\)", prose):
            if re.match(r"[a-z]+:|/", target):
                continue  # a URL, or a site path of an example
            path, _, part = target.partition("#")
            dest = (page.parent / path).resolve() if path else page
            if not dest.exists() or part and dest.suffix == ".md" and part not in ids(dest):
                broken.append(f"{page.relative_to(REPO)}: {target}")
    assert not broken
