"""Mail server settings ([smtp], [imap]) and RPA.Email.ImapSmtp connections made from them."""

from __future__ import annotations

import contextlib
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from runner.errors import ApplicationError, SourceError


class _MailServer(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    host: str = Field(description="Server name or address")
    username: str = ""
    password: SecretStr = Field(
        default=SecretStr(""), description="Set it with SAKSROBOT_SMTP__PASSWORD, not in the file"
    )


class SmtpSettings(_MailServer):
    """Where letters are sent by e-mail (STARTTLS when the server offers it)."""

    port: Annotated[int, Field(ge=1, le=65535)] = 587
    sender: str = Field(description="From address, e.g. 'Askøy kommune <post@askoy.kommune.no>'")
    subject: dict[str, str] = Field(
        default_factory=lambda: {"nb": "Vedtak i sak {reference}", "nn": "Vedtak i sak {reference}"}
    )


class ImapSettings(_MailServer):
    """The mailbox cases arrive in (IMAP over TLS), and where sent letters are filed."""

    port: Annotated[int, Field(ge=1, le=65535)] = 993
    sent_folder: str | None = Field(
        default="Sent",
        description="Copies of sent letters go here; reconciliation after a crash looks here",
    )


def imap_library(settings: ImapSettings) -> Any:
    """An RPA.Email.ImapSmtp library logged in to the IMAP server (credentials never logged)."""
    from RPA.Email.ImapSmtp import ImapSmtp

    library = ImapSmtp(imap_server=settings.host, imap_port=settings.port)
    try:
        library.authorize_imap(
            account=settings.username, password=settings.password.get_secret_value()
        )
    except Exception as error:  # imaplib.IMAP4.error, OSError, ssl.SSLError
        close_imap(library)
        raise SourceError(
            f"Cannot log in to IMAP server {settings.host}:{settings.port} "
            f"as {settings.username}: {type(error).__name__}",
            fix="Check [imap] host, port, username and SAKSROBOT_IMAP__PASSWORD.",
        ) from error
    if library.imap_conn is None:
        raise SourceError(
            f"No IMAP connection to {settings.host}:{settings.port}",
            fix="Set [imap] host, username and password in the settings.",
        )
    return library


def smtp_library(settings: SmtpSettings) -> Any:
    """An RPA.Email.ImapSmtp library connected (and logged in, if configured) to SMTP."""
    from RPA.Email.ImapSmtp import ImapSmtp

    library = ImapSmtp(smtp_server=settings.host, smtp_port=settings.port)
    password = settings.password.get_secret_value()
    try:
        library.authorize_smtp(account=settings.username or None, password=password or None)
    except Exception as error:  # smtplib.SMTPException, OSError
        raise ApplicationError(
            f"Cannot connect to SMTP server {settings.host}:{settings.port}: "
            f"{type(error).__name__}",
            fix="Check [smtp] host, port, username and SAKSROBOT_SMTP__PASSWORD.",
        ) from error
    if library.smtp_conn is None:
        raise ApplicationError(
            f"No SMTP connection to {settings.host}:{settings.port}",
            fix="Check [smtp] host and port in the settings.",
        )
    return library


def close_imap(library: Any) -> None:
    """Log out without raising: the work is already committed when this runs."""
    connection = getattr(library, "imap_conn", None)
    if connection is None:
        return
    with contextlib.suppress(Exception):  # a dead connection is closed anyway
        connection.logout()
    library.imap_conn = None
