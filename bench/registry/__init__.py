"""Benchmark of the registry: python -m bench.registry."""
