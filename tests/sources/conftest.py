"""Mail servers for the IMAP source tests."""

from tests.mailservers import dovecot, smtp_server

__all__ = ["dovecot", "smtp_server"]
