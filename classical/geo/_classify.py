"""Classify a scene block by block, per pixel or per tile, into a class map."""

import math
from contextlib import contextmanager, nullcontext
from numbers import Integral
from typing import NamedTuple

import numpy as np
from tqdm.auto import tqdm

from ..parallel import limit_threads, map_items, resolve_n_jobs
from ._decide import Decider, check_decision_options
from ._optional import import_optional
from ._raster import Window, opened_raster
from ._spatial import crop_halo, pixel_rows, read_block, spatial_parts
from ._tiles import Scale, TileGrid, check_tile_params, write_tile_list
from ._write import ClassMapWriter, check_listing_path

__all__ = ["classify_raster"]

_MODES = ("pixel", "tile")


class BlockResult(NamedTuple):
    """What one block gives: its window of the map and the map's values there."""

    window: Window
    codes: np.ndarray
    probabilities: object  # ndarray (h, w, K) of float32 or None
    confidence: object  # ndarray (h, w) of float32 or None
    tiles: list  # (row, col, code, top probability) of the listed tiles


class BlockPlan:
    """How to classify one block: everything but the model and the raster.

    Small and picklable, so that a Dask worker gets it with its task.

    Parameters
    ----------
    decider : Decider
        Rows to codes.
    mode : {'pixel', 'tile'}
        Per pixel or per tile.
    bands : list of int or None
        1-based bands given to the model.
    confidence : bool
        Whether the top probability is kept.
    grid : TileGrid or None
        The tiles (tile mode).
    scale : Scale or None
        The value mapping (tile mode).
    listed : sequence of int
        Map codes whose tiles are listed (tile mode).
    """

    def __init__(self, decider, *, mode, bands, confidence, grid=None, scale=None,
                 listed=()):
        self.decider = decider
        self.mode = mode
        self.bands = bands
        self.confidence = confidence
        self.grid = grid
        self.scale = scale
        self.listed = np.asarray(sorted(listed), dtype=np.int64)

    def __call__(self, model, raster, window):
        """Classify one block.

        Parameters
        ----------
        model : estimator
            The fitted model.
        raster : Raster
            The scene.
        window : Window
            The block: pixels (pixel mode) or map cells (tile mode).

        Returns
        -------
        result : BlockResult
            The block's codes, probabilities, confidence and listed tiles.
        """
        shape = (window.height, window.width)
        if self.mode == "pixel":
            _, rest, halo = spatial_parts(model)
            block, valid = read_block(raster, window, halo=halo, bands=self.bands)
            rows = pixel_rows(model, block, halo, valid)
            valid = crop_halo(valid, halo).ravel()
            if not valid.all():  # a boolean index copies every row
                rows = rows[valid]
            codes, proba, top = self.decider(rest, rows, valid)
            tiles = []
        else:
            source = self.grid.source_window(window)
            block = raster.read(source, bands=self.bands)
            images, valid = self.grid.tiles(window, block, raster.valid_mask(source))
            images = self.scale(images)  # after the tiles' nodata is filled
            codes, proba, top = self.decider(
                model, images[..., 0] if images.shape[-1] == 1 else images, valid)
            tiles = [(window.row + i // window.width, window.col + i % window.width,
                      int(codes[i]), np.nan if top is None else float(top[i]))
                     for i in np.flatnonzero(np.isin(codes, self.listed)).tolist()]
        return BlockResult(
            window, codes.reshape(shape),
            None if proba is None else proba.reshape(*shape, -1),
            top.reshape(shape) if self.confidence else None, tiles)


def classify_block(plan, model, raster, window):
    """Run ``plan`` on one block on a single Numba thread (inside a worker)."""
    with limit_threads(1):
        return plan(model, raster, window)


def classify_raster(model, source, destination, *, mode="pixel", tile_size=None,
                    stride=None, block_size=None, probabilities=False, reject=None,
                    transform=None, crs=None, bands=None, scale=None, tiles_out=None,
                    n_jobs=None, client=None, confidence=False, class_names=None,
                    tile_classes=None, verbose=True):
    """Classify a scene into a class map, block by block, per pixel or per tile.

    Parameters
    ----------
    model : estimator
        A fitted classifier with ``classes_``. In ``mode='pixel'``, one that
        takes rows ``(n_pixels, n_bands)`` (``pixel-mlc``, any scikit-learn
        classifier) or a spatial pipeline whose first step declares a
        ``halo`` (``pixel-texture-rf``); in ``mode='tile'``, an image
        pipeline taking a batch ``(n, tile_size, tile_size[, B])`` (e.g. one
        trained on EuroSAT patches).
    source : path-like, ndarray of shape (H, W, B) or (H, W), or Raster
        The scene: any raster file GDAL reads, or the pixels in memory.
    destination : path-like or None
        The class map to write (a tiled, compressed GeoTIFF; see Notes), or
        None to return it as an array.
    mode : {'pixel', 'tile'}, default='pixel'
        Classify each pixel, or each tile of ``tile_size`` pixels.
    tile_size : int or None, default=None
        Side of a tile in pixels; required in tile mode.
    stride : int or None, default=None
        Pixels between tile origins, in ``1..tile_size``; None means
        ``tile_size`` (tiles side by side). The map has one cell per stride.
    block_size : int or None, default=None
        Side, in pixels, of the square blocks read and classified at once
        (None: 512, rounded to whole blocks of the file). Memory grows with
        it, never with the scene; the result does not depend on it.
    probabilities : bool, default=False
        Also the class probabilities: float32, one band per class in the
        order of ``classes_``, NaN at nodata; written to
        ``<stem>_proba.tif`` or returned.
    reject : float in (0, 1) or None, default=None
        A pixel or tile whose top class probability is below this gets the
        reject value (255, or 65535 for a uint16 map).
    transform, crs : optional
        Georeferencing of an array source, or replacing a file's own (see
        :func:`open_raster`).
    bands : sequence of int or None, default=None
        1-based source bands given to the model, in the model's order; None
        gives the bands the model was fitted on by
        :func:`~classical.geo.fit_raster` (its ``source_bands_``) in pixel
        mode, and every band otherwise.
    scale : None, 'percentile', tuple of (low, high) or callable, default=None
        Tile mode: how source values map to the model's input range.
        ``(low, high)`` (per band or for all) stretches linearly to uint8
        ``0..255``; ``'percentile'`` uses each band's 2nd and 98th
        percentiles, computed once from a sample of the scene; a callable
        maps a block ``(h, w, B)`` pixel by pixel. None passes the values
        as they are.
    tiles_out : path-like or None, default=None
        Tile mode: list the tiles of ``tile_classes`` in this file, GeoJSON
        (``.geojson``, ``.json``) or CSV (``.csv``), with each tile's bounds
        in the raster's CRS, class and top probability.
    n_jobs : int or None, default=None
        Threads classifying blocks at once on this machine (ignored with a
        ``client``).
    client : dask.distributed.Client or str or None, default=None
        A Dask client, or a scheduler address to connect to: the blocks run
        as tasks on the cluster's workers, each re-opening the raster and
        reading its own window; the map is identical to the local run.
    confidence : bool, default=False
        Also the top class probability, float32, written to
        ``<stem>_confidence.tif`` (with a ``destination``).
    class_names : sequence of str or None, default=None
        A name for each class, in the order of ``classes_``; None uses the
        model's ``class_names_`` (set by :func:`~classical.geo.fit_raster`)
        when it has them, and the labels themselves otherwise.
    tile_classes : sequence or None, default=None
        Labels (from ``classes_``) of the tiles listed in ``tiles_out``;
        None lists every classified tile.
    verbose : bool, default=True
        Show a progress bar over the blocks.

    Returns
    -------
    result : pathlib.Path, ndarray, or tuple of ndarray
        ``destination`` as a path when given; otherwise the class map
        ``(rows, cols)`` in the class-map dtype, and with
        ``probabilities=True`` the tuple ``(map, proba)``, proba of shape
        ``(rows, cols, K)``.

    Raises
    ------
    ValueError
        Before any pixel is classified: an unknown mode, bad tile, block or
        reject values, an unfitted model, a band count differing from the
        model's features (pixel mode), a scene whose every pixel is nodata,
        a destination that cannot be written, options that need
        ``predict_proba`` on a model without it. During the run: a file that
        cannot be read (truncated or corrupt). No file is left under the
        output names when it fails.
    TypeError
        If ``client`` is neither a Dask client nor an address.

    Notes
    -----
    The class map follows the contract of :mod:`classical.geo`: uint8
    (uint16 beyond 254 classes), values ``1..K`` in the order of
    ``classes_``, 0 where the source is nodata (those pixels are not given
    to the model), the reject value in the tag ``reject_value``, the names
    and original labels in the tags ``class_names`` and ``class_values``.
    The class is the argmax of ``predict_proba`` (``predict`` for a model
    without it; see :class:`~classical.geo._decide.Decider` for a Gaussian
    maximum-likelihood model with its own reject rule).

    Per pixel, a spatial model's block is read with a margin of its halo,
    taken from the neighbouring pixels and mirrored at the scene's edges, so
    every pixel, edges included, gets what it would get from the whole
    scene. Its spatial step sees the nodata pixels as NaN (see
    :mod:`classical.geo._spatial`) and leaves them out of the windows, so
    every pixel holding data is classified, next to nodata too.

    Per tile, cell ``(i, j)`` of the map covers the pixels ``[i * stride,
    (i + 1) * stride)`` and its tile is centred on it; tiles that reach past
    the right or bottom edge (and, with ``stride < tile_size``, the top and
    left) are completed by mirroring their own pixels (NumPy
    ``'symmetric'``) and classified, so with ``stride == tile_size`` the map
    has ``ceil(H / stride) x ceil(W / stride)`` cells.
    A tile with no valid pixel is nodata; in a tile with some, the nodata
    pixels are filled, band by band, with the mean of the tile's valid
    pixels (rounded for integer data) before ``scale`` applies. The map's
    transform is the source's scaled by ``stride``.
    """
    if class_names is None:
        class_names = getattr(model, "class_names_", None)
    if bands is None and mode == "pixel":
        bands = getattr(model, "source_bands_", None)
    plan_args = _check_options(model, mode, tile_size, stride, block_size, reject,
                               probabilities, confidence, scale, tiles_out,
                               tile_classes, class_names, n_jobs)
    if tiles_out is not None:
        tiles_out = check_listing_path(tiles_out, "tiles_out")
    with _connected(client) as connected, \
            opened_raster(source, transform=transform, crs=crs) as raster:
        height, width, map_transform = _map_grid(raster, mode, plan_args.get("stride"))
        writer = None
        if destination is not None:  # checks the destination before any work
            writer = ClassMapWriter(
                destination, height=height, width=width, transform=map_transform,
                crs=raster.crs, classes=model.classes_, class_names=class_names,
                probabilities=probabilities, confidence=confidence)
        plan, windows = _plan(model, raster, bands, block_size, **plan_args)
        if connected is None:
            results = _local_results(plan, model, raster, windows, n_jobs)
        else:
            from ._dask import client_results

            results = client_results(connected, plan, model, raster, windows)
        results = tqdm(results, total=len(windows), disable=not verbose,
                       desc=f"classify_raster ({mode})", unit="block", leave=False)
        tiles = []
        with nullcontext() if writer is None else writer:
            output = _collect(results, writer, (height, width), plan.decider, tiles,
                              probabilities)
            if tiles_out is not None:  # inside: a failure discards the map
                _write_tiles(tiles_out, tiles, plan, raster, class_names)
        return output


def _check_options(model, mode, tile_size, stride, block_size, reject, probabilities,
                   confidence, scale, tiles_out, tile_classes, class_names, n_jobs):
    """Validate what needs no pixel; return the arguments of :func:`_plan`."""
    if mode not in _MODES:
        raise ValueError(f"mode must be one of {', '.join(map(repr, _MODES))}; got "
                         f"{mode!r}.")
    if not hasattr(model, "classes_"):
        raise ValueError(
            f"model must be a fitted classifier with classes_; got an unfitted "
            f"{type(model).__name__}. Fit it first (pixel models with "
            f"classical.geo.fit_raster or fit(X, y)).")
    if block_size is not None and (not isinstance(block_size, Integral)
                                   or block_size < 1):
        raise ValueError(f"block_size must be an int >= 1 or None; got {block_size!r}.")
    check_decision_options(model, reject=reject, probabilities=probabilities,
                           confidence=confidence)
    if n_jobs is not None and (isinstance(n_jobs, bool) or n_jobs == 0
                               or not isinstance(n_jobs, Integral)):
        raise ValueError(
            f"n_jobs must be None or a non-zero int (-1 for every core), as in "
            f"scikit-learn; got {n_jobs!r}.")
    n_classes = len(model.classes_)
    if class_names is not None and len(class_names) != n_classes:
        raise ValueError(
            f"class_names must give one name per class of the model ({n_classes}, "
            f"in the order of classes_ {list(model.classes_)}); got "
            f"{len(class_names)}: {list(class_names)}.")
    if mode == "pixel":
        given = [name for name, value in (("tile_size", tile_size), ("stride", stride),
                                          ("scale", scale), ("tiles_out", tiles_out),
                                          ("tile_classes", tile_classes))
                 if value is not None]
        if given:
            raise ValueError(
                f"{', '.join(given)} only apply in mode='tile'; got them with "
                f"mode='pixel'. Pass mode='tile' or drop them.")
        return {"mode": mode, "reject": reject, "probabilities": probabilities,
                "confidence": confidence}
    tile_size, stride = check_tile_params(tile_size, stride)
    return {"mode": mode, "reject": reject, "probabilities": probabilities,
            "confidence": confidence, "tile_size": tile_size, "stride": stride,
            "scale": Scale(scale), "tile_classes": tile_classes}


def _map_grid(raster, mode, stride):
    """Rows, columns and transform of the class map."""
    if mode == "pixel":
        return raster.height, raster.width, raster.transform
    transform = None if raster.transform is None else \
        raster.transform @ type(raster.transform).scale(stride)
    rows, cols = math.ceil(raster.height / stride), math.ceil(raster.width / stride)
    return rows, cols, transform


def _plan(model, raster, bands, block_size, *, mode, reject, probabilities,
          confidence, tile_size=None, stride=None, scale=None, tile_classes=None):
    """Check the scene against the model and lay out the blocks."""
    if bands is not None:
        bands = raster.check_bands(bands)
    n_bands = raster.count if bands is None else len(bands)
    expected = getattr(model, "n_features_in_", None)
    if mode == "pixel" and expected is not None and expected != n_bands:
        raise ValueError(
            f"The raster has {n_bands} band{'s' * (n_bands != 1)}"
            f"{' selected' if bands is not None else ''} but the model was fitted "
            f"on {expected} features. Pass bands=[...] (1-based) to give it "
            f"the {expected} bands it was trained on, in its order.")
    _check_has_data(raster, block_size)
    decider = Decider(model, reject=reject, probabilities=probabilities,
                      confidence=confidence)
    if mode == "pixel":
        plan = BlockPlan(decider, mode=mode, bands=bands, confidence=confidence)
        return plan, raster.windows(block_size)
    grid = TileGrid(raster.height, raster.width, tile_size, stride)
    plan = BlockPlan(decider, mode=mode, bands=bands, confidence=confidence, grid=grid,
                     scale=scale.fit(raster, bands),
                     listed=_listed_codes(decider.classes, tile_classes))
    return plan, grid.cell_windows(block_size)


def _check_has_data(raster, block_size):
    """Raise a ValueError when every pixel is nodata (stops at the first valid one)."""
    for window in raster.windows(block_size):
        if raster.valid_mask(window).any():
            return
    where = "the array" if raster.path is None else repr(str(raster.path))
    raise ValueError(
        f"Every pixel of {where} is nodata (nodata value {raster.nodata!r}), so "
        f"there is nothing to classify. Check the file, or pass the right "
        f"nodata value when opening it.")


def _listed_codes(classes, tile_classes):
    """Codes of the classes whose tiles are listed."""
    if tile_classes is None:
        return range(1, len(classes) + 1)
    position = {label: code for code, label in enumerate(classes.tolist(), 1)}
    chosen = [tile_classes] if np.ndim(tile_classes) == 0 else list(tile_classes)
    unknown = [label for label in chosen if label not in position]
    if unknown:
        raise ValueError(
            f"tile_classes must be labels of the model's classes_ "
            f"{classes.tolist()}; got {unknown} which are not.")
    return [position[label] for label in chosen]


def _local_results(plan, model, raster, windows, n_jobs):
    """Blocks classified here, in order, on ``n_jobs`` threads."""
    if resolve_n_jobs(n_jobs) == 1:
        return (plan(model, raster, window) for window in windows)
    return map_items(lambda window: classify_block(plan, model, raster, window),
                     windows, n_jobs=n_jobs)


@contextmanager
def _connected(client):
    """Yield the Dask client (connecting to an address, closed after) or None."""
    if client is None:
        yield None
        return
    distributed = import_optional("distributed")
    if isinstance(client, distributed.Client):
        yield client
    elif isinstance(client, str):
        with distributed.Client(client) as connected:
            yield connected
    else:
        raise TypeError(
            f"client must be a dask.distributed.Client or a scheduler address "
            f"such as 'tcp://10.0.0.1:8786'; got {type(client).__name__}.")


def _collect(results, writer, shape, decider, tiles, probabilities):
    """Write the blocks as they come, or fill arrays; gather the listed tiles.

    Returns the map's path with a writer, else the map (and probabilities).
    """
    if writer is not None:
        for result in results:
            writer.write(result.window, result.codes,
                         probabilities=result.probabilities,
                         confidence=result.confidence)
            tiles.extend(result.tiles)
        return writer.path
    codes = np.zeros(shape, dtype=decider.dtype)
    proba = np.full((*shape, len(decider.classes)), np.nan,
                    dtype=np.float32) if probabilities else None
    for result in results:
        rows, cols = _slices(result.window)
        codes[rows, cols] = result.codes
        if proba is not None:
            proba[rows, cols] = result.probabilities
        tiles.extend(result.tiles)
    return (codes, proba) if probabilities else codes


def _slices(window):
    return (slice(window.row, window.row + window.height),
            slice(window.col, window.col + window.width))


def _write_tiles(path, tiles, plan, raster, class_names):
    """List the tiles with their footprint (inside the scene) in map coordinates."""
    classes = plan.decider.classes.tolist()
    names = [str(c) for c in classes] if class_names is None else list(class_names)
    transform = raster.transform
    records = []
    for row, col, code, top in tiles:
        window, _ = plan.grid.tile_extent(row, col)
        corners = [(window.col, window.row), (window.col + window.width, window.row),
                   (window.col + window.width, window.row + window.height),
                   (window.col, window.row + window.height), (window.col, window.row)]
        if transform is not None:
            corners = [transform @ corner for corner in corners]
        records.append({
            "row": row, "col": col, "code": code, "probability": top,
            "class": names[code - 1], "value": _plain(classes[code - 1]),
            "ring": [tuple(float(v) for v in corner) for corner in corners]})
    write_tile_list(path, records, raster.crs)


def _plain(value):
    """A label as a JSON-friendly Python value."""
    return value.item() if isinstance(value, np.generic) else value
