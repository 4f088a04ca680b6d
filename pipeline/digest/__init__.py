"""The monthly digest: draft `digests/YYYY-MM.md` from history and feeds, then render it.

`draft` writes or refreshes the Markdown file (generated blocks are marked,
the editor's words are kept); `render` turns it into the e-mail (MJML HTML,
plain text, .eml) and the archive page. The file format is in `document`;
docs/digest.md is the editors' guide.

Nothing is imported here: `pipeline.digest.draft.draft` and
`pipeline.digest.render.render` are the entry points. The build reads `month`,
and `render` only when a digest was sent; importing drafting, history and feeds
with them cost every build 0.1 s.
"""
