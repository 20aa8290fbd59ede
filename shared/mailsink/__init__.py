"""Catch outgoing mail in development and tests, behind a Mailpit-compatible API."""

from shared.mailsink.server import MailSink, start_mailsink
from shared.mailsink.smtp import RcptFault

__all__ = ["MailSink", "RcptFault", "start_mailsink"]
