"""Accuracy assessment of a classification: metrics, confusion matrix, reports, plots.

:func:`evaluate` compares reference labels with predictions and returns a
:class:`Report`. Everything in the report is computed from one confusion
matrix, so a report can also be built directly from a matrix (for example one
accumulated window by window over a raster): ``Report(matrix, labels)``.

The arithmetic (``_metrics``: labels to matrix, matrix to scores, with
:mod:`sklearn.metrics` doing the work where its convention is ours), the
report and its Markdown/JSON rendering (``_report``) and the plots (``_plot``,
through :class:`sklearn.metrics.ConfusionMatrixDisplay`) are kept apart.

Every report sets the accuracy beside the balanced accuracy and the majority
baseline (always answering the largest class), and warns when the accuracy is
no better than that baseline. For a classifier that may decline to answer,
``evaluate(..., unknown_label="unknown")`` adds the coverage (share
answered), the accuracy on the answered samples and each class's unknown
rate; :func:`risk_coverage_curve` and :func:`plot_risk_coverage`
(``_rejection``) show the trade between coverage and errors over every
confidence threshold. Beside these: probability calibration
(``_calibration``), hierarchical (``_hierarchy``) and multi-label
(``_multilabel``) assessment.

:func:`learning_curve_per_class` and :func:`plot_learning_curves`
(``_learning_curve``) show how a model's score grows with the number of
labelled images per class, over several random draws.

Conventions
-----------
- The confusion matrix has the reference ("true") labels in rows and the
  predicted labels in columns, both in ``labels`` order; ``C[i, j]`` counts the
  samples of class ``labels[i]`` predicted as ``labels[j]``.
- Divisions by zero give 0 in per-class precision, recall and F1, as
  scikit-learn's ``zero_division=0``. Producer's and user's accuracies are
  NaN when undefined (no reference sample, or never predicted), because a
  remote-sensing accuracy table must not show an undefined accuracy as 0.
- Macro averages and balanced accuracy run over the *assessed* classes, the
  labels with at least one reference sample. A label that occurs only in
  ``y_pred`` (a reject label such as ``"unknown"`` or ``-1``) or only in a
  user's ``labels`` is a column of the confusion matrix and its predictions
  count as errors, but it is not averaged in as a class with recall 0. When
  every label occurs in ``y_true`` (the usual case) the macro scores equal
  scikit-learn's with the same ``labels``; otherwise they equal
  scikit-learn's with ``labels`` restricted to the assessed classes, and the
  balanced accuracy equals :func:`sklearn.metrics.balanced_accuracy_score`,
  which drops such labels too.
- A label named as ``unknown_label`` must not occur in ``y_true``; its
  answers still count as errors in the accuracy and per-class scores, and
  the rejection figures say how many there were and where.
"""

from ._calibration import (
                         calibrate,
                         expected_calibration_error,
                         reliability_curve,
                         reliability_diagram,
)
from ._hierarchy import (
                         ClassHierarchy,
                         HierarchyReport,
                         evaluate_hierarchy,
                         hierarchical_scores,
)
from ._learning_curve import learning_curve_per_class, plot_learning_curves
from ._multilabel import MultiLabelReport, evaluate_multilabel
from ._rejection import plot_risk_coverage, risk_coverage_curve
from ._report import Report, evaluate
from ._threshold import plot_precision_recall, threshold_for, tune_threshold

__all__ = ["ClassHierarchy", "HierarchyReport", "evaluate_hierarchy",
           "hierarchical_scores", "MultiLabelReport", "Report", "evaluate",
           "evaluate_multilabel", "calibrate", "expected_calibration_error",
           "reliability_curve", "reliability_diagram", "plot_risk_coverage",
           "risk_coverage_curve",
           "learning_curve_per_class", "plot_learning_curves",
           "plot_precision_recall", "threshold_for", "tune_threshold"]
