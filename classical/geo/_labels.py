"""Training labels on an image's grid, from a label raster or a vector file."""

import os
import struct
import warnings
from collections.abc import Mapping
from numbers import Integral

import numpy as np

from ._optional import import_optional
from ._raster import Raster, open_raster
from ._sampling import _check_labels, polygon_groups

__all__ = ["ClassValidationError", "read_labels", "validate_classes"]


class ClassValidationError(ValueError):
    """The training classes have problems; every one is listed in the message.

    Parameters
    ----------
    message : str
        The problems, one per line.
    report : dict
        The report of :func:`validate_classes` that found them.

    Attributes
    ----------
    report : dict
        The report of :func:`validate_classes` that found them.
    """

    def __init__(self, message, report):
        super().__init__(message)
        self.report = report


def read_labels(source, image, *, attribute="id", all_touched=False, layer=None,
                class_names=None, return_groups=False):
    """Read training labels onto the grid of an image.

    Parameters
    ----------
    source : path-like, Raster or ndarray of shape (H, W)
        A label raster on the image's grid (a path GDAL reads, an opened
        :class:`~classical.geo.Raster` or an integer array), or a vector file
        any OGR driver reads (GeoJSON, shapefile, GeoPackage, ...) whose
        polygons, lines or points are rasterised onto the image's grid.
    image : path-like, Raster or ndarray of shape (H, W, B)
        The image the labels are for; only its grid (size, transform, CRS) is
        used.
    attribute : str, default='id'
        For a vector file: the field holding each feature's class. An integer
        field gives the class ids directly; a text field holds class names,
        which are numbered by ``class_names`` when given and otherwise
        ``1..K`` in sorted order of the distinct names in the file.
    all_touched : bool, default=False
        For a vector file: burn every pixel a feature touches, not only those
        whose centre is inside it (GDAL's ``ALL_TOUCHED``).
    layer : str, int or None, default=None
        For a vector file: the layer to read; None reads the first.
    class_names : mapping, sequence or None, default=None
        Used only to number the names of a text ``attribute``: as in
        :func:`validate_classes`.
    return_groups : bool, default=False
        Also return the group of each pixel, for splits that keep a group on
        one side: the 1-based index of the feature that labelled it for a
        vector file, its connected component (:func:`polygon_groups`) for a
        label raster.

    Returns
    -------
    labels : ndarray of shape (H, W)
        Class ids, integers >= 0; 0 is unlabelled (also where the label
        raster holds its nodata value). The label raster's own integer type,
        or for a vector file the smallest unsigned type that holds the ids.
    groups : ndarray of int32 of shape (H, W)
        Only with ``return_groups=True``; 0 where unlabelled.

    Raises
    ------
    ValueError
        If the label raster is not on the image's grid (the message says what
        differs and how to resample it), holds negative or fractional values
        or more than one band; if the vector file lacks ``attribute``, a
        feature's class is missing or not a positive integer, no feature
        falls on the image, or the image has no transform to rasterise on.

    Notes
    -----
    Rasterisation is that of GDAL (:func:`rasterio.features.rasterize`): a
    pixel belongs to a polygon when its centre is inside it (or, with
    ``all_touched``, when the polygon touches it); where features overlap,
    the later feature in the file wins, as with ``gdal_rasterize``. Features
    are reprojected to the image's CRS when both CRSs are known and differ;
    a file or image without a CRS is taken to share the other's.
    """
    raster = open_raster(image)
    if _is_vector(source):
        labels, groups = _vector_labels(source, raster, attribute=attribute,
                                        all_touched=all_touched, layer=layer,
                                        class_names=class_names)
    else:
        labels = _raster_labels(source, raster)
        groups = None
        if return_groups:
            groups = polygon_groups(labels)
    return (labels, groups) if return_groups else labels


def _is_vector(source):
    """Whether ``source`` is a vector file (OGR opens it), not a raster."""
    if isinstance(source, (Raster, np.ndarray)):
        return False
    if not isinstance(source, (str, os.PathLike)):
        raise TypeError(
            f"source must be a label raster (path, Raster or integer array of "
            f"shape (H, W)) or a vector file path; got {type(source).__name__}.")
    pyogrio = import_optional("pyogrio")
    try:
        pyogrio.read_info(os.fspath(source))
    except pyogrio.errors.DataSourceError:
        return False
    return True


# -- label rasters -------------------------------------------------------------
def _raster_labels(source, raster):
    """The label raster ``source`` as an integer array on ``raster``'s grid."""
    labels = open_raster(source)
    if labels.count != 1:
        raise ValueError(
            f"The label raster must have one band; {_describe(labels)} has "
            f"{labels.count}. Pass a single band, e.g. open_raster(path, ...) "
            f"of a one-band file or array[:, :, k].")
    differences = _grid_differences(labels, raster)
    if differences:
        raise ValueError(
            f"The label raster {_describe(labels)} is not on the image's grid: "
            f"{'; '.join(differences)}. Resample it onto the image grid first, "
            f"e.g. {_gdalwarp_hint(raster)}, or give the training polygons (a "
            f"vector file) so that they are rasterised onto the image's grid.")
    values = source if isinstance(source, np.ndarray) and source.ndim == 2 \
        else labels.read()[:, :, 0]  # an (H, W) array is used as it is, not copied
    floating = np.issubdtype(values.dtype, np.floating)
    if not (floating or np.issubdtype(values.dtype, np.integer)):
        raise ValueError(
            f"The label raster {_describe(labels)} must hold integer class "
            f"ids; got dtype {values.dtype}.")
    unlabelled = np.isnan(values) if floating else None
    if labels.nodata is not None and not np.isnan(labels.nodata):
        at_nodata = values == labels.nodata
        unlabelled = at_nodata if unlabelled is None else unlabelled | at_nodata
    if floating:
        kept = values[~unlabelled]
        if not np.array_equal(kept, np.round(kept)):
            raise ValueError(
                f"The label raster {_describe(labels)} holds fractional values "
                f"(e.g. {kept[kept != np.round(kept)][0]}); class ids must be "
                f"integers. Round it or rasterise the labels again as integers.")
        values = np.where(unlabelled, 0, values).astype(np.int32)
    elif unlabelled is not None and unlabelled.any():
        values = np.where(unlabelled, 0, values)
    if values.size and values.min() < 0:
        raise ValueError(
            f"The label raster {_describe(labels)} holds negative values (e.g. "
            f"{values.min()}); class ids must be >= 1 and 0 means unlabelled. "
            f"If {values.min()} marks unlabelled pixels, declare it as nodata: "
            f"read_labels(open_raster(path, nodata={values.min()}), image).")
    return values


def _describe(raster):
    return repr(str(raster.path)) if raster.path is not None else "(array)"


def _grid_differences(labels, image):
    """What differs between two rasters' grids, as readable phrases."""
    found = []
    if (labels.height, labels.width) != (image.height, image.width):
        found.append(f"its size is {labels.height} x {labels.width} pixels, the "
                     f"image's {image.height} x {image.width}")
    if labels.transform is not None and image.transform is not None:
        size = max(abs(image.transform.a), abs(image.transform.e), 1e-300)
        if not np.allclose(tuple(labels.transform)[:6], tuple(image.transform)[:6],
                           rtol=0, atol=1e-6 * size):
            found.append(f"its transform is {tuple(labels.transform)[:6]}, the "
                         f"image's {tuple(image.transform)[:6]}")
    if labels.crs is not None and image.crs is not None and labels.crs != image.crs:
        found.append(f"its CRS is {labels.crs}, the image's {image.crs}")
    return found


def _gdalwarp_hint(image):
    if image.transform is None:
        return "with gdalwarp -ts WIDTH HEIGHT -r near"
    srs = f"-t_srs {image.crs} " if image.crs is not None else ""
    bounds = " ".join(str(v) for v in _bounds(image))
    return (f"gdalwarp {srs}-te {bounds} -ts {image.width} {image.height} -r near "
            f"labels.tif labels_on_image.tif")


def _bounds(raster):
    """``(left, bottom, right, top)`` of a georeferenced raster."""
    a, b, c, d, e, f = tuple(raster.transform)[:6]
    corners = [(row, col) for row in (0, raster.height) for col in (0, raster.width)]
    xs = [c + a * col + b * row for row, col in corners]
    ys = [f + d * col + e * row for row, col in corners]
    return (min(xs), min(ys), max(xs), max(ys))


# -- vector files --------------------------------------------------------------
def _vector_labels(path, raster, *, attribute, all_touched, layer, class_names):
    """Rasterise a vector file's features onto ``raster``'s grid."""
    pyogrio = import_optional("pyogrio")
    import_optional("rasterio")  # the install line when the geo extra is missing
    import rasterio.crs
    import rasterio.features

    path = os.fspath(path)
    if raster.transform is None:
        raise ValueError(
            "The image has no transform, so the features of "
            f"{path!r} cannot be placed on its pixels. Give the image's "
            "georeferencing: open_raster(array, transform=..., crs=...).")
    info = pyogrio.read_info(path, layer=layer)
    if attribute not in list(info["fields"]):
        raise ValueError(
            f"attribute {attribute!r} is not a field of {path!r}; its fields "
            f"are {list(info['fields'])}. Pass the field holding the class, "
            f"e.g. attribute={next(iter(info['fields']), 'id')!r}.")
    meta, _, geometries, (values,) = pyogrio.raw.read(
        path, layer=layer, columns=[attribute], force_2d=True)
    ids = _feature_ids(values, attribute, path, class_names)
    kept = [i for i, wkb in enumerate(geometries) if wkb is not None]
    shapes = [_wkb_geometry(geometries[i]) for i in kept]
    if meta["crs"] and raster.crs is not None:
        source_crs = rasterio.crs.CRS.from_user_input(meta["crs"])
        if source_crs != raster.crs:
            shapes = _reproject(shapes, source_crs, raster.crs, path)
    groups = np.zeros((raster.height, raster.width), dtype=np.int32)
    if shapes:
        groups = rasterio.features.rasterize(
            zip(shapes, [i + 1 for i in kept]), out_shape=groups.shape,
            transform=raster.transform, fill=0, all_touched=all_touched,
            dtype=np.int32)
    if not groups.any():
        raise ValueError(
            f"None of the {len(geometries)} features of {path!r} covers a pixel "
            f"of the image (features' bounds {info['total_bounds']} in "
            f"{meta['crs']}, image bounds {_bounds(raster)} in {raster.crs}). "
            f"Check that both cover the same area and that their CRSs are set.")
    lookup = np.concatenate([[0], ids]).astype(np.min_scalar_type(ids.max()))
    return lookup[groups], groups


def _reproject(shapes, source_crs, target_crs, path):
    """The GeoJSON-like ``shapes`` in ``target_crs``."""
    import rasterio.warp

    try:
        return rasterio.warp.transform_geom(source_crs, target_crs, shapes)
    except Exception as error:  # GDAL's CPLE_* errors share no public base class
        raise ValueError(
            f"The features of {path!r} could not be reprojected from their CRS "
            f"{source_crs} to the image's {target_crs} ({error}). A GeoJSON file "
            f"without a 'crs' member is read as WGS 84 longitude/latitude; if its "
            f"coordinates are in the image's CRS, write the file with that CRS."
        ) from error


def _feature_ids(values, attribute, path, class_names):
    """The positive integer class id of every feature."""
    if _is_text(values):
        missing = [i for i, v in enumerate(values) if v is None]
        if not missing:
            return _named_ids(np.asarray(values, dtype=str), attribute, path,
                              class_names)
        ids = None
    else:
        ids = np.asarray(values, dtype=float)
        missing = np.flatnonzero(~np.isfinite(ids) | (ids < 1) | (ids != np.round(ids)))
    if len(missing):
        raise ValueError(
            f"Field {attribute!r} of {path!r} must hold a positive integer class "
            f"id (or a class name) for every feature; features "
            f"{[int(i) for i in missing[:10]]} (0-based) hold "
            f"{[values[i] for i in missing[:10]]}. Fix or remove them (0 means "
            f"unlabelled and cannot be a class).")
    return ids.astype(np.int64)


def text_class_names(source, *, attribute="id", layer=None):
    """The class names of a vector file whose class field holds text.

    Parameters
    ----------
    source : object
        Anything :func:`read_labels` takes.
    attribute : str, default='id'
        The class field.
    layer : str, int or None, default=None
        The layer; None reads the first.

    Returns
    -------
    names : dict of int to str or None
        ``{id: name}`` numbered as :func:`read_labels` numbers them without
        ``class_names`` (1..K in sorted order of the names); None for a label
        raster, an integer field or a field with missing values.
    """
    if not _is_vector(source):
        return None
    pyogrio = import_optional("pyogrio")
    path = os.fspath(source)
    if attribute not in list(pyogrio.read_info(path, layer=layer)["fields"]):
        return None  # read_labels says what is wrong
    values = pyogrio.raw.read(path, layer=layer, columns=[attribute],
                              read_geometry=False)[3][0]
    if not _is_text(values) or any(v is None for v in values):
        return None
    numbering = _sorted_numbering(np.asarray(values, dtype=str).tolist())
    return {k: name for name, k in numbering.items()}


def _is_text(values):
    """Whether a field read by pyogrio holds text (object or string dtype)."""
    return values.dtype == object or values.dtype.kind in "US"


def _sorted_numbering(names):
    """Class names numbered ``1..K`` in sorted order: ``{name: id}``."""
    return {name: k for k, name in enumerate(sorted(set(names)), 1)}


def _named_ids(names, attribute, path, class_names):
    """Ids for class names: from ``class_names``, or 1..K in sorted order."""
    if class_names is None:
        numbering = _sorted_numbering(names)
    else:
        numbering = {name: key for key, name in _name_pairs(class_names)}
    unknown = sorted(set(names) - set(numbering))
    if unknown:
        raise ValueError(
            f"class_names gives no id to the names {[str(n) for n in unknown]} of "
            f"field "
            f"{attribute!r} of {path!r}; add them to class_names.")
    return np.array([numbering[name] for name in names], dtype=np.int64)


_WKB_TYPES = {1: "Point", 2: "LineString", 3: "Polygon", 4: "MultiPoint",
              5: "MultiLineString", 6: "MultiPolygon", 7: "GeometryCollection"}


def _wkb_geometry(data):
    """A GeoJSON-like dict from 2-D well-known binary (OGC Simple Features)."""
    geometry, _ = _read_wkb(memoryview(data), 0)
    return geometry


def _read_wkb(data, offset):
    """Decode the geometry at ``offset``; return it and the offset after it."""
    order = "<" if data[offset] == 1 else ">"
    (code,) = struct.unpack_from(order + "I", data, offset + 1)
    offset += 5
    kind = _WKB_TYPES.get(code)
    if kind is None:
        raise ValueError(
            f"Unsupported geometry type (WKB code {code}) in the vector file; "
            f"labels can be points, lines, polygons or collections of them. "
            f"Convert curves to linear geometries first "
            f"(ogr2ogr -nlt CONVERT_TO_LINEAR).")
    if kind == "Point":
        x, y = struct.unpack_from(order + "2d", data, offset)
        return {"type": kind, "coordinates": (x, y)}, offset + 16
    (count,) = struct.unpack_from(order + "I", data, offset)
    offset += 4
    if kind == "LineString":
        points = np.frombuffer(data, dtype=order + "f8", count=2 * count, offset=offset)
        return ({"type": kind, "coordinates": points.reshape(-1, 2).tolist()},
                offset + 16 * count)
    if kind == "Polygon":
        rings = []
        for _ in range(count):
            (n,) = struct.unpack_from(order + "I", data, offset)
            points = np.frombuffer(data, dtype=order + "f8", count=2 * n,
                                   offset=offset + 4)
            rings.append(points.reshape(-1, 2).tolist())
            offset += 4 + 16 * n
        return {"type": kind, "coordinates": rings}, offset
    parts = []
    for _ in range(count):
        part, offset = _read_wkb(data, offset)
        parts.append(part)
    if kind == "GeometryCollection":
        return {"type": kind, "geometries": parts}, offset
    return {"type": kind, "coordinates": [p["coordinates"] for p in parts]}, offset


# -- validation ------------------------------------------------------------------
def validate_classes(labels, image=None, *, class_names=None, min_pixels="bands+1",
                     on_invalid="raise", block_size=None):
    """Check training classes before fitting, reporting every problem at once.

    Parameters
    ----------
    labels : ndarray of shape (H, W)
        Integer class ids, 0 = unlabelled (as :func:`read_labels` returns).
    image : path-like, Raster, ndarray of shape (H, W, B) or None, default=None
        The image; when given, labelled pixels on its nodata are not counted
        (and reported), and ``'bands+1'`` is its band count plus one.
    class_names : mapping, sequence or None, default=None
        The class names: a mapping ``{id: name}``, a sequence of
        ``(id, name)`` pairs (which can reveal one id given two names), or a
        sequence of names for the ids ``1..K``. None skips the name checks.
    min_pixels : 'bands+1', int or None, default='bands+1'
        Fewest pixels a class may have. With fewer than ``n_bands + 1``
        pixels, a class's covariance matrix is singular, so plain Gaussian
        maximum likelihood (or QDA) on the bands is undefined for it.
        ``'bands+1'`` needs ``image`` (without it, the check is skipped);
        None skips it.
    on_invalid : {'raise', 'warn', 'ignore'}, default='raise'
        What to do when there is a problem: raise a
        :class:`ClassValidationError` listing all of them, warn, or only
        return the report.
    block_size : int or None, default=None
        Side of the blocks in which the image's nodata mask is read.

    Returns
    -------
    report : dict
        ``class_ids`` (sorted ids with a valid labelled pixel),
        ``pixel_counts`` ({id: pixels}), ``class_names`` ({id: name} or
        None), ``duplicate_ids`` ({id: [names]}: one id with several names),
        ``duplicate_names`` ({name: [ids]}: one name for several ids),
        ``absent_ids`` (named ids without a valid labelled pixel),
        ``unnamed_ids`` (ids present but not named), ``too_small``
        ({id: pixels} below ``min_pixels``), ``min_pixels`` (the number
        applied, or None), ``nodata_pixels`` (labelled pixels on the image's
        nodata, not counted), ``problems`` (a sentence for each problem) and
        ``valid`` (True when there is none).

    Raises
    ------
    ClassValidationError
        With ``on_invalid='raise'``, if there is any problem; its message
        lists them all, and its ``report`` attribute is the report.
    ValueError
        If ``labels`` is not a 2-D integer array >= 0 of the image's size,
        or a parameter is not one of its options.
    """
    labels = _check_labels(labels)
    if on_invalid not in ("raise", "warn", "ignore"):
        raise ValueError(f"on_invalid must be 'raise', 'warn' or 'ignore'; got "
                         f"{on_invalid!r}.")
    raster = None if image is None else open_raster(image)
    nodata_pixels = 0
    if raster is not None:
        labels, nodata_pixels = _clear_nodata(labels, raster, block_size=block_size)
    ids, counts = np.unique(labels[labels > 0], return_counts=True)
    pixel_counts = {int(k): int(n) for k, n in zip(ids, counts)}
    report = {"class_ids": [int(k) for k in ids], "pixel_counts": pixel_counts,
              "class_names": None, "duplicate_ids": {}, "duplicate_names": {},
              "absent_ids": [], "unnamed_ids": [], "too_small": {},
              "min_pixels": _min_pixels(min_pixels, raster),
              "nodata_pixels": int(nodata_pixels)}
    problems = []
    if len(ids) < 2:
        problems.append(
            f"{len(ids)} class{'' if len(ids) == 1 else 'es'} with labelled pixels "
            f"{report['class_ids']}: a classifier needs at least two.")
    if class_names is not None:
        problems += _name_problems(_name_pairs(class_names), pixel_counts, report)
    if report["min_pixels"] is not None:
        report["too_small"] = {k: n for k, n in pixel_counts.items()
                               if n < report["min_pixels"]}
        if report["too_small"]:
            listed = ", ".join(f"{_named(k, report)} has {n}"
                               for k, n in report["too_small"].items())
            problems.append(
                f"classes with fewer than {report['min_pixels']} pixels: {listed}. "
                f"With fewer than n_bands + 1 pixels a class's covariance is "
                f"singular, so Gaussian maximum likelihood is undefined; add "
                f"training pixels, merge the class, reduce the bands (PCA) or "
                f"regularise the covariance (e.g. "
                f"GaussianMLClassifier(reg_param=0.01)).")
    report["problems"] = problems
    report["valid"] = not problems
    if problems and on_invalid != "ignore":
        message = (f"{len(problems)} problem{'s' if len(problems) > 1 else ''} with "
                   "the training classes:\n" +
                   "\n".join(f"  {i}. {p}" for i, p in enumerate(problems, 1)))
        if on_invalid == "raise":
            raise ClassValidationError(message, report)
        warnings.warn(message, UserWarning, stacklevel=2)
    return report


def _clear_nodata(labels, raster, *, block_size=None):
    """Unlabel the pixels where the image holds no data.

    Parameters
    ----------
    labels : ndarray of shape (H, W)
        Class ids, 0 = unlabelled.
    raster : Raster
        The image, of the same size.
    block_size : int or None, default=None
        Side of the blocks in which its nodata mask is read; only blocks with
        a labelled pixel are read.

    Returns
    -------
    labels : ndarray of shape (H, W)
        ``labels`` itself when no labelled pixel is on nodata, else a copy
        with those pixels set to 0.
    n_cleared : int
        Labelled pixels set to 0.
    """
    if labels.shape != (raster.height, raster.width):
        raise ValueError(
            f"labels of shape {labels.shape} do not match the image's "
            f"{raster.height} x {raster.width} pixels; read them onto the image's "
            f"grid with classical.geo.read_labels(source, image).")
    cleared, count = labels, 0
    for window in raster.windows(block_size):
        rows = slice(window.row, window.row + window.height)
        cols = slice(window.col, window.col + window.width)
        labelled = labels[rows, cols] > 0
        if not labelled.any():
            continue
        drop = labelled & ~raster.valid_mask(window)
        if drop.any():
            if cleared is labels:
                cleared = labels.copy()
            cleared[rows, cols][drop] = 0
            count += int(drop.sum())
    return cleared, count


def _min_pixels(min_pixels, raster):
    if min_pixels is None:
        return None
    if isinstance(min_pixels, str) and min_pixels == "bands+1":
        return None if raster is None else raster.count + 1
    if isinstance(min_pixels, Integral) and not isinstance(min_pixels, bool) \
            and min_pixels >= 1:
        return int(min_pixels)
    raise ValueError(f"min_pixels must be 'bands+1', an int >= 1 or None; got "
                     f"{min_pixels!r}.")


def _name_pairs(class_names):
    """``class_names`` in any accepted form as a list of ``(id, name)`` pairs."""
    if isinstance(class_names, Mapping):
        pairs = list(class_names.items())
    elif isinstance(class_names, (str, bytes)):
        raise TypeError(f"class_names must be a mapping or a sequence; got the "
                        f"string {class_names!r}.")
    else:
        items = list(class_names)
        if all(isinstance(item, str) for item in items):
            pairs = list(enumerate(items, 1))
        elif all(isinstance(item, (tuple, list)) and len(item) == 2 for item in items):
            pairs = [tuple(item) for item in items]
        else:
            raise TypeError(
                f"class_names must be a mapping {{id: name}}, a sequence of "
                f"(id, name) pairs or a sequence of names for ids 1..K; got "
                f"{class_names!r}.")
    for key, name in pairs:
        if not (isinstance(key, Integral) and not isinstance(key, bool) and key >= 1):
            raise ValueError(f"class_names: class ids must be integers >= 1 (0 "
                             f"means unlabelled); got {key!r} for {name!r}.")
    return [(int(key), str(name)) for key, name in pairs]


def _name_problems(pairs, pixel_counts, report):
    """Fill the name entries of ``report``; return the problems found."""
    names_of, ids_of = {}, {}
    for key, name in pairs:
        names_of.setdefault(key, []).append(name)
        ids_of.setdefault(name, []).append(key)
    report["class_names"] = {key: names[0] for key, names in names_of.items()}
    report["duplicate_ids"] = {k: v for k, v in names_of.items() if len(v) > 1}
    report["duplicate_names"] = {k: v for k, v in ids_of.items() if len(v) > 1}
    report["absent_ids"] = sorted(set(names_of) - set(pixel_counts))
    report["unnamed_ids"] = sorted(set(pixel_counts) - set(names_of))
    problems = []
    if report["duplicate_ids"]:
        problems.append("ids given more than one name: " + "; ".join(
            f"{k}: {v}" for k, v in report["duplicate_ids"].items()) + ".")
    if report["duplicate_names"]:
        problems.append("names given to more than one id: " + "; ".join(
            f"{k!r}: {v}" for k, v in report["duplicate_names"].items()) + ".")
    if report["absent_ids"]:
        problems.append(
            "named classes without any labelled pixel on the image: " + ", ".join(
                _named(k, report) for k in report["absent_ids"]) + ".")
    if report["unnamed_ids"]:
        problems.append(f"labelled classes without a name: ids "
                        f"{report['unnamed_ids']}; add them to class_names.")
    return problems


def _named(key, report):
    names = report["class_names"] or {}
    return f"{key} ({names[key]!r})" if key in names else str(key)
