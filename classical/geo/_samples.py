"""A small real labelled raster shipped inside the package."""

from pathlib import Path
from typing import NamedTuple

from ._raster import Raster, open_raster

__all__ = ["RasterSample", "load_sample"]

_DATA = Path(__file__).parent / "data"
_SAMPLES = {
    "landsat7": {
        "folder": "landsat7",
        "image": "LE70220491999322EDC01_stack.gtif",
        "labels": "training_data.gtif",
        "vector": "training_data.shp",
        "class_names": {1: "forest", 2: "water", 3: "herbaceous", 4: "barren",
                        5: "urban"},
        # layer 6 of this stack is ETM+ band 7 (swir2), layer 7 is band 6 (thermal)
        "band_roles": {"blue": 1, "green": 2, "red": 3, "nir": 4, "swir1": 5,
                       "swir2": 6, "thermal": 7},
    },
}


class RasterSample(NamedTuple):
    """A labelled sample scene: image, label raster, polygons and band roles.

    Parameters
    ----------
    image : Raster
        The multi-band image.
    labels : Raster
        The label raster on the image's grid (0 = unlabelled).
    class_names : dict of int to str
        Label value -> class name.
    vector_path : pathlib.Path
        The training polygons (an OGR vector file) the labels were drawn from.
    sensor : str
        The sensor, as :data:`classical.geo.SENSOR_BANDS` names it.
    band_roles : dict of str to int
        Role (``'red'``, ``'nir'``, ...) -> 1-based layer of ``image``.
    """

    image: Raster
    labels: Raster
    class_names: dict
    vector_path: Path
    sensor: str
    band_roles: dict


def load_sample(name):
    """Open a labelled raster sample shipped with the package.

    Parameters
    ----------
    name : {'landsat7'}
        The sample. ``'landsat7'`` is a real 250 x 250 Landsat 7 ETM+ subset
        (EPSG:32615, 30 m, 8 int16 layers), its label raster on the same grid
        (5 classes, 718 labelled pixels from 30 polygons) and the polygons as
        a shapefile; its README (in ``classical/geo/data/landsat7/``) gives
        the source, citation (Holden, open-geo-tutorial; USGS) and licence
        (CC BY-SA; the Landsat imagery is public domain).

    Returns
    -------
    sample : RasterSample
        ``image`` and ``labels`` (opened :class:`Raster` objects: close them,
        or use them in ``with``), ``class_names`` (label -> name),
        ``vector_path``, ``sensor`` and ``band_roles`` (role -> 1-based layer
        of this file: its 6th layer is ETM+ band 7, ``swir2``, and its 7th
        band 6, ``thermal``).

    Raises
    ------
    ValueError
        If ``name`` is not a known sample.
    ImportError
        If rasterio (the ``geo`` extra) is not installed.
    """
    if name not in _SAMPLES:
        raise ValueError(
            f"Unknown raster sample {name!r}; the available samples are: "
            f"{', '.join(repr(s) for s in _SAMPLES)}.")
    entry = _SAMPLES[name]
    folder = _DATA / entry["folder"]
    return RasterSample(
        image=open_raster(folder / entry["image"]),
        labels=open_raster(folder / entry["labels"]),
        class_names=dict(entry["class_names"]),
        vector_path=folder / entry["vector"],
        sensor=name,
        band_roles=dict(entry["band_roles"]),
    )
