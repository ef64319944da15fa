"""Land-cover benchmarks of :mod:`classical.geo`: ``python -m benchmarks.geo``.

``accuracy``: per-pixel accuracy of the four pixel presets beside Spectral
Python's GaussianClassifier and scikit-learn's QDA on Salinas-A, the Landsat 7
stack and Statlog Landsat (:mod:`.accuracy`). ``memory`` and ``speed``: a
synthetic 20,000 x 20,000 x 4 GeoTIFF classified by ``pixel-mlc`` within 1 GB,
and its throughput against both peers on a 2,000 x 2,000 crop (:mod:`.scale`).
"""
