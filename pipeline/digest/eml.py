"""The digest as one e-mail message (`.eml`): multipart/alternative, text first."""

from __future__ import annotations

import hashlib
from email import policy
from email.errors import HeaderParseError
from email.message import EmailMessage

from ..errors import SettingsError


def build_eml(*, subject: str, sender: str, reply_to: str, unsubscribe_url: str,
              text: str, html: str) -> bytes:
    """The message's bytes (CRLF line ends), the same for the same input.

    Subject, From, Reply-To (when set), List-Unsubscribe with the HTTPS URL,
    and List-Unsubscribe-Post for one-click unsubscribing (RFC 8058). No To,
    Date or Message-ID: the sending service sets them per recipient.
    """
    msg = EmailMessage(policy=policy.SMTP)
    try:
        msg["From"] = sender
        if reply_to:
            msg["Reply-To"] = reply_to
    except (HeaderParseError, ValueError, IndexError) as e:
        raise SettingsError(f"pipeline.toml: [email] from or reply_to is not an address: {e}") from None
    msg["Subject"] = subject
    msg["List-Unsubscribe"] = f"<{unsubscribe_url}>"
    msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg.set_content(text, subtype="plain", charset="utf-8", cte="quoted-printable")
    msg.add_alternative(html, subtype="html", charset="utf-8", cte="quoted-printable")
    seed = hashlib.sha256((subject + text + html).encode("utf-8")).hexdigest()[:32]
    msg.set_boundary(f"=_digest_{seed}")
    return msg.as_bytes()
