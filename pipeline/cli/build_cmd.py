"""Commands of `pipeline` for build (to be written)."""
