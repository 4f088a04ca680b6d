"""The characters no text shown to readers may hold (pipeline.textchars)."""

from pipeline.textchars import INVISIBLE, may_hold_invisible


def test_the_byte_scan_finds_every_invisible_character_and_no_other():
    """decode() looks at the bytes of a file before its text; the scan must miss none of
    INVISIBLE's characters, among others of one to four bytes, and take no other."""
    for code in range(0x110000):
        if 0xD800 <= code <= 0xDFFF:
            continue  # no surrogate is UTF-8
        char = chr(code)
        data = f"café\t{char}\r\n€ 😀".encode()
        assert may_hold_invisible(data) == bool(INVISIBLE.match(char)), hex(code)


def test_plain_text_needs_no_search():
    assert not may_hold_invisible(b"")
    assert not may_hold_invisible(b"---\ntitle: T\n---\nTabs\tand CRLF\r\n")
    assert not may_hold_invisible("No-break\u00a0space, NEL \u0085, U+FFFD \ufffd".encode())
    assert may_hold_invisible(b"ESC \x1b[31m")


def test_every_message_names_an_invisible_character_alike(catalog, cli):
    """The loader said `U+001B (ESC)`, the escape in YAML, the settings and a digest's
    subject `U+001B` (found in review): one helper names them."""
    from conftest import MINI, write_entry
    from pipeline.textchars import named

    assert named("\x1b") == "U+001B (ESC)" and named("\x01") == "U+0001"
    write_entry(catalog, "tools/vllm", MINI["tools/vllm"], "Colour \x1b[31m.\n")
    write_entry(catalog, "tools/ollama", MINI["tools/vllm"] | {"title": "Red\x1b[31m"})
    r = cli(catalog, "validate")
    assert r.output.count("character U+001B (ESC)") == 2, r.output
