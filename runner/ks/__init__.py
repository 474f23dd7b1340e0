"""KS Fiks: the integration's login and the one way its requests are sent (Fiks IO, SvarUt)."""

from runner.ks.integration import KsIntegration, KsService, integration_for, read_secret

__all__ = ["KsIntegration", "KsService", "integration_for", "read_secret"]
