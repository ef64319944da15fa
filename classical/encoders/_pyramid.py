"""Spatial pyramid: one encoding per cell of a grid pyramid over each image."""

import copy
from numbers import Integral

import numpy as np
from sklearn.utils._param_validation import HasMethods

from ._base import BaseLocalEncoder

__all__ = ["SpatialPyramid"]


class _Cells:
    """The minimal ragged batch the wrapped encoders read (``as_ragged``)."""

    def __init__(self, descriptors, offsets):
        self.descriptors = descriptors
        self.offsets = offsets


class SpatialPyramid(BaseLocalEncoder):
    """Spatial pyramid of encodings of each image's local descriptors.

    For each level ``L`` of ``levels`` the image is cut into an ``L x L``
    grid; the descriptors whose positions fall in a cell are encoded by the
    wrapped encoder, and the cell encodings of all levels are concatenated
    (spatial pyramid matching [1]_).

    Parameters
    ----------
    encoder : estimator
        The encoder of one descriptor set, e.g. :class:`BagOfVisualWords` or
        :class:`VLADEncoder`; it needs ``fit`` and ``transform`` on ragged
        batches. ``fit`` fits a copy of it (a given fitted vocabulary is
        kept); the original is never modified.
    levels : sequence of int, default=(1, 2)
        Grid sizes, in output order: ``1`` is the whole image, ``2`` its four
        quadrants, ``4`` a 4 x 4 grid...
    level_weights : array-like of shape (n_levels,) or None, default=None
        Factor applied to every cell encoding of each level; None means 1.
        Lazebnik et al.'s weights for ``levels=(1, 2, 4)`` are
        ``(0.25, 0.25, 0.5)``.
    image_shape : tuple of (int, int) or None, default=None
        ``(height, width)`` in pixels of every image, used when the input
        carries no ``image_shapes`` attribute; None derives each image's
        extent from its positions (see Notes).

    Attributes
    ----------
    encoder_ : estimator
        The fitted copy of ``encoder``.
    n_features_in_ : int
        Descriptor length.
    n_cell_features_ : int
        Length of one cell's encoding; the output has
        ``n_cell_features_ * sum(L * L for L in levels)`` columns.

    See Also
    --------
    BagOfVisualWords : Word counts per cell.
    VLADEncoder : Residuals per cell.

    Notes
    -----
    Coordinates are those of :class:`LocalFeatures`: ``x`` is the column,
    ``y`` the row, and pixel ``(x, y)`` covers ``[x - 0.5, x + 0.5] x
    [y - 0.5, y + 0.5]``, so an image of width ``W`` spans ``-0.5`` to
    ``W - 0.5``. A descriptor at ``x`` lies in column
    ``floor((x + 0.5) * L / W)`` of an ``L x L`` grid, clipped to
    ``[0, L - 1]`` (so a centre on a border goes to the cell right of or
    below it); rows likewise with ``y`` and ``H``.

    The image size ``(H, W)`` is, in order of precedence: the input's
    ``image_shapes`` attribute (an ``(n_images, 2)`` array of
    ``(height, width)``), if it has one; ``image_shape``; otherwise
    ``W = floor(max x) + 1`` and ``H = floor(max y) + 1`` over the image's
    own descriptors, the smallest image holding every centre. This last rule
    ignores the margin a descriptor keeps from the right and bottom borders
    (for :class:`DenseSIFTExtractor` half a patch), so give ``image_shape``
    when the sizes are known.

    Cells are ordered level by level, then row by row of cells (column
    fastest); each cell is encoded as the wrapped encoder encodes an image,
    normalisation included, and an empty cell as an image without
    descriptors. Lazebnik et al. [1]_ concatenate unnormalised counts and
    compare them by histogram intersection: use
    ``BagOfVisualWords(normalize=None)`` and ``level_weights`` for that.

    References
    ----------
    .. [1] S. Lazebnik, C. Schmid and J. Ponce, "Beyond bags of features:
       spatial pyramid matching for recognizing natural scene categories,"
       CVPR 2006, :DOI:`10.1109/CVPR.2006.68`.

    Examples
    --------
    >>> import numpy as np
    >>> from classical.descriptors import LocalFeatures
    >>> from classical.encoders import BagOfVisualWords
    >>> from classical.encoders import SpatialPyramid
    >>> rng = np.random.default_rng(0)
    >>> features = LocalFeatures.from_list(
    ...     [rng.random((20, 8)) for _ in range(3)],
    ...     positions=[rng.random((20, 2)) * 32 for _ in range(3)])
    >>> pyramid = SpatialPyramid(encoder=BagOfVisualWords(n_words=4, random_state=0),
    ...                          levels=(1, 2), image_shape=(32, 32))
    >>> pyramid.fit_transform(features).shape
    (3, 20)
    """

    _parameter_constraints = {
        "encoder": [HasMethods(["fit", "transform"])],
        "levels": ["array-like"],
        "level_weights": ["array-like", None],
        "image_shape": [tuple, list, None],
    }

    def __init__(self, *, encoder, levels=(1, 2), level_weights=None,
                 image_shape=None):
        self.encoder = encoder
        self.levels = levels
        self.level_weights = level_weights
        self.image_shape = image_shape

    def _check_params(self):
        levels = np.asarray(self.levels)
        if (levels.ndim != 1 or levels.size == 0
                or not all(isinstance(v, Integral) and v >= 1
                           for v in levels.tolist())):
            raise ValueError(
                "levels must be a non-empty sequence of positive ints (grid sizes, "
                f"e.g. (1, 2, 4)); got {self.levels!r}.")
        if self.level_weights is None:
            weights = np.ones(levels.size)
        else:
            weights = np.asarray(self.level_weights, dtype=np.float64)
            if weights.shape != levels.shape or not np.isfinite(weights).all():
                raise ValueError(
                    f"level_weights must hold one finite number per level "
                    f"({levels.size}); got {self.level_weights!r}.")
        if self.image_shape is not None and (
                len(self.image_shape) != 2
                or not all(isinstance(v, Integral) and v >= 1
                           for v in self.image_shape)):
            raise ValueError(
                "image_shape must be (height, width), two positive ints, or None; "
                f"got {self.image_shape!r}.")
        return levels.astype(np.int64), weights

    def _validate_features(self, X, *, reset):
        """``(descriptors, offsets, positions, extents)``; extents as in Notes."""
        self._check_params()  # image_shape is read by _extents
        if not all(hasattr(X, name) for name in ("descriptors", "offsets",
                                                 "positions")):
            raise TypeError(
                "X must be a LocalFeatures (descriptors, offsets and positions); "
                f"got {type(X).__name__}. Build one with LocalFeatures.from_list("
                "descriptors, positions=...).")
        descriptors, offsets = super()._validate_features(X, reset=reset)
        positions = np.asarray(X.positions, dtype=np.float64)
        n = len(descriptors)
        if positions.shape != (n, 2):
            raise ValueError(f"X.positions must have shape ({n}, 2); got shape "
                             f"{positions.shape}.")
        if not np.isfinite(positions).all():
            raise ValueError(
                "X.positions contain NaN or infinity; SpatialPyramid needs the "
                "(x, y) position of every descriptor. Pass positions to "
                "LocalFeatures.")
        return descriptors, offsets, positions, self._extents(X, positions, offsets)

    def _extents(self, X, positions, offsets):
        """(width, height) of every image, following the rule in the Notes."""
        n_images = len(offsets) - 1
        shapes = getattr(X, "image_shapes", None)
        if shapes is not None:
            shapes = np.asarray(shapes, dtype=np.float64)
            if shapes.shape != (n_images, 2) or not (shapes >= 1).all():
                raise ValueError(
                    f"X.image_shapes must be an ({n_images}, 2) array of positive "
                    f"(height, width); got shape {shapes.shape}.")
            return shapes[:, ::-1]
        if self.image_shape is not None:
            height, width = self.image_shape
            return np.tile([float(width), float(height)], (n_images, 1))
        extents = np.ones((n_images, 2))
        counts = np.diff(offsets)
        filled = counts > 0
        if filled.any():
            maxima = np.maximum.reduceat(positions, offsets[:-1][filled], axis=0)
            extents[filled] = np.maximum(np.floor(maxima) + 1.0, 1.0)
        return extents

    def _fit(self, descriptors, offsets, positions, extents):
        """Fit a copy of the encoder on all descriptors."""
        self.encoder_ = copy.deepcopy(self.encoder).fit(_Cells(descriptors, offsets))
        self.n_cell_features_ = self.encoder_.transform(
            _Cells(descriptors[:0], np.zeros(2, np.int64))).shape[1]

    def _encode(self, descriptors, offsets, positions, extents):
        """Encode every cell of every level and concatenate."""
        levels, weights = self._check_params()
        n_images = len(offsets) - 1
        image = np.repeat(np.arange(n_images), np.diff(offsets))
        # grid coordinates in [0, 1) of the image frame, per descriptor
        unit = (positions + 0.5) / extents[image]
        n_cells = int((levels * levels).sum())
        first = np.concatenate([[0], np.cumsum(levels * levels)[:-1]])
        groups = []
        for level, start in zip(levels, first):
            cell = np.clip(np.floor(unit * level), 0, level - 1).astype(np.int64)
            groups.append(image * n_cells + start + cell[:, 1] * level + cell[:, 0])
        groups = np.concatenate(groups)
        order = np.argsort(groups, kind="stable")
        rows = np.tile(np.arange(len(descriptors)), len(levels))[order]
        cell_offsets = np.zeros(n_images * n_cells + 1, np.int64)
        np.cumsum(np.bincount(groups, minlength=n_images * n_cells),
                  out=cell_offsets[1:])
        encoded = self.encoder_.transform(_Cells(descriptors[rows], cell_offsets))
        encoded = encoded.reshape(n_images, n_cells, -1)
        encoded *= np.repeat(weights, levels * levels)[np.newaxis, :, np.newaxis]
        return encoded.reshape(n_images, -1)

    def _feature_names(self):
        """``level{L}_cell{row}_{col}_{name}``, ``name`` the wrapped encoder's
        column name, or ``f{j}`` when it has no ``get_feature_names_out``."""
        if hasattr(self.encoder_, "get_feature_names_out"):
            inner = list(self.encoder_.get_feature_names_out())
        else:
            inner = [f"f{j}" for j in range(self.n_cell_features_)]
        levels, _ = self._check_params()
        return [f"level{level}_cell{r}_{c}_{name}" for level in levels
                for r in range(level) for c in range(level) for name in inner]
