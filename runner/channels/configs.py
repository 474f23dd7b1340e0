"""Robot-file settings of the channels beyond the outbox folder: SMTP and output work items."""

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
