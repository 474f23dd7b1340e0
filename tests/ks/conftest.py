"""The KS fixtures (tests/ks/fixtures.py)."""

from tests.ks.fixtures import maskinporten, maskinporten_settings, virksomhet_keys

__all__ = ["maskinporten", "maskinporten_settings", "virksomhet_keys"]
