"""Named pipelines: ready-made chains of descriptors and classifiers.

A preset is only a name for a :class:`sklearn.pipeline.Pipeline` built from the
library's public steps and scikit-learn's classifiers; anything a preset does
can be composed by hand. SVM, k-NN and random forest are scikit-learn's own.
"""

from sklearn.calibration import CalibratedClassifierCV
from sklearn.decomposition import PCA
from sklearn.ensemble import RandomForestClassifier
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from .classifiers import GaussianMLClassifier, RuleClassifier
from .encoders import PowerNormalizer
from .descriptors import (
    ColorHistogramExtractor,
    ColorMomentsExtractor,
    HOGExtractor,
    LBPExtractor,
    PixelRuleFeatures,
)
from .preprocess import Resize

__all__ = ["make_pipeline", "list_pipelines"]

_PRESETS = {}


def _preset(name, description):
    def register(builder):
        _PRESETS[name] = (description, builder)
        return builder
    return register


def _hog_branch(size=64):
    return Pipeline([
        ("resize", Resize(size=(size, size))),
        ("hog", HOGExtractor(orientations=9, pixels_per_cell=(8, 8),
                             cells_per_block=(2, 2), block_norm="L2-Hys")),
    ])


def _hellinger():
    """Square root of histogram entries: Euclidean distance becomes Hellinger."""
    return PowerNormalizer(alpha=0.5)


def _global_features():
    return FeatureUnion([
        ("hog", _hog_branch()),
        ("lbp", Pipeline([
            ("lbp", LBPExtractor(P=[8, 16, 24], R=[1, 2, 3], method="uniform",
                                 per_channel=True)),
            ("sqrt", _hellinger()),
        ])),
        ("color", Pipeline([
            ("hist", ColorHistogramExtractor(color_space="hsv", bins=(8, 8, 8))),
            ("sqrt", _hellinger()),
        ])),
        ("moments", ColorMomentsExtractor(color_space="lab")),
    ])


def _svm():
    """RBF SVM with Platt-scaled probabilities (5-fold, one final SVM)."""
    return CalibratedClassifierCV(SVC(kernel="rbf", C=10.0, gamma="scale"),
                                  method="sigmoid", cv=5, ensemble=False)


@_preset("hog-svm", "HOG (64x64, 8x8 cells, 2x2 blocks, 9 bins) -> scaling -> RBF SVM")
def _hog_svm():
    return Pipeline([
        ("features", _hog_branch()),
        ("scale", StandardScaler()),
        ("svm", _svm()),
    ])


@_preset("lbp-knn", "multi-scale uniform LBP histograms -> Hellinger -> 5-NN")
def _lbp_knn():
    return Pipeline([
        ("lbp", LBPExtractor(P=[8, 16, 24], R=[1, 2, 3], method="uniform")),
        ("sqrt", _hellinger()),
        ("knn", KNeighborsClassifier(n_neighbors=5)),
    ])


@_preset("color-rf", "HSV histogram + Lab colour moments -> random forest")
def _color_rf():
    return Pipeline([
        ("features", FeatureUnion([
            ("hist", ColorHistogramExtractor(color_space="hsv", bins=(8, 8, 8))),
            ("moments", ColorMomentsExtractor(color_space="lab")),
        ])),
        ("forest", RandomForestClassifier(n_estimators=300, random_state=0)),
    ])


@_preset("global-svm",
         "HOG + multi-scale colour LBP + HSV histogram + Lab moments -> scaling "
         "-> RBF SVM")
def _global_svm():
    return Pipeline([
        ("features", _global_features()),
        ("scale", StandardScaler()),
        ("svm", _svm()),
    ])


@_preset("global-mlc",
         "the global-svm features -> scaling -> PCA -> Gaussian maximum likelihood")
def _global_mlc():
    return Pipeline([
        ("features", _global_features()),
        ("scale", StandardScaler()),
        ("pca", PCA(n_components=40, random_state=0)),
        ("mlc", GaussianMLClassifier(priors="equal")),
    ])


@_preset("rules-vegetation",
         "pixel statistics -> hand-written rules: vegetation / water / built-up / "
         "bare (a worked rule-based example)")
def _rules_vegetation():
    features = PixelRuleFeatures()
    names = [
        "green_fraction", "exg_fraction", "bright_fraction", "dark_fraction",
        "blue_fraction", "mean_brightness", "mean_saturation",
    ]
    rules = [
        "green_fraction > 0.6 -> vegetation",
        "exg_fraction > 0.5 -> vegetation",
        "blue_fraction > 0.5 and mean_brightness < 0.35 -> water",
        "other",
    ]
    return Pipeline([
        ("pixels", features),
        ("rules", RuleClassifier(rules=rules, feature_names=names)),
    ])


def list_pipelines():
    """Name and describe the presets.

    Returns
    -------
    presets : dict of str to str
        Preset name to a one-line description, in a stable order.
    """
    return {name: description for name, (description, _) in _PRESETS.items()}


def make_pipeline(name, **params):
    """Build an unfitted preset pipeline.

    Parameters
    ----------
    name : str
        One of :func:`list_pipelines`.
    **params
        Step parameters in scikit-learn's ``step__param`` form, passed to
        :meth:`~sklearn.pipeline.Pipeline.set_params`, e.g. ``svm__estimator__C=1.0``.

    Returns
    -------
    pipeline : sklearn.pipeline.Pipeline
        A new, unfitted pipeline.

    Raises
    ------
    ValueError
        If ``name`` is not a preset or a parameter does not exist.

    Examples
    --------
    >>> import classical
    >>> pipe = classical.make_pipeline("hog-svm", svm__estimator__C=1.0)
    >>> [step for step, _ in pipe.steps]
    ['features', 'scale', 'svm']
    """
    if not isinstance(name, str) or name not in _PRESETS:
        raise ValueError(
            f"Unknown pipeline {name!r}. Available pipelines: "
            f"{', '.join(sorted(_PRESETS))}."
        )
    pipeline = _PRESETS[name][1]()
    if params:
        pipeline.set_params(**params)
    return pipeline
