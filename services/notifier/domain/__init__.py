"""Decide who hears about what and compose the emails, without any I/O."""
