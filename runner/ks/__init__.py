"""KS Fiks: the integration's login, its Maskinporten tokens, and the one way its requests are
sent (Fiks IO, SvarUt)."""

from runner.ks.integration import KsIntegration, KsService, integration_for
from runner.ks.keys import (
    KeyPair,
    certificate_problems,
    load_certificate,
    load_key_pair,
    load_private_key,
    read_secret,
)
from runner.ks.maskinporten import (
    GRANT_TYPE,
    AccessToken,
    MaskinportenClient,
    MaskinportenError,
    maskinporten_client,
)

__all__ = [
    "GRANT_TYPE",
    "AccessToken",
    "KeyPair",
    "KsIntegration",
    "KsService",
    "MaskinportenClient",
    "MaskinportenError",
    "certificate_problems",
    "integration_for",
    "load_certificate",
    "load_key_pair",
    "load_private_key",
    "maskinporten_client",
    "read_secret",
]
