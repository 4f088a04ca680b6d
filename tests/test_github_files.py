"""Structural checks of the workflows and the pre-commit hooks (actionlint and zizmor do the rest)."""

from __future__ import annotations

import re

import pytest
import yaml

from conftest import MINI, REPO, write_entry

WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.y*ml"))
PINNED = re.compile(r"^[\w.-]+/[\w.-]+(/[\w./-]+)?@[0-9a-f]{40}$")
USES_LINE = re.compile(r"^\s*(-\s+)?uses:\s*(\S+)(.*)$")


def load(path):
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc["on"] = doc.pop(True, doc.get("on"))  # YAML 1.1 reads the key `on` as true
    return doc


def steps(doc):
    for job in doc["jobs"].values():
        yield from job.get("steps", [])


def test_there_are_the_two_workflows():
    assert {p.name for p in WORKFLOWS} == {"pull-request.yml", "monthly-digest.yml"}


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_every_action_is_pinned_to_a_commit_with_its_version(path):
    uses = [s["uses"] for s in steps(load(path)) if "uses" in s]
    assert uses
    assert all(PINNED.match(u) for u in uses), uses
    for line in path.read_text(encoding="utf-8").splitlines():
        m = USES_LINE.match(line)
        if m:
            assert re.fullmatch(r"\s+# v\d+\.\d+\.\d+", m.group(3)), line


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_least_privilege_and_no_expressions_in_scripts(path):
    doc = load(path)
    assert doc["permissions"] == {}
    for job in doc["jobs"].values():
        assert isinstance(job["permissions"], dict) and job["permissions"]
    for step in steps(doc):
        assert "${{" not in step.get("run", "")
        if step.get("uses", "").startswith("actions/checkout@"):
            assert step["with"]["persist-credentials"] is False


def test_pull_request_workflow():
    doc = load(REPO / ".github/workflows/pull-request.yml")
    assert "pull_request" in doc["on"]
    check = doc["jobs"]["check"]
    assert check["permissions"] == {"contents": "read"}
    by_uses = {s["uses"].split("@")[0]: s for s in check["steps"] if "uses" in s}
    assert by_uses["actions/checkout"]["with"]["fetch-depth"] == 0
    assert by_uses["actions/setup-python"]["with"]["cache"] == "pip"
    assert by_uses["actions/upload-artifact"]["with"]["path"] == "dist/"
    runs = "\n".join(s.get("run", "") for s in check["steps"])
    assert '-e ".[test]"' in runs and "./scripts/test.sh" in runs
    validate = next(s for s in check["steps"] if "--changed-since" in s.get("run", ""))
    assert "--format github" in validate["run"]
    build = next(s for s in check["steps"] if "pipeline build --out dist" in s.get("run", ""))
    # an editor's annotations and the preview do not wait for the test suite
    for step in (validate, build):
        assert step["if"] == "${{ !cancelled() && steps.install.outcome == 'success' }}"
    assert check["if"] == "${{ github.event_name == 'pull_request' }}"
    sarif = doc["jobs"]["code-scanning"]
    assert sarif["permissions"]["security-events"] == "write"
    assert any(s.get("uses", "").startswith("github/codeql-action/upload-sarif@") for s in sarif["steps"])
    # code scanning compares a pull request with its base: main is analysed on push
    assert doc["on"]["push"] == {"branches": ["main"]} and "'push'" in sarif["if"]
    setup = next(s for s in sarif["steps"] if s.get("uses", "").startswith("actions/setup-python@"))
    assert "cache" not in setup["with"]  # the check job's fuller cache keeps its key


def test_monthly_workflow():
    doc = load(REPO / ".github/workflows/monthly-digest.yml")
    assert doc["on"]["schedule"][0]["cron"].split()[2:] == ["1", "*", "*"]
    assert doc["on"]["workflow_dispatch"]["inputs"]["month"]["required"] is False
    job = doc["jobs"]["draft"]
    assert job["permissions"] == {"contents": "write", "pull-requests": "write"}
    runs = "\n".join(s.get("run", "") for s in job["steps"])
    assert 'pipeline digest draft "$MONTH"' in runs and "gh pr create" in runs
    month = next(s for s in job["steps"] if s.get("id") == "month")
    assert month["env"]["MONTH_INPUT"] == "${{ inputs.month }}"
    assert '"$GITHUB_REF_NAME" != "$DEFAULT_BRANCH"' in month["run"]  # by hand: main only
    opening = next(s for s in job["steps"] if "gh pr create" in s.get("run", ""))
    assert opening["shell"] == "bash"  # pipefail: a failed `gh pr list` stops the step
    assert "--limit 1000" in opening["run"] and "isCrossRepository" in opening["run"]
    assert 'git add -A -- "$folder"' in opening["run"] and "digests" not in opening[
        "run"].split("git add", 1)[1].split("\n", 1)[0]


def test_pre_commit_hooks_shape():
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert isinstance(hooks, list)
    by_id = {h["id"]: h for h in hooks}
    assert set(by_id) == {"pipeline-validate", "pipeline-validate-all"}
    for h in hooks:
        assert {"id", "name", "entry", "language"} <= set(h)
        assert h["language"] == "python" and h["entry"] == "pipeline validate"
        assert set(h) <= {"id", "name", "description", "entry", "language", "files", "pass_filenames",
                          "require_serial", "minimum_pre_commit_version"}
    staged = re.compile(by_id["pipeline-validate"]["files"])
    assert staged.search("entries/tools/vllm.md") and staged.search("site/entries/tools/vllm.md")
    assert not staged.search("docs/entries.md") and not staged.search("entries/tools/vllm.txt")
    everything = by_id["pipeline-validate-all"]
    assert everything["pass_filenames"] is False
    files = re.compile(everything["files"])
    assert all(files.search(p) for p in ("pipeline.toml", "schemas/tools.schema.json",
                                         "site/data/bibliography.yaml"))
    assert not files.search("entries/tools/vllm.md")


def _staged_hook() -> list[str]:
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    return next(h for h in hooks if h["id"] == "pipeline-validate")["entry"].split()


def test_the_staged_entries_hook_runs_as_pre_commit_would(catalog, cli, monkeypatch):
    """pre-commit runs `entry` from the repository root with the staged files as arguments."""
    assert _staged_hook() == ["pipeline", "validate"]
    monkeypatch.chdir(catalog)
    assert cli(catalog, "validate", "entries/tools/vllm.md").exit_code == 0
    write_entry(catalog, "tools/vllm", {**MINI["tools/vllm"], "related": ["glossary/awk"]})
    r = cli(catalog, "validate", "entries/tools/vllm.md")
    assert r.exit_code == 1 and "ref-unresolved" in r.output
    assert cli(catalog, "validate", "entries/glossary/awq.md").exit_code == 0


def test_the_staged_entries_hook_catches_a_file_that_does_not_load(catalog, cli, monkeypatch):
    monkeypatch.chdir(catalog)
    (catalog / "entries/tools/vllm.md").write_text("no front matter\n")
    r = cli(catalog, *_staged_hook()[1:], "entries/tools/vllm.md")
    assert r.exit_code == 1 and "front-matter" in r.output


def test_the_pull_request_is_compared_with_the_base_its_merge_was_made_on(repo):
    """GitHub checks out the merge of the pull request into its base: `HEAD^1` is that base.
    Compared with the base branch as it is when the job runs (`origin/<base>`), every
    commit the base got since counts as the pull request's, reversed (found in review:
    a re-run reported problems in files the pull request never touched)."""
    import datetime as dt

    from conftest import commit_all, git
    from pipeline.config import load_settings
    from pipeline.validate import validate

    vllm = {**MINI["tools/vllm"]}
    write_entry(repo, "tools/vllm", vllm, "It serves models 3x faster than the rest.\n")
    base = commit_all(repo, "vllm with an uncited claim", "2026-10-01T12:00:00")
    git(repo, "switch", "-q", "-c", "pr")
    write_entry(repo, "glossary/gptq", {**MINI["glossary/awq"], "title": "GPTQ"}, "GPTQ.\n")
    commit_all(repo, "Add GPTQ", "2026-10-02T12:00:00")
    git(repo, "switch", "-q", "--detach", base)  # GitHub makes the merge on the base of then
    git(repo, "merge", "-q", "--no-ff", "-m", "Merge pr", "pr")
    merge = git(repo, "rev-parse", "HEAD").strip()
    git(repo, "switch", "-q", "main")  # then the base branch moves: its claim gets cited
    write_entry(repo, "tools/vllm", vllm, "It serves models quickly.\n")
    commit_all(repo, "vllm without the claim", "2026-10-03T12:00:00")
    git(repo, "switch", "-q", "--detach", merge)

    def problems(since):
        result = validate(load_settings(repo), changed_since=since, today=dt.date(2026, 11, 27),
                          cache=False)
        return sorted({d.file for d in result.diagnostics})

    assert problems("main") == ["entries/tools/vllm.md"]  # the base's newer commit, reversed
    assert problems("HEAD^1") == []
    check = load(REPO / ".github/workflows/pull-request.yml")["jobs"]["check"]
    assert any("--changed-since HEAD^1 " in s.get("run", "") for s in check["steps"])


FAKE_GH = '''#!{python}
"""`gh` as the digest workflow calls it, on pull requests kept in $FAKE_GH_STATE."""
import json, os, subprocess, sys
state_file = os.environ["FAKE_GH_STATE"]
state = json.load(open(state_file))
args = sys.argv[1:]
opt = lambda name: args[args.index(name) + 1] if name in args else None
if args[:2] == ["auth", "setup-git"]:
    sys.exit(0)
if args[:2] == ["pr", "list"]:
    prs = [p for p in state["prs"] if opt("--state") == "all" or p["state"] == "OPEN"]
    prs = [p for p in prs if opt("--head") in (None, p["headRefName"])]
    out = subprocess.run(["jq", "-r", opt("--jq")], input=json.dumps(prs), text=True,
                         capture_output=True, check=True).stdout
    sys.stdout.write(out)
    sys.exit(0)
if args[:2] == ["pr", "create"]:
    if state.get("create_fails"):
        sys.exit("pull request create failed: GitHub Actions is not permitted to create pull requests")
    state["prs"].append({{"headRefName": opt("--head"), "state": "OPEN", "isCrossRepository": False,
                         "url": "https://github.com/o/r/pull/%d" % (len(state["prs"]) + 1),
                         "body": opt("--body")}})
    json.dump(state, open(state_file, "w"))
    sys.exit(0)
sys.exit("fake gh: unexpected " + " ".join(args))
'''


@pytest.fixture
def digest_run(repo, tmp_path):
    """Run the monthly workflow's last step as GitHub would (`bash -eo pipefail`), in a new
    checkout of `repo` (its remote) holding a fresh draft of 2026-10, with a fake `gh`."""
    import json
    import os
    import shutil
    import subprocess
    import sys

    if not shutil.which("jq"):
        from conftest import unavailable
        unavailable("jq is missing (gh's --jq is faked with it)")
    from conftest import git

    git(repo, "config", "receive.denyCurrentBranch", "ignore")
    tools = tmp_path / "bin"
    tools.mkdir()
    (tools / "gh").write_text(FAKE_GH.format(python=sys.executable), encoding="utf-8")
    (tools / "gh").chmod(0o755)
    (tools / "python").symlink_to(sys.executable)
    state = tmp_path / "gh.json"
    state.write_text(json.dumps({"prs": []}), encoding="utf-8")
    step = next(s for s in load(REPO / ".github/workflows/monthly-digest.yml")["jobs"]["draft"]["steps"]
                if "gh pr create" in s.get("run", ""))
    runs = iter(range(1, 100))

    def run(create_fails=False, run_id="77", folder="digests", where="."):
        # where: the step's working-directory, the catalog's folder in the repository
        data = json.loads(state.read_text(encoding="utf-8"))
        state.write_text(json.dumps({**data, "create_fails": create_fails}), encoding="utf-8")
        checkout = tmp_path / f"checkout-{next(runs)}"
        git(tmp_path, "clone", "-q", str(repo), str(checkout))
        work = checkout / where
        (work / folder).mkdir(exist_ok=True)
        (work / folder / "2026-10.md").write_text(f"---\nstatus: draft\n---\nDraft {checkout.name}.\n")
        env = {**os.environ, "PATH": f"{tools}{os.pathsep}{os.environ['PATH']}",
               "PYTHONPATH": str(REPO), "FAKE_GH_STATE": str(state), "HOME": str(tmp_path),
               "GIT_CONFIG_NOSYSTEM": "1", "MONTH": "2026-10", "BASE": "main", "GH_TOKEN": "t",
               "GITHUB_RUN_ID": run_id}
        return subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
                              cwd=work, env=env, capture_output=True, text=True)

    def branches():
        return sorted(line.split()[-1].removeprefix("refs/heads/")
                      for line in git(repo, "ls-remote", "--heads", str(repo)).splitlines())

    def prs():
        return [(p["headRefName"], p["state"]) for p in json.loads(state.read_text())["prs"]]

    def close_all():
        data = json.loads(state.read_text(encoding="utf-8"))
        data["prs"] = [{**p, "state": "CLOSED"} for p in data["prs"]]
        state.write_text(json.dumps(data), encoding="utf-8")

    def bodies():
        return [p["body"] for p in json.loads(state.read_text())["prs"]]

    run.branches, run.prs, run.close_all, run.bodies = branches, prs, close_all, bodies
    return run


def test_a_digest_run_that_could_not_open_its_pull_request_opens_it_when_run_again(digest_run):
    """`gh pr create` fails until the repository lets Actions open pull requests (found in
    review: a re-run then took the branch its first attempt pushed for one whose pull
    request was closed, and put the draft on a second branch)."""
    first = digest_run(create_fails=True)
    assert first.returncode != 0
    assert digest_run.branches() == ["digest/2026-10", "main"] and digest_run.prs() == []

    again = digest_run()  # "Re-run failed jobs": same run id
    assert again.returncode == 0, again.stdout + again.stderr
    assert digest_run.branches() == ["digest/2026-10", "main"]
    assert digest_run.prs() == [("digest/2026-10", "OPEN")]
    assert "pull request was closed" not in again.stdout
    assert "without a pull request" in again.stdout

    assert digest_run().stdout.startswith("::notice title=digest::a pull request for 2026-10 is already open")


def test_a_closed_digest_branch_is_kept_and_a_re_run_does_not_collide_with_its_own_branch(
        digest_run, repo):
    from conftest import git

    digest_run()
    digest_run.close_all()  # closed without merging: its branch may hold an editor's work
    kept = git(repo, "rev-parse", "digest/2026-10")
    first = digest_run(create_fails=True, run_id="78")
    assert first.returncode != 0 and "its pull request was closed" in first.stdout
    assert digest_run.branches() == ["digest/2026-10", "digest/2026-10-78", "main"]

    again = digest_run(run_id="78")  # a re-run; its draft is committed at another time
    assert again.returncode == 0, again.stdout + again.stderr
    assert digest_run.prs() == [("digest/2026-10", "CLOSED"), ("digest/2026-10-78", "OPEN")]
    assert git(repo, "rev-parse", "digest/2026-10") == kept


def test_the_digest_pull_request_names_the_draft_in_the_folder_the_settings_name(digest_run,
                                                                                 repo):
    from conftest import git

    settings = repo / "pipeline.toml"
    settings.write_text(settings.read_text(encoding="utf-8").replace(
        'digests = "digests"', 'digests = "letters"'), encoding="utf-8")
    git(repo, "commit", "-qam", "digests in letters/")
    made = digest_run(folder="letters")
    assert made.returncode == 0, made.stdout + made.stderr
    assert digest_run.bodies()[0].startswith("The generated draft of letters/2026-10.md.")


def test_with_the_catalog_in_a_subfolder_the_pull_request_names_the_draft_in_the_repository(
        digest_run, repo):
    """Found in review: run with `working-directory: site` (docs/github.md, a catalog in a
    subfolder), the pull request said the draft was digests/2026-10.md, a path relative to
    the catalog's folder, not the repository's site/digests/2026-10.md."""
    from conftest import git

    (repo / "site").mkdir()
    for name in sorted(p.name for p in repo.iterdir() if p.name not in (".git", "site")):
        git(repo, "mv", name, f"site/{name}")
    git(repo, "commit", "-qm", "the catalog in site/")
    made = digest_run(where="site")
    assert made.returncode == 0, made.stdout + made.stderr
    assert digest_run.bodies()[0].startswith("The generated draft of site/digests/2026-10.md.")
