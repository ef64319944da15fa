"""Hierarchical classification: answer the deepest class the model is sure of."""

from numbers import Real

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, MetaEstimatorMixin, clone
from sklearn.utils import _safe_indexing, get_tags
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import (
    _num_samples,
    check_array,
    check_consistent_length,
    check_is_fitted,
    column_or_1d,
)
from sklearn_compat.base import _fit_context

from ..evaluation import ClassHierarchy
from ..utils._docstring import Substitution

__all__ = ["HierarchicalClassifier"]

_X_DOC = """X : array-like of shape (n_samples, n_features)
            Samples, as the wrapped estimator takes them."""


class HierarchicalClassifier(MetaEstimatorMixin, ClassifierMixin, BaseEstimator):
    """Classify down a class tree, falling back to a parent when the leaf is unsure.

    The probability of an inner node of the tree is the sum of its leaves'
    probabilities. A sample descends from the (implicit) root, at each level
    to the child of largest probability, for as long as that probability is
    at least ``threshold``; the answer is the node where it stops: the leaf
    when the leaf itself clears the threshold, otherwise its deepest ancestor
    that does, otherwise ``unknown_label`` (stopping at the root is no
    answer). This is the "fall back to the parent class" rule of taxonomies
    (Vehicle -> Car -> Sedan), a top-down greedy decision in the terms of
    Silla and Freitas' survey [1]_; :func:`classical.evaluation.evaluate_hierarchy`
    scores such answers.

    Parameters
    ----------
    estimator : classifier with predict_proba
        Any classifier or pipeline with probabilities (a preset from
        :func:`classical.make_pipeline` included). It is cloned.
    hierarchy : dict, ClassHierarchy or None
        Maps each parent name to the list of its children; children may be
        parents themselves, and the leaves are the training labels (see
        :class:`classical.evaluation.ClassHierarchy`). Every label of ``y``
        must be a leaf; a leaf without training samples gets probability 0.
        ``None`` puts every class of ``y`` directly under the root, which
        makes this a plain reject option at ``threshold``.
    threshold : float in [0, 1], default=0.7
        Smallest probability a node needs to be answered. 0 always answers
        the most probable leaf (the wrapped classifier's choice in ``'flat'``
        mode).
    unknown_label : object, default='unknown'
        The answer when not even a top-level node clears ``threshold``. It
        must not be a node of the hierarchy.
    mode : {'flat', 'local'}, default='flat'
        ``'flat'`` fits ``estimator`` once on the leaves and sums its
        probabilities up the tree. ``'local'`` fits one clone per inner node
        (the root included) to choose among that node's children, on the
        training samples below it; a leaf's probability is then the product
        of the choices along its path [1]_.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The training labels, sorted.
    hierarchy_ : ClassHierarchy
        The validated tree.
    nodes_ : ndarray of object of shape (n_nodes,)
        Every node of the tree, level by level; the columns of
        :meth:`node_proba`.
    estimator_ : estimator
        The fitted clone in ``'flat'`` mode.
    root_estimator_ : estimator or None
        In ``'local'`` mode, the fitted clone choosing among the top-level
        nodes (None when the training labels lie under one of them).
    estimators_ : dict
        In ``'local'`` mode, inner node -> the fitted clone choosing among its
        children, for the nodes with at least two children seen in training.
    n_features_in_ : int
        Number of features seen in ``fit``.

    See Also
    --------
    classical.evaluation.evaluate_hierarchy : Accuracy per level and
        hierarchical precision, recall and F1 of these answers.

    Notes
    -----
    The answers are only as good as the probabilities: a classifier whose
    probabilities are underconfident sends too many samples up to a parent
    or the root. Calibrate it first (for example
    :class:`sklearn.calibration.CalibratedClassifierCV`, or a logistic
    regression on the features); ``benchmarks/decisions/hierarchy.py``
    measures this on EuroSAT and UC Merced.

    References
    ----------
    .. [1] C. N. Silla Jr. and A. A. Freitas, "A survey of hierarchical
       classification across different application domains", Data Mining and
       Knowledge Discovery, 22(1-2), pp. 31-72, 2011.
       :DOI:`10.1007/s10618-010-0175-9`

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from classical.classifiers import HierarchicalClassifier
    >>> X = np.array([[0.0], [0.2], [1.0], [1.2], [5.0], [5.2]])
    >>> y = np.array(["car", "car", "van", "van", "oak", "oak"])
    >>> tree = {"vehicle": ["car", "van"], "tree": ["oak"]}
    >>> model = HierarchicalClassifier(LogisticRegression(), tree, threshold=0.6)
    >>> model.fit(X, y).predict([[5.1], [0.6]]).tolist()
    ['oak', 'vehicle']
    """

    _parameter_constraints = {
        "estimator": [HasMethods(["fit", "predict_proba"])],
        "hierarchy": [dict, ClassHierarchy, None],
        "threshold": [Interval(Real, 0, 1, closed="both")],
        "unknown_label": "no_validation",
        "mode": [StrOptions({"flat", "local"})],
    }

    def __init__(self, estimator, hierarchy=None, *, threshold=0.7,
                 unknown_label="unknown", mode="flat"):
        self.estimator = estimator
        self.hierarchy = hierarchy
        self.threshold = threshold
        self.unknown_label = unknown_label
        self.mode = mode

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, **fit_params):
        """Fit the wrapped classifier(s) on the leaves.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training samples, as the wrapped estimator takes them.
        y : array-like of shape (n_samples,)
            Leaf labels.
        **fit_params : dict
            Passed to the wrapped estimator's ``fit``.

        Returns
        -------
        self : HierarchicalClassifier
            The fitted classifier.

        Raises
        ------
        ValueError
            If a label of ``y`` is not a leaf of ``hierarchy``, the hierarchy
            is not a tree, or ``unknown_label`` is one of its nodes.
        """
        y = column_or_1d(y, warn=True)
        check_classification_targets(y)
        check_consistent_length(X, y)
        if self.mode == "local" and not isinstance(X, (list, tuple)):
            X = check_array(X, accept_sparse="csr", dtype=None, ensure_2d=False,
                            allow_nd=True, ensure_all_finite=False)  # rows to pick
        self.classes_ = np.unique(y)
        if self.hierarchy is None:
            tree = ClassHierarchy.flat(self.classes_.tolist())
        elif isinstance(self.hierarchy, ClassHierarchy):
            tree = self.hierarchy
        else:
            tree = ClassHierarchy(self.hierarchy)
        tree.check_known(self.classes_.tolist(), "y", leaves_only=True)
        if self.unknown_label in tree.parent:
            raise ValueError(f"unknown_label={self.unknown_label!r} is a node of the "
                             "hierarchy; choose a label that is not a class.")
        self.hierarchy_ = tree
        # through a list with None, so tuple-valued nodes stay one element each
        self.nodes_ = np.asarray(tree.nodes + [None], dtype=object)[:-1]
        index = {node: i for i, node in enumerate(tree.nodes)}
        self._class_of_node = np.full(len(tree.nodes) + 1, -1)
        self._class_of_node[[index[label] for label in self.classes_.tolist()]] = \
            np.arange(len(self.classes_))
        # below[c, j]: class c lies under node j (or is node j)
        self._below = np.zeros((len(self.classes_), len(tree.nodes)))
        for c, label in enumerate(self.classes_.tolist()):
            self._below[c, [index[node] for node in tree.path(label)]] = 1.0
        children = [tree.top] + [tree.children.get(node, []) for node in tree.nodes]
        width = max(map(len, children))
        self._children = np.full((len(children), width), -1)
        for row, kids in enumerate(children):
            self._children[row, :len(kids)] = [index[kid] for kid in kids]
        if self.mode == "flat":
            self.estimator_ = clone(self.estimator).fit(X, y, **fit_params)
        else:
            self.estimators_ = self._fit_local(X, y, fit_params)
            self.root_estimator_ = self.estimators_.pop(None, None)
        return self

    def _fit_local(self, X, y, fit_params):
        """One clone per inner node with two or more children seen in ``y``.

        Each clone learns the position in ``nodes_`` of the child on the path
        to each sample's leaf.
        """
        tree, models = self.hierarchy_, {}
        index = {node: i for i, node in enumerate(tree.nodes)}
        paths = [tree.path(label) for label in y.tolist()]
        for node in [None] + list(tree.children):
            depth = 0 if node is None else tree.depth(node)
            rows = [i for i, path in enumerate(paths)
                    if node is None or (len(path) > depth and path[depth - 1] == node)]
            target = np.asarray([index[paths[i][depth]] for i in rows])
            if len(np.unique(target)) > 1:
                models[node] = clone(self.estimator).fit(
                    _safe_indexing(X, rows), target, **fit_params)
        return models

    def _leaf_proba(self, X):
        if self.mode == "flat":
            proba = np.zeros((_num_samples(X), len(self.classes_)))
            proba[:, np.searchsorted(self.classes_, self.estimator_.classes_)] = \
                self.estimator_.predict_proba(X)
            return proba
        tree, proba = self.hierarchy_, np.ones((_num_samples(X), len(self.classes_)))
        index = {node: i for i, node in enumerate(tree.nodes)}
        models = dict(self.estimators_)
        if self.root_estimator_ is not None:
            models[None] = self.root_estimator_
        choices = {node: dict(zip(model.classes_.tolist(), model.predict_proba(X).T))
                   for node, model in models.items()}
        for c, label in enumerate(self.classes_.tolist()):
            path = tree.path(label)
            for parent, child in zip([None] + path[:-1], path):
                if parent in choices:
                    proba[:, c] *= choices[parent][index[child]]
        return proba

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        inner = get_tags(self.estimator)
        tags.input_tags = inner.input_tags
        return tags

    @property
    def n_features_in_(self):
        """Number of features seen in ``fit``, from the wrapped estimator(s)."""
        check_is_fitted(self)
        if self.mode == "flat":
            return self.estimator_.n_features_in_
        fitted = [self.root_estimator_, *self.estimators_.values()]
        model = next((model for model in fitted if model is not None), None)
        if model is None:  # one class: nothing to choose, no model fitted
            raise AttributeError("n_features_in_ is unknown: y had one class, so "
                                 "mode='local' fitted no model.")
        return model.n_features_in_

    @Substitution(X=_X_DOC)
    def predict_proba(self, X):
        """Probability of each leaf.

        Parameters
        ----------
        {X}

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            Columns in ``classes_`` order.
        """
        check_is_fitted(self)
        return self._leaf_proba(X)

    @Substitution(X=_X_DOC)
    def node_proba(self, X):
        """Probability of every node: the sum of its leaves' probabilities.

        Parameters
        ----------
        {X}

        Returns
        -------
        proba : ndarray of shape (n_samples, n_nodes)
            Columns in ``nodes_`` order.
        """
        return self.predict_proba(X) @ self._below

    @Substitution(X=_X_DOC)
    def predict_depth(self, X):
        """Level of each answer: 0 for ``unknown_label``, 1 for a top-level node.

        Parameters
        ----------
        {X}

        Returns
        -------
        depth : ndarray of int of shape (n_samples,)
            How many levels below the root each answer lies.
        """
        return self._descend(self.node_proba(X))[1]

    def _descend(self, proba):
        """Node index (-1: root) and depth where each sample stops."""
        node = np.full(len(proba), -1)
        depth = np.zeros(len(proba), dtype=int)
        rows = np.arange(len(proba))
        padded = np.hstack([proba, np.full((len(proba), 1), -np.inf)])
        while True:
            candidates = self._children[node + 1]
            scores = padded[rows[:, None], candidates]
            best = np.argmax(scores, axis=1)
            moves = scores[rows, best] >= self.threshold
            if not moves.any():
                break
            node = np.where(moves, candidates[rows, best], node)
            depth += moves
        return node, depth

    @Substitution(X=_X_DOC)
    def predict(self, X):
        """The deepest node whose probability clears ``threshold``.

        Parameters
        ----------
        {X}

        Returns
        -------
        y : ndarray of shape (n_samples,)
            A leaf, an inner node or ``unknown_label``; of the dtype of
            ``classes_`` when every answer is a leaf, object otherwise.
        """
        node, _ = self._descend(self.node_proba(X))
        classes = self._class_of_node[node]  # -1 (the root) ends the array
        if (classes >= 0).all():
            return self.classes_.take(classes)
        answers = np.append(self.nodes_, np.asarray([self.unknown_label], dtype=object))
        return answers[node]
