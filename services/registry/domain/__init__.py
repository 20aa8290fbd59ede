"""Hold the registry's pure domain: entities, workflow, operations and events (no I/O)."""
