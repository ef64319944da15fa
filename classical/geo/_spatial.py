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
the scene. Features computed on that block and cropped back to its centre are
then exactly those of the whole scene, whatever the block size: the seams of
the blocks never change a pixel's value.
"""

from sklearn.pipeline import Pipeline

__all__ = ["spatial_parts", "pixel_rows"]


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


def pixel_rows(model, block, halo):
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

    Returns
    -------
    rows : ndarray of shape (h * w, F)
        The features of the block's centre pixels in row-major order: the
        spatial step's output for a spatial model, the bands for a pixel
        model. They are what ``spatial_parts(model)[1]`` takes.

    Raises
    ------
    ValueError
        If ``block`` is not 3-D, or ``halo`` is negative, smaller than the
        spatial step's halo or leaves no centre pixel.
    """
    spatial, _, needed = spatial_parts(model)
    if block.ndim != 3:
        raise ValueError(
            f"block must be an array of shape (H, W, B); got shape {block.shape}. "
            "Add a band axis with block[..., None] for a one-band raster.")
    halo = int(halo)
    if halo < needed:
        raise ValueError(
            f"halo must be at least {needed}, the halo the model's spatial step "
            f"needs; got {halo}. Read the block with halo={needed}.")
    if min(block.shape[:2]) <= 2 * halo:
        raise ValueError(
            f"block of shape {block.shape} has no pixel inside a halo of {halo}; "
            f"it needs more than {2 * halo} rows and columns.")
    features = block if spatial is None else spatial.transform(block)
    centre = features[halo:features.shape[0] - halo, halo:features.shape[1] - halo]
    return centre.reshape(-1, centre.shape[-1])
