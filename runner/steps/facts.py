"""The facts step: the robot's fact providers add verified facts to a case after it is
validated and before its rules run (today: the kommune's map data, `kind: kartdata`)."""

from __future__ import annotations

from pydantic import BaseModel

from runner.logs import get_logger
from runner.mapdata import add_map_facts
from runner.steps.context import Robot

log = get_logger("saksrobot.pipeline")


def gather_facts(robot: Robot, case: BaseModel) -> BaseModel:
    """`case` with the facts of every provider the robot declares (unchanged without any)."""
    providers = robot.definition.facts
    if not providers:
        return case
    with robot.timer.timing("facts"):
        for provider in providers:
            if provider.kind == "kartdata" and "map_facts" in type(case).model_fields:
                kommune = robot.settings.kommune_for(getattr(case, "kommunenummer", None))
                layers = robot.map_layers(kommune)
                case = add_map_facts(case, kommune.map_data, layers, today=robot.clock().date())
    return case
