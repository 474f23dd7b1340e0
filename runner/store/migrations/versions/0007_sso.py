"""Single sign-on: accounts keyed by the identity provider's issuer and subject, the ID token
a session logs out with, and logins waiting for the provider's answer.

Revision ID: 0007_sso
Revises: 0006
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_sso"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _stamp() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("sso_issuer", sa.String(500), nullable=True))
        batch.add_column(sa.Column("sso_subject", sa.String(255), nullable=True))
        batch.create_unique_constraint(
            "uq_users_sso_issuer_sso_subject", ["sso_issuer", "sso_subject"]
        )
    with op.batch_alter_table("web_sessions") as batch:
        batch.add_column(sa.Column("sso_provider", sa.String(30), nullable=True))
        batch.add_column(sa.Column("id_token", sa.Text(), nullable=True))
    op.create_table(
        "sso_logins",
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("provider", sa.String(30), nullable=False),
        sa.Column("state", sa.String(100), nullable=False),
        sa.Column("nonce", sa.String(100), nullable=False),
        sa.Column("code_verifier", sa.String(128), nullable=False),
        sa.Column("next", sa.String(500), nullable=False),
        sa.Column("expires_at", _stamp(), nullable=False),
        sa.PrimaryKeyConstraint("token_hash", name="pk_sso_logins"),
    )


def downgrade() -> None:
    op.drop_table("sso_logins")
    with op.batch_alter_table("web_sessions") as batch:
        batch.drop_column("id_token")
        batch.drop_column("sso_provider")
    with op.batch_alter_table("users") as batch:
        batch.drop_constraint("uq_users_sso_issuer_sso_subject", type_="unique")
        batch.drop_column("sso_subject")
        batch.drop_column("sso_issuer")
