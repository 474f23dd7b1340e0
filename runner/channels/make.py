"""Build the channel a robot's letters leave by, from its robot file and the settings: one
per kommune served (`KommuneChannels`), from that kommune's own accounts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from runner.channels.base import Channel
from runner.channels.folder import FolderChannel
from runner.channels.kommuner import KommuneChannels
from runner.errors import ChannelAccountError, ConfigurationError
from runner.kommuner.settings import KommuneSettings
from runner.models.robot import RobotDefinition
from runner.settings import Settings

if TYPE_CHECKING:
    from runner.channels.svarut import SvarUtChannel
    from runner.mailservers import SmtpSettings


def make_channels(settings: Settings, robot: RobotDefinition) -> KommuneChannels:
    """The robot's channels, one per kommune. The folder and work-items channels write files
    of the deployment (its outbox, its work-items folder), which the operator hands on to each
    kommune by the letter's case: no kommune's account is used, so all kommuner share one."""
    kind = robot.channel.kind
    if kind in ("folder", "workitems"):
        shared = make_channel(settings, robot, settings.kommune)
        return KommuneChannels(lambda kommune: shared)
    if kind == "smtp":
        _smtp(settings, robot)  # the deployment's server, not a kommune's: told at the start
    return KommuneChannels(lambda kommune: make_channel(settings, robot, kommune))


def make_channel(settings: Settings, robot: RobotDefinition, kommune: KommuneSettings) -> Channel:
    """The channel the robot's letters of one kommune leave by: folder (the default), SMTP
    (needs [smtp]; [imap] for proof after a crash; the kommune's name and målform in the
    e-mail), work items, Fiks IO (needs the kommune's [fiks_io]) or SvarUt (needs the
    kommune's [svarut]). A kommune without the account is told (ChannelAccountError), never
    served through another kommune's."""
    config = robot.channel
    if config.kind == "smtp":
        from runner.channels.smtp import SmtpChannel

        malform = kommune.malform if kommune.malform in ("nb", "nn") else "nb"
        smtp = _smtp(settings, robot)
        return SmtpChannel(smtp, settings.imap, kommune=kommune.name, malform=malform)
    if config.kind == "workitems":
        from runner.channels.workitems import WorkItemsChannel

        return WorkItemsChannel(settings.data_dir / config.path)
    if config.kind == "fiksio":
        from runner.channels.fiksio import FiksIoChannel
        from runner.fiksio.setup import fiks_io_client

        account = kommune.fiks_io
        source = robot.source
        messages = settings.data_dir / source.path if source.kind == "fiksio" else None
        if account is None or (account.letter_receiver is None and messages is None):
            raise ChannelAccountError(
                f"Roboten {robot.id} sender brev over Fiks IO, men {kommune.name} "
                f"({kommune.kommunenummer}) har ingen Fiks IO-konto, eller ingen "
                "letter_receiver for saker som ikke kom over Fiks IO; brevet sendes ikke "
                "gjennom en annen kommunes konto",
                fix=f"Legg [fiks_io] med letter_receiver (Fiks IO-kontoen brevene går til) i "
                f"filen til kommune {kommune.kommunenummer}, og kjør saksrobot cases retry "
                "for saken (saksrobot kommuner check viser hva som mangler)",
                text="parked_no_account",
                values=_account_values("Fiks IO", kommune),
            )
        maskinporten = kommune.maskinporten
        return FiksIoChannel(
            lambda: fiks_io_client(account, maskinporten),
            receiver=account.letter_receiver,
            message_type=config.message_type,
            messages=messages,
        )
    if config.kind == "svarut":
        channel = svarut_channel(kommune)
        if channel is None:
            raise ChannelAccountError(
                f"Roboten {robot.id} sender brev gjennom SvarUt, men {kommune.name} "
                f"({kommune.kommunenummer}) har ingen [svarut]; brevet sendes ikke gjennom "
                "en annen kommunes SvarUt-konto",
                fix=f"Legg [svarut] (account_id, integration_id, passordfilen) og [maskinporten] "
                f"i filen til kommune {kommune.kommunenummer} (docs/national-components.md), og "
                "kjør saksrobot cases retry for saken",
                text="parked_no_account",
                values=_account_values("SvarUt", kommune),
            )
        return channel
    return FolderChannel(settings.outbox)


def _account_values(channel: str, kommune: KommuneSettings) -> dict[str, object]:
    """The values of the words for a kommune without the channel's account."""
    return {"channel": channel, "kommune": kommune.name, "kommunenummer": kommune.kommunenummer}


def _smtp(settings: Settings, robot: RobotDefinition) -> SmtpSettings:
    if settings.smtp is None:
        raise ConfigurationError(
            f"Robot {robot.id} sends letters by e-mail, but the settings have no [smtp]",
            fix="Add [smtp] with host, port and sender (password in SAKSROBOT_SMTP__PASSWORD).",
        )
    return settings.smtp


def svarut_channel(kommune: KommuneSettings) -> SvarUtChannel | None:
    """The kommune's SvarUt account, which its letters go through and its letters' statuses
    are followed from (None without [svarut])."""
    from runner.channels.svarut import SvarUtChannel, svarut_client

    svarut = kommune.svarut
    if svarut is None:
        return None
    maskinporten = kommune.maskinporten
    return SvarUtChannel(lambda: svarut_client(svarut, maskinporten), svarut)
