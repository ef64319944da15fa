"""Accuracy assessment of a class map, with area estimates and their uncertainty.

:func:`area_estimates` applies the stratified estimators of Olofsson et al.
(2014) to an error matrix of sample counts and the area mapped as each class.
It needs neither rasterio nor a map: a matrix and the mapped areas are enough.
"""

import json
from collections.abc import Mapping

import numpy as np

from ..evaluation import Report
from ..utils._markdown import markdown_cell, markdown_table

__all__ = ["AreaEstimates", "area_estimates"]

#: The standard normal quantile of a two-sided 95% interval, as in the paper.
Z_95 = 1.96


def area_estimates(confusion_matrix, mapped_area, *, classes=None):
    """Estimate class areas and map accuracy from a stratified sample.

    The map's classes are the strata of a stratified random sample of
    reference points (simple random and systematic samples are treated as
    post-stratified by the map, as in [1]_). Each sample count is weighted by
    the share of the map its stratum covers, which gives estimates of each
    class's true area and of the map's accuracies that are free of the bias of
    counting mapped pixels, with their standard errors [1]_.

    Parameters
    ----------
    confusion_matrix : array-like of shape (n_classes, n_classes) or Report
        Sample counts with the MAP classes in rows and the REFERENCE classes in
        columns, in the same class order (the convention of [1]_).
        A :class:`classical.evaluation.Report` is accepted too: its matrix has
        the reference in rows, so it is transposed, and its ``labels`` become
        the classes.
    mapped_area : array-like of shape (n_classes,) or mapping
        The area mapped as each class, in any unit (pixels, hectares, km²);
        the estimated areas are in the same unit. A mapping gives the area of
        each class by name and needs ``classes`` (or a Report).
    classes : sequence of shape (n_classes,) or None, default=None
        The class of each row and column. ``None`` means the Report's labels,
        or ``0, 1, ..., n_classes - 1`` for a plain matrix.

    Returns
    -------
    estimates : AreaEstimates
        A dict (with :meth:`AreaEstimates.to_markdown` and
        :meth:`AreaEstimates.to_dict`); per-class entries are float arrays in
        class order:

        - ``classes`` (list), ``sample_counts`` (the matrix, rows = map),
          ``mapped_area``, ``total_area`` and ``weights`` (the mapped share
          of each class, :math:`W_i`);
        - ``proportions``: the estimated area proportions :math:`\\hat p_{ij}`
          (rows = map, columns = reference; they sum to 1);
        - ``area_proportion`` and ``area_proportion_se``: the estimated share
          of the total area that truly is each class, with its standard error;
        - ``area``, ``area_se`` and ``area_ci95``: the same times the total
          area; ``area_ci95`` is the half-width ``1.96 * area_se``;
        - ``users_accuracy``, ``producers_accuracy`` and ``overall_accuracy``,
          each with ``_se`` and ``_ci95`` (half-width) companions.

    Raises
    ------
    ValueError
        If the matrix is not square, holds negative or no counts, if
        ``mapped_area`` has the wrong length, negative or non-finite values
        or sums to 0, if a mapping misses a class or names one that is not
        there, or if a class with a mapped area has no sample.
    TypeError
        If the counts are not whole numbers, or ``mapped_area`` is a mapping
        without ``classes``.

    Notes
    -----
    With :math:`n_{ij}` the samples mapped as :math:`i` whose reference is
    :math:`j`, :math:`n_{i\\cdot}` the samples of map class :math:`i` and
    :math:`W_i` its share of the mapped area, [1]_ estimates (eqs. 2-10)

    .. math::

        \\hat p_{ij} = W_i \\frac{n_{ij}}{n_{i\\cdot}}, \\quad
        \\hat O = \\sum_j \\hat p_{jj}, \\quad
        \\hat U_i = \\frac{\\hat p_{ii}}{\\hat p_{i\\cdot}}, \\quad
        \\hat P_j = \\frac{\\hat p_{jj}}{\\hat p_{\\cdot j}}, \\quad
        \\hat A_j = A \\, \\hat p_{\\cdot j},

    with the variances

    .. math::

        V(\\hat O) = \\sum_i W_i^2 \\frac{\\hat U_i (1 - \\hat U_i)}{n_{i\\cdot} - 1},
        \\quad
        V(\\hat U_i) = \\frac{\\hat U_i (1 - \\hat U_i)}{n_{i\\cdot} - 1}, \\quad
        V(\\hat p_{\\cdot j}) = \\sum_i W_i^2
            \\frac{\\frac{n_{ij}}{n_{i\\cdot}} (1 - \\frac{n_{ij}}{n_{i\\cdot}})}
                 {n_{i\\cdot} - 1},

    and for :math:`\\hat P_j` eq. 7 of [1]_, written here with area shares
    :math:`W_i` in place of pixel counts :math:`N_{i\\cdot}` (the ratio is the
    same). Standard errors are the square roots, and the 95% intervals
    ``estimate ± 1.96 SE``.

    A map class with no sample leaves its mapped area unaccounted for, so it
    is an error unless its mapped area is 0 (a class absent from the map,
    which then contributes nothing). A map class with a single sample gives
    estimates but no variance (the estimators divide by
    :math:`n_{i\\cdot} - 1`): every standard error it contributes to is NaN.
    Accuracies that are undefined (a class never found in the reference, or
    never sampled) are NaN, never 0.

    References
    ----------
    .. [1] P. Olofsson, G. M. Foody, M. Herold, S. V. Stehman, C. E. Woodcock
       and M. A. Wulder, "Good practices for estimating area and assessing
       accuracy of land change", Remote Sensing of Environment, 148, 42-57,
       2014. :DOI:`10.1016/j.rse.2014.02.015`

    Examples
    --------
    The worked example of [1]_ (section 5), mapped areas in pixels:

    >>> from classical.geo import area_estimates
    >>> counts = [[66, 0, 5, 4], [0, 55, 8, 12], [1, 0, 153, 11], [2, 1, 9, 313]]
    >>> pixels = [200_000, 150_000, 3_200_000, 6_450_000]
    >>> result = area_estimates(counts, pixels)
    >>> round(float(result["area"][0] * 0.09))  # deforestation, hectares
    21158
    >>> round(float(result["area_ci95"][0] * 0.09))
    6158
    """
    if (isinstance(mapped_area, Mapping) and classes is None
            and not isinstance(confusion_matrix, Report)):
        raise TypeError(
            "mapped_area as a mapping class -> area needs classes=, the class of "
            "each row of confusion_matrix, to put the areas in row order.")
    counts, classes = _counts_by_map_class(confusion_matrix, classes)
    areas = _mapped_areas(mapped_area, classes)
    samples = counts.sum(axis=1)
    _check_sampled(samples, areas, classes)

    total = float(areas.sum())
    weights = areas / total
    shares = _ratio(counts, samples[:, None])           # n_ij / n_i.
    shares[np.isnan(shares)] = 0.0                       # unsampled, W_i = 0
    proportions = weights[:, None] * shares              # eq. 4
    # W_i^2 s_ij (1 - s_ij) / (n_i. - 1): each stratum's share of the variances.
    terms = _stratum_factor(weights, samples)[:, None] * shares * (1.0 - shares)

    area_proportion = proportions.sum(axis=0)            # eq. 9
    area_proportion_se = np.sqrt(terms.sum(axis=0))      # eq. 10
    users = _ratio(np.diagonal(counts), samples)         # eq. 2
    users_se = np.sqrt(_ratio(users * (1.0 - users), samples - 1.0))  # eq. 6
    producers = _ratio(np.diagonal(proportions), area_proportion)   # eq. 3
    producers_se = np.sqrt(_producers_variance(terms, producers, area_proportion))
    overall = float(np.trace(proportions))               # eq. 1
    overall_se = float(np.sqrt(np.trace(terms)))         # eq. 5

    return AreaEstimates(
        classes=classes,
        sample_counts=counts.astype(np.int64),
        mapped_area=areas,
        total_area=total,
        weights=weights,
        proportions=proportions,
        area_proportion=area_proportion,
        area_proportion_se=area_proportion_se,
        area=total * area_proportion,
        area_se=total * area_proportion_se,
        area_ci95=Z_95 * total * area_proportion_se,
        users_accuracy=users,
        users_accuracy_se=users_se,
        users_accuracy_ci95=Z_95 * users_se,
        producers_accuracy=producers,
        producers_accuracy_se=producers_se,
        producers_accuracy_ci95=Z_95 * producers_se,
        overall_accuracy=overall,
        overall_accuracy_se=overall_se,
        overall_accuracy_ci95=Z_95 * overall_se,
    )


class AreaEstimates(dict):
    """The result of :func:`area_estimates`: a dict that renders itself.

    The keys are listed in :func:`area_estimates`.
    """

    _PER_CLASS = ("mapped_area", "weights", "area_proportion", "area_proportion_se",
                  "area", "area_se", "area_ci95", "users_accuracy",
                  "users_accuracy_se", "users_accuracy_ci95", "producers_accuracy",
                  "producers_accuracy_se", "producers_accuracy_ci95")

    def to_dict(self):
        """Return the estimates as plain Python types, ready for :func:`json.dumps`.

        Returns
        -------
        estimates : dict
            The same keys; arrays become lists, NaN becomes None and the
            classes are converted to ``str`` unless they are numbers.
        """
        out = {"classes": [c if isinstance(c, (int, float, str)) else str(c)
                           for c in self["classes"]],
               "sample_counts": self["sample_counts"].tolist(),
               "proportions": self["proportions"].tolist()}
        for key in ("total_area", "overall_accuracy", "overall_accuracy_se",
                    "overall_accuracy_ci95", *self._PER_CLASS):
            out[key] = _json_number(self[key])
        return out

    def to_json(self, *, indent=2):
        """Return :meth:`to_dict` as JSON text.

        Parameters
        ----------
        indent : int or None, default=2
            Passed to :func:`json.dumps`.

        Returns
        -------
        text : str
        """
        return json.dumps(self.to_dict(), indent=indent)

    def to_markdown(self, *, digits=3, unit=""):
        """Return Markdown tables: estimated areas and accuracies, then p_ij.

        Parameters
        ----------
        digits : int, default=3
            Decimal places of accuracies and proportions (areas are shown
            with thousands separators and as many decimals as are needed to
            keep three significant figures of the smallest area).
        unit : str, default=''
            The unit of the areas, shown in the column headers.

        Returns
        -------
        text : str
            GitHub-flavoured Markdown; undefined values are ``n/a``.
        """
        def fraction(value, ci):
            if np.isnan(value):
                return "n/a"
            return f"{value:.{digits}f} ± {ci:.{digits}f}" if not np.isnan(ci) \
                else f"{value:.{digits}f} ± n/a"

        area_digits = _area_digits(self["mapped_area"])

        def area(value):
            return "n/a" if np.isnan(value) else f"{value:,.{area_digits}f}"

        suffix = f" ({unit})" if unit else ""
        names = [markdown_cell(c) for c in self["classes"]]
        rows = [
            (name, area(self["mapped_area"][i]), area(self["area"][i]),
             area(self["area_ci95"][i]),
             fraction(self["users_accuracy"][i], self["users_accuracy_ci95"][i]),
             fraction(self["producers_accuracy"][i],
                      self["producers_accuracy_ci95"][i]))
            for i, name in enumerate(names)]
        lines = [
            "## Area estimates (Olofsson et al. 2014)", "",
            *markdown_table(["Class", f"Mapped area{suffix}", f"Estimated area{suffix}",
                     "± 95% CI", "User's accuracy ± 95% CI",
                     "Producer's accuracy ± 95% CI"], rows),
            "",
            "Overall accuracy: " + fraction(self["overall_accuracy"],
                                            self["overall_accuracy_ci95"]) + ".",
            "", "## Estimated area proportions", "",
            "Rows: map classes; columns: reference classes.", "",
            *markdown_table(["Map \\ Reference", *names],
                    [(f"**{name}**", *(f"{p:.{digits + 1}f}"
                                        for p in self["proportions"][i]))
                     for i, name in enumerate(names)]),
        ]
        return "\n".join(lines) + "\n"

    def _repr_markdown_(self):
        return self.to_markdown()


# ---------------------------------------------------------------- arithmetic
def _ratio(numerator, denominator):
    """``numerator / denominator``, NaN where the denominator is not positive."""
    numerator = np.asarray(numerator, dtype=np.float64)
    denominator = np.asarray(denominator, dtype=np.float64)
    out = np.full(np.broadcast_shapes(numerator.shape, denominator.shape), np.nan)
    np.divide(numerator, denominator, out=out, where=denominator > 0)
    return out


def _stratum_factor(weights, samples):
    """``W_i^2 / (n_i. - 1)``; 0 for an empty stratum, NaN for one sample."""
    factor = _ratio(weights ** 2, samples - 1.0)
    factor[weights == 0] = 0.0
    return factor


def _producers_variance(terms, producers, area_proportion):
    """Eq. 7 of Olofsson et al. (2014), in area shares."""
    own = np.diagonal(terms)
    others = terms.sum(axis=0) - own
    spread = (1.0 - producers) ** 2 * own + producers ** 2 * others
    return _ratio(spread, area_proportion ** 2)


# ---------------------------------------------------------------- validation
def _counts_by_map_class(confusion_matrix, classes):
    """Validated counts with map classes in rows, and the class list."""
    if isinstance(confusion_matrix, Report):
        counts = confusion_matrix.confusion_matrix.T
        labels = confusion_matrix.labels
    else:
        counts = np.asarray(confusion_matrix)
        if counts.ndim != 2 or counts.shape[0] != counts.shape[1]:
            raise ValueError(
                "confusion_matrix must be a square 2-D array of sample counts, "
                "map classes in rows and reference classes in columns; got shape "
                f"{counts.shape}. Add a row or column of zeros for a class that "
                "occurs on one side only.")
        labels = list(range(counts.shape[0]))
        counts = Report(counts.T, labels).confusion_matrix.T  # validates counts
    if classes is not None:
        classes = list(classes)
        if len(classes) != counts.shape[0]:
            raise ValueError(
                f"classes must name each of the {counts.shape[0]} rows of "
                f"confusion_matrix; got {len(classes)} classes.")
        labels = classes
    return counts.astype(np.float64), list(labels)


def _mapped_areas(mapped_area, classes):
    if isinstance(mapped_area, Mapping):
        missing = [c for c in classes if c not in mapped_area]
        unknown = [c for c in mapped_area if c not in set(classes)]
        if missing or unknown:
            raise ValueError(
                f"mapped_area must give the area of each class {classes}; "
                f"missing {missing}, unknown {unknown}. Pass classes= in the "
                "order of the matrix rows.")
        mapped_area = [mapped_area[c] for c in classes]
    try:
        areas = np.asarray(mapped_area, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise TypeError(
            "mapped_area must be numbers, one per class (or a mapping class -> "
            f"area); got {mapped_area!r}.") from error
    if areas.shape != (len(classes),):
        raise ValueError(
            f"mapped_area must give one area per class ({len(classes)}); got "
            f"shape {areas.shape}.")
    if not np.all(np.isfinite(areas)) or np.any(areas < 0) or areas.sum() == 0:
        raise ValueError(
            "mapped_area must be finite, non-negative and not all 0; got "
            f"{areas.tolist()}.")
    return areas


def _check_sampled(samples, areas, classes):
    unsampled = [c for c, n, a in zip(classes, samples, areas) if n == 0 and a > 0]
    if unsampled:
        raise ValueError(
            f"map class(es) {unsampled} cover part of the map but have no sample, "
            "so their area cannot be attributed to reference classes. Draw "
            "reference samples in them (sample_points), or merge them into "
            "another class and add their mapped area to it.")


# ---------------------------------------------------------------- rendering
def _json_number(value):
    if np.ndim(value):
        return [_json_number(v) for v in value]
    value = float(value)
    return None if np.isnan(value) else value


def _area_digits(areas):
    smallest = np.min(areas[areas > 0])
    return int(max(0, 2 - np.floor(np.log10(smallest))))
