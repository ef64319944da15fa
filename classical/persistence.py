"""Safe model files: save a fitted model and load it back without pickle.

File format
-----------
A model file is a `skops <https://skops.readthedocs.io>`_ file, which is a zip
archive: ``schema.json`` describes the object tree and each array is stored as
a ``.npy`` member written with ``allow_pickle=False``. :func:`save` writes the
model with :func:`skops.io.dumps` (deflate-compressed) and adds one member,
``classical-metadata.json``, a JSON object with these keys:

``format``
    Always ``"classical-model"``.
``format_version``
    The version of this layout (currently 1).
``library_version``
    ``classical.__version__`` of the library that wrote the file.
``saved_at``
    When the file was written, ISO 8601 in UTC.
``model_class``
    Fully qualified name of the model's type.
``classes``
    ``classes_`` of the model's final step as a list, or ``None``.
``pipeline``
    The preset name if the caller gave one (``metadata={"pipeline": ...}``),
    else ``None``.
``versions``
    Versions of Python, NumPy, SciPy, scikit-learn and skops at save time.

plus any other keys of the caller's ``metadata``. The metadata is a separate
member rather than part of the skops tree so that :func:`read_metadata` can
read it without building (or even auditing) the model, and so that skops
itself ignores it.

Loading
-------
:func:`load` reads the metadata, checks the version, audits the types named in
the file and only then builds the model. It trusts what skops trusts by
default (builtins, NumPy, SciPy and scikit-learn types that skops deems safe)
plus the library's own classes and functions: names under ``classical.`` that
resolve to a class or function *defined* in that module (not a name the
module merely imports). Any other type stops the load with
:class:`UntrustedModelError` before anything is built. Nothing is ever
unpickled.

Decision trees (``sklearn.tree._tree.Tree``, inside every random forest) are
not trusted by skops because their node arrays are used without bounds checks
at prediction time: a tampered file could point a node outside the tree and
crash the process. :func:`load` accepts them only after checking every tree's
structure (children inside the tree and after their parent, so no cycles;
feature indices inside the input width; values of the right shape), and
raises :class:`ModelFileError` otherwise. The private helpers that
:class:`~sklearn.calibration.CalibratedClassifierCV` stores (plain holders of
an estimator and two floats) are trusted too, and so are imbalanced-learn's
:class:`~imblearn.pipeline.Pipeline` and the three samplers that
``make_pipeline(resample=...)`` names (``RandomOverSampler``,
``RandomUnderSampler``, ``SMOTE``): they run in ``fit`` only, and what they
keep (parameters, per-class counts, sample indices, SMOTE's fitted
``NearestNeighbors``) is never used to index anything at prediction time.
Other samplers need ``trusted=``.

Version rule: a file is readable when it was written by the same major
version and a minor version no newer than the installed one (for example
1.2.x reads files from 1.0.x to 1.2.x, and not 1.3.0 or 2.0.0). Patch
versions do not matter. Other files raise :class:`ModelVersionError`.
"""

import importlib.metadata
import inspect
import io
import json
import platform
import re
import warnings
import zipfile
from datetime import datetime, timezone
from importlib import import_module
from pathlib import Path

import numpy as np
import scipy
import sklearn

from . import _version

__all__ = [
    "ModelFileError",
    "ModelVersionError",
    "UntrustedModelError",
    "load",
    "read_metadata",
    "save",
]

METADATA_MEMBER = "classical-metadata.json"
FORMAT_NAME = "classical-model"
FORMAT_VERSION = 1
_MAX_METADATA_BYTES = 1 << 20
_RESERVED_KEYS = ("format", "format_version", "library_version", "saved_at",
                  "model_class", "classes", "versions")
_LIBRARY = "classical"
_CHECKED_TYPES = ("sklearn.tree._tree.Tree",)
# Private scikit-learn helpers that skops does not list but that hold only
# estimators and floats (what CalibratedClassifierCV stores after fit).
_PLAIN_SKLEARN_TYPES = (
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
)


def _accepted_types():
    """The types :func:`load` accepts beyond skops' defaults and the library's own.

    imbalanced-learn's names are read off its classes (their modules are
    private and may move between its versions); it is imported here, not at
    module import, as skops is.
    """
    from imblearn.over_sampling import SMOTE, RandomOverSampler
    from imblearn.pipeline import Pipeline
    from imblearn.under_sampling import RandomUnderSampler

    resampling = tuple(f"{kind.__module__}.{kind.__qualname__}" for kind in
                       (Pipeline, RandomOverSampler, RandomUnderSampler, SMOTE))
    return _CHECKED_TYPES + _PLAIN_SKLEARN_TYPES + resampling


class ModelFileError(ValueError):
    """The file is not a readable model file of this library.

    Raised for missing metadata, truncated or corrupt archives, files that are
    not zip archives at all (for example a pickle) and models that cannot be
    rebuilt from their stored state.
    """


class ModelVersionError(ModelFileError):
    """The file was written by a version of the library this one cannot read."""


class UntrustedModelError(ValueError):
    """The file names types outside the trusted set; nothing was loaded.

    Parameters
    ----------
    message : str
        The error message.
    types : list of str
        The fully qualified names of the untrusted types.

    Attributes
    ----------
    types : list of str
        The fully qualified names of the untrusted types.
    """

    def __init__(self, message, types):
        super().__init__(message)
        self.types = list(types)


def save(model, path, *, metadata=None):
    """Save a fitted model to a safe (pickle-free) model file.

    Parameters
    ----------
    model : estimator
        Usually a fitted :class:`sklearn.pipeline.Pipeline`.
    path : str or path-like
        The file to write (``.skops`` is the customary extension). It is
        written to a temporary file first and then moved into place, so an
        interrupted save never leaves a half-written file at ``path``.
    metadata : dict or None, default=None
        Extra JSON-serialisable entries stored with the model; the key
        ``"pipeline"`` names the preset the model was built from. Keys may
        not be one of the entries the library writes itself (``format``,
        ``format_version``, ``library_version``, ``saved_at``,
        ``model_class``, ``classes``, ``versions``).

    Returns
    -------
    path : pathlib.Path
        The file written.

    Raises
    ------
    TypeError
        If ``metadata`` is not a dict with string keys and JSON-serialisable
        values, or if skops cannot store one of the model's objects.
    ValueError
        If ``metadata`` uses a reserved key.

    Warns
    -----
    UserWarning
        If the model holds types that :func:`load` does not trust by default
        (for example the trees of a random forest), so loading the file will
        need an explicit ``trusted=``.

    See Also
    --------
    load : Load the model back.
    read_metadata : Read the stored metadata only.

    Notes
    -----
    The file format is described in the module docstring of
    :mod:`classical.persistence`.

    Examples
    --------
    >>> import numpy as np, tempfile, os
    >>> from sklearn.svm import SVC
    >>> from classical.persistence import save, load
    >>> model = SVC().fit(np.random.rand(20, 3), np.arange(20) % 2)
    >>> path = save(model, os.path.join(tempfile.mkdtemp(), "svc.skops"),
    ...             metadata={"pipeline": "demo"})
    >>> type(load(path)).__name__
    'SVC'
    """
    path = Path(path)
    record = _metadata_record(model, metadata)
    sio = _skops_io()
    data = sio.dumps(model, compression=zipfile.ZIP_DEFLATED)
    found = sio.get_untrusted_types(data=data)
    accepted = _accepted_types()
    untrusted = [name for name in _split_untrusted(found)[1] if name not in accepted]
    if untrusted:
        warnings.warn(
            f"The model holds types that load() does not trust by default: "
            f"{untrusted}. Loading {path.name} will need "
            f"load(path, trusted={untrusted}).",
            UserWarning,
            stacklevel=2,
        )
    buffer = io.BytesIO(data)
    with zipfile.ZipFile(buffer, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(METADATA_MEMBER, json.dumps(record, indent=2))
    partial = path.with_name(path.name + ".partial")
    partial.write_bytes(buffer.getvalue())
    partial.replace(path)
    return path


def read_metadata(path):
    """Read the metadata stored in a model file, without loading the model.

    Parameters
    ----------
    path : str or path-like
        A file written by :func:`save`.

    Returns
    -------
    metadata : dict
        The entries listed in the module docstring plus the caller's own.

    Raises
    ------
    ModelFileError
        If the file is not a zip archive, is truncated or carries no valid
        metadata.
    """
    path = Path(path)
    with _open_archive(path) as archive:
        return _read_record(archive, path)


def load(path, *, trusted=None):
    """Load a model saved with :func:`save`, refusing untrusted types.

    Parameters
    ----------
    path : str or path-like
        A file written by :func:`save`.
    trusted : sequence of str or None, default=None
        Extra fully qualified type names to trust, beyond the default set
        (skops' defaults and the library's own types). Only list types you
        have reviewed, in files whose source you trust; the error raised for
        an untrusted type names them.

    Returns
    -------
    model : estimator
        The model, ready to ``predict``.

    Raises
    ------
    ModelFileError
        If the file is not a model file of this library, is truncated or
        corrupt, or the model cannot be rebuilt.
    ModelVersionError
        If the file was written by an incompatible version of the library
        (see the module docstring for the rule).
    UntrustedModelError
        If the file names types outside the trusted set. Nothing is built.
    TypeError
        If ``trusted`` is not a sequence of strings.

    See Also
    --------
    save : Write a model file.
    read_metadata : Read the stored metadata only.
    """
    path = Path(path)
    extra = _check_trusted(trusted)
    with _open_archive(path) as archive:
        record = _read_record(archive, path)
        _check_version(record["library_version"], path)
    sio = _skops_io()
    try:
        found = sio.get_untrusted_types(file=path)
    except Exception as exc:
        raise _corrupt(path, exc) from None
    library_types, others = _split_untrusted(found)
    accepted = _accepted_types()
    checked = [name for name in others if name in accepted]
    refused = [name for name in others if name not in extra + checked]
    if refused:
        raise UntrustedModelError(_untrusted_message(path, refused), refused)
    try:
        model = sio.load(path, trusted=library_types + checked + extra)
        _check_trees(model, path)
        return model
    except ModelFileError:
        raise
    except sio.exceptions.UntrustedTypesFoundException as exc:  # pragma: no cover
        # Unreachable: the types were audited above; kept as a safety net.
        raise UntrustedModelError(str(exc), []) from None
    except Exception as exc:
        raise ModelFileError(
            f"Could not rebuild the model stored in {path}: "
            f"{type(exc).__name__}: {exc}. The file may be corrupt or written by "
            "incompatible versions of its dependencies "
            f"({record.get('versions')})."
        ) from exc


# --------------------------------------------------------------------- helpers
def _skops_io():
    """skops.io, imported on first use: it imports all of scikit-learn (~0.3 s)."""
    import skops.io
    import skops.io.exceptions  # noqa: F401  (makes .exceptions an attribute)

    return skops.io


def __getattr__(name):
    if name == "sio":  # the module's skops.io, for tests that patch it
        return _skops_io()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _metadata_record(model, metadata):
    if metadata is None:
        metadata = {}
    if not isinstance(metadata, dict) or not all(isinstance(k, str) for k in metadata):
        raise TypeError(
            "metadata must be a dict with string keys; got "
            f"{type(metadata).__name__}."
        )
    reserved = sorted(set(metadata) & set(_RESERVED_KEYS))
    if reserved:
        raise ValueError(
            f"metadata must not set the reserved keys {reserved}; the library writes "
            f"them itself. Rename them (reserved: {list(_RESERVED_KEYS)})."
        )
    try:
        json.dumps(metadata)
    except (TypeError, ValueError) as exc:
        raise TypeError(
            f"metadata must be JSON-serialisable (str, numbers, bool, None, lists, "
            f"dicts); {exc}."
        ) from None
    model_type = type(model)
    record = {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "library_version": _version.__version__,
        "saved_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "model_class": f"{model_type.__module__}.{model_type.__qualname__}",
        "classes": _classes(model),
        "pipeline": None,
        "versions": {
            "python": platform.python_version(),
            "numpy": np.__version__,
            "scipy": scipy.__version__,
            "scikit-learn": sklearn.__version__,
            "skops": importlib.metadata.version("skops"),
        },
    }
    record.update(metadata)
    return record


def _classes(model):
    final = model
    while hasattr(final, "steps"):  # Pipeline, possibly nested
        final = final.steps[-1][1]
    try:
        classes = final.classes_
    except AttributeError:
        return None
    values = np.asarray(classes).tolist()
    try:
        json.dumps(values)
    except (TypeError, ValueError):
        values = [str(v) for v in values]
    return values


def _open_archive(path):
    if not path.is_file():
        raise FileNotFoundError(f"No model file at {path}.")
    try:
        return zipfile.ZipFile(path, "r")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError) as exc:
        raise ModelFileError(
            f"{path} is not a model file: it is not a readable zip archive ({exc}). "
            "Model files are written by classical.save(); pickle files are never "
            "loaded."
        ) from None


def _read_record(archive, path):
    try:
        info = archive.getinfo(METADATA_MEMBER)
    except KeyError:
        raise ModelFileError(
            f"{path} is a zip archive without {METADATA_MEMBER}, so it was not "
            "written by classical.save(). Save the model with classical.save(); "
            "plain skops files can be read with skops.io.load."
        ) from None
    if info.file_size > _MAX_METADATA_BYTES:
        raise ModelFileError(
            f"{path}: {METADATA_MEMBER} is {info.file_size} bytes, more than "
            f"metadata can be ({_MAX_METADATA_BYTES}); the file is corrupt."
        )
    try:
        record = json.loads(archive.read(info).decode("utf-8"))
    except Exception as exc:
        raise _corrupt(path, exc) from None
    if not isinstance(record, dict) or record.get("format") != FORMAT_NAME:
        raise ModelFileError(
            f"{path}: {METADATA_MEMBER} does not describe a classical model "
            f"(expected format {FORMAT_NAME!r}); the file is corrupt or foreign."
        )
    if not isinstance(record.get("library_version"), str):
        raise ModelFileError(
            f"{path}: the metadata lacks the library version that wrote the file; "
            "the file is corrupt."
        )
    return record


def _corrupt(path, exc):
    return ModelFileError(
        f"{path} is corrupt or truncated ({type(exc).__name__}: {exc}). Save the "
        "model again with classical.save()."
    )


def _parse_version(text):
    match = re.match(r"(\d+)\.(\d+)", text)
    return None if match is None else (int(match[1]), int(match[2]))


def _check_version(written, path):
    installed = _version.__version__
    file_version = _parse_version(written)
    if file_version is None:
        raise ModelFileError(
            f"{path}: the stored library version {written!r} is not a version "
            "number; the file is corrupt."
        )
    ours = _parse_version(installed)
    if file_version[0] != ours[0]:
        raise ModelVersionError(
            f"{path} was written by classical {written}, but classical {installed} "
            "is installed; files are only readable within one major version. "
            f"Install classical-vision=={file_version[0]}.{file_version[1]}.* to "
            "load it, or train and save the model again with this version."
        )
    if file_version[1] > ours[1]:
        raise ModelVersionError(
            f"{path} was written by classical {written}, which is newer than the "
            f"installed classical {installed}; it may use estimators or attributes "
            "this version lacks. Upgrade with `pip install -U classical-vision`."
        )


def _check_trusted(trusted):
    if trusted is None:
        return []
    if isinstance(trusted, str) or not all(isinstance(t, str) for t in trusted):
        raise TypeError(
            "trusted must be a list of fully qualified type names (str), such as "
            f"['sklearn.tree._tree.Tree']; got {trusted!r}."
        )
    return list(trusted)


def _split_untrusted(names):
    """Split skops' untrusted type names into the library's own and the rest."""
    ours, others = [], []
    for name in names:
        (ours if _is_library_object(name) else others).append(name)
    return ours, others


def _is_library_object(name):
    """True if ``name`` is a class or function defined in a ``classical`` module.

    Only our own modules are imported to check this; dunder modules (such as a
    ``__main__``) and names a module merely re-exports are refused.
    """
    module_name, _, attribute = name.rpartition(".")
    parts = module_name.split(".")
    if parts[0] != _LIBRARY or not attribute.isidentifier():
        return False
    if any(not part.isidentifier() or part.startswith("__") for part in parts):
        return False
    try:
        module = import_module(module_name)
    except ImportError as exc:
        missing = getattr(exc, "name", None) or ""
        if missing and (module_name + ".").startswith(missing + "."):
            return False  # no such module in this version of the library
        raise ModelFileError(
            f"The model uses {name}, but {module_name} cannot be imported: {exc}. "
            "If it belongs to an optional part of the library, install the extra "
            "(for example `pip install classical-vision[deep]`)."
        ) from exc
    obj = module.__dict__.get(attribute)
    if not (isinstance(obj, type) or inspect.isfunction(obj)):
        return False
    return obj.__module__ == module_name and obj.__name__ == attribute


def _check_trees(model, path):
    """Raise ModelFileError unless every decision tree in ``model`` is well formed."""
    seen = set()
    stack = [model]
    while stack:
        obj = stack.pop()
        if id(obj) in seen or isinstance(obj, (str, bytes, np.ndarray, type)):
            continue
        seen.add(id(obj))
        kind = type(obj)
        if kind.__module__ == "sklearn.tree._tree" and kind.__name__ == "Tree":
            problem = _tree_problem(obj)
            if problem:
                raise ModelFileError(
                    f"{path} holds a malformed decision tree ({problem}); the file "
                    "is corrupt or has been tampered with. Nothing was loaded.")
            continue
        if isinstance(obj, dict):
            stack.extend(obj.values())
        elif isinstance(obj, (list, tuple)):
            stack.extend(obj)
        elif hasattr(obj, "__dict__"):
            stack.extend(vars(obj).values())


def _tree_problem(tree):
    """Describe what is wrong with a loaded ``Tree``, or return None."""
    n_nodes = tree.node_count
    left, right = tree.children_left, tree.children_right
    feature, value = tree.feature, tree.value
    if n_nodes < 1 or len(left) != n_nodes or len(right) != n_nodes:
        return "node arrays do not match node_count"
    nodes = np.arange(n_nodes)
    leaf = left == -1
    if np.any(leaf != (right == -1)):
        return "a node has exactly one child"
    inner = ~leaf
    for children in (left[inner], right[inner]):
        if np.any(children <= nodes[inner]) or np.any(children >= n_nodes):
            return "a child index lies outside the tree or before its parent"
    if np.any((feature[inner] < 0) | (feature[inner] >= tree.n_features)):
        return "a split uses a feature outside the input"
    if value.shape[0] != n_nodes or value.shape[1] != tree.n_outputs:
        return "the value array has the wrong shape"
    return None


def _untrusted_message(path, names):
    # UNTRUSTED_TYPE_REASONS exists from skops 0.14 on.
    known = getattr(_skops_io().exceptions, "UNTRUSTED_TYPE_REASONS", {})
    reasons = [f"- {known[n]}" for n in names if n in known]
    message = (
        f"{path} contains types that are not trusted by default: {names}. Nothing "
        "was loaded. load() trusts NumPy, SciPy, scikit-learn and classical types; "
        "if you created this file yourself or fully trust its source, pass "
        f"load(path, trusted={names})."
    )
    if reasons:
        message += "\n" + "\n".join(reasons)
    return message
