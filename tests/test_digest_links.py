"""digest render applies the entries' affiliate rules to the digest's own links (review)."""

from __future__ import annotations

import re

from test_digest_render import AMAZON, HEADLINE, drafted, edit_digest, render  # noqa: F401

SHORT = "https://bit.ly/3abcXYZ"
FOREIGN = AMAZON.replace("localaicat-20", "someoneelse-20")


def test_a_shortener_or_someone_elses_tag_stops_the_render_at_its_line(drafted, cli, tmp_path):
    edit_digest(drafted, (f"# {HEADLINE}\n",
                          f"# {HEADLINE}\n\nDeals: [a GPU]({SHORT}).\n\nAnd [a 4080]({FOREIGN}).\n"))
    lines = (drafted / "digests/2026-10.md").read_text(encoding="utf-8").split("\n")

    def at(needle):
        n = next(i for i, line in enumerate(lines) if needle in line)
        return f"digests/2026-10.md:{n + 1}:{lines[n].index(needle) + 1}:"

    r = cli(drafted, "digest", "render", "2026-10", "--out", str(tmp_path / "out"))
    assert r.exit_code == 1, r.output
    assert f"{at(SHORT)} error affiliate-shortener" in r.output
    assert f"{at(FOREIGN)} error affiliate-foreign-tag" in r.output
    assert not (tmp_path / "out").exists()


def test_our_own_paid_links_still_render(drafted, cli, tmp_path):
    edit_digest(drafted, (f"# {HEADLINE}\n", f"# {HEADLINE}\n\nA [GPU]({AMAZON}).\n"))
    assert "email.html" in render(cli, drafted, tmp_path / "out")


def test_text_right_after_a_blocks_end_is_a_paragraph_of_its_own(drafted, cli, tmp_path):
    """Written on the line after `<!-- pipeline:end corrections -->` with no blank line, as
    GitHub's preview shows it: not part of the last correction (found in review)."""
    edit_digest(drafted, ("<!-- pipeline:end corrections -->\n",
                          "<!-- pipeline:end corrections -->\nThanks for reading.\n"))
    files = render(cli, drafted, tmp_path / "out")
    for name in ("email.html", "web.html"):
        html = files[name].decode()
        assert "Thanks for reading." in html
        assert "Thanks for reading.</li>" not in html and "\nThanks for reading." not in html


def test_links_cmark_makes_that_the_text_reading_missed_stop_the_render(drafted, cli, tmp_path):
    """An escape in the destination, `x_https://`: the e-mail had a shortener and someone
    else's tag, unrefused (found in review)."""
    edit_digest(drafted, (f"# {HEADLINE}\n", f"# {HEADLINE}\n\nShort links: [a card](https://"
                          "bit\\.ly/3abcXYZ) and x_" + FOREIGN + " today.\n"))
    r = cli(drafted, "digest", "render", "2026-10", "--out", str(tmp_path / "out"))
    assert r.exit_code == 1, r.output
    assert "error affiliate-shortener" in r.output and "error affiliate-foreign-tag" in r.output
    assert not (tmp_path / "out").exists()


def test_the_address_of_a_paid_link_is_not_shown_in_the_e_mail(drafted, cli, tmp_path):
    """Its link goes to our page, but the words showed its address, which a mail program
    links, with no disclosure (found in review). Said where the address is written (it
    named the file alone: the editor searched the digest for it)."""
    for shown in (f"[{AMAZON}]({AMAZON})", f"`{AMAZON}`"):
        edit_digest(drafted, (f"# {HEADLINE}\n", f"# {HEADLINE}\n\nOur pick: {shown}.\n"))
        r = cli(drafted, "digest", "render", "2026-10", "--out", str(tmp_path / "out"))
        assert r.exit_code == 1, r.output
        at = _place(drafted, f"Our pick: {shown}", AMAZON)
        assert (f"digests/2026-10.md:{at}: the e-mail would show the address of a paid link "
                "of amazon") in r.output, r.output
        edit_digest(drafted, (f"\n\nOur pick: {shown}.\n", "\n"))
    assert "email.html" in render(cli, drafted, tmp_path / "out")


def test_every_link_problem_is_told_at_once(drafted, cli, tmp_path):
    """A shortener stopped the render before the links to no entry were looked at: the
    editor fixed one kind of problem per run (found in review)."""
    edit_digest(drafted, (f"# {HEADLINE}\n", f"# {HEADLINE}\n\nSee [AWK](/glossary/awk), "
                                             "[this](https://bit.ly/3x) and [again](/glossary/awk).\n"))
    r = cli(drafted, "digest", "render", "2026-10", "--out", str(tmp_path / "out"))
    lines = (drafted / "digests/2026-10.md").read_text(encoding="utf-8").split("\n")
    at = next(i for i, row in enumerate(lines, 1) if row.startswith("See [AWK]"))
    told = [line.split(": error ")[1].split(":")[0] for line in r.output.splitlines()
            if f"digests/2026-10.md:{at}:" in line]
    assert r.exit_code == 1 and told == ["link-unresolved", "affiliate-shortener",
                                         "link-unresolved"], r.output
    assert "3 link problem(s)" in r.output and not (tmp_path / "out").exists()


def test_the_address_of_a_paid_link_of_any_program_is_not_shown_as_text(drafted, cli, tmp_path):
    """An eBay address (its program allows e-mail) in code, in a link's words or in the
    preheader reached the e-mail as text: a mail program links it with no label, and,
    when it was the only one, no disclosure; someone else's tracking id too, since the
    link checks skip code (found in review)."""
    from test_digest_render import EBAY, our_ebay

    our_ebay(drafted)
    theirs = EBAY.replace("5338000000", "5330000001")
    for shown, told in ((f"`{EBAY}`", "of ebay, as text"),
                        (f"[{EBAY}](/tools/vllm)", "of ebay, as text"),
                        (f"`{theirs}`", "of ebay, with tracking id '5330000001', which is not ours")):
        edit_digest(drafted, (f"# {HEADLINE}\n", f"# {HEADLINE}\n\nOur pick: {shown}.\n"))
        r = cli(drafted, "digest", "render", "2026-10", "--out", str(tmp_path / "out"))
        assert r.exit_code == 1, r.output
        at = _place(drafted, f"Our pick: {shown}", shown.strip("`[").split("]")[0])
        assert f"{at}: the e-mail would show the address of a paid link {told}" in r.output
        assert "no label and no disclosure" in r.output and not (tmp_path / "out").exists()
        edit_digest(drafted, (f"\n\nOur pick: {shown}.\n", "\n"))
    # an Amazon address as the words of an eBay link: shown, and Amazon forbids e-mail
    edit_digest(drafted, (f"# {HEADLINE}\n", f"# {HEADLINE}\n\nOur pick: [{AMAZON}]({EBAY}).\n"))
    r = cli(drafted, "digest", "render", "2026-10", "--out", str(tmp_path / "out"))
    assert r.exit_code == 1 and "address of a paid link of amazon" in r.output, r.output
    assert f"{_place(drafted, 'Our pick: ', AMAZON)}: the e-mail would show" in r.output
    edit_digest(drafted, (f"\n\nOur pick: [{AMAZON}]({EBAY}).\n", "\n"))
    edit_digest(drafted, ("preheader: \"", f"preheader: \"Deals: {EBAY} "))
    r = cli(drafted, "digest", "render", "2026-10", "--out", str(tmp_path / "out"))
    assert r.exit_code == 1 and "would show in its preheader the address" in r.output, r.output
    assert f"{_place(drafted, 'preheader:')}: the e-mail would show" in r.output
    edit_digest(drafted, (f"Deals: {EBAY} ", ""))
    # the subject too: the first line of the text part, and the inbox shows it
    edit_digest(drafted, ("subject: \"", f"subject: \"Deals: {EBAY} "))
    r = cli(drafted, "digest", "render", "2026-10", "--out", str(tmp_path / "out"))
    assert r.exit_code == 1 and "would show in its subject the address" in r.output, r.output
    assert f"{_place(drafted, 'subject:')}: the e-mail would show" in r.output
    edit_digest(drafted, (f"Deals: {EBAY} ", ""))
    # its own address as its words, a link: labelled, and the e-mail discloses it
    edit_digest(drafted, (f"# {HEADLINE}\n", f"# {HEADLINE}\n\nOur pick: <{EBAY}>.\n"))
    text = render(cli, drafted, tmp_path / "out")["email.txt"].decode()
    assert re.search(re.escape(EBAY) + r"\s+\(paid\s+link\)", text), text
    assert text.index("We earn a commission") < text.index(EBAY)


def test_a_link_to_a_place_in_the_digest_goes_to_the_digests_page(drafted, cli, tmp_path):
    """`[below](#corrections)`: made absolute on the site's root, it led to the home page,
    in the e-mail, its text part and the web page (found in review). The e-mail's goes to
    the digest's page; web.html's, which led to that page's address, not there before the
    digest is sent (found in review 24), stays on web.html, as does a link written with
    the page's address or path."""
    edit_digest(drafted, (f"# {HEADLINE}\n", f"# {HEADLINE}\n\nSee [the corrections]"
                          "(#corrections) below, [again](/digests/2026-10#corrections).\n"))
    files = render(cli, drafted, tmp_path / "out")
    page = "https://local-ai-catalog.org/digests/2026-10#corrections"
    html = files["email.html"].decode()
    assert html.count(f'href="{page}"') == 2 and 'href="#' not in html
    web = files["web.html"].decode()
    assert web.count('href="#corrections"') == 2 and page not in web
    assert '<h2 id="corrections">Corrections</h2>' in web
    for html in (html, web):
        assert "local-ai-catalog.org/#corrections" not in html
    assert f"the corrections <{page}>" in " ".join(files["email.txt"].decode().split())



def test_the_place_a_link_in_the_digest_names_is_on_its_page(drafted, cli, tmp_path):
    """`[below](#corrections)` led, from the e-mail and the page, to a page whose headings
    had no ids: it opened at the top (found in review 23). The page's headings now carry
    the ids an entry page's would; a link to a place no heading is, is a warning."""
    edit_digest(drafted, (f"# {HEADLINE}\n", f"# {HEADLINE}\n\nSee [the corrections]"
                          "(#corrections) below, and [the rest](#nowhere).\n"))
    r = cli(drafted, "digest", "render", "2026-10", "--out", str(tmp_path / "out"))
    assert r.exit_code == 0, r.output
    web = (tmp_path / "out/web.html").read_text(encoding="utf-8")
    email = (tmp_path / "out/email.html").read_text(encoding="utf-8")
    assert '<h2 id="corrections">Corrections</h2>' in web, web
    assert 'href="https://local-ai-catalog.org/digests/2026-10#corrections"' in email
    lines = (drafted / "digests/2026-10.md").read_text(encoding="utf-8").split("\n")
    at = next(i for i, line in enumerate(lines) if "#nowhere" in line)
    assert (f"digests/2026-10.md:{at + 1}:{lines[at].index('[the rest]') + 1}: warning: a link "
            "to #nowhere, which no heading") in r.output
    assert "#corrections, which" not in r.output


def test_a_heading_with_a_line_break_gets_the_id_it_reads_as(drafted, cli, tmp_path):
    """`## One<br>Two` got the id `onetwo` on the page (the words run together), so a link
    to `#one-two` was warned of; in the text part only its last line was underlined, the
    first reading as a paragraph of its own (found in review 23). The id is `one-two`, and
    the text part's heading is one line, underlined whole."""
    edit_digest(drafted, (f"# {HEADLINE}\n", f"# {HEADLINE}\n\nSee [below](#one-two).\n\n"
                          "## One<br>Two\n\nWords.\n"))
    r = cli(drafted, "digest", "render", "2026-10", "--out", str(tmp_path / "out"))
    assert r.exit_code == 0, r.output
    assert '<h2 id="one-two">One<br>Two</h2>' in (tmp_path / "out/web.html").read_text(
        encoding="utf-8")
    assert "#one-two" not in r.output, r.output
    assert "\nOne Two\n-------\n" in (tmp_path / "out/email.txt").read_text(encoding="utf-8")


def test_a_link_to_no_place_is_named_where_the_link_is(drafted, cli, tmp_path):
    """The warning of a link to a place no heading has stood at the first line with
    `#nowhere` in it, in code or in words, not at the link (found in review 23): it
    stands at the link's line and column, here the second link of a list item's line."""
    edit_digest(drafted, (f"# {HEADLINE}\n", f"# {HEADLINE}\n\nWrite `[x](#nowhere)` for a "
                          "place; #nowhere is none.\n\n- See [this](#corrections) and [the "
                          "rest](#nowhere).\n"))
    r = cli(drafted, "digest", "render", "2026-10", "--out", str(tmp_path / "out"))
    assert r.exit_code == 0, r.output
    lines = (drafted / "digests/2026-10.md").read_text(encoding="utf-8").split("\n")
    at = next(i for i, line in enumerate(lines) if "[the rest]" in line)
    assert (f"digests/2026-10.md:{at + 1}:{lines[at].index('[the rest]') + 1}: warning: a link "
            "to #nowhere, which no heading") in r.output, r.output
    assert r.output.count("a link to #nowhere") == 1


DROPPED = ("Before.\n\n<div>Important note</div>\n\n<!-- to check --> See the notes.\n\n"
           "<details>\n<summary>More on it</summary>\n\nThe rest.\n\n</details>\n\n"
           "A chart: <img src=\"/c.png\" alt=\"tokens per second\">.\n\n<!-- a note of mine -->\n")


def _line(root, needle: str) -> int:
    lines = (root / "digests/2026-10.md").read_text(encoding="utf-8").split("\n")
    return next(i for i, line in enumerate(lines) if needle in line) + 1


def _place(root, needle: str, at: str | None = None) -> str:
    """`line:column` of `at` (`needle` by default) on the first line with `needle`."""
    line = _line(root, needle)
    row = (root / "digests/2026-10.md").read_text(encoding="utf-8").split("\n")[line - 1]
    return f"{line}:{row.index(at or needle) + 1}"


def test_words_raw_html_drops_are_named_at_their_line(drafted, cli, tmp_path):
    """`<div>Important note</div>` on a line of its own (an HTML block) went out of the
    e-mail and the page whole, its words too, and so did the text after a comment that
    starts a line, a `<details>`' summary and an `<img>`'s alt text, without a word (found
    in review 23). The render and the draft name each at its line and column (given no
    column: found in review 23), the comment's at the words after it; a comment alone on
    its line (the editor's note) is no loss."""
    edit_digest(drafted, (f"# {HEADLINE}\n", f"# {HEADLINE}\n\n{DROPPED}"))
    files = render(cli, drafted, tmp_path / "out")
    assert "Important note" not in files["web.html"].decode()  # dropped, as documented
    for command in (("render", "2026-10", "--out", str(tmp_path / "out")),
                    ("draft", "2026-10")):
        r = cli(drafted, "digest", *command)
        assert r.exit_code == 0, r.output
        at = f"digests/2026-10.md:{_place(drafted, '<div>')}: warning: raw HTML (`<div>`) is "
        assert at + "dropped from the e-mail and the web page, and its words ('Important " \
            "note') with it: write the words as Markdown" in r.output, command
        assert (f"digests/2026-10.md:{_place(drafted, 'to check', 'See')}: warning: the text "
                "after the "
                "comment on this line ('See the notes.') is dropped") in r.output
        assert (f"digests/2026-10.md:{_place(drafted, '<details>')}: warning: raw HTML "
                "(`<details>`) is dropped from the e-mail and the web page, and its words "
                "('More on it')") in r.output
        assert (f"digests/2026-10.md:{_place(drafted, '<img')}: warning: raw HTML (`<img>`) is "
                "dropped from the e-mail and the web page, and its alt text 'tokens per "
                "second'") in r.output
        assert "a note of mine" not in r.output and "The rest" not in r.output
        assert "pipeline:" not in r.output  # the markers are no loss


def test_a_tables_words_the_e_mail_drops_are_named_at_their_line(drafted, cli, tmp_path):
    """A row with a cell more than its header (a `|` in code makes one) lost its last cell,
    and rows with no delimiter row under the first ran together as one paragraph, in the
    e-mail and on the page, without a word (found in review 23)."""
    edit_digest(drafted, (f"# {HEADLINE}\n", f"# {HEADLINE}\n\n| GPU | VRAM |\n|---|---|\n"
                          "| 4090 | 24 GB | the fastest |\n| `a|b` | 8 GB |\n\n"
                          "| Tool | Verdict |\n| vLLM | recommended |\n"))
    r = cli(drafted, "digest", "render", "2026-10", "--out", str(tmp_path / "out"))
    assert r.exit_code == 0, r.output
    assert "the fastest" not in (tmp_path / "out/web.html").read_text(encoding="utf-8")
    row = "digests/2026-10.md:{}: warning: this row of the table has more cells than its " \
        "header row, and the e-mail and the web page drop what comes after them ('{}')"
    assert row.format(_place(drafted, "the fastest"), "the fastest |") not in r.output
    assert row.format(_place(drafted, "the fastest"), "the fastest") in r.output
    assert row.format(_place(drafted, "`a|b`", "8 GB"), "8 GB") in r.output
    assert (f"digests/2026-10.md:{_line(drafted, '| Tool |')}:1: warning: these 2 rows of bars "
            "are no table, since no delimiter row") in r.output


def test_a_link_written_as_raw_html_is_named_as_no_link(drafted, cli, tmp_path):
    """`<a href="...">the paper</a>` kept its words and lost its link, in the e-mail and on
    the page, without a word (found in review 23)."""
    edit_digest(drafted, (f"# {HEADLINE}\n", f"# {HEADLINE}\n\nRead <a href=\"https://"
                          "example.org/paper\">the paper</a>, not `<a href=\"/x\">`.\n"))
    r = cli(drafted, "digest", "render", "2026-10", "--out", str(tmp_path / "out"))
    assert r.exit_code == 0, r.output
    assert "example.org/paper" not in (tmp_path / "out/web.html").read_text(encoding="utf-8")
    line = (drafted / "digests/2026-10.md").read_text(encoding="utf-8").split("\n")[
        _line(drafted, "the paper") - 1]
    assert (f"digests/2026-10.md:{_line(drafted, 'the paper')}:"
            f"{line.index('https://') + 1}: warning: a link written as raw HTML (`<a href=\"https://"
            "example.org/paper\">`) is no link in the e-mail or on the web page, only its "
            "words: write it as a Markdown link") in r.output
    assert 'href="/x"' not in r.output  # in code: as typed


def test_an_image_with_no_alt_text_is_named_at_its_line(drafted, cli, tmp_path):
    """`![](/c.png)`: the e-mail and the page show an image as its alt text, so one with
    none was not there at all (nor the link it was the words of), without a word (found in
    review 23). The render and the draft name each at its line and column; one in code is
    as typed, and one with alt text is shown."""
    edit_digest(drafted, (f"# {HEADLINE}\n", f"# {HEADLINE}\n\nA chart: ![](/c.png), not "
                          "`![](/x.png)`.\n\n[![ ](/badge.png)](https://example.org) and "
                          "![tokens per second](/t.png)\n"))
    files = render(cli, drafted, tmp_path / "out")
    assert "A chart: , not" in files["web.html"].decode()  # not there, as the warning says
    lines = (drafted / "digests/2026-10.md").read_text(encoding="utf-8").split("\n")
    for command in (("render", "2026-10", "--out", str(tmp_path / "out")),
                    ("draft", "2026-10")):
        r = cli(drafted, "digest", *command)
        assert r.exit_code == 0, r.output
        for needle, shown in (("![](/c.png)", "/c.png"), ("![ ](/badge.png)", "/badge.png")):
            at = next(i for i, line in enumerate(lines) if needle in line)
            assert (f"digests/2026-10.md:{at + 1}:{lines[at].index(needle) + 1}: warning: an "
                    f"image with no alt text (`![]({shown})`) is not shown in the e-mail or on "
                    "the web page") in r.output, command
        assert "/x.png" not in r.output and "/t.png" not in r.output


def test_a_tables_row_with_fewer_cells_than_its_header_is_no_loss(drafted, cli, tmp_path):
    """A row short of a cell (GitHub gives it an empty one, at column 0 of cmark's XML) was
    told "has more cells than its header row" and that its words were dropped (found in
    review 23)."""
    edit_digest(drafted, (f"# {HEADLINE}\n", f"# {HEADLINE}\n\n| GPU | VRAM | Verdict |\n"
                          "|---|---|---|\n| 4090 | 24 GB |\n| 3090 | 24 GB | good |\n"))
    r = cli(drafted, "digest", "render", "2026-10", "--out", str(tmp_path / "out"))
    assert r.exit_code == 0, r.output
    assert "4090" in (tmp_path / "out/web.html").read_text(encoding="utf-8")
    assert "more cells than its header" not in r.output, r.output


def test_an_images_alt_text_is_named_at_the_line_of_each_image(drafted, cli, tmp_path):
    """An `<img>` whose tag runs on to the next line was named at the body's first line,
    one in code (no image) taken for the one after it, and a second one like it not named
    (found in review 23)."""
    edit_digest(drafted, (f"# {HEADLINE}\n", f"# {HEADLINE}\n\nCode: `<img alt=\"speed\">`.\n\n"
                          "A chart <img src=\"/c.png\"\nalt=\"speed\"> here.\n\n"
                          "Again: <img src=\"/c.png\" alt=\"speed\">.\n"))
    r = cli(drafted, "digest", "render", "2026-10", "--out", str(tmp_path / "out"))
    assert r.exit_code == 0, r.output
    named = [line.split(":")[1] for line in r.output.splitlines() if "(`<img>`)" in line]
    assert named == [str(_line(drafted, "A chart")), str(_line(drafted, "Again:"))], r.output


def test_a_link_to_an_entry_not_published_is_a_warning_of_the_render(drafted, cli, tmp_path):
    """The e-mail led readers to a 404: render checked only that the entry's file is there
    (found by the review 23 fuzzer). It warns at the link; the build refuses it once the
    digest is sent."""
    from conftest import MINI, write_entry

    write_entry(drafted, "glossary/upcoming", dict(MINI["glossary/awq"], status="draft",
                                                   title="Upcoming"))
    edit_digest(drafted, (f"# {HEADLINE}\n", f"# {HEADLINE}\n\nSoon: [this](/glossary/upcoming)"
                          " and [vLLM](/tools/vllm).\n"))
    lines = (drafted / "digests/2026-10.md").read_text(encoding="utf-8").split("\n")
    at = next(i for i, line in enumerate(lines) if "/glossary/upcoming" in line)
    r = cli(drafted, "digest", "render", "2026-10", "--out", str(tmp_path / "out"))
    assert r.exit_code == 0, r.output
    assert (f"digests/2026-10.md:{at + 1}:{lines[at].index('/glossary/upcoming') + 1}: "
            "warning: link to /glossary/upcoming: 'glossary/upcoming' is draft, not published: readers "
            "of the e-mail get no page there") in " ".join(r.output.split()), r.output
    assert "/tools/vllm:" not in r.output


def test_the_warnings_read_as_validates_in_the_order_of_their_lines(drafted, cli, tmp_path):
    """The render's warnings read `warning: digests/2026-10.md:12:5: ...`, where validate
    and the build's errors of a digest put the place first (`file:line:column: warning
    rule: ...`), and came in the order of the checks that found them, not of their lines
    (found in review 23). The place comes first, then `warning:`, and they are listed by
    line and column, the file's own (its status) first."""
    edit_digest(drafted, (f"# {HEADLINE}\n", f"# {HEADLINE}\n\nSee [the rest](#nowhere).\n\n"
                          "<div>Important note</div>\n\nGet [the file](ftp://e.org/f).\n"))
    r = cli(drafted, "digest", "render", "2026-10", "--out", str(tmp_path / "out"))
    assert r.exit_code == 0, r.output
    lines = (drafted / "digests/2026-10.md").read_text(encoding="utf-8").split("\n")
    nowhere, ftp = _line(drafted, "#nowhere"), _line(drafted, "ftp:")
    warned = [line for line in r.output.splitlines() if " warning: " in line]
    assert [w.split(" warning: ")[0] for w in warned] == [
        f"digests/2026-10.md:{_line(drafted, 'status:')}:1:",
        f"digests/2026-10.md:{nowhere}:{lines[nowhere - 1].index('[the rest]') + 1}:",
        f"digests/2026-10.md:{_line(drafted, '<div>')}:1:",
        f"digests/2026-10.md:{ftp}:{lines[ftp - 1].index('[the file]') + 1}:",
        f"digests/2026-10.md:{_line(drafted, 'TODO')}:1:"], r.output  # (the draft's)
