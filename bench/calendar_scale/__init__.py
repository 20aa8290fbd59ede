"""A 10,000-entry calendar: cold render, one change until visible, memory."""
