"""Mail servers for the SMTP channel tests; the local Maskinporten for SvarUt's."""

from tests.ks.fixtures import maskinporten, maskinporten_settings, virksomhet_keys
from tests.mailservers import dovecot, smtp_server

__all__ = ["dovecot", "maskinporten", "maskinporten_settings", "smtp_server", "virksomhet_keys"]
