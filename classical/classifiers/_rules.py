"""Ordered, readable rules over named features: written by hand or learned.

The rule language itself (tokenizer, parser, writer) is in :mod:`._rule_syntax`.
"""

import difflib
import math
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.tree import DecisionTreeClassifier
from sklearn.utils._param_validation import Interval
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted
from sklearn_compat.base import _fit_context
from sklearn_compat.utils.validation import validate_data

from ..utils._docstring import RANDOM_STATE_DOC, Substitution
from ._rule_syntax import OPERATORS, Condition, Feature, Rule, format_rule, parse_rule

__all__ = ["RuleClassifier", "parse_rule"]

def _shortest_number(low, high):
    """A short decimal ``r`` with ``low <= r < high``, or None."""
    middle = 0.5 * (low + high)
    for digits in range(18):
        for candidate in (round(middle, digits),
                          math.ceil(low * 10 ** digits) / 10 ** digits):
            if low <= candidate < high:
                return float(candidate)
    return None


def _label_kind(label):
    if isinstance(label, str):
        return "text"
    if isinstance(label, (bool, np.bool_)):
        return "boolean"
    if isinstance(label, Real):
        return "number"
    return type(label).__name__


@Substitution(random_state=RANDOM_STATE_DOC)
class RuleClassifier(ClassifierMixin, BaseEstimator):
    """Ordered, readable rules over named features: the first match wins.

    Each rule is a conjunction of comparisons and a class, for example
    ``"blue_fraction > 0.3 and mean_brightness < 0.4 -> water"``. A sample
    gets the class of the first rule whose conditions all hold, and the
    default class when none does. Rules are written by hand, or, when
    ``rules=None``, learned from labelled data as the paths of a shallow
    decision tree, so a model can be read, checked and edited as text.

    Parameters
    ----------
    rules : list of (str or tuple) or None, default=None
        The rules, in order. Text form:
        ``"<condition> [and <condition> ...] -> <class>"`` with conditions
        ``<operand> <op> <operand>``, ``<op>`` one of ``>``, ``>=``, ``<``,
        ``<=``, ``==``, ``!=`` and operands feature names or numbers; names
        with characters other than letters, digits, ``_`` and ``.`` go in
        backticks. A text with only a class name (``"other"``) is a catch-all;
        it must be the last rule and replaces ``default``. Structured form:
        ``(conditions, target)`` with ``conditions`` a list of
        ``(left, op, right)`` triples. Text is parsed by a small tokenizer,
        never evaluated as Python; see :func:`parse_rule`. ``None`` learns the
        rules from ``X`` and ``y`` in :meth:`fit`.
    default : str or number, default='unknown'
        Class of samples that no rule matches, when ``rules`` is given and
        ends without a catch-all. Learned rules choose their own default.
    feature_names : list of str or None, default=None
        Name of each column of ``X``, as used in the rules. ``None`` takes the
        column names of a DataFrame passed to :meth:`fit`, else
        ``x0 ... x{n_features - 1}``.
    max_depth : int, default=3
        Depth of the tree the rules are learned from (``rules=None`` only),
        hence the most conditions in a learned rule.
    min_samples_leaf : int, default=1
        Fewest training samples behind a learned rule (``rules=None`` only).
    {random_state}
        Used by the tree when ``rules=None``.

    Attributes
    ----------
    rules_ : list of str
        The rules applied, in order, in canonical text form (numbers written
        in full, names quoted where needed); a final catch-all is moved to
        ``default_``.
    default_ : object
        Class of samples that no rule in ``rules_`` matches.
    classes_ : ndarray of shape (n_classes,)
        Sorted union of the classes of ``y``, the rule targets and
        ``default_``.
    feature_names_ : ndarray of str of shape (n_features_in_,)
        Names the rules refer to.
    n_features_in_ : int
        Number of features seen during :term:`fit`.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of features seen during :term:`fit`. Defined only when `X` has
        feature names that are all strings.

    See Also
    --------
    GaussianMLClassifier : A statistical per-pixel classifier.
    sklearn.tree.export_text : Text view of a fitted decision tree.

    Notes
    -----
    **Fitting with given rules** learns nothing: it checks that every feature
    named in the rules exists, resolves the class names and records
    ``classes_``; ``y`` may be omitted. Because text targets are strings, a
    target whose text equals ``str(c)`` for a class ``c`` of ``y`` stands for
    that class (so ``"-> 3"`` means the integer class 3 when ``y`` holds
    integers); the same holds for ``default``.

    **Learned rules** come from a :class:`~sklearn.tree.DecisionTreeClassifier`
    with ``max_depth`` and ``min_samples_leaf``: one rule per leaf, the path's
    conditions merged per feature. The leaves of the class with most training
    samples are dropped and that class becomes ``default_``; since the leaves
    partition the feature space the result is unchanged. Each threshold is
    replaced by the shortest decimal that splits the node's training samples
    the same way, so rules read ``x2 <= 2.5`` rather than
    ``x2 <= 2.450000047683716``. The rules are the model: :meth:`predict`
    evaluates them, not the tree.

    **Probabilities.** Rules are hard decisions, so :meth:`predict_proba`
    is one-hot.
    """

    _parameter_constraints = {
        "rules": [list, tuple, None],
        "default": [str, Real],
        "feature_names": ["array-like", None],
        "max_depth": [Interval(Integral, 1, None, closed="left")],
        "min_samples_leaf": [Interval(Integral, 1, None, closed="left")],
        "random_state": ["random_state"],
    }

    def __init__(self, *, rules=None, default="unknown", feature_names=None,
                 max_depth=3, min_samples_leaf=1, random_state=None):
        self.rules = rules
        self.default = default
        self.feature_names = feature_names
        self.max_depth = max_depth
        self.min_samples_leaf = min_samples_leaf
        self.random_state = random_state

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Check the given rules against the features, or learn rules.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Feature values; a DataFrame's column names become the feature
            names unless ``feature_names`` is given.
        y : array-like of shape (n_samples,) or None, default=None
            Class labels. Required when ``rules=None``; otherwise optional, and
            its classes are added to ``classes_``.

        Returns
        -------
        self : object
            The fitted classifier.

        Raises
        ------
        ValueError
            If a rule has a syntax error or names an unknown feature, if a
            catch-all is not last, or if ``feature_names`` does not fit ``X``.
        TypeError
            If class labels mix text and numbers.
        """
        if self.rules is None or y is not None:
            X, y = validate_data(self, X, y)
            check_classification_targets(y)
        else:
            X = validate_data(self, X)
        self.feature_names_ = self._resolve_feature_names()
        if self.rules is None:
            self._learn_rules(X, y)
        else:
            self._bind_given_rules(y)
        self.rules_ = [format_rule(rule) for rule in self._rules]
        return self

    def _resolve_feature_names(self):
        n_features = self.n_features_in_
        from_frame = getattr(self, "feature_names_in_", None)
        if self.feature_names is None:
            if from_frame is not None:
                return np.asarray(from_frame, dtype=object)
            return np.asarray([f"x{i}" for i in range(n_features)], dtype=object)
        names = list(self.feature_names)
        if not all(isinstance(name, str) and name for name in names):
            raise TypeError(
                f"feature_names must be non-empty strings; got {names!r}.")
        if len(names) != n_features:
            raise ValueError(
                f"feature_names has {len(names)} names but X has {n_features} "
                f"features; give one name per column of X.")
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise ValueError(f"feature_names must be unique; repeated: {duplicates}.")
        if from_frame is not None and list(from_frame) != names:
            raise ValueError(
                f"feature_names {names} differ from the DataFrame's columns "
                f"{list(from_frame)}; pass feature_names=None to use the columns, "
                "or rename the columns.")
        return np.asarray(names, dtype=object)

    def _column(self, name, where):
        matches = np.flatnonzero(self.feature_names_ == name)
        if len(matches) == 0:
            known = list(self.feature_names_)
            close = difflib.get_close_matches(name, known, n=1)
            hint = f" Did you mean {close[0]!r}?" if close else ""
            raise ValueError(
                f"{where} uses unknown feature {name!r}.{hint} Known features: "
                f"{known}. Name the columns with feature_names=[...].")
        return int(matches[0])

    def _bind_given_rules(self, y):
        rules = []
        for index, rule in enumerate(self.rules):
            where = f"rules[{index}] ({rule!r})"
            parsed = parse_rule(rule, where=where)
            for condition in parsed.conditions:
                for side in (condition.left, condition.right):
                    if isinstance(side, Feature):
                        self._column(side.name, where)
            if rules and not rules[-1].conditions:
                raise ValueError(
                    f"rules[{index - 1}] ({self.rules[index - 1]!r}) is a catch-all "
                    f"that matches every sample, so rules[{index}] and later never "
                    "apply. Put the catch-all last.")
            rules.append(parsed)
        y_classes = [] if y is None else np.unique(y).tolist()

        def resolve(label):
            if any(label == c and _label_kind(label) == _label_kind(c)
                   for c in y_classes):
                return label
            matches = [c for c in y_classes if str(c) == str(label)]
            return matches[0] if len(matches) == 1 else label

        rules = [Rule(rule.conditions, resolve(rule.target)) for rule in rules]
        if rules and not rules[-1].conditions:
            self.default_ = rules.pop().target
        else:
            self.default_ = resolve(self.default)
        self._rules = rules
        labels = y_classes + [rule.target for rule in rules] + [self.default_]
        kinds = {_label_kind(label) for label in labels}
        if len(kinds) > 1:
            shown = ", ".join(sorted(set(map(repr, labels))))
            raise TypeError(
                "Class labels must all be text or all numbers, but the labels of "
                f"y, the rule targets and default mix them: {shown}. Write the "
                "targets as the classes appear in y (e.g. '-> 3' for the class 3) "
                "and pass a default of the same kind (e.g. default=-1), or end the "
                "rules with a catch-all class.")
        if y is not None and set(labels) == set(y_classes):
            self.classes_ = np.unique(y)
        else:
            self.classes_ = np.unique(np.asarray(labels))

    def _learn_rules(self, X, y):
        self.classes_, y_index = np.unique(y, return_inverse=True)
        tree = DecisionTreeClassifier(
            max_depth=self.max_depth, min_samples_leaf=self.min_samples_leaf,
            random_state=self.random_state).fit(X, y_index)
        nodes = tree.tree_
        reaching = tree.decision_path(X).tocsc()
        thresholds = {}
        for node in np.flatnonzero(nodes.children_left >= 0):
            feature = nodes.feature[node]
            rows = reaching.indices[reaching.indptr[node]:reaching.indptr[node + 1]]
            values = X[rows, feature]
            goes_left = values.astype(np.float32) <= nodes.threshold[node]
            low, high = values[goes_left].max(), values[~goes_left].min()
            short = _shortest_number(float(low), float(high)) if low < high else None
            thresholds[node] = float(nodes.threshold[node]) if short is None else short

        leaves = []  # (n_samples, class index, conditions)

        def single_label(node):
            """The class every leaf below ``node`` predicts, or None if they differ."""
            left, right = nodes.children_left[node], nodes.children_right[node]
            if left < 0:
                return int(np.argmax(nodes.value[node]))
            label = single_label(left)
            return label if label is not None and label == single_label(right) else None

        def walk(node, path):
            left, right = nodes.children_left[node], nodes.children_right[node]
            label = single_label(node)
            if label is not None:  # a leaf, or sibling leaves that agree: one rule
                leaves.append((int(nodes.n_node_samples[node]), label, path))
                return
            feature = self.feature_names_[nodes.feature[node]]
            walk(left, path + [(feature, "<=", thresholds[node])])
            walk(right, path + [(feature, ">", thresholds[node])])

        walk(0, [])
        support = np.zeros(len(self.classes_))
        for n_samples, label, _ in leaves:
            support[label] += n_samples
        default = int(np.argmax(support))
        self.default_ = self.classes_[default]
        kept = sorted((leaf for leaf in leaves if leaf[1] != default),
                      key=lambda leaf: -leaf[0])
        self._rules = [Rule(_merge_conditions(path), self.classes_[label])
                       for _, label, path in kept]

    def apply(self, X):
        """Index of the rule that decides each sample.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Feature values.

        Returns
        -------
        rule_index : ndarray of int of shape (n_samples,)
            Position in ``rules_`` of the first matching rule, or
            ``len(rules_)`` when no rule matches and ``default_`` applies.
        """
        check_is_fitted(self)
        X = validate_data(self, X, reset=False)
        decided = np.full(X.shape[0], len(self._rules), dtype=np.intp)
        pending = np.ones(X.shape[0], dtype=bool)
        for index, rule in enumerate(self._rules):
            match = pending.copy()
            for condition in rule.conditions:
                compare = OPERATORS[condition.op]
                left = self._values(X, condition.left)
                right = self._values(X, condition.right)
                match &= compare(left, right)
            decided[match] = index
            pending &= ~match
        return decided

    def _values(self, X, operand):
        if isinstance(operand, Feature):
            return X[:, self._column(operand.name, "rule")]
        return operand

    def predict(self, X):
        """Class of the first matching rule, else ``default_``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Feature values.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
            One class of ``classes_`` per sample.
        """
        index = self._class_index(X)
        return self.classes_.take(index)

    def _class_index(self, X):
        decided = self.apply(X)
        outcomes = [rule.target for rule in self._rules] + [self.default_]
        position = {label: i for i, label in enumerate(self.classes_.tolist())}
        lookup = np.asarray([position[label] for label in outcomes], dtype=np.intp)
        return lookup.take(decided)

    def predict_proba(self, X):
        """One-hot class membership: rules make hard decisions.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Feature values.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
            1 in the column of the predicted class, 0 elsewhere; columns in
            the order of ``classes_``.
        """
        index = self._class_index(X)
        proba = np.zeros((len(index), len(self.classes_)))
        proba[np.arange(len(index)), index] = 1.0
        return proba


def _merge_conditions(path):
    """Keep the tightest bound per feature and direction, in order of first use."""
    bounds = {}
    for feature, op, value in path:
        key = (feature, op)
        if key not in bounds:
            bounds[key] = value
        elif op == "<=":
            bounds[key] = min(bounds[key], value)
        else:
            bounds[key] = max(bounds[key], value)
    return tuple(Condition(Feature(feature), op, value)
                 for (feature, op), value in bounds.items())
