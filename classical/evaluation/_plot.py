"""Plots of a :class:`~classical.evaluation.Report`: the confusion matrix heat map.

Drawing is :class:`sklearn.metrics.ConfusionMatrixDisplay`'s; this module
fixes our choices (reference labels in rows, a colour scale from 0, tilted
column labels, a figure sized to the number of labels) and imports matplotlib
only when a plot is asked for.
"""

from pathlib import Path

__all__ = ["plot_confusion", "save_confusion"]


def _figure_size(n_labels):
    side = 2.0 + 0.6 * n_labels
    return side + 1.0, side


def plot_confusion(report, *, normalize=None, ax=None, cmap="Blues", values=True):
    """Draw ``report``'s confusion matrix; see :meth:`Report.plot_confusion`."""
    from sklearn.metrics import ConfusionMatrixDisplay

    matrix = report.confusion(normalize)
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=_figure_size(len(report.labels)))
    vmax = 1.0 if normalize is not None else max(int(matrix.max()), 1)
    display = ConfusionMatrixDisplay(
        matrix, display_labels=[str(label) for label in report.labels])
    display.plot(include_values=values, cmap=cmap, xticks_rotation=45,
                 values_format="d" if normalize is None else ".2f", ax=ax,
                 im_kw={"vmin": 0, "vmax": vmax})
    for tick in ax.get_xticklabels():
        tick.set_horizontalalignment("right")
    ax.set_ylabel("Reference label")
    return ax


def save_confusion(report, path, *, dpi=150, **kwargs):
    """Save ``report``'s confusion matrix; see :meth:`Report.save_confusion`."""
    from matplotlib.figure import Figure

    if "ax" in kwargs:
        raise TypeError(
            "save_confusion draws on its own figure and takes no 'ax'; use "
            "plot_confusion(ax=...) and save that figure instead."
        )
    figure = Figure(figsize=_figure_size(len(report.labels)), layout="constrained")
    plot_confusion(report, ax=figure.add_subplot(), **kwargs)
    path = Path(path)
    figure.savefig(path, dpi=dpi)
    return path
