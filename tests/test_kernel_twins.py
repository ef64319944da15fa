"""Every Numba kernel has a plain NumPy twin and a test that compares them.

The registry below is the single list of kernel / twin pairs (stumpy's
``tests/naive.py``, pynndescent's ``named_distances``). A kernel module's
helper kernels, which only other kernels call, are listed under the kernel
whose twin comparison runs through them. The tests fail when a kernel is added
to ``classical/_kernels`` without being registered, when a registered twin is
missing from ``tests/naive``, and when no test module uses the twin.
"""

import ast
import importlib
import pkgutil
from pathlib import Path

import pytest

import classical._kernels as kernel_package

TESTS = Path(__file__).resolve().parent

# kernel module -> {kernel: twin in tests/naive/<twin module>.py}
TWINS = {
    "assign": ("encoders", {
        "squared_norms": "squared_norms",
        "nearest_words": "nearest_words",
        "nearest_k_words": "nearest_k_words",
        "soft_counts": "soft_counts",
    }),
    "color": ("color", {
        "convert_pixels": "convert_pixels",
        "color_histogram_batch": "color_histogram_batch",
        "hsv_histogram_uint8": "color_histogram_batch",
        "color_moments_batch": "color_moments_batch",
    }),
    "dsift": ("dsift", {
        "dense_sift_image": "dense_sift_image",
        "dense_sift_image_parallel": "dense_sift_image",
        "dense_sift_batch": "dense_sift_batch",
    }),
    "fisher": ("fisher", {
        "fisher_batch": "fisher_batch",
        "exp_below": "exp_below",
    }),
    "gaussian": ("gaussian", {
        "mahalanobis_block": "mahalanobis_block",
        "joint_log_likelihood": "joint_log_likelihood",
        "classify_gaussian": "classify_gaussian",
    }),
    "hog": ("hog", {
        "cell_histograms": "cell_histograms",
        "normalize_blocks": "normalize_blocks",
        "hog_descriptor": "hog_descriptor",
        "hog_descriptor_parallel": "hog_descriptor",
        "hog_batch": "hog_batch",
        "hog_glyphs": "hog_glyphs",
        "hog_descriptor_glyphs": "hog_descriptor_glyphs",
    }),
    "lbp": ("lbp", {
        "lbp_codes": "lbp_codes",
        "lbp_histograms": "lbp_histograms",
        "uniform_lbp_counts": "uniform_lbp_counts",
    }),
    "global_features": ("global_features", {
        "global_features_batch": "global_features_batch",
    }),
    "neighbourhood": ("neighbourhood", {
        "window_statistics": "window_statistics",
        "glcm_texture": "glcm_texture",
    }),
    "patches": ("patches", {
        "patch_histograms": "patch_histograms",
        "dense_lbp_batch": "dense_lbp_batch",
        "dense_color_moments_batch": "dense_color_moments_batch",
    }),
    "project": ("project", {
        "project_rows": "project_rows",
    }),
    "rules": ("rules", {
        "pixel_quantities": "pixel_quantities",
        "pixel_rule_batch": "pixel_rule_batch",
    }),
    "symmetry": ("symmetry", {"permute_descriptors": "permute_descriptors"}),
    "vlad": ("encoders", {
        "vlad_batch": "vlad_batch",
        "soft_vlad_batch": "soft_vlad_batch",
    }),
}

# kernel module -> {helper kernel: the registered kernel whose comparison covers it}
COVERED_BY = {
    "assign": {
        "best_words": "nearest_words", "cross_terms": "nearest_words",
        "half_norms": "nearest_words", "k_best_words": "nearest_k_words",
        "soft_weights": "soft_counts",
    },
    "color": {
        "_color_counts": "color_histogram_batch", "_count": "color_histogram_batch",
        "_finish_histogram": "color_histogram_batch",
        "_hsv_cell": "hsv_histogram_uint8", "_hsv_joint_counts": "hsv_histogram_uint8",
        "_hsv_split_counts": "hsv_histogram_uint8",
        "_image_moments": "color_moments_batch", "bin_index": "color_histogram_batch",
        "convert_pixel": "convert_pixels", "hsv_pixel": "convert_pixels",
        "lab_cbrt": "convert_pixels", "lab_f": "convert_pixels",
        "linear_to_lab": "convert_pixels", "srgb_to_linear": "convert_pixels",
    },
    "dsift": {
        "accumulate_row": "dense_sift_image", "describe_patch_rows": "dense_sift_image",
        "finish_patches": "dense_sift_image", "orientation": "dense_sift_image",
        "orientation_row": "dense_sift_image", "row_sums": "dense_sift_image",
        "vote_row": "dense_sift_image",
    },
    "fisher": {"_image_statistics": "fisher_batch"},
    "hog": {
        "_bin_row": "cell_histograms", "_channel_gradient": "cell_histograms",
        "_load_row": "cell_histograms", "_strongest_gradient": "cell_histograms",
        "_vote_row": "cell_histograms", "_work_arrays": "hog_descriptor",
        "_describe": "hog_descriptor", "exact_bin": "cell_histograms",
    },
    "lbp": {
        "_band_codes": "lbp_codes", "_fill_padded": "lbp_codes",
        "_flat_offsets": "lbp_codes", "_padded_codes": "lbp_codes",
        "_pattern_code": "lbp_codes", "_tally_codes": "lbp_histograms",
        "_uniform_code": "lbp_codes",
    },
    "global_features": {
        "_bin": "global_features_batch", "_central_moments": "global_features_batch",
        "_convert_image": "global_features_batch",
    },
    "neighbourhood": {"_column_summaries": "window_statistics"},
    "patches": {"_convert_image": "dense_color_moments_batch"},
    "rules": {"_clause_holds": "pixel_rule_batch", "_image_rules": "pixel_rule_batch"},
    "vlad": {
        "_hard_image": "vlad_batch", "_soft_image": "soft_vlad_batch",
        "add_residual": "vlad_batch", "normalize_row": "vlad_batch",
        "normalize_used": "vlad_batch",
    },
}

KERNEL_MODULES = sorted(
    name for _, name, _ in pkgutil.iter_modules(kernel_package.__path__)
    if name != "config")


def _is_njit(decorator):
    """True for ``@njit``, ``@njit(...)``, ``@numba.njit(...)`` and ``@jit(...)``."""
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    if isinstance(target, ast.Attribute):
        return target.attr in {"njit", "jit"}
    name = getattr(target, "id", "")
    return name in {"njit", "jit"}


def _kernels_of(module_name):
    """Names of the Numba kernels defined in one kernel module.

    Read from the source (functions decorated with ``njit``), so the check
    holds with ``NUMBA_DISABLE_JIT=1`` too, where no dispatcher exists.
    """
    path = Path(kernel_package.__file__).parent / f"{module_name}.py"
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return sorted(node.name for node in tree.body
                  if isinstance(node, ast.FunctionDef)
                  and any(_is_njit(d) for d in node.decorator_list))


def _names_used_with_twin_module(twin_module):
    """Identifiers and strings of the test modules importing that twin module."""
    used = set()
    for path in TESTS.glob("test_*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imports_twin = any(
            isinstance(node, ast.ImportFrom) and node.module == "tests.naive"
            and any(alias.name == twin_module for alias in node.names)
            for node in ast.walk(tree))
        if not imports_twin:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute):
                used.add(node.attr)
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                used.add(node.value)
    return used


def test_registry_names_every_kernel_module():
    assert KERNEL_MODULES, "no kernel modules found"
    assert sorted(TWINS) == KERNEL_MODULES, (
        "register the twins of every module of classical/_kernels in TWINS")


@pytest.mark.parametrize("module_name", KERNEL_MODULES)
def test_every_kernel_is_registered(module_name):
    _, twins = TWINS.get(module_name, (None, {}))
    covered = COVERED_BY.get(module_name, {})
    unregistered = [name for name in _kernels_of(module_name)
                    if name not in twins and name not in covered]
    assert not unregistered, (
        f"kernels of classical._kernels.{module_name} with no NumPy twin registered: "
        f"{unregistered}; write a twin in tests/naive and add it to TWINS, or list "
        "the helper in COVERED_BY under the kernel whose test runs through it")


@pytest.mark.parametrize("module_name", KERNEL_MODULES)
def test_registered_kernels_exist(module_name):
    twin_module, twins = TWINS[module_name]
    defined = set(_kernels_of(module_name))
    stale = [name for name in [*twins, *COVERED_BY.get(module_name, {})]
             if name not in defined]
    assert not stale, f"registered but not defined in {module_name}: {stale}"
    covering = set(COVERED_BY.get(module_name, {}).values())
    assert covering <= set(twins), "COVERED_BY must name kernels that have twins"


@pytest.mark.parametrize("module_name", KERNEL_MODULES)
def test_twins_exist_and_are_compared(module_name):
    twin_module, twins = TWINS[module_name]
    naive = importlib.import_module(f"tests.naive.{twin_module}")
    missing = [twin for twin in twins.values()
               if not callable(getattr(naive, twin, None))]
    assert not missing, f"tests/naive/{twin_module}.py lacks the twins {missing}"
    used = _names_used_with_twin_module(twin_module)
    untested = sorted({twin for twin in twins.values() if twin not in used})
    assert not untested, (
        f"no test module uses the twins {untested} of tests/naive/{twin_module}.py: "
        "compare each kernel with its twin in a test")
