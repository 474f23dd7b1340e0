"""Shared helpers for source tests: the demo generators, a store, a robot run."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from runner.models.robot import RobotDefinition
from runner.run import CaseReport, find_robot, run_robot
from runner.settings import CONTENT_ROOT, Settings
from runner.store import Store


def demo_module(name: str) -> ModuleType:
    """demo/<name>.py, loaded as a module (demo/ is content, not a package)."""
    spec = importlib.util.spec_from_file_location(
        f"demo_{name}", CONTENT_ROOT / "demo" / f"{name}.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    return module


def run(
    settings: Settings, store: Store, robot: str | RobotDefinition, inbox: Path | None
) -> dict[str, CaseReport]:
    """Run a robot once; its case reports by source_ref."""
    definition = find_robot(settings, robot) if isinstance(robot, str) else robot
    reports: dict[str, Any] = {}
    run_robot(
        settings,
        store,
        definition,
        inbox=inbox,
        on_case=lambda r: reports.update({r.source_ref: r}),
    )
    return reports
