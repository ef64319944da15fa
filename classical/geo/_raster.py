"""Multi-band rasters read by windows: any file GDAL reads, or an in-memory array."""

import os
import threading
import warnings
from contextlib import nullcontext
from numbers import Integral
from pathlib import Path
from typing import NamedTuple

import numpy as np

from ._optional import import_optional

__all__ = ["Raster", "Window", "bounded_gdal_cache", "open_raster", "opened_raster"]

_DEFAULT_BLOCK = 512
_ARRAY_BLOCK = 256
_MIN_GDAL_CACHE = 64 * 2**20


class Window(NamedTuple):
    """A rectangle of pixels: its top-left corner and its size.

    Rows and columns count from 0 at the top-left pixel of the scene (as
    rasterio's, but in ``(row, col, height, width)`` order).

    Parameters
    ----------
    row, col : int
        The top-left pixel.
    height, width : int
        Rows and columns in the window.
    """

    row: int
    col: int
    height: int
    width: int


def open_raster(source, *, transform=None, crs=None, nodata=None, band_names=None):
    """Open a raster file or wrap an array, reading no pixels yet.

    Parameters
    ----------
    source : path-like, ndarray of shape (H, W, B) or (H, W), or Raster
        A file GDAL reads (GeoTIFF, COG, ENVI, ...), an array with the bands
        last, or an already opened :class:`Raster`, returned as is.
    transform : affine.Affine or sequence of 6 floats or None, default=None
        The pixel-to-map transform; a 6-sequence is a GDAL geotransform
        ``(x0, dx, rx, y0, ry, dy)``. For files it replaces the file's own.
    crs : str, int, dict, rasterio CRS or None, default=None
        The coordinate reference system, as
        :meth:`rasterio.crs.CRS.from_user_input` takes it (kept as given
        when rasterio is not installed). For files it replaces the file's own.
    nodata : scalar or None, default=None
        The nodata value; for files it replaces the file's own.
    band_names : sequence of str or None, default=None
        One name per band; for files it replaces the band descriptions.

    Returns
    -------
    raster : Raster
        The raster; use it as a context manager to close the file.

    Raises
    ------
    ValueError
        If the file is missing or is not a raster GDAL can read, or the array
        is not 2-D or 3-D.
    TypeError
        If ``source`` is neither a path, an array nor a :class:`Raster`.
    """
    overrides = {"transform": transform, "crs": crs, "nodata": nodata,
                 "band_names": band_names}
    if isinstance(source, Raster):
        given = sorted(k for k, v in overrides.items() if v is not None)
        if given:
            raise ValueError(
                f"open_raster was given an opened Raster together with "
                f"{', '.join(given)}; these only apply when opening a path or "
                f"wrapping an array. Pass the Raster alone, or its path.")
        return source
    return Raster(source, **overrides)


class Raster:
    """A multi-band raster, read by windows.

    Build it with :func:`open_raster`. A file is opened but no pixel is read
    until :meth:`read`; an array is referenced, not copied.

    Parameters
    ----------
    source : path-like or ndarray of shape (H, W, B) or (H, W)
        The file or the array.
    transform, crs, nodata, band_names : optional
        As in :func:`open_raster`.

    Attributes
    ----------
    path : pathlib.Path, str or None
        The file as an absolute path (a URL or GDAL ``/vsi`` path stays as
        given), or None for an array.
    height, width, count : int
        Rows, columns and bands.
    dtype : numpy.dtype
        The pixel type.
    transform : affine.Affine or None
        Pixel-to-map transform.
    crs : rasterio.crs.CRS or str or None
        Coordinate reference system.
    nodata : float or int or None
        The nodata value.
    band_names : tuple of str
        One name per band (the file's band descriptions); ``''`` when unnamed.
    block_shape : tuple of (int, int)
        Rows and columns of the file's internal blocks (of band 1); for an
        array, ``(min(256, H), min(256, W))``.

    Notes
    -----
    Reads of one file are serialised by a lock, since a GDAL dataset must not
    be read from two threads at once; a process or a Dask worker opens its
    own copy with ``Raster.from_spec(raster.spec())`` (pickling a
    :class:`Raster` does this).
    """

    def __init__(self, source, *, transform=None, crs=None, nodata=None,
                 band_names=None):
        self._overrides = {"transform": transform, "crs": crs, "nodata": nodata,
                           "band_names": band_names}
        self._dataset = None
        self._array = None
        self._lock = threading.Lock()
        if isinstance(source, np.ndarray):
            self._init_array(source)
        elif isinstance(source, (str, os.PathLike)):
            self._init_file(source)
        else:
            raise TypeError(
                f"source must be a raster file path or an array of shape "
                f"(H, W, B) or (H, W); got {type(source).__name__}. Pass a path "
                f"(str or pathlib.Path) or numpy.asarray(...) of the pixels.")
        self.transform = _as_transform(transform) if transform is not None \
            else self.transform
        self.crs = _as_crs(crs) if crs is not None else self.crs
        self.nodata = nodata if nodata is not None else self.nodata
        if band_names is not None:
            band_names = tuple(str(name) for name in band_names)
            if len(band_names) != self.count:
                raise ValueError(
                    f"band_names must give one name per band ({self.count}); "
                    f"got {len(band_names)}: {list(band_names)}.")
            self.band_names = band_names

    def _init_array(self, array):
        if array.ndim == 2:
            array = array[:, :, np.newaxis]
        if array.ndim != 3:
            raise ValueError(
                f"An array source must have shape (H, W, B) or (H, W); got "
                f"{array.ndim} dimensions, shape {array.shape}. Put the bands "
                f"last, e.g. numpy.moveaxis(array, 0, -1) for (B, H, W).")
        if not (np.issubdtype(array.dtype, np.number) or array.dtype == bool):
            raise TypeError(
                f"An array source must hold numbers; got dtype {array.dtype}. "
                f"Convert it with .astype(numpy.float32).")
        if min(array.shape) == 0:
            raise ValueError(
                f"An array source must have at least one row, column and band; "
                f"got shape {array.shape}.")
        self._array = array
        self.path = None
        self.height, self.width, self.count = array.shape
        self.dtype = array.dtype
        self.transform = None
        self.crs = None
        self.nodata = None
        self.band_names = ("",) * self.count
        self.block_shape = (min(_ARRAY_BLOCK, self.height),
                            min(_ARRAY_BLOCK, self.width))

    def _init_file(self, source):
        rasterio = import_optional("rasterio")
        path = Path(source)
        text = os.fspath(source)
        remote = "://" in text or text.startswith("/vsi")
        if not remote and path.is_dir():
            raise ValueError(
                f"The raster source {text!r} is a directory; give the path of "
                f"a raster file in it (GeoTIFF, ENVI .img, ...).")
        if not remote and not path.is_file():
            raise ValueError(
                f"The raster file {text!r} does not exist. Check the path, or "
                f"pass the pixels as an (H, W, B) array.")
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", rasterio.errors.NotGeoreferencedWarning)
                dataset = rasterio.open(text)
        except rasterio.errors.RasterioError as error:
            raise ValueError(
                f"{text!r} is not a raster GDAL can read "
                f"({str(error).rstrip('.')}). Give a GeoTIFF, COG, ENVI or other "
                f"GDAL raster file.") from error
        self._dataset = dataset
        # absolute, so that a Dask worker started elsewhere opens the same file;
        # a URL or /vsi path stays text (Path would fold its '//')
        self.path = text if remote else Path(os.path.abspath(text))
        self.height, self.width = dataset.height, dataset.width
        self.count = dataset.count
        self.dtype = np.dtype(dataset.dtypes[0])
        has_georef = dataset.crs is not None or not dataset.transform.is_identity
        self.transform = dataset.transform if has_georef else None
        self.crs = dataset.crs
        self.nodata = dataset.nodata
        self.band_names = tuple(name or "" for name in dataset.descriptions)
        self.block_shape = tuple(dataset.block_shapes[0])

    # -- context manager and pickling ---------------------------------------
    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def close(self):
        """Close the file (nothing to do for an array)."""
        if self._dataset is not None:
            self._dataset.close()

    def __reduce__(self):
        return (Raster.from_spec, (self.spec(),))

    def __repr__(self):
        where = repr(str(self.path)) if self.path is not None else "array"
        return (f"Raster({where}, {self.height} x {self.width} x {self.count}, "
                f"{self.dtype}, crs={self.crs})")

    @property
    def shape(self):
        """tuple of (int, int, int): ``(height, width, count)``."""
        return (self.height, self.width, self.count)

    def spec(self):
        """Describe the raster so another process can open it again.

        Returns
        -------
        spec : dict
            ``{"source": path or array, "transform": ..., "crs": ...,
            "nodata": ..., "band_names": ...}`` with only the values that were
            given to :func:`open_raster`; picklable and small for files.
        """
        source = str(self.path) if self.path is not None else self._array
        return {"source": source, **self._overrides}

    @classmethod
    def from_spec(cls, spec):
        """Open a raster from :meth:`spec`.

        Parameters
        ----------
        spec : dict
            What :meth:`spec` returned.

        Returns
        -------
        raster : Raster
            A new raster with its own file handle.
        """
        spec = dict(spec)
        return cls(spec.pop("source"), **spec)

    # -- reading ------------------------------------------------------------
    def windows(self, block_size=None):
        """Blocks covering the scene, each pixel in exactly one.

        Parameters
        ----------
        block_size : int or tuple of (int, int) or None, default=None
            Target side (or ``(rows, cols)``) of the blocks; None means 512.
            For a file, each side is rounded down to a multiple of the file's
            block side when that is not larger than the target, so a block
            reads whole internal blocks (tiles or strips).

        Returns
        -------
        windows : list of Window
            Row-major; blocks at the right and bottom edges are smaller.
        """
        target = _check_pair(_DEFAULT_BLOCK if block_size is None else block_size,
                             "block_size")
        steps = []
        for size, internal in zip(target, self.block_shape):
            if self._dataset is not None and internal <= size:
                size = size // internal * internal
            steps.append(size)
        return [Window(r, c, min(steps[0], self.height - r),
                       min(steps[1], self.width - c))
                for r in range(0, self.height, steps[0])
                for c in range(0, self.width, steps[1])]

    def read(self, window=None, *, halo=0, bands=None):
        """Read a window, optionally with a margin of neighbouring pixels.

        Parameters
        ----------
        window : Window or tuple of 4 int or None, default=None
            ``(row, col, height, width)``; None reads the whole scene.
        halo : int, default=0
            Pixels added on each side. They come from the neighbouring pixels
            where the scene has them and are mirrored (NumPy ``'reflect'``,
            the edge pixel not repeated) beyond its edges.
        bands : int or sequence of int or None, default=None
            1-based band indices (as in GDAL); None reads all bands.

        Returns
        -------
        block : ndarray of shape (height + 2 * halo, width + 2 * halo, n_bands)
            The pixels, in the raster's dtype.

        Raises
        ------
        ValueError
            If the window leaves the scene, a band index is out of range, the
            halo is at least the scene's height or width, or the file cannot
            be read (truncated or corrupt).

        Notes
        -----
        The block equals ``numpy.pad(whole, halo, mode='reflect')`` cut at
        the window, so a filter run on the block and cropped by ``halo``
        gives the same values as on the whole scene.
        """
        window = self._check_window(window)
        indexes = self.check_bands(bands)
        halo = self._check_halo(halo)
        rows = _reflect_range(window.row - halo, window.row + window.height + halo,
                              self.height)
        cols = _reflect_range(window.col - halo, window.col + window.width + halo,
                              self.width)
        outer = Window(int(rows.min()), int(cols.min()),
                       int(rows.max() - rows.min() + 1),
                       int(cols.max() - cols.min() + 1))
        block = self._read_block(outer, indexes)
        if len(rows) != outer.height:  # mirrored rows at the top or bottom
            block = block[rows - outer.row]
        if len(cols) != outer.width:
            block = block[:, cols - outer.col]
        return block

    def valid_mask(self, window=None):
        """Which pixels hold data.

        Parameters
        ----------
        window : Window or tuple of 4 int or None, default=None
            ``(row, col, height, width)``; None means the whole scene.

        Returns
        -------
        mask : ndarray of bool of shape (height, width)
            False where every band equals the nodata value or any band is
            NaN. For a file whose nodata was not replaced, GDAL's dataset mask
            (nodata, internal mask or alpha band) decides, and NaN is also
            invalid.
        """
        window = self._check_window(window)
        floating = np.issubdtype(self.dtype, np.floating)
        if self._dataset is not None and self._overrides["nodata"] is None:
            with self._file_errors(window):
                mask = self._dataset.dataset_mask(window=_rio_window(window)) != 0
            if floating:
                mask &= ~np.isnan(self.read(window)).any(axis=-1)
            return mask
        if self.nodata is None and not floating:
            return np.ones((window.height, window.width), dtype=bool)
        block = self.read(window)
        mask = np.ones(block.shape[:2], dtype=bool)
        if self.nodata is not None and not np.isnan(self.nodata):
            mask &= ~(block == self.nodata).all(axis=-1)
        if floating:
            mask &= ~np.isnan(block).any(axis=-1)
        return mask

    def tags(self):
        """The file's dataset-level metadata tags.

        Returns
        -------
        tags : dict of str to str
            GDAL's default-domain metadata (empty for an array).
        """
        if self._dataset is None:
            return {}
        with self._lock:
            return dict(self._dataset.tags())

    def _read_block(self, window, indexes):
        if self._array is not None:
            block = self._array[window.row:window.row + window.height,
                                window.col:window.col + window.width]
            return block[:, :, np.asarray(indexes) - 1]
        block = np.empty((window.height, window.width, len(indexes)), dtype=self.dtype)
        with self._file_errors(window):  # GDAL fills the bands-last buffer directly
            self._dataset.read(indexes, window=_rio_window(window),
                               out=np.moveaxis(block, -1, 0))
        return block

    def _file_errors(self, window):
        return _FileErrors(self, window)

    def _check_window(self, window):
        return check_window(window, self.height, self.width)

    def check_bands(self, bands):
        """The 1-based ``bands`` as a list of ints (all bands for None), checked."""
        if bands is None:
            return list(range(1, self.count + 1))
        listed = [bands] if isinstance(bands, Integral) else list(bands)
        if not listed or not all(isinstance(b, Integral) and 1 <= b <= self.count
                                 for b in listed):
            raise ValueError(
                f"bands must be 1-based band indices in 1..{self.count} (as in "
                f"GDAL: the first band is 1); got {bands!r}.")
        return [int(b) for b in listed]

    def _check_halo(self, halo):
        if not isinstance(halo, Integral) or halo < 0:
            raise ValueError(f"halo must be an int >= 0; got {halo!r}.")
        if halo and halo >= min(self.height, self.width):
            raise ValueError(
                f"halo={halo} is too large for the {self.height} x {self.width} "
                f"scene: mirroring at the edges needs halo < "
                f"{min(self.height, self.width)} (the smaller side). Use a "
                f"smaller neighbourhood or a larger scene.")
        return int(halo)


def opened_raster(source, *, transform=None, crs=None):
    """:func:`open_raster` as a context that closes only what it opened.

    Parameters
    ----------
    source, transform, crs
        As :func:`open_raster` takes them.

    Returns
    -------
    context : context manager
        Gives the :class:`Raster`; a raster the caller passed in stays open.
    """
    raster = open_raster(source, transform=transform, crs=crs)
    return nullcontext(raster) if raster is source else raster


def bounded_gdal_cache(nbytes):
    """A rasterio environment whose GDAL block cache holds ``nbytes`` at most.

    GDAL keeps decoded blocks in a process-wide cache of 5% of the RAM by
    default (1.2 GB on a 24 GB machine), which would make the memory of a
    block-by-block run grow with the scene up to that size. Reads and writes
    run inside this environment, sized to what they touch, so memory stays
    bounded by the block size.

    Parameters
    ----------
    nbytes : int
        Bytes the operation needs cached (at least 64 MiB are allowed).

    Returns
    -------
    environment : rasterio.Env
        To use as a context manager.
    """
    rasterio = import_optional("rasterio")
    return rasterio.Env(GDAL_CACHEMAX=max(_MIN_GDAL_CACHE, int(nbytes)))


class _FileErrors:
    """Turn GDAL read errors into a ValueError naming the file and the window.

    The read runs under the raster's lock and with GDAL's block cache bounded
    to the file blocks the window touches (:func:`bounded_gdal_cache`).
    """

    def __init__(self, raster, window):
        self.raster = raster
        self.window = window
        self._environment = None

    def __enter__(self):
        self.raster._lock.acquire()
        block_rows, block_cols = self.raster.block_shape
        touched = ((self.window.height + 2 * block_rows)
                   * (self.window.width + 2 * block_cols)
                   * self.raster.count * np.dtype(self.raster.dtype).itemsize)
        self._environment = bounded_gdal_cache(touched)
        self._environment.__enter__()

    def __exit__(self, kind, error, traceback):
        self._environment.__exit__(kind, error, traceback)
        self.raster._lock.release()
        rasterio = import_optional("rasterio")
        from rasterio._err import CPLE_BaseError
        if kind is not None and issubclass(kind, (rasterio.errors.RasterioError,
                                                  CPLE_BaseError)):
            detail = error.__cause__ or error  # GDAL's own message, when chained
            raise ValueError(
                f"Could not read window {tuple(self.window)} of the raster "
                f"{str(self.raster.path)!r} ({str(detail).rstrip('.')}). The file "
                f"is probably truncated or corrupt; check it with gdalinfo "
                f"-checksum or copy it again.") from error
        return False


def check_window(window, height, width):
    """Validate a window against a ``height`` x ``width`` grid (None = all of it).

    Parameters
    ----------
    window : Window or tuple of 4 int or None
        ``(row, col, height, width)``.
    height, width : int
        The grid.

    Returns
    -------
    window : Window
        The window as a :class:`Window` of Python ints.

    Raises
    ------
    TypeError
        If ``window`` is not four integers.
    ValueError
        If it does not lie inside the grid.
    """
    if window is None:
        return Window(0, 0, height, width)
    try:
        window = Window(*(int(v) for v in window))
    except (TypeError, ValueError):
        raise TypeError(
            f"window must be a Window(row, col, height, width) or None; "
            f"got {window!r}.") from None
    if (window.row < 0 or window.col < 0 or window.height < 1 or window.width < 1
            or window.row + window.height > height
            or window.col + window.width > width):
        raise ValueError(
            f"window {tuple(window)} (row, col, height, width) is not inside "
            f"the {height} x {width} scene; rows must lie in 0..{height - 1} and "
            f"columns in 0..{width - 1}, with height and width >= 1.")
    return window


def _reflect_range(start, stop, size):
    """Indices ``start..stop-1`` mirrored into ``0..size-1`` (NumPy 'reflect')."""
    index = np.abs(np.arange(start, stop))
    return np.where(index >= size, 2 * (size - 1) - index, index)


def _rio_window(window):
    rasterio = import_optional("rasterio")
    return rasterio.windows.Window(window.col, window.row, window.width, window.height)


def _check_pair(value, name):
    pair = (value, value) if isinstance(value, Integral) else tuple(value)
    if len(pair) != 2 or not all(isinstance(v, Integral) and v >= 1 for v in pair):
        raise ValueError(
            f"{name} must be an int >= 1 or a pair (rows, cols) of them; "
            f"got {value!r}.")
    return tuple(int(v) for v in pair)


def _as_transform(transform):
    """An affine.Affine from an Affine or a GDAL geotransform (affine optional)."""
    try:
        from affine import Affine
    except ImportError:
        return transform
    if isinstance(transform, Affine):
        return transform
    values = tuple(transform)
    if len(values) != 6:
        raise ValueError(
            f"transform must be an affine.Affine or a GDAL geotransform of 6 "
            f"numbers (x0, dx, rx, y0, ry, dy); got {len(values)} values: {values}.")
    return Affine.from_gdal(*values)


def _as_crs(crs):
    """A rasterio CRS from any user input, or the input itself without rasterio."""
    try:
        from rasterio.crs import CRS
    except ImportError:
        return crs
    try:
        return CRS.from_user_input(crs)
    except Exception as error:  # rasterio raises CRSError or others by input
        raise ValueError(
            f"crs {crs!r} is not a coordinate reference system rasterio "
            f"understands ({error}); give e.g. 'EPSG:32615' or a WKT "
            f"string.") from error
