"""Docstring fragments written once and injected where they are needed."""

__all__ = ["Substitution", "N_JOBS_DOC", "RANDOM_STATE_DOC", "VERBOSE_DOC"]


class Substitution:
    """Fill ``{name}`` placeholders of a docstring from keyword arguments.

    Parameters
    ----------
    **fragments : str
        The text for each placeholder.
    """

    def __init__(self, **fragments):
        self.fragments = fragments

    def __call__(self, obj):
        if obj.__doc__:
            obj.__doc__ = obj.__doc__.format(**self.fragments)
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
