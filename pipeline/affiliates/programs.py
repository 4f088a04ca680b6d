"""The programs file (`data/affiliates.yaml`): reading it, checking it, and its data.

Editors maintain the file; its shape is `schemas/affiliates.schema.json`.
A bad file is a list of diagnostics naming the file and line
(`read_programs`), or a ProgramsError carrying them (`load_programs`).
A catalog without the file has no programs: no link is an affiliate link.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cached_property
from fnmatch import translate

from ..catalog import yamlpos
from ..catalog.loader import data_file_problem, decode
from ..config import Settings
from ..diagnostics import Diagnostic, rule
from ..errors import PipelineError

SCHEMA_FILE = "affiliates.schema.json"

PROGRAMS_FILE = rule(
    "affiliate-programs",
    "error",
    "The affiliate programs file parses and matches its schema.",
    """
    `data/affiliates.yaml` lists the affiliate programs: how their links are
    recognised, which tracking ids are ours, whether their links may go in
    e-mail, and the statement a program requires. Its shape is
    `schemas/affiliates.schema.json` (guide: docs/affiliates.md). While it has
    a problem no link can be classified, so the affiliate rules cannot run.
    """,
    example="programs:\n  - id: amazon\n    our_ids: localaicat-20     <- must be a list: [localaicat-20]",
    hint="fix data/affiliates.yaml at the given line; docs/affiliates.md describes every key",
)


class ProgramsError(PipelineError):
    """The programs file has problems; `diagnostics` says where."""

    def __init__(self, diagnostics: list[Diagnostic]):
        self.diagnostics = diagnostics
        lines = [f"{d.file}:{d.line}:{d.column}: {d.message}" for d in diagnostics]
        super().__init__(lines[0] if len(lines) == 1 else
                         f"{len(lines)} problems in the programs file:\n  " + "\n  ".join(lines))


def host_matcher(hosts) -> re.Pattern:
    """One expression matching any of the host patterns (`*` is any run of characters)."""
    return re.compile("|".join(translate(h) for h in hosts) or "(?!)")


@dataclass(frozen=True)
class LinkShape:
    """One way a program's links look."""

    hosts: tuple[str, ...]
    host_re: re.Pattern
    path: re.Pattern | None = None
    params: tuple[str, ...] = ()
    path_id: re.Pattern | None = None
    shortener: bool = False
    click_id: bool = False

    @property
    def is_catch_all(self) -> bool:
        return self.hosts == ("*",)


@dataclass(frozen=True)
class Redirector:
    """A link wrapper (`google.com/url?q=<address>`): the address it leads to is the
    first of `params` present in its query."""

    hosts: tuple[str, ...]
    host_re: re.Pattern
    params: tuple[str, ...]
    path: re.Pattern | None = None


@dataclass(frozen=True)
class Program:
    id: str
    name: str
    terms: str
    our_ids: frozenset[str]
    allows_email: bool
    links: tuple[LinkShape, ...]
    required_statement: str | None = None


@dataclass(frozen=True)
class Wording:
    """Our disclosure wording, from the programs file."""

    text: str
    email_text: str
    label: str
    rel: str


@dataclass(frozen=True)
class Programs:
    programs: tuple[Program, ...] = ()
    shorteners: tuple[str, ...] = ()
    wording: Wording = field(default_factory=lambda: Wording("", "", "", ""))
    file: str = ""
    shortener_re: re.Pattern = field(default_factory=lambda: host_matcher(()))
    redirectors: tuple[Redirector, ...] = ()
    redirector_re: re.Pattern = field(default_factory=lambda: host_matcher(()))

    def get(self, program_id: str) -> Program | None:
        return next((p for p in self.programs if p.id == program_id), None)

    @cached_property
    def shapes(self) -> list[tuple[Program, LinkShape]]:
        """(program, shape) pairs in file order, catch-all shapes (`hosts: ["*"]`) last."""
        pairs = [(p, s) for p in self.programs for s in p.links]
        return ([x for x in pairs if not x[1].is_catch_all]
                + [x for x in pairs if x[1].is_catch_all])

    @cached_property
    def named_hosts(self) -> re.Pattern:
        """Matches every host a shape that is not a catch-all (`hosts: ["*"]`), or a
        shortener, names."""
        return host_matcher([h for _, shape in self.shapes if not shape.is_catch_all
                             for h in shape.hosts] + list(self.shorteners))

    @cached_property
    def catch_all(self) -> str | None:
        """What a URL needs for a catch-all shape to match it: None when there is no such
        shape, "query" when each finds its tracking id in the query string (none in the
        path, none a shortener), "any" otherwise."""
        shapes = [shape for _, shape in self.shapes if shape.is_catch_all]
        if not shapes:
            return None
        return "query" if all(s.path_id is None and not s.shortener for s in shapes) else "any"

    @cached_property
    def _hosts(self) -> dict[str, tuple[bool, bool]]:
        """{host: (a link wrapper's, named by a shape, a shortener or a wrapper)} of the
        hosts asked about: the same few hosts come back link after link."""
        return {}

    def _host(self, host: str) -> tuple[bool, bool]:
        known = self._hosts.get(host)
        if known is None:
            if len(self._hosts) >= _HOSTS_KEPT:
                self._hosts.clear()
            wrapper = self.redirector_re.match(host) is not None
            known = self._hosts[host] = (
                wrapper, wrapper or self.named_hosts.match(host) is not None)
        return known

    def is_redirector(self, host: str) -> bool:
        """Whether `host` is a link wrapper's (`redirectors`), as redirector_re says."""
        return self._host(host)[0]

    def may_match(self, url: str, host: str) -> bool:
        """False when no shape, no shortener and no link wrapper can claim `url` (whose
        host is `host`): the quick test most links stop at, before trying each shape."""
        if self._host(host)[1]:
            return True
        return self.catch_all == "any" or self.catch_all == "query" and "?" in url


_HOSTS_KEPT = 4096  # hosts Programs._host remembers, at most (a few hundred KB)


def _schema_messages(error) -> list[tuple[tuple, str]]:
    """(path to point at, an editor's message) for a jsonschema error, in the words of the
    entries' schema check (a wrong kind of value in YAML's words, each unknown key at its
    own line, with the key it is close to)."""
    from ..checks.schema import _messages

    if error.validator == "oneOf":
        where = ".".join(str(p) for p in error.absolute_path) or "the file"
        return [(tuple(error.absolute_path), f"{where}: a link shape has exactly one of "
                 "`params`, `path_id` or `shortener: true`")]
    found = _messages(error, whole="the file")
    if error.validator == "additionalProperties":
        return [(at, f"{message} (see docs/affiliates.md)") for at, message in found]
    return found


def _problems(file: str, positions: dict, raw) -> list[Diagnostic]:
    """The problems the schema cannot see: a program id used twice, an expression that is
    not a regular expression, a `path_id` without its one group. Looked for in a file with
    schema errors too (an editor sees every problem of the file in one run), in whatever
    part of it has the shape they need."""
    diags: list[Diagnostic] = []

    def items(mapping, key):
        value = mapping.get(key) if isinstance(mapping, dict) else None
        return [(i, x) for i, x in enumerate(value) if isinstance(x, dict)] \
            if isinstance(value, list) else []

    def expression(at: tuple, text: str) -> None:
        line, col = yamlpos.nearest(positions, at)
        try:
            compiled = re.compile(text)
        except re.error as e:
            diags.append(PROGRAMS_FILE(file, line, col, f"{at[-1]}: not a valid regular "
                                       f"expression: {e}"))
            return
        if at[-1] == "path_id" and compiled.groups != 1:
            diags.append(PROGRAMS_FILE(file, line, col, "path_id needs exactly one "
                                       "group (...) around the tracking id"))

    seen: dict[str, int] = {}
    for i, p in items(raw, "programs"):
        if isinstance(p.get("id"), str):
            line, col = yamlpos.nearest(positions, ("programs", i, "id"))
            if p["id"] in seen:
                diags.append(PROGRAMS_FILE(file, line, col, f"program id '{p['id']}' is used "
                                           f"twice (first at line {seen[p['id']]})"))
            seen.setdefault(p["id"], line)
        for j, shape in items(p, "links"):
            for key in ("path", "path_id"):
                if isinstance(shape.get(key), str):
                    expression(("programs", i, "links", j, key), shape[key])
    for j, r in items(raw, "redirectors"):
        if isinstance(r.get("path"), str):
            expression(("redirectors", j, "path"), r["path"])
    return diags


def _shape(s: dict) -> LinkShape:
    """A link shape of a file without problems."""
    return LinkShape(hosts=tuple(s["hosts"]), host_re=host_matcher(s["hosts"]),
                     path=re.compile(s["path"]) if "path" in s else None,
                     params=tuple(s.get("params", ())),
                     path_id=re.compile(s["path_id"]) if "path_id" in s else None,
                     shortener=s.get("shortener", False), click_id=s.get("click_id", False))


def _schema_errors(schema: dict, raw) -> list:
    """jsonschema's errors for `raw`, by path. The schema's compiled check (fastschema)
    goes first: a valid file, the usual case, needs no jsonschema (importing it costs
    tens of milliseconds of every command that reads the file)."""
    from ..fastschema import Compiler, FastValidator, Unsupported

    def slow():
        import jsonschema

        return jsonschema.Draft202012Validator(
            schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)

    try:
        validator = FastValidator(Compiler({"affiliates": schema}).compile_document(schema), slow)
    except Unsupported:
        validator = slow()
    return sorted(validator.iter_errors(raw), key=lambda e: list(map(str, e.absolute_path)))


def parse_programs(file: str, data: bytes, schema: dict) -> tuple[Programs | None, list[Diagnostic]]:
    """Programs from the file's bytes, or the problems that stop us reading them."""
    text, problem = decode(file, data)
    if problem:
        return None, [PROGRAMS_FILE(file, problem.line, problem.column, problem.message)]
    try:
        raw, positions = yamlpos.load(text)
    except yamlpos.YamlProblem as p:
        return None, [PROGRAMS_FILE(file, p.line, p.column, p.message)]
    diags = []
    for error in _schema_errors(schema, raw):
        for at, message in _schema_messages(error):
            line, col = yamlpos.nearest(positions, at)
            diags.append(PROGRAMS_FILE(file, line, col, message))
    diags.extend(_problems(file, positions, raw))
    if diags:
        return None, sorted(diags, key=lambda d: (d.line, d.column))
    programs = tuple(Program(id=p["id"], name=p["name"], terms=p["terms"],
                             our_ids=frozenset(p["our_ids"]), allows_email=p["allows_email"],
                             links=tuple(_shape(s) for s in p["links"]),
                             required_statement=p.get("required_statement"))
                     for p in raw["programs"])
    redirectors = tuple(Redirector(hosts=tuple(r["hosts"]), host_re=host_matcher(r["hosts"]),
                                   params=tuple(r["params"]),
                                   path=re.compile(r["path"]) if "path" in r else None)
                        for r in raw.get("redirectors", ()))
    d = raw["disclosure"]
    shorteners = tuple(raw.get("shorteners", ()))
    return Programs(programs=programs, shorteners=shorteners,
                    wording=Wording(d["text"], d["email_text"], d["label"], d["rel"]),
                    file=file, shortener_re=host_matcher(shorteners),
                    redirectors=redirectors,
                    redirector_re=host_matcher([h for r in redirectors for h in r.hosts])), []


def read_programs(settings: Settings) -> tuple[Programs, list[Diagnostic]]:
    """The catalog's programs and the problems of its programs file (never raises)."""
    file = settings.paths.affiliates
    path = settings.path("affiliates")
    if not path.is_file():
        # named in the settings but not there (a typo, or deleted), or a folder: every
        # affiliate rule would be off, and paid links would be published with no
        # disclosure. None named and none there: no program, as documented.
        problem = data_file_problem(
            settings, "affiliates", PROGRAMS_FILE, "without it no link is known to be paid",
            "restore it, or remove the setting if the catalog has no affiliate program"
            if "paths.affiliates" in settings.given else None)
        return Programs(file=file), [problem] if problem else []
    schema_path = settings.path("schemas") / SCHEMA_FILE
    global _last
    try:
        schema_text = schema_path.read_text(encoding="utf-8")
        schema = json.loads(schema_text)
    except (OSError, ValueError) as e:
        return Programs(file=file), [PROGRAMS_FILE(file, 1, 1, f"cannot check it: its schema "
                                                   f"{settings.paths.schemas}/{SCHEMA_FILE} is "
                                                   f"missing or not JSON ({e.__class__.__name__})")]
    key = (file, path.read_bytes(), schema_text)
    if _last is None or _last[0] != key:
        programs, diags = parse_programs(file, key[1], schema)
        _last = (key, programs or Programs(file=file), diags)
    return _last[1], list(_last[2])


# The last programs file read, by its name, its bytes and its schema's text (the whole of
# what parse_programs reads): a build reads it for its pages, then each of validate's
# workers (forked after that, they inherit this) and its catalog-wide checks read it
# again, and parsing it costs more than reading its bytes.
_last: tuple[tuple, Programs, list[Diagnostic]] | None = None


def load_programs(settings: Settings) -> Programs:
    """The catalog's programs; a bad programs file raises ProgramsError."""
    programs, diags = read_programs(settings)
    if diags:
        raise ProgramsError(diags)
    return programs
