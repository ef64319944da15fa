"""A 20,000 x 20,000 x 4 scene classified by ``pixel-mlc``: peak memory and speed.

The scene (:func:`build_scene`) is a synthetic uint8 GeoTIFF in ``/tmp``,
tiled 256 x 256, deflate level 1 (predictor 2), BigTIFF, written 1,024 x 1,024
blocks at a time so building it needs little memory. Six classes fill fields
of about 500 x 500 pixels with wavy borders (the field grid is displaced by
sinusoids); inside a field each pixel is the class mean plus a class-specific
mix of four Gaussian-smoothed (sigma 2 px) noise fields, so the classes
overlap and their covariances differ: maximum likelihood has real work to do.
Built once, reused while the file exists.

:func:`memory`: ``pixel-mlc`` fitted on 500 pixels per class drawn from 64
random 256 x 256 windows, ``n_jobs=-1`` (two threads here) for its steps and
for ``classify_raster``; then, in a new process (``spawn``) whose kernels are
compiled first on a small array, ``classify_raster(model, path, out.tif)``
over the whole scene to a GeoTIFF; peak resident memory above the level
before that call (:func:`benchmarks._timing.peak_extra_bytes`, an RSS sampler
thread: it sees NumPy, Numba and GDAL allocations alike) and pixels per second.
GDAL's block cache counts: run once as is (``GDAL_CACHEMAX`` unset, GDAL's
default of 5% of the RAM) and once with e.g. ``GDAL_CACHEMAX=256`` (MB).

:func:`speed`: on the central 2,000 x 2,000 crop, the same model's
``predict`` on the ``(4,000,000, 4)`` rows, ``classify_raster`` on the
in-memory crop, and its last step (``GaussianMLClassifier.predict`` on rows
already scaled and projected, to show where the time goes), against Spectral
Python's ``GaussianClassifier.classify_image``
on the crop and ``QuadraticDiscriminantAnalysis().predict`` on the rows, both
trained on the same pixels, NumPy's BLAS on its default threads; timed in
turn, median of 5 after a warm call
(:func:`benchmarks._timing.alternating_medians`). The first call of ours,
compilation included, is timed in a new process with an empty Numba cache.
"""

import multiprocessing
import os
import tempfile
from pathlib import Path

import numpy as np
from scipy.ndimage import gaussian_filter
from sklearn.discriminant_analysis import QuadraticDiscriminantAnalysis

from .._timing import (
    SPEED_COLUMNS,
    alternating_medians,
    cold_process_seconds,
    peak_extra_bytes,
)
from .peers import SpyGaussian

SIDE = 20_000
CROP = 2_000
BANDS = 4
N_CLASSES = 6
FIELD = 500
BUILD_BLOCK = 1024
LIMIT_MIB = 1024
WORK_DIR = Path(tempfile.gettempdir()) / "classical_geo_bench"
COLUMNS = ["dataset", "pipeline", "work", "unit", *SPEED_COLUMNS[2:]]
_RNG = np.random.default_rng(9)
MEANS = _RNG.uniform(60.0, 190.0, size=(N_CLASSES, BANDS))
MIXING = _RNG.normal(scale=9.0, size=(N_CLASSES, BANDS, BANDS))
SMOOTHING = 2.0
# Standard deviation of white noise after a 2-D Gaussian filter: 1 / (2 sigma sqrt(pi)).
_UNIT = 2.0 * SMOOTHING * np.sqrt(np.pi)


def truth(rows, cols):
    """Class index (0..5) of the pixels at ``rows``, ``cols`` (broadcast)."""
    rows, cols = np.asarray(rows, np.float64), np.asarray(cols, np.float64)
    r = (rows + 80.0 * np.sin(cols / 400.0 + 1.3)) // FIELD
    c = (cols + 80.0 * np.sin(rows / 350.0 + 0.4)) // FIELD
    cell = (r.astype(np.int64) * 73_856_093) ^ (c.astype(np.int64) * 19_349_663)
    return cell % N_CLASSES


def scene_block(row, col, height, width):
    """The ``(height, width, 4)`` uint8 pixels of one block of the scene."""
    rng = np.random.default_rng((row, col))
    noise = rng.standard_normal((BANDS, height, width), dtype=np.float32)
    smooth = np.stack([gaussian_filter(band, SMOOTHING) for band in noise], axis=-1)
    smooth *= _UNIT
    classes = truth(np.arange(row, row + height)[:, None],
                    np.arange(col, col + width)[None, :])
    block = np.empty((height, width, BANDS), np.float32)
    for k in range(N_CLASSES):
        inside = classes == k
        block[inside] = MEANS[k] + smooth[inside] @ MIXING[k].T
    return np.clip(np.rint(block), 0, 255).astype(np.uint8)


def build_scene(side=SIDE):
    """Write the scene (once) and return its path."""
    import rasterio
    from rasterio.transform import from_origin
    from rasterio.windows import Window

    path = WORK_DIR / f"scene_{side}_v1.tif"
    if path.exists():
        return path
    WORK_DIR.mkdir(exist_ok=True)
    partial = path.with_suffix(".partial.tif")
    profile = dict(driver="GTiff", height=side, width=side, count=BANDS, dtype="uint8",
                   crs="EPSG:32615",
                   transform=from_origin(400_000.0, 2_000_000.0, 10, 10),
                   tiled=True, blockxsize=256, blockysize=256, compress="deflate",
                   zlevel=1, predictor=2, BIGTIFF="YES")
    with rasterio.open(partial, "w", **profile) as out:
        for row in range(0, side, BUILD_BLOCK):
            for col in range(0, side, BUILD_BLOCK):
                h, w = min(BUILD_BLOCK, side - row), min(BUILD_BLOCK, side - col)
                block = scene_block(row, col, h, w)
                out.write(np.moveaxis(block, -1, 0), window=Window(col, row, w, h))
    os.replace(partial, path)
    return path


def read_window(path, row, col, height, width):
    """``(height, width, 4)`` pixels of the scene file."""
    import rasterio
    from rasterio.windows import Window

    with rasterio.open(path) as source:
        return np.moveaxis(source.read(window=Window(col, row, width, height)), 0, -1)


def training_pixels(path, side, *, per_class=500, n_windows=64, seed=0):
    """Stratified training rows from random windows of the scene, with their classes."""
    rng = np.random.default_rng(seed)
    X, y = [], []
    for row, col in rng.integers(0, side - 256, size=(n_windows, 2)):
        X.append(read_window(path, row, col, 256, 256).reshape(-1, BANDS))
        y.append(truth(np.arange(row, row + 256)[:, None],
                       np.arange(col, col + 256)[None, :]).ravel())
    X, y = np.concatenate(X), np.concatenate(y)
    keep = np.concatenate([rng.permutation(np.flatnonzero(y == k))[:per_class]
                           for k in range(N_CLASSES)])
    return X[keep], y[keep]


def fit_mlc(path, side):
    """``pixel-mlc`` and the rows it was fitted on."""
    import classical

    X, y = training_pixels(path, side)
    return classical.make_pipeline("pixel-mlc", n_jobs=-1).fit(X, y), X, y


def _classify_scene(model, path, destination, connection):
    """In a fresh process: compile on a small array, classify the scene, report."""
    import time

    from classical.geo import classify_raster

    small = read_window(path, 0, 0, 64, 64)
    start = time.perf_counter()
    classify_raster(model, small, None, n_jobs=-1, verbose=False)
    first = time.perf_counter() - start
    start = time.perf_counter()
    _, peak = peak_extra_bytes(
        lambda: classify_raster(model, path, destination, n_jobs=-1, verbose=False))
    connection.send({"seconds": time.perf_counter() - start, "peak": peak,
                     "first": first})


def _map_accuracy(destination, model, side):
    """Share of the central crop's pixels mapped to their true class."""
    rows, cols = _crop_origin(side)
    codes = read_window(destination, rows, cols, CROP, CROP)[..., 0]
    reference = truth(np.arange(rows, rows + CROP)[:, None],
                      np.arange(cols, cols + CROP)[None, :])
    return float(np.mean(np.asarray(model.classes_)[codes.astype(np.int64) - 1]
                         == reference))


def _crop_origin(side):
    return (side - CROP) // 2, (side - CROP) // 2


def memory(side=SIDE):
    """Rows: peak memory above start and throughput of the whole-scene run."""
    path = build_scene(side)
    model, _, _ = fit_mlc(path, side)
    destination = WORK_DIR / f"map_{side}.tif"
    # A plain (not daemon) process: in a Pool worker joblib would run on one thread.
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_classify_scene,
                            args=(model, str(path), str(destination), sender))
    child.start()
    sender.close()  # so recv raises EOFError, not hangs, if the child dies
    result = receiver.recv()
    child.join()
    mpx = side * side / 1e6
    peak_mib = result["peak"] / 2**20
    dataset = f"synthetic {side}x{side}x{BANDS} uint8 GeoTIFF"
    # GDAL's block cache is resident memory too; its default is 5% of the RAM.
    cache = os.environ.get("GDAL_CACHEMAX", "default")
    work = (f"classify_raster(pixel-mlc) to a GeoTIFF, GDAL_CACHEMAX={cache}; "
            f"{'within' if peak_mib <= LIMIT_MIB else 'ABOVE'} the {LIMIT_MIB} MiB "
            f"goal; map accuracy on the central crop "
            f"{_map_accuracy(destination, model, side):.3f}")
    nan = float("nan")
    common = {"dataset": dataset, "peer": "–", "peer throughput": nan, "ratio": nan,
              "ours first call s": result["first"]}
    return [
        {**common,
         "pipeline": f"pixel-mlc: peak MiB above start (GDAL_CACHEMAX={cache})",
         "work": work, "unit": "MiB", "ours": peak_mib},
        {**common, "pipeline": f"pixel-mlc: scene throughput (GDAL_CACHEMAX={cache})",
         "work": work,
         "unit": "Mpx/s", "ours": mpx / result["seconds"]},
    ]


_COLD_SCRIPT = """
import time
import numpy as np
import classical
from classical.geo import classify_raster
rng = np.random.default_rng(0)
X = rng.integers(0, 255, size=(600, 4)).astype(np.uint8)
model = classical.make_pipeline("pixel-mlc", n_jobs=-1).fit(X, np.arange(600) % 6)
start = time.perf_counter()
classify_raster(model, X.reshape(20, 30, 4), None, n_jobs=-1, verbose=False)
print(time.perf_counter() - start)
"""


def speed(side=SIDE):
    """Rows: ours against SPy and QDA on the central 2,000 x 2,000 crop."""
    from classical.geo import classify_raster

    path = build_scene(side)
    model, X, y = fit_mlc(path, side)
    spy = SpyGaussian().fit(X, y)
    qda = QuadraticDiscriminantAnalysis().fit(X, y)
    crop = read_window(path, *_crop_origin(side), CROP, CROP)
    rows = crop.reshape(-1, BANDS)
    mpx = len(rows) / 1e6
    features = model[:-1].transform(rows)
    ours, raster, step, spy_s, qda_s = alternating_medians([
        lambda: model.predict(rows),
        lambda: classify_raster(model, crop, None, n_jobs=-1, verbose=False),
        lambda: model[-1].predict(features),
        lambda: spy.classify_image(crop),
        lambda: qda.predict(rows)], repeat=5)
    predicted = model.predict(rows)
    agree_spy = np.mean(spy.classes_[spy.classify_image(crop).ravel() - 1] == predicted)
    agree_qda = np.mean(qda.predict(rows) == predicted)
    first = cold_process_seconds(_COLD_SCRIPT)
    dataset = (f"synthetic {side}x{side}x{BANDS} uint8 GeoTIFF, "
               f"central {CROP}x{CROP} crop")
    peers = [("SPy", "SPy GaussianClassifier.classify_image(crop)", spy_s, agree_spy),
             ("QDA", "sklearn QDA().predict(rows)", qda_s, agree_qda)]
    mine = [("pixel-mlc predict(rows)", ours),
            ("classify_raster(pixel-mlc, crop)", raster),
            ("pixel-mlc's GaussianMLClassifier step alone", step)]
    return [{"dataset": dataset, "pipeline": f"{name} vs {short}",
             "work": f"{CROP}x{CROP}x{BANDS} uint8, {N_CLASSES} classes; labels agree "
                     f"with the peer on {agree:.2%}",
             "unit": "Mpx/s", "ours": mpx / seconds, "peer": peer,
             "peer throughput": mpx / peer_s, "ratio": peer_s / seconds,
             "ours first call s": first}
            for name, seconds in mine for short, peer, peer_s, agree in peers]
