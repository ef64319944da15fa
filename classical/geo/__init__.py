"""Land-cover maps from rasters: read, train, classify by blocks, assess.

Multi-band rasters (any file GDAL reads, or an in-memory ``(H, W, B)`` array
with its ``transform`` and ``crs``) are read in windows, so a scene of any size
is classified in bounded memory, per pixel or per tile, on this machine or on
a Dask cluster, into a tiled GeoTIFF class map. Labels come from a label
raster or a vector file; accuracy and class areas are assessed with the
stratified estimators of Olofsson et al. (2014).

``import classical.geo`` always works. Reading and writing files needs the
``geo`` extra (rasterio, pyogrio) and a cluster the ``dask`` extra; without
them the functions that need them raise an :class:`ImportError` giving the
``pip install`` line. :func:`area_estimates` and the pixel transformers need
neither. Names are loaded on first use (:pep:`562`), as in :mod:`classical`.
"""

import importlib

_NAMES = {
    "Raster": "_raster",
    "Window": "_raster",
    "open_raster": "_raster",
    "RasterSample": "_samples",
    "load_sample": "_samples",
    "SENSOR_BANDS": "_indices",
    "SpectralIndices": "_indices",
    "band_roles": "_indices",
    "spectral_indices": "_indices",
    "NeighbourhoodFeatures": "_neighbourhood",
    "ClassSizePCA": "_reduce",
    "ClassValidationError": "_labels",
    "read_labels": "_labels",
    "validate_classes": "_labels",
    "polygon_groups": "_sampling",
    "sample_pixels": "_sampling",
    "spatial_block_groups": "_sampling",
    "split_pixels": "_sampling",
    "fit_raster": "_fit",
    "classify_raster": "_classify",
    "classify_array": "_dask",
    "area_estimates": "_accuracy",
    "assess_map": "_assess",
    "sample_points": "_points",
}

__all__ = sorted(_NAMES)


def __getattr__(name):
    if name not in _NAMES:
        raise AttributeError(
            f"module {__name__!r} has no attribute {name!r}; its public names "
            f"are {', '.join(__all__)}.")
    value = getattr(importlib.import_module(f"{__name__}.{_NAMES[name]}"), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))
