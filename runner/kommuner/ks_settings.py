"""A kommune's login to KS Fiks, shared by its Fiks IO and SvarUt accounts: the integration and
the Maskinporten client that gets its access tokens."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Self
from uuid import UUID

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

__all__ = ["KsIntegrationSettings", "MaskinportenSettings", "SecretPath"]


def absolute_path(value: Path) -> Path:
    """A path to a key or secret: absolute, so it is never a file in the repository."""
    if not value.is_absolute():
        raise ValueError(
            "bruk en absolutt sti til en fil utenfor repoet, f.eks. /etc/saksrobot/fiks/nøkkel.pem"
        )
    return value


SecretPath = Annotated[
    Path,
    AfterValidator(absolute_path),
    Field(description="Absolute path, outside the repository"),
]


class KsIntegrationSettings(BaseModel):
    """The Fiks integration an account is used through (set up in Fiks Forvaltning): its id,
    and its password in a file, so no secret sits in a settings file."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    integration_id: UUID = Field(description="The Fiks integration id with access to the account")
    integration_password_file: SecretPath = Field(
        description="File holding the integration password"
    )


class MaskinportenSettings(BaseModel):
    """The kommune's Maskinporten client (ordered from Digdir in Samarbeidsportalen, with scope
    ks:fiks): saksrobot signs its grants with the virksomhetssertifikat's key and gets the
    access tokens [fiks_io] and [svarut] log in with (runner/ks/maskinporten.py).

    The grant carries the certificate (`x5c`), or with `key_id` the id (`kid`) of a key
    registered on the client instead.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    client_id: str = Field(min_length=1, description="The Maskinporten client's id (iss)")
    private_key: SecretPath = Field(
        description="The virksomhetssertifikat's RSA private key (PEM or DER)"
    )
    certificate: SecretPath | None = Field(
        default=None, description="The virksomhetssertifikat (PEM or DER), sent as x5c"
    )
    key_id: str | None = Field(
        default=None,
        min_length=1,
        description="kid of a key registered on the client, sent instead of the certificate",
    )
    key_password_file: SecretPath | None = Field(
        default=None, description="File holding the private key's password, if it has one"
    )
    issuer: str = Field(
        default="https://maskinporten.no/",
        pattern=r"^https?://\S+/$",
        description="Maskinporten's issuer (the grant's aud); test: https://test.maskinporten.no/",
    )
    token_endpoint: str | None = Field(
        default=None,
        pattern=r"^https?://\S+$",
        description="The token endpoint; empty = the issuer's, <issuer>token",
    )
    scope: str = Field(default="ks:fiks", min_length=1, description="The scope(s) asked for")

    @model_validator(mode="after")
    def _certificate_or_key_id(self) -> Self:
        if self.certificate is None and self.key_id is None:
            raise ValueError(
                "Maskinporten trenger certificate (virksomhetssertifikatet, sendes som x5c) "
                "eller key_id (kid for en nøkkel registrert på klienten)"
            )
        return self

    @property
    def token_url(self) -> str:
        """Where grants are sent."""
        return self.token_endpoint or f"{self.issuer}token"
