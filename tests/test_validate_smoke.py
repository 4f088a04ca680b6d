import json


def test_minimal_catalog_is_clean(catalog, cli):
    r = cli(catalog, "validate", "--format", "json")
    doc = json.loads(r.output)
    assert doc["diagnostics"] == []
    assert doc["summary"] == {"entries": 4, "errors": 0, "warnings": 0}
    assert r.exit_code == 0
