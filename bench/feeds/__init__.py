"""Benchmark: the calendar feed against nginx (static bytes) and Radicale."""
