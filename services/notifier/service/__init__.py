"""Use cases of the notifier: subscribing, fan-out, delivery and the scheduler."""
