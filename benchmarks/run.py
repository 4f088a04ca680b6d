"""Time `pipeline` at catalog scale and print the figures as a table.

    python benchmarks/run.py                        # 10,000 entries, 20,000 commits
    python benchmarks/run.py --entries 2000 --commits 4000 --runs 5
    python benchmarks/run.py --only validate,changes

It generates a catalog with its git history (benchmarks/generate.py, kept in
--work between runs), copies the `pipeline` package aside so that edits made
meanwhile cannot disturb the caches being measured, and times each command
as editors and CI run it: a new process per run, the median of --runs runs.
Each figure comes with its ratio to the floor measured in the same session:
reading every entry file and parsing its front matter with PyYAML's C loader,
in one process. Peak memory is the largest single process (its maximum RSS)
and the whole process tree (the sum of proportional set sizes, sampled).

Side by side: check-jsonschema validating the same front matter alone
against the same schemas, and Hugo (Debian's `hugo`) building the same
Markdown with minimal templates.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

import generate  # noqa: E402

FLOOR = """
import os, sys, time, yaml
root = sys.argv[1]
start = time.perf_counter()
for dirpath, _, names in os.walk(os.path.join(root, "entries")):
    for name in names:
        with open(os.path.join(dirpath, name), "rb") as f:
            text = f.read().decode("utf-8")
        end = text.find("\\n---", 3)
        yaml.load(text[4:end], Loader=yaml.CSafeLoader)
print(time.perf_counter() - start)
"""

HUGO_GIT_SITE = ".hugo-git"  # in the corpus: see measure_hugo


def hugo_site(site: Path, more: str = "") -> None:
    """A Hugo site with minimal templates (title, body, and the date of last change)."""
    site.mkdir(parents=True, exist_ok=True)
    (site / "hugo.toml").write_text(
        'baseURL = "https://example.org/"\ntitle = "Catalog"\n'
        'disableKinds = ["taxonomy", "term", "RSS", "sitemap", "robotsTXT", "404"]\n' + more)
    layouts = site / "layouts" / "_default"
    layouts.mkdir(parents=True, exist_ok=True)
    (layouts / "single.html").write_text(
        "<!doctype html><title>{{ .Title }}</title><h1>{{ .Title }}</h1>"
        '<p>Updated {{ .Lastmod.Format "2006-01-02" }}</p>'
        "<article>{{ .Content }}</article>\n")
    (layouts / "list.html").write_text(
        "<!doctype html><title>{{ .Title }}</title><ul>{{ range .Pages }}<li>"
        '<a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>\n')
    (site / "layouts" / "index.html").write_text((layouts / "list.html").read_text())


# Written into a corpus once generated; a corpus of another format is made again (the
# second: the history repacked after fast-import, see generate.py).
CORPUS_FORMAT = "2\n"

CHANGES_BASELINE = """
import subprocess, sys, time
from pipeline.catalog.loader import parse_entry
root, old, new = sys.argv[1:4]
start = time.perf_counter()
out = subprocess.run(["git", "diff", "--name-status", "-M", old, new, "--", "entries/"],
                     cwd=root, capture_output=True, text=True, check=True).stdout
diffed = time.perf_counter()
wanted = []
for line in out.splitlines():
    status, *paths = line.split("\\t")
    if status[0] != "A":
        wanted.append(f"{old}:{paths[0]}")
    if status[0] != "D":
        wanted.append(f"{new}:{paths[-1]}")
cat = subprocess.Popen(["git", "cat-file", "--batch"], cwd=root, stdin=subprocess.PIPE,
                       stdout=subprocess.PIPE)
blobs, _ = cat.communicate("\\n".join(wanted).encode() + b"\\n")
pos = 0
for spec in wanted:
    header_end = blobs.index(b"\\n", pos)
    size = int(blobs[pos:header_end].split()[2])
    data = blobs[header_end + 1 : header_end + 1 + size]
    pos = header_end + 2 + size
    parse_entry(spec.split(":", 1)[1], data)
print(diffed - start, time.perf_counter() - diffed, len(out.splitlines()))
"""

@dataclass
class Sample:
    seconds: float
    rss_mib: float  # the largest process of the tree
    pss_mib: float  # the tree, summed
    stdout: str = ""
    cpu: float = 0.0  # user + system seconds of the tree


@dataclass
class Row:
    name: str
    samples: list[Sample] = field(default_factory=list)
    target: str = ""
    note: str = ""
    value: float | None = None  # when the figure is not a process's wall time

    @property
    def seconds(self) -> float:
        if self.value is not None:
            return self.value
        return statistics.median(s.seconds for s in self.samples)

    @property
    def cpu(self) -> float | None:
        if self.value is not None or not self.samples:
            return None
        return statistics.median(s.cpu for s in self.samples)

    @property
    def rss(self) -> float | None:
        return max((s.rss_mib for s in self.samples), default=None)

    @property
    def pss(self) -> float | None:
        return max((s.pss_mib for s in self.samples), default=None)


# -- measuring one process tree ---------------------------------------------------

def _tree(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    todo.extend(int(c) for c in f.read().split())
        except OSError:
            pass
    return out


def _pss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _busy() -> tuple[int, int]:
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    return sum(fields) - fields[3] - fields[4], sum(fields)


def wait_until_idle(share: float, timeout: float = 180.0) -> float:
    """Wait (up to `timeout` s) for a second in which the CPUs are at least `share` idle.

    The machine may be shared: a figure taken while something else runs says
    little. Returns the idle share of the last second looked at."""
    deadline = time.monotonic() + timeout
    while True:
        b0, t0 = _busy()
        time.sleep(1.0)
        b1, t1 = _busy()
        idle = 1 - (b1 - b0) / max(t1 - t0, 1)
        if idle >= share or time.monotonic() > deadline:
            return idle


def file_creation_us(folder: Path, count: int = 1000) -> float:
    """Microseconds to make one small file, made `count` times in the new `folder`."""
    folder.mkdir(parents=True)
    start = time.perf_counter()
    for i in range(count):
        fd = os.open(folder / f"{i}.json", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        os.write(fd, b"x" * 3000)
        os.close(fd)
    return (time.perf_counter() - start) / count * 1e6


# Whether `run` samples the process tree's PSS (see Bench.times): only in runs that are not
# timed, since reading /proc/PID/smaps_rollup walks the page tables of every process of
# the tree, every 20 ms. Sampled, a cold build took 9.04 to 9.14 s against 8.08 to 8.26 s
# unsampled (3 runs each, interleaved, into tmpfs), and Hugo (one process of 1.3 GB) 5.29
# to 5.51 s against 4.05 to 5.18 s: before the eighteenth session every figure was taken
# sampled.
SAMPLE_PSS = False


def run(cmd: list[str], cwd: Path | None = None, env: dict | None = None,
        check: bool = True) -> Sample:
    """Run a command; its wall time, peak RSS (largest process), peak PSS (tree, only
    when SAMPLE_PSS is set; 0 otherwise) and CPU."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    peak = [0]
    done = threading.Event()

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], sum(_pss_kib(p) for p in _tree(proc.pid)))
            done.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    if SAMPLE_PSS:
        sampler.start()
    out_chunks = []
    reader = threading.Thread(target=lambda: out_chunks.append(proc.stdout.read()), daemon=True)
    reader.start()
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    done.set()
    if SAMPLE_PSS:
        sampler.join()
    reader.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if check and proc.returncode not in (0, 1):
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(map(str, cmd))}\n"
                         f"{err.decode(errors='replace')[-2000:]}")
    return Sample(seconds, usage.ru_maxrss / 1024, peak[0] / 1024,
                  (out_chunks[0] if out_chunks else b"").decode(errors="replace"),
                  usage.ru_utime + usage.ru_stime)


# -- the session ------------------------------------------------------------------

class Bench:
    def __init__(self, args):
        self.args = args
        self.work = Path(args.work).resolve()
        self.corpus = self.work / f"catalog-{args.entries}-{args.commits}-{args.months}"
        self.code = self.work / "code"
        self.env = {**os.environ, "PYTHONPATH": str(self.code), "PYTHONDONTWRITEBYTECODE": "1"}
        self.rows: list[Row] = []
        self.removals: list = []  # run at the very end (see fresh_folders)
        self.probes: list[tuple[str, float]] = []  # (step, microseconds to make a file)
        self.floor = 0.0

    # setup
    def prepare(self) -> None:
        self.work.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(self.code, ignore_errors=True)
        shutil.copytree(REPO / "pipeline", self.code / "pipeline",
                        ignore=shutil.ignore_patterns("__pycache__"))
        if self.args.patch:  # measure a proposed change to the package
            subprocess.run(["patch", "-s", "-p1", "-i", self.args.patch],
                           cwd=self.code, check=True)
        # Its bytecode, as scripts/setup.sh writes it for the package (Python writes none
        # while it runs here): without it every run compiled the package again, 0.1 s
        # and more of each figure.
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(self.code / "pipeline")],
                       check=True)
        used = subprocess.run([sys.executable, "-c", "import pipeline; print(pipeline.__file__)"],
                              env=self.env, cwd=self.work, capture_output=True, text=True).stdout
        if not used.startswith(str(self.code)):
            raise SystemExit(f"the copy of the package is not the one imported: {used}")
        done = self.corpus / ".generated"
        if not done.exists() or done.read_text() != CORPUS_FORMAT:
            shutil.rmtree(self.corpus, ignore_errors=True)
            print(f"generating {self.corpus.name} ...", file=sys.stderr)
            generate.generate(self.corpus, self.args.entries, self.args.commits, self.args.months)
            if not self.args.commits:
                for cmd in (["init", "-q", "-b", "main"], ["add", "-A"],
                            ["commit", "-q", "-m", "Import the catalog"]):
                    subprocess.run(["git", *cmd], cwd=self.corpus, check=True,
                                   env={**os.environ, "GIT_AUTHOR_NAME": "Bench",
                                        "GIT_AUTHOR_EMAIL": "b@example.org",
                                        "GIT_COMMITTER_NAME": "Bench",
                                        "GIT_COMMITTER_EMAIL": "b@example.org"})
            done.write_text(CORPUS_FORMAT)
        self.edited = sorted((self.corpus / "entries" / "glossary").glob("*.md"))[0]
        self.original = self.edited.read_bytes()

    def cli(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "pipeline", "--root", str(self.corpus), *args]

    def times(self, make, before=None) -> list[Sample]:
        """`--runs` timed runs of `make`, then one more, not timed, for the peak PSS of
        the process tree (sampling it slows what it samples: see SAMPLE_PSS), which each
        timed sample carries."""
        global SAMPLE_PSS
        out = []
        for i in range(self.args.runs + 1):
            if before:
                before(i)
            if self.args.idle:
                wait_until_idle(self.args.idle)
            SAMPLE_PSS = i == self.args.runs
            try:
                sample = make()
            finally:
                SAMPLE_PSS = False
            if i < self.args.runs:
                out.append(sample)
        for timed in out:
            timed.pss_mib = sample.pss_mib
        return out

    def add(self, name, samples=None, target="", note="", value=None) -> Row:
        row = Row(name, samples or [], target, note, value)
        self.rows.append(row)
        print(f"  {name}: {row.seconds:.3f} s", file=sys.stderr)
        return row

    def clear_cache(self, *_):
        shutil.rmtree(self.corpus / ".pipeline-cache", ignore_errors=True)

    def edit(self, i: int) -> None:
        self.edited.write_bytes(self.original + f"\nEdited for run {i}.\n".encode())

    def restore(self) -> None:
        self.edited.write_bytes(self.original)

    # measurements
    def measure_floor(self) -> None:
        samples = [Sample(float(s.stdout), s.rss_mib, s.pss_mib, cpu=s.cpu) for s in self.times(
            lambda: run([sys.executable, "-c", FLOOR, str(self.corpus)], env=self.env))]
        self.floor = statistics.median(s.seconds for s in samples)
        self.add("floor: read + PyYAML C loader, one process", samples, note="in-process time")

    def measure_validate(self) -> None:
        v = ("validate", "--format", "json")
        self.restore()
        self.add("validate, cold (no cache)", self.times(lambda: run(self.cli(*v), env=self.env),
                                                          self.clear_cache), "<= 3x floor")
        lib = ("import sys; from pathlib import Path; from pipeline.config import load_settings; "
               "from pipeline.validate import validate; validate(load_settings(Path("
               "sys.argv[1])), cache=False, jobs=int(sys.argv[2]))")
        for jobs in (1, 2):
            self.add(f"validate, cold, validate(jobs={jobs}) in a new process",
                     self.times(lambda jobs=jobs: run([sys.executable, "-c", lib,
                                                       str(self.corpus), str(jobs)],
                                                      env=self.env)))
        run(self.cli(*v), env=self.env)  # warm the cache
        self.add("validate, warm (nothing changed)",
                 self.times(lambda: run(self.cli(*v), env=self.env)), "<= 0.5x floor")
        self.add("validate, after one edit",
                 self.times(lambda: run(self.cli(*v), env=self.env), self.edit), "<= 0.5x floor")
        self.restore()
        run(self.cli(*v), env=self.env)
        self.add("validate --changed-since HEAD, one file changed",
                 self.times(lambda: run(self.cli(*v, "--changed-since", "HEAD"), env=self.env),
                            self.edit), "<= 0.3x floor")
        self.restore()
        self.measure_status_change(v)

    def measure_status_change(self, v) -> None:
        """An edit that other entries' results depend on: a status change of a popular entry."""
        run(self.cli(*v), env=self.env)
        glossary = sorted((self.corpus / "entries" / "glossary").glob("*.md"))
        target = max(glossary[:200], key=lambda p: self._referrers(p))
        original = target.read_bytes()
        n = self._referrers(target)

        def flip(i):
            status = b"status: review" if i % 2 == 0 else b"status: published"
            target.write_bytes(original.replace(b"status: published", status, 1))

        try:
            self.add(f"validate, after a status change of an entry {n} others refer to",
                     self.times(lambda: run(self.cli(*v), env=self.env), flip))
        finally:
            target.write_bytes(original)
            run(self.cli(*v), env=self.env)

    def _referrers(self, path: Path) -> int:
        needle = f"{path.parent.name}/{path.stem}".encode()
        if not hasattr(self, "_texts"):
            self._texts = [p.read_bytes() for p in (self.corpus / "entries").rglob("*.md")]
        return sum(1 for t in self._texts if needle in t)

    def check_jsonschema(self) -> Path | None:
        """check-jsonschema, installed in a virtual environment of its own under --work.

        Not in pipeline's: it brings jsonschema's optional format libraries (arrow,
        isoduration, webcolors, ...), which `import jsonschema` then loads: 92 ms for that
        import against 64 to 70 ms as the README installs pipeline."""
        venv = self.work / "check-jsonschema-venv"
        exe = venv / "bin" / "check-jsonschema"
        if not exe.exists():
            try:
                subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
                subprocess.run([str(venv / "bin" / "pip"), "install", "--quiet",
                                "--disable-pip-version-check", "check-jsonschema"], check=True)
            except (OSError, subprocess.CalledProcessError):
                return None
        return exe if exe.exists() else None

    def measure_check_jsonschema(self) -> None:
        exe = self.check_jsonschema()
        if exe is None:
            self.add("check-jsonschema: could not be installed (pip install check-jsonschema)",
                     value=0)
            return
        fm = self.work / "front-matter"
        if not fm.exists():
            for path in (self.corpus / "entries").rglob("*.md"):
                text = path.read_text(encoding="utf-8")
                out = fm / path.parent.name / f"{path.stem}.yaml"
                out.parent.mkdir(parents=True, exist_ok=True)
                out.write_text(text[4:text.index("\n---", 3) + 1], encoding="utf-8")
        schemas = self.corpus / "schemas"

        def all_collections():
            total = Sample(0, 0, 0)
            for folder in sorted(fm.iterdir()):
                schema = schemas / f"{folder.name}.schema.json"
                s = run([str(exe), "--schemafile", str(schema), "--base-uri", schema.as_uri(),
                         *map(str, sorted(folder.glob("*.yaml")))])
                total = Sample(total.seconds + s.seconds, max(total.rss_mib, s.rss_mib),
                               max(total.pss_mib, s.pss_mib), cpu=total.cpu + s.cpu)
            return total

        self.add("check-jsonschema, front matter only (one run per collection)",
                 self.times(all_collections), "validate cold is faster")

    def measure_changes(self) -> None:
        if self.args.commits < 2:
            return
        head = _git(self.corpus, "log", "-1", "--format=%cI").strip()
        year, month = int(head[:4]), int(head[5:7])
        end = f"{year}-{month:02d}-01"
        start = f"{year - (month == 1)}-{(month - 2) % 12 + 1:02d}-01"
        old = _git(self.corpus, "rev-list", "--first-parent", "-1", f"--before={start}T00:00:00Z",
                   "HEAD").strip()
        new = _git(self.corpus, "rev-list", "--first-parent", "-1", f"--before={end}T00:00:00Z",
                   "HEAD").strip()
        commits = _git(self.corpus, "rev-list", "--count", f"{old}..{new}").strip()
        base = self.times(lambda: run([sys.executable, "-c", CHANGES_BASELINE, str(self.corpus),
                                       old, new], env=self.env))
        diff_s, parse_s, files = (float(x) for x in base[-1].stdout.split())
        row = self.add(f"baseline: git diff --name-status -M + parse ({int(files)} files, "
                       f"{commits} commits)", base,
                       note=f"git diff {diff_s:.3f} s + parse {parse_s:.3f} s")
        cmd = self.cli("changes", "--since", start, "--until", end, "--format", "json")
        changes = self.times(lambda: run(cmd, env=self.env))
        ratio = statistics.median(s.seconds for s in changes) / row.seconds
        self.add(f"changes --since {start} --until {end}", changes,
                 f"<= 3x baseline ({ratio:.1f}x)")

    def settle(self, step: str) -> None:
        """Before a step that makes many files: wait (up to ten minutes) until making a
        file costs at most --settle microseconds. After a big deletion (a run's own
        cleanup, or one by hand) ext4 makes files several times slower for minutes
        (see fresh_folders); every figure of the step would carry it."""
        deadline = time.monotonic() + 600
        while True:
            # a folder no run made before (one that stopped early leaves its probes)
            us = file_creation_us(self.work / "fs-probe" / f"{os.getpid()}-{len(self.probes)}")
            self.probes.append((step, us))
            if not self.args.settle or us <= self.args.settle or time.monotonic() > deadline:
                return
            print(f"  making a file takes {us:.0f} us: waiting for the disk to settle",
                  file=sys.stderr)
            time.sleep(30)

    def fresh_folders(self, name: str):
        """A function that names a new folder for each run; they are all removed at the end.

        A first build writes into a folder that does not exist yet. Not one just
        emptied, and no step runs right after a big deletion: ext4 passes over
        inodes freed in the last minute when it makes files, which made 20,000 new
        files cost up to a second more per tool."""
        made: list[Path] = []

        def new(_=None) -> Path:
            made.append(self.work / f"{name}-{len(made)}")
            shutil.rmtree(made[-1], ignore_errors=True)
            return made[-1]

        def remove() -> None:
            for folder in made:
                shutil.rmtree(folder, ignore_errors=True)
                shutil.rmtree(folder.with_name(f".{folder.name}.spare"), ignore_errors=True)
                folder.with_name(f".{folder.name}.lock").unlink(missing_ok=True)
            made.clear()

        self.removals.append(remove)
        return new

    def measure_build(self) -> None:
        self.settle("build")
        out = self.work / "dist"
        build = self.cli("build", "--out", str(out))
        new = self.fresh_folders("first-build")
        where: list[Path] = []

        def first_build(*flags):
            return lambda: run([*self.cli("build", "--out", str(where[-1])), *flags],
                               env=self.env)

        def after_validate(i):  # what `pipeline validate && pipeline build` leaves the build
            where.append(new(i))
            shutil.rmtree(self.corpus / ".pipeline-cache" / "build", ignore_errors=True)
            (self.corpus / ".pipeline-cache" / "history.json").unlink(missing_ok=True)

        self.restore()
        self.add("build, full: new output folder, no caches", self.times(
            first_build("--no-cache"), lambda i: (self.clear_cache(), where.append(new(i)))),
            "<= 4x floor")
        self.clear_cache()  # a cold validate, as on a fresh clone: it keeps what it parsed
        run(self.cli("validate", "--format", "json"), env=self.env)
        self.add("build, full after validate: new output folder, no build or git cache",
                 self.times(first_build(), after_validate), "<= 4x floor")
        run(build, env=self.env)
        self.add("build, after one edit", self.times(lambda: run(build, env=self.env), self.edit),
                 "<= 0.5x floor")
        self.restore()
        run(build, env=self.env)

    def measure_hugo(self) -> None:
        hugo = shutil.which("hugo")
        if hugo is None:
            return
        plain = self.work / "hugo"
        if not (plain / "content").exists():
            shutil.rmtree(plain, ignore_errors=True)
            shutil.copytree(self.corpus / "entries", plain / "content")
        hugo_site(plain)
        # The same site reading each page's date of last change from git, as the build
        # does for `updated`: Hugo's enableGitInfo runs git in the site's folder, so this
        # one lives in the corpus's work tree (untracked, excluded) and reads its entries.
        dated = self.corpus / HUGO_GIT_SITE
        exclude = self.corpus / ".git" / "info" / "exclude"
        line = f"/{HUGO_GIT_SITE}/"
        if line not in (exclude.read_text().splitlines() if exclude.exists() else []):
            exclude.parent.mkdir(exist_ok=True)
            with exclude.open("a") as f:
                f.write(line + "\n")
        hugo_site(dated, 'contentDir = "../entries"\nenableGitInfo = true\n')
        self.settle("hugo")
        for site, name in ((plain, "hugo, same Markdown, minimal templates"),
                           (dated, "hugo, the same with git dates (enableGitInfo)")):
            new = self.fresh_folders(f"{site.name.strip('.')}-public")
            where: list[Path] = []
            self.add(name, self.times(
                lambda: run([hugo, "--quiet", "--source", str(site), "--destination",
                             str(where[-1])]),
                lambda i: where.append(new(i))), "build is faster")

    # report
    def table(self) -> str:
        probes = "; ".join(f"{step} {us:.0f}" for step, us in self.probes)
        lines = [f"{self.args.entries:,} entries, {self.args.commits:,} commits; median of "
                 f"{self.args.runs} runs; {_machine()}"
                 + (f"; microseconds to make a file, before: {probes}" if probes else ""), "",
                 "| measure | median s | x floor | CPU s | peak RSS MiB (largest process) "
                 "| peak PSS MiB (all processes) | target |",
                 "|---|---:|---:|---:|---:|---:|---|"]
        for r in self.rows:
            ratio = f"{r.seconds / self.floor:.2f}" if self.floor else ""
            rss = f"{r.rss:.0f}" if r.rss else ""
            pss = f"{r.pss:.0f}" if r.pss else ""
            note = f" ({r.note})" if r.note else ""
            cpu = f"{r.cpu:.2f}" if r.cpu else ""
            lines.append(f"| {r.name}{note} | {r.seconds:.3f} | {ratio} | {cpu} | {rss} | {pss} "
                         f"| {r.target} |")
        return "\n".join(lines)


def _git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True,
                          check=True).stdout


def _machine() -> str:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{os.cpu_count()} cores ({model}), {mem:.0f} GiB RAM, Python {sys.version.split()[0]}"


STEPS = {
    "validate": Bench.measure_validate,
    "check-jsonschema": Bench.measure_check_jsonschema,
    "changes": Bench.measure_changes,
    "build": Bench.measure_build,
    "hugo": Bench.measure_hugo,
}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--entries", type=int, default=10000)
    p.add_argument("--commits", type=int, default=20000)
    p.add_argument("--months", type=int, default=24)
    p.add_argument("--runs", type=int, default=3, help="runs per figure (the median is shown)")
    p.add_argument("--work", default="/tmp/pipeline-bench", help="where corpora and outputs go")
    p.add_argument("--only", default=",".join(STEPS), help="comma-separated: " + ", ".join(STEPS))
    p.add_argument("--json", help="also write the figures to this file")
    p.add_argument("--patch", help="a diff (-p1, paths pipeline/...) applied to the copy of "
                   "the package that is measured")
    p.add_argument("--settle", type=float, default=40.0,
                   help="before the build and Hugo, wait (up to ten minutes) until making a "
                   "small file takes at most this many microseconds; 0 to probe once, not wait")
    p.add_argument("--idle", type=float, default=0.85,
                   help="before each run, wait (up to 3 minutes) for a second with this share "
                   "of the CPUs idle; 0 to start at once")
    args = p.parse_args(argv)
    args.json = args.json and os.path.abspath(args.json)
    args.patch = args.patch and os.path.abspath(args.patch)
    bench = Bench(args)
    bench.work.mkdir(parents=True, exist_ok=True)
    os.chdir(bench.work)  # `python -m pipeline` looks in the current folder first
    bench.prepare()
    bench.measure_floor()
    try:
        for name in args.only.split(","):
            STEPS[name.strip()](bench)
    finally:
        for remove in bench.removals:  # last: no step runs right after a big deletion
            remove()
        shutil.rmtree(bench.work / "fs-probe", ignore_errors=True)
    bench.restore()
    print(bench.table())
    if args.json:
        Path(args.json).write_text(json.dumps(
            {"floor": bench.floor, "rows": [
                {"name": r.name, "seconds": r.seconds, "cpu": r.cpu, "rss_mib": r.rss,
                 "pss_mib": r.pss, "target": r.target,
                 "samples": [s.seconds for s in r.samples]} for r in bench.rows],
             "file_us": bench.probes},
            indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
