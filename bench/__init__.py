"""Benchmarks of the services: python -m bench.<service>."""
