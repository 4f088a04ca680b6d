"""A build refuses errors and shows nothing else: it does not run a rule family that can
report nothing but warnings under the settings (`claims`, claim-uncited, by default).

What it leaves in validate's cache must not change what `pipeline validate` reports
afterwards: the families the build did not run are made then.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline import validate as validate_module
from pipeline.cache import ValidateCache, plan
from pipeline.checks import CHECK_MODULES, families_reporting_errors
from pipeline.config import load_settings
from pipeline.publish import pool
from pipeline.publish.build import ValidationFailed, build
from pipeline.validate import CATALOG_FAMILIES_SET, LOCAL_MODULES_SET, validate
from test_publish_catalog import make_exl2_catalog

UNCITED = "It serves 40 tok/s on one card.\n"


@pytest.fixture
def exl2(tmp_path) -> Path:
    root = make_exl2_catalog(tmp_path / "exl2")
    path = root / "entries/glossary/gptq.md"
    path.write_text(path.read_text(encoding="utf-8") + "\n" + UNCITED, encoding="utf-8")
    return root


def found(result) -> list[tuple]:
    return [(d.file, d.line, d.column, d.rule, d.severity, d.message) for d in result.diagnostics]


def test_the_families_a_build_runs_follow_the_settings():
    every = frozenset(CHECK_MODULES)
    assert families_reporting_errors({}) == every - {"claims"}
    assert families_reporting_errors({"claim-uncited": "error"}) == every
    assert families_reporting_errors({}, strict=True) == every
    # a family keeps running while one of its rules can report an error
    assert "citations" in families_reporting_errors({"source-unused": "off"})


@pytest.mark.parametrize("big", [False, True])
def test_validate_after_a_build_reports_what_it_reports_from_scratch(exl2, tmp_path,
                                                                    monkeypatch, big):
    monkeypatch.setattr(pool, "MIN_PARALLEL", 1 if big else pool.MIN_PARALLEL)
    monkeypatch.setattr(validate_module, "PER_WORKER", 1 if big else validate_module.PER_WORKER)
    settings = load_settings(exl2)
    build(settings, tmp_path / "out", jobs=2 if big else 1)
    records = [r for r in ValidateCache.open(settings).records.values() if r.entry]
    assert records and all("claims" not in r.results and "citations" in r.results
                           for r in records)
    after = found(validate(settings))
    assert after == found(validate(settings, cache=False))
    assert [d for d in after if d[3] == "claim-uncited"] == [
        ("entries/glossary/gptq.md", 19, 11, "claim-uncited", "warning",
         "'40 tok/s' is a quantitative claim with no citation in its sentence")]
    # and now the cache has them: a second run takes them from it
    assert all("claims" in r.results for r in ValidateCache.open(settings).records.values()
               if r.entry)
    assert found(validate(settings)) == after


def test_a_build_runs_the_family_when_the_settings_make_its_rule_an_error(exl2, tmp_path):
    toml = exl2 / "pipeline.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace(
        '# claim-uncited = "error"', 'claim-uncited = "error"'), encoding="utf-8")
    with pytest.raises(ValidationFailed, match="error claim-uncited: '40 tok/s'"):
        build(load_settings(exl2), tmp_path / "out")


def test_a_build_with_a_warning_only_catalog_publishes(exl2, tmp_path):
    result = build(load_settings(exl2), tmp_path / "out")
    assert result.entries > 0 and (tmp_path / "out/glossary/gptq.html").is_file()


def test_results_a_run_does_not_make_are_forgotten_where_they_may_be_stale():
    """An entry checked in full by a run that skips a family (its record is new: dated
    today) forgets that family's old results; so does an entry whose catalog-wide results
    may have changed. A later run with every family makes them again."""
    from pipeline.cache import Record

    def record(**results):
        return Record(stat="s", digest="d", entry=("glossary/a", "glossary", "a", {}),
                      results={**results}, checked_on="2026-01-01")

    every = {f: [] for f in LOCAL_MODULES_SET | CATALOG_FAMILIES_SET}
    wanted = frozenset(CHECK_MODULES) - {"claims"}
    stale = record(**every)
    stale.dates = ("2026-06-01",)  # a date between the day it was checked and today
    records = {"entries/glossary/a.md": stale}
    full, wide = plan(records, {"glossary/a": "entries/glossary/a.md"}, {"glossary/a"}, set(),
                      set(), "2026-11-29", LOCAL_MODULES_SET, CATALOG_FAMILIES_SET, wanted)
    assert full == {"glossary/a"} and "claims" not in stale.results
    assert plan(records, {"glossary/a": "entries/glossary/a.md"}, {"glossary/a"}, set(),
                set(), "2026-11-29", LOCAL_MODULES_SET, CATALOG_FAMILIES_SET)[0] == {"glossary/a"}


def test_an_entry_edited_after_a_build_is_checked_in_full(exl2, tmp_path):
    settings = load_settings(exl2)
    build(settings, tmp_path / "out")
    path = exl2 / "entries/glossary/gptq.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nIt needs 12 GB.\n", encoding="utf-8")
    after = found(validate(settings))
    assert after == found(validate(settings, cache=False))
    assert [d[5].split("'")[1] for d in after if d[3] == "claim-uncited"] == ["40 tok/s", "12 GB"]


def test_a_catalog_wide_family_a_run_skips_forgets_what_another_entry_changed():
    from pipeline.cache import Record

    r = Record(stat="s", digest="d", entry=("glossary/a", "glossary", "a", {}),
               refs=("glossary/b",), checked_on="2026-11-29",
               results={f: [] for f in LOCAL_MODULES_SET | CATALOG_FAMILIES_SET})
    records = {"entries/glossary/a.md": r}
    wanted = frozenset(CHECK_MODULES) - {"publishing"}
    full, wide = plan(records, {"glossary/a": "entries/glossary/a.md"}, {"glossary/a"},
                      {("id", "glossary/b")}, set(), "2026-11-29", LOCAL_MODULES_SET,
                      CATALOG_FAMILIES_SET, wanted)
    assert (full, wide) == (set(), {"glossary/a"})
    assert "publishing" not in r.results and "schema" in r.results


def test_the_report_of_a_refused_build_does_not_depend_on_the_cache(exl2, tmp_path):
    """Found in review: after a validate, a refused build listed the claim-uncited
    warnings validate had cached; from a cold cache, none."""
    path = exl2 / "entries/glossary/gptq.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nIt needs 12 GB [@nosuch].\n",
                    encoding="utf-8")
    settings = load_settings(exl2)
    with pytest.raises(ValidationFailed) as cold:
        build(settings, tmp_path / "out")
    assert any(d.rule == "claim-uncited" for d in validate(settings).diagnostics)
    with pytest.raises(ValidationFailed) as warm:
        build(settings, tmp_path / "out")
    assert str(warm.value) == str(cold.value)
    assert "claim-uncited" not in str(warm.value) and "cite-unresolved" in str(warm.value)
