"""`pipeline digest render`: the four files, their properties, settings and affiliate rules."""

from __future__ import annotations

import email
import re
import shutil
from email import policy

import pytest

from conftest import REPO
from test_changes import scripted_month

DIGEST = "digests/2026-10.md"
HEADLINE = "Ollama arrives & vLLM gets a sober verdict"
AMAZON = "https://www.amazon.com/dp/B0C1234567?tag=localaicat-20"
EBAY = "https://www.ebay.com/itm/1234567890?campid=5338000000"


def edit_digest(root, *pairs):
    p = root / DIGEST
    text = p.read_text(encoding="utf-8")
    for old, new in pairs:
        assert old in text, old
        text = text.replace(old, new)
    p.write_text(text, encoding="utf-8")


@pytest.fixture
def drafted(repo, cli):
    """The scripted month, drafted, with a headline; the real programs file."""
    (repo / "data").mkdir()
    shutil.copy(REPO / "data/affiliates.yaml", repo / "data/affiliates.yaml")
    scripted_month(repo)
    assert cli(repo, "digest", "draft", "2026-10").exit_code == 0
    edit_digest(repo, ("# TODO: the headline, one line on what mattered in October 2026",
                       f"# {HEADLINE}"))
    return repo


def render(cli, root, out):
    r = cli(root, "digest", "render", "2026-10", "--out", str(out))
    assert r.exit_code == 0, r.output
    return {name: (out / name).read_bytes() for name in
            ("email.html", "email.txt", "email.eml", "web.html")}


def test_render_writes_four_files_with_their_properties(drafted, cli, tmp_path):
    files = render(cli, drafted, tmp_path / "out")
    html = files["email.html"].decode()
    assert len(files["email.html"]) < 100_000
    assert "<mj-" not in html and "max-width:600px" in html
    head = html[:html.index("</head>")]
    assert '<meta name="color-scheme" content="light dark">' in head
    assert '<meta name="supported-color-schemes" content="light dark">' in head
    preheader = re.search(r'<div style="display:none;[^"]*">\s*(.*?)\s*</div>', html, re.S)
    assert preheader.group(1).startswith("New entries, verdict changes")
    assert "Ollama arrives &amp; vLLM gets a sober verdict" in html
    assert 'href="https://local-ai-catalog.org/tools/ollama"' in html  # site paths made absolute
    assert "2261 Market Street" in html and "newsletter/unsubscribe" in html
    assert "pipeline:" not in html and "never shown to readers" not in html  # no markers, no notes

    text = files["email.txt"].decode()
    assert not re.search(r"</?(p|a|li|ul|div|h2|strong)\b", text)  # real text, not HTML
    assert f"{HEADLINE}\n{'=' * len(HEADLINE)}" in text
    assert "New in the catalog\n------------------" in text
    assert "- Ollama <https://local-ai-catalog.org/tools/ollama> (tool): Run open\n  models" in text
    assert "Unsubscribe: https://local-ai-catalog.org/newsletter/unsubscribe" in text
    assert max(len(line) for line in text.splitlines() if "://" not in line) <= 72

    msg = email.message_from_bytes(files["email.eml"], policy=policy.default)
    assert msg.get_content_type() == "multipart/alternative"
    parts = list(msg.iter_parts())
    assert [p.get_content_type() for p in parts] == ["text/plain", "text/html"]
    crlf = "\r\n"  # the message is in wire form
    assert parts[0].get_content().replace(crlf, "\n") == text
    assert parts[1].get_content().replace(crlf, "\n") == html
    assert msg["Subject"] == "What changed in local AI: October 2026"
    assert msg["From"] == "Local AI Catalog <digest@local-ai-catalog.org>"
    assert msg["List-Unsubscribe"] == "<https://local-ai-catalog.org/newsletter/unsubscribe>"
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    web = files["web.html"].decode()
    assert "<title>What changed in local AI: October 2026 · Local AI Catalog</title>" in web
    assert 'name="color-scheme"' in web and "Ollama arrives &amp; vLLM" in web


def test_rendering_is_deterministic(drafted, cli, tmp_path):
    assert render(cli, drafted, tmp_path / "a") == render(cli, drafted, tmp_path / "b")


def test_reader_text_is_escaped_and_sanitised(drafted, cli, tmp_path):
    edit_digest(drafted, ('subject: "What changed', 'subject: "<script>x</script> What changed'),
                (f"# {HEADLINE}", f"# {HEADLINE}\n\n<img src=x onerror=alert(1)>\n\n"
                                  "[click](javascript:alert(1))"))
    files = render(cli, drafted, tmp_path / "out")
    for name in ("email.html", "web.html"):
        page = files[name].decode()
        assert "<script>x" not in page and "&lt;script&gt;x" in page
        assert "onerror" not in page and "javascript:" not in page


def test_a_subject_cannot_break_out_of_an_attribute_of_the_email(drafted, cli, tmp_path):
    """MJML copies the title into the body's aria-label with its entities decoded: the
    subject is put in after MJML, escaped for an attribute."""
    edit_digest(drafted, ('subject: "What changed',
                          'subject: "Hi\\" onmouseover=\\"alert(1)\\" x=\\" <b> & What changed'))
    html = render(cli, drafted, tmp_path / "out")["email.html"].decode()
    assert "onmouseover=" not in html.replace("onmouseover=&quot;", "")
    assert 'aria-label="Hi&quot; onmouseover=&quot;alert(1)&quot; x=&quot; &lt;b&gt; &amp; What' in html
    assert re.search(r"<title>\s*Hi&quot; onmouseover=&quot;alert\(1\)&quot; x=&quot; &lt;b&gt; "
                     r"&amp; What", html)
    assert "pipeline-subject-" not in html


def our_ebay(root):
    """Make the test's eBay campaign ours (the shipped programs file has no eBay id: any
    eBay link is someone else's, which render refuses)."""
    p = root / "data/affiliates.yaml"
    p.write_text(re.sub(r"(- id: ebay\n(?:.*\n)*?\s*our_ids: )\[\]", r'\1["5338000000"]',
                        p.read_text(encoding="utf-8")), encoding="utf-8")


def test_amazon_links_become_our_entry_page_and_the_disclosure_leads(drafted, cli, tmp_path):
    our_ebay(drafted)
    edit_digest(drafted,
                ("Best for serving many users; heavy for one.",
                 f"Best for serving many users; heavy for one. [Buy a GPU]({AMAZON})"),
                (f"# {HEADLINE}\n", f"# {HEADLINE}\n\nA used card: [on eBay]({EBAY}).\n"))
    files = render(cli, drafted, tmp_path / "out")
    html, text = files["email.html"].decode(), files["email.txt"].decode()
    assert "amazon.com" not in html and "amazon.com" not in text
    assert re.search(r'<a href="https://local-ai-catalog.org/tools/vllm"[^>]*>Buy a GPU</a>', html)
    assert "As an Amazon Associate" not in html  # no Amazon link is left
    disclosure = html.index("We earn a commission if you buy through the paid links in this e-mail")
    assert disclosure < html.index("ebay.com/itm") and "(paid link)" in html
    assert 'rel="sponsored nofollow noopener"' in html
    assert text.index("We earn a commission") < text.index("ebay.com/itm")
    web = files["web.html"].decode()  # the web page keeps the Amazon link, disclosed
    assert AMAZON.replace("&", "&amp;") in web
    assert web.index("As an Amazon Associate I earn") < web.index("amazon.com/dp")


def test_an_amazon_link_written_without_its_scheme_leaves_the_email_too(drafted, cli, tmp_path):
    """`//www.amazon.com/...` and `https:/www.amazon.com/...` open Amazon in a browser:
    they are Amazon links, rewritten out of the e-mail like any other (found in review)."""
    loose = [AMAZON.replace("https://", "//"), AMAZON.replace("https://", "https:/")]
    edit_digest(drafted, (f"# {HEADLINE}\n", f"# {HEADLINE}\n\nA [card]({loose[0]}) and "
                                             f"[another]({loose[1]}) in [vLLM](/tools/vllm).\n"))
    files = render(cli, drafted, tmp_path / "out")
    assert "amazon.com" not in files["email.html"].decode()
    assert "amazon.com" not in files["email.txt"].decode()


def test_no_paid_link_no_disclosure(drafted, cli, tmp_path):
    html = render(cli, drafted, tmp_path / "out")["email.html"].decode()
    assert "commission" not in html and "(paid link)" not in html


def test_an_amazon_link_in_the_editors_text_goes_to_the_entry_of_its_paragraph(drafted, cli, tmp_path):
    edit_digest(drafted, (f"# {HEADLINE}\n",
                          f"# {HEADLINE}\n\nWe liked [Ollama](/tools/ollama); get a "
                          f"[mini PC]({AMAZON}).\n\nOr a [bigger one]({AMAZON}).\n"))
    html = render(cli, drafted, tmp_path / "out")["email.html"].decode()
    assert re.search(r'href="https://local-ai-catalog.org/tools/ollama"[^>]*>mini PC<', html)
    assert re.search(r'href="https://local-ai-catalog.org/digests/2026-10"[^>]*>bigger one<', html)


@pytest.mark.parametrize("setting, message", [
    ('postal_address = "Local AI Catalog, 2261 Market Street #4667, San Francisco, CA 94114, USA"',
     "postal_address not set"),
    ('unsubscribe_url = "https://local-ai-catalog.org/newsletter/unsubscribe"',
     "unsubscribe_url not set"),
])
def test_render_refuses_without_postal_address_or_unsubscribe_url(drafted, cli, tmp_path,
                                                                  setting, message):
    toml = drafted / "pipeline.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace(setting, ""), encoding="utf-8")
    r = cli(drafted, "digest", "render", "2026-10", "--out", str(tmp_path / "out"))
    assert r.exit_code == 2 and message in r.output and "CAN-SPAM" in r.output
    assert not (tmp_path / "out").exists()


def test_render_refuses_a_plain_http_unsubscribe_url(drafted, cli, tmp_path):
    toml = drafted / "pipeline.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace(
        "https://local-ai-catalog.org/newsletter", "http://local-ai-catalog.org/newsletter"),
        encoding="utf-8")
    r = cli(drafted, "digest", "render", "2026-10", "--out", str(tmp_path / "out"))
    assert r.exit_code == 2 and "must be an https:// URL" in r.output


def test_render_refuses_a_digest_gmail_would_clip(drafted, cli, tmp_path):
    edit_digest(drafted, (f"# {HEADLINE}\n", f"# {HEADLINE}\n\n" + "Long words. " * 9000 + "\n"))
    r = cli(drafted, "digest", "render", "2026-10", "--out", str(tmp_path / "out"))
    assert r.exit_code == 1 and "Gmail clips" in r.output


def test_render_warns_about_placeholders_and_a_missing_digest(repo, drafted, cli, tmp_path):
    """The placeholder's warning gave its line and no column, unlike the others (found in
    review 23): it stands at the TODO, with what to do."""
    edit_digest(drafted, ("TODO: a few sentences", "The month, in short: TODO: a few sentences"))
    r = cli(drafted, "digest", "render", "2026-10", "--out", str(tmp_path / "out"))
    lines = (drafted / DIGEST).read_text(encoding="utf-8").split("\n")
    at = next(i for i, line in enumerate(lines, 1) if line.startswith("The month, in short"))
    assert (f"{DIGEST}:{at}:22: warning: still a TODO placeholder ('The month, in short: TODO: "
            "a few sentences of introduction.'): write the words it stands for") in r.output, \
        r.output
    assert "status is still `draft`" in r.output
    r = cli(drafted, "digest", "render", "2026-09", "--out", str(tmp_path / "out"))
    assert r.exit_code == 2 and "pipeline digest draft 2026-09" in r.output


def test_an_amazon_link_on_an_indented_line_leaves_the_email_too(drafted, cli, tmp_path):
    """Text of an item written under it (4 spaces) and a nested bullet are prose, not
    indented code: their Amazon links are rewritten too (found in review)."""
    edit_digest(drafted, ("Best for serving many users; heavy for one.",
                          "Best for serving many users; heavy for one.\n\n"
                          f"    It runs well on a [used RTX 3090]({AMAZON}).\n\n"
                          f"    - or [a 4090]({AMAZON})"))
    files = render(cli, drafted, tmp_path / "out")
    html, text = files["email.html"].decode(), files["email.txt"].decode()
    assert "used RTX 3090" in html and "a 4090" in html
    assert "amazon.com" not in html and "amazon.com" not in text


def test_an_amazon_link_the_email_cannot_rewrite_stops_the_render(drafted, cli, tmp_path,
                                                                  monkeypatch):
    """Should the rewrite ever miss a link (none is known: here it is switched off), the
    e-mail is not made."""
    edit_digest(drafted, (f"# {HEADLINE}\n", f"# {HEADLINE}\n\nA [card]({AMAZON}).\n"))
    import pipeline.affiliates

    monkeypatch.setattr(pipeline.affiliates, "email_safe_markdown", lambda md, *a: (md, []))
    r = cli(drafted, "digest", "render", "2026-10", "--out", str(tmp_path / "out"))
    assert r.exit_code != 0 and "forbids links in e-mail" in r.output
    lines = (drafted / DIGEST).read_text(encoding="utf-8").split("\n")
    at = next(n for n, line in enumerate(lines, 1) if AMAZON in line)
    assert f"{DIGEST}:{at}:{lines[at - 1].index(AMAZON) + 1}: the e-mail would keep" in r.output
    assert "digests/2026-10.md" in r.output and not (tmp_path / "out" / "email.html").exists()


def test_the_text_part_says_what_the_html_says(drafted, cli, tmp_path):
    """The text part lost the bullets of a loose list (a paragraph of the editor's under an
    item, as the guide suggests), read a struck-out price as current, and ran a hard line
    break into one line (found in review)."""
    edit_digest(drafted,
                ("- **[GPTQ](/glossary/gptq)** (glossary): Post-training quantization.\n",
                 "- **[GPTQ](/glossary/gptq)** (glossary): Post-training quantization.\n\n"
                 "  We tested it on a 3090: it is fine.\n\n"),
                (f"# {HEADLINE}\n", f"# {HEADLINE}\n\nA used 3090: ~~$1,599~~ $1,299.\n\n"
                 "Line one  \nLine two\n"))
    files = render(cli, drafted, tmp_path / "out")
    html, text = files["email.html"].decode(), files["email.txt"].decode()
    assert "<del>$1,599</del>" in html and "<br" in html and "<li" in html and "<p" in html
    assert "- GPTQ <https://local-ai-catalog.org/glossary/gptq> (glossary):\n" in text
    assert "\n\n  We tested it on a 3090: it is fine.\n\n" in text  # under its item
    assert "\n- Ollama <https://local-ai-catalog.org/tools/ollama> (tool):" in text
    assert "A used 3090: ~~$1,599~~ $1,299." in text
    assert "\nLine one\nLine two\n" in text


def test_the_text_part_numbers_loose_and_offset_lists():
    from pipeline.digest.plaintext import html_to_text

    loose = "<ol>\n<li>\n<p>First</p>\n<p>More of it.</p>\n</li>\n<li>\n<p>Second</p>\n</li>\n</ol>"
    assert html_to_text(loose) == "1. First\n\n   More of it.\n\n2. Second\n"
    assert html_to_text('<ol start="3"><li>Three</li><li>Four</li></ol>') == "3. Three\n4. Four\n"
    assert html_to_text("<ul><li>a<br>b</li></ul><blockquote><p>q<br>r</p></blockquote>") == (
        "- a\n  b\n\n> q\n> r\n")
    assert html_to_text("<pre><code>x<br>y</code></pre>") == "    x\n    y\n"


@pytest.mark.parametrize("lead", [36, 38, 40, 42, 44])
def test_a_paid_links_label_is_never_split_across_lines_of_the_text_part(lead):
    """Wrapped at 72 columns, the label could end a line with "(paid" and start the next
    with "link)" (found in review)."""
    from pipeline.digest.markdown import mark_paid
    from pipeline.digest.plaintext import html_to_text

    words = " ".join(["word"] * 20)[:lead].rstrip()
    fragment = mark_paid(f'<p>{words} <a href="https://e.org/x">card</a> and more.</p>',
                         lambda url: True, "sponsored", "(paid link)")
    text = html_to_text(fragment)
    assert "(paid link)" in text and "\n" in text.strip()  # wrapped, the label whole


def test_a_rating_and_a_release_note_add_no_link_or_marker_of_their_own():
    """The draft reads history unchecked: a verdict's rating went into the Markdown as it
    was, so `[Update your payment details](https://evil.example)` became a live link, and
    a rating with a marker line broke the next draft; a release note's bare address
    became a link too (GitHub's autolinks), past every check (found in review)."""
    from pipeline.digest.markdown import hrefs, to_html
    from pipeline.digest.sections import _release_item, _verdict_item, md_escape
    from pipeline.feeds.parse import FeedItem
    from pipeline.history.changes import Change
    from pipeline.history.diff import VerdictChange

    phish = "[Update your payment details](https://evil.example/login)"
    marker = "avoid\n\n<!-- pipeline:end verdicts -->\nhello"
    item = _verdict_item(Change("modified", "tools/vllm", verdict=VerdictChange(
        {"rating": marker}, {"rating": phish, "text": "Fine."})))
    assert item.text.count("\n") == 1 and "<!--" not in item.text
    html = to_html(item.text, "https://local-ai-catalog.org")
    assert hrefs(html) == ["https://local-ai-catalog.org/tools/vllm"]
    assert "Update your payment details" in html and "pipeline:end" in html  # as text

    note = "Re-authenticate at https://evil.example/login or www.evil.example today."
    release = _release_item(FeedItem(
        entry="tools/vllm", feed="https://x/f", key="k", title="v1", link="https://e.org/1",
        date="2026-10-05", summary_html="", summary_text=note), "vLLM")
    html = to_html(release.text, "https://local-ai-catalog.org")
    assert hrefs(html) == ["https://local-ai-catalog.org/tools/vllm", "https://e.org/1"]
    assert "https://evil.example/login or www.evil.example" in html  # reads the same
    assert md_escape("fittps://x, https://y") == "fittps://x, https\\://y"


def test_render_refuses_a_link_to_no_entry(drafted, cli, tmp_path):
    """The e-mail linked to /glossary/does-not-exist (found in review)."""
    edit_digest(drafted, (f"# {HEADLINE}\n",
                          f"# {HEADLINE}\n\nRead [this](/glossary/does-not-exist).\n"))
    r = cli(drafted, "digest", "render", "2026-10", "--out", str(tmp_path / "out"))
    assert r.exit_code == 1
    assert re.search(r"digests/2026-10\.md:\d+:13: error link-unresolved: link to "
                     r"/glossary/does-not-exist: no such entry", r.output), r.output
    assert "fix them, then render again" in r.output
    assert not (tmp_path / "out").exists()


def test_a_link_to_a_renamed_entry_says_where_it_went(drafted, cli, tmp_path):
    """An item the editor edited follows its entry's rename in the draft, its link does
    not: render said only 'no such entry' of an entry the editor never removed (found in
    review). glossary/awq became glossary/awq-quantization on 2026-10-12."""
    edit_digest(drafted, (f"# {HEADLINE}\n", f"# {HEADLINE}\n\nRead [AWQ](/glossary/awq).\n"))
    r = cli(drafted, "digest", "render", "2026-10", "--out", str(tmp_path / "out"))
    assert r.exit_code == 1
    assert ("link to /glossary/awq: no such entry; glossary/awq was renamed to "
            "glossary/awq-quantization: link to /glossary/awq-quantization") in r.output


def test_a_full_url_to_a_renamed_entry_keeps_its_origin_and_anchor(drafted, cli, tmp_path):
    """Found in review: the digest's hint said `link to /glossary/awq-quantization` of
    `https://local-ai-catalog.org/glossary/awq#kernels`, dropping the link's origin and
    its #anchor, which validate's hint for the same link keeps."""
    edit_digest(drafted, (f"# {HEADLINE}\n", f"# {HEADLINE}\n\nRead "
                          "[AWQ](https://local-ai-catalog.org/glossary/awq#kernels).\n"))
    r = cli(drafted, "digest", "render", "2026-10", "--out", str(tmp_path / "out"))
    assert r.exit_code == 1
    assert ("link to https://local-ai-catalog.org/glossary/awq: no such entry; glossary/awq "
            "was renamed to glossary/awq-quantization: link to "
            "https://local-ai-catalog.org/glossary/awq-quantization#kernels") in r.output


def test_a_link_with_a_mistyped_or_wrong_case_collection_is_refused(drafted, cli, tmp_path):
    """docs/digest.md: render refuses a link to no entry "as validate checks an entry's
    links". Found in review: a site path whose collection was mistyped or in the wrong
    case (`/Tools/vllm`, `/tool/ollama`, a 404 on the site) passed render, and the build,
    without a word, and `/tools/VLLM` was told no mended path."""
    edit_digest(drafted, (f"# {HEADLINE}\n", f"# {HEADLINE}\n\nRead [a](/Tools/vllm), "
                          "[b](/tool/ollama#setup), [c](/tools/VLLM), [d](/Glossary/AWQ) "
                          "and [e](/search).\n"))
    r = cli(drafted, "digest", "render", "2026-10", "--out", str(tmp_path / "out"))
    assert r.exit_code == 1 and not (tmp_path / "out").exists()
    assert ("link to /Tools/vllm: there is no collection 'Tools'; did you mean /tools/vllm?"
            in r.output)
    assert ("link to /tool/ollama: there is no collection 'tool'; did you mean /tools/ollama?"
            in r.output)
    assert "link to /tools/VLLM: no such entry; did you mean /tools/vllm?" in r.output
    # glossary/awq became glossary/awq-quantization: where it went, in place of a guess
    assert ("link to /Glossary/AWQ: there is no collection 'Glossary'; glossary/awq was "
            "renamed to glossary/awq-quantization: link to /glossary/awq-quantization"
            in r.output)
    assert "/search" not in r.output and "4 link problem(s)" in r.output


def test_a_raw_html_link_is_dropped_not_checked(drafted, cli, tmp_path):
    """The digest's renderer drops raw HTML: a link written as one never reaches the
    e-mail, so it stops nothing (found in review: it was refused as a link to no entry)."""
    edit_digest(drafted, (f"# {HEADLINE}\n",
                          f'# {HEADLINE}\n\nRead <a href="/glossary/does-not-exist">this</a>.\n'))
    r = cli(drafted, "digest", "render", "2026-10", "--out", str(tmp_path / "out"))
    assert r.exit_code == 0, r.output
    assert "does-not-exist" not in "".join(p.read_text(encoding="utf-8")
                                           for p in (tmp_path / "out").iterdir())


def test_a_bare_address_right_after_a_letter_or_underscore_stays_text():
    """GitHub's autolinks take `https://` and `www.` after a letter, a digit or `_` too
    (`Mirror:_https://phish.example`): a release note's address became a live link that
    no check had looked at (found in review)."""
    from pipeline.digest.markdown import hrefs, to_html
    from pipeline.digest.sections import md_escape

    note = ("Mirror:_https://phish.example/login and x_https://bit.ly/abc, "
            "1https://x.example/a and_www.evil.example or x*www.evil.example.")
    html = to_html(md_escape(note), "https://local-ai-catalog.org")
    assert hrefs(html) == []
    assert "phish.example/login" in html and "_www.evil.example" in html  # reads the same
    # a character reference is text too: a title `&lt;b&gt;` reads as on the site
    html = to_html(md_escape("&lt;b&gt; for AT&T"), "https://local-ai-catalog.org")
    assert "&amp;lt;b&amp;gt; for AT&amp;T" in html


def test_an_escaped_link_is_text_and_passes_the_render(drafted, cli, tmp_path):
    """A release title `![img](https://evil.example/p.png)` is drafted escaped,
    `\\!\\[img\\](https\\://...)`, which is no link; the render's link check read
    `](https\\://...` as a link to a relative path and refused the digest until an editor
    changed the title (found in review)."""
    text = "Title: \\!\\[img\\](https\\://evil.example/p.png) and \\[a\\](/glossary/nope)."
    edit_digest(drafted, (f"# {HEADLINE}\n", f"# {HEADLINE}\n\n{text}\n"))
    out = tmp_path / "out"
    r = cli(drafted, "digest", "render", "2026-10", "--out", str(out))
    assert r.exit_code == 0, r.output
    web = (out / "web.html").read_text(encoding="utf-8")
    assert "![img](https://evil.example/p.png)" in web and "evil.example/p.png\"" not in web


def test_a_long_subject_and_heading_are_wrapped_in_the_text_part(drafted, cli, tmp_path):
    """The subject went on one line of any length at the top of email.txt, and a heading
    wrapped onto two lines got an underline as long as both together (found in review)."""
    subject = ("What changed in local AI: October 2026, the month Ollama arrived and vLLM "
               "was re-rated")
    heading = ("A heading long enough to be wrapped by the plain-text part onto a second "
               "line of its own")
    edit_digest(drafted, ('subject: "What changed in local AI: October 2026"',
                          f'subject: "{subject}"'), (f"# {HEADLINE}\n", f"# {heading}\n"))
    text = render(cli, drafted, tmp_path / "out")["email.txt"].decode()
    assert max(len(line) for line in text.splitlines() if "://" not in line) <= 72
    lines = text.splitlines()
    assert " ".join(lines[:2]) == subject and lines[2] == "=" * len(lines[0])
    at = lines.index("A heading long enough to be wrapped by the plain-text part onto a second")
    assert lines[at + 1:at + 3] == ["line of its own", "=" * len(lines[at])]


def test_underlines_of_the_text_part_span_wide_characters(drafted, cli, tmp_path):
    """A CJK or emoji character takes two columns of a terminal: the subject's, a heading's
    and a table header's underline, counted in characters, stopped halfway (found in
    review)."""
    edit_digest(drafted, ('subject: "What changed in local AI: October 2026"',
                          'subject: "ローカルAIの10月"'),
                (f"# {HEADLINE}\n", "# 🚀 日本語の見出し\n\n| 名前 | VRAM |\n|---|---|\n"
                                    "| 日本語モデル | 24 GB |\n"))
    lines = render(cli, drafted, tmp_path / "out")["email.txt"].decode().splitlines()
    assert lines[:2] == ["ローカルAIの10月", "=" * 16]
    at = lines.index("🚀 日本語の見出し")
    assert lines[at + 1] == "=" * 17
    at = lines.index("| 名前 | VRAM |")
    assert lines[at + 1] == "-" * 15


def test_a_wide_subject_and_preheader_are_wrapped_at_72_columns_of_a_terminal(drafted, cli,
                                                                              tmp_path):
    """Wrapped by Jinja's wordwrap, which counts characters, a CJK subject ran to twice the
    width of the text part, and its underline stopped at 72 (found in review)."""
    from pipeline.digest.plaintext import columns

    subject = "ローカルAIの10月号：" + "新しいツールと評価の変更、" * 6
    preheader = "今月の新しい項目、評価の変更、訂正、そして上流のリリースについて。" * 3
    edit_digest(drafted, ('subject: "What changed in local AI: October 2026"',
                          f'subject: "{subject}"'),
                ('preheader: "New entries, verdict changes, corrections and upstream '
                 'releases of October 2026."', f'preheader: "{preheader}"'))
    lines = render(cli, drafted, tmp_path / "out")["email.txt"].decode().splitlines()
    at = lines.index("=" * 72)
    assert "".join(lines[:at]) == subject and 66 <= columns(lines[0]) <= 72
    assert all(columns(line) <= 72 for line in lines[:at])
    body = lines[at + 2:lines.index("", at + 2)]
    assert "".join(body) == preheader and all(66 <= columns(line) <= 72 for line in body[:-1])


@pytest.mark.parametrize("folder", ["entries", "entries/glossary", "entries/new"])
def test_render_refuses_an_out_folder_in_the_entries(drafted, cli, folder):
    # every file there is taken for an entry: four `file-name` errors, and no build
    r = cli(drafted, "digest", "render", "2026-10", "--out", str(drafted / folder))
    assert r.exit_code == 2, r.output
    assert "taken for an entry" in r.output and "--out build/digest" in r.output
    assert not list((drafted / "entries").rglob("*.html"))
    assert cli(drafted, "validate").exit_code == 0


@pytest.mark.parametrize("folder, said", [
    (".", "is the catalog's own folder"), ("digests", "holds the digests editors write"),
    ("digests/2026-10", "holds the digests editors write"),
    ("schemas", "schemas/ holds the catalog's schemas"),
    ("data", "data/ holds the catalog's data files"),
    ("data/new", "data/ holds the catalog's data files")])
def test_render_refuses_an_out_folder_where_the_catalog_keeps_its_files(drafted, cli, folder,
                                                                       said):
    """`--out .` and `--out digests` wrote the four files among the catalog's, where
    `git add -A` committed them (found in review); `--out schemas` and `--out data` too,
    among the catalog's inputs (found in review 24)."""
    r = cli(drafted, "digest", "render", "2026-10", "--out", str(drafted / folder))
    assert r.exit_code == 2, r.output
    assert said in r.output and "--out build/digest" in r.output
    assert not [p for p in drafted.rglob("*") if p.name in ("email.html", "web.html")]


@pytest.mark.parametrize("status, said", [
    ("Draft", "status is still `draft`"), ("review", "status is still `review`"),
    ("redy", "status: 'redy' is not a digest's status: write draft, review, ready or sent"),
    ("Ready", None), ("sent", None),
    (None, "the front matter has no `status:` line, so pipeline build takes the digest for "
           "an archive that went out and publishes it; add `status: draft`")])
def test_render_reads_the_status_as_the_build_does(drafted, cli, tmp_path, status, said):
    """`status: Draft` or `review` (which docs/digest.md says reads as draft) rendered
    without the warning `draft` has, and `redy`, which the build refuses, without a word
    (found in review 23): the status is read as the build reads it. A digest with no
    `status:`, which the build publishes as sent, was told "status is still `draft`"
    (found in review 23): it is told what the build does with it. Each at the line of
    its key (the front matter's start without one), as the front matter's problems."""
    if status is None:
        edit_digest(drafted, ("status: draft\n", ""))
    else:
        edit_digest(drafted, ("status: draft\n", f"status: {status}\n"))
    r = cli(drafted, "digest", "render", "2026-10", "--out", str(tmp_path / "out"))
    assert r.exit_code == 0, r.output
    at = 1 if status is None else next(
        i for i, line in enumerate((drafted / DIGEST).read_text().split("\n"), 1)
        if line.startswith("status:"))
    warned = [line for line in r.output.splitlines()
              if " warning: " in line and "status" in line]
    if said:
        assert len(warned) == 1 and warned[0].startswith(f"{DIGEST}:{at}:1: warning: {said}")
    else:
        assert warned == [], r.output


@pytest.mark.parametrize("email_form", [False, True])
def test_a_control_character_written_as_a_reference_reaches_no_email(email_form):
    """A control character typed into a digest is refused; one written as a character
    reference (`&#1;`, `&#x1b;`: an escape sequence in the text e-mail) is U+FFFD in the
    HTML the e-mail and page are made of; in code it stays the reference as written."""
    from pipeline.digest.markdown import to_html
    from pipeline.textchars import INVISIBLE

    html = to_html("A &#1;word &#x1b;[1mbold [l](/x \"t&#127;\") `&#1;`\n",
                   "https://local-ai-catalog.org", email=email_form)
    assert INVISIBLE.search(html) is None, repr(html)
    assert "A \ufffdword \ufffd[1mbold" in html
    assert "&amp;#1;</code>" in html
