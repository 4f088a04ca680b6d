"""Bad input gets a clear error that names the file and line, never a traceback.

Front matter of the wrong shape (a list, a mapping, a number or null where the schema
wants something else), feed URLs that are no URLs, `[paths]` settings that leave the
catalog and feed cache files of the wrong JSON type: each found in review as a crash.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conftest import MINI, REPO, commit_all, write_entry
from pipeline.config import load_settings
from pipeline.errors import SettingsError
from pipeline.feeds import collect
from pipeline.feeds.collect import cache_of
from pipeline.feeds.fetch import FeedCache, fetch
from test_feeds import feed_server  # noqa: F401  (a fixture)

# ---------------------------------------------------------------------------------------
# T1: front-matter values of the wrong shape are schema errors at their line

# One shipped entry per collection; each top-level field of any collection is put into
# the first of these whose schema has it.
ENTRIES = (
    "tools/vllm",
    "benchmarks/llama-3-1-8b-exl2-rtx-4090",
    "guides/best-gpu-for-local-ai",
    "hardware/nvidia-rtx-4090",
    "models/gemma-2-9b-it",
    "glossary/vram",
    "errors/cuda-out-of-memory",
    "pages/about",
    "authors/lead-editor",
)


def _properties(collection: str) -> dict:
    schema = json.loads((REPO / "schemas" / f"{collection}.schema.json").read_text("utf-8"))
    return schema["properties"]


_COMMON = json.loads((REPO / "schemas" / "common.schema.json").read_text("utf-8"))


def _type(schema: dict) -> str | None:
    """The JSON type a field's schema asks for (through a `$ref` into the common schema)."""
    while "type" not in schema and "$ref" in schema:
        schema = _COMMON["$defs"][schema["$ref"].rsplit("/", 1)[1]]
    return schema.get("type")


def _fields() -> list[tuple[str, str, str | None]]:
    """(entry id, field, its JSON type) for every top-level field of every collection."""
    out, seen = [], set()
    for entry in ENTRIES:
        for name, schema in _properties(entry.split("/")[0]).items():
            if name not in seen:
                seen.add(name)
                out.append((entry, name, _type(schema)))
    return out


FIELDS = _fields()
ARRAY_FIELDS = [(e, f) for e, f, kind in FIELDS if kind == "array"]
BAD = {"list": ["published"], "mapping": {"published": True}, "number": 5, "null": None}
# (entry, field, kind of value) where that kind is wrong: a list of lists for a list
# field; no number for a number field.
WRONG = [(e, f, kind) for e, f, t in FIELDS for kind in BAD
         if not (kind == "number" and t in ("integer", "number"))]


def _set_field(root: Path, entry: str, key: str, value) -> int:
    """Put `key: <value>` (one line, flow style) into an entry's front matter, in place of
    the key's block if it has one, else at its end; the line it is on."""
    path = root / "entries" / f"{entry}.md"
    lines = path.read_text(encoding="utf-8").split("\n")
    end = lines.index("---", 1)
    new = f"{key}: {json.dumps(value)}"
    for i in range(1, end):
        if lines[i].startswith(f"{key}:"):
            j = i + 1
            while j < end and (lines[j].startswith((" ", "-")) or not lines[j]):
                j += 1
            lines[i:j] = [new]
            break
    else:
        lines.insert(end, new)
        i = end
    path.write_text("\n".join(lines), encoding="utf-8")
    return i + 1


def _set_nested(root: Path, entry: str, parent: str, key: str, value) -> int:
    """Replace the first `key:` line inside the block of `parent:`; the line it is on."""
    path = root / "entries" / f"{entry}.md"
    lines = path.read_text(encoding="utf-8").split("\n")
    start = next(i for i, line in enumerate(lines) if line.startswith(f"{parent}:"))
    pattern = re.compile(rf"^(\s+(?:- )?){re.escape(key)}: .*$")
    for i in range(start + 1, len(lines)):
        m = pattern.match(lines[i])
        if m:
            lines[i] = f"{m.group(1)}{key}: {json.dumps(value)}"
            path.write_text("\n".join(lines), encoding="utf-8")
            return i + 1
        if not lines[i].startswith((" ", "-")):
            break
    raise AssertionError(f"no {parent}.{key} in {entry}")


def _schema_error_at(output: str, entry: str, line: int, where: str) -> None:
    """The output has a `schema` error in the entry's file, at `line`, about `where`."""
    file = f"entries/{entry}.md:{line}:"
    found = [x for x in output.splitlines()
             if file in x and "error schema:" in x and f" {where}" in x]
    assert found, f"no schema error about {where} at {file}\n{output}"
    assert "Traceback" not in output


def _no_crash(r) -> None:
    assert r.exception is None or isinstance(r.exception, SystemExit), r.exception


@pytest.mark.parametrize("entry, key, kind", WRONG)
def test_a_value_of_the_wrong_shape_is_a_schema_error_at_its_line(shipped, cli, entry, key,
                                                                    kind):
    array = (entry, key) in ARRAY_FIELDS
    value = [BAD[kind]] if array and kind == "list" else BAD[kind]  # a list of lists
    line = _set_field(shipped, entry, key, value)
    r = cli(shipped, "validate")
    _no_crash(r)
    assert r.exit_code == 1, r.output
    _schema_error_at(r.output, entry, line, key)


@pytest.mark.parametrize("kind", list(BAD))
@pytest.mark.parametrize("entry, key", ARRAY_FIELDS)
def test_a_list_item_of_the_wrong_shape_is_a_schema_error_at_its_line(shipped, cli, entry,
                                                                       key, kind):
    value = BAD[kind] if kind != "list" else ["tools/vllm"]
    if key == "sources" and kind == "mapping":
        value = {"id": ["x"], "url": {"a": 1}, "title": 5}  # a source, of wrong parts
    line = _set_field(shipped, entry, key, [value])
    r = cli(shipped, "validate")
    _no_crash(r)
    assert r.exit_code == 1, r.output
    _schema_error_at(r.output, entry, line, key)


NESTED = [
    ("tools/vllm", "verdict", "rating"),
    ("tools/vllm", "verdict", "by"),
    ("tools/vllm", "verdict", "date"),
    ("tools/vllm", "verdict", "text"),
    ("tools/vllm", "sources", "id"),
    ("tools/vllm", "sources", "url"),
    ("tools/vllm", "sources", "accessed"),
    ("guides/best-gpu-for-local-ai", "picks", "entry"),
    ("guides/best-gpu-for-local-ai", "picks", "label"),
    ("guides/best-gpu-for-local-ai", "offers", "url"),
    ("hardware/nvidia-rtx-4090", "offers", "merchant"),
    ("benchmarks/llama-3-1-8b-exl2-rtx-4090", "versions", "exllamav2"),
]


@pytest.mark.parametrize("kind", list(BAD))
@pytest.mark.parametrize("entry, parent, key", NESTED)
def test_a_nested_value_of_the_wrong_shape_is_a_schema_error_at_its_line(shipped, cli, entry,
                                                                          parent, key, kind):
    line = _set_nested(shipped, entry, parent, key, BAD[kind])
    r = cli(shipped, "validate")
    _no_crash(r)
    assert r.exit_code == 1, r.output
    _schema_error_at(r.output, entry, line, parent)


@pytest.mark.parametrize("entry, key, value", [
    ("glossary/vram", "status", ["published"]),
    ("tools/vllm", "status", {"published": True}),
    ("tools/vllm", "title", {"a": "b"}),
    ("tools/vllm", "redirect_from", [["tools/old-vllm"]]),
    ("tools/vllm", "authors", [{"a": "b"}]),
    ("tools/vllm", "related", [5]),
])
def test_build_stops_at_the_schema_error_without_a_traceback(shipped, cli, entry, key, value):
    line = _set_field(shipped, entry, key, value)
    r = cli(shipped, "build", "--out", str(shipped / "dist"))
    _no_crash(r)
    assert r.exit_code == 1, r.output
    _schema_error_at(r.output, entry, line, key)


def test_a_status_list_is_one_error_where_it_is(shipped, cli):
    """The reviewer's case: `status: [published]` in an entry many others refer to."""
    path = shipped / "entries" / "glossary" / "vram.md"
    text = path.read_text(encoding="utf-8")
    assert "\nstatus: published\n" in text
    path.write_text(text.replace("\nstatus: published\n", "\nstatus: [published]\n", 1),
                    encoding="utf-8")
    line = text.split("\n").index("status: published") + 1
    r = cli(shipped, "validate")
    assert r.exit_code == 1, r.output
    _schema_error_at(r.output, "glossary/vram", line, "status")
    assert "Checked 43 entries: 1 error" in r.output, r.output


# ---------------------------------------------------------------------------------------
# T2: a feed URL that is no URL is a problem of that feed, at its line

BAD_URLS = [
    "https://releases..vllm.ai/feed.atom",
    "https://exa mple.com/x",
    "https://[::1/x",
    "https://localhost:abc/x",
    "https://[zz]/x",
    "http://127.0.0.1:99999/x",
    "https://" + "a" * 70 + ".example.com/x",
    "http://127.0.0.1:1/a\tb",
    "http://:80/x",
    "https:///x",
]


@pytest.mark.parametrize("url", BAD_URLS)
def test_fetch_of_a_malformed_url_fails_without_raising(tmp_path, url):
    got = fetch(url, FeedCache(tmp_path / "cache"), timeout=1)
    assert got.status == "failed" and got.data is None
    assert "not a valid URL" in got.message, got.message


def test_a_non_ascii_path_is_sent_percent_encoded(tmp_path, feed_server):  # noqa: F811
    """An address with an accented path (an IRI) is fetched, its path encoded as UTF-8."""
    feed_server.served["r%C3%A9leases.atom"] = (
        (REPO / "tests" / "fixtures" / "feeds" / "vllm-releases.atom").read_bytes(),
        "application/atom+xml")
    got = fetch(feed_server.url("réleases.atom"), FeedCache(tmp_path / "cache"))
    assert got.status == "fetched", got.message


def _tool_with_feeds(root: Path, urls: list[str]) -> Path:
    return write_entry(root, "tools/vllm", {**MINI["tools/vllm"], "feeds": urls})


def _line_of(path: Path, text: str) -> int:
    return next(i for i, line in enumerate(path.read_text("utf-8").split("\n"), 1)
                if text in line)


@pytest.mark.parametrize("url", BAD_URLS[:4])
def test_feeds_fetch_reports_a_malformed_url_at_its_line_and_goes_on(catalog, cli,
                                                                     feed_server,  # noqa: F811
                                                                     url):
    good = feed_server.url("vllm-releases.atom")
    path = _tool_with_feeds(catalog, [url, good])
    r = cli(catalog, "feeds", "fetch")
    assert r.exit_code == 0, r.output
    line = _line_of(path, url.split(" ")[0])
    assert f"entries/tools/vllm.md:{line}:" in r.output, r.output
    assert "not a valid URL" in r.output
    assert re.search(r"fetched\s+tools/vllm\s+" + re.escape(good), r.output), r.output
    assert "2 feeds, " in r.output and "1 with problems." in r.output
    report = collect(load_settings(catalog))
    [bad] = report.problems
    assert bad.source.url == url and bad.status == "failed"


def test_offline_a_malformed_url_is_reported_at_its_line_too(catalog, cli):
    path = _tool_with_feeds(catalog, ["https://localhost:abc/x"])
    r = cli(catalog, "feeds", "fetch", "--offline")
    assert r.exit_code == 1, r.output  # no feed could be read
    line = _line_of(path, "localhost:abc")
    assert re.search(rf"entries/tools/vllm.md:{line}:\d+: not a valid URL: its port 'abc' is "
                     "not a number from 0 to 65535", r.output), r.output


def test_a_digest_draft_warns_of_a_malformed_feed_url_and_goes_on(repo, cli,
                                                                  feed_server):  # noqa: F811
    good = feed_server.url("vllm-releases.atom")
    path = _tool_with_feeds(repo, ["https://releases..vllm.ai/feed.atom", good])
    commit_all(repo, "Feeds", "2026-10-02T12:00:00")
    r = cli(repo, "digest", "draft", "2026-10")
    assert r.exit_code == 0, r.output
    line = _line_of(path, "releases..vllm.ai")
    assert "warning: feed https://releases..vllm.ai/feed.atom (tools/vllm)" in r.output
    assert f"entries/tools/vllm.md:{line}:" in r.output and "not a valid URL" in r.output
    assert "v0.11.2" in (repo / "digests" / "2026-10.md").read_text("utf-8")


# ---------------------------------------------------------------------------------------
# T3: a [paths] setting must name a place inside the catalog

def _set_path(root: Path, option: str, value: str) -> None:
    toml = root / "pipeline.toml"
    text = toml.read_text(encoding="utf-8")
    line = re.search(rf"^{option} = .*$", text, re.M)
    if line:
        text = text.replace(line.group(0), f"{option} = {json.dumps(value)}", 1)
    else:
        text = text.replace("[paths]\n", f"[paths]\n{option} = {json.dumps(value)}\n", 1)
    toml.write_text(text, encoding="utf-8")


OPTIONS = ("entries", "digests", "schemas", "bibliography", "affiliates", "cache")


@pytest.mark.parametrize("value", ["/tmp/elsewhere", "../elsewhere", "entries/../../x", "..",
                                   "", ".", "..\\elsewhere", "C:\\elsewhere"])
@pytest.mark.parametrize("option", [o for o in OPTIONS if o != "cache"])
def test_a_path_outside_the_catalog_is_a_settings_error(catalog, cli, option, value):
    _set_path(catalog, option, value)
    r = cli(catalog, "validate")
    assert r.exit_code == 2, r.output
    assert f"paths.{option}" in r.output and "inside the catalog" in r.output, r.output
    assert "Checked" not in r.output


@pytest.mark.parametrize("value", ["", "."])
def test_the_cache_is_not_the_catalogs_own_folder(catalog, cli, value):
    _set_path(catalog, "cache", value)
    r = cli(catalog, "validate")
    assert r.exit_code == 2 and "paths.cache" in r.output, r.output


def test_the_cache_may_live_outside_the_catalog(catalog, cli, tmp_path):
    """It is no editor's file: on CI it may sit in a folder of its own."""
    _set_path(catalog, "cache", str(tmp_path / "elsewhere"))
    r = cli(catalog, "validate")
    assert r.exit_code == 0, r.output
    assert any((tmp_path / "elsewhere").iterdir())


def test_an_absolute_digests_folder_is_refused_before_drafting(repo, cli, tmp_path):
    elsewhere = tmp_path / "dg"
    _set_path(repo, "digests", str(elsewhere))
    r = cli(repo, "digest", "draft", "2026-11", "--offline")
    assert r.exit_code == 2, r.output
    assert "paths.digests" in r.output and str(elsewhere) in r.output
    assert not elsewhere.exists()


def test_an_absolute_entries_folder_is_refused_before_writing(catalog, cli):
    _set_path(catalog, "entries", str(catalog / "entries"))
    r = cli(catalog, "new", "glossary", "x", "--title", "T")
    assert r.exit_code == 2, r.output
    assert "paths.entries" in r.output
    assert not (catalog / "entries" / "glossary" / "x.md").exists()


@pytest.mark.parametrize("value", ["./entries", "entries/", "entries/../entries", "./entries/.",
                                   ".\\entries"])
def test_a_roundabout_path_inside_the_catalog_is_read_as_its_plain_form(catalog, cli, value):
    _set_path(catalog, "entries", value)
    assert load_settings(catalog).paths.entries == "entries"
    r = cli(catalog, "validate")
    assert r.exit_code == 0, r.output
    assert "Checked 4 entries: no problems." in r.output


def test_the_settings_error_names_the_option_and_the_value(catalog):
    _set_path(catalog, "digests", "/var/tmp/digests")
    with pytest.raises(SettingsError, match=r"paths\.digests.*'/var/tmp/digests'"):
        load_settings(catalog)


# ---------------------------------------------------------------------------------------
# T5: a feed cache file of the wrong JSON type is no cache

@pytest.mark.parametrize("meta", ["[]", '"x"', "5", "null", '{"content_type": 5}',
                                  '{"etag": ["a"]}', '{"last_modified": {"a": 1}}',
                                  '{"url": 7}'])
def test_a_cache_file_of_the_wrong_shape_is_no_cache(catalog, cli, feed_server,  # noqa: F811
                                                     meta):
    url = feed_server.url("vllm-releases.atom")
    _tool_with_feeds(catalog, [url])
    assert cli(catalog, "feeds", "fetch").exit_code == 0
    [file] = (catalog / ".pipeline-cache" / "feeds").glob("*.json")
    file.write_text(meta, encoding="utf-8")
    assert FeedCache(file.parent).load(url) == (None, {})
    r = cli(catalog, "feeds", "fetch", "--offline")
    assert r.exit_code == 1 and "not in the cache" in r.output, r.output
    file.write_text(meta, encoding="utf-8")
    feed_server.requests.clear()
    r = cli(catalog, "feeds", "fetch")  # online: a plain request, and the cache made anew
    assert r.exit_code == 0 and re.search(r"fetched\s+tools/vllm", r.output), r.output
    [(_, headers)] = feed_server.requests
    assert "If-None-Match" not in headers
    assert json.loads(file.read_text("utf-8"))["url"] == url


def test_a_digest_draft_reads_past_a_cache_file_of_the_wrong_shape(repo, cli,
                                                                   feed_server):  # noqa: F811
    url = feed_server.url("vllm-releases.atom")
    _tool_with_feeds(repo, [url])
    commit_all(repo, "Feeds", "2026-10-02T12:00:00")
    assert cli(repo, "feeds", "fetch").exit_code == 0
    folder = cache_of(load_settings(repo)).folder
    [file] = folder.glob("*.json")
    file.write_text('{"content_type": 5}', encoding="utf-8")
    r = cli(repo, "digest", "draft", "2026-10", "--offline")
    assert r.exit_code == 0, r.output
    assert f"warning: feed {url} (tools/vllm): offline and not in the cache" in r.output
