"""Seed data of the notifier: the demonstration subscriber (the history has no subscribers)."""
