"""Commands of `pipeline` for affiliates (to be written)."""
