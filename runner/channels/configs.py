"""Robot-file settings of the channels beyond the outbox folder: SMTP, work items, Fiks IO."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from runner.models.common import FrozenModel


class SmtpChannelConfig(FrozenModel):
    """Letters e-mailed to the applicant; server and sender come from [smtp] in the settings."""

    kind: Literal["smtp"]


class WorkItemsChannelConfig(FrozenModel):
    """An output work item per letter (payload: the decision record; file: the letter PDF)."""

    kind: Literal["workitems"]
    path: str = Field(
        default="workitems", description="Folder under data_dir; one sub-folder per letter"
    )


class FiksIoChannelConfig(FrozenModel):
    """Letters as KS Fiks IO messages to the account in [kommune.fiks_io] letter_receiver."""

    kind: Literal["fiksio"]
    message_type: str = Field(
        min_length=1, description="The Fiks IO message type the letters are sent as"
    )


class SvarUtChannelConfig(FrozenModel):
    """Letters through KS SvarUt from the account in [kommune.svarut]: to the applicant's
    digital mailbox (or Altinn for an organisation), else on paper unless digital_only."""

    kind: Literal["svarut"]
