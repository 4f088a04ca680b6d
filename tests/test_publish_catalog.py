"""A catalog shaped like the shipped one around EXL2, for the publish and build tests.

Other test files import `make_exl2_catalog` and `hostile_body` from here; the
tests below check that the catalog itself is what the other tests assume.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from conftest import REPO, write_entry
from pipeline.config import load_settings
from pipeline.validate import validate

PUB = "2026-10-02"


def _our_amazon_tag() -> str:
    programs = yaml.safe_load((REPO / "data" / "affiliates.yaml").read_text(encoding="utf-8"))
    return next(p for p in programs["programs"] if p["id"] == "amazon")["our_ids"][0]


def src(sid: str, title: str) -> dict:
    return {"id": sid, "url": f"https://example.org/{sid}", "title": title,
            "accessed": "2026-10-01", "publisher": "Example"}


def base(title: str, summary: str, **more) -> dict:
    return {"title": title, "status": "published", "summary": summary,
            "authors": ["tools-editor"], "reviewed_by": ["lead-editor"], "published": PUB,
            **more}


EXL2_BODY = """\
EXL2 is the weight format of [ExLlamaV2](/tools/exllamav2). It mixes bit widths inside one
model so it lands on any average bits per weight [@exllamav2-readme; @gptq-paper].

## When to use it

One user, one NVIDIA card: it is the fastest single stream we know of [@exllamav2-readme].
A 7B model at 4 bpw needs about 3.5 GB. <!-- no-cite: worked example -->

| Format | Batching | Apple |
|---|---|---|
| EXL2 | few users | no |
| [GGUF](/glossary/gguf) | some | yes |

## When not to use it

For many users, serve [AWQ](/glossary/awq#kernels) with a batching server instead. Write the
marker like this: `[@not-a-citation]` and `<!-- no-cite: x -->` in code stay as written.

```sh
python convert.py -b 4.0  # [@also-not-a-citation]
```
"""


def make_exl2_catalog(root: Path) -> Path:
    """Write the catalog under `root` (settings, schemas, programs file, entries) and return it."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copytree(REPO / "schemas", root / "schemas")
    shutil.copy(REPO / "pipeline.toml", root / "pipeline.toml")
    (root / "data").mkdir()
    shutil.copy(REPO / "data" / "affiliates.yaml", root / "data" / "affiliates.yaml")
    (root / "data" / "bibliography.yaml").write_text(yaml.safe_dump(
        {"sources": [src("gptq-paper", "GPTQ: Accurate Post-Training Quantization")]},
        sort_keys=False), encoding="utf-8")
    tag = _our_amazon_tag()
    for slug, name in [("lead-editor", "Lena Lead"), ("tools-editor", "Tom Tools")]:
        write_entry(root, f"authors/{slug}", {
            "title": name, "status": "published", "summary": f"{name} edits the catalog.",
            "authors": [slug], "published": "2026-01-05", "role": "Editor"}, f"{name}.\n")
    formats = "Formats & quantization"
    for slug, title in [("quantization", "Quantization"), ("awq", "AWQ"), ("gptq", "GPTQ"),
                        ("gguf", "GGUF")]:
        write_entry(root, f"glossary/{slug}", base(
            title, f"{title}, briefly.", category=formats,
            related=["glossary/exl2"] if slug == "quantization" else []),
            f"{title} is a term. See [EXL2](/glossary/exl2).\n\n## Kernels\n\nFast ones.\n")
    write_entry(root, "glossary/exl2", base(
        "EXL2", "ExLlamaV2's mixed-bit weight format.", category="Training & optimization",
        aka=["ExLlamaV2 format"], tags=["quantization", "nvidia"],
        verdict={"rating": "situational", "text": "Fastest single-stream tok/s on one NVIDIA card.",
                 "date": PUB, "by": "lead-editor"},
        related=["glossary/quantization", "glossary/awq", "glossary/gptq", "glossary/gguf"],
        see_also=["tools/exllamav2", "tools/tabbyapi"],
        guides=["guides/best-gpu-for-local-ai"],
        errors=["errors/quantization-quality-loss", "errors/gguf-tokenizer-mismatch"],
        sources=[src("exllamav2-readme", "ExLlamaV2 README")]), EXL2_BODY)
    for slug, title in [("exllamav2", "ExLlamaV2"), ("tabbyapi", "TabbyAPI")]:
        write_entry(root, f"tools/{slug}", base(
            title, f"{title} runs EXL2 models.", repository=f"https://github.com/example/{slug}",
            license="MIT", platforms=["linux", "windows"], install=f"pip install {slug}",
            related=["glossary/exl2"],
            verdict={"rating": "recommended", "text": "Fast on one card.", "date": PUB,
                     "by": "lead-editor"}), f"{title} loads [EXL2](/glossary/exl2) files.\n")
    write_entry(root, "hardware/rtx-4090", base(
        "GeForce RTX 4090", "NVIDIA's 24 GB consumer flagship.", kind="gpu", vendor="NVIDIA",
        specs=[{"label": "Memory", "value": 24, "unit": "GB", "source": "nvidia-specs"}],
        prices=[{"kind": "msrp", "amount": 1599, "currency": "USD", "date": "2022-10-12",
                 "source": "nvidia-specs"}],
        offers=[{"merchant": "Amazon", "url": f"https://www.amazon.com/dp/B0BG9Z3K2R?tag={tag}"}],
        verdict={"rating": "recommended", "text": "The card to beat.", "date": PUB,
                 "by": "lead-editor"},
        sources=[src("nvidia-specs", "NVIDIA RTX 4090 specifications")]),
        "The most memory on a consumer card.\n")
    write_entry(root, "guides/best-gpu-for-local-ai", base(
        "Best GPU for local AI", "Which card to buy for local models.",
        picks=[{"entry": "hardware/rtx-4090", "label": "Best overall", "reason": "24 GB."}],
        offers=[{"merchant": "Amazon", "url": f"https://www.amazon.com/dp/B0BG9Z3K2R?tag={tag}",
                 "note": "Founders Edition"}]),
        "Buy the [RTX 4090](https://www.amazon.com/dp/B0BG9Z3K2R?tag=" + tag + ") if you can.\n"
        "Read about [EXL2](/glossary/exl2) first.\n")
    for slug, title, message in [
            ("quantization-quality-loss", "Quantization quality loss", "output is gibberish"),
            ("gguf-tokenizer-mismatch", "GGUF tokenizer mismatch", "unknown token id")]:
        write_entry(root, f"errors/{slug}", base(
            title, f"{title}: why and what to do.", message=message,
            applies_to=["tools/exllamav2"]), "Check the [EXL2](/glossary/exl2) bitrate.\n")
    return root


def hostile_body() -> str:
    """Markdown an attacker (or a careless paste) could put in an entry."""
    return ("Hello <script>alert('body')</script> world.\n\n"
            '<img src="x.png" onerror="alert(1)">\n\n'
            "[click me](javascript:alert(2)) and [again](JAVASCRIPT:alert(3))\n\n"
            '<a href="javascript:alert(4)" onclick="alert(5)">raw link</a>\n\n'
            '<div onmouseover="alert(6)">hover</div>\n\n'
            "<iframe src=\"https://evil.example\"></iframe><style>body{display:none}</style>\n")


@pytest.fixture
def exl2(tmp_path) -> Path:
    return make_exl2_catalog(tmp_path / "exl2")


def test_the_exl2_catalog_validates_clean(exl2):
    result = validate(load_settings(exl2))
    assert [d.message for d in result.diagnostics] == []
    assert result.entries == 13


def test_the_exl2_entry_has_the_four_typed_lists(exl2):
    data = yaml.safe_load((exl2 / "entries/glossary/exl2.md").read_text().split("---")[1])
    assert [len(data[k]) for k in ("related", "see_also", "guides", "errors")] == [4, 2, 1, 2]
