"""Accuracy assessment of a class map against reference samples, with area estimates."""

import json
import warnings
from pathlib import Path

import numpy as np

from ..evaluation import Report
from ._accuracy import area_estimates
from ._classmap import ClassMap, pixel_indices
from ._optional import import_optional
from ._points import POINT_SUFFIXES, read_points

__all__ = ["MapAssessment", "assess_map"]


def assess_map(class_map, reference, *, label="label", attribute="id",
               class_names=None, reject_value=None, transform=None, crs=None,
               block_size=None):
    """Assess a class map against reference samples and estimate class areas.

    Parameters
    ----------
    class_map : path-like, Raster or ndarray of shape (H, W)
        A class map following the contract of
        :func:`~classical.geo.classify_raster`: ``0`` = nodata, ``1..K`` the
        classes, the tags ``class_names``, ``class_values`` and
        ``reject_value``.
    reference : path-like, Raster or ndarray of shape (H, W)
        The reference samples, either

        - points: a ``.csv`` file, or a ``.geojson``/``.json`` file of
          points, with a ``label`` per point, such as
          :func:`~classical.geo.sample_points` writes once a person has
          filled it in; coordinates in the map's CRS;
        - or a label raster on the map's grid (0 = unlabelled) or a vector
          file of labelled polygons, read by :func:`~classical.geo.read_labels`
          (every labelled pixel is a sample).

        Labels are class names or original labels (``class_values``).
    label : str, default='label'
        For points: the property or column holding the reference class.
    attribute : str, default='id'
        For a vector file of polygons: the field holding the class.
    class_names : sequence of str or None, default=None
        For a map without the ``class_names`` tag (an array): the class of
        values ``1..K``; None names them ``'1'..'K'``.
    reject_value : int or None, default=None
        None reads the tag, or takes 255 for uint8 and 65535 for uint16.
    transform, crs : optional
        For an array map, as in :func:`~classical.geo.open_raster`.
    block_size : int or None, default=None
        The map is read in strips of about ``block_size ** 2`` pixels (None:
        about 4 million), so memory does not grow with the map (a reference
        raster or polygon file is read whole, as ``read_labels`` does).

    Returns
    -------
    assessment : MapAssessment
        A dict with ``classes``, ``class_values``, ``error_matrix`` (sample
        counts, rows = map classes, columns = reference classes),
        ``n_samples``, ``overall_accuracy``, ``kappa``,
        ``producers_accuracy`` and ``users_accuracy`` (of the samples, as
        counted), ``report`` (a :class:`classical.evaluation.Report`, rows =
        reference), ``mapped_pixels``, ``rejected_pixels``, ``pixel_area``
        and ``area_unit``, ``dropped_samples`` (samples outside the map, on
        nodata or on rejected pixels) and ``area_estimates`` (the
        :func:`~classical.geo.area_estimates` of the error matrix with the
        mapped area of each class, or None when a mapped class has no
        sample, with a warning).

    Raises
    ------
    ValueError
        If the map is not a one-band integer class map or has no classified
        pixel, a reference label names no class of the map, the reference
        raster is on another grid, or no sample falls on a classified pixel.

    Notes
    -----
    The population assessed is the classified part of the map: nodata and
    rejected pixels are left out of the mapped areas, and samples falling on
    them are dropped (and counted in ``dropped_samples``). The area
    estimates assume a stratified random sample by map class (as
    :func:`~classical.geo.sample_points` draws); for other samples, such as
    training polygons, they are only indicative. The pixel area is in
    hectares for a projected CRS in metres, in pixels without a transform or
    for a geographic CRS.
    """
    with ClassMap(class_map, class_names=class_names, reject_value=reject_value,
                  transform=transform, crs=crs, block_size=block_size) as classes:
        if _is_points_file(reference):
            pairs, dropped = _point_pairs(classes, reference, label)
        else:
            pairs, dropped = _raster_pairs(classes, reference, attribute)
    mapped, truth = pairs
    if mapped.size == 0:
        raise ValueError(
            f"No reference sample falls on a classified pixel of the map "
            f"({dropped}); check that the samples and the map share a CRS and "
            f"extent.")
    k = classes.n_classes
    matrix = np.bincount((mapped - 1) * k + (truth - 1),
                         minlength=k * k).reshape(k, k)
    report = Report(matrix.T, classes.class_names)
    pixel_area, unit = classes.pixel_area()
    return MapAssessment(
        classes=classes.class_names,
        class_values=classes.class_values,
        error_matrix=matrix,
        n_samples=int(matrix.sum()),
        overall_accuracy=report.accuracy,
        kappa=report.kappa,
        producers_accuracy=report.producers_accuracy,
        users_accuracy=report.users_accuracy,
        report=report,
        mapped_pixels=classes.pixels,
        rejected_pixels=classes.rejected,
        pixel_area=pixel_area,
        area_unit=unit,
        dropped_samples=dropped,
        area_estimates=_estimates(matrix, classes, pixel_area),
    )


class MapAssessment(dict):
    """The result of :func:`assess_map`: a dict that renders itself.

    The keys are listed in :func:`assess_map`.
    """

    def to_dict(self):
        """Return the assessment as plain Python types, ready for :func:`json.dumps`.

        Returns
        -------
        assessment : dict
            ``report`` and ``area_estimates`` as their own ``to_dict()``;
            arrays as lists, NaN as None.
        """
        estimates = self["area_estimates"]
        report = self["report"].to_dict()
        return {
            "classes": self["classes"],
            "class_values": [v if isinstance(v, (int, float, str)) else str(v)
                             for v in self["class_values"]],
            "error_matrix": self["error_matrix"].tolist(),
            "n_samples": self["n_samples"],
            "overall_accuracy": report["accuracy"],
            "kappa": report["kappa"],
            "producers_accuracy": report["producers_accuracy"],
            "users_accuracy": report["users_accuracy"],
            "mapped_pixels": self["mapped_pixels"].tolist(),
            "rejected_pixels": self["rejected_pixels"],
            "pixel_area": self["pixel_area"],
            "area_unit": self["area_unit"],
            "dropped_samples": self["dropped_samples"],
            "report": report,
            "area_estimates": None if estimates is None else estimates.to_dict(),
        }

    def to_json(self, path=None, *, indent=2):
        """Write the assessment as JSON, or return it as a string.

        Parameters
        ----------
        path : path-like or None, default=None
            Where to write; None returns the text.
        indent : int, default=2
            Passed to :func:`json.dumps`.

        Returns
        -------
        text : str or None
            The JSON text when ``path`` is None.
        """
        text = json.dumps(self.to_dict(), indent=indent)
        if path is None:
            return text
        Path(path).write_text(text + "\n", encoding="utf-8")
        return None

    def to_markdown(self):
        """Return the sample report and the area estimates as Markdown.

        Returns
        -------
        text : str
            The :class:`~classical.evaluation.Report` tables (the confusion
            matrix with the reference in rows), the samples left out, and the
            tables of :meth:`AreaEstimates.to_markdown` (or why they are
            missing).
        """
        dropped = ", ".join(f"{n} {why}" for why, n in self["dropped_samples"].items()
                            if n)
        lines = [self["report"].to_markdown(),
                 f"Samples on classified pixels: {self['n_samples']}"
                 + (f" (left out: {dropped})." if dropped else "."),
                 f"Rejected pixels in the map (outside the assessed area): "
                 f"{self['rejected_pixels']}.", ""]
        estimates = self["area_estimates"]
        if estimates is None:
            lines.append("No area estimates: a mapped class has no reference "
                         "sample (see the warning).\n")
        else:
            lines.append(estimates.to_markdown(unit=self["area_unit"]))
        return "\n".join(lines)

    def _repr_markdown_(self):
        return self.to_markdown()


def _is_points_file(reference):
    """A CSV, or a GeoJSON of points (a GeoJSON of polygons is a label layer)."""
    if not (isinstance(reference, (str, Path))
            and Path(reference).suffix.lower() in POINT_SUFFIXES):
        return False
    if Path(reference).suffix.lower() == ".csv":
        return True
    pyogrio = import_optional("pyogrio")
    try:
        geometry = pyogrio.read_info(reference)["geometry_type"]
    except pyogrio.errors.DataSourceError:  # not OGR-readable: read_points says why
        return True
    return geometry in ("Point", "MultiPoint", "Unknown", None)


def _point_pairs(classes, path, label):
    """Map and reference codes of labelled points (and the points dropped)."""
    raster = classes.raster
    x, y, labels, declared = read_points(path, label=label)
    _check_same_crs(declared, raster.crs, path)
    truth = classes.codes_of(labels, f"The {label!r} values of {str(path)!r}")
    rows, cols = pixel_indices(raster.transform, x, y)
    inside = (rows >= 0) & (rows < raster.height) & (cols >= 0) & (cols < raster.width)
    mapped = np.zeros(rows.size, dtype=np.int64)
    for window in classes.strips():
        here = inside & (rows >= window.row) & (rows < window.row + window.height)
        if here.any():
            block = classes.read(window)
            mapped[here] = block[rows[here] - window.row, cols[here]]
    return _keep_classified(classes, mapped, truth, outside=int((~inside).sum()))


def _raster_pairs(classes, reference, attribute):
    """Map and reference codes of every labelled pixel of a label raster."""
    from ._labels import read_labels, text_class_names

    labels = read_labels(reference, classes.raster, attribute=attribute)
    present = np.unique(labels)
    present = present[present != 0].tolist()
    names = text_class_names(reference, attribute=attribute)
    codes = classes.codes_of(present if names is None else [names[v] for v in present],
                             "The reference raster's values")
    lookup = dict(zip(present, codes.tolist()))
    mapped, truth = [], []
    for window in classes.strips():
        strip = labels[window.row:window.row + window.height]
        where = np.nonzero(strip)
        mapped.append(classes.read(window)[where].astype(np.int64))
        truth.append(np.array([lookup[v] for v in strip[where].tolist()],
                              dtype=np.int64))
    return _keep_classified(classes, np.concatenate(mapped), np.concatenate(truth),
                            outside=0)


def _keep_classified(classes, mapped, truth, *, outside):
    rejected = (mapped == classes.reject_value if classes.reject_value is not None
                else np.zeros(mapped.shape, dtype=bool))
    nodata = mapped == 0
    keep = ~(rejected | nodata) & (mapped <= classes.n_classes)
    dropped = {"outside the map": outside,
               "on nodata": int(nodata.sum()) - outside,
               "on rejected pixels": int(rejected.sum())}
    return (mapped[keep], truth[keep]), dropped


def _check_same_crs(declared, crs, path):
    if declared is None or crs is None:
        return
    rasterio = import_optional("rasterio")
    if rasterio.crs.CRS.from_user_input(declared) != crs:
        raise ValueError(
            f"The points of {str(path)!r} are in {declared}, the map in {crs}; "
            f"reproject them to the map's CRS first (e.g. ogr2ogr -t_srs).")


def _estimates(matrix, classes, pixel_area):
    unsampled = [name for name, n, pixels in
                 zip(classes.class_names, matrix.sum(axis=1), classes.pixels)
                 if n == 0 and pixels > 0]
    if unsampled:
        warnings.warn(
            f"No area estimates: the mapped class(es) {unsampled} have no "
            f"reference sample, so their area cannot be attributed to reference "
            f"classes. Draw samples in every class with sample_points.",
            UserWarning, stacklevel=3)
        return None
    return area_estimates(matrix, classes.pixels * pixel_area,
                          classes=classes.class_names)
