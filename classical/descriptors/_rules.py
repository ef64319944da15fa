"""Pixel-rule statistics: the fraction of pixels meeting named conditions."""

from collections.abc import Mapping
from numbers import Real

import numpy as np
from sklearn.utils._param_validation import validate_params

from .._kernels import rules as kernels
from ..utils._color import as_pixel_stack
from ..utils._docstring import N_JOBS_DOC, VERBOSE_DOC, Substitution
from ..utils._validation import check_image, intensity_range
from ._base import BaseImageExtractor

__all__ = ["pixel_rule_features", "PixelRuleFeatures"]

# Order fixed by the kernel (classical._kernels.rules)
QUANTITIES = ("red", "green", "blue", "brightness", "saturation", "hue", "exg", "vari")
OPERATORS = (">", ">=", "<", "<=")
_QUANTITY_LIST = ", ".join(repr(q) for q in QUANTITIES)
_OPERATOR_LIST = ", ".join(repr(o) for o in OPERATORS)
MEANS = ("mean_brightness", "mean_saturation")


def _default_conditions(exg_threshold, bright_threshold, dark_threshold):
    return {
        "green": [("green", ">", "red"), ("green", ">", "blue")],
        "exg": [("exg", ">", exg_threshold)],
        "bright": [("brightness", ">", bright_threshold)],
        "dark": [("brightness", "<", dark_threshold)],
        "blue": [("blue", ">", "red"), ("blue", ">", "green")],
    }


def _quantity_index(quantity, where):
    if isinstance(quantity, str) and quantity in QUANTITIES:
        return QUANTITIES.index(quantity)
    raise ValueError(
        f"Unknown quantity {quantity!r} in {where}. Valid quantities are "
        f"{_QUANTITY_LIST}."
    )


def _compile_clause(clause, where):
    if isinstance(clause, (str, bytes)) or not hasattr(clause, "__len__") or (
        len(clause) != 3
    ):
        raise ValueError(
            f"{where} must be a (quantity, op, quantity-or-number) tuple such as "
            f"('blue', '>', 'green') or ('brightness', '<', 0.5); got {clause!r}."
        )
    left, op, right = clause
    lhs = _quantity_index(left, where)
    if not (isinstance(op, str) and op in OPERATORS):
        raise ValueError(
            f"Unknown operator {op!r} in {where}. Valid operators are "
            f"{_OPERATOR_LIST}."
        )
    if isinstance(right, Real) and not isinstance(right, bool):
        if not np.isfinite(right):
            raise ValueError(f"The number in {where} must be finite; got {right!r}.")
        return lhs, OPERATORS.index(op), -1, float(right)
    return lhs, OPERATORS.index(op), _quantity_index(right, where), 0.0


def compile_conditions(conditions, *, exg_threshold=0.1, bright_threshold=0.8,
                       dark_threshold=0.2):
    """Turn the default and user conditions into the kernel's arrays.

    Parameters
    ----------
    conditions : dict of str to list of tuple, or None
        User conditions, appended after the five default ones.
    exg_threshold, bright_threshold, dark_threshold : float
        Thresholds of the default conditions.

    Returns
    -------
    names : list of str
        Output names: ``<name>_fraction`` per condition, then the means.
    arrays : tuple of ndarray
        ``(starts, lhs, ops, rhs, values)`` for
        :func:`classical._kernels.rules.pixel_rule_batch`.
    """
    if conditions is None:
        conditions = {}
    if not isinstance(conditions, Mapping):
        raise TypeError(
            f"conditions must be a dict mapping a name to a list of clauses, e.g. "
            f"{{'water': [('blue', '>', 'green')]}}; got {type(conditions).__name__}."
        )
    defaults = _default_conditions(exg_threshold, bright_threshold, dark_threshold)
    for name in conditions:
        if not isinstance(name, str) or not name:
            raise ValueError(
                f"Condition names must be non-empty strings; got {name!r}.")
        if name in defaults:
            raise ValueError(
                f"Condition name {name!r} is taken by a default condition (the "
                f"defaults are {', '.join(map(repr, defaults))}); choose another name."
            )
    starts = [0]
    compiled = []
    for name, clauses in {**defaults, **conditions}.items():
        if isinstance(clauses, tuple) and len(clauses) == 3 and isinstance(
                clauses[1], str):
            clauses = [clauses]  # a single clause given without its list
        if isinstance(clauses, (str, bytes)) or not hasattr(clauses, "__len__") or (
            len(clauses) == 0
        ):
            raise ValueError(
                f"Condition {name!r} must be a non-empty list of clauses such as "
                f"[('blue', '>', 'green')]; got {clauses!r}."
            )
        for c, clause in enumerate(clauses):
            compiled.append(_compile_clause(clause, f"condition {name!r}, clause {c}"))
        starts.append(len(compiled))
    lhs, ops, rhs, values = zip(*compiled)
    names = [f"{name}_fraction" for name in {**defaults, **conditions}] + list(MEANS)
    arrays = (np.asarray(starts, dtype=np.int64), np.asarray(lhs, dtype=np.int64),
              np.asarray(ops, dtype=np.int64), np.asarray(rhs, dtype=np.int64),
              np.asarray(values, dtype=np.float64))
    return names, arrays


def _rules_stack(stack, arrays):
    pixels = as_pixel_stack(stack)
    inv_top = 1.0 / intensity_range(pixels.dtype)
    return kernels.pixel_rule_batch(pixels, inv_top, *arrays)


_RULES_NOTE = """Per-pixel quantities, from RGB scaled to ``[0, 1]`` (alpha ignored):
    ``'red'``, ``'green'``, ``'blue'``; ``'brightness'``, the mean of the
    three channels (HSI intensity, not HSV value, so a saturated red is not
    "bright"); ``'saturation'``, HSV ``(max - min) / max``; ``'hue'``, HSV
    hue in degrees ``[0, 360)`` (``360 H`` with H as in
    :func:`classical.preprocess.convert_color`); ``'exg'``, excess green
    ``2g - r - b`` on chromatic coordinates ``r = R / (R + G + B)`` etc.
    [1]_; ``'vari'``,
    ``(G - R) / (G + R - B)`` [2]_, unbounded. Where a quantity is undefined
    it is 0: hue and saturation of grays and black (scikit-image's
    convention), exg of black, vari where its denominator is 0.

    Default conditions, in output order: ``green_fraction`` (green > red and
    green > blue), ``exg_fraction`` (exg > exg_threshold),
    ``bright_fraction`` (brightness > bright_threshold), ``dark_fraction``
    (brightness < dark_threshold), ``blue_fraction`` (blue > red and blue >
    green). User conditions follow as ``<name>_fraction``, then
    ``mean_brightness`` and ``mean_saturation``. Everything is computed in
    one pass over the pixels; conditions are compiled to small arrays, never
    evaluated as strings. Comparisons are made in floating point, so a pixel
    whose exact value equals a threshold may fall on either side of it."""

_PARAMETERS_DOC = """conditions : dict of str to list of tuple, default=None
        Extra conditions, appended as ``<name>_fraction``: a name mapped to
        clauses ``(quantity, op, quantity_or_number)`` joined by AND, e.g.
        ``{"water": [("blue", ">", "green"), ("brightness", "<", 0.5)]}``;
        ``op`` is one of ``'>'``, ``'>='``, ``'<'``, ``'<='``.
    exg_threshold : float, default=0.1
        Threshold of ``exg_fraction``.
    bright_threshold : float, default=0.8
        Threshold of ``bright_fraction``.
    dark_threshold : float, default=0.2
        Threshold of ``dark_fraction``."""

_RULES_REFERENCES = """.. [1] D. M. Woebbecke, G. E. Meyer, K. Von Bargen and D. A.
       Mortensen, "Color indices for weed identification under various soil, residue,
       and lighting conditions," Transactions of the ASAE, vol. 38, no. 1,
       pp. 259-269, 1995, :DOI:`10.13031/2013.27838`.
    .. [2] A. A. Gitelson, Y. J. Kaufman, R. Stark and D. Rundquist, "Novel
       algorithms for remote estimation of vegetation fraction," Remote
       Sensing of Environment, vol. 80, no. 1, pp. 76-87, 2002,
       :DOI:`10.1016/S0034-4257(01)00289-9`."""

_FRAGMENTS = Substitution(n_jobs=N_JOBS_DOC, verbose=VERBOSE_DOC,
                          parameters=_PARAMETERS_DOC, rules=_RULES_NOTE,
                          references=_RULES_REFERENCES)


@validate_params(
    {
        "image": ["array-like"],
        "conditions": [dict, None],
        "exg_threshold": [Real],
        "bright_threshold": [Real],
        "dark_threshold": [Real],
    },
    prefer_skip_nested_validation=True,
)
@_FRAGMENTS
def pixel_rule_features(image, *, conditions=None, exg_threshold=0.1,
                        bright_threshold=0.8, dark_threshold=0.2):
    """Fractions of pixels meeting named conditions, mean brightness and saturation.

    Parameters
    ----------
    image : array-like of shape (H, W, 3) or (H, W, 4)
        An RGB image: uint8, uint16 or float in ``[0, 1]``.
    {parameters}

    Returns
    -------
    features : ndarray of shape (5 + n_conditions + 2,)
        The fractions, then ``mean_brightness`` and ``mean_saturation``; see
        :meth:`PixelRuleFeatures.get_feature_names_out` for the names.

    Raises
    ------
    ValueError
        If a condition names an unknown quantity or operator.

    Notes
    -----
    {rules}

    References
    ----------
    {references}

    Examples
    --------
    >>> import numpy as np
    >>> from classical.descriptors import pixel_rule_features
    >>> green = np.zeros((4, 4, 3), np.uint8)
    >>> green[..., 1] = 200
    >>> pixel_rule_features(green)[:5]
    array([1., 1., 0., 0., 0.])
    """
    image = check_image(image, color="rgb")
    _, arrays = compile_conditions(conditions, exg_threshold=exg_threshold,
                                   bright_threshold=bright_threshold,
                                   dark_threshold=dark_threshold)
    return _rules_stack(image[np.newaxis], arrays)[0]


@_FRAGMENTS
class PixelRuleFeatures(BaseImageExtractor):
    """Per image: fractions of pixels meeting conditions, mean brightness, saturation.

    The output columns are named (``get_feature_names_out``) so that rules
    can refer to them, e.g. ``"green_fraction > 0.6 -> vegetation"`` in
    :class:`classical.classifiers.RuleClassifier`. See
    :func:`pixel_rule_features`.

    Parameters
    ----------
    {parameters}
    {n_jobs}
    {verbose}

    Attributes
    ----------
    n_features_out_ : int
        ``5 + len(conditions) + 2``.

    See Also
    --------
    pixel_rule_features : The function for one image.

    Notes
    -----
    {rules}

    References
    ----------
    {references}

    Examples
    --------
    >>> import numpy as np
    >>> from classical.descriptors import PixelRuleFeatures
    >>> rules = PixelRuleFeatures(conditions={"water": [("blue", ">", "green")]})
    >>> names = rules.fit(np.zeros((1, 4, 4, 3), np.uint8)).get_feature_names_out()
    >>> list(names[-3:])
    ['water_fraction', 'mean_brightness', 'mean_saturation']
    """

    _parameter_constraints = {
        **BaseImageExtractor._parameter_constraints,
        "conditions": [dict, None],
        "exg_threshold": [Real],
        "bright_threshold": [Real],
        "dark_threshold": [Real],
    }
    _color = "rgb"

    def __init__(self, *, conditions=None, exg_threshold=0.1, bright_threshold=0.8,
                 dark_threshold=0.2, n_jobs=None, verbose=False):
        self.conditions = conditions
        self.exg_threshold = exg_threshold
        self.bright_threshold = bright_threshold
        self.dark_threshold = dark_threshold
        self.n_jobs = n_jobs
        self.verbose = verbose

    def _compiled(self):
        return compile_conditions(self.conditions, exg_threshold=self.exg_threshold,
                                  bright_threshold=self.bright_threshold,
                                  dark_threshold=self.dark_threshold)

    def _check_params(self):
        self._compiled()

    def _extract_batch(self, stack):
        return _rules_stack(stack, self._compiled()[1])

    def _feature_names(self):
        return self._compiled()[0]
