"""A class map read by its contract: classes, reject value, pixel counts, pixel area.

Shared by :func:`~classical.geo.assess_map` and
:func:`~classical.geo.sample_points`. The contract is that of
:mod:`classical.geo._write`: one integer band, ``0`` = nodata, values ``1..K``
the classes, the reject value in the tag ``reject_value`` and the class names
and original labels in the tags ``class_names`` and ``class_values``.
"""

import json
import numbers

import numpy as np

from ._raster import Raster, open_raster

__all__ = ["ClassMap"]

_STRIP_PIXELS = 1 << 22
"""Pixels read at a time (about 4 million: 4 MiB of uint8) unless told otherwise."""


class ClassMap:
    """An opened class map, read in strips of whole rows; a context manager.

    Parameters
    ----------
    source : path-like, Raster or ndarray of shape (H, W)
        The class map.
    class_names : sequence of str or None
        The class of values ``1..K``; None reads the tag ``class_names``, or
        for a map without it names the values ``'1'..'K'`` (``K`` the largest
        value found that is not the reject value).
    reject_value : int or None
        None reads the tag ``reject_value``, or takes the contract's (255 for
        uint8, 65535 for uint16; none for other types).
    transform, crs : optional
        For an array, as in :func:`~classical.geo.open_raster`.
    block_size : int or None
        Pixels per strip are about ``block_size ** 2`` (None: about 4 million).
    """

    def __init__(self, source, *, class_names=None, reject_value=None,
                 transform=None, crs=None, block_size=None):
        self._owned = not isinstance(source, Raster)
        self.raster = open_raster(source, transform=transform, crs=crs)
        try:
            self._read_contract(class_names, reject_value, block_size)
        except BaseException:
            self.__exit__()
            raise

    def _read_contract(self, class_names, reject_value, block_size):
        raster = self.raster
        if raster.count != 1 or not np.issubdtype(raster.dtype, np.integer):
            raise ValueError(
                f"class_map must be a one-band integer class map (0 = nodata, "
                f"1..K = classes); got {raster.count} band(s) of {raster.dtype}. "
                f"Pass the map written by classify_raster, or one band of "
                f"integer codes.")
        tags = raster.tags()
        self.reject_value = _reject_value(reject_value, tags, raster.dtype)
        names = class_names if class_names is not None else _json_tag(
            tags, "class_names")
        self._strip = _strip_rows(raster, block_size)
        self.pixels, self.rejected = self._count(names)
        self.class_names = ([str(n) for n in names] if names is not None
                            else [str(v) for v in range(1, len(self.pixels) + 1)])
        values = _json_tag(tags, "class_values")
        self.class_values = (list(values) if values is not None
                             and len(values) == len(self.class_names)
                             else list(range(1, len(self.class_names) + 1)))

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        if self._owned:  # a Raster the caller opened stays open
            self.raster.close()

    @property
    def n_classes(self):
        """int: the number of classes ``K``."""
        return len(self.class_names)

    def strips(self):
        """Windows of whole rows covering the map, top to bottom.

        Returns
        -------
        windows : list of Window
        """
        return self.raster.windows((self._strip, self.raster.width))

    def read(self, window):
        """The codes of a window, as a 2-D array."""
        return self.raster.read(window)[:, :, 0]

    def _count(self, names):
        """Pixels of each class ``1..K`` and of the reject value."""
        reject = self.reject_value
        totals = np.zeros(1, dtype=np.int64)
        rejected = 0
        for window in self.strips():
            codes = self.read(window)
            if reject is not None:
                rejected += int(np.count_nonzero(codes == reject))
                codes = codes[codes != reject]
            if codes.size and codes.min() < 0:
                raise ValueError(
                    f"class_map holds negative values (e.g. {codes.min()}); class "
                    f"maps hold 0 for nodata and 1..K for the classes.")
            found = np.bincount(codes.ravel().astype(np.int64))
            if found.size > totals.size:
                totals = np.pad(totals, (0, found.size - totals.size))
            totals[:found.size] += found
        pixels = totals[1:]
        if names is not None:
            if pixels.size > len(names) and pixels[len(names):].any():
                extra = len(names) + 1 + int(np.flatnonzero(pixels[len(names):])[0])
                raise ValueError(
                    f"class_map holds the value {extra} but only {len(names)} "
                    f"class names are given ({list(names)}); value v is class "
                    f"class_names[v - 1]. Give one name per class value.")
            pixels = np.pad(pixels[:len(names)], (0, len(names) - min(len(names),
                                                                       pixels.size)))
        if not pixels.any():
            raise ValueError(
                "class_map has no classified pixel (only nodata 0 and reject "
                "values); there is nothing to assess or sample.")
        return pixels, rejected

    def codes_of(self, labels, name):
        """The class codes (1..K) of class names or original labels.

        Parameters
        ----------
        labels : sequence
            Each a class name, an original label (``class_values``) or its
            text.
        name : str
            What the labels are, for the error message.

        Returns
        -------
        codes : ndarray of int64
        """
        lookup = {_label_text(v): code
                  for code, v in enumerate(self.class_values, start=1)}
        lookup.update({n: code for code, n in enumerate(self.class_names, start=1)})
        distinct, inverse = np.unique(np.asarray([_label_text(v) for v in labels],
                                                 dtype=object).astype(str),
                                      return_inverse=True)
        unknown = [str(d) for d in distinct if d not in lookup]
        if unknown:
            raise ValueError(
                f"{name} {unknown[:10]} name no class of the map; its classes are "
                f"{self.class_names} (labels {self.class_values}). Use those names "
                f"or labels.")
        return np.array([lookup[d] for d in distinct], dtype=np.int64)[
            inverse.ravel()]

    def pixel_area(self):
        """The area of one pixel and its unit, from the transform and CRS.

        Returns
        -------
        area : float
            Hectares for a projected CRS in metres, square CRS units for other
            projected CRSs or a transform without CRS, and 1 (unit
            ``'pixels'``) without a transform or for a geographic CRS (whose
            pixels have no constant area).
        unit : str
        """
        transform, crs = self.raster.transform, self.raster.crs
        if transform is None or getattr(crs, "is_geographic", False):
            return 1.0, "pixels"
        area = abs(transform.a * transform.e - transform.b * transform.d)
        units = getattr(crs, "linear_units", "") or ""
        if units.lower() in ("metre", "meter", "m"):
            return area / 10_000.0, "ha"
        return area, f"{units}²" if units else "map units²"


def pixel_centres(transform, rows, cols):
    """Map coordinates of pixel centres (pixel coordinates without a transform)."""
    u = np.asarray(cols, dtype=np.float64) + 0.5
    v = np.asarray(rows, dtype=np.float64) + 0.5
    if transform is None:
        return u, v
    return (transform.a * u + transform.b * v + transform.c,
            transform.d * u + transform.e * v + transform.f)


def pixel_indices(transform, x, y):
    """Rows and columns of the pixels containing map coordinates ``(x, y)``."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if transform is not None:
        inverse = ~transform
        x, y = (inverse.a * x + inverse.b * y + inverse.c,
                inverse.d * x + inverse.e * y + inverse.f)
    return np.floor(y).astype(np.int64), np.floor(x).astype(np.int64)


def _strip_rows(raster, block_size):
    pixels = _STRIP_PIXELS if block_size is None else int(block_size) ** 2
    return max(1, min(raster.height, pixels // raster.width))


def _reject_value(given, tags, dtype):
    if given is not None:
        return int(given)
    if "reject_value" in tags:
        return int(tags["reject_value"])
    if dtype in (np.uint8, np.uint16):
        return int(np.iinfo(dtype).max)
    return None


def _json_tag(tags, key):
    if key not in tags:
        return None
    try:
        return json.loads(tags[key])
    except json.JSONDecodeError as error:
        raise ValueError(
            f"The class map's tag {key!r} is not valid JSON ({error}); it must be "
            f"a JSON list as classify_raster writes it.") from error


def _label_text(value):
    """A label as text: integral numbers without a decimal point, NaN as ''."""
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        if value != value:
            return ""
        if float(value).is_integer():
            return str(int(value))
    return str(value)
