"""Shared fixtures: small real catalogs in temp folders, real git repos, the real CLI."""

from __future__ import annotations

import os
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from pipeline.cli import main
from pipeline.config import load_settings

REPO = Path(__file__).resolve().parent.parent
# Debian's Chromium; elsewhere (a GitHub runner has Google Chrome) another Chromium-based
# browser that Playwright can drive.
CHROMIUM = os.environ.get("PIPELINE_CHROMIUM", "/usr/bin/chromium")


def unavailable(reason: str) -> None:
    """Skip a test that cannot run on this machine, but fail it where every test must run
    (`PIPELINE_TESTS_REQUIRED=1`, as `.ci/run` sets): there a skipped test would pass
    without having been able to fail."""
    if os.environ.get("PIPELINE_TESTS_REQUIRED") == "1":
        pytest.fail(f"{reason}, and PIPELINE_TESTS_REQUIRED=1 says every test must run "
                    "here (scripts/setup.sh --test installs what they need)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def chromium_here() -> str:
    """Debian's Chromium, which the browser tests drive with Playwright."""
    if not os.path.exists(CHROMIUM):
        unavailable(f"{CHROMIUM} is missing (apt-get install chromium, or set "
                    "PIPELINE_CHROMIUM)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        unavailable("playwright is not installed (scripts/setup.sh --test)")
    return CHROMIUM


@pytest.fixture(scope="module")
def browser(chromium_here):
    """Headless Chromium, one per test module, with no network of its own."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_here, headless=True,
                              args=["--no-sandbox", "--disable-background-networking",
                                    "--disable-gpu"])
        yield b
        b.close()


@pytest.fixture
def page(browser):
    """A new tab of `browser`, desktop-wide."""
    tab = browser.new_page(viewport={"width": 1100, "height": 900})
    yield tab
    tab.close()

MINI = {
    "authors/ana": {"title": "Ana Editor", "status": "published", "summary": "Editor.",
                    "authors": ["ana"], "published": "2026-01-05"},
    "authors/ben": {"title": "Ben Reviewer", "status": "published", "summary": "Reviewer.",
                    "authors": ["ben"], "published": "2026-01-05"},
    "glossary/awq": {"title": "AWQ", "status": "published", "summary": "A quantization method.",
                     "authors": ["ana"], "published": "2026-01-10", "category": "Formats & quantization"},
    "tools/vllm": {"title": "vLLM", "status": "published", "summary": "A serving engine.",
                   "authors": ["ana"], "reviewed_by": ["ben"], "published": "2026-01-10",
                   "repository": "https://github.com/vllm-project/vllm",
                   "related": ["glossary/awq"],
                   "verdict": {"rating": "recommended", "text": "Best for many users.",
                               "date": "2026-01-10", "by": "ana"}},
}


def write_entry(root: Path, entry_id: str, data: dict | str, body: str = "Text.\n") -> Path:
    """Write entries/<id>.md from a front-matter dict (or raw text) and a body."""
    path = root / "entries" / f"{entry_id}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        fm = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
        path.write_text(f"---\n{fm}---\n{textwrap.dedent(body)}", encoding="utf-8")
    return path


@pytest.fixture
def catalog(tmp_path) -> Path:
    """A minimal valid catalog: settings, the real schemas, four entries. No affiliate
    program: its settings name no programs file (a file they name must exist)."""
    root = tmp_path / "catalog"
    root.mkdir()
    shutil.copytree(REPO / "schemas", root / "schemas")
    (root / "pipeline.toml").write_text(
        (REPO / "pipeline.toml").read_text(encoding="utf-8")
        .replace('affiliates = "data/affiliates.yaml"\n', ""), encoding="utf-8")
    for entry_id, data in MINI.items():
        write_entry(root, entry_id, data)
    return root


@pytest.fixture
def shipped(tmp_path) -> Path:
    """A copy of the shipped catalog (entries, data, schemas, settings)."""
    root = tmp_path / "shipped"
    root.mkdir()
    for name in ("entries", "schemas", "data", "digests"):
        if (REPO / name).exists():
            shutil.copytree(REPO / name, root / name)
    shutil.copy(REPO / "pipeline.toml", root / "pipeline.toml")
    return root


def git(root: Path, *args: str, env: dict | None = None) -> str:
    import os

    e = {**os.environ, "GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "t@example.org",
         "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "t@example.org",
         "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(root)}
    if env:
        e.update(env)
    return subprocess.run(["git", *args], cwd=root, env=e, check=True,
                          capture_output=True, text=True).stdout


def commit_all(root: Path, message: str, date: str | None = None) -> str:
    """Commit everything in `root` (a date like 2026-10-05T12:00:00 sets both dates)."""
    env = {"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date} if date else None
    git(root, "add", "-A", env=env)
    git(root, "commit", "-q", "--allow-empty", "-m", message, env=env)
    return git(root, "rev-parse", "HEAD").strip()


@pytest.fixture
def repo(catalog) -> Path:
    """The minimal catalog as a real git repository with one commit."""
    git(catalog, "init", "-q", "-b", "main")
    commit_all(catalog, "Initial catalog", "2026-09-01T12:00:00")
    return catalog


@pytest.fixture
def cli():
    """Run the real CLI: cli(root, 'validate', '--format', 'json') -> click Result."""
    runner = CliRunner()

    def run(root: Path, *args: str, **kw):
        return runner.invoke(main, ["--root", str(root), *args], catch_exceptions=False, **kw)

    return run


@pytest.fixture
def settings_of():
    return lambda root: load_settings(root)


class CountingBar:
    """A stand-in for pipeline.progress.Progress that counts what it is told."""

    total = None
    done = 0

    def advance(self, n=1):
        self.done += n


class Scanned(str):
    """Text that adds up how much of itself `count` and `rfind` look through: a test of
    work done in one pass counts it (never time)."""
    looked = 0

    def count(self, sub, start=0, end=None):
        Scanned.looked += (len(self) if end is None else end) - start
        return str.count(self, sub, start, end)

    def rfind(self, sub, start=0, end=None):
        Scanned.looked += (len(self) if end is None else end) - start
        return str.rfind(self, sub, start, end)
