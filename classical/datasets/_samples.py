"""Sample datasets shipped inside the package."""

from pathlib import Path

from ._folder import load_folder

__all__ = ["load_sample", "sample_path"]

_DATA = Path(__file__).parent / "data"
_SAMPLES = ("eurosat",)
_RASTER_SAMPLES = ("landsat7",)


def sample_path(name):
    """Return the folder of a sample dataset shipped with the package.

    Parameters
    ----------
    name : {'eurosat'}
        The sample. ``'eurosat'`` is 1000 EuroSAT RGB images (64 x 64 JPEG,
        10 classes, 100 each); its README gives the source, citation, licence
        and how the images were chosen.

    Returns
    -------
    path : pathlib.Path
        The folder, laid out as ``path/<class>/<image>`` for
        :func:`load_folder`.

    Raises
    ------
    ValueError
        If ``name`` is not a known sample.
    """
    if name in _RASTER_SAMPLES:
        raise ValueError(
            f"{name!r} is a raster sample: load it with "
            f"classical.geo.load_sample({name!r}), which returns the image and "
            f"label rasters."
        )
    if name not in _SAMPLES:
        raise ValueError(
            f"Unknown sample {name!r}; the available samples are: "
            f"{', '.join(repr(s) for s in _SAMPLES)}."
        )
    return _DATA / name


def load_sample(name, *, size=None, color="rgb", n_jobs=None, verbose=False):
    """Load a sample dataset shipped with the package.

    Parameters
    ----------
    name : {'eurosat'}
        The sample; see :func:`sample_path`.
    size : int or tuple of (int, int) or None, default=None
        Resize every image to ``(height, width)`` on load; ``None`` keeps the
        stored size (64 x 64 for ``'eurosat'``).
    color : {'rgb', 'gray'}, default='rgb'
        ``'rgb'`` gives (H, W, 3) ``uint8`` arrays, ``'gray'`` (H, W).
    n_jobs : int or None, default=None
        Number of threads decoding files; ``-1`` means all cores.
    verbose : bool, default=False
        Show a progress bar.

    Returns
    -------
    dataset : ImageDataset
        The images, labels and paths, in :func:`load_folder` order.

    Raises
    ------
    ValueError
        If ``name`` is not a known sample.

    References
    ----------
    .. [1] P. Helber, B. Bischke, A. Dengel and D. Borth, "EuroSAT: A Novel
       Dataset and Deep Learning Benchmark for Land Use and Land Cover
       Classification", IEEE Journal of Selected Topics in Applied Earth
       Observations and Remote Sensing, 12(7), 2217-2226, 2019.
       :DOI:`10.1109/JSTARS.2019.2918242`

    Examples
    --------
    >>> from classical.datasets import load_sample
    >>> train, test = load_sample("eurosat").split(test_size=0.2, random_state=0)
    >>> len(train), len(test)
    (800, 200)
    """
    return load_folder(sample_path(name), size=size, color=color, on_error="raise",
                       n_jobs=n_jobs, verbose=verbose)
