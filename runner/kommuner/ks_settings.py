"""A kommune's login to KS Fiks, shared by its Fiks IO and SvarUt accounts: the integration."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated
from uuid import UUID

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

__all__ = ["KsIntegrationSettings", "SecretPath"]


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
    access_token_file: SecretPath = Field(
        description="File holding a current Maskinporten access token (scope ks:fiks)"
    )
