"""The monthly digest: draft `digests/YYYY-MM.md` from history and feeds, then render it.

`draft` writes or refreshes the Markdown file (generated blocks are marked,
the editor's words are kept); `render` turns it into the e-mail (MJML HTML,
plain text, .eml) and the archive page. The file format is in `document`;
docs/digest.md is the editors' guide.
"""

from .draft import DraftResult, draft
from .render import RenderResult, render

__all__ = ["DraftResult", "RenderResult", "draft", "render"]
