"""Class hierarchies and the accuracy of answers that may stop above the leaves.

A hierarchy is a dict from a parent name to the list of its children; a child
may be a parent itself, and the children that are nobody's parent are the
leaves (the training classes). Above the parents that are nobody's child (the
*top-level* nodes, level 1) sits an implicit root, which is never named: an
answer at the root is no answer, and is written as the ``unknown_label``.

The scores are those of Kiritchenko et al. [1]_: each label is replaced by
its *augmented* set, the label and all its ancestors with the root left out,
and over all samples

    hP = sum |P_i & T_i| / sum |P_i|,  hR = sum |P_i & T_i| / sum |T_i|,
    hF = 2 hP hR / (hP + hR),

where ``P_i`` is the augmented set of the answer and ``T_i`` that of the
reference. An unknown answer has an empty set: it costs recall, not
precision. A parent answered for one of its leaves is thus partly right (its
part of the path counts), a wrong sibling leaf shares the common ancestors.

References
----------
.. [1] S. Kiritchenko, S. Matwin, R. Nock and A. F. Famili, "Learning and
   evaluation in the presence of class hierarchies: application to text
   categorization", Advances in Artificial Intelligence (Canadian AI 2006),
   LNCS 4013, pp. 395-406, 2006. :DOI:`10.1007/11766247_34`
"""

import json
import operator

import numpy as np

from ..utils._docstring import Substitution
from ..utils._markdown import markdown_table

__all__ = ["ClassHierarchy", "HierarchyReport", "evaluate_hierarchy",
           "hierarchical_scores"]

ANSWERS_DOC = """y_true : array-like of shape (n_samples,)
        Reference labels, leaves of the hierarchy.
    y_pred : array-like of shape (n_samples,)
        Answers: any node of the hierarchy, or ``unknown_label`` (for example
        :meth:`classical.classifiers.HierarchicalClassifier.predict`).
    hierarchy : dict or ClassHierarchy
        The tree (see :class:`ClassHierarchy`).
    unknown_label : object, default='unknown'
        The answer meaning "no answer" (the root)."""


class ClassHierarchy:
    """A validated tree of classes, from a dict parent -> children.

    Parameters
    ----------
    hierarchy : dict
        Maps each parent name to a non-empty list of its children. Every node
        has at most one parent and no node is its own ancestor.

    Attributes
    ----------
    parent : dict
        Node -> its parent; top-level nodes map to None.
    children : dict
        Parent -> list of its children, as given.
    nodes : list
        Every node, top-level nodes first, then level by level (breadth
        first), children in the order given.
    leaves : list
        The nodes without children, in ``nodes`` order.
    top : list
        The top-level nodes (level 1), in the order the dict gives them.

    Raises
    ------
    TypeError
        If ``hierarchy`` is not a dict of lists.
    ValueError
        If a parent has no children, a child is listed under two parents (or
        twice under one), or the parents form a cycle; the message names the
        nodes to fix.
    """

    def __init__(self, hierarchy):
        if not isinstance(hierarchy, dict):
            raise TypeError("hierarchy must be a dict from a parent name to the list "
                            f"of its children; got {type(hierarchy).__name__}.")
        self.parent, self.children = {}, {}
        for name, kids in hierarchy.items():
            if isinstance(kids, (str, bytes)) or not hasattr(kids, "__iter__"):
                raise TypeError(f"hierarchy[{name!r}] must be a list of children; got "
                                f"{kids!r}. Write {{{name!r}: [child, ...]}}.")
            kids = list(kids)
            if not kids:
                raise ValueError(f"hierarchy[{name!r}] has no children; give it at "
                                 "least one or remove it.")
            for kid in kids:
                if kid in self.parent:
                    raise ValueError(
                        f"{kid!r} is listed under both {self.parent[kid]!r} and "
                        f"{name!r} in hierarchy; a class has one parent, keep one.")
                self.parent[kid] = name
            self.children[name] = kids
        self.top = [name for name in self.children if name not in self.parent]
        for name in self.children:
            self.parent.setdefault(name, None)
        self.nodes = list(self.top)
        for node in self.nodes:  # grows while walked: breadth first
            self.nodes += self.children.get(node, [])
        if len(self.nodes) < len(self.parent):
            cycle = sorted(map(str, set(self.parent) - set(self.nodes)))
            raise ValueError(f"hierarchy has a cycle through {cycle}: no top-level "
                             "parent leads to them. Break the cycle so every node "
                             "hangs below a parent that is nobody's child.")
        self.leaves = [node for node in self.nodes if node not in self.children]

    @classmethod
    def flat(cls, labels):
        """A one-level tree: every label a top-level leaf under the root.

        Parameters
        ----------
        labels : list
            The leaves.

        Returns
        -------
        tree : ClassHierarchy
        """
        tree = cls({})
        tree.top, tree.nodes, tree.leaves = list(labels), list(labels), list(labels)
        tree.parent = dict.fromkeys(labels)
        return tree

    def path(self, node):
        """The augmented set of ``node``: its ancestors, then ``node`` itself.

        Parameters
        ----------
        node : object
            A node of the tree.

        Returns
        -------
        path : list
            From the top-level ancestor down to ``node`` (the root left out).
        """
        path = []
        while node is not None:
            path.append(node)
            node = self.parent[node]
        return path[::-1]

    def depth(self, node):
        """Level of ``node``: 1 for a top-level node.

        Parameters
        ----------
        node : object
            A node of the tree.

        Returns
        -------
        depth : int
            The number of nodes on its path.
        """
        return len(self.path(node))

    def check_known(self, labels, argument, *, leaves_only=False):
        """Raise ValueError if a label of ``argument`` is not in the tree.

        Parameters
        ----------
        labels : iterable
            Distinct labels to check.
        argument : str
            Name of the argument they come from, for the message.
        leaves_only : bool, default=False
            Also require every label to be a leaf.
        """
        labels = list(labels)
        if leaves_only:
            inner = [label for label in labels if label in self.children]
            if inner:
                raise ValueError(
                    f"{argument} has label(s) {inner} that are parents in the "
                    "hierarchy, not leaves. Label those samples with one of the "
                    "parent's children, or make the parent a leaf.")
        missing = [label for label in labels if label not in self.parent]
        if missing:
            raise ValueError(
                f"{argument} has label(s) {missing} that are not in the "
                f"hierarchy (its leaves: {self.leaves}). Add each one to the "
                "children of a parent in hierarchy.")


def _as_hierarchy(hierarchy):
    if isinstance(hierarchy, ClassHierarchy):
        return hierarchy
    return ClassHierarchy(hierarchy)


def _check_pairs(y_true, y_pred, tree, unknown_label):
    """The labels as lists, checked against the tree."""
    y_true, y_pred = np.asarray(y_true).tolist(), np.asarray(y_pred).tolist()
    if len(y_true) != len(y_pred):
        raise ValueError(f"y_true and y_pred must have the same length; got "
                         f"{len(y_true)} and {len(y_pred)}.")
    tree.check_known(set(y_true), "y_true", leaves_only=True)
    tree.check_known(set(y_pred) - {unknown_label}, "y_pred")
    return y_true, y_pred


@Substitution(answers=ANSWERS_DOC)
def hierarchical_scores(y_true, y_pred, hierarchy, *, unknown_label="unknown"):
    """Hierarchical precision, recall and F1 of Kiritchenko et al.

    Parameters
    ----------
    {answers}

    Returns
    -------
    scores : dict
        ``precision``, ``recall`` and ``f1`` (0 where undefined).

    Notes
    -----
    The sums run over samples before dividing (micro averages), as in [1]_ of
    :mod:`classical.evaluation._hierarchy`.

    Examples
    --------
    A right leaf ({A, A1} against {A, A1}), the parent instead of a leaf
    ({A} against {A, A2}) and no answer ({} against {B, B1}): the 3 answered
    nodes are all right, and 3 of the 6 reference nodes are found.

    >>> from classical.evaluation import hierarchical_scores
    >>> tree = {"A": ["A1", "A2"], "B": ["B1"]}
    >>> scores = hierarchical_scores(["A1", "A2", "B1"], ["A1", "A", "unknown"], tree)
    >>> [round(scores[k], 3) for k in ("precision", "recall", "f1")]
    [1.0, 0.5, 0.667]
    """
    tree = _as_hierarchy(hierarchy)
    y_true, y_pred = _check_pairs(y_true, y_pred, tree, unknown_label)
    common = answered = reference = 0
    for truth, answer in zip(y_true, y_pred):
        expected = set(tree.path(truth))
        given = set() if answer == unknown_label else set(tree.path(answer))
        common += len(expected & given)
        answered += len(given)
        reference += len(expected)
    precision = common / answered if answered else 0.0
    recall = common / reference if reference else 0.0
    total = precision + recall
    return {"precision": precision, "recall": recall,
            "f1": 2 * precision * recall / total if total else 0.0}


class HierarchyReport:
    """Accuracy per level, hierarchical scores and fallbacks of hierarchical answers.

    Built by :func:`evaluate_hierarchy`; every figure is in :meth:`as_dict`,
    and each parameter is kept as the attribute of the same name.

    Parameters
    ----------
    levels : list of dict
        One per level ``d`` (1 = top level) with ``level``, ``n`` (samples
        whose reference leaf is at depth ``d`` or deeper), ``answered`` (those
        of them answered at depth ``d`` or deeper), ``correct`` (answered with
        the reference's ancestor at depth ``d``), ``coverage`` (answered /
        n), ``accuracy`` (correct / n) and ``precision`` (correct /
        answered).
    answers : list of dict
        Where the answers stopped: ``at`` (``'leaf'``, ``'level d'`` for an
        inner node at depth ``d``, or ``'unknown'``), ``count``, ``share`` and
        ``right`` (share of them on the reference's path).
    scores : dict
        :func:`hierarchical_scores`.
    n_samples : int
        Number of samples assessed.
    right : float
        Share of the answered samples (not unknown) whose answer is the
        reference leaf or one of its ancestors.
    """

    def __init__(self, levels, answers, scores, n_samples, right):
        self.levels, self.answers, self.scores = levels, answers, scores
        self.n_samples, self.right = n_samples, right

    def as_dict(self):
        """All figures as plain Python values.

        Returns
        -------
        figures : dict
            ``n_samples``, ``right``, ``scores``, ``levels`` and ``answers``.
        """
        return {"n_samples": self.n_samples, "right": self.right,
                "scores": dict(self.scores), "levels": [dict(r) for r in self.levels],
                "answers": [dict(r) for r in self.answers]}

    def to_json(self, **kwargs):
        """:meth:`as_dict` as JSON text.

        Parameters
        ----------
        **kwargs : dict
            Passed to :func:`json.dumps` (for example ``indent=2``).

        Returns
        -------
        text : str
            The JSON document.
        """
        return json.dumps(self.as_dict(), **kwargs)

    def to_markdown(self):
        """The per-level table, the fallback table and the scores, in Markdown.

        Returns
        -------
        text : str
            A summary line and two GitHub-flavoured tables.
        """
        lines = [f"Hierarchical precision {self.scores['precision']:.3f}, recall "
                 f"{self.scores['recall']:.3f}, F1 {self.scores['f1']:.3f}; "
                 f"{self.right:.1%} of the answers right (leaf or ancestor), "
                 f"{self.n_samples} samples.", ""]
        lines += markdown_table(
            ["Level", "Samples", "Coverage", "Accuracy", "Precision"],
            ([str(r["level"]), str(r["n"]), f"{r['coverage']:.3f}",
              f"{r['accuracy']:.3f}", _fixed(r["precision"])] for r in self.levels))
        lines.append("")
        lines += markdown_table(
            ["Answered at", "Samples", "Share", "Right"],
            ([r["at"], str(r["count"]), f"{r['share']:.3f}", _fixed(r["right"])]
             for r in self.answers))
        return "\n".join(lines) + "\n"


def _fixed(value):
    return "n/a" if value != value else f"{value:.3f}"


def _ratio(numerator, denominator):
    return numerator / denominator if denominator else float("nan")


@Substitution(answers=ANSWERS_DOC)
def evaluate_hierarchy(y_true, y_pred, hierarchy, *, unknown_label="unknown"):
    """Assess answers that may stop at an ancestor of the reference leaf.

    Parameters
    ----------
    {answers}

    Returns
    -------
    report : HierarchyReport
        Accuracy, coverage and precision per level, where the answers stopped
        (the fallbacks) and the hierarchical scores.

    Raises
    ------
    ValueError
        If a label of ``y_true`` is not a leaf, or one of ``y_pred`` is
        neither a node nor ``unknown_label``, or the lengths differ.
    """
    tree = _as_hierarchy(hierarchy)
    y_true, y_pred = _check_pairs(y_true, y_pred, tree, unknown_label)
    depth = max(map(tree.depth, tree.leaves))
    n, answered, correct = (np.zeros(depth, dtype=int) for _ in range(3))
    stops = {}
    for truth, answer in zip(y_true, y_pred):
        expected = tree.path(truth)
        given = [] if answer == unknown_label else tree.path(answer)
        reach = min(len(given), len(expected))
        n[:len(expected)] += 1
        answered[:reach] += 1
        correct[:reach] += np.fromiter(map(operator.eq, given, expected), int, reach)
        at = ("unknown" if not given else "leaf" if answer not in tree.children
              else f"level {len(given)}")
        count, right = stops.get(at, (0, 0))
        stops[at] = (count + 1, right + (given == expected[:len(given)]))
    levels = [{"level": d + 1, "n": int(n[d]), "answered": int(answered[d]),
               "correct": int(correct[d]), "coverage": _ratio(answered[d], n[d]),
               "accuracy": _ratio(correct[d], n[d]),
               "precision": _ratio(correct[d], answered[d])} for d in range(depth)]
    order = ["leaf"] + [f"level {d}" for d in range(depth, 0, -1)] + ["unknown"]
    answers = [{"at": at, "count": stops[at][0], "share": stops[at][0] / len(y_true),
                "right": float("nan") if at == "unknown"
                else stops[at][1] / stops[at][0]} for at in order if at in stops]
    n_answered = sum(stops[at][0] for at in stops if at != "unknown")
    n_right = sum(stops[at][1] for at in stops if at != "unknown")
    return HierarchyReport(levels, answers,
                           hierarchical_scores(y_true, y_pred, tree,
                                               unknown_label=unknown_label),
                           len(y_true), _ratio(n_right, n_answered))
