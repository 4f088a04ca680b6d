"""Commands of `pipeline` for digest (to be written)."""
