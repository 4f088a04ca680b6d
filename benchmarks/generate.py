"""Generate a catalog of N entries, and optionally its git history, for benchmarks.

    python benchmarks/generate.py /tmp/cat10k --entries 10000
    python benchmarks/generate.py /tmp/hist --entries 10000 --commits 20000 --months 24

The catalog covers all nine collections with typed references between
entries, body links, own and shared (bibliography) sources with citations,
quantitative claims that cite them, verdicts, prices, affiliate offers and
bodies of about 4 KB. It validates clean against `schemas/` and the checks.

With `--commits M`, the catalog is the end of a history of M commits spread
over `--months K`: most entries arrive in a first import, then each commit
adds an entry, edits a body, changes a verdict or a price, publishes a draft,
renames an entry (adding `redirect_from` and updating every entry that refers
to it) or corrects a claim with a `Correction:` trailer. The history is
written by one `git fast-import` process, then repacked (`git repack -a -d -f`)
as `git gc` would store it.

Everything is seeded: the same arguments give the same bytes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OUR_TAG = "localaicat-20"  # our Amazon tracking id (data/affiliates.yaml)
START = dt.datetime(2024, 11, 1, 9, 0, tzinfo=dt.timezone.utc)

# Shares of the non-author entries, by collection.
SHARES = {
    "glossary": 0.20,
    "models": 0.14,
    "hardware": 0.14,
    "tools": 0.10,
    "benchmarks": 0.20,
    "errors": 0.10,
    "guides": 0.06,
    "pages": 0.06,
}
ALLOWED = {  # reference field -> collections it may point to (as in schemas/)
    "related": ("glossary",),
    "see_also": ("tools", "models", "hardware", "benchmarks", "pages"),
    "guides": ("guides",),
    "errors": ("errors",),
    "applies_to": ("tools", "models", "hardware"),
}

# ---------------------------------------------------------------- vocabulary
GLOSSARY_BASES = [
    "quantization", "AWQ", "GPTQ", "GGUF", "EXL2", "KV cache", "flash attention",
    "speculative decoding", "continuous batching", "tensor parallelism", "LoRA", "QLoRA",
    "paged attention", "RoPE scaling", "context window", "mixture of experts", "perplexity",
    "tokenizer", "prompt processing", "time to first token", "memory bandwidth",
    "pipeline parallelism", "distillation", "pruning", "sampling", "grammar decoding",
    "embedding model", "reranker", "prefix caching", "offloading", "unified memory",
    "sliding window attention", "grouped-query attention", "weight streaming",
    "activation checkpointing", "instruction tuning", "preference tuning", "model merging",
    "imatrix", "calibration data",
]
GLOSSARY_MODS = [
    "dynamic", "static", "grouped", "sparse", "blockwise", "mixed-precision", "asymmetric",
    "layer-wise", "hybrid", "adaptive", "streaming", "fused", "windowed", "tiled",
    "per-channel", "per-token", "lossless", "low-rank", "multi-GPU", "CPU",
]
CATEGORIES = ["Formats & quantization", "Hardware & memory", "Inference & serving",
              "Models & architecture", "Training & optimization"]
MODEL_FAMILIES = ["Llama", "Qwen", "Mistral", "Gemma", "Phi", "DeepSeek", "Yi", "Falcon",
                  "OLMo", "Granite", "Command R", "InternLM", "StableLM", "MiniCPM",
                  "Nemotron", "Aya", "SmolLM", "Mixtral", "Hermes", "Zephyr"]
MODEL_VERSIONS = ["2", "2.5", "3", "3.1", "3.2", "4", "5"]
MODEL_SIZES = ["1B", "3B", "7B", "8B", "14B", "32B", "70B", "120B"]
MODEL_VARIANTS = ["Instruct", "Base", "Coder", "Vision", "Chat", "Math", "Long Context"]
DEVELOPERS = ["Meta", "Alibaba Cloud", "Mistral AI", "Google", "Microsoft", "DeepSeek",
              "01.AI", "TII", "Allen Institute for AI", "IBM", "Cohere", "Shanghai AI Lab",
              "Stability AI", "OpenBMB", "NVIDIA", "Hugging Face", "Nous Research"]
LICENSES = ["Apache-2.0", "MIT", "Llama 3.1 Community License", "Gemma Terms of Use",
            "Qwen License", "CC-BY-NC-4.0"]
HW_LINES = [("NVIDIA", "GeForce RTX", "gpu"), ("NVIDIA", "RTX A", "gpu"),
            ("AMD", "Radeon RX", "gpu"), ("AMD", "Radeon Pro W", "gpu"),
            ("Intel", "Arc A", "gpu"), ("Intel", "Arc B", "gpu"),
            ("Apple", "Mac Studio M", "system"), ("Apple", "MacBook Pro M", "system"),
            ("AMD", "Ryzen AI Max", "apu"), ("Framework", "Desktop", "system"),
            ("Minisforum", "MS-A", "system"), ("Tenstorrent", "Wormhole n", "accelerator"),
            ("AMD", "Threadripper", "cpu"), ("Intel", "Xeon W", "cpu")]
HW_NUMBERS = ["3060", "3090", "4060", "4070", "4080", "4090", "5070", "5080", "5090",
              "6000", "7600", "7800", "7900", "9070", "770", "580", "2", "3", "4", "395",
              "150", "300"]
HW_EDITIONS = ["", "Ti", "Super", "XT", "Founders Edition", "OC", "Blower", "Workstation",
               "Mini", "Pro", "Max", "Ultra", "Lite", "Dual", "Turbo", "Eagle", "Gaming",
               "Aero", "Ventus", "Windforce"]
TOOL_BASES = ["vLLM", "llama.cpp", "Ollama", "SGLang", "ExLlamaV2", "TabbyAPI", "LM Studio",
              "KoboldCpp", "text-generation-webui", "MLC LLM", "TensorRT-LLM", "LocalAI",
              "Jan", "GPT4All", "llamafile", "Aphrodite Engine", "TGI", "LMDeploy",
              "CTranslate2", "candle", "mistral.rs", "Open WebUI", "LiteLLM", "whisper.cpp"]
TOOL_PARTS = ["", "server", "CLI", "Docker image", "Python bindings", "web UI", "plugin",
              "Helm chart", "desktop app", "API proxy", "benchmark suite", "converter",
              "quantizer", "Vulkan backend", "ROCm build", "Metal backend", "router",
              "Kubernetes operator", "VS Code extension", "Home Assistant add-on",
              "Windows installer", "Nix package", "Homebrew formula", "Snap package",
              "Flatpak", "Jupyter kernel", "gRPC gateway", "OpenAI shim", "tray app",
              "model manager", "Raycast extension", "Neovim plugin", "Emacs mode",
              "Obsidian plugin", "Slack bot", "Discord bot", "Telegram bot", "Matrix bot",
              "batch runner", "eval harness", "trace viewer", "prompt library"]
QUANTS = ["Q4_K_M", "Q5_K_M", "Q8_0", "EXL2", "AWQ", "GPTQ", "FP8", "FP16", "IQ3_XXS"]
ERROR_PROBLEMS = ["Out of memory while loading", "Tokenizer mismatch after conversion",
                  "Garbled output with long prompts", "Crash on first request",
                  "Slow prompt processing", "Unknown model architecture",
                  "Driver version too old", "Quantization quality loss",
                  "Context length exceeded", "Kernel not found for this GPU",
                  "Segmentation fault on startup", "Empty responses from the API",
                  "Repeated tokens in the output", "Model download stalls",
                  "Port already in use", "Permission denied on the model folder",
                  "Illegal instruction on older CPUs", "Timeout behind a proxy"]
GUIDE_KINDS = ["Best GPU", "Best used GPU", "Best laptop", "Best mini PC", "Best workstation",
               "Best quiet build", "Best second GPU", "Best Mac", "Best budget card",
               "Best card for a small case", "Best upgrade", "Best multi-GPU setup"]
GUIDE_USES = ["for local AI", "for coding assistants", "for image generation",
              "for long documents", "for a home server", "for students",
              "for speech to text", "for running large models", "for fine-tuning",
              "for agents", "for retrieval", "for offline translation", "for a family",
              "for a small office", "for travel", "for quiet rooms", "for beginners",
              "for tinkerers", "for researchers", "for chat"]
PAGE_TOPICS = ["How we test", "Why we measure", "How we choose", "What we publish about",
               "How we correct", "How we review", "Notes on", "A guide to",
               "Frequently asked questions about", "Our policy on"]
PAGE_SUBJECTS = ["GPUs", "tools", "models", "benchmarks", "prices", "affiliate links",
                 "verdicts", "sources", "errors", "quantization", "power use", "noise",
                 "drivers", "laptops", "memory", "context length", "serving", "privacy",
                 "updates", "reader mail"]
FIRST = ["Ana", "Ben", "Chloe", "Dmitri", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jonas",
         "Kemi", "Luca", "Maya", "Nils", "Olga", "Priya", "Quentin", "Rosa", "Sven", "Tara"]
LAST = ["Editor", "Novak", "Okafor", "Lindqvist", "Moreau", "Tanaka", "Silva", "Kowalski",
        "Haddad", "Brennan", "Ivanova", "Nakamura", "Osei", "Petrov", "Quinn", "Rossi"]
PUBLISHERS = ["Vendor documentation", "Project README", "Community forum", "Independent lab",
              "Conference paper", "Trade press", "Retailer listing", "Issue tracker"]
SOURCE_KINDS = ["spec", "readme", "paper", "review", "forum", "release", "bench", "docs",
                "listing", "issue"]

PROSE = [
    "It is a common choice for people who run models on one machine at home.",
    "Setup is documented, and the defaults suit most readers.",
    "The trade-off is flexibility against speed, and readers should pick by workload.",
    "We recommend it when the model fits in memory with room for the cache.",
    "Expect rough edges on older drivers and check the release notes first.",
    "The project moves quickly, so the advice here is dated by the verdict.",
    "Most problems we see come from mismatched versions rather than the idea itself.",
    "It does not help much when the bottleneck is the disk rather than the card.",
    "Editors re-check this section whenever a new release changes the defaults.",
    "Readers with a laptop should read the power section before buying.",
    "The community around it is active and answers questions within days.",
    "Batching changes the picture, so compare single-stream and server workloads separately.",
    "If you only chat with one model, the simplest option is usually the best one.",
    "Vendor claims differ from what we measure, which is why every figure cites its source.",
    "Memory is the limit that matters first; speed comes second.",
]
QUANT = [
    "On our reference machine it reached {a}.{b} tok/s at batch size one [@{s}].",
    "Memory use was {c} GB with the default context [@{s}].",
    "That is about {p}% faster than the previous release [@{s}].",
    "The card draws up to {w} W under sustained load [@{s}].",
    "Time to first token was {m} ms for a short prompt [@{s}].",
    "At {a}.{b} bpw the quality loss stayed small in our tests [@{s}].",
    "Prompt processing ran {a}x faster with the fused kernels enabled [@{s}].",
]
LINKING = [
    "See [{t}]({u}) for the details.",
    "It pairs well with [{t}]({u}).",
    "Compare it with [{t}]({u}) before you decide.",
    "Readers often ask how it relates to [{t}]({u}).",
]
HEADINGS = ["## When to use it", "## When not to use it", "## How it works", "## Setup",
            "## What we measured", "## Caveats", "## Compatibility", "## History"]


def slugify(text: str) -> str:
    s = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    while len(s) > 80:
        s = s[: s.rfind("-")]
    return s


# ---------------------------------------------------------------- YAML output
_PLAIN = re.compile(r"^[A-Za-z][A-Za-z0-9 ._/()&,+-]*$")
_RESERVED = {"yes", "no", "on", "off", "true", "false", "null", "y", "n", "~"}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _scalar(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if _DATE.match(v) or (_PLAIN.match(v) and v.lower() not in _RESERVED
                          and not v.endswith((" ", ":")) and ": " not in v and " #" not in v):
        return v
    return json.dumps(v, ensure_ascii=False)


def _emit(value, indent: str, out: list[str]) -> None:
    for key, v in value.items():
        if isinstance(v, dict):
            out.append(f"{indent}{key}:")
            _emit(v, indent + "  ", out)
        elif isinstance(v, list) and not v:
            out.append(f"{indent}{key}: []")
        elif isinstance(v, list):
            out.append(f"{indent}{key}:")
            for item in v:
                if isinstance(item, dict):
                    first = True
                    for k2, v2 in item.items():
                        lead = indent + ("  - " if first else "    ")
                        out.append(f"{lead}{k2}: {_scalar(v2)}")
                        first = False
                else:
                    out.append(f"{indent}  - {_scalar(item)}")
        else:
            out.append(f"{indent}{key}: {_scalar(v)}")


def dump_yaml(data: dict) -> str:
    out: list[str] = []
    _emit(data, "", out)
    return "\n".join(out) + "\n"


def _title_pool(collection: str) -> list:
    if collection == "glossary":
        terms = GLOSSARY_BASES + [f"{m} {b}" for m in GLOSSARY_MODS for b in GLOSSARY_BASES]
        return [t[0].upper() + t[1:] for t in terms]
    if collection == "models":
        return [f"{f} {v} {s} {var}" for f in MODEL_FAMILIES for v in MODEL_VERSIONS
                for s in MODEL_SIZES for var in MODEL_VARIANTS]
    if collection == "hardware":
        return [(v, f"{v} {line}{n if len(line.split()[-1]) == 1 else ' ' + n}"
                 f"{(' ' + e) if e else ''}", kind)
                for v, line, kind in HW_LINES for n in HW_NUMBERS for e in HW_EDITIONS]
    if collection == "tools":
        return [f"{b} {p}".strip() for p in TOOL_PARTS for b in TOOL_BASES]
    if collection == "errors":
        return [f"{p} in {t}" for t in TOOL_BASES + MODEL_FAMILIES for p in ERROR_PROBLEMS]
    if collection == "guides":
        return [f"{k} {u}" for k in GUIDE_KINDS for u in GUIDE_USES]
    if collection == "pages":
        return [f"{t} {s}" for t in PAGE_TOPICS for s in PAGE_SUBJECTS]
    return ["Benchmark"]  # benchmarks are named from what they measured


# ---------------------------------------------------------------- the model
@dataclass
class Item:
    """One entry as the generator sees it; references are to other items' numbers."""

    num: int
    collection: str
    slug: str
    status: str
    fm: dict  # front matter; reference values are ("ref", num) or ("author", num)
    blocks: list  # body blocks: text with link markers \x00num\x00
    created: dt.date
    refs: set = field(default_factory=set)  # numbers referred to (front matter and body)

    @property
    def id(self) -> str:
        return f"{self.collection}/{self.slug}"

    @property
    def path(self) -> str:
        return f"entries/{self.id}.md"


class Corpus:
    def __init__(self, seed: int, today: dt.date):
        self.rng = random.Random(seed)
        self.today = today
        self.items: dict[int, Item] = {}
        self.by_id: dict[str, int] = {}
        self.titles: set[tuple[str, str]] = set()
        self.published: dict[str, list[int]] = {c: [] for c in (*SHARES, "authors")}
        self.referrers: dict[int, set[int]] = {}
        self.authors: list[int] = []
        self.bib: list[dict] = []
        self.bib_cited: set[str] = set()
        self.gone_ids: set[str] = set()  # ids renamed away (redirected)
        self._title_iters = {c: self._titles(c) for c in SHARES}
        self.next_num = 0

    # -- names ------------------------------------------------------------
    def _titles(self, collection: str):
        """Titles for a collection, in a seeded order; numbered rounds once they run out."""
        base = _title_pool(collection)
        random.Random(f"{collection}-titles").shuffle(base)
        yield from base
        for n in range(2, 10**6):
            for t in base:
                yield (t[0], f"{t[1]}, series {n}", t[2]) if isinstance(t, tuple) \
                    else f"{t}, series {n}"

    def _unique(self, collection: str, title: str) -> tuple[str, str]:
        """A title unused in the collection, and a free slug for it."""
        base, n = title, 2
        while (collection, title.casefold()) in self.titles:
            title = f"{base} (variant {n})"
            n += 1
        self.titles.add((collection, title.casefold()))
        slug = base_slug = slugify(title)[:72].strip("-") or "entry"
        n = 2
        while f"{collection}/{slug}" in self.by_id or f"{collection}/{slug}" in self.gone_ids:
            slug = f"{base_slug}-{n}"
            n += 1
        return title, slug

    # -- helpers ----------------------------------------------------------
    def date(self, when: dt.date, back_days: int = 400) -> str:
        return (when - dt.timedelta(days=self.rng.randint(0, back_days))).isoformat()

    def pick(self, collections, k: int, exclude: int | None = None) -> list[int]:
        pool = [n for c in collections for n in self.published[c][-400:] if n != exclude]
        if not pool:
            return []
        return self.rng.sample(pool, min(k, len(pool)))

    def author_slugs(self, k: int) -> list[tuple]:
        nums = self.rng.sample(self.authors, min(k, len(self.authors)))
        return [("author", n) for n in nums]

    def make_sources(self, when: dt.date, count: int) -> list[dict]:
        out, used = [], set()
        for _ in range(count):
            kind = self.rng.choice(SOURCE_KINDS)
            sid = f"{kind}-{self.rng.randint(1, 99)}"
            while sid in used:
                sid = f"{kind}-{self.rng.randint(1, 999)}"
            used.add(sid)
            src = {"id": sid, "url": f"https://{kind}.example.org/{self.rng.randint(1000, 99999)}",
                   "title": f"{self.rng.choice(PUBLISHERS)}: {kind} notes",
                   "accessed": self.date(when, 200)}
            if self.rng.random() < 0.5:
                src["publisher"] = self.rng.choice(PUBLISHERS)
            out.append(src)
        return out

    # -- bodies -----------------------------------------------------------
    def sentence_quant(self, sid: str) -> str:
        r = self.rng
        return r.choice(QUANT).format(a=r.randint(2, 180), b=r.randint(0, 9), c=r.randint(2, 96),
                                      p=r.randint(3, 60), w=r.randint(35, 600),
                                      m=r.randint(40, 900), s=sid)

    def body(self, item_num: int, collection: str, cite: list[str], links: list[int],
             command: str | None) -> list[str]:
        r = self.rng
        target = r.randint(3200, 4800)
        blocks: list[str] = []
        cites = list(cite)
        links = list(links)
        size = 0
        heads = r.sample(HEADINGS, len(HEADINGS))
        while size < target or cites or links:
            lines = []
            for _ in range(r.randint(3, 6)):
                roll = r.random()
                if cites and roll < 0.3:
                    lines.append(self.sentence_quant(cites.pop()))
                elif links and roll < 0.55:
                    n = links.pop()
                    lines.append(r.choice(LINKING).format(t=self.items[n].fm["title"],
                                                          u=f"\x00{n}\x00"))
                elif 0.55 <= roll < 0.7 and cite:
                    lines.append(self.sentence_quant(r.choice(cite)))
                else:
                    lines.append(r.choice(PROSE))
            blocks.append("\n".join(lines))
            roll = r.random()
            if roll < 0.15 and cite:
                s = r.choice(cite)
                blocks.append("| Metric | Value |\n|---|---|\n"
                              f"| Throughput | {r.randint(5, 150)} tok/s [@{s}] |\n"
                              f"| Memory | {r.randint(2, 80)} GB [@{s}] |")
            elif roll < 0.25:
                blocks.append("- " + r.choice(PROSE) + "\n- " + r.choice(PROSE))
            elif roll < 0.3:
                blocks.append(f"A {r.randint(3, 70)}B model at 4 bpw needs about "
                              f"{r.randint(2, 40)}.5 GB. <!-- no-cite: worked example -->")
            if command and r.random() < 0.3:
                blocks.append(f"```sh\n{command}\n```")
                command = None
            if heads and r.random() < 0.6:
                blocks.append(heads.pop())
            size = sum(len(b) for b in blocks)
        return blocks

    # -- entries ----------------------------------------------------------
    def new_author(self, when: dt.date) -> Item:
        num = self.next_num
        name = f"{FIRST[num % len(FIRST)]} {LAST[(num // len(FIRST)) % len(LAST)]}"
        title, slug = self._unique("authors", name)
        fm = {"title": title, "status": "published",
              "summary": f"Writes and reviews entries about {self.rng.choice(PAGE_SUBJECTS)}.",
              "authors": [("author", num)], "published": self.date(when, 100),
              "role": self.rng.choice(["Editor", "Reviewer", "Contributor", "Lead editor"]),
              "links": [f"https://people.example.org/{slug}"]}
        blocks = [f"{title} {self.rng.choice(PROSE)[0].lower()}{self.rng.choice(PROSE)[1:]}",
                  self.rng.choice(PROSE)]
        item = Item(num, "authors", slug, "published", fm, blocks, when)
        self._add(item)
        self.authors.append(num)
        return item

    def new_entry(self, collection: str, when: dt.date, status: str | None = None) -> Item:
        r = self.rng
        num = self.next_num
        if status is None:
            roll = r.random()
            status = ("published" if roll < 0.9 else "draft" if roll < 0.95
                      else "review" if roll < 0.98 else "retired")
        extra: dict = {}
        named = next(self._title_iters[collection])
        if collection == "benchmarks":
            hw, mo, to = self.pick(["hardware"], r.randint(1, 2)), self.pick(["models"], 1), \
                self.pick(["tools"], 1)
            if not (hw and mo and to):
                collection = "glossary"
                named = next(self._title_iters[collection])
            else:
                quant = r.choice(QUANTS)
                named = (f"{self.items[mo[0]].fm['title']} on {self.items[hw[0]].fm['title']} "
                         f"with {self.items[to[0]].fm['title']}, {quant}")
                extra = {"hardware": [("ref", n) for n in hw], "model": ("ref", mo[0]),
                         "tool": ("ref", to[0]), "quantization": quant}
        if collection == "guides" and not self.published["hardware"]:
            collection = "pages"
            named = next(self._title_iters[collection])
        if collection == "hardware":
            vendor, named, kind = named
            extra = {"kind": kind, "vendor": vendor}
        title, slug = self._unique(collection, named[:120])
        sources = self.make_sources(when, r.randint(2, 5))
        sids = [s["id"] for s in sources]
        authors = self.author_slugs(r.randint(1, 2))
        reviewers = [("author", r.choice([n for n in self.authors
                                          if ("author", n) not in authors]))]
        fm: dict = {"title": title, "status": status}
        if status != "draft" or r.random() < 0.7:
            fm["summary"] = f"{title}: {r.choice(PROSE)[0].lower()}{r.choice(PROSE)[1:]}"[:290]
        fm["authors"] = authors
        fm["reviewed_by"] = reviewers
        if status in ("published", "retired"):
            fm["published"] = self.date(when, 60)
        if r.random() < 0.3:
            fm["updated"] = when.isoformat()
        fm["sources"] = sources
        fm["tags"] = sorted({slugify(r.choice(GLOSSARY_BASES)) for _ in range(r.randint(1, 3))})
        fm.update(self._collection_fields(collection, title, slug, when, sids, extra))
        body_cites = list(sids)
        if self.bib and r.random() < 0.5:
            b = r.choice(self.bib)["id"]
            body_cites.append(b)
            self.bib_cited.add(b)
        links = self.pick(["glossary", "tools", "models", "hardware", "guides", "errors"],
                          r.randint(2, 5))
        command = fm.get("command") or fm.get("install")
        blocks = self.body(num, collection, body_cites, links, command)
        item = Item(num, collection, slug, status, fm, blocks, when)
        self._add(item)
        return item

    def _refs(self, field_name: str, k: int, exclude: int | None = None) -> list[tuple]:
        return [("ref", n) for n in self.pick(ALLOWED[field_name], k, exclude)]

    def _collection_fields(self, c, title, slug, when, sids, extra) -> dict:
        r = self.rng
        fm: dict = dict(extra)
        by = self.author_slugs(1)[0]
        verdict = {"rating": r.choice(["recommended", "situational", "avoid"]),
                   "text": r.choice(PROSE), "date": self.date(when, 30), "by": by}
        specs = [{"label": lab, "value": r.randint(4, 2000), "unit": unit, "source": r.choice(sids)}
                 for lab, unit in r.sample([("Memory", "GB"), ("Bandwidth", "GB/s"),
                                            ("Board power", "W"), ("Context", "tokens"),
                                            ("Parameters", "B")], r.randint(1, 3))]
        if c == "glossary":
            fm["category"] = r.choice(CATEGORIES)
            fm["aka"] = [f"{title} method", f"{title.split()[0]} family"]
            if r.random() < 0.3:
                fm["verdict"] = verdict
        elif c == "models":
            fm.update(developer=r.choice(DEVELOPERS), license=r.choice(LICENSES),
                      released=self.date(when, 300),
                      homepage=f"https://huggingface.co/example/{slug}", specs=specs,
                      verdict=verdict)
        elif c == "hardware":
            fm.update(released=self.date(when, 700), specs=specs,
                      prices=[{"kind": r.choice(["msrp", "street", "used"]),
                               "amount": r.randint(199, 4999), "currency": "USD",
                               "date": self.date(when, 90), "source": r.choice(sids)}],
                      offers=self._offers(slug), verdict=verdict)
        elif c == "tools":
            org = slugify(title.split()[0]) or "tool"
            fm.update(homepage=f"https://{org}.example.org/",
                      repository=f"https://github.com/{org}/{slug}",
                      license=r.choice(LICENSES),
                      platforms=sorted(r.sample(["linux", "macos", "windows"], r.randint(1, 3))),
                      backends=sorted(r.sample(["cpu", "cuda", "rocm", "metal", "vulkan"],
                                               r.randint(1, 3))),
                      install=f"pip install {slug}",
                      feeds=[f"https://github.com/{org}/{slug}/releases.atom"], verdict=verdict)
        elif c == "benchmarks":
            tool = self.items[extra["tool"][1]].slug
            fm.update(versions={tool: f"0.{r.randint(1, 9)}.{r.randint(0, 20)}",
                                "cuda": r.choice(["12.1", "12.4", "12.6"])},
                      command=f"{tool} bench --model {self.items[extra['model'][1]].slug} "
                              f"--quant {extra['quantization'].lower()} --batch 1",
                      run_date=self.date(when, 60),
                      results=[{"metric": "Generation speed", "value": r.randint(5, 150) + 0.5,
                                "unit": "tok/s", "source": r.choice(sids)},
                               {"metric": "Peak memory", "value": r.randint(3, 80),
                                "unit": "GB", "measured_by": by}])
        elif c == "errors":
            fm["message"] = f"RuntimeError: {title.split(' in ')[0].lower()}"
            fm["applies_to"] = self._refs("applies_to", r.randint(1, 3))
        elif c == "guides":
            fm["picks"] = [{"entry": ref, "label": lab, "reason": r.choice(PROSE)}
                           for ref, lab in zip(
                               [("ref", n) for n in self.pick(["hardware"], 3)],
                               ["Best overall", "Best value", "Best on a budget"])]
            fm["offers"] = self._offers(slug)
        elif c == "pages":
            fm["section"] = r.choice(["learn", "methodology", "trust", "about"])
            fm["nav_order"] = r.randint(1, 50)
        if c not in ("authors",):
            fm["related"] = self._refs("related", r.randint(1, 4))
            fm["see_also"] = self._refs("see_also", r.randint(0, 3))
            fm["guides"] = self._refs("guides", r.randint(0, 1))
            fm["errors"] = self._refs("errors", r.randint(0, 2))
            for k in ("related", "see_also", "guides", "errors", "applies_to"):
                if k in fm and not fm[k]:
                    del fm[k]
        return fm

    def _offers(self, slug: str) -> list[dict]:
        asin = "B0" + "".join(self.rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789")
                              for _ in range(8))
        return [{"merchant": "Amazon", "url": f"https://www.amazon.com/dp/{asin}?tag={OUR_TAG}"},
                {"merchant": "Vendor store", "url": f"https://store.example.com/{slug}",
                 "note": "Direct from the maker."}]

    def _add(self, item: Item) -> None:
        self.items[item.num] = item
        self.by_id[item.id] = item.num
        self.next_num += 1
        item.refs = set(_ref_nums(item.fm)) | set(_link_nums(item.blocks))
        for n in item.refs:
            self.referrers.setdefault(n, set()).add(item.num)
        if item.status == "published":
            self.published[item.collection].append(item.num)

    # -- rendering ----------------------------------------------------------
    def render(self, item: Item) -> str:
        fm = _resolve(item.fm, self)
        body = "\n\n".join(item.blocks)
        body = _LINK.sub(lambda m: "/" + self.items[int(m.group(1))].id, body)
        return f"---\n{dump_yaml(fm)}---\n{body}\n"


_LINK = re.compile("\x00(\\d+)\x00")


def _resolve(v, corpus: Corpus):
    if isinstance(v, tuple):
        target = corpus.items[v[1]]
        return target.slug if v[0] == "author" else target.id
    if isinstance(v, dict):
        return {k: _resolve(x, corpus) for k, x in v.items()}
    if isinstance(v, list):
        return [_resolve(x, corpus) for x in v]
    return v


def _ref_nums(v):
    if isinstance(v, tuple):
        yield v[1]
    elif isinstance(v, dict):
        for x in v.values():
            yield from _ref_nums(x)
    elif isinstance(v, list):
        for x in v:
            yield from _ref_nums(x)


def _link_nums(blocks):
    for b in blocks:
        for m in _LINK.finditer(b):
            yield int(m.group(1))


# ---------------------------------------------------------------- the catalog
def plan_collections(n: int, rng: random.Random) -> tuple[int, list[str]]:
    authors = max(4, n // 200)
    rest = n - authors
    order: list[str] = []
    for c, share in SHARES.items():
        order += [c] * round(rest * share)
    order = (order + ["glossary"] * rest)[:rest]
    rng.shuffle(order)
    return authors, order


def build_bibliography(corpus: Corpus, count: int) -> None:
    for i in range(count):
        kind = SOURCE_KINDS[i % len(SOURCE_KINDS)]
        corpus.bib.append({"id": f"shared-{kind}-{i + 1}",
                           "url": f"https://library.example.org/{kind}/{i + 1}",
                           "title": f"{PUBLISHERS[i % len(PUBLISHERS)]}: shared {kind} {i + 1}",
                           "accessed": (START.date() - dt.timedelta(days=30 + i)).isoformat(),
                           "publisher": PUBLISHERS[i % len(PUBLISHERS)]})


def bibliography_yaml(corpus: Corpus) -> str:
    cited = [s for s in corpus.bib if s["id"] in corpus.bib_cited]
    return "# Sources any entry may cite with [@id].\n" + dump_yaml({"sources": cited})


def settings_files() -> dict[str, str]:
    """pipeline.toml and the schemas, copied from this repository."""
    files = {"pipeline.toml": (REPO / "pipeline.toml").read_text(encoding="utf-8"),
             ".gitignore": ".pipeline-cache/\ndist/\n"}
    for p in sorted((REPO / "schemas").glob("*.json")):
        files[f"schemas/{p.name}"] = p.read_text(encoding="utf-8")
    aff = REPO / "data" / "affiliates.yaml"
    if aff.is_file():
        files["data/affiliates.yaml"] = aff.read_text(encoding="utf-8")
    return files


# ---------------------------------------------------------------- history
class History:
    """Commits as `git fast-import` input, written straight to the process."""

    def __init__(self, out, start: dt.datetime, span: dt.timedelta, commits: int):
        self.out = out
        self.start = start
        self.step = span / max(commits, 1)
        self.count = 0

    def commit(self, message: str, changes: list[tuple], author: str) -> None:
        when = self.start + self.step * self.count
        ts = int(when.timestamp())
        self.count += 1
        w = self.out.write
        name = author
        email = slugify(author) + "@example.org"
        msg = message.encode("utf-8")
        w(f"commit refs/heads/main\nmark :{self.count}\n"
          f"author {name} <{email}> {ts} +0000\ncommitter {name} <{email}> {ts} +0000\n"
          f"data {len(msg)}\n".encode())
        w(msg + b"\n")
        for change in changes:
            if change[0] == "M":
                data = change[2].encode("utf-8")
                w(f"M 100644 inline {change[1]}\ndata {len(data)}\n".encode())
                w(data + b"\n")
            elif change[0] == "D":
                w(f"D {change[1]}\n".encode())
            elif change[0] == "R":
                w(f"R {change[1]} {change[2]}\n".encode())
        w(b"\n")

    def date(self) -> dt.date:
        return (self.start + self.step * self.count).date()


def simulate(corpus: Corpus, hist: History, commits: int, adds: list[str], files: dict) -> None:
    r = corpus.rng
    editors = [corpus.items[n].fm["title"] for n in corpus.authors[:8]]
    changes = [("M", path, text) for path, text in sorted(files.items())]
    changes += [("M", it.path, corpus.render(it)) for it in corpus.items.values()]
    hist.commit("Import the catalog\n", changes, editors[0])
    left = commits - 1
    adds = list(adds)
    # spread the additions evenly over the history
    add_every = max(1, left // max(len(adds), 1)) if adds else 0
    for i in range(left):
        when = hist.date()
        who = editors[i % len(editors)]
        if adds and (i % add_every == 0 or left - i <= len(adds)):
            item = corpus.new_entry(adds.pop(), when)
            hist.commit(f"Add {item.id}\n", [("M", item.path, corpus.render(item))], who)
            continue
        roll = r.random()
        msg, changed = _act(corpus, roll, when)
        if not changed:
            msg, changed = _act(corpus, 0.0, when)
        hist.commit(msg, changed, who)


def _published_of(corpus: Corpus, collections) -> Item:
    pool = [n for c in collections for n in corpus.published[c]]
    return corpus.items[corpus.rng.choice(pool)]


def _act(corpus: Corpus, roll: float, when: dt.date) -> tuple[str, list]:
    r = corpus.rng
    if roll < 0.55:  # edit a paragraph
        item = corpus.items[r.choice(list(corpus.items))]
        _edit_body(corpus, item)
        return f"Update {item.id}: clarify\n", [("M", item.path, corpus.render(item))]
    if roll < 0.65:  # a verdict changes
        item = _published_of(corpus, ["hardware", "tools", "models"])
        v = item.fm["verdict"]
        old = v["rating"]
        v["rating"] = r.choice([x for x in ("recommended", "situational", "avoid") if x != old])
        v["text"] = r.choice(PROSE)
        v["date"] = when.isoformat()
        return (f"Verdict on {item.id}: {old} -> {v['rating']}\n",
                [("M", item.path, corpus.render(item))])
    if roll < 0.73:  # a price changes
        item = _published_of(corpus, ["hardware"])
        p = item.fm["prices"][0]
        p["amount"] = max(99, p["amount"] + r.randint(-200, 200))
        p["date"] = when.isoformat()
        return f"Update the price of {item.id}\n", [("M", item.path, corpus.render(item))]
    if roll < 0.8:  # a correction
        item = _published_of(corpus, ["hardware", "models", "benchmarks", "tools"])
        _edit_body(corpus, item)
        return (f"Fix a figure in {item.id}\n\nCorrection: the figure in the second section "
                "was taken from the wrong source.\n", [("M", item.path, corpus.render(item))])
    if roll < 0.85:  # a draft is published
        drafts = [it for it in corpus.items.values() if it.status in ("draft", "review")]
        if not drafts:
            return "", []
        item = r.choice(drafts[-200:])
        item.status = item.fm["status"] = "published"
        item.fm.setdefault("summary", f"{item.fm['title']}: {r.choice(PROSE)}"[:290])
        fm = {}
        for k, v in item.fm.items():
            fm[k] = v
            if k == "reviewed_by" or (k == "authors" and "reviewed_by" not in item.fm):
                fm["published"] = when.isoformat()
        item.fm = fm
        corpus.published[item.collection].append(item.num)
        return f"Publish {item.id}\n", [("M", item.path, corpus.render(item))]
    if roll < 0.9:  # a rename, with every reference updated
        return _rename(corpus, when)
    item = corpus.items[r.choice(list(corpus.items))]  # tags
    item.fm["tags"] = sorted(set(item.fm.get("tags", [])) | {slugify(r.choice(GLOSSARY_BASES))})
    return f"Tag {item.id}\n", [("M", item.path, corpus.render(item))]


def _edit_body(corpus: Corpus, item: Item) -> None:
    r = corpus.rng
    prose = [i for i, b in enumerate(item.blocks) if not b.startswith(("#", "|", "```", "- ", "A "))
             and "\x00" not in b]
    if not prose:
        item.blocks.append(r.choice(PROSE))
        return
    i = r.choice(prose)
    lines = item.blocks[i].split("\n")
    j = r.randrange(len(lines))
    if "[@" in lines[j]:
        sid = lines[j][lines[j].index("[@") + 2:lines[j].index("]", lines[j].index("[@"))]
        lines[j] = corpus.sentence_quant(sid)
    else:
        lines[j] = r.choice(PROSE)
    item.blocks[i] = "\n".join(lines)


def _rename(corpus: Corpus, when: dt.date) -> tuple[str, list]:
    r = corpus.rng
    for _ in range(20):
        item = _published_of(corpus, ["glossary", "tools", "models", "hardware", "errors"])
        if len(corpus.referrers.get(item.num, ())) <= 25 and item.num not in corpus.authors:
            break
    else:
        return "", []
    old_path, old_id = item.path, item.id
    base = f"{item.slug}-{r.choice(['v2', 'guide', 'overview', 'notes', 'explained'])}"
    slug, n = base, 2
    while f"{item.collection}/{slug}" in corpus.by_id or \
            f"{item.collection}/{slug}" in corpus.gone_ids:
        slug, n = f"{base}-{n}", n + 1
    slug = slug[:80].strip("-")
    del corpus.by_id[old_id]
    corpus.gone_ids.add(old_id)
    item.slug = slug
    corpus.by_id[item.id] = item.num
    rf = item.fm.get("redirect_from", [])
    if old_id not in rf:
        rf.append(old_id)
    item.fm["redirect_from"] = rf
    changes = [("R", old_path, item.path), ("M", item.path, corpus.render(item))]
    for n in sorted(corpus.referrers.get(item.num, ())):
        other = corpus.items[n]
        if other.num != item.num:
            changes.append(("M", other.path, corpus.render(other)))
    return f"Rename {old_id} to {item.id}\n", changes


# ---------------------------------------------------------------- main
def generate(out: Path, entries: int, commits: int = 0, months: int = 12, seed: int = 1,
             bibliography: int | None = None) -> Path:
    """Write a catalog of `entries` entries to `out` (a new folder); with `commits`, a git repo."""
    out = Path(out)
    if out.exists() and any(out.iterdir()):
        raise SystemExit(f"{out} exists and is not empty")
    out.mkdir(parents=True, exist_ok=True)
    corpus = Corpus(seed, dt.date(2026, 11, 1))
    authors, order = plan_collections(entries, corpus.rng)
    build_bibliography(corpus, bibliography if bibliography is not None else max(5, entries // 50))
    adds: list[str] = []
    if commits:
        n_adds = min(len(order) * 3 // 10, commits // 4)
        order, adds = order[: len(order) - n_adds], order[len(order) - n_adds:]
    first = START.date() - dt.timedelta(days=30)
    for _ in range(authors):
        corpus.new_author(first)
    for c in order:
        corpus.new_entry(c, first)
    files = settings_files()
    if not commits:
        _finish_bibliography(corpus, files)
        for path, text in files.items():
            _write(out / path, text)
        for item in corpus.items.values():
            _write(out / item.path, corpus.render(item))
        return out
    _finish_bibliography(corpus, files)
    subprocess.run(["git", "init", "-q", "-b", "main", str(out)], check=True)
    proc = subprocess.Popen(["git", "fast-import", "--quiet", "--done"], cwd=out,
                            stdin=subprocess.PIPE)
    hist = History(proc.stdin, START, dt.timedelta(days=30.44 * months), commits)
    simulate(corpus, hist, commits, adds, files)
    proc.stdin.write(b"done\n")
    proc.stdin.close()
    if proc.wait() != 0:
        raise SystemExit("git fast-import failed")
    subprocess.run(["git", "reset", "-q", "--hard", "main"], cwd=out, check=True)
    # fast-import's pack is not one a catalog's repository has: each object is a delta
    # against the previous version of its path, the newest at the end of its chain, where
    # `git pack-objects` (behind `git gc` and `git repack`) stores the newest whole and
    # older versions as deltas of it. git's documentation of fast-import ("Packfile
    # optimization") advises recomputing the deltas, as done here.
    subprocess.run(["git", "repack", "-a", "-d", "-f", "-q"], cwd=out, check=True)
    return out


def _finish_bibliography(corpus: Corpus, files: dict) -> None:
    """Cite every shared source at least once, then write the bibliography file."""
    uncited = [s["id"] for s in corpus.bib if s["id"] not in corpus.bib_cited]
    pages = [it for it in corpus.items.values() if it.collection != "authors"]
    for i, sid in enumerate(uncited):
        item = pages[(i * 7919) % len(pages)]
        item.blocks.append(corpus.sentence_quant(sid))
        corpus.bib_cited.add(sid)
    files["data/bibliography.yaml"] = bibliography_yaml(corpus)


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("out", type=Path, help="a new folder for the catalog")
    p.add_argument("--entries", type=int, default=10000)
    p.add_argument("--commits", type=int, default=0, help="also a git history of M commits")
    p.add_argument("--months", type=int, default=12, help="the history spans K months")
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args(argv)
    generate(a.out, a.entries, a.commits, a.months, a.seed)
    print(f"wrote {a.entries} entries to {a.out}"
          + (f" with {a.commits} commits over {a.months} months" if a.commits else ""),
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
