"""The digest as one e-mail message (`.eml`): multipart/alternative, text first."""

from __future__ import annotations

import hashlib
from email import policy
from email.errors import HeaderParseError
from email.message import EmailMessage

from ..errors import SettingsError


# Quoted-printable lines of at most 76 characters (RFC 2045, 6.7; Python's SMTP policy
# allows 78, which spam filters score); headers set with set_raw are written as they are.
_POLICY = policy.SMTP.clone(max_line_length=76, refold_source="none")
# A header line may hold 998 characters (RFC 5322, 2.1.1): with `List-Unsubscribe: <>`.
MAX_UNSUBSCRIBE_URL = 900


def unsubscribe_problem(url: str) -> str | None:
    """Why `url` cannot be the List-Unsubscribe address, or None. It goes on one header
    line as it is: folded, Python encodes a long address as RFC 2047 words, which that
    header may not hold, and mail services then find no one-click unsubscribe (found in
    review: every per-subscriber address, over about 58 characters, was mangled)."""
    if not url.isascii() or any(c.isspace() or ord(c) < 32 or ord(c) == 127 or c in "<>"
                                for c in url):
        return ("holds a space, a control character, `<`, `>` or a non-ASCII character; "
                "percent-encode it")
    if len(url) > MAX_UNSUBSCRIBE_URL:
        return f"is {len(url)} characters long, over the {MAX_UNSUBSCRIBE_URL} one header line holds"
    return None


def build_eml(*, subject: str, sender: str, reply_to: str, unsubscribe_url: str,
              text: str, html: str) -> bytes:
    """The message's bytes (CRLF line ends), the same for the same input.

    Subject, From, Reply-To (when set), List-Unsubscribe with the HTTPS URL on
    one line, and List-Unsubscribe-Post for one-click unsubscribing (RFC 8058).
    No To, Date or Message-ID: the sending service sets them per recipient.
    """
    msg = EmailMessage(policy=_POLICY)
    try:
        msg["From"] = sender
        if reply_to:
            msg["Reply-To"] = reply_to
    except (HeaderParseError, ValueError, IndexError) as e:
        raise SettingsError(f"pipeline.toml: [email] from or reply_to is not an address: {e}") from None
    msg["Subject"] = subject
    problem = unsubscribe_problem(unsubscribe_url)
    if problem:
        raise SettingsError(f"pipeline.toml: [email] unsubscribe_url {problem}")
    msg.set_raw("List-Unsubscribe", f"<{unsubscribe_url}>")
    msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg.set_content(text, subtype="plain", charset="utf-8", cte="quoted-printable")
    msg.add_alternative(html, subtype="html", charset="utf-8", cte="quoted-printable")
    seed = hashlib.sha256((subject + text + html).encode("utf-8")).hexdigest()[:32]
    msg.set_boundary(f"=_digest_{seed}")
    return msg.as_bytes()
