"""Decide what a calendar entry is, how it changes and how it looks as iCalendar."""
