"""The catalog's settings file (`pipeline.toml`), with defaults.

Settings are a typed dataclass; an unknown or ill-typed option is a
SettingsError naming the option, never a traceback.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path, PureWindowsPath

from .errors import SettingsError
from .textchars import INVISIBLE, named

SETTINGS_FILE = "pipeline.toml"
COLLECTIONS = (
    "glossary",
    "models",
    "hardware",
    "tools",
    "benchmarks",
    "errors",
    "guides",
    "pages",
    "authors",
)


@dataclass(frozen=True)
class Site:
    name: str = "Local AI Catalog"
    base_url: str = "https://example.org"
    language: str = "en"


@dataclass(frozen=True)
class Paths:
    entries: str = "entries"
    digests: str = "digests"
    schemas: str = "schemas"
    bibliography: str = "data/bibliography.yaml"
    affiliates: str = "data/affiliates.yaml"
    cache: str = ".pipeline-cache"


@dataclass(frozen=True)
class Email:
    from_: str = ""
    reply_to: str = ""
    postal_address: str = ""
    unsubscribe_url: str = ""


@dataclass(frozen=True)
class Affiliates:
    forbidden_collections: tuple[str, ...] = ("benchmarks", "errors", "glossary")


@dataclass(frozen=True)
class Digest:
    # the newest releases of each feed a draft lists: a feed with hundreds in the month
    # (nightly builds) flooded the digest (found in review)
    releases_per_feed: int = 10


@dataclass(frozen=True)
class Settings:
    root: Path
    site: Site = field(default_factory=Site)
    paths: Paths = field(default_factory=Paths)
    email: Email = field(default_factory=Email)
    affiliates: Affiliates = field(default_factory=Affiliates)
    digest: Digest = field(default_factory=Digest)
    checks: dict[str, str] = field(default_factory=dict)
    # The options the settings file sets ("paths.affiliates"), defaults or not: a file it
    # names must exist, where a default one may be absent.
    given: frozenset[str] = frozenset()

    def path(self, name: str) -> Path:
        """An absolute path for one of the `[paths]` settings."""
        return self.root / getattr(self.paths, name)

    @property
    def fingerprint(self) -> str:
        """A stable text of every setting, for cache keys."""
        d = dataclasses.asdict(self)
        d.pop("root")
        d["given"] = sorted(self.given)  # a set's order changes between processes
        return repr(sorted(d.items()))


_SECTIONS = {"site": Site, "paths": Paths, "email": Email, "affiliates": Affiliates,
             "digest": Digest}
_SEVERITIES = ("error", "warning", "off")


_TYPE_NAMES = {str: "text (in quotes)", bool: "true or false", int: "a whole number",
               float: "a number"}
_TABLE_RE = re.compile(r"^\s*\[\[?([^\]]+)\]\]?\s*(?:#.*)?$")
_KEY_RE = re.compile(r"^\s*((?:\"[^\"]*\"|'[^']*'|[A-Za-z0-9_-]+)"
                     r"(?:\s*\.\s*(?:\"[^\"]*\"|'[^']*'|[A-Za-z0-9_-]+))*)\s*=")
_MULTILINE_RE = re.compile(r'"""|\'\'\'')


def _dotted(name: str) -> str:
    """A TOML key or table name as `a.b`: spaces around dots and quotes dropped."""
    return ".".join(part.strip().strip("\"'") for part in name.split("."))


def _where(text: str, file: Path):
    """A function giving `file:line` of an option (`[section]` then `key =`, or the
    dotted `section.key =`), or of a section (its `[section]`, or `section =`), as
    written in the settings' text; `file` alone when it is not found there."""
    def where(section: str, key: str | None = None) -> str:
        wanted = f"{section}.{key}" if key is not None else section
        table = ""
        quote = None  # the quotes of a multi-line string the line is in
        for n, line in enumerate(text.splitlines(), 1):
            if quote is not None:
                if line.count(quote) % 2:
                    quote = None
                continue
            m = _TABLE_RE.match(line)
            if m:
                table = _dotted(m.group(1))
                if table == wanted:  # `[site]`, or a table `[site.extra]` as an option
                    return f"{file}:{n}"
                continue
            m = _KEY_RE.match(line)
            if m:
                name = _dotted(m.group(1))
                if (f"{table}.{name}" if table else name) == wanted:
                    return f"{file}:{n}"
            opened = _MULTILINE_RE.findall(line)
            if len(opened) % 2:  # a multi-line string begins here: its lines are no keys
                quote = opened[-1]
        # an option inside an inline table (`site = {name = 3}`): its section's line
        return where(section) if key is not None else str(file)
    return where


def settings_line(settings: "Settings", section: str, key: str | None = None) -> str:
    """`pipeline.toml:LINE` of an option (or a section) of the catalog's settings, for a
    message about its value; `pipeline.toml` alone when it is not written there."""
    try:
        text = (settings.root / SETTINGS_FILE).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return SETTINGS_FILE
    return _where(text, SETTINGS_FILE)(section, key)


def _section(cls, name: str, raw: object, where):
    if not isinstance(raw, dict):
        raise SettingsError(f"{where(name)}: [{name}] must be a table of options "
                            f"(`[{name}]`, then `option = value` lines)")
    names = {f.name.rstrip("_"): f for f in dataclasses.fields(cls)}
    values = {}
    for key, value in raw.items():
        at = where(name, key)
        f = names.get(key)
        if f is None:
            known = ", ".join(sorted(names))
            close = difflib.get_close_matches(key, list(names), n=1)
            hint = f"; did you mean {name}.{close[0]}?" if close else ""
            raise SettingsError(f"{at}: unknown option {name}.{key}{hint} (known: {known})")
        default = getattr(cls(), f.name)
        if isinstance(default, tuple):
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise SettingsError(f"{at}: {name}.{key} must be a list of texts "
                                    '(["a", "b"])')
            value = tuple(value)
        elif not isinstance(value, type(default)) or isinstance(value, bool) != isinstance(
                default, bool):
            kind = _TYPE_NAMES.get(type(default), type(default).__name__)
            raise SettingsError(f"{at}: {name}.{key} must be {kind}, not {value!r}")
        for text in (value if isinstance(value, tuple) else (value,)):
            invisible = INVISIBLE.search(text) if isinstance(text, str) else None
            if invisible:  # an escape (`"\u0001"`): pages, the feed and e-mails show it
                raise SettingsError(f"{at}: {name}.{key} holds the invisible character "
                                    f"{named(invisible.group())} written as an escape (such "
                                    "as `\\u0001`), which no page, feed or e-mail can "
                                    "show: delete it")
        if (name, key) == ("site", "language") and not _LANGUAGE_RE.fullmatch(value):
            raise SettingsError(f"{at}: site.language must be a language tag such as "
                                f"en or pt-BR, not {value!r}")
        if (name, key) == ("site", "base_url") and not _BASE_URL_RE.fullmatch(value):
            raise SettingsError(f"{at}: site.base_url must be the site's absolute address, "
                                f"such as https://local-ai-catalog.org, not {value!r}")
        if (name, key) == ("digest", "releases_per_feed") and value < 1:
            raise SettingsError(f"{at}: digest.releases_per_feed must be 1 or more (the "
                                f"newest releases of each feed a draft lists), not {value}")
        if name == "paths":
            value = _inside_catalog(key, value, default, at)
        if (name, key) == ("affiliates", "forbidden_collections"):
            for collection in value:
                if collection not in COLLECTIONS:
                    close = difflib.get_close_matches(collection, COLLECTIONS, n=1)
                    hint = f"; did you mean {close[0]!r}?" if close else ""
                    raise SettingsError(
                        f"{at}: affiliates.forbidden_collections: {collection!r} is not a "
                        f"collection{hint} (the collections: {', '.join(COLLECTIONS)})")
        values[f.name] = value
    return cls(**values)


def _inside_catalog(key: str, value: str, default: str, file: Path) -> str:
    """A `[paths]` value in its plain form (`./entries/` -> `entries`), or a SettingsError
    when it is absolute, leads out of the catalog (`../x`) or is the catalog's own folder
    (`cache` may be anywhere but there):
    the commands join it to the catalog's folder and give paths relative to it (in
    messages, in git trees), which a place elsewhere does not have (found in review:
    `digests = "/tmp/dg"` crashed `digest draft`, `entries = "/abs/entries"` made every
    entry "not an entry")."""
    instead = (f"; give a path inside the catalog, relative to the folder of {SETTINGS_FILE} "
               f"(such as {default!r})")
    if key == "cache" and value.strip("/\\. "):
        return value  # not the catalog's: a cache may live anywhere (/tmp/cache on CI)
    if value.startswith(("/", "\\")) or PureWindowsPath(value).drive:
        raise SettingsError(f"{file}: paths.{key} = {value!r} is an absolute path{instead}")
    parts: list[str] = []
    for part in re.split(r"[/\\]", value):
        if part == "..":
            if not parts:
                raise SettingsError(f"{file}: paths.{key} = {value!r} leads out of the "
                                    f"catalog{instead}")
            parts.pop()
        elif part not in ("", "."):
            parts.append(part)
    if not parts:
        raise SettingsError(f"{file}: paths.{key} = {value!r} is the catalog's own folder"
                            f"{instead}")
    return "/".join(parts)


_LANGUAGE_RE = re.compile(r"[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8})*")  # BCP 47, in short
# http(s), a host, an optional port, nothing after but an optional final slash: pages'
# paths are appended to it, and the site sits at its domain's root.
_BASE_URL_RE = re.compile(r"(?i:https?)://[A-Za-z0-9.-]+(?::\d+)?/?")


def _known_rules() -> set[str]:
    """Every rule id (importing the checks registers theirs; only when [checks] names one)."""
    from .affiliates import programs  # noqa: F401  (registers its rule)
    from .catalog import loader  # noqa: F401  (registers the file and YAML rules)
    from .checks import load_checks
    from .diagnostics import RULES

    load_checks()
    return set(RULES)


def _check_rules(checks: dict, where) -> None:
    from .diagnostics import CONTRACT, RULES

    known = _known_rules()
    for key, severity in checks.items():
        if key not in known:
            close = difflib.get_close_matches(key, known, n=1)
            hint = f"; did you mean {close[0]}?" if close else ""
            raise SettingsError(f"{where('checks', key)}: unknown rule checks.{key}{hint} "
                                "(`pipeline explain` lists the rules)")
        if key in CONTRACT and (severity == "off" or RULES[key].severity == "error"
                                and severity != "error"):
            can = ("it stays an error" if RULES[key].severity == "error"
                   else "it can be raised to an error, not turned off")
            raise SettingsError(
                f'{where("checks", key)}: checks.{key} = "{severity}": {key} holds the content model\'s '
                f"fixed contract, so {can} (docs/rules.md)")


def parse_settings(text: str, root: Path, file: Path | None = None) -> Settings:
    file = file or root / SETTINGS_FILE
    try:
        raw = tomllib.loads(text.removeprefix("\ufeff"))
    except tomllib.TOMLDecodeError as e:
        # `Cannot overwrite a value (at line 3, column 9)`: the place first, as elsewhere
        m = re.fullmatch(r"(.*) \(at line (\d+), column (\d+)\)", str(e), re.S)
        if m:
            raise SettingsError(f"{file}:{m.group(2)}:{m.group(3)}: {m.group(1)}") from None
        m = re.fullmatch(r"(.*) \(at end of document\)", str(e), re.S)
        if m:
            last = text.count("\n") + (0 if text.endswith("\n") else 1)
            raise SettingsError(f"{file}:{max(last, 1)}: {m.group(1)} (at the end of the file)"
                                ) from None
        raise SettingsError(f"{file}: {e}") from None
    kwargs: dict = {}
    given = set()
    where = _where(text.removeprefix("\ufeff"), file)
    for key, value in raw.items():
        if key in _SECTIONS:
            kwargs[key] = _section(_SECTIONS[key], key, value, where)
            given.update(f"{key}.{option}" for option in value)
        elif key == "checks":
            if not isinstance(value, dict):
                raise SettingsError(f"{where(key)}: [checks] maps a rule id to one of "
                                    f"{', '.join(_SEVERITIES)}")
            for rule_id, severity in value.items():
                if severity not in _SEVERITIES:
                    raise SettingsError(f"{where(key, rule_id)}: checks.{rule_id} must be one "
                                        f"of {', '.join(_SEVERITIES)}, not {severity!r}")
            if value:
                _check_rules(value, where)
            kwargs["checks"] = dict(value)
        else:
            close = difflib.get_close_matches(key, [*_SECTIONS, "checks"], n=1)
            hint = f"; did you mean [{close[0]}]?" if close else ""
            raise SettingsError(
                f"{where(key)}: unknown section [{key}]{hint} "
                f"(known: {', '.join([*_SECTIONS, 'checks'])})"
            )
    return Settings(root=root, given=frozenset(given), **kwargs)


def find_root(start: Path) -> Path:
    """Walk up from `start` to the folder holding the settings file."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / SETTINGS_FILE).is_file():
            return folder
    raise SettingsError(
        f"no {SETTINGS_FILE} found in {start} or any folder above it; "
        "run inside a catalog or pass --root PATH"
    )


def _as_shown(file: Path) -> Path:
    """The settings file as messages name it: from the current folder when it is in it
    (`pipeline.toml:5: ...`, as an editor's editor opens it), else in full."""
    try:
        return file.relative_to(Path.cwd().resolve())
    except (ValueError, OSError):
        return file


def load_settings(root: Path | None = None, start: Path | None = None) -> Settings:
    """Settings of the catalog at `root`, or found by walking up from `start`."""
    if root is None:
        root = find_root(start or Path.cwd())
    root = root.resolve()
    file = root / SETTINGS_FILE
    if not file.is_file():
        raise SettingsError(f"{root}: no {SETTINGS_FILE} here; is this a catalog?")
    data = file.read_bytes()
    shown = _as_shown(file)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        from .catalog.loader import bad_byte  # which imports this module

        line, column, byte = bad_byte(e)
        raise SettingsError(f"{shown}:{line}:{column}: not UTF-8: byte 0x{byte:02x} cannot be "
                            "decoded; save the file as UTF-8 in your editor") from None
    settings = parse_settings(text, root, shown)
    entries = settings.path("entries")
    if not entries.is_dir():
        at = _where(text.removeprefix("\ufeff"), shown)("paths", "entries")
        raise SettingsError(f"{at}: paths.entries: entries folder {entries} does not exist")
    return settings
