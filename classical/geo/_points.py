"""Reference points: a stratified random sample drawn from a class map, and its files.

:func:`sample_points` draws the sample and writes it as GeoJSON or CSV for a
person to label; :func:`read_points` reads such a file back, labelled, for
:func:`~classical.geo.assess_map`. Neither needs rasterio for an array map.
"""

import csv
import io
import json
import os
import uuid
import warnings
from collections.abc import Mapping
from numbers import Integral
from pathlib import Path

import numpy as np

from ._classmap import ClassMap, pixel_centres
from ._write import LISTING_SUFFIXES, check_listing_path

__all__ = ["POINT_SUFFIXES", "read_points", "sample_points"]

#: File name endings read and written as reference points.
POINT_SUFFIXES = LISTING_SUFFIXES
_COLUMNS = ("id", "x", "y", "row", "col", "map_class", "label")


def sample_points(class_map, counts, destination=None, *, random_state=None,
                  class_names=None, reject_value=None, transform=None, crs=None,
                  block_size=None):
    """Draw a stratified random sample of reference points from a class map.

    Each class of the map is a stratum; within it, pixels are drawn with
    equal probability and without replacement, as the stratified random
    design that :func:`~classical.geo.area_estimates` assumes [1]_. Nodata
    and rejected pixels are never drawn. A point is the centre of its pixel.

    Parameters
    ----------
    class_map : path-like, Raster or ndarray of shape (H, W)
        A class map following the contract of
        :func:`~classical.geo.classify_raster` (0 = nodata, ``1..K`` classes,
        tags ``class_names`` and ``reject_value``).
    counts : int or mapping
        Points per class: one number for every class present in the map
        (equal allocation), or a mapping from class (name, original label or
        its text) to its number of points; classes left out get none. A
        class with fewer pixels than asked gets all of them, with a warning.
        [1]_ recommends between equal and proportional allocation: enough
        points (50 to 100) in rare classes, more in large ones.
    destination : path-like or None, default=None
        ``.geojson`` / ``.json`` (a GeoJSON FeatureCollection of points) or
        ``.csv`` (columns ``id, x, y, row, col, map_class, label``); the
        ``label`` is left empty for the person who labels the points. None
        returns the points instead of writing them.
    random_state : int, numpy.random.Generator or None, default=None
        Seed of the draw; the same seed and map give the same points,
        whatever ``block_size``.
    class_names : sequence of str or None, default=None
        The class of values ``1..K``, for a map without the ``class_names``
        tag (an array); None reads the tag, or names the values ``'1'..'K'``.
    reject_value : int or None, default=None
        None reads the tag, or takes 255 for uint8 and 65535 for uint16.
    transform, crs : optional
        For an array map: its pixel-to-map transform and CRS, as in
        :func:`~classical.geo.open_raster`. Without a transform the
        coordinates are pixel coordinates (column + 0.5, row + 0.5).
    block_size : int or None, default=None
        Memory bound: the map is read in strips of whole rows of about
        ``block_size ** 2`` pixels (None: about 4 million).

    Returns
    -------
    path : pathlib.Path
        The file written, when ``destination`` is given.
    points : dict of ndarray
        Otherwise ``id`` (1..n, the order of the points, which is random so
        that it does not reveal the map class), ``x``, ``y`` (in the map's
        CRS), ``row``, ``col`` and ``map_class`` (class names).

    Raises
    ------
    ValueError
        If ``counts`` is negative or names a class the map does not have,
        the map has no classified pixel, or ``destination`` has another
        ending or cannot be written.
    TypeError
        If ``counts`` is neither an int nor a mapping.

    References
    ----------
    .. [1] P. Olofsson, G. M. Foody, M. Herold, S. V. Stehman, C. E. Woodcock
       and M. A. Wulder, "Good practices for estimating area and assessing
       accuracy of land change", Remote Sensing of Environment, 148, 42-57,
       2014. :DOI:`10.1016/j.rse.2014.02.015`
    """
    if destination is not None:
        destination = check_listing_path(destination, "destination")
    with ClassMap(class_map, class_names=class_names, reject_value=reject_value,
                  transform=transform, crs=crs, block_size=block_size) as classes:
        wanted = _wanted(classes, counts)
        rng = np.random.default_rng(random_state)
        ranks = {code: np.sort(rng.choice(int(classes.pixels[code - 1]), size=n,
                                          replace=False))
                 for code, n in wanted.items() if n}
        rows, cols, codes = _find_ranked_pixels(classes, ranks)
    order = rng.permutation(rows.size)
    rows, cols, codes = rows[order], cols[order], codes[order]
    x, y = pixel_centres(classes.raster.transform, rows, cols)
    points = {"id": np.arange(1, rows.size + 1), "x": x, "y": y, "row": rows,
              "col": cols,
              "map_class": np.array([classes.class_names[c - 1] for c in codes],
                                    dtype=object)}
    if destination is None:
        return points
    text = (_csv_text(points) if destination.suffix.lower() == ".csv"
            else _geojson_text(points, classes.raster.crs))
    _write_atomic(destination, text)
    return destination


def read_points(path, *, label="label"):
    """Read labelled reference points from a GeoJSON or CSV file.

    Parameters
    ----------
    path : path-like
        A file written by :func:`sample_points` (or any GeoJSON of points
        with a ``label`` property, or CSV with ``x``, ``y`` and ``label``
        columns), coordinates in the map's CRS.
    label : str, default='label'
        The property or column holding each point's reference class.

    Returns
    -------
    x, y : ndarray of float64
        Coordinates of the labelled points.
    labels : list
        Their labels. Points with an empty or missing label are left out.
    crs : str or None
        The CRS a GeoJSON file declares in its ``crs`` member, if any.

    Raises
    ------
    ValueError
        If the file cannot be parsed, lacks the ``label`` field or the
        coordinates, holds a geometry other than a point, or has no labelled
        point.
    """
    path = Path(path)
    if not path.is_file():
        raise ValueError(f"The reference points file {str(path)!r} does not exist.")
    if path.suffix.lower() == ".csv":
        x, y, labels, crs = (*_read_csv(path, label), None)
    else:
        x, y, labels, crs = _read_geojson(path, label)
    keep = [i for i, value in enumerate(labels) if value not in (None, "")]
    if not keep:
        raise ValueError(
            f"{str(path)!r} has no labelled point: every {label!r} is empty. "
            f"Fill in the reference class of each point first.")
    x, y = (np.asarray(v, dtype=np.float64)[keep] for v in (x, y))
    return x, y, [labels[i] for i in keep], crs


# ------------------------------------------------------------------ drawing
def _wanted(classes, counts):
    """Points to draw in each class code, capped by the class's pixels."""
    if isinstance(counts, Integral) and not isinstance(counts, bool):
        asked = {code: int(counts) for code in range(1, classes.n_classes + 1)
                 if classes.pixels[code - 1]}
    elif isinstance(counts, Mapping):
        codes = classes.codes_of(list(counts), "counts names class(es)")
        asked = dict(zip(codes.tolist(), counts.values()))
    else:
        raise TypeError(
            f"counts must be an int (points per class) or a mapping class -> "
            f"points; got {type(counts).__name__}.")
    bad = {k: v for k, v in asked.items()
           if not isinstance(v, Integral) or isinstance(v, bool) or v < 0}
    if bad:
        raise ValueError(
            f"counts must be whole numbers >= 0; got {list(bad.values())} for "
            f"class(es) {[classes.class_names[c - 1] for c in bad]}.")
    short = {code: (n, int(classes.pixels[code - 1])) for code, n in asked.items()
             if n > classes.pixels[code - 1]}
    if short:
        listed = ", ".join(f"{classes.class_names[c - 1]} ({have} of {n})"
                           for c, (n, have) in short.items())
        warnings.warn(f"Some classes have fewer pixels than points asked, so all "
                      f"their pixels are taken: {listed}.", UserWarning, stacklevel=3)
    return {code: min(int(n), int(classes.pixels[code - 1]))
            for code, n in asked.items()}


def _find_ranked_pixels(classes, ranks):
    """Rows, columns and codes of the pixels at the given ranks of each class.

    Sorted by class, then row-major. A pixel's rank in its class counts the
    pixels of that class before it in row-major order, so the result does not
    depend on the strips read.
    """
    seen = dict.fromkeys(ranks, 0)
    found = []
    for window in classes.strips():
        block = classes.read(window)
        for code, chosen in ranks.items():
            where = np.flatnonzero(block == code)
            lo, hi = np.searchsorted(chosen, [seen[code], seen[code] + where.size])
            picked = where[chosen[lo:hi] - seen[code]]
            seen[code] += where.size
            found.append((picked // window.width + window.row,
                          picked % window.width + window.col,
                          np.full(picked.size, code)))
    if not found:
        return (np.empty(0, np.int64),) * 3
    rows, cols, codes = (np.concatenate(part).astype(np.int64) for part in zip(*found))
    order = np.lexsort((cols, rows, codes))  # by class, then row-major
    return rows[order], cols[order], codes[order]


# ------------------------------------------------------------------- writing
def _csv_text(points):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(_COLUMNS)
    for i in range(points["id"].size):
        writer.writerow([points["id"][i], repr(float(points["x"][i])),
                         repr(float(points["y"][i])), points["row"][i],
                         points["col"][i], points["map_class"][i], ""])
    return out.getvalue()


def _geojson_text(points, crs):
    features = [
        {"type": "Feature",
         "geometry": {"type": "Point",
                      "coordinates": [float(points["x"][i]), float(points["y"][i])]},
         "properties": {"id": int(points["id"][i]), "row": int(points["row"][i]),
                        "col": int(points["col"][i]),
                        "map_class": points["map_class"][i], "label": None}}
        for i in range(points["id"].size)]
    collection = {"type": "FeatureCollection", "features": features}
    if crs is not None:
        # The named-CRS member of GeoJSON 2008, which GDAL and QGIS read: the
        # points are in the map's CRS, not in RFC 7946's longitude/latitude.
        collection["crs"] = {"type": "name", "properties": {"name": _crs_name(crs)}}
    return json.dumps(collection, indent=1) + "\n"


def _crs_name(crs):
    epsg = crs.to_epsg() if hasattr(crs, "to_epsg") else None
    return f"urn:ogc:def:crs:EPSG::{epsg}" if epsg else str(crs)


def _write_atomic(path, text):
    """Write ``text`` to ``path`` through a temporary file in its directory."""
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


# ------------------------------------------------------------------- reading
def _read_csv(path, label):
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in ("x", "y", label) if c not in (reader.fieldnames or [])]
        if missing:
            raise ValueError(
                f"The CSV file {str(path)!r} lacks the column(s) {missing}; it "
                f"needs x, y (in the map's CRS) and {label!r}.")
        rows = list(reader)
    try:
        x = [float(row["x"]) for row in rows]
        y = [float(row["y"]) for row in rows]
    except ValueError as error:
        raise ValueError(f"The CSV file {str(path)!r} has a coordinate that is not "
                         f"a number ({error}).") from error
    return x, y, [row[label].strip() for row in rows]


def _read_geojson(path, label):
    try:
        collection = json.loads(path.read_text(encoding="utf-8"))
        features = collection["features"]
    except (json.JSONDecodeError, KeyError, TypeError) as error:
        raise ValueError(
            f"{str(path)!r} is not a GeoJSON FeatureCollection ({error}).") from error
    x, y, labels = [], [], []
    for number, feature in enumerate(features, start=1):
        geometry = feature.get("geometry") or {}
        if geometry.get("type") != "Point":
            raise ValueError(
                f"Feature {number} of {str(path)!r} is a {geometry.get('type')}, not "
                f"a Point; reference samples are points (polygons of reference "
                f"labels are read as a label raster: give them with a file "
                f"ending other than .geojson/.json, e.g. a GeoPackage).")
        properties = feature.get("properties") or {}
        if label not in properties:
            raise ValueError(
                f"Feature {number} of {str(path)!r} has no {label!r} property; "
                f"its properties are {sorted(properties)}.")
        x.append(geometry["coordinates"][0])
        y.append(geometry["coordinates"][1])
        labels.append(properties[label])
    crs = ((collection.get("crs") or {}).get("properties") or {}).get("name")
    return x, y, labels, crs
