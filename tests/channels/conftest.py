"""Mail servers for the SMTP channel tests."""

from tests.mailservers import dovecot, smtp_server

__all__ = ["dovecot", "smtp_server"]
