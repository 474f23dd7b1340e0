"""The kommune's map data: datasets, the map checks, the facts they give a case, the map SVG."""

from runner.mapdata.checks import FactSource, MapReading, read_map
from runner.mapdata.layers import Layer, load_layer, transform
from runner.mapdata.provider import MAP_FACT_PREFIX, add_map_facts, kommune_layers, map_facts_for
from runner.mapdata.settings import DatasetKind, MapDataset, MapDataSettings

__all__ = [
    "MAP_FACT_PREFIX",
    "DatasetKind",
    "FactSource",
    "Layer",
    "MapDataSettings",
    "MapDataset",
    "MapReading",
    "add_map_facts",
    "kommune_layers",
    "load_layer",
    "map_facts_for",
    "read_map",
    "transform",
]
