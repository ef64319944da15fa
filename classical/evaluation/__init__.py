"""Accuracy assessment of a classification: metrics, confusion matrix, reports, plots.

:func:`evaluate` compares reference labels with predictions and returns a
:class:`Report`. Everything in the report is computed from one confusion
matrix, so a report can also be built directly from a matrix (for example one
accumulated window by window over a raster): ``Report(matrix, labels)``.

The arithmetic (``_metrics``: labels to matrix, matrix to scores, with
:mod:`sklearn.metrics` doing the work where its convention is ours), the
report and its Markdown/JSON rendering (``_report``) and the plots (``_plot``,
through :class:`sklearn.metrics.ConfusionMatrixDisplay`) are kept apart.

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
from ._multilabel import MultiLabelReport, evaluate_multilabel
from ._report import Report, evaluate

__all__ = ["ClassHierarchy", "HierarchyReport", "evaluate_hierarchy",
           "hierarchical_scores", "MultiLabelReport", "Report", "evaluate",
           "evaluate_multilabel", "calibrate", "expected_calibration_error",
           "reliability_curve", "reliability_diagram"]
