"""The optional libraries of :mod:`classical.geo`, imported only when used."""

import importlib

__all__ = ["import_optional"]

_EXTRA_OF = {
    "rasterio": "geo",
    "pyogrio": "geo",
    "dask": "dask",
    "dask.array": "dask",
    "distributed": "dask",
}


def import_optional(name):
    """Import an optional dependency, or say exactly how to install it.

    Parameters
    ----------
    name : {'rasterio', 'pyogrio', 'dask', 'dask.array', 'distributed'}
        The module.

    Returns
    -------
    module : module
        The imported module.

    Raises
    ------
    ImportError
        If the module is not installed; the message gives the ``pip install``
        line of the extra that provides it.
    """
    extra = _EXTRA_OF[name]
    try:
        return importlib.import_module(name)
    except ImportError as error:
        raise ImportError(
            f"{name} is needed for this part of classical.geo but is not "
            f"installed. Install it with:\n"
            f'pip install "classical-vision[{extra}]"'
        ) from error
