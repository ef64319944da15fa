"""Spectral indices of pixels from band roles (red, nir, ...) and sensor tables."""

import re
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import _check_feature_names_in, check_is_fitted
from sklearn_compat.base import _fit_context
from sklearn_compat.utils.validation import validate_data

__all__ = ["SENSOR_BANDS", "band_roles", "spectral_indices", "SpectralIndices"]

ROLES = ("blue", "green", "red", "nir", "swir1", "swir2", "thermal")

# Each sensor's bands in its standard full stack (the order of the product's
# band files), and the band that plays each role. Sentinel-2 MSI: B8A comes
# after B8, so B11 and B12 are the 12th and 13th layers (ESA, Sentinel-2 User
# Handbook, 2015). Landsat 8 OLI/TIRS: bands 1-11, thermal = TIRS band 10.
# Landsat 7 ETM+: bands 1-8, thermal = band 6, SWIR 2 = band 7 (USGS Landsat 7
# Data Users Handbook, 2019).
_STACKS = {
    "sentinel2": ("1", "2", "3", "4", "5", "6", "7", "8", "8a", "9", "10", "11", "12"),
    "landsat8": tuple(str(b) for b in range(1, 12)),
    "landsat7": tuple(str(b) for b in range(1, 9)),
}
_ROLE_BANDS = {
    "sentinel2": {"blue": "2", "green": "3", "red": "4", "nir": "8", "swir1": "11",
                  "swir2": "12"},
    "landsat8": {"blue": "2", "green": "3", "red": "4", "nir": "5", "swir1": "6",
                 "swir2": "7", "thermal": "10"},
    "landsat7": {"blue": "1", "green": "2", "red": "3", "nir": "4", "swir1": "5",
                 "swir2": "7", "thermal": "6"},
}
SENSOR_BANDS = {
    sensor: {role: _STACKS[sensor].index(band) + 1 for role, band in roles.items()}
    for sensor, roles in _ROLE_BANDS.items()
}
"""Role -> 1-based layer of each sensor's standard full band stack."""

# role words in band names, tried in this order (nir before red: "near infra red")
_ROLE_PATTERNS = (
    ("nir", r"\b(nir|near infra ?red)\b"),
    ("swir1", r"\bswir ?1\b"),
    ("swir2", r"\bswir ?2\b"),
    ("thermal", r"\b(thermal|tir|lwir|temperature)\b"),
    ("blue", r"\bblue\b"),
    ("green", r"\bgreen\b"),
    ("red", r"\bred\b(?! ?edge)"),
)
_BAND_NUMBER = re.compile(r"^(\d+a?)$|\b(?:b|band) ?0*(\d+a?)\b")

# index -> the roles it needs (formulas and references in spectral_indices)
INDICES = {
    "ndvi": ("red", "nir"),
    "ndwi": ("green", "nir"),
    "ndbi": ("swir1", "nir"),
    "savi": ("red", "nir"),
    "evi": ("blue", "red", "nir"),
}
_SAVI_L = 0.5


def _check_sensor(sensor):
    if sensor is not None and sensor not in SENSOR_BANDS:
        raise ValueError(
            f"sensor must be one of {sorted(SENSOR_BANDS)} or None; got {sensor!r}.")


def _check_bands(bands):
    """Validate a role -> 1-based layer mapping; return it as a dict of ints."""
    if bands is None:
        return {}
    if not hasattr(bands, "items"):
        raise TypeError(
            f"bands must be a mapping of role to 1-based band number, such as "
            f"{{'red': 3, 'nir': 4}}; got {type(bands).__name__}.")
    checked = {}
    for role, band in bands.items():
        if role not in ROLES:
            raise ValueError(
                f"bands has the unknown role {role!r}; the roles are {list(ROLES)}.")
        if isinstance(band, bool) or not isinstance(band, Integral):
            raise TypeError(
                f"bands[{role!r}] must be an int (a 1-based band number); "
                f"got {band!r}.")
        if band < 1:
            raise ValueError(
                f"bands[{role!r}] = {band}: band numbers are 1-based, as in GDAL "
                "(the first band is 1).")
        checked[role] = int(band)
    return checked


def _role_of_name(name, sensor):
    """The role a band name states, or None."""
    text = re.sub(r"[\s_\-.()]+", " ", str(name).lower()).strip()
    for role, pattern in _ROLE_PATTERNS:
        if re.search(pattern, text):
            return role
    match = _BAND_NUMBER.search(text)
    if sensor is None or match is None:
        return None
    number = match.group(1) or match.group(2)
    return {band: role for role, band in _ROLE_BANDS[sensor].items()}.get(number)


def band_roles(band_names=(), sensor=None, bands=None):
    """Find which layer of a raster plays each spectral role.

    Parameters
    ----------
    band_names : sequence of str, default=()
        The raster's band names or descriptions, one per layer (``''`` for an
        unnamed layer). A name states a role by a word (``'red'``, ``'NIR'``,
        ``'near infrared'``, ``'SWIR 1'``, ``'thermal'``, ...) or, with a
        ``sensor``, by a band number read in that sensor's own numbering
        (``'B4'``, ``'band 4 reflectance'``, ``'B8A'``).
    sensor : {'sentinel2', 'landsat8', 'landsat7'} or None, default=None
        The sensor. Without any band name its standard layer order
        (:data:`SENSOR_BANDS`) is assumed; with names it reads their band
        numbers.
    bands : dict of str to int or None, default=None
        Role -> 1-based layer, overriding whatever the names and the sensor
        say.

    Returns
    -------
    roles : dict of str to int
        Role -> 1-based layer, for the roles found. Roles among
        ``('blue', 'green', 'red', 'nir', 'swir1', 'swir2', 'thermal')``.

    Raises
    ------
    ValueError
        For an unknown sensor or role, a band number below 1, or a role that
        two band names claim and ``bands`` does not settle.
    TypeError
        If ``bands`` is not a mapping of role to int.

    Notes
    -----
    The order of precedence is: the sensor's standard order (only when no
    band name states a role; roles past the last layer of ``band_names`` are
    then dropped), then the names, then ``bands``. The Landsat 7 sample
    stack names its sixth layer ``'band 7 reflectance'``: with
    ``sensor='landsat7'`` that layer is ``swir2``, as the file says, not the
    sixth band of the standard order.

    Examples
    --------
    >>> names = ['band 1 reflectance', 'band 2 reflectance', 'band 3 reflectance',
    ...          'band 4 reflectance', 'band 5 reflectance', 'band 7 reflectance',
    ...          'band 6 temperature', '']
    >>> band_roles(names, sensor='landsat7')['swir2']
    6
    >>> band_roles(['Blue', 'Green', 'Red', 'NIR'], bands={'nir': 4})
    {'blue': 1, 'green': 2, 'red': 3, 'nir': 4}
    """
    _check_sensor(sensor)
    overrides = _check_bands(bands)
    names = list(band_names)
    claims = {}
    for layer, name in enumerate(names, start=1):
        role = _role_of_name(name, sensor) if name else None
        if role is not None:
            claims.setdefault(role, []).append(layer)
    for role, layers in claims.items():
        if len(layers) > 1 and role not in overrides:
            raise ValueError(
                f"the band names give the role {role!r} to layers {layers}; "
                f"say which one with bands={{{role!r}: <1-based layer>}}.")
    roles = {role: layers[0] for role, layers in claims.items()}
    if sensor is not None and not roles:
        count = len(names) or np.inf
        roles = {role: band for role, band in SENSOR_BANDS[sensor].items()
                 if band <= count}
    roles.update(overrides)
    return {role: roles[role] for role in ROLES if role in roles}


def _normalised_difference(a, b):
    """``(a - b) / (a + b)``, 0 where the denominator is 0."""
    return _ratio(a - b, a + b)


def _ratio(numerator, denominator):
    out = np.zeros_like(numerator)
    np.divide(numerator, denominator, out=out, where=denominator != 0)
    return out


def spectral_indices(X, bands, names=tuple(INDICES), *, reflectance_scale=1.0):
    """Compute spectral indices of pixels from their bands.

    Parameters
    ----------
    X : ndarray of shape (n_pixels, n_bands)
        The pixels.
    bands : dict of str to int
        Role -> 1-based column of ``X`` (see :func:`band_roles`).
    names : sequence of {'ndvi', 'ndwi', 'ndbi', 'savi', 'evi'}, \
default=('ndvi', 'ndwi', 'ndbi', 'savi', 'evi')
        The indices, in output order.
    reflectance_scale : float, default=1.0
        Factor taking the values to surface reflectance in ``[0, 1]``, e.g.
        ``1e-4`` for reflectance stored times 10,000. Only SAVI and EVI
        depend on it: their constants assume reflectance.

    Returns
    -------
    indices : ndarray of shape (n_pixels, len(names))
        Where a denominator is 0 the index is 0 (not NaN or infinity).

    Raises
    ------
    ValueError
        For an unknown index, a role it needs missing from ``bands``, or a
        band number outside ``1..n_bands``.

    Notes
    -----
    With ``B``, ``G``, ``R``, ``NIR``, ``SWIR1`` the reflectances:

    - NDVI [1]_: ``(NIR - R) / (NIR + R)``
    - NDWI [2]_: ``(G - NIR) / (G + NIR)``, McFeeters' open-water index
    - NDBI [3]_: ``(SWIR1 - NIR) / (SWIR1 + NIR)``
    - SAVI [4]_: ``1.5 (NIR - R) / (NIR + R + 0.5)``, soil factor L = 0.5
    - EVI [5]_: ``2.5 (NIR - R) / (NIR + 6 R - 7.5 B + 1)``

    References
    ----------
    .. [1] J. W. Rouse, R. H. Haas, J. A. Schell and D. W. Deering,
       "Monitoring vegetation systems in the Great Plains with ERTS", Third
       ERTS Symposium, NASA SP-351, 309-317, 1974.
    .. [2] S. K. McFeeters, "The use of the Normalized Difference Water Index
       (NDWI) in the delineation of open water features", International
       Journal of Remote Sensing 17(7), 1425-1432, 1996.
       :DOI:`10.1080/01431169608948714`
    .. [3] Y. Zha, J. Gao and S. Ni, "Use of normalized difference built-up
       index in automatically mapping urban areas from TM imagery",
       International Journal of Remote Sensing 24(3), 583-594, 2003.
       :DOI:`10.1080/01431160304987`
    .. [4] A. R. Huete, "A soil-adjusted vegetation index (SAVI)", Remote
       Sensing of Environment 25(3), 295-309, 1988.
       :DOI:`10.1016/0034-4257(88)90106-X`
    .. [5] A. Huete, K. Didan, T. Miura, E. P. Rodriguez, X. Gao and
       L. G. Ferreira, "Overview of the radiometric and biophysical
       performance of the MODIS vegetation indices", Remote Sensing of
       Environment 83(1-2), 195-213, 2002. :DOI:`10.1016/S0034-4257(02)00096-2`

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.05, 0.08, 0.04, 0.40]])
    >>> spectral_indices(X, {'blue': 1, 'green': 2, 'red': 3, 'nir': 4}, ['ndvi'])
    array([[0.81818182]])
    """
    X = np.asarray(X)
    bands = _check_bands(bands)
    unknown = [name for name in names if name not in INDICES]
    if unknown:
        raise ValueError(
            f"unknown spectral indices {unknown}; the indices are {list(INDICES)}.")
    for name in names:
        for role in INDICES[name]:
            if role not in bands:
                raise ValueError(
                    f"the index {name!r} needs the {role!r} band, which is not known; "
                    f"give it as bands={{{role!r}: <1-based band>}} or set the sensor.")
            if bands[role] > X.shape[1]:
                raise ValueError(
                    f"the {role!r} band is band {bands[role]}, but X has only "
                    f"{X.shape[1]} bands; check bands= and the band order.")
    dtype = X.dtype if X.dtype in (np.float32, np.float64) else np.float64
    scale = dtype.type(reflectance_scale)
    needed = {role for name in names for role in INDICES[name]}
    band = {role: X[:, bands[role] - 1].astype(dtype) * scale for role in needed}
    out = np.empty((X.shape[0], len(names)), dtype=dtype)
    for k, name in enumerate(names):
        if name == "ndvi":
            out[:, k] = _normalised_difference(band["nir"], band["red"])
        elif name == "ndwi":
            out[:, k] = _normalised_difference(band["green"], band["nir"])
        elif name == "ndbi":
            out[:, k] = _normalised_difference(band["swir1"], band["nir"])
        elif name == "savi":
            out[:, k] = (1 + _SAVI_L) * _ratio(band["nir"] - band["red"],
                                               band["nir"] + band["red"] + _SAVI_L)
        else:
            blue, red, nir = band["blue"], band["red"], band["nir"]
            out[:, k] = 2.5 * _ratio(nir - red, nir + 6 * red - 7.5 * blue + 1)
    return out


class SpectralIndices(TransformerMixin, BaseEstimator):
    """Append spectral indices (NDVI, NDWI, NDBI, SAVI, EVI) to pixel rows.

    Rows ``(n_pixels, n_bands)`` of any band count become ``(n_pixels,
    n_bands + n_indices)``: the bands, then the indices in the order of
    :attr:`indices_`. The band roles come from ``bands``, else from the
    sensor's standard band order, else from the column names of a DataFrame
    ``X`` (see :func:`band_roles`).

    Parameters
    ----------
    indices : 'auto' or sequence of {'ndvi', 'ndwi', 'ndbi', 'savi', 'evi'}, \
default='auto'
        ``'auto'``: every index whose bands are known and present, none
        (the bands pass through unchanged) when no role is known. A listed
        index whose band is unknown is an error.
    bands : dict of str to int or None, default=None
        Role -> 1-based band, e.g. ``{'red': 3, 'nir': 4}``. Set from a
        raster's band names by :func:`classical.geo.fit_raster`.
    sensor : {'sentinel2', 'landsat8', 'landsat7'} or None, default=None
        Assume the sensor's standard band order (:data:`SENSOR_BANDS`) for
        the roles ``bands`` does not give.
    reflectance_scale : float, default=1.0
        Factor to reflectance in ``[0, 1]`` (``1e-4`` for reflectance times
        10,000): SAVI and EVI need it.

    Attributes
    ----------
    band_roles_ : dict of str to int
        Role -> 1-based band, as used.
    indices_ : tuple of str
        The indices appended, in order.
    n_features_in_ : int
        Bands seen in fit.
    feature_names_in_ : ndarray of str
        Column names of a DataFrame ``X``, when it had string names.

    See Also
    --------
    spectral_indices : The formulas and their references.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.05, 0.08, 0.04, 0.40], [0.06, 0.09, 0.10, 0.20]])
    >>> step = SpectralIndices(bands={'blue': 1, 'green': 2, 'red': 3, 'nir': 4})
    >>> step.fit_transform(X).shape, step.indices_
    ((2, 8), ('ndvi', 'ndwi', 'savi', 'evi'))
    """

    _parameter_constraints = {
        "indices": [StrOptions({"auto"}), list, tuple],
        "bands": [dict, None],
        "sensor": [StrOptions(set(SENSOR_BANDS)), None],
        "reflectance_scale": [Interval(Real, 0, None, closed="neither")],
    }

    def __init__(self, *, indices="auto", bands=None, sensor=None,
                 reflectance_scale=1.0):
        self.indices = indices
        self.bands = bands
        self.sensor = sensor
        self.reflectance_scale = reflectance_scale

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Resolve the band roles and the indices for ``X``'s bands.

        Parameters
        ----------
        X : array-like of shape (n_pixels, n_bands)
            Pixels; a DataFrame's column names may name the bands.
        y : None
            Ignored.

        Returns
        -------
        self : object
            The fitted transformer.
        """
        X = validate_data(self, X, dtype=[np.float64, np.float32])
        names = getattr(self, "feature_names_in_", ())
        n_bands = X.shape[1]
        roles = band_roles(names, self.sensor, self.bands)
        for role, band in _check_bands(self.bands).items():
            if band > n_bands:
                raise ValueError(
                    f"bands[{role!r}] = {band}, but X has only {n_bands} bands; "
                    "band numbers are 1-based.")
        roles = {role: band for role, band in roles.items() if band <= n_bands}
        if self.indices == "auto":
            indices = tuple(name for name, needs in INDICES.items()
                            if all(role in roles for role in needs))
        else:
            indices = tuple(self.indices)
            spectral_indices(X[:1], roles, indices)  # validates names and roles
        self.band_roles_ = roles
        self.indices_ = indices
        return self

    def transform(self, X):
        """Append the indices to the bands.

        Parameters
        ----------
        X : array-like of shape (n_pixels, n_bands)
            Pixels with the fitted bands.

        Returns
        -------
        X_new : ndarray of shape (n_pixels, n_bands + len(indices_))
            The bands, then the indices; float64 for float64 input, float32
            otherwise (integer bands, e.g. uint8 or int16 digital numbers,
            are exact in float32).
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=[np.float32, np.float64], reset=False)
        if not self.indices_:
            return X
        indices = spectral_indices(X, self.band_roles_, self.indices_,
                                   reflectance_scale=self.reflectance_scale)
        return np.hstack([X, indices])

    def get_feature_names_out(self, input_features=None):
        """The band names, then the index names.

        Parameters
        ----------
        input_features : sequence of str or None, default=None
            Band names; defaults to ``feature_names_in_`` or ``x0``, ``x1``, ...

        Returns
        -------
        names : ndarray of str
            The input band names, then the names of the indices added.
        """
        check_is_fitted(self)
        bands = _check_feature_names_in(self, input_features)
        return np.asarray([*bands, *self.indices_], dtype=object)
