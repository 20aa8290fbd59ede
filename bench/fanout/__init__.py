"""Benchmark the notifier's fan-out against a plain aiosmtplib loop, and its alert latency."""
