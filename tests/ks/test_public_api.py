"""The public surface of runner.ks: every name in __all__ imports, and it is the contract."""

from __future__ import annotations

import runner.ks


def test_every_name_in_all_imports() -> None:
    for name in runner.ks.__all__:
        assert getattr(runner.ks, name) is not None


def test_all_is_the_contract() -> None:
    assert set(runner.ks.__all__) == {
        "GRANT_TYPE", "AccessToken", "KeyPair", "KsIntegration", "KsService",
        "MaskinportenClient", "MaskinportenError", "certificate_problems", "integration_for",
        "load_certificate", "load_key_pair", "load_private_key", "maskinporten_client",
        "read_secret",
    }  # fmt: skip
