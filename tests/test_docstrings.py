"""Public docstrings follow numpydoc, checked with numpydoc.validate as in sklearn."""

import inspect

import pytest

numpydoc_validate = pytest.importorskip("numpydoc.validate")

import classical  # noqa: E402
from classical import (  # noqa: E402
    _local_features,
    classifiers,
    datasets,
    deep,
    descriptors,
    encoders,
    evaluation,
    geo,
    parallel,
    preprocess,
)

# Checks we do not enforce, as in scikit-learn's own docstring test: extended
# summaries, See Also and Examples sections are welcome but optional; named
# single return values are our style; "Returns" for fit is "self".
IGNORED = {"ES01", "SA01", "EX01", "RT02", "GL08", "SS05", "PR09", "RT05", "GL02"}

MODULES = [classical, classifiers, datasets, deep, descriptors, encoders, evaluation,
           geo, preprocess, _local_features, parallel]


def _public_objects():
    for module in MODULES:
        for name in getattr(module, "__all__", []):
            obj = getattr(module, name)
            if (name.startswith("_") or not callable(obj)
                    or not obj.__module__.startswith("classical")):
                continue  # DESCRIPTOR_DTYPE is numpy's float32
            qualified = f"{obj.__module__}.{obj.__qualname__}"
            yield qualified
            if inspect.isclass(obj):  # its methods, and those of our bases
                for owner in obj.__mro__:
                    if not owner.__module__.startswith("classical."):
                        continue
                    for method_name, method in vars(owner).items():
                        if (method_name in {"fit", "transform", "predict",
                                            "predict_proba", "decision_function",
                                            "fit_transform", "split",
                                            "get_feature_names_out",
                                            "predict_log_proba"}
                                and callable(method)):
                            yield (f"{owner.__module__}.{owner.__qualname__}"
                                   f".{method_name}")


@pytest.mark.parametrize("name", sorted(set(_public_objects())))
def test_docstring(name):
    result = numpydoc_validate.validate(name)
    errors = [(code, message) for code, message in result["errors"]
              if code not in IGNORED]
    assert not errors, "\n".join(f"{code}: {message}" for code, message in errors)
