"""Imbalanced classes in the presets: make_pipeline's class_weight and resample."""

import numpy as np
import pytest
from imblearn.over_sampling import ADASYN, SMOTE, RandomOverSampler
from imblearn.pipeline import Pipeline as ResamplingPipeline
from imblearn.under_sampling import RandomUnderSampler
from sklearn.base import BaseEstimator, clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.metrics import recall_score
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.estimator_checks import check_class_weight_classifiers

import classical
from classical.classifiers import GaussianMLClassifier, MultiLabelClassifier

PRESETS = list(classical.list_pipelines())
# The presets whose classifier has no notion of class weights.
UNWEIGHTED = {"lbp-knn", "rules-vegetation"}


def _two_gaussians(n_common, n_rare, seed):
    """Two classes in 2-D, 1.5 standard deviations apart."""
    rng = np.random.default_rng(seed)
    X = np.vstack([rng.normal(0.0, 1.0, (n_common, 2)),
                   rng.normal(1.5, 1.0, (n_rare, 2))])
    return X, np.array(["common"] * n_common + ["rare"] * n_rare)


@pytest.fixture(scope="module")
def skewed():
    """190 against 10 to train on, 200 of each to test on."""
    return (*_two_gaussians(190, 10, seed=0), *_two_gaussians(200, 200, seed=1))


def _tiny_images(counts, seed=0):
    """8 x 8 RGB images, one dominant colour channel per class."""
    rng = np.random.default_rng(seed)
    images, labels = [], []
    for channel, (label, count) in enumerate(counts.items()):
        for _ in range(count):
            image = rng.integers(0, 120, (8, 8, 3), dtype=np.uint8)
            image[..., channel] += 120
            images.append(image)
            labels.append(label)
    return images, np.array(labels)


def _weighted(classifier):
    """The estimator a preset's classifier step gives its class weights."""
    if isinstance(classifier, MultiLabelClassifier):
        classifier = classifier.estimator
    if isinstance(classifier, CalibratedClassifierCV):
        classifier = classifier.estimator
    return classifier


def _final_steps(name, **params):
    """The preset's classifier step, with its sampler in front when it has one."""
    pipeline = classical.make_pipeline(name, **params)
    return pipeline[-2:] if "resample" in params else pipeline[-1]


def _rare_recall(model, skewed):
    X_train, y_train, X_test, y_test = skewed
    predicted = model.fit(X_train, y_train).predict(X_test)
    return recall_score(y_test, predicted, pos_label="rare")


class RecordingSampler(BaseEstimator):
    """Random oversampling that records the shape of every matrix it resamples."""

    def __init__(self, seen=None):
        self.seen = seen

    def fit_resample(self, X, y):
        self.seen.append(np.shape(X))
        return RandomOverSampler(random_state=0).fit_resample(X, y)


# ------------------------------------------------------------------ class_weight
@pytest.mark.parametrize("name", PRESETS)
@pytest.mark.parametrize("class_weight", ["balanced", {"rare": 5.0}])
def test_class_weight_reaches_the_classifier(name, class_weight):
    if name in UNWEIGHTED:
        with pytest.raises(ValueError, match=rf"'{name}' preset ends in \w+, which "
                                             r"has no class weights.*resample='over'"):
            classical.make_pipeline(name, class_weight=class_weight)
        return
    classifier = classical.make_pipeline(name, class_weight=class_weight)[-1]
    weighted = _weighted(classifier)
    assert weighted.class_weight == class_weight
    if isinstance(weighted, GaussianMLClassifier):
        assert weighted.priors == "empirical"


@pytest.mark.parametrize("name", sorted(set(PRESETS) - UNWEIGHTED))
def test_class_weight_changes_only_the_weights(name):
    weighted = _weighted(classical.make_pipeline(name, class_weight="balanced")[-1])
    plain = _weighted(classical.make_pipeline(name)[-1])
    changed = {key for key, value in weighted.get_params(deep=False).items()
               if value != plain.get_params(deep=False)[key]}
    expected = {"class_weight", "priors"} if isinstance(plain, GaussianMLClassifier) \
        else {"class_weight"}
    assert changed == expected


@pytest.mark.parametrize("name", ["global-svm", "global-mlc", "color-rf", "scene-best"])
def test_class_weight_reaches_each_label_of_a_multilabel_preset(name):
    classifier = classical.make_pipeline(name, multilabel=True,
                                         class_weight="balanced")[-1]
    assert isinstance(classifier, MultiLabelClassifier)
    assert _weighted(classifier).class_weight == "balanced"


def test_balanced_raises_the_rare_recall_of_the_logistic_presets(skewed):
    plain = classical.make_pipeline("dsift-vlad-svm")[-1]
    balanced = classical.make_pipeline("dsift-vlad-svm", class_weight="balanced")[-1]
    before, after = _rare_recall(plain, skewed), _rare_recall(balanced, skewed)
    assert before < 0.5 and after > 0.8  # make_pipeline's Notes: 0.39 -> 0.84


def test_balanced_moves_the_forest_less_than_undersampling(skewed):
    recall = {
        kind: _rare_recall(_final_steps("color-rf", **params), skewed)
        for kind, params in [("plain", {}), ("balanced", {"class_weight": "balanced"}),
                             ("under", {"resample": "under"})]
    }
    assert recall["plain"] + 0.05 < recall["balanced"] < 0.5
    assert recall["under"] > 0.85  # make_pipeline's Notes: 0.25, 0.39, 0.90


def test_platt_scaling_undoes_the_svm_weights_and_resampling_does_not(skewed):
    recall = {
        kind: _rare_recall(_final_steps("hog-svm", **params), skewed)
        for kind, params in [("plain", {}), ("balanced", {"class_weight": "balanced"}),
                             ("under", {"resample": "under"}),
                             ("over", {"resample": "over"})]
    }
    assert recall["plain"] < 0.05 and recall["balanced"] < 0.05
    assert recall["under"] > 0.85 and 0.5 < recall["over"] < 0.7


def test_sample_weight_reaches_both_fits_of_the_svm(skewed):
    X_train, y_train, X_test, y_test = skewed
    weights = compute_class_weight("balanced", classes=np.unique(y_train), y=y_train)
    sample_weight = np.where(y_train == "rare", weights[1], weights[0])
    model = classical.make_pipeline("hog-svm")[-2:]
    model.fit(X_train, y_train, svm__sample_weight=sample_weight)
    assert recall_score(y_test, model.predict(X_test), pos_label="rare") > 0.6


def test_gaussian_ml_class_weight_weighs_the_empirical_priors(skewed):
    X_train, y_train = skewed[:2]
    classes, counts = np.unique(y_train, return_counts=True)
    for class_weight in ["balanced", {"rare": 7.0}, {"common": 0.5, "rare": 3}]:
        model = classical.make_pipeline("global-mlc", class_weight=class_weight)[-1]
        model.fit(X_train, y_train)
        weights = compute_class_weight(class_weight, classes=classes, y=y_train)
        np.testing.assert_allclose(model.priors_, counts * weights
                                   / np.sum(counts * weights), rtol=1e-12)
    np.testing.assert_allclose(model.class_count_, counts)


def test_gaussian_ml_class_weight_passes_sklearn_class_weight_check():
    check_class_weight_classifiers("GaussianMLClassifier",
                                   GaussianMLClassifier(priors="empirical"))


@pytest.mark.parametrize("params, match", [
    ({"class_weight": "balanced"},
     r"class_weight='balanced' .* needs priors='empirical'; got priors='equal'"),
    ({"class_weight": {"rare": 2}, "priors": {"rare": 1, "common": 1}},
     r"needs priors='empirical'; got priors=\{"),
    ({"class_weight": {"rare": 2, "absent": 1}, "priors": "empirical"},
     r"class_weight has keys that are not classes of y: \['absent'\]"),
    ({"class_weight": {"rare": 0}, "priors": "empirical"},
     r"positive finite numbers; got \{'rare': 0\}"),
    ({"class_weight": {"rare": True}, "priors": "empirical"},
     r"positive finite numbers; got \{'rare': True\}"),
    ({"class_weight": {"common": np.inf}, "priors": "empirical"},
     r"positive finite numbers; got \{'common': inf\}"),
])
def test_gaussian_ml_class_weight_errors(skewed, params, match):
    with pytest.raises(ValueError, match=match):
        GaussianMLClassifier(**params).fit(*skewed[:2])


@pytest.mark.parametrize("class_weight, error, match", [
    ("balance", ValueError, r"class_weight must be None, 'balanced' or a dict.*"
                            r"got 'balance'"),
    ([1, 2], TypeError, r"class_weight must be None, 'balanced' or a dict.*"
                        r"got \[1, 2\]"),
    (np.array([1.0, 2.0]), TypeError, r"class_weight must be None"),
])
def test_make_pipeline_rejects_bad_class_weight(class_weight, error, match):
    with pytest.raises(error, match=match):
        classical.make_pipeline("color-rf", class_weight=class_weight)


# ---------------------------------------------------------------------- resample
@pytest.mark.parametrize("resample, kind", [("over", RandomOverSampler),
                                            ("under", RandomUnderSampler),
                                            ("smote", SMOTE)])
@pytest.mark.parametrize("name", PRESETS)
def test_resample_inserts_a_seeded_sampler_before_the_classifier(name, resample, kind):
    plain = classical.make_pipeline(name)
    pipeline = classical.make_pipeline(name, resample=resample)
    assert isinstance(pipeline, ResamplingPipeline)
    names = [step for step, _ in pipeline.steps]
    # a nested pipeline's steps are spliced in (imblearn refuses nested pipelines)
    head = [inner for step, part in plain.steps[:-1]
            for inner in ([s for s, _ in part.steps] if hasattr(part, "steps")
                          else [step])]
    assert names == [*head, "resample", plain.steps[-1][0]]
    sampler = pipeline.named_steps["resample"]
    assert type(sampler) is kind and sampler.random_state == 0
    clone(pipeline)


def test_resample_takes_a_sampler_instance_and_its_parameters():
    sampler = ADASYN(random_state=3)
    pipeline = classical.make_pipeline("pixel-rf", resample=sampler,
                                       resample__n_neighbors=2)
    assert pipeline.named_steps["resample"] is sampler
    assert sampler.n_neighbors == 2


def test_resampling_happens_in_fit_only_on_the_feature_matrix():
    images, labels = _tiny_images({"a": 12, "b": 3})
    seen = []
    model = classical.make_pipeline("color-rf", resample=RecordingSampler(seen),
                                    forest__n_estimators=5)
    model.fit(images, labels)
    features = model[:-2].transform(images)  # the union of both extractors
    assert seen == [features.shape]
    assert model.predict(images).shape == (len(images),)
    assert model.predict_proba(images[:4]).shape == (4, 2)
    assert seen == [features.shape]  # predict resampled nothing


def test_resampled_preset_fits_its_classifier_on_the_resampled_features():
    # The peer: imbalanced-learn's sampler and the forest, run by hand.
    images, labels = _tiny_images({"a": 12, "b": 4, "c": 3})
    model = classical.make_pipeline("color-rf", resample="smote",
                                    resample__k_neighbors=2, forest__n_estimators=5)
    model.fit(images, labels)
    features = model[:-2].transform(images)
    X, y = SMOTE(random_state=0, k_neighbors=2).fit_resample(features, labels)
    peer = clone(model[-1]).fit(X, y)
    test_images = _tiny_images({"a": 3, "b": 3, "c": 3}, seed=1)[0]
    np.testing.assert_array_equal(
        model.predict_proba(test_images),
        peer.predict_proba(model[:-2].transform(test_images)))


def test_resample_and_class_weight_together():
    pipeline = classical.make_pipeline("dsift-vlad-svm", resample="under",
                                       class_weight="balanced")
    assert pipeline.named_steps["logistic"].class_weight == "balanced"
    assert isinstance(pipeline.named_steps["resample"], RandomUnderSampler)


@pytest.mark.parametrize("kwargs, error, match", [
    ({"resample": "sideways"}, ValueError,
     r"Unknown resample 'sideways'\. Choose one of 'over', 'under', 'smote'"),
    ({"resample": RandomOverSampler}, TypeError,
     r"resample must be .* an imbalanced-learn sampler instance.*got the class "
     r"RandomOverSampler; pass RandomOverSampler\(\)"),
    ({"resample": 0.5}, TypeError, r"an object with fit_resample\); got float"),
    ({"resample": "over", "multilabel": True}, ValueError,
     r"resample='over' cannot be used with multilabel=True.*class_weight='balanced'"),
])
def test_make_pipeline_rejects_bad_resample(kwargs, error, match):
    with pytest.raises(error, match=match):
        classical.make_pipeline("color-rf", **kwargs)
