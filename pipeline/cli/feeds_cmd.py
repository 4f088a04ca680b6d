"""Commands of `pipeline` for feeds (to be written)."""
