"""Fit a pixel or spatial pipeline on an image and its labels, reading by blocks."""

import numpy as np
from tqdm.auto import tqdm

from ..utils._docstring import RANDOM_STATE_DOC, VERBOSE_DOC, Substitution
from ._indices import SpectralIndices, band_roles
from ._labels import (
    _clear_nodata,
    _min_pixels,
    _name_pairs,
    read_labels,
    text_class_names,
    validate_classes,
)
from ._raster import opened_raster
from ._sampling import sample_pixels
from ._spatial import pixel_rows, read_block, spatial_parts

__all__ = ["fit_raster"]


@Substitution(random_state=RANDOM_STATE_DOC, verbose=VERBOSE_DOC)
def fit_raster(pipeline, image, labels, *, max_per_class=None, balance=False,
               class_names=None, sensor=None, block_size=None, random_state=None,
               verbose=False, attribute="id", min_pixels="auto", on_invalid="raise",
               bands=None):
    """Fit a pipeline on the labelled pixels of an image, reading it by blocks.

    The labels are put on the image's grid and validated, the labelled
    pixels where the image holds data are sampled (stratified), and the image
    is read block by block keeping only the sampled pixels' rows, so memory
    depends on ``block_size`` and the sample, not on the scene. A *spatial*
    pipeline (whose first step has a ``halo``, e.g.
    :class:`~classical.geo.NeighbourhoodFeatures`) gets its features computed
    on blocks read with that margin, exactly as on the whole scene.

    Parameters
    ----------
    pipeline : estimator
        A pixel model taking rows ``(n_pixels, n_bands)``, or a spatial
        pipeline (see :func:`classical.geo._spatial.spatial_parts`). It is
        fitted in place.
    image : path-like, Raster or ndarray of shape (H, W, B)
        The image.
    labels : path-like, Raster or ndarray of shape (H, W)
        Class ids on the image's grid (0 = unlabelled), a label raster, or a
        vector file whose ``attribute`` gives the classes; anything
        :func:`~classical.geo.read_labels` takes.
    max_per_class : int or None, default=None
        Most training pixels per class (OTB's ``sample.mt``); None takes all.
    balance : bool, default=False
        As many pixels from every class: those of the smallest class, or
        ``max_per_class`` if lower (OTB's ``sample.bm``).
    class_names : mapping, sequence or None, default=None
        Names of the class ids (as :func:`~classical.geo.validate_classes`
        takes them). They are validated and stored as ``class_names_``; the
        model still learns the ids.
    sensor : {'sentinel2', 'landsat8', 'landsat7'} or None, default=None
        Reads the band numbers in the raster's band names (see
        :func:`~classical.geo.band_roles`).
    block_size : int or None, default=None
        Side of the square blocks read at once; None means 512. The fitted
        model does not depend on it.
    {random_state}
    {verbose}
    attribute : str, default='id'
        The class field when ``labels`` is a vector file.
    min_pixels : 'auto', 'bands+1', int or None, default='auto'
        Fewest pixels a class may have (see
        :func:`~classical.geo.validate_classes`). ``'auto'`` is
        ``'bands+1'`` when the last step has an unregularised covariance
        (``reg_param == 0``, as a plain Gaussian maximum-likelihood
        classifier or QDA), and no limit otherwise.
    on_invalid : {'raise', 'warn'}, default='raise'
        What a problem found by :func:`~classical.geo.validate_classes` does.
    bands : sequence of int or None, default=None
        1-based bands of the image the model learns from, in that order
        (e.g. ``range(1, 8)`` to leave out a mask band); None takes every
        band. Kept as ``source_bands_`` so that
        :func:`~classical.geo.classify_raster` reads the same bands.

    Returns
    -------
    pipeline : estimator
        The same object, fitted, with the class ids (the label values) as
        ``classes_`` and the attributes ``class_names_`` (the names in the
        order of ``classes_``, or None without ``class_names``) and
        ``source_bands_`` (``bands`` as a tuple, or None).

    Raises
    ------
    ClassValidationError
        If the classes have a problem (duplicate or missing names, a class
        too small for its covariance, fewer than two classes); every problem
        is listed.
    ValueError
        If the labels are not on the image's grid, or a parameter is invalid.

    Notes
    -----
    Classes stay the label ids so that the class map's values ``1..K`` (in
    the order of ``classes_``) are the ids themselves when they are ``1..K``;
    give ``class_names_`` to :func:`~classical.geo.classify_raster` to name
    them in the map.

    Band roles: every :class:`~classical.geo.SpectralIndices` step whose
    ``bands`` is None gets the roles found in the raster's band names
    (with ``sensor``, or the step's own), so indices are computed from the
    right layers.

    The training rows are in row-major order of their pixels whatever the
    block size, so a seeded model is identical for any ``block_size``. The
    spatial step is fitted on the sampled pixels' bands, given to it as an
    image of shape ``(n_samples, 1, B)``: its ``fit`` may learn per-band
    statistics (as the brightness range of
    :class:`~classical.geo.NeighbourhoodFeatures`), not spatial structure.
    Its features are then computed on blocks read with a margin of its
    ``halo`` (mirrored at the scene's edges), and the rest of the pipeline is
    fitted on the sampled pixels' features.
    """
    if on_invalid not in ("raise", "warn"):
        raise ValueError(f"on_invalid must be 'raise' or 'warn'; got {on_invalid!r}.")
    with opened_raster(image) as raster:
        bands = None if bands is None else tuple(raster.check_bands(bands))
        if class_names is None:  # a text class field names its classes itself
            class_names = text_class_names(labels, attribute=attribute)
        labels = read_labels(labels, raster, attribute=attribute,
                             class_names=class_names)
        labels, _ = _clear_nodata(labels, raster, block_size=block_size)
        spatial, rest, halo = spatial_parts(pipeline)
        validate_classes(labels, class_names=class_names,
                         min_pixels=_resolve_min_pixels(min_pixels, pipeline, raster,
                                                        bands),
                         on_invalid=on_invalid)
        rows, cols = sample_pixels(labels, max_per_class=max_per_class, balance=balance,
                                   random_state=random_state)
        y = labels[rows, cols]
        names_in = raster.band_names if bands is None \
            else tuple(raster.band_names[b - 1] for b in bands)
        _set_band_roles(pipeline, names_in, sensor)
        pixels = _gather(raster, rows, cols, bands=bands, block_size=block_size,
                         verbose=verbose, desc="Reading training pixels")
        if spatial is None:
            pipeline.fit(pixels, y)
        else:
            spatial.fit(pixels[:, np.newaxis, :])
            del pixels
            features = _gather(raster, rows, cols, bands=bands, block_size=block_size,
                               halo=halo, model=pipeline, verbose=verbose,
                               desc="Computing training features")
            if rest is not None:
                rest.fit(features, y)
        names = None
        if class_names is not None:
            named = dict(_name_pairs(class_names))
            names = tuple(named.get(k, str(k)) for k in np.unique(y).tolist())
        pipeline.class_names_ = names
        pipeline.source_bands_ = bands
        return pipeline


def _resolve_min_pixels(min_pixels, model, raster, bands):
    """The ``min_pixels`` of validate_classes, with 'auto' and 'bands+1' decided.

    'bands+1' counts the bands the model reads (``bands``), not the file's.
    """
    if isinstance(min_pixels, str) and min_pixels == "auto":
        last = model.steps[-1][1] if hasattr(model, "steps") else model
        plain = getattr(last, "reg_param", None) == 0
        min_pixels = "bands+1" if plain else None
    if isinstance(min_pixels, str) and min_pixels == "bands+1" and bands is not None:
        return len(bands) + 1
    return _min_pixels(min_pixels, raster)


def _set_band_roles(model, band_names, sensor):
    """Give every SpectralIndices step without ``bands`` the raster's band roles."""
    steps = [model, *model.get_params(deep=True).values()] \
        if hasattr(model, "get_params") else [model]
    for step in steps:
        if isinstance(step, SpectralIndices) and step.bands is None:
            roles = band_roles(band_names, sensor=sensor or step.sensor)
            if roles:
                step.set_params(bands=roles)


def _gather(raster, rows, cols, *, bands, block_size, halo=0, model=None,
            verbose=False, desc=None):
    """Rows of the pixels ``(rows, cols)``, read block by block, in their order.

    Without ``model`` a pixel's row is its bands; with it, the features of
    :func:`pixel_rows` on the block read with a margin of ``halo``.
    """
    windows = raster.windows(block_size)
    starts = (np.unique([w.row for w in windows]), np.unique([w.col for w in windows]))
    first_row = starts[0][np.searchsorted(starts[0], rows, side="right") - 1]
    first_col = starts[1][np.searchsorted(starts[1], cols, side="right") - 1]
    key = first_row.astype(np.int64) * raster.width + first_col
    order = np.argsort(key, kind="stable")
    keys, begins = np.unique(key[order], return_index=True)
    by_corner = {(w.row, w.col): w for w in windows}
    gathered = None
    for index in tqdm(np.split(order, begins[1:]), total=len(keys), desc=desc,
                      unit="block", disable=not verbose):
        window = by_corner[(int(first_row[index[0]]), int(first_col[index[0]]))]
        local_rows, local_cols = rows[index] - window.row, cols[index] - window.col
        if model is None:
            values = raster.read(window, bands=bands)[local_rows, local_cols]
        else:  # nodata neighbours are left out of the window features
            block, valid = read_block(raster, window, halo=halo, bands=bands)
            centre = local_rows * window.width + local_cols
            values = pixel_rows(model, block, halo, valid)[centre]
        if gathered is None:
            gathered = np.empty((len(rows), values.shape[1]), dtype=values.dtype)
        gathered[index] = values
    return gathered
