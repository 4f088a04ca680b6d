import json


def test_minimal_catalog_is_clean(catalog, cli):
    r = cli(catalog, "validate", "--format", "json")
    doc = json.loads(r.output)
    assert doc["diagnostics"] == []
    assert doc["summary"] == {"entries": 4, "errors": 0, "warnings": 0}
    assert r.exit_code == 0


def test_front_matter_sources_are_walked_once_per_entry(catalog, monkeypatch):
    """The `source:` fields of an entry's front matter are found once and kept on it: the
    summary (which bibliography sources it cites) and the citation checks each walked
    the whole front matter again (and a build's source list a third time)."""
    import datetime as dt

    from pipeline.catalog import text
    from pipeline.config import load_settings
    from pipeline.validate import validate

    walks = []
    collect = text._collect_source_refs

    def counting(data, path, out):
        if path == ():
            walks.append(id(data))  # the entries stay in memory (one process): ids unique
        return collect(data, path, out)

    (catalog / "data").mkdir(exist_ok=True)
    (catalog / "data" / "bibliography.yaml").write_text(
        "sources:\n  - id: shared-spec\n    url: https://example.org/spec\n"
        "    title: A spec\n    accessed: 2026-01-01\n", encoding="utf-8")
    monkeypatch.setattr(text, "_collect_source_refs", counting)
    result = validate(load_settings(catalog), today=dt.date(2026, 11, 27), cache=False, jobs=1)
    assert [d.rule for d in result.diagnostics] == ["source-unused"]  # cited by none
    assert result.entries == 4
    assert len(walks) == len(set(walks)) >= 4  # each front matter once (and the stand-in
    # entry of the catalog-wide checks, which cites what the catalog cites)
