"""Commands of `pipeline` for changes (to be written)."""
