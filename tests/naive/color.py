"""Plain NumPy twins of :mod:`classical._kernels.color`, written for clarity.

They convert whole arrays with NumPy (no per-pixel loop), bin with
``np.histogramdd`` / ``np.histogram`` and take moments with ``np.mean`` and
``np.std``. They take ``(color_space, bins, ...)`` rather than the kernels'
precomputed tables and edges, so they share no code with the library.

HSV follows the kernels' definition, one rounding per channel for integer
input: ``V = max * (1 / top)``, ``S = (max - min) / max``,
``H = P / (6 (max - min))`` with ``P`` the hue numerator of scikit-image's
sextant (red, then green, then blue maximum; the last wins), H = S = 0 where
``max == min``.
"""

import numpy as np

__all__ = ["convert_pixels", "color_histogram_batch", "hsv_histogram_uint8",
           "color_moments_batch", "RANGES"]

RANGES = {
    "rgb": [(0.0, 1.0)] * 3,
    "hsv": [(0.0, 1.0)] * 3,
    "lab": [(0.0, 100.0), (-128.0, 127.0), (-128.0, 127.0)],
}
_RGB_TO_XYZ = np.array([[0.412453, 0.357580, 0.180423],
                        [0.212671, 0.715160, 0.072169],
                        [0.019334, 0.119193, 0.950227]])
_D65 = np.array([0.95047, 1.0, 1.08883])


def _full_scale(dtype):
    return float(np.iinfo(dtype).max) if np.issubdtype(dtype, np.integer) else 1.0


def _hsv(raw, top):
    r, g, b = raw[..., 0], raw[..., 1], raw[..., 2]
    high = raw.max(axis=-1)
    delta = high - raw.min(axis=-1)
    has_hue = delta > 0
    safe_high = np.where(high > 0, high, 1.0)
    safe_delta = np.where(has_hue, delta, 1.0)
    numerator = g - b
    numerator = np.where(numerator < 0, numerator + 6.0 * delta, numerator)
    numerator = np.where(g == high, 2.0 * delta + (b - r), numerator)
    numerator = np.where(b == high, 4.0 * delta + (r - g), numerator)
    hue = np.where(has_hue, numerator / (6.0 * safe_delta), 0.0)
    saturation = np.where(has_hue, delta / safe_high, 0.0)
    return np.stack([hue, saturation, high * (1.0 / top)], axis=-1)


def _lab(raw, top):
    c = raw * (1.0 / top)
    linear = np.where(c > 0.04045, ((c + 0.055) / 1.055) ** 2.4, c / 12.92)
    t = (linear @ _RGB_TO_XYZ.T) / _D65
    f = np.where(t > 0.008856, np.cbrt(t), 7.787 * t + 16.0 / 116.0)
    fx, fy, fz = f[..., 0], f[..., 1], f[..., 2]
    return np.stack([116.0 * fy - 16.0, 500.0 * (fx - fy), 200.0 * (fy - fz)], axis=-1)


def convert_pixels(image, color_space):
    """The pixels of an (H, W, C) RGB(A) image in ``color_space``, shape (H * W, 3)."""
    image = np.asarray(image)
    top = _full_scale(image.dtype)
    raw = image[..., :3].reshape(-1, 3).astype(np.float64)
    if color_space == "rgb":
        return raw * (1.0 / top)
    if color_space == "hsv":
        return _hsv(raw, top)
    return _lab(raw, top)


def _bins_triple(bins):
    return (bins,) * 3 if np.isscalar(bins) else tuple(bins)


def color_histogram_batch(stack, color_space, bins, joint=True, normalize=True):
    """Histogram of each image with ``np.histogramdd`` (values clipped into range)."""
    bins = _bins_triple(bins)
    ranges = RANGES[color_space]
    rows = []
    for image in stack:
        values = convert_pixels(image, color_space)
        for c, (low, high) in enumerate(ranges):
            values[:, c] = np.clip(values[:, c], low, high)
        if joint:
            counts = np.histogramdd(values, bins=bins, range=ranges)[0].ravel()
        else:
            counts = np.concatenate([
                np.histogram(values[:, c], bins=bins[c], range=ranges[c])[0]
                for c in range(3)])
        rows.append(counts / len(values) if normalize else counts.astype(np.float64))
    return np.array(rows)


def hsv_histogram_uint8(stack, bins, joint=True, normalize=True):
    """The uint8 HSV fast path computes exactly the general HSV histogram."""
    return color_histogram_batch(stack, "hsv", bins, joint, normalize)


def color_moments_batch(stack, color_space, moments=3):
    """Per channel mean, population std, cube root of the third central moment."""
    rows = []
    for image in stack:
        values = convert_pixels(image, color_space)
        mean = values.mean(axis=0)
        features = np.stack([mean, values.std(axis=0),
                             np.cbrt(((values - mean) ** 3).mean(axis=0))], axis=1)
        rows.append(features[:, :moments].ravel())
    return np.array(rows)
