"""Reading a map dataset into memory once: its features in the kommune's CRS, an STRtree over
them, their ids and the attribute the checks read, and the area the dataset covers."""

from __future__ import annotations

import functools
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pyogrio
import pyogrio.errors
import pyogrio.raw
import shapely
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError

from runner.errors import ConfigurationError
from runner.mapdata.settings import MapDataset

__all__ = ["Layer", "load_layer", "transform"]


@dataclass(frozen=True, eq=False)
class Layer:
    """One dataset in memory, in the kommune's CRS."""

    dataset: MapDataset
    geometries: np.ndarray  # shapely geometries
    ids: list[str]
    values: list[str | None]  # the dataset's `attribute`, as text (None where empty)
    tree: shapely.STRtree
    coverage: shapely.Geometry

    def __len__(self) -> int:
        return len(self.ids)


def transform(geometry: shapely.Geometry, source: str, target: str) -> shapely.Geometry:
    """`geometry` from CRS `source` to `target` (x = east or longitude)."""
    if source == target or _same_crs(source, target):
        return geometry
    transformer = _transformer(source, target)

    def moved(coordinates: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        east, north = transformer.transform(coordinates[:, 0], coordinates[:, 1])
        return np.column_stack([east, north]).astype(np.float64)

    return shapely.transform(geometry, moved)


@functools.lru_cache(maxsize=64)
def _same_crs(source: str, target: str) -> bool:
    return bool(CRS.from_user_input(source) == CRS.from_user_input(target))


_transformers: dict[tuple[str, str], Transformer] = {}


def _transformer(source: str, target: str) -> Transformer:
    key = (source, target)
    found = _transformers.get(key)
    if found is None:
        found = _transformers[key] = Transformer.from_crs(source, target, always_xy=True)
    return found


_cache: dict[tuple[object, ...], Layer] = {}
_lock = threading.Lock()


def load_layer(dataset: MapDataset, path: Path, crs: str) -> Layer:
    """The dataset at `path` in `crs`, read once per file version (ConfigurationError if it
    cannot be read or lacks what the settings name)."""
    try:
        stamp = path.stat().st_mtime_ns
    except OSError as error:
        raise _error(dataset, path, f"the file cannot be read ({error.strerror})") from error
    key = (dataset.model_dump_json(), str(path), stamp, crs)
    with _lock:
        found = _cache.get(key)
        if found is None:
            found = _cache[key] = _read(dataset, path, crs)
    return found


def _error(dataset: MapDataset, path: Path, reason: str) -> ConfigurationError:
    return ConfigurationError(
        f"Map dataset '{dataset.id}' ({path}): {reason}",
        fix="Check the kommune's map_data datasets in the settings against the file "
        "(see docs/mapdata.md; `ogrinfo` lists a file's layers and fields).",
    )


def _read(dataset: MapDataset, path: Path, crs: str) -> Layer:
    columns = [name for name in (dataset.attribute, dataset.id_attribute) if name]
    try:
        meta, fids, wkb, fields = pyogrio.raw.read(
            path,
            layer=dataset.layer,
            columns=columns,
            where=dataset.where,
            return_fids=True,
            **_open_options(path),
        )
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as error:
        raise _error(dataset, path, str(error)) from error
    if meta["crs"] is None:
        raise _error(dataset, path, "the layer has no coordinate system")
    names = list(meta["fields"])
    missing = [name for name in columns if name not in names]
    if missing:
        raise _error(dataset, path, f"no field {missing}; the layer has {names}")
    try:
        geometries: npt.NDArray[np.object_] = np.asarray(
            transform(shapely.from_wkb(wkb), meta["crs"], crs), dtype=object
        )
    except CRSError as error:
        raise _error(dataset, path, f"unknown coordinate system {meta['crs']}") from error
    invalid = ~shapely.is_valid(geometries)
    if invalid.any():  # repair only what needs it (make_valid on every feature is slow)
        geometries[invalid] = shapely.make_valid(geometries[invalid])
    if shapely.has_z(geometries).any():
        geometries = shapely.force_2d(geometries)
    if dataset.buffer_m:
        geometries = shapely.buffer(geometries, dataset.buffer_m)
    keep = ~shapely.is_empty(geometries) & ~shapely.is_missing(geometries)
    geometries = geometries[keep]
    column = {name: np.asarray(fields[index])[keep] for index, name in enumerate(names)}
    if dataset.id_attribute:
        ids = [str(item) for item in column[dataset.id_attribute]]
    else:
        ids = [str(item) for item in np.asarray(fids)[keep]]
    values: list[str | None] = (
        [_text(item) for item in column[dataset.attribute]]
        if dataset.attribute
        else [None] * len(ids)
    )
    return Layer(
        dataset=dataset,
        geometries=geometries,
        ids=ids,
        values=values,
        tree=shapely.STRtree(geometries),
        coverage=_coverage(dataset, path, crs, geometries),
    )


def _open_options(path: Path) -> dict[str, str]:
    """GDAL open options: GML is read without writing a schema file (.gfs) beside it."""
    return {"WRITE_GFS": "NO"} if path.suffix.lower() == ".gml" else {}


def _text(value: object) -> str | None:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value).strip()
    return text or None


def _coverage(
    dataset: MapDataset, path: Path, crs: str, geometries: np.ndarray
) -> shapely.Geometry:
    if dataset.coverage_layer is None:
        if len(geometries) == 0:
            return shapely.Polygon()
        return shapely.box(*shapely.total_bounds(geometries))
    try:
        meta, _, wkb, _ = pyogrio.raw.read(
            path, layer=dataset.coverage_layer, columns=[], **_open_options(path)
        )
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as error:
        raise _error(dataset, path, f"coverage layer: {error}") from error
    areas = transform(shapely.from_wkb(wkb), meta["crs"], crs)
    return shapely.union_all(shapely.make_valid(areas))
