"""The class map GeoTIFF: its contract, written atomically block by block.

The contract (so other tools can read a map): one band of uint8 (uint16 when
there are more than 254 classes); value ``v`` in ``1..K`` is the class
``classes[v - 1]`` (the model's ``classes_`` order), ``0`` is nodata and the
largest value of the type (255 or 65535) is the reject ("unknown") value.
The GeoTIFF tags ``class_names`` and ``class_values`` hold JSON lists of the
class names and of the original labels, ``reject_value`` the reject value; a
colour table colours the classes. Optional ``<stem>_proba.tif`` (float32, one
band per class, band descriptions = class names) and ``<stem>_confidence.tif``
(float32, the top probability) have NaN as nodata.
"""

import colorsys
import json
import os
import tempfile
import uuid
import warnings
from pathlib import Path

import numpy as np

from ._optional import import_optional
from ._raster import (
    Window,
    _as_transform,
    _rio_window,
    bounded_gdal_cache,
    check_window,
)

__all__ = ["LISTING_SUFFIXES", "ClassMapWriter", "check_listing_path", "check_writable",
           "class_colours", "class_map_dtype"]

LISTING_SUFFIXES = (".geojson", ".json", ".csv")
"""Endings of the feature listings written beside maps (tiles, points)."""

_TILE = 256
_NODATA_COLOUR = (0, 0, 0, 255)
_REJECT_COLOUR = (128, 128, 128, 255)
# Colours for common land-cover names (first keyword found in the lower-cased
# name wins), so water is blue and forest green whatever their order.
_NAMED_COLOURS = (
    (("water", "sea", "lake", "river", "ocean"), (31, 120, 180)),
    (("forest", "tree", "wood"), (27, 120, 55)),
    (("herbaceous", "grass", "pasture", "meadow", "shrub"), (166, 217, 106)),
    (("crop", "agricultur", "field", "vineyard", "orchard"), (255, 217, 47)),
    (("urban", "built", "residential", "industrial", "city", "building"),
     (227, 26, 28)),
    (("road", "highway", "street"), (99, 99, 99)),
    (("barren", "bare", "soil", "sand", "rock", "desert"), (210, 180, 140)),
    (("wetland", "marsh", "swamp", "mangrove"), (102, 194, 165)),
    (("snow", "ice", "glacier"), (240, 248, 255)),
    (("cloud",), (220, 220, 220)),
    (("shadow",), (60, 60, 90)),
)
# A qualitative palette for the other classes (distinct hues, then lighter ones).
_PALETTE = (
    (230, 159, 0), (86, 180, 233), (0, 158, 115), (240, 228, 66), (0, 114, 178),
    (213, 94, 0), (204, 121, 167), (141, 211, 199), (190, 186, 218), (251, 128, 114),
    (128, 177, 211), (253, 180, 98), (179, 222, 105), (252, 205, 229), (188, 128, 189),
    (204, 235, 197), (255, 237, 111), (106, 61, 154), (177, 89, 40), (202, 178, 214),
)


def class_map_dtype(n_classes):
    """The pixel type and reject value of a class map with ``n_classes`` classes.

    Parameters
    ----------
    n_classes : int
        Number of classes ``K`` (values ``1..K``).

    Returns
    -------
    dtype : numpy.dtype
        ``uint8`` for up to 254 classes, ``uint16`` for up to 65,534.
    reject_value : int
        255 or 65535: the largest value of ``dtype``.

    Raises
    ------
    ValueError
        If ``n_classes`` is not in ``1..65534``.
    """
    if not isinstance(n_classes, (int, np.integer)) or not 1 <= n_classes <= 65534:
        raise ValueError(
            f"n_classes must be an int in 1..65534 (a class map holds at most "
            f"65,534 classes, 0 and 65535 being nodata and reject); got {n_classes!r}.")
    dtype = np.dtype(np.uint8 if n_classes <= 254 else np.uint16)
    return dtype, int(np.iinfo(dtype).max)


def class_colours(class_names):
    """The colour of each class: land-cover names get their usual colour.

    Parameters
    ----------
    class_names : sequence of str
        The class names, in value order (value ``v`` is ``class_names[v - 1]``).

    Returns
    -------
    colours : list of tuple of (int, int, int, int)
        One opaque RGBA colour per class. A name containing a common
        land-cover word (water, forest, urban, ...) gets that cover's colour
        the first time; the others take a fixed qualitative palette, then
        golden-angle hues.
    """
    colours, used = [], set()
    spare = iter(_PALETTE)
    for index, name in enumerate(class_names):
        lower = str(name).lower()
        colour = next((rgb for words, rgb in _NAMED_COLOURS
                       if any(word in lower for word in words) and rgb not in used),
                      None)
        if colour is None:
            colour = next((rgb for rgb in spare if rgb not in used), None)
        if colour is None:
            hue = (index * 0.618033988749895) % 1.0
            colour = tuple(int(round(255 * v))
                           for v in colorsys.hsv_to_rgb(hue, 0.65, 0.9))
        used.add(colour)
        colours.append((*colour, 255))
    return colours


class ClassMapWriter:
    """Write a class map (and optional probability and confidence maps) by blocks.

    Everything goes to temporary files beside ``path``, renamed to their
    names when the ``with`` block ends without an exception and removed when
    it raises, so a crash never leaves a half-written file under the output
    name.

    Parameters
    ----------
    path : path-like
        The class map GeoTIFF; its directory must exist and be writable.
    height, width : int
        Size of the map in pixels.
    transform : affine.Affine or sequence of 6 floats or None
        Pixel-to-map transform (a 6-sequence is a GDAL geotransform); None
        writes no georeferencing.
    crs : rasterio CRS or str or None
        Coordinate reference system; None writes none.
    classes : array-like of shape (n_classes,)
        The original labels in value order (the model's ``classes_``); value
        ``v`` of the map is ``classes[v - 1]``.
    class_names : sequence of str or None, default=None
        A name per class; None uses ``str(label)``.
    probabilities : bool, default=False
        Also write ``<stem>_proba.tif``: float32, one band per class.
    confidence : bool, default=False
        Also write ``<stem>_confidence.tif``: float32, the top probability.

    Attributes
    ----------
    path, proba_path, confidence_path : pathlib.Path or None
        The output files (None for the ones not asked for).
    dtype : numpy.dtype
        The class map's pixel type (see :func:`class_map_dtype`).
    reject_value : int
        The reject value, 255 or 65535.

    Raises
    ------
    ValueError
        In the constructor, before any work: if the destination directory is
        missing or not writable, or the classes or names are invalid.

    Notes
    -----
    Blocks may come in any size and order. They are gathered into rows of
    tiles (256 rows by the map's width) and each row is handed to GDAL once,
    top to bottom, so the files are byte-identical whatever the block size
    or the order in which blocks arrive. Memory: one row of tiles per file
    (256 x width x bytes per pixel and band), plus any rows filled ahead of
    the next row to write. Pixels never written are nodata.

    Files are GeoTIFF, tiled 256 x 256, deflate-compressed (with the
    floating-point predictor for the float maps), BigTIFF when GDAL expects
    more than 4 GB (``BIGTIFF=IF_SAFER``). The tag layout is in the module
    docstring; :mod:`classical.geo._classmap` reads it back.
    """

    def __init__(self, path, *, height, width, transform, crs, classes,
                 class_names=None, probabilities=False, confidence=False):
        self.path = Path(path)
        self.height = _check_size(height, "height")
        self.width = _check_size(width, "width")
        self.transform = transform
        self.crs = crs
        self.classes = _check_classes(classes)
        self.class_names = _check_names(class_names, self.classes)
        self.dtype, self.reject_value = class_map_dtype(len(self.classes))
        self.proba_path = self._sibling("proba") if probabilities else None
        self.confidence_path = self._sibling("confidence") if confidence else None
        check_writable(self.path)
        self._datasets = {}
        self._temps = {}
        self._pending = {}  # index of a row of tiles -> its buffered pixels
        self._next_row = 0

    def _sibling(self, kind):
        return self.path.with_name(f"{self.path.stem}_{kind}.tif")

    def __enter__(self):
        rasterio = import_optional("rasterio")
        self._pending, self._next_row = {}, 0
        try:
            self._open("map", self.path, self._map_profile())
            if self.proba_path is not None:
                self._open("proba", self.proba_path,
                           self._float_profile(len(self.classes)))
                for band, name in enumerate(self.class_names, start=1):
                    self._datasets["proba"].set_band_description(band, name)
            if self.confidence_path is not None:
                self._open("confidence", self.confidence_path, self._float_profile(1))
                self._datasets["confidence"].set_band_description(1, "confidence")
            self._write_contract(self._datasets["map"])
        except (OSError, rasterio.errors.RasterioError) as error:
            self._discard()
            raise ValueError(
                f"Could not create the output {str(self.path)!r}: {error}. Check "
                f"the free disk space and the directory's permissions.") from error
        except BaseException:
            self._discard()
            raise
        return self

    def __exit__(self, kind, error, traceback):
        if kind is not None:
            self._discard()
            return False
        try:
            self._flush(complete_only=False)
            for dataset in self._datasets.values():
                dataset.close()
            for key, final in self._finals().items():  # the class map last
                os.replace(self._temps.pop(key), final)
        except BaseException:
            self._discard()
            raise
        return False

    def _finals(self):
        finals = {"proba": self.proba_path, "confidence": self.confidence_path,
                  "map": self.path}
        return {key: finals[key] for key in ("proba", "confidence", "map")
                if key in self._temps}

    def _open(self, key, final, profile):
        rasterio = import_optional("rasterio")
        # a fresh name (not mkstemp) so GDAL creates it with the usual permissions
        temp = final.with_name(f".{final.stem}.{uuid.uuid4().hex}.tmp.tif")
        self._temps[key] = temp
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", rasterio.errors.NotGeoreferencedWarning)
            self._datasets[key] = rasterio.open(temp, "w", **profile)

    def _discard(self):
        for dataset in self._datasets.values():
            try:
                dataset.close()
            except Exception:  # already failing: keep the first error
                pass
        self._datasets = {}
        self._pending = {}
        for temp in self._temps.values():
            try:
                os.remove(temp)
            except FileNotFoundError:
                pass
        self._temps = {}

    def _base_profile(self):
        profile = {"driver": "GTiff", "height": self.height, "width": self.width,
                   "tiled": True, "blockxsize": _TILE, "blockysize": _TILE,
                   "compress": "deflate", "BIGTIFF": "IF_SAFER"}
        if self.transform is not None:
            profile["transform"] = _as_transform(self.transform)
        if self.crs is not None:
            profile["crs"] = self.crs
        return profile

    def _map_profile(self):
        return {**self._base_profile(), "count": 1, "dtype": self.dtype.name,
                "nodata": 0}

    def _float_profile(self, count):
        return {**self._base_profile(), "count": count, "dtype": "float32",
                "nodata": float("nan"), "predictor": 3}

    def _write_contract(self, dataset):
        dataset.update_tags(
            class_names=json.dumps(self.class_names),
            class_values=json.dumps(self.classes),
            reject_value=str(self.reject_value))
        dataset.set_band_description(1, "class")
        colours = {0: _NODATA_COLOUR, self.reject_value: _REJECT_COLOUR}
        colours.update(enumerate(class_colours(self.class_names), start=1))
        dataset.write_colormap(1, colours)

    def write(self, window, codes, probabilities=None, confidence=None):
        """Write one block.

        Parameters
        ----------
        window : Window or tuple of 4 int or None
            ``(row, col, height, width)`` of the block in the map; None is
            the whole map.
        codes : array-like of int of shape (height, width)
            Map values: ``1..K``, ``0`` for nodata, :attr:`reject_value`.
        probabilities : array-like of shape (height, width, n_classes) or None
            Class probabilities (NaN at nodata pixels); required exactly when
            the writer was made with ``probabilities=True``.
        confidence : array-like of shape (height, width) or None
            The top probability; required exactly when the writer was made
            with ``confidence=True``.

        Raises
        ------
        ValueError
            If the writer is not open (use ``with``), the window leaves the
            map, a shape is wrong, a value is not a map value, or an optional
            map is given but was not asked for (or the reverse).
        """
        if "map" not in self._datasets:
            raise ValueError(
                "ClassMapWriter.write was called outside its with-block; use "
                "'with ClassMapWriter(...) as writer: writer.write(...)'.")
        window = check_window(window, self.height, self.width)
        shape = (window.height, window.width)
        codes = np.asarray(codes)
        _check_shape(codes, shape, "codes")
        if codes.size and not np.issubdtype(codes.dtype, np.integer):
            raise ValueError(f"codes must be integers; got dtype {codes.dtype}.")
        n_classes = len(self.classes)
        invalid = (codes < 0) | ((codes > n_classes) & (codes != self.reject_value))
        if invalid.any():
            raise ValueError(
                f"codes must be 0 (nodata), 1..{n_classes} (the classes) or "
                f"{self.reject_value} (reject); got "
                f"{np.unique(codes[invalid])[:10].tolist()}.")
        blocks = {"map": codes.astype(self.dtype)[np.newaxis]}
        for key, value, expected in (
                ("proba", probabilities, shape + (len(self.classes),)),
                ("confidence", confidence, shape)):
            name = "probabilities" if key == "proba" else key
            if (value is None) != (key not in self._datasets):
                raise ValueError(
                    f"{name} must be given to write() exactly when the writer was "
                    f"made with {name}=True; here {name}="
                    f"{key in self._datasets} and write() got "
                    f"{'none' if value is None else 'an array'}.")
            if value is not None:
                value = np.asarray(value, dtype=np.float32)
                _check_shape(value, expected, name)
                blocks[key] = value.reshape(shape + (-1,)).transpose(2, 0, 1)
        self._store(window, blocks)

    def _store(self, window, blocks):
        """Buffer a block by rows of tiles; write each row of tiles once, in order."""
        bottom = window.row + window.height
        for start in range(window.row // _TILE * _TILE, bottom, _TILE):
            low, high = max(start, window.row), min(start + _TILE, bottom)
            pieces = {key: block[:, low - window.row:high - window.row]
                      for key, block in blocks.items()}
            if start // _TILE < self._next_row:  # a pixel written twice: write through
                piece_window = Window(low, window.col, high - low, window.width)
                self._write_gdal(piece_window, pieces)
                continue
            entry = self._pending.get(start // _TILE)
            if entry is None:
                entry = self._pending[start // _TILE] = self._empty_row(start)
            for key, piece in pieces.items():
                entry[key][:, low - start:high - start,
                           window.col:window.col + window.width] = piece
            entry["count"] += (high - low) * window.width
        self._flush(complete_only=True)

    def _empty_row(self, start):
        rows = min(_TILE, self.height - start)
        entry = {"count": 0}
        for key, dataset in self._datasets.items():
            fill = 0 if key == "map" else np.nan
            entry[key] = np.full((dataset.count, rows, self.width), fill,
                                 dtype=dataset.dtypes[0])
        return entry

    def _flush(self, complete_only):
        while self._pending:
            index = self._next_row if complete_only else min(self._pending)
            entry = self._pending.get(index)
            if entry is None:
                return
            rows = entry[next(iter(self._datasets))].shape[1]
            if complete_only and entry["count"] < rows * self.width:
                return
            del self._pending[index], entry["count"]
            self._write_gdal(Window(index * _TILE, 0, rows, self.width), entry)
            self._next_row = index + 1

    def _write_gdal(self, window, blocks):
        target = _rio_window(window)
        with bounded_gdal_cache(2 * sum(block.nbytes for block in blocks.values())):
            for key, block in blocks.items():
                self._datasets[key].write(block, window=target)


def check_writable(path):
    """Fail early, with a clear message, when a file cannot be created at ``path``.

    Parameters
    ----------
    path : path-like
        The output file; nothing is left behind by the check.

    Raises
    ------
    ValueError
        If ``path`` is a directory, or its directory is missing or not
        writable (a temporary file is created there and removed, so read-only
        file systems and permissions are both caught).
    """
    path = Path(path)
    parent = path.parent
    if path.is_dir():
        raise ValueError(
            f"The destination {str(path)!r} is a directory; give a file name "
            f"such as {str(path / 'classes.tif')!r}.")
    if not parent.is_dir():
        raise ValueError(
            f"The destination directory {str(parent)!r} does not exist; create it "
            f"first (e.g. os.makedirs) or choose another destination.")
    try:
        with tempfile.TemporaryFile(dir=parent):
            pass
    except OSError as error:
        raise ValueError(
            f"The destination directory {str(parent)!r} is not writable "
            f"({error.strerror}); choose another destination or fix its "
            f"permissions.") from error


def check_listing_path(path, argument):
    """Check a GeoJSON or CSV output path: its ending, and that it can be written.

    Parameters
    ----------
    path : path-like
        The listing to write.
    argument : str
        The argument's name, for the message.

    Returns
    -------
    path : pathlib.Path
        ``path``.

    Raises
    ------
    ValueError
        If the ending is not one of :data:`LISTING_SUFFIXES`, or
        :func:`check_writable` fails.
    """
    path = Path(path)
    if path.suffix.lower() not in LISTING_SUFFIXES:
        raise ValueError(
            f"{argument} must end in {', '.join(LISTING_SUFFIXES)} (GeoJSON or "
            f"CSV); got {str(path)!r}.")
    check_writable(path)
    return path


def _check_size(value, name):
    if not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be an int >= 1; got {value!r}.")
    return int(value)


def _check_classes(classes):
    values = np.asarray(classes)
    if values.ndim != 1 or values.size == 0:
        raise ValueError(
            f"classes must be a non-empty 1-D list of labels (the model's "
            f"classes_); got shape {values.shape}.")
    unique, counts = np.unique(values, return_counts=True)
    if (counts > 1).any():
        raise ValueError(
            f"classes must be distinct; these appear more than once: "
            f"{unique[counts > 1].tolist()}.")
    class_map_dtype(values.size)
    return values.tolist()


def _check_names(class_names, classes):
    if class_names is None:
        return [str(label) for label in classes]
    names = [str(name) for name in class_names]
    if len(names) != len(classes):
        raise ValueError(
            f"class_names must give one name per class ({len(classes)}: "
            f"{classes[:10]}); got {len(names)}.")
    return names


def _check_shape(array, shape, name):
    if array.shape != shape:
        raise ValueError(
            f"{name} must have shape {shape} to fill its window; got {array.shape}.")
