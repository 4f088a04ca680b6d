"""The e-mail's form: its headers and lines as mail services read them, no web font,
and Markdown the e-mail cannot show written another way, never lost (found in review)."""

from __future__ import annotations

import email
import re
from email import policy

from pipeline.digest.markdown import to_html
from pipeline.digest.plaintext import html_to_text
from test_digest_render import drafted, render  # noqa: F401  (a fixture)

SHORT = "https://local-ai-catalog.org/newsletter/unsubscribe"


def set_unsubscribe(root, url):
    toml = root / "pipeline.toml"
    text = toml.read_text(encoding="utf-8")
    start = text.index("unsubscribe_url = ")
    end = text.index("\n", start)
    toml.write_text(f'{text[:start]}unsubscribe_url = "{url}"{text[end:]}', encoding="utf-8")


def test_a_long_unsubscribe_address_is_one_plain_header_line(drafted, cli, tmp_path):
    """Folded, Python wrote an address over about 58 characters as RFC 2047 words, which
    List-Unsubscribe may not hold: no one-click unsubscribe for any per-subscriber address."""
    url = SHORT + "?list=monthly-digest&token=" + "0123456789abcdef" * 6
    set_unsubscribe(drafted, url)
    eml = render(cli, drafted, tmp_path / "out")["email.eml"]
    assert f"\r\nList-Unsubscribe: <{url}>\r\n".encode() in eml
    assert email.message_from_bytes(eml, policy=policy.default)["List-Unsubscribe"] == f"<{url}>"


def test_an_unsubscribe_address_one_header_line_cannot_hold_is_refused(drafted, cli, tmp_path):
    set_unsubscribe(drafted, SHORT + "?who=a b")
    r = cli(drafted, "digest", "render", "2026-10", "--out", str(tmp_path / "out"))
    assert r.exit_code == 2 and "unsubscribe_url holds a space" in r.output
    assert "Traceback" not in r.output and not (tmp_path / "out").exists()
    set_unsubscribe(drafted, SHORT + "?t=" + "a" * 1000)
    r = cli(drafted, "digest", "render", "2026-10", "--out", str(tmp_path / "out"))
    assert r.exit_code == 2 and "over the 900 one header line holds" in r.output


def test_every_line_of_the_message_is_at_most_76_characters(drafted, cli, tmp_path):
    """Quoted-printable lines may have 76 characters (RFC 2045); Python's SMTP policy
    wrote 78, which spam filters score (MIME_QP_LONG_LINE)."""
    eml = render(cli, drafted, tmp_path / "out")["email.eml"]
    lines = eml.split(b"\r\n")
    assert max(len(line) for line in lines) <= 76
    assert sum(line.endswith(b"=") for line in lines) > 10  # long lines were folded


def test_the_email_loads_no_web_font(drafted, cli, tmp_path):
    """MJML links Google Fonts for a font it knows by name: each open told Google who read."""
    html = render(cli, drafted, tmp_path / "out")["email.html"].decode()
    assert "fonts.googleapis" not in html and "@import" not in html and "Roboto" not in html


def test_what_an_email_cannot_show_is_written_another_way():
    html = to_html("![A GPU photo](https://example.com/gpu.png)\n\n"
                   "[![the chart](x.png)](https://example.com/)\n\n"
                   "- [ ] to test\n- [x] tested\n\n##### Small heading\n\n"
                   "| a | b |\n|---|--:|\n| 1 | 2 |\n", "https://local-ai-catalog.org",
                   email=True)
    assert "<img" not in html and "A GPU photo" in html
    assert '<a href="https://example.com/" style="color:#0b57d0;text-decoration:underline;">' \
           "the chart</a>" in html  # not an empty link
    assert "\u2610 to test" in html and "\u2611 tested" in html
    assert "<h4 " in html and "Small heading</h4>" in html
    assert '<th align="left" style=' in html and '<th align="right" style=' in html
    assert "padding:4px 6px;border:1px solid #cccccc" in html


def test_a_footnote_and_its_definition_stay_as_typed():
    """docs/digest.md: footnotes stay as typed. Found in review: cmark read `[^1]: note`
    as a link reference definition, so the mark became a link to /note on the site and
    the definition was gone (one that is an address too); code keeps its `[^`."""
    text = ("See[^1] and [^src].\n\n[^1]: note\n\n[^src]: https://example.com/paper\n\n"
            "Match `[^a-z]` or [^up](https://example.com/[^x]).\n")
    for email in (False, True):
        html = to_html(text, "https://local-ai-catalog.org", email=email)
        assert "local-ai-catalog.org/note" not in html
        words = html_to_text(html)
        assert words.startswith("See[^1] and [^src].\n\n[^1]: note\n\n[^src]: "
                                "https://example.com/paper\n"), words
        assert "Match [^a-z] or ^up <https://example.com/%5B%5Ex%5D>." in words


def test_a_footnote_definition_is_no_link_to_check():
    """It is text in the e-mail: render refused `[^1]: /glossary/awk` as a link to no
    entry, which the e-mail does not have; a link beside it is still checked."""
    from pipeline.digest.render import entry_link_problems

    assert entry_link_problems("See[^1] [it](/glossary/awk).\n\n[^1]: /glossary/awk\n", 1,
                               "digests/2026-10.md", lambda target: False) == [
        "digests/2026-10.md:1:14: error link-unresolved: link to /glossary/awk: no such entry"]


def test_a_link_whose_words_end_with_a_footnote_mark_stays_a_link():
    """Found in review: only the mark's `[` was put aside, so its `]` closed the link's
    words early: `[the paper [^1]](https://...)` lost its link (the brackets and the
    address shown as text), with or without the footnote's definition."""
    for tail in ("\n\n[^1]: note\n", "\n"):
        text = f"Read [the paper [^1]](https://example.com/p) now.{tail}"
        for email in (False, True):
            html = to_html(text, "https://local-ai-catalog.org", email=email)
            assert re.search(r'<a href="https://example.com/p"[^>]*>the paper \[\^1\]</a> now',
                             html), html
            assert html_to_text(html).startswith(
                "Read the paper [^1] <https://example.com/p> now."), html_to_text(html)


def test_a_table_cell_keeps_its_words_whole_and_may_break_an_address():
    """MJML's `word-break:break-word` let a cell shrink to a letter on a phone ("Car/d");
    only a cell with a long word (an address) may break it anywhere (see
    test_digest_browser for the picture)."""
    url = "https://www.techpowerup.com/gpu-specs/geforce-rtx-3090.c3622"
    html = to_html(f"| Card | Review |\n|---|---|\n| RTX 3090 | [{url}]({url}) |\n",
                   "https://local-ai-catalog.org", email=True)
    cells = re.findall(r"<t[dh] [^>]*>", html)
    assert all("word-break:normal;overflow-wrap:break-word;" in cell for cell in cells)
    assert ["overflow-wrap:anywhere" in cell for cell in cells] == [False, False, False, True]
    assert html.startswith('<div style="max-width:100%;overflow-x:auto;contain:inline-size;">'
                           "<table ") and html.endswith("</table></div>\n")


def test_the_text_part_keeps_a_mail_address_tables_and_nested_lists():
    text = html_to_text(to_html(
        "[Write to us](mailto:editors@local-ai-catalog.org?subject=Digest), or "
        "[editors@x.org](mailto:editors@x.org).\n\n"
        "| GPU | VRAM |\n|---|---|\n| RTX 3090 | 24 GB |\n| RTX 4090 | 24 GB |\n\n"
        "- one\n  - nested\n    1. deeper\n- two\n", "https://local-ai-catalog.org"))
    assert "Write to us <editors@local-ai-catalog.org>, or editors@x.org.\n" in text
    assert "| GPU | VRAM |\n--------------\n| RTX 3090 | 24 GB |\n| RTX 4090 | 24 GB |\n" in text
    assert "- one\n  - nested\n    1. deeper\n- two\n" in text


def test_a_table_row_too_wide_for_a_line_is_a_line_per_cell():
    """Wrapped at 72 columns, a row with an address ran onto an unindented line of its
    own, `https://... |`, no longer one row of the table (found in review)."""
    url = "https://www.techpowerup.com/gpu-specs/geforce-rtx-3090.c3622"
    text = html_to_text(to_html(
        f"| GPU | VRAM | Bandwidth | Review |\n|---|---|---|---|\n"
        f"| RTX 3090 | 24 GB | 936 GB/s | {url} |\n| RTX 4090 | 24 GB | 1,008 GB/s | soon |\n\n"
        "- Cards:\n\n  | GPU | Notes |\n  |---|---|\n  | RTX 3090 | [its review](" + url + ") |\n",
        "https://local-ai-catalog.org"))
    assert ("| GPU | VRAM | Bandwidth | Review |\n-----------------------------------\n"
            f"| GPU: RTX 3090\n|   VRAM: 24 GB\n|   Bandwidth: 936 GB/s\n|   Review: {url}\n"
            "| RTX 4090 | 24 GB | 1,008 GB/s | soon |\n") in text  # a row that fits stays
    assert (f"  | GPU: RTX 3090\n  |   Notes: its review\n  |     <{url}>\n") in text


def test_a_table_whose_header_row_is_too_wide_is_a_line_per_cell_in_every_row():
    """A header row too wide for a line was still wrapped as a paragraph: its last words
    and `|` ran onto an unindented line, out of the table, over a rule of 72 (found in
    review). Each row names its header cells, and a header row alone is a line per cell."""
    head = "| Graphics card model | Video memory (VRAM) | Memory bandwidth | Price when new |"
    text = html_to_text(to_html(
        f"{head}\n|---|---|---|---|\n| RTX 3090 | 24 GB | 936 GB/s | 1,499 USD |\n\n"
        f"- {head}\n  |---|---|---|---|\n\nAfter.", "https://local-ai-catalog.org"))
    assert text == (
        "| Graphics card model: RTX 3090\n|   Video memory (VRAM): 24 GB\n"
        "|   Memory bandwidth: 936 GB/s\n|   Price when new: 1,499 USD\n\n"
        "- | Graphics card model\n  |   Video memory (VRAM)\n  |   Memory bandwidth\n"
        "  |   Price when new\n\nAfter.\n")


def test_a_quote_or_code_in_a_list_item_stands_under_the_item():
    """A quote in an item was written `>   quoted words`, a top-level quote, and a code
    block four columns from the margin, out from under its item (found in review)."""
    text = html_to_text(to_html(
        "- Item:\n\n  > quoted words\n\n- Run:\n\n  ```\n  ollama run llama3\n  ```\n\n"
        "1. Then:\n\n   ```\n   ollama ps\n   ```\n\n> - quoted item\n>\n>   > inner\n",
        "https://local-ai-catalog.org"))
    assert "- Item:\n\n  > quoted words\n\n- Run:\n\n      ollama run llama3\n" in text
    assert "1. Then:\n\n       ollama ps\n" in text
    assert "> - quoted item\n\n>   > inner\n" in text


def test_a_code_block_an_item_begins_with_stands_under_its_bullet():
    """A code block as an item's first content came out `-     ollama run llama3`, the
    bullet then the code's indent on one line (found in review)."""
    text = html_to_text(to_html(
        "- ```\n  ollama run llama3\n  ollama ps\n  ```\n\n1. > ```\n   > x\n   > ```\n",
        "https://local-ai-catalog.org"))
    assert text.startswith("-\n      ollama run llama3\n      ollama ps\n\n"), text
    assert "\n1. >\n   >     x\n" in text


def test_a_link_the_renderer_empties_is_its_words_and_a_warning(drafted, cli, tmp_path):
    """cmark empties a `javascript:` address, and nh3 then made it a link to the site's
    home page, without a word to the editor (found in review)."""
    from test_digest_render import HEADLINE, edit_digest

    edit_digest(drafted, (f"# {HEADLINE}\n", f"# {HEADLINE}\n\nSee [the demo](javascript:go()) "
                                             "and [nothing]().\n"))
    r = cli(drafted, "digest", "render", "2026-10", "--out", str(tmp_path / "out"))
    assert r.exit_code == 0, r.output
    lines = (drafted / "digests/2026-10.md").read_text(encoding="utf-8").split("\n")
    line = next(i for i, row in enumerate(lines, 1) if row.startswith("See [the demo]"))
    assert (f"digests/2026-10.md:{line}:5: warning: a link to `javascript:` is no link in the "
            "e-mail or on the web") in r.output
    for name in ("email.html", "web.html"):
        page = (tmp_path / "out" / name).read_text(encoding="utf-8")
        assert "See the demo and nothing." in page.replace("\n", " "), name


def test_every_link_the_email_loses_is_its_words_with_a_warning(drafted, cli, tmp_path):
    """Found in review: a reference definition had no warning (`java&#115;cript:` in a link
    is refused: read as a relative path, like any address without a scheme), and
    `ftp:` or `tel:` links stayed as blue underlined `<a>` leading nowhere; a link in a
    code block was warned about. Each link is named at its line and column (given no
    column, and only the first of a line: found in review 23), a reference link at its
    words."""
    from test_digest_render import HEADLINE, edit_digest

    body = ("Get [the file](ftp://e.org/f) or [call](tel:+1555).\n\n"
            "See [this][r], [ok](https://e.org/) and [us](mailto:a@e.org).\n\n"
            "[r]: javascript:go()\n\n```\n[not a link](ftp://code.example/)\n```\n")
    edit_digest(drafted, (f"# {HEADLINE}\n", f"# {HEADLINE}\n\n{body}"))
    r = cli(drafted, "digest", "render", "2026-10", "--out", str(tmp_path / "out"))
    assert r.exit_code == 0, r.output
    lines = (drafted / "digests/2026-10.md").read_text(encoding="utf-8").split("\n")
    get = next(i for i, row in enumerate(lines, 1) if row.startswith("Get [the file]"))
    see = next(i for i, row in enumerate(lines, 1) if row.startswith("See [this][r]"))
    warned = [line for line in r.output.splitlines() if "is no link in the e-mail" in line]
    lost = "is no link in the e-mail or on the web, only its words: give it an https://"
    assert warned == [f"digests/2026-10.md:{get}:5: warning: a link to `ftp:` {lost}, http:// "
                      "or mailto: address",
                      f"digests/2026-10.md:{get}:{lines[get - 1].index('[call]') + 1}: warning: "
                      f"a link to `tel:` {lost}, http:// or mailto: address",
                      f"digests/2026-10.md:{see}:5: warning: a link to `javascript:` {lost}, "
                      "http:// or mailto: address"], r.output
    html = (tmp_path / "out" / "email.html").read_text(encoding="utf-8")
    assert "Get the file or call." in html and "See this, <a" in html
    assert not re.search(r"<a(?![^>]*href=)[^>]*>", html)  # no link that leads nowhere


def test_the_preheader_is_followed_by_filler_so_previews_stop_there(drafted, cli, tmp_path):
    """An inbox shows the preheader, then whatever text follows: "Local AI Catalog ·
    November 2026 We earn a commission..." (found in review)."""
    import re

    html = render(cli, drafted, tmp_path / "out")["email.html"].decode()
    hidden = re.search(r'<div style="display:none;[^"]*">\s*(.*?)\s*</div>', html, re.S).group(1)
    assert hidden.startswith("New entries, verdict changes")
    assert hidden.count("\u034f\u200c") == 90 and hidden.rstrip("\u034f\u200c\u00a0").endswith("October 2026.")


def test_a_font_named_in_the_text_loads_no_web_font_either(drafted, cli, tmp_path):
    """MJML links Google Fonts when the text names a font it knows, in any sentence or
    release note (found in review)."""
    from test_digest_render import HEADLINE, edit_digest

    edit_digest(drafted, (f"# {HEADLINE}\n", f"# {HEADLINE}\n\nThe new theme sets "
                                             "font-family: Roboto, then Lato and Ubuntu.\n"))
    files = render(cli, drafted, tmp_path / "out")
    html = files["email.html"].decode()
    assert "fonts.googleapis" not in html and "@import" not in html
    assert "font-family: Roboto, then Lato and Ubuntu." in html  # the words stay
    assert b"googleapis" not in files["email.eml"]


def test_an_email_setting_it_cannot_use_is_named_at_its_line(drafted, cli, tmp_path):
    toml = drafted / "pipeline.toml"
    lines = toml.read_text(encoding="utf-8").split("\n")
    at = next(i for i, line in enumerate(lines, 1) if line.startswith("unsubscribe_url"))
    set_unsubscribe(drafted, "http://local-ai-catalog.org/u")
    r = cli(drafted, "digest", "render", "2026-10", "--out", str(tmp_path / "out"))
    assert r.exit_code == 2 and f"pipeline.toml:{at}: [email] unsubscribe_url must be" in r.output
    text = toml.read_text(encoding="utf-8")
    start = text.index("from = ")
    toml.write_text(text[:start] + 'from = "Local <digest@"' + text[text.index("\n", start):],
                    encoding="utf-8")
    set_unsubscribe(drafted, SHORT)
    at = next(i for i, line in enumerate(toml.read_text().split("\n"), 1)
              if line.startswith("from = "))
    r = cli(drafted, "digest", "render", "2026-10", "--out", str(tmp_path / "out"))
    assert r.exit_code == 2 and f"pipeline.toml:{at}: [email] from is not an address" in r.output


def test_links_the_email_loses_are_found_in_edited_items_and_not_in_code(drafted, cli, tmp_path):
    """Found in review: a `tel:` link added to an item of a block had no warning; a fence of
    four backticks holding a line of three ended the code there; a link in inline code,
    a footnote's `[^1]: Source: ...` and escaped brackets (a release title's, as the
    draft writes it: `\\[x\\](tel:1)`) were warned about."""
    from test_digest_render import HEADLINE, edit_digest

    text = (drafted / "digests/2026-10.md").read_text(encoding="utf-8")
    item = next(line for line in text.split("\n") if line.startswith("- **[Ollama]"))
    body = ("````\n```\n[in code](tel:+1)\n````\n\nThen [dial](tel:+1555) and write "
            "`[x](tel:1)` as code.\n\n[^1]: Source: the release notes.\n\n"
            "Release v2 \\[docs\\](javascript:go()) is words.\n")
    edit_digest(drafted, (f"# {HEADLINE}\n", f"# {HEADLINE}\n\n{body}"),
                (item, item + " Or [call us](tel:+1999)."))
    r = cli(drafted, "digest", "render", "2026-10", "--out", str(tmp_path / "out"))
    assert r.exit_code == 0, r.output
    lines = (drafted / "digests/2026-10.md").read_text(encoding="utf-8").split("\n")
    dial = next(i for i, row in enumerate(lines, 1) if row.startswith("Then [dial]"))
    call = next(i for i, row in enumerate(lines, 1) if "[call us](tel:" in row)
    warned = [line.split(": warning: a link")[0] for line in r.output.splitlines()
              if "is no link in the e-mail" in line]
    assert warned == [f"digests/2026-10.md:{dial}:6",
                      f"digests/2026-10.md:{call}:{lines[call - 1].index('[call us]') + 1}"]


def test_the_text_part_wraps_at_72_columns_of_a_terminal_however_wide_its_words():
    """Wrapped by textwrap, which counts characters, a paragraph of CJK words ran to 144
    columns (each takes two) and CJK text, which has no spaces, to any length, in a
    paragraph, an item, a quote or a table's cell alike (found in review)."""
    from pipeline.digest.markdown import mark_paid
    from pipeline.digest.plaintext import columns

    url = "https://www.techpowerup.com/gpu-specs/geforce-rtx-3090.c3622"
    run = "日本語のテキストは、スペースなしで続きます。"
    text = html_to_text(mark_paid(to_html(
        "日本語 " * 30 + "\n\n" + run * 6 + "\n\n- " + "リスト " * 30 + "\n\n> " + run * 5
        + f"\n\n{run * 3}[カード]({url})と{run * 3}\n\n"
        f"| 名前 | メモ |\n|---|---|\n| モデル | {run * 5} |\n", "https://local-ai-catalog.org"),
        lambda href: href == url, "sponsored", "（広告リンク）"))
    lines = text.splitlines()
    assert max(columns(line) for line in lines if "://" not in line) <= 72, text
    assert sum(columns(line) > 66 for line in lines) >= 8  # the lines are filled, too
    flat = "".join(text.split())
    assert "日本語" * 30 in flat and run * 6 in flat and "リスト" * 30 in flat
    assert f"<{url}>" in lines  # an address whole, on a line of its own here
    assert "（広告リンク）と" in text  # the label whole
    assert not any(line.lstrip("-|> ").startswith(("。", "、")) for line in lines)


def test_a_raw_line_break_or_block_tag_keeps_the_words_apart():
    """Raw HTML is dropped, and with it the break a `<br>` typed among the words made:
    `foo<br>bar` read "foobar" in the e-mail and its text part (found in review 23);
    so did a `<p>` or `<div>` typed inline. Code keeps what it shows."""
    md = ("Ollama<br>vLLM<br/>llama.cpp<BR />MLX\n\nbefore<div>inside</div>after, "
          "<b>bold</b>ly\n\n`a<br>b`\n\n| GPU | note |\n|---|---|\n| 3090 | used<br>24 GB |\n")
    html = to_html(md, "https://local-ai-catalog.org", email=True)
    assert "Ollama<br>vLLM<br>llama.cpp<br>MLX" in html, html
    text = html_to_text(html)
    assert "Ollama\nvLLM\nllama.cpp\nMLX\n" in text
    assert "before inside after, boldly\n" in text  # an inline tag joins as the page shows
    assert "a<br>b\n" in text
    assert "| 3090 | used 24 GB |\n" in text  # the row stays one line
