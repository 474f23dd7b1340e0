"""Channels letters leave by: an outbox folder."""

from runner.channels.base import Channel, Delivery, Letter
from runner.channels.folder import FolderChannel

__all__ = ["Channel", "Delivery", "FolderChannel", "Letter"]
