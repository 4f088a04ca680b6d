"""The catalog's git history: revisions by date, tree diffs, renames, corrections."""
