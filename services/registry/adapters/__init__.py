"""Persist the registry's entities in MongoDB."""
