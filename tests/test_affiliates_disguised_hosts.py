"""A paid link whose host is written in `%xx` escapes or full-width letters is one (found
in review): validate passed it, and the page showed it with no label and no disclosure,
although a browser opens the store. A shortener written so is refused like any other."""

from __future__ import annotations

import re

from pipeline.config import load_settings
from pipeline.publish.build import build
from pipeline.validate import validate
from test_publish_catalog import _our_amazon_tag, make_exl2_catalog

FULL_WIDTH_AMAZON = "\uff41\uff4d\uff41\uff5a\uff4f\uff4e"


def test_a_disguised_amazon_link_is_labelled_and_disclosed(tmp_path):
    root = make_exl2_catalog(tmp_path / "c")
    tag = _our_amazon_tag()
    page = root / "entries/hardware"
    path = next(p for p in sorted(page.glob("*.md")))
    path.write_text(path.read_text(encoding="utf-8")
                    + f"\nDeals: [one](https://www.%61mazon.com/dp/B0ENC?tag={tag}) and "
                    f"[two](https://www.{FULL_WIDTH_AMAZON}.com/dp/B0FW?tag={tag}).\n",
                    encoding="utf-8")
    settings = load_settings(root)
    assert [d for d in validate(settings).diagnostics if d.severity == "error"] == []
    out = tmp_path / "out"
    build(settings, out)
    html = (out / "hardware" / f"{path.stem}.html").read_text(encoding="utf-8")
    for needle in ("%61mazon.com/dp/B0ENC", "dp/B0FW"):
        m = next(m for m in re.finditer(r"<a [^>]*>[^<]*</a>", html) if needle in m.group(0))
        assert 'rel="sponsored nofollow noopener"' in m.group(0)
        label = re.match(r' <span class="paid-label" id="([^"]+)">\(paid link\)</span>',
                         html[m.end():])
        assert label and f'aria-describedby="{label.group(1)}"' in m.group(0)
    assert 'class="disclosure"' in html


def test_a_disguised_shortener_is_refused(tmp_path):
    root = make_exl2_catalog(tmp_path / "c")
    path = root / "entries/glossary/exl2.md"
    path.write_text(path.read_text(encoding="utf-8")
                    + "\nSee [this](https://amzn%2Eto/3xYzAbc) and [that](https://bit%2Ely/abc).\n",
                    encoding="utf-8")
    rules = [d.rule for d in validate(load_settings(root)).diagnostics if d.severity == "error"]
    assert rules.count("affiliate-shortener") == 2
