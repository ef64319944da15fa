"""The rule language of :class:`RuleClassifier`: tokenizer, parser and writer.

A rule is ``"<condition> [and <condition> ...] -> <class>"``; a condition
compares a feature with a number or another feature. Text is split by a
regular-expression tokenizer and read by a small recursive parser, never
evaluated as Python. :func:`format_rule` writes a parsed :class:`Rule` back as
canonical text that :func:`parse_rule` reads to the same value.
"""

import math
import operator
import re
from numbers import Real
from typing import NamedTuple

import numpy as np

__all__ = ["OPERATORS", "Condition", "Feature", "Rule", "format_rule", "parse_rule"]

OPERATORS = {
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
    "==": operator.eq,
    "!=": operator.ne,
}
_OPERATOR_LIST = ", ".join(OPERATORS)
_ARROW = "->"
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*\Z")
_KEYWORDS = {"and"}
_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<number>[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<name>[A-Za-z_][A-Za-z0-9_.]*)
  | (?P<quoted>`[^`]*`)
  | (?P<op>>=|<=|==|!=|>|<)
""", re.VERBOSE)

class Feature(NamedTuple):
    """A feature named in a rule, as opposed to a numeric constant."""

    name: str


class Condition(NamedTuple):
    """One comparison ``left op right``.

    Each side is a :class:`Feature` or a float; at least one is a feature.
    ``op`` is one of the keys of :data:`OPERATORS`.
    """

    left: object
    op: str
    right: object


class Rule(NamedTuple):
    """One parsed rule: all ``conditions`` hold, so the class is ``target``.

    ``conditions`` is a tuple of :class:`Condition` (empty for a catch-all)
    and ``target`` the class label.
    """

    conditions: tuple
    target: object


class _Token(NamedTuple):
    kind: str
    value: str
    column: int


def _syntax_error(text, where, column, message):
    pointer = " " * (4 + column) + "^"
    return ValueError(f"{where} has a syntax error: {message}\n    {text}\n{pointer}")


def _tokenize(text, where, shown):
    """Split the condition part of a rule into tokens, or raise at the first bad one.

    ``text`` is a prefix of ``shown``, the whole rule quoted in error messages.
    """
    tokens = []
    column = 0
    while column < len(text):
        match = _TOKEN.match(text, column)
        if match is None:
            raise _syntax_error(
                shown, where, column,
                f"unexpected character {text[column]!r}. A condition compares a "
                f"feature with a number or another feature using {_OPERATOR_LIST}; "
                "conditions are joined with 'and'; names with other characters "
                "go in backticks, e.g. `band 4`.")
        kind = match.lastgroup
        value = match.group()
        if kind == "quoted":
            kind, value = "name", value[1:-1]
            if not value:
                raise _syntax_error(shown, where, column, "empty feature name ``.")
        elif kind == "name" and value in _KEYWORDS:
            kind = value
        if kind != "space":
            tokens.append(_Token(kind, value, column))
        column = match.end()
    tokens.append(_Token("end", "", len(text)))
    return tokens


def _describe_token(token):
    return "the end of the conditions" if token.kind == "end" else repr(token.value)


def _parse_conditions(text, where, shown):
    tokens = _tokenize(text, where, shown)
    conditions = []
    position = 0

    def operand():
        nonlocal position
        token = tokens[position]
        position += 1
        if token.kind == "number":
            return float(token.value)
        if token.kind == "name":
            return Feature(token.value)
        raise _syntax_error(shown, where, token.column,
                            "expected a feature name or a number, found "
                            f"{_describe_token(token)}.")

    while True:
        left = operand()
        token = tokens[position]
        if token.kind != "op":
            raise _syntax_error(shown, where, token.column,
                                f"expected a comparison ({_OPERATOR_LIST}), found "
                                f"{_describe_token(token)}.")
        position += 1
        right = operand()
        conditions.append(_check_condition(Condition(left, token.value, right),
                                           where))
        token = tokens[position]
        if token.kind == "end":
            return tuple(conditions)
        if token.kind != "and":
            hint = (" To say 'or', write one rule per alternative with the same "
                    "class." if token.value == "or" else "")
            raise _syntax_error(shown, where, token.column,
                                f"expected 'and' or '->' after a condition, found "
                                f"{_describe_token(token)}.{hint}")
        position += 1


def _check_condition(condition, where):
    if not any(isinstance(side, Feature) for side in (condition.left,
                                                       condition.right)):
        raise ValueError(
            f"{where} compares two numbers ({_format_operand(condition.left)} "
            f"{condition.op} {_format_operand(condition.right)}); a condition needs "
            "at least one feature.")
    return condition


def _check_operand(value, where):
    if isinstance(value, Feature):
        return value
    if isinstance(value, str):
        return Feature(value)
    if isinstance(value, Real) and not isinstance(value, (bool, np.bool_)):
        if not math.isfinite(value):
            raise ValueError(f"{where} compares with {value!r}; use finite numbers.")
        return float(value)
    raise TypeError(
        f"{where}: a condition side must be a feature name (str) or a number; "
        f"got {value!r} of type {type(value).__name__}.")


def parse_rule(rule, where="rule"):
    """Parse one rule from its text or structured form.

    Parameters
    ----------
    rule : str or tuple
        Text ``"<condition> [and <condition> ...] -> <class>"``, where a
        condition is ``<operand> <op> <operand>``, ``<op>`` is one of ``>``,
        ``>=``, ``<``, ``<=``, ``==``, ``!=`` and an operand is a feature name
        or a number (at least one side a feature). Names with characters
        other than letters, digits, ``_`` and ``.`` are written in backticks.
        The class is the stripped text after ``->``. A text with no ``->`` and
        no comparison, such as ``"other"``, is a catch-all rule for that class.
        The structured form is a pair ``(conditions, target)``: a sequence of
        ``(left, op, right)`` triples (a str side is a feature name, a number a
        constant; an empty sequence is a catch-all) and any class label.
    where : str, default='rule'
        How the rule is named in error messages.

    Returns
    -------
    rule : Rule
        A named tuple ``(conditions, target)``.

    Raises
    ------
    ValueError
        On a syntax error (the message points at the offending token) or a
        condition without a feature.
    TypeError
        If ``rule`` is neither a string nor a pair.

    Examples
    --------
    >>> from classical.classifiers import parse_rule
    >>> rule = parse_rule("blue_fraction > 0.3 and mean_brightness < 0.4 -> water")
    >>> rule.target, len(rule.conditions)
    ('water', 2)
    >>> parse_rule(([("blue_fraction", ">", 0.3), ("mean_brightness", "<", 0.4)],
    ...             "water")) == rule
    True
    """
    if isinstance(rule, str):
        head, arrow, target = rule.partition(_ARROW)
        if not arrow:
            if any(char in rule for char in "<>=!") or not rule.strip():
                raise _syntax_error(
                    rule, where, len(rule),
                    "missing '-> <class>' at the end. Write e.g. "
                    "'green_fraction > 0.6 -> vegetation', or only a class name "
                    "for a catch-all rule.")
            return Rule((), rule.strip())
        target = target.strip()
        if not target:
            raise _syntax_error(rule, where, len(rule),
                                "expected a class name after '->'.")
        if not head.strip():
            return Rule((), target)
        return Rule(_parse_conditions(head, where, rule), target)
    if isinstance(rule, (tuple, list)) and len(rule) == 2:
        conditions, target = rule
        if isinstance(conditions, str) or not hasattr(conditions, "__iter__"):
            raise TypeError(
                f"{where}: the conditions of a structured rule must be a sequence "
                f"of (left, op, right) triples; got {conditions!r}.")
        parsed = []
        for item in conditions:
            if not (isinstance(item, (tuple, list)) and len(item) == 3):
                raise TypeError(
                    f"{where}: each condition must be a (left, op, right) triple, "
                    f"e.g. ('ndvi', '>', 0.3); got {item!r}.")
            left, op, right = item
            if op not in OPERATORS:
                raise ValueError(
                    f"{where}: unknown comparison {op!r}; use one of "
                    f"{_OPERATOR_LIST}.")
            parsed.append(_check_condition(
                Condition(_check_operand(left, where), op,
                          _check_operand(right, where)), where))
        return Rule(tuple(parsed), target)
    raise TypeError(
        f"{where} must be a string such as 'ndvi > 0.3 -> vegetation' or a pair "
        f"(conditions, target); got {rule!r}.")


def _format_number(value):
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def _format_operand(value):
    if isinstance(value, Feature):
        name = value.name
        if _NAME.match(name) and name not in _KEYWORDS:
            return name
        return f"`{name}`"
    return _format_number(value)


def format_rule(rule):
    """Write a parsed rule as canonical text that :func:`parse_rule` reads back.

    Parameters
    ----------
    rule : Rule
        A parsed rule.

    Returns
    -------
    text : str
        Conditions joined with ``and``, numbers in full (integers without a
        decimal point), names in backticks where the plain form would not
        parse; a catch-all is its class name alone (``-> <class>`` when the
        name itself looks like a condition).
    """
    conditions = " and ".join(
        f"{_format_operand(c.left)} {c.op} {_format_operand(c.right)}"
        for c in rule.conditions)
    target = str(rule.target)
    if conditions:
        return f"{conditions} -> {target}"
    plain = not any(char in target for char in "<>=!") and _ARROW not in target
    return target if plain else f"-> {target}"
