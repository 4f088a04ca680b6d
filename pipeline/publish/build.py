"""`pipeline build` as a library function: settings in, a BuildResult out.

`build()` reads as the sequence of its stages: find the entry files that
changed since the last build into the same folder; validate (refusing a
catalog with errors), with git's history read beside it when HEAD moved;
read, parse and render only the changed entries (on two cores when there
are many); link entries both ways, plan redirects and decide which pages
change and how; write those pages and then the lists into the spare tree;
swap it in, with what this build knew of the catalog for the next one.
"""

from __future__ import annotations

import datetime as _dt
import gc
import pickle
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from ..catalog.loader import walk_folder
from ..config import Settings
from ..errors import ChangedDuringBuild, PipelineError
from ..parallel import rare_full_collections
from . import digests, lists
from .git_history import head, read_git_data, start_warming
from .output import OutputTree
from .pages import Site
from .parts import Inputs
from .plan import plan_pages
from .pool import Pool, default_jobs
from ..cache import file_stat
from .render import close_stores, prepare, prepared_files, read_entries, write_entries
from .run import Run
from .spill import Spill
from .state import GIT, save_state
from ..validate import WorkerShare
from .validation import Validation, ValidationFailed, refuse_invalid

__all__ = ["BuildResult", "BuildStopped", "ValidationFailed", "build", "refuse_invalid"]
# A file changed this close to a scan could change again within the same tick of the file
# system's clock, keeping its stat: its stat is not trusted next time (its bytes are).
RACY_NS = 2_000_000_000


class BuildStopped(BaseException):
    """`build(stop=...)` was told to stop (`pipeline serve`'s Ctrl-C during a rebuild):
    nothing was published. Like KeyboardInterrupt it passes every handler of a build's
    problems (none of them is reported, validation beside is cancelled)."""


@dataclass
class BuildResult:
    out_dir: Path
    entries: int = 0  # published entries built
    rendered: int = 0  # entries whose body was rendered (not found in the cache)
    files: int = 0  # files in the output
    written: int = 0  # files written by this build (the rest were unchanged)
    redirects: int = 0
    gone: int = 0
    notes: list[str] = field(default_factory=list)
    # of every digest sent: words its raw HTML drops, a link to a place no heading has the
    # id of (as `digest render` warns of them); a page left as it was, the last build's
    warnings: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)  # per stage; never in the output


def build(settings: Settings, out_dir: Path, *, jobs: int | None = None, use_cache: bool = True,
          today: _dt.date | None = None, progress=None, git_warming=None,
          on_wait=None, stop=None) -> BuildResult:
    """Build the site's artifacts and the preview into `out_dir`, replacing it atomically.

    Raises ValidationFailed (listing the problems) when the catalog has
    validation errors, RedirectLoopError for a redirect loop, and
    OutputError when `out_dir` is not a build output folder. `progress`
    (a `pipeline.progress.Progress`) is advanced as each stage ends.
    `git_warming`: what `start_warming(settings)` returned, when the caller
    started git's walk earlier (the CLI does, before it imports this module,
    so that the walk runs beside the imports on the core they leave idle).
    `on_wait(sentence)` is called when another build into `out_dir` runs: this one
    waits for it, and the sentence names the process that holds the folder.
    `stop` (a threading.Event, for a build in a thread of its own): once it is set, the
    build raises BuildStopped at the start of its next stage, or, with one job, at the
    next entry it parses or chunk of entries it checks; the output stays as it was
    (`pipeline serve`'s rebuild ran on for seconds after Ctrl-C, and was cut off at
    exit, mid-write).
    """
    jobs = default_jobs() if jobs is None else jobs
    result = BuildResult(out_dir=Path(out_dir))
    stage = _stage_timer(result.seconds, progress, stop)
    with OutputTree(result.out_dir, settings.path("cache") / "build" / "trees",
                    protect=settings.root,
                    read=(settings.path("entries"), settings.path("digests"),
                          settings.path("schemas")), on_wait=on_wait) as tree:
        b = Run(settings, tree, Inputs(settings), Site(settings), git_warming=git_warming)
        spill = Spill(settings.path("cache") / "build")
        state = {"root": str(settings.root), "prefix": b.prefix, "inputs": b.inputs,
                 "site": b.site, "held": {}, "spill": spill}
        try:
            with rare_full_collections(), Pool(jobs, state) as pool:
                with stage("scan"):
                    walked = _scan(b, use_cache)
                checked = _validation(b, pool, today, stop, walked)
                with _refusing(checked):
                    tasks, context = _render(b, result, stage, pool, checked)
                with stage("validate"):
                    checked.wait()  # nothing is written before it passes
                    _same_bytes(b, checked.digests)
                    b.digests = digests.prepare_digests(b)  # nor before their links pass
                with stage("write entries"):  # with making the spare, the first time
                    tree.begin()
                    result.rendered += _write_entries(b, pool, tasks, context)
                with stage("write lists"):
                    finish = lists.write_lists(b, pool)
                    saved = _save_state(b)  # while the workers make the biggest lists
                    finish()
            with stage("swap"):
                tree.commit(saved)
        finally:
            spill.remove()
            close_stores(state)
            gc.unfreeze()
    result.notes += [b.git["note"]] if b.git["note"] else []
    result.warnings = [w for ready in b.digests for w in ready.warnings]
    result.entries = len(b.published)
    result.files = len(tree.records)
    result.written = tree.written
    result.redirects = len(b.plan.moved)
    result.gone = len(b.plan.gone)
    return result


@contextmanager
def _refusing(checked: Validation):
    """While validation runs beside: a problem here is reported as the catalog's errors
    when it has some (they are likely its cause), as itself otherwise."""
    try:
        yield
    except Exception:
        checked.wait()
        raise
    except BaseException:
        checked.cancel()
        raise


def _validation(b: Run, pool: Pool, today: _dt.date | None, stop=None,
                walked: list[tuple] | None = None) -> Validation:
    """Validation for this build: with much to render on several cores, validate parses
    in the build's workers, which render each entry as it is parsed (`prepare`); with one
    job, it parses here, and each entry is rendered here as it is parsed; otherwise it
    runs beside, in a forked child. Either of the first two parses each file once (one
    job parsed every file twice, once to validate it and once to render it), and takes
    the files and their stats from the build's scan (`walked`, see `_scan`)."""
    much = pool.much(len(b.items))
    if much or pool.jobs == 1:
        if much:
            # made once here, before validate forks the workers: each inherits them (the
            # templates are the main process's too, for the lists)
            b.site.warm()
            b.inputs.paid  # noqa: B018 - a cached property: the affiliate programs, loaded
        known = {rel: line.rpartition(":")[2] for rel, line in b.old["files"].items()}
        # with one job, validate's state is this process's: what `prepare` renders there
        # goes in the pool's own dict, where `read_entries` takes it
        pool.state["prepared"] = {}
        # with one job, entry by entry here, and between chunks of checks: validate's
        # parsing and checking are most of a rebuild
        hooks = {"on_parse": prepare}
        if stop is not None and not much:
            hooks = {"on_parse": partial(_unless_stopped, stop),
                     "on_chunk": partial(_stop_if_told, stop)}
        share = WorkerShare({**pool.state, **hooks, "known": known, "export": _export},
                            pool.lend, None if walked is None else (b.scanned, walked))
        return Validation(b.settings, today, pool.jobs, background=False, share=share)
    return Validation(b.settings, today, pool.jobs, background=True)


def _stop_if_told(stop, state: dict) -> None:
    """Raise BuildStopped once the build was told to stop (see `build`)."""
    if stop.is_set():
        raise BuildStopped


def _unless_stopped(stop, state: dict, *args) -> None:
    """`prepare`, unless the build was told to stop (see `build`)."""
    if stop.is_set():
        raise BuildStopped
    prepare(state, *args)


def _render(b: Run, result: BuildResult, stage, pool: Pool,
            checked: Validation) -> tuple[list[tuple], dict]:
    """Everything before the first write: git, render what changed, plan the pages.

    Reading git's history, when HEAD moved, runs beside it (in a forked child).
    Validation comes first (rendering as it parses when there is much to render,
    see `_validation`), or runs beside too. When validate parses in the build's
    workers and they rendered every file to read, this process plans the pages
    while they check the entries (`_Early`), instead of after.
    """
    # The last build's state lives as long as this one: the cyclic garbage collector
    # (here and in the processes forked from here) need not look through it again.
    gc.freeze()
    git_read = None
    if b.git_moved:  # a walk started early is left alone otherwise (it ends at exit)
        git_read = b.git_warming or (start_warming(b.settings) if pool.jobs > 1 else None)
    if not checked.beside:
        early = pool.idle = _Early(b, result, stage, pool, git_read)
        try:
            with stage("validate"):
                checked.wait()
        finally:
            pool.idle = None
            # the stages planned meanwhile are timed apart
            result.seconds["validate"] = round(result.seconds["validate"] - early.spent, 4)
        if early.outcome is not None:
            return early.take()
    return _plan(b, result, stage, pool, checked.parsed, git_read)


def _plan(b: Run, result: BuildResult, stage, pool: Pool, parsed: list[str],
          git_read) -> tuple[list[tuple], dict]:
    with stage("render bodies"):
        # what validate parsed before and kept (catalog.parsed): none known yet when it
        # runs beside
        result.rendered = _read_changed(b, pool, parsed)
    with stage("git"):  # rendering needs none of it: git's log ran beside
        if git_read:
            git_read()
        _read_git(b)
    with stage("links"):
        b.tree.survey()
        return plan_pages(b)


class _Early:
    """`_plan`, called while validate waits for its second pass over the workers (the
    checks), once they have sent back every file they rendered as they parsed (see
    `_export`): this process had nothing to do meanwhile, and the workers waited for it
    afterwards (0.3 to 0.4 s of one core on 10,000 entries). Nothing is written: the
    plan is taken once validation has passed; a problem met here is raised then (the
    catalog's errors first, as `_refusing` has it)."""

    def __init__(self, b: Run, result: BuildResult, stage, pool: Pool, git_read):
        self.args = (b, result, stage, pool, (), git_read)
        self.outcome: tuple | None = None  # (the plan, None) or (None, the exception)
        self.spent = 0.0  # seconds

    def __call__(self) -> None:
        b, pool = self.args[0], self.args[3]
        if self.outcome is not None:
            return
        taken = _taken(pool)
        if not taken or not all(item[0] in taken for item in b.items):
            return
        start = time.perf_counter()
        try:
            self.outcome = (_plan(*self.args), None)
        except Exception as e:  # noqa: BLE001 - raised once validation has passed
            self.outcome = (None, e)
        finally:
            self.spent = time.perf_counter() - start

    def take(self) -> tuple[list[tuple], dict]:
        planned, problem = self.outcome
        if problem is not None:
            raise problem
        return planned


def _export(state: dict) -> bytes | None:
    """In a worker lent to validate, after each of its calls (parallel.Workers): what
    `prepare` rendered there since (read_entries' outcomes without reading a file: file
    -> (digest, fact, search record)), sent with the call's result, so that the build
    has them before validate's checks, not after."""
    prepared = state.get("prepared")
    if not prepared:
        return None
    state["spill"].flush()  # the records are copied into the index by the main process
    taken = list(prepared.items())
    prepared.clear()
    return pickle.dumps(taken, pickle.HIGHEST_PROTOCOL)


def _taken(pool: Pool) -> dict:
    """What the workers exported (`_export`), with what they sent since: file -> (worker,
    digest, fact, search record)."""
    taken = pool.state.setdefault("taken", {})
    for worker, sent in enumerate(pool.exported()):
        while sent:
            for rel, ready in pickle.loads(sent.pop(0)):
                taken[rel] = (worker, *ready)
    return taken


STAGES = ("scan", "validate", "render bodies", "git", "links", "write entries", "write lists",
          "swap")


def _stage_timer(seconds: dict[str, float], progress=None, stop=None):
    if progress is not None:
        progress.total = len(STAGES)

    @contextmanager
    def stage(name: str):
        if stop is not None and stop.is_set():
            raise BuildStopped
        start = time.perf_counter()
        first = name not in seconds
        seconds.setdefault(name, 0.0)  # in the order the stages start (they may nest)
        try:
            yield
        finally:
            seconds[name] = round(seconds.get(name, 0) + time.perf_counter() - start, 4)
            if progress is not None and first and name in STAGES:
                progress.advance()

    return stage


# -- scan ------------------------------------------------------------------------

def _usable(b: Run, saved) -> bool:
    """The last build's state holds for this build: same inputs, and the live search
    index it describes is still there (this build takes unchanged records from it)."""
    return (isinstance(saved, dict) and saved.get("inputs") == b.inputs.fingerprint
            and b.tree.live_ok(lists.SEARCH_INDEX))


def _scan(b: Run, use_cache: bool) -> list[tuple]:
    """Compare every entry file's stat with the last build's; list those to read.
    -> the files walked, each (path, full path, problem, stat or None), for validate's
    scan (ValidateCache.scan), which walked the folder and took every stat again."""
    b.scanned = time.time_ns()
    saved = b.tree.previous if use_cache else None
    b.old = saved if _usable(b, saved) else {"files": {}, "facts": {}, "site": None,
                                             "git": {"head": None}, "previous": {}}
    known = b.old["files"]
    walked = []
    for rel, full, problem in walk_folder(b.settings):
        if problem is not None:
            walked.append((rel, full, problem, None))
            continue  # refused by validate
        st = file_stat(full)
        walked.append((rel, full, None, st))
        stat, before = f"{st[0]}:{st[1]}:{st[2]}:{st[3]}", known.get(rel)
        if before is not None and before.rpartition(":")[0] == stat:
            b.files[rel] = before
        else:
            b.items.append((rel, full, before.rpartition(":")[2] if before else None, stat))
    b.git["head"] = head(b.settings)
    b.git_moved = b.git["head"] != b.old["git"]["head"]
    b.touched = {rel[len(b.prefix) + 1:].split("/", 1)[0]
                 for rel in {item[0] for item in b.items} | (known.keys() - b.files.keys())}
    return walked


def _read_git(b: Run) -> None:
    """Histories and renames: the last build's while HEAD has not moved."""
    if not b.git_moved:
        b.git = b.old["git"]
        return
    data = read_git_data(b.settings)
    b.git.update(note=data.note, renames=data.renames, first=data.first,
                 histories={i: data.of(i) for i in data.histories})


# -- render bodies -----------------------------------------------------------------

def _read_changed(b: Run, pool: Pool, parsed: list[str]) -> int:
    """Read the entry files whose stat changed and render those whose bytes changed;
    -> how many were rendered."""
    b.facts = dict(b.old["facts"])
    seen = {item[0] for item in b.items}
    for rel in b.old["files"].keys() - b.files.keys() - seen:
        b.facts.pop(b.entry_id(rel), None)
        b.changed.add(b.entry_id(rel))
    count = pool.shares(len(b.items))
    taken = _taken(pool)
    shares = _split(b.items, pool, count, taken)
    rest = [[item for item in s if item[0] not in taken] for s in shares]
    read = pool.run(read_entries, [(s, parsed) for s in rest]) if any(rest) else rest
    for worker, share in enumerate(shares):
        ours = iter(read[worker])
        for item in share:
            ready, owner = taken.get(item[0]), worker
            if ready is not None:  # rendered there as validate parsed it, and sent back
                rel, stat, (owner, found, fact, record), problem = item[0], item[3], ready, None
            else:
                rel, stat, found, fact, record, problem = next(ours)
            if problem:
                raise ChangedDuringBuild(problem, rel)
            _, mtime, ctime, _ = stat.split(":")
            racy = max(int(mtime), int(ctime)) >= b.scanned - RACY_NS
            b.files[rel] = f"{'racy' if racy else stat}:{found}"
            if fact is None:
                continue
            entry_id = b.entry_id(rel)
            b.facts[entry_id] = fact
            b.changed.add(entry_id)
            if record is not None:
                b.records[entry_id] = record
                b.owner[entry_id] = owner
    return len(b.records)


def _same_bytes(b: Run, checked: dict[str, str]) -> None:
    """Refuse to publish an entry whose bytes are not those validate checked: an editor
    saved it while the build ran (as `pipeline serve` rebuilds, for one)."""
    for rel, line in b.files.items():
        if checked.get(rel) != line.rpartition(":")[2]:
            raise _changed(rel)


def _changed(rel: str) -> PipelineError:
    return ChangedDuringBuild(f"{rel} changed while the build ran, after it was checked; "
                              "nothing was published (the previous output is unchanged): "
                              "build again", rel)


def _split(items: list[tuple], pool: Pool, count: int, taken: dict) -> list[list[tuple]]:
    """`items` in `count` shares: each file to the worker that rendered it while validate
    parsed it, when one did (`taken`: those it sent back already); the rest in turn."""
    if count == 1:
        return [items]
    holder = {rel: ready[0] for rel, ready in taken.items()}
    if pool.lent and any(item[0] not in holder for item in items):
        for worker, files in enumerate(pool.run(prepared_files, [()] * count)):
            holder.update(dict.fromkeys(files, worker))
    shares: list[list[tuple]] = [[] for _ in range(count)]
    for n, item in enumerate(items):
        shares[holder.get(item[0], n % count)].append(item)
    return shares


# -- write entries -------------------------------------------------------------------

def _write_entries(b: Run, pool: Pool, tasks: list[tuple], context: dict) -> int:
    """Make the pages that change; -> how many entries had to be rendered again."""
    count = pool.shares(len(tasks))
    shares: list[list] = [[] for _ in range(count)]
    for n, task in enumerate(tasks):
        worker = b.owner.get(task[0]) if pool.size > 1 else None
        shares[n % count if worker is None else worker].append(task)
    if count > 1 and pool.size == 1:
        b.site.warm()  # compile the templates once, before workers are forked
    calls = [(share, context, b.tree.view([f"{t[0]}.{ext}" for t in share
                                           for ext in ("json", "html")]), n % 2 == 1)
             for n, share in enumerate(shares)]
    rendered, old = 0, b.old["facts"]
    results = pool.run(write_entries, calls)
    for share in results:
        for entry_id, files, listing, again in share:
            for rel, key, stat in files:
                b.tree.record(rel, key, stat)
            if listing is not None:
                if listing["item"] != (old.get(entry_id) or {}).get("item"):
                    b.moved.add(entry_id.split("/", 1)[0])
                b.facts[entry_id] = {**b.facts[entry_id], **listing}
                b.touched.add(entry_id.split("/", 1)[0])
            if again:  # read again: the bytes must be those checked
                rel = f"{b.prefix}/{entry_id}.md"
                if again != b.files.get(rel, "").rpartition(":")[2]:
                    raise _changed(rel)
                rendered += 1
    return rendered


def _save_state(b: Run) -> dict:
    """Save what the next build needs to know (only the parts that changed); -> the
    catalog-wide part, for the manifest."""
    used = b.tree.saved_state if b.old.get("version") else None
    if b.git_moved:
        b.touched.add(GIT)
    state = {"inputs": b.inputs.fingerprint, "site": b.site.fingerprint, "files": b.files,
             "facts": b.facts, "git": b.git, "previous": b.previous,
             "digests": {ready.key: ready.warnings for ready in b.digests}}
    return save_state(b.tree.state_dir, state, used, b.touched, b.prefix)
