"""MongoDB repositories, the SMTP pool and the calendar client of the notifier."""
