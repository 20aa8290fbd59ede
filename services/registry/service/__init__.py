"""The registry's use cases: one async function per command."""
