"""Build the channel a robot's letters leave by, from its robot file and the settings."""

from __future__ import annotations

from typing import TYPE_CHECKING

from runner.channels.base import Channel
from runner.channels.folder import FolderChannel
from runner.errors import ConfigurationError
from runner.models.robot import RobotDefinition
from runner.settings import Settings

if TYPE_CHECKING:
    from runner.channels.svarut import SvarUtChannel


def make_channel(settings: Settings, robot: RobotDefinition) -> Channel:
    """Folder (the default), SMTP (needs [smtp]; [imap] for proof after a crash), work items or
    Fiks IO (needs [kommune.fiks_io]) or SvarUt (needs [kommune.svarut])."""
    config = robot.channel
    if config.kind == "smtp":
        if settings.smtp is None:
            raise ConfigurationError(
                f"Robot {robot.id} sends letters by e-mail, but the settings have no [smtp]",
                fix="Add [smtp] with host, port and sender (password in SAKSROBOT_SMTP__PASSWORD).",
            )
        from runner.channels.smtp import SmtpChannel

        malform = settings.kommune.malform if settings.kommune.malform in ("nb", "nn") else "nb"
        return SmtpChannel(
            settings.smtp, settings.imap, kommune=settings.kommune.name, malform=malform
        )
    if config.kind == "workitems":
        from runner.channels.workitems import WorkItemsChannel

        return WorkItemsChannel(settings.data_dir / config.path)
    if config.kind == "fiksio":
        from runner.channels.fiksio import FiksIoChannel
        from runner.fiksio.setup import fiks_io_client

        account = settings.kommune.fiks_io
        source = robot.source
        messages = settings.data_dir / source.path if source.kind == "fiksio" else None
        if account is None or (account.letter_receiver is None and messages is None):
            raise ConfigurationError(
                f"Robot {robot.id} sends letters over Fiks IO, but the kommune has no Fiks IO "
                "account, or no letter_receiver for cases that did not come over Fiks IO",
                fix="Set [fiks_io] in the kommune's file with the account settings and "
                "letter_receiver (the Fiks IO account the letters go to).",
            )
        return FiksIoChannel(
            lambda: fiks_io_client(account, settings.kommune.maskinporten),
            receiver=account.letter_receiver,
            message_type=config.message_type,
            messages=messages,
        )
    if config.kind == "svarut":
        channel = svarut_channel(settings)
        if channel is None:
            raise ConfigurationError(
                f"Robot {robot.id} sends letters through SvarUt, but the kommune has no [svarut]",
                fix="Set [svarut] in the kommune's file: account_id, integration_id, the "
                "password file, and [maskinporten] (docs/national-components.md).",
            )
        return channel
    return FolderChannel(settings.outbox)


def svarut_channel(settings: Settings) -> SvarUtChannel | None:
    """The SvarUt account the deployment's letters go through: the default kommune's
    [svarut] (None without one). Its letters' statuses are followed from the same account."""
    from runner.channels.svarut import SvarUtChannel, svarut_client

    svarut = settings.kommune.svarut
    if svarut is None:
        return None
    maskinporten = settings.kommune.maskinporten
    return SvarUtChannel(lambda: svarut_client(svarut, maskinporten), svarut)
