"""Tiles of a scene for an image model: the grid, the pixels, their scale, the list.

A scene of ``H x W`` pixels is cut into tiles of ``tile_size`` pixels whose
origins are ``stride`` pixels apart; the class map has one cell per stride,
``ceil(H / stride) x ceil(W / stride)`` cells, and cell ``(i, j)`` covers the
pixels ``[i * stride, (i + 1) * stride)`` (clipped to the scene). Its tile is
centred on the cell: it starts ``(tile_size - stride) // 2`` pixels above and
left of the cell, so with ``stride == tile_size`` tile and cell coincide.
"""

import csv
import json
import math
import os
import tempfile
from numbers import Integral, Real
from pathlib import Path

import numpy as np

from ._raster import Window

__all__ = ["TileGrid", "Scale", "check_tile_params", "write_tile_list"]

_SAMPLE_WINDOWS = 64
_SAMPLE_PIXELS = 1 << 20
_PERCENTILES = (2.0, 98.0)
_PROPERTIES = ("row", "col", "class", "value", "code", "probability")


class TileGrid:
    """Where the tiles of a scene lie.

    Parameters
    ----------
    height, width : int
        The scene's size in pixels.
    tile_size : int
        Side of a tile in pixels.
    stride : int
        Pixels between the origins of neighbouring tiles (at most
        ``tile_size``, so every pixel is in a tile).

    Attributes
    ----------
    rows, cols : int
        Cells of the class map: ``ceil(height / stride)`` and
        ``ceil(width / stride)``.
    """

    def __init__(self, height, width, tile_size, stride):
        self.height, self.width = height, width
        self.tile_size, self.stride = tile_size, stride
        self.offset = (tile_size - stride) // 2
        self.rows = math.ceil(height / stride)
        self.cols = math.ceil(width / stride)

    def cell_windows(self, block_size):
        """Blocks of cells covering the map, each about ``block_size`` pixels wide.

        Parameters
        ----------
        block_size : int or None
            Side, in scene pixels, of the area a block classifies; None
            means 512.

        Returns
        -------
        windows : list of Window
            Row-major windows of the cell grid.
        """
        cells = max(1, (512 if block_size is None else block_size) // self.stride)
        return [Window(r, c, min(cells, self.rows - r), min(cells, self.cols - c))
                for r in range(0, self.rows, cells)
                for c in range(0, self.cols, cells)]

    def _span(self, first, count, size):
        """Scene pixels [start, stop) of cells first..first+count-1, clipped."""
        start = first * self.stride - self.offset
        stop = (first + count - 1) * self.stride - self.offset + self.tile_size
        return max(start, 0), min(stop, size)

    def source_window(self, cells):
        """The scene window holding every tile of a block of cells.

        Parameters
        ----------
        cells : Window
            A block of cells.

        Returns
        -------
        window : Window
            The pixels to read, inside the scene.
        """
        top, bottom = self._span(cells.row, cells.height, self.height)
        left, right = self._span(cells.col, cells.width, self.width)
        return Window(top, left, bottom - top, right - left)

    def tile_extent(self, row, col):
        """Scene pixels of a cell's tile inside the scene, and its padding.

        Parameters
        ----------
        row, col : int
            The cell.

        Returns
        -------
        window : Window
            The tile's pixels inside the scene.
        padding : tuple of ((int, int), (int, int))
            Rows added above and below, columns added left and right, to
            make up a full tile.
        """
        top = row * self.stride - self.offset
        left = col * self.stride - self.offset
        clipped_top = max(top, 0)
        clipped_bottom = min(top + self.tile_size, self.height)
        clipped_left = max(left, 0)
        clipped_right = min(left + self.tile_size, self.width)
        window = Window(clipped_top, clipped_left, clipped_bottom - clipped_top,
                        clipped_right - clipped_left)
        padding = ((clipped_top - top, top + self.tile_size - clipped_bottom),
                   (clipped_left - left, left + self.tile_size - clipped_right))
        return window, padding

    def tiles(self, cells, block, valid):
        """Cut the tiles of a block of cells out of the pixels read for it.

        Parameters
        ----------
        cells : Window
            The block of cells.
        block : ndarray of shape (h, w, B)
            The pixels of :meth:`source_window` ``(cells)``, as read.
        valid : ndarray of bool of shape (h, w)
            Which of those pixels hold data.

        Returns
        -------
        tiles : ndarray of shape (n_tiles, tile_size, tile_size, B)
            The tiles holding data, row-major over the cells, in the dtype of
            ``block``. The nodata pixels of a tile are filled with the mean
            of its valid pixels, band by band (rounded to the nearest
            integer for integer data). A tile that reaches past the scene's
            edge is then completed by mirroring its own pixels (NumPy
            ``'symmetric'``, the edge pixel repeated). Both depend on the
            tile's pixels only, not on the block it was cut from.
        has_data : ndarray of bool of shape (n_cells,)
            Whether each cell's tile has at least one valid pixel.
        """
        origin = self.source_window(cells)
        tiles, has_data = [], []
        for row in range(cells.row, cells.row + cells.height):
            for col in range(cells.col, cells.col + cells.width):
                window, padding = self.tile_extent(row, col)
                top, left = window.row - origin.row, window.col - origin.col
                rows = slice(top, top + window.height)
                cols = slice(left, left + window.width)
                inside = valid[rows, cols]
                has_data.append(bool(inside.any()))
                if has_data[-1]:
                    tiles.append(np.pad(_fill_nodata(block[rows, cols], inside),
                                        (*padding, (0, 0)), mode="symmetric"))
        shape = (0, self.tile_size, self.tile_size, block.shape[-1])
        stacked = np.stack(tiles) if tiles else np.empty(shape, dtype=block.dtype)
        return stacked, np.array(has_data, dtype=bool)


def _fill_nodata(pixels, valid):
    """``pixels`` (h, w, B) with each invalid pixel set to the valid pixels' mean."""
    if valid.all():
        return pixels
    mean = pixels[valid].mean(axis=0, dtype=np.float64)
    if not np.issubdtype(pixels.dtype, np.floating):
        mean = np.rint(mean)
    filled = pixels.copy()
    filled[~valid] = mean.astype(pixels.dtype)
    return filled


class Scale:
    """Map a scene's values to an image model's input range, pixel by pixel.

    Parameters
    ----------
    scale : None, 'percentile', tuple of (low, high) or callable
        None keeps the values. ``(low, high)`` (scalars, or one value per
        selected band) stretches ``low..high`` linearly to ``0..255``,
        clipped, rounded to the nearest integer and stored as uint8.
        ``'percentile'`` is that stretch with ``low`` and ``high`` the 2nd
        and 98th percentiles of each band, from :meth:`fit`. A callable
        takes a block ``(h, w, B)`` and returns the scaled block; it must
        treat each pixel on its own, or the result would depend on the
        block size. Tiles are scaled after their nodata pixels are filled
        (see :meth:`TileGrid.tiles`), so no nodata value reaches the scale.
    """

    def __init__(self, scale):
        self.scale = scale
        self.percentile = isinstance(scale, str) and scale == "percentile"
        self.limits = None
        if not (scale is None or self.percentile or callable(scale)):
            self.limits = _check_limits(scale)

    def fit(self, raster, bands):
        """Compute the percentile limits once, from a sample of the scene.

        Parameters
        ----------
        raster : Raster
            The scene.
        bands : list of int or None
            The 1-based bands the model takes.

        Returns
        -------
        self : Scale
            With ``limits`` set for ``'percentile'``.

        Notes
        -----
        The sample is the valid pixels of at most 64 of the raster's
        256-pixel blocks, evenly spread in reading order, every ``k``-th row
        and column of them so that it holds at most about a million pixels
        (``k = 1``, the whole scene, for a scene of up to a million pixels).
        """
        if not self.percentile:
            return self
        windows = raster.windows(256)
        spread = np.linspace(0, len(windows) - 1, min(len(windows), _SAMPLE_WINDOWS))
        windows = [windows[i] for i in np.unique(spread.round().astype(int))]
        total = sum(w.height * w.width for w in windows)
        step = max(1, math.ceil(math.sqrt(total / _SAMPLE_PIXELS)))
        sample = [raster.read(w, bands=bands)[::step, ::step]
                  [raster.valid_mask(w)[::step, ::step]] for w in windows]
        sample = np.concatenate(sample).astype(np.float64)
        if not len(sample):
            raise ValueError(
                "scale='percentile' found no valid pixel in its sample of the "
                "scene (the 64 blocks it reads are all nodata). Give the limits "
                "as scale=(low, high) instead.")
        low, high = np.percentile(sample, _PERCENTILES, axis=0)
        self.limits = (low, np.where(high > low, high, low + 1))
        return self

    def __call__(self, pixels):
        """The pixels scaled (see the class docstring).

        Parameters
        ----------
        pixels : ndarray of shape (..., h, w, B)
            A block, or a stack of tiles; a callable gets the stack as one
            block ``(n * h, w, B)``.

        Returns
        -------
        scaled : ndarray of shape (..., h, w, B')
            The scaled pixels.
        """
        if self.scale is None or not pixels.size:
            return pixels
        if self.limits is None:
            block = np.asarray(self.scale(pixels.reshape(-1, *pixels.shape[-2:])))
            return block.reshape(*pixels.shape[:-1], block.shape[-1])
        low, high = self.limits
        stretched = (pixels.astype(np.float64) - low) / (high - low)
        return np.rint(np.clip(stretched, 0.0, 1.0) * 255.0).astype(np.uint8)


def _check_limits(scale):
    """``(low, high)`` as float arrays, or a ValueError saying what scale takes."""
    problem = None
    try:
        if isinstance(scale, str):
            raise TypeError
        low, high = (np.asarray(v, dtype=np.float64) for v in scale)
    except (TypeError, ValueError):
        problem = "it is not a pair"
    else:
        if low.ndim > 1 or high.ndim > 1 or not np.all(np.isfinite(low)) \
                or not np.all(np.isfinite(high)):
            problem = "low and high must be finite numbers or 1-D sequences"
        elif np.any(high <= low):
            problem = "high must be greater than low"
    if problem:
        raise ValueError(
            f"scale must be None, 'percentile', a pair (low, high) of numbers or "
            f"per-band sequences, or a callable; got {scale!r} ({problem}). "
            f"E.g. scale=(0, 10000) for reflectance scaled by 10,000.")
    return low, high


def write_tile_list(path, tiles, crs):
    """Write tiles as GeoJSON (``.geojson``/``.json``) or CSV (``.csv``), atomically.

    Parameters
    ----------
    path : path-like
        The file; its extension chooses the format.
    tiles : list of dict
        One per tile: ``row``, ``col`` (the map cell), ``class`` (name),
        ``value`` (the model's label), ``code`` (the map value),
        ``probability`` (top class probability, NaN without
        ``predict_proba``) and ``ring`` (the tile's corners in map
        coordinates, closed).
    crs : rasterio CRS, str or None
        Written as the GeoJSON ``crs`` member (GeoJSON 2008 form, which GDAL
        reads), so the coordinates keep the raster's CRS.
    """
    path = Path(path)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.",
                                         suffix=".tmp")
    try:
        with os.fdopen(handle, "w", newline="") as stream:
            if path.suffix.lower() == ".csv":
                _write_csv(stream, tiles)
            else:
                _write_geojson(stream, tiles, crs)
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise


def _bounds(ring):
    xs, ys = zip(*ring)
    return min(xs), min(ys), max(xs), max(ys)


def _write_csv(stream, tiles):
    writer = csv.writer(stream)
    writer.writerow([*_PROPERTIES, "left", "bottom", "right", "top"])
    for tile in tiles:
        writer.writerow([tile["row"], tile["col"], tile["class"], tile["value"],
                         tile["code"], _number(tile["probability"]),
                         *_bounds(tile["ring"])])


def _write_geojson(stream, tiles, crs):
    features = [{
        "type": "Feature",
        "geometry": {"type": "Polygon",
                     "coordinates": [[list(point) for point in tile["ring"]]]},
        "properties": {key: _number(tile[key]) if key == "probability" else tile[key]
                       for key in _PROPERTIES},
    } for tile in tiles]
    collection = {"type": "FeatureCollection", "features": features}
    if crs is not None:
        epsg = crs.to_epsg() if hasattr(crs, "to_epsg") else None
        name = f"urn:ogc:def:crs:EPSG::{epsg}" if epsg else str(crs)
        collection["crs"] = {"type": "name", "properties": {"name": name}}
    json.dump(collection, stream)


def _number(value):
    """A probability for a text file: None (JSON null, empty CSV) when NaN."""
    return None if isinstance(value, Real) and math.isnan(value) else float(value)


def check_tile_params(tile_size, stride):
    """Validated ``(tile_size, stride)``; stride defaults to tile_size."""
    if not isinstance(tile_size, Integral) or tile_size < 1:
        raise ValueError(
            f"tile_size must be an int >= 1 in mode='tile' (the side, in pixels, "
            f"of the tiles the image model takes, e.g. 64 for EuroSAT); got "
            f"{tile_size!r}.")
    stride = tile_size if stride is None else stride
    if not isinstance(stride, Integral) or not 1 <= stride <= tile_size:
        raise ValueError(
            f"stride must be an int in 1..tile_size ({tile_size}) so that every "
            f"pixel is in a tile; got {stride!r}. Use stride=tile_size for "
            f"tiles side by side.")
    return int(tile_size), int(stride)
