"""Plain NumPy twin of :mod:`classical._kernels.global_features`.

Composed of the colour and LBP twins: each image converted to RGB, HSV and Lab
by :func:`tests.naive.color.convert_pixels` (float64), histograms by
``np.histogram`` per channel, moments of the float32 values, uniform LBP of
the float32 Lab channels and of the raw R, G, B values by
:func:`tests.naive.lbp.uniform_lbp_counts`.
"""

import numpy as np

from .color import RANGES, convert_pixels
from .lbp import uniform_lbp_counts

__all__ = ["global_features_batch"]


def _channel_histogram(values, low, high, bins):
    edges = np.linspace(low, high, bins + 1)
    return np.histogram(np.clip(values, low, high), bins=edges)[0] / values.size


def global_features_batch(stack, pairs, bins):
    """LBP, histogram and moment columns of each ``(H, W, 3)`` image (no sqrt)."""
    rows = []
    for image in stack:
        spaces = [convert_pixels(image, space) for space in ("rgb", "hsv", "lab")]
        lab = spaces[2].reshape(image.shape[:2] + (3,)).astype(np.float32)
        channels = [lab[..., k] for k in range(3)]
        channels += [image[..., k].astype(np.float32) for k in range(3)]
        lbp = [uniform_lbp_counts(c, pairs) / c.size for c in channels]
        histograms, moments = [], []
        for space, values in zip(("rgb", "hsv", "lab"), spaces):
            for k, (low, high) in enumerate(RANGES[space]):
                histograms.append(_channel_histogram(values[..., k].ravel(), low, high,
                                                     bins))
                plane = values[..., k].astype(np.float32).astype(np.float64).ravel()
                mean = plane.mean()
                moments.append([mean, plane.std(),
                                np.cbrt(((plane - mean) ** 3).mean())])
        rows.append(np.concatenate(lbp + histograms + [np.ravel(moments)]))
    return np.array(rows)
