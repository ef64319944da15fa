"""Dask: raster blocks as cluster tasks, and chunked arrays classified lazily."""

from collections import deque
from itertools import islice

import numpy as np

from ._classify import classify_block
from ._decide import Decider, check_decision_options
from ._optional import import_optional
from ._raster import Raster, open_raster
from ._spatial import crop_halo, pixel_rows, spatial_parts

__all__ = ["classify_array", "client_results"]


def _block_task(plan, model, spec, window):
    """One block on a worker: re-open the raster and read its own window."""
    try:
        with Raster.from_spec(spec) as raster:
            return classify_block(plan, model, raster, window)
    except Exception as error:
        # a read error chains to GDAL's, which does not unpickle: Dask would
        # then send back a bare Exception; send the error alone instead
        error.__cause__ = error.__context__ = None
        raise


def client_results(client, plan, model, raster, windows, *, in_flight=None):
    """Classify blocks as tasks of a Dask cluster, yielding results in order.

    The model and the raster's description are scattered to the workers
    once; each task re-opens the raster from :meth:`Raster.spec` and reads
    its own window. At most ``in_flight`` blocks are submitted and not yet
    handed out, so the caller's memory holds that many results at most.

    Parameters
    ----------
    client : dask.distributed.Client
        The cluster.
    plan : BlockPlan
        What to do with a block.
    model : estimator
        The fitted model.
    raster : Raster
        The scene (a file is re-opened by path; an array travels once).
    windows : list of Window
        The blocks.
    in_flight : int or None, default=None
        Blocks submitted ahead; None means twice the cluster's threads.

    Yields
    ------
    result : BlockResult
        One per window, in the order of ``windows``.
    """
    if in_flight is None:
        in_flight = 2 * max(1, sum(client.nthreads().values()))
    # hash=False: a key of its own per call. Content-hashed keys are shared by
    # two calls with the same model, and one call's cleanup would then cancel
    # the other's data under it ("lost dependencies").
    model_future, spec_future = client.scatter([model, raster.spec()], broadcast=True,
                                               hash=False)
    pending = iter(windows)
    queue = deque()

    def submit(window):
        queue.append(client.submit(_block_task, plan, model_future, spec_future, window,
                                   pure=False))

    try:
        for window in islice(pending, in_flight):
            submit(window)
        while queue:
            future = queue.popleft()
            result = future.result()
            future.release()
            for window in islice(pending, 1):
                submit(window)
            yield result
    finally:
        if queue:
            client.cancel(list(queue))
        model_future.release()
        spec_future.release()


def classify_array(model, array, *, probabilities=False, reject=None, nodata=None):
    """Classify a chunked scene lazily, chunk by chunk, per pixel.

    Parameters
    ----------
    model : estimator
        A fitted pixel or spatial model (see :func:`classify_raster`).
    array : dask.array.Array of shape (H, W, B), numpy.ndarray, or xarray.DataArray
        The scene, bands last; a DataArray needs a ``'band'`` dimension
        and may hold its other two dimensions in any order. Chunks along the
        bands are merged.
    probabilities : bool, default=False
        Also return the class probabilities.
    reject : float in (0, 1) or None, default=None
        Top-probability threshold below which a pixel gets the reject value.
    nodata : scalar or None, default=None
        A pixel whose bands all equal it is nodata (as is any pixel with a
        NaN band); None takes a DataArray's ``_FillValue`` or ``nodata``
        attribute.

    Returns
    -------
    codes : dask.array.Array or xarray.DataArray of shape (H, W)
        The class map, lazily: uint8 (uint16 beyond 254 classes), ``1..K``
        in the order of ``classes_``, 0 at nodata, the reject value.
    proba : dask.array.Array or xarray.DataArray of shape (H, W, K)
        With ``probabilities=True``: float32, NaN at nodata; a DataArray
        has a ``'class'`` dimension with ``classes_`` as coordinates.

    Raises
    ------
    TypeError
        If ``array`` is none of the three kinds.
    ValueError
        If it is not 3-D (a DataArray without ``'band'``), ``reject`` is not
        in (0, 1), or probabilities or ``reject`` are asked of a model
        without ``predict_proba``.

    Notes
    -----
    A spatial model's chunks overlap by its halo (:func:`dask.array.map_overlap`),
    and at the scene's edges the chunk is mirrored as
    :meth:`Raster.read` mirrors (NumPy ``'reflect'``; Dask's own
    ``boundary='reflect'`` repeats the edge pixel), so the codes equal those
    of :func:`classify_raster` on the same pixels, whatever the chunks.

    Examples
    --------
    >>> import dask.array as da
    >>> import numpy as np
    >>> from sklearn.naive_bayes import GaussianNB
    >>> from classical.geo import classify_array
    >>> rng = np.random.default_rng(0)
    >>> model = GaussianNB().fit(rng.normal(size=(40, 3)), np.repeat([1, 2], 20))
    >>> scene = da.from_array(rng.normal(size=(100, 80, 3)), chunks=(50, 40, 3))
    >>> classify_array(model, scene).compute().shape
    (100, 80)
    """
    da = import_optional("dask.array")
    data, spatial_dims, coords, nodata = _as_dask(array, nodata, da)
    check_decision_options(model, reject=reject, probabilities=probabilities)
    decider = Decider(model, reject=reject, probabilities=probabilities)
    n_classes = len(decider.classes)
    _, rest, halo = spatial_parts(model)
    depth = {0: halo, 1: halo, 2: 0}

    def classify_chunk(block, block_info=None):
        if halo:
            block = _mirror_edges(block, halo, block_info[0])
        mask = open_raster(block, nodata=nodata).valid_mask()
        rows = pixel_rows(model, block, halo, mask)  # nodata as NaN to the step
        shape = crop_halo(mask, halo).shape
        valid = crop_halo(mask, halo).ravel()
        codes, proba, _ = decider(rest, rows[valid], valid)
        if not probabilities:
            return codes.reshape(shape)
        return np.concatenate([codes.reshape(*shape, 1).astype(np.float32),
                               proba.reshape(*shape, n_classes)], axis=-1)

    data = data.rechunk({2: -1})
    if probabilities:
        kwargs = {"dtype": np.float32, "chunks": (*data.chunks[:2], (1 + n_classes,))}
    else:
        kwargs = {"dtype": decider.dtype, "chunks": data.chunks[:2], "drop_axis": 2}
    if halo:
        out = data.map_overlap(classify_chunk, depth=depth, boundary="none",
                               trim=False, **kwargs)
    else:
        out = data.map_blocks(classify_chunk, **kwargs)
    codes = out[..., 0].astype(decider.dtype) if probabilities else out
    if coords is None:
        return (codes, out[..., 1:]) if probabilities else codes
    import xarray as xr

    codes = xr.DataArray(codes, dims=spatial_dims, coords=coords, name="class_map")
    if not probabilities:
        return codes
    proba = xr.DataArray(out[..., 1:], dims=(*spatial_dims, "class"),
                         coords={**coords, "class": decider.classes},
                         name="probability")
    return codes, proba


def _as_dask(array, nodata, da):
    """The scene as a dask array (H, W, B), its dims, coords and nodata."""
    if type(array).__module__.split(".")[0] == "xarray":
        if "band" not in array.dims or array.ndim != 3:
            raise ValueError(
                f"An xarray.DataArray scene needs 3 dimensions, one of them "
                f"'band'; got dims {array.dims}. Rename the band dimension with "
                f".rename({{'bands': 'band'}}) or add one with .expand_dims('band').")
        spatial = tuple(d for d in array.dims if d != "band")
        array_t = array.transpose(*spatial, "band")
        coords = {d: array_t.coords[d] for d in spatial if d in array_t.coords}
        if nodata is None:
            nodata = array.attrs.get("_FillValue", array.attrs.get("nodata"))
        data = array_t.data
        if not isinstance(data, da.Array):
            data = da.from_array(data)
        return data, spatial, coords, nodata
    if isinstance(array, np.ndarray):
        array = da.from_array(array)
    if not isinstance(array, da.Array):
        raise TypeError(
            f"array must be a dask.array.Array, a numpy.ndarray or an "
            f"xarray.DataArray; got {type(array).__name__}. For a file, use "
            f"classify_raster(model, path, ...).")
    if array.ndim != 3:
        raise ValueError(
            f"array must have shape (H, W, B), bands last; got shape {array.shape}. "
            f"Add a band axis with array[..., None].")
    return array, None, None, nodata


def _mirror_edges(block, halo, info):
    """Mirror (NumPy 'reflect') the sides of a chunk that lie on the scene's edge.

    ``map_overlap`` with ``boundary='none'`` gives edge chunks no margin on
    their outer sides; this adds it as :meth:`Raster.read` does.
    """
    location, count = info["chunk-location"], info["num-chunks"]
    pad = [((halo if location[axis] == 0 else 0),
            (halo if location[axis] == count[axis] - 1 else 0)) for axis in (0, 1)]
    if not any(any(p) for p in pad):
        return block
    return np.pad(block, (*pad, (0, 0)), mode="reflect")

