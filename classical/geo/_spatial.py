"""Spatial and pixel models: how a block of a raster becomes the rows a model takes.

A *pixel model* takes rows ``(n_pixels, n_bands)``: each pixel on its own
(``pixel-mlc``, ``pixel-svm``, ``pixel-rf``). A *spatial model* is a
:class:`~sklearn.pipeline.Pipeline` whose first step is a *spatial step*: an
object with

- an integer attribute or property ``halo``: how many pixels of context it
  needs on each side of a pixel, and
- ``transform(block)`` taking an image ``(H, W, B)`` and returning
  ``(H, W, F)``, the features of every pixel, mirroring (NumPy's
  ``'reflect'``) at the border of ``block``.

The remaining steps take the rows ``(n_pixels, F)``, as a pixel model does.
:class:`~classical.geo.NeighbourhoodFeatures` is such a step
(``pixel-texture-rf``).

A block is read with a margin of ``halo`` pixels on each side, taken from the
neighbouring pixels of the scene where they exist and mirrored at the edge of
the scene (:func:`read_block`, which mirrors the nodata mask the same way).
The spatial step sees the nodata pixels of the block as NaN in every band
(:func:`pixel_rows`), whatever the raster's dtype and nodata value, and is
expected to leave them out of its neighbours' features. Features computed on
that block and cropped back to its centre are then exactly those of the
whole scene with its nodata pixels set to NaN, whatever the block size: the
seams of the blocks never change a pixel's value.
"""

import numpy as np
from sklearn.pipeline import Pipeline

from ._raster import Window, _reflect_range

__all__ = ["spatial_parts", "pixel_rows", "read_block", "crop_halo"]


def _is_spatial(step):
    return hasattr(step, "halo") and hasattr(step, "transform")


def spatial_parts(model):
    """Split a model into its spatial first step and the pixel model after it.

    Parameters
    ----------
    model : estimator
        A pixel model, a :class:`~sklearn.pipeline.Pipeline` whose first step
        is a spatial step (it has a ``halo`` and maps ``(H, W, B)`` to
        ``(H, W, F)``), or a spatial step on its own.

    Returns
    -------
    spatial : estimator or None
        The spatial step, or None for a pixel model.
    rest : estimator or None
        What takes the rows: the pipeline's remaining steps as a
        :class:`~sklearn.pipeline.Pipeline`, the model itself for a pixel
        model, or None when ``model`` is a spatial step on its own.
    halo : int
        Pixels of context the spatial step needs on each side; 0 for a pixel
        model.

    Examples
    --------
    >>> from sklearn.ensemble import RandomForestClassifier
    >>> from sklearn.pipeline import make_pipeline
    >>> from classical.geo import NeighbourhoodFeatures
    >>> model = make_pipeline(NeighbourhoodFeatures(size=5), RandomForestClassifier())
    >>> spatial, rest, halo = spatial_parts(model)
    >>> type(spatial).__name__, len(rest), halo
    ('NeighbourhoodFeatures', 1, 2)
    >>> spatial_parts(RandomForestClassifier())[0] is None
    True
    """
    if isinstance(model, Pipeline) and _is_spatial(model.steps[0][1]):
        spatial = model.steps[0][1]
        rest = model[1:] if len(model.steps) > 1 else None
        return spatial, rest, int(spatial.halo)
    if _is_spatial(model):
        return model, None, int(model.halo)
    return None, model, 0


def pixel_rows(model, block, halo, valid=None):
    """Rows for the centre of a block read with a margin of ``halo`` pixels.

    Parameters
    ----------
    model : estimator
        A fitted pixel or spatial model (see :func:`spatial_parts`).
    block : ndarray of shape (h + 2 * halo, w + 2 * halo, B)
        The block with its margin on every side.
    halo : int
        The margin read around the block; at least the spatial step's own
        ``halo`` (a larger margin gives the same rows).
    valid : ndarray of bool of shape (h + 2 * halo, w + 2 * halo) or None, \
default=None
        Which pixels of ``block`` hold data (from :func:`read_block`). A
        spatial step gets the others as NaN in every band, so that they are
        left out of its windows; None gives it ``block`` as it is. A pixel
        model's rows are the bands either way.

    Returns
    -------
    rows : ndarray of shape (h * w, F)
        The features of the block's centre pixels in row-major order: the
        spatial step's output for a spatial model, the bands for a pixel
        model. They are what ``spatial_parts(model)[1]`` takes.

    Raises
    ------
    ValueError
        If ``block`` is not 3-D, ``valid`` has another shape than its first
        two axes, or ``halo`` is negative, smaller than the spatial step's
        halo or leaves no centre pixel.
    """
    spatial, _, needed = spatial_parts(model)
    if block.ndim != 3:
        raise ValueError(
            f"block must be an array of shape (H, W, B); got shape {block.shape}. "
            "Add a band axis with block[..., None] for a one-band raster.")
    if valid is not None and np.shape(valid) != block.shape[:2]:
        raise ValueError(
            f"valid must be the mask of the block's pixels, of shape "
            f"{block.shape[:2]}; got shape {np.shape(valid)}. Take both from "
            f"read_block(raster, window, halo=...).")
    halo = int(halo)
    if halo < needed:
        raise ValueError(
            f"halo must be at least {needed}, the halo the model's spatial step "
            f"needs; got {halo}. Read the block with halo={needed}.")
    if min(block.shape[:2]) <= 2 * halo:
        raise ValueError(
            f"block of shape {block.shape} has no pixel inside a halo of {halo}; "
            f"it needs more than {2 * halo} rows and columns.")
    if spatial is None:
        features = block
    else:
        if valid is not None and not valid.all():  # NaN where nodata, any dtype
            block = np.where(valid[..., np.newaxis], block, np.nan)
        features = spatial.transform(block)
    centre = crop_halo(features, halo)
    return centre.reshape(-1, centre.shape[-1])


def crop_halo(array, halo):
    """The centre of an array read with a margin of ``halo`` pixels.

    Parameters
    ----------
    array : ndarray of shape (h + 2 * halo, w + 2 * halo, ...)
        A block with its margin, or its mask.
    halo : int
        The margin, >= 0.

    Returns
    -------
    centre : ndarray of shape (h, w, ...)
        A view of ``array`` without its margin.
    """
    return array[halo:array.shape[0] - halo, halo:array.shape[1] - halo]


def read_block(raster, window, *, halo=0, bands=None):
    """Read a block with a margin of ``halo`` pixels, and which pixels hold data.

    Parameters
    ----------
    raster : Raster
        The scene.
    window : Window
        The block.
    halo : int, default=0
        Pixels of margin on each side, as :meth:`Raster.read` takes it.
    bands : sequence of int or None, default=None
        1-based bands to read; None reads every band.

    Returns
    -------
    block : ndarray of shape (h + 2 * halo, w + 2 * halo, n_bands)
        ``raster.read(window, halo=halo, bands=bands)``.
    valid : ndarray of bool of shape (h + 2 * halo, w + 2 * halo)
        :meth:`Raster.valid_mask` of the same pixels: read from the scene in
        the margin and mirrored beyond the scene's edges as the pixels are,
        so it is the whole scene's mask cut as the block is.

    Examples
    --------
    >>> import numpy as np
    >>> from classical.geo import open_raster
    >>> scene = np.arange(12.0).reshape(3, 4, 1)
    >>> scene[0, 1] = np.nan
    >>> block, valid = read_block(open_raster(scene), Window(0, 0, 2, 2), halo=1)
    >>> valid.astype(int)  # pixel (0, 1), and its mirror image in column -1
    array([[1, 1, 1, 1],
           [0, 1, 0, 1],
           [1, 1, 1, 1],
           [1, 1, 1, 1]])
    """
    block = raster.read(window, halo=halo, bands=bands)
    if not halo:
        return block, raster.valid_mask(window)
    # the rows and columns Raster.read takes, mirrored at the scene's edges
    rows = _reflect_range(window.row - halo, window.row + window.height + halo,
                          raster.height)
    cols = _reflect_range(window.col - halo, window.col + window.width + halo,
                          raster.width)
    outer = Window(int(rows.min()), int(cols.min()), int(rows.max() - rows.min() + 1),
                   int(cols.max() - cols.min() + 1))
    valid = raster.valid_mask(outer)[np.ix_(rows - outer.row, cols - outer.col)]
    return block, valid
