"""Bring the notifier rig to the security tests (reminders and digests run on it)."""

from tests.integration.notifier.conftest import rig

__all__ = ["rig"]
