"""Typed read-only accessors to collections other services own (see each module)."""
