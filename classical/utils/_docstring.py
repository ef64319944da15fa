"""Docstring fragments written once and injected where they are needed.

The library's one templating mechanism: :class:`Substitution` replaces named
``{placeholder}`` markers and nothing else, so a docstring keeps its literal
braces (``{'l2', 'power+l2'}``) without doubling them.
"""

__all__ = ["Substitution", "N_JOBS_DOC", "RANDOM_STATE_DOC", "VERBOSE_DOC"]


class Substitution:
    """Fill named ``{name}`` placeholders of a docstring.

    Works as a decorator on a function or class. Only the placeholders named
    in ``fragments`` are replaced; any other brace is left as written, and a
    fragment whose placeholder a docstring lacks is simply not used (one set
    of fragments can serve several objects).

    Parameters
    ----------
    **fragments : str
        The text for each placeholder.

    Examples
    --------
    >>> @Substitution(size="an int")
    ... def f():
    ...     '''Take {size}; options {'a', 'b'}.'''
    >>> f.__doc__
    "Take an int; options {'a', 'b'}."
    """

    def __init__(self, **fragments):
        self.fragments = fragments

    def __call__(self, obj):
        doc = obj.__doc__
        if doc:
            for name, text in self.fragments.items():
                doc = doc.replace("{" + name + "}", text)
            obj.__doc__ = doc
        return obj


N_JOBS_DOC = """n_jobs : int or None, default=None
        Number of threads for the batch kernels (or joblib workers for
        per-image Python work). ``None`` means 1 unless in a
        :func:`joblib.parallel_config` context; ``-1`` means all cores.
        Results do not depend on it."""

RANDOM_STATE_DOC = """random_state : int, RandomState instance or None, default=None
        Seed of the random number generator. Pass an int for results that
        are the same across calls."""

VERBOSE_DOC = """verbose : bool, default=False
        Show a progress bar while images are processed."""
