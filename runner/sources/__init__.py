"""Sources of incoming cases: a drop folder and Robocorp work items."""

from runner.sources.base import RawItem, Source
from runner.sources.folder import FolderSource
from runner.sources.workitems import WorkItemsSource

__all__ = ["FolderSource", "RawItem", "Source", "WorkItemsSource"]
