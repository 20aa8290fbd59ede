"""MongoDB and in-process adapters of the calendar service."""
