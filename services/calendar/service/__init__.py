"""Use cases of the calendar service: commands, registry deadlines, seed, feeds."""
